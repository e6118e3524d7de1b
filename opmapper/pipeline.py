"""spaCy components: opmapper's extractors on any pipeline, including ``spacy.blank("en")``.

    nlp = spacy.blank("en")
    nlp.add_pipe("opmapper_references")   # doc._.op_references -> list[Span], span._.op_reference -> dict
    nlp.add_pipe("opmapper_claims")       # doc._.claims -> list[Span], span._.claim -> dict

Extension values are plain dicts (``Record.to_dict()``), so Docs serialise and ``nlp.pipe(n_process=2)``
works. Registered with ``@Language.factory`` and the ``spacy_factories`` entry point.
"""

from __future__ import annotations

from ._imports import import_spacy
from .references import DEFAULT_PATTERNS, ReferencePatterns, find_references

import_spacy()  # before the spacy imports below, so that spaCy comes without its CLI

from spacy.language import Language  # noqa: E402
from spacy.tokens import Doc, Span  # noqa: E402

CLAIMS_SPANS_KEY = "opmapper_claims"
REFERENCES_SPANS_KEY = "opmapper_references"


def _reference_spans(doc: Doc) -> list[Span] | None:
    """doc._.op_references: read from ``doc.spans`` (labelled with the reference id), which serialises
    with the Doc, so the spans survive ``nlp.pipe(n_process=2)``."""
    group = doc.spans.get(REFERENCES_SPANS_KEY)
    return list(group) if group is not None else None


def _reference_record(span: Span) -> dict | None:
    """span._.op_reference: the record of that span, found by id and offsets in the Doc's plain records.

    Looked up rather than stored per span: two references can expand to the same tokens ("OP4(a-c)")."""
    for rec in span.doc._.op_reference_records or ():
        if rec["id"] == span.label_ and span.start_char <= rec["start"] and rec["end"] <= span.end_char:
            return rec
    return None


def _claim_spans(doc: Doc) -> list[Span] | None:
    """doc._.claims: read from ``doc.spans`` (a SpanGroup), which serialises with the Doc, so the spans
    survive ``nlp.pipe(n_process=2)``; a list of Spans kept in ``doc._`` itself would not."""
    group = doc.spans.get(CLAIMS_SPANS_KEY)
    return list(group) if group is not None else None


def _ensure_extensions() -> None:
    if not Doc.has_extension("op_references"):
        Doc.set_extension("op_references", getter=_reference_spans)
    if not Doc.has_extension("op_reference_records"):
        Doc.set_extension("op_reference_records", default=None)   # list of Reference.to_dict()
    if not Span.has_extension("op_reference"):
        Span.set_extension("op_reference", getter=_reference_record)
    if not Doc.has_extension("claims"):
        Doc.set_extension("claims", getter=_claim_spans)
    if not Span.has_extension("claim"):
        Span.set_extension("claim", default=None)


def spans_for(doc: Doc, records, extension: str) -> list[Span]:
    """Turn character-offset records into Spans (expanded to token edges) carrying the record as a dict."""
    spans = []
    for rec in records:
        span = doc.char_span(rec.start, rec.end, alignment_mode="expand")
        if span is None:
            continue
        span._.set(extension, rec.to_dict())
        spans.append(span)
    return spans


class ReferencesComponent:
    def __init__(self, patterns: ReferencePatterns = DEFAULT_PATTERNS) -> None:
        _ensure_extensions()
        self.patterns = patterns

    def __call__(self, doc: Doc) -> Doc:
        records, spans = [], []
        for ref in find_references(doc.text, self.patterns):
            span = doc.char_span(ref.start, ref.end, label=ref.id, alignment_mode="expand")
            if span is not None:
                records.append(ref.to_dict())
                spans.append(span)
        doc._.op_reference_records = records
        doc.spans[REFERENCES_SPANS_KEY] = spans
        return doc


@Language.factory("opmapper_references", default_config={"extend": {}})
def make_references_component(nlp: Language, name: str, extend: dict) -> ReferencesComponent:
    """``config={"extend": {"operative_heads": ["§"]}}`` adds fragments to the default ReferencePatterns."""
    return ReferencesComponent(DEFAULT_PATTERNS.extended(**extend) if extend else DEFAULT_PATTERNS)


class ClaimsComponent:
    def __init__(self) -> None:
        _ensure_extensions()

    def __call__(self, doc: Doc) -> Doc:
        from .claims import claims_from_doc

        doc.spans[CLAIMS_SPANS_KEY] = spans_for(doc, claims_from_doc(doc), "claim")
        return doc


@Language.factory("opmapper_claims")
def make_claims_component(nlp: Language, name: str) -> ClaimsComponent:
    return ClaimsComponent()


_ensure_extensions()

"""spaCy components: opmapper's extractors on any pipeline, including ``spacy.blank("en")``.

    nlp = spacy.blank("en")
    nlp.add_pipe("opmapper_references")   # doc._.op_references -> list[Span], span._.op_reference -> dict
    nlp.add_pipe("opmapper_claims")       # doc._.claims -> list[Span], span._.claim -> dict

Extension values are plain dicts (``Record.to_dict()``), so Docs serialise and ``nlp.pipe(n_process=2)``
works. Registered with ``@Language.factory`` and the ``spacy_factories`` entry point.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from .references import DEFAULT_PATTERNS, ReferencePatterns, find_references

CLAIMS_SPANS_KEY = "opmapper_claims"


def _claim_spans(doc: Doc) -> list[Span] | None:
    """doc._.claims: read from ``doc.spans`` (a SpanGroup), which serialises with the Doc, so the spans
    survive ``nlp.pipe(n_process=2)``; a list of Spans kept in ``doc._`` itself would not."""
    group = doc.spans.get(CLAIMS_SPANS_KEY)
    return list(group) if group is not None else None


def _ensure_extensions() -> None:
    if not Doc.has_extension("op_references"):
        Doc.set_extension("op_references", default=None)
    if not Doc.has_extension("claims"):
        Doc.set_extension("claims", getter=_claim_spans)
    for name in ("op_reference", "claim"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


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
        doc._.op_references = spans_for(doc, find_references(doc.text, self.patterns), "op_reference")
        return doc


@Language.factory("opmapper_references")
def make_references_component(nlp: Language, name: str) -> ReferencesComponent:
    return ReferencesComponent()


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

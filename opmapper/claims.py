"""Quantitative claims: "over 11 million posts ... removed" -> value, bound, unit, counted, verb.

Knows nothing of reports. Rules on top of ``spacy.blank("en")``.
CONTRACT (owned by the claims work; other modules rely on these names and fields).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._records import Record


@dataclass(frozen=True)
class Claim(Record):
    value: float
    value_max: float | None      # upper end of a range, else None
    bound: str                   # "=", "~", ">", ">=", "<", "<="
    unit: str | None             # None for counts; "%", "fraction", "EUR", "USD", "CHF", "GBP", "ha", "km2", "km", "m", "t", "kg"
    counted: str | None          # noun phrase of what is counted: "technology companies"
    counted_head: str | None     # its head noun as written, lower-cased: "companies"
    verb: str | None             # "blocked or removed", "trained"
    modality: str                # "achieved" | "planned"
    kind: str                    # "count" | "money" | "percentage" | "area" | "length" | "mass" | "other"
    start: int
    end: int
    text: str                    # the figure's own text: "over 11 million posts"
    sentence_start: int
    sentence_end: int


def claims_from_doc(doc) -> list[Claim]:
    """All claims in an already tokenised Doc (used by the spaCy component)."""
    raise NotImplementedError


def find_claims(text: str, nlp=None) -> list[Claim]:
    """All claims in ``text``; ``nlp`` is an optional shared pipeline (built once and cached if None)."""
    raise NotImplementedError

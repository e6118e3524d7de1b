"""Explicit paragraph references (``[OP2; OP4.b]``, ``operative paragraph 3``) and resolution mentions.

Knows nothing of reports: text in, records with spans out.
CONTRACT (owned by the references work; other modules rely on these names and fields).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._records import Record


@dataclass(frozen=True)
class Reference(Record):
    """One paragraph reference. Lists and ranges give one Reference per paragraph."""

    id: str                      # canonical: "OP4", "OP4.b", "OP4.a.ii", "PP2"
    kind: str                    # "operative" | "preambular"
    paragraph: int
    subparagraph: tuple[str, ...]
    start: int
    end: int
    text: str                    # the matched text (text[start:end] of the input)
    complete: bool = True        # False when taken from a tag list that was cut off ("[OP2; OP4")


@dataclass(frozen=True)
class ResolutionMention(Record):
    code: str | None             # normalised "WCC-2020-Res-040" where the session is known, else None
    kind: str                    # "resolution" | "recommendation" | "motion"
    number: str                  # "040", "6.049", "4.108"
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ReferencePatterns:
    """The pattern set, as data: pass your own to find_references(text, patterns=...)."""

    extra: tuple[str, ...] = field(default_factory=tuple)


DEFAULT_PATTERNS = ReferencePatterns()


def find_references(text: str, patterns: ReferencePatterns = DEFAULT_PATTERNS) -> list[Reference]:
    raise NotImplementedError


def find_resolution_mentions(text: str) -> list[ResolutionMention]:
    raise NotImplementedError


def strip_references(text: str, patterns: ReferencePatterns = DEFAULT_PATTERNS) -> str:
    """The text with explicit references (and their brackets) removed; the tagger uses this."""
    raise NotImplementedError

"""Resolutions as data: the paragraph tree of a resolution's published text.

CONTRACT (owned by the resolution/tagger work; checks, batch and cli rely on these names).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._records import Record


@dataclass(frozen=True)
class Paragraph(Record):
    id: str                 # "PP1", "OP4", "OP4.b", "OP4.b.ii"
    kind: str               # "preambular" | "operative"
    parent: str | None      # "OP4" for "OP4.b"; None for top-level paragraphs
    text: str               # the paragraph's own text (without its children)
    start: int
    end: int


@dataclass(frozen=True)
class Resolution(Record):
    code: str | None        # "WCC-2020-Res-040"
    title: str
    paragraphs: tuple[Paragraph, ...]

    def __contains__(self, ref: object) -> bool:
        """``"OP4.b" in resolution``; also accepts a Reference (its ``id``)."""
        raise NotImplementedError

    def unknown(self, refs) -> list:
        """The references (ids or Reference objects) naming paragraphs this resolution lacks."""
        raise NotImplementedError


def parse_resolution(text: str, source: str | None = None) -> Resolution:
    raise NotImplementedError


def load_resolutions(directory=None) -> dict[str, Resolution]:
    """All resolutions in a folder (default: the bundled corpus/resolutions), keyed by code."""
    raise NotImplementedError

"""OP tagger: suggests the operative paragraphs an untagged activity implements.

CONTRACT (owned by the tagger work; checks, batch and cli rely on these names).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._records import Record


@dataclass(frozen=True)
class Suggestion(Record):
    id: str                       # "OP4.b"
    score: float                  # calibrated probability
    evidence: tuple[str, ...]     # the words that drove it
    above_threshold: bool = True  # score >= the cross-validated threshold for this paragraph


class OpTagger:
    """scikit-learn conventions: parameters in __init__, learned state in attributes ending in ``_``."""

    def fit(self, texts, labels, resolutions):
        raise NotImplementedError

    def predict_proba(self, texts, resolution=None):
        raise NotImplementedError

    def suggest(self, text: str, resolution: str | None = None, k: int = 3) -> list[Suggestion]:
        raise NotImplementedError

    def save(self, path) -> None:
        raise NotImplementedError

    @classmethod
    def load(cls, path=None) -> OpTagger:
        raise NotImplementedError

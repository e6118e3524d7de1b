"""Corpus reports and randomly edited copies of them: the shared sample of the fast-path tests, which
compare each shortcut with the general way it stands in for."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def corpus_reports(limit: int) -> list[str]:
    """About ``limit`` corpus reports, spread evenly over the sorted list."""
    files = sorted((ROOT / "corpus" / "reports").rglob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in files[:: max(1, len(files) // limit)]]


def with_random_edits(text: str, edits: Sequence[str], count: int, rng: random.Random) -> str:
    """``text`` with ``count`` pieces of ``edits`` inserted at random places: marks, digits and keywords
    land next to each other in ways no hand-written sample covers."""
    chars = list(text)
    for _ in range(count):
        chars.insert(rng.randrange(len(chars)), rng.choice(edits))
    return "".join(chars)

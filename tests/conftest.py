"""Shared test fixtures: where the bundled corpus is, and the real sample under ../shared/seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def seed_files() -> list[Path]:
    """The real sample reports; tests using this skip cleanly where ../shared/seeds is absent."""
    files = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not files:
        pytest.skip("../shared/seeds is not present")
    return files


@pytest.fixture(scope="session")
def seed_text(seed_files) -> str:
    return seed_files[0].read_text(encoding="utf-8")

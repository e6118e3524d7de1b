"""Schema and invariants of the hand-labelled claims gold (corpus/gold/claims.jsonl).

No extractor is involved: these tests only keep the gold file well-formed and self-consistent,
so that scores computed against it mean something.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

GOLD = Path(__file__).resolve().parents[1] / "corpus" / "gold" / "claims.jsonl"

BOUNDS = {"=", "~", ">", ">=", "<", "<="}
UNITS = {None, "%", "fraction", "EUR", "USD", "CHF", "GBP", "ha", "km2", "km", "m", "t", "kg"}
MONEY = {"EUR", "USD", "CHF", "GBP"}
LINE_KEYS = {"id", "text", "claims", "tags", "split"}
CLAIM_KEYS = {"text", "value", "value_max", "bound", "unit", "counted", "head", "start", "end"}

# Bound words at the start of a claim's text and the bound they must carry (README, "Bounds").
BOUND_WORDS = [
    ("in excess of", ">"), ("more than", ">"), ("just over", ">"), ("well over", ">"), ("over", ">"),
    ("above", ">"), ("no fewer than", ">="), ("at least", ">="), ("fewer than", "<"), ("less than", "<"),
    ("just under", "<"), ("under", "<"), ("below", "<"), ("up to", "<="), ("at most", "<="),
    ("no more than", "<="), ("a maximum of", "<="), ("as many as", "<="), ("within", "<="),
    ("approximately", "~"), ("approx.", "~"), ("about", "~"), ("around", "~"), ("roughly", "~"),
    ("some", "~"), ("nearly", "~"), ("almost", "~"), ("close to", "~"), ("an estimated", "~"),
    ("circa", "~"),
]
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "k": 1e3, "k€": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9}


def _rows() -> list[dict]:
    with GOLD.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return _rows()


def _claims(rows):
    for row in rows:
        for claim in row["claims"]:
            yield row, claim


def test_every_line_is_a_json_object_with_the_schema_keys():
    with GOLD.open(encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip()]
    assert len(lines) >= 450
    for n, line in enumerate(lines, 1):
        row = json.loads(line)
        assert isinstance(row, dict), n
        assert set(row) == LINE_KEYS, (n, sorted(row))
        assert isinstance(row["text"], str) and row["text"].strip(), n
        assert isinstance(row["claims"], list) and isinstance(row["tags"], list), n
        assert row["split"] in {"dev", "test"}, n
        for claim in row["claims"]:
            assert set(claim) == CLAIM_KEYS, (row["id"], sorted(claim))


def test_ids_and_sentences_are_unique(rows):
    ids = [r["id"] for r in rows]
    assert all(re.fullmatch(r"g\d{4}", i) for i in ids)
    assert len(set(ids)) == len(ids)
    texts = [r["text"] for r in rows]
    assert len(set(texts)) == len(texts)


def test_claim_text_is_the_exact_substring_at_its_offsets(rows):
    bad = [(r["id"], c["text"]) for r, c in _claims(rows)
           if not (0 <= c["start"] < c["end"] <= len(r["text"]) and r["text"][c["start"]:c["end"]] == c["text"])]
    assert bad == []


def test_claims_are_in_text_order_and_do_not_overlap(rows):
    bad = []
    for row in rows:
        spans = [(c["start"], c["end"]) for c in row["claims"]]
        if any(a[1] > b[0] for a, b in zip(spans, spans[1:], strict=False)):
            bad.append(row["id"])
    assert bad == []


def test_field_types_and_closed_vocabularies(rows):
    bad = []
    for row, c in _claims(rows):
        value_ok = isinstance(c["value"], (int, float)) and not isinstance(c["value"], bool)
        vmax_ok = c["value_max"] is None or (isinstance(c["value_max"], (int, float)) and c["value_max"] > c["value"])
        if not (value_ok and vmax_ok and c["bound"] in BOUNDS and c["unit"] in UNITS):
            bad.append((row["id"], c["text"]))
    assert bad == []


@pytest.mark.parametrize("unit, low, high", [("fraction", 0.0, 1.0), ("%", 0.0, 100.0)])
def test_fractions_and_percentages_are_in_range(rows, unit, low, high):
    bad = [(r["id"], c["text"]) for r, c in _claims(rows) if c["unit"] == unit and not low < c["value"] <= high]
    assert bad == []


def test_counted_head_and_money_conventions(rows):
    bad = []
    for row, c in _claims(rows):
        if c["counted"] is None:
            if c["head"] is not None:
                bad.append((row["id"], c["text"], "head without counted"))
            continue
        if c["counted"].lower() not in row["text"].lower():
            bad.append((row["id"], c["text"], "counted not in sentence"))
        if c["head"] not in re.findall(r"[\w'-]+", c["counted"].lower()):
            bad.append((row["id"], c["text"], "head not a word of counted"))
        if c["unit"] in MONEY:
            bad.append((row["id"], c["text"], "money with a counted noun"))
    assert bad == []


def test_bound_word_at_start_of_claim_matches_bound(rows):
    bad = []
    for row, c in _claims(rows):
        low = c["text"].lower()
        expected = next((b for w, b in BOUND_WORDS if low.startswith(w + " ")), "=")
        if c["bound"] != expected:
            bad.append((row["id"], c["text"], c["bound"], expected))
    assert bad == []


def test_digit_values_are_fully_scaled(rows):
    """Where the figure is written in digits, value (and value_max) equal the digits times the scale.

    In a range the scale word written after the upper end applies to both ends ("3-4 million").
    """
    number_re = re.compile(r"\d[\d,. ]*\d|\d")
    scale_re = re.compile(r"\s?(million|billion|thousand|bn|mn|k€|k|m)(?![\w²])")
    bad = []
    for row, c in _claims(rows):
        found = list(number_re.finditer(c["text"]))
        if not found or c["unit"] == "fraction":
            continue
        numbers = []
        for m in found:
            digits = m.group().strip()
            if re.fullmatch(r"\d{1,3}(\.\d{3})+", digits):  # "60.000 EUR": dot as thousands separator
                digits = digits.replace(".", "")
            numbers.append(float(digits.replace(",", "").replace(" ", "")))
        scale = scale_re.match(c["text"], found[-1].end())
        factor = 1.0
        if scale and not (scale.group(1) == "m" and c["unit"] == "m"):
            factor = SCALES[scale.group(1)]
        want_max = numbers[-1] * factor if c["value_max"] is not None else None
        got = (c["value"], c["value_max"])
        want = (numbers[0] * factor, want_max)
        if any((g is None) != (w is None) or (g is not None and abs(g - w) > 1e-9 * max(1.0, abs(w)))
               for g, w in zip(got, want, strict=True)):
            bad.append((row["id"], c["text"], got, want))
    assert bad == []


def test_claim_count_tags_agree_with_claims(rows):
    def expected(n):
        return "claims:0" if n == 0 else "claims:1" if n == 1 else "claims:2+"

    bad = [r["id"] for r in rows if expected(len(r["claims"])) not in r["tags"]]
    assert bad == []


def test_trap_sentences_keep_years_and_ids_out_of_claims(rows):
    """A year-like token in a sentence tagged trap:year is never inside a claim span."""
    bad = []
    for row in rows:
        if "trap:year" not in row["tags"]:
            continue
        for m in re.finditer(r"\b(19|20)\d\d\b", row["text"]):
            if any(c["start"] <= m.start() < c["end"] for c in row["claims"]):
                bad.append((row["id"], m.group()))
    assert bad == []


def test_proportions_resemble_real_reports(rows):
    n = len(rows)
    none = sum(1 for r in rows if not r["claims"]) / n
    several = sum(1 for r in rows if len(r["claims"]) >= 2) / n
    assert 0.15 <= none <= 0.35
    assert 0.10 <= several <= 0.25
    assert sum(1 for r in rows if r["split"] == "test") >= 90

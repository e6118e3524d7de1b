"""opmapper's claims extractor side by side with quantulum3 on the same gold, in one process.

    pip install -e '.[peers]'          # quantulum3: a dev-only extra, never a runtime dependency
    python benchmarks/compare_peers.py [--gold corpus/gold/claims.jsonl] [--split dev|test] [--errors N]

Both tools are scored by ``opmapper.evaluate.evaluate_claims`` (same matching: values within 1e-6
relative and overlapping spans; P/R/F1 for value, value+bound+unit, value+bound+unit+value_max; counted
head accuracy over value matches), and timed on the same sentences in CPU time.

Mapping quantulum3 to our fields, as fairly as we can:
- units by name: percentage -> "%", euro -> EUR, (US) dollar -> USD, Swiss franc -> CHF, pound sterling
  -> GBP, hectare -> ha, square kilometre -> km2, kilometre -> km, metre -> m, tonne -> t, kilogram -> kg,
  "dozen" -> x12 as a count; dimensionless below 1 written as a fraction ("two-thirds", "1 in 4") ->
  "fraction"; dimensionless otherwise -> None (a count); any other unit is kept by name (never matches).
- ranges: quantulum3 reports the midpoint with an uncertainty; we turn it back into (low, high).
- bounds: quantulum3 has none, so every quantity is "=" (it cannot score on bound words).
- counted noun: quantulum3 extracts none, so its counted head is always None.
quantulum3's bundled unit classifier is a pickle that needs the scikit-learn it was built with; when it
cannot be loaded, the script says so and runs quantulum3 with its dictionary disambiguation instead
(``classifier.USE_CLF = False``).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from opmapper.claims import find_claims  # noqa: E402
from opmapper.evaluate import ClaimScores, evaluate_claims, format_claim_scores, load_gold  # noqa: E402

UNIT_NAMES = {
    "percentage": "%", "euro": "EUR", "kelvin euro": "EUR", "united states dollar": "USD", "dollar": "USD",
    "swiss franc": "CHF", "pound sterling": "GBP", "hectare": "ha", "square kilometre": "km2",
    "kilometre": "km", "metre": "m", "tonne": "t", "kilogram": "kg",
}
FRACTION_WORDS = re.compile(r"(?i)half|third|quarter|fifth|sixth|tenth|\bin\b")


def load_quantulum():
    """quantulum3's parser, or (None, reason) when it is not installed or cannot start offline."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from quantulum3 import classifier, parser
    except Exception as exc:  # not installed, or broken dependencies
        return None, f"quantulum3 could not be imported: {exc!r} (pip install -e '.[peers]')"
    note = "classifier: bundled"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parser.parse("The new fence is 600 m long and cost 2 pounds.")
    except Exception as exc:
        classifier.USE_CLF = False
        note = (f"classifier: bundled unit classifier failed to load ({type(exc).__name__}: {exc}); "
                "using quantulum3's dictionary disambiguation (USE_CLF = False)")
        try:
            parser.parse("The new fence is 600 m long.")
        except Exception as exc2:
            return None, f"quantulum3 fails even without its classifier: {exc2!r}"
    return parser, note


def quantulum_finder(parser):
    def find(text: str) -> list[dict]:
        out = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantities = parser.parse(text)
        for q in quantities:
            start, end = q.span
            start = max(0, start)
            name = q.unit.name
            value, value_max = float(q.value), None
            if q.uncertainty:  # a range given as midpoint +/- half-width
                value, value_max = value - q.uncertainty, value + q.uncertainty
            if name == "dozen":
                unit = None
                value *= 12 if value != 1 else 12
            elif name == "dimensionless":
                unit = "fraction" if 0 < value < 1 and FRACTION_WORDS.search(q.surface) else None
            else:
                unit = UNIT_NAMES.get(name, name)
            out.append({"value": value, "value_max": value_max, "bound": "=", "unit": unit, "start": start,
                        "end": end, "text": text[start:end], "counted_head": None})
        return out

    return find


def timed(find, sentences: list[str]) -> float:
    t0 = time.process_time()
    for s in sentences:
        find(s)
    return time.process_time() - t0


def show(name: str, scores: ClaimScores, cpu: float, n: int, errors: int) -> None:
    print(format_claim_scores(scores, name=name))
    print(f"  throughput (CPU time): {cpu:.3f} s, {n / cpu:,.0f} sentences/s")
    if errors:
        for e in scores.errors[:errors]:
            print(f"    {e['id']} {e['error']:<10} {e['text']!r}: gold={e['gold']!r} predicted={e['predicted']!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=ROOT / "corpus" / "gold" / "claims.jsonl")
    ap.add_argument("--split", choices=("dev", "test"))
    ap.add_argument("--errors", type=int, default=0, help="list the first N errors of each tool")
    args = ap.parse_args(argv)

    gold = load_gold(args.gold, split=args.split)
    sentences = [g["text"] for g in gold]
    print(f"gold: {len(gold)} sentences from {args.gold.name}" + (f" (split {args.split})" if args.split else ""))

    find_claims("warm up: 12 rangers.")
    ours = evaluate_claims(gold, find_claims)
    show("opmapper", ours, timed(find_claims, sentences), len(sentences), args.errors)

    parser, note = load_quantulum()
    if parser is None:
        print(f"quantulum3: not run: {note}")
        return 0
    print(f"quantulum3: {note}")
    find = quantulum_finder(parser)
    find("warm up: 12 rangers.")
    theirs = evaluate_claims(gold, find)
    show("quantulum3", theirs, timed(find, sentences), len(sentences), args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())

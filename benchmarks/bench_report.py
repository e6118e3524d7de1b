"""Throughput of ``opmapper.parse_report`` (reports/s, CPU time) on the bundled reports, and its time on
pathological inputs.

    python benchmarks/bench_report.py [--repeat 3]

Inputs: ``corpus/examples/*.txt`` and ``corpus/reports/**/*.txt`` (every layout, written for this
project), parsed with and without claims; then a report with 1,800 activities, 50,000 lines of
label-free text and a 3 MB single line. Figures are printed, never asserted: speed depends on the
machine and its load.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from opmapper.report import parse_report  # noqa: E402


def rate(texts: list[str], repeat: int, **kw) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for text in texts:
            parse_report(text, **kw)
        best = min(best, time.process_time() - t0)
    return len(texts) / best if best else float("inf")


def timed(label: str, text: str, **kw) -> None:
    t0 = time.process_time()
    report = parse_report(text, **kw)
    spent = time.process_time() - t0
    print(f"  {label:<44} {len(text) / 1e6:6.2f} MB  {spent:7.3f} s  layout={report.layout} "
          f"activities={len(report.activities)} warnings={len(report.warnings)}")


def main() -> None:
    what, _usage, inputs = __doc__.split("\n\n", 2)  # what it measures, how to run it, on what
    ap = argparse.ArgumentParser(description=what, epilog=inputs, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    paths = sorted((ROOT / "corpus" / "examples").glob("*.txt")) + sorted((ROOT / "corpus" / "reports").rglob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    if not texts:
        sys.exit("no reports under corpus/examples or corpus/reports")
    parse_report(texts[0])  # build the shared pipeline and compiled vocabulary once, outside the timing
    layouts = Counter(parse_report(t, claims=False).layout for t in texts)
    print(f"{len(texts)} reports, {sum(map(len, texts)) / len(texts):,.0f} characters on average; {dict(layouts)}")
    print(f"  parse_report, claims=False  {rate(texts, args.repeat, claims=False):8.0f} reports/s (CPU)")
    print(f"  parse_report, claims=True   {rate(texts, args.repeat, claims=True):8.0f} reports/s (CPU)")

    print("pathological inputs (claims=False):")
    example = (ROOT / "corpus" / "examples" / "activity-report.txt").read_text(encoding="utf-8")
    head, rest = example.split("Activity\n", 1)
    block, tail = rest.split("Describe any challenges", 1)
    timed("300 copies of the activity blocks", head + ("Activity\n" + block) * 300 + "Describe any challenges" + tail,
          claims=False)
    timed("50,000 lines with no label", "\n".join(f"line {i} of nothing in particular: {i * 7}" for i in range(50_000)),
          claims=False)
    timed("one 3 MB line", "x" * 3_000_000, claims=False)


if __name__ == "__main__":
    main()

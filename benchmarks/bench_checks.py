"""How fast the report checks run on the bundled corpus: reports checked per second, and time per rule.

    python benchmarks/bench_checks.py [--rounds 5]

Reports are parsed once (parsing has its own benchmark); the figure printed first is for check_report
alone, with each report's resolution from the bundled corpus and no tagger. Parse + check is printed too.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from opmapper import check_report, load_resolutions, parse_report
from opmapper.checks import RULES, CheckContext

ROOT = Path(__file__).resolve().parents[1]


def corpus_files() -> list[Path]:
    return sorted((ROOT / "corpus" / "reports").glob("**/*.txt")) + sorted((ROOT / "corpus" / "examples").glob("*.txt"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    files = corpus_files()
    texts = [(str(p), p.read_text(encoding="utf-8")) for p in files]
    resolutions = load_resolutions()
    t0 = time.perf_counter()
    reports = [parse_report(text, source=name) for name, text in texts]
    parse_s = time.perf_counter() - t0
    pairs = [(r, resolutions.get(r.resolution_code)) for r in reports]
    check_report(*pairs[0])   # warm-up: compiles the patterns

    t0 = time.perf_counter()
    findings = 0
    for _ in range(args.rounds):
        for report, res in pairs:
            findings += len(check_report(report, res))
    check_s = time.perf_counter() - t0
    n = len(pairs) * args.rounds

    per_rule = {}
    for rule in RULES:
        t0 = time.perf_counter()
        for _ in range(args.rounds):
            for report, res in pairs:
                list(rule.check(CheckContext(report, res)))
        per_rule[rule.code] = (time.perf_counter() - t0) / n * 1e3

    chars = sum(len(t) for _, t in texts)
    print(f"corpus: {len(files)} reports, {chars / 1e3:.0f} k characters, {findings // args.rounds} findings per pass")
    print(f"check_report: {n / check_s:,.0f} reports/s ({check_s / n * 1e3:.2f} ms per report, {args.rounds} rounds)")
    print(f"parse_report + check_report: {len(pairs) / (parse_s + check_s / args.rounds):,.0f} reports/s "
          f"(first parse, including pipeline load: {parse_s:.2f} s)")
    print("per rule, ms per report (each with a fresh context):")
    for code, ms in sorted(per_rule.items(), key=lambda kv: -kv[1]):
        print(f"  {code:<22} {ms:.3f}")


if __name__ == "__main__":
    main()

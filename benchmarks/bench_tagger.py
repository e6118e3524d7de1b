"""OP tagger speed and size on the bundled corpus: training time, load time, suggestions/s, size on disk.

    python benchmarks/bench_tagger.py [--corpus DIR] [--resolutions DIR] [--repeat 3]

Goals (issue 4): training < 10 s, load < 0.5 s, > 500 suggestions/s, model < 10 MB on disk.
Prints figures only; nothing here asserts on time (the machine is shared).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT / "corpus" / "reports"))
    parser.add_argument("--resolutions", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from opmapper.resolution import load_resolutions
    from opmapper.tagger import OpTagger, load_training_data

    resolutions = load_resolutions(args.resolutions)
    t_data, data = timed(lambda: load_training_data([args.corpus]), 1)
    print(f"training data      {len(data)} tagged activities, {len(set(data.codes))} resolutions "
          f"(read and parsed in {t_data:.2f} s)")

    def train():
        return OpTagger(random_state=0).fit(data.texts, data.labels, data.codes, paragraphs=resolutions,
                                            groups=data.groups)

    t_fit, tagger = timed(train, args.repeat)
    print(f"training time      {t_fit:.2f} s (median of {args.repeat}; goal < 10 s)")

    with tempfile.TemporaryDirectory() as tmp:
        tagger.save(tmp)
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
        print(f"model size         {size / 1e6:.2f} MB on disk (goal < 10 MB)")
        t_load, loaded = timed(lambda: OpTagger.load(tmp), args.repeat)
        print(f"load time          {t_load * 1000:.0f} ms (median of {args.repeat}; goal < 500 ms)")

    texts = list(data.texts) * max(1, 2000 // max(1, len(data.texts)))
    codes = list(data.codes) * max(1, 2000 // max(1, len(data.codes)))
    by_code: dict[str, list[str]] = {}
    for text, code in zip(texts, codes, strict=True):
        by_code.setdefault(code, []).append(text)

    def one_at_a_time():
        for text, code in zip(texts[:500], codes[:500], strict=True):
            loaded.suggest(text, resolution=code, k=3)

    def batched():
        for code, group in by_code.items():
            loaded.suggest_many(group, resolution=code, k=3)

    def batched_by_score():
        for code, group in by_code.items():
            loaded.suggest_many(group, resolution=code, k=3, specific=False)

    t_one, _ = timed(one_at_a_time, args.repeat)
    t_batch, _ = timed(batched, args.repeat)
    t_raw, _ = timed(batched_by_score, args.repeat)
    print(f"suggestions        {500 / t_one:,.0f} texts/s one call per text (goal > 500)")
    print(f"suggestions        {len(texts) / t_batch:,.0f} texts/s batched per resolution ({len(texts)} texts)")
    print(f"suggestions        {len(texts) / t_raw:,.0f} texts/s batched, ranked by score (specific=False)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Throughput of the claims extractor, against bare ``spacy.blank("en")`` tokenisation of the same text.

    python benchmarks/bench_claims.py [--repeat N] [--gold corpus/gold/claims.jsonl]

Prints sentences/s and MB/s for: bare tokenisation (``nlp.make_doc``), ``find_claims`` per sentence,
``find_claims`` on whole report files, and the ``opmapper_claims`` spaCy component via ``nlp.pipe``;
then the ratio of find_claims time to bare tokenisation time (target: at most 10x; at least 10,000
sentences/s on one core). Text: the gold sentences plus the sentences of the bundled report corpus.
Timings are the best of three runs in CPU (process) time, since the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

from opmapper.claims import default_pipeline, find_claims  # noqa: E402


def load_sentences(gold: Path) -> tuple[list[str], list[str]]:
    """(sentences, whole documents): gold sentences and report texts split at sentence ends and lines."""
    sentences: list[str] = []
    docs: list[str] = []
    if gold.exists():
        sentences += [json.loads(line)["text"] for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    for path in sorted((ROOT / "corpus" / "reports").rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        docs.append(text)
        for line in text.splitlines():
            sentences += [s for s in re.split(r"(?<=[.!?])\s+", line.strip()) if s]
    return sentences, docs


def best_of(fn, runs: int = 3) -> float:
    """Best CPU time of ``runs`` runs: process time, so other processes on a shared machine do not count."""
    best = float("inf")
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="repeat the sentence list N times (default 5)")
    ap.add_argument("--gold", type=Path, default=ROOT / "corpus" / "gold" / "claims.jsonl")
    args = ap.parse_args(argv)

    sentences, docs = load_sentences(args.gold)
    sentences = sentences * args.repeat
    n = len(sentences)
    mb = sum(len(s.encode("utf-8")) for s in sentences) / 1e6
    print(f"text: {n:,} sentences, {mb:.2f} MB ({len(docs)} report files, gold + corpus/reports)")

    blank = spacy.blank("en")
    nlp = default_pipeline()
    find_claims("warm up: 12 rangers.")  # build and cache the pipeline and compiled rules outside the timing

    t_tok = best_of(lambda: [blank.make_doc(s) for s in sentences])
    t_claims = best_of(lambda: [find_claims(s, nlp) for s in sentences])
    n_claims = sum(len(find_claims(s, nlp)) for s in sentences)

    def rate(t: float) -> str:
        return f"{n / t:>10,.0f} sentences/s {mb / t:7.2f} MB/s"

    print(f"bare tokenisation (make_doc)   {t_tok:7.3f} s {rate(t_tok)}")
    print(f"find_claims per sentence        {t_claims:7.3f} s {rate(t_claims)}   ({n_claims:,} claims)")

    if docs:
        joined = docs * args.repeat
        dmb = sum(len(d.encode("utf-8")) for d in joined) / 1e6
        t_dtok = best_of(lambda: [blank.make_doc(d) for d in joined])
        t_docs = best_of(lambda: [find_claims(d, nlp) for d in joined])
        print(f"whole reports: tokenise {t_dtok:.3f} s ({dmb / t_dtok:.2f} MB/s), "
              f"find_claims {t_docs:.3f} s ({dmb / t_docs:.2f} MB/s), ratio {t_docs / t_dtok:.1f}x "
              "(tokenizer cache warm: every word seen before)")

        def cold_tokenise() -> None:  # a new pipeline per run: the tokenizer cache starts empty
            fresh = spacy.blank("en")
            for d in joined:
                fresh.make_doc(d)

        t0 = time.process_time()
        spacy.blank("en")
        t_build = time.process_time() - t0
        t_cold = best_of(cold_tokenise) - t_build
        print(f"whole reports, cold tokenizer cache: tokenise {t_cold:.3f} s ({dmb / t_cold:.2f} MB/s), "
              f"ratio {t_docs / t_cold:.1f}x")

    comp = spacy.blank("en")
    comp.add_pipe("opmapper_claims")
    t_pipe = best_of(lambda: [len(d._.claims) for d in comp.pipe(sentences, batch_size=256)])
    print(f"nlp.pipe + opmapper_claims      {t_pipe:7.3f} s {rate(t_pipe)}")

    print(f"ratio find_claims / bare tokenisation: {t_claims / t_tok:.1f}x (target <= 10x)")
    print(f"target >= 10,000 sentences/s: {'met' if n / t_claims >= 10_000 else 'NOT met'} ({n / t_claims:,.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

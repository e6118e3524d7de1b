"""Throughput of the claims extractor, against bare ``spacy.blank("en")`` tokenisation of the same text.

    python benchmarks/bench_claims.py [--repeat N] [--gold corpus/gold/claims.jsonl]

Prints sentences/s and MB/s for: bare tokenisation (``nlp.make_doc``), ``find_claims`` per sentence,
``find_claims`` on whole report files (against make_doc of the same files with a cold, a steady and a
primed tokenizer cache: see ``whole_reports``), and the ``opmapper_claims`` spaCy component via
``nlp.pipe``; then the ratio of find_claims time to bare tokenisation time (target: at most 10x; at
least 10,000 sentences/s on one core). Text: the gold sentences plus the sentences of the bundled report corpus.
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


def whole_reports(docs: list[str], sentences: list[str], repeat: int) -> None:
    """find_claims on whole report files against make_doc of the same files, cold and warm.

    spaCy's tokenizer caches the tokens of each whitespace-separated chunk, but stops caching for the rest
    of a text once it meets a special case ("e.g.", "don't"; spaCy issue #1250). So whole-report make_doc
    has three honest baselines: COLD (a new tokenizer), STEADY (a tokenizer that has tokenised these
    reports before, the best whole-text tokenisation reaches on its own) and PRIMED (its cache also
    filled from every sentence tokenised separately: the fastest make_doc can be; find_claims's own
    tokenizer reaches it since it tokenises sentence by sentence). Each run covers every file once.
    """
    joined = docs * repeat
    mb = sum(len(d.encode("utf-8")) for d in joined) / 1e6
    n_sent = sum(len([x for x in re.split(r"(?<=[.!?])\s+", line.strip()) if x]) for d in joined
                 for line in d.splitlines())

    def rate(t: float) -> str:
        return f"{t:7.3f} s {n_sent / t:>10,.0f} sentences/s {mb / t:7.2f} MB/s"

    def best_fresh(work) -> float:
        """Best CPU time of ``work(nlp)`` over three new pipelines, each built outside the timing."""
        best = float("inf")
        for _ in range(3):
            fresh = spacy.blank("en")
            t0 = time.process_time()
            work(fresh)
            best = min(best, time.process_time() - t0)
        return best

    t_cold = best_fresh(lambda nlp: [nlp.make_doc(d) for d in joined])
    t_claims_cold = best_fresh(lambda nlp: [find_claims(d, nlp) for d in joined])
    steady = spacy.blank("en")
    for _ in range(3):
        [steady.make_doc(d) for d in joined]
    t_steady = best_of(lambda: [steady.make_doc(d) for d in joined])
    primed = spacy.blank("en")
    for s in sentences:
        primed.make_doc(s)
    [primed.make_doc(d) for d in joined]
    t_primed = best_of(lambda: [primed.make_doc(d) for d in joined])
    nlp = spacy.blank("en")
    [find_claims(d, nlp) for d in joined]
    t_claims = best_of(lambda: [find_claims(d, nlp) for d in joined])
    n_claims = sum(len(find_claims(d, nlp)) for d in joined)

    print(f"whole reports: {len(joined)} files, {n_sent:,} sentences, {mb:.2f} MB, {n_claims:,} claims")
    print(f"  make_doc, cold tokenizer        {rate(t_cold)}")
    print(f"  make_doc, steady (reports seen) {rate(t_steady)}")
    print(f"  make_doc, primed (+ sentences)  {rate(t_primed)}")
    print(f"  find_claims, cold tokenizer     {rate(t_claims_cold)}   ratio to cold make_doc {t_claims_cold / t_cold:.1f}x")
    print(f"  find_claims, warm tokenizer     {rate(t_claims)}   ratio to steady {t_claims / t_steady:.1f}x, "
          f"to primed {t_claims / t_primed:.1f}x (target <= 10x)")


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
        whole_reports(docs, sentences[: n // args.repeat], args.repeat)

    comp = spacy.blank("en")
    comp.add_pipe("opmapper_claims")
    t_pipe = best_of(lambda: [len(d._.claims) for d in comp.pipe(sentences, batch_size=256)])
    print(f"nlp.pipe + opmapper_claims      {t_pipe:7.3f} s {rate(t_pipe)}")

    print(f"ratio find_claims / bare tokenisation: {t_claims / t_tok:.1f}x (target <= 10x)")
    print(f"target >= 10,000 sentences/s: {'met' if n / t_claims >= 10_000 else 'NOT met'} ({n / t_claims:,.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Scoring extractors against hand-labelled gold files.

    python -m opmapper.evaluate claims corpus/gold/claims.jsonl [--errors] [--format text|json]
    opmapper evaluate claims corpus/gold/claims.jsonl
    python -m opmapper.evaluate tagger [--corpus DIR] [--resolutions DIR] [--folds 5] [--format text|json]

One ``evaluate_<what>`` function per extractor returns a plain scores record; ``main(argv)`` hands the
command line to ``opmapper.cli`` (the only module that knows argparse), whose ``evaluate`` command has one
sub-command per extractor (``claims`` here; add ``tagger`` next to it).

Claims: a predicted claim matches a gold claim when their values agree within 1e-6 (relative) and their
spans overlap; matching is one-to-one, in text order. Scores are given at four levels of strictness
(value; value+unit; value+bound+unit; value+bound+unit+value_max), plus the accuracy of the counted head noun over
the claims matched on value.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._records import Record
from .errors import InputError

LEVELS = ("value", "value+unit", "value+bound+unit", "value+bound+unit+value_max")


# ----------------------------------------------------------------------------------------- gold files
def load_gold(path: str | Path, split: str | None = None) -> list[dict[str, Any]]:
    """Gold lines from a JSONL file (only those of ``split`` when given: "dev" or "test").

    Raises InputError naming the file and line when one is malformed.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read gold file: {exc.strerror or exc}", str(path)) from None
    except UnicodeDecodeError:
        raise InputError("gold file is not UTF-8", str(path)) from None
    items = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"line {n}: not JSON ({exc.msg})", str(path)) from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise InputError(f"line {n}: expected an object with a 'text' string", str(path))
        if split is None or item.get("split") == split:
            items.append(item)
    if not items:
        raise InputError("gold file holds no examples" + (f" in split {split!r}" if split else ""), str(path))
    return items


# ----------------------------------------------------------------------------------------- claims
@dataclass(frozen=True)
class PRF(Record):
    true_positives: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4)}


@dataclass(frozen=True)
class ClaimScores(Record):
    sentences: int
    levels: dict[str, PRF]
    head_correct: int
    head_total: int
    seconds: float
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def head_accuracy(self) -> float:
        return self.head_correct / self.head_total if self.head_total else 1.0

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["head_accuracy"] = round(self.head_accuracy, 4)
        return d


def _same_value(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)


def _gold_span(text: str, claim: dict[str, Any], taken: set[tuple[int, int]]) -> tuple[int, int] | None:
    """The gold claim's offsets: its own start/end when they fit the text, else its text found in order."""
    s, e = claim.get("start"), claim.get("end")
    if isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text):
        return s, e
    needle = claim.get("text") or ""
    pos = text.find(needle) if needle else -1
    while pos >= 0 and (pos, pos + len(needle)) in taken:
        pos = text.find(needle, pos + 1)
    return (pos, pos + len(needle)) if pos >= 0 else None


def _pred_dict(claim: Any) -> dict[str, Any]:
    return claim.to_dict() if hasattr(claim, "to_dict") else dict(claim)


def _agrees(level: str, p: dict[str, Any], g: dict[str, Any]) -> bool:
    if not _same_value(p["value"], g["value"]):
        return False
    if level == "value":
        return True
    if level == "value+unit":
        return p.get("unit") == g.get("unit")
    if p.get("bound", "=") != g.get("bound", "=") or p.get("unit") != g.get("unit"):
        return False
    if level == "value+bound+unit":
        return True
    return _same_value(p.get("value_max"), g.get("value_max"))


def _match(level: str, preds: list[dict], golds: list[dict]) -> list[tuple[int, int]]:
    """One-to-one pairs (pred index, gold index): values agree at ``level`` and spans overlap."""
    pairs = []
    used: set[int] = set()
    for gi, g in enumerate(golds):
        for pi, p in enumerate(preds):
            if pi in used or not _agrees(level, p, g):
                continue
            span = g.get("_span")
            if span is not None and not (p["start"] < span[1] and span[0] < p["end"]):
                continue
            used.add(pi)
            pairs.append((pi, gi))
            break
    return pairs


def evaluate_claims(gold: Iterable[dict[str, Any]], find: Callable[[str], list] | None = None) -> ClaimScores:
    """Score ``find`` (default :func:`opmapper.claims.find_claims`) on gold sentences."""
    import time

    if find is None:
        from .claims import find_claims as find
    find("warm-up: 12 rangers [OP1]")  # one-off set-up (pipeline, compiled rules) stays out of the timing
    counts = {level: [0, 0, 0] for level in LEVELS}
    head_ok = head_n = 0
    errors: list[dict[str, Any]] = []
    n = 0
    elapsed = 0.0
    for item in gold:
        n += 1
        text = item["text"]
        golds = []
        taken: set[tuple[int, int]] = set()
        for g in item.get("claims") or []:
            g = dict(g)
            g["_span"] = _gold_span(text, g, taken)
            if g["_span"]:
                taken.add(g["_span"])
            golds.append(g)
        t0 = time.perf_counter()
        preds = [_pred_dict(c) for c in find(text)]
        elapsed += time.perf_counter() - t0
        for level in LEVELS:
            pairs = _match(level, preds, golds)
            counts[level][0] += len(pairs)
            counts[level][1] += len(preds)
            counts[level][2] += len(golds)
        value_pairs = _match("value", preds, golds)
        strict_pairs = set(_match("value+bound+unit", preds, golds))
        for pi, gi in value_pairs:
            want = (golds[gi].get("head") or None)
            got = preds[pi].get("counted_head")
            head_n += 1
            if (want or "").lower() == (got or "").lower():
                head_ok += 1
            else:
                errors.append({"id": item.get("id"), "error": "head", "text": preds[pi]["text"],
                               "gold": want, "predicted": got, "sentence": text})
            if (pi, gi) not in strict_pairs or not _same_value(preds[pi].get("value_max"), golds[gi].get("value_max")):
                fields = ("bound", "unit", "value_max")
                diff = {f: (golds[gi].get(f), preds[pi].get(f)) for f in fields
                        if (golds[gi].get(f) != preds[pi].get(f) if f != "value_max"
                            else not _same_value(golds[gi].get(f), preds[pi].get(f)))}
                if diff:
                    errors.append({"id": item.get("id"), "error": "attributes", "text": preds[pi]["text"],
                                   "gold": {k: v[0] for k, v in diff.items()},
                                   "predicted": {k: v[1] for k, v in diff.items()}, "sentence": text})
        matched_p = {pi for pi, _ in value_pairs}
        matched_g = {gi for _, gi in value_pairs}
        for gi, g in enumerate(golds):
            if gi not in matched_g:
                errors.append({"id": item.get("id"), "error": "missed", "text": g.get("text"),
                               "gold": g.get("value"), "predicted": None, "sentence": text})
        for pi, p in enumerate(preds):
            if pi not in matched_p:
                errors.append({"id": item.get("id"), "error": "spurious", "text": p["text"],
                               "gold": None, "predicted": p["value"], "sentence": text})
    levels = {level: PRF(*counts[level]) for level in LEVELS}
    return ClaimScores(sentences=n, levels=levels, head_correct=head_ok, head_total=head_n,
                       seconds=round(elapsed, 4), errors=errors)


def format_claim_scores(scores: ClaimScores, name: str = "opmapper", errors: bool = False) -> str:
    lines = [f"{name}: {scores.sentences} sentences, {scores.seconds:.3f} s "
             f"({scores.sentences / scores.seconds if scores.seconds else 0:,.0f} sentences/s)"]
    lines.append(f"  {'level':<28} {'P':>6} {'R':>6} {'F1':>6}   tp/pred/gold")
    for level, prf in scores.levels.items():
        lines.append(f"  {level:<28} {prf.precision:6.3f} {prf.recall:6.3f} {prf.f1:6.3f}   "
                     f"{prf.true_positives}/{prf.predicted}/{prf.gold}")
    lines.append(f"  counted head accuracy        {scores.head_accuracy:6.3f}   "
                 f"{scores.head_correct}/{scores.head_total}")
    if errors:
        lines.append(f"  errors ({len(scores.errors)}):")
        for e in scores.errors:
            lines.append(f"    {e['id']} {e['error']:<10} {e['text']!r}: gold={e['gold']!r} predicted={e['predicted']!r}")
            lines.append(f"        | {e['sentence']}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------- tagger
TAGGER_METHODS = ("tagger", "similarity", "most_frequent")
RANKED_BY_SCORE = "tagger_by_score"   # (b) figures of the tagger's plain score ranking (parents included)


def evaluate_tagger(data, resolutions, *, n_splits: int = 5, random_state: int = 0, params=None) -> dict:
    """Grouped cross-validation of the OP tagger against two baselines.

    Folds are made with GroupKFold on the reporting organisation, so no organisation's activities are
    split between training and test. Two sets of figures, per method and resolution (``"overall"`` pools
    all resolutions):

    * ``methods``, (a) "ids plus parents": gold = the tagged ids plus their enclosing paragraphs (a tag
      OP4.b makes {OP4, OP4.b} gold); the ranking is every paragraph by score (``suggest(specific=False)``).
      Plus per-paragraph precision/recall at the chosen thresholds.
    * ``tagged``, (b) "as tagged": gold = the ids as tagged; the ranking is the most specific suggestions
      (``suggest()``, the default). A suggestion is a hit when it is a tagged id or lies inside one (OP4.b
      for a tagged OP4); a suggested parent is no hit for a tagged sub-paragraph. The baselines' specific
      list ranks paragraphs without sub-paragraphs only.

    Recall@3 is per activity (share of its gold ids covered by the top 3), averaged over activities;
    ``recall_at_3_micro`` pools the covered and gold ids over all activities instead.
    """
    import numpy as np
    from sklearn.model_selection import GroupKFold

    from .tagger import OpTagger, TrainingData, _best_f1_threshold, expand_labels

    known = [i for i, code in enumerate(data.codes) if code in resolutions]
    data = TrainingData(*([getattr(data, f)[i] for i in known] for f in ("texts", "labels", "codes", "groups", "sources")))
    texts, codes = list(data.texts), np.array(data.codes, dtype=object)
    groups = np.array(data.groups, dtype=object)
    n_groups = len(set(data.groups))
    if len(texts) < 4 or n_groups < 2:
        raise ValueError(f"too little tagged data to cross-validate ({len(texts)} texts, {n_groups} organisations)")
    k = min(n_splits, n_groups)
    # per (method, text): the ranked ids and the predicted set; "raw" = by score, "specific" = as suggested
    outcomes: dict[str, list] = {m: [None] * len(texts) for m in TAGGER_METHODS}
    specific: dict[str, list] = {m: [None] * len(texts) for m in TAGGER_METHODS}
    pair_scores: list[dict[str, float]] = [{} for _ in texts]   # the tagger's probability per paragraph
    specific_scores: list[dict[str, float]] = [{} for _ in texts]
    for train_idx, test_idx in GroupKFold(n_splits=k).split(texts, groups=groups):
        tagger = OpTagger(random_state=random_state, **(params or {}))
        tagger.fit([texts[i] for i in train_idx], [data.labels[i] for i in train_idx], list(codes[train_idx]),
                   paragraphs=resolutions, groups=list(groups[train_idx]))
        spec_test, proba, _ = tagger.specific_scores([texts[i] for i in test_idx])
        _, sim_test, _ = tagger.scores([texts[i] for i in test_idx])
        _, sim_train, _ = tagger.scores([texts[i] for i in train_idx])
        Y_train = tagger._label_matrix([data.labels[i] for i in train_idx], codes[train_idx])
        own = tagger._own_resolution_mask(codes[train_idx])
        freq = np.zeros(len(tagger.classes_))
        for code, sl in tagger.class_slices_.items():
            rows = codes[train_idx] == code
            if rows.any():
                freq[sl] = Y_train[rows, sl].mean(axis=0)
        freq_train = np.tile(freq, (len(train_idx), 1))
        sim_thr = _best_f1_threshold(sim_train[own], Y_train[own], default=1.0)
        freq_thr = _best_f1_threshold(freq_train[own], Y_train[own], default=1.0)
        leaf = np.array([j not in tagger.descendants_ for j in range(len(tagger.classes_))])
        for row, i in enumerate(test_idx):
            sl = tagger.class_slices_[codes[i]]
            ids = [pid for _, pid in tagger.classes_[sl]]
            # the most-frequent baseline ranks by frequency, ties by paragraph order
            for method, scores, thr in (("tagger", proba[row, sl], tagger.thresholds_[sl]),
                                        ("similarity", sim_test[row, sl], np.full(len(ids), sim_thr)),
                                        ("most_frequent", freq[sl], np.full(len(ids), freq_thr))):
                order = sorted(range(len(ids)), key=lambda j, s=scores: (-s[j], j))
                outcomes[method][i] = ([ids[j] for j in order], {ids[j] for j in np.flatnonzero(scores >= thr)})
                if method != "tagger":
                    keep = [j for j in order if leaf[sl.start + j]]
                    specific[method][i] = ([ids[j] for j in keep], {ids[j] for j in keep if scores[j] >= thr[j]})
            order = sorted(range(len(ids)), key=lambda j, s=spec_test[row, sl]: (-s[j], j))
            ranked = tagger._most_specific(order, sl.start, None)
            above = tagger._most_specific([j for j in order if spec_test[row, sl.start + j]
                                           >= tagger.specific_thresholds_[sl.start + j]], sl.start, None)
            specific["tagger"][i] = ([ids[j] for j in ranked], {ids[j] for j in above})
            pair_scores[i] = dict(zip(ids, proba[row, sl].tolist(), strict=True))
            specific_scores[i] = dict(zip(ids, spec_test[row, sl].tolist(), strict=True))

    gold = [expand_labels(labs, resolutions[code]) for labs, code in zip(data.labels, codes, strict=True)]
    as_tagged = [{lab for lab in labs if lab in resolutions[code] and resolutions[code][lab].kind == "operative"}
                 for labs, code in zip(data.labels, codes, strict=True)]
    ancestors = {code: {p.id: set(res.ancestors(p.id)) for p in res.operative} for code, res in resolutions.items()}
    hits = [{pid for pid in specific_scores[i] if pid in as_tagged[i] or ancestors[codes[i]][pid] & as_tagged[i]}
            for i in range(len(texts))]
    result: dict = {"n_texts": len(texts), "n_organisations": n_groups, "n_folds": k, "methods": {}, "tagged": {},
                    "calibration": _calibration(pair_scores, gold, outcomes["tagger"]),
                    "specific_calibration": _calibration(specific_scores, hits, specific["tagger"])}
    scopes = ["overall", *sorted(set(data.codes))]
    for method in TAGGER_METHODS:
        per_scope, per_scope_tagged = {}, {}
        for scope in scopes:
            rows = [i for i in range(len(texts)) if scope == "overall" or codes[i] == scope]
            rows = [i for i in rows if gold[i]]
            per_scope[scope] = _ranking_metrics(rows, outcomes[method], gold, as_tagged, codes)
            per_scope_tagged[scope] = _tagged_metrics(rows, specific[method], as_tagged, ancestors, codes)
        result["methods"][method] = per_scope
        result["tagged"][method] = per_scope_tagged
        if method == "tagger":   # the same scores ranked without the specific step, for comparison
            result["tagged"][RANKED_BY_SCORE] = {
                scope: _tagged_metrics([i for i in range(len(texts)) if gold[i] and scope in ("overall", codes[i])],
                                       outcomes[method], as_tagged, ancestors, codes) for scope in scopes}
    return result


def _tagged_metrics(rows, outcomes, as_tagged, ancestors, codes, k: int = 3) -> dict:
    """(b) figures against the ids as tagged, where a suggested sub-paragraph implies its parent.

    ``outcomes[i]`` = (ranked ids, predicted set); ``ancestors[code][pid]`` = the ids enclosing ``pid``.
    P@1: the top suggestion is a tagged id or lies inside one. Recall@3: per activity, the share of its
    tagged ids that a top-3 suggestion equals or lies inside, averaged over activities (``_micro``: pooled).
    Micro P/R/F1 at the thresholds: a predicted id is right when it is, or lies inside, a tagged id; a
    tagged id is found when a predicted id is it or lies inside it.
    """
    if not rows:
        return {"n": 0}

    def covered(suggested, tagged, code):
        reach = set(suggested).union(*(ancestors[code].get(s, set()) for s in suggested))
        return tagged & reach

    def right(s, tagged, code):
        return s in tagged or bool(ancestors[code].get(s, set()) & tagged)

    top_right = [bool(outcomes[i][0]) and right(outcomes[i][0][0], as_tagged[i], codes[i]) for i in rows]
    p1 = sum(top_right) / len(rows)
    found = [len(covered(outcomes[i][0][:k], as_tagged[i], codes[i])) for i in rows]
    n_gold = [len(as_tagged[i]) for i in rows]
    r3 = sum(f / g for f, g in zip(found, n_gold, strict=True)) / len(rows)
    per_row_r3 = [f / g for f, g in zip(found, n_gold, strict=True)]
    tp_p = sum(sum(right(s, as_tagged[i], codes[i]) for s in outcomes[i][1]) for i in rows)
    n_pred = sum(len(outcomes[i][1]) for i in rows)
    tp_r = sum(len(covered(outcomes[i][1], as_tagged[i], codes[i])) for i in rows)
    precision = tp_p / n_pred if n_pred else 0.0
    recall = tp_r / sum(n_gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"n": len(rows), "p_at_1": p1, "recall_at_3": r3, "recall_at_3_micro": sum(found) / sum(n_gold),
            "p_at_1_ci95": _bootstrap_ci(top_right), "recall_at_3_ci95": _bootstrap_ci(per_row_r3),
            "ceiling_recall_at_3": sum(min(g, k) / g for g in n_gold) / len(rows),
            "micro_precision": precision, "micro_recall": recall, "micro_f1": f1}


def _ranking_metrics(rows, outcomes, gold, as_tagged, codes) -> dict:
    if not rows:
        return {"n": 0}
    p1 = sum(outcomes[i][0][0] in gold[i] for i in rows) / len(rows)
    p1_exact = sum(outcomes[i][0][0] in as_tagged[i] for i in rows) / len(rows)
    r3 = sum(len(set(outcomes[i][0][:3]) & gold[i]) / len(gold[i]) for i in rows) / len(rows)
    per_para: dict[str, dict[str, int]] = {}
    for i in rows:
        predicted = outcomes[i][1]
        for pid in predicted | gold[i]:
            key = f"{codes[i]} {pid}"
            c = per_para.setdefault(key, {"tp": 0, "fp": 0, "fn": 0})
            if pid in predicted and pid in gold[i]:
                c["tp"] += 1
            elif pid in predicted:
                c["fp"] += 1
            else:
                c["fn"] += 1
    tp = sum(c["tp"] for c in per_para.values())
    fp = sum(c["fp"] for c in per_para.values())
    fn = sum(c["fn"] for c in per_para.values())
    micro_p = tp / (tp + fp) if tp + fp else 0.0
    micro_r = tp / (tp + fn) if tp + fn else 0.0
    micro_f1 = 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0
    paragraphs = {}
    f1s = []
    for key, c in sorted(per_para.items(), key=lambda kv: _para_sort_key(kv[0])):
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        support = c["tp"] + c["fn"]
        paragraphs[key] = {"precision": p, "recall": r, "support": support, "predicted": c["tp"] + c["fp"]}
        if support:
            f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    return {"n": len(rows), "p_at_1": p1, "p_at_1_exact": p1_exact, "recall_at_3": r3,
            "micro_precision": micro_p, "micro_recall": micro_r, "micro_f1": micro_f1,
            "macro_f1": sum(f1s) / len(f1s) if f1s else 0.0, "paragraphs": paragraphs}


def _bootstrap_ci(values, n_resamples: int = 2000, seed: int = 0) -> list[float]:
    """95% percentile bootstrap interval of the mean of per-activity values (activities resampled)."""
    import numpy as np

    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return [0.0, 0.0]
    means = v[np.random.default_rng(seed).integers(0, v.size, (n_resamples, v.size))].mean(axis=1)
    return [float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))]


def _calibration(pair_scores, gold, outcomes, bins: int = 10) -> dict:
    """How far the tagger's scores are probabilities: Brier score and expected calibration error over all
    (activity, paragraph) pairs, and the mean top score next to the share of top suggestions that are right."""
    import numpy as np

    p = np.array([s for scores in pair_scores for s in scores.values()])
    y = np.array([pid in g for scores, g in zip(pair_scores, gold, strict=True) for pid in scores], dtype=float)
    if p.size == 0:
        return {}
    which = np.minimum((p * bins).astype(int), bins - 1)
    ece = sum(abs(p[which == b].mean() - y[which == b].mean()) * (which == b).sum()
              for b in range(bins) if (which == b).any()) / p.size
    tops = [(scores[out[0][0]], out[0][0] in g) for scores, out, g in zip(pair_scores, outcomes, gold, strict=True)
            if g and scores]
    return {"pairs": int(p.size), "brier": float(np.mean((p - y) ** 2)), "ece": float(ece),
            "mean_top_score": float(np.mean([t[0] for t in tops])), "top_correct": float(np.mean([t[1] for t in tops]))}


def _para_sort_key(key: str):
    import re

    code, pid = key.split(" ", 1)
    return (code, [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", pid)])


def _calibration_line(what: str, cal: dict) -> str:
    return (f"{what} over {cal['pairs']} (activity, paragraph) pairs: Brier {cal['brier']:.3f}, "
            f"ECE {cal['ece']:.3f}; mean top score {cal['mean_top_score']:.3f} vs "
            f"{cal['top_correct']:.3f} of top suggestions right")


def format_tagger_report(result: dict) -> str:
    """A plain-text table of evaluate_tagger's result."""
    lines = [f"OP tagger: grouped {result['n_folds']}-fold cross-validation by organisation "
             f"({result['n_texts']} tagged activities, {result['n_organisations']} organisations)",
             "R@3 = per activity, the share of its gold ids covered by the top 3 suggestions, averaged over "
             "activities (R@3mi: pooled over all activities).", ""]
    tagged = result.get("tagged") or {}
    if tagged:
        lines += ["(b) AS TAGGED, most specific suggestions (what `suggest` returns; the issue-4 targets are judged "
                  "here):", "    gold = the ids as tagged; a suggested sub-paragraph counts for a tagged parent, "
                  "a suggested parent does not count for a tagged sub-paragraph;",
                  "    baselines rank only paragraphs without sub-paragraphs; F1 at the cross-validated thresholds;",
                  f"    {RANKED_BY_SCORE} = the tagger's (a) ranking (parents and sub-paragraphs side by side) scored as (b)"]
        head = (f"{'scope':<18} {'method':<15} {'n':>4} {'P@1':>6} {'R@3':>6} {'R@3mi':>6} {'ceil':>6} "
                f"{'microP':>7} {'microR':>7} {'microF1':>8}")
        lines += [head, "-" * len(head)]
        for scope in tagged["tagger"]:
            for method in tagged:
                m = tagged[method][scope]
                if not m.get("n"):
                    continue
                lines.append(f"{scope:<18} {method:<15} {m['n']:>4} {m['p_at_1']:>6.3f} {m['recall_at_3']:>6.3f} "
                             f"{m['recall_at_3_micro']:>6.3f} {m['ceiling_recall_at_3']:>6.3f} "
                             f"{m['micro_precision']:>7.3f} {m['micro_recall']:>7.3f} {m['micro_f1']:>8.3f}")
        ov = tagged["tagger"].get("overall", {})
        if ov.get("n"):
            lines.append(f"tagger overall, 95% bootstrap intervals over activities: P@1 {ov['p_at_1_ci95'][0]:.3f}-"
                         f"{ov['p_at_1_ci95'][1]:.3f}, R@3 {ov['recall_at_3_ci95'][0]:.3f}-{ov['recall_at_3_ci95'][1]:.3f}")
        if result.get("specific_calibration"):
            lines.append(_calibration_line("specific scores", result["specific_calibration"]))
        lines.append("")
    lines += ["(a) IDS PLUS PARENTS, every paragraph ranked by score (`suggest(specific=False)`, `predict_proba`):",
              "    gold = tagged ids plus their enclosing paragraphs (a tag OP4.b makes {OP4, OP4.b} gold); "
              "P@1ex = top id exactly as tagged"]
    methods = result["methods"]
    head = f"{'scope':<18} {'method':<15} {'n':>4} {'P@1':>6} {'P@1ex':>6} {'R@3':>6} {'microP':>7} {'microR':>7} {'microF1':>8} {'macroF1':>8}"
    lines.append(head)
    lines.append("-" * len(head))
    for scope in methods["tagger"]:
        for method in TAGGER_METHODS:
            m = methods[method][scope]
            if not m.get("n"):
                continue
            lines.append(f"{scope:<18} {method:<15} {m['n']:>4} {m['p_at_1']:>6.3f} {m['p_at_1_exact']:>6.3f} "
                         f"{m['recall_at_3']:>6.3f} {m['micro_precision']:>7.3f} {m['micro_recall']:>7.3f} "
                         f"{m['micro_f1']:>8.3f} {m['macro_f1']:>8.3f}")
    if result.get("calibration"):
        lines.append(_calibration_line("scores", result["calibration"]))
    lines += ["", "per paragraph at the chosen thresholds, (a) ids plus parents (precision / recall):",
              f"{'paragraph':<26} {'support':>7}  {'tagger':>11}  {'similarity':>11}  {'most_frequent':>13}"]
    overall = {m: methods[m]["overall"].get("paragraphs", {}) for m in TAGGER_METHODS}
    for key, tp in overall["tagger"].items():
        if not tp["support"]:
            continue
        cells = []
        for m in TAGGER_METHODS:
            c = overall[m].get(key)
            cells.append(f"{c['precision']:.2f}/{c['recall']:.2f}" if c else "0.00/0.00")
        lines.append(f"{key:<26} {tp['support']:>7}  {cells[0]:>11}  {cells[1]:>11}  {cells[2]:>13}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------- entry point
def main(argv: list[str] | None = None) -> int:
    """``python -m opmapper.evaluate <what> ...``: the ``opmapper evaluate`` command."""
    from .cli import main as cli_main  # argparse lives in cli.py only

    return cli_main(["evaluate", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())

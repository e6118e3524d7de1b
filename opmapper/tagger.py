"""OP tagger: suggests the operative paragraphs an untagged activity implements.

CONTRACT (owned by the tagger work; checks, batch and cli rely on these names).

    >>> tagger = OpTagger.load()                      # the model shipped in models/
    >>> tagger.suggest("We trained 40 customs officers to investigate online wildlife offers.",
    ...                resolution="WCC-2020-Res-040", k=3)
    [Suggestion(id='OP2', score=0.99989, evidence=('investigate', 'officers', 'customs', 'wildlife', 'trained'),
                above_threshold=True), Suggestion(id='OP4.b', score=0.88337, ...), Suggestion(id='OP5', ...)]

Method. Each text is stripped of its explicit references (so the model never learns the tag itself),
then turned into word and character n-gram TF-IDF vectors. Per resolution, one logistic regression per
operative paragraph (one-vs-rest; a label OP4.b also makes OP4 positive), trained on the tagged texts
and on the resolution's own paragraph texts, scores the text. The score is blended with the cosine
similarity between the text and the paragraph's own wording by a logistic calibration fitted on
out-of-fold scores (features: classifier score, similarity, the paragraph's prior, its best
sub-paragraph score), which turns them into a probability. Paragraphs without tagged examples are
scored from their wording alone, through a calibration of similarity learnt on all paragraphs, so they
can still be suggested. Per-paragraph thresholds are chosen on the same out-of-fold scores (best F1).

Suggestions name the most specific paragraphs: a second calibration, fitted on the same out-of-fold
scores, gives the probability that suggesting a paragraph is right *as tagged* (it is a tagged id or lies
inside one) from the paragraph's own score, its parent's and its likeliest sub-paragraph's. ``suggest``
ranks by it and skips a paragraph that encloses one already suggested (OP4.b implies OP4). ``predict_proba`` keeps the "a sub-paragraph counts towards its parent" probabilities.

Persistence uses no pickle: arrays go to ``tagger.npz`` (read with ``allow_pickle=False``) and everything
else (vocabularies, labels, thresholds, parameters, versions, SHA-256 of the training data and of the
npz) to ``tagger.json``. The TF-IDF transform and the linear models are rebuilt from those arrays.

Scoring lives in ``opmapper.tagger_model`` (``TaggerModel``: load, score, suggest), which does not import
scikit-learn; ``OpTagger`` here is that model plus ``fit`` and ``save``, a scikit-learn estimator.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._imports import lean_scientific_imports
from .errors import InputError
from .resolution import Resolution, canonical_id
from .tagger_model import (  # noqa: F401 - re-exported: the tagger's public names live here
    FORMAT,
    FORMAT_VERSION,
    MODEL_JSON,
    MODEL_NPZ,
    N_CALIBRATION,
    N_PAIR_FEATURES,
    N_SPECIFIC,
    N_SPECIFIC_FEATURES,
    SIMILARITY_FEATURES,
    WORD_TOKEN_PATTERN,
    Suggestion,
    TaggerModel,
    TextFeatures,
    _columns,
    _json_digest,
    clean_text,
    default_model_dir,
)

# Fitting needs scikit-learn; importing it imports much that the tagger never calls: see UNUSED_BY_SCORING.
with lean_scientific_imports():
    import scipy.sparse as sp
    from sklearn.base import BaseEstimator
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS


# --------------------------------------------------------------------------- training data
@dataclass
class TrainingData:
    """Tagged activities gathered from report files: what ``OpTagger.fit`` consumes."""

    texts: list[str] = field(default_factory=list)
    labels: list[list[str]] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)     # reporting organisation (report.constituent)
    sources: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)


def report_files(paths: Iterable) -> list[Path]:
    """Files named, plus every *.txt/*.htm(l) under the folders named, sorted for reproducibility."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in (".txt", ".html", ".htm")))
        elif p.is_file():
            out.append(p)
        else:
            raise InputError("no such file or folder", str(p))
    return out


def load_training_data(paths: Iterable, *, nlp=None, on_error=None) -> TrainingData:
    """Tagged activities (and tagged future actions) from report files or folders.

    Labels are the ids of the operative references in each description; the resolution code is the
    report's own, or the name of its folder when the report does not say (corpus/reports/<CODE>/);
    the group is the reporting organisation, so cross-validation can keep an organisation's reports
    together. A file that cannot be read raises InputError, or is passed to ``on_error(exc)`` and skipped
    when that is given.
    """
    from .report import parse_report
    from .resolution import normalise_code
    from .sources import read_source

    data = TrainingData()
    for path in report_files(paths):
        try:
            src = read_source(str(path))
        except InputError as exc:
            if on_error is None:
                raise
            on_error(exc)
            continue
        report = parse_report(src.text, source=src.source, nlp=nlp, claims=False)
        code = report.resolution_code or normalise_code(path.parent.name)
        if code is None:
            continue
        group = report.constituent.text.strip() if report.constituent and report.constituent.text.strip() else str(path)
        for act in (*report.activities, *report.future_actions):
            labels = sorted({r.id for r in act.references if r.kind == "operative"})
            if not labels or act.description is None or not act.description.text.strip():
                continue
            data.texts.append(act.description.text)
            data.labels.append(labels)
            data.codes.append(code)
            data.groups.append(group)
            data.sources.append(str(path))
    return data


def expand_labels(labels: Iterable[str], resolution: Resolution) -> set[str]:
    """Tagged ids plus their enclosing paragraphs, restricted to the resolution's operative paragraphs."""
    out: set[str] = set()
    for raw in labels:
        pid = canonical_id(raw)
        if pid is None or pid not in resolution or resolution[pid].kind != "operative":
            continue
        out.add(pid)
        out.update(resolution.ancestors(pid))
    return out


class OpTagger(TaggerModel, BaseEstimator):
    """The OP tagger as a scikit-learn estimator: a ``TaggerModel`` (parameters, scoring, ``load``) that
    can be fitted and saved. Parameters in __init__, learned state in attributes ending in ``_``.
    """

    def fit(self, texts, labels, resolutions, paragraphs: Mapping[str, Resolution] | None = None, groups=None):
        """Learn from tagged texts.

        texts : activity descriptions (explicit references are stripped here).
        labels : one list of paragraph ids per text (``["OP2", "OP4.b"]``).
        resolutions : the resolution of each text: a code per text, one code for all, or Resolution objects.
        paragraphs : code -> Resolution for every resolution to learn (default: the bundled corpus plus any
            Resolution objects given in ``resolutions``). Resolutions without tagged texts are still learnt
            from their own wording.
        groups : optional group per text (the reporting organisation) for the internal cross-validation.
        """
        texts = list(texts)
        labels = [list(x) for x in labels]
        codes, catalogue = self._resolve_inputs(texts, resolutions, paragraphs)
        if len(labels) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(labels)} label lists")
        rng_seed = self.random_state if self.random_state is not None else 0

        cleaned = [clean_text(t) for t in texts]
        self.resolutions_ = {code: catalogue[code] for code in sorted(catalogue)}
        self.classes_ = [(code, p.id) for code, res in self.resolutions_.items() for p in res.operative]
        self._index_classes()

        para_texts = [self._paragraph_document(self.resolutions_[c], pid) for c, pid in self.classes_]
        stop = sorted(ENGLISH_STOP_WORDS)
        self.features_ = TextFeatures.fit(cleaned + para_texts, self.word_ngram_range, self.char_ngram_range,
                                          self.max_word_features, self.max_char_features, stop)
        X = self.features_.transform(cleaned)
        self.paragraph_matrix_ = self.features_.transform(para_texts)
        self.paragraph_targets_ = self._paragraph_targets()
        Y = self._label_matrix(labels, codes)

        # Out-of-fold pair features -> calibration and thresholds.
        feats_oof = np.zeros((*Y.shape, N_PAIR_FEATURES))
        for train_idx, test_idx in self._folds(len(texts), groups, rng_seed):
            coef, intercept, has = self._fit_linear(X[train_idx], Y[train_idx], codes[train_idx])
            prior = self._prior(Y[train_idx], codes[train_idx])
            feats_oof[test_idx] = self._pair_features(X[test_idx], _columns(coef), intercept, has, prior)
        mask = self._own_resolution_mask(codes)
        self.calibration_ = self._fit_calibration(feats_oof[mask], Y[mask], rng_seed)
        proba_oof = self._calibrate(feats_oof)
        self.thresholds_ = self._choose_thresholds(proba_oof, Y, mask)
        # Most specific suggestions: P(suggesting this id is right as tagged), from the out-of-fold scores.
        hits = self._hit_matrix(labels, codes)
        spec_feats = self._specific_features(proba_oof)
        self.specific_calibration_ = self._fit_specific_calibration(spec_feats[mask], hits[mask], rng_seed)
        specific_oof = self._calibrate_specific(spec_feats)
        self.specific_thresholds_ = self._choose_thresholds(specific_oof, hits, mask)

        self.coef_, self.intercept_, self.has_model_ = self._fit_linear(X, Y, codes)
        self.prior_ = self._prior(Y, codes)
        self.n_training_texts_ = len(texts)
        self.training_sha256_ = _training_digest(texts, labels, codes, self.resolutions_)
        self.oof_scores_ = proba_oof  # kept for inspection; not saved
        self.oof_specific_scores_ = specific_oof
        return self

    def _resolve_inputs(self, texts, resolutions, paragraphs):
        catalogue: dict[str, Resolution] = dict(paragraphs) if paragraphs is not None else {}
        if isinstance(resolutions, (str, Resolution)):
            resolutions = [resolutions] * len(texts)
        resolutions = list(resolutions)
        if len(resolutions) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(resolutions)} resolutions")
        codes = []
        for r in resolutions:
            if isinstance(r, Resolution):
                if r.code is None:
                    raise ValueError("a Resolution passed to fit() needs a code")
                catalogue.setdefault(r.code, r)
                codes.append(r.code)
            else:
                codes.append(str(r))
        if paragraphs is None and any(c not in catalogue for c in codes):
            from .resolution import load_resolutions

            for code, res in load_resolutions().items():
                catalogue.setdefault(code, res)
        missing = sorted({c for c in codes if c not in catalogue})
        if missing:
            raise ValueError(f"no resolution text for {', '.join(missing)}; pass paragraphs={{code: Resolution}}")
        return np.array(codes, dtype=object), catalogue

    @staticmethod
    def _paragraph_document(res: Resolution, pid: str) -> str:
        # A parent paragraph stands for all its sub-paragraphs (a tag on OP4.b also counts for OP4).
        return res.full_text(pid)

    def _paragraph_targets(self) -> np.ndarray:
        """Row i: the classes the text of paragraph i exemplifies (itself and its enclosing paragraphs)."""
        pos = {c: i for i, c in enumerate(self.classes_)}
        out = np.zeros((len(self.classes_), len(self.classes_)), dtype=bool)
        for i, (code, pid) in enumerate(self.classes_):
            for target in (pid, *self.resolutions_[code].ancestors(pid)):
                out[i, pos[(code, target)]] = True
        return out

    def _label_matrix(self, labels, codes) -> np.ndarray:
        Y = np.zeros((len(labels), len(self.classes_)), dtype=bool)
        pos = {c: i for i, c in enumerate(self.classes_)}
        for row, (labs, code) in enumerate(zip(labels, codes, strict=True)):
            for pid in expand_labels(labs, self.resolutions_[code]):
                Y[row, pos[(code, pid)]] = True
        return Y

    def _hit_matrix(self, labels, codes) -> np.ndarray:
        """H[row, j]: suggesting class j for text ``row`` is right *as tagged*: j is one of the tagged ids, or
        lies inside one (a sub-paragraph implies its parent); a parent is not right for a tagged sub-paragraph."""
        H = np.zeros((len(labels), len(self.classes_)), dtype=bool)
        pos = {c: i for i, c in enumerate(self.classes_)}
        for row, (labs, code) in enumerate(zip(labels, codes, strict=True)):
            res = self.resolutions_[code]
            tagged = {canonical_id(x) for x in labs} & {p.id for p in res.operative}
            for (c, pid), j in pos.items():
                if c == code and (pid in tagged or tagged.intersection(res.ancestors(pid))):
                    H[row, j] = True
        return H

    def _own_resolution_mask(self, codes) -> np.ndarray:
        mask = np.zeros((len(codes), len(self.classes_)), dtype=bool)
        for row, code in enumerate(codes):
            mask[row, self.class_slices_[code]] = True
        return mask

    def _folds(self, n: int, groups, seed: int):
        from sklearn.model_selection import GroupKFold, KFold  # training only: not imported to score

        if n < 4:
            return []
        if groups is not None:
            groups = np.asarray(list(groups), dtype=object)
            k = min(self.cv, len(set(groups)))
            if k >= 2:
                return list(GroupKFold(n_splits=k).split(np.zeros(n), groups=groups))
        k = min(self.cv, n)
        return list(KFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(n)))

    def _fit_linear(self, X, Y, codes):
        from sklearn.linear_model import LogisticRegression  # training only: not imported to score

        n_classes = len(self.classes_)
        coef = np.zeros((n_classes, X.shape[1]), dtype=np.float32)
        intercept = np.zeros(n_classes)
        has = np.zeros(n_classes, dtype=bool)
        for code, sl in self.class_slices_.items():
            rows = np.flatnonzero(codes == code)
            if len(rows) == 0:
                continue
            # The resolution's own paragraphs join the tagged texts as examples of themselves.
            Xc = sp.vstack([X[rows], self.paragraph_matrix_[sl]], format="csr")
            weight = np.r_[np.ones(len(rows)), np.full(sl.stop - sl.start, float(self.paragraph_weight))]
            for j in range(sl.start, sl.stop):
                y = np.r_[Y[rows, j], self.paragraph_targets_[sl, j]]
                n_pos = int(Y[rows, j].sum())
                if n_pos < self.min_positive or n_pos == len(rows):
                    continue
                clf = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear", dual=True,
                                         random_state=self.random_state)
                clf.fit(Xc, y, sample_weight=weight)
                coef[j] = clf.coef_[0]
                intercept[j] = clf.intercept_[0]
                has[j] = True
        return coef, intercept, has

    def _prior(self, Y, codes) -> np.ndarray:
        """Log-odds of each paragraph among the training texts of its resolution (pooled when it has none)."""
        freq = np.full(len(self.classes_), np.nan)
        for code, sl in self.class_slices_.items():
            rows = codes == code
            if rows.any():
                freq[sl] = (Y[rows, sl].sum(axis=0) + 0.5) / (rows.sum() + 1.0)
        fill = np.nanmean(freq) if np.isfinite(freq).any() else 0.1
        freq = np.where(np.isfinite(freq), freq, fill)
        return np.log(freq / (1.0 - freq))

    def _fit_calibration(self, feats, y, seed) -> np.ndarray:
        """Two logistic regressions from pair features to the probability that the tag applies.

        Paragraphs with a classifier: all pair features, fitted on the pairs that had one. Paragraphs
        without: the similarity alone, fitted on every pair -- how far the wording predicts a tag is
        learnt from the tagged paragraphs and carried over to those that have no examples yet.
        """
        from sklearn.linear_model import LogisticRegression  # training only: not imported to score

        feats = feats.reshape(-1, N_PAIR_FEATURES)
        y = y.ravel()
        has = feats[:, 1] > 0
        out = np.zeros(N_CALIBRATION)
        out[[0, N_PAIR_FEATURES]] = (4.0, -3.0)                        # untrained: a monotone squashing
        out[N_PAIR_FEATURES + 1:] = (4.0, 0.0, -3.0)
        if y[has].any() and not y[has].all():
            clf = LogisticRegression(C=10.0, solver="lbfgs", max_iter=1000, random_state=seed)
            clf.fit(feats[has], y[has])
            out[:N_PAIR_FEATURES + 1] = np.r_[clf.coef_[0], clf.intercept_]
        if y.any() and not y.all():
            clf = LogisticRegression(C=10.0, solver="lbfgs", max_iter=1000, random_state=seed)
            clf.fit(feats[:, SIMILARITY_FEATURES], y)
            out[N_PAIR_FEATURES + 1:] = np.r_[clf.coef_[0], clf.intercept_]
        return out

    def _fit_specific_calibration(self, feats, y, seed) -> np.ndarray:
        from sklearn.linear_model import LogisticRegression  # training only: not imported to score

        out = np.zeros(N_SPECIFIC)
        out[0] = 1.0                       # untrained: the paragraph's own score
        feats, y = feats.reshape(-1, N_SPECIFIC_FEATURES), y.ravel()
        if y.any() and not y.all():
            clf = LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000, random_state=seed)
            clf.fit(feats, y)
            out[:] = np.r_[clf.coef_[0], clf.intercept_]
        return out

    def _choose_thresholds(self, proba, Y, mask) -> np.ndarray:
        """Per paragraph: the out-of-fold score threshold with the best F1 (a pooled one when too rare)."""
        pooled = _best_f1_threshold(proba[mask], Y[mask])
        out = np.full(len(self.classes_), pooled)
        for j in range(len(self.classes_)):
            rows = mask[:, j]
            y = Y[rows, j]
            if y.sum() >= 3:
                out[j] = _best_f1_threshold(proba[rows, j], y, default=pooled)
        return out

    def save(self, path) -> None:
        """Write ``tagger.json`` and ``tagger.npz`` into the folder ``path`` (created if needed)."""
        self._check_fitted()
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        pm = self.paragraph_matrix_.tocsr()
        buf = io.BytesIO()
        np.savez_compressed(
            buf, word_idf=self.features_.word_idf, char_idf=self.features_.char_idf,
            coef=self.coef_.astype(np.float32), intercept=self.intercept_, has_model=self.has_model_,
            paragraph_data=pm.data, paragraph_indices=pm.indices.astype(np.int32),
            paragraph_indptr=pm.indptr.astype(np.int64), calibration=self.calibration_, prior=self.prior_,
            specific_calibration=self.specific_calibration_,
        )
        npz_bytes = buf.getvalue()
        meta = self._metadata(hashlib.sha256(npz_bytes).hexdigest())
        (folder / MODEL_NPZ).write_bytes(npz_bytes)
        (folder / MODEL_JSON).write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    def _metadata(self, npz_sha256: str) -> dict:
        import sklearn

        from . import __version__

        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "opmapper_version": __version__,
            "sklearn_version": sklearn.__version__,
            "numpy_version": np.__version__,
            "params": _jsonable_params(self.get_params()),
            "stop_words": self.features_.stop_words,
            "word_token_pattern": self.features_.token_pattern,
            "word_vocabulary": self.features_.word_vocabulary,
            "char_vocabulary": self.features_.char_vocabulary,
            "resolutions": {code: {"title": res.title, "labels": [p.id for p in res.operative],
                                   "paragraphs": [p.to_dict() for p in res.paragraphs]}
                            for code, res in self.resolutions_.items()},
            "thresholds": [float(t) for t in self.thresholds_],
            "specific_thresholds": [float(t) for t in self.specific_thresholds_],
            "training": {"n_texts": self.n_training_texts_, "sha256": self.training_sha256_},
            "arrays": {"file": MODEL_NPZ, "sha256": npz_sha256,
                       "coef_shape": list(self.coef_.shape)},
        }
        meta["json_sha256"] = _json_digest(meta)
        return meta


# --------------------------------------------------------------------------- helpers
def _best_f1_threshold(scores: np.ndarray, y: np.ndarray, default: float = 0.5) -> float:
    scores, y = np.asarray(scores, dtype=np.float64).ravel(), np.asarray(y, dtype=bool).ravel()
    n_pos = int(y.sum())
    if n_pos == 0 or scores.size == 0:
        return default
    order = np.argsort(-scores, kind="stable")
    s, t = scores[order], y[order]
    tp = np.cumsum(t)
    k = np.arange(1, len(s) + 1)
    f1 = 2 * tp / (k + n_pos)
    last = np.r_[s[1:] != s[:-1], True]   # only cut between distinct scores
    f1 = np.where(last, f1, -1)
    best = int(np.argmax(f1))
    below = s[best + 1] if best + 1 < len(s) else 0.0
    return float((s[best] + below) / 2.0)


def _jsonable_params(params: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def _training_digest(texts, labels, codes, resolutions: Mapping[str, Resolution]) -> str:
    h = hashlib.sha256()
    for text, labs, code in zip(texts, labels, codes, strict=True):
        h.update(json.dumps([text, sorted(labs), str(code)], ensure_ascii=False).encode("utf-8"))
    for code, res in resolutions.items():
        h.update(json.dumps([code, [(p.id, p.text) for p in res.paragraphs]], ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()

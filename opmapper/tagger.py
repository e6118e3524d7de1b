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
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from operator import is_
from pathlib import Path

import numpy as np

from ._imports import lean_scientific_imports
from ._records import Record, record_maker
from .errors import InputError, ModelError
from .references import strip_references
from .resolution import Resolution, canonical_id

# Importing scipy.sparse and scikit-learn imports much that scoring with a saved tagger never calls (half
# of every opmapper command's start-up, and of every batch run's serial part): see UNUSED_BY_SCORING.
with lean_scientific_imports():
    import scipy.sparse as sp
    from sklearn.base import BaseEstimator
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer

FORMAT = "opmapper-tagger"
FORMAT_VERSION = 2   # 2: adds the specific-suggestion calibration and thresholds
MODEL_JSON = "tagger.json"
MODEL_NPZ = "tagger.npz"
# A word needs a letter: counts and years ("2023", "000") say nothing about which paragraph is meant.
WORD_TOKEN_PATTERN = r"(?u)\b(?=\w*[^\W\d_])\w\w+\b"
N_PAIR_FEATURES = 10
SIMILARITY_FEATURES = [2, 4]   # scaled and raw cosine similarity to the paragraph's wording
N_CALIBRATION = N_PAIR_FEATURES + 1 + len(SIMILARITY_FEATURES) + 1
N_SPECIFIC_FEATURES = 6   # see OpTagger._specific_features
N_SPECIFIC = N_SPECIFIC_FEATURES + 1
CHAR_COLUMN_CACHE_SIZE = 50_000  # distinct words whose char n-gram columns TextFeatures keeps


@dataclass(frozen=True)
class Suggestion(Record):
    id: str                       # "OP4.b"
    score: float                  # calibrated probability (see OpTagger.suggest for which event)
    evidence: tuple[str, ...]     # the words that drove it
    above_threshold: bool = True  # score >= the cross-validated threshold for this paragraph

    def to_dict(self) -> dict:
        # Record.to_dict spelt out (batch turns every suggestion of every report into JSON): the fields
        # are a string, a float and a bool in field order, but for the evidence tuple, a list of strings
        out = self.__dict__.copy()
        out["evidence"] = list(self.evidence)
        return out


# Suggestion(id, score, evidence, above_threshold) without the frozen dataclass's field-by-field __init__:
# suggest_many makes a few for every text
_new_suggestion = record_maker(Suggestion)


def default_model_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "models"


# --------------------------------------------------------------------------- text features
def clean_text(text: str) -> str:
    """The text the model sees: explicit paragraph references removed."""
    return strip_references(text or "")


class _Analysers:
    """What counting n-grams needs, made once per TextFeatures (on first use): the vectorisers' own word
    analyser, preprocessor and char_wb n-gram function, the vocabularies as dicts, and the idf of both
    blocks end to end."""

    def __init__(self, features: TextFeatures) -> None:
        char = features._char
        self.word = features._word.build_analyzer()
        self.word_vocabulary = {t: i for i, t in enumerate(features.word_vocabulary)}
        self.char_vocabulary = {t: i for i, t in enumerate(features.char_vocabulary)}
        self.idf = np.concatenate([features.word_idf, features.char_idf])
        preprocess, decode = char.build_preprocessor(), char.decode
        self.char_text = lambda text: preprocess(decode(text))
        self.char_ngrams = char._char_wb_ngrams
        self.char_columns: dict[str, bytes] = {}   # word -> its char n-gram columns (int64 bytes)
        self.block_starts: dict[int, np.ndarray] = {}   # n texts -> [0, n_word, nf, nf + n_word, ..., n x nf]


class TextFeatures:
    """Word + character n-gram TF-IDF rebuilt from plain arrays (vocabulary, idf); no fitted sklearn object.

    Each block is l2-normalised and weighted 1/sqrt(2), so the dot product of two rows is the mean of the
    word and the character cosine similarities.
    """

    def __init__(self, word_vocabulary: Sequence[str], word_idf: np.ndarray, char_vocabulary: Sequence[str],
                 char_idf: np.ndarray, word_ngram_range=(1, 2), char_ngram_range=(3, 5),
                 stop_words: Sequence[str] = (), token_pattern: str = WORD_TOKEN_PATTERN) -> None:
        self.token_pattern = token_pattern
        self.word_vocabulary = list(word_vocabulary)
        self.char_vocabulary = list(char_vocabulary)
        self.word_idf = np.asarray(word_idf, dtype=np.float64)
        self.char_idf = np.asarray(char_idf, dtype=np.float64)
        self.stop_words = list(stop_words)
        self._word = CountVectorizer(ngram_range=tuple(word_ngram_range), stop_words=self.stop_words or None,
                                     token_pattern=token_pattern, vocabulary={t: i for i, t in enumerate(self.word_vocabulary)})
        self._char = CountVectorizer(analyzer="char_wb", ngram_range=tuple(char_ngram_range),
                                     vocabulary={t: i for i, t in enumerate(self.char_vocabulary)})
        self._analysers: _Analysers | None = None

    @property
    def n_word(self) -> int:
        return len(self.word_vocabulary)

    @property
    def n_features(self) -> int:
        return len(self.word_vocabulary) + len(self.char_vocabulary)

    @classmethod
    def fit(cls, texts: Sequence[str], word_ngram_range, char_ngram_range, max_word_features: int,
            max_char_features: int, stop_words: Sequence[str]) -> TextFeatures:
        word = TfidfVectorizer(ngram_range=tuple(word_ngram_range), stop_words=list(stop_words) or None,
                               token_pattern=WORD_TOKEN_PATTERN, sublinear_tf=True, max_features=max_word_features)
        char = TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(char_ngram_range), sublinear_tf=True,
                               min_df=2, max_features=max_char_features)
        word.fit(texts)
        char.fit(texts)
        wv = sorted(word.vocabulary_, key=word.vocabulary_.get)
        cv = sorted(char.vocabulary_, key=char.vocabulary_.get)
        return cls(wv, word.idf_, cv, char.idf_, word_ngram_range, char_ngram_range, stop_words)

    def _prepared(self) -> _Analysers:
        if self._analysers is None:
            self._analysers = _Analysers(self)
        return self._analysers

    def _char_columns(self, text: str) -> bytes:
        """Feature columns (past the word block) of the char_wb n-grams of ``text``, with repeats, as int64
        bytes. char_wb n-grams never cross a word boundary, so they are those of each word on its own: made
        by the vectoriser once per distinct word and kept (words recur from report to report), not once per
        occurrence. (The vectoriser first folds runs of whitespace into one space; splitting on whitespace
        gives the same words without it.)"""
        an = self._prepared()
        cache = an.char_columns
        words = an.char_text(text).split()
        try:
            return b"".join(map(cache.__getitem__, words))
        except KeyError:   # a word not seen yet (rare once the cache is warm)
            if len(cache) > CHAR_COLUMN_CACHE_SIZE:
                cache.clear()
            vocab, offset = an.char_vocabulary.get, self.n_word
            for word in words:
                if word not in cache:
                    cache[word] = array("q", [offset + j for j in map(vocab, an.char_ngrams(word))
                                              if j is not None]).tobytes()
            return b"".join(map(cache.__getitem__, words))

    def _block_starts(self, n_texts: int) -> np.ndarray:
        """Where, in the sorted keys (row x n_features + column) of ``n_texts`` texts, each row's word block
        and char block begin, then the end: [0, n_word, nf, nf + n_word, ..., n_texts x nf]."""
        starts = self._prepared().block_starts
        found = starts.get(n_texts)
        if found is None:
            found = (np.arange(n_texts + 1, dtype=np.int64) * self.n_features)[:, None] + np.array([0, self.n_word])
            found = found.ravel()[:-1]
            if n_texts <= 64:
                starts[n_texts] = found
        return found

    def _count(self, texts: Sequence[str]) -> tuple[list[int], np.ndarray, np.ndarray]:
        """``rows`` with the block bounds as a list: [w0, c0, w1, c1, ..., end], where text r's word block
        begins (w) and its char block begins (c) in ``indices`` and ``data``.

        Counting is done here with the vectorisers' analysers and the stored vocabularies: every n-gram of
        every text becomes one key (row x n_features + column), and one sort counts them all.
        """
        an = self._prepared()
        word_an, word_column = an.word, an.word_vocabulary.get
        n_texts, n_features = len(texts), self.n_features
        columns = array("q")
        counts = []
        for text in texts:
            before = len(columns)
            # most word n-grams are out of vocabulary
            columns.extend([j for j in map(word_column, word_an(text)) if j is not None])
            columns.frombytes(self._char_columns(text))
            counts.append(len(columns) - before)
        keys = np.frombuffer(columns, dtype=np.int64)   # a view of ``columns``: sorted in place below
        if n_texts > 1:
            keys = keys + np.arange(0, n_texts * n_features, n_features, dtype=np.int64).repeat(counts)
        keys.sort()
        # runs of one key: their starts (and the end) are the edges; a run's length is the term frequency
        edge = np.empty(len(keys) + 1, dtype=bool)
        edge[0] = edge[-1] = True
        np.not_equal(keys[1:], keys[:-1], out=edge[1:-1])
        edges = edge.nonzero()[0]
        tf = edges[1:] - edges[:-1]
        keys = keys.take(edges[:-1])
        indices = keys % n_features if n_texts > 1 else keys
        data = np.log(tf)
        data += 1.0
        data *= an.idf.take(indices)
        bounds = keys.searchsorted(self._block_starts(n_texts)).tolist()
        # each block is l2-normalised, x 1/sqrt(2): the norm of each by BLAS's dot, as numpy's l2 norm of a
        # vector would; the factors then multiply the blocks in one pass
        scale = 1.0 / math.sqrt(2.0)
        factors, lengths = [], []
        for lo, hi in pairwise(bounds):
            w = data[lo:hi]
            # tf-idf weights are >= 1, so a non-empty block has a positive norm
            factors.append(scale / math.sqrt(np.dot(w, w)) if hi > lo else 0.0)
            lengths.append(hi - lo)
        data *= np.array(factors).repeat(lengths)
        return bounds, indices, data

    def rows(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``transform(texts)`` as the arrays of a CSR matrix (indptr, indices, data), without building the
        matrix: for the one or two short texts of a report, scipy's construction checks cost as much as
        the counting."""
        bounds, indices, data = self._count(texts)
        return np.array(bounds[::2], dtype=np.int64), indices, data

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Rows of [word block | char block]: sublinear tf x idf, each block l2-normalised, x 1/sqrt(2)."""
        return self.matrix(self.rows(texts))

    def matrix(self, rows: tuple[np.ndarray, np.ndarray, np.ndarray]) -> sp.csr_matrix:
        """The CSR matrix of arrays from ``rows``."""
        indptr, indices, data = rows
        return sp.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, self.n_features))


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


# --------------------------------------------------------------------------- the estimator
def _clip(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """``np.clip`` as its two ufuncs (the same values, NaN included): on the few numbers of one report
    np.clip's Python-level argument handling costs more than the clipping."""
    return np.minimum(np.maximum(x, lo), hi)


def _sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """1 / (1 + exp(-clip(z, -35, 35))), each step written into ``out`` (a new array when None; may be
    ``z``): the same operations, without an array per step."""
    out = np.maximum(z, -35.0, out=out)
    np.minimum(out, 35.0, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.add(1.0, out, out=out)
    return np.divide(1.0, out, out=out)


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


class OpTagger(BaseEstimator):
    """scikit-learn conventions: parameters in __init__, learned state in attributes ending in ``_``.

    Parameters
    ----------
    word_ngram_range, char_ngram_range : n-gram ranges of the word and character TF-IDF blocks.
    max_word_features, max_char_features : vocabulary caps (keep the saved model small).
    C : inverse regularisation strength of the per-paragraph logistic regressions.
    blend : a fixed share of paragraph-text similarity mixed into the classifier score before calibration
        (the calibration also weighs the similarity itself, learning the blend; 0 leaves it all to it).
    paragraph_weight : sample weight of each paragraph's own text as a training example of itself.
    min_positive : tagged examples a paragraph needs before it gets its own classifier (otherwise it
        is scored from its wording alone).
    cv : folds of the internal cross-validation used for calibration and thresholds.
    evidence_size : how many words a suggestion cites as evidence.
    random_state : seed for the fold split and the solver; same seed and data -> same scores.
    """

    def __init__(self, word_ngram_range=(1, 2), char_ngram_range=(3, 5), max_word_features=20000,
                 max_char_features=30000, C=10.0, blend=0.0, paragraph_weight=1.0, min_positive=1, cv=5,
                 evidence_size=5, random_state=0):
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.C = C
        self.blend = blend
        self.paragraph_weight = paragraph_weight
        self.min_positive = min_positive
        self.cv = cv
        self.evidence_size = evidence_size
        self.random_state = random_state

    # ---------------------------------------------------------------- fit
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

    def _index_classes(self) -> None:
        self.class_slices_: dict[str, slice] = {}
        start = 0
        for code, res in self.resolutions_.items():
            n = len(res.operative)
            self.class_slices_[code] = slice(start, start + n)
            start += n
        pos = {c: i for i, c in enumerate(self.classes_)}
        self.descendants_: dict[int, list[int]] = {}
        for i, (code, pid) in enumerate(self.classes_):
            for anc in self.resolutions_[code].ancestors(pid):
                self.descendants_.setdefault(pos[(code, anc)], []).append(i)
        # direct parent of each class (-1 for top-level paragraphs), as an index into classes_
        self.parent_index_ = np.array([pos.get((code, self.resolutions_[code].get(pid).parent), -1)
                                       if self.resolutions_[code].get(pid).parent else -1
                                       for code, pid in self.classes_], dtype=np.int64)
        # enclosing paragraphs of each class, as indices into classes_ (implied by a suggestion of it)
        self.ancestor_index_: dict[int, list[int]] = {i: [] for i in range(len(self.classes_))}
        for i, kids in self.descendants_.items():
            for k in kids:
                self.ancestor_index_[k].append(i)
        # parents and their sub-paragraphs within each resolution's block of classes, and among all classes
        self.families_ = {(sl.start, sl.stop): self._family_arrays(sl.start, sl.stop)
                          for sl in (*self.class_slices_.values(), slice(0, len(self.classes_)))}

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

    def _paragraph_columns(self) -> np.ndarray:
        """The paragraph vectors as dense float64 columns (features x classes), cached: X @ them is fast."""
        cache = getattr(self, "_para_columns", None)
        if cache is None or cache[0] is not self.paragraph_matrix_:
            cache = (self.paragraph_matrix_, np.ascontiguousarray(self.paragraph_matrix_.T.toarray()))
            self._para_columns = cache
        return cache[1]

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

    def _pair_features(self, X, coef_columns, intercept, has, prior) -> np.ndarray:
        """Pair features for every class (see ``_resolution_features``), resolution by resolution."""
        out = np.empty((X.shape[0], len(self.classes_), N_PAIR_FEATURES))
        para = self._paragraph_columns()
        for sl in self.class_slices_.values():
            out[:, sl] = self._resolution_features(X, coef_columns[:, sl], para[:, sl], intercept, has, prior, sl)
        return out

    def _resolution_features(self, X, coef_columns, para_columns, intercept, has, prior, sl) -> np.ndarray:
        """Per (text, paragraph of one resolution): classifier score, similarity to the paragraph's wording
        (raw and scaled so the text's best paragraph is 1), the paragraph's prior, and the best score among
        its sub-paragraphs (a parent is implemented through them).

        ``coef_columns`` and ``para_columns`` hold the columns of the classes in ``sl`` only.
        """
        return self._features(np.asarray(X @ para_columns), np.asarray(X @ coef_columns), intercept, has, prior, sl)

    def _features(self, cosine, raw_margin, intercept, has, prior, sl) -> np.ndarray:
        """``_resolution_features`` from the two products: text x paragraph wording, text x coefficients."""
        top = cosine.max(axis=1, keepdims=True)
        sim = np.divide(cosine, top, out=np.zeros_like(cosine), where=top > 0)
        margin = raw_margin + intercept[sl]
        has_f = has[sl].astype(np.float64)
        blended = has_f * ((1.0 - self.blend) * _sigmoid(margin) + self.blend * sim)
        is_parent, parents, kids = self._family(sl)
        out = np.empty((*sim.shape, N_PAIR_FEATURES))
        out[..., 0] = blended
        out[..., 1] = has_f
        out[..., 2] = sim
        out[..., 3] = sim * (1.0 - has_f)
        out[..., 4] = cosine
        out[..., 5] = prior[sl]
        out[..., 6] = 0.0
        if len(parents):
            out[:, parents, 6] = np.maximum(blended, sim)[:, kids].max(axis=-1)
        out[..., 7] = is_parent
        out[..., 8] = has_f * _clip(margin, -10.0, 10.0) / 10.0
        out[..., 9] = blended * sim
        return out

    def _family(self, sl: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``_family_arrays`` of a resolution's block of classes, or of all classes, made with the classes."""
        start = sl.start or 0
        return self.families_[(start, sl.stop if sl.stop is not None else len(self.classes_))]

    def _family_arrays(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For the classes start..stop (positions counted from start): 1.0 for each parent paragraph, the
        parents, and per parent its sub-paragraphs, padded to one width by repeating the first (a maximum
        over them is unchanged) -- so the best sub-paragraph score of every parent is one indexing and one
        maximum."""
        family = [(j - start, [k - start for k in kids])
                  for j, kids in sorted(self.descendants_.items()) if start <= j < stop]
        width = max((len(kids) for _, kids in family), default=0)
        is_parent = np.zeros(stop - start)
        is_parent[[j for j, _ in family]] = 1.0
        kids = np.array([kids + kids[:1] * (width - len(kids)) for _, kids in family], dtype=np.int64)
        return is_parent, np.array([j for j, _ in family], dtype=np.int64), kids.reshape(len(family), width)

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

    def _calibrate(self, feats) -> np.ndarray:
        w = self.calibration_
        with_model = _sigmoid(feats @ w[:N_PAIR_FEATURES] + w[N_PAIR_FEATURES])
        wording_only = _sigmoid(feats[..., SIMILARITY_FEATURES] @ w[N_PAIR_FEATURES + 1:-1] + w[-1])
        return np.where(feats[..., 1] > 0, with_model, wording_only)

    def _specific_features(self, proba: np.ndarray, sl: slice = slice(None)) -> np.ndarray:
        """Features of (text, paragraph) for the specific score, from the calibrated scores ``proba`` of the
        classes in ``sl`` (all classes by default): the paragraph's own log-odds; for a parent, its log-odds
        again and those of its likeliest sub-paragraph (a parent is the answer only when no sub-paragraph
        is); for a sub-paragraph, its parent's log-odds (a paragraph tagged as a whole makes its
        sub-paragraphs right too)."""
        start = sl.start or 0
        stop = sl.stop if sl.stop is not None else len(self.classes_)
        logit = np.log(_clip(proba, 1e-6, 1 - 1e-6)) - np.log(_clip(1 - proba, 1e-6, 1 - 1e-6))
        is_parent, parents, kids = self._family(sl)
        parent = self.parent_index_[start:stop] - start
        has_parent = (parent >= 0).astype(np.float64)
        out = np.empty((*logit.shape, N_SPECIFIC_FEATURES))
        out[..., 0] = logit
        out[..., 1] = is_parent
        out[..., 2] = is_parent * logit
        out[..., 3] = 0.0
        if len(parents):
            out[..., parents, 3] = logit[..., kids].max(axis=-1)
        out[..., 4] = np.where(has_parent > 0, logit[..., np.maximum(parent, 0)], 0.0)
        out[..., 5] = has_parent
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

    def _calibrate_specific(self, feats) -> np.ndarray:
        w = self.specific_calibration_
        return _sigmoid(feats @ w[:N_SPECIFIC_FEATURES] + w[N_SPECIFIC_FEATURES])

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

    # ---------------------------------------------------------------- predict
    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ModelError("this OpTagger is not fitted; call fit() or OpTagger.load()")

    def _slice(self, resolution) -> slice:
        code = resolution.code if isinstance(resolution, Resolution) else resolution
        if code is None:
            if len(self.class_slices_) == 1:
                return next(iter(self.class_slices_.values()))
            raise ValueError("this model knows several resolutions; name one: " + ", ".join(self.class_slices_))
        if code not in self.class_slices_:
            raise ModelError(f"the model was not trained for resolution {code}; it knows: "
                             + ", ".join(self.class_slices_))
        return self.class_slices_[code]

    def scores(self, texts: Sequence[str], resolution=None) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix]:
        """Calibrated probabilities and scaled paragraph similarities, and the text features.

        Columns: every class in ``classes_``, or only those of ``resolution`` when one is named.
        """
        proba, feats, rows = self._scores(texts, resolution)
        return proba, feats[..., 2], self.features_.matrix(rows)

    def _scores(self, texts: Sequence[str], resolution) -> tuple[np.ndarray, np.ndarray, tuple]:
        """``scores`` with all pair features, and the text features as CSR arrays (``TextFeatures.rows``)."""
        self._check_fitted()
        if resolution is not None:
            block = self._block(self._slice(resolution))
            bounds, indices, data = self.features_._count([clean_text(t) for t in texts])
            feats = block.pair_features(_row_products((bounds[::2], indices, data), block.columns), self.blend)
            return block.calibrate(feats), feats, (np.array(bounds[::2], dtype=np.int64), indices, data)
        rows = self.features_.rows([clean_text(t) for t in texts])
        feats = self._pair_features(self.features_.matrix(rows), self._columns_for(slice(None))[0],
                                    self.intercept_, self.has_model_, self.prior_)
        return self._calibrate(feats), feats, rows

    def specific_scores(self, texts: Sequence[str], resolution=None) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix]:
        """For each paragraph, the calibrated probability that suggesting it is right *as tagged* (it is a
        tagged paragraph or lies inside one), then the ``predict_proba`` scores and the text features."""
        specific, proba, rows = self._specific_scores(texts, resolution)
        return specific, proba, self.features_.matrix(rows)

    def _specific_scores(self, texts: Sequence[str], resolution) -> tuple[np.ndarray, np.ndarray, tuple]:
        proba, _, rows = self._scores(texts, resolution)
        if resolution is not None:
            return self._block(self._slice(resolution)).specific(proba), proba, rows
        return self._calibrate_specific(self._specific_features(proba)), proba, rows

    def _block(self, sl: slice) -> _BlockScorer:
        """The scorer of the block of classes ``sl`` (one resolution's), made once per model."""
        model = (self.coef_, self.paragraph_matrix_, self.intercept_, self.has_model_, self.prior_,
                 self.calibration_, self.specific_calibration_, self.families_)
        cache = self.__dict__.get("_block_cache")
        if cache is None or not all(map(is_, cache[0], model)):   # not the very same arrays: a new model
            cache = self._block_cache = (model, {})
        block = cache[1].get(sl.start)
        if block is None or block.stop != sl.stop:
            block = cache[1][sl.start] = _BlockScorer(self, sl)
        return block

    def _columns_for(self, sl: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Contiguous float64 coefficient columns, paragraph columns, and both side by side (paragraph
        first) of a block of classes, cached per model."""
        cache = getattr(self, "_column_cache", None)
        if cache is None or cache[0] is not self.coef_ or cache[1] is not self.paragraph_matrix_:
            cache = (self.coef_, self.paragraph_matrix_, {})
            self._column_cache = cache
        key = (sl.start, sl.stop)
        if key not in cache[2]:
            coef_columns = _columns(self.coef_[sl])
            para_columns = np.ascontiguousarray(self._paragraph_columns()[:, sl])
            cache[2][key] = (coef_columns, para_columns, np.hstack([para_columns, coef_columns]))
        return cache[2][key]

    def predict_proba(self, texts, resolution=None) -> np.ndarray:
        """Calibrated probabilities, one row per text; columns = ``self.labels(resolution)``.

        With ``resolution=None`` and a model of several resolutions, the columns are all ``classes_``.
        """
        self._check_fitted()
        if isinstance(texts, str):
            texts = [texts]
        if resolution is None and len(self.class_slices_) > 1:
            return self.scores(list(texts))[0]
        return self.scores(list(texts), resolution if resolution is not None else next(iter(self.class_slices_)))[0]

    def predict(self, texts, resolution=None) -> list[list[str]]:
        """Paragraph ids whose score reaches their cross-validated threshold, per text."""
        proba = self.predict_proba(texts, resolution)
        sl = self._slice(resolution) if (resolution is not None or len(self.class_slices_) == 1) else slice(None)
        ids = [pid for _, pid in self.classes_[sl]]
        thr = self.thresholds_[sl]
        return [[ids[j] for j in np.flatnonzero(row >= thr)] for row in proba]

    def labels(self, resolution=None) -> list[str]:
        """The paragraph ids scored for a resolution, in column order of ``predict_proba``."""
        self._check_fitted()
        return [pid for _, pid in self.classes_[self._slice(resolution)]]

    def suggest(self, text: str, resolution: str | None = None, k: int = 3, specific: bool = True) -> list[Suggestion]:
        """The ``k`` most likely paragraphs of ``resolution`` for ``text``, best first (k=None: all).

        ``specific=True`` (default): the most specific paragraphs, as a person tagging would name them. The
        score is the probability that the paragraph is right as tagged (it is tagged, or lies inside a
        tagged paragraph). A sub-paragraph implies its parent, so the parent of a suggested sub-paragraph
        takes no slot of its own; a parent is suggested when it is likelier as a whole than any of its
        sub-paragraphs (which may then follow it). ``k=None``: every paragraph not implied by one above.
        ``specific=False``: every paragraph ranked by ``predict_proba`` (a sub-paragraph counts towards its
        parent, so OP4 scores at least about as high as OP4.b).
        """
        return self.suggest_many([text], resolution, k, specific=specific)[0]

    def suggest_many(self, texts: Sequence[str], resolution=None, k: int | None = 3,
                     specific: bool = True) -> list[list[Suggestion]]:
        """``suggest`` for many texts of one resolution, scored in one pass."""
        self._check_fitted()
        sl = self._slice(resolution)
        block = self._block(sl)
        bounds, indices, data = self.features_._count([clean_text(t) for t in texts])
        products, gathered = _gathered_row_products((bounds[::2], indices, data), block.columns)
        proba = block.calibrate(block.pair_features(products, self.blend))
        if specific:
            scores, thresholds = block.specific(proba).tolist(), self.specific_thresholds_[sl].tolist()
        else:
            scores, thresholds = proba.tolist(), self.thresholds_[sl].tolist()
        ids, vocabulary, out = block.ids, self.features_.word_vocabulary, []
        terms, contributions = block.word_contributions(indices, data, gathered, self.features_.n_word, bounds)
        first = 0
        for row, row_scores in enumerate(scores):
            # best first, ties by position (as a stable argsort of -scores)
            order = sorted(range(block.m), key=row_scores.__getitem__, reverse=True)
            if specific:
                order = self._most_specific(order, sl.start, k)
            elif k is not None:
                order = order[:k]
            last = first + bounds[2 * row + 1] - bounds[2 * row]   # the text's word-block terms
            # the contributions to the suggested paragraphs only, as lists (a Python float per number)
            chosen = contributions[first:last].take(order, axis=1).T.tolist()
            text_terms = terms[first:last]
            evidence = [block.evidence(text_terms, column, 0, last - first, vocabulary, self.evidence_size)
                        for column in chosen]
            first = last
            # (positional arguments: id, score, evidence, above_threshold)
            out.append([_new_suggestion(ids[j], round(row_scores[j], 6), why, row_scores[j] >= thresholds[j])
                        for j, why in zip(order, evidence, strict=True)])
        return out

    def _most_specific(self, order: list[int], start: int, k: int | None) -> list[int]:
        """Walk the ranking (column positions within the block starting at ``start``), skipping the
        paragraphs that enclose one already chosen: a sub-paragraph implies them. A sub-paragraph ranked
        after its own parent is kept -- it is the more specific alternative to the parent as a whole."""
        chosen: list[int] = []
        implied: set[int] = set()   # as indices into classes_, as ancestor_index_ gives them
        ancestors = self.ancestor_index_
        for j in order:
            if start + j in implied:
                continue
            chosen.append(j)
            if k is not None and len(chosen) >= k:
                break
            implied.update(ancestors[start + j])
        return chosen

    # ---------------------------------------------------------------- persistence
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

    @classmethod
    def load(cls, path=None) -> OpTagger:
        """Load a model folder (or its tagger.json); with no path, the default model in models/."""
        target = Path(path) if path is not None else default_model_dir()
        json_path = target / MODEL_JSON if target.is_dir() or target.suffix != ".json" else target
        name = str(json_path)
        if not json_path.is_file():
            raise ModelError(f"{name}: model file not found")
        try:
            meta = json.loads(json_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(f"{name}: not a readable model description ({exc})") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ModelError(f"{name}: not an opmapper tagger model")
        if meta.get("format_version") != FORMAT_VERSION:
            raise ModelError(f"{name}: model format version {meta.get('format_version')!r} is not supported "
                             f"(this opmapper reads version {FORMAT_VERSION}); retrain with `opmapper train`")
        if meta.get("json_sha256") != _json_digest(meta):
            raise ModelError(f"{name}: checksum mismatch; the model description was modified after saving")
        try:
            arrays_meta = meta["arrays"]
            npz_path = json_path.parent / arrays_meta["file"]
            npz_bytes = npz_path.read_bytes()
        except (KeyError, TypeError) as exc:
            raise ModelError(f"{name}: model description lacks {exc}") from None
        except OSError as exc:
            raise ModelError(f"{npz_path}: cannot read model arrays ({exc.strerror})") from None
        if hashlib.sha256(npz_bytes).hexdigest() != arrays_meta.get("sha256"):
            raise ModelError(f"{npz_path}: checksum mismatch; the model arrays were modified or belong to another model")
        try:
            with np.load(io.BytesIO(npz_bytes), allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
        except (ValueError, OSError, EOFError) as exc:
            raise ModelError(f"{npz_path}: unreadable model arrays ({exc})") from None
        try:
            return cls._from_parts(meta, arrays)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ModelError(f"{name}: inconsistent model ({exc})") from None

    @classmethod
    def _from_parts(cls, meta: dict, arrays: dict) -> OpTagger:
        from .resolution import Paragraph

        params = meta["params"]
        for key in ("word_ngram_range", "char_ngram_range"):
            params[key] = tuple(params[key])
        self = cls(**params)
        self.features_ = TextFeatures(meta["word_vocabulary"], arrays["word_idf"], meta["char_vocabulary"],
                                      arrays["char_idf"], self.word_ngram_range, self.char_ngram_range,
                                      meta["stop_words"], meta["word_token_pattern"])
        self.resolutions_ = {
            code: Resolution(code=code, title=r["title"],
                             paragraphs=tuple(Paragraph(**p) for p in r["paragraphs"]))
            for code, r in meta["resolutions"].items()
        }
        self.classes_ = [(code, pid) for code, r in meta["resolutions"].items() for pid in r["labels"]]
        self._index_classes()
        n_classes, n_features = len(self.classes_), self.features_.n_features
        if tuple(arrays["coef"].shape) != (n_classes, n_features):
            raise ValueError(f"coef has shape {arrays['coef'].shape}, expected {(n_classes, n_features)}")
        if arrays["word_idf"].shape != (self.features_.n_word,):
            raise ValueError("word idf does not match the word vocabulary")
        if arrays["char_idf"].shape != (len(self.features_.char_vocabulary),):
            raise ValueError("char idf does not match the character vocabulary")
        self.coef_ = arrays["coef"]
        self.intercept_ = arrays["intercept"].astype(np.float64)
        self.has_model_ = arrays["has_model"].astype(bool)
        self.paragraph_matrix_ = sp.csr_matrix(
            (arrays["paragraph_data"].astype(np.float64), arrays["paragraph_indices"], arrays["paragraph_indptr"]),
            shape=(n_classes, n_features))
        self.thresholds_ = np.asarray(meta["thresholds"], dtype=np.float64)
        self.calibration_ = arrays["calibration"].astype(np.float64)
        self.prior_ = arrays["prior"].astype(np.float64)
        self.specific_calibration_ = arrays["specific_calibration"].astype(np.float64)
        self.specific_thresholds_ = np.asarray(meta["specific_thresholds"], dtype=np.float64)
        for name_, arr, n in (("specific_calibration", self.specific_calibration_, N_SPECIFIC),
                              ("specific_thresholds", self.specific_thresholds_, n_classes),("intercept", self.intercept_, n_classes), ("has_model", self.has_model_, n_classes),
                              ("thresholds", self.thresholds_, n_classes), ("prior", self.prior_, n_classes),
                              ("calibration", self.calibration_, N_CALIBRATION)):
            if arr.shape != (n,):
                raise ValueError(f"{name_} has shape {arr.shape}, expected ({n},)")
        self.n_training_texts_ = meta["training"]["n_texts"]
        self.training_sha256_ = meta["training"]["sha256"]
        return self


# --------------------------------------------------------------------------- scoring one resolution
class _BlockScorer:
    """Scores the paragraphs of one resolution (a block of ``classes_``) for the few texts of one call.

    The same floating-point operations on the same values, in the same order, as ``OpTagger._features``,
    ``_calibrate``, ``_specific_features`` and ``_calibrate_specific``, so the scores are the same bits. For
    the one to six short texts of a report the number of numpy calls, not the arithmetic, is the cost: so
    what does not depend on the texts (the block's slices of the model's arrays, the constant columns of
    the feature arrays, its families of paragraphs) is made once, the feature arrays are written column by
    column into one array, and the evidence of a few words is weighed in plain Python.
    """

    def __init__(self, tagger: OpTagger, sl: slice) -> None:
        start, stop = sl.start, sl.stop
        m = stop - start
        self.stop, self.m = stop, m
        self.ids = [pid for _, pid in tagger.classes_[sl]]
        self.columns = tagger._columns_for(sl)[2]          # paragraph columns | coefficient columns
        self.intercept = tagger.intercept_[sl].copy()
        self.has_f = tagger.has_model_[sl].astype(np.float64)
        self.has = self.has_f > 0
        self.no_model = 1.0 - self.has_f
        # every paragraph has a classifier (so far always so for the shipped model): x has_f multiplies by
        # 1.0, x no_model by 0.0, and the wording-only calibration is never chosen, so all are skipped
        self.all_have_models = bool(self.has.all())
        self.is_parent, parents, kids = tagger._family(sl)
        self.parents, self.kids = (parents, kids) if len(parents) else (None, None)
        # per parent its sub-paragraphs, flat: one ``take`` gathers them (a fancy index costs several times more)
        self.kids_flat = kids.ravel() if len(parents) else None
        # n texts -> flat positions in the feature arrays of the cells the families fill (see _cells)
        self.cells: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        # the pair features that do not depend on the text; columns 2 (sim) and 6 start at 0.0
        pair = np.zeros((m, N_PAIR_FEATURES))
        pair[:, 1] = self.has_f
        pair[:, 5] = tagger.prior_[sl]
        pair[:, 7] = self.is_parent
        self.pair_template = pair
        w = tagger.calibration_
        self.w_model, self.b_model = w[:N_PAIR_FEATURES], w[N_PAIR_FEATURES]
        self.w_wording, self.b_wording = w[N_PAIR_FEATURES + 1:-1], w[-1]
        # the specific features that do not depend on the text; columns 3 and 4 start at 0.0
        parent = tagger.parent_index_[sl] - start
        spec = np.zeros((m, N_SPECIFIC_FEATURES))
        spec[:, 1] = self.is_parent
        spec[:, 5] = (parent >= 0).astype(np.float64)
        self.specific_template = spec
        self.children = np.flatnonzero(parent >= 0)         # sub-paragraphs and their parents, for column 4
        self.their_parents = parent[self.children]
        ws = tagger.specific_calibration_
        self.w_specific, self.b_specific = ws[:N_SPECIFIC_FEATURES], ws[N_SPECIFIC_FEATURES]
        # word-block column -> (its term, the term's words), filled as evidence cites terms
        self.term_words: dict[int, tuple[str, frozenset[str]]] = {}

    def _cells(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Flat positions, for ``n`` texts, of pair feature 6 of each parent and of specific features 3 of
        each parent and 4 of each sub-paragraph, text after text: ``ndarray.put`` fills them from the
        values in that order, as ``out[:, parents, 6] = values`` would (but cheaper)."""
        found = self.cells.get(n)
        if found is None:
            m = self.m
            rows = np.arange(n, dtype=np.int64)[:, None] * m
            parents = self.parents if self.parents is not None else np.zeros(0, dtype=np.int64)
            found = (((rows + parents) * N_PAIR_FEATURES + 6).ravel(),
                     ((rows + parents) * N_SPECIFIC_FEATURES + 3).ravel(),
                     ((rows + self.children) * N_SPECIFIC_FEATURES + 4).ravel())
            if n <= 64:
                self.cells[n] = found
        return found

    def _best_kid(self, values: np.ndarray) -> np.ndarray:
        """Per text and parent, the highest of ``values`` (texts x paragraphs) over its sub-paragraphs:
        ``values[:, kids].max(axis=-1)``."""
        n, (parents, width) = len(values), self.kids.shape
        return np.maximum.reduce(values.take(self.kids_flat, axis=1).reshape(n, parents, width), axis=-1)

    def pair_features(self, products: np.ndarray, blend: float) -> np.ndarray:
        """``OpTagger._features`` from ``products``: text x paragraph wording | text x coefficients.

        The columns of ``out`` are strided views, which numpy's loops handle at about twice the cost of
        contiguous arrays: the chains of operations (sigmoid, clipping) run on contiguous arrays, and
        each result is copied into its column once."""
        m = self.m
        cosine, raw_margin = products[:, :m], products[:, m:]
        out = np.empty((len(products), m, N_PAIR_FEATURES))
        out[...] = self.pair_template
        top = np.maximum.reduce(cosine, axis=1, keepdims=True)
        sim = out[..., 2]
        np.divide(cosine, top, out=sim, where=top > 0)
        margin = raw_margin + self.intercept   # a new, contiguous array
        every = self.all_have_models
        if every:
            scaled = np.maximum(margin, -10.0)
            np.minimum(scaled, 10.0, out=scaled)
            np.divide(scaled, 10.0, out=scaled)
            out[..., 8] = scaled
        else:
            np.divide(self.has_f * _clip(margin, -10.0, 10.0), 10.0, out=out[..., 8])
        if blend == 0.0:
            # (1 - 0) x s + 0 x sim is s: 1 x s is s, the similarity is finite so 0 x sim is 0.0, and s + 0.0
            # is s for the sigmoid's positive s
            if every:   # x has_f multiplies by 1.0; the margin is not needed any more
                blended = _sigmoid(margin, out=margin)
            else:
                blended = np.multiply(self.has_f, _sigmoid(margin))
        else:
            blended = np.multiply(self.has_f, (1.0 - blend) * _sigmoid(margin) + blend * sim)
        out[..., 0] = blended
        if not every:   # else sim x 0.0: the similarity is >= 0, so the template's 0.0
            np.multiply(sim, self.no_model, out=out[..., 3])
        out[..., 4] = cosine
        if self.parents is not None:
            out.put(self._cells(len(out))[0], self._best_kid(np.maximum(blended, sim)))
        np.multiply(blended, sim, out=out[..., 9])
        return out

    def calibrate(self, feats: np.ndarray) -> np.ndarray:
        """``OpTagger._calibrate``; the sigmoid is taken after choosing between the two calibrations, not
        of both (it is elementwise: the same numbers)."""
        with_model = feats @ self.w_model
        with_model += self.b_model
        if self.all_have_models:
            return _sigmoid(with_model, out=with_model)
        wording_only = feats[..., SIMILARITY_FEATURES] @ self.w_wording + self.b_wording
        return _sigmoid(np.where(self.has, with_model, wording_only))

    def specific(self, proba: np.ndarray) -> np.ndarray:
        """``OpTagger._calibrate_specific(OpTagger._specific_features(proba, block))``."""
        out = np.empty((*proba.shape, N_SPECIFIC_FEATURES))
        out[...] = self.specific_template
        # log(clip(p)) - log(clip(1 - p)), with p and 1 - p side by side: one clip and one log for both
        both = np.empty((2, *proba.shape))
        both[0] = proba
        np.subtract(1.0, proba, out=both[1])
        np.maximum(both, 1e-6, out=both)
        np.minimum(both, 1 - 1e-6, out=both)
        np.log(both, out=both)
        logit = out[..., 0]
        np.subtract(both[0], both[1], out=logit)
        np.multiply(self.is_parent, logit, out=out[..., 2])
        cells = self._cells(len(out))
        if self.parents is not None:
            out.put(cells[1], self._best_kid(logit))
        if len(self.children):
            out.put(cells[2], logit.take(self.their_parents, axis=1))
        z = out @ self.w_specific
        z += self.b_specific
        return _sigmoid(z, out=z)

    def word_contributions(self, indices: np.ndarray, data: np.ndarray, gathered: np.ndarray,
                           n_word: int, bounds: Sequence[int] | None = None) -> tuple[list[int], np.ndarray]:
        """How much each word-block term of the texts (``indices``/``data`` of their rows, ``gathered``
        their rows of the block's columns) pushes each paragraph's score up: its weight in the paragraph's
        classifier plus its share of the text's similarity to the paragraph's wording. Returns the terms
        and their contributions (a row per term, a column per paragraph), texts one after the other.
        ``bounds`` (optional, from ``TextFeatures._count``) lets one text's word terms, its first ones, be
        taken as a slice."""
        m = self.m
        if bounds is not None and len(bounds) == 3:
            words = slice(0, bounds[1])
            weights, rows, terms = data[words], gathered[words], indices[words]
        else:
            is_word = indices < n_word
            weights, rows, terms = data[is_word], gathered[is_word], indices[is_word]
        contrib = (10.0 * weights)[:, None] * rows[:, :m]
        if self.all_have_models:   # the same sums, without the masked add's slower loop
            contrib += weights[:, None] * rows[:, m:]
        else:
            np.add(contrib, weights[:, None] * rows[:, m:], out=contrib, where=self.has)
        return terms.tolist(), contrib

    def evidence(self, terms: list[int], contrib: list[float], first: int, last: int, vocabulary: Sequence[str],
                 size: int) -> tuple[str, ...]:
        """The words of one text (its terms are ``terms[first:last]``) whose presence pushed a paragraph's
        score up most (``contrib``: per term, from ``word_contributions``), strongest first; a term that
        adds no word not already cited is skipped."""
        chosen: list[str] = []
        covered: set[str] = set()
        term_words = self.term_words
        # strongest first, ties by position (as a stable argsort of -contrib)
        for pos in sorted(range(first, last), key=contrib.__getitem__, reverse=True):
            if contrib[pos] <= 0 or len(chosen) >= size:
                break
            found = term_words.get(terms[pos])
            if found is None:
                term = vocabulary[terms[pos]]
                found = term_words[terms[pos]] = (term, frozenset(term.split()))
            term, words = found
            if not covered.isdisjoint(words):
                continue
            chosen.append(term)
            covered |= words
        return tuple(chosen)


# --------------------------------------------------------------------------- helpers
def _row_products(rows: tuple[np.ndarray, np.ndarray, np.ndarray], columns: np.ndarray) -> np.ndarray:
    """The CSR rows (indptr, indices, data) times dense ``columns`` (see ``_gathered_row_products``)."""
    return _gathered_row_products(rows, columns)[0]


def _gathered_row_products(rows: tuple[np.ndarray, np.ndarray, np.ndarray],
                           columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR rows (indptr, indices, data) times dense ``columns``, without building a sparse matrix.

    scipy's sparse x dense product adds each row's terms one after the other in stored order, starting
    from 0.0. numpy's sum down the first axis of a C-ordered array of two or more columns adds the rows
    one after the other too (pairwise summation applies only along the contiguous axis, and so would with
    a single column; ``np.add.reduceat`` does not keep the order either): the same additions, so the same
    bits. Adding 0.0 at the end turns the one possible difference, a -0.0 where every term is a zero, into
    scipy's 0.0.

    Also returns the rows of ``columns`` gathered for the terms (``columns[indices]``, before they are
    weighted), for whoever wants to look at single terms.
    """
    indptr, indices, data = rows
    if columns.shape[1] < 2:
        raise ValueError("_row_products keeps scipy's order of additions only for two or more columns")
    gathered = columns.take(indices, axis=0)
    terms = gathered * data[:, None]
    if len(indptr) == 2 and indptr[0] == 0 and indptr[1] == len(indices):
        # one text, whose terms are all the terms (none: the sum of nothing, 0.0)
        out = np.add.reduce(terms, axis=0, keepdims=True)
        out += 0.0
        return out, gathered
    out = np.zeros((len(indptr) - 1, columns.shape[1]))
    for row, (lo, hi) in enumerate(pairwise(indptr.tolist() if isinstance(indptr, np.ndarray) else indptr)):
        if hi > lo:
            np.add.reduce(terms[lo:hi], axis=0, out=out[row])
    out += 0.0
    return out, gathered


def _columns(coef: np.ndarray) -> np.ndarray:
    """Coefficients as contiguous float64 columns (features x classes), the fast layout for X @ W."""
    return np.ascontiguousarray(coef.T, dtype=np.float64)


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


def _json_digest(meta: dict) -> str:
    body = {k: v for k, v in meta.items() if k != "json_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _training_digest(texts, labels, codes, resolutions: Mapping[str, Resolution]) -> str:
    h = hashlib.sha256()
    for text, labs, code in zip(texts, labels, codes, strict=True):
        h.update(json.dumps([text, sorted(labs), str(code)], ensure_ascii=False).encode("utf-8"))
    for code, res in resolutions.items():
        h.update(json.dumps([code, [(p.id, p.text) for p in res.paragraphs]], ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()

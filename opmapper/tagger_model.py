"""The fitted OP tagger as it is used: load a saved model and score texts with it.

``TaggerModel`` holds what ``opmapper.tagger.OpTagger`` learns and everything that scoring needs:
loading ``models/`` (tagger.json + tagger.npz), the TF-IDF features of a text, the calibrated scores,
``suggest`` and ``predict``. ``OpTagger`` is a ``TaggerModel`` that can also be fitted and saved (a
scikit-learn estimator); see ``opmapper.tagger`` for the method.

Why a module of its own: scoring needs numpy and scipy.sparse only, but importing scikit-learn (which
``OpTagger``, a ``BaseEstimator``, and the vectorisers that fit the vocabularies need) takes about a
quarter of the start-up of every opmapper command and of every batch worker. So the n-gram analysers
that turn a text into the model's terms are written out here (``word_ngrams``, ``char_wb_ngrams``:
scikit-learn's ``CountVectorizer`` analysers for the settings the tagger uses, which a test compares
with scikit-learn's own on the corpus), and nothing here imports scikit-learn until a model is fitted.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise
from operator import is_
from pathlib import Path

import numpy as np

from ._imports import lean_scientific_imports
from ._records import Record, record_maker
from .errors import ModelError
from .references import strip_references
from .resolution import Resolution

# scipy.sparse brings in modules that scoring never calls: see UNUSED_BY_SCORING.
with lean_scientific_imports():
    import scipy.sparse as sp

FORMAT = "opmapper-tagger"
FORMAT_VERSION = 2   # 2: adds the specific-suggestion calibration and thresholds
MODEL_JSON = "tagger.json"
MODEL_NPZ = "tagger.npz"
# A word needs a letter: counts and years ("2023", "000") say nothing about which paragraph is meant.
WORD_TOKEN_PATTERN = r"(?u)\b(?=\w*[^\W\d_])\w\w+\b"
N_PAIR_FEATURES = 10
SIMILARITY_FEATURES = [2, 4]   # scaled and raw cosine similarity to the paragraph's wording
N_CALIBRATION = N_PAIR_FEATURES + 1 + len(SIMILARITY_FEATURES) + 1
N_SPECIFIC_FEATURES = 6   # see TaggerModel._specific_features
N_SPECIFIC = N_SPECIFIC_FEATURES + 1
CHAR_COLUMN_CACHE_SIZE = 50_000  # distinct words (whitespace-separated chunks) whose n-gram columns TextFeatures keeps


@dataclass(frozen=True)
class Suggestion(Record):
    id: str                       # "OP4.b"
    score: float                  # calibrated probability (see TaggerModel.suggest for which event)
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


def clean_text(text: str) -> str:
    """The text the model sees: explicit paragraph references removed."""
    return strip_references(text or "")


def word_ngrams(token_pattern: str, stop_words: Sequence[str], ngram_range: tuple[int, int]) -> Callable[[str], list[str]]:
    """The word analyser of scikit-learn's ``CountVectorizer(token_pattern=..., stop_words=...,
    ngram_range=...)`` (lowercase, no accent stripping): the terms of a text, in order -- its tokens
    lowercased, stop words left out, then the n-grams of the remaining tokens, n by n."""
    tokens_of = re.compile(token_pattern)
    if tokens_of.groups > 1:
        raise ValueError("more than one group in the token pattern")
    findall, stop = tokens_of.findall, frozenset(stop_words)
    min_n, max_n = ngram_range

    def analyse(text: str) -> list[str]:
        tokens = findall(text.lower())
        if stop:
            tokens = [t for t in tokens if t not in stop]
        if max_n == 1:
            return tokens
        terms = list(tokens) if min_n == 1 else []
        for n in range(max(min_n, 2), min(max_n, len(tokens)) + 1):
            terms += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
        return terms

    return analyse


def char_wb_ngrams(word: str, ngram_range: tuple[int, int]) -> list[str]:
    """The char_wb n-grams of one (lowercased) word, as scikit-learn's ``CountVectorizer(analyzer="char_wb")``
    makes them for each word of a text: of the word padded with a space on each side, n by n; a padded
    word shorter than n gives itself once, and no longer n-grams."""
    padded = f" {word} "
    grams: list[str] = []
    min_n, max_n = ngram_range
    for n in range(min_n, max_n + 1):
        if len(padded) <= n:
            grams.append(padded)
            break
        grams += [padded[i:i + n] for i in range(len(padded) - n + 1)]
    return grams


class _Analysers:
    """What counting n-grams needs, made once per TextFeatures (on first use): the word analyser, the
    vocabularies as dicts, and the idf of both blocks end to end."""

    def __init__(self, features: TextFeatures) -> None:
        self.word = word_ngrams(features.token_pattern, features.stop_words, features.word_ngram_range)
        self.word_vocabulary = {t: i for i, t in enumerate(features.word_vocabulary)}
        self.char_vocabulary = {t: i for i, t in enumerate(features.char_vocabulary)}
        self.idf = np.concatenate([features.word_idf, features.char_idf])
        self.char_columns: dict[str, bytes] = {}   # word -> its char n-gram columns (int64 bytes)
        self.block_starts: dict[int, np.ndarray] = {}   # n texts -> [0, n_word, nf, nf + n_word, ..., n x nf]
        # The default token pattern matches runs of word characters, and its \b and lookahead look at word
        # characters only: a text's tokens are those of its whitespace-separated chunks (str.split's
        # whitespace is never a word character), one chunk after the other. So the tokens, the columns of
        # the unigrams among them and the chunk's char n-gram columns are made once per distinct chunk
        # (chunks recur from report to report), and only the n-grams that span tokens are looked up per
        # text: by their tokens as a tuple (tokens hold no space, so a term's tokens are term.split(" ")).
        self.by_chunk = features.token_pattern == WORD_TOKEN_PATTERN
        self.tokens_of = re.compile(features.token_pattern).findall
        self.stop_words = frozenset(features.stop_words)
        self.chunk_columns: dict[str, bytes] = {}      # chunk -> its char n-gram and unigram columns (int64 bytes)
        self.chunk_tokens: dict[str, tuple[str, ...]] = {}   # chunk -> its tokens that are not stop words
        self.ngram_columns = {tuple(t.split(" ")): i for t, i in self.word_vocabulary.items() if " " in t}


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
        self.word_ngram_range = tuple(word_ngram_range)
        self.char_ngram_range = tuple(char_ngram_range)
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
        from sklearn.feature_extraction.text import TfidfVectorizer  # fitting only: not imported to score

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
        once per distinct word and kept (words recur from report to report), not once per occurrence.
        (scikit-learn's char_wb analyser first folds runs of whitespace into one space; splitting on
        whitespace gives the same words without it.)"""
        an = self._prepared()
        cache = an.char_columns
        words = text.lower().split()
        try:
            return b"".join(map(cache.__getitem__, words))
        except KeyError:   # a word not seen yet (rare once the cache is warm)
            if len(cache) > CHAR_COLUMN_CACHE_SIZE:
                cache.clear()
            vocab, offset, ngram_range = an.char_vocabulary.get, self.n_word, self.char_ngram_range
            for word in words:
                if word not in cache:
                    cache[word] = array("q", [offset + j for j in map(vocab, char_wb_ngrams(word, ngram_range))
                                              if j is not None]).tobytes()
            return b"".join(map(cache.__getitem__, words))

    def _chunk_columns(self, text: str) -> tuple[bytes, list[str]]:
        """For the default token pattern: the columns (int64 bytes) of the char_wb n-grams and of the word
        unigrams of ``text``, and its tokens that are not stop words, in order -- made from those of its
        whitespace-separated chunks (see ``_Analysers``)."""
        an = self._prepared()
        chunk_columns, chunk_tokens = an.chunk_columns, an.chunk_tokens
        chunks = text.lower().split()
        try:
            columns = b"".join(map(chunk_columns.__getitem__, chunks))
        except KeyError:   # a chunk not seen yet (rare once the cache is warm)
            if len(chunk_columns) > CHAR_COLUMN_CACHE_SIZE:
                chunk_columns.clear()
                chunk_tokens.clear()
            char_column, word_column, offset = an.char_vocabulary.get, an.word_vocabulary.get, self.n_word
            tokens_of, stop, ngram_range = an.tokens_of, an.stop_words, self.char_ngram_range
            unigrams = self.word_ngram_range[0] == 1
            for chunk in chunks:
                if chunk not in chunk_columns:
                    tokens = tuple(t for t in tokens_of(chunk) if t not in stop)
                    found = [offset + j for j in map(char_column, char_wb_ngrams(chunk, ngram_range)) if j is not None]
                    if unigrams:
                        found += [j for j in map(word_column, tokens) if j is not None]
                    chunk_columns[chunk] = array("q", found).tobytes()
                    chunk_tokens[chunk] = tokens
            columns = b"".join(map(chunk_columns.__getitem__, chunks))
        return columns, list(chain.from_iterable(map(chunk_tokens.__getitem__, chunks)))

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
        every text becomes one key (row x n_features + column), and one sort counts them all (so the keys
        of a text may come in any order: with the default token pattern, chunk by chunk, see ``_Analysers``).
        """
        an = self._prepared()
        word_an, word_column = an.word, an.word_vocabulary.get
        n_texts, n_features = len(texts), self.n_features
        columns = array("q")
        counts = []
        if an.by_chunk:
            ngram_column = an.ngram_columns.get
            min_n, max_n = self.word_ngram_range
            for text in texts:
                before = len(columns)
                found, tokens = self._chunk_columns(text)
                columns.frombytes(found)
                # the n-grams that span tokens, by their tokens (most are out of vocabulary)
                for n in range(max(min_n, 2), min(max_n, len(tokens)) + 1):
                    ngrams = zip(*[tokens[i:] for i in range(n)], strict=False)   # up to the last whole n-gram
                    columns.extend([j for j in map(ngram_column, ngrams) if j is not None])
                counts.append(len(columns) - before)
        else:
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
        data += _ONE
        data *= an.idf.take(indices)
        bounds = keys.searchsorted(self._block_starts(n_texts)).tolist()
        # each block is l2-normalised, x 1/sqrt(2): the norm of each by BLAS's dot, as numpy's l2 norm of a
        # vector would; the factors then multiply the blocks in one pass
        scale = 1.0 / math.sqrt(2.0)
        factors, lengths = [], []
        for lo, hi in pairwise(bounds):
            w = data[lo:hi]
            # tf-idf weights are >= 1, so a non-empty block has a positive norm
            # (ndarray.dot: np.dot's computation without its dispatch)
            factors.append(scale / math.sqrt(w.dot(w)) if hi > lo else 0.0)
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


def _constant(value: float) -> np.ndarray:
    """``value`` as a read-only 0-d float64 array, for the scalar operand of a ufunc on float64 arrays: the
    same float64 loop and the same numbers as with the Python float, without the conversion of the float
    that a ufunc makes on every call (about a fifth of the cost of a call on a report's few numbers)."""
    out = np.array(value, dtype=np.float64)
    out.flags.writeable = False
    return out


_ZERO, _ONE, _TEN = _constant(0.0), _constant(1.0), _constant(10.0)
_SIGMOID_LO, _SIGMOID_HI = _constant(-35.0), _constant(35.0)      # the sigmoid's clip
_MARGIN_LO, _MARGIN_HI = _constant(-10.0), _constant(10.0)        # the scaled margin's clip
_P_LO, _P_HI = _constant(1e-6), _constant(1 - 1e-6)               # the clip of a probability before its log


def _clip(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """``np.clip`` as its two ufuncs (the same values, NaN included): on the few numbers of one report
    np.clip's Python-level argument handling costs more than the clipping."""
    return np.minimum(np.maximum(x, lo), hi)


def _sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """1 / (1 + exp(-clip(z, -35, 35))), each step written into ``out`` (a new array when None; may be
    ``z``): the same operations, without an array per step."""
    out = np.maximum(z, _SIGMOID_LO, out=out)
    np.minimum(out, _SIGMOID_HI, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.add(_ONE, out, out=out)
    return np.divide(_ONE, out, out=out)


class TaggerModel:
    """A fitted OP tagger: the learned state (attributes ending in ``_``) and everything that scores with
    it. ``TaggerModel.load()`` reads a saved model without importing scikit-learn; ``OpTagger`` (in
    ``opmapper.tagger``) adds ``fit`` and ``save``.

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

    def _paragraph_columns(self) -> np.ndarray:
        """The paragraph vectors as dense float64 columns (features x classes), cached: X @ them is fast."""
        cache = getattr(self, "_para_columns", None)
        if cache is None or cache[0] is not self.paragraph_matrix_:
            cache = (self.paragraph_matrix_, np.ascontiguousarray(self.paragraph_matrix_.T.toarray()))
            self._para_columns = cache
        return cache[1]

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

    def _calibrate_specific(self, feats) -> np.ndarray:
        w = self.specific_calibration_
        return _sigmoid(feats @ w[:N_SPECIFIC_FEATURES] + w[N_SPECIFIC_FEATURES])

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ModelError(f"this {type(self).__name__} is not fitted; load() a saved model or OpTagger.fit() one")

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
                 self.calibration_, self.specific_calibration_, self.families_, self.thresholds_,
                 self.specific_thresholds_)
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
            scores, thresholds = block.specific(proba).tolist(), block.specific_thresholds
        else:
            scores, thresholds = proba.tolist(), block.thresholds
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
            # the contributions to the suggested paragraphs only, a row per paragraph, as lists (a Python
            # float per number), and each row's terms strongest first, ties by position: one stable argsort
            # of them all costs less than a sort of each list
            chosen = contributions[first:last].take(order, axis=1).T
            rankings = np.negative(chosen).argsort(axis=1, kind="stable").tolist()
            text_terms = terms[first:last]
            evidence = [block.evidence(text_terms, column, ranking, vocabulary, self.evidence_size)
                        for column, ranking in zip(chosen.tolist(), rankings, strict=True)]
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

    @classmethod
    def load(cls, path=None) -> TaggerModel:
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
    def _from_parts(cls, meta: dict, arrays: dict) -> TaggerModel:
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


class _BlockScorer:
    """Scores the paragraphs of one resolution (a block of ``classes_``) for the few texts of one call.

    The same floating-point operations on the same values, in the same order, as ``TaggerModel._features``,
    ``_calibrate``, ``_specific_features`` and ``_calibrate_specific``, so the scores are the same bits. For
    the one to six short texts of a report the number of numpy calls, not the arithmetic, is the cost: so
    what does not depend on the texts (the block's slices of the model's arrays, the constant columns of
    the feature arrays, its families of paragraphs) is made once, the feature arrays are written column by
    column into one array, and the evidence of a few words is weighed in plain Python.
    """

    def __init__(self, tagger: TaggerModel, sl: slice) -> None:
        start, stop = sl.start, sl.stop
        m = stop - start
        self.stop, self.m = stop, m
        self.ids = [pid for _, pid in tagger.classes_[sl]]
        self.thresholds = tagger.thresholds_[sl].tolist()
        self.specific_thresholds = tagger.specific_thresholds_[sl].tolist()
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
        """``TaggerModel._features`` from ``products``: text x paragraph wording | text x coefficients.

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
            scaled = np.maximum(margin, _MARGIN_LO)
            np.minimum(scaled, _MARGIN_HI, out=scaled)
            np.divide(scaled, _TEN, out=scaled)
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
        """``TaggerModel._calibrate``; the sigmoid is taken after choosing between the two calibrations, not
        of both (it is elementwise: the same numbers)."""
        with_model = feats @ self.w_model
        with_model += self.b_model
        if self.all_have_models:
            return _sigmoid(with_model, out=with_model)
        wording_only = feats[..., SIMILARITY_FEATURES] @ self.w_wording + self.b_wording
        return _sigmoid(np.where(self.has, with_model, wording_only))

    def specific(self, proba: np.ndarray) -> np.ndarray:
        """``TaggerModel._calibrate_specific(TaggerModel._specific_features(proba, block))``."""
        out = np.empty((*proba.shape, N_SPECIFIC_FEATURES))
        out[...] = self.specific_template
        # log(clip(p)) - log(clip(1 - p)), with p and 1 - p side by side: one clip and one log for both
        both = np.empty((2, *proba.shape))
        both[0] = proba
        np.subtract(_ONE, proba, out=both[1])
        np.maximum(both, _P_LO, out=both)
        np.minimum(both, _P_HI, out=both)
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
        contrib = (_TEN * weights)[:, None] * rows[:, :m]
        if self.all_have_models:   # the same sums, without the masked add's slower loop
            contrib += weights[:, None] * rows[:, m:]
        else:
            np.add(contrib, weights[:, None] * rows[:, m:], out=contrib, where=self.has)
        return terms.tolist(), contrib

    def evidence(self, terms: list[int], contrib: list[float], ranking: list[int], vocabulary: Sequence[str],
                 size: int) -> tuple[str, ...]:
        """The words of one text (its word-block ``terms``) whose presence pushed a paragraph's score up most
        (``contrib``: per term, from ``word_contributions``), strongest first; a term that adds no word not
        already cited is skipped. ``ranking``: the positions of the terms strongest first, ties by position
        (a stable argsort of -contrib)."""
        chosen: list[str] = []
        covered: set[str] = set()
        term_words = self.term_words
        for pos in ranking:
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
        out += _ZERO
        return out, gathered
    out = np.zeros((len(indptr) - 1, columns.shape[1]))
    for row, (lo, hi) in enumerate(pairwise(indptr.tolist() if isinstance(indptr, np.ndarray) else indptr)):
        if hi > lo:
            np.add.reduce(terms[lo:hi], axis=0, out=out[row])
    out += _ZERO
    return out, gathered


def _columns(coef: np.ndarray) -> np.ndarray:
    """Coefficients as contiguous float64 columns (features x classes), the fast layout for X @ W."""
    return np.ascontiguousarray(coef.T, dtype=np.float64)


def _json_digest(meta: dict) -> str:
    body = {k: v for k, v in meta.items() if k != "json_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()

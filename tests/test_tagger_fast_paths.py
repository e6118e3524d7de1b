"""The tagger's fast paths give, bit for bit, what the general code they stand in for gives.

``TextFeatures._count`` counts n-grams by one sort of keys and per-word char n-gram columns instead of the
vectorisers' ``transform``; ``_BlockScorer`` scores one resolution with its constants made once and the
evidence weighed in plain Python, instead of ``OpTagger._features`` / ``_calibrate`` /
``_specific_features`` / ``_calibrate_specific`` on a scipy product and the numpy evidence of earlier
versions (kept below as the reference). Scores are compared by their bytes: they are written with full
precision into reports.jsonl.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest
from corpus_samples import with_random_edits

from opmapper.report import parse_report
from opmapper.tagger import WORD_TOKEN_PATTERN, OpTagger, Suggestion, clean_text, load_training_data
from opmapper.tagger_model import char_wb_ngrams, word_ngrams

ROOT = Path(__file__).resolve().parents[1]
REPORTS = sorted((ROOT / "corpus" / "reports").rglob("*.txt"))


def _texts() -> list[str]:
    """Activity descriptions and sentences of a sample of corpus reports, and odd texts."""
    out: list[str] = []
    for path in REPORTS[::5]:
        text = path.read_text(encoding="utf-8")
        report = parse_report(text, claims=False)
        out += [a.description.text for a in (*report.activities, *report.future_actions)
                if a.description is not None and a.description.text.strip()]
        out += [s for s in text.replace("\n", ". ").split(". ") if len(s) > 40][:8]
    out += ["", "   ", "2023 000", "[OP4.b]", "Rangers\u00a0trained  \t twice\n\nin\u2003the  park.",
            "Ünïcödé wörds — and “quotes”, e.g. O'Brien's 3,400 km² of reef."]
    return list(dict.fromkeys(out))


TEXTS = _texts()


@pytest.fixture(scope="module")
def shipped() -> OpTagger:
    return OpTagger.load()


@pytest.fixture(scope="module")
def blended() -> OpTagger:
    """A small model with a blend of similarity, so every term of the pair features is exercised."""
    data = load_training_data(REPORTS[::3])
    return OpTagger(cv=3, max_char_features=4000, blend=0.3).fit(data.texts, data.labels, data.codes,
                                                                 groups=data.groups)


def _groups(texts: list[str], seed: int) -> list[list[str]]:
    """The texts in calls of one to six, as ``opmapper batch`` asks for one report."""
    rng, out, i = random.Random(seed), [], 0
    while i < len(texts):
        n = rng.randint(1, 6)
        out.append(texts[i:i + n])
        i += n
    return out


# ------------------------------------------------------------------ the general code, as it was
def _vectorisers(features):
    """scikit-learn's CountVectorizers for the word and char blocks of ``features``, with its vocabularies."""
    from sklearn.feature_extraction.text import CountVectorizer

    word = CountVectorizer(ngram_range=features.word_ngram_range, stop_words=features.stop_words or None,
                           token_pattern=features.token_pattern,
                           vocabulary={t: i for i, t in enumerate(features.word_vocabulary)})
    char = CountVectorizer(analyzer="char_wb", ngram_range=features.char_ngram_range,
                           vocabulary={t: i for i, t in enumerate(features.char_vocabulary)})
    return word, char


def _reference_rows(features, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The vectorisers' own counts: sublinear tf x idf, each block l2-normalised by BLAS's dot, x 1/sqrt(2)."""
    word_vectoriser, char_vectoriser = _vectorisers(features)
    word = word_vectoriser.transform(texts).tocsr()
    char = char_vectoriser.transform(texts).tocsr()
    indptr, indices, data = [0], [], []
    for r in range(len(texts)):
        for block, offset, idf in ((word, 0, features.word_idf), (char, features.n_word, features.char_idf)):
            row = block[r]
            order = np.argsort(row.indices)
            cols, counts = row.indices[order], row.data[order].astype(np.float64)
            w = (1.0 + np.log(counts)) * idf[cols]
            if len(w):
                w *= (1.0 / math.sqrt(2.0)) / np.sqrt(np.dot(w, w))
            indices.extend((cols + offset).tolist())
            data.append(w)
        indptr.append(len(indices))
    return np.array(indptr), np.array(indices, dtype=np.int64), np.concatenate(data)


def _reference_scores(tagger: OpTagger, texts: list[str], code: str):
    """proba and specific scores by the scipy product and the general feature functions, and the rows."""
    sl = tagger._slice(code)
    rows = _reference_rows(tagger.features_, [clean_text(t) for t in texts])
    products = np.asarray(tagger.features_.matrix(rows) @ tagger._columns_for(sl)[2])
    m = sl.stop - sl.start
    feats = tagger._features(products[:, :m], products[:, m:], tagger.intercept_, tagger.has_model_, tagger.prior_, sl)
    proba = tagger._calibrate(feats)
    return proba, tagger._calibrate_specific(tagger._specific_features(proba, sl)), feats, rows


def _reference_evidence(tagger, idx, vals, sl, classes):
    """The numpy evidence of earlier versions."""
    if len(idx) == 0:
        return [()] * len(classes)
    coef_columns, para_columns, _ = tagger._columns_for(sl)
    rows = idx[:, None]
    contrib = (10.0 * vals)[:, None] * para_columns[rows, classes]
    modelled = [pos for pos, c in enumerate(classes) if tagger.has_model_[sl.start + c]]
    if modelled:
        contrib[:, modelled] += vals[:, None] * coef_columns[rows, [classes[pos] for pos in modelled]]
    ranking = np.argsort(-contrib, axis=0, kind="stable").T.tolist()
    vocabulary = tagger.features_.word_vocabulary
    terms = idx.tolist()
    out = []
    for column, order in zip(contrib.T.tolist(), ranking, strict=True):
        chosen, covered = [], set()
        for pos in order:
            if column[pos] <= 0 or len(chosen) >= tagger.evidence_size:
                break
            term = vocabulary[terms[pos]]
            words = set(term.split())
            if words & covered:
                continue
            chosen.append(term)
            covered |= words
        out.append(tuple(chosen))
    return out


def _reference_suggest_many(tagger: OpTagger, texts: list[str], code: str, k, specific: bool):
    sl = tagger._slice(code)
    proba, spec, _, (indptr, indices, data) = _reference_scores(tagger, texts, code)
    scores, thresholds = (spec, tagger.specific_thresholds_[sl]) if specific else (proba, tagger.thresholds_[sl])
    ids = [pid for _, pid in tagger.classes_[sl]]
    ranking = np.argsort(-scores, axis=1, kind="stable").tolist()
    out = []
    for row, row_scores in enumerate(scores.tolist()):
        order = ranking[row]
        order = tagger._most_specific(order, sl.start, k) if specific else (order if k is None else order[:k])
        lo = indptr[row]
        words = lo + np.searchsorted(indices[lo:indptr[row + 1]], tagger.features_.n_word)
        evidence = _reference_evidence(tagger, indices[lo:words], data[lo:words], sl, order)
        out.append([Suggestion(id=ids[j], score=round(row_scores[j], 6), evidence=why,
                               above_threshold=row_scores[j] >= thresholds[j])
                    for j, why in zip(order, evidence, strict=True)])
    return out


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


# ------------------------------------------------------------------ the checks
def test_the_sample_is_large_and_varied():
    assert len(TEXTS) >= 120 and any(not t.strip() for t in TEXTS)


ODD_TEXTS = ["", " ", "a", "ab", "abc", "I", "x y", "OP4.b", "e.g.", "re-use re_use 3rd 2023 000 ab1 1ab",
             "Rangers\u00a0trained  \t twice\n\nin\u2003the  park.", "İstanbul ǅemal ß ﬁve ΣΑΣ",
             "Ünïcödé wörds — and “quotes”, e.g. O'Brien's 3,400 km² of reef.", "the of and to in a", "to be or not"]


def _analyser_sample() -> list[str]:
    rng = random.Random(7)
    edits = [" ", "  ", "\t", "\n", "\u00a0", "-", "'", "_", "2023", "ß", "İ", "the", "of the", "x", "km²"]
    return TEXTS + ODD_TEXTS + [with_random_edits(t, edits, 6, rng) for t in TEXTS[::4]]


@pytest.mark.parametrize("ngram_range", [(1, 2), (1, 1), (2, 2), (1, 3), (2, 4), (3, 4)])
@pytest.mark.parametrize("stop", [True, False])
def test_word_analyser_is_scikit_learns(ngram_range, stop):
    """Scoring counts words with ``word_ngrams`` (so that it need not import scikit-learn): the same terms
    in the same order as scikit-learn's analyser, whatever the n-gram range, with and without stop words."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    stop_words = sorted(ENGLISH_STOP_WORDS) if stop else []
    ours = word_ngrams(WORD_TOKEN_PATTERN, stop_words, ngram_range)
    theirs = CountVectorizer(ngram_range=ngram_range, stop_words=stop_words or None,
                             token_pattern=WORD_TOKEN_PATTERN).build_analyzer()
    for text in _analyser_sample():
        assert ours(text) == theirs(text), text


def test_word_analyser_keeps_scikit_learns_rules_for_a_group_in_the_token_pattern():
    from sklearn.feature_extraction.text import CountVectorizer

    one_group = r"\b([a-z]+)ing\b"
    ours, theirs = word_ngrams(one_group, [], (1, 2)), CountVectorizer(token_pattern=one_group, ngram_range=(1, 2))
    for text in _analyser_sample():
        assert ours(text) == theirs.build_analyzer()(text), text
    with pytest.raises(ValueError):
        word_ngrams(r"(a)(b)", [], (1, 1))


@pytest.mark.parametrize("ngram_range", [(3, 5), (1, 1), (2, 4), (1, 6), (5, 5)])
def test_char_wb_ngrams_are_scikit_learns(ngram_range):
    """``char_wb_ngrams`` of each word, one word after the other, are scikit-learn's char_wb n-grams of the
    text (short words and words exactly as long as n included)."""
    from sklearn.feature_extraction.text import CountVectorizer

    theirs = CountVectorizer(analyzer="char_wb", ngram_range=ngram_range).build_analyzer()
    for text in _analyser_sample():
        assert [g for word in text.lower().split() for g in char_wb_ngrams(word, ngram_range)] == theirs(text), text


def test_char_columns_are_the_vectorisers_char_ngrams_in_order(shipped):
    features = shipped.features_
    char = _vectorisers(features)[1]
    analyse, vocab = char.build_analyzer(), char.vocabulary
    for text in TEXTS:
        cleaned = clean_text(text)
        expected = [features.n_word + vocab[g] for g in analyse(cleaned) if g in vocab]
        assert np.frombuffer(features._char_columns(cleaned), dtype=np.int64).tolist() == expected, text


@pytest.mark.parametrize("seed", [1, 2])
def test_counted_rows_are_the_vectorisers_tf_idf(shipped, seed):
    features = shipped.features_
    for group in _groups([clean_text(t) for t in TEXTS], seed):
        bounds, indices, data = features._count(group)
        indptr, ref_indices, ref_data = _reference_rows(features, group)
        assert bounds[::2] == indptr.tolist() and bounds[-1] == len(indices)
        assert [b for b in bounds[1::2]] == [lo + int(np.searchsorted(ref_indices[lo:hi], features.n_word))
                                            for lo, hi in zip(indptr[:-1], indptr[1:], strict=True)]
        assert np.array_equal(indices, ref_indices) and _same_bits(data, ref_data), group


@pytest.mark.parametrize("model", ["shipped", "blended"])
def test_block_scores_are_the_general_scores_bit_for_bit(model, request):
    tagger = request.getfixturevalue(model)
    codes = list(tagger.class_slices_)
    for n, group in enumerate(_groups(TEXTS, 3)):
        code = codes[n % len(codes)]
        proba, spec, feats, rows = _reference_scores(tagger, group, code)
        got_spec, got_proba, _ = tagger._specific_scores(group, code)
        _, got_feats, got_rows = tagger._scores(group, code)
        assert _same_bits(got_feats, feats) and _same_bits(got_proba, proba) and _same_bits(got_spec, spec), group
        assert all(np.array_equal(a, b) for a, b in zip(got_rows, rows, strict=True))


@pytest.mark.parametrize("model", ["shipped", "blended"])
@pytest.mark.parametrize(("k", "specific"), [(3, True), (None, True), (3, False)])
def test_suggestions_are_those_of_the_general_code(model, k, specific, request):
    tagger = request.getfixturevalue(model)
    codes = list(tagger.class_slices_)
    for n, group in enumerate(_groups(TEXTS, 4)):
        code = codes[(n * 5) % len(codes)]
        assert tagger.suggest_many(group, code, k=k, specific=specific) == \
            _reference_suggest_many(tagger, group, code, k, specific), group


def test_both_ways_of_scoring_a_block_are_compared(shipped, blended):
    """The blocks whose paragraphs all have a classifier skip the wording-only calibration: the comparisons
    above cover that shortcut (every block of the shipped model) and the general way (a block of the small
    model with a paragraph scored from its wording alone)."""
    assert all(shipped._block(sl).all_have_models for sl in shipped.class_slices_.values())
    assert not all(blended._block(sl).all_have_models for sl in blended.class_slices_.values())
    assert shipped.blend == 0.0 and blended.blend != 0.0


def test_suggestion_to_dict_is_the_record_to_dict(shipped):
    from opmapper._records import Record

    found = [s for group in _groups(TEXTS, 5) for row in shipped.suggest_many(group, "WCC-2020-Res-040", k=None)
             for s in row]
    found.append(Suggestion("OP4", 0.5, ()))
    assert len(found) > 500 and any(not s.above_threshold for s in found)
    for s in found:
        fast, plain = s.to_dict(), Record.to_dict(s)
        assert fast == plain and list(fast) == list(plain) and type(fast["evidence"]) is list


def test_counting_by_chunk_is_counting_by_the_analysers(shipped):
    """With the default token pattern the word and char terms of a text are looked up chunk by chunk
    (whitespace-separated pieces, each made once); any other pattern goes through the analysers. Both give
    the same rows, also for texts with odd whitespace (no-break and em spaces, \\x1c-\\x1f separators),
    digits, underscores and stop words around chunk edges."""
    from opmapper.tagger_model import TextFeatures

    features = shipped.features_
    assert features._prepared().by_chunk
    general = TextFeatures(features.word_vocabulary, features.word_idf, features.char_vocabulary,
                           features.char_idf, features.word_ngram_range, features.char_ngram_range,
                           features.stop_words, features.token_pattern)
    general._prepared().by_chunk = False
    rng = random.Random(11)
    edits = [" ", "\t", "\n", "\u00a0", "\u2003", "\x1c", "\x1f", "_", "2023", "-", ".", "the", "of the", "ß", "İ"]
    texts = [clean_text(t) for t in _analyser_sample()]
    texts += [with_random_edits(t, edits, 8, rng) for t in texts[::3] if t]
    for group in _groups(texts, 6):
        fast, slow = features._count(group), general._count(group)
        assert fast[0] == slow[0] and np.array_equal(fast[1], slow[1]) and _same_bits(fast[2], slow[2]), group

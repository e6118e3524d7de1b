"""The claims extractor's fast paths read text exactly as the patterns and the tokenizer they stand in for.

On plain ASCII text, plain ``re`` twins replace some ``regex`` patterns, end guards skip reverse patterns
that cannot match, and spaCy's tokens are remembered per whitespace-delimited chunk. Each shortcut is
checked here against the thing it replaces, over the corpus and over random edits of it.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import spacy

from opmapper import claims as C

ROOT = Path(__file__).resolve().parents[1]
RULES = C._rules(C.DEFAULT_LEXICON)
EDITS = "0123456789 .,;:-/%$()[]\n\tOPopandofperthe€£²"


def _texts(limit: int = 14) -> list[str]:
    files = sorted((ROOT / "corpus" / "reports").rglob("*.txt"))[:: max(1, 78 // limit)]
    texts = [p.read_text(encoding="utf-8") for p in files]
    rng = random.Random(7)
    edited = []
    for text in texts[:6]:  # random edits put digits, marks and keywords next to each other
        chars = list(text)
        for _ in range(200):
            chars.insert(rng.randrange(len(chars)), rng.choice(EDITS))
        edited.append("".join(chars))
    return texts + edited


TEXTS = _texts()
PLAIN = [t for t in TEXTS if C._plain_ascii(t)]


def test_the_sample_has_plain_ascii_texts():
    assert len(PLAIN) >= 8


@pytest.mark.parametrize("name", C._TWINNED)
def test_plain_re_twins_match_like_their_regex_patterns(name):
    original, twin = getattr(RULES, name), getattr(RULES.twins, name)
    for text in PLAIN:
        for pos in range(len(text)):
            a, b = original.match(text, pos), twin.match(text, pos)
            assert (a and a.span()) == (b and b.span()), (name, text[max(0, pos - 20):pos + 20])


GUARDED = [("currency_before_re", "currency_end"), ("bound_before_re", "bound_end"),
           ("filler_before_re", "filler_end"), ("reference_before_re", "reference_end"),
           ("month_before_re", "month_end"), ("denominator_before_re", "denominator_end"),
           ("out_of_before_re", "out_of_end"), ("label_unit_re", "label_end"), ("between_re", "between_end")]


# form labels that name a unit, rare in the corpus reports
FORM_LINES = ("Budget (EUR): 12,000\nArea restored (ha):  350\nCost (usd) :\t4 500\nLength (km):\n\n12\n"
              "Mass (t):7 and (kg):: 3, (sq km):  9 (%): 40 between 3 and 4, between\n\n5")


@pytest.mark.parametrize(("pattern", "guard"), GUARDED)
def test_end_guards_never_skip_a_match(pattern, guard):
    compiled, end_guard = getattr(RULES, pattern), getattr(RULES, guard)
    matched = 0
    for text in [*PLAIN, FORM_LINES]:
        for pos in range(1, len(text)):
            before = text[max(0, pos - 50):pos]
            if C._at_end(compiled, before) is not None:
                matched += 1
                assert end_guard.may_end(before), (pattern, before)
    assert matched  # the sample exercises the pattern


def test_chunk_tokenizer_gives_the_tokenizers_tokens():
    tokenizer = spacy.blank("en").tokenizer
    chunked = C._ChunkTokenizer(tokenizer)
    extra = ["  two  spaces\tand a tab ", "don't won't U.S. e.g. (OP4.b) 3,400km² 12-15 'quoted'", "\n\nNew para"]
    for text in TEXTS + extra:
        for start in range(0, len(text), 97):
            end = min(len(text), start + 180)
            out: list[tuple[int, int, str]] = []
            chunked.words(text, start, end, out)
            expected = [(start + idx, start + idx + n, text[start + idx:start + idx + n])
                        for idx, n in ((t.idx, len(t)) for t in tokenizer(text[start:end]))]
            assert out == expected, text[start:end]

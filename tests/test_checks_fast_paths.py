"""The checks' fast paths give what the plain ways of doing the same thing give.

Each shortcut is compared with the code it replaced (kept here as the reference), over the corpus
reports, the check fixtures and random edits of them.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from corpus_samples import corpus_reports, with_random_edits

from opmapper import checks as C

ROOT = Path(__file__).resolve().parents[1]
EDITS = ["\n", "\n\n", ". ", "! ", "? ", '." ', ".) ", ".] ", "  ", "\t", "\r", "\u00a0", "\u2003", "“", "”", "’",
         "–", "—", "[OP4]", " [OP2; OP4", "[", "]", "A", "7", "(", "ß", "Σ", "ﬁ", "İ", ";", ":", " .", "x"]


def _texts(limit: int = 24) -> list[str]:
    texts = corpus_reports(limit)
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "fixtures" / "checks").glob("*.txt"))]
    rng = random.Random(5)
    # random edits put marks, breaks, brackets and odd spaces next to each other
    return texts + [with_random_edits(text, EDITS, 300, rng) for text in texts[:12]]


TEXTS = _texts()

# ---- the splitting the checks did before: every line found by a pattern, its sentences searched in a copy
_PARAGRAPH = re.compile(r"[^\n]+")


def _trimmed(start: int, piece: str):
    if "[" in piece and C._ONLY_TAGS.match(piece):
        return None
    lead = len(piece) - len(piece.lstrip())
    body = piece.strip()
    return start + lead, start + lead + len(body), body


def _reference_split(start: int, text: str):
    paragraphs = [(start + m.start(), start + m.end(), m.group()) for m in _PARAGRAPH.finditer(text)
                  if m.group().strip()]
    sentences, pos = [], 0
    for para in _PARAGRAPH.finditer(text):
        pos = para.start()
        for brk in C._SENTENCE_BREAK.finditer(para.group()):
            piece = text[pos: para.start() + brk.start() + 1]
            if piece.strip():
                sentences.append(_trimmed(start + pos, piece))
            pos = para.start() + brk.end()
        piece = text[pos: para.end()]
        if piece.strip():
            sentences.append(_trimmed(start + pos, piece))
    return paragraphs, [s for s in sentences if s is not None]


def test_narratives_split_into_the_same_paragraphs_and_sentences():
    pieces = 0
    for text in TEXTS:
        for start in (0, 1234):
            expected = _reference_split(start, text)
            assert C._split_narrative(start, text) == expected
            pieces += len(expected[1])
            # every line on its own, as an activity description
            for line in text.split("\n")[:80]:
                assert C._split_narrative(start, line) == _reference_split(start, line), line
    assert pieces > 1000
    # breaks right before the end of a line (a line's last mark is skipped without searching)
    for line in ("x. A", "x! 7 ", "x? (b", 'x." B', "x.\tB\t", "x. b", "x.\u2003A", "1.5 m. Y", "x.A", "x.", ". A"):
        assert C._split_narrative(3, line) == _reference_split(3, line), line


def _units() -> list[str]:
    units = []
    for text in TEXTS:
        paragraphs, sentences = _reference_split(0, text)
        units += [p[2] for p in paragraphs] + [s[2] for s in sentences]
    return units


@pytest.mark.parametrize("width", [None, 40])
def test_normalised_words_are_the_normalised_text(width):
    units = _units()
    if width:   # shorter pieces end inside tag lists and spacing more often
        units = [u[i:i + width] for u in units for i in range(0, len(u), 17)]
    units += ["Σ ΣΑΣ.  [OP4", "[OP4] only tags ", " a\u00a0b – c [OP2; OP3] . ", "ﬁne ß  ; :", "\u2003x\u2003[y"]
    tagged = 0
    for unit in units:
        assert C._normalise_words(unit.split()) == C._normalise(unit), unit
        tagged += "[" in unit
    assert tagged > 100 and any(not u.isascii() for u in units)


@pytest.mark.parametrize("width", [None, 40])
def test_duplicate_keys_are_the_normalised_words_of_long_units(width):
    """``_duplicate_key`` skips splitting ASCII units spaced by single spaces into words: the same key (or
    None for a unit of fewer words than asked) as the words normalised, also for units with control
    characters, which are no whitespace, and with each ASCII whitespace character but the space."""
    units = _units()
    if width:
        units = [u[i:i + width] for u in units for i in range(0, len(u), 17)]
    units += ["a b c d e f g h", "a b c d e f g", " a b c d e f g h", "a b c d e f g h ", "a  b c d e f g h",
              "a\tb c d e f g h", "A B C D E F G H. ;", "a b c d e f g [OP2]", "a b c d e f g\x1fh", "ä b c d e f g h"]
    units += [f"a b c d e f g{chr(c)}h i" for c in range(128)] + [f"{chr(c)}a b c d e f g h" for c in range(128)]
    rng = random.Random(3)
    odd = [chr(c) for c in range(32)] + ["\x7f"]
    units += [with_random_edits(u, odd, 2, rng) for u in units[:300] if u]
    fast_ones = 0
    for unit in units:
        for min_words in (1, 8, 12):
            words = unit.split()
            expected = C._normalise_words(words) if len(words) >= min_words else None
            assert C._duplicate_key(unit, min_words) == expected, (unit, min_words)
        fast_ones += unit.isascii() and unit.isprintable() and "  " not in unit
    assert fast_ones > 100 and fast_ones < len(units) - 50


def test_line_whitespace_is_what_split_splits_on_but_the_space_and_the_newline():
    for c in map(chr, range(128)):
        assert C._has_line_whitespace(f"ab{c}cd") == (c not in " \n" and len(f"ab{c}cd".split()) == 2), repr(c)


def test_duplicate_keys_of_the_pieces_of_single_spaced_narratives():
    """``check_duplicate_text`` tells ``_duplicate_key`` that the paragraphs and sentences of a
    ``_single_spaced`` narrative are single-spaced ASCII: the keys are those found without being told."""
    told = 0
    for text in TEXTS:
        for narrative in [text, *text.split("\n\n")]:
            if not C._single_spaced(narrative):
                continue
            paragraphs, sentences = C._split_narrative(0, narrative)
            for _, _, unit in paragraphs + sentences:
                for min_words in (1, 8):
                    words = unit.split()
                    expected = C._normalise_words(words) if len(words) >= min_words else None
                    assert C._duplicate_key(unit, min_words, True) == expected, unit
                    told += 1
    assert told > 500


def test_finding_to_dict_is_the_record_to_dict():
    from opmapper import check_report, load_resolutions, parse_report
    from opmapper._records import Record
    from opmapper.tagger import Suggestion

    class Tagger:   # a suggestion for every question, so that findings carry suggestions
        def suggest(self, text, resolution=None, k=3):
            return [Suggestion("OP4", 0.9, ("rangers",)), Suggestion("OP5.b", 0.5, ("trained",))]

    resolutions = load_resolutions()
    findings = []
    for path in sorted((ROOT / "tests" / "fixtures" / "checks").glob("*.txt")):
        report = parse_report(path.read_text(encoding="utf-8"))
        findings += check_report(report, resolutions.get(report.resolution_code), Tagger())
    assert any(f.suggestion for f in findings) and len({f.code for f in findings}) >= 8
    for f in findings:
        fast, plain = f.to_dict(), Record.to_dict(f)
        assert fast == plain and list(fast) == list(plain)
        assert type(fast["suggestion"]) is list


def test_the_faster_achieved_test_is_the_achieved_marker():
    from opmapper.report import parse_report

    ctx = C.CheckContext(parse_report(TEXTS[0], claims=False))
    units = _units()
    units += [u.upper() for u in units[:300]] + ["We HAVE Trained 40 rangers", "IFAW trained 300 judges", "Ça a été"]
    found = 0
    for unit in units:
        fast = ctx.has_achieved_marker(unit)
        assert fast == bool(ctx.achieved_marker(unit)), unit
        found += fast
    assert 50 < found < len(units) - 50


def test_remembered_reference_ids_answer_as_the_resolution_does():
    from opmapper import load_resolutions, parse_report

    resolutions = list(load_resolutions().values())
    assert len(resolutions) >= 3
    checked = 0
    for n, text in enumerate(TEXTS):
        report = parse_report(text, claims=False)
        for res in (resolutions[n % len(resolutions)], resolutions[(n + 1) % len(resolutions)]):
            ctx = C.CheckContext(report, res)
            expected = [(ref.start, ref.id) for refs, _ in C._references_by_owner(ctx) for ref in refs
                        if ref not in res]
            assert [(h.start, h.message.split('"')[1]) for h in C.check_unknown_references(ctx)] == expected
            checked += len(expected)
    assert checked > 20


def test_trailing_tags_are_cut_as_the_pattern_cuts_them():
    odd = ["a [OP4]", "a [OP4] ", "a [OP4] b", "a [OP4", "a [OP4] ] ", "a ] [OP4]", "[OP4]", "[", "]", "a [] [",
           "a\u2003[OP4]\u2003", "a [OP4]]", "a [x [y] ", "a [[", "x\x1c[OP4]\x1c", " [ "]
    units = [u for u in _units() if "\n" not in u] + odd
    cut = 0
    for unit in units:
        expected = C._TRAILING_TAGS.sub("", unit)
        assert C._without_trailing_tags(unit) == expected, unit
        cut += expected != unit
    assert cut > 100


def test_counted_line_index_answers_as_the_line_index():
    """``_LineIndex`` counts newlines from its last answer when that is nearer than the start: the same
    line and column as ``LineIndex`` in any order of questions, past the end too, and after it has
    listed the line starts."""
    from opmapper._records import LineIndex

    rng = random.Random(8)
    for text in TEXTS[:20] + ["", "\n", "a", "a\n\nb", "\n\n\n"]:
        plain = LineIndex(text)
        for _ in range(3):
            fast = C._LineIndex(text)
            offsets = [rng.randrange(0, len(text) + 3) for _ in range(C._LineIndex.COUNTED_QUESTIONS + 8)]
            if rng.random() < 0.5:   # in text order, as one rule's findings come
                offsets.sort()
            for offset in offsets:
                assert fast.line_col(offset) == plain.line_col(offset), (offset, text[:40])
            assert fast._starts is not None   # the later questions were answered from the line starts



def test_marker_tests_find_what_the_any_case_patterns_find():
    """``_MarkerTest.found`` searches printable ASCII text lowercased with an ASCII-only pattern, other
    ASCII text lowercased, the rest as it is: always what the case-insensitive pattern finds."""
    cfg = C.DEFAULT_CONFIG
    tests = [C._MarkerTest(tuple(markers)) for markers in (
        cfg.plan_markers, cfg.achieved_markers, (*cfg.achieved_markers, *cfg.past_markers), cfg.total_markers,
        cfg.future_past_markers, (r"going\s+to", r"\bwe\b"), (r"(?u:\bwill\b)\s",), (r"\bſo\b", r"(?i:\bk)\w+"))]
    assert sum(t.ascii is not None for t in tests) >= 4
    rng = random.Random(12)
    units = _units()[:1500]
    units += [u.upper() for u in units[:200]] + ["going\x1cto", "GOING\x1fTO", "we\tWILL", "in\x0btotal", "Kelvin",
                                                 "so", "ſo", "the \u212aing", "IN TOTAL\x85", "will\u00a0be held"]
    units += [with_random_edits(u, ["\x1c", "\x1d", "\t", "\u00a0", "K", "ſ", " ", "_", "9"], 3, rng)
              for u in units[:400]]
    found = 0
    for test in tests:
        for unit in units:
            fast = test.found(unit)
            assert fast == (test.any_case.search(unit) is not None), (test.any_case.pattern[:40], unit)
            found += fast
    assert 200 < found < len(units) * len(tests) - 200


# every way of matching each default marker list, in sentences (the hints must let each of them through)
MARKER_PHRASES = [
    "We will train rangers.", "The board shall meet.", "We are going to\tpublish it.", "She plans to go.",
    "They plan to go.", "It is planned to go.", "We are planning to go.", "We intend to go.", "He intends to go.",
    "We intended to go.", "We aim to go.", "It aims to go.", "We expect to go.", "He expects to go.",
    "We hope to go.", "She hopes to go.", "It is being planned.", "The survey is now scheduled.",
    "A law is foreseen.", "Two more are envisaged.", "Results are expected.", "A workshop is to be held.",
    "It is to be organised.", "It is to be organized.", "A guide is to be published.", "It is to be launched.",
    "It is to be completed.", "A plan is to be developed.", "It is to be signed.", "A law is to be adopted.",
    "A forthcoming report.", "The upcoming census.", "Next year we start.", "In the coming months.",
    "In due course.", "We have trained 40.", "It has been adopted.", "They had held it.", "It has now ended.",
    "40 were trained.", "It was held.", "We successfully completed it.", "Already finished.", "We completed it.",
    "They held a workshop.", "He ran it.", "She led it.", "IFAW trained judges.", "EU trained judges.", "Then, UN held talks.", "Au trained 3.", "In total 150.",
    "A total of 150.", "150 in total.", "Totaling 150.", "Totalling 150.", "Altogether 150.", "Overall 150.",
    "150 in all.", "Combined, 150.", "Cumulative 150.", "Cumulatively 150.", "150 to date.", "150 so far.",
]


def test_marker_hints_let_every_match_through():
    """A default marker list searches only texts that contain one of its hint words: each hint is needed
    by one of the phrases above, and the test of each list finds in them (and in upper-cased, tabbed and
    punctuated copies) what the case-insensitive pattern finds."""
    cfg = C.DEFAULT_CONFIG
    lists = [tuple(cfg.plan_markers), tuple(cfg.achieved_markers), tuple(cfg.future_past_markers),
             tuple(cfg.total_markers)]
    tests = [C._MarkerTest(markers) for markers in lists]
    assert all(t.hints for t in tests) and tests[2].others_need is not None
    phrases = MARKER_PHRASES + [p.upper() for p in MARKER_PHRASES] + [p.replace(" ", "\t") for p in MARKER_PHRASES]
    phrases += ["(" + p.replace(" ", "-") + ")" for p in MARKER_PHRASES] + ["x" + p + "1" for p in MARKER_PHRASES]
    # non-ASCII text: other characters around and inside the words, and the letters' lookalikes
    rng = random.Random(4)
    odd = ["é", "—", "’", "\u00a0", "\u2003", "ß", "€", "İ", "ı", "ſ", "\u212a", "Å", "ǅ"]
    phrases += [p + " — é" for p in MARKER_PHRASES] + [p.replace(" ", "\u00a0") + "’" for p in MARKER_PHRASES]
    phrases += [p.replace("i", "ı").replace("s", "ſ") + "é" for p in MARKER_PHRASES]
    phrases += [p.replace("I", "İ").replace("k", "\u212a") + "é" for p in MARKER_PHRASES + [p.upper() for p in MARKER_PHRASES]]
    phrases += [with_random_edits(p, odd, 2, rng) for p in MARKER_PHRASES * 4]
    used = set()
    for test in tests:
        for phrase in phrases:
            found = test.any_case.search(phrase) is not None
            assert test.found(phrase) == found, (test.any_case.pattern[:40], phrase)
            if found and phrase in MARKER_PHRASES:
                used |= test.hints & set(C._ascii_words(phrase))
    assert used == set().union(*(t.hints for t in tests))
    assert sum(not p.isascii() and t.any_case.search(p) is not None for p in phrases for t in tests) > 200
    # no hints for other lists, also when they hold the default patterns and more
    assert C._MarkerTest((*cfg.plan_markers, r"\bsoon\b")).hints is None
    assert C._MarkerTest((*cfg.plan_markers, r"\bsoon\b")).found("We will go soon")



def test_marker_companions_are_in_every_match_and_keep_the_others_from_the_search():
    """A hint word that the plan markers match only beside another word ("to be held") lets a text
    through only with that word: every phrase the patterns find passes (also each with only the words
    it needs), and sentences with a hint word but not its companion are not searched."""
    test = C._MarkerTest(tuple(C.DEFAULT_CONFIG.plan_markers))
    assert test.companions and set(test.companions) < test.hints
    phrases = MARKER_PHRASES + ["Talks to be held.", "Talks to be signed.", "It being planned is.", "Now planned to go.",
                                "Next year.", "In the coming days.", "In due course", "Two are expected"]
    phrases += [p.upper() for p in phrases] + [p.replace(" ", "\u00a0") + "é" for p in phrases]
    passed = 0
    for phrase in phrases:
        if test.any_case.search(phrase) is not None:
            assert test._hinted(phrase), phrase
            passed += 1
    assert passed > 100
    for sentence in ("The workshop was held in May.", "Results were expected.", "It was completed next week.",
                     "Upcoming is not coming soon.", "Of course we planned it.", "It was adopted and signed."):
        assert not test._hinted(sentence) or sentence.startswith("Upcoming"), sentence
        assert test.found(sentence) == (test.any_case.search(sentence) is not None), sentence


def test_the_ascii_lookalikes_are_all_the_characters_that_match_an_ascii_letter_ignoring_case():
    others = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000)
    lookalikes = re.findall("[a-z]", others, re.IGNORECASE)
    assert lookalikes and all(C._has_ascii_lookalike(f"ab{c}cd") for c in lookalikes)
    assert not any(C._has_ascii_lookalike(c) for c in others if c not in lookalikes)


def test_hits_the_rules_make_are_the_records_hit_makes():
    """The built-in rules make their hits with ``_hit`` (no field-by-field ``__init__``): the same records."""
    for args, kwargs in [((1, 2, "results", "m"), {}), ((0, 0, "metadata", "x"), {"suggestion": ("OP1",)}),
                         ((3, 9, "activities[0]", "y"), {"suggestion": ("OP2", "OP4.b"), "severity": "info"}),
                         ((5, 5, "future", "z", ()), {"severity": "error"})]:
        made, expected = C._hit(*args, **kwargs), C.Hit(*args, **kwargs)
        assert made == expected and hash(made) == hash(expected) and type(made) is C.Hit
        assert list(made.__dict__.items()) == list(expected.__dict__.items())
        with pytest.raises(AttributeError):
            made.start = 0   # frozen, as a Hit is

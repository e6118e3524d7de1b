"""The parser's fast paths give what the plain ways of doing the same thing give."""

from __future__ import annotations

import dataclasses
import json
import pickle
import random
import re
from functools import cached_property

import pytest
import regex
from corpus_samples import corpus_reports, with_random_edits

from opmapper import references
from opmapper._records import Record, record_maker, shifted
from opmapper.claims import find_claims
from opmapper.references import (
    _AND_SEP,
    _CONTINUATION_SCREEN,
    _EVENT_NAMES,
    _PLURAL_HEAD,
    _SHORT_HEADS,
    DEFAULT_PATTERNS,
    Reference,
    _bracket_group,
    _closed_tag,
    _compile,
    _events,
    _find_head,
    _is_and_connector,
    _is_plural_head,
    _names_other_instrument_after,
    _number_probes,
    _references_at,
    _single,
    _skip_gap,
    _walk,
    _walk_atoms,
    _walk_items,
    _walk_single,
    find_references,
    find_resolution_mentions,
    strip_references,
)
from opmapper.report import (
    _OTHER_LINE_BREAKS,
    DEFAULT_VOCABULARY,
    Activity,
    Field,
    Member,
    Report,
    Section,
    _Line,
    _Parser,
    _remembered_label_key,
    _split_lines,
    label_key,
    parse_report,
)
from opmapper.sources import binary_evidence


def test_shifted_is_dataclasses_replace():
    for ref in find_references("[OP2; OP4.b.ii] and PP3 (a) to (c), paragraphe 5 du dispositif [OP7"):
        new = shifted(ref, 7)
        assert new == dataclasses.replace(ref, start=ref.start + 7, end=ref.end + 7)
        assert type(new) is Reference and hash(new) == hash(dataclasses.replace(ref, start=ref.start + 7,
                                                                                  end=ref.end + 7))
        assert ref.start + 7 == new.start  # the original is untouched
    names = ("start", "end", "sentence_start", "sentence_end")
    for claim in find_claims("The coalition now includes 47 technology companies and trained 300 rangers."):
        assert shifted(claim, 11, names) == dataclasses.replace(
            claim, **{name: getattr(claim, name) + 11 for name in names})


@dataclasses.dataclass(frozen=True)
class Checked(Record):
    """A record whose ``__post_init__`` corrects its fields: the kind the fast constructors leave alone."""

    start: int
    end: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "end", max(self.start, self.end))


def test_shifted_leaves_cached_values_and_post_init_to_the_class():
    @dataclasses.dataclass(frozen=True)
    class Cached(Record):
        start: int
        end: int

        @cached_property
        def width(self) -> int:
            return self.end - self.start

    record = Cached(1, 3)
    assert record.width == 2
    assert "width" not in shifted(record, 5).__dict__ and shifted(record, 5) == Cached(6, 8)

    assert shifted(Checked(1, 3), 5) == Checked(6, 8)


def test_reference_to_dict_is_the_generic_one():
    for ref in find_references("[OP2; OP4.b] and PP3 (a) to (c), [OP7"):
        assert list(ref.to_dict().items()) == list(Record.to_dict(ref).items())


def test_resolution_mentions_need_a_digit():
    assert find_resolution_mentions("Resolution and Motion, no number") == []
    assert [m.code for m in find_resolution_mentions("WCC-2020-Res-040")] == ["WCC-2020-Res-040"]


def _split_lines_plainly(text: str) -> list[_Line]:
    lines, pos = [], 0
    for no, raw in enumerate(text.splitlines(True), 1):
        stripped = raw.strip()
        if stripped:
            start = pos + len(raw) - len(raw.lstrip())
            lines.append((no, start, start + len(stripped), stripped))
        pos += len(raw)
    return lines


def test_split_lines_matches_splitlines_and_strip():
    rng = random.Random(1)
    # every break that str.splitlines honours, in text of each width, and the ASCII ones in ASCII text
    alphabets = ["ab \t\n\x1f\xa0é\u3000" + _OTHER_LINE_BREAKS, "ab \t\n\xa0", "ab \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f",
                 "ab\n\xa0é\x85", "ab\n\u2028\u3000", "ab\n\u2029"]
    for i in range(30000):
        alphabet = alphabets[i % len(alphabets)]
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert _split_lines(text) == _split_lines_plainly(text), repr(text)


_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def _binary_evidence_by_regex(data: bytes | str) -> str | None:
    sample = data[:8192]
    if isinstance(sample, bytes):
        sample = sample.decode("latin-1")
    if "\x00" in sample:
        return "NUL characters"
    controls = len(_CONTROLS.findall(sample))
    return f"{controls} control characters" if controls > max(8, len(sample) // 50) else None


def test_binary_evidence_counts_control_characters_like_a_regex():
    rng = random.Random(2)
    alphabet = [chr(i) for i in range(0x90)] + ["é", "\u2028", "\ud800", "\U0001f600"]
    for _ in range(3000):
        n = rng.choice([5, 50, 500, 9000])
        text = "".join(rng.choice(alphabet) if rng.random() < 0.3 else "a" for _ in range(n))
        assert binary_evidence(text) == _binary_evidence_by_regex(text)
        data = bytes(rng.randrange(256) if rng.random() < 0.2 else 97 for _ in range(n))
        assert binary_evidence(data) == _binary_evidence_by_regex(data)


def test_prefix_labels_and_status_suffix_match_their_plain_patterns():
    c = DEFAULT_VOCABULARY.compiled
    plain_prefix = re.compile("|".join(re.escape(k) for k in c.prefix_keys))
    keys = list(c.prefix_keys) + [k + "andmore" for k in c.prefix_keys] + [k[:-1] for k in c.prefix_keys] + ["", "x"]
    for key in keys:
        m = plain_prefix.match(key)
        expected = None
        if m is not None:
            expected = c.prefix_labels[c.prefix_keys.index(m.group())]
        assert c.prefix_label(key) == expected, key
    plain_status = re.compile(c.status_suffix_re.pattern[c.status_suffix_re.pattern.index(")") + 1:])
    for text in ("Capacity-building", "Field work done On-going", "Done. Completed  ", "Terminé", "TerminÃ©",
                 "Ongoing work", "x" * 60 + " En curso", "Achevé", "completed"):
        start = max(0, len(text) - 48)
        got, want = c.status_suffix_re.search(text, start), plain_status.search(text, start)
        assert (got and (got.span(), got.lastgroup)) == (want and (want.span(), want.lastgroup)), text


def test_screened_title_and_type_patterns_match_their_plain_patterns():
    # the title and type patterns open with a lookahead of the characters a word can start with; the
    # plain pattern is what follows it
    c = DEFAULT_VOCABULARY.compiled
    title_plain = re.compile(c.title_re.pattern[c.title_re.pattern.index("(?:"):], re.IGNORECASE)
    type_plain = re.compile(c.type_prefix_re.pattern[c.type_prefix_re.pattern.index("(?:"):], re.IGNORECASE)
    assert c.title_re.pattern.startswith("(?=[") and c.type_prefix_re.pattern.startswith("(?=[")
    rng = random.Random(9)
    edits = ["Activity Report", "PROGRESS report", "Rapport d'activité", "Rapport d’activités", "informe DE avance",
             "Capacity building", "field activities", "Ｆield", "ſcientific/technical activities", "Éducation",
             "Other", "Otherwise", "Autres", "\u0130nforme", "\u212aapacity", " ", "\n", "é", "Ã©"]
    lines = [ln for t in corpus_reports(25) for ln in with_random_edits(t, edits, 200, rng).splitlines()]
    lines += [w + tail for w in edits for tail in ("", " x", "x", "/", "-")]
    titles = types = 0
    for line in lines:
        got, want = c.title_re.search(line), title_plain.search(line)
        assert (got and (got.span(), got.lastgroup)) == (want and (want.span(), want.lastgroup)), line
        titles += got is not None
        for pos in range(min(len(line), 12)):
            got, want = c.type_prefix_re.match(line, pos), type_plain.match(line, pos)
            assert (got and (got.span(), got.lastgroup)) == (want and (want.span(), want.lastgroup)), line
            types += got is not None
    assert titles > 100 and types > 150


_REPORT = """Resolution 040 Activity Report
Resolution
49179
Submitted by
Jane Doe on Fri, 09/30/2022 - 11:05
IUCN Members
Wildlife Trust (WT) / Kenya
Activity
Capacity-building
Description
Trained 45 rangers [OP2; OP4.b] and paragraph 3 of Decision 14/8.
Status
Completed
Please report on the result /achievement of the actions taken
Fewer carcasses (OP 5, 6 and 7).
Report status
Published
"""


def _same_record(made, plain) -> None:
    assert type(made) is type(plain)
    assert made == plain and hash(made) == hash(plain)
    assert vars(made) == vars(plain) and list(vars(made)) == list(vars(plain))
    assert pickle.loads(pickle.dumps(made)) == plain
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.start = 0


def test_record_maker_makes_what_the_class_makes():
    report = parse_report(_REPORT)
    records = [report, *report.activities, *report.members, *report.sections(), report.title,
               *(r for a in report.activities for r in a.references), *find_references(_REPORT)]
    assert {type(r) for r in records} == {Report, Activity, Member, Section, Field, Reference}
    for record in records:
        values = [getattr(record, f.name) for f in dataclasses.fields(record)]
        _same_record(record_maker(type(record))(*values), type(record)(*values))
        by_name = {f.name: v for f, v in zip(dataclasses.fields(record), values, strict=True)}
        _same_record(record_maker(type(record))(**by_name), type(record)(**by_name))
        _same_record(record, type(record)(*values))  # what the parser made is what the class makes


def test_record_maker_refuses_records_with_post_init():
    with pytest.raises(TypeError):
        record_maker(Checked)


def test_other_instrument_screen_matches_the_patterns():
    compiled = _compile(DEFAULT_PATTERNS)
    texts = ["paragraph 5 of Decision 14/8", "OP4, of the resolution", "OP4 of this Resolution", "OP4.",
             "OP4\u00a0de la COP", "OP4\tdel Convenio", "OP4\nof x", "OP4", "OP4 , of", "OP4,of", "OP4 du",
             "OP4  des", "OP4 in the Resolution", "OP4,\u202fde"]
    rng = random.Random(3)
    pieces = [" ", ",", "\u00a0", "\t", "\n", "\r", "of", "de", "du", "this", "Resolution", "x", "."]
    texts += ["OP4" + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(3000)]
    for text in texts:
        plain = compiled.this_after.match(text, 3) is None and compiled.other_after.match(text, 3) is not None
        assert _names_other_instrument_after(text, 3, compiled) == plain, repr(text)


# Pieces that make chains of every shape next to each other: heads, numbers, sub-paragraphs, connectors,
# qualifiers, other instruments before and after.
_REFERENCE_EDITS = [" OP4", " OPs 2", " PP2", " PP 3", " paragraph 5", " paragraphs 2", " para 20", " para. 7",
                    " paragraphe 5", " sub-paragraph 2", ".b", "(a)", " (c)", "a", ", ", "; ", " and ", " & ",
                    " AND ", " - ", "-", " to ", " 12", "3", " of the Resolution", " du dispositif",
                    " of the preamble", " of Decision 14/8", " above", "Article 3, ", " y ", " ſ", "[", "]", "(",
                    ")", "\n"]


def _chain_matches(texts):
    """(text, chain match) at every word start of ``texts`` where the chain pattern matches."""
    compiled = _compile(DEFAULT_PATTERNS)
    for text in texts:
        for word in re.finditer(r"(?<!\w)\w", text):
            m = compiled.chain.match(text, word.start())
            if m is not None:
                yield text, m


def test_walk_single_is_the_general_walk_of_one_atom():
    compiled = _compile(DEFAULT_PATTERNS)
    rng = random.Random(4)
    texts = [with_random_edits(t, _REFERENCE_EDITS, 300, rng) for t in corpus_reports(30)]
    kinds, compared = set(), 0
    for text, m in _chain_matches(texts):
        atom = _single(text, m, compiled)
        stopped = False
        if atom is None:
            atoms, stopped = _walk_items(text, m, compiled)
            if len(atoms) != 1:
                continue
            atom = atoms[0]
        kinds.add(atom[0])
        general = _walk_atoms(text, m, compiled, [atom], stopped)
        assert _walk_single(text, m, compiled, atom, stopped) == general, m
        compared += 1
        if general is not None:
            kinds.add(general[2][0][0] + " kept")
    assert compared > 500 and {"bare", "qualified", "operative", "preambular", "operative kept"} <= kinds


def test_walk_atoms_without_bare_heads_is_the_general_walk():
    compiled = _compile(DEFAULT_PATTERNS)
    rng = random.Random(11)
    texts = [with_random_edits(t, _REFERENCE_EDITS, 300, rng) for t in corpus_reports(30)]
    seen = {True: 0, False: 0}
    for text, m in _chain_matches(texts):
        atoms, stopped = _walk_items(text, m, compiled)
        if len(atoms) < 2:
            continue
        bare, qualified = m.group(*compiled.bare_head_groups)
        bare_heads = bare is not None or qualified is not None
        assert _walk_atoms(text, m, compiled, list(atoms), stopped, bare_heads) == \
            _walk_atoms(text, m, compiled, list(atoms), stopped), m
        seen[bare_heads] += 1
    assert seen[True] > 10 and seen[False] > 30


def test_short_heads_are_found_where_the_reverse_match_finds_them():
    compiled = _compile(DEFAULT_PATTERNS)
    assert compiled.short_heads == _SHORT_HEADS
    general = compiled._replace(short_heads=frozenset())   # every head by the reverse match
    rng = random.Random(13)
    # short heads after letters, digits, "_", non-ASCII letters and marks, at the start of the text
    edits = _REFERENCE_EDITS + ["OP", "Op", "op", "oP", "PP", "Pp", "OPs", "xOP4", "_OP 4", "éOP4", "1OP4", "ſ",
                                "\u212a", "é", "·", "-OP4", "#", "no. ", "OP.", "OP-"]
    texts = [with_random_edits(t, edits, 300, rng) for t in corpus_reports(20)]
    texts += ["aOP4 bOP4 _OP4 9OP4 ªOP4 ²OP4 \u0660OP4 (OP4)"]
    texts += [before + tail + gap + "4" for before in ("", " ", "\n", "x", "_", "1", "é", "[", "(", "-")
              for tail in ("OP", "Op", "oP", "op", "PP", "Pp", "pP", "pp", "OPs", "PPs") for gap in ("", " ", "\u00a0")]
    short = refused = 0
    for text in texts:
        for probe in _number_probes(text):
            i = _skip_gap(text, probe.start())
            if i == 0:
                continue
            line_start = text.rfind("\n", 0, i) + 1
            for floor in {line_start, max(line_start, i - 2), max(line_start, i - 3)}:
                head = _find_head(text, i, floor, compiled)
                assert head == _find_head(text, i, floor, general), (text[max(0, i - 30):i + 5], floor)
            if text[i - 2:i] in _SHORT_HEADS:
                short += 1
                refused += head is None
    assert short > 500 and refused > 50   # the look-behind refuses some of them
    assert _compile(DEFAULT_PATTERNS.extended(operative_heads=["XOP"])).short_heads == frozenset()


def test_closed_tag_lists_are_what_the_chain_match_and_its_walk_make(monkeypatch):
    compiled = _compile(DEFAULT_PATTERNS)
    rng = random.Random(14)
    edits = _REFERENCE_EDITS + ["[OP4]", "[PP2.b]", "[op12.B]", "[OP3.i]", "[OP3.ii]", "[OP3.b.i]", "]", ".", "st",
                                "-5", ".5", "[OP4.b", "[OP4.", "ſ", "\u212a", "é", "x"]
    texts = [with_random_edits(t, edits, 300, rng) for t in corpus_reports(20)]
    afters = ("]", ".b]", ".B]", ".i]", ".ſ]", ".\u212a]", ".bc]", ".b.i]", ".1]", ".b", "]]", ".b)", ")", "", ".", " ]",
              ".é]", "._]", ".-]", ". ]", ".(]", ".\u0661]")
    texts += [f"{before}[{head}{number}{after} and" for before in ("", "x") for head in ("OP", "PP", "op", "Op", "oP")
              for number in ("4", "12", "123", "4th") for after in afters]
    # lists: items parted by "; " restating a short head, and the shapes next to them that the walk reads
    items = ("OP4", "PP2.b", "op12.B", "OPs 4", "OP 4", "OP123", "OP04", "OP4th", "OP4.b.i", "4", "OP4.1", "xOP4",
             "PP4.ſ", "Pp4", "OP4.bc", "OP4-6", "OP4.b.i", "OP4.B.II", "OP4.ii", "OP4.b.iv", "OP4.b.iiii",
             "OP4.b.iiiii", "OP4.ib", "OP4.a.b.c", "OP4.a.b.c.d", "OP4.a.b.c.", "OP4.b.", "OP4.b.1", "OP4..b",
             "OP4.bé", "OP4.b.ı", "OP4.xv", "OP4.vx.x", "OP4.li", "OP4.b.ic")
    seps = ("; ", ";", ";  ", ", ", " ;", "; and ", ";\u00a0")
    texts += [f"[OP2{sub}{sep}{item}{more}]" for sub in ("", ".a") for sep in seps for item in items
              for more in ("", "; OP7.c", ";", "; ", " OP7")]
    closed = lists = dotted = 0
    for text in texts:
        for probe in _number_probes(text):
            number_start = probe.start()
            if number_start < 2 or _find_head(text, number_start, 0, compiled) != number_start - 2:
                continue
            tag = _closed_tag(text, number_start - 2, number_start, probe.end(), _SHORT_HEADS)
            if tag is not None:
                closed += 1
                lists += len(tag[2]) > 1
                dotted += any(len(subs) > 1 or len(subs) == 1 and len(subs[0]) > 1 for _k, _p, subs, _s, _e in tag[2])
                m = compiled.chain.match(text, number_start - 2)
                assert m is not None and _walk(text, m, compiled) == tag, text[number_start - 10:probe.end() + 5]
                if text[number_start - 3] == "[":   # _chains takes the brackets around it without asking
                    assert _bracket_group(text, tag[0], tag[1]) == (tag[0] - 1, tag[1] + 1, True)
    assert closed > 300 and lists > 50 and dotted > 100
    fast = [(find_references(text), strip_references(text)) for text in texts]
    monkeypatch.setattr(references, "_closed_tag", lambda *args: None)   # every chain by the match and the walk
    assert [(find_references(text), strip_references(text)) for text in texts] == fast


def test_events_are_the_sorted_captures():
    compiled = _compile(DEFAULT_PATTERNS)
    rng = random.Random(12)
    texts = [with_random_edits(t, _REFERENCE_EDITS, 300, rng) for t in corpus_reports(20)]
    long_chains = 0
    for _text, m in _chain_matches(texts):
        # by the groups' names, in _EVENT_NAMES order (_events reads them by number)
        plain = sorted((s, order, e) for order, name in enumerate(_EVENT_NAMES) for s, e in m.spans(name))
        assert _events(m, compiled) == plain, m
        long_chains += len(plain) > 4
    assert long_chains > 20


def test_continuation_screen_changes_no_chain_match():
    compiled = _compile(DEFAULT_PATTERNS)
    assert _CONTINUATION_SCREEN in compiled.chain.pattern
    unscreened = regex.compile(compiled.chain.pattern.replace(_CONTINUATION_SCREEN, ""), compiled.chain.flags)
    rng = random.Random(7)
    texts = [with_random_edits(t, _REFERENCE_EDITS + ["–5", "—7", "&3", "/4", ";2", ",6", "–b",
                                                                    " to (c)", " thru 9", " as well as 3"],
                               300, rng) for t in corpus_reports(30)]
    continued = 0
    for text, m in _chain_matches(texts):
        plain = unscreened.match(text, m.start())
        assert plain is not None and plain.span() == m.span(), m
        assert [plain.spans(g) for g in compiled.group] == [m.spans(g) for g in compiled.group], m
        continued += bool(m.spans("rng") or m.spans("sep") or m.spans("srng") or m.spans("ssep"))
    assert continued > 100


def test_references_made_at_an_offset_are_the_shifted_references():
    rng = random.Random(9)
    texts = [with_random_edits(t, _REFERENCE_EDITS, 200, rng) for t in corpus_reports(20)]
    found = 0
    for text in texts:
        for piece in text.split("\n\n"):
            offset = rng.randrange(5000)
            unshifted: list[Reference] = []
            made = _references_at(piece, offset, DEFAULT_PATTERNS, unshifted)
            plain = find_references(piece)
            assert made == [shifted(r, offset) for r in plain] and unshifted == plain
            assert [type(r) for r in made] == [Reference] * len(plain)
            assert _references_at(piece, offset) == made
            found += len(made)
    assert found > 500


def test_number_probe_finds_what_its_regex_form_finds():
    # the probe on the text itself, in ``regex``: how it was written before it ran over a copy of the
    # text with every digit 2-9 written "1" and every non-ASCII character "?"
    plain = regex.compile(r"(?<![0-9,/:])[1-9][0-9]?(?![0-9]|[.,/:][0-9])")
    rng = random.Random(8)
    edits = _REFERENCE_EDITS + ["1", "7", "0", ",", "/", ":", ".", "12", "٣", "\u00b2", "\n"]
    texts = [with_random_edits(t, edits, 300, rng) for t in corpus_reports(20)]
    texts += ["1", "12", "123", "5 6", ",5", "a:5", "4/5", "5,6", "5.6", "5.a", "05", "50", "x9", "OP1\n2"]
    found = 0
    for text in texts:
        spans = [m.span() for m in _number_probes(text)]
        assert spans == [m.span() for m in plain.finditer(text)], text[:80]
        found += len(spans)
    assert found > 2000


def test_plural_head_and_and_connector_screens_match_their_regexes():
    rng = random.Random(5)
    texts = [with_random_edits(t, _REFERENCE_EDITS, 300, rng) for t in corpus_reports(20)]
    heads = {"OPſ", "paras.", "OP", "Ops", "PARAGRAPHS"}
    connectors = {"&", " AND ", ", et ", "; ", " - ", ",\u00a0y ", " or ", " as well as ", " ou ", "/", "andy"}
    for _text, m in _chain_matches(texts):
        heads.update(m.captures("head"))
        connectors.update(m.captures("sep"))
    assert len(heads) > 10 and len(connectors) > 8
    for head in heads:
        assert _is_plural_head(head) == (_PLURAL_HEAD.search(head) is not None), head
    for connector in connectors:
        assert _is_and_connector(connector) == (_AND_SEP.search(connector) is not None), connector


_LABEL_EDITS = ["\n", "\nSubmitted by ", "\nsoumis PAR ", "\nEnvoyé par\t", "\nſubmitted by ", "\nStatus: ",
                "\nPeriod covered:", "\t", ":", " : ", "\nResolution\n", "\nPériode couverte\n", "\nActivity: x",
                "\nDescribe the results/achievements of the", "\nII. Implementation", "\nÉ", "\n¿", "\nOn ",
                "Submitted", " by "]


def _report_dict_field_by_field(r: Report) -> dict:
    """Report.to_dict as it was first written: name by name, through the generic record helpers."""
    def text(f):
        return f.text if f is not None else None

    def span(f):
        return [f.start, f.end] if f is not None else None

    def activity(a):
        return {"section": a.section, "index": a.index, "type": a.type, "type_text": text(a.type_field),
                "type_span": span(a.type_field), "status": a.status, "status_text": text(a.status_field),
                "status_span": span(a.status_field), "description": text(a.description),
                "description_span": span(a.description), "span": [a.start, a.end],
                "references": [Record.to_dict(x) for x in a.references], "claims": [c.to_dict() for c in a.claims]}

    d = {"source": r.source, "layout": r.layout, "language": r.language}
    d["title"], d["title_span"] = text(r.title), span(r.title)
    d["resolution_code"], d["page_id"] = r.resolution_code, r.page_id
    d["submitted_by"], d["submitted_by_span"] = text(r.submitted_by), span(r.submitted_by)
    d["submitted_on"] = r.submitted_on
    for name in ("constituent", "constituent_type", "period"):
        d[name], d[f"{name}_span"] = text(getattr(r, name)), span(getattr(r, name))
    for name in ("geographic_scope", "commissions", "other_organisations"):
        d[name] = [f.text for f in getattr(r, name)]
        d[f"{name}_spans"] = [span(f) for f in getattr(r, name)]
    d["members"] = [{"name": m.name, "acronym": m.acronym, "country": m.country, "span": [m.start, m.end]}
                    for m in r.members]
    d["secretariat"] = r.secretariat
    d["activities"] = [activity(a) for a in r.activities]
    d["future_actions"] = [activity(a) for a in r.future_actions]
    for name in ("results", "challenges", "future", "additional"):
        s = getattr(r, name)
        d[name] = None if s is None else {
            "name": s.name, "text": s.text, "span": [s.start, s.end],
            "references": [Record.to_dict(x) for x in s.references], "claims": [c.to_dict() for c in s.claims]}
    for name in ("implementation_status", "actions_planned", "report_status"):
        d[name], d[f"{name}_span"] = text(getattr(r, name)), span(getattr(r, name))
    d["warnings"] = list(r.warnings)
    return d


def test_report_to_dict_is_the_field_by_field_one():
    rng = random.Random(8)
    texts = corpus_reports(12) + [with_random_edits(t, _LABEL_EDITS + _REFERENCE_EDITS, 30, rng)
                                  for t in corpus_reports(12)]
    filled = set()
    for text in texts:
        r = parse_report(text, source="x.txt")
        d = r.to_dict()
        plain = _report_dict_field_by_field(r)
        assert list(d) == list(plain) and json.dumps(d) == json.dumps(plain)
        filled.update(k for k, v in d.items() if v not in (None, []))
        filled.update("references" for a in r.activities if a.references)
        filled.update("claims" for a in r.activities if a.claims)
    assert {"title", "period_span", "members", "activities", "results", "references", "claims"} <= filled


def test_label_key_of_ascii_text_is_the_general_fold():
    def plain(text: str) -> str:  # the general fold, for every text
        m = re.match(r"^\s*(?:[IVX]{1,4}|[0-9]{1,2})[.)]\s+", text) if text[:1] in "IVX0123456789 \t" else None
        text = text[m.end():] if m else text
        return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())

    rng = random.Random(10)
    texts = [with_random_edits(t, _LABEL_EDITS + ["\u212a", "\u0130", "Z", "@", "[", "`", "{", "\x7f"], 60, rng)
             for t in corpus_reports(30)]
    lines = {ln for text in texts for ln in text.split("\n")} | {"II. Période", "\u212aelvin", "\u0130D", "AZaz09@[`{"}
    _remembered_label_key.cache_clear()
    assert sum(ln.isascii() for ln in lines) > 1000 and sum(not ln.isascii() for ln in lines) > 100
    for ln in lines:
        assert label_key(ln) == plain(ln), ln


def test_label_key_remembers_short_texts_only():
    # labels and values recur in every report; narrative lines would only evict them (and flatter a
    # benchmark made of copied reports)
    _remembered_label_key.cache_clear()
    label = "Status of the action"
    narrative = "We trained 45 customs officers in three ports to recognise wildlife products sold online."
    for _ in range(3):
        assert label_key(label) == "statusoftheaction"
        assert label_key(narrative) == "wetrained45customsofficersinthreeportstorecognisewildlifeproductssoldonline"
    info = _remembered_label_key.cache_info()
    assert (info.hits, info.misses, info.currsize) == (2, 1, 1)


def test_classify_lines_is_classify_of_every_line():
    rng = random.Random(6)
    texts = [with_random_edits(t, _LABEL_EDITS, 40, rng) for t in corpus_reports(40)]
    DEFAULT_VOCABULARY.compiled.hit_by_line.clear()  # every line is classified afresh once
    hits = votes = 0
    for text in texts:
        parser = _Parser(text, None, DEFAULT_VOCABULARY, None, False)
        lines = _split_lines(text) + [(1, 0, 300, "Status: " + "x" * 292), (1, 0, 4, "é")]
        got = parser.classify_lines(lines)
        assert got == [parser.classify(ln) for ln in lines]
        hits += sum(hit is not None and hit[2] is not None for hit in got)
        for ln, hit in zip(lines, got, strict=True):
            if hit is not None:  # the layout vote: the label's key, before the ":" of an inline value
                text = ln[3] if hit[2] is None else ln[3].split(":", 1)[0]
                assert hit[3] == DEFAULT_VOCABULARY.compiled.marker_by_key.get(label_key(text)), ln
                votes += hit[3] is not None
    assert hits > 100  # inline values ("Label: value", "Submitted by X") were compared too
    assert votes > 100
    remembered = DEFAULT_VOCABULARY.compiled.hit_by_line
    for text, hit in remembered.items():  # what classify_lines answers by the text is classify()'s answer
        assert parser.classify((1, 0, len(text), text)) == hit, text
    assert sum(hit is None for hit in remembered.values()) > 20  # types, statuses... (not labels) too


def _split_items_by_regex(ln: _Line) -> list[tuple[int, int]]:
    """The spans of _Parser.split_items as first written: the pieces between the item separator matches."""
    _no, start, _end, text = ln
    out, pos = [], 0
    for m in [*re.finditer(r"\s*[;,]\s*", text), None]:
        end = m.start() if m else len(text)
        if end > pos:
            out.append((start + pos, start + end))
        if m:
            pos = m.end()
    return out


def test_split_items_are_the_pieces_between_separator_matches():
    rng = random.Random(13)
    alphabet = list("ab ;,\t\xa0\u2003\x1c\x85é") + [" , ", "; ", " ;"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(20000)]
    texts += [ln for text in corpus_reports(30) for ln in text.split("\n") if "," in ln or ";" in ln]
    parser = _Parser("x" * 5000, None, DEFAULT_VOCABULARY, None, False)
    pieces = 0
    for text in texts:
        for line in (text, text.strip()):
            ln = (1, 7, 7 + len(line), line)
            got = [(f.start, f.end) for f in parser.split_items(ln)]
            assert got == _split_items_by_regex(ln), repr(line)
            pieces += len(got) > 2
    assert pieces > 1000


def test_label_language_vote_with_english_counted_apart():
    # ties: English wins over any other language, and between the others the first seen wins
    fr, es, en = "Soumis par\nJ\nPériode couverte\n2021\n", "Enviado por\nX\nPeríodo cubierto\n2022\n", \
        "Submitted by\nY\nPeriod covered\n2020\n"
    cases = {fr + es: "fr", es + fr: "es", fr + en: "en", en + es: "en", es + fr + fr: "fr", en + fr + fr: "fr"}
    for text, language in cases.items():
        assert parse_report(text, claims=False).language == language, text

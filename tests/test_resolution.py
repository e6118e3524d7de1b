"""parse_resolution / load_resolutions on resolutions written here and on every corpus resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from opmapper.errors import InputError
from opmapper.references import Reference
from opmapper.resolution import Resolution, canonical_id, load_resolutions, normalise_code, parse_resolution

CORPUS_RESOLUTIONS = Path(__file__).resolve().parents[1] / "corpus" / "resolutions"

# A resolution written for this test, in the agreed format.
HARBOUR = """WCC-2020-Res-777-EN
Keeping harbour seals safe from boat strikes

RECOGNISING that harbour seals rest on sandbanks close to busy shipping lanes;

DEEPLY CONCERNED that strikes by fast leisure boats have risen in several estuaries;

The IUCN World Conservation Congress, at its session in Marseille, France:

1. URGES States to:

a. set speed limits near haul-out sites; and

b. mark haul-out sites on nautical charts, including:

i. seasonal closures; and

ii. buffer zones;

2. CALLS ON boat clubs to train their members in seal-safe navigation; and

3. REQUESTS the Director General to report on progress.
"""

# Variants the parser must tolerate: no -EN suffix, "(a)" and "a)" markers, "1)" numbers, wrapped
# lines and no blank lines.
VARIANT = """WCC 2020 Res 778
Restoring hedgerows on farmland
NOTING that hedgerows shelter pollinators;
AWARE that many were removed
during land consolidation;
The World Conservation Congress:
1) ENCOURAGES farmers to replant hedgerows, with
support from extension services;
2) INVITES donors to:
(a) fund nurseries of native shrubs;
(b) fund training;
3) ASKS Members to share results.
"""


def ids(res: Resolution) -> list[str]:
    return [p.id for p in res.paragraphs]


def test_written_resolution_tree():
    res = parse_resolution(HARBOUR)
    assert res.code == "WCC-2020-Res-777"
    assert res.title == "Keeping harbour seals safe from boat strikes"
    assert ids(res) == ["PP1", "PP2", "OP1", "OP1.a", "OP1.b", "OP1.b.i", "OP1.b.ii", "OP2", "OP3"]
    by_id = {p.id: p for p in res.paragraphs}
    assert by_id["PP2"].text.startswith("DEEPLY CONCERNED that strikes")
    assert by_id["OP1"].text == "URGES States to:"
    assert by_id["OP1.b.ii"].parent == "OP1.b" and by_id["OP1.b"].parent == "OP1"
    assert by_id["OP1"].parent is None and by_id["OP1"].kind == "operative"
    assert by_id["PP1"].kind == "preambular"
    assert by_id["OP2"].text == "CALLS ON boat clubs to train their members in seal-safe navigation; and"
    # the congress line belongs to no paragraph
    assert not any("World Conservation Congress" in p.text for p in res.paragraphs)


@pytest.mark.parametrize("text", [HARBOUR, VARIANT])
def test_offsets_point_into_the_text(text):
    for p in parse_resolution(text).paragraphs:
        assert text[p.start:p.end] == p.text
        assert p.text == p.text.strip() and p.text


def test_variants():
    res = parse_resolution(VARIANT)
    assert res.code == "WCC-2020-Res-778"
    assert res.title == "Restoring hedgerows on farmland"
    assert ids(res) == ["PP1", "PP2", "OP1", "OP2", "OP2.a", "OP2.b", "OP3"]
    assert res["PP2"].text == "AWARE that many were removed\nduring land consolidation;"
    assert res["OP1"].text.endswith("support from extension services;")
    assert res["OP2.a"].text == "fund nurseries of native shrubs;"


def test_letter_i_after_h_is_a_letter_not_a_roman_numeral():
    letters = "abcdefghij"
    text = "Res\n\n1. URGES States to:\n" + "".join(f"{c}. do thing {c};\n" for c in letters)
    assert ids(parse_resolution(text))[1:] == [f"OP1.{c}" for c in letters]


@pytest.mark.parametrize("query, expected", [
    ("OP1.b", True), ("OP1.b.ii", True), ("PP2", True), ("OP3", True),
    ("OP4", False), ("OP1.c", False), ("PP3", False), ("op1b", True), ("OP 1 (b)", True), ("nonsense", False),
])
def test_contains(query, expected):
    assert (query in parse_resolution(HARBOUR)) is expected


def test_contains_and_unknown_accept_references():
    res = parse_resolution(HARBOUR)
    known = Reference(id="OP1.a", kind="operative", paragraph=1, subparagraph=("a",), start=0, end=6, text="OP1.a")
    stray = Reference(id="OP7", kind="operative", paragraph=7, subparagraph=(), start=8, end=11, text="OP7")
    assert known in res and stray not in res
    assert res.unknown([known, stray, "OP2", "OP1.d"]) == [stray, "OP1.d"]
    assert 42 not in res


def test_tree_helpers():
    res = parse_resolution(HARBOUR)
    assert [p.id for p in res.children("OP1")] == ["OP1.a", "OP1.b"]
    assert res.ancestors("OP1.b.i") == ("OP1.b", "OP1")
    assert "seasonal closures" in res.full_text("OP1") and "train their members" not in res.full_text("OP1")
    assert [p.id for p in res.preamble] == ["PP1", "PP2"]
    assert res.to_dict()["paragraphs"][0]["id"] == "PP1"


@pytest.mark.parametrize("raw, canonical", [
    ("OP4.b", "OP4.b"), ("op4b", "OP4.b"), ("OP 4 (b)", "OP4.b"), ("OP4.b.ii", "OP4.b.ii"), ("PP03", "PP3"),
    ("OP4ii", None), ("COP15", None), ("SDG 15", None),
])
def test_canonical_id(raw, canonical):
    assert canonical_id(raw) == canonical


@pytest.mark.parametrize("raw, code", [
    ("WCC-2020-Res-040-EN", "WCC-2020-Res-040"), ("WCC 2020 Res 40", "WCC-2020-Res-040"),
    ("WCC-2020-Res-091", "WCC-2020-Res-091"), ("Motion 050", None),
])
def test_normalise_code(raw, code):
    assert normalise_code(raw) == code


@pytest.mark.parametrize("text, problem", [
    ("", "empty"),
    ("WCC-2020-Res-001\nA title\n\nRECOGNISING that things matter;\n", "no operative paragraphs"),
    ("T\n\n1. URGES States to act;\n\n1. URGES States again;\n", "OP1 appears twice"),
])
def test_errors_name_the_source(text, problem):
    with pytest.raises(InputError) as err:
        parse_resolution(text, source="res.txt")
    assert "res.txt" in str(err.value) and problem in str(err.value)


def test_code_falls_back_to_file_name():
    res = parse_resolution("Untitled\n\n1. URGES States to act.\n", source="/x/WCC-2020-Res-123.txt")
    assert res.code == "WCC-2020-Res-123"


# ------------------------------------------------------------------ the corpus
SCHEME_A = ["OP1", "OP1.a", "OP1.b", "OP2", "OP3", "OP4", "OP4.a", "OP4.b", "OP4.c", "OP4.d",
            "OP5", "OP6", "OP7", "OP8"]
SCHEME_B = ["OP1", "OP1.a", "OP1.b", "OP2", "OP3", "OP3.a", "OP3.b", "OP3.c", "OP4", "OP5", "OP6"]
SCHEME_C = ["OP1", "OP2", "OP3", "OP4", "OP4.a", "OP4.b", "OP5"]


@pytest.fixture(scope="module")
def corpus() -> dict[str, Resolution]:
    return load_resolutions()


@pytest.mark.parametrize("code, expected", [
    ("WCC-2020-Res-040", SCHEME_A), ("WCC-2020-Res-091", SCHEME_B), ("WCC-2020-Res-087", SCHEME_C),
])
def test_corpus_schemes(corpus, code, expected):
    assert [p.id for p in corpus[code].operative] == expected


def test_every_corpus_resolution(corpus):
    files = sorted(CORPUS_RESOLUTIONS.glob("*.txt"))
    assert sorted(corpus) == sorted(f.stem for f in files)
    for code, res in corpus.items():
        text = Path(res.source).read_text(encoding="utf-8")
        assert res.title and res.preamble and res.operative, code
        assert all(p.parent is None or p.parent in res for p in res.paragraphs), code
        for p in res.paragraphs:
            assert text[p.start:p.end] == p.text, (code, p.id)
        # operative paragraphs open with a capitalised verb (REQUESTS, CALLS ON ...)
        assert all(p.text.split()[0].isupper() for p in res.operative if p.parent is None), code


def test_load_resolutions_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_resolutions(tmp_path / "missing")
    with pytest.raises(InputError, match="no resolution files"):
        load_resolutions(tmp_path)
    (tmp_path / "WCC-2020-Res-001.txt").write_text("WCC-2020-Res-001\nT\n\n1. URGES States.\n", encoding="utf-8")
    (tmp_path / "copy.txt").write_text("WCC-2020-Res-001\nT\n\n1. URGES States.\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_resolutions(tmp_path)
    assert "copy.txt" in str(err.value) and "also defined" in str(err.value)
    (tmp_path / "copy.txt").write_text("no paragraphs at all\n", encoding="utf-8")
    with pytest.raises(InputError, match="copy.txt.*no operative"):
        load_resolutions(tmp_path)

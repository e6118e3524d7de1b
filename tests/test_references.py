"""Explicit paragraph references: tables of real-looking sentences, with ids and spans checked.

Every sentence here is written for this project. Expected spans are given as the text each Reference
must cover; the test locates it in the sentence (searching on from the previous reference's start) and
checks both the text and the offsets.
"""

from __future__ import annotations

import dataclasses

import pytest

from opmapper.references import (
    DEFAULT_PATTERNS,
    Reference,
    ReferencePatterns,
    ResolutionMention,
    find_references,
    find_resolution_mentions,
    strip_references,
)

# (sentence, [(id, text the Reference covers), ...])
POSITIVES = [
    # bracketed tag lists, as the portal exports them
    ("Officers from four agencies were trained in open-source investigation. [OP2; OP4.b]",
     [("OP2", "OP2"), ("OP4.b", "OP4.b")]),
    ("A regional workshop mapped emerging trends in online sales. [OP1.a]", [("OP1.a", "OP1.a")]),
    ("Messaging reached several million platform users. [OP8]", [("OP8", "OP8")]),
    ("We helped the coalition grow to new members. [OP8; OP4.d]", [("OP8", "OP8"), ("OP4.d", "OP4.d")]),
    ("The study of national laws is under way. [OP1.b]", [("OP1.b", "OP1.b")]),
    ("Guidance notes were drafted with the law commission [OP3]", [("OP3", "OP3")]),
    ("Two joint cases were opened across borders [OP4.b, OP5]", [("OP4.b", "OP4.b"), ("OP5", "OP5")]),
    ("Port officials received new scanners [ OP2 ]", [("OP2", "OP2")]),
    ("Officers were trained (OP 1 b\r\nStatus", [("OP1.b", "OP 1 b")]),
    ("A no-break space also separates OP\u00a04 from its number.", [("OP4", "OP\u00a04")]),
    ("Funding was secured from two donors [OP7 ; OP2]", [("OP7", "OP7"), ("OP2", "OP2")]),
    ("Listings were flagged to platforms [OP4.d; OP8; OP6]",
     [("OP4.d", "OP4.d"), ("OP8", "OP8"), ("OP6", "OP6")]),
    ("Our policy brief cited both the preamble and the operative text [PP2; OP1.a]",
     [("PP2", "PP2"), ("OP1.a", "OP1.a")]),
    ("Staff of the marine unit mapped hotspots [OP 2]", [("OP2", "OP 2")]),
    ("The database now holds 310 records [OP4.c]", [("OP4.c", "OP4.c")]),
    ("Retrieval trips ran monthly [OP4] and results were shared [OP6]", [("OP4", "OP4"), ("OP6", "OP6")]),
    ("Upper-case sub-paragraph letters also occur [OP4.B]", [("OP4.b", "OP4.B")]),
    ("A two-digit paragraph is tagged too [OP12]", [("OP12", "OP12")]),
    ("Tag lists may restate the separator [OP2;OP3]", [("OP2", "OP2"), ("OP3", "OP3")]),
    ("Tags separated by slashes [OP2/OP3]", [("OP2", "OP2"), ("OP3", "OP3")]),
    # parenthesised lists
    ("Investigators were mentored on cyber cases (OP 1 b; OP 2) during the year.",
     [("OP1.b", "OP 1 b"), ("OP2", "OP 2")]),
    ("Customs and police now share intelligence (OP4.c).", [("OP4.c", "OP4.c")]),
    ("A new fire-watch network was created (OP4 b).", [("OP4.b", "OP4 b")]),
    # sub-paragraphs in their many spellings
    ("This addresses OP 4(b) directly.", [("OP4.b", "OP 4(b)")]),
    ("Our work falls under OP4 (b) and was reported to the board.", [("OP4.b", "OP4 (b)")]),
    ("Actions under OP 4 (a) (ii) started in March.", [("OP4.a.ii", "OP 4 (a) (ii)")]),
    ("Actions under OP4(a)(ii) started in March.", [("OP4.a.ii", "OP4(a)(ii)")]),
    ("Actions under OP4.a.ii started in March.", [("OP4.a.ii", "OP4.a.ii")]),
    ("The glued form OP4b is common in notes.", [("OP4.b", "OP4b")]),
    ("Under operative sub-paragraph 4b we trained fire crews.", [("OP4.b", "operative sub-paragraph 4b")]),
    ("As operative paragraph 3, sub-paragraph (d) asks, data were shared.",
     [("OP3.d", "operative paragraph 3, sub-paragraph (d)")]),
    ("As operative paragraph 3 sub-paragraph d asks, data were shared.",
     [("OP3.d", "operative paragraph 3 sub-paragraph d")]),
    ("The request in operative paragraph 1(b) was met.", [("OP1.b", "operative paragraph 1(b)")]),
    ("The request in operative paragraph 1 (b) was met.", [("OP1.b", "operative paragraph 1 (b)")]),
    ("The request in operative paragraph 1.b was met.", [("OP1.b", "operative paragraph 1.b")]),
    # continued sub-paragraphs and letter ranges
    ("Both OP1(a) and (c) were covered by the survey.", [("OP1.a", "OP1(a)"), ("OP1.c", "(c)")]),
    ("Training covered OP4(a), (b) and (d) in full.",
     [("OP4.a", "OP4(a)"), ("OP4.b", "(b)"), ("OP4.d", "(d)")]),
    ("Work on OP1.a-c is summarised below.",
     [("OP1.a", "OP1.a"), ("OP1.b", "OP1.a-c"), ("OP1.c", "c")]),
    ("Work on OP4(a)-(c) is summarised below.",
     [("OP4.a", "OP4(a)"), ("OP4.b", "OP4(a)-(c)"), ("OP4.c", "(c)")]),
    ("Work on OP 4 (a) to (c) is summarised below.",
     [("OP4.a", "OP 4 (a)"), ("OP4.b", "OP 4 (a) to (c)"), ("OP4.c", "(c)")]),
    ("Laws were amended as OP 4 (a, b & d) ask.",
     [("OP4.a", "OP 4 (a"), ("OP4.b", "b"), ("OP4.d", "d")]),
    ("Laws were amended as OP4(a-c) asks.", [("OP4.a", "OP4(a"), ("OP4.b", "OP4(a-c"), ("OP4.c", "c")]),
    ("Sub-items OP4(a)(i) and (ii) are both met.", [("OP4.a.i", "OP4(a)(i)"), ("OP4.a.ii", "(ii)")]),
    ("As operative paragraph 3, sub-paragraphs (d) and (e) ask, records were opened.",
     [("OP3.d", "operative paragraph 3, sub-paragraphs (d)"), ("OP3.e", "(e)")]),
    ("Operative paragraphs 4(a) and (b) call for new laws.",
     [("OP4.a", "Operative paragraphs 4(a)"), ("OP4.b", "(b)")]),
    # lower case and odd spacing
    ("The team reviewed op8 with the platform's trust and safety staff.", [("OP8", "op8")]),
    ("Progress on op 3 is slower than hoped.", [("OP3", "op 3")]),
    ("Progress on Op. 3 is slower than hoped.", [("OP3", "Op. 3")]),
    ("See OP.5 for the cooperation clause.", [("OP5", "OP.5")]),
    # lists and ranges
    ("Activities span OPs 2-4 of the text.", [("OP2", "OPs 2"), ("OP3", "OPs 2-4"), ("OP4", "4")]),
    ("Activities span OPs 2–4 of the text.", [("OP2", "OPs 2"), ("OP3", "OPs 2–4"), ("OP4", "4")]),
    ("Activities span OP2-OP4 this year.", [("OP2", "OP2"), ("OP3", "OP2-OP4"), ("OP4", "OP4")]),
    ("Activities span OP2 to OP4 this year.", [("OP2", "OP2"), ("OP3", "OP2 to OP4"), ("OP4", "OP4")]),
    ("Activities span OPs 2 - 4 this year.", [("OP2", "OPs 2"), ("OP3", "OPs 2 - 4"), ("OP4", "4")]),
    ("Both OP2 and OP5 were reported on.", [("OP2", "OP2"), ("OP5", "OP5")]),
    ("Both OP2 and 5 were reported on.", [("OP2", "OP2"), ("OP5", "5")]),
    ("We covered OP 2, 3 and 4 this year.", [("OP2", "OP 2"), ("OP3", "3"), ("OP4", "4")]),
    ("Rangers were trained [OP2, 4]", [("OP2", "OP2"), ("OP4", "4")]),
    ("Some reports write OP-2 with a hyphen.", [("OP2", "OP-2")]),
    ("Training of staff (OP4, 12 sites) continued.", [("OP4", "OP4")]),
    ("Both OP2 & OP5 were reported on.", [("OP2", "OP2"), ("OP5", "OP5")]),
    ("Both OPs 1(a) and 4(d) were reported on.", [("OP1.a", "OPs 1(a)"), ("OP4.d", "4(d)")]),
    ("Our work served operative paragraphs 2, 3 and 7 of the Resolution.",
     [("OP2", "operative paragraphs 2"), ("OP3", "3"), ("OP7", "7")]),
    ("Our work served operative paragraphs 2, 3, and 7.",
     [("OP2", "operative paragraphs 2"), ("OP3", "3"), ("OP7", "7")]),
    ("Operative paragraphs 1 to 3 were discussed at the meeting.",
     [("OP1", "Operative paragraphs 1"), ("OP2", "Operative paragraphs 1 to 3"), ("OP3", "3")]),
    ("Operative paragraphs 5 through 7 need funding.",
     [("OP5", "Operative paragraphs 5"), ("OP6", "Operative paragraphs 5 through 7"), ("OP7", "7")]),
    ("The plan follows operative paragraphs 2 and 6.", [("OP2", "operative paragraphs 2"), ("OP6", "6")]),
    ("See operative paragraph 2 or operative paragraph 6.",
     [("OP2", "operative paragraph 2"), ("OP6", "operative paragraph 6")]),
    ("The paragraphs 2 and 5 of the Resolution guided us.", [("OP2", "paragraphs 2"), ("OP5", "5")]),
    # prose: operative paragraph, paragraph ... of the Resolution, para.
    ("Work under operative paragraph 6 started in May.", [("OP6", "operative paragraph 6")]),
    ("Operative Paragraph 4 was the focus of our advocacy.", [("OP4", "Operative Paragraph 4")]),
    ("As requested in operative paragraph no. 5, a review was made.", [("OP5", "operative paragraph no. 5")]),
    ("As requested by operative para. 5, a review was made.", [("OP5", "operative para. 5")]),
    ("The wording of operative clause 2 was used in our letter.", [("OP2", "operative clause 2")]),
    ("As asked in paragraph 3(b) of the Resolution, we published the review.",
     [("OP3.b", "paragraph 3(b) of the Resolution")]),
    ("As asked in paragraph 3 of this Resolution, we published the review.",
     [("OP3", "paragraph 3 of this Resolution")]),
    ("As foreseen in para. 5, donors were approached.", [("OP5", "para. 5")]),
    ("As foreseen in paras. 5 and 6, donors were approached.", [("OP5", "paras. 5"), ("OP6", "6")]),
    ("As foreseen in paras 2-3, donors were approached.",
     [("OP2", "paras 2"), ("OP3", "3")]),
    ("Under paragraph 4 we helped States draft laws.", [("OP4", "paragraph 4")]),
    ("Under sub-paragraph 4(b) we helped States draft laws.", [("OP4.b", "sub-paragraph 4(b)")]),
    ("Operative paragraph 2 of IUCN Resolution 040 was applied.", [("OP2", "Operative paragraph 2")]),
    ("Operative paragraph 3 of the operative part was applied.",
     [("OP3", "Operative paragraph 3 of the operative part")]),
    # preambular
    ("The concern voiced in PP2 matches our findings.", [("PP2", "PP2")]),
    ("The concern voiced in PPs 1-3 matches our findings.",
     [("PP1", "PPs 1"), ("PP2", "PPs 1-3"), ("PP3", "3")]),
    ("The concern voiced in preambular paragraph 4 matches our findings.",
     [("PP4", "preambular paragraph 4")]),
    ("The concerns voiced in preambular paragraphs 2 and 3 match our findings.",
     [("PP2", "preambular paragraphs 2"), ("PP3", "3")]),
    ("The concern voiced in paragraph 4 of the preamble matches our findings.",
     [("PP4", "paragraph 4 of the preamble")]),
    # French and Spanish
    ("Conformément au paragraphe 5 du dispositif, un atelier a eu lieu.",
     [("OP5", "paragraphe 5 du dispositif")]),
    ("Les paragraphes 2 et 4 du dispositif ont guidé notre travail.",
     [("OP2", "paragraphes 2"), ("OP4", "4")]),
    ("Les paragraphes 2 à 4 du dispositif sont couverts.",
     [("OP2", "paragraphes 2"), ("OP3", "paragraphes 2 à 4"), ("OP4", "4")]),
    ("Le paragraphe 3 du préambule rappelle le contexte.", [("PP3", "paragraphe 3 du préambule")]),
    ("Selon le paragraphe opérationnel 4, la loi a été révisée.", [("OP4", "paragraphe opérationnel 4")]),
    ("L'alinéa 2 du préambule est cité dans notre rapport.", [("PP2", "alinéa 2 du préambule")]),
    ("Según el párrafo dispositivo 2, capacitamos a la policía.", [("OP2", "párrafo dispositivo 2")]),
    ("Conformément au paragraphe\u202f6 du dispositif (espace fine), un fonds a été créé.",
     [("OP6", "paragraphe\u202f6 du dispositif")]),
    ("Los párrafos dispositivos 1 y 3 orientan el plan.",
     [("OP1", "párrafos dispositivos 1"), ("OP3", "3")]),
    ("El párrafo operativo 4 (b) se cumplió.", [("OP4.b", "párrafo operativo 4 (b)")]),
    ("El párrafo 3 del preámbulo describe el problema.", [("PP3", "párrafo 3 del preámbulo")]),
    ("El párrafo preambular 5 describe el problema.", [("PP5", "párrafo preambular 5")]),
    ("Según el párrafo 6 de la parte dispositiva, se creó un fondo.",
     [("OP6", "párrafo 6 de la parte dispositiva")]),
    # references next to look-alikes that must not be picked up
    ("At CoP19 we promoted OP5 with the CITES secretariat.", [("OP5", "OP5")]),
    ("Aligned with SDG 15 and with OP6 on research.", [("OP6", "OP6")]),
    ("Our 2021 work plan, Section 4.2, lists OP1.a first.", [("OP1.a", "OP1.a")]),
    ("Report submitted on 09/30/2022 covering OP2.", [("OP2", "OP2")]),
    ("OP4, 12 staff were trained this year.", [("OP4", "OP4")]),
    ("Under OP4 - 5 workshops were held.", [("OP4", "OP4")]),
    ("Under OP4, OP5 and 12 other actions we trained staff.", [("OP4", "OP4"), ("OP5", "OP5")]),
    ("Resolution 036, paragraph 3 asks for data.", [("OP3", "paragraph 3")]),
    ("Under Article 3, paragraph 2 and OP4 we reported.", [("OP4", "OP4")]),
    # "above"/"below": report fields have no numbered paragraphs, so these point back at the resolution's
    ("The customs unit, as in para. 5 above, shared its seizure data.", [("OP5", "para. 5")]),
    ("As noted in paragraph 2 above, funding fell.", [("OP2", "paragraph 2")]),
    ("Both tasks in paragraphs 3 and 4 below were delayed.", [("OP3", "paragraphs 3"), ("OP4", "4")]),
    # a bare "para" (no full stop) counts only with its qualifier: "para 20 comunidades" is Spanish "for 20"
    ("Work under para 5 of the Resolution began in March.", [("OP5", "para 5 of the Resolution")]),
    ("We reported on para 12 in this Resolution twice.", [("OP12", "para 12 in this Resolution")]),
    ("Work under para. 5 of this Resolution began in March.", [("OP5", "para. 5 of this Resolution")]),
]

NEGATIVES = [
    "At the forthcoming CoP19 of CITES we will host a side-event.",
    "Delegates at COP15 adopted the global framework.",
    "Delegates at COP 15 adopted the global framework.",
    "Our director wrote an op-ed in a national newspaper.",
    "Oil prices set by OPEC 2 years ago hit donor budgets.",
    "Operation 2 of the customs taskforce seized 40 parcels.",
    "This duty follows from Article 3 of the Convention.",
    "We contributed to Target 12 of the new framework.",
    "The project supports SDG 15 and SDG 14.",
    "Progress towards Aichi Target 19 was modest.",
    "Observers are admitted under Paragraph 66 (d) of the IUCN Regulations.",
    "Observers are admitted under paragraph 66(d) of the IUCN Regulations.",
    "As explained in the previous paragraph, funding fell.",
    "Steps taken:\n1) training\n2) outreach\n3) research",
    "Steps taken:\n1. training\n2. outreach",
    "See Section 4.2 of the manual and version v2.1 of the app.",
    "The meeting was held on 12/05/2022 at 11:05.",
    "The meeting was held on 12.05.2022.",
    "Call our hotline on +41 22 999 0000 for details.",
    "Document C/94/17 sets out the budget.",
    "This is set out in paragraph 5 of Decision 14/8.",
    "This is set out in Decision 14/8, paragraph 5.",
    "Under Article 3, paragraph 2 States must report.",
    "Paragraph 7 of the 2030 Agenda is relevant.",
    "Officers met para 5 of the national plan targets.",
    "Se entregaron redes para 5 de los puertos.",
    "We trained staff on para 5 procedures.",
    "Operative paragraph 5 of UNGA resolution 69/314 calls for action.",
    "The workshop 2 sessions ran in parallel.",
    "The second MOP 3 meeting took place online.",
    "Figures are on pp. 12-14 of the annual report.",
    "In the 2nd paragraph we describe the context.",
    "Seven OPs were discussed at the meeting.",
    "We reached the top 10 list of donors.",
    "The paragraph 2020 budget line was closed.",
    "Paragraph 1,000 of the database export is corrupt.",
    "The group 4 participants were trained on WCC-2020-Res-040.",
    "Motion 050 was adopted as Resolution 040.",
    "Scanners of 300 dpi resolution 10 times finer were bought.",
    "ISO 14001 certification was renewed under Clause 4, paragraph 2.",
    "Entregamos redes para 20 comunidades pesqueras.",
    "Figures are on pp 12-14 and p. 3 of the annual report.",
    "The file OP10-2020 holds the minutes.",
    "Logged as OP 12-05-2022 in the register.",
    "The COVID-19 restrictions delayed two workshops.",
]


def _expected_spans(text: str, expected: list[tuple[str, str]]) -> list[tuple[str, int, int]]:
    out, cursor = [], 0
    for ref_id, span_text in expected:
        start = text.find(span_text, cursor)
        assert start >= 0, f"test table error: {span_text!r} not in {text!r}"
        out.append((ref_id, start, start + len(span_text)))
        cursor = start
    return out


@pytest.mark.parametrize("text, expected", POSITIVES, ids=[t[:50] for t, _ in POSITIVES])
def test_positive_ids_and_spans(text, expected):
    refs = find_references(text)
    assert [(r.id, r.start, r.end) for r in refs] == _expected_spans(text, expected)
    for r in refs:
        assert r.text == text[r.start:r.end]
        assert r.complete
        assert r.id.startswith("OP" if r.kind == "operative" else "PP")
        assert r.id.split(".")[0][2:] == str(r.paragraph)
        assert tuple(r.id.split(".")[1:]) == r.subparagraph


@pytest.mark.parametrize("text", NEGATIVES, ids=[t[:50] for t in NEGATIVES])
def test_negatives_match_nothing(text):
    assert find_references(text) == []


def test_table_sizes():
    n_refs = sum(len(expected) for _, expected in POSITIVES)
    assert n_refs >= 120 and len(NEGATIVES) >= 30


def test_references_are_sorted_records():
    refs = find_references("First OP3 then [OP1.a; PP2] and operative paragraph 2.")
    assert [r.start for r in refs] == sorted(r.start for r in refs)
    first = refs[0]
    assert isinstance(first, Reference)
    assert first.to_dict() == {"id": "OP3", "kind": "operative", "paragraph": 3, "subparagraph": [],
                               "start": 6, "end": 9, "text": "OP3", "complete": True}
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.id = "OP4"  # type: ignore[misc]


def test_random_mixtures_keep_invariants():
    """Seeded random mixtures of reference pieces and noise: no errors, spans always consistent."""
    import random

    pieces = ["OP", "op", "PP", "OPs ", "operative paragraph ", "paragraph ", "para. ", "paragraphe ",
              "1", "2", "4", "12", "2020", "(a)", "(ii)", ".b", "b", " ", ", ", "; ", " and ", "-", " to ",
              "[", "]", "(", ")", "\n", "of the Resolution", "of the Convention", "COP", "Target ", "x", "§"]
    rng = random.Random(7)
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        refs = find_references(text)
        assert [r.start for r in refs] == sorted(r.start for r in refs)
        for r in refs:
            assert r.text == text[r.start:r.end] and r.start < r.end
            assert 1 <= r.paragraph <= 99 and r.kind in ("operative", "preambular")
        stripped = strip_references(text)
        assert len(stripped) <= len(text)
        for m in find_resolution_mentions(text):
            assert m.text == text[m.start:m.end]


@pytest.mark.parametrize("func", [find_references, strip_references, find_resolution_mentions])
def test_non_text_input_is_a_clear_type_error(func):
    with pytest.raises(TypeError, match="decode it first"):
        func(b"[OP2]")


def test_empty_and_reference_free_text():
    assert find_references("") == []
    assert find_references("No paragraph is cited in this description.") == []


# ---------------------------------------------------------------------- tag lists glued or cut off

def test_glued_tag_list_stops_at_bracket():
    text = "Capacity-buildingWe trained 40 rangers in evidence handling. [OP2; OP4.b]On-going"
    refs = find_references(text)
    assert [(r.id, r.text, r.complete) for r in refs] == [("OP2", "OP2", True), ("OP4.b", "OP4.b", True)]
    assert text[refs[-1].end:] == "]On-going"


@pytest.mark.parametrize("text, ids", [
    ("We trained 40 rangers in evidence handling. [OP2; OP4", ["OP2", "OP4"]),
    ("We trained 40 rangers in evidence handling. [OP2; OP4\nStatus\nOn-going", ["OP2", "OP4"]),
    ("We trained 40 rangers. [OP2; \nStatus", ["OP2"]),
    ("We trained 40 rangers. [OP1.", ["OP1"]),
    ("We trained 40 rangers. [OP8On-going", ["OP8"]),
    ("Windows line ends. [OP2; OP4\r\nStatus\r\nOn-going", ["OP2", "OP4"]),
])
def test_cut_off_tag_lists_are_incomplete(text, ids):
    refs = find_references(text)
    assert [r.id for r in refs] == ids
    assert all(not r.complete for r in refs)


def test_only_the_cut_list_is_incomplete():
    text = "Workshop held [OP1.a]\nStatus\nCompleted\nSecond workshop [OP2; OP4"
    refs = find_references(text)
    assert [(r.id, r.complete) for r in refs] == [("OP1.a", True), ("OP2", False), ("OP4", False)]


def test_unclosed_bracket_closed_later_on_the_line_is_complete():
    refs = find_references("Support for laws [OP4.a and related work] continued.")
    assert [(r.id, r.complete) for r in refs] == [("OP4.a", True)]


# ---------------------------------------------------------------------- custom pattern sets

def test_custom_section_sign_convention():
    text = "Rangers were trained (§4b) and data shared under §§ 2-3."
    assert find_references(text) == []
    patterns = DEFAULT_PATTERNS.extended(operative_heads=[r"§§?"])
    refs = find_references(text, patterns=patterns)
    assert [(r.id, r.text) for r in refs] == [("OP4.b", "§4b"), ("OP2", "§§ 2"), ("OP3", "3")]
    assert strip_references(text, patterns=patterns) == "Rangers were trained and data shared under."


@pytest.mark.parametrize("text, expected", [
    ("See ¶ 4(b) and ¶3.", [("OP4.b", "¶ 4(b)"), ("OP3", "¶3")]),
    ("Gemäss Ziffer 3 und Ziff. 4 wurde berichtet.", [("OP3", "Ziffer 3"), ("OP4", "Ziff. 4")]),
    ("Gemäss Ziffern 2-4 wurde berichtet.", [("OP2", "Ziffern 2"), ("OP3", "Ziffern 2-4"), ("OP4", "4")]),
])
def test_custom_heads_of_any_shape(text, expected):
    """Heads ending in a symbol or in a \\w class are found like the built-in ones."""
    patterns = DEFAULT_PATTERNS.extended(operative_heads=[r"¶", r"Ziff\w*"])
    assert find_references(text) == []
    refs = find_references(text, patterns)
    assert [(r.id, r.start, r.end) for r in refs] == _expected_spans(text, expected)


def test_custom_preambular_head():
    patterns = DEFAULT_PATTERNS.extended(preambular_heads=[r"(?-i:PA)"])
    refs = find_references("The context in PA3 is cited.", patterns)
    assert [(r.id, r.kind) for r in refs] == [("PP3", "preambular")]
    assert find_references("The context in PA3 is cited.") == []


def test_custom_para_convention():
    text = "Para 4 b, the priority, came before para 2."
    assert find_references(text) == []
    patterns = DEFAULT_PATTERNS.extended(bare_heads=[r"para"])
    assert [(r.id, r.text) for r in find_references(text, patterns)] == [("OP4.b", "Para 4 b"), ("OP2", "para 2")]


def test_removing_a_default_head():
    no_bare = dataclasses.replace(DEFAULT_PATTERNS, bare_heads=())
    text = "As foreseen in para. 5 and OP6, donors were approached."
    assert [r.id for r in find_references(text)] == ["OP5", "OP6"]
    assert [r.id for r in find_references(text, no_bare)] == ["OP6"]


def test_custom_instrument_name():
    text = "As paragraph 3 of the Decision asks, we reported."
    assert find_references(text) == []
    patterns = DEFAULT_PATTERNS.extended(this_instrument=[r"(?:the\s+)?decision\b"])
    assert [r.id for r in find_references(text, patterns)] == ["OP3"]


def test_patterns_accept_lists_and_are_hashable():
    patterns = ReferencePatterns(operative_heads=["OP"], preambular_heads=[], bare_heads=[])
    assert isinstance(patterns.operative_heads, tuple)
    hash(patterns)
    assert [r.id for r in find_references("see OP2 and paragraph 3", patterns)] == ["OP2"]


@pytest.mark.parametrize("bad", [r"(unclosed", r"(?P<head>OP)"])
def test_bad_pattern_is_named(bad):
    with pytest.raises(ValueError, match="operative_heads"):
        find_references("OP2", DEFAULT_PATTERNS.extended(operative_heads=[bad]))


def test_extended_rejects_unknown_field():
    with pytest.raises(TypeError):
        DEFAULT_PATTERNS.extended(heads=["X"])


# ---------------------------------------------------------------------- strip_references

@pytest.mark.parametrize("text, stripped", [
    ("We trained officers. [OP2; OP4.b]", "We trained officers."),
    ("We trained officers. [OP2; OP4.b]On-going", "We trained officers. On-going"),
    ("We trained officers (OP 1 b; OP 2) in May.", "We trained officers in May."),
    ("Laws were amended as OP 4 (a, b and d) ask.", "Laws were amended as ask."),
    ("As operative paragraph 4 asks, laws were drafted.", "As asks, laws were drafted."),
    ("We trained officers. [OP2; OP4", "We trained officers."),
    ("Delegates at CoP19 met under Article 3 of the Convention.",
     "Delegates at CoP19 met under Article 3 of the Convention."),
    ("Line one [OP1.a]\nLine two [OP8]\n", "Line one\nLine two\n"),
    ("", ""),
])
def test_strip_references(text, stripped):
    assert strip_references(text) == stripped


@pytest.mark.parametrize("text, _", POSITIVES[:40])
def test_strip_leaves_no_reference(text, _):
    assert find_references(strip_references(text)) == []


# ---------------------------------------------------------------------- resolution mentions

MENTIONS = [
    ("Report on WCC-2020-Res-040 for the period.", [("WCC-2020-Res-040", "resolution", "040", "WCC-2020-Res-040")]),
    ("WCC 2016 Res 001 - Progress Report", [("WCC-2016-Res-001", "resolution", "001", "WCC 2016 Res 001")]),
    ("WCC 2020 Res 40 - Activity Report", [("WCC-2020-Res-040", "resolution", "40", "WCC 2020 Res 40")]),
    ("Progress on WCC-2012-Rec-139 is slow.", [("WCC-2012-Rec-139", "recommendation", "139", "WCC-2012-Rec-139")]),
    ("We implement Resolution 036 with partners.", [(None, "resolution", "036", "Resolution 036")]),
    ("We implement IUCN Resolution 122 with partners.", [(None, "resolution", "122", "IUCN Resolution 122")]),
    ("Linked to Res123 and its follow-up.", [(None, "resolution", "123", "Res123")]),
    ("Building on Resolution 6.049 of Hawaii.", [("WCC-2016-Res-049", "resolution", "6.049", "Resolution 6.049")]),
    ("Building on Resolution 5.012 of Jeju.", [("WCC-2012-Res-012", "resolution", "5.012", "Resolution 5.012")]),
    ("Recommendation 4.108 was the first step.",
     [("WCC-2008-Rec-108", "recommendation", "4.108", "Recommendation 4.108")]),
    ("Motion 050 became a resolution.", [(None, "motion", "050", "Motion 050")]),
    ("As IUCN Resolution WCC-2020-Res-087 asks, fires were mapped.",
     [("WCC-2020-Res-087", "resolution", "087", "IUCN Resolution WCC-2020-Res-087")]),
    ("Resolutions 036, 040 and 122 overlap.",
     [(None, "resolution", "036", "Resolutions 036"), (None, "resolution", "040", "040"),
      (None, "resolution", "122", "122")]),
    ("Work under resolution 091 continued.", [(None, "resolution", "091", "resolution 091")]),
    ("Resolution 19.38 of the General Assembly", [(None, "resolution", "19.38", "Resolution 19.38")]),
    # translated labels
    ("La Résolution 6.049 et la Recommandation 4.108 sont liées.",
     [("WCC-2016-Res-049", "resolution", "6.049", "Résolution 6.049"),
      ("WCC-2008-Rec-108", "recommendation", "4.108", "Recommandation 4.108")]),
    ("Las Resoluciones 040 y 041 y la Moción 050.",
     [(None, "resolution", "040", "Resoluciones 040"), (None, "resolution", "041", "041"),
      (None, "motion", "050", "Moción 050")]),
    ("UICN Résolution WCC-2020-Res-040", [("WCC-2020-Res-040", "resolution", "040", "UICN Résolution WCC-2020-Res-040")]),
    ("Résolution\n49226\nConstituant de l'UICN", []),
    # look-alikes
    ("UNGA Resolution 69/314 on wildlife trafficking.", []),
    ("Resolution\n49179\nIUCN Constituent", []),
    ("CITES Resolution Conf. 17.4 applies.", []),
    ("Scanners with a resolution 10 times finer were bought.", []),
    ("Resources 12 were moved.", []),
]


@pytest.mark.parametrize("text, expected", MENTIONS, ids=[t[:40] for t, _ in MENTIONS])
def test_resolution_mentions(text, expected):
    mentions = find_resolution_mentions(text)
    assert [(m.code, m.kind, m.number, m.text) for m in mentions] == expected
    for m in mentions:
        assert isinstance(m, ResolutionMention)
        assert text[m.start:m.end] == m.text


def test_mentions_do_not_make_references():
    assert find_references("Progress report on WCC-2020-Res-040 and Resolution 6.049") == []


# ---------------------------------------------------------------------- the real sample

def test_seed_tag_lists(seed_text):
    refs = find_references(seed_text)
    assert [r.id for r in refs] == ["OP2", "OP4.b", "OP1.a", "OP8", "OP8", "OP4.d", "OP4.a", "OP1.b"]
    assert all(r.complete and r.text == seed_text[r.start:r.end] for r in refs)
    # every reference sits inside a bracketed tag list at the end of a description line
    for r in refs:
        line_start = seed_text.rfind("\n", 0, r.start) + 1
        line_end = seed_text.find("\n", r.end)
        line = seed_text[line_start:line_end].rstrip()
        assert line.endswith("]") and "[" in line
    assert not any("CoP19" in seed_text[r.start - 5:r.end + 5] for r in refs)


def test_seed_strip(seed_text):
    stripped = strip_references(seed_text)
    assert find_references(stripped) == []
    assert "[OP" not in stripped and "CoP19" in stripped
    assert len(seed_text) - len(stripped) < 100


def test_seed_mentions_ignore_page_id(seed_text):
    assert all(m.number != "49179" for m in find_resolution_mentions(seed_text))


# ---------------------------------------------------------------------- spaCy component

@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    import opmapper.pipeline  # noqa: F401  (registers the factory)

    nlp = spacy.blank("en")
    nlp.add_pipe("opmapper_references")
    return nlp


def test_spacy_spans_align_with_references(nlp):
    text = "Officers were trained (OP 1 b; OP 2) and laws drafted under operative paragraph 4. [OP8]"
    doc = nlp(text)
    refs = find_references(text)
    spans = doc._.op_references
    assert [s._.op_reference["id"] for s in spans] == [r.id for r in refs] == ["OP1.b", "OP2", "OP4", "OP8"]
    for span, ref in zip(spans, refs, strict=True):
        assert span.start_char <= ref.start and ref.end <= span.end_char
        assert span._.op_reference == ref.to_dict()


def test_spacy_component_with_custom_patterns():
    spacy = pytest.importorskip("spacy")
    from opmapper.pipeline import ReferencesComponent

    nlp = spacy.blank("en")
    text = "Rangers were trained under §4b and OP2."
    component = ReferencesComponent(DEFAULT_PATTERNS.extended(operative_heads=[r"§"]))
    doc = component(nlp(text))
    assert [(s.text, s._.op_reference["id"]) for s in doc._.op_references] == [("§4b", "OP4.b"), ("OP2", "OP2")]
    # the same through the factory's config, which must stay JSON-like
    nlp.add_pipe("opmapper_references", config={"extend": {"operative_heads": ["§"]}})
    assert [s.label_ for s in nlp(text)._.op_references] == ["OP4.b", "OP2"]


PIPE_TEXTS = ["Rangers trained. [OP2]", "No reference here.", "Data shared (OP4.c) with customs.",
              "Laws were amended as OP4(a-c) asks."]
PIPE_IDS = [["OP2"], [], ["OP4.c"], ["OP4.a", "OP4.b", "OP4.c"]]


def _ids(docs):
    return [[s._.op_reference["id"] for s in d._.op_references] for d in docs]


def test_spacy_pipe_many_docs(nlp):
    docs = list(nlp.pipe(PIPE_TEXTS))
    assert _ids(docs) == PIPE_IDS
    # references expanding to overlapping tokens keep their own records (labels are the ids)
    assert [s.label_ for s in docs[3]._.op_references] == PIPE_IDS[3]


def test_spacy_doc_round_trips_through_bytes(nlp):
    from spacy.tokens import Doc

    doc = nlp(PIPE_TEXTS[3])
    restored = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert _ids([restored]) == [PIPE_IDS[3]]
    assert [s._.op_reference for s in restored._.op_references] == [r.to_dict() for r in find_references(PIPE_TEXTS[3])]


def test_spacy_pipe_in_two_processes(nlp):
    assert _ids(nlp.pipe(PIPE_TEXTS, n_process=2, batch_size=2)) == PIPE_IDS

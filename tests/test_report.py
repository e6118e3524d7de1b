"""Report parsing: every layout, offsets into the original text, truncation, bad input and the CLI."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from opmapper.cli import main
from opmapper.errors import InputError
from opmapper.references import Reference
from opmapper.report import (
    ACTIVITY_TYPES,
    DEFAULT_LABELS,
    LAYOUTS,
    STATUSES,
    Field,
    Report,
    ReportVocabulary,
    Section,
    fix_mojibake,
    label_key,
    parse_report,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "examples"
FIXTURE_FILES = sorted(EXAMPLES.glob("*.txt"))


def read(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


def parse(name: str, **kw) -> Report:
    kw.setdefault("claims", False)
    return parse_report(read(name), source=name, **kw)


def spans(obj):
    """Every record in a report that promises ``text == report.text[start:end]``."""
    if isinstance(obj, (Field, Section, Reference)):
        yield obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            if f.name != "text":
                yield from spans(getattr(obj, f.name))
    elif isinstance(obj, (tuple, list)):
        for item in obj:
            yield from spans(item)


def assert_offsets(report: Report) -> None:
    text = report.text
    for rec in spans(report):
        assert text[rec.start:rec.end] == rec.text, rec
    for act in (*report.activities, *report.future_actions):
        assert 0 <= act.start <= act.end <= len(text)
        for part in (act.type_field, act.description, act.status_field):
            if part is not None:
                assert act.start <= part.start <= part.end <= act.end, (act, part)
        for claim in act.claims:
            assert text[claim.start:claim.end] == claim.text
            assert act.description.start <= claim.start <= claim.end <= act.description.end
    for section in report.sections():
        for claim in section.claims:
            assert text[claim.start:claim.end] == claim.text
    for m in report.members:
        assert 0 <= m.start < m.end <= len(text)


# ---------------------------------------------------------------- one row per example report
CB, CONV, EDU, FIELD, FUND, POL, SCI, OTHER = ACTIVITY_TYPES
ON, DONE = STATUSES

EXPECTED = {
    "activity-report.txt": dict(
        layout="activity-report", code="WCC-2020-Res-091", page_id=49230, submitted_on="2023-03-14",
        submitted_by="Ines.VARGAS", constituent="Blue Tide Fisheries Alliance", period="01/2022 - 12/2022",
        scope=["Global", "Africa", "West Europe"], language="en", secretariat=True,
        members=[("Coastal Futures Trust", None, "Ghana"), ("Mar Limpio Foundation", None, "Chile"),
                 ("Nordic Seabed Society", None, "Norway")],
        others=["Port of Takoradi Harbour Authority", "Netwise Recycling Ltd", "Volta Fishers Cooperative"],
        types=[FIELD, SCI, CB, POL, EDU, CONV], statuses=[DONE, ON, DONE, ON, DONE, ON],
        refs=[["OP4"], ["OP2"], ["OP3.a", "OP3.b"], ["OP5"], [], []],
        future_types=[FIELD, FUND, POL, EDU], future_refs=[[], [], ["OP5", "OP3.a"], []],
        sections={"results", "challenges"}, report_status="Published", warnings=[],
    ),
    "progress-report.txt": dict(
        layout="progress-report", code="WCC-2020-Res-087", page_id=49226, period="2021 - 2022",
        title="WCC 2020 Res 087 - Progress Report", secretariat=False,
        members=[("Highland Forest Keepers", None, "Nepal"), ("3f2a9c1e-7b4d-4e2a-9c61-0d8e5a7b3f10", None, None)],
        commissions=["Commission on Ecosystem Management"],
        types=[CB, FIELD, SCI], statuses=[None, None, None], descriptions=False, refs=[[], [], []],
        sections={"results", "challenges", "future"}, section_refs={"results": ["OP4.a", "OP2"]},
        implementation_status="On-going", warnings=["listed by internal id"],
    ),
    "progress-report-legacy.txt": dict(
        layout="progress-report-legacy", code="WCC-2020-Res-040", page_id=None, secretariat=True,
        members=[("Greenline Conservation Network", "GCN", "Kenya"),
                 ("Savanna Watch Society", "SWS", "United Republic of Tanzania")],
        others=["Kenya Wildlife Service", "East African Cyber Investigators Forum"],
        commissions=["World Commission on Environmental Law"],
        types=[CB, POL, EDU], statuses=[None, None, None], descriptions=False,
        sections={"results", "challenges", "future", "additional"}, section_refs={"results": ["OP2", "OP4.a"]},
        implementation_status="Underway: implementation well-advanced", actions_planned="Yes, partly funded",
        warnings=[],
    ),
    "activity-report-legacy.txt": dict(
        layout="activity-report-legacy", code="WCC-2020-Res-040", page_id=None, secretariat=False,
        constituent="Pangolin Guardians Network", period="2021-2022", scope=["South and East Asia"],
        members=[("Mekong Wildlife Trust", "MWT", "Viet Nam")],
        types=[CB, SCI, CONV, OTHER], statuses=[ON, DONE, ON, DONE],
        refs=[["OP2", "OP4.b"], ["OP6"], ["OP4.d"], []],
        future_types=[POL, EDU], future_refs=[["OP4.a"], []],
        sections={"results", "challenges"}, warnings=[],
    ),
    "activity-report-fr.txt": dict(
        layout="activity-report", code="WCC-2020-Res-087", page_id=49226, submitted_on="2023-06-02",
        language="fr", secretariat=True, constituent="Association Forêts Vivantes du Sahel", period="2022 - 2023",
        members=[("Réseau Agroforestier du Burkina", None, "Burkina Faso")],
        types=[CB, FIELD], statuses=[DONE, ON], refs=[["OP4.a"], ["OP4.b"]], future_types=[FUND],
        sections={"results", "challenges"}, report_status="Publié", warnings=["labels are in French"],
    ),
    "activity-report-es.txt": dict(
        layout="activity-report", code="WCC-2020-Res-091", page_id=49230, submitted_on="2023-11-20",
        language="es", secretariat=False, constituent="Fundación Costa Austral", scope=["Meso and South America"],
        types=[FIELD, EDU, POL], statuses=[DONE, ON, ON], refs=[["OP4"], ["OP6"], ["OP3.c"]],
        future_types=[FUND], sections={"results", "challenges"}, report_status="Publicado",
        warnings=["labels are in Spanish"],
    ),
    "activity-report-mojibake.txt": dict(
        layout="activity-report", code="WCC-2020-Res-040", page_id=49179, submitted_on="2023-10-11",
        language="fr", secretariat=False, scope=["West Europe", "Africa"], period="2022 - 2023",
        members=[("Fundación Selva Viva", None, "Colombia"),
                 ("Ligue pour la Faune de Côte d'Ivoire", None, "Côte d'Ivoire")],
        types=[CONV, CB], statuses=[DONE, ON], refs=[["OP1.a", "OP5"], ["OP2"]],
        sections={"results", "challenges"},
        warnings=["mis-encoded characters", "replacement characters", "decoded as Latin-1", "line 4 'g\ufffdn\ufffdrales'"],
    ),
    "activity-report-unlabelled.txt": dict(
        layout="activity-report", code="WCC-2020-Res-091", page_id=49230, submitted_on="2023-05-08",
        submitted_by="Amara.KONE", constituent="Gulf of Guinea Marine Stewards", period="2022 - 2023",
        scope=["Africa"], secretariat=True, members=[("Coastal Futures Trust", None, "Ghana")],
        others=["Lagos Fishing Port Authority"],
        types=[FIELD, SCI, CB], statuses=[DONE, ON, ON], refs=[["OP4"], [], ["OP3.c"]],
        future_types=[FIELD, EDU], sections={"results", "challenges"}, report_status="Published",
        warnings=["labels are missing", "told apart by position"],
    ),
    "activity-report-truncated.txt": dict(
        layout="activity-report", code="WCC-2020-Res-091", page_id=49230,
        types=[FIELD, SCI, CB], statuses=[DONE, ON, None], future_types=[], sections=set(),
        warnings=["tag list cut off: '[OP3.a; OP3'", "text ends inside activity 3 (no status)",
                  "missing report status"],
    ),
}


def test_every_example_file_has_expectations():
    assert {p.name for p in FIXTURE_FILES} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_report(name):
    exp = EXPECTED[name]
    r = parse(name)
    assert r.layout == exp["layout"]
    assert r.resolution_code == exp["code"]
    assert r.page_id == exp["page_id"]
    simple = {"submitted_on": r.submitted_on, "language": r.language, "secretariat": r.secretariat}
    for key, value in simple.items():
        if key in exp:
            assert value == exp[key], key
    fields = {"submitted_by": r.submitted_by, "constituent": r.constituent, "period": r.period, "title": r.title,
              "report_status": r.report_status, "implementation_status": r.implementation_status,
              "actions_planned": r.actions_planned}
    for key, value in fields.items():
        if key in exp:
            assert value is not None and value.text == exp[key], key
    if "scope" in exp:
        assert [f.text for f in r.geographic_scope] == exp["scope"]
    if "members" in exp:
        assert [(m.name, m.acronym, m.country) for m in r.members] == exp["members"]
    if "others" in exp:
        assert [f.text for f in r.other_organisations] == exp["others"]
    if "commissions" in exp:
        assert [f.text for f in r.commissions] == exp["commissions"]
    assert [a.type for a in r.activities] == exp["types"]
    assert [a.status for a in r.activities] == exp["statuses"]
    if exp.get("descriptions", True) is False:
        assert all(a.description is None for a in r.activities)
    if "refs" in exp:
        assert [[ref.id for ref in a.references] for a in r.activities] == exp["refs"]
    if "future_types" in exp:
        assert [a.type for a in r.future_actions] == exp["future_types"]
        assert all(a.status is None and a.section == "future_actions" for a in r.future_actions)
    if "future_refs" in exp:
        assert [[ref.id for ref in a.references] for a in r.future_actions] == exp["future_refs"]
    assert {s.name for s in r.sections()} == exp["sections"]
    for name_, ids in exp.get("section_refs", {}).items():
        assert [ref.id for ref in getattr(r, name_).references] == ids
    assert [a.index for a in r.activities] == list(range(len(r.activities)))
    if exp["warnings"]:
        for fragment in exp["warnings"]:
            assert any(fragment in w for w in r.warnings), (fragment, r.warnings)
    else:
        assert r.warnings == ()
    assert_offsets(r)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_offsets_hold_with_claims(path):
    r = parse_report(path.read_text(encoding="utf-8"), source=path.name)
    assert r.layout in LAYOUTS
    assert_offsets(r)


def test_claims_are_shifted_into_the_report_text():
    r = parse("activity-report.txt", claims=True)
    trained = r.activities[2]
    assert any(c.value == 120 and c.counted_head == "skippers" for c in trained.claims)
    money = [c for c in r.results.claims if c.unit == "EUR"]
    assert money and money[0].value == 450000 and r.text[money[0].start:money[0].end] == money[0].text
    for c in (*trained.claims, *r.results.claims):
        assert c.sentence_start <= c.start < c.end <= c.sentence_end
    assert all(not a.claims for a in parse("activity-report.txt").activities)


# ---------------------------------------------------------------- truncation
@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_any_cut_parses_and_keeps_offsets(path):
    text = path.read_text(encoding="utf-8")
    for cut in range(1, len(text), 17):
        piece = text[:cut]
        if not piece.strip():
            continue
        r = parse_report(piece, source=f"{path.name}[:{cut}]", claims=False)
        assert r.layout in LAYOUTS
        assert_offsets(r)
        json.dumps(r.to_dict())


@pytest.mark.parametrize(
    "after, activities, expected",
    [
        ("Activity\nScientific/technical activities\nDescription and results/achievements of activities:\nOur survey",
         2, "text ends inside activity 2 (no status)"),
        ("Activity\nScientific/tech", 2, "text ends inside activity 2 (no description, no status, type cut off"),
        ("Description and results/achiev", 1, "text ends inside a label: 'Description and results/achiev'"),
        ("Capacity-building\nDescription and results/achievements of activities:\nWe trained 120 skippers and "
         "harbour staff in marking gear with owner codes and in logging lost gear through a mobile form. "
         "[OP3.a; OP3.b]\nStatus\nComp",
         3, "text ends inside activity 3 (status cut off: 'Comp')"),
        ("Future action / activity\nFundraising", 6, "text ends inside future action 2 (no description)"),
        ("Describe any challenges encountered in implementing this Resolution and the measures taken", 6,
         "text ends right after the challenges label"),
        ("Report sta", 6, "text ends inside a label: 'Report sta'"),
    ],
)
def test_truncation_warnings(after, activities, expected):
    text = read("activity-report.txt")
    cut = text[: text.index(after) + len(after)]
    r = parse_report(cut, claims=False)
    assert r.layout == "activity-report"
    assert len(r.activities) == activities
    assert any(expected in w for w in r.warnings), r.warnings
    assert any("missing report status" in w for w in r.warnings)


def test_cut_label_is_not_taken_as_a_value():
    text = read("activity-report.txt")
    cut = text[: text.index("Description and results/achiev") + len("Description and results/achiev")]
    last = parse_report(cut, claims=False).activities[-1]
    assert last.type == FIELD and last.description is None


# ---------------------------------------------------------------- flattened legacy rows and glued tags
@pytest.mark.parametrize(
    "row, type_, description, status, refs",
    [
        ("Capacity-buildingWe trained 40 rangers in cyber patrols. [OP2; OP4.b]On-going",
         CB, "We trained 40 rangers in cyber patrols. [OP2; OP4.b]", ON, ["OP2", "OP4.b"]),
        ("Education/Communication/Raising awarenessPosters in 3 markets.[OP8]Completed",
         EDU, "Posters in 3 markets.[OP8]", DONE, ["OP8"]),
        ("OtherSupport to a hotline.Completed", OTHER, "Support to a hotline.", DONE, []),
        ("Scientific/technical activities\tA scan of 12 marketplaces. [OP6] On-going",
         SCI, "A scan of 12 marketplaces. [OP6]", ON, ["OP6"]),
        ("Policy influencing/advocacyDraft law tabled [OP4.a]", POL, "Draft law tabled [OP4.a]", None, ["OP4.a"]),
    ],
)
def test_flattened_rows_split_into_type_description_status(row, type_, description, status, refs):
    text = f"WCC 2020 Res 040 - Activity Report\nIUCN Constituent: Test Trust\nImplementation\nActionDescriptionStatus\n{row}\n"
    r = parse_report(text, claims=False)
    assert r.layout == "activity-report-legacy"
    (act,) = r.activities
    assert (act.type, act.description.text, act.status) == (type_, description, status)
    assert [ref.id for ref in act.references] == refs
    assert_offsets(r)


def test_flattened_row_continues_over_lines_and_otherwise_is_not_a_type():
    text = ("WCC 2020 Res 040 - Activity Report\nActionDescriptionStatus\n"
            "OtherWe ran a hotline for the public.\nOther partners joined later. [OP5]Completed\n"
            "Field activitiesPatrols on 3 markets.On-going\n")
    r = parse_report(text, claims=False)
    assert [a.type for a in r.activities] == [OTHER, FIELD]
    assert r.activities[0].description.text == "We ran a hotline for the public.\nOther partners joined later. [OP5]"
    assert r.activities[0].status == DONE


# ---------------------------------------------------------------- labels: case, spacing, colons, languages
@pytest.mark.parametrize(
    "label",
    ["Period covered", "PERIOD COVERED", "period   covered :", "Period covered:", "  Period Covered  ",
     "Période couverte", "PÉRIODE COUVERTE :", "P\ufffdriode couverte", "PÃ©riode couverte", "Período cubierto",
     "Periodo cubierto:"],
)
def test_period_label_variants(label):
    text = f"WCC 2020 Res 040 - Activity Report\n{label}\n2021 - 2022\nResolution\n49179\n"
    r = parse_report(text, claims=False)
    assert r.period is not None and r.period.text == "2021 - 2022"
    assert r.resolution_code == "WCC-2020-Res-040"


@pytest.mark.parametrize(
    "line, value",
    [("IUCN Constituent: Test Trust", "Test Trust"), ("IUCN Constituent : Test Trust", "Test Trust"),
     ("Constituant de l'UICN : Fondation Test", "Fondation Test"),
     ("Constituyente de la UICN: Fundación Prueba", "Fundación Prueba")],
)
def test_inline_values(line, value):
    r = parse_report(f"WCC 2020 Res 040 - Activity Report\n{line}\nPeriod covered: 2022\n", claims=False)
    assert r.constituent.text == value
    assert r.period.text == "2022"
    assert_offsets(r)


@pytest.mark.parametrize("labels, language", [(("en",), "en"), (("fr",), "fr"), (("es",), "es")])
def test_every_label_language_parses_the_same_report(labels, language):
    lang = labels[0]

    def lab(field: str) -> str:
        return DEFAULT_LABELS[field][lang][0]

    text = "\n".join([
        lab("submitted_by"), "Ana.PEREZ", "on Mon, 01/16/2023 - 10:00", lab("resolution"), "49179",
        lab("constituent"), "Test Trust", lab("activity"), "Capacity-building", lab("description"),
        "We trained 12 officers. [OP2]", lab("status"), "On-going", lab("report_status"), "Published",
    ])
    r = parse_report(text, claims=False)
    assert r.language == language
    assert (r.layout, r.resolution_code, r.submitted_on) == ("activity-report", "WCC-2020-Res-040", "2023-01-16")
    assert [(a.type, a.status, [x.id for x in a.references]) for a in r.activities] == [(CB, ON, ["OP2"])]


@pytest.mark.parametrize(
    "value, type_",
    [("Réunir les parties prenantes/Réseautage", CONV), ("R\ufffdunir les parties prenantes/R\ufffdseautage", CONV),
     ("Renforcement des capacités", CB), ("Educación/Comunicación/Sensibilización", EDU),
     ("EducaciÃ³n/ComunicaciÃ³n/SensibilizaciÃ³n", EDU), ("capacity building", CB), ("Autre", OTHER)],
)
def test_activity_type_variants(value, type_):
    text = f"Submitted by\nX\nResolution\n49179\nActivity\n{value}\nDescription\nSome work.\nStatus\nEn cours\n"
    (act,) = parse_report(text, claims=False).activities
    assert (act.type, act.status) == (type_, ON)
    assert act.type_field.text == value


def test_label_key_folds_case_spacing_numbering_and_encoding():
    assert label_key("II. Implementation") == label_key("implementation:") == "implementation"
    assert label_key("Période") == label_key("P\ufffdriode") == label_key("PÃ©riode")


def test_vocabulary_is_data():
    labels = {**DEFAULT_LABELS, "period": {**DEFAULT_LABELS["period"], "de": ("Berichtszeitraum",)}}
    vocab = ReportVocabulary(labels=labels)
    r = parse_report("WCC 2020 Res 040 - Activity Report\nBerichtszeitraum\n2022\n", claims=False, vocabulary=vocab)
    assert r.period.text == "2022"
    assert parse_report("WCC 2020 Res 040 - Activity Report\nBerichtszeitraum\n2022\n", claims=False).period is None
    clash = {**DEFAULT_LABELS, "period": {"en": ("Report status",)}}
    with pytest.raises(ValueError, match="Report status"):
        parse_report("x\ny\n", vocabulary=ReportVocabulary(labels=clash))


# ---------------------------------------------------------------- values
@pytest.mark.parametrize(
    "line, name, acronym, country",
    [("Wildlife Trust of Somewhere ( India )", "Wildlife Trust of Somewhere", None, "India"),
     ("Greenline Conservation Network ( GCN ) / Kenya", "Greenline Conservation Network", "GCN", "Kenya"),
     ("Fund for Nature (International) ( Switzerland )", "Fund for Nature (International)", None, "Switzerland"),
     ("Ministerio de Ambiente y EnergÃ­a ( Costa Rica )", "Ministerio de Ambiente y Energía", None, "Costa Rica"),
     ("0b6f2d84-1c3e-4a5b-8d7e-9f0a1b2c3d4e", "0b6f2d84-1c3e-4a5b-8d7e-9f0a1b2c3d4e", None, None)],
)
def test_members(line, name, acronym, country):
    r = parse_report(f"WCC 2020 Res 040 - Activity Report\nIUCN Members\n{line}\nIUCN Secretariat\nNo\n", claims=False)
    (m,) = r.members
    assert (m.name, m.acronym, m.country) == (name, acronym, country)
    assert r.text[m.start:m.end] == line
    assert r.secretariat is False


@pytest.mark.parametrize(
    "line, iso",
    [("on Fri, 09/30/2022 - 11:05", "2022-09-30"), ("on Mon, 01/02/2023 - 08:00", "2023-01-02"),
     ("on 2021-12-24", "2021-12-24"), ("le ven, 30/09/2022 - 11:05", "2022-09-30"),
     ("on Sat, 02/30/2022 - 11:05", None)],
)
def test_submitted_on(line, iso):
    r = parse_report(f"Submitted by\nSome.ONE\n{line}\nResolution\n49179\n", claims=False)
    assert r.submitted_on == iso
    assert r.submitted_by.text == "Some.ONE"
    if iso is None:
        assert any("'02/30/2022' is not a valid date" in w for w in r.warnings)


@pytest.mark.parametrize(
    "title, page_id, code, warning",
    [(None, "49179", "WCC-2020-Res-040", None), (None, "49140", "WCC-2020-Res-001", None),
     ("WCC 2020 Res 091 - Activity Report", None, "WCC-2020-Res-091", None),
     ("WCC-2020-Res-091 - Activity Report", "49230", "WCC-2020-Res-091", None),
     ("WCC 2020 Res 091 - Activity Report", "49179", "WCC-2020-Res-091", "title says WCC-2020-Res-091"),
     (None, "12345", None, "page id 12345 does not map"),
     ("Resolution 6.049 - Progress Report", None, "WCC-2016-Res-049", None),
     ("WCC 2020 Rec 113 - Activity Report", None, "WCC-2020-Rec-113", None),
     ("Motion 050 - Activity Report", None, None, None)],
)
def test_resolution_code(title, page_id, code, warning):
    lines = ([title] if title else []) + ["Submitted by", "A.B"] + (["Resolution", page_id] if page_id else [])
    r = parse_report("\n".join(lines + ["Report status", "Published"]), claims=False)
    assert r.resolution_code == code
    assert r.page_id == (int(page_id) if page_id else None)
    if warning:
        assert any(warning in w for w in r.warnings), r.warnings


@pytest.mark.parametrize(
    "text, fixed",
    [("EnergÃ­a", "Energía"), ("CÃ´te d'Ivoire", "Côte d'Ivoire"), ("Energía", "Energía"), ("R\ufffdseau", "R\ufffdseau")],
)
def test_fix_mojibake(text, fixed):
    assert fix_mojibake(text) == fixed


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "text, reason",
    [("", "empty"), ("  \n\t\n", "empty"), ("Submitted by\x00\x00\x01", "NUL"),
     ("".join(chr(i % 20 + 1) for i in range(400)), "control characters"), (b"\x00\x01\x02binary", "binary"),
     (42, "expected report text")],
)
def test_bad_input_raises_input_error_naming_the_source(text, reason):
    with pytest.raises(InputError, match=reason) as info:
        parse_report(text, source="bad.txt")
    assert "bad.txt" in str(info.value)


def test_prose_is_not_a_report():
    prose = ("The river delta hosts many migratory birds.\nLocal groups count them every spring,\n"
             "and the figures are published in a yearly newsletter.\n")
    r = parse_report(prose, source="prose.txt", claims=False)
    assert r.layout == "unknown"
    assert any("does not look like an implementation report" in w for w in r.warnings)
    assert r.activities == () and r.resolution_code is None


def test_path_as_source():
    path = EXAMPLES / "progress-report.txt"
    r = parse_report(path.read_text(encoding="utf-8"), source=path, claims=False)
    assert r.source == str(path) and json.loads(json.dumps(r.to_dict()))["source"] == str(path)


def test_bytes_are_decoded():
    r = parse_report(read("activity-report-es.txt").encode("cp1252"), source="es.txt", claims=False)
    assert r.constituent.text == "Fundación Costa Austral"


# ---------------------------------------------------------------- to_dict
def test_to_dict_is_json_ready_with_spans():
    r = parse("activity-report.txt", claims=True)
    d = json.loads(json.dumps(r.to_dict()))
    for key in ("source", "layout", "title", "resolution_code", "page_id", "submitted_by", "submitted_on",
                "constituent", "constituent_type", "period", "geographic_scope", "members", "activities",
                "future_actions", "results", "challenges", "implementation_status", "report_status", "warnings"):
        assert key in d, key
    assert "text" not in d
    assert d["source"] == "activity-report.txt"
    assert d["submitted_by"] == "Ines.VARGAS"
    s, e = d["submitted_by_span"]
    assert r.text[s:e] == "Ines.VARGAS"
    act = d["activities"][1]
    assert act["type"] == SCI and act["status"] == ON
    assert [ref["id"] for ref in act["references"]] == ["OP2"]
    s, e = act["description_span"]
    assert r.text[s:e] == act["description"]
    assert act["claims"] and act["claims"][0]["value"] == 38
    assert d["results"]["claims"] and r.text[slice(*d["results"]["span"])] == d["results"]["text"]
    assert d["members"][0] == {"name": "Coastal Futures Trust", "acronym": None, "country": "Ghana",
                               "span": [r.members[0].start, r.members[0].end]}


# ---------------------------------------------------------------- the real sample
def test_real_sample(seed_text):
    r = parse_report(seed_text, source="seed")
    assert r.layout == "activity-report"
    assert (r.resolution_code, r.page_id, r.submitted_on) == ("WCC-2020-Res-040", 49179, "2022-09-30")
    assert [a.type for a in r.activities] == [CB, CONV, EDU, OTHER, POL, SCI]
    assert [a.status for a in r.activities] == [ON, DONE, ON, ON, DONE, ON]
    assert [[x.id for x in a.references] for a in r.activities] == [
        ["OP2", "OP4.b"], ["OP1.a"], ["OP8"], ["OP8", "OP4.d"], ["OP4.a"], ["OP1.b"]]
    assert [a.type for a in r.future_actions] == [CONV, OTHER, POL, SCI]
    assert [m.country for m in r.members] == ["Costa Rica", "India", "Switzerland"]
    assert r.secretariat is True
    assert len(r.geographic_scope) == 5 and r.geographic_scope[0].text == "Global"
    assert r.report_status.text == "Published"
    assert r.period is None
    assert r.results is not None and any(c.value == 47 for c in r.results.claims)
    assert r.warnings == ()
    assert_offsets(r)


def test_real_sample_cut_anywhere(seed_text):
    for cut in range(1, len(seed_text), 23):
        assert_offsets(parse_report(seed_text[:cut], claims=False))


# ---------------------------------------------------------------- CLI
def test_cli_parse_json(capsys):
    code = main(["parse", str(EXAMPLES / "activity-report.txt"), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [d["resolution_code"] for d in out] == ["WCC-2020-Res-091"]
    assert len(out[0]["activities"]) == 6 and len(out[0]["future_actions"]) == 4


def test_cli_parse_unreadable_file_is_reported_and_others_processed(capsys, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    code = main(["parse", str(empty), str(tmp_path / "missing.txt"), str(EXAMPLES / "progress-report.txt"),
                 "-f", "jsonl"])
    captured = capsys.readouterr()
    assert code == 1
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [row["layout"] for row in rows] == ["progress-report"]
    assert "empty.txt: file is empty" in captured.err and "missing.txt: no such file" in captured.err


@pytest.mark.parametrize("fmt, needle", [("text", "activity 2: Scientific/technical activities | On-going | OP2"),
                                         ("csv", "activities,2,Capacity-building,Completed,OP3.a; OP3.b")])
def test_cli_parse_text_and_csv(capsys, fmt, needle):
    assert main(["parse", str(EXAMPLES / "activity-report.txt"), "-f", fmt]) == 0
    assert needle in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["parse"], ["parse", "x.txt", "--format", "yaml"], ["parse", "--bogus", "x.txt"]])
def test_cli_usage_errors(capsys, argv):
    assert main(argv) == 2
    assert "usage" in capsys.readouterr().err


# ---------------------------------------------------------------- values that look like labels; saved pages
def test_constituent_type_that_is_also_a_label():
    text = ("Submitted by\nocean.team\nResolution\n49230\nIUCN Constituent\nIUCN Secretariat - Ocean Team\n"
            "IUCN Constituent type\nIUCN Secretariat\nPeriod covered\n2022\nIUCN Secretariat\nYes\n"
            "Report status\nPublished\nConstituent type\nIUCN Secretariat\n")
    r = parse_report(text, claims=False)
    assert r.constituent_type.text == "IUCN Secretariat"
    assert r.period.text == "2022" and r.secretariat is True
    assert r.warnings == ("missing activities (text may be truncated)",)


def test_saved_page_text_with_navigation_and_one_line_submitted_by(tmp_path, capsys):
    page = tmp_path / "report.html"
    page.write_text(
        "<html><body><nav><a>Home</a> <a>Reports</a></nav><h1>WCC 2020 Res 040 - Activity Report</h1>"
        "<p>Submitted by Some.ONE on Fri, 09/30/2022 - 11:05</p><h2>Resolution</h2><p>49179</p>"
        "<h2>Activity</h2><p>Capacity-building</p><h3>Description and results/achievements of activities:</h3>"
        "<p>We trained 30 officers. [OP2]</p><h3>Status</h3><p>Completed</p>"
        "<h2>Report status</h2><p>Published</p></body></html>", encoding="utf-8")
    assert main(["parse", str(page), "-f", "json"]) == 0
    (d,) = json.loads(capsys.readouterr().out)
    assert (d["layout"], d["title"], d["submitted_by"], d["submitted_on"]) == (
        "activity-report", "WCC 2020 Res 040 - Activity Report", "Some.ONE", "2022-09-30")
    assert [(a["type"], a["status"]) for a in d["activities"]] == [(CB, DONE)]
    assert any("text before the first label ignored: 'Home'" in w for w in d["warnings"])


def test_flattened_row_without_a_known_type_after_a_complete_row():
    text = ("WCC 2020 Res 040 - Activity Report\nActionDescriptionStatus\n"
            "Field activitiesPatrols on 3 markets.On-going\nMonitoringWe checked 50 adverts a week.Completed\n")
    r = parse_report(text, claims=False)
    assert [(a.type, a.status) for a in r.activities] == [(FIELD, ON), (None, DONE)]
    assert r.activities[1].description.text == "MonitoringWe checked 50 adverts a week."
    assert any("activity 2: the row does not start with a known activity type" in w for w in r.warnings)


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_other_line_endings_give_the_same_report(newline):
    text = read("activity-report.txt")
    other = parse_report(text.replace("\n", newline), claims=False)
    plain = parse_report(text, claims=False)
    assert [(a.type, a.status, a.description.text.replace(newline, "\n")) for a in other.activities] == [
        (a.type, a.status, a.description.text) for a in plain.activities]
    assert other.warnings == ()
    assert_offsets(other)


def test_byte_order_mark_is_tolerated():
    r = parse_report("\ufeff" + read("activity-report.txt"), claims=False)
    assert r.submitted_by.text == "Ines.VARGAS" and r.warnings == ()


@pytest.mark.parametrize(
    "value, code, warning",
    [("WCC-2020-Res-040", "WCC-2020-Res-040", None), ("Resolution 6.049", "WCC-2016-Res-049", None),
     ("Resolution 036", None, "'Resolution 036' does not say which Congress"),
     ("forty", None, "neither a page id nor a resolution code")],
)
def test_resolution_field_holding_a_code(value, code, warning):
    r = parse_report(f"Submitted by\nA.B\nResolution\n{value}\nReport status\nPublished\n", claims=False)
    assert r.resolution_code == code and r.page_id is None
    if warning:
        assert any(warning in w for w in r.warnings), r.warnings


def test_warnings_are_capped():
    junk = "\n".join(f"stray note number {i}" for i in range(120))
    text = f"{junk}\nCapacity-building\nWe trained 5 people.\nOn-going\nField activities\nWe cleaned a beach.\nCompleted\n"
    r = parse_report(text, claims=False)
    assert [a.type for a in r.activities] == [CB, FIELD]
    assert len(r.warnings) == 51
    assert r.warnings[-1].startswith("and ") and r.warnings[-1].endswith(" more warnings")


def test_cli_parse_no_claims_and_warnings_in_text(capsys):
    assert main(["parse", str(EXAMPLES / "activity-report.txt"), "-f", "json", "--no-claims"]) == 0
    (d,) = json.loads(capsys.readouterr().out)
    assert all(not a["claims"] for a in d["activities"]) and not d["results"]["claims"]
    assert main(["parse", str(EXAMPLES / "activity-report-truncated.txt")]) == 0
    out = capsys.readouterr().out
    assert "warning: text ends inside activity 3 (no status)" in out


@pytest.mark.parametrize(
    "title, kind",
    [("WCC 2020 Res 087 - Activity Report", "activity"), ("WCC 2020 Res 087 - Progress Report", "progress"),
     ("WCC 2020 Res 087 - Rapport d'activité", "activity"), ("WCC 2020 Res 087 – Rapport d’avancement", "progress"),
     ("WCC 2020 Res 087 - Informe de actividades", "activity"), ("WCC 2020 Res 087 - Informe de progreso", "progress")],
)
def test_title_gives_the_report_kind(title, kind):
    r = parse_report(f"{title}\nGeneral Information\nResolution\n49226\nPeriod covered\n2022\n", claims=False)
    assert r.layout == f"{kind}-report"
    assert r.title.text == title and r.resolution_code == "WCC-2020-Res-087"


def test_future_rows_with_a_space_after_the_type():
    text = ("WCC 2020 Res 040 - Activity Report\nFuture ActionDescription\n"
            "Policy influencing/advocacy Push for a national rule on platform records.\n"
            "Other partners may join this work.\n"
            "Fundraising Apply to two donors in 2024.\n")
    r = parse_report(text, claims=False)
    assert [a.type for a in r.future_actions] == [POL, FUND]
    assert r.future_actions[0].description.text.endswith("Other partners may join this work.")
    assert_offsets(r)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_mangled_reports_never_raise(path):
    """Lines dropped, repeated, swapped or glued together: still a Report with sound offsets."""
    import random

    rng = random.Random(path.name)
    lines = path.read_text(encoding="utf-8").split("\n")
    for _ in range(40):
        mangled = list(lines)
        for _ in range(rng.randint(1, 6)):
            i = rng.randrange(len(mangled))
            op = rng.choice(("drop", "repeat", "swap", "glue", "upper"))
            if op == "drop":
                del mangled[i]
            elif op == "repeat":
                mangled.insert(i, mangled[i])
            elif op == "swap" and i + 1 < len(mangled):
                mangled[i], mangled[i + 1] = mangled[i + 1], mangled[i]
            elif op == "glue" and i + 1 < len(mangled):
                mangled[i:i + 2] = [mangled[i] + mangled[i + 1]]
            elif op == "upper":
                mangled[i] = mangled[i].upper()
        text = "\n".join(mangled)
        if text.strip():
            r = parse_report(text, claims=False)
            assert r.layout in LAYOUTS
            assert_offsets(r)


def test_activity_blocks_without_their_labels():
    import re

    text = re.sub(r"^(Activity|Description and results/achievements of activities:|Status)\n", "",
                  read("activity-report.txt"), flags=re.M)
    r = parse_report(text, claims=False)
    exp = EXPECTED["activity-report.txt"]
    assert [(a.type, a.status) for a in r.activities] == list(zip(exp["types"], exp["statuses"], strict=True))
    assert [[x.id for x in a.references] for a in r.activities] == exp["refs"]
    assert any("activity labels missing" in w for w in r.warnings)
    assert_offsets(r)


def test_type_list_then_rows_after_a_completed_row():
    text = ("WCC 2020 Res 040 - Activity Report\nActionDescriptionStatus\n"
            "Field activitiesPatrols on 3 markets.Completed\nOther\nFundraisingA grant was won.On-going\n")
    r = parse_report(text, claims=False)
    assert [(a.type, a.status) for a in r.activities] == [(FIELD, DONE), (OTHER, None), (FUND, ON)]


def test_tab_separated_label_and_value():
    text = "WCC 2020 Res 040 - Activity Report\nIUCN Constituent\tTest Trust\nPeriod covered\t2021-2022\n"
    r = parse_report(text, claims=False)
    assert (r.constituent.text, r.period.text) == ("Test Trust", "2021-2022")
    assert_offsets(r)


# Figures in future actions and the free-text future section are plans unless said in the past; the
# same sentence among the activities keeps the tense it is written in.
_FUTURE_ROWS = ("WCC 2020 Res 040 - Activity Report\nActionDescriptionStatus\n"
                "Capacity-buildingWe trained 45 customs officers in two ports.Completed\n"
                "Future ActionDescription\n"
                "FundraisingSeek EUR 1.2 million from donors for a net collection point in two more ports.\n"
                "Capacity-buildingIn 2025, a course for 30 prosecutors in the capital.\n"
                "Capacity-buildingGreenwatch trained 300 judges in Kenya.\n")
_FUTURE_SECTION = ("WCC 2016 Res 022 - Progress Report\nGeneral information\n"
                   "Describe the results/achievements of the actions taken: \nSome 60 rangers joined the scheme.\n"
                   "Briefly describe what future actions are needed for the implementation of this Resolution: \n"
                   "An early-warning service for the twelve villages in the valley.\n"
                   "Up to 40 volunteers helped with the pilot last year.\n")
FUTURE_MODALITY = [
    (_FUTURE_ROWS, [("activities", "45 customs officers", "achieved"), ("activities", "two ports", "achieved"),
                    ("future_actions", "EUR 1.2 million", "planned"),
                    ("future_actions", "two more ports", "planned"),
                    ("future_actions", "30 prosecutors", "planned"),
                    ("future_actions", "300 judges", "achieved")]),
    (_FUTURE_SECTION, [("results", "Some 60 rangers", "achieved"),
                       ("future", "twelve villages", "planned"),
                       ("future", "Up to 40 volunteers", "achieved")]),
]


@pytest.mark.parametrize("text, expected", FUTURE_MODALITY, ids=["future-rows", "future-section"])
def test_future_figures_are_planned_unless_said_in_the_past(text, expected):
    r = parse_report(text)
    found = [(a.section, c.text, c.modality) for a in (*r.activities, *r.future_actions) for c in a.claims]
    found += [(s.name, c.text, c.modality) for s in r.sections() for c in s.claims]
    assert sorted(found) == sorted(expected)
    assert_offsets(r)

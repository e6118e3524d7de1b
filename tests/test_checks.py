"""Quality checks: each rule fires exactly where the fixture reports put a problem, and nowhere else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opmapper import check_report, load_resolutions, parse_report
from opmapper._records import LineIndex
from opmapper.checks import RULES, SEVERITIES, UnknownRuleError, _scale_slip, rule_codes, select_rules
from opmapper.cli import main
from opmapper.config import ConfigError, load_settings
from opmapper.tagger import Suggestion

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "checks"


@pytest.fixture(scope="module")
def resolutions():
    return load_resolutions()


def _check(name: str, resolutions, **kwargs):
    path = FIXTURES / name
    report = parse_report(path.read_text(encoding="utf-8"), source=str(path))
    return report, check_report(report, resolutions.get(report.resolution_code), **kwargs)


# (fixture, every finding expected as (code, line)); the lines are where the fixture puts each problem
EXPECTED = [
    ("clean.txt", {("untagged-activity", 54)}),
    ("claims.txt", {("untagged-activity", 32), ("unreferenced-claim", 32), ("unreferenced-claim", 39)}),
    ("references.txt", {("malformed-reference", 25), ("malformed-reference", 31), ("malformed-reference", 37),
                        ("untagged-activity", 37), ("unreferenced-claim", 37), ("unknown-reference", 43)}),
    ("structure.txt", {("missing-field", 7), ("missing-field", 10), ("missing-status", 20),
                       ("empty-description", 25), ("missing-status", 35)}),
    ("figures.txt", {("inconsistent-figure", 43), ("inconsistent-figure", 44)}),
    ("plans.txt", {("planned-as-achieved", 25), ("planned-as-achieved", 42)}),
    ("duplicates.txt", {("duplicate-text", 31), ("duplicate-text", 38), ("duplicate-text", 40)}),
]


@pytest.mark.parametrize("name,expected", EXPECTED, ids=[e[0] for e in EXPECTED])
def test_fixture_findings_are_exactly_where_expected(name, expected, resolutions):
    _, findings = _check(name, resolutions)
    assert {(f.code, f.line) for f in findings} == expected


def test_clean_report_has_only_info_findings(resolutions):
    _, findings = _check("clean.txt", resolutions)
    assert findings and all(f.severity == "info" for f in findings)
    assert findings[0].where == "future_actions[1]"


@pytest.mark.parametrize("name", [e[0] for e in EXPECTED])
def test_findings_are_sorted_and_located(name, resolutions):
    report, findings = _check(name, resolutions)
    index = LineIndex(report.text)
    assert findings == sorted(findings, key=lambda f: (f.start, f.end, f.code))
    for f in findings:
        assert (f.line, f.column) == index.line_col(f.start)
        assert 0 <= f.start <= f.end <= len(report.text)
        assert f.severity in SEVERITIES
        assert f.message and "\n" not in f.message


def test_messages_name_the_thing(resolutions):
    _, findings = _check("claims.txt", resolutions)
    claims = [f.message for f in findings if f.code == "unreferenced-claim"]
    assert 'claim "640 suspect listings" is not linked to any operative paragraph' in claims
    assert any('"more than 1,900 listings"' in m for m in claims)
    assert not any("85 prosecutors" in m for m in claims)      # its paragraph carries [OP2]

    _, findings = _check("references.txt", resolutions)
    unknown = {f.message: f.suggestion for f in findings if f.code == "unknown-reference"}
    assert unknown == {
        'reference "OP3.d" names a paragraph WCC-2020-Res-091 does not have': ("OP3",),
        'reference "OP9" names a paragraph WCC-2020-Res-091 does not have': (),
    }
    malformed = [f.message for f in findings if f.code == "malformed-reference"]
    assert malformed == ['tag list "[OP3.a; OP5" is cut off (no closing bracket)',
                         'tag list "[OP4;; ]" has an empty item',
                         'tag list "[0P6]" writes "0P6" with a zero instead of the letter O']


def test_figures_name_both_sides(resolutions):
    _, findings = _check("figures.txt", resolutions)
    by_line = {f.line: f.message for f in findings}
    assert by_line[43] == '"11 million user accounts" contradicts "11 billion user accounts" on line 25'
    assert by_line[44] == ('total "150 platform moderators" in the results is smaller than the 210 platform '
                           "moderators reported across activities 2, 3")


def test_unknown_reference_needs_a_resolution():
    report = parse_report((FIXTURES / "references.txt").read_text(encoding="utf-8"))
    assert not [f for f in check_report(report) if f.code == "unknown-reference"]


# ---------------------------------------------------------------- the real sample
def test_seed_report(seed_text, resolutions):
    report = parse_report(seed_text)
    findings = check_report(report, resolutions.get(report.resolution_code))
    dup = [f for f in findings if f.code == "duplicate-text"]
    assert len(dup) == 1 and "Digital Services Act" in seed_text[dup[0].start:dup[0].end]
    assert dup[0].message.endswith(f"the one on line {dup[0].line - 1}")
    unlinked = {seed_text[f.start:f.end] for f in findings if f.code == "unreferenced-claim"}
    for figure in ("47 technology companies", "11 million posts", "2,300 company staff", "11,000 suspect listings"):
        assert any(figure in u for u in unlinked), figure
    assert all(f.where == "results" for f in findings if f.code == "unreferenced-claim")
    assert not any("billion" in seed_text[f.start:f.end] for f in findings)
    assert not [f for f in findings if f.code in ("inconsistent-figure", "unknown-reference",
                                                  "malformed-reference", "planned-as-achieved")]


@pytest.mark.parametrize("done", [
    "IFAW trained 300 judges in Kenya.",
    "IFAW completed a review of 12 national laws.",
    "Forty volunteers have been trained.",
])
def test_seed_future_action_stating_a_result(seed_text, resolutions, done):
    """One future action of the real sample replaced by a result: that action, and only it, is flagged."""
    plan = "IFAW intends to undertake a review of current best practices"
    start = seed_text.index(plan)
    end = seed_text.index("\n", start)
    text = seed_text[:start] + done + seed_text[end:]
    report = parse_report(text)
    hits = [f for f in check_report(report, resolutions.get(report.resolution_code)) if f.code == "planned-as-achieved"]
    assert [text[f.start:f.end] for f in hits] == [done]


# ---------------------------------------------------------------- rules on single activities
def _report_text(description: str, status: str = "On-going", future: str = "We will repeat the course. [OP2]",
                 results: str = "The course ran twice. [OP2]") -> str:
    return "\n".join([
        "Submitted by", "t.user", "on Mon, 05/08/2023 - 10:00", "General Information", "Resolution", "49179",
        "IUCN Constituent", "Riverbend Conservation Society", "IUCN Constituent type", "IUCN Member organisation",
        "Period covered", "2022", "Geographic scope", "Global",
        "Actors involved in implementing this Resolution:", "IUCN Members", "IUCN Secretariat", "No",
        "Other non-IUCN related organisations", "II. Implementation",
        "Activities carried out to implement this Resolution", "Activity", "Capacity-building",
        "Description and results/achievements of activities:", description, "Status", status,
        "Describe any challenges encountered in implementing this Resolution and the measures taken",
        "Trainers were hard to find.",
        "Please report on the result /achievement of the actions taken", results,
        "Identify and briefly describe what future actions/activities are planned for the implementation of "
        "this Resolution", "Future action / activity", "Capacity-building", "Description", future,
        "III. Additional Information", "Report status", "Published", "Constituent type", "IUCN Member", ""])


def _codes_for(text: str, **kwargs) -> list[str]:
    return [f.code for f in check_report(parse_report(text), **kwargs)]


@pytest.mark.parametrize("tags,bad", [
    ("[OP2; OP4", True),
    ("[OP2;; ]", True),
    ("[0P4]", True),
    ("[OP2; see annex]", True),
    ("[OP2; OP4.b]", False),
    ("[OP2, OP4 and OP5]", False),
    ("[OP 4b]", False),
    ("[OP2-OP4]", False),
    ("[PP3; OP1.a]", False),
])
def test_malformed_tag_lists(tags, bad):
    text = _report_text(f"We trained customs officers on online cases at the CoP19 side event [1]. {tags}")
    assert ("malformed-reference" in _codes_for(text)) is bad


@pytest.mark.parametrize("future,flagged", [
    ("Forty volunteers have been trained in fire suppression. [OP2]", True),
    ("The new cyber unit was set up in March. [OP2]", True),
    ("We will train forty volunteers in fire suppression. [OP2]", False),
    ("Building on the volunteers who have been trained, we will extend the course. [OP2]", False),
    ("A second course is planned for 2024. [OP2]", False),
    # plain past tense, with or without a figure
    ("Greenwatch trained 300 judges in Kenya. [OP2]", True),
    ("Greenwatch completed a review of 12 national laws. [OP2]", True),
    ("We completed the review of the fisheries act. [OP2]", True),
    ("In 2023, WWF held two courses for park staff. [OP2]", True),
    # plans, however they are worded
    ("Seek EUR 1.2 million from donors to build net collection points in two more ports. [OP2]", False),
    ("Build 12 village nurseries chosen with residents (2024-2025). [OP2]", False),
    ("Apply with partners for a LIFE integrated project on river restoration (about 15 M€). [OP2]", False),
    ("We decided to extend the course to 3 more districts. [OP2]", False),
])
def test_future_actions_stating_results(future, flagged):
    assert ("planned-as-achieved" in _codes_for(_report_text("We ran a course. [OP2]", future=future))) is flagged


@pytest.mark.parametrize("description,status,flagged", [
    ("We plan to hold a workshop for prosecutors next year. [OP2]", "Completed", True),
    ("A workshop for prosecutors will take place in the spring. Results will be shared in due course. [OP2]",
     "Completed", True),
    ("We plan to hold a workshop for prosecutors next year. [OP2]", "On-going", False),
    ("We held a workshop for 30 prosecutors and will hold another next year. [OP2]", "Completed", False),
    ("We held a workshop for 30 prosecutors. A second one will follow. [OP2]", "Completed", False),
    ("Amended the fisheries act so that unmarked gear will be seized from 2025. [OP2]", "Completed", False),
])
def test_completed_activity_with_only_plans(description, status, flagged):
    codes = _codes_for(_report_text(description, status=status))
    assert ("planned-as-achieved" in codes) is flagged


@pytest.mark.parametrize("a,b,slip", [
    (11e6, 11e9, True),       # million / billion
    (1200, 12000, True),      # a dropped or added zero on two significant digits
    (5e3, 5e6, True),
    (10, 100, False),         # one significant digit: ten and a hundred are both plausible
    (120, 90, False),
    (47, 47, False),
    (2300, 2400, False),
])
def test_scale_slips(a, b, slip):
    assert _scale_slip(a, b) is slip


def test_totals_need_a_total_marker():
    desc = "We trained 120 customs officers in Mombasa. [OP2]"
    results = "The course trained 90 customs officers in Dar es Salaam. [OP2]"
    assert "inconsistent-figure" not in _codes_for(_report_text(desc, results=results))
    results = "In total the course trained 90 customs officers. [OP2]"
    assert "inconsistent-figure" in _codes_for(_report_text(desc, results=results))


def test_results_figure_repeating_a_tagged_activity_is_covered():
    desc = "We trained 120 customs officers in Mombasa. [OP2]"
    covered = "The course trained 120 customs officers."
    assert "unreferenced-claim" not in _codes_for(_report_text(desc, results=covered))
    assert "unreferenced-claim" in _codes_for(_report_text(desc, results="The course also trained 45 prosecutors."))


# ---------------------------------------------------------------- selection and the tagger
def test_select_and_ignore(resolutions):
    report = parse_report((FIXTURES / "references.txt").read_text(encoding="utf-8"))
    res = resolutions["WCC-2020-Res-091"]
    only = check_report(report, res, select=["malformed-reference"])
    assert {f.code for f in only} == {"malformed-reference"}
    rest = check_report(report, res, ignore="malformed-reference,untagged-activity")
    assert {f.code for f in rest} == {"unknown-reference", "unreferenced-claim"}
    with pytest.raises(UnknownRuleError, match="no-such-rule"):
        check_report(report, select=["no-such-rule"])
    assert [r.code for r in select_rules(ignore=rule_codes())] == []


def test_rules_are_documented():
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"## `{rule.code}`" in doc, rule.code
        assert f"--ignore {rule.code}" in doc, rule.code
        assert rule.severity in SEVERITIES and rule.description


class _FakeTagger:
    """Stands in for a trained OpTagger: fixed suggestions, and remembers what it was asked."""

    def __init__(self, confident: bool = True) -> None:
        self.calls: list[tuple[str, str | None]] = []
        self.confident = confident

    def suggest(self, text, resolution=None, k=3):
        self.calls.append((text, resolution))
        return [Suggestion("OP4.c", 0.8, ("listings",), self.confident),
                Suggestion("OP6", 0.3, ("analysts",), False)][:k]


def test_tagger_suggestions(resolutions):
    tagger = _FakeTagger()
    _, findings = _check("claims.txt", resolutions, tagger=tagger)
    untagged = [f for f in findings if f.code == "untagged-activity"]
    assert untagged[0].suggestion == ("OP4.c",)
    assert all(f.suggestion == ("OP4.c",) for f in findings if f.code == "unreferenced-claim")
    assert {res for _, res in tagger.calls} == {"WCC-2020-Res-040"}
    # the claim is judged on its sentence, not on the whole report
    assert any(text.startswith("Our analysts screened") for text, _ in tagger.calls)
    _, findings = _check("claims.txt", resolutions, tagger=_FakeTagger(confident=False))
    assert all(f.suggestion == ("OP4.c",) for f in findings if f.code == "untagged-activity")


class _BatchingTagger(_FakeTagger):
    """A tagger that can answer many texts in one call, and counts its calls."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def suggest_many(self, texts, resolution=None, k=3):
        self.batches.append(list(texts))
        return [self.suggest(text, resolution, k) for text in texts]


def test_claim_sentences_are_asked_in_one_batch(resolutions):
    one_by_one, batching = _FakeTagger(), _BatchingTagger()
    _, singly = _check("claims.txt", resolutions, tagger=one_by_one)
    report, batched = _check("claims.txt", resolutions, tagger=batching)
    assert [f.to_dict() for f in batched] == [f.to_dict() for f in singly]
    claim_hits = [f for f in batched if f.code == "unreferenced-claim"]
    assert len(claim_hits) >= 2 and len(batching.batches) == 1
    # every text is asked once, however many figures its sentence holds
    asked = [text for text, _ in batching.calls]
    assert len(asked) == len(set(asked))
    # tagger_questions lists everything check_report asks, so a caller can ask it all up front
    from opmapper.checks import tagger_questions

    assert set(asked) <= set(tagger_questions(report))


# ---------------------------------------------------------------- settings and the command line
def test_settings_from_pyproject(tmp_path):
    assert load_settings(tmp_path).select is None
    (tmp_path / "pyproject.toml").write_text(
        '[tool.opmapper]\nignore = ["duplicate-text"]\nfail_on = "warning"\nresolution = "WCC-2020-Res-091"\n',
        encoding="utf-8")
    settings = load_settings(tmp_path)
    assert (settings.ignore, settings.fail_on, settings.resolution) == (("duplicate-text",), "warning",
                                                                        "WCC-2020-Res-091")
    (tmp_path / "pyproject.toml").write_text('[tool.opmapper]\nfail-on = "fatal"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="fail-on"):
        load_settings(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.opmapper\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="pyproject.toml"):
        load_settings(tmp_path)


def test_cli_text_output_and_exit_codes(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    refs = str(FIXTURES / "references.txt")
    assert main(["check", refs]) == 1                      # errors reach the default --fail-on error
    out = capsys.readouterr().out.splitlines()
    assert f"{refs}:25:88: error malformed-reference tag list \"[OP3.a; OP5\" is cut off (no closing bracket)" in out
    assert f"{refs}:43:71: error unknown-reference reference \"OP3.d\" names a paragraph WCC-2020-Res-091 " \
           "does not have (suggested: OP3)" in out
    assert out[-1] == "7 findings in 1 report: 5 error(s), 2 warning(s), 0 info"

    clean = str(FIXTURES / "clean.txt")
    assert main(["check", clean]) == 0
    assert main(["check", clean, "--fail-on", "info"]) == 1
    assert main(["check", refs, "--ignore", "malformed-reference,unknown-reference"]) == 0
    assert main(["check", refs, "--select", "bogus-rule"]) == 2
    assert "bogus-rule" in capsys.readouterr().err
    assert main(["check", refs, "--resolution", "WCC-9999-Res-001"]) == 2
    assert main(["check", clean, str(tmp_path / "missing.txt")]) == 1
    captured = capsys.readouterr()
    assert "missing.txt: no such file" in captured.err and "1 finding in 1 report" in captured.out


def test_cli_json_csv_and_pyproject(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    figures = str(FIXTURES / "figures.txt")
    assert main(["check", figures, "--format", "json"]) == 0   # warnings only
    rows = json.loads(capsys.readouterr().out)
    assert [(r["source"], r["code"], r["line"]) for r in rows] == [(figures, "inconsistent-figure", 43),
                                                                    (figures, "inconsistent-figure", 44)]
    assert main(["check", figures, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "source,line,column,severity,code,message,where,start,end,suggestion" and len(lines) == 3

    (tmp_path / "pyproject.toml").write_text('[tool.opmapper]\nfail-on = "warning"\n', encoding="utf-8")
    assert main(["check", figures]) == 1                       # the setting makes warnings fail
    assert main(["check", figures, "--fail-on", "error"]) == 0  # the flag wins
    (tmp_path / "pyproject.toml").write_text('[tool.opmapper]\nignore = ["inconsistent-figure"]\n'
                                             'fail-on = "warning"\n', encoding="utf-8")
    assert main(["check", figures]) == 0
    capsys.readouterr()
    assert main(["check", figures, "--ignore", "duplicate-text"]) == 1   # the flag replaces the setting


def test_cli_resolution_by_code_or_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    refs = str(FIXTURES / "references.txt")
    main(["check", refs, "--select", "unknown-reference", "--resolution", "WCC 2020 Res 040"])
    out = capsys.readouterr().out
    assert 'reference "OP3.a" names a paragraph WCC-2020-Res-040 does not have' in out
    res_file = ROOT / "corpus" / "resolutions" / "WCC-2020-Res-091.txt"
    main(["check", refs, "--select", "unknown-reference", "--resolution", str(res_file)])
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and out[-1].startswith("2 findings")


def test_cli_model_missing_is_a_usage_error(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["check", str(FIXTURES / "clean.txt"), "--model", str(tmp_path / "nope")]) == 2
    assert "nope" in capsys.readouterr().err


def test_cli_suggest_without_default_model_runs_and_says_so(capsys, tmp_path, monkeypatch):
    import opmapper.tagger_model

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(opmapper.tagger_model, "default_model_dir", lambda: tmp_path / "no-model")
    assert main(["check", str(FIXTURES / "claims.txt"), "--suggest"]) == 0
    captured = capsys.readouterr()
    assert "no default tagger model" in captured.err and "suggested:" not in captured.out
    assert "4 findings in 1 report" in captured.out


def test_cli_with_a_trained_tagger(capsys, tmp_path, monkeypatch, resolutions):
    from opmapper.tagger import OpTagger, load_training_data

    data = load_training_data([ROOT / "corpus" / "reports" / "WCC-2020-Res-040"])
    OpTagger().fit(data.texts, data.labels, data.codes, groups=data.groups).save(tmp_path / "model")
    monkeypatch.chdir(tmp_path)
    assert main(["check", str(FIXTURES / "claims.txt"), "--model", str(tmp_path / "model"), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    untagged = [r for r in rows if r["code"] == "untagged-activity"]
    assert len(untagged) == 1 and untagged[0]["suggestion"]
    res = resolutions["WCC-2020-Res-040"]
    assert all(pid in res for r in rows for pid in r["suggestion"])
    # the listings activity is about detecting and removing illegal listings (OP4 and its sub-paragraphs)
    assert any(pid.startswith("OP4") for pid in untagged[0]["suggestion"])


def test_cli_list_rules_and_no_files(capsys):
    assert main(["check", "--list-rules"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == rule_codes()
    assert main(["check"]) == 2


def test_unlinked_figures_in_plans_are_info():
    text = _report_text("We ran a course. [OP2]", future="We will train 400 customs officers in 2024.")
    found = {(f.code, f.severity) for f in check_report(parse_report(text))}
    assert ("unreferenced-claim", "info") in found and ("untagged-activity", "info") in found
    assert all(sev == "info" for _, sev in found)

"""Bad input and bad arguments on the command line: one line on stderr naming the path and the problem,
never a traceback, and the exit code the cli docstring promises (1 input, 2 usage, 3 batch with failures)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from opmapper.cli import main

ROOT = Path(__file__).resolve().parents[1]
LEGACY = ROOT / "corpus" / "examples" / "activity-report-legacy.txt"

# Written for these tests: an older-layout report on a resolution no bundled model or text covers.
UNKNOWN_RESOLUTION_REPORT = """WCC 2020 Res 123 - Activity Report
IUCN Constituent: Tidewater Heron Society
IUCN Constituent type: IUCN Member organisation
Period covered: 2021-2022
Implementation
Indicate and briefly describe any actions that have been carried out to implement this Resolution:
ActionDescriptionStatus
Field activitiesWe restored 14 hectares of salt marsh behind the old harbour wall.On-going
"""

NOTE = "Shopping list\nMilk, eggs and bread for the weekend.\nCall the plumber on Monday.\n"


def _run(argv: list[str], capsys) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.fixture()
def report(tmp_path) -> Path:
    path = tmp_path / "report.txt"
    path.write_text(LEGACY.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [
    ["batch", "{report}", "-q", "-o"],
    ["train", "{report}", "-o"],
])
def test_an_output_folder_that_is_a_file_is_a_usage_error(command, report, capsys):
    argv = [report if a == "{report}" else a for a in command] + [report]
    code, err = _run(argv, capsys)
    assert code == 2
    assert f"opmapper: error: {report}: cannot use as the output folder: exists and is not a folder" in err
    assert report.read_text(encoding="utf-8") == LEGACY.read_text(encoding="utf-8")  # nothing lost


def test_annotate_into_a_missing_folder_is_a_usage_error(report, tmp_path, capsys):
    target = tmp_path / "nonexistent" / "a.html"
    code, err = _run(["annotate", report, "-o", target], capsys)
    assert code == 2 and f"opmapper: error: {target}: cannot write the page" in err
    code, err = _run(["annotate", report, "-o", tmp_path], capsys)
    assert code == 2 and f"opmapper: error: {tmp_path}: cannot write the page: it is a folder" in err


def test_batch_glob_that_matches_nothing_is_an_error_row_and_exit_3(tmp_path, capsys):
    out = tmp_path / "og"
    pattern = tmp_path / "nomatch*.txt"
    code, _err = _run(["batch", pattern, "-o", out, "-q"], capsys)
    assert code == 3
    with open(out / "errors.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["source"], r["reason"]) for r in rows] == [(str(pattern), "no file matches this pattern")]


def test_batch_tables_open_in_spreadsheets_as_utf8_and_without_formulas(report, tmp_path, capsys):
    out = tmp_path / "out"
    code, _err = _run(["batch", report, "-o", out, "-q"], capsys)
    assert code == 0
    for name in ("activities.csv", "claims.csv", "findings.csv", "coverage.csv", "errors.csv"):
        assert (out / name).read_bytes().startswith(b"\xef\xbb\xbf"), name  # the UTF-8 mark Excel looks for
    with open(out / "claims.csv", encoding="utf-8-sig", newline="") as fh:
        claims = list(csv.DictReader(fh))
    assert claims and {c["bound"] for c in claims} >= {"'="}
    for name in ("activities.csv", "claims.csv", "findings.csv", "coverage.csv"):
        with open(out / name, encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                assert not any(c[:1] in ("=", "@") for c in row), (name, row)


def test_evaluate_tagger_needs_at_least_two_folds(capsys):
    code, err = _run(["evaluate", "tagger", "--folds", "1"], capsys)
    assert code == 2 and "--folds: must be at least 2" in err


@pytest.mark.parametrize("command", ["check", "batch", "annotate", "analyze", "suggest"])
def test_a_model_that_cannot_be_loaded_is_a_usage_error_in_every_command(command, report, tmp_path, capsys):
    missing = tmp_path / "no_model_here"
    argv = [command, report, "--model", missing]
    if command == "batch":
        argv += ["-o", tmp_path / "out", "-q"]
    code, err = _run(argv, capsys)
    assert code == 2, err
    assert str(missing) in err and "error" in err
    assert not (tmp_path / "out" / "reports.jsonl").exists()


@pytest.mark.parametrize("command", [["analyze"], ["annotate"], ["batch", "-q", "-o", "{out}"],
                                     ["train", "-o", "{out}"]])
def test_a_resolutions_folder_that_cannot_be_loaded_is_a_usage_error(command, report, tmp_path, capsys):
    missing = tmp_path / "no_resolutions_here"
    argv = [command[0], report, *(tmp_path / "out" if a == "{out}" else a for a in command[1:]),
            "--resolutions", missing]
    code, err = _run(argv, capsys)
    assert code == 2, err
    assert f"opmapper: error: {missing}: resolutions folder not found" in err


def test_evaluate_tagger_with_missing_resolutions_is_a_usage_error(tmp_path, capsys):
    missing = tmp_path / "none"
    code, err = _run(["evaluate", "tagger", "--resolutions", missing], capsys)
    assert code == 2 and f"{missing}: resolutions folder not found" in err


def test_suggest_on_a_text_that_is_not_a_report_says_so(tmp_path, capsys):
    note = tmp_path / "note.txt"
    note.write_text(NOTE, encoding="utf-8")
    code = main(["suggest", str(note)])
    captured = capsys.readouterr()
    assert code == 0 and captured.out == ""
    assert f"opmapper suggest: note: {note}: not an implementation report" in captured.err


def test_suggest_says_when_every_activity_is_already_tagged(report, capsys):
    code = main(["suggest", str(report), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0
    assert "already name their paragraphs (--all suggests for them too)" not in captured.err  # some untagged
    tagged_only = report.with_name("tagged.txt")
    tagged_only.write_text("\n".join(ln for ln in report.read_text(encoding="utf-8").splitlines()
                                     if not ln.startswith(("OtherSupport", "Education/"))), encoding="utf-8")
    code = main(["suggest", str(tagged_only)])
    captured = capsys.readouterr()
    assert code == 0 and captured.out == ""
    assert "already name their paragraphs" in captured.err


def test_suggest_on_a_resolution_the_model_does_not_know_names_it_and_suggests_train(tmp_path, capsys):
    other = tmp_path / "other.txt"
    other.write_text(UNKNOWN_RESOLUTION_REPORT, encoding="utf-8")
    code, err = _run(["suggest", other], capsys)
    assert code == 1
    assert f"opmapper: error: {other}: the model has no paragraphs for resolution WCC-2020-Res-123" in err
    assert "opmapper train" in err


def test_a_missing_input_is_named_and_the_others_are_still_processed(report, tmp_path, capsys):
    missing = tmp_path / "gone.txt"
    code = main(["parse", str(missing), str(report)])
    captured = capsys.readouterr()
    assert code == 1
    assert f"opmapper: error: {missing}: no such file" in captured.err
    assert str(report) in captured.out

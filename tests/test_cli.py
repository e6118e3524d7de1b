"""The `analyze` command (the README's quick start) and exit codes shared by every command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opmapper import analyze
from opmapper.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "corpus" / "examples" / "activity-report.txt"


def test_analyze_text_shows_tags_suggestions_figures_and_findings(capsys):
    assert main(["analyze", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "WCC-2020-Res-091" in out
    assert "paragraphs (tagged):    OP3.a, OP3.b" in out       # activity 3 carries [OP3.a; OP3.b]
    assert "paragraphs (suggested): OP6" in out                 # the untagged awareness exhibition
    assert "figure: 120 skippers (trained)" in out
    assert "unreferenced-claim" in out and "Findings (" in out
    # the tagger's paragraphs ride along with the finding they would resolve
    assert "cites no operative paragraph (suggested: OP6)" in out


def test_analyze_json_is_the_analyze_record(capsys):
    assert main(["analyze", str(EXAMPLE), "--format", "json"]) == 0
    [record] = json.loads(capsys.readouterr().out)
    expected = analyze(EXAMPLE.read_text(encoding="utf-8"), source=str(EXAMPLE))
    assert record["report"]["activities"] == json.loads(json.dumps(expected["report"]["activities"]))
    assert record["findings"] == json.loads(json.dumps(expected["findings"]))
    assert [s["index"] for s in record["suggestions"]] == [s["index"] for s in expected["suggestions"]]


def test_analyze_reports_unreadable_input_and_goes_on(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code = main(["analyze", str(empty), str(tmp_path / "missing.txt"), str(EXAMPLE), "--format", "jsonl"])
    captured = capsys.readouterr()
    assert code == 1
    assert f"{empty}: file is empty" in captured.err
    assert "missing.txt: no such file" in captured.err
    lines = captured.out.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["resolution_code"] == "WCC-2020-Res-091"


@pytest.mark.parametrize("argv", [[], ["analyze"], ["analyze", str(EXAMPLE), "--format", "xml"], ["no-such-command"]])
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err


def test_every_public_name_resolves_lazily():
    import subprocess
    import sys

    import opmapper

    assert all(getattr(opmapper, name) is not None for name in opmapper.__all__)
    # `import opmapper` alone must not load scikit-learn (start-up of every small command)
    probe = "import sys, opmapper, opmapper.references; print('sklearn' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.strip() == "False"

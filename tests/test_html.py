"""HTML pages: highlighted spans, escaping, self-contained pages, the coverage grid."""

from __future__ import annotations

import html
import re

import pytest

from opmapper.cli import main
from opmapper.render.html import annotate_text, report_index_row, report_page, summary_page

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(|@import""", re.I)
TEXT = "Trained 45 officers <in> Accra & Kumasi [OP2; OP4.b]"


def _plain(fragment: str) -> str:
    """The text a reader sees, without the numbered finding flags."""
    fragment = re.sub(r'<a id="f\d+"[^>]*>\[\d+\]</a>', "", fragment)
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def _claim(start, end, **kw):
    return {"kind": "claim", "start": start, "end": end,
            "item": {"value": 45.0, "bound": "=", "unit": None, "counted": "officers", **kw}}


def _ref(start, end, pid):
    return {"kind": "ref", "start": start, "end": end, "item": {"id": pid, "complete": True}}


def _finding(start, end, number=0, severity="warning"):
    return {"kind": "finding", "start": start, "end": end, "number": number,
            "item": {"code": "unreferenced-claim", "severity": severity, "message": "claim is not linked"}}


@pytest.mark.parametrize(
    ("spans", "expected_pieces"),
    [
        ([], []),
        ([_claim(8, 19)], ['<span class="claim" title="claim = 45 of officers">45 officers</span>']),
        ([_ref(41, 44, "OP2"), _ref(46, 51, "OP4.b")],
         ['<span class="ref" title="reference OP2">OP2</span>',
          '<span class="ref" title="reference OP4.b">OP4.b</span>']),
        # A claim inside a finding: the overlap carries both classes, the rest only the finding's.
        ([_finding(0, 19), _claim(8, 19)],
         ['<a id="f0" class="flag sev-warning" href="#fl0"',
          '<span class="f-warning" title="warning unreferenced-claim: claim is not linked">Trained </span>',
          '<span class="f-warning claim"']),
        # Spans past the end of the text are clipped, not an error.
        ([_claim(46, 500)], ['<span class="claim" title="claim = 45 of officers">OP4.b]</span>']),
        # A zero-width finding is a flag only.
        ([_finding(20, 20, number=3, severity="error")], ['<a id="f3" class="flag sev-error" href="#fl3"']),
    ],
)
def test_annotate_text_wraps_spans_and_keeps_the_text(spans, expected_pieces):
    out = annotate_text(TEXT, spans)
    for piece in expected_pieces:
        assert piece in out
    assert "<in>" not in out and "&lt;in&gt;" in out and "&amp; Kumasi" in out
    assert _plain(out) == TEXT


def _record(text: str) -> dict:
    start = text.index("25 cyber")
    ref = text.index("OP2")
    return {
        "source": "archive/lantern <reef>.txt", "sha256": "ab" * 32, "resolution_code": "WCC-2020-Res-040",
        "notes": ["no OP tagger model is installed"],
        "report": {
            "text": text, "layout": "activity-report", "title": None, "constituent": "Lantern Reef Watch",
            "warnings": [],
            "activities": [
                {"section": "activities", "index": 0, "type": "Capacity-building", "status": "Completed",
                 "references": [{"id": "OP2", "start": ref, "end": ref + 3, "complete": True}],
                 "claims": [{"value": 25.0, "bound": "=", "unit": None, "counted": "cyber-crime officers",
                             "text": "25 cyber-crime officers", "start": start, "end": start + 23}]},
                {"section": "activities", "index": 1, "type": "Other", "status": None, "references": [],
                 "claims": []},
            ],
            "future_actions": [], "results": None,
        },
        "suggestions": [{"section": "activities", "index": 1, "suggestions": [
            {"id": "OP4.d", "score": 0.81, "evidence": ["listings"], "above_threshold": True},
            {"id": "OP6", "score": 0.12, "evidence": [], "above_threshold": False}]}],
        "findings": [{"code": "untagged-activity", "severity": "warning", "message": "activity 2 cites no paragraph",
                      "start": text.index("Flagged"), "end": len(text), "line": 3, "column": 1,
                      "where": "activities[1]"}],
    }


def test_report_page_highlights_and_escapes():
    text = ("We coached 25 cyber-crime officers to read <script>alert('x')</script> listings. [OP2]\n"
            "Other\nFlagged 140 adverts for live parrots.\n")
    page = report_page(_record(text), back_href="../summary.html")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<script" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert not EXTERNAL.search(page)
    assert "<h1>Lantern Reef Watch</h1>" in page and "archive/lantern &lt;reef&gt;.txt" in page
    assert '<span class="ref" title="reference OP2">OP2</span>' in page
    assert '<span class="claim" title="claim = 25 of cyber-crime officers">25 cyber-crime officers</span>' in page
    assert '<span class="pill pill-tag">OP2</span>' in page
    assert 'class="pill pill-sug"' in page and "OP4.d 0.81" in page and 'class="pill pill-low"' in page
    assert '<li id="fl0">' in page and 'href="#f0"' in page and 'id="f0"' in page
    assert "no OP tagger model is installed" in page and 'href="../summary.html"' in page


def _summary() -> dict:
    return {
        "counts": {"reports": 2, "errors": 1, "activities": 5, "claims": 3, "findings": 4},
        "notes": ["no OP tagger model is installed"],
        "resolutions": [{
            "code": "WCC-2020-Res-091", "title": "Abandoned fishing gear", "known": True, "reports": 2,
            "paragraphs": ["OP1", "OP2", "OP3.a", "OP3.b"],
            "rows": [{"label": "a/<b>first</b>.txt", "source": "a/<b>first</b>.txt", "href": "reports/first.html",
                      "cells": {"OP2": "tag", "OP3.a": "sug"}},
                     {"label": "a/second.txt", "source": "a/second.txt", "href": "reports/second.html",
                      "cells": {"OP2": "tag"}}],
            "totals": {"OP2": 2, "OP3.a": 1}, "more_rows": 0,
            "uncovered": [{"id": "OP1", "text": "Requests the <Director General> to compile evidence"},
                          {"id": "OP3.b", "text": "report lost gear"}],
        }],
        "largest_claims": [{"kind": "mass", "value": 14.0, "unit": "t", "counted": "nets", "text": "14 tonnes",
                            "source": "a/second.txt", "label": "a/second.txt", "href": "reports/second.html"}],
        "findings_by_rule": [{"code": "untagged-activity", "severity": "warning", "count": 3, "reports": 2},
                             {"code": "unknown-reference", "severity": "error", "count": 1, "reports": 1}],
        "errors": [{"source": "a/scan.txt", "reason": "file is binary, not a text report"}],
    }


def test_summary_page_grid_legend_and_lists():
    page = summary_page(_summary())
    assert not EXTERNAL.search(page) and "<script" not in page
    assert page.count('class="cell c-tag"') == 2 and page.count('class="cell c-sug"') == 1
    assert page.count('class="cell c-none"') == 4 * 2 - 3
    assert 'class="key c-tag"' in page and 'class="key c-sug"' in page  # the legend names both colours
    tag_colour = re.search(r"--tag:\s*(#[0-9a-f]+)", page).group(1)
    assert tag_colour != re.search(r"--sug:\s*(#[0-9a-f]+)", page).group(1)
    assert "a/&lt;b&gt;first&lt;/b&gt;.txt" in page and "<b>first</b>" not in page
    assert '<a href="reports/first.html">' in page
    assert "Paragraphs nobody reports on (2)" in page and "&lt;Director General&gt;" in page
    assert page.index("untagged-activity") < page.index("unknown-reference")
    assert "file is binary, not a text report" in page and "14 tonnes" in page


def test_summary_page_says_when_rows_are_left_out_and_when_interrupted():
    data = _summary()
    data["resolutions"][0]["more_rows"] = 1234
    data["interrupted"] = True
    page = summary_page(data)
    assert "1,234 more reports are not drawn" in page
    assert "interrupted" in page


def test_annotate_command_writes_one_page(tmp_path):
    src = tmp_path / "report.txt"
    src.write_text(
        "WCC 2020 Res 040 - Activity Report\nIUCN Constituent: Harbour <Watch> Society\n"
        "Implementation\nIndicate and briefly describe any actions that have been carried out to implement "
        "this Resolution: \nActionDescriptionStatus\n"
        "Capacity-buildingWe trained 30 port inspectors to spot ivory in parcels. [OP2]Completed\n",
        encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(["annotate", str(src), "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "Harbour &lt;Watch&gt; Society" in page and "<Watch>" not in page
    assert '<span class="ref" title="reference OP2">OP2</span>' in page
    assert not EXTERNAL.search(page)
    assert main(["annotate", str(tmp_path / "missing.txt"), "-o", str(out)]) == 1


def test_summary_page_lists_every_report_streamed_in():
    rows = (report_index_row({"label": f"a/<r{i}>.txt", "source": f"a/<r{i}>.txt", "href": f"reports/r{i}.html",
                              "resolution_code": "WCC-2020-Res-091", "activities": i, "claims": 2 * i})
            for i in range(3))
    page = summary_page(_summary(), rows)
    assert page.count('<a href="reports/r') == 3 and "a/&lt;r2&gt;.txt" in page and "<r2>" not in page
    assert page.index('id="reports"') > page.index("Findings by rule") and page.endswith("</html>\n")
    assert 'id="reports"' not in summary_page(_summary())

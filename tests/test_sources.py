"""Reading inputs (opmapper.sources) and making CSV cells (opmapper.render.cell): every encoding a report
export arrives in, the page title of saved HTML, and cells a spreadsheet would otherwise run as formulas."""

from __future__ import annotations

import csv
import io
import os

import pytest

from opmapper import render
from opmapper._records import LineIndex
from opmapper.errors import InputError
from opmapper.report import parse_report
from opmapper.sources import binary_evidence, decode_bytes, html_to_text, read_bytes, read_source

TEXT = "WCC 2020 Res 040 - Activity Report\nIUCN Constituent: Réseau des Forêts Sèches – Kaolack\n"


def _bom(codec: str) -> bytes:
    return {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00",
            "utf-32-be": b"\x00\x00\xfe\xff", "utf-8": b"\xef\xbb\xbf"}[codec]


@pytest.mark.parametrize("data, encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (_bom("utf-8") + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("utf-16"), "utf-16"),  # Python writes the platform's BOM
    (_bom("utf-16-le") + TEXT.encode("utf-16-le"), "utf-16"),
    (_bom("utf-16-be") + TEXT.encode("utf-16-be"), "utf-16"),
    (_bom("utf-32-le") + TEXT.encode("utf-32-le"), "utf-32"),
    (_bom("utf-32-be") + TEXT.encode("utf-32-be"), "utf-32"),
    (TEXT.encode("cp1252"), "cp1252"),
])
def test_every_export_encoding_decodes_to_the_same_text(data, encoding):
    assert decode_bytes(data, "r.txt") == (TEXT, encoding)


@pytest.mark.parametrize("data, reason", [
    (b"", "file is empty"),
    (b"\xff\xfe" + "  \n".encode("utf-16-le"), "file is empty"),
    (b"\xff\xfe" + b"A\x00B", "invalid UTF-16 after a UTF-16 byte-order mark"),
    (b"\xff\xfe" + "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10".encode("utf-16-le"), "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
])
def test_undecodable_bytes_name_the_file_and_the_reason(data, reason):
    with pytest.raises(InputError) as err:
        decode_bytes(data, "scan.txt")
    assert err.value.source == "scan.txt" and reason in err.value.reason


def test_a_utf16_report_file_parses_like_its_utf8_original(tmp_path):
    original = (
        "WCC 2020 Res 040 - Activity Report\nIUCN Constituent: Lantern Coast Trust\n"
        "Period covered: 2021-2022\nImplementation\n"
        "Indicate and briefly describe any actions that have been carried out to implement this Resolution: \n"
        "ActionDescriptionStatus\n"
        "Capacity-buildingWe trained 25 harbour inspectors to recognise shark fin parcels. [OP2]On-going\n"
    )
    path = tmp_path / "unicode_save.txt"
    path.write_bytes(original.encode("utf-16"))
    src = read_source(path)
    assert src.encoding == "utf-16" and src.text == original
    report = parse_report(src.text, source=src.source)
    assert report.resolution_code == "WCC-2020-Res-040"
    assert [r.id for r in report.activities[0].references] == ["OP2"]


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>WCC 2020 Res 040 - Activity Report</title>
<style>body { font: 12px sans-serif }</style><script>var tracking = 1;</script></head>
<body><nav>Home</nav>
<p>IUCN Constituent: Pangolin Guardians Network</p>
<p>Period covered: 2021-2022</p>
</body></html>"""


def test_html_keeps_the_page_title_as_the_first_line_and_drops_the_rest_of_head():
    lines = html_to_text(PAGE).splitlines()
    assert lines[0] == "WCC 2020 Res 040 - Activity Report"
    assert "IUCN Constituent: Pangolin Guardians Network" in lines
    assert not any("tracking" in ln or "font" in ln for ln in lines)


def test_html_title_is_not_doubled_when_the_body_repeats_it():
    page = "<html><head><title>Res 040 report</title></head><body><h1>Res 040 report</h1><p>x</p></body></html>"
    assert html_to_text(page).splitlines() == ["Res 040 report", "x"]


def test_the_report_parser_reads_the_resolution_code_from_a_saved_page_title(tmp_path):
    path = tmp_path / "portal_page.html"
    path.write_text(PAGE, encoding="utf-8")
    src = read_source(path)
    assert src.is_html
    report = parse_report(src.text, source=src.source)
    assert report.resolution_code == "WCC-2020-Res-040"
    assert report.title is not None and "Res 040" in report.title.text


def test_a_pattern_that_matches_nothing_says_so(tmp_path):
    with pytest.raises(InputError, match="no file matches this pattern"):
        read_source(tmp_path / "nomatch*.txt")
    with pytest.raises(InputError, match="no such file"):
        read_source(tmp_path / "gone.txt")


def test_files_that_cannot_be_read_say_why(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    (tmp_path / "big.txt").write_text("WCC 2020 Res 040\n" * 10, encoding="utf-8")  # 170 bytes
    (tmp_path / "fits.txt").write_text("WCC 2020 Res 040\n", encoding="utf-8")
    reasons = {}
    for name in ("folder.txt", "big.txt", "fits.txt", "gone.txt"):
        try:
            read_bytes(tmp_path / name, max_bytes=100)
            reasons[name] = None
        except InputError as exc:
            reasons[name] = (exc.reason, exc.source)
    assert reasons == {"folder.txt": ("is a directory", str(tmp_path / "folder.txt")),
                       "big.txt": ("file is too large (170 bytes; limit 100)", str(tmp_path / "big.txt")),
                       "fits.txt": None,
                       "gone.txt": ("no such file", str(tmp_path / "gone.txt"))}
    assert read_bytes(tmp_path / "fits.txt", max_bytes=17) == b"WCC 2020 Res 040\n"  # the limit itself is allowed


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_says_permission_denied(tmp_path):
    locked = tmp_path / "locked.txt"
    locked.write_text("WCC 2020 Res 040\n", encoding="utf-8")
    locked.chmod(0)
    with pytest.raises(InputError, match="permission denied"):
        read_bytes(locked)


@pytest.mark.parametrize("value, cell", [
    ("=", "'="),                                      # the claims "bound" column
    ('=HYPERLINK("http://example.org","x")', '\'=HYPERLINK("http://example.org","x")'),
    ("+1+2", "'+1+2"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A3)", "'@SUM(A1:A3)"),
    ("\t=1", "'\t=1"),
    ("- a bullet", "'- a bullet"),
    (["=A1", "OP2"], "'=A1; OP2"),
    ("-12.5", "-12.5"),                               # written numbers stay numbers
    ("-1,200", "-1,200"),
    ("+3", "+3"),
    ("-", "-"),                                       # standard input's name; text to a spreadsheet
    (-7, -7),
    (-0.25, -0.25),
    ("OP4.b", "OP4.b"),
    ("<=", "<="),
    (None, ""),
    (True, "true"),
    (["OP2", "OP4.b"], "OP2; OP4.b"),
])
def test_csv_cells_never_start_a_formula(value, cell):
    assert render.cell(value) == cell


def test_write_csv_guards_every_text_cell():
    out = io.StringIO()
    render.write_csv([{"text": "=cmd|' /C calc'!A0", "value": -3, "bound": "="}], out, ["text", "value", "bound"])
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows == [{"text": "'=cmd|' /C calc'!A0", "value": "-3", "bound": "'="}]


@pytest.mark.parametrize("text", ["", "one line", "a\nb\n\nc", "\n\nx\n", "é\r\nü\n"])
def test_line_index_matches_counting_newlines(text):
    index = LineIndex(text)
    for offset in range(len(text) + 1):
        before = text[:offset]
        assert index.line_col(offset) == (before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1)


@pytest.mark.parametrize("sample, evidence", [
    ("Activity\nCapacity-building\tOn-going\r\n\f", None),
    ("Word export with manual\x0bline\x0bbreaks " * 20, None),          # vertical tabs are text
    ("abc\x00def", "NUL characters"),
    ("\x01\x02\x03\x7f" * 10, "40 control characters"),
])
def test_binary_evidence_is_one_judgement_for_bytes_and_text(sample, evidence):
    assert binary_evidence(sample) == evidence
    assert binary_evidence(sample.encode("latin-1")) == evidence
    if evidence:
        with pytest.raises(InputError, match=f"text contains {evidence}: binary data"):
            parse_report(sample, source="x.txt")

"""The pages' and derived rows' fast paths give what the plain ways of doing the same thing give.

``esc`` skips ``html.escape`` for text without special characters, ``annotate_text`` escapes only the
pieces that hold one, writes a span that overlaps no other (or a group of spans one of which holds the
others apart) without sweeping its edges, and builds each distinct opening tag once, a page file is
encoded part by part, and ``batch._derive`` builds its rows as lists in column order instead of merged
dicts read back by ``_cells``. Each is checked against the plain version it stands in for (kept here as
the reference), over records of corpus reports and random edits of them that put special characters,
overlaps and out-of-range offsets everywhere.
"""

from __future__ import annotations

import copy
import csv
import html
import io
import random
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from corpus_samples import corpus_reports, with_random_edits

from opmapper import batch, render
from opmapper._records import LineIndex
from opmapper.render.html import (
    _claim_figure,
    _fmt_number,
    _number_html,
    _span_title,
    _span_titles,
    _span_tuples,
    _special_offsets,
    annotate_text,
    esc,
    esc_label,
    report_index_row,
    report_spans,
)

ROOT = Path(__file__).resolve().parents[1]
SPECIALS = "&<>\"'"
EDITS = SPECIALS + "ab \n;"


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    analyzer = batch.get_analyzer()
    rng = random.Random(11)
    out = []
    for n, text in enumerate(corpus_reports(8)[:8]):
        if n % 2:  # special characters in the text, next to and inside the spans
            text = with_random_edits(text, EDITS, 60, rng)
        out.append(analyzer.analyze(text, f"corpus/<{n}> & 'x'.txt"))
    return out


# ------------------------------------------------------------------ the plain versions
def plain_esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def plain_annotate_text(text: str, spans: list[dict[str, Any]]) -> str:
    """annotate_text as it was: every piece escaped, every tag built from its spans."""
    n = len(text)
    clean = []
    for span in spans:
        start = max(0, min(int(span["start"]), n))
        end = max(start, min(int(span["end"]), n))
        clean.append({**span, "start": start, "end": end})
    edges = sorted({0, n, *(s["start"] for s in clean), *(s["end"] for s in clean)})
    anchors: dict[int, list[dict[str, Any]]] = {}
    for span in clean:
        if span["kind"] == "finding":
            anchors.setdefault(span["start"], []).append(span)
    opening: dict[int, list[int]] = {}
    closing: dict[int, list[int]] = {}
    for i, span in enumerate(clean):
        if span["end"] > span["start"]:
            opening.setdefault(span["start"], []).append(i)
            closing.setdefault(span["end"], []).append(i)
    active: set[int] = set()
    titles: dict[int, str] = {}
    out: list[str] = []
    for a, b in zip(edges, edges[1:] + [None], strict=True):
        for span in anchors.get(a, ()):
            num = span["number"]
            sev = plain_esc(span["item"].get("severity", "info"))
            out.append(f'<a id="f{num}" class="flag sev-{sev}" href="#fl{num}" '
                       f'title="{plain_esc(_span_title(span))}">[{num + 1}]</a>')
        active.difference_update(closing.get(a, ()))
        active.update(opening.get(a, ()))
        if b is None or b <= a:
            continue
        piece = html.escape(text[a:b])
        if not active:
            out.append(piece)
            continue
        covering = sorted(active)
        classes: list[str] = []  # each span's kind, or for a finding its severity, each once
        for i in covering:
            span = clean[i]
            cls = span["kind"] if span["kind"] != "finding" else f"f-{span['item'].get('severity', 'info')}"
            if cls not in classes:
                classes.append(cls)
        for i in covering:
            if i not in titles:
                titles[i] = _span_title(clean[i])
        title = titles[covering[0]] if len(covering) == 1 else "; ".join(dict.fromkeys(titles[i] for i in covering))
        out.append(f'<span class="{html.escape(" ".join(classes))}" title="{html.escape(title)}">{piece}</span>')
    return "".join(out)


# ------------------------------------------------------------------ the checks
def test_esc_is_html_escape_of_the_text():
    class Name(str):
        def __str__(self) -> str:
            return "<" + self + ">"

    values = [None, "", "OP4.b", "a & b", "<b>", '"q"', "it's", "&amp;", 0, 12.5, -3, True, ["a<b"],
              {"k": "'v'"}, Name("x"), "é ≥ 5 – km²", *SPECIALS, *(c * 3 for c in SPECIALS)]
    for value in values:
        assert esc(value) == plain_esc(value), value


def test_annotate_text_is_the_plain_one_on_analysed_reports(records):
    flagged = 0
    for record in records:
        text, spans = record["report"]["text"], report_spans(record)
        assert spans
        flagged += any(span["kind"] == "finding" for span in spans)
        assert annotate_text(text, spans) == plain_annotate_text(text, spans)
    assert flagged and any(any(c in r["report"]["text"] for c in SPECIALS) for r in records)


def test_annotate_text_is_the_plain_one_on_random_spans(records):
    rng = random.Random(5)
    kinds = ["ref", "claim", "finding"]
    severities = ["error", "warning", "info", None, "<odd>", "warning"]
    for record in records:
        text, real = record["report"]["text"], report_spans(record)
        items = {kind: [s["item"] for s in real if s["kind"] == kind] or [{}] for kind in kinds}
        for _ in range(25):
            spans = []
            for number in range(rng.randrange(0, 14)):
                kind = rng.choice(kinds)
                start = rng.randrange(-5, len(text) + 5)
                end = start + rng.choice([0, 1, 2, 7, 40, 300, -3])
                item = dict(rng.choice(items[kind]))
                if kind == "finding":
                    item["severity"] = rng.choice(severities)
                    item["message"] = rng.choice(["a < b & c", "plain", "it's \"quoted\""])
                spans.append({"kind": kind, "start": start, "end": end, "item": item, "number": number})
            if spans and rng.random() < 0.3:
                spans.append(dict(spans[0]))  # the same span twice
            assert annotate_text(text, spans) == plain_annotate_text(text, spans)


def test_annotate_text_is_the_plain_one_on_groups_of_spans(records):
    """Groups of spans as pages have them -- a span alone, spans of the same extent (a claim and its
    finding), a finding over several others, partial overlaps, spans side by side -- and none of zero
    width (one sends the whole text to the edge sweep), so that every way a group is written is used."""
    rng = random.Random(12)
    severities = ["error", "warning", "info", None, "<odd>"]
    groups = 0
    for record in records:
        text, real = record["report"]["text"], [s for s in report_spans(record) if s["end"] > s["start"]]
        n = len(text)
        for _ in range(60):
            spans = [dict(s) for s in rng.sample(real, rng.randrange(0, len(real) + 1))]
            for number in range(rng.randrange(0, 7)):
                base = rng.choice(real)
                start, end = base["start"], base["end"]
                how = rng.choice(["same", "over", "partial", "inside", "beside"])
                if how == "over":
                    start, end = max(0, start - rng.randrange(0, 200)), min(n, end + rng.randrange(0, 200))
                elif how == "partial":
                    shift = rng.randrange(1, end - start + 3)
                    start, end = min(start + shift, n - 1), min(end + shift, n)
                elif how == "inside" and end - start > 1:
                    start = rng.randrange(start, end - 1)
                    end = rng.randrange(start + 1, end + 1)
                elif how == "beside":
                    start, end = end, min(n, end + rng.randrange(1, 30))
                kind = rng.choice(["ref", "claim", "finding"])
                item = dict(rng.choice([s for s in real if s["kind"] == kind] or [base])["item"])
                if kind == "finding":
                    item["severity"] = rng.choice(severities)
                spans.append({"kind": kind, "start": start, "end": end, "item": item, "number": number})
            spans = [s for s in spans if s["end"] > s["start"]]
            rng.shuffle(spans)
            groups += len(spans)
            assert annotate_text(text, spans) == plain_annotate_text(text, spans)
    assert groups > 1000


def plain_derive(record: Mapping[str, Any], href: str) -> batch._Derived:
    """batch._derive as it was: a merged dict per row, read back column by column by ``_cells``."""
    report = record.get("report") or {}
    source = record.get("source")
    index = LineIndex(report.get("text") or "")
    base = {"source": source, "resolution_code": record.get("resolution_code")}
    label = batch._label(source)
    above = {(s["section"], s["index"]): [x for x in s.get("suggestions") or [] if x.get("above_threshold", True)]
             for s in record.get("suggestions") or []}
    allsugg = {(s["section"], s["index"]): s.get("suggestions") or [] for s in record.get("suggestions") or []}
    tagged, suggested, claims_for = Counter(), Counter(), Counter()  # paragraph -> activities / claims
    cited: set[str] = set()
    activity_rows, claim_rows, top = [], [], []  # rows of two tables; (value, claim) for the summary

    def claim_row(claim, where, paragraphs, origin):
        line, column = index.line_col(int(claim.get("start", 0)))
        claim_rows.append(batch._cells({**base, **claim, "where": where, "paragraphs": list(paragraphs),
                                        "paragraphs_from": origin if paragraphs else "", "line": line,
                                        "column": column}, batch.CLAIM_COLUMNS))
        value = claim.get("value_max") if claim.get("value_max") is not None else claim.get("value")
        if isinstance(value, (int, float)):
            top.append((value, {**{k: claim.get(k) for k in ("kind", "unit", "counted", "text", "modality", "value")},
                                "source": source, "label": label, "href": href}))
        for pid in paragraphs:
            claims_for[pid] += 1

    for act in [*(report.get("activities") or []), *(report.get("future_actions") or [])]:
        refs = list(dict.fromkeys(r.get("id") for r in act.get("references") or []))
        key = (act.get("section"), act.get("index"))
        sugg = [] if refs else list(dict.fromkeys(x.get("id") for x in above.get(key, [])))
        description, start, end = batch._description(act)
        activity_rows.append(batch._cells({
            **base, "layout": record.get("layout"), "section": act.get("section"), "index": act.get("index"),
            "type": act.get("type"), "status": act.get("status"), "references": refs, "suggested": sugg,
            "suggestion_scores": [f"{x.get('id')}={float(x.get('score', 0)):.3f}" for x in allsugg.get(key, [])],
            "claims": len(act.get("claims") or []), "line": index.line_col(start)[0],
            "start": start, "end": end, "description": description,
        }, batch.ACTIVITY_COLUMNS))
        tagged.update(refs)
        suggested.update(sugg)
        for claim in act.get("claims") or []:
            claim_row(claim, f"{act.get('section')}[{act.get('index')}]", refs or sugg, "tag" if refs else "suggested")
    for name, refs, claims in batch._section_claims(report):  # not a fast path: shared with the code
        cited.update(r.get("id") for r in refs)
        for claim, near in claims:
            claim_row(claim, name, near, "tag")
    findings = record.get("findings") or []
    counts = record.get("counts") or {}
    share = {
        "resolution_code": record.get("resolution_code"), "source": source, "label": label, "href": href,
        "tagged": dict(tagged), "suggested": dict(suggested), "claims_for": dict(claims_for), "cited": sorted(cited),
        "counts": {key: int(counts.get(key, 0)) for key in
                   ("activities", "tagged_activities", "suggested_activities", "claims", "findings")},
        "findings": [(f.get("code"), f.get("severity")) for f in findings],
        "notes": [n for n in record.get("notes") or [] if not n.startswith("resolution ")],
        "claims": top,
    }
    index_row = report_index_row({
        "label": label, "source": source, "href": href, "resolution_code": record.get("resolution_code"),
        "layout": record.get("layout"), "activities": counts.get("activities", 0),
        "tagged": counts.get("tagged_activities", 0), "suggested": counts.get("suggested_activities", 0),
        "claims": counts.get("claims", 0), "findings": counts.get("findings", 0)})

    def csv_text(rows):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        return buffer.getvalue()

    return batch._Derived(csv_text(activity_rows), csv_text(claim_rows),
                          csv_text([batch._cells({**base, **f}, batch.FINDING_COLUMNS) for f in findings]),
                          index_row, share)


def _odd_values(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A copy of a record whose cells take every kind of value a cell can hold: formulas, lists, None,
    booleans, nested data, and claims and findings carrying their own source."""
    record = copy.deepcopy(record)
    odd = ["=SUM(A1)", "-12.5", "-", "+x", "@me", "\tx", "", None, True, 3, 2.5, ["a", None, 1],
           [{"deep": 1}], {"k": "v"}, "plain", ["OP1", "=OP2"]]
    report = record["report"]
    for act in [*(report.get("activities") or []), *(report.get("future_actions") or [])]:
        for key in ("type", "status", "description"):
            if rng.random() < 0.5:
                act[key] = rng.choice(odd)
        if rng.random() < 0.3:  # a key of the suggestions too: hashable values only
            act["section"] = rng.choice(["=x", "-", None, 3, "plain"])
        for claim in act.get("claims") or []:
            for key in ("unit", "counted", "verb", "text", "value_max", "bound", "source", "resolution_code"):
                if rng.random() < 0.3:
                    claim[key] = rng.choice(odd)
    for finding in record.get("findings") or []:
        for key in ("message", "suggestion", "where", "source", "severity"):
            if rng.random() < 0.4:
                finding[key] = rng.choice(odd)
    record["layout"] = rng.choice(odd)
    return record


def test_derive_is_the_plain_one(records):
    rng = random.Random(3)
    for record in records:
        assert batch._derive(record, "reports/a.html") == plain_derive(record, "reports/a.html")
        for _ in range(6):
            odd = _odd_values(record, rng)
            assert batch._derive(odd, "reports/b.html") == plain_derive(odd, "reports/b.html")
    for source, code in (("=cmd|x.txt", "-Res"), (None, None)):
        record = {**records[0], "source": source, "resolution_code": code}
        assert batch._derive(record, "reports/c.html") == plain_derive(record, "reports/c.html")


def test_row_cells_write_what_cells_write():
    values = ["=SUM(A1)", "-12.5", "-", "+x", "@me", "\tx", "\rx", "", None, True, False, 3, -2.5, ["a", None, 1],
              ["OP1", "OP2"], ["=OP2"], [], [{"deep": 1}], {"k": "v"}, "plain", "é ≥ 5"]
    columns = [f"c{i}" for i in range(len(values))]
    plain, fast = io.StringIO(), io.StringIO()
    csv.writer(plain, lineterminator="\n").writerow(batch._cells(dict(zip(columns, values, strict=True)), columns))
    csv.writer(fast, lineterminator="\n").writerow(batch._row_cells(values))
    assert fast.getvalue() == plain.getvalue()


def test_formula_safe_is_the_plain_one():
    def plain_formula_safe(text: str) -> str:
        if text and text[0] in render.FORMULA_STARTS and text not in ("-", "+") and not render._NUMBER.fullmatch(text):
            return "'" + text
        return text

    rng = random.Random(9)
    alphabet = "=+-@\t\r0123456789.,eE%x "
    texts = ["", "=", "-", "+", "@", "-12.5", "+3", "-1,000.5e-3%", "=SUM(A1)", "@x", "\t", "-x", "+-1", ".5",
             "=1", "@1", "\t1", "\r-1", "-.", "-1e", "≥", "12", "plain"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 7))) for _ in range(3000)]
    for text in texts:
        assert render.formula_safe(text) == plain_formula_safe(text), text


def test_special_offsets_are_where_html_escape_replaces(records):
    pattern = re.compile(r"[&<>\"']")
    texts = [r["report"]["text"] for r in records] + ["", "&", "a<b>c\"d'e&f", "''&&", "plain"]
    for text in texts:
        assert _special_offsets(text) == [m.start() for m in pattern.finditer(text)]


def test_number_html_is_the_escaped_readable_number():
    values = [0, 7, -12, 1234567, 10**16, 2.5, -0.125, 1e15, 1e20, 123456.789, 1e-7, float("inf"), float("nan"),
              -float("inf"), True, None, "", "<5", "a & b", "12", 3.0, 10**15, 3, 0.0, -0.0, False, 1]
    for value in values * 2:  # twice: the second time from the memo (and equal values of other types)
        assert _number_html(value) == esc(render.number(value, digits=4)), value


def test_text_lines_are_the_line_index(records):
    texts = [r["report"]["text"] for r in records] + ["", "\n", "a", "a\n", "\n\nb\n", "one\ntwo", "x\r\ny\n"]
    rng = random.Random(6)
    for text in texts:
        fast, plain = batch._TextLines(text), LineIndex(text)
        offsets = list(range(0, len(text) + 2, 1 if len(text) < 50 else 7))
        newlines = [at for at, char in enumerate(text) if char == "\n"]
        # forwards, backwards, at and next to newlines, out of the text, in any order
        for offset in [*offsets, *offsets[::-1], *(at + d for at in newlines for d in (-1, 0, 1, 0)),
                       -1, len(text) + 3, *rng.sample(offsets, min(len(offsets), 60))]:
            assert fast.line_col(offset) == plain.line_col(offset), (offset, text[:40])


def test_esc_label_is_esc():
    values = ["OP2", "a<b", None, 1, 1.0, True, 0, False, 0.0, ["x<y"], {"k": 1}, "it's", "f-warning claim", "1"]
    for value in values * 2:  # twice: the second time from the memo
        assert esc_label(value) == esc(value) and type(esc_label(value)) is str, value


def test_remembered_numbers_are_the_readable_numbers():
    values = [0, 0.0, -0.0, 1, 1.0, True, False, 12, 12.0, 12.5, -3, 1e15, 1e16, float("nan"), float("inf"),
              None, "12", "<b>", [1, 2], {"a": 1}, 10**20, 2.0**60, 0.1 + 0.2, 1e15, 10**15, 60.0, 60, -0.0]
    for value in values * 2:  # twice: the second time from the memo (and equal values of other types)
        assert _fmt_number(value) == render.number(value, digits=4), value


def test_label_is_the_one_by_path(records):
    sources = [r["source"] for r in records] + [str(p) for p in sorted(ROOT.glob("corpus/**/*"))[:200]]
    odd = ["a", "a/b", "/a", "/a/b", "//a/b", "a//b", "a/b/", "a/./b", "./a", "a/.", "./a/b", ".", "..", "../a",
           "a/../b", "a/b/..", "/", "//", "a\\b\\c", "x/y z/é ü.txt", "dir/<1> & 'x'.txt", " / "]
    assert len(sources) > 20
    for source in sources + odd + [f"/archive/{s}" for s in odd]:
        assert batch._label(source) == batch._label_by_path(source), source
    assert batch._label(None) == batch._label("") == "<text>"


def test_csv_texts_are_the_plain_writers(records):
    """``_csv_texts`` joins rows of text itself and has the writer quote only the cells that need it: the
    same text as the plain "\\n" writer, also for cells holding newlines, carriage returns, quotes and
    commas, for numbers, None, booleans, lone cells and text of a str subclass (which the writer writes
    as its text, not its str)."""

    class Shown(str):
        def __str__(self) -> str:
            return "<" + self + ">"

    def plain_csv_text(rows):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        return buffer.getvalue()

    tables = []
    spy = batch._csv_texts
    try:
        batch._csv_texts = lambda *t: tables.append(t) or spy(*t)
        for record in records:
            batch._derive(record, "reports/a.html")
    finally:
        batch._csv_texts = spy
    rng = random.Random(5)
    pieces = ["a", "b c", ",", '"', "\n", "\r", "\r\n", "'", "=", " ", "\t", "é", ""]
    values = ["", None, 3, -2.5, True, "plain", 1e22, float("nan"), 10**20, Shown("a"), Shown("b,c")]
    odd = [[["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 6))) if rng.random() < 0.8
             else rng.choice(values) for _ in range(rng.randrange(0, 5))] for _ in range(rng.randrange(0, 4))]
           for _ in range(400)]
    assert len(tables) == len(records) and any("\n" in text for text in spy(*odd) if text)
    # commas next to the last cell's edge: in it, and just before it
    edges = [[["a", ",b"], ["a,", "b"], ["a", "b,"], ["a,b", "c,d"], ["x", "a,", "b,c"], [",", ","], ["", ","]]]
    for group in [*tables, odd, edges, [[[""]], [[]], [["a\nb"], ["c"]], [["x\r"]]]]:
        assert spy(*group) == [plain_csv_text(rows) for rows in group]


def plain_span_title(span: Mapping[str, Any]) -> str:
    """_span_title as it was, a claim's title from a list of parts."""
    item = span["item"]
    if span["kind"] == "claim":
        parts = [f"claim {item.get('bound', '=')} {_fmt_number(item.get('value'))}"]
        if item.get("value_max") is not None:
            parts[0] += f"–{_fmt_number(item['value_max'])}"
        if item.get("unit"):
            parts.append(str(item["unit"]))
        if item.get("counted"):
            parts.append(f"of {item['counted']}")
        if item.get("modality") == "planned":
            parts.append("(planned)")
        return " ".join(parts)
    return _span_title(span)


def test_span_titles_are_the_plain_ones(records):
    rng = random.Random(4)
    spans = [span for record in records for span in report_spans(record)]
    odd = [None, "", 0, 2, 2.5, "x", "people & <b>", ["a"], True]
    for span in list(spans):
        if span["kind"] == "claim":
            for _ in range(4):
                item = {key: value for key, value in span["item"].items() if rng.random() < 0.8}
                for key in ("bound", "value_max", "unit", "counted", "modality"):
                    if rng.random() < 0.3:
                        item[key] = rng.choice([*odd, "planned"])
                spans.append({**span, "item": item})
    assert sum(span["kind"] == "claim" for span in spans) > 100
    for span in spans:
        assert _span_title(span) == plain_span_title(span), span


def test_row_cells_remember_what_they_write():
    """Floats and short formula-like labels are written from a memo the second time: the same text
    as the first time (0.0 and -0.0, equal keys, are never remembered)."""
    values = [0.0, -0.0, 2.0, -2.5, 1e22, float("nan"), float("inf"), 60.0, "=", "-", "+", "=x", "-12.5", "@",
              "\tx", "", "=" * 9, "- a long bullet", "Apple", "apple", "A", "@me", "=SUM(A1)", 3, True, None]
    columns = [f"c{i}" for i in range(len(values))]
    for _ in range(3):
        plain, fast = io.StringIO(), io.StringIO()
        csv.writer(plain, lineterminator="\n").writerow(batch._cells(dict(zip(columns, values, strict=True)), columns))
        csv.writer(fast, lineterminator="\n").writerow(batch._row_cells(values))
        assert fast.getvalue() == plain.getvalue()
        values = [-value if type(value) is float else value for value in values]


def test_claim_and_finding_fields_are_their_gets(records):
    rng = random.Random(6)
    claims = [c for r in records for s in report_spans(r) if s["kind"] == "claim" for c in [s["item"]]]
    findings = [f for r in records for f in r["findings"]]
    assert claims and findings
    for items, getter, names in ((claims, batch._CLAIM_GETTER, batch._CLAIM_OWN),
                                 (findings, batch._FINDING_GETTER, batch._FINDING_FIELDS)):
        for item in items:
            partial = {k: v for k, v in item.items() if rng.random() < 0.8}  # some fields missing
            for one in (item, partial, Counter(partial)):
                assert batch._fields(one, getter, names) == tuple(map(one.get, names))


def test_page_figures_are_the_lists_escaped_parts(records):
    """The claims list shows each claim's figure escaped whole, as worked out for its title: the same
    text as its bound, numbers and unit escaped one by one; and what it counted, escaped only when the
    title had a character to escape."""
    rng = random.Random(8)
    spans = [span for record in records for span in report_spans(record)]
    odd = [None, "", 0, 2, 2.5, -0.0, 1e15, 10**20, "x", "people & <b>", "\"q\"", "it's", ["a"], True, "~"]
    for span in list(spans):
        if span["kind"] == "claim":
            for _ in range(4):
                item = dict(span["item"])
                for key in ("bound", "value", "value_max", "unit", "counted", "modality"):
                    if rng.random() < 0.3:
                        item[key] = rng.choice([*odd, "planned"])
                spans.append({**span, "item": item})
        elif span["kind"] == "ref":  # odd ids and cut-off references (their titles are not remembered)
            for ref_id in ("OP1", "<OP&1>", None, 3, "it's"):
                for complete in (True, False, None, 0):
                    spans.append({**span, "item": {**span["item"], "id": ref_id, "complete": complete}})
    titles, claims = _span_titles(_span_tuples(spans))
    assert titles == [esc(_span_title(span)) for span in spans]
    assert _span_titles(_span_tuples(spans))[0] == titles  # again: whole references' titles from the memo
    claim_items = [span["item"] for span in spans if span["kind"] == "claim"]
    assert len(claim_items) > 100
    for (start, item, figure, counted), want in zip(claims, claim_items, strict=True):
        assert item is want and start == want["start"]
        assert figure == _claim_figure(want.get, _number_html, esc_label), want
        assert counted == esc(want.get("counted") or ""), want


def test_page_bytes_are_the_page_encoded(records):
    """``report_page_utf8`` encodes a page part by part: the same bytes as the whole page encoded, for
    pages with characters of every width (ASCII, Latin-1, beyond), and the same error for a page that
    cannot be encoded (a lone surrogate)."""
    from opmapper.render.html import report_page, report_page_utf8

    pages = 0
    for record in records:
        for extra in ("", "é", "€ – 😀"):
            odd = copy.deepcopy(record)
            odd["report"]["text"] += extra
            odd["report"]["title"] = f"Report {extra}"
            for back in (None, "../summary.html"):
                assert report_page_utf8(odd, back) == report_page(odd, back).encode("utf-8")
                pages += 1
    assert pages == 6 * len(records)
    broken = copy.deepcopy(records[0])
    broken["report"]["text"] += "\ud800"
    with pytest.raises(UnicodeEncodeError) as whole:
        report_page(broken).encode("utf-8")
    with pytest.raises(UnicodeEncodeError) as parts:
        report_page_utf8(broken)
    assert str(parts.value) == str(whole.value)


def test_report_slug_is_the_one_by_path(records):
    """``report_slug`` takes a source's stem without building a Path: the same names as ``Path.stem``."""
    import hashlib

    def plain_slug(source, sha256=None):
        key = source if source else (sha256 or "")
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(source).stem if source else "report").strip("-.")[:60]
        return f"{stem or 'report'}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:10]}"

    sources = [r["source"] for r in records] + [str(p) for p in sorted(ROOT.glob("corpus/**/*"))[:200]]
    odd = ["a", "a/b", "/a", "/a/b", "//a/b", "a//b", "a/b/", "a/./b", "./a", "a/.", "./a/b", ".", "..", "../a",
           "a/../b", "a/b/..", "/", "//", "///", "a\\b\\c.txt", "x/y z/é ü.txt", "dir/<1> & 'x'.txt", " / ", ".txt",
           "a/.hidden", "a/b.", "a/b.tar.gz", "a/..txt", "a/b..", "dir/.", "dir/./", "a/b/./", "-", "a/-.txt", ""]
    assert len(sources) > 20
    for source in sources + odd + [f"/archive/{s}" for s in odd] + [None]:
        for sha in (None, "ab12"):
            assert batch.report_slug(source, sha) == plain_slug(source, sha), source


def test_record_spans_are_the_report_spans(records):
    """The page reads a record's spans as tuples: the spans ``report_spans`` gives, field for field."""
    from opmapper.render.html import _record_spans

    for record in records:
        spans = report_spans(record)
        assert _span_tuples(spans) == _record_spans(record)
        assert all(("number" in span) == (span["kind"] == "finding") for span in spans)

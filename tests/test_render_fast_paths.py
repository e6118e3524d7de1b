"""The pages' and derived rows' fast paths give what the plain ways of doing the same thing give.

``esc`` skips ``html.escape`` for text without special characters, ``annotate_text`` escapes only the
pieces that hold one and builds each distinct opening tag once. Each is checked against the plain
version it stands in for (kept here as the reference), over records of corpus reports and random edits
of them that put special characters, overlaps and out-of-range offsets everywhere.
"""

from __future__ import annotations

import html
import random
from pathlib import Path
from typing import Any

import pytest

from opmapper import batch
from opmapper.render.html import _span_title, annotate_text, esc, report_spans

ROOT = Path(__file__).resolve().parents[1]
SPECIALS = "&<>\"'"
EDITS = SPECIALS + "ab \n;"


def _corpus_texts(limit: int = 8) -> list[str]:
    files = sorted((ROOT / "corpus" / "reports").rglob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in files[:: max(1, len(files) // limit)]][:limit]


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    analyzer = batch.get_analyzer()
    rng = random.Random(11)
    out = []
    for n, text in enumerate(_corpus_texts()):
        if n % 2:  # special characters in the text, next to and inside the spans
            chars = list(text)
            for _ in range(60):
                chars.insert(rng.randrange(len(chars)), rng.choice(EDITS))
            text = "".join(chars)
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
        classes = []
        for i in covering:
            s = clean[i]
            cls = s["kind"] if s["kind"] != "finding" else f"f-{s['item'].get('severity', 'info')}"
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

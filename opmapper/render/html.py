"""HTML pages: the annotated view of one report and the summary page of a batch run.

Pages are static and self-contained: inline CSS, no scripts, no fonts or images from anywhere, so they
open from a disk, an e-mail attachment or an air-gapped machine alike. Every piece of text that came
from a report goes through ``html.escape``.

Both pages are built from plain data (a ``reports.jsonl`` record; a summary mapping assembled by
``opmapper.batch``), never from live objects, so a page can be rebuilt from the output files alone.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator, Mapping
from operator import itemgetter
from typing import Any

from . import number as _readable_number

CSS = """
:root { --tag: #1b7f5a; --sug: #e0a526; --none: #eceff1; --ref: #d6ecff; --claim: #fff1b8;
        --err: #c62828; --warn: #ef6c00; --info: #546e7a; --ink: #1f2328; --muted: #5f6b76; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0; padding: 1.2rem 1.6rem 3rem; background: #fafbfc; }
h1 { font-size: 1.45rem; margin: 0 0 .3rem; } h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1.1rem 0 .4rem; }
a { color: #0b5cad; } .muted { color: var(--muted); } .small { font-size: 12px; }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid #d8dee4; padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #f1f4f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.stats { display: flex; gap: .8rem; flex-wrap: wrap; margin: .8rem 0; }
.stat { background: #fff; border: 1px solid #d8dee4; border-radius: 6px; padding: .45rem .8rem; }
.stat b { display: block; font-size: 1.3rem; }
.legend { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin: .4rem 0; }
.key { display: inline-block; width: 1.1em; height: 1.1em; vertical-align: -0.2em; border-radius: 3px;
       margin-right: .3em; border: 1px solid #c5ccd3; }
.grid-wrap { overflow-x: auto; max-width: 100%; }
table.grid td, table.grid th { padding: 0; }
table.grid th.para { writing-mode: vertical-rl; transform: rotate(180deg); padding: .35rem .15rem;
                     font-size: 12px; white-space: nowrap; }
table.grid th.report, table.grid td.report { padding: .2rem .5rem; white-space: nowrap; max-width: 34rem;
                     overflow: hidden; text-overflow: ellipsis; font-weight: normal; }
table.grid td.cell { width: 1.6rem; min-width: 1.6rem; height: 1.4rem; text-align: center; font-size: 11px;
                     color: #fff; font-weight: 600; }
.c-tag { background: var(--tag); } .c-sug { background: var(--sug); } .c-none { background: var(--none); }
table.grid tr.total td { background: #f1f4f7; color: var(--ink); font-weight: 600; }
.uncovered { background: #fff; border: 1px solid #d8dee4; border-radius: 6px; padding: .4rem .8rem; }
.uncovered li { margin: .15rem 0; }
.note { background: #fff8e1; border-left: 4px solid var(--sug); padding: .4rem .7rem; margin: .4rem 0; }
.layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(18rem, 2fr); gap: 1.2rem; }
@media (max-width: 1000px) { .layout { grid-template-columns: 1fr; } }
pre.report { white-space: pre-wrap; word-wrap: break-word; background: #fff; border: 1px solid #d8dee4;
             border-radius: 6px; padding: .9rem 1rem; font: 13px/1.55 ui-monospace, SFMono-Regular, Menlo,
             Consolas, monospace; margin: 0; }
.ref { background: var(--ref); border-bottom: 2px solid #1565c0; }
.claim { background: var(--claim); border-bottom: 2px solid #b28704; }
.f-error { text-decoration: underline wavy var(--err); text-decoration-skip-ink: none; }
.f-warning { text-decoration: underline wavy var(--warn); text-decoration-skip-ink: none; }
.f-info { text-decoration: underline dotted var(--info); }
.flag { font-size: 11px; vertical-align: super; color: var(--err); font-weight: 700; text-decoration: none; }
.sev { display: inline-block; min-width: 4.2em; font-size: 11px; font-weight: 600; text-transform: uppercase; }
.sev-error { color: var(--err); } .sev-warning { color: var(--warn); } .sev-info { color: var(--info); }
.pill { display: inline-block; padding: 0 .4em; border-radius: 3px; font-size: 12px; margin: 0 .15em .15em 0;
        color: #fff; }
.pill-tag { background: var(--tag); } .pill-sug { background: var(--sug); color: #2b2100; }
.pill-low { background: var(--none); color: var(--muted); }
"""

# Cell kinds of the coverage grid, strongest first: an explicit tag outranks a suggestion.
TAGGED, SUGGESTED = "tag", "sug"


def esc(value: Any) -> str:
    """Escaped text of any value; None is empty.

    ``html.escape`` with quotes, which leaves text without ``& < > " '`` as it is: most values on a page
    (ids, codes, words, numbers) have none, and five ``in`` tests cost less than its five replacements.
    """
    text = value if type(value) is str else "" if value is None else str(value)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return html.escape(text, quote=True)
    return text


# label text -> its escaped text. Labels recur from report to report: a few hundred distinct ones.
_ESCAPED_LABELS: dict[str, str] = {}
MEMO_SIZE = 4096  # entries a memo of labels or figures holds at most (it takes no new ones when full)


def esc_label(value: Any) -> str:
    """``esc`` of a short value that recurs from report to report (a paragraph id, a rule code, a
    severity, an activity type, a unit, a list of classes), remembered; not for free text.

    Text only is remembered, in a plain dict: a lookup costs less than ``esc`` itself, which an
    ``lru_cache`` did not (its key of value and type, its order of use). Other values (1, 1.0 and True
    would be one key) are escaped each time."""
    if type(value) is not str:
        return esc(value)
    escaped = _ESCAPED_LABELS.get(value)
    if escaped is None:
        escaped = esc(value)
        if len(_ESCAPED_LABELS) < MEMO_SIZE:
            _ESCAPED_LABELS[value] = escaped
    return escaped


# A page's head is these two around its escaped title: the style sheet (5 kB of ASCII) stays a part of
# its own, which a page made of parts copies once, and which stays ASCII whatever the title holds.
HEAD_OPEN = ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
             '<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>')
HEAD_CLOSE = f"</title>\n<style>{CSS}</style>\n</head>\n<body>\n"


def _head(title: str) -> str:
    return f"{HEAD_OPEN}{esc(title)}{HEAD_CLOSE}"


PAGE_END = "</body>\n</html>\n"


# figure -> its readable text: figures recur from report to report (12.0, 45.0, ...), and so do counts
# (a report's 4 activities). Floats and ints apart: equal floats have the same text (0.0 and -0.0 are
# both "0"), while an int can differ from the float it equals (10**15 is "1,000,000,000,000,000", 1e15
# "1e+15"). Exact types only: True, an int, is written "1" by the general way.
_FIGURE_TEXTS: dict[float, str] = {}
_COUNT_TEXTS: dict[int, str] = {}


def _fmt_number(value: Any) -> str:
    kind = type(value)
    if kind is float or kind is int:
        texts = _FIGURE_TEXTS if kind is float else _COUNT_TEXTS
        text = texts.get(value)
        if text is None:
            text = _readable_number(value, digits=4)
            if len(texts) < MEMO_SIZE:
                texts[value] = text
        return text
    return _readable_number(value, digits=4)


def _number_html(value: Any) -> str:
    """``esc(_fmt_number(value))``. A number is written with digits, commas, a point, a sign, an exponent
    or inf/nan: nothing to escape; anything else is text and is escaped."""
    kind = type(value)
    if kind is int or kind is float:
        # a remembered figure or count (most: a report's counts recur) without the call of _fmt_number
        text = (_FIGURE_TEXTS if kind is float else _COUNT_TEXTS).get(value)
        return text if text is not None else _fmt_number(value)
    return esc(_fmt_number(value))


# ------------------------------------------------------------------ annotated report
SPAN_HOLDERS = ("activities", "future_actions", "results", "challenges", "future", "additional")
_SPAN_LISTS = (("ref", "references"), ("claim", "claims"))  # a holder's spans: their kind and list


def report_spans(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Highlightable spans of a record: explicit references, claims and findings, with offsets.

    References and claims live on the report's activities, future actions and free-text sections (and,
    for report layouts that hold them at the top, on the report itself).
    """
    spans = []
    for kind, start, end, item, number in _record_spans(record):
        span = {"kind": kind, "start": start, "end": end, "item": item}
        if number is not None:  # a finding
            span["number"] = number
        spans.append(span)
    return spans


# A span as the page reads it: (kind, start, end, item, number), the number a finding's (None for
# others). A tuple costs less to make and to read than a dict, and a page reads each span three times.
Span = tuple[str, Any, Any, Any, Any]


def _record_spans(record: Mapping[str, Any]) -> list[Span]:
    """``report_spans`` as tuples."""
    report = record.get("report") or {}
    holders: list[Any] = [report]
    for name in SPAN_HOLDERS:
        value = report.get(name)
        if isinstance(value, list):
            holders.extend(value)
        else:
            holders.append(value)
    spans: list[Span] = []
    seen: set[tuple[str, int, int]] = set()
    for holder in holders:
        if not isinstance(holder, dict):
            continue
        # most holders have no references or no claims: the empty ones are passed over at once
        for kind, key in _SPAN_LISTS:
            items = holder.get(key)
            if not items:
                continue
            for item in items:
                if isinstance(item, dict):
                    start = item.get("start")
                    if isinstance(start, int):
                        end = item["end"]
                        mark = (kind, start, end)
                        if mark not in seen:
                            seen.add(mark)
                            spans.append((kind, start, end, item, None))
    for number, finding in enumerate(record.get("findings") or []):
        spans.append(("finding", finding.get("start", 0), finding.get("end", 0), finding, number))
    return spans


def _span_tuples(spans: Iterable[Mapping[str, Any]]) -> list[Span]:
    """Spans as ``report_spans`` gives them (dicts) as the page reads them (tuples)."""
    return [(span["kind"], span["start"], span["end"], span.get("item"), span.get("number")) for span in spans]


def _claim_figure(get: Callable[..., Any], number: Callable[[Any], str], label: Callable[[Any], str]) -> str:
    """A claim's figure ("~ 300–400 ha"), from ``get`` of its fields: its bound and unit written by
    ``label``, its value and upper value by ``number``."""
    figure = f"{label(get('bound', '='))} {number(get('value'))}"
    value_max = get("value_max")
    if value_max is not None:
        figure += f"–{number(value_max)}"
    unit = get("unit")
    if unit:
        figure += " " + label(unit)
    return figure


def _span_title(span: Mapping[str, Any]) -> str:
    return _title(span["kind"], span["item"])


def _title(kind: str, item: Mapping[str, Any]) -> str:
    """The title of a span of this kind on this item (a reference, claim or finding)."""
    if kind == "ref":
        return f"reference {item.get('id')}" + ("" if item.get("complete", True) else " (cut off)")
    if kind == "claim":
        return _claim_title(item, _claim_figure(item.get, _fmt_number, str))
    return f"{item.get('severity', '')} {item.get('code', '')}: {item.get('message', '')}"


def _claim_title(item: Mapping[str, Any], figure: str) -> str:
    """"claim ~ 300 people of rangers (planned)": a claim's figure and its other parts joined by spaces."""
    title = "claim " + figure
    counted = item.get("counted")
    if counted:
        title += f" of {counted}"
    if item.get("modality") == "planned":
        title += " (planned)"
    return title


def _span_titles(spans: list[Span]) -> tuple[list[str], list[tuple[int, Mapping[str, Any], str, str]]]:
    """Each span's escaped title, and each claim span's start, item, escaped figure and escaped counted,
    for the claims list.

    A claim's figure is in its title and in the list: it is worked out once, and escaped as it is (its
    bound, numbers and unit escaped one by one, as the list shows them, are the same text: escaping
    works character by character, and a number has nothing to escape). Only a bound of None differs
    (the title writes "None", the list nothing): the list's figure is then worked out on its own."""
    titles = []
    claims = []
    for kind, _start, _end, item, _number in spans:
        if kind == "claim":
            get = item.get
            figure = _claim_figure(get, _fmt_number, str)
            title = _claim_title(item, figure)
            escaped = esc(title)
            titles.append(escaped)
            counted = get("counted")
            # esc gives text without special characters back as it is: when the title has none, its
            # figure and what was counted (a text: in the title when it is not empty) have none either
            plain = escaped is title
            if get("bound", "=") is None:
                figure = _claim_figure(get, _number_html, esc_label)
            elif not plain:
                figure = esc(figure)
            claims.append((item["start"], item, figure,
                           counted if plain and type(counted) is str else esc(counted or "")))
        elif kind == "ref":
            ref_id = item.get("id")
            if type(ref_id) is str and item.get("complete", True):
                # a whole reference's title is its paragraph id's: remembered (ids recur from report to report)
                escaped = _REFERENCE_TITLES.get(ref_id)
                if escaped is None:
                    escaped = esc(_title(kind, item))
                    if len(_REFERENCE_TITLES) < MEMO_SIZE:
                        _REFERENCE_TITLES[ref_id] = escaped
            else:
                escaped = esc(_title(kind, item))
            titles.append(escaped)
        else:
            titles.append(esc(_title(kind, item)))
    return titles, claims


_REFERENCE_TITLES: dict[str, str] = {}  # paragraph id -> the escaped title of a whole reference to it


def _special_offsets(text: str) -> list[int]:
    """Sorted offsets of the characters html.escape replaces (quote=True). A report has a few at most:
    five scans by str.find (memchr speed) cost less than one regular-expression scan of every character.
    Most of the five are in no report: ``in`` finds that out for less than half the cost of a call of
    str.find (which parses its arguments from a tuple)."""
    found = []
    for char in "&<>\"'":
        if char not in text:
            continue
        at = text.find(char)
        while at != -1:
            found.append(at)
            at = text.find(char, at + 1)
    found.sort()
    return found


def annotate_text(text: str, spans: list[dict[str, Any]]) -> str:
    """The text as escaped HTML, each stretch wrapped in the classes of every span covering it.

    Spans may overlap (a claim inside a finding, a reference inside a claim's sentence), so the text is
    cut at every span edge and each piece carries all the classes that apply, instead of nesting tags.
    """
    return _annotated(text, _span_tuples(spans), None)


def _annotated(text: str, spans: list[Span], span_titles: list[str] | None) -> str:
    """``annotate_text``, given each span's escaped title (``_span_titles`` works them out for a page), or
    None to work out those of the spans shown.

    Most spans overlap no other (a reference, a claim outside any finding): cut at every edge, such a
    span's stretch is one piece in its own tag, and the text between groups of overlapping spans is one
    piece in none. So only the few groups of overlapping spans (a finding over an activity's description
    and its claims) are swept edge by edge. A zero-width span is an edge too, which splits the tag of a
    stretch around it: when there is one (hardly ever), the whole text is swept."""
    titles = span_titles if span_titles is not None else [""] * len(spans)  # by span: its escaped title
    n = len(text)
    marks: list[tuple[int, int, int]] = []  # (start, end, span) of each span, clipped to the text
    zero_width = False
    for i, (kind, start, end, item, _number) in enumerate(spans):
        if type(start) is not int:  # offsets are ints (int() of one is itself): no call for them
            start = int(start)
        if type(end) is not int:
            end = int(end)
        if start < 0 or end < start or end > n:  # (not 0 <= start <= end <= n: never for a parsed report)
            start = 0 if start < 0 else n if start > n else start
            end = start if end < start else n if end > n else end
        marks.append((start, end, i))
        if end == start:
            zero_width = True
        # a span that covers a piece or flags a finding is shown with its title
        if span_titles is None and (end > start or kind == "finding"):
            titles[i] = esc(_title(kind, item))

    out: list[str] = []
    tags: dict[tuple[int, ...], str] = {}  # the spans covering a piece (two or more) -> its opening tag

    def opening_tag(covering: tuple[int, ...]) -> str:
        """The opening tag of a piece these spans (in the spans' order) cover: their classes and titles."""
        if len(covering) == 1:
            return _opening_tag(spans[covering[0]], titles[covering[0]])
        tag = tags.get(covering)
        if tag is None:
            # escaping works character by character: escaped parts joined are the joined text escaped
            joined = "; ".join(dict.fromkeys(map(titles.__getitem__, covering)))
            classes = " ".join(dict.fromkeys(_span_class(spans[i]) for i in covering))
            tag = tags[covering] = f'<span class="{esc_label(classes)}" title="{joined}">'
        return tag

    def flag(members: Iterable[int]) -> None:
        """The numbered flags of the findings among these spans (in the spans' order)."""
        for i in members:
            if spans[i][0] == "finding":
                out.append(_flag(spans[i], titles[i]))

    def sweep(members: list[tuple[int, int, int]], lo: int, hi: int, escape: bool) -> None:
        """Cut [lo, hi) at every edge of the ``members`` spans (their marks) and write each piece in the
        tag of the spans covering it, escaped when ``escape``.

        One sweep over the edges: a span covers the piece [a, b) from its start edge until its end edge
        (every start and end is an edge), so the spans covering each piece are kept up to date instead
        of testing every span against every piece. Covering spans keep their order in ``spans``."""
        edges = {lo, hi}
        anchors: dict[int, list[int]] = {}  # offset -> the spans starting there (flag: its findings)
        opening: dict[int, list[int]] = {}
        closing: dict[int, list[int]] = {}
        for start, end, i in sorted(members, key=itemgetter(2)):  # in the spans' order
            edges.add(start)
            edges.add(end)
            anchors.setdefault(start, []).append(i)
            if end > start:
                opening.setdefault(start, []).append(i)
                closing.setdefault(end, []).append(i)
        active: set[int] = set()
        edges = sorted(edges)
        for a, b in zip(edges, edges[1:] + [None], strict=True):
            if a in anchors:
                flag(anchors[a])
            if a in closing:
                active.difference_update(closing[a])
            if a in opening:
                active.update(opening[a])
            if b is None:
                break
            piece = esc(text[a:b]) if escape else text[a:b]
            out.append(f"{opening_tag(tuple(sorted(active)))}{piece}</span>" if active else piece)

    specials = _special_offsets(text)
    if zero_width:
        sweep(marks, 0, n, bool(specials))
        return "".join(out)
    # The groups of overlapping spans, in the text's order: the mark of a span alone (most groups), or
    # [start, end, units] of spans that overlap, where spans of the same extent (a claim and the finding
    # that it cites no paragraph) make one unit, [start, end, the spans in it], as they cover the same
    # pieces. Marks sort by start, then end, then span: the spans of a unit keep their order.
    marks.sort()
    groups: list[Any] = []
    group_end = -1
    for mark in marks:
        start, end, i = mark
        if start >= group_end:
            groups.append(mark)
            group_end = end
            continue
        group = groups[-1]
        if type(group) is tuple:  # a span alone so far
            group = groups[-1] = [group[0], group[1], [[group[0], group[1], [group[2]]]]]
        unit = group[2][-1]
        if start == unit[0] and end == unit[1]:
            unit[2].append(i)
        else:
            group[2].append([start, end, [i]])
        if end > group_end:
            group_end = group[1] = end
    # Only the few pieces holding one of the text's (usually none or one or two) special characters
    # need escaping; the others are their own escaped text. ``specials`` ends with a sentinel, and
    # ``special_at`` is the first one at or after the text written so far (pieces follow each other, so
    # it only moves on past a piece that holds one).
    specials.append(n)
    next_special = 0
    special_at = specials[0]
    written = 0  # the text before this offset is written
    for group in groups:
        start, end, spans_in = group
        if written < start:
            gap = text[written:start]
            if special_at < start:
                gap = esc(gap)
                while specials[next_special] < start:
                    next_special += 1
                special_at = specials[next_special]
            out.append(gap)
        escape = special_at < end
        if escape:
            while specials[next_special] < end:
                next_special += 1
            special_at = specials[next_special]
        written = end
        if type(group) is tuple:  # a span alone: its stretch in its own tag
            span = spans[spans_in]
            kind = span[0]
            piece = esc(text[start:end]) if escape else text[start:end]
            if kind == "ref" or kind == "claim":  # (_opening_tag, written out for most spans)
                out.append(f'<span class="{kind}" title="{titles[spans_in]}">{piece}</span>')
            else:
                if kind == "finding":
                    out.append(_flag(span, titles[spans_in]))
                out.append(f"{_opening_tag(span, titles[spans_in])}{piece}</span>")
            continue
        units = spans_in
        outer = units[0][2]  # the spans of the group's first unit (the longest of those starting first)
        if len(units) == 1:  # spans of one extent (a claim and its finding)
            flag(outer)
            out.append(f"{opening_tag(tuple(outer))}{esc(text[start:end]) if escape else text[start:end]}</span>")
            continue
        # A unit over the whole group, holding the others apart from one another (a finding over an
        # activity's description, and its claims): its pieces between theirs, and theirs in both.
        # Any other group is swept.
        nested = units[0][1] == end
        at = start
        for unit in units[1:]:
            if unit[0] < at:
                nested = False
                break
            at = unit[1]
        if not nested:
            sweep([(unit_start, unit_end, i) for unit_start, unit_end, unit in units for i in unit], start, end, escape)
            continue
        flag(outer)
        tag = opening_tag(tuple(outer))
        at = start
        for inner_start, inner_end, inner in units[1:]:
            if at < inner_start:
                out.append(f"{tag}{esc(text[at:inner_start]) if escape else text[at:inner_start]}</span>")
            flag(inner)
            out.append(f"{opening_tag(tuple(sorted(outer + inner)))}"
                       f"{esc(text[inner_start:inner_end]) if escape else text[inner_start:inner_end]}</span>")
            at = inner_end
        if at < end:
            out.append(f"{tag}{esc(text[at:end]) if escape else text[at:end]}</span>")
    if written < n:
        out.append(esc(text[written:]) if special_at < n else text[written:])
    return "".join(out)


def _span_class(span: Span) -> Any:
    """A span's CSS class, unescaped: its kind, or for a finding its severity."""
    return f"f-{span[3].get('severity', 'info')}" if span[0] == "finding" else span[0]


def _opening_tag(span: Span, title: str) -> str:
    """The opening tag of a piece this span alone covers: its class and (escaped) title."""
    kind = span[0]
    if kind == "ref" or kind == "claim":  # its kind: nothing to escape
        return f'<span class="{kind}" title="{title}">'
    return f'<span class="{esc_label(_span_class(span))}" title="{title}">'


def _flag(span: Span, title: str) -> str:
    """The numbered flag of a finding's span (a link to it in the findings list)."""
    number = span[4]
    return (f'<a id="f{number}" class="flag sev-{esc_label(span[3].get("severity", "info"))}" '
            f'href="#fl{number}" title="{title}">[{number + 1}]</a>')


def _suggestion_pills(suggestions: Iterable[Mapping[str, Any]]) -> str:
    pills = []
    for s in suggestions:
        cls = "pill-sug" if s.get("above_threshold", True) else "pill-low"
        pills.append(f'<span class="pill {cls}" title="evidence: {esc(", ".join(s.get("evidence") or []))}">'
                     f'{esc_label(s.get("id"))} {float(s.get("score", 0)):.2f}</span>')
    return "".join(pills)


def _activities_table(record: Mapping[str, Any]) -> list[str]:
    # (the page's parts are lists built by loops: a generator's resumption, or a list comprehension's
    # function object, costs more than an append)
    report = record.get("report") or {}
    suggested = {(s["section"], s["index"]): s.get("suggestions") or [] for s in record.get("suggestions") or []}
    rows = [*(report.get("activities") or []), *(report.get("future_actions") or [])]
    if not rows:
        return []
    out = ['<h2>Activities</h2>\n<table><tr><th>#</th><th>Type</th><th>Status</th><th>Paragraphs</th></tr>\n']
    for act in rows:
        section = act.get("section")
        # a letter and the digits of an int: nothing to escape
        label = ("A" if section == "activities" else "F") + str(int(act.get("index", 0)) + 1)
        # most activities have no references or no suggestions: nothing to join then
        references = act.get("references")
        if references:
            pills = []
            for r in references:
                pills.append(f'<span class="pill pill-tag">{esc_label(r.get("id"))}</span>')
            refs = "".join(pills)
        else:
            refs = ""
        suggestions = suggested.get((section, act.get("index"))) if suggested else None
        sugs = _suggestion_pills(suggestions) if suggestions else ""
        out.append(f'<tr><td>{label}</td><td>{esc_label(act.get("type") or "?")}</td>'
                   f'<td>{esc_label(act.get("status") or "")}</td><td>{refs}{sugs or ("" if refs else "—")}</td></tr>\n')
    out.append("</table>\n")
    return out


def _claims_list(claims: list[tuple[int, Mapping[str, Any], str, str]]) -> list[str]:
    """The claims table: ``claims`` are the claim spans' starts, items, escaped figures and escaped
    counted (``_span_titles``)."""
    if not claims:
        return []
    out = [f"<h2>Claims ({len(claims)})</h2>\n<table><tr><th>Figure</th><th>Value</th><th>Counted</th></tr>\n"]
    # every claim span's item has an int "start" (report_spans takes no other)
    for _, c, figure, counted in sorted(claims, key=itemgetter(0)):
        get = c.get
        planned = ' <span class="muted small">(planned)</span>' if get("modality") == "planned" else ""
        out.append(f'<tr><td>{esc(get("text"))}</td><td class="num">{figure}</td>'
                   f'<td>{counted}{planned}</td></tr>\n')
    out.append("</table>\n")
    return out


def _findings_list(record: Mapping[str, Any]) -> list[str]:
    findings = record.get("findings") or []
    if not findings:
        return [f"<h2>Findings ({len(findings)})</h2>\n", '<p class="muted">No findings.</p>\n']
    out = [f"<h2>Findings ({len(findings)})</h2>\n", "<ol>\n"]
    for num, f in enumerate(findings):  # one piece per finding
        get = f.get
        sev = esc_label(get("severity", "info"))
        suggestion = get("suggestion")
        suggest = f' <span class="muted">(suggest: {esc(", ".join(map(str, suggestion)))})</span>' if suggestion else ""
        line = get("line")  # an int (its digits: nothing to escape), as the checks make it
        out.append(f'<li id="fl{num}"><span class="sev sev-{sev}">{sev}</span> <a href="#f{num}">'
                   f'line {line if type(line) is int else esc(line)}</a> <code>{esc_label(get("code"))}</code> '
                   f'{esc(get("message"))}{suggest}</li>\n')
    out.append("</ol>\n")
    return out


def _text(value: Any) -> str | None:
    """A field's text whether it was serialised as a string or as a whole Field."""
    # a text (the common case) or None (a field the report has not) is let through before the costlier
    # isinstance test of an abstract class
    return value.get("text") if type(value) is not str and value is not None and isinstance(value, Mapping) \
        else value


def report_page(record: Mapping[str, Any], back_href: str | None = None) -> str:
    """The annotated view of one report: its text with references, claims and findings highlighted."""
    return "".join(_report_page_parts(record, back_href))  # one copy of a page of some 12 kB


def report_page_utf8(record: Mapping[str, Any], back_href: str | None = None) -> bytes:
    """``report_page(record, back_href)`` encoded as UTF-8, as a page file holds it.

    A page holds characters beyond Latin-1 (the arrow of its back link, the dash in its title), so as
    one text it takes two bytes a character, which UTF-8 encodes one by one (some 130,000 instructions
    a page). Nearly all of it is ASCII parts (the style sheet, the tags, most reports' text), each
    encoded as a copy of its bytes: encoded one by one and joined, the parts cost a tenth of that."""
    parts = _report_page_parts(record, back_href)
    try:
        return b"".join(map(str.encode, parts))
    except UnicodeEncodeError:  # (a lone surrogate) raised as the page's whole text raises it
        return "".join(parts).encode("utf-8")


def _report_page_parts(record: Mapping[str, Any], back_href: str | None) -> list[str]:
    report = record.get("report") or {}
    text = report.get("text") or ""
    source = record.get("source") or report.get("source") or "<text>"
    title = _text(report.get("title")) or _text(report.get("constituent")) or source.replace("\\", "/").rsplit("/", 1)[-1]
    body: list[str] = []
    if back_href:
        body.append(f'<p class="small"><a href="{esc(back_href)}">← summary</a></p>\n')
    body.append(f"<h1>{esc(title)}</h1>\n")
    facts = [f"<b>Source</b> {esc(source)}",
             f"<b>Resolution</b> {esc(record.get('resolution_code') or report.get('resolution_code') or 'unknown')}",
             f"<b>Layout</b> {esc(report.get('layout'))}"]
    if record.get("sha256"):
        facts.append(f'<b>SHA-256</b> <span class="small muted">{esc(record["sha256"][:16])}…</span>')
    body.append(f'<p class="muted">{" · ".join(facts)}</p>\n')
    for note in record.get("notes") or []:
        body.append(f'<p class="note">{esc(note)}</p>\n')
    for warning in report.get("warnings") or []:
        body.append(f'<p class="note">Parser: {esc(warning)}</p>\n')
    body.append(
        '<div class="legend small"><span><span class="key ref"></span>explicit paragraph reference</span>'
        '<span><span class="key claim"></span>quantitative claim</span>'
        '<span><span class="key" style="border-bottom:2px solid var(--err)"></span>finding (numbered)</span>'
        '<span><span class="key pill-tag"></span>tagged paragraph</span>'
        '<span><span class="key pill-sug"></span>suggested paragraph</span></div>\n'
    )
    body.append('<div class="layout">\n<section>\n<pre class="report">')
    spans = _record_spans(record)
    titles, claims = _span_titles(spans)
    body.append(_annotated(text, spans, titles))
    body.append("</pre>\n</section>\n<aside>\n")
    body.extend(_findings_list(record))
    body.extend(_activities_table(record))
    body.extend(_claims_list(claims))
    body.append("</aside>\n</div>\n")
    return [HEAD_OPEN, esc(f"{title} — opmapper"), HEAD_CLOSE, *body, PAGE_END]


# ------------------------------------------------------------------ summary of a batch run
def _stat(label: str, value: Any) -> str:
    return f'<div class="stat"><b>{_number_html(value)}</b>{esc(label)}</div>'


def _grid(res: Mapping[str, Any]) -> Iterator[str]:
    paragraphs: list[str] = list(res.get("paragraphs") or [])
    rows = res.get("rows") or []
    if not paragraphs:
        yield '<p class="muted">No paragraphs known or reported for this resolution.</p>\n'
        return
    # one piece per table row (not per cell): a grid is reports x paragraphs cells
    pids = [esc(pid) for pid in paragraphs]
    yield ('<div class="grid-wrap"><table class="grid">\n<tr><th class="report">Report</th>'
           + "".join(f'<th class="para" title="{pid}">{pid}</th>' for pid in pids) + "</tr>\n")
    tagged = [f'<td class="cell c-tag" title="{pid}: tagged">T</td>' for pid in pids]
    suggested = [f'<td class="cell c-sug" title="{pid}: suggested">S</td>' for pid in pids]
    empty = '<td class="cell c-none"></td>'
    for row in rows:
        cells = row.get("cells") or {}
        href = row.get("href")
        label = esc(row.get("label"))
        link = f'<a href="{esc(href)}">{label}</a>' if href else label
        line = [f'<tr><td class="report" title="{esc(row.get("source"))}">{link}</td>']
        for column, pid in enumerate(paragraphs):
            kind = cells.get(pid)
            line.append(tagged[column] if kind == TAGGED else suggested[column] if kind == SUGGESTED else empty)
        line.append("</tr>\n")
        yield "".join(line)
    totals = res.get("totals") or {}
    yield ('<tr class="total"><td class="report">Reports per paragraph</td>'
           + "".join(f'<td class="cell" title="{pid_html}">{esc(totals.get(pid, 0))}</td>'
                     for pid, pid_html in zip(paragraphs, pids, strict=True))
           + "</tr>\n</table></div>\n")
    if res.get("more_rows"):
        yield (f'<p class="muted small">{_number_html(res["more_rows"])} more reports are not drawn; '
               "coverage.csv counts them all.</p>\n")


def report_index_row(entry: Mapping[str, Any]) -> str:
    """One line of the summary's list of all reports (no newline inside: batch streams these via a file).

    ``entry``: ``label``, ``source``, ``href``, ``resolution_code``, ``layout``, ``activities``, ``tagged``,
    ``suggested``, ``claims``, ``findings``.
    """
    get = entry.get
    label = esc(get("label") or get("source"))
    link = f'<a href="{esc(entry["href"])}">{label}</a>' if get("href") else label
    row = (f'<tr><td title="{esc(get("source"))}">{link}</td><td>{esc(get("resolution_code") or "")}</td>'
           f'<td>{esc(get("layout") or "")}</td><td class="num">{_number_html(get("activities", 0))}</td>'
           f'<td class="num">{_number_html(get("tagged", 0))}</td><td class="num">{_number_html(get("suggested", 0))}'
           f'</td><td class="num">{_number_html(get("claims", 0))}</td>'
           f'<td class="num">{_number_html(get("findings", 0))}</td></tr>')
    # a replacement looks at every character even when there is nothing to replace; a test (memchr) does not
    return row.replace("\n", " ") if "\n" in row else row


def summary_page(summary: Mapping[str, Any], report_rows: Iterable[str] = ()) -> str:
    """The summary page as one string (see ``summary_chunks``)."""
    return "".join(summary_chunks(summary, report_rows))


def _table_or_message(items, empty: str, header: str, row) -> list[str]:
    """A table with ``row(item)`` per item under ``header``, or a muted line saying there is nothing."""
    if not items:
        return [f'<p class="muted">{esc(empty)}</p>\n']
    return [f"<table>{header}\n", *(row(item) for item in items), "</table>\n"]


def _largest_claim_row(c: Mapping[str, Any]) -> str:
    href = c.get("href")
    src = esc(c.get("label") or c.get("source"))
    link = f'<a href="{esc(href)}">{src}</a>' if href else src
    planned = ' <span class="muted small">(planned)</span>' if c.get("modality") == "planned" else ""
    return (f'<tr><td>{esc(c.get("kind"))}</td><td class="num">{_number_html(c.get("value"))}</td>'
            f'<td>{esc(c.get("unit") or "")}</td><td>{esc(c.get("counted") or "")}{planned}</td>'
            f'<td>{esc(c.get("text"))}</td><td>{link}</td></tr>\n')


def _rule_row(r: Mapping[str, Any]) -> str:
    sev = esc(r.get("severity"))
    return (f'<tr><td><code>{esc(r.get("code"))}</code></td><td><span class="sev sev-{sev}">{sev}</span>'
            f'</td><td class="num">{_number_html(r.get("count"))}</td>'
            f'<td class="num">{_number_html(r.get("reports"))}</td></tr>\n')


def summary_chunks(summary: Mapping[str, Any], report_rows: Iterable[str] = ()) -> Iterator[str]:
    """The one-page overview of a batch run, in pieces to write as they come: coverage grids, silent
    paragraphs, largest claims, findings by rule, failed files, then every report (``report_rows``, from
    ``report_index_row``, consumed lazily so an archive of any size streams through).

    ``summary`` is plain data: ``counts`` (mapping), ``notes`` (list of str), ``resolutions`` (list of
    mappings with ``code``, ``title``, ``known``, ``paragraphs``, ``uncovered``, ``rows``, ``totals``,
    ``more_rows``), ``largest_claims`` (list of mappings), ``findings_by_rule`` (list of mappings with
    ``code``, ``severity``, ``count``) and ``errors`` (list of mappings with ``source``, ``reason``).
    """
    yield _head("opmapper batch summary")
    yield from _summary_body(summary)
    rows = iter(report_rows)
    first = next(rows, None)
    if first is not None:
        yield (f'<h2 id="reports">Reports ({_number_html((summary.get("counts") or {}).get("reports", ""))})</h2>\n'
               '<table><tr><th>Report</th><th>Resolution</th><th>Layout</th><th class="num">Activities</th>'
               '<th class="num">Tagged</th><th class="num">Suggested</th><th class="num">Claims</th>'
               '<th class="num">Findings</th></tr>\n')
        yield first + "\n"
        for row in rows:
            yield row + "\n"
        yield "</table>\n"
    yield PAGE_END


def _summary_body(summary: Mapping[str, Any]) -> list[str]:
    counts = summary.get("counts") or {}
    body: list[str] = ["<h1>opmapper batch summary</h1>\n"]
    if summary.get("interrupted"):
        body.append('<p class="note">The run was interrupted: this page covers the files finished.</p>\n')
    body.append('<div class="stats">')
    for key, label in (("reports", "reports"), ("errors", "files failed"), ("activities", "activities"),
                       ("tagged_activities", "activities tagged"), ("suggested_activities", "activities suggested"),
                       ("claims", "claims"), ("findings", "findings")):
        if key in counts:
            body.append(_stat(label, counts[key]))
    body.append("</div>\n")
    for note in summary.get("notes") or []:
        body.append(f'<p class="note">{esc(note)}</p>\n')
    body.append('<p class="small muted"><a href="#reports">Every report</a> · tables: reports.jsonl · activities.csv · '
                "claims.csv · findings.csv · coverage.csv · errors.csv</p>\n")

    body.append("<h2>Coverage by resolution</h2>\n")
    body.append('<div class="legend"><span><span class="key c-tag"></span>T: explicitly tagged in the report</span>'
                '<span><span class="key c-sug"></span>S: suggested by the tagger (no explicit tag)</span>'
                '<span><span class="key c-none"></span>not reported</span></div>\n')
    resolutions = summary.get("resolutions") or []
    if not resolutions:
        body.append('<p class="muted">No reports were analysed.</p>\n')
    for res in resolutions:
        code = res.get("code") or "no resolution identified"
        heading = esc(code) + (f" — {esc(res['title'])}" if res.get("title") else "")
        body.append(f'<h3 id="{esc(res.get("anchor") or code)}">{heading} '
                    f'<span class="muted small">({_number_html(res.get("reports", 0))} reports)</span></h3>\n')
        if not res.get("known", True) and res.get("code"):
            body.append('<p class="muted small">This resolution is not among the loaded resolution texts: '
                        "columns show only the paragraphs reports name.</p>\n")
        body.extend(_grid(res))
        uncovered = res.get("uncovered") or []
        if res.get("known", True) and res.get("code"):
            if uncovered:
                body.append(f'<div class="uncovered"><b>Paragraphs nobody reports on ({len(uncovered)})</b><ul>')
                for para in uncovered:
                    body.append(f"<li><b>{esc(para.get('id'))}</b> {esc(para.get('text'))}</li>")
                body.append("</ul></div>\n")
            else:
                body.append('<p class="muted small">Every operative paragraph is reported on.</p>\n')

    body.append("<h2>Largest claims</h2>\n")
    claims = summary.get("largest_claims") or []
    body.extend(_table_or_message(
        claims, "No claims found.",
        '<tr><th>Kind</th><th class="num">Value</th><th>Unit</th><th>Counted</th><th>As written</th><th>Report</th></tr>',
        _largest_claim_row))

    body.append("<h2>Findings by rule</h2>\n")
    rules = summary.get("findings_by_rule") or []
    body.extend(_table_or_message(
        rules, "No findings.",
        '<tr><th>Rule</th><th>Severity</th><th class="num">Findings</th><th class="num">Reports</th></tr>',
        _rule_row))

    errors = summary.get("errors") or []
    body.append(f"<h2>Files that failed ({_number_html(counts.get('errors', len(errors)))})</h2>\n")
    body.extend(_table_or_message(
        errors, "None.", "<tr><th>File</th><th>Reason</th></tr>",
        lambda e: f'<tr><td>{esc(e.get("source"))}</td><td>{esc(e.get("reason"))}</td></tr>\n'))
    if errors:
        shown = len(errors)
        if counts.get("errors", shown) > shown:
            body.append(f'<p class="muted small">{_number_html(counts["errors"] - shown)} more in errors.csv.</p>\n')
    return body

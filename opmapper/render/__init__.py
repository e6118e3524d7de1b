"""Output: records to text, JSON, JSONL and CSV (and, in ``render.html``, HTML pages).

The one place that turns records into rows. Records come in with ``to_dict()``; nested values become
"; "-joined strings (lists of scalars) or JSON (anything deeper) in CSV cells. CSV cells are opened in
spreadsheets, so text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return) gets a leading ``'``; numbers, negative ones included, are left as they are.
CSV files written to disk use ``CSV_ENCODING`` (UTF-8 with a byte-order mark, which Excel needs to
recognise UTF-8); CSV written to standard output is plain UTF-8.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

from .._records import LineIndex, to_jsonable

FORMATS = ("text", "json", "jsonl", "csv")


def dumps(obj: Any, indent: int | None = None) -> str:
    return json.dumps(to_jsonable(obj), ensure_ascii=False, indent=indent, sort_keys=False)


def write_json(obj: Any, stream: IO[str]) -> None:
    stream.write(dumps(obj, indent=2))
    stream.write("\n")


def write_jsonl(items: Iterable[Any], stream: IO[str]) -> None:
    for item in items:
        stream.write(dumps(item))
        stream.write("\n")


CSV_ENCODING = "utf-8-sig"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[-+]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?%?")


def formula_safe(text: str) -> str:
    """``text`` as a spreadsheet will show it: a leading ``'`` when it would otherwise be run as a formula
    (``=HYPERLINK(...)``, ``-1+2``, ``@SUM(...)``, a bare ``=``); written numbers such as ``-12.5`` and a
    lone ``-`` or ``+`` (text to every spreadsheet; ``-`` is also standard input's name) stay."""
    if text and text[0] in FORMULA_STARTS and text not in ("-", "+"):
        # only a sign can start a number: the other starts (a claim's bound "=", say) need no pattern
        if text[0] not in "-+" or not _NUMBER.fullmatch(text):
            return "'" + text
    return text


def cell(value: Any) -> Any:
    """One CSV cell: numbers as they are, text made formula-safe, lists of scalars joined, anything
    deeper as JSON."""
    kind = type(value)
    if kind is str:  # nearly every cell: the fast path
        return formula_safe(value)
    if kind is int or kind is float:
        return value
    value = to_jsonable(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if all(not isinstance(v, (list, dict)) for v in value):
            return formula_safe("; ".join("" if v is None else str(v) for v in value))
        return formula_safe(json.dumps(value, ensure_ascii=False))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return formula_safe(value)
    return value


def write_csv(rows: Iterable[Mapping[str, Any]], stream: IO[str], fieldnames: list[str]) -> None:
    writer = csv.DictWriter(stream, fieldnames=fieldnames, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: cell(row.get(k)) for k in fieldnames})


def number(value: Any, digits: int = 6) -> str:
    """A figure for people to read: whole numbers with thousands separators (``11,000,000``), others to
    ``digits`` significant digits; None as an empty string."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}g}"
    return "" if value is None else str(value)


def location(source: str | None, index: LineIndex, offset: int) -> str:
    line, col = index.line_col(offset)
    return f"{source or '<text>'}:{line}:{col}"


def short(text: str | None, width: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _claim_phrase(claim: Mapping[str, Any]) -> str:
    verb = f" ({claim['verb']})" if claim.get("verb") else ""
    planned = " [planned]" if claim.get("modality") == "planned" else ""
    return f"{short(claim.get('text'), 60)}{verb}{planned}"


def write_analysis_text(record: Mapping[str, Any], stream: IO[str]) -> None:
    """A readable digest of one ``opmapper.analyze`` record: what each activity implements (tagged or
    suggested), the figures it claims, and the findings, in the order a reader meets them."""
    rep = record["report"]
    who = ", ".join(x for x in (rep.get("constituent"), rep.get("submitted_on")) if x)
    stream.write(f"== {record.get('source') or '<text>'}\n")
    stream.write(f"   {record.get('resolution_code') or 'resolution unknown'} · {record.get('layout')}"
                 f"{f' · {who}' if who else ''}\n")
    suggested = {(s["section"], s["index"]): s["suggestions"] for s in record.get("suggestions", [])}
    for section, label in (("activities", "Activity"), ("future_actions", "Future action")):
        for act in rep.get(section) or []:
            stream.write(f"\n{label} {act['index'] + 1}: {act.get('type') or '?'}"
                         f"{' · ' + act['status'] if act.get('status') else ''}\n")
            stream.write(f"   {short(act.get('description'), 100)}\n")
            if act.get("references"):
                stream.write(f"   paragraphs (tagged):    {', '.join(r['id'] for r in act['references'])}\n")
            elif (section, act["index"]) in suggested:
                picks = suggested[(section, act["index"])]
                shown = ", ".join(
                    f"{s['id']} {s['score']:.2f}{'' if s.get('above_threshold', True) else '?'}" for s in picks)
                stream.write(f"   paragraphs (suggested): {shown}\n")
                if picks and picks[0].get("evidence"):
                    stream.write(f"      because of: {', '.join(picks[0]['evidence'])}\n")
            else:
                stream.write("   paragraphs: none\n")
            for claim in act.get("claims") or []:
                stream.write(f"   figure: {_claim_phrase(claim)}\n")
    for name in ("results", "challenges", "future", "additional"):
        section = rep.get(name)
        if section and section.get("claims"):
            stream.write(f"\n{name.capitalize()}\n")
            for claim in section["claims"]:
                stream.write(f"   figure: {_claim_phrase(claim)}\n")
    findings = record.get("findings") or []
    if findings:
        stream.write(f"\nFindings ({len(findings)})\n")
        for f in findings:
            hint = f" (suggested: {', '.join(f['suggestion'])})" if f.get("suggestion") else ""
            stream.write(f"   {f['line']}:{f['column']}: {f['severity']} {f['code']} {f['message']}{hint}\n")
    for note in record.get("notes") or []:
        stream.write(f"note: {note}\n")
    for warning in rep.get("warnings") or []:
        stream.write(f"warning: {warning}\n")
    stream.write("\n")


def emit(items: Iterable[Any], fmt: str, stream: IO[str], *, text: Callable[[Any, IO[str]], None],
         columns: list[str] | None = None, rows: Callable[[Any], Iterable[Mapping[str, Any]]] | None = None,
         footer: Callable[[IO[str]], None] | None = None) -> None:
    """Write a stream of records in one of FORMATS: the records themselves as JSON or JSONL, their
    ``rows(item)`` (default: the item itself) under ``columns`` as CSV, or ``text(item, stream)`` for each
    item followed by ``footer(stream)`` as text. Items are consumed lazily except for JSON."""
    if fmt == "json":
        write_json(list(items), stream)
    elif fmt == "jsonl":
        write_jsonl(items, stream)
    elif fmt == "csv":
        if columns is None:
            raise ValueError("CSV output needs columns")
        write_csv((row for item in items for row in (rows(item) if rows else (item,))), stream, columns)
    else:
        for item in items:
            text(item, stream)
        if footer is not None:
            footer(stream)

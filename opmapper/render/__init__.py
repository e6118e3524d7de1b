"""Output: records to text, JSON, JSONL and CSV (and, in ``render.html``, HTML pages).

The one place that turns records into rows. Records come in with ``to_dict()``; nested values become
"; "-joined strings (lists of scalars) or JSON (anything deeper) in CSV cells.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
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


def cell(value: Any) -> Any:
    """One CSV cell: scalars as they are, lists of scalars joined, anything deeper as JSON."""
    value = to_jsonable(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if all(not isinstance(v, (list, dict)) for v in value):
            return "; ".join("" if v is None else str(v) for v in value)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_csv(rows: Iterable[Mapping[str, Any]], stream: IO[str], fieldnames: list[str]) -> None:
    writer = csv.DictWriter(stream, fieldnames=fieldnames, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: cell(row.get(k)) for k in fieldnames})


def location(source: str | None, index: LineIndex, offset: int) -> str:
    line, col = index.line_col(offset)
    return f"{source or '<text>'}:{line}:{col}"


def short(text: str | None, width: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"

"""What every opmapper record shares: frozen dataclasses with spans into the source text.

One place turns records into JSON-ready data (``to_dict``) so that the JSON, JSONL and CSV writers
never need to know what kind of record they are handed.
"""

from __future__ import annotations

import bisect
import dataclasses
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Turn records, tuples and nested containers into plain JSON-ready data."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


class Record:
    """Mixin for frozen dataclasses: ``to_dict`` gives JSON-ready data, field by field."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: to_jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]


class LineIndex:
    """Maps character offsets to 1-based (line, column) pairs; built once per text."""

    def __init__(self, text: str) -> None:
        # str.find runs in C: several times faster than a Python loop over characters on long reports
        starts = [0]
        find = text.find
        at = find("\n")
        while at != -1:
            starts.append(at + 1)
            at = find("\n", at + 1)
        self._starts = starts

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1


_INIT_FIELDS: dict[type, tuple[str, ...]] = {}


def shifted(record: Any, offset: int, names: tuple[str, ...] = ("start", "end")) -> Any:
    """``dataclasses.replace(record, start=record.start + offset, ...)`` for the offset fields ``names``.

    The same new record through the class's own ``__init__``, without replace's per-call walk over the
    dataclass fields: the parser moves every reference and claim of every report from its field's text
    into the report's, so this runs thousands of times per batch second.
    """
    cls = type(record)
    init_fields = _INIT_FIELDS.get(cls)
    if init_fields is None:
        init_fields = _INIT_FIELDS[cls] = tuple(f.name for f in dataclasses.fields(record) if f.init)
    values = {name: getattr(record, name) for name in init_fields}
    for name in names:
        values[name] += offset
    return cls(**values)

"""What every opmapper record shares: frozen dataclasses with spans into the source text.

One place turns records into JSON-ready data (``to_dict``) so that the JSON, JSONL and CSV writers
never need to know what kind of record they are handed.
"""

from __future__ import annotations

import bisect
import dataclasses
import operator
from collections.abc import Callable
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


# (record class, offset field names) -> (getter of the __init__ arguments in order, their positions)
_SHIFT_PLANS: dict[tuple[type, tuple[str, ...]], tuple[Callable[[Any], tuple], tuple[int, ...]] | None] = {}


def shifted(record: Any, offset: int, names: tuple[str, ...] = ("start", "end")) -> Any:
    """``dataclasses.replace(record, start=record.start + offset, ...)`` for the offset fields ``names``.

    The same new record through the class's own ``__init__``, with its arguments read by one
    ``operator.attrgetter`` and passed by position, instead of replace's per-call walk over the dataclass
    fields and keyword arguments: the parser moves every reference and claim of every report from its
    field's text into the report's, so this runs thousands of times per batch second.
    """
    cls = type(record)
    plan = _SHIFT_PLANS.get((cls, names), False)
    if plan is False:
        init = [f for f in dataclasses.fields(record) if f.init]
        order = [f.name for f in init]
        # keyword-only fields cannot be passed by position, and one field gives no tuple: replace() does those
        plan = None if len(order) < 2 or any(f.kw_only for f in init) else (
            operator.attrgetter(*order), tuple(order.index(name) for name in names))
        _SHIFT_PLANS[cls, names] = plan
    if plan is None:
        return dataclasses.replace(record, **{name: getattr(record, name) + offset for name in names})
    values = list(plan[0](record))
    for i in plan[1]:
        values[i] += offset
    return cls(*values)

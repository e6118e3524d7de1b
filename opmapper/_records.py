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


# record class -> how many fields it has when a copy of its __dict__ is a faithful copy of the record
# (every field set by __init__, no __post_init__), else None
_COPYABLE: dict[type, int | None] = {}


def shifted(record: Any, offset: int, names: tuple[str, ...] = ("start", "end")) -> Any:
    """``dataclasses.replace(record, start=record.start + offset, ...)`` for the offset fields ``names``.

    For a plain frozen record (fields only, all set by ``__init__``, no ``__post_init__``) the new record
    is made from a copy of the old one's ``__dict__``: the same record as replace() makes, at a fraction
    of the cost (a frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``). The
    parser moves every reference and claim of every report from its field's text into the report's, so
    this runs thousands of times per batch second. Other records go through replace().
    """
    cls = type(record)
    size = _COPYABLE.get(cls, -1)
    if size == -1:
        fields = dataclasses.fields(record)
        plain = all(f.init for f in fields) and not hasattr(cls, "__post_init__")
        size = _COPYABLE[cls] = len(fields) if plain else None
    state = record.__dict__
    if size is None or len(state) != size:  # a cached_property value, say, must not be copied
        return dataclasses.replace(record, **{name: getattr(record, name) + offset for name in names})
    state = state.copy()
    for name in names:
        state[name] += offset
    new = object.__new__(cls)
    object.__setattr__(new, "__dict__", state)
    return new


def record_maker(cls: type) -> Any:
    """A function that makes a ``cls`` record from all its fields (by position or by name, no defaults):
    the same record as ``cls(...)`` makes, at a fraction of the cost.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__`` (about a microsecond
    per field); this sets the instance's ``__dict__`` once, as :func:`shifted` does. Equality, hashing,
    immutability and pickling are the class's own, unchanged. Only for plain records: every field set by
    ``__init__`` and no ``__post_init__``.
    """
    fields = dataclasses.fields(cls)
    if not all(f.init for f in fields) or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} is not a plain record: use its own constructor")
    names = [f.name for f in fields]
    source = (f"def make_{cls.__name__}({', '.join(names)}):\n"
              f"    new = new_object(cls)\n"
              f"    set_attribute(new, '__dict__', {{{', '.join(f'{n!r}: {n}' for n in names)}}})\n"
              f"    return new\n")
    namespace: dict[str, Any] = {"cls": cls, "new_object": object.__new__, "set_attribute": object.__setattr__}
    exec(source, namespace)  # noqa: S102 -- the source is built from the dataclass's own field names
    return namespace[f"make_{cls.__name__}"]

"""Imports put off until first use, to keep start-up short (every opmapper command, and the serial part of
every batch run, pays for what is imported)."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager


class _DeferredModule(types.ModuleType):
    """Stands in for a module that is not imported yet; reading any of its attributes imports the real
    module (which then replaces the stand-in in ``sys.modules``) and reads it there."""

    def __getattr__(self, name: str):
        return getattr(self._real_module(), name)

    def __dir__(self):
        return dir(self._real_module())

    def _real_module(self) -> types.ModuleType:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)


@contextmanager
def deferred_import(name: str) -> Iterator[None]:
    """While the block runs, importing ``name`` gives a stand-in that imports the real module only when
    something first reads from it. After the block ``sys.modules`` no longer holds the stand-in, so a
    later import of ``name`` is an ordinary one; modules that kept the stand-in reach the real module
    through it."""
    if name in sys.modules:
        yield
        return
    stand_in = _DeferredModule(name)
    sys.modules[name] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        parent, _, child = name.rpartition(".")
        if parent in sys.modules and vars(sys.modules[parent]).get(child) is stand_in:
            delattr(sys.modules[parent], child)

"""Imports put off until first use, to keep start-up short (every opmapper command, and the serial part of
every batch run, pays for what is imported)."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager


class _DeferredModule(types.ModuleType):
    """Stands in for a module that is not imported yet; reading any of its attributes imports the real
    module (which then replaces the stand-in in ``sys.modules``) and reads it there.

    ``__path__`` is answered by the stand-in itself (set for a package, absent for a plain module): the
    import system asks for it (is it a package?) on every ``from X import y``, and that question must not
    import X."""

    def __getattr__(self, name: str):
        if name == "__path__":
            raise AttributeError(name)
        return getattr(self._real_module(), name)

    def __dir__(self):
        return dir(self._real_module())

    def _real_module(self) -> types.ModuleType:
        return _import_real(self.__name__)


def _import_real(name: str) -> types.ModuleType:
    """The real module ``name``, imported now if only a stand-in was there. The stand-ins of its packages
    go too: the real module is imported under real packages."""
    module = sys.modules.get(name)
    if module is not None and not isinstance(module, _DeferredModule):
        return module
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        prefix = ".".join(parts[:i])
        if isinstance(sys.modules.get(prefix), _DeferredModule):
            del sys.modules[prefix]
    return importlib.import_module(name)


def _forwarding(module_name: str, function_name: str) -> Callable:
    """A function that imports ``module_name`` when called and calls its ``function_name``."""

    def call(*args, **kwargs):
        return getattr(_import_real(module_name), function_name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = function_name
    call.__module__ = module_name
    call.__doc__ = f"Imports {module_name} on first call and calls its {function_name}."
    return call


def _search_path(name: str) -> list[str] | None:
    """``__path__`` of the package ``name`` (None for a plain module), found without importing it or its
    parents (``importlib.util.find_spec`` would import the parents)."""
    parts = name.split(".")
    top = parts[0]
    spec = getattr(sys.modules[top], "__spec__", None) if top in sys.modules else importlib.util.find_spec(top)
    for i in range(2, len(parts) + 1):  # down the packages, each found in its parent's folders
        if spec is None or spec.submodule_search_locations is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(".".join(parts[:i]), spec.submodule_search_locations)
    if spec is None or spec.submodule_search_locations is None:
        return None
    return list(spec.submodule_search_locations)


class _AlreadyImported(importlib.abc.Loader):
    """Hands the import system a module that exists already, unchanged (see ``_RealPackageFirst``)."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.spec = module.__spec__

    def create_module(self, spec):
        return self.module

    def exec_module(self, module) -> None:
        module.__spec__ = self.spec  # the import system has just set its own


class _RealPackageFirst(importlib.abc.MetaPathFinder):
    """While stand-ins are in place: a submodule of a stand-in package is imported under the real
    package, imported first. Without it the submodule would run under a package whose ``__init__`` never
    ran, and if that ``__init__`` imports the submodule too, the submodule would run twice."""

    def find_spec(self, name, path=None, target=None):
        parent = name.rpartition(".")[0]
        if not isinstance(sys.modules.get(parent), _DeferredModule):
            return None
        _import_real(parent)
        module = sys.modules.get(name)
        if module is None or isinstance(module, _DeferredModule):
            return None  # the usual finders go on, in the same folders
        # The real package imported it: hand that module over. It leaves sys.modules until the import
        # system puts it back, or the import system would take its spec and run it again.
        del sys.modules[name]
        return importlib.util.spec_from_loader(name, _AlreadyImported(module))


_GUARD = _RealPackageFirst()


@contextmanager
def deferred_import(name: str, *, functions: Iterable[str] = ()) -> Iterator[None]:
    """While the block runs, importing ``name`` gives a stand-in that imports the real module only when
    something first reads from it. After the block ``sys.modules`` no longer holds the stand-in, so a
    later import of ``name`` is an ordinary one; modules that kept the stand-in reach the real module
    through it.

    ``functions``: names the stand-in answers itself with functions that import the real module when
    first called (for ``from name import f`` in the block, which would otherwise read ``f`` at once).
    """
    if name in sys.modules:
        yield
        return
    stand_in = _DeferredModule(name)
    path = _search_path(name)
    if path is not None:
        stand_in.__path__ = path
    for function in functions:
        setattr(stand_in, function, _forwarding(name, function))
    sys.modules[name] = stand_in
    guarding = _GUARD not in sys.meta_path
    if guarding:
        sys.meta_path.insert(0, _GUARD)
    # and an attribute of its package, as the import system makes it for a submodule: a package that
    # imports its submodules on attribute access (numpy, scipy) would otherwise import it again and again
    parent, _, child = name.rpartition(".")
    if parent in sys.modules and child not in vars(sys.modules[parent]):
        setattr(sys.modules[parent], child, stand_in)
    try:
        yield
    finally:
        if guarding:
            sys.meta_path.remove(_GUARD)
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        if parent in sys.modules and vars(sys.modules[parent]).get(child) is stand_in:
            delattr(sys.modules[parent], child)


@contextmanager
def deferred_imports(modules: Mapping[str, Iterable[str]]) -> Iterator[None]:
    """``deferred_import`` of each module (name -> its ``functions``) for the same block."""
    with ExitStack() as stack:
        for name, functions in modules.items():
            stack.enter_context(deferred_import(name, functions=functions))
        yield


def import_spacy() -> types.ModuleType:
    """spaCy, imported without its command-line interface.

    ``spacy/__init__`` imports ``spacy.cli`` only to offer ``spacy.info``; the CLI brings typer, weasel,
    their HTTP and templating stacks and every command module, some 450 modules and a third of the time
    ``import spacy`` takes, none of which tokenising needs. ``spacy.info`` still works (it imports the CLI
    when called), and ``import spacy.cli`` later is an ordinary import.
    """
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    with deferred_imports({"spacy.cli": (), "spacy.cli.info": ("info",)}):
        import spacy
    return spacy


# Modules that importing scipy.sparse (tagger_model, to score) and scikit-learn (tagger, to fit) brings in
# and the tagger never uses. scipy.stats: imported by sklearn.utils.fixes and sklearn.preprocessing for
# helpers fitting does not call (a third of its start-up). scipy.optimize: scipy.interpolate (imported by
# sklearn.preprocessing for SplineTransformer) takes minimize_scalar from it, so that one function is a
# stand-in too. numpy's extras: numpy imports them on first attribute access, and scipy's array-API
# layer (which scipy.sparse imports too) reads every attribute of numpy when it copies numpy's namespace
# (numpy.f2py alone brings charset_normalizer and some 100 modules).
UNUSED_BY_SCORING = {"scipy.stats": (), "scipy.optimize": ("minimize_scalar",), "numpy.f2py": (),
                     "numpy.testing": (), "numpy.ma": (), "numpy.polynomial": (), "numpy.ctypeslib": ()}


@contextmanager
def lean_scientific_imports() -> Iterator[None]:
    """While the block runs, the modules of ``UNUSED_BY_SCORING`` are stand-ins that import the real
    module on first use (see ``deferred_import``)."""
    import numpy  # noqa: F401 - the packages first: a stand-in is also an attribute of its package
    import scipy  # noqa: F401

    with deferred_imports(UNUSED_BY_SCORING):
        yield

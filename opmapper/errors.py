"""The exceptions opmapper raises on purpose. Every one names the input and the problem."""

from __future__ import annotations


class OpmapperError(Exception):
    """Base class: anything opmapper raises deliberately derives from this."""


class InputError(OpmapperError):
    """An input could not be read or is not a report (empty, binary, undecodable, too large)."""

    def __init__(self, message: str, source: str | None = None) -> None:
        self.source = source
        self.reason = message
        super().__init__(f"{source}: {message}" if source else message)


class ModelError(OpmapperError):
    """A saved model is missing, tampered with, or was written by an incompatible version."""


class UsageError(OpmapperError):
    """A command-line argument names something that cannot be used (a ``--model``, ``--resolutions`` or
    ``--resolution`` that cannot be loaded). The command line exits 2 for it, as for any bad argument."""

    def __init__(self, message: str, source: str | None = None) -> None:
        self.source = source
        self.reason = message
        super().__init__(f"{source}: {message}" if source else message)


class OutputError(OpmapperError):
    """An output path cannot be created or written (a file where a folder is wanted, a missing parent
    folder, no permission). Raised before any work, naming the path; the command line exits 2."""

    def __init__(self, message: str, source: str | None = None) -> None:
        self.source = source
        self.reason = message
        super().__init__(f"{source}: {message}" if source else message)

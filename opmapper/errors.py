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

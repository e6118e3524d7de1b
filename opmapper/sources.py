"""Reading inputs: bytes from files or stdin to text, with the reason when that is impossible.

Reports arrive as exported text (UTF-8 with or without BOM, UTF-16/UTF-32 with a BOM as "Unicode" saves
from Windows editors, or cp1252 from older Windows exports) or as saved portal pages (HTML). Everything that cannot become report text raises ``InputError`` naming
the file, so a batch can record it and carry on.
"""

from __future__ import annotations

import glob
import os
import sys
from dataclasses import dataclass

from .errors import InputError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
HTML_SUFFIXES = (".html", ".htm")
TEXT_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class SourceText:
    """Decoded text of one input and how it was decoded."""

    source: str
    text: str
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1252"
    is_html: bool = False


# Control characters that do not occur in exported report text (tab, line and page breaks, vertical tab and
# carriage return do), as byte values: bytes are judged byte by byte (as Latin-1 characters would be).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0e, 0x20), 0x7f])


def binary_evidence(data: bytes | str) -> str | None:
    """What makes this look like binary data rather than a report ("NUL characters", "37 control
    characters"), judged on its first 8 KiB (characters for text); None for text."""
    sample = data[:8192]
    size = len(sample)
    if isinstance(sample, str):
        # UTF-8 writes each of these control characters as the one byte of the same value and never uses
        # those bytes for other characters, so the count is the same; bytes.translate counts them several
        # times faster than a regex could (this runs on every report).
        sample = sample.encode("utf-8", "surrogatepass")
    if b"\x00" in sample:
        return "NUL characters"
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return f"{controls} control characters" if controls > max(8, size // 50) else None


def looks_binary(data: bytes | str) -> bool:
    """NUL bytes, or many control characters, mean this is not a text export."""
    return binary_evidence(data) is not None


# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
UNICODE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)


def decode_bytes(data: bytes, source: str = "<bytes>") -> tuple[str, str]:
    """Decode report bytes: a UTF-16/UTF-32 byte-order mark first (their NUL bytes would otherwise look
    binary), then UTF-8 (BOM stripped), then cp1252. Returns (text, encoding); raises InputError."""
    for bom, codec, name in UNICODE_BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(f"invalid {name.upper()} after a {name.upper()} byte-order mark "
                                 f"at byte {exc.start + len(bom)}", source) from None
            if not text.strip():
                raise InputError("file is empty", source)
            if looks_binary(text):
                raise InputError("file is binary, not a text report", source)
            return text, name
    if not data.strip():
        raise InputError("file is empty", source)
    if looks_binary(data):
        raise InputError("file is binary, not a text report", source)
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise InputError(f"invalid UTF-8 after a UTF-8 byte-order mark at byte {exc.start}", source) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise InputError(f"text is neither UTF-8 nor cp1252 (undecodable byte at {exc.start})", source) from None


def html_to_text(markup: str) -> str:
    """Visible text of a saved portal page, in reading order, one block per line.

    The ``<title>`` (shown in the browser tab, and often the only place a page names its resolution) is
    kept as the first line; the rest of ``<head>`` is not text.
    """
    from bs4 import BeautifulSoup  # imported here: only HTML inputs pay for it

    soup = BeautifulSoup(markup, "html.parser")
    title = " ".join(soup.title.get_text(" ").split()) if soup.title is not None else ""
    for tag in soup(["script", "style", "noscript", "template", "head", "title"]):
        tag.decompose()
    lines = [line.strip() for line in soup.get_text("\n").splitlines()]
    body = [line for line in lines if line]
    if title and (not body or body[0] != title):
        body.insert(0, title)
    return "\n".join(body)


def is_html(path: str, text: str) -> bool:
    if path.lower().endswith(HTML_SUFFIXES):
        return True
    head = text.lstrip()[:512].lower()
    return head.startswith("<!doctype html") or head.startswith("<html")


def read_bytes(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of one input (``-`` is stdin), at most ``max_bytes``. Raises InputError with the reason."""
    name = str(path)
    try:
        if name == "-":
            data = sys.stdin.buffer.read()
        else:
            # one open and one fstat: a batch reads thousands of files, and asking the file system about a
            # path before opening it (is it a folder? how large?) costs as much again as the read
            with open(name, "rb", buffering=0) as fh:
                size = os.fstat(fh.fileno()).st_size
                if size > max_bytes:
                    raise InputError(f"file is too large ({size} bytes; limit {max_bytes})", name)
                data = fh.read()
    except InputError:
        raise
    except FileNotFoundError:
        if glob.has_magic(name):  # a pattern the shell (or batch) could not expand
            raise InputError("no file matches this pattern", name) from None
        raise InputError("no such file", name) from None
    except IsADirectoryError:
        raise InputError("is a directory", name) from None
    except PermissionError:
        # Windows refuses to open a folder as a file with "permission denied"
        raise InputError("is a directory" if os.path.isdir(name) else "permission denied", name) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror or exc})", name) from None
    if len(data) > max_bytes:
        raise InputError(f"input is too large ({len(data)} bytes; limit {max_bytes})", name)
    return data


def source_text(name: str, data: bytes) -> SourceText:
    """The report text of an input's bytes (decoded; a saved page's visible text). Raises InputError."""
    text, encoding = decode_bytes(data, name)
    if is_html(name, text):
        text = html_to_text(text)
        if not text.strip():
            raise InputError("HTML page has no visible text", name)
        return SourceText(name, text, encoding, is_html=True)
    return SourceText(name, text, encoding)


def read_source(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> SourceText:
    """Read one input (``-`` is stdin) and return its report text. Raises InputError with the reason."""
    name = str(path)
    return source_text(name, read_bytes(name, max_bytes))

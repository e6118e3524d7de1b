"""Resolutions as data: the paragraph tree of a resolution's published text.

CONTRACT (owned by the resolution/tagger work; checks, batch and cli rely on these names).

    >>> res = parse_resolution(text)
    >>> res.code, [p.id for p in res.paragraphs][:3]
    ('WCC-2020-Res-040', ['PP1', 'PP2', 'PP3'])
    >>> "OP4.b" in res
    True

The text is read line by line. A paragraph opens at a marker (``1.``, ``1)``, ``(1)`` for operative
paragraphs; ``a.``, ``(a)``, ``a)`` for lettered sub-paragraphs; ``i.``, ``(ii)`` for roman
sub-sub-paragraphs) or, before the first operative paragraph, at a capitalised opening word such as
RECOGNISING. Lines without a marker continue the paragraph above them, so wrapped lines and missing blank
lines are both tolerated.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import regex

from ._records import Record
from .errors import InputError


@dataclass(frozen=True)
class Paragraph(Record):
    id: str                 # "PP1", "OP4", "OP4.b", "OP4.b.ii"
    kind: str               # "preambular" | "operative"
    parent: str | None      # "OP4" for "OP4.b"; None for top-level paragraphs
    text: str               # the paragraph's own text (without its children): source[start:end]
    start: int
    end: int


@dataclass(frozen=True)
class Resolution(Record):
    code: str | None        # "WCC-2020-Res-040"
    title: str
    paragraphs: tuple[Paragraph, ...]
    source: str | None = None

    @cached_property
    def _by_id(self) -> dict[str, Paragraph]:
        return {p.id: p for p in self.paragraphs}

    def __contains__(self, ref: object) -> bool:
        """``"OP4.b" in resolution``; also accepts a Reference (its ``id``)."""
        raw = getattr(ref, "id", ref)
        pid = canonical_id(raw) if isinstance(raw, str) else None
        return pid is not None and pid in self._by_id

    def __getitem__(self, pid: str) -> Paragraph:
        key = canonical_id(pid)
        if key is None or key not in self._by_id:
            raise KeyError(pid)
        return self._by_id[key]

    def get(self, pid: str, default: Paragraph | None = None) -> Paragraph | None:
        key = canonical_id(pid)
        return self._by_id.get(key, default) if key else default

    def unknown(self, refs) -> list:
        """The references (ids or Reference objects) naming paragraphs this resolution lacks."""
        return [ref for ref in refs if ref not in self]

    @property
    def operative(self) -> tuple[Paragraph, ...]:
        return tuple(p for p in self.paragraphs if p.kind == "operative")

    @property
    def preamble(self) -> tuple[Paragraph, ...]:
        return tuple(p for p in self.paragraphs if p.kind == "preambular")

    def children(self, pid: str) -> tuple[Paragraph, ...]:
        """The direct sub-paragraphs of ``pid`` in order."""
        key = canonical_id(pid)
        return tuple(p for p in self.paragraphs if p.parent == key)

    def ancestors(self, pid: str) -> tuple[str, ...]:
        """Ids of the paragraphs enclosing ``pid``, nearest first: OP4.b.ii -> (OP4.b, OP4)."""
        out: list[str] = []
        para = self.get(pid)
        while para is not None and para.parent is not None:
            out.append(para.parent)
            para = self._by_id.get(para.parent)
        return tuple(out)

    def full_text(self, pid: str) -> str:
        """A paragraph's own text followed by the text of all its sub-paragraphs."""
        key = canonical_id(pid)
        prefix = f"{key}."
        return "\n".join(p.text for p in self.paragraphs if p.id == key or p.id.startswith(prefix))


# --------------------------------------------------------------------------- ids
_ID = regex.compile(
    r"^\s*(?P<kind>OP|PP)\s*\.?\s*(?P<num>\d{1,3})"
    r"(?:\s*[.\s]?\s*\(?(?P<letter>[a-z])\)?(?![a-z]))?"
    r"(?:\s*[.\s]?\s*\(?(?P<roman>[ivx]{1,5})\)?)?\s*$",
    regex.IGNORECASE,
)


@lru_cache(maxsize=4096)  # the checks ask for the same few ids report after report
def canonical_id(pid: str) -> str | None:
    """``"op4b"``, ``"OP 4 (b)"``, ``"OP4.b.ii"`` -> ``"OP4.b"`` / ``"OP4.b.ii"``; None if not an id."""
    m = _ID.match(pid)
    if not m:
        return None
    out = f"{m['kind'].upper()}{int(m['num'])}"
    if m["letter"]:
        out += "." + m["letter"].lower()
        if m["roman"]:
            out += "." + m["roman"].lower()
    elif m["roman"]:
        return None
    return out


# --------------------------------------------------------------------------- parsing
@dataclass(frozen=True)
class ResolutionPatterns:
    """What the parser recognises, as data: pass your own to parse_resolution(text, patterns=...)."""

    code: str = r"\b(?:WCC|IUCN)[-\s_]*(?P<year>\d{4})[-\s_]*(?:Res|RES|Resolution)[-\s_.]*(?P<num>\d{1,3})(?:[-\s_]*[A-Z]{2})?\b"
    operative_marker: str = r"^[ \t]*(?:\((?P<n>\d{1,3})\)|(?P<n>\d{1,3})[.)])[ \t]+(?=\S)"
    letter_marker: str = r"^[ \t]*(?:\((?P<m>[a-z]{1,5})\)|(?P<m>[a-z]{1,5})[.)])[ \t]+(?=\S)"
    # The line that introduces the operative part; it belongs to neither part.
    congress_line: str = r"^[ \t]*The\s+(?:IUCN\s+)?World\s+Conservation\s+Congress\b"
    # A preamble paragraph opens with a capitalised word (RECOGNISING, AWARE, DEEPLY CONCERNED ...).
    preamble_opening: str = (
        r"^[ \t]*(?:(?:[A-Z]{2,}LY|ALSO|FURTHER|MOREOVER)\s+)?"
        r"(?:[A-Z]{2,}(?:ING|ED)|AWARE|MINDFUL|CONSCIOUS|COGNI[SZ]ANT)\b"
    )


DEFAULT_PATTERNS = ResolutionPatterns()

_ROMANS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv")


def normalise_code(text: str, patterns: ResolutionPatterns = DEFAULT_PATTERNS) -> str | None:
    """``"WCC-2020-Res-040-EN"``, ``"WCC 2020 Res 040"`` -> ``"WCC-2020-Res-040"``."""
    m = regex.search(patterns.code, text)
    if not m:
        return None
    return f"WCC-{m['year']}-Res-{int(m['num']):03d}"


class _Builder:
    """Accumulates paragraphs and their line spans while the parser walks the text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.items: list[dict] = []
        self.current: dict | None = None

    def open(self, pid: str, kind: str, parent: str | None, start: int, end: int) -> None:
        self.current = {"id": pid, "kind": kind, "parent": parent, "start": start, "end": end}
        self.items.append(self.current)

    def extend(self, end: int) -> None:
        if self.current is not None:
            self.current["end"] = end

    def close(self) -> None:
        self.current = None

    def paragraphs(self) -> tuple[Paragraph, ...]:
        out = []
        for it in self.items:
            start, end = it["start"], it["end"]
            while end > start and self.text[end - 1].isspace():
                end -= 1
            out.append(Paragraph(id=it["id"], kind=it["kind"], parent=it["parent"],
                                 text=self.text[start:end], start=start, end=end))
        return tuple(out)


def parse_resolution(text: str, source: str | None = None, *,
                     patterns: ResolutionPatterns = DEFAULT_PATTERNS) -> Resolution:
    """Parse a resolution's plain text into its code, title and paragraph tree.

    Raises InputError (naming ``source``) when the text has no operative paragraphs or repeats an id.
    """
    if not text or not text.strip():
        raise InputError("empty resolution text", source)
    op_re = regex.compile(patterns.operative_marker)
    sub_re = regex.compile(patterns.letter_marker)
    congress_re = regex.compile(patterns.congress_line, regex.IGNORECASE)
    pre_re = regex.compile(patterns.preamble_opening)

    lines = []  # (start, end-without-newline, content)
    pos = 0
    for raw in text.splitlines(keepends=True):
        content = raw.rstrip("\r\n")
        lines.append((pos, pos + len(content), content))
        pos += len(raw)

    # Heading: an optional code line and a title line before the first paragraph.
    code: str | None = None
    title = ""
    idx = 0
    heading: list[str] = []
    while idx < len(lines):
        content = lines[idx][2].strip()
        if not content:
            idx += 1
            if heading:
                break
            continue
        if op_re.match(lines[idx][2]) or pre_re.match(lines[idx][2]) or congress_re.match(lines[idx][2]):
            break
        if code is None and not heading and (found := normalise_code(content, patterns)):
            code = found
            idx += 1
            continue
        heading.append(content)
        idx += 1
    title = " ".join(heading)
    if code is None and source:
        code = normalise_code(Path(source).stem, patterns)

    b = _Builder(text)
    in_operative = False
    n_pre = 0
    op_num: int | None = None
    letter: str | None = None     # current lettered sub-paragraph of the current paragraph
    roman: str | None = None      # current roman sub-sub-paragraph
    prev_blank = True
    seen: dict[str, int] = {}

    def add(pid: str, kind: str, parent: str | None, start: int, end: int, line_start: int) -> None:
        if pid in seen:
            raise InputError(f"paragraph {pid} appears twice (line {_line_no(text, line_start)})", source)
        seen[pid] = start
        b.open(pid, kind, parent, start, end)

    for start, end, content in lines[idx:]:
        if not content.strip():
            prev_blank = True
            continue
        m_op = op_re.match(content)
        m_sub = sub_re.match(content)
        if congress_re.match(content):
            b.close()
            in_operative = True
            prev_blank = False
            continue
        if m_op:
            in_operative = True
            op_num = int(m_op["n"])
            letter = roman = None
            add(f"OP{op_num}", "operative", None, start + m_op.end(), end, start)
        elif m_sub and b.current is not None and _sub_kind(m_sub["m"], letter, roman):
            kind = _sub_kind(m_sub["m"], letter, roman)
            para_kind = "operative" if in_operative else "preambular"
            top = f"OP{op_num}" if in_operative else f"PP{n_pre}"
            if kind == "letter":
                letter, roman = m_sub["m"], None
                add(f"{top}.{letter}", para_kind, top, start + m_sub.end(), end, start)
            else:
                roman = m_sub["m"]
                parent = f"{top}.{letter}"
                add(f"{parent}.{roman}", para_kind, parent, start + m_sub.end(), end, start)
        elif not in_operative and (pre_re.match(content) or prev_blank or b.current is None):
            n_pre += 1
            letter = roman = None
            lead = len(content) - len(content.lstrip())
            add(f"PP{n_pre}", "preambular", None, start + lead, end, start)
        else:
            b.extend(end)  # a wrapped line continues the paragraph above
        prev_blank = False

    paragraphs = b.paragraphs()
    if not any(p.kind == "operative" for p in paragraphs):
        raise InputError("no operative paragraphs found (expected lines such as '1. REQUESTS ...')", source)
    return Resolution(code=code, title=title, paragraphs=paragraphs, source=source)


def _sub_kind(marker: str, letter: str | None, roman: str | None) -> str | None:
    """Is ``marker`` the next lettered sub-paragraph or the next roman one? (``i`` can be either.)"""
    next_letter = "a" if letter is None else chr(ord(letter) + 1)
    next_roman = None
    if letter is not None:
        next_roman = "i" if roman is None else _next_roman(roman)
    if marker == next_roman and marker != next_letter:
        return "roman"
    if len(marker) == 1 and marker == next_letter:
        return "letter"
    if marker == next_roman:
        return "roman"
    if len(marker) == 1 and letter is not None and marker > letter and marker not in _ROMANS:
        return "letter"  # a skipped letter: still a sub-paragraph, not a continuation line
    if letter is None and marker == "a":
        return "letter"
    return None


def _next_roman(roman: str) -> str | None:
    try:
        return _ROMANS[_ROMANS.index(roman) + 1]
    except (ValueError, IndexError):
        return None


def _line_no(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# --------------------------------------------------------------------------- folders
def default_resolutions_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "corpus" / "resolutions"


def load_resolutions(directory=None) -> dict[str, Resolution]:
    """All resolutions in a folder (default: the bundled corpus/resolutions), keyed by code.

    A file whose text carries no code is keyed by its file name when that looks like a code. Errors
    (unreadable file, no operative paragraphs, no code, two files with one code) name the file.
    """
    from .sources import read_source

    folder = Path(directory) if directory is not None else default_resolutions_dir()
    if not folder.is_dir():
        raise InputError("resolutions folder not found", str(folder))
    out: dict[str, Resolution] = {}
    for path in sorted(folder.glob("*.txt")):
        src = read_source(str(path))
        res = parse_resolution(src.text, source=str(path))
        if res.code is None:
            raise InputError("no resolution code in the text or the file name", str(path))
        if res.code in out:
            raise InputError(f"resolution {res.code} is also defined in {out[res.code].source}", str(path))
        out[res.code] = res
    if not out:
        raise InputError("no resolution files (*.txt) in folder", str(folder))
    return out

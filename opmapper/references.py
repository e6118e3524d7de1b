"""Explicit paragraph references (``[OP2; OP4.b]``, ``operative paragraph 3``) and resolution mentions.

Knows nothing of reports: text in, records with spans out.
CONTRACT (owned by the references work; other modules rely on these names and fields).

How it works, in small steps (in the spirit of eyecite):

1. Candidates: every reference starts with a paragraph number (1-99) right after a head word, so the
   scan looks for such numbers and, stepping back over the gap ("no. ", spaces), for a head word
   (``OP``, ``operative paragraphs``, ``PP``, ``paragraphe``...) ending there.
2. Chains: from that head one compiled pattern (built from a :class:`ReferencePatterns`, cached per
   pattern set) takes the whole chain: numbers, sub-paragraphs, list separators, range connectors,
   restated heads and a trailing qualifier (``of the Resolution``, ``du dispositif``).
3. Walk: the repeated named groups of that match (``regex`` keeps every capture with its span) are
   walked in order to expand lists and ranges into one :class:`Reference` per paragraph with its own
   span. Context the pattern cannot express cheaply is judged here: bare numbers after commas
   ("OP4, 12 staff"), paragraphs of other instruments ("Paragraph 66 (d) of the IUCN Regulations"),
   and bracketed tag lists that are cut off ("[OP2; OP4" at the end of a line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from operator import attrgetter
from typing import Any, Iterator, NamedTuple

import regex

from ._records import Record, record_maker


@dataclass(frozen=True)
class Reference(Record):
    """One paragraph reference. Lists and ranges give one Reference per paragraph."""

    id: str                      # canonical: "OP4", "OP4.b", "OP4.a.ii", "PP2"
    kind: str                    # "operative" | "preambular"
    paragraph: int
    subparagraph: tuple[str, ...]
    start: int
    end: int
    text: str                    # the matched text (text[start:end] of the input)
    complete: bool = True        # False when taken from a tag list that was cut off ("[OP2; OP4")

    def to_dict(self) -> dict[str, Any]:
        # Record.to_dict spelt out (hot in batch runs: every reference of every report)
        return {"id": self.id, "kind": self.kind, "paragraph": self.paragraph,
                "subparagraph": list(self.subparagraph), "start": self.start, "end": self.end,
                "text": self.text, "complete": self.complete}


# Reference(...) without the frozen dataclass's per-field object.__setattr__ (find_references makes one
# per paragraph of every reference of every report)
_new_reference = record_maker(Reference)


@dataclass(frozen=True)
class ResolutionMention(Record):
    code: str | None             # normalised "WCC-2020-Res-040" where the session is known, else None
    kind: str                    # "resolution" | "recommendation" | "motion"
    number: str                  # "040", "6.049", "4.108"
    start: int
    end: int
    text: str


# ResolutionMention(...) without the frozen dataclass's per-field object.__setattr__ (the parser asks for
# the mentions of every title and resolution line)
_new_mention = record_maker(ResolutionMention)


# --------------------------------------------------------------------------------------------------
# The pattern set, as data
# --------------------------------------------------------------------------------------------------

# Whitespace that never crosses a line: tag lists and prose references do not span lines in reports.
_S = r"[^\S\r\n]"


@dataclass(frozen=True)
class ReferencePatterns:
    """The pattern set, as data: pass your own to ``find_references(text, patterns=...)``.

    Every entry is a regular-expression fragment (``regex`` syntax, compiled case-insensitively; use
    ``(?-i:...)`` for case-sensitive pieces) without named groups. Build a variant with
    :meth:`extended` or :func:`dataclasses.replace`, e.g. to add a house convention such as ``§4b``::

        patterns = DEFAULT_PATTERNS.extended(operative_heads=[r"§"])

    - ``operative_heads`` / ``preambular_heads``: words that open a reference and fix its kind.
    - ``bare_heads``: words such as ``paragraph`` that open a reference whose kind is given by a
      trailing qualifier (operative when there is none) and that are dropped when they name a
      paragraph of another instrument (``Paragraph 66 (d) of the IUCN Regulations``).
    - ``qualified_heads``: bare heads that open a reference only together with a trailing qualifier:
      ``para 5 of the Resolution`` is ours, while a lone ``para 20`` is too often Spanish "for 20".
    - ``operative_qualifiers`` / ``preambular_qualifiers``: trailing phrases that belong to the
      reference (``of the Resolution``, ``du dispositif``, ``del preámbulo``).
    - ``this_instrument``: what may follow ``of`` and still mean the resolution being reported on.
    - ``other_instrument``: what, right after a reference, makes it a paragraph of something else.
    - ``other_instrument_before``: what, right before a bare reference, does the same (``Article 3,``).
    - ``extra``: further operative heads (kept for compatibility with the first contract).
    """

    operative_heads: tuple[str, ...] = (
        r"(?-i:OPs|OP|Ops|Op|ops|op)",
        r"operati(?:ve|onal)" + _S + r"+(?:sub-?" + _S + r"?)?(?:paragraphs?|paras?\.?|clauses?)",
        r"(?:paragraphes?|alin[ée]as?)" + _S + r"+(?:op[ée]rationnels?|op[ée]ratifs?|du" + _S + r"+dispositif)",
        r"p[áa]rrafos?" + _S + r"+(?:dispositivos?|operativos?|resolutivos?)",
    )
    preambular_heads: tuple[str, ...] = (
        r"(?-i:PPs|PP)",
        r"pre(?:ambular|amble)" + _S + r"+(?:paragraphs?|paras?\.?|clauses?)",
        r"(?:paragraphes?|alin[ée]as?)" + _S + r"+(?:du" + _S + r"+)?pr[ée]ambul(?:e|aires?)",
        r"p[áa]rrafos?" + _S + r"+(?:preambular(?:es)?|del" + _S + r"+pre[áa]mbulo)",
    )
    bare_heads: tuple[str, ...] = (
        r"(?:sub-?" + _S + r"?)?paragraphs?",
        r"paras\.?|para\.",   # not bare "para": Spanish "para 20 comunidades" means "for 20"
        r"paragraphes?",
        r"alin[ée]as?",
        r"p[áa]rrafos?",
    )
    qualified_heads: tuple[str, ...] = (
        r"para",
    )
    operative_qualifiers: tuple[str, ...] = (
        r"of" + _S + r"+the" + _S + r"+operative" + _S + r"+part",
        r"du" + _S + r"+dispositif",
        r"de" + _S + r"+la" + _S + r"+parte" + _S + r"+dispositiva",
        r"(?:of|in)" + _S + r"+(?:the|this|that)" + _S + r"+(?:IUCN" + _S + r"+)?(?:resolution|motion)\b",
        r"de" + _S + r"+(?:la|cette)" + _S + r"+(?:r[ée]solution|resoluci[óo]n|motion|moci[óo]n)\b",
    )
    preambular_qualifiers: tuple[str, ...] = (
        r"of" + _S + r"+the" + _S + r"+preamble",
        r"du" + _S + r"+pr[ée]ambule",
        r"del" + _S + r"+pre[áa]mbulo",
    )
    this_instrument: tuple[str, ...] = (
        r"(?:(?:the|this|that|said|present|our)" + _S + r"+)?(?:(?:IUCN|WCC|Congress)" + _S + r"+)?"
        r"(?:resolution|motion|recommendation|r[ée]solution|resoluci[óo]n|(?:adopted" + _S + r"+)?text)\b",
        r"(?-i:WCC|Res)\b",
    )
    # Not "above"/"below": report fields carry no paragraph numbers of their own, so "as in para. 5
    # above" points back at the resolution paragraph the report has been discussing.
    other_instrument: tuple[str, ...] = (
        r"(?:of|de|du|des|del)\b",
    )
    other_instrument_before: tuple[str, ...] = (
        r"(?:article|art\.|rule|regulation|annex|section|decision|chapter|principle|clause|target|goal|"
        r"artículo|règle|regla)" + _S + r"*[\w./-]+" + _S + r"*,?" + _S + r"*",
    )
    extra: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        # Accept lists (and a lone string) but store tuples: pattern sets are hashed to cache compiling.
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, f.name, tuple(value))

    def extended(self, **more: list[str] | tuple[str, ...]) -> ReferencePatterns:
        """A copy with the given fragments appended to the fields of the same names."""
        updates = {}
        for name, fragments in more.items():
            if not hasattr(self, name):
                raise TypeError(f"ReferencePatterns has no field {name!r}")
            updates[name] = tuple(getattr(self, name)) + tuple(fragments)
        return replace(self, **updates)


DEFAULT_PATTERNS = ReferencePatterns()

# Paragraph numbers run 1..99; a following digit, decimal point, slash, colon or ordinal suffix means
# it is a section, version, date or ordinal, not a paragraph ("Section 4.2", "12/05", "2nd").
_NUM = (r"(?P<num>[1-9][0-9]?)"
        r"(?![0-9]|[.,/:][0-9]|(?:st|nd|rd|th)\b|[-–/][0-9]{3}|[-–/][0-9]{1,2}[-–/.][0-9])")
_SUBTOK = r"(?:[ivx]{1,4}|[a-z])"
# One sub-paragraph level: "4.b", "4b", "4 (b)", "4(a)(ii)", "OP 1 b;" and ", sub-paragraph (d)".
_SUB = (
    r"(?:\.(?P<sub>" + _SUBTOK + r")(?![\p{L}\p{N}])"
    r"|(?<=[0-9])(?P<sub>[a-z])(?![\p{L}\p{N}])"
    r"|" + _S + r"?\((?P<sub>" + _SUBTOK + r")"
    # letters listed or ranged inside one parenthesis: "4 (a, b and d)", "4(a-c)"
    r"(?:(?:(?P<ssep>" + _S + r"{0,3}[,;&]" + _S + r"{0,3}(?:and" + _S + r"{1,3})?|" + _S + r"{1,3}(?:and|or)" + _S
    + r"{1,3})|(?P<srng>" + _S + r"?[-–]" + _S + r"?))(?P<subc>(?P<sub>" + _SUBTOK + r")))*\)"
    r"|" + _S + r"(?P<sub>[a-z])(?=" + _S + r"*(?:[;,)\]\r]|$))"
    r"|,?" + _S + r"+sub-?" + _S + r"?paragraphs?" + _S + r"+\(?(?P<sub>" + _SUBTOK + r")\)?(?![\p{L}\p{N}])"
    r")"
)
_SUBS = r"(?:" + _SUB + r"){0,3}"
_LISTSEP = (
    r"(?P<sep>" + _S + r"{0,3}[,;/&]" + _S + r"{0,3}(?:(?:and|et|y)" + _S + r"{1,3})?"
    r"|" + _S + r"{1,3}(?:and|or|et|y|ou|as" + _S + r"+well" + _S + r"+as)" + _S + r"{1,3})"
)
_NUMRANGE = (
    r"(?P<rng>" + _S + r"?[-–—]" + _S + r"?"
    r"|" + _S + r"{1,3}(?:to|through|thru|until|à|a|al)" + _S + r"{1,3})"
)
# Letter ranges: "OP1.a-c" (unspaced) or "(a) to (c)".
_SUBRANGE = (
    r"(?:(?P<srng>[-–])(?P<subc>(?P<sub>[a-z]))(?![\p{L}\p{N}])"
    r"|(?P<srng>" + _S + r"?[-–—]" + _S + r"?|" + _S + r"+(?:to|through|à|a|al)" + _S + r"+)"
    r"(?P<subc>\((?P<sub>" + _SUBTOK + r")\)))"
)


# Every continuation below starts with a list or range character or a space (_S): this lookahead ends a
# chain with one character test where the four alternatives would each be tried (~17% of a chain match).
_CONTINUATION_SCREEN = r"(?=[,;/&\-–—]|" + _S + r")"


def _alt(fragments: tuple[str, ...]) -> str:
    return "|".join(f"(?:{f})" for f in fragments) or r"(?!)"


class _Compiled(NamedTuple):
    chain: regex.Pattern
    # The chain's group numbers by name: ``regex`` looks a group up by number several times faster
    # than by name, and the walk reads a dozen groups of every chain.
    group: dict[str, int]
    event_groups: tuple[int, ...]   # numbers of the _EVENT_NAMES groups, in that order
    single_groups: tuple[int, int, int]   # numbers of "num", "subc", "sub": what _single reads
    head_groups: tuple[int, int, int]     # numbers of "hop", "hpp", "hqual"
    bare_head_groups: tuple[int, int]     # numbers of "hbare", "hqual"
    qualifier_groups: tuple[int, int]     # numbers of "qop", "qpp"
    head_before: regex.Pattern   # reverse: .match(text, pos, end) finds a head word ending at end
    head_tails: dict             # two-character strings -> whether a head word can end with them
    short_heads: frozenset       # two-character strings that, as a head's end, are the whole head
    bracketed_short_heads: frozenset   # "[" and a short head: "[OP"
    this_after: regex.Pattern
    other_after: regex.Pattern
    other_before: regex.Pattern


def _check_fragments(patterns: ReferencePatterns) -> None:
    """Name the faulty fragment instead of failing deep inside one huge pattern."""
    for f in fields(patterns):
        for fragment in getattr(patterns, f.name):
            try:
                compiled = regex.compile(fragment, regex.IGNORECASE | regex.V0)
            except regex.error as exc:
                raise ValueError(f"ReferencePatterns.{f.name}: invalid pattern {fragment!r}: {exc}") from None
            if compiled.groupindex:
                raise ValueError(f"ReferencePatterns.{f.name}: pattern {fragment!r} must not use named groups")


# The heads of the default pattern set that are two characters ("OP", "Op", "op" and "PP", case-sensitive)
# and the only heads that can end with those two characters (every other head ends in another letter,
# "s", "." or "e"): where a number follows them, the head starts right there unless a letter, digit or
# "_" comes before it. Another pattern set may add heads that end so: it keeps the reverse match.
_SHORT_HEADS = frozenset({"OP", "Op", "op", "PP"})


@lru_cache(maxsize=32)
def _compile(patterns: ReferencePatterns) -> _Compiled:
    _check_fragments(patterns)
    heads = (
        r"(?:(?P<hop>" + _alt(tuple(patterns.operative_heads) + tuple(patterns.extra)) + r")"
        r"|(?P<hpp>" + _alt(tuple(patterns.preambular_heads)) + r")"
        r"|(?P<hbare>" + _alt(tuple(patterns.bare_heads)) + r")"
        r"|(?P<hqual>" + _alt(tuple(patterns.qualified_heads)) + r"))"
    )
    # "no." / "n°" / "#" between head and number: "operative paragraph no. 3".
    head = r"(?P<head>" + heads + r")[.\-]?" + _S + r"{0,2}(?:(?:no\.?|n[°º]|#)" + _S + r"{0,2})?"
    item = _NUM + _SUBS
    continuation = (
        _CONTINUATION_SCREEN + r"(?:" + _NUMRANGE + r"(?:" + head + r")?" + item
        + r"|" + _LISTSEP + r"(?:" + head + r")?" + item
        + r"|" + _SUBRANGE
        + r"|" + _LISTSEP.replace("?P<sep>", "?P<ssep>") + r"(?P<subc>\((?P<sub>" + _SUBTOK + r")\))"
        + r")"
    )
    qualifier = (
        r"(?:" + _S + r"{1,3}(?:(?P<qop>" + _alt(patterns.operative_qualifiers) + r")"
        r"|(?P<qpp>" + _alt(patterns.preambular_qualifiers) + r")))?"
    )
    chain = (
        r"(?<![\p{L}\p{N}_])" + head + item + r"(?:" + continuation + r")*" + qualifier
    )
    flags = regex.IGNORECASE | regex.MULTILINE | regex.V0
    chain_pattern = regex.compile(chain, flags)
    group = dict(chain_pattern.groupindex)
    short_heads = _SHORT_HEADS if patterns == DEFAULT_PATTERNS else frozenset()
    this_after = r",?" + _S + r"{1,3}(?:of|de|du|del|in)" + _S + r"+(?:" + _alt(patterns.this_instrument) + r")"
    other_after = r",?" + _S + r"{1,3}(?:" + _alt(patterns.other_instrument) + r")"
    other_before = r"(?:" + _alt(patterns.other_instrument_before) + r")\Z"
    return _Compiled(
        chain_pattern,
        group,
        tuple(group[name] for name in _EVENT_NAMES),
        (group["num"], group["subc"], group["sub"]),
        (group["hop"], group["hpp"], group["hqual"]),
        (group["hbare"], group["hqual"]),
        (group["qop"], group["qpp"]),
        regex.compile(r"(?<![\p{L}\p{N}_])" + heads.replace("?P<", "?P<b"), flags | regex.REVERSE),
        {},
        short_heads,
        frozenset("[" + head for head in short_heads),
        regex.compile(this_after, flags),
        regex.compile(other_after, flags),
        regex.compile(other_before, flags),
    )


# --------------------------------------------------------------------------------------------------
# Walking one chain match
# --------------------------------------------------------------------------------------------------

_ROMANS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
_MAX_RANGE = 30  # a "range" longer than this is a misreading, not a reference


def _sub_range(lo: str, hi: str) -> list[str] | None:
    """The sub-paragraph labels from lo to hi inclusive, or None when that is not a range."""
    if lo in _ROMANS and hi in _ROMANS and (len(lo) > 1 or len(hi) > 1):
        a, b = _ROMANS.index(lo), _ROMANS.index(hi)
        return list(_ROMANS[a:b + 1]) if a < b else None
    if len(lo) == 1 and len(hi) == 1 and lo < hi and ord(hi) - ord(lo) <= _MAX_RANGE:
        return [chr(c) for c in range(ord(lo), ord(hi) + 1)]
    return None


# An atom is one paragraph of a chain, (kind, paragraph, subs, start, end), and a chain the accepted span
# with its atoms, (start, end, atoms): plain tuples, read by position or unpacked. The walk makes one or
# more of each for every reference of every report, and a NamedTuple costs more to make and to read.
#   kind: "operative" | "preambular" | "bare" | "qualified" (both decided by the qualifier)
#   atoms: lists and ranges expanded; start, end of a chain: its span, qualifier included
_Atom = tuple[str, int, tuple[str, ...], int, int]
_Chain = tuple[int, int, list]
_ATOM_KIND, _ATOM_PARAGRAPH, _ATOM_SUBS, _ATOM_START, _ATOM_END = range(5)


class _Stop(Exception):
    """A continuation that does not belong to the chain: the chain ends before it."""


_EVENT_NAMES = ("hop", "hpp", "hbare", "hqual", "rng", "sep", "ssep", "srng", "num", "sub")
# The walk dispatches on an event's position in _EVENT_NAMES: heads, then connectors, then "num", "sub".
_HEAD_KIND_BY_ORDER = ("operative", "preambular", "bare", "qualified")
_CONNECTOR_BY_ORDER = {4: "rng", 5: "sep", 6: "ssep", 7: "srng"}
_NUM_ORDER, _SUB_ORDER = _EVENT_NAMES.index("num"), _EVENT_NAMES.index("sub")
_PLURAL_HEAD = regex.compile(r"s\b", regex.IGNORECASE)
_AND_SEP = regex.compile(r"\b(?:and|or|et|y|ou)\b|&", regex.IGNORECASE)
_SPACED_DASH = regex.compile(r"\s[-–—]|[-–—]\s")


def _is_plural_head(head: str) -> bool:
    """``_PLURAL_HEAD.search(head)``: most heads ("OP", "operative paragraph") are ASCII without an "s",
    and then the regex cannot match ("ſ", the long s, matches "s" case-insensitively but is not ASCII)."""
    if head.isascii() and "s" not in head and "S" not in head:
        return False
    return _PLURAL_HEAD.search(head) is not None


def _is_and_connector(connector: str) -> bool:
    """``_AND_SEP.search(connector)``: most connectors (", ", "; ", "-") are ASCII without a letter or "&",
    and then the regex cannot match."""
    if connector.isascii() and "&" not in connector and connector.lower() == connector.upper():
        return False
    return _AND_SEP.search(connector) is not None


def _events(m: regex.Match, compiled: _Compiled) -> list[tuple[int, int, int]]:
    """(start, order, end) of every capture the walk cares about, in text order; ``order`` is the
    capture's position in _EVENT_NAMES."""
    # One spans() call for all the groups; a comprehension over them costs less than half of zipping
    # each group's starts and ends with its order by C iterators (a zip and a repeat made per group).
    events = [(s, order, e) for order, spans in enumerate(m.spans(*compiled.event_groups)) for s, e in spans]
    events.sort()
    return events


def _single(text: str, m: regex.Match, compiled: _Compiled) -> _Atom | None:
    """The atom of a one-item chain ("OP4.b", "operative paragraph 3"), or None if it has more."""
    nums, continued, subs = m.spans(*compiled.single_groups)
    if len(nums) != 1 or continued:
        return None
    (s, e), = nums
    hop, hpp, hqual = m.group(*compiled.head_groups)
    kind = "operative" if hop else "preambular" if hpp else "qualified" if hqual else "bare"
    paragraph = int(text[s:e])
    if subs:
        e = _sub_end(text, *subs[-1])
        labels = tuple([text[a:b].lower() for a, b in subs])
    else:
        labels = ()
    return kind, paragraph, labels, m.start(), e


def _walk(text: str, m: regex.Match, compiled: _Compiled) -> _Chain | None:
    """Turn one chain match into expanded atoms, dropping what fails the context checks."""
    atom = _single(text, m, compiled)
    if atom is not None:
        return _walk_single(text, m, compiled, atom)
    atoms, stopped = _walk_items(text, m, compiled)
    if not atoms:
        return None
    if len(atoms) == 1:
        return _walk_single(text, m, compiled, atoms[0], stopped)
    bare, qualified = m.group(*compiled.bare_head_groups)
    return _walk_atoms(text, m, compiled, atoms, stopped, bare is not None or qualified is not None)


def _walk_atoms(text: str, m: regex.Match, compiled: _Compiled, atoms: list[_Atom], stopped: bool,
                bare_heads: bool = True) -> _Chain | None:
    """The context checks on the atoms of one chain match; ``stopped`` when the walk cut the chain short.
    ``bare_heads`` may be False when the match has no bare or qualified head: then no atom has a kind to
    decide, and the steps for them are skipped (most lists restate "OP" or "PP": "[OP2.a; OP4]")."""
    qualifier_kind = None
    # The chain ends where the match does (closing ")" of "4 (a, b)" included) unless it was cut short.
    if stopped:
        end = max(a[_ATOM_END] for a in atoms)
        qop = qpp = None
    else:
        end = m.end()
        qop, qpp = m.group(*compiled.qualifier_groups)
    if qop or qpp:
        qualifier_kind = "operative" if qop else "preambular"
        if len(atoms) == 1:      # a single item owns its qualifier: "paragraphe 5 du dispositif"
            kind, paragraph, subs, start, _end = atoms[0]
            atoms[0] = (kind, paragraph, subs, start, end)
    elif bare_heads:
        # "para 20 comunidades": a qualified head without its qualifier is not a reference
        atoms = [a for a in atoms if a[_ATOM_KIND] != "qualified"]
        if not atoms:
            return None
    start = atoms[0][_ATOM_START]
    if qualifier_kind is None:
        if _names_other_instrument_after(text, end, compiled):
            return None
        if bare_heads and atoms[0][_ATOM_KIND] == "bare" and _names_other_instrument_before(text, start, compiled):
            # "Article 3, paragraph 2 and OP4": the bare paragraphs are the Article's, OP4 is ours.
            atoms = [a for a in atoms if a[_ATOM_KIND] != "bare"]
            if not atoms:
                return None
            start = atoms[0][_ATOM_START]
    if bare_heads and any(a[_ATOM_KIND] in ("bare", "qualified") for a in atoms):
        bare_kind = qualifier_kind or "operative"
        atoms = [(bare_kind, *a[_ATOM_PARAGRAPH:]) if a[_ATOM_KIND] in ("bare", "qualified") else a for a in atoms]
    return start, end, atoms


def _walk_single(text: str, m: regex.Match, compiled: _Compiled, atom: _Atom, stopped: bool = False) -> _Chain | None:
    """``_walk_atoms(text, m, compiled, [atom], stopped)`` for a chain of one atom, the usual case: the
    same checks without the list filtering and copying (tests/test_parse_fast_paths.py compares them)."""
    kind, paragraph, subs, start, atom_end = atom
    if stopped:
        end = atom_end
        qop = qpp = None
    else:
        end = m.end()
        qop, qpp = m.group(*compiled.qualifier_groups)
    if qop or qpp:
        # a single item owns its qualifier: "paragraphe 5 du dispositif"
        if kind == "bare" or kind == "qualified":
            kind = "operative" if qop else "preambular"
        atom_end = end
    else:
        # "para 20 comunidades": a qualified head without its qualifier is not a reference
        if kind == "qualified" or _names_other_instrument_after(text, end, compiled):
            return None
        if kind == "bare":
            if _names_other_instrument_before(text, start, compiled):
                return None    # "Article 3, paragraph 2": the Article's paragraph
            kind = "operative"
    if kind != atom[_ATOM_KIND] or atom_end != atom[_ATOM_END]:
        atom = (kind, paragraph, subs, start, atom_end)
    return start, end, [atom]


def _last_and_connector(text: str, m: regex.Match, compiled: _Compiled) -> int:
    """Where the last "and"/"or"/"&" list connector of the chain starts, or -1."""
    return max((s for s, e in m.spans(compiled.group["sep"]) if _is_and_connector(text[s:e])), default=-1)


def _walk_items(text: str, m: regex.Match, compiled: _Compiled) -> tuple[list[_Atom], bool]:
    """Atoms of a chain with lists, ranges or continued sub-paragraphs; True if it was cut short."""
    # Whether the chain fills a bracket, where its last "and" connector is and whether its head is plural
    # are asked only of a bare number after a list or range connector ("OP 2, 3 and 4", "OP4, 12 staff"):
    # found when first needed, as most lists restate their heads ("[OP2.a; OP4]").
    bracketed: bool | None = None
    last_and: int | None = None
    atoms: list[_Atom] = []
    cur = -1             # index of the atom that receives sub-paragraph labels
    kind = "operative"
    head_start: int | None = None
    head_span = (0, 0)   # of the last head
    heads_seen = 0
    pending: str | None = None
    pending_span = (0, 0)
    # Each continued sub-paragraph "(c)" or "c" holds one label: its span, keyed by the label's start.
    continued = {cs + 1 if text[cs] == "(" else cs: (cs, ce) for cs, ce in m.spans(compiled.group["subc"])}
    stopped = False
    try:
        for s, order, e in _events(m, compiled):
            if order < 4:    # a head
                kind = _HEAD_KIND_BY_ORDER[order]
                head_start = s
                head_span = (s, e)
                heads_seen += 1
            elif order < _NUM_ORDER:    # a connector
                pending, pending_span = _CONNECTOR_BY_ORDER[order], (s, e)
            elif order == _NUM_ORDER:
                # "OP4, 12 staff" and "OP4 - 5 workshops" are not lists: a bare number after a comma
                # or a spaced dash continues the chain only after a plural head, inside a bracket
                # that the chain fills, or when an "and" closes the list later ("OP 2, 3 and 4");
                # and once items restate their heads ("OP4, OP5 and 12 other actions") all must.
                if head_start is None:
                    if heads_seen > 1:
                        raise _Stop
                    if pending == "sep":
                        if last_and is None:
                            last_and = _last_and_connector(text, m, compiled)
                        doubtful = last_and < s and not _is_and_connector(text[pending_span[0]:pending_span[1]])
                    else:
                        doubtful = (pending == "rng"
                                    and _SPACED_DASH.search(text[pending_span[0]:pending_span[1]]) is not None)
                    if doubtful and not _is_plural_head(text[head_span[0]:head_span[1]]):
                        if bracketed is None:
                            bracketed = _closed_bracket_around(text, m)
                        if not bracketed:
                            raise _Stop
                number = int(text[s:e])
                if pending == "rng":
                    _kind, lo, subs, lo_start, _end = atoms[-1]
                    if subs or not lo < number <= lo + _MAX_RANGE:
                        raise _Stop
                    atoms.extend((kind, p, (), lo_start, e) for p in range(lo + 1, number))
                atoms.append((kind, number, (), s if head_start is None else head_start, e))
                cur = len(atoms) - 1
                head_start, pending = None, None
            else:    # a sub-paragraph label
                label = text[s:e].lower()
                span = continued.get(s)
                if span is None:
                    a_kind, paragraph, subs, start, _end = atoms[cur]
                    atoms[cur] = (a_kind, paragraph, subs + (label,), start, _sub_end(text, s, e))
                    continue
                # A sub-paragraph continuing the previous item: "OP1(a) and (c)", "OP1.a-c".
                b_kind, paragraph, subs, b_start, _end = atoms[-1]
                if not subs:
                    raise _Stop
                new = (b_kind, paragraph, subs[:-1] + (label,), span[0], span[1])
                if pending == "srng":
                    labels = _sub_range(subs[-1], label)
                    if labels is None:
                        raise _Stop
                    atoms.extend((b_kind, paragraph, subs[:-1] + (lab,), b_start, span[1]) for lab in labels[1:-1])
                atoms.append(new)
                cur = len(atoms) - 1
                pending = None
    except _Stop:
        stopped = True
    return atoms, stopped


def _sub_end(text: str, s: int, e: int) -> int:
    """End of a sub-paragraph label, past its closing parenthesis when it is written "(b)"."""
    return e + 1 if s > 0 and text[s - 1] == "(" and e < len(text) and text[e] == ")" else e


def _names_other_instrument_after(text: str, end: int, compiled: _Compiled) -> bool:
    """True for "paragraph 5 of Decision 14/8" or "paragraph 2 above", not "paragraph 3 of this Resolution"."""
    # Both patterns start with ",?" and a space (_S): most chains end before anything else ("OP4.",
    # "OP4;", a line end), and then neither can match; else other_after, the rarer match, goes first.
    if end >= len(text) or (text[end] != "," and text[end] not in _GAP):
        return False
    return compiled.other_after.match(text, end) is not None and compiled.this_after.match(text, end) is None


def _names_other_instrument_before(text: str, start: int, compiled: _Compiled) -> bool:
    """True for "Article 3, paragraph 2" or "Decision 14/8, paragraph 5"."""
    return compiled.other_before.search(text, max(0, start - 60), start) is not None


# --------------------------------------------------------------------------------------------------
# Brackets: "[OP2; OP4.b]", "(OP 1 b; OP 2)", cut-off "[OP2; OP4"
# --------------------------------------------------------------------------------------------------

_OPENERS = {"[": "]", "(": ")"}


def _opening_bracket(text: str, start: int) -> int | None:
    """Offset of the "[" or "(" that opens a tag list right before ``start``, if any."""
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i if i >= 0 and text[i] in _OPENERS else None


def _closed_bracket_around(text: str, m: regex.Match) -> bool:
    """True when the chain fills a bracket: "[OP2, 4]", "(OPs 2; 3)", or a cut-off "[OP2, 4"."""
    opener = _opening_bracket(text, m.start())
    if opener is None:
        return False
    j, n = m.end(), len(text)
    while j < n and text[j] in " \t;,":
        j += 1
    return j == n or text[j] == _OPENERS[text[opener]] or (text[opener] == "[" and text[j] in "\r\n")


def _bracket_group(text: str, start: int, end: int) -> tuple[int, int, bool]:
    """(start, end, complete) of the chain at ``start``-``end`` together with the brackets around it."""
    opener = _opening_bracket(text, start)
    if opener is None:
        return start, end, True
    closer = _OPENERS[text[opener]]
    j = end
    n = len(text)
    while j < n and text[j] in " \t;,":
        j += 1
    if j < n and text[j] == closer:
        return opener, j + 1, True
    line_end = text.find("\n", j)
    line_end = n if line_end < 0 else line_end
    if text[opener] == "[" and text.find("]", j, line_end) < 0:
        return opener, j, False    # cut off: "[OP2; OP4" at the end of a line or of the text
    return start, end, True


# Every reference starts with a paragraph number right after its head, and ``regex`` finds digits
# far faster than it tries a case-insensitive alternation of heads at every position. So: find the
# numbers that could be paragraph numbers, step back over the gap ("no. ", spaces, "."), and only
# where a head word ends there run the full chain pattern from that head. The look-back is a reverse
# match anchored at one position, first screened by the two characters a head can end with (learnt
# per pattern set with partial matching and remembered). Whatever heads a pattern set adds, this keeps
# find_references well above 5 MB/s on report text.
#
# The probe finds what ``regex.compile(r"(?<![0-9,/:])[1-9][0-9]?(?![0-9]|[.,/:][0-9])").finditer(text)``
# finds, in a copy of the text where the digits 2-9 are written "1" (_number_probes): its pattern then
# opens with one literal character, which ``re`` looks for with a plain comparison per character,
# where a character class costs a function call per character (~40 instructions, most of the probe's
# cost). The copy is bytes: the ASCII encoding with "replace" turns each other character into one "?"
# (never a digit, as ``[0-9]`` means ASCII digits only), so offsets into it are offsets into the text.
_NUMBER_PROBE = re.compile(rb"1(?<![01,/:]1)[01]?(?![01]|[.,/:][01])")
_DIGITS_AS_ONE = bytes.maketrans(b"23456789", b"11111111")


def _number_probes(text: str) -> Iterator[re.Match]:
    """The numbers of ``text`` that could be paragraph numbers (see _NUMBER_PROBE), as matches whose
    spans are spans of ``text``."""
    return _NUMBER_PROBE.finditer(text.encode("ascii", "replace").translate(_DIGITS_AS_ONE))
_NUMBER_SIGN = regex.compile(r"(?:no\.?|n[°º]|#)", regex.IGNORECASE | regex.REVERSE)
_HEAD_WINDOW = 80    # longest head we look back for ("paragraphes du préambule")
# The characters _S matches (spaces, tabs, no-break and narrow no-break spaces...), for Python-side checks.
_GAP = frozenset(regex.findall(_S, "".join(map(chr, range(0x3001)))))  # one scan: ~2 ms, not ~40


def _skip_gap(text: str, i: int) -> int:
    """Step back over at most two spaces before offset i."""
    for _ in range(2):
        if i > 0 and text[i - 1] in _GAP:
            i -= 1
    return i


def _head_ends(text: str, i: int) -> list[int]:
    """Where a head word may end for a number at ``i`` (after the gap before it is skipped): "OP 4",
    "OP.4", "paragraph no. 4"."""
    ends = [i]
    if i > 0 and text[i - 1] in ".oO#°º":
        sign = _NUMBER_SIGN.match(text, max(0, i - 3), i)
        if sign is not None:
            ends.append(_skip_gap(text, sign.start()))
    for e in list(ends):
        if e > 0 and text[e - 1] in ".-":     # "OP.4", "OP-4", and heads that end in "." ("para.")
            ends.append(e - 1)
    return ends


def _find_head(text: str, i: int, floor: int, compiled: _Compiled) -> int | None:
    """Start of the head whose number starts at ``i`` (after the gap before it is skipped), or None."""
    tails = compiled.head_tails
    # "OP 4", the usual case, has one place for the head to end; only ".", "-" and number signs add more.
    for e in _head_ends(text, i) if text[i - 1] in ".-oO#°º" else (i,):
        if e <= floor:
            continue
        tail = text[max(floor, e - 2):e]
        if tail in compiled.short_heads:
            # "[OP4": the head is the tail, unless it ends a word (the reverse match's look-behind), which
            # an ASCII character before it tells as \p{L}, \p{N} or "_" would, without the regex
            before = text[e - 3] if e >= 3 else " "
            if before.isascii():
                if before.isalnum() or before == "_":
                    continue
                return e - 2
        ok = tails.get(tail)
        if ok is None:
            ok = tails[tail] = compiled.head_before.match(tail, partial=True) is not None
        if not ok:
            continue
        head = compiled.head_before.match(text, max(floor, e - _HEAD_WINDOW), e)
        if head is not None:
            return head.start()
    return None


_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")


_ROMAN_LETTERS = frozenset("ivxIVX")


def _dotted_subs(text: str, at: int) -> tuple[int, tuple[str, ...]] | None:
    """End and labels of the dotted sub-paragraphs from ``at`` (".c.i", ".ii"), at most three, as the chain
    pattern reads them: each the ASCII letters after a "." that are one letter or up to four of i, v and
    x; None when the letters after a "." are neither (the pattern reads those otherwise)."""
    subs: tuple[str, ...] = ()
    while text[at:at + 1] == "." and len(subs) < 3:
        end = at + 1
        while text[end:end + 1] in _ASCII_LETTERS:
            end += 1
        label = text[at + 1:end]
        if not (len(label) == 1 or 1 < len(label) <= 4 and _ROMAN_LETTERS.issuperset(label)):
            return None
        subs += (label.lower(),)
        at = end
    return at, subs


def _closed_tag(text: str, head_start: int, number_start: int, number_end: int,
                short_heads: frozenset) -> _Chain | None:
    """The chain of a tag list closed by "]" whose items are a head of ``short_heads`` right before a
    number, maybe with dotted sub-paragraphs (_dotted_subs), and are parted by "; " ("[OP4]", "[PP2.b]",
    "[OP2.a; OP4]": most tags). There the chain pattern takes just that (no sub-paragraph, range or
    qualifier starts with "]" or ";", the numbers' look-ahead passes, each item restates its head), and
    the walk keeps every item as one atom (nothing follows to name another instrument): what they would
    make, or None for any other shape. ``head_start`` is the first head (where _find_head finds it:
    after "[", say); ``number_start``, ``number_end`` its number's span found by the number probe."""
    atoms = []
    while True:
        after = text[number_end:number_end + 3]
        closer = after[:1]
        if closer == "]" or closer == ";":
            end, subs = number_end, ()
        elif len(after) == 3 and closer == "." and after[1] in _ASCII_LETTERS and after[2] in "];":
            # "OP4.b", the usual sub-paragraph: what _dotted_subs reads, without its loops
            end, subs, closer = number_end + 2, (after[1].lower(),), after[2]
        elif closer == ".":   # "OP1.c.i", "OP2.ii"
            dotted = _dotted_subs(text, number_end)
            if dotted is None:
                return None
            end, subs = dotted
            closer = text[end:end + 1]
            if closer != "]" and closer != ";":
                return None
        else:
            return None
        kind = "preambular" if text[head_start] == "P" else "operative"   # "PP", or "OP", "Op", "op"
        atoms.append((kind, int(text[number_start:number_end]), subs, head_start, end))
        if closer == "]":
            return atoms[0][_ATOM_START], end, atoms
        # "; ", then the next item's head and its number of one or two digits (a third one is no closer)
        head_start = end + 2
        number_start = head_start + 2
        if (text[end + 1:head_start] != " " or text[head_start:number_start] not in short_heads
                or text[number_start:number_start + 1] not in _DIGITS or text[number_start] == "0"):
            return None
        number_end = number_start + 1 + (text[number_start + 1:number_start + 2] in _DIGITS)


def _check_text(text: object, caller: str) -> None:
    if not isinstance(text, str):
        raise TypeError(f"{caller} expects text as str, got {type(text).__name__}"
                        + (" (decode it first, e.g. with opmapper.sources)" if isinstance(text, bytes) else ""))


# The pattern set of the last call and its compiled form, as one tuple (rebinding a global is atomic):
# nearly every call uses the same set, and hashing its fragments for _compile's cache cost more than
# this identity check.
_last_compiled: tuple[ReferencePatterns | None, _Compiled | None] = (None, None)


def _compiled_for(patterns: ReferencePatterns) -> _Compiled:
    global _last_compiled
    last_patterns, compiled = _last_compiled
    if last_patterns is not patterns or compiled is None:
        compiled = _compile(patterns)
        _last_compiled = (patterns, compiled)
    return compiled


def _chains(text: str, patterns: ReferencePatterns) -> Iterator[tuple[_Chain, int, int, bool]]:
    last_patterns, compiled = _last_compiled   # _compiled_for's test, without a call for every description
    if last_patterns is not patterns or compiled is None:
        compiled = _compiled_for(patterns)
    chain_match = compiled.chain.match
    tails = compiled.head_tails
    bracketed_heads = compiled.bracketed_short_heads
    done = 0
    for probe in _number_probes(text):
        number_start = probe.start()
        if number_start < done or number_start == 0:
            continue
        if text[number_start - 3:number_start] in bracketed_heads and done <= number_start - 2:
            # "[OP4": the head is the two characters after "[" (what _find_head finds: "[" is no letter,
            # digit or "_"); "[OP4]" and "[OP2; OP4.b]" fill the brackets, as _bracket_group would find
            chain = _closed_tag(text, number_start - 2, number_start, probe.end(), compiled.short_heads)
            if chain is not None:
                done = chain[1]
                yield chain, number_start - 3, done + 1, True
                continue
        # Fast screen for the usual case ("trained 45 officers"): no "no."/"." in the gap and no
        # head word can end with the two characters before it.
        i = number_start
        if text[i - 1] in _GAP:
            i -= 1
            if i and text[i - 1] in _GAP:
                i -= 1
        if i == 0:
            continue
        if text[i - 1] not in ".-oO#°º" and tails.get(text[i - 2 if i > 1 else 0:i]) is False:
            continue
        floor = max(done, text.rfind("\n", 0, number_start) + 1)
        head_start = _find_head(text, i, floor, compiled)
        if head_start is None:
            continue
        chain = None
        if head_start == number_start - 2 and text[head_start:number_start] in compiled.short_heads:
            chain = _closed_tag(text, head_start, number_start, probe.end(), compiled.short_heads)
        if chain is None:
            m = chain_match(text, head_start)
            if m is None:
                continue
            chain = _walk(text, m, compiled)
            if chain is None:
                done = m.end()
                continue
        start, done, _atoms = chain    # a chain cut short ("OP4, 12, OP5") lets the next head start its own
        start, end, complete = _bracket_group(text, start, done)
        yield chain, start, end, complete


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------

@lru_cache(maxsize=4096)   # a report names a few paragraphs many times: a look-up costs half the join
def _canonical(kind: str, paragraph: int, subs: tuple[str, ...]) -> str:
    head = ("OP" if kind == "operative" else "PP") + str(paragraph)
    return ".".join((head, *subs)) if subs else head


_START_END = attrgetter("start", "end")


def find_references(text: str, patterns: ReferencePatterns = DEFAULT_PATTERNS) -> list[Reference]:
    """Every explicit paragraph reference in ``text``, one per paragraph, sorted by start."""
    _check_text(text, "find_references")
    return _references_at(text, 0, patterns)


def _references_at(text: str, offset: int, patterns: ReferencePatterns = DEFAULT_PATTERNS,
                   unshifted: list[Reference] | None = None) -> list[Reference]:
    """``find_references(text, patterns)`` with ``offset`` added to every start and end: the references of
    a piece of a longer text, made where they belong instead of made and then moved (the report parser
    does this for every description). ``unshifted``, when given, receives ``find_references(text)`` too."""
    refs: list[Reference] = []
    for chain, _gs, _ge, complete in _chains(text, patterns):
        for kind, paragraph, subs, start, end in chain[2]:
            ref_id, ref_text = _canonical(kind, paragraph, subs), text[start:end]
            # positional arguments, in field order: id, kind, paragraph, subparagraph, start, end, text, complete
            refs.append(_new_reference(ref_id, kind, paragraph, subs, start + offset, end + offset, ref_text,
                                       complete))
            if unshifted is not None:
                unshifted.append(_new_reference(ref_id, kind, paragraph, subs, start, end, ref_text, complete))
    if len(refs) > 1:
        # the same order for both lists: sort is stable and the offset moves every span alike
        refs.sort(key=_START_END)
        if unshifted is not None:
            unshifted.sort(key=_START_END)
    return refs


def strip_references(text: str, patterns: ReferencePatterns = DEFAULT_PATTERNS) -> str:
    """The text with explicit references (and their brackets) removed; the tagger uses this."""
    _check_text(text, "strip_references")
    pieces = []
    last = 0
    for _chain, start, end, _complete in _chains(text, patterns):
        if start < last:
            continue
        # Drop one space on the left when the removal would leave two together or a space before
        # punctuation, so "trained staff (OP2) in May" reads "trained staff in May".
        if start > last and text[start - 1] in " \t" and (end >= len(text) or text[end] in " \t.,;:)\n"):
            pieces.append(text[last:start - 1])
        else:
            pieces.append(text[last:start])
        last = end
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


# --------------------------------------------------------------------------------------------------
# Resolution mentions
# --------------------------------------------------------------------------------------------------

# Congress number -> year, for the "6.049" numbering used up to 2016.
CONGRESS_YEARS = {1: 1996, 2: 2000, 3: 2004, 4: 2008, 5: 2012, 6: 2016}

_DASH = "-\u2010\u2011\u2012\u2013"
# English, French and Spanish keywords (labels of translated reports; narratives may follow them).
_RESOLUTION_WORDS = (r"[Rr][ée]solutions?|[Rr]esoluci[óo]n(?:es)?|[Rr]ecomm?[ae]ndations?|[Rr]ecomendaci[óo]n(?:es)?"
                     r"|[Mm]otions?|[Mm]oci[óo]n(?:es)?")
_KEYWORD = (r"(?:(?:IUCN|UICN)" + _S + r"+)?(?P<kw>(?-i:" + _RESOLUTION_WORDS + r"|Res|RES|Rec|REC)\.?)")
# A plain number; lower-case "resolution 10" is too often something else ("a resolution 10 times
# finer"), so lower-case keywords need the zero-padded three digits reports use ("resolution 036").
_PLAIN = r"[0-9]{1,3}(?![0-9]|[./,:][0-9])"
_MENTION = regex.compile(
    r"(?<![\p{L}\p{N}_])(?:"
    # WCC-2020-Res-040, WCC 2016 Res 001 (the keyword before it, if any, is part of the mention)
    r"(?:(?:(?:IUCN|UICN)" + _S + r"+)?(?-i:" + _RESOLUTION_WORDS + r")" + _S + r"+)?"
    r"(?-i:WCC)[" + _DASH + r"_ ]?(?P<year>(?:19|20)[0-9]{2})[" + _DASH + r"_ ]?"
    r"(?P<wkind>(?-i:Res|RES|Rec|REC))[" + _DASH + r"_ .]?(?P<wnum>[0-9]{1,3})(?![0-9])"
    # Resolution 6.049, Recommendation 4.108, Res. 5.012 (numbered by Congress up to 2016)
    r"|" + _KEYWORD + _S + r"*(?:no\.?" + _S + r"*)?"
    r"(?P<cong>[1-9][0-9]?)\.(?P<dnum>[0-9]{2,3})(?![0-9]|[./][0-9])"
    # Resolution 036, IUCN Resolution 122, Res123, Motion 050, Resolutions 036 and 040
    r"|" + _KEYWORD + _S + r"*(?:no\.?" + _S + r"*|n[°º]" + _S + r"*|#)?(?P<pnum>" + _PLAIN + r")"
    r"(?:(?:" + _S + r"*[,;&]" + _S + r"*(?:(?:and|et|y)" + _S + r"+)?|" + _S + r"+(?:and|or|et|ou|y|o)" + _S + r"+)"
    r"(?P<pnum>" + _PLAIN + r"))*"
    r")",
    regex.IGNORECASE,
)


_ASCII_DIGIT = re.compile(r"[0-9]")  # re: a cheaper call than regex for this one character class


def _mention_kind(keyword: str) -> str:
    k = keyword.lower()
    return "motion" if k.startswith("mo") else "recommendation" if k.startswith("rec") else "resolution"


def find_resolution_mentions(text: str) -> list[ResolutionMention]:
    """Mentions of resolutions, recommendations and motions, with a normalised code where known.

    ``code`` is ``WCC-YYYY-Res-NNN`` (``-Rec-`` for recommendations) when the Congress is known, from a
    WCC code or from the Congress-numbered form (``Resolution 6.049`` -> ``WCC-2016-Res-049``). Plain
    numbers (``Resolution 036``) and motions (whose numbers differ from resolution numbers) get None.
    """
    _check_text(text, "find_resolution_mentions")
    out: list[ResolutionMention] = []
    if _ASCII_DIGIT.search(text) is None:
        return out  # every mention has a number; this screen is far cheaper than the mention pattern's scan
    for m in _MENTION.finditer(text):
        if m.group("wnum"):
            kind = "recommendation" if m.group("wkind").lower() == "rec" else "resolution"
            number = m.group("wnum")
            code = f"WCC-{m.group('year')}-{'Rec' if kind == 'recommendation' else 'Res'}-{int(number):03d}"
            out.append(_new_mention(code, kind, number, m.start(), m.end(), m.group()))
            continue
        kind = _mention_kind(m.group("kw"))
        if m.group("dnum"):
            number = f"{m.group('cong')}.{m.group('dnum')}"
            year = CONGRESS_YEARS.get(int(m.group("cong")))
            code = None
            if year is not None and kind != "motion":
                code = f"WCC-{year}-{'Rec' if kind == 'recommendation' else 'Res'}-{int(m.group('dnum')):03d}"
            out.append(_new_mention(code, kind, number, m.start(), m.end(), m.group()))
            continue
        keyword_lower = m.group("kw")[0].islower()
        for i, (s, e) in enumerate(m.spans("pnum")):
            number = text[s:e]
            if keyword_lower and len(number) < 3:
                break
            start = m.start() if i == 0 else s
            out.append(_new_mention(None, kind, number, start, e, text[start:e]))
    return out

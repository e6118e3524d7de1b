"""Quality checks: a linter for reports.

    findings = check_report(report, resolution, tagger, ignore=["duplicate-text"])

Each rule is data: a ``Rule`` with a stable kebab-case ``code``, a default severity, a one-line
description and a function that looks at a ``CheckContext`` and yields ``Hit``s (span + message).
``check_report`` runs the selected rules, turns hits into ``Finding``s with line and column, and
sorts them by position. The word lists and thresholds the rules use live in ``CheckConfig``.

CONTRACT (owned by the checks work; batch and cli rely on these names).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Any

from ._records import LineIndex, Record, record_maker, to_jsonable
from .errors import OpmapperError
from .resolution import Resolution

SEVERITIES = ("info", "warning", "error")   # in rising order
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Finding(Record):
    code: str                     # stable kebab-case rule name: "unreferenced-claim"
    severity: str                 # "error" | "warning" | "info"
    message: str                  # one plain sentence naming the thing
    start: int
    end: int
    line: int
    column: int
    where: str                    # "activities[2]", "future_actions[0]", "results", "metadata"
    suggestion: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        # Record.to_dict spelt out (batch turns every finding of every report into JSON): the fields are
        # plain strings and numbers in field order, but for the suggestion tuple, a list in JSON
        out = self.__dict__.copy()
        out["suggestion"] = to_jsonable(self.suggestion)
        return out


# Finding(...) from all nine fields without the frozen dataclass's field-by-field __init__
_new_finding = record_maker(Finding)


@dataclass(frozen=True)
class Hit:
    """What a rule function yields; ``check_report`` adds the code, severity, line and column."""

    start: int
    end: int
    where: str
    message: str
    suggestion: tuple[str, ...] = ()
    severity: str | None = None   # None: the rule's default severity


# Hit(...) from all six fields without the frozen dataclass's field-by-field __init__
_new_hit = record_maker(Hit)


def _hit(start: int, end: int, where: str, message: str, suggestion: tuple[str, ...] = (),
         severity: str | None = None) -> Hit:
    """``Hit(...)`` as the built-in rules make them: the same record, made at half the cost."""
    return _new_hit(start, end, where, message, suggestion, severity)


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    description: str
    check: Callable[[CheckContext], Iterable[Hit]]
    needs: str | None = None      # "resolution": the rule is silent without one


class UnknownRuleError(OpmapperError, ValueError):
    """``select`` / ``ignore`` named a rule code that does not exist."""


# ---------------------------------------------------------------- configuration (data, with defaults)
PLAN_MARKERS = (
    r"\bwill\b", r"\bshall\b", r"\bgoing\s+to\b",
    r"\b(?:plan|plans|planned|planning|intend|intends|intended|aim|aims|expect|expects|hope|hopes)\s+to\b",
    r"\b(?:is|are)\s+(?:being\s+|now\s+)?(?:planned|scheduled|foreseen|envisaged|expected)\b",
    r"\bto\s+be\s+(?:held|organi[sz]ed|published|launched|completed|developed|signed|adopted)\b",
    r"\b(?:forthcoming|upcoming|next\s+year|in\s+the\s+coming|in\s+due\s+course)\b",
)
# past participles that do not end in -ed
IRREGULAR_PARTICIPLES = (
    "held|built|made|done|gone|taken|given|sent|spent|run|begun|won|set up|shown|grown|drawn|known|taught|"
    "brought|bought|caught|sought|fought|written|chosen|driven|met|led|paid|sold|told|found|kept|left|lost|"
    "become|seen|dealt|drawn up|hung|struck|undertaken|overseen|rewritten|broken|spoken|stolen|frozen|seized"
)
# words ending in -ed that are no participles: "we have need of", "has indeed"
NOT_PARTICIPLES = "need|needed|indeed|seed|speed|breed|feed|deed|bed|red|shed|hundred|sacred|wicked|naked"
ACHIEVED_MARKERS = (
    # present perfect / past perfect with a participle: "have trained", "has been adopted", "had held"
    r"\b(?:has|have|had)\s+(?:[a-z]+ly\s+|now\s+|already\s+|often\s+|also\s+)?(?:been\s+)?"
    rf"(?:(?!(?:{NOT_PARTICIPLES})\b)[a-z]{{2,}}ed|{IRREGULAR_PARTICIPLES})\b",
    # simple past passive: "were trained", "was completed", "was held"
    r"\b(?:was|were)\s+(?:successfully\s+|also\s+)?"
    rf"(?:(?!(?:{NOT_PARTICIPLES})\b)[a-z]{{2,}}ed|{IRREGULAR_PARTICIPLES})\b",
    r"\b(?:successfully|already)\s+[a-z]+ed\b",
)
# simple past after a subject: "We held", "the team trained" (only as evidence that a Completed activity
# reports something done; too loose to call a future action's sentence an achievement)
PAST_MARKERS = (
    r"\b(?:we|they|i|it|he|she|(?:the|our|their|this|these)\s+[a-z-]+)\s+(?:also\s+|jointly\s+|then\s+)?"
    r"(?:[a-z]+ed|held|ran|met|built|made|took|gave|won|began|wrote|taught|led|brought|sent|found|spent|"
    r"sold|caught|drew|got|set\s+up)\b",
    # report style without a subject: "Amended the water act ...", "Trained 40 rangers ..."
    rf"^\s*(?:(?!(?:{NOT_PARTICIPLES}|based|planned|scheduled|expected|intended)\b)[a-z]{{2,}}ed|held|ran|met|"
    r"built|made|took|gave|won|began|wrote|taught|led|brought|sent|found|spent|sold|drew|set\s+up)\b",
)
# simple past after a named or pronoun subject, tight enough for a future action's sentence: "We completed
# the review", "IFAW trained 300 judges" (not "the newly created network", not "we decided to")
_SIMPLE_PAST = (r"(?:(?!(?:" + NOT_PARTICIPLES + r"|planned|intended|hoped|wanted|expected|aimed|wished|decided|"
                r"agreed|committed|pledged|proposed|based|related|interested)\b)[a-z]{3,}ed|held|ran|met|built|made|"
                r"took|gave|won|began|wrote|taught|led|brought|sent|found|spent|sold|caught|drew|did)\b")
FUTURE_PAST_MARKERS = (
    r"\b(?:we|they|he|she)\s+(?:also\s+|jointly\s+|then\s+|successfully\s+|recently\s+)?" + _SIMPLE_PAST,
    # a name as subject only where a subject stands, not inside the sentence: "a LIFE integrated project"
    r"(?:^[^\w]*|,\s*)(?-i:[A-Z]{2,}[A-Za-z]*)\s+(?:also\s+|jointly\s+|successfully\s+|recently\s+)?"
    + _SIMPLE_PAST,
)

# Which report fields each layout's form asks for. Keys name Report attributes ("resolution" is the
# resolution code or the portal page id; "results" is the results section).
REQUIRED_FIELDS = {
    "activity-report": ("resolution", "constituent", "constituent_type", "period", "geographic_scope", "results"),
    "activity-report-legacy": ("resolution", "constituent", "constituent_type", "period", "geographic_scope",
                               "results"),
    "progress-report": ("resolution", "period", "results"),
    "progress-report-legacy": ("resolution", "results"),
    "unknown": ("resolution",),
}
FIELD_LABELS = {   # human name, and the form label to point at when the value is missing
    "resolution": ("resolution", r"^Resolution\b"),
    "constituent": ("IUCN Constituent", r"^IUCN Constituent\s*:?\s*$"),
    "constituent_type": ("IUCN Constituent type", r"^IUCN Constituent type\b"),
    "period": ("Period covered", r"^Period covered\b"),
    "geographic_scope": ("Geographic scope", r"^Geographic scope\b"),
    "results": ("results/achievements section", r"^(?:Please report on the result|Describe the results)"),
}
# Layouts whose activities carry a description and a status (progress reports list types only).
DESCRIBED_LAYOUTS = ("activity-report", "activity-report-legacy", "unknown")
STATUS_LAYOUTS = ("activity-report", "activity-report-legacy")


@dataclass(frozen=True)
class CheckConfig:
    """Word lists, patterns and thresholds the rules use; pass your own to ``check_report(config=...)``."""

    plan_markers: tuple[str, ...] = PLAN_MARKERS
    achieved_markers: tuple[str, ...] = ACHIEVED_MARKERS
    past_markers: tuple[str, ...] = PAST_MARKERS
    future_past_markers: tuple[str, ...] = FUTURE_PAST_MARKERS
    # a bracketed list that looks like paragraph tags: "[OP2; OP4.b]", also "[0P4]" and "[OP2; OP4"
    tag_list: str = r"\[(?P<body>[^\[\]\n]{0,120}?)(?P<close>\]|(?=\s*(?:\n|$)))"
    tag_like: str = r"(?i)(?:\b|(?<=\d))[O0]\s?P\s?\.?\s?\d|\bPP\s?\d|\bOP\b"
    tag_item: str = (r"(?i)^(?:OP|PP)\s?\.?\s?\d{1,2}(?:\s?\.?\s?[a-z]{1,2}\b\)?(?:\s?\.?\s?[ivx]{1,4})?)?"
                     r"(?:\s*(?:-|–|to)\s*(?:(?:OP|PP)\s?)?\d{1,2}(?:\.?[a-z])?)?$")
    tag_separators: str = r"\s*[;,]\s*|\s+and\s+"
    required_fields: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(REQUIRED_FIELDS))
    field_labels: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(FIELD_LABELS))
    described_layouts: tuple[str, ...] = DESCRIBED_LAYOUTS
    status_layouts: tuple[str, ...] = STATUS_LAYOUTS
    duplicate_min_words: int = 8          # shorter sentences and paragraphs repeat innocently
    suggestions: int = 3                  # how many tagger suggestions to ask for
    # relative slack on an exact figure ("11 million" is rounded) and on "about" figures
    exact_slack: float = 0.02
    approximate_slack: float = 0.15
    counted_stopwords: frozenset[str] = frozenset(
        "the a an some more than over additional new further other total about around".split())
    # a counted phrase ends where a prepositional or relative tail begins: "moderators during the year"
    counted_tail: frozenset[str] = frozenset(
        "during in at on from across for by with to into within through since under over that which who "
        "whose where when per each".split())
    # figures that measure time are context, not results: "for three weeks"
    min_count: float = 2                  # "one workshop" is an event, not a figure to substantiate
    # a results figure with one of these in its sentence sums up the activities: "In total we trained 150"
    total_markers: tuple[str, ...] = (
        r"\bin\s+total\b", r"\ba\s+total\s+of\b", r"\btotal(?:l?ing)?\b", r"\baltogether\b", r"\boverall\b",
        r"\bin\s+all\b", r"\bcombined\b", r"\bcumulative(?:ly)?\b", r"\bto\s+date\b", r"\bso\s+far\b")
    duration_heads: frozenset[str] = frozenset(
        "second seconds minute minutes hour hours day days week weeks month months year years decade decades "
        "time times occasion occasions".split())


DEFAULT_CONFIG = CheckConfig()


# ---------------------------------------------------------------- context shared by the rules
# A sentence ends after its . ! or ? (the match's first character): the break starts one further. Taking
# the mark into the match rather than looking behind for it lets ``re`` jump from mark to mark.
_BREAK_AFTER_MARK = r"[\"”')\]]?\s+(?=[A-Z0-9\"“(\[])"
_SENTENCE_BREAK = re.compile(r"[.!?]" + _BREAK_AFTER_MARK)
# The breaks at a full stop only, for lines with no ! or ?: ``re`` finds the next full stop, a single
# character, by a plain scan, and the next of a class of characters by testing each character in turn.
_FULL_STOP_BREAK = re.compile(r"\." + _BREAK_AFTER_MARK)


@dataclass(frozen=True)
class TextSpan:
    """A piece of narrative text: a paragraph or sentence with its offsets and owner."""

    start: int
    end: int
    text: str
    where: str


def activity_where(activity) -> str:
    return f"{activity.section}[{activity.index}]"


def _label(activity) -> str:
    return f"{'activity' if activity.section == 'activities' else 'future action'} {activity.index + 1}"


def quote(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


class _lazy:
    """``functools.cached_property`` without its lock: Python 3.11's takes an RLock on every first access
    (3.12 dropped it), which costs more than most of the values it guards. A context serves one
    ``check_report`` call on one thread."""

    def __init__(self, func: Callable) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


class CheckContext:
    """The report and its helpers, built once per ``check_report`` call and shared by all rules."""

    def __init__(self, report, resolution=None, tagger=None, config: CheckConfig = DEFAULT_CONFIG) -> None:
        self.report = report
        self.resolution = resolution
        self.tagger = tagger
        self.config = config
        self.text: str = report.text
        self._suggested: dict[str, list] = {}  # tagger answers fetched ahead by ``prefetch_suggestions``
        # (start, text) of a narrative -> its paragraphs and sentences: two rules split the same narratives
        self._pieces: dict[tuple[int, str], tuple[list[_Piece], list[_Piece]]] = {}

    # -- structure
    @_lazy
    def index(self) -> LineIndex:
        return _LineIndex(self.text)

    @_lazy
    def blocks(self) -> list[tuple[int, int, str]]:
        """(start, end, where) of every activity and free-text section, for locating an offset."""
        out = [(a.start, a.end, where) for a, where in self.activity_wheres]
        out.extend((s.start, s.end, s.name) for s in self.sections)
        return sorted(out)

    @_lazy
    def activities(self) -> tuple:
        return (*self.report.activities, *self.report.future_actions)

    @_lazy
    def activity_wheres(self) -> list[tuple[Any, str]]:
        """(activity, "activities[2]") for every activity and future action: most rules name them."""
        return [(act, activity_where(act)) for act in self.activities]

    @_lazy
    def sections(self) -> tuple:
        """The report's free-text sections (``report.sections()`` builds a new tuple on every call)."""
        return self.report.sections()

    def where(self, offset: int) -> str:
        best = None
        for start, end, name in self.blocks:
            if start <= offset < end and (best is None or end - start < best[1] - best[0]):
                best = (start, end, name)
        return best[2] if best else "metadata"

    @_lazy
    def narratives(self) -> list[TextSpan]:
        """Activity descriptions and free-text sections, in text order."""
        return [TextSpan(*n) for n in self._narratives]

    @_lazy
    def _narratives(self) -> list[tuple[int, int, str, str]]:
        """``narratives`` as (start, end, text, where) tuples, which the built-in rules read."""
        out = []
        for act, where in self.activity_wheres:
            d = act.description
            if d is not None and d.text.strip():
                out.append((d.start, d.end, d.text, where))
        for sec in self.sections:
            if sec.text.strip():
                out.append((sec.start, sec.start + len(sec.text), sec.text, sec.name))
        out.sort(key=itemgetter(0))
        return out

    @_lazy
    def paragraphs(self) -> list[TextSpan]:
        return [TextSpan(start, end, text, where) for at, _, narrative, where in self._narratives
                for start, end, text in self._split(at, narrative)[0]]

    def sentences(self, span: TextSpan) -> list[TextSpan]:
        """The sentences of ``span``."""
        return [TextSpan(start, end, text, span.where) for start, end, text in self._split(span.start, span.text)[1]]

    def _split(self, start: int, text: str) -> tuple[list[_Piece], list[_Piece]]:
        """The paragraphs (non-blank lines) and sentences of the narrative ``text`` found at ``start``, as
        (start, end, text) triples; shared lists: do not change them."""
        key = (start, text)
        found = self._pieces.get(key)
        if found is None:
            found = self._pieces[key] = _split_narrative(start, text)
        return found

    def paragraph_of(self, offset: int, lo: int, hi: int) -> tuple[int, int]:
        """The line around ``offset``, kept within [lo, hi)."""
        return _line_around(self.text, offset, lo, hi)

    # -- language (the patterns are compiled once per list; tuples, as a config may hold lists)
    @_lazy
    def _plan(self) -> _MarkerTest:
        return _marker_test(tuple(self.config.plan_markers))

    @_lazy
    def _achieved(self) -> re.Pattern:
        return _any_of(tuple(self.config.achieved_markers))

    @_lazy
    def _achieved_test(self) -> _MarkerTest:
        return _marker_test(tuple(self.config.achieved_markers))

    @_lazy
    def _past(self) -> _MarkerTest:
        return _marker_test((*self.config.achieved_markers, *self.config.past_markers))

    @_lazy
    def _future_past(self) -> re.Pattern:
        return _any_of(tuple(self.config.future_past_markers))

    @_lazy
    def _future_past_test(self) -> _MarkerTest:
        return _marker_test(tuple(self.config.future_past_markers))

    @_lazy
    def _total(self) -> _MarkerTest:
        return _marker_test(tuple(self.config.total_markers))

    def is_plan(self, text: str) -> bool:
        return self._plan.found(text)

    def achieved_marker(self, text: str):
        """A perfect or past passive ("have trained", "were trained"), or a simple past after a named or
        pronoun subject ("IFAW trained", "we completed")."""
        return self._achieved.search(text) or self._future_past.search(text)

    def has_achieved_marker(self, text: str) -> bool:
        """``bool(achieved_marker(text))``, by the faster test of the achieved markers."""
        return self._achieved_test.found(text) or self._future_past_test.found(text)

    def reports_done(self, text: str) -> bool:
        """Anything said as done: the achieved markers plus a simple past after a subject ("We held")."""
        return self._past.found(text)

    # -- optional helpers
    @property
    def resolution_code(self) -> str | None:
        if self.resolution is not None and getattr(self.resolution, "code", None):
            return self.resolution.code
        return self.report.resolution_code

    def suggest(self, text: str) -> tuple[str, ...]:
        """The tagger's paragraphs for ``text``: those above threshold, else the single best; () without one."""
        if self.tagger is None or not text.strip():
            return ()
        found = self._suggested.get(text)
        if found is None:
            try:
                found = self.tagger.suggest(text, resolution=self.resolution_code, k=self.config.suggestions)
            except (OpmapperError, KeyError, ValueError):
                return ()
            self._suggested[text] = found  # several figures of one sentence ask about the same text
        confident = [s.id for s in found if getattr(s, "above_threshold", True)]
        return tuple(confident or [s.id for s in found[:1]])

    def prefetch_suggestions(self, texts: Iterable[str]) -> None:
        """Ask the tagger about many texts in one call (one featurisation and one matrix product instead
        of one per text); ``suggest`` then answers from memory. A tagger without ``suggest_many``, or one
        that fails, is simply asked text by text later."""
        many = getattr(self.tagger, "suggest_many", None) if self.tagger is not None else None
        todo = list(dict.fromkeys(t for t in texts if t.strip() and t not in self._suggested))
        if many is None or not todo:
            return
        try:
            found = many(todo, resolution=self.resolution_code, k=self.config.suggestions)
        except (OpmapperError, KeyError, ValueError):
            return
        self._suggested.update(zip(todo, found, strict=True))


def _line_around(text: str, offset: int, lo: int, hi: int) -> tuple[int, int]:
    """The line of ``text`` around ``offset``, kept within [lo, hi)."""
    start = text.rfind("\n", lo, offset) + 1 or lo
    end = text.find("\n", offset, hi)
    return max(start, lo), (hi if end < 0 else end)


class _LineIndex(LineIndex):
    """``LineIndex`` answering the first questions from the text itself: a report has a handful of
    findings, and counting the newlines before each (in C) costs less than listing every line start
    first. Past ``COUNTED_QUESTIONS`` the line starts are listed (by ``str.find``) and searched.

    The newlines are counted from the last offset asked about (its line known) when that is nearer than
    the text's start: the findings of a rule come in text order, so most counts cover a short stretch."""

    COUNTED_QUESTIONS = 16

    def __init__(self, text: str) -> None:
        self._text = text
        self._asked = 0
        self._starts: list[int] | None = None
        self._last = (0, 1)   # (offset, its line) of the last answer; offset 0 is on line 1

    def line_col(self, offset: int) -> tuple[int, int]:
        if self._starts is None:
            self._asked += 1
            if self._asked <= self.COUNTED_QUESTIONS and offset >= 0:
                # the line is 1 + the newlines before offset; it starts after the last of them
                text = self._text
                at, line = self._last
                if offset >= at:
                    line += text.count("\n", at, offset)
                elif offset < at - offset:   # nearer to the start than to the last offset
                    line = 1 + text.count("\n", 0, offset)
                else:
                    line -= text.count("\n", offset, at)
                self._last = (offset, line)
                return line, offset - text.rfind("\n", 0, offset)
            self._starts = self._line_starts(self._text)
        return super().line_col(offset)

    @staticmethod
    def _line_starts(text: str) -> list[int]:
        starts = [0]
        pos = text.find("\n")
        while pos >= 0:
            starts.append(pos + 1)
            pos = text.find("\n", pos + 1)
        return starts


@lru_cache(maxsize=64)
def _any_of(patterns: tuple[str, ...]) -> re.Pattern:
    """One case-insensitive pattern matching where any of ``patterns`` does, compiled once per list."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


class _MarkerTest:
    """Whether any of some patterns occurs in a text, ignoring case.

    For ASCII text and patterns written without capitals (so without \\S, \\W ... escapes or
    case-sensitive (?-i:...) groups) that is the same as a case-sensitive search of the lowercased text,
    which ``re`` runs two to three times faster: it can look for the patterns' first letters instead of
    trying every alternative at every position. Patterns that do not qualify are searched ignoring case,
    by a pattern of their own (for ASCII text; a text matches when one of the two finds something).

    The default marker lists also have ``hints`` (see ``_MARKER_HINTS``): words one of which every match
    contains. Most sentences contain none, and listing a sentence's words costs a fraction of the
    patterns' search (which ``re`` starts at every position: the patterns begin with \\b, which gives it
    no first letters to look for)."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        joined = "|".join(f"(?:{p})" for p in patterns)
        self.any_case = re.compile(joined, re.IGNORECASE)
        # ASCII patterns only: a non-ASCII letter may match an ASCII one ignoring case ("ſ" matches "s")
        lowercase = [p for p in patterns if _lowercase_ascii(p)]
        others = [p for p in patterns if not _lowercase_ascii(p)]
        joined = "|".join(f"(?:{p})" for p in lowercase)
        self.lowercase = re.compile(joined) if lowercase else None
        self.others = re.compile("|".join(f"(?:{p})" for p in others), re.IGNORECASE) if others else None
        self.hints = _MARKER_HINTS.get(tuple(lowercase))
        self.companions = _MARKER_COMPANIONS.get(tuple(lowercase))
        self.others_need = _OTHER_MARKERS_NEED.get(tuple(others))
        # The lowercase pattern with ASCII-only \b \w \s \d, for printable ASCII text (" " to "~"): on
        # those characters they mean what their Unicode forms mean (only the controls \x1c-\x1f are
        # Unicode whitespace but not ASCII). ``re`` then tests word boundaries from a table instead of
        # Unicode lookups, a third faster on the markers' many \b.
        self.ascii = None
        if self.lowercase is not None:
            try:
                self.ascii = re.compile(joined, re.ASCII)
            except (re.error, ValueError):   # an inline (?u) flag
                self.ascii = None

    def found(self, text: str) -> bool:
        if self.lowercase is not None and text.isascii():
            if self._others_found(text):
                return True
            if self.hints is not None and not self._hinted(text):
                return False
            lowered = text.lower()
            if self.ascii is not None and lowered.isprintable():
                return self.ascii.search(lowered) is not None
            return self.lowercase.search(lowered) is not None
        if self.hints is not None and not _has_ascii_lookalike(text) and not self._hinted(text):
            # Other text: its non-ASCII characters are no ASCII letters, and ignoring case only the
            # lookalikes match one; so the hint words a match needs are runs of ASCII letters here too,
            # and with none of them only the patterns without hints can match
            return self._others_found(text)
        return self.any_case.search(text) is not None

    def _hinted(self, text: str) -> bool:
        """Whether the words of ``text`` hold a hint, and with it one of the words it needs beside it, if any
        (see ``_MARKER_COMPANIONS``)."""
        words = _ascii_words(text)
        if self.hints.isdisjoint(words):
            return False
        if self.companions is None:
            return True
        present = set(words)
        needs = self.companions.get
        return any(need is None or not need.isdisjoint(present)
                   for need in map(needs, self.hints.intersection(present)))

    def _others_found(self, text: str) -> bool:
        """Whether the patterns not searched lowercased occur in ``text`` (ignoring case)."""
        if self.others is None or (self.others_need is not None and self.others_need.search(text) is None):
            return False
        return self.others.search(text) is not None


def _lowercase_ascii(pattern: str) -> bool:
    """Whether ``pattern`` finds, case-sensitively in lowercased ASCII text, what it finds ignoring case."""
    return pattern.isascii() and pattern == pattern.lower() and "(?-" not in pattern


def _ascii_words(text: str) -> list[bytes]:
    """The words of a text: its runs of ASCII letters, lowercased."""
    return text.encode("ascii", "replace").translate(_LETTERS_LOWERED).split()


def _has_ascii_lookalike(text: str) -> bool:
    """Whether ``text`` holds one of the four non-ASCII characters that match an ASCII letter ignoring case
    ("İ" and "ı" match "i", "ſ" matches "s", the Kelvin sign "K" matches "k")."""
    return "\u0130" in text or "\u0131" in text or "\u017f" in text or "\u212a" in text


# a-z kept, A-Z lowered, every other byte a space
_LETTERS_LOWERED = bytes(ord(chr(c).lower()) if chr(c).isascii() and chr(c).isalpha() else 32 for c in range(256))


def _marker_words(words: str) -> frozenset[bytes]:
    return frozenset(w.encode("ascii") for w in words.split())


# Default marker patterns -> words one of which every match contains: in each pattern a word that it needs
# (one of plan|plans|planned|planning, one of forthcoming|upcoming|coming for "in the coming", the
# participle of "to be held" ...), each with \b or \s on both sides, so a run of letters of the text.
# Only these very lists have hints: a config with other markers is searched without.
_MARKER_HINTS: dict[tuple[str, ...], frozenset[bytes]] = {
    PLAN_MARKERS: _marker_words(
        "will shall going plan plans planned planning intend intends intended aim aims expect expects hope hopes "
        "scheduled foreseen envisaged expected held organised organized published launched completed developed "
        "signed adopted forthcoming upcoming next coming course"),
    ACHIEVED_MARKERS: _marker_words("has have had was were successfully already"),
    FUTURE_PAST_MARKERS[:1]: _marker_words("we they he she"),
    CheckConfig.total_markers: _marker_words(
        "total totaling totalling altogether overall all combined cumulative cumulatively date far"),
}


# Default marker patterns -> the hint words that a match contains only with another word (one of the words
# listed), as the patterns spell out: "held" only in "to be held", "expected" only in "is/are expected",
# "next" only in "next year" ... Hint words not listed match alone ("will"). Reports hold many of these
# words ("The workshop was held"): the test of the companions spares most of them the patterns' search.
_MARKER_COMPANIONS: dict[tuple[str, ...], dict[bytes, frozenset[bytes]]] = {
    PLAN_MARKERS: {
        **dict.fromkeys(_marker_words("going plan plans planning intend intends intended aim aims expect expects "
                                      "hope hopes"), _marker_words("to")),
        b"planned": _marker_words("to is are"),
        **dict.fromkeys(_marker_words("scheduled foreseen envisaged expected"), _marker_words("is are")),
        **dict.fromkeys(_marker_words("held organised organized published launched completed developed signed "
                                      "adopted"), _marker_words("be")),
        b"next": _marker_words("year"), b"coming": _marker_words("the"), b"course": _marker_words("due"),
    },
}


# Default marker patterns that are searched ignoring case -> a pattern that every match of theirs matches
# too, and that costs a fraction of their search: the name subject of a future action's past ("IFAW
# trained") is case-sensitive, (?-i:[A-Z]{2,}...), so it needs two ASCII capitals in a row.
_OTHER_MARKERS_NEED: dict[tuple[str, ...], re.Pattern] = {FUTURE_PAST_MARKERS[1:]: re.compile("[A-Z][A-Z]")}


@lru_cache(maxsize=64)
def _marker_test(patterns: tuple[str, ...]) -> _MarkerTest:
    return _MarkerTest(patterns)


_ONLY_TAGS = re.compile(r"^\s*(?:\[[^\[\]\n]*\]?\s*)+$")
_Piece = tuple[int, int, str]   # (start, end, text) of a paragraph or sentence; offsets into the report


def _split_narrative(start: int, text: str) -> tuple[list[_Piece], list[_Piece]]:
    """The paragraphs (non-blank lines, as they stand) and sentences (trimmed) of a narrative found at offset
    ``start`` of the report. A sentence ends after its . ! or ? or at the end of its line."""
    paragraphs: list[_Piece] = []
    sentences: list[_Piece] = []
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        body = line.strip()
        if body:   # a blank line has neither paragraph nor sentence
            paragraphs.append((start + line_start, start + line_end, line))
            breaks = _breaks_of(line)
            if breaks is None:
                # the line is one sentence (most are): the line itself, already trimmed, instead of a slice
                # of the text trimmed again
                _add_sentence(sentences, start + line_start, line, body)
            else:
                pos = line_start
                # pos/endpos: the breaks of this line, searched as if it were the whole string
                for brk in breaks.finditer(text, line_start, line_end):
                    _add_sentence(sentences, start + pos, text[pos: brk.start() + 1])
                    pos = brk.end()
                _add_sentence(sentences, start + pos, text[pos:line_end])
        line_start = line_end + 1
    return paragraphs, sentences


def _breaks_of(line: str) -> re.Pattern | None:
    """The pattern that finds the sentence breaks of ``line`` (as ``_SENTENCE_BREAK`` does), None when it
    has none: a break is a . ! or ? followed, within the line, by whitespace and then more text, so a
    mark that is the last non-blank character does not count. Most lines are one sentence with a full
    stop at the end: they skip the search; most others have full stops only. (``in`` first: it costs
    less than the ``find`` that places the mark, and most lines have no ! or ?.)"""
    last = len(line.rstrip()) - 1   # rstrip removes what \s matches
    if ("!" in line and line.find("!", 0, last) >= 0) or ("?" in line and line.find("?", 0, last) >= 0):
        return _SENTENCE_BREAK
    return _FULL_STOP_BREAK if line.find(".", 0, last) >= 0 else None


def _add_sentence(out: list[_Piece], start: int, piece: str, body: str | None = None) -> None:
    """The sentence ``piece`` found at ``start``, trimmed (``body``: ``piece.strip()`` when the caller has it)."""
    if body is None:
        body = piece.strip()
    if not body or ("[" in piece and _ONLY_TAGS.match(piece)):   # a tag list after the last full stop is
        return                                                   # not a sentence of its own
    if len(body) != len(piece):   # else nothing was trimmed
        start += len(piece) - len(piece.lstrip())
    out.append((start, start + len(body), body))


# ---------------------------------------------------------------- the rules
def _is_figure(claim, cfg: CheckConfig) -> bool:
    """Worth substantiating: not a bare number, not a duration, not a single event."""
    if claim.unit is not None:
        return True
    head = claim.counted_head   # (casefolding leaves no word empty)
    return bool(head) and head.casefold() not in cfg.duration_heads and claim.value >= cfg.min_count


def _figure_identity(claim) -> tuple:
    """Two figures are the same when value, upper value, unit and counted noun agree."""
    return claim.value, claim.value_max, claim.unit, (claim.counted_head or "").casefold()


def check_unreferenced_claims(ctx: CheckContext) -> Iterator[Hit]:
    """Figures no paragraph reference covers: in untagged activities, or in untagged paragraphs of sections.

    A section figure that repeats one from a tagged activity (same value, unit and counted noun) is covered
    by that activity's tags.
    """
    found = _unreferenced_claims(ctx)
    sentences = [_claim_sentence(ctx, claim) for claim, _ in found]
    ctx.prefetch_suggestions(sentences)  # one tagger call, not one per claim
    for (claim, where), sentence in zip(found, sentences, strict=True):
        yield _claim_hit(ctx, claim, where, sentence)


def _unreferenced_claims(ctx: CheckContext) -> list[tuple[Any, str]]:
    """(claim, where) of every figure no paragraph reference covers."""
    return [(claim, activity_where(owner) if section is None else section.name)
            for claim, owner, section in _unreferenced_figures(ctx.report, ctx.activities, ctx.sections, ctx.config)]


def _unreferenced_figures(report, activities: Sequence, sections: Sequence, cfg: CheckConfig) -> list[tuple]:
    """(claim, its activity, None) or (claim, None, its section) of every figure no paragraph reference
    covers; the owner rather than its name, so that ``tagger_questions`` makes no names it does not need."""
    found = []
    for act in activities:
        if not act.references:
            found += [(claim, act, None) for claim in act.claims if _is_figure(claim, cfg)]
    tagged = None   # the figures of tagged activities, gathered when a section has a figure
    for sec in sections:
        sec_end = sec.start + len(sec.text)
        for claim in sec.claims:
            if not _is_figure(claim, cfg):
                continue
            if tagged is None:
                tagged = {_figure_identity(c) for a in activities if a.references for c in a.claims}
            if _figure_identity(claim) in tagged:
                continue
            lo, hi = _line_around(report.text, claim.start, sec.start, sec_end)
            if not any(lo <= ref.start < hi for ref in sec.references):
                found.append((claim, None, sec))
    return found


def tagger_questions(report, config: CheckConfig = DEFAULT_CONFIG) -> list[str]:
    """The texts ``check_report`` will ask the tagger about: descriptions of activities citing no
    paragraph, and sentences of figures no reference covers. A caller that asks the tagger anyway
    (``opmapper batch``) can add these to its own call and hand the answers over, so that a report
    costs one tagger call instead of several."""
    activities = (*report.activities, *report.future_actions)
    texts = [a.description.text for a in activities
             if not a.references and a.description is not None and a.description.text.strip()]
    text = report.text
    texts += [_sentence_of(text, claim)
              for claim, _, _ in _unreferenced_figures(report, activities, report.sections(), config)]
    return list(dict.fromkeys(t for t in texts if t.strip()))


def _claim_sentence(ctx: CheckContext, claim) -> str:
    return _sentence_of(ctx.text, claim)


def _sentence_of(text: str, claim) -> str:
    s0, s1 = claim.sentence_start, claim.sentence_end
    return text[s0:s1] if 0 <= s0 < s1 <= len(text) else claim.text


def _claim_hit(ctx: CheckContext, claim, where: str, sentence: str) -> Hit:
    planned = where.startswith("future_actions") or where == "future"   # plans are rarely tagged
    return _hit(claim.start, claim.end, where,
               f'claim "{quote(claim.text)}" is not linked to any operative paragraph',
               ctx.suggest(sentence), severity="info" if planned else None)


def check_untagged_activities(ctx: CheckContext) -> Iterator[Hit]:
    """Activities that cite no paragraph; future actions only at info level (plans are rarely tagged)."""
    for act, where in ctx.activity_wheres:
        desc = act.description
        if act.references or desc is None or not desc.text.strip():
            continue
        yield _hit(desc.start, desc.end, where,
                  f"{_label(act)} ({act.type or 'no type'}) cites no operative paragraph",
                  ctx.suggest(desc.text),
                  severity=None if act.section == "activities" else "info")


def check_unknown_references(ctx: CheckContext) -> Iterator[Hit]:
    """References to paragraphs the resolution does not have."""
    res = ctx.resolution
    if res is None:
        return
    name = getattr(res, "code", None) or "the resolution"
    known = _known_ids(res)
    for refs, where in _references_by_owner(ctx):
        for ref in refs:
            found = known.get(ref.id)
            if found is None:
                found = known[ref.id] = ref in res
            if found:
                continue
            parents = [p for p in _ancestors(ref.id) if p in res]
            yield _hit(ref.start, ref.end, where, f'reference "{ref.id}" names a paragraph {name} does not have',
                      tuple(parents[:1]))


# id(resolution) -> (the resolution, {reference id: whether the resolution has it}): reports cite the same
# few ids of the same few resolutions again and again. The resolution is kept with its answers, so that
# its id cannot pass to another object while they are remembered.
_KNOWN_IDS: dict[int, tuple[Any, dict[str, bool]]] = {}
_KNOWN_IDS_SIZE = 64          # resolutions, each with at most _KNOWN_IDS_PER_RESOLUTION ids
_KNOWN_IDS_PER_RESOLUTION = 4096


def _known_ids(res) -> dict[str, bool]:
    """The remembered answers to ``ref in res`` of ``res``, to read and add to; a fresh dict for a
    resolution of another kind than the (frozen) ``Resolution``, which might change."""
    if type(res) is not Resolution:
        return {}
    entry = _KNOWN_IDS.get(id(res))
    if entry is None or entry[0] is not res or len(entry[1]) > _KNOWN_IDS_PER_RESOLUTION:
        if len(_KNOWN_IDS) >= _KNOWN_IDS_SIZE:
            _KNOWN_IDS.clear()
        entry = _KNOWN_IDS[id(res)] = (res, {})
    return entry[1]


def _references_by_owner(ctx: CheckContext) -> Iterator[tuple[tuple, str]]:
    """(references, where) of every activity that has any, then of every section that has any."""
    for act, where in ctx.activity_wheres:
        if act.references:
            yield act.references, where
    for sec in ctx.sections:
        if sec.references:
            yield sec.references, sec.name


def _ancestors(pid: str) -> list[str]:
    parts = pid.split(".")
    return [".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]


def check_malformed_references(ctx: CheckContext) -> Iterator[Hit]:
    """Tag lists that are cut off, have empty items, or items that are not paragraph ids."""
    cfg = ctx.config
    flagged: list[tuple[int, int]] = []
    for m in _compiled(cfg.tag_list).finditer(ctx.text):
        body = m.group("body")
        looks_like_tags, zero, empty, bad = _read_tag_list(body, cfg.tag_like, cfg.tag_item, cfg.tag_separators)
        if not looks_like_tags:
            continue
        closed = m.group("close")
        if closed and zero is None and bad is None and not empty:
            continue
        shown = quote(m.group().strip(), 40)   # only for a finding: most tag lists are fine
        if not closed:
            problem = f'tag list "{shown}" is cut off (no closing bracket)'
        elif zero is not None:
            problem = f'tag list "{shown}" writes "{zero}" with a zero instead of the letter O'
        elif empty:
            problem = f'tag list "{shown}" has an empty item'
        else:
            problem = f'tag list "{shown}" has an item that is not a paragraph id: "{quote(bad, 30)}"'
        end = m.end() if closed else m.start("body") + len(body.rstrip())
        flagged.append((m.start(), end))
        yield _hit(m.start(), end, ctx.where(m.start()), problem)
    # cut-off lists the references module noticed but the scan above did not (other shapes)
    for refs, _ in _references_by_owner(ctx):
        for ref in refs:
            if not getattr(ref, "complete", True) and not any(a <= ref.start < b for a, b in flagged):
                flagged.append((ref.start, ref.end))
                yield _hit(ref.start, ref.end, ctx.where(ref.start),
                          f'reference "{quote(ref.text, 40)}" comes from a tag list that is cut off')


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern:
    """``re.compile`` for a pattern of the config, looked up without re's check of the flags and types."""
    return re.compile(pattern)


@lru_cache(maxsize=4096)
def _read_tag_list(body: str, tag_like: str, tag_item: str, separators: str
                   ) -> tuple[bool, str | None, bool, str | None]:
    """What ``check_malformed_references`` needs to know of a bracketed list's ``body``: whether it looks
    like paragraph tags, its first item written with a zero for the O, whether an item is empty, and
    its first item that is not a paragraph id. Remembered per body: reports repeat the same few lists."""
    if not _compiled(tag_like).search(body):
        return False, None, False, None
    items = _compiled(separators).split(body.strip())
    zero = next((i for i in items if _ZERO_FOR_O.match(i)), None)
    item_ok = _compiled(tag_item)
    bad = next((i for i in items if i and not item_ok.match(i)), None)
    return True, zero, not all(items), bad


_ZERO_FOR_O = re.compile(r"(?i)0\s?P\s?\d")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "\u00a0": " "})
_QUOTE_CHARACTER = re.compile("[" + re.escape("".join(map(chr, _QUOTES))) + "]")   # one that _QUOTES replaces
_TRAILING_TAGS = re.compile(r"\s*\[[^\[\]]*\]?\s*$")


def _normalise(text: str) -> str:
    if not text.isascii():   # every character _QUOTES replaces is outside ASCII
        text = text.translate(_QUOTES)
    if "[" in text:
        text = _TRAILING_TAGS.sub("", text)
    return " ".join(text.casefold().split()).rstrip(" .;:")


def _normalise_words(words: list[str]) -> str:
    """``_normalise(text)`` from ``text.split()``, which the word count has made already.

    Spacing first, then the rest: casefolding maps no character to or from whitespace, _QUOTES maps
    whitespace (a no-break space) only to whitespace, and the trailing tag list with the spacing before
    it is removed alike from the text and from its words joined by single spaces."""
    text = " ".join(words)
    # translate looks every character up in _QUOTES (a dict): only worth it when one of them is there
    if not text.isascii() and _QUOTE_CHARACTER.search(text):
        text = text.translate(_QUOTES)
    if "[" in text:
        text = _without_trailing_tags(text)
    return text.casefold().rstrip(" .;:")


def _duplicate_key(text: str, min_words: int, single_spaced: bool | None = None) -> str | None:
    """``_normalise_words(text.split())`` when ``text`` has at least ``min_words`` words, else None.

    When an ASCII text has no whitespace but the space, no two spaces meet and none begins or ends it,
    it has one word more than spaces, and its words joined by single spaces are the text itself: the key
    is had without making (and freeing) a string per word. ``single_spaced``: whether the text is ASCII
    with no whitespace but single spaces (see ``_single_spaced``), when the caller knows; None: found out."""
    if single_spaced is None:
        single_spaced = "\n" not in text and _single_spaced(text)
    if single_spaced and text[:1] != " " and text[-1:] != " ":
        if text.count(" ") + 1 < min_words:
            return None
        if "[" in text:
            text = _without_trailing_tags(text)
        return text.lower().rstrip(" .;:")   # ASCII: lower() is casefold()
    words = text.split()
    return _normalise_words(words) if len(words) >= min_words else None


def _single_spaced(text: str) -> bool:
    """Whether ``text`` is ASCII, with no two spaces in a row and no whitespace but the space and the
    newline: then so is every piece of it, and each piece within one of its lines is ``single_spaced`` for
    ``_duplicate_key`` (a narrative is asked once instead of each of its paragraphs and sentences)."""
    return text.isascii() and "  " not in text and not _has_line_whitespace(text)


def _has_line_whitespace(text: str) -> bool:
    """Whether ``text`` holds one of the ASCII characters that ``str.split`` splits on but the space and the
    newline: \\t \\v \\f \\r and the separators \\x1c-\\x1f. (Eight searches for one character each cost less
    than ``str.isprintable``, which looks every character up in the Unicode tables.)"""
    return ("\t" in text or "\r" in text or "\x0b" in text or "\x0c" in text or "\x1c" in text
            or "\x1d" in text or "\x1e" in text or "\x1f" in text)


def _without_trailing_tags(text: str) -> str:
    """``_TRAILING_TAGS.sub("", text)`` for a text without newlines (``$`` then means its end), found
    without trying the pattern at every position: a match begins at the whitespace before the last ``[``
    (no ``[`` can come after it), and is there when what follows that ``[`` holds no ``]``, or only
    whitespace after its first ``]``."""
    at = text.rfind("[")
    if at < 0:
        return text
    close = text.find("]", at + 1)
    if close >= 0 and text[close + 1:].strip():
        return text
    return text[:at].rstrip()


_UNKNOWN = object()


def check_duplicate_text(ctx: CheckContext) -> Iterator[Hit]:
    """Paragraphs, then sentences, that repeat earlier narrative text exactly or up to case and spacing."""
    min_words = ctx.config.duplicate_min_words
    covered: list[tuple[int, int]] = []
    # text -> its normalised key, None when it is too short to count: a one-sentence paragraph is also a
    # sentence
    keys: dict[str, str | None] = {}
    # each narrative's paragraphs and sentences, its name, and whether it is _single_spaced, so that its
    # paragraphs and sentences (pieces of its lines) need not be asked
    narratives = [(ctx._split(at, narrative), where, _single_spaced(narrative))
                  for at, _, narrative, where in ctx._narratives]

    def scan(part: int, kind: str) -> Iterator[Hit]:   # part: 0 paragraphs, 1 sentences
        seen: dict[str, tuple[int, str]] = {}   # key -> (start, text) of its first unit
        for pieces, where, single_spaced in narratives:
            for start, end, text in pieces[part]:
                key = keys.get(text, _UNKNOWN)
                if key is _UNKNOWN:
                    key = keys[text] = _duplicate_key(text, min_words, single_spaced or None)
                if key is None or (covered and any(a <= start < b for a, b in covered)):
                    continue
                first = seen.get(key)
                if first is None:
                    seen[key] = (start, text)
                    continue
                how = "repeats" if first[1].strip() == text.strip() else "nearly repeats (up to case and spacing)"
                line = ctx.index.line_col(first[0])[0]
                covered.append((start, end))
                yield _hit(start, end, where, f'{kind} "{quote(text, 50)}" {how} the one on line {line}')

    yield from scan(0, "paragraph")
    yield from scan(1, "sentence")


def check_empty_descriptions(ctx: CheckContext) -> Iterator[Hit]:
    """Activities (in layouts whose activities have descriptions) with no description text."""
    if ctx.report.layout not in ctx.config.described_layouts:
        return
    for act, where in ctx.activity_wheres:
        if act.description is not None and act.description.text.strip():
            continue
        at = act.description.start if act.description is not None else act.start
        yield _hit(at, max(at, act.description.end if act.description else act.end), where,
                  f"{_label(act)} ({act.type or 'no type'}) has no description")


def check_missing_status(ctx: CheckContext) -> Iterator[Hit]:
    """Activities with no status, or one that is neither On-going nor Completed."""
    if ctx.report.layout not in ctx.config.status_layouts:
        return
    for act in ctx.report.activities:
        if act.status is not None:
            continue
        raw = act.status_field.text.strip() if act.status_field is not None else ""
        if raw:
            yield _hit(act.status_field.start, act.status_field.end, activity_where(act),
                      f'{_label(act)} has status "{quote(raw, 30)}", which is neither On-going nor Completed')
        else:
            at = act.status_field.start if act.status_field is not None else act.start
            yield _hit(at, at, activity_where(act), f"{_label(act)} ({act.type or 'no type'}) has no status")


def check_missing_fields(ctx: CheckContext) -> Iterator[Hit]:
    """Form fields the report's layout asks for but the report leaves empty; activities without a type."""
    report, cfg = ctx.report, ctx.config
    for name in cfg.required_fields.get(report.layout, ()):
        if _has_field(report, name):
            continue
        human, label = cfg.field_labels.get(name, (name, None))
        at, end = 0, 0
        value = getattr(report, name, None)
        m = re.search(label, ctx.text, re.MULTILINE | re.IGNORECASE) if label else None
        if m:
            at, end = m.start(), m.end()
        elif hasattr(value, "start"):
            at = end = value.start
        where = "results" if name == "results" else "metadata"
        msg = ("report does not say which resolution it implements" if name == "resolution"
               else f"{human} is missing" if name == "results" else f'field "{human}" is empty')
        yield _hit(at, end, where, msg)
    for act, where in ctx.activity_wheres:
        if act.type is None and (act.type_field is None or not act.type_field.text.strip()):
            at = act.type_field.start if act.type_field is not None else act.start
            yield _hit(at, at, where, f"{_label(act)} has no activity type")


def _has_field(report, name: str) -> bool:
    if name == "resolution":
        return bool(report.resolution_code) or report.page_id is not None
    value = getattr(report, name, None)
    if value is None:
        return False
    if isinstance(value, tuple):
        return any(v.text.strip() for v in value)
    return bool(value.text.strip())


# -- figures
_COUNTED_WORD = re.compile(r"[a-z0-9]+")


def _counted_words(claim, cfg: CheckConfig) -> list[str]:
    """The counted noun phrase without leading quantifiers or a trailing "during the year" tail."""
    return _phrase_words(claim.counted or "", cfg.counted_stopwords, cfg.counted_tail)


def _phrase_words(counted: str, stopwords, tail) -> list[str]:
    words = _COUNTED_WORD.findall(counted.casefold())
    while words and words[0] in stopwords:
        words.pop(0)
    for i in range(1, len(words)):
        if words[i] in tail:
            return words[:i]
    return words


def _figure_key(claim, cfg: CheckConfig) -> tuple[str, str] | None:
    """What a figure counts, comparable across the report: (unit, "platform moderator")."""
    try:
        thing = _counted_thing(claim.counted or "", cfg.counted_stopwords, cfg.counted_tail)
    except TypeError:   # word lists given as (unhashable) sets
        thing = _counted_thing.__wrapped__(claim.counted or "", cfg.counted_stopwords, cfg.counted_tail)
    return None if thing is None else (claim.unit or "", thing)


@lru_cache(maxsize=4096)
def _counted_thing(counted: str, stopwords: frozenset[str], tail: frozenset[str]) -> str | None:
    """A counted phrase as figures are compared by: "the platform moderators during the year" ->
    "platform moderator"; None when no word is left. Remembered per phrase: reports count the same few
    things (people, hectares, rangers) again and again."""
    words = _phrase_words(counted, stopwords, tail)
    if not words:
        return None
    return " ".join([*words[:-1], _singular(words[-1])])


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _bounds(claim, cfg: CheckConfig, slack: bool = True) -> tuple[float, float]:
    """The values a figure allows: "over 11 million" is (11e6, inf); "about 300" is 300 give or take 15 %."""
    lo = claim.value
    hi = claim.value_max if claim.value_max is not None else claim.value
    if claim.bound in (">", ">="):
        return lo, math.inf
    if claim.bound in ("<", "<="):
        return 0.0, hi
    if claim.bound == "~":
        return lo * (1 - cfg.approximate_slack), hi * (1 + cfg.approximate_slack)
    if not slack:
        return lo, hi
    return lo * (1 - cfg.exact_slack), hi * (1 + cfg.exact_slack)


def _significant_digits(value: float) -> str:
    digits = f"{abs(value):.6g}".replace(".", "").lstrip("0").split("e")[0]
    return digits.rstrip("0")


def _scale_slip(a: float, b: float) -> bool:
    """11 million vs 11 billion; 1,200 vs 12,000 — the same digits at another power of ten."""
    if a <= 0 or b <= 0 or a == b:
        return False
    ratio = max(a, b) / min(a, b)
    power = math.log10(ratio)
    if abs(power - round(power)) > 1e-9 or round(power) < 1:
        return False
    return round(power) % 3 == 0 or len(_significant_digits(a)) >= 2


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def check_inconsistent_figures(ctx: CheckContext) -> Iterator[Hit]:
    """The same counted thing at two scales; totals in the results smaller than what activities report."""
    cfg = ctx.config
    index = ctx.index
    achieved = []   # (claim, where, activity or None), reported results only — plans may differ freely
    for act, where in ctx.activity_wheres[:len(ctx.report.activities)]:
        achieved += [(c, where, act) for c in act.claims if c.modality == "achieved"]
    for sec in ctx.sections:
        if sec.name != "future":
            achieved += [(c, sec.name, None) for c in sec.claims if c.modality == "achieved"]
    by_key: dict[tuple[str, str], list] = defaultdict(list)
    for item in achieved:
        key = _figure_key(item[0], cfg)
        if key is not None:
            by_key[key].append(item)
    flagged: set[int] = set()
    for items in by_key.values():
        if len(items) > 1:   # a thing counted once has no other scale
            items.sort(key=lambda it: it[0].start)
            for i, (claim, where, _) in enumerate(items):
                earlier = next((c for c, _, _ in items[:i] if _scale_slip(c.value, claim.value)), None) if i else None
                if earlier is not None:
                    flagged.add(claim.start)
                    yield _hit(claim.start, claim.end, where,
                              f'"{quote(claim.text)}" contradicts "{quote(earlier.text)}" on line '
                              f"{index.line_col(earlier.start)[0]}")
        # a results total is compared with the activities' figures of the same thing: without any (a thing
        # the results count alone), there is nothing to look for, not even the total's marker
        parts = [(c, a) for c, _, a in items if a is not None]
        if not parts:
            continue
        for claim, where, _act in items:
            if where != "results" or claim.start in flagged:
                continue
            hit = _total_below_parts(ctx, claim, parts)
            if hit is not None:
                yield hit


def _total_below_parts(ctx: CheckContext, claim, parts: Iterable) -> Hit | None:
    """A results total ("in total", "to date") below the sum the activities report for the same thing.

    Figures without such a marker are left alone: "8 cities" in the results may be a subset of the
    "41 cities" of an activity, and activities may count overlapping things.
    """
    cfg = ctx.config
    sentence = ctx.text[claim.sentence_start:claim.sentence_end]
    if not ctx._total.found(sentence):
        return None
    per_activity: dict[int, tuple[float, float]] = {}   # activity index -> (least value, stated value)
    for part, act in parts:
        if not _same_verb(claim.verb, part.verb):
            continue
        least = _bounds(part, cfg, slack=False)[0]
        if least >= per_activity.get(act.index, (-1.0, 0.0))[0]:
            per_activity[act.index] = (least, part.value)
    if not per_activity:
        return None
    if _bounds(claim, cfg)[1] >= sum(p[0] for p in per_activity.values()):
        return None
    stated = sum(p[1] for p in per_activity.values())
    acts = ", ".join(str(i + 1) for i in sorted(per_activity))
    across = f"in activity {acts}" if len(per_activity) == 1 else f"across activities {acts}"
    return _hit(claim.start, claim.end, "results",
               f'total "{quote(claim.text)}" in the results is smaller than the {_fmt(stated)} '
               f"{' '.join(_counted_words(claim, cfg))} reported {across}")


def _verb_stem(verb: str) -> str:
    word = verb.casefold().split()[0] if verb.split() else ""
    for suffix in ("ing", "ed", "es", "e", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _same_verb(a: str | None, b: str | None) -> bool:
    """Figures are comparable when done the same way ("trained" / "train"), or when either has no verb."""
    return a is None or b is None or _verb_stem(a) == _verb_stem(b)


def check_planned_as_achieved(ctx: CheckContext) -> Iterator[Hit]:
    """Future actions that report results as done; Completed activities whose text only makes plans."""
    future = [n for n in ctx._narratives if n[3].startswith("future_actions") or n[3] == "future"]
    # the claims of future text were read as plans unless said in the past ("IFAW completed a review of 12
    # national laws"): an achieved one is a result reported as a future action
    done_at = [c.start for a in ctx.report.future_actions for c in a.claims if c.modality == "achieved"]
    if ctx.report.future is not None:
        done_at += [c.start for c in ctx.report.future.claims if c.modality == "achieved"]
    for at, _, text, where in future:
        for start, end, sentence in ctx._split(at, text)[1]:
            if ctx.is_plan(sentence):
                continue
            # an achieved figure in the sentence first: it is cheaper to look for than the markers
            if any(start <= p < end for p in done_at) or ctx.has_achieved_marker(sentence):
                yield _hit(start, end, where, f'future action states an achieved result: "{quote(sentence, 60)}"')
    for act, where in ctx.activity_wheres[:len(ctx.report.activities)]:
        desc = act.description
        if act.status != "Completed" or desc is None or not desc.text.strip():
            continue
        sentences = ctx._split(desc.start, desc.text)[1]
        if sentences and all(ctx.is_plan(s) and not ctx.reports_done(s) for _, _, s in sentences):
            yield _hit(desc.start, desc.end, where,
                      f'{_label(act)} is marked Completed but only states plans: "{quote(desc.text, 60)}"')


RULES: tuple[Rule, ...] = (
    Rule("unreferenced-claim", "warning",
         "A figure that no operative-paragraph reference covers (untagged activity or section paragraph; "
         "in future actions: info).",
         check_unreferenced_claims),
    Rule("untagged-activity", "warning",
         "An activity that cites no operative paragraph (future actions: info).", check_untagged_activities),
    Rule("unknown-reference", "error",
         "A reference to a paragraph the resolution does not have.", check_unknown_references,
         needs="resolution"),
    Rule("malformed-reference", "error",
         "A tag list that is cut off or garbled: [OP2; OP4, [OP2;; ], [0P4].", check_malformed_references),
    Rule("duplicate-text", "warning",
         "A paragraph or sentence repeated in the report, exactly or up to case and spacing.",
         check_duplicate_text),
    Rule("empty-description", "error", "An activity with no description.", check_empty_descriptions),
    Rule("missing-status", "warning",
         "An activity with no status, or one other than On-going / Completed.", check_missing_status),
    Rule("missing-field", "warning",
         "A form field the layout asks for (resolution, constituent, period ...) left empty.",
         check_missing_fields),
    Rule("inconsistent-figure", "warning",
         "The same counted thing at different scales, or a results total below the activities' sum.",
         check_inconsistent_figures),
    Rule("planned-as-achieved", "warning",
         "A future action claiming achieved results, or a Completed activity that only states plans.",
         check_planned_as_achieved),
)


def rule_codes(rules: Sequence[Rule] = RULES) -> list[str]:
    return [r.code for r in rules]


def select_rules(rules: Sequence[Rule] = RULES, select=None, ignore=None) -> list[Rule]:
    """The rules left after ``select`` (only these) and ``ignore`` (not these); unknown codes raise."""
    known = set(rule_codes(rules))
    chosen = _codes(select)
    dropped = _codes(ignore) or set()
    unknown = sorted(((chosen or set()) | dropped) - known)
    if unknown:
        raise UnknownRuleError(f"unknown rule code(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return [r for r in rules if (chosen is None or r.code in chosen) and r.code not in dropped]


def _codes(value) -> set[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.split(",")
    return {c.strip() for c in value if c and c.strip()}


def check_report(report, resolution=None, tagger=None, *, select=None, ignore=None,
                 rules: Sequence[Rule] = RULES, config: CheckConfig = DEFAULT_CONFIG) -> list[Finding]:
    """Run the selected rules on a parsed report; findings sorted by position.

    ``resolution`` (a Resolution) enables ``unknown-reference``; ``tagger`` (an OpTagger) adds suggested
    paragraphs to ``unreferenced-claim`` and ``untagged-activity``. ``select`` / ``ignore`` take rule
    codes (a list or a comma-separated string).
    """
    active = rules if select is None and ignore is None else select_rules(rules, select, ignore)
    ctx = CheckContext(report, resolution, tagger, config)
    index = ctx.index
    findings = []
    for rule in active:
        if rule.needs == "resolution" and resolution is None:
            continue
        for hit in rule.check(ctx):
            line, column = index.line_col(hit.start)
            findings.append(_new_finding(rule.code, hit.severity or rule.severity, hit.message, hit.start, hit.end,
                                         line, column, hit.where, tuple(hit.suggestion)))
    findings.sort(key=lambda f: (f.start, f.end, f.code))
    return findings


def worst(findings: Iterable[Finding]) -> str | None:
    """The highest severity among ``findings`` (None when there are none)."""
    ranks = [SEVERITY_RANK[f.severity] for f in findings]
    return SEVERITIES[max(ranks)] if ranks else None

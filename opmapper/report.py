"""Report parsing: the five known layouts of implementation reports -> a Report with offsets.

CONTRACT (owned by the report-parsing work; checks, tagger, batch and render rely on these names).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._records import Record
from .claims import Claim
from .references import Reference

LAYOUTS = ("activity-report", "progress-report", "activity-report-legacy", "progress-report-legacy", "unknown")
ACTIVITY_TYPES = (
    "Capacity-building",
    "Convene stakeholders/Networking",
    "Education/Communication/Raising awareness",
    "Field activities",
    "Fundraising",
    "Policy influencing/advocacy",
    "Scientific/technical activities",
    "Other",
)
STATUSES = ("On-going", "Completed")


@dataclass(frozen=True)
class Field(Record):
    """A text value with its offsets into the original text: text == source[start:end]."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Member(Record):
    name: str
    acronym: str | None
    country: str | None
    start: int
    end: int


@dataclass(frozen=True)
class Activity(Record):
    """One activity or future action. ``section`` is "activities" or "future_actions"."""

    section: str
    index: int                         # 0-based position within its section
    type: str | None                   # normalised to ACTIVITY_TYPES, None when absent or unknown
    type_field: Field | None           # the raw type text and its span
    description: Field | None          # None (or empty text) when the description is missing
    status: str | None                 # normalised to STATUSES, None when absent
    status_field: Field | None
    references: tuple[Reference, ...]  # offsets are into the ORIGINAL report text
    claims: tuple[Claim, ...]          # offsets are into the ORIGINAL report text
    start: int                         # span of the whole block in the original text
    end: int


@dataclass(frozen=True)
class Section(Record):
    """A free-text section: "results", "challenges", "future" (free-text future actions), "additional"."""

    name: str
    text: str
    start: int
    end: int
    references: tuple[Reference, ...]
    claims: tuple[Claim, ...]


@dataclass(frozen=True)
class Report(Record):
    source: str | None
    text: str                          # the original text; offsets everywhere point into it
    layout: str                        # one of LAYOUTS
    title: Field | None
    resolution_code: str | None        # "WCC-2020-Res-040"
    page_id: int | None
    submitted_by: Field | None
    submitted_on: str | None           # ISO date "2022-09-30"
    constituent: Field | None
    constituent_type: Field | None
    period: Field | None
    geographic_scope: tuple[Field, ...]
    members: tuple[Member, ...]
    secretariat: bool | None
    other_organisations: tuple[Field, ...]
    activities: tuple[Activity, ...]
    future_actions: tuple[Activity, ...]
    results: Section | None
    challenges: Section | None
    future: Section | None             # free-text future actions (legacy layouts)
    implementation_status: Field | None
    report_status: Field | None
    warnings: tuple[str, ...]

    def sections(self) -> tuple[Section, ...]:
        return tuple(s for s in (self.results, self.challenges, self.future) if s is not None)

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError


def parse_report(text: str, source: str | None = None, *, nlp=None, claims: bool = True) -> Report:
    raise NotImplementedError

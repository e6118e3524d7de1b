"""Quality checks: a linter for reports.

CONTRACT (owned by the checks work; batch and cli rely on these names).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._records import Record


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


def check_report(report, resolution=None, tagger=None, *, select=None, ignore=None) -> list[Finding]:
    raise NotImplementedError

"""Print label statistics for the bundled corpus (corpus/reports/<CODE>/*.txt).

A plain script (standard library plus the form's closed vocabularies from opmapper.report) that
reads reports independently of opmapper's own report parser, so it cross-checks it. It reads the two layouts the corpus uses:

* current activity reports: ``Activity`` / type / ``Description and results/achievements of
  activities:`` / text / ``Status`` blocks, and ``Future action / activity`` / type /
  ``Description`` / text blocks;
* legacy activity reports: the flattened ``ActionDescriptionStatus`` rows and the
  ``Future ActionDescription`` rows, where type, description and status run together.

Labels are the bracketed tag lists (``[OP2; OP4.b]``, also when glued to the status or cut
off at the end of a truncated report) and prose references ("operative paragraph 3",
"operative sub-paragraph 4b").

Usage: python corpus/stats.py [CORPUS_DIR]
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

# The form's closed vocabularies are shared facts; the parsing below stays independent of opmapper's parser.
from opmapper.report import ACTIVITY_TYPES  # noqa: E402

CURRENT_ACTIVITY = re.compile(
    r"^Activity\n(?P<type>[^\n]*)\nDescription and results/achievements of activities:\n"
    r"(?P<text>.*?)(?=\nStatus\n|\nActivity\n|\nDescribe any challenges|\Z)",
    re.S | re.M,
)
CURRENT_FUTURE = re.compile(
    r"^Future action / activity\n(?P<type>[^\n]*)\nDescription\n"
    r"(?P<text>.*?)(?=\nFuture action / activity\n|\nIII\. Additional Information|\Z)",
    re.S | re.M,
)
LEGACY_TABLE = re.compile(r"^ActionDescriptionStatus\n(?P<rows>.*?)(?=\nPlease report on the result|\Z)", re.S | re.M)
LEGACY_FUTURE = re.compile(r"^Future ActionDescription\n(?P<rows>.*?)(?=\n[A-Z][^\n]*: ?\n|\Z)", re.S | re.M)
ROW_START = re.compile("^(?:" + "|".join(re.escape(t) for t in ACTIVITY_TYPES) + ")", re.M)

TAG_LIST = re.compile(r"\[(OP\d[^\]\n]*)(?:\]|$)")
TAG = re.compile(r"OP(\d+)(?:\.([a-z]))?(?:\.([ivx]+))?")
PROSE = re.compile(r"operative (?:sub-)?paragraphs? (\d+)(?: ?\(?([a-h])\b\)?)?", re.I)


def labels_of(text: str) -> tuple[str, ...]:
    """Paragraph ids an activity is labelled with, in order of first mention."""
    found: list[str] = []
    for tag_list in TAG_LIST.finditer(text):
        for m in TAG.finditer(tag_list.group(1)):
            found.append(".".join(p for p in m.groups() if p))
    for m in PROSE.finditer(text):
        found.append(m.group(1) + ("." + m.group(2) if m.group(2) else ""))
    ids = ["OP" + f for f in found]
    return tuple(dict.fromkeys(ids))


def split_rows(block: str) -> list[str]:
    starts = [m.start() for m in ROW_START.finditer(block)]
    return [block[a:b].strip() for a, b in zip(starts, starts[1:] + [len(block)], strict=True)]


def activities_of(text: str) -> list[tuple[str, str]]:
    """(section, description) for every activity and future action in one report."""
    text = text.replace("\r\n", "\n")
    out = [("activities", m.group("text")) for m in CURRENT_ACTIVITY.finditer(text)]
    out += [("future_actions", m.group("text")) for m in CURRENT_FUTURE.finditer(text)]
    for table in LEGACY_TABLE.finditer(text):
        out += [("activities", row) for row in split_rows(table.group("rows"))]
    for table in LEGACY_FUTURE.finditer(text):
        out += [("future_actions", row) for row in split_rows(table.group("rows"))]
    return out


def constituent_of(text: str) -> str:
    m = re.search(r"^IUCN Constituent:? ?\n(.+)$", text, re.M)
    return m.group(1).strip() if m else "?"


def paragraph_ids(resolution: Path) -> list[str]:
    """OP ids of a resolution text, in order (OP1, OP1.a, OP1.b, OP2, ..., OP1.b.ii)."""
    ids: list[str] = []
    op = letter = None
    in_operative = False
    for line in resolution.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("The IUCN World Conservation Congress"):
            in_operative = True
            continue
        if not in_operative:
            continue
        if m := re.match(r"(\d+)\.\s", line):
            op, letter = m.group(1), None
            ids.append(f"OP{op}")
        elif m := re.match(r"([ivx]+)\.\s", line):
            if op and letter:
                ids.append(f"OP{op}.{letter}.{m.group(1)}")
        elif m := re.match(r"([a-h])\.\s", line):
            letter = m.group(1)
            ids.append(f"OP{op}.{letter}")
    return ids


def main(corpus: Path) -> None:
    grand = Counter()
    for folder in sorted(p for p in (corpus / "reports").iterdir() if p.is_dir()):
        code = folder.name
        files = sorted(folder.glob("*.txt"))
        organisations = set()
        per_section = Counter()
        counts = Counter()
        per_paragraph = Counter()
        n_labels = Counter()
        for path in files:
            text = path.read_text(encoding="utf-8")
            organisations.add(constituent_of(text))
            for section, description in activities_of(text):
                labels = labels_of(description)
                per_section[section] += 1
                counts["tagged" if labels else "untagged"] += 1
                n_labels[len(labels)] += 1
                per_paragraph.update(labels)
        total = sum(per_section.values())
        multi = sum(v for k, v in n_labels.items() if k >= 2)
        print(f"== {code}")
        print(f"reports: {len(files)}  organisations: {len(organisations)}")
        print(
            f"activities: {total} (current {per_section['activities']}, future {per_section['future_actions']})"
            f"  tagged: {counts['tagged']}  untagged: {counts['untagged']} ({100 * counts['untagged'] / max(total, 1):.0f}%)"
        )
        print(
            "labels per activity: "
            + ", ".join(f"{k}: {n_labels[k]}" for k in sorted(n_labels))
            + f"  (two or more: {100 * multi / max(total, 1):.0f}%)"
        )
        resolution = corpus / "resolutions" / f"{code}.txt"
        known = paragraph_ids(resolution) if resolution.exists() else sorted(per_paragraph)
        print("examples per paragraph: " + ", ".join(f"{p} {per_paragraph[p]}" for p in known))
        unknown = sorted(set(per_paragraph) - set(known))
        if unknown:
            print("LABELS NOT IN THE RESOLUTION: " + ", ".join(unknown))
        grand.update(reports=len(files), activities=total, tagged=counts["tagged"], multi=multi)
    print(
        f"== total: {grand['reports']} reports, {grand['activities']} activities, "
        f"{grand['tagged']} tagged, {grand['multi']} with two or more labels"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)

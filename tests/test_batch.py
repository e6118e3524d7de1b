"""Batch runs: every file accounted for, outputs independent of --jobs, resumable, interruptible."""

from __future__ import annotations

import csv
import hashlib
import json
import multiprocessing
import os
import pickle
import re
import shutil
from pathlib import Path

import pytest

import opmapper
from opmapper import batch
from opmapper.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

EXAMPLES = sorted((CORPUS / "examples").glob("*.txt"))
OUTPUTS = ("reports.jsonl", "activities.csv", "claims.csv", "findings.csv", "coverage.csv", "errors.csv",
           "summary.html")
MAX_BYTES = 40_000

# A report written for these tests: a current activity report whose narrative carries markup that must
# never reach a page as markup, and a figure in the results.
SCRIPT_REPORT = """Submitted by
Mara.OKONKWO
on Wed, 05/10/2023 - 10:05
General Information
Resolution
49179
IUCN Constituent
Lantern Reef Wildlife Watch
IUCN Constituent type
IUCN Member organisation
Period covered
2022 - 2023
Geographic scope
Africa
II. Implementation
Activities carried out to implement this Resolution
Activity
Capacity-building
Description and results/achievements of activities:
We coached 25 cyber-crime officers to read listings such as "<script>alert('ivory')</script>" & coded adverts. [OP2]
Status
Completed
Activity
Scientific/technical activities
Description and results/achievements of activities:
We tracked 140 adverts for live parrots on four marketplaces and shared the list with customs.
Status
On-going
Please report on the result /achievement of the actions taken
Two sellers were fined after the advert list reached the police.
"""

# A saved portal page: the same form as markup, with page furniture that is not report text.
PORTAL_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Activity report | Portal</title>
<style>.label { font-weight: bold }</style>
<script>window.trackVisit && trackVisit('report');</script></head>
<body><nav><a href="/">Home</a></nav>
<main>
<div class="field"><div class="label">Submitted by</div><div class="value">Dao.NGUYEN</div>
<div class="value">on Mon, 02/06/2023 - 08:30</div></div>
<h2>General Information</h2>
<div class="field"><div class="label">Resolution</div><div class="value">49179</div></div>
<div class="field"><div class="label">IUCN Constituent</div><div class="value">Green Mekong Watch</div></div>
<div class="field"><div class="label">IUCN Constituent type</div><div class="value">IUCN Member organisation</div></div>
<div class="field"><div class="label">Period covered</div><div class="value">2022</div></div>
<h2>II. Implementation</h2>
<h3>Activities carried out to implement this Resolution</h3>
<div class="activity"><div class="label">Activity</div><div class="value">Field activities</div>
<div class="label">Description and results/achievements of activities:</div>
<div class="value"><p>Our patrols checked 60 village markets for pangolin scales advertised on social media. [OP4.b]</p></div>
<div class="label">Status</div><div class="value">On-going</div></div>
</main></body></html>
"""


def _build_archive(root: Path) -> dict[str, object]:
    """An archive with good files of every layout and one of every kind of bad file."""
    if not EXAMPLES:
        pytest.skip("corpus/examples has no reports yet")
    root.mkdir(parents=True)
    good: list[Path] = []
    for path in EXAMPLES:
        dest = root / path.name
        shutil.copyfile(path, dest)
        good.append(dest)
    nested = root / "2023" / "portal"
    nested.mkdir(parents=True)
    (nested / "lantern_reef.md").write_text(SCRIPT_REPORT, encoding="utf-8")
    (nested / "green_mekong.html").write_text(PORTAL_PAGE, encoding="utf-8")
    good += [nested / "lantern_reef.md", nested / "green_mekong.html"]
    legacy = (CORPUS / "examples" / "activity-report-legacy.txt").read_text(encoding="utf-8")
    cp1252 = root / "windows_export.txt"
    cp1252.write_bytes(legacy.replace("Pangolin Guardians", "Pangolin Gardiens Réseau").encode("cp1252"))
    truncated = root / "cut_short.txt"
    current = (CORPUS / "examples" / "activity-report.txt").read_text(encoding="utf-8")
    truncated.write_text(current[: len(current) * 2 // 5], encoding="utf-8")
    good += [cp1252, truncated]
    bad = {
        root / "empty.txt": b"",
        root / "scanned.txt": b"%PDF-1.4\x00\x01\x02\x00binary\x00" * 40,
        root / "huge.txt": (current + "\n") * (MAX_BYTES // len(current) + 2),
        root / "garbled.txt": b"Activity\n\x81\x8d\x8f\x90\x9d report text\n",
    }
    for path, data in bad.items():
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    (root / "notes.pdf").write_bytes(b"%PDF not a report")  # not a report suffix: a folder walk skips it
    reasons = {str(root / "empty.txt"): "empty", str(root / "scanned.txt"): "binary",
               str(root / "huge.txt"): "too large", str(root / "garbled.txt"): "neither UTF-8 nor cp1252"}
    return {"root": root, "good": sorted(str(p) for p in good), "reasons": reasons}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return _build_archive(tmp_path_factory.mktemp("batch") / "archive")


@pytest.fixture(scope="module")
def runs(archive, tmp_path_factory):
    """The same archive run with one worker and with two."""
    out = tmp_path_factory.mktemp("out")
    one = batch.run([archive["root"]], out / "jobs1", jobs=1, max_bytes=MAX_BYTES)
    two = batch.run([archive["root"]], out / "jobs2", jobs=2, max_bytes=MAX_BYTES)
    return {"jobs1": (out / "jobs1", one), "jobs2": (out / "jobs2", two)}


def _records(out: Path) -> list[dict]:
    with open(out / "reports.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:  # the tables carry a BOM for spreadsheets
        return list(csv.DictReader(fh))


def test_every_good_file_is_a_record_and_every_bad_one_an_error(archive, runs):
    out, summary = runs["jobs1"]
    records = _records(out)
    assert [r["source"] for r in records] == archive["good"]
    errors = {row["source"]: row["reason"] for row in _rows(out / "errors.csv")}
    assert set(errors) == set(archive["reasons"])
    for source, expected in archive["reasons"].items():
        assert expected in errors[source], (source, errors[source])
    assert summary["analysed"] == len(archive["good"]) and summary["failed"] == len(archive["reasons"])
    assert summary["reports"] == len(archive["good"]) and summary["errors"] == len(archive["reasons"])
    assert summary["inputs"] == len(archive["good"]) + len(archive["reasons"])  # notes.pdf is not an input


def test_outputs_are_identical_for_one_and_two_workers(runs):
    one, two = runs["jobs1"][0], runs["jobs2"][0]
    for name in OUTPUTS:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    pages_one = sorted(p.name for p in (one / "reports").glob("*.html"))
    assert pages_one == sorted(p.name for p in (two / "reports").glob("*.html"))
    for name in pages_one:
        assert (one / "reports" / name).read_bytes() == (two / "reports" / name).read_bytes()


def test_tables_written_during_the_run_equal_a_rebuild_from_reports_jsonl(runs, tmp_path):
    # a fresh run writes the derived tables as reports arrive; finalize alone rebuilds them from the
    # records: the two ways must give the same bytes (and no part files may be left behind)
    fresh = runs["jobs1"][0]
    rebuilt = tmp_path / "rebuilt"
    rebuilt.mkdir()
    shutil.copy(fresh / "reports.jsonl", rebuilt / "reports.jsonl")
    shutil.copy(fresh / "errors.csv", rebuilt / "errors.csv")
    batch.finalize(rebuilt)
    for name in OUTPUTS:
        assert (fresh / name).read_bytes() == (rebuilt / name).read_bytes(), name
    assert sorted(p.name for p in (fresh / "reports").glob("*.html")) == \
        sorted(p.name for p in (rebuilt / "reports").glob("*.html"))
    assert sorted(p.name for p in fresh.iterdir()) == sorted([*OUTPUTS, "reports"])


FINALIZE_ALONE = """
import sys
from opmapper import batch
batch.finalize(sys.argv[1])
print(sorted(m for m in ("spacy", "sklearn") if m in sys.modules))
"""


def test_finalize_alone_reads_the_bundled_resolutions_without_loading_the_analyser(runs, tmp_path):
    # the README's Dask flow ends with finalize(out_dir) in a process that analysed nothing: coverage
    # still lists every paragraph of the bundled resolutions, and neither spaCy nor scikit-learn is loaded
    import subprocess
    import sys

    fresh = runs["jobs1"][0]
    rebuilt = tmp_path / "rebuilt"
    rebuilt.mkdir()
    for name in ("reports.jsonl", "errors.csv"):
        shutil.copy(fresh / name, rebuilt / name)
    done = subprocess.run([sys.executable, "-c", FINALIZE_ALONE, str(rebuilt)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    for name in OUTPUTS:
        assert (fresh / name).read_bytes() == (rebuilt / name).read_bytes(), name


@pytest.mark.parametrize(
    ("name", "encoding", "html", "must_contain", "must_not_contain"),
    [
        ("windows_export.txt", "cp1252", False, "Pangolin Gardiens Réseau", None),
        ("green_mekong.html", "utf-8", True, "60 village markets", "trackVisit"),
        ("activity-report.txt", "utf-8", False, "Blue Tide Fisheries Alliance", None),
    ],
)
def test_records_keep_decoding_hash_and_text(runs, archive, name, encoding, html, must_contain, must_not_contain):
    records = {Path(r["source"]).name: r for r in _records(runs["jobs1"][0])}
    record = records[name]
    source = Path(record["source"])
    assert record["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert record["encoding"] == encoding and record["html"] is html
    assert must_contain in record["report"]["text"]
    if must_not_contain:
        assert must_not_contain not in record["report"]["text"]
        assert "<div" not in record["report"]["text"]


def test_saved_portal_page_is_parsed_like_a_text_export(runs):
    record = next(r for r in _records(runs["jobs1"][0]) if r["source"].endswith("green_mekong.html"))
    assert record["resolution_code"] == "WCC-2020-Res-040"
    acts = record["report"]["activities"]
    assert [a["type"] for a in acts] == ["Field activities"]
    assert [r["id"] for r in acts[0]["references"]] == ["OP4.b"]


def test_tables_agree_with_the_records(runs):
    out, _ = runs["jobs1"]
    records = _records(out)
    activities = _rows(out / "activities.csv")
    assert len(activities) == sum(r["counts"]["activities"] for r in records)
    assert len(_rows(out / "claims.csv")) == sum(r["counts"]["claims"] for r in records)
    assert len(_rows(out / "findings.csv")) == sum(len(r["findings"]) for r in records)
    # Coverage: activities tagged with a paragraph, counted straight from the records.
    tagged: dict[tuple[str, str], int] = {}
    for rec in records:
        for act in rec["report"]["activities"] + rec["report"]["future_actions"]:
            for pid in dict.fromkeys(ref["id"] for ref in act["references"]):
                key = (rec["resolution_code"] or "", pid)
                tagged[key] = tagged.get(key, 0) + 1
    coverage = {(row["resolution_code"], row["paragraph"]): row for row in _rows(out / "coverage.csv")}
    assert tagged, "the examples carry explicit tags"
    for key, count in tagged.items():
        assert int(coverage[key]["activities_tagged"]) == count, key
        assert int(coverage[key]["reports"]) >= 1


def test_coverage_lists_every_operative_paragraph_of_a_reported_resolution(runs):
    out, _ = runs["jobs1"]
    resolution = opmapper.load_resolutions()["WCC-2020-Res-040"]
    rows = [r for r in _rows(out / "coverage.csv") if r["resolution_code"] == "WCC-2020-Res-040"]
    listed = [r["paragraph"] for r in rows if r["in_resolution"] == "true"]
    assert listed == [p.id for p in resolution.paragraphs if p.kind == "operative"]
    silent = [r["paragraph"] for r in rows if r["reports"] == "0"]
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert "Paragraphs nobody reports on" in summary
    for pid in silent:
        if not any(r["paragraph"].startswith(pid + ".") and r["reports"] != "0" for r in rows):
            assert f"<li><b>{pid}</b>" in summary


def test_pages_are_self_contained_and_escape_report_text(runs):
    out, _ = runs["jobs1"]
    pages = [out / "summary.html", *sorted((out / "reports").glob("*.html"))]
    assert len(pages) == 1 + len(_records(out))
    external = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(|@import""", re.I)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not external.search(html), page
        assert "<script" not in html.lower(), page
    lantern = next(p for p in pages if p.name.startswith("lantern_reef"))
    assert "&lt;script&gt;alert(&#x27;ivory&#x27;)&lt;/script&gt;" in lantern.read_text(encoding="utf-8")
    summary = pages[0].read_text(encoding="utf-8")
    for record in _records(out):  # every report is linked from the summary, and the page exists
        slug = batch.report_slug(record["source"], record["sha256"])
        assert f'href="reports/{slug}.html"' in summary
        assert (out / "reports" / f"{slug}.html").exists()


def test_every_report_is_linked_even_when_the_grids_are_cut_short(runs, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(runs["jobs1"][0], out)
    batch.finalize(out, max_grid_rows=1)
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert "more reports are not drawn" in summary
    for record in _records(out):
        assert f'href="reports/{batch.report_slug(record["source"], record["sha256"])}.html"' in summary
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))


def test_resume_does_no_repeated_work_and_changes_nothing(runs, archive, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(runs["jobs1"][0], out)
    before = {name: (out / name).read_bytes() for name in OUTPUTS}
    again = batch.run([archive["root"]], out, jobs=2, resume=True, max_bytes=MAX_BYTES)
    assert again["analysed"] == 0 and again["failed"] == 0
    assert again["skipped"] == len(archive["good"]) + len(archive["reasons"])
    for name in OUTPUTS:
        assert (out / name).read_bytes() == before[name], name


def test_resume_adds_new_files_in_order(tmp_path):
    root = _build_archive(tmp_path / "archive")["root"]
    late = root / "late"
    late.mkdir()
    shutil.move(str(root / "activity-report-fr.txt"), late / "activity-report-fr.txt")
    shutil.move(str(root / "empty.txt"), late / "empty.txt")
    complete = batch.run([root], tmp_path / "complete", jobs=1, max_bytes=MAX_BYTES)
    held_back = tmp_path / "held"
    shutil.move(str(late), held_back)
    first = batch.run([root], tmp_path / "out", jobs=1, max_bytes=MAX_BYTES)
    shutil.move(str(held_back), late)
    second = batch.run([root], tmp_path / "out", jobs=1, resume=True, max_bytes=MAX_BYTES)
    assert second["analysed"] == 1 and second["failed"] == 1
    assert second["skipped"] == first["analysed"] + first["failed"]
    assert second["reports"] == complete["reports"] and second["errors"] == complete["errors"]
    for name in OUTPUTS:
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "complete" / name).read_bytes(), name


def test_interrupt_leaves_valid_outputs_and_resume_completes_them(tmp_path, monkeypatch):
    root = _build_archive(tmp_path / "archive")["root"]
    complete = batch.run([root], tmp_path / "complete", jobs=1, max_bytes=MAX_BYTES)
    real = batch._process
    calls = []

    def interrupted_after_three(path):
        calls.append(path)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real(path)

    monkeypatch.setattr(batch, "_process", interrupted_after_three)
    out = tmp_path / "out"
    part = batch.run([root], out, jobs=1, max_bytes=MAX_BYTES)
    assert part["interrupted"] and part["analysed"] + part["failed"] == 3
    records = _records(out)  # every line whole and valid JSON
    assert len(records) == part["analysed"] and all(r["source"] for r in records)
    for name in ("activities.csv", "claims.csv", "findings.csv", "coverage.csv", "errors.csv"):
        _rows(out / name)
    assert "interrupted" in (out / "summary.html").read_text(encoding="utf-8")
    monkeypatch.setattr(batch, "_process", real)
    rest = batch.run([root], out, jobs=1, resume=True, max_bytes=MAX_BYTES)
    assert rest["skipped"] == 3 and rest["analysed"] + rest["failed"] == complete["inputs"] - 3
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (tmp_path / "complete" / name).read_bytes(), name


def test_an_exception_in_one_report_is_an_error_row_not_a_crash(tmp_path, monkeypatch):
    root = tmp_path / "archive"
    root.mkdir()
    for path in EXAMPLES[:3]:
        shutil.copyfile(path, root / path.name)
    victim = str(root / EXAMPLES[1].name)
    real = batch.Analyzer.analyze

    def flaky(self, text, source=None, **kw):
        if source == victim:
            raise RuntimeError("parser tripped on line 7")
        return real(self, text, source, **kw)

    monkeypatch.setattr(batch.Analyzer, "analyze", flaky)
    result = batch.run([root], tmp_path / "out", jobs=1)
    errors = _rows(tmp_path / "out" / "errors.csv")
    assert [(e["source"], e["reason"]) for e in errors] == [
        (victim, "analysis failed: RuntimeError: parser tripped on line 7")]
    assert result["reports"] == len(EXAMPLES[:3]) - 1


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="the workers inherit the patched analyser only when forked")
def test_a_worker_that_dies_costs_its_file_only(tmp_path, monkeypatch):
    # a report that kills the process analysing it (out of memory, a crash in native code) must not hang
    # or end the run: it becomes an error row and every other file is analysed as usual
    root = tmp_path / "archive"
    root.mkdir()
    for i, path in enumerate(EXAMPLES * 3):
        shutil.copyfile(path, root / f"{i:02d}_{path.name}")
    names = sorted(str(p) for p in root.iterdir())
    victim = names[len(names) // 2]
    expected = batch.run([root], tmp_path / "expected", jobs=1)
    real = batch.Analyzer.analyze

    def deadly(self, text, source=None, **kw):
        if source == victim:
            os._exit(9)  # as abrupt as the kernel's out-of-memory killer: no exception, no clean-up
        return real(self, text, source, **kw)

    monkeypatch.setattr(batch.Analyzer, "analyze", deadly)
    result = batch.run([root], tmp_path / "out", jobs=2, chunksize=3)
    errors = _rows(tmp_path / "out" / "errors.csv")
    assert [e["source"] for e in errors] == [victim]
    assert "stopped abruptly" in errors[0]["reason"]
    assert result["reports"] == expected["reports"] - 1 and result["failed"] == 1
    kept = [r for r in _records(tmp_path / "expected") if r["source"] != victim]
    assert _records(tmp_path / "out") == kept


@pytest.mark.parametrize(
    ("extra_args", "bad_file", "expected"),
    [([], False, 0), ([], True, 3), (["--jobs", "0"], False, 2), (["--max-bytes", "many"], False, 2)],
)
def test_cli_exit_codes(tmp_path, extra_args, bad_file, expected):
    root = tmp_path / "archive"
    root.mkdir()
    shutil.copyfile(EXAMPLES[0], root / EXAMPLES[0].name) if EXAMPLES else pytest.skip("no examples")
    if bad_file:
        (root / "blank.txt").write_text("   \n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["batch", str(root), "-o", str(out), "--jobs", "1", "--quiet", *extra_args])
    assert code == expected
    if expected != 2:
        assert (out / "summary.html").exists()
        assert len(_rows(out / "errors.csv")) == (1 if bad_file else 0)


def test_inputs_are_folders_globs_and_names(archive, tmp_path):
    root = archive["root"]
    found = batch.expand_inputs([root])
    assert str(root / "notes.pdf") not in found and str(root / "2023" / "portal" / "green_mekong.html") in found
    assert batch.expand_inputs([str(root / "*.md")]) == [str(root / "*.md")]  # kept: it becomes an error row
    assert batch.expand_inputs([str(root / "**" / "*.md")]) == [str(root / "2023" / "portal" / "lantern_reef.md")]
    missing = str(tmp_path / "gone.txt")
    assert batch.expand_inputs([missing, str(root / "empty.txt")]) == sorted([missing, str(root / "empty.txt")])
    assert batch.expand_inputs([str(root / "." / "empty.txt"), root / "empty.txt"]) == [str(root / "empty.txt")]
    inside = root / "2023"
    assert not [p for p in batch.expand_inputs([root], exclude=[inside]) if p.startswith(str(inside))]


def test_an_output_folder_inside_the_archive_is_not_read_back(tmp_path):
    root = tmp_path / "archive"
    root.mkdir()
    for path in EXAMPLES[:2]:
        shutil.copyfile(path, root / path.name)
    first = batch.run([root], root / "out", jobs=1)
    again = batch.run([root], root / "out", jobs=1, resume=True)
    assert first["inputs"] == again["inputs"] == 2 and again["skipped"] == 2
    shutil.rmtree(root / "out")
    batch.run([root], root, jobs=1)  # OUT_DIR is the archive itself: summary.html and reports/ land in it
    assert batch.run([root], root, jobs=1)["inputs"] == 2


def test_analyze_is_the_reports_jsonl_record_and_picklable(runs):
    record = next(r for r in _records(runs["jobs1"][0]) if r["source"].endswith("activity-report.txt"))
    again = opmapper.analyze(Path(record["source"]).read_text(encoding="utf-8"), record["source"])
    assert pickle.loads(pickle.dumps(again)) == again
    assert json.loads(json.dumps(again)) == {**record, "encoding": None}


def _readme_example(heading: str) -> str:
    readme = (CORPUS.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(heading):]
    return section[section.index("```python\n") + len("```python\n"):section.index("```\n", section.index("```python"))]


def test_readme_dask_example_runs_on_a_local_cluster(archive, runs, tmp_path):
    pytest.importorskip("dask.bag")
    import dask

    namespace: dict = {}
    exec(_readme_example("## Running over a very large archive"), namespace)  # the README's code, as written
    out = tmp_path / "dask"
    with dask.config.set(scheduler="processes", num_workers=2):
        totals = namespace["run_on_dask"](archive["root"], out, partitions=3, max_bytes=MAX_BYTES)
    assert totals == {"reports": len(archive["good"]), "errors": len(archive["reasons"])}
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (runs["jobs1"][0] / name).read_bytes(), name


# Short descriptions of ghost-gear work (WCC-2020-Res-091), tagged: enough to fit a small real tagger.
TAGGER_TRAINING = [
    ("We retrieved lost nets with local fishers and divers from the reef.", ["OP4"]),
    ("Fishers and divers hauled abandoned traps out of the bay in a retrieval campaign.", ["OP4"]),
    ("Volunteer divers lifted ghost nets from wrecks during three retrieval weeks.", ["OP4"]),
    ("We mapped ghost gear hotspots along the coast with sonar surveys.", ["OP2"]),
    ("A survey assessed where lost gear gathers in national waters and mapped the hotspots.", ["OP2"]),
    ("Hotspot maps of derelict gear were drawn from fisher interviews and sonar.", ["OP2"]),
    ("Port reception bins now collect worn-out nets for recycling into pellets.", ["OP3.c"]),
    ("We opened a recycling facility for end-of-life fishing gear at the harbour.", ["OP3.c"]),
    ("Harbour recycling of old nets started with a reception point on the quay.", ["OP3.c"]),
    ("A school campaign raised awareness of marine debris from fishing.", ["OP6"]),
    ("Radio spots and posters warned the public about plastic debris from fishing gear.", ["OP6"]),
    ("An exhibition on marine litter from fishing toured coastal towns.", ["OP6"]),
]


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    from opmapper.tagger import OpTagger

    code = "WCC-2020-Res-091"
    tagger = OpTagger(max_word_features=2000, max_char_features=2000, cv=2).fit(
        [t for t, _ in TAGGER_TRAINING], [labels for _, labels in TAGGER_TRAINING], code,
        paragraphs={code: opmapper.load_resolutions()[code]})
    folder = tmp_path_factory.mktemp("model") / "tagger"
    tagger.save(folder)
    return folder


def test_untagged_activities_get_suggestions_that_feed_coverage(small_model, tmp_path):
    root = tmp_path / "archive"
    root.mkdir()
    for name in ("activity-report.txt", "activity-report-legacy.txt"):
        shutil.copyfile(CORPUS / "examples" / name, root / name)
    out = tmp_path / "out"
    batch.run([root], out, jobs=1, model=small_model)
    records = {Path(r["source"]).name: r for r in _records(out)}
    ghost = records["activity-report.txt"]
    assert ghost["resolution_code"] == "WCC-2020-Res-091"
    untagged = {(a["section"], a["index"]) for a in ghost["report"]["activities"] + ghost["report"]["future_actions"]
                if not a["references"] and (a["description"] or "").strip()}
    assert untagged and {(s["section"], s["index"]) for s in ghost["suggestions"]} == untagged
    suggested: dict[str, int] = {}
    for entry in ghost["suggestions"]:
        assert 1 <= len(entry["suggestions"]) <= batch.SUGGESTIONS_PER_ACTIVITY
        for pid in {s["id"] for s in entry["suggestions"] if s["above_threshold"]}:
            suggested[pid] = suggested.get(pid, 0) + 1
    assert suggested, "the small model is confident about some ghost-gear activity"
    coverage = {r["paragraph"]: r for r in _rows(out / "coverage.csv") if r["resolution_code"] == "WCC-2020-Res-091"}
    for pid, count in suggested.items():
        assert int(coverage[pid]["activities_suggested"]) == count, pid
    assert sum(int(r["activities_suggested"]) for r in coverage.values()) == sum(suggested.values())
    assert 'class="cell c-sug"' in (out / "summary.html").read_text(encoding="utf-8")
    # The model knows nothing of the wildlife-trade resolution: no guesses, and the record says why.
    wildlife = records["activity-report-legacy.txt"]
    assert wildlife["suggestions"] == []
    assert any("not trained for WCC-2020-Res-040" in note for note in wildlife["notes"])


def test_a_named_model_that_cannot_be_loaded_stops_the_run_before_any_work(tmp_path, capsys):
    root = tmp_path / "archive"
    root.mkdir()
    shutil.copyfile(EXAMPLES[0], root / EXAMPLES[0].name)
    code = main(["batch", str(root), "-o", str(tmp_path / "out"), "--model", str(tmp_path / "nowhere"), "--quiet"])
    assert code == 2  # a bad argument, like any other (cli docstring)
    assert "nowhere" in capsys.readouterr().err
    assert not (tmp_path / "out" / "reports.jsonl").exists()


def test_names_that_match_nothing_are_error_rows(tmp_path):
    out = tmp_path / "out"
    (tmp_path / "empty_folder").mkdir()
    result = batch.run([tmp_path / "gone.txt", "-", tmp_path / "nomatch*.txt", tmp_path / "empty_folder"], out, jobs=1)
    rows = {(r["source"], r["reason"]) for r in _rows(out / "errors.csv")}
    assert rows == {(str(tmp_path / "gone.txt"), "no such file"), ("-", "batch reads files, not standard input"),
                    (str(tmp_path / "nomatch*.txt"), "no file matches this pattern"),
                    (str(tmp_path / "empty_folder"), "no report files (.txt, .md, .html, .htm) in this folder")}
    assert result["errors"] == 4 and result["reports"] == 0
    assert "gone.txt" in (out / "summary.html").read_text(encoding="utf-8")


def test_resume_reanalyses_a_file_whose_content_changed(tmp_path):
    root = tmp_path / "archive"
    root.mkdir()
    for path in EXAMPLES[:3]:
        shutil.copyfile(path, root / path.name)
    out = tmp_path / "out"
    batch.run([root], out, jobs=1)
    edited = root / EXAMPLES[0].name
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAdditional Information\nSent again in 2024.\n",
                      encoding="utf-8")
    again = batch.run([root], out, jobs=1, resume=True)
    assert again["analysed"] == 1 and again["skipped"] == 2 and again["reports"] == 3
    records = [r for r in _records(out) if r["source"] == str(edited)]
    assert [r["sha256"] for r in records] == [hashlib.sha256(edited.read_bytes()).hexdigest()]


def test_a_run_that_fails_leaves_no_part_files(tmp_path, monkeypatch):
    # an error that ends the run (here: the disk refusing a write of reports.jsonl) must not leave the
    # hidden files of the tables being written behind
    root = tmp_path / "archive"
    root.mkdir()
    for path in EXAMPLES[:2]:
        shutil.copyfile(path, root / path.name)
    out = tmp_path / "out"
    real = batch._Collector.add

    def full_disk(self, source, derived):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(batch._Collector, "add", full_disk)
    with pytest.raises(OSError):
        batch.run([root], out, jobs=1)
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
    monkeypatch.setattr(batch._Collector, "add", real)


def test_a_new_page_is_written_in_place_and_an_existing_one_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    page = tmp_path / "report-0123456789.html"
    batch._write_text(str(page), "<p>Kraków: 12 ha restored</p>")
    assert page.read_text(encoding="utf-8") == "<p>Kraków: 12 ha restored</p>"
    assert [p.name for p in tmp_path.iterdir()] == [page.name]

    # replacing a page an earlier run's record may still link: a write that fails half-way (disk full)
    # leaves the old page as it was, and no temporary file behind
    real_write = os.write
    calls = []

    def write_then_fail(fd, data):
        calls.append(fd)
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        return real_write(fd, data[:5])

    monkeypatch.setattr(batch.os, "write", write_then_fail)
    with pytest.raises(OSError):
        batch._write_text(str(page), "<p>Kraków: 15 ha restored</p>")
    monkeypatch.undo()
    assert len(calls) == 2
    assert page.read_text(encoding="utf-8") == "<p>Kraków: 12 ha restored</p>"
    assert [p.name for p in tmp_path.iterdir()] == [page.name]

    batch._write_text(str(page), "<p>Kraków: 15 ha restored</p>")
    assert page.read_text(encoding="utf-8") == "<p>Kraków: 15 ha restored</p>"
    assert [p.name for p in tmp_path.iterdir()] == [page.name]


def test_json_lines_are_compact_and_fall_back_to_the_standard_library_for_what_orjson_refuses():
    record = {"source": "archive/Łódź report.txt", "sha256": "ab12", "counts": {"claims": 3},
              "claims": [{"value": 11000000.0, "unit": None, "counted": "posts removed"}]}
    line = batch._json_line(record)
    assert "\n" not in line and "Łódź" in line  # one line, UTF-8 text as it is
    assert line.startswith('{"source":"archive/Łódź report.txt","sha256":"ab12"')
    assert json.loads(line) == record
    huge = {"source": "a.txt", "sha256": None, "value": 2**70}  # beyond 64 bits: orjson raises TypeError
    assert batch._json_line(huge) == '{"source": "a.txt", "sha256": null, "value": 1180591620717411303424}'


def test_resume_reads_reports_jsonl_lines_written_before_and_after_the_switch_to_orjson(tmp_path):
    old = json.dumps({"source": "a/old.txt", "sha256": "1f", "report": {}}, ensure_ascii=False)
    new = batch._json_line({"source": "a/new \"quoted\".txt", "sha256": "2e", "report": {}})
    path = tmp_path / "reports.jsonl"
    path.write_text(f"{old}\n{new}\n", encoding="utf-8")
    latest, hashes = batch._scan_reports(path)
    assert latest == {"a/old.txt": (0, len(old) + 1, "1f"),
                      'a/new "quoted".txt': (len(old) + 1, len(new.encode("utf-8")) + 1, "2e")}
    assert hashes == {"1f", "2e"}
    assert batch._HEAD.match(old.encode()) and batch._HEAD.match(new.encode())


def test_loading_the_analyser_freezes_its_objects_but_not_the_callers_garbage():
    import gc
    import weakref

    class Node:
        pass

    node = Node()
    node.me = node  # a cycle: only the cyclic collector can free it
    gone = weakref.ref(node)
    del node
    frozen_before = gc.get_freeze_count()
    analyzer = batch._load_analyzer(None, None)
    assert gone() is None  # collected before the freeze, not kept for the life of the process
    assert gc.get_freeze_count() > frozen_before and analyzer.analyze(batch.WARM_UP_TEXT)["report"]


def test_unreadable_bundled_resolutions_are_a_note_not_a_failure(monkeypatch):
    import opmapper.errors
    import opmapper.resolution

    def broken(directory=None):
        raise OSError("bundled folder missing")

    monkeypatch.setattr(opmapper.resolution, "load_resolutions", broken)
    monkeypatch.setattr(batch, "_ANALYZERS", {})
    assert batch._bundled_resolutions() == {}
    analyzer = batch.Analyzer()
    assert analyzer.resolutions == {}
    assert "the bundled resolution texts could not be loaded: paragraphs are not checked" in analyzer.notes
    with pytest.raises(opmapper.errors.InputError, match="bundled folder missing"):
        batch.Analyzer(resolutions="/somewhere/named")

"""Batch runs over an archive: files in; tables, per-report pages and a summary page out.

One file at a time, in a worker: read the bytes, hash them, decode (``sources.source_text``), analyse
(``analyze``: parse, references, claims, suggestions, findings) and hand back one JSON line. The main
process writes lines as they arrive, in input order, to ``reports.jsonl`` / ``errors.csv`` and flushes
each, so an interrupted run leaves valid files. At the end every derived table (activities, claims,
findings, coverage) and ``summary.html`` is regenerated in one streaming pass over ``reports.jsonl``
sorted by source path: ``--jobs`` and ``--resume`` cannot change a byte of the result.

Workers load the resolutions, the tagger and (through the parser) the spaCy pipeline once, in the pool
initializer; ``analyze`` uses the same per-process cache when called on its own (Dask, Spark, ...).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import gc
import glob
import hashlib
import heapq
import importlib
import io
import json
import os
import re
import signal
import sys
import types
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import Any

import orjson

from . import render
from ._records import LineIndex
from .errors import InputError, ModelError, OpmapperError, OutputError
from .sources import DEFAULT_MAX_BYTES, HTML_SUFFIXES, TEXT_SUFFIXES, SourceText, read_bytes, source_text

INPUT_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES
REPORTS_JSONL = "reports.jsonl"
ERRORS_CSV = "errors.csv"
SUMMARY_HTML = "summary.html"
PAGES_DIR = "reports"

ERROR_COLUMNS = ["source", "sha256", "reason"]
# The tables are for spreadsheets: with a UTF-8 byte-order mark, Excel opens them as UTF-8, not as the
# local code page; every other reader (csv, pandas with encoding="utf-8-sig") skips the mark.
CSV_ENCODING = render.CSV_ENCODING
ACTIVITY_COLUMNS = ["source", "resolution_code", "layout", "section", "index", "type", "status", "references",
                    "suggested", "suggestion_scores", "claims", "line", "start", "end", "description"]
CLAIM_COLUMNS = ["source", "resolution_code", "where", "paragraphs", "paragraphs_from", "value", "value_max",
                 "bound", "unit", "kind", "counted", "counted_head", "verb", "modality", "line", "column",
                 "start", "end", "text"]
FINDING_COLUMNS = ["source", "resolution_code", "code", "severity", "where", "line", "column", "message",
                   "suggestion", "start", "end"]
COVERAGE_COLUMNS = ["resolution_code", "paragraph", "kind", "in_resolution", "reports", "activities_tagged",
                    "activities_suggested", "claims"]

SUGGESTIONS_PER_ACTIVITY = 3
WARM_UP_TEXT = """WCC 2020 Res 040 - Activity Report
IUCN Constituent: Warm-up Society
Implementation
Indicate and briefly describe any actions that have been carried out to implement this Resolution:
ActionDescriptionStatus
Capacity-buildingWe trained 12 customs officers to spot wildlife adverts online. [OP2]On-going
Please report on the result /achievement of the actions taken:
About 40 adverts were removed.
"""


# ------------------------------------------------------------------ analysing one report
def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Analyzer:
    """What analysing a report needs, loaded once: resolutions and the OP tagger (the parser caches its
    own spaCy pipeline per process).

    ``model``/``resolutions`` name folders; None means the bundled defaults. A default that is absent
    (no tagger trained yet) is not an error: the records say so in ``notes``. A folder named explicitly
    that cannot be loaded raises ``ModelError`` / ``InputError``.
    """

    def __init__(self, model: str | os.PathLike[str] | None = None,
                 resolutions: str | os.PathLike[str] | None = None, k: int = SUGGESTIONS_PER_ACTIVITY) -> None:
        from .resolution import load_resolutions
        from .tagger_model import TaggerModel  # scoring only: no scikit-learn to import

        self.k = k
        self.notes: list[str] = []
        if resolutions is None:
            bundled = _read_bundled_resolutions()
            self.resolutions = bundled or {}
            if bundled is None:
                self.notes.append("the bundled resolution texts could not be loaded: paragraphs are not checked")
        else:
            try:
                self.resolutions = dict(load_resolutions(resolutions))
            except OpmapperError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure of a named folder is an input problem
                raise InputError(f"cannot load resolutions ({exc})", str(resolutions)) from None
        try:
            self.tagger = TaggerModel.load(model)
        except Exception as exc:  # noqa: BLE001
            if model is not None:
                if isinstance(exc, OpmapperError):
                    raise
                raise ModelError(f"{model}: cannot load the OP tagger ({exc})") from None
            self.tagger = None
            self.notes.append("no OP tagger model is installed: activities without explicit paragraph tags "
                              "get no suggestions")

    def warm_up(self) -> None:
        """Analyse a tiny report once, so that lazily built pipelines exist before work starts (and,
        when workers are forked, are shared with them instead of being built in each)."""
        try:
            self.analyze(WARM_UP_TEXT, "<warm-up>")
        except Exception:  # noqa: BLE001 - a real file will raise the same error and be recorded
            pass

    def resolution(self, code: str | None):
        return self.resolutions.get(code) if code else None

    def suggestions(self, report) -> tuple[list[dict[str, Any]], dict[tuple, list], str | None]:
        """Suggested paragraphs for every activity that has a description but no explicit tag.

        Returns the suggestions, the same answers keyed like ``tagger.suggest`` calls (so that the checks
        reuse them instead of asking the model again), and a note when none could be made.
        """
        pending = [(act, act.description.text) for act in (*report.activities, *report.future_actions)
                   if not act.references and act.description and act.description.text.strip()]
        code = report.resolution_code
        if self.tagger is None or not pending:
            return [], {}, None
        known = getattr(self.tagger, "class_slices_", None)
        if code is None:
            return [], {}, "no paragraph suggestions: the report does not say which resolution it implements"
        if known is not None and code not in known:
            return [], {}, f"no paragraph suggestions: the OP tagger was not trained for {code}"
        texts = [text for _, text in pending]
        if hasattr(self.tagger, "suggest_many"):
            # the checks' questions (sentences of unlinked figures) ride along: one tagger call per report
            checks = _module("checks")
            extra = checks.tagger_questions(report) if checks.DEFAULT_CONFIG.suggestions == self.k else []
            asked = list(dict.fromkeys([*texts, *extra]))
        else:
            asked = texts
        try:
            if hasattr(self.tagger, "suggest_many"):
                answers = dict(zip(asked, self.tagger.suggest_many(asked, resolution=code, k=self.k), strict=True))
                found = [answers[text] for text in texts]
            else:
                answers = {}
                found = [self.tagger.suggest(text, resolution=code, k=self.k) for text in texts]
        except (OpmapperError, KeyError, ValueError) as exc:
            return [], {}, f"no paragraph suggestions: {exc}"
        out, memo = [], {(text, code, self.k): answer for text, answer in answers.items()}
        for (act, text), suggestions in zip(pending, found, strict=True):
            memo[(text, code, self.k)] = suggestions
            out.append({"section": act.section, "index": act.index, "suggestions": [s.to_dict() for s in suggestions]})
        return out, memo, None

    def analyze(self, text: str, source: str | None = None, *, sha256: str | None = None,
                encoding: str | None = None, html: bool = False) -> dict[str, Any]:
        """One record (the same as a ``reports.jsonl`` line): parsed report, suggestions, findings."""
        report = _module("report").parse_report(text, source=source)
        report_dict = report.to_dict()
        report_dict.setdefault("text", text)  # the annotated view needs it; offsets point into it
        resolution = self.resolution(report.resolution_code)
        suggestions, answered, note = self.suggestions(report)
        tagger = _AnsweredTagger(self.tagger, answered) if self.tagger is not None else None
        findings = [f.to_dict() for f in _module("checks").check_report(report, resolution, tagger)]
        activities = (*report.activities, *report.future_actions)
        n_claims = sum(len(a.claims) for a in activities) + sum(len(s.claims) for s in report.sections())
        notes = list(self.notes) + ([note] if note else [])
        if report.resolution_code and resolution is None and self.resolutions:
            notes.append(f"resolution {report.resolution_code} is not among the loaded resolution texts")
        return {
            "source": source,
            "sha256": sha256 or sha256_text(text),
            "encoding": encoding,
            "html": html,
            "resolution_code": report.resolution_code,
            "resolution_known": resolution is not None,
            "layout": report.layout,
            "counts": {
                "activities": len(activities),
                "tagged_activities": sum(1 for a in activities if a.references),
                "suggested_activities": sum(1 for s in suggestions if any(
                    x.get("above_threshold", True) for x in s["suggestions"])),
                "claims": n_claims,
                "findings": len(findings),
            },
            "report": report_dict,
            "suggestions": suggestions,
            "findings": findings,
            "notes": notes,
        }


@functools.cache
def _module(name: str) -> types.ModuleType:
    """``opmapper.<name>``, imported on first use (not every opmapper command needs report parsing, the
    checks or the pages), then kept: an import statement in a function runs the import machinery (some
    10,000 instructions) every time, and a batch needs these modules several times per report."""
    return importlib.import_module(f"{__package__}.{name}")


class _AnsweredTagger:
    """The tagger as the checks see it: questions already answered for this report are not asked again."""

    def __init__(self, tagger, answered: Mapping[tuple, list]) -> None:
        self.tagger = tagger
        self.answered = answered

    def suggest(self, text: str, resolution: str | None = None, k: int = SUGGESTIONS_PER_ACTIVITY):
        found = self.answered.get((text, resolution, k))
        return found if found is not None else self.tagger.suggest(text, resolution=resolution, k=k)

    def suggest_many(self, texts, resolution: str | None = None, k: int = SUGGESTIONS_PER_ACTIVITY):
        found = [self.answered.get((text, resolution, k)) for text in texts]
        missing = [text for text, answer in zip(texts, found, strict=True) if answer is None]
        if missing:
            many = getattr(self.tagger, "suggest_many", None)
            fresh = iter(many(missing, resolution=resolution, k=k) if many is not None else
                         [self.tagger.suggest(text, resolution=resolution, k=k) for text in missing])
            found = [answer if answer is not None else next(fresh) for answer in found]
        return found

    def __getattr__(self, name: str):
        return getattr(self.tagger, name)


_ANALYZERS: dict[tuple[str | None, str | None], Analyzer] = {}


def get_analyzer(model: str | os.PathLike[str] | None = None,
                 resolutions: str | os.PathLike[str] | None = None) -> Analyzer:
    """The process's Analyzer for these folders, loaded on first use and kept."""
    key = (None if model is None else str(model), None if resolutions is None else str(resolutions))
    if key not in _ANALYZERS:
        _ANALYZERS[key] = _load_analyzer(model, resolutions)
    return _ANALYZERS[key]


def _load_analyzer(model: str | os.PathLike[str] | None, resolutions: str | os.PathLike[str] | None) -> Analyzer:
    """A warmed-up Analyzer, its objects kept out of the cyclic garbage collector's sight.

    Loading imports scipy and spaCy and builds the pipeline: some 150,000 objects that the
    collector tracks, all made to last as long as the process. It would walk them again and again while
    they are made, and in every full collection after, to free nothing (3-4% of a batch run's start-up): it is
    paused while they are made, and they then go to its permanent generation (``gc.freeze``), which also
    keeps forked batch workers from copying their memory pages when they collect (the documented use of
    ``gc.freeze`` before fork). The caller's garbage is collected first, so that none of it is frozen;
    the little that loading itself leaves (some 4,000 objects) is frozen with the rest rather than found
    by a full collection of everything loaded, which took ~0.2 s of a 2-3.5 s start-up (the docs' recipe
    for fork: disable, load, freeze, with no collection in between).
    """
    enabled = gc.isenabled()
    gc.collect()  # before loading: only what the process held already is walked
    gc.disable()
    try:
        analyzer = Analyzer(model, resolutions)
        analyzer.warm_up()
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
    return analyzer


def _read_bundled_resolutions() -> dict[str, Any] | None:
    """The bundled resolution texts (code -> Resolution), or None when they cannot be read: without them
    paragraphs are not checked and coverage lists only the paragraphs reported on, but nothing fails."""
    from .resolution import load_resolutions

    try:
        return dict(load_resolutions())
    except Exception:  # noqa: BLE001 - a broken install must not stop an analysis
        return None


def _bundled_resolutions() -> dict[str, Any]:
    """The bundled resolution texts: the default analyser's when this process has loaded it, else read on
    their own; loading an analyser for them would import spaCy and scipy and build the tagger
    (``finalize`` after ``merge_records``, in a process that analysed nothing)."""
    loaded = _ANALYZERS.get((None, None))
    if loaded is not None:
        return loaded.resolutions
    return _read_bundled_resolutions() or {}


def analyze(text: str, source: str | None = None) -> dict[str, Any]:
    """Analyse one report's text: the record a ``reports.jsonl`` line holds (plain, picklable data).

    Uses the bundled resolutions and tagger, loaded once per process: safe to map over millions of
    texts from Dask, Spark or a process pool.
    """
    return get_analyzer().analyze(text, source)


def file_sha256(path: str | os.PathLike[str]) -> str | None:
    """SHA-256 of a file's bytes (None when it cannot be read): what ``--resume`` recognises."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def analyze_file(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES,
                 analyzer: Analyzer | None = None) -> dict[str, Any]:
    """Read and analyse one file. Never raises for a bad file: returns ``{"source", "sha256", "error"}``.

    The unit of work for distributed engines: ``bag.map(analyze_file)``.
    """
    name = str(path)
    sha, data, reason = _read_hashed(name, max_bytes)
    src = _decoded(name, data) if data is not None else reason
    if not isinstance(src, SourceText):
        return {"source": name, "sha256": sha, "error": src}
    try:
        return (analyzer or get_analyzer()).analyze(src.text, name, sha256=sha, encoding=src.encoding,
                                                    html=src.is_html)
    except Exception as exc:  # noqa: BLE001 - one bad report must never end a run of thousands
        return {"source": name, "sha256": sha, "error": _failure(exc)}


def _read_hashed(path: str, max_bytes: int) -> tuple[str | None, bytes | None, str | None]:
    """(sha256, the file's bytes, None), or (sha256, None, why the file cannot be read).

    A usable file is read once: hashed and (by ``_decoded``) decoded from the same bytes. One that is not
    (too large, say) is still hashed, streaming, since --resume knows errors by their hash too; the hash is
    None when the file cannot be read at all.
    """
    try:
        data = read_bytes(path, max_bytes)
    except InputError as exc:
        return file_sha256(path), None, exc.reason
    except Exception as exc:  # noqa: BLE001 - one bad file must never end a run of thousands
        return file_sha256(path), None, _cannot_read(exc)
    return hashlib.sha256(data).hexdigest(), data, None


def _cannot_read(exc: BaseException) -> str:
    return f"cannot read file: {type(exc).__name__}: {exc}"


def _decoded(path: str, data: bytes) -> SourceText | str:
    """The report text of a file's bytes, or why there is none (binary, undecodable, an empty page...)."""
    try:
        return source_text(path, data)
    except InputError as exc:
        return exc.reason
    except Exception as exc:  # noqa: BLE001
        return _cannot_read(exc)


def _failure(exc: BaseException) -> str:
    return f"analysis failed: {type(exc).__name__}: {exc}"


# ------------------------------------------------------------------ inputs
def expand_inputs(inputs: Iterable[str | os.PathLike[str]],
                  exclude: Iterable[str | os.PathLike[str]] = ()) -> list[str]:
    """Files named, found under folders (recursively: .txt, .md, .html, .htm) or matched by globs; sorted.

    A name or glob that matches nothing, and a folder holding no report file, is kept, so that it becomes an
    error row ("no such file", "no file matches", "no report files in this folder"), not a silence.
    Paths in ``exclude`` (files, or folders and everything under them: our own pages) are left out.
    """
    if isinstance(exclude, (str, os.PathLike)):
        exclude = [exclude]
    skipped = [os.path.abspath(e) for e in exclude]

    def excluded(path: str) -> bool:
        full = os.path.abspath(path)
        return any(full == e or full.startswith(e + os.sep) for e in skipped)

    found: set[str] = set()

    def add(path: str) -> None:
        if excluded(path):
            return
        found.add(os.path.normpath(path))  # "./a.txt" and "a.txt" are one input

    def walk(folder: str) -> None:
        before = len(found)
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in files:
                if name.lower().endswith(INPUT_SUFFIXES) and not name.startswith("."):
                    add(os.path.join(root, name))
        if len(found) == before and not excluded(folder):
            found.add(os.path.normpath(folder))

    for item in inputs:
        name = str(item)
        if os.path.isdir(name):
            walk(name)
        elif os.path.exists(name) or not glob.has_magic(name):
            add(name)
        else:
            matches = glob.glob(name, recursive=True)
            if not matches:
                add(name)  # read_source reports "no file matches this pattern"
            for match in matches:
                if os.path.isdir(match):
                    walk(match)
                else:
                    add(match)
    return sorted(found)


# ------------------------------------------------------------------ workers
@dataclass(frozen=True)
class _WorkerConfig:
    model: str | None
    resolutions: str | None
    max_bytes: int
    pages_dir: str | None
    skip: frozenset[str] = field(default_factory=frozenset)


_WORKER: dict[str, Any] = {}


def _init_worker(config: _WorkerConfig, ignore_sigint: bool = True) -> None:
    """Pool initializer: load everything once per worker. Ctrl-C is the parent's to handle."""
    if ignore_sigint:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["config"] = config
    try:
        # a worker forked from the main process inherits its loaded analyser; one spawned loads it here
        _WORKER["analyzer"] = get_analyzer(config.model, config.resolutions)
        _WORKER.pop("error", None)
    except Exception as exc:  # noqa: BLE001 - a raising initializer makes a Pool respawn workers forever
        _WORKER["error"] = f"cannot load the analyser: {exc}"


def _json_line(record: Mapping[str, Any]) -> str:
    """A record as one line of reports.jsonl: compact JSON, UTF-8 text left as it is.

    orjson writes a record about five times faster than ``json.dumps`` (some 25 us instead of 150 for a
    report's 12 kB; 2-3% of a batch run). What it refuses (an integer beyond 64 bits, a lone surrogate)
    is written by the standard library instead, as before.
    """
    try:
        return orjson.dumps(record).decode("utf-8")
    except TypeError:
        return json.dumps(record, ensure_ascii=False)


def _process(path: str) -> tuple[str, str, str | None, str | None, _Derived | None]:
    """(status, source, sha256, payload, derived): ("report", .., json line, its part of the derived
    outputs), ("error", .., reason, None), ("skipped", .., None, None)."""
    config: _WorkerConfig = _WORKER["config"]
    if path == "-":
        return "error", path, None, "batch reads files, not standard input", None
    sha, data, reason = _read_hashed(path, config.max_bytes)
    # expand_inputs keeps a folder only when it holds no report file (asked only when reading failed: a
    # stat per file is no longer free when there are thousands)
    if data is None and os.path.isdir(path):
        return "error", path, None, f"no report files ({', '.join(INPUT_SUFFIXES)}) in this folder", None
    if sha is not None and sha in config.skip:
        return "skipped", path, sha, None, None
    if "error" in _WORKER:
        return "error", path, sha, _WORKER["error"], None
    src = _decoded(path, data) if data is not None else reason
    if not isinstance(src, SourceText):
        return "error", path, sha, src, None
    try:
        record = _WORKER["analyzer"].analyze(src.text, path, sha256=sha, encoding=src.encoding, html=src.is_html)
        line = _json_line(record)
        derived = None
        if config.pages_dir:
            page = _write_page(record, config.pages_dir)
            derived = _derive(record, f"{PAGES_DIR}/{os.path.basename(page)}")
    except Exception as exc:  # noqa: BLE001 - one bad report must never end a run of thousands
        return "error", path, sha, _failure(exc), None
    return "report", path, sha, line, derived


WORKER_DIED = ("the worker process analysing this file stopped abruptly (killed, out of memory or crashed); "
               "the other files were analysed")


def _chunksize(inputs: int, jobs: int) -> int:
    """Files per task sent to a worker: at least 8 tasks per worker, so that the workers finish close
    together, and at most 32 files per task. Every task costs the main process a round of the
    executor's queues and threads (about a millisecond of CPU): with 32 files, a small part of a report's
    cost, while the tasks in flight (4 per worker) still hold only a few MB of results."""
    return max(1, min(32, inputs // (jobs * 8)))


def _process_chunk(paths: list[str]) -> list[tuple]:
    return [_process(path) for path in paths]


class _WorkerPool:
    """``_process`` over the inputs in ``jobs`` worker processes; results come back in input order.

    Built on ``concurrent.futures.ProcessPoolExecutor`` rather than ``multiprocessing.Pool`` because the
    latter waits forever when a worker is killed (out of memory, a crash in native code). Here a dead
    worker breaks the pool; the files of the chunks it took down are then run again one at a time in a
    new pool, and a file that kills a worker on its own becomes an error row. Only a bounded window of
    chunks is in flight, so memory does not grow with the archive.
    """

    def __init__(self, jobs: int, config: _WorkerConfig, chunksize: int) -> None:
        self.jobs = jobs
        self.config = config
        self.chunksize = chunksize
        self.executor = None

    def _start(self):
        import concurrent.futures
        import multiprocessing

        # fork where there is fork: workers inherit the warmed-up analyser instead of loading their own
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self.executor = concurrent.futures.ProcessPoolExecutor(self.jobs, mp_context=context,
                                                               initializer=_init_worker, initargs=(self.config,))
        return self.executor

    def map(self, inputs: Sequence[str]) -> Iterator[tuple]:
        from collections import deque
        from concurrent.futures.process import BrokenProcessPool

        pending = deque(list(inputs[i:i + self.chunksize]) for i in range(0, len(inputs), self.chunksize))
        window: deque = deque()  # (chunk, future), in input order
        executor = self._start()
        while pending or window:
            while pending and len(window) < self.jobs * 4:
                chunk = pending.popleft()
                window.append((chunk, executor.submit(_process_chunk, chunk)))
            chunk, future = window.popleft()
            try:
                results = future.result()
            except BrokenProcessPool:
                # every unfinished chunk in flight is lost with the pool: finished ones keep their results
                lost = [(chunk, None)] + [(c, f.result() if f.done() and f.exception() is None else None)
                                          for c, f in window]
                window.clear()
                executor.shutdown(wait=True)
                executor = self._start()
                for lost_chunk, done in lost:
                    if done is not None:
                        yield from done
                        continue
                    for path in lost_chunk:  # one at a time: a death now names its file
                        try:
                            yield executor.submit(_process, path).result()
                        except BrokenProcessPool:
                            executor.shutdown(wait=True)
                            executor = self._start()
                            yield "error", path, file_sha256(path), WORKER_DIED, None
                continue
            yield from results

    def shutdown(self) -> None:
        """All work done: let the workers exit."""
        executor, self.executor = self.executor, None
        if executor is not None:
            executor.shutdown(wait=True)

    def close(self) -> None:
        """Stop at once: queued work is cancelled and running workers are ended (Ctrl-C, errors)."""
        executor, self.executor = self.executor, None
        if executor is None:
            return
        # ProcessPoolExecutor has no public way (before Python 3.14) to end running workers; without it an
        # interrupt would wait for the chunks in flight
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            process.terminate()
        executor.shutdown(wait=True, cancel_futures=True)


# ------------------------------------------------------------------ pages
def report_slug(source: str | None, sha256: str | None = None) -> str:
    """A stable, unique file name for a report's page, readable from its source path."""
    key = source if source else (sha256 or "")
    stem = "report"
    if source:
        # Path(source).stem, without building a Path (some 30,000 instructions, most of a page's name):
        # on POSIX, when the last "/"-separated piece is a name (not empty, not "."), it is the path's
        # name, whatever comes before it (as in _label); its stem is what comes before its last dot
        # (when that is neither its first nor its last character)
        name = source.rpartition("/")[2] if os.sep == "/" and not os.altsep else ""
        if not name or name == ".":
            name = Path(source).name
        dot = name.rfind(".")
        stem = name[:dot] if 0 < dot < len(name) - 1 else name
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")[:60]
    return f"{stem or 'report'}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:10]}"


def _write_page(record: Mapping[str, Any], pages_dir: str) -> str:
    path = os.path.join(pages_dir, report_slug(record.get("source"), record.get("sha256")) + ".html")
    # the page's UTF-8 bytes made part by part (see report_page_utf8): some 100,000 instructions less than
    # its text encoded whole
    _write_text(path, _module("render.html").report_page_utf8(record, back_href=f"../{SUMMARY_HTML}"))
    return path


def _write_text(path: str, text: str | bytes) -> None:
    """``text`` as UTF-8 (or its UTF-8 bytes) in ``path``, with plain os calls: a page is one write, and a
    text file object costs more to set up than that.

    A page that exists already (an earlier run's, which its record may still link) is replaced whole or
    not at all: written to a temporary file renamed over it. A new page is written in place: it is
    written before its report's record, and only pages of recorded reports are linked, so a new page cut
    short by an interrupt or a crash is never shown, and is replaced when its report is analysed again.
    That spares the second file and the rename, which cost about as much kernel time again (some 30 us
    a page, more when several workers create files in the same folder)."""
    data = memoryview(text.encode("utf-8") if isinstance(text, str) else text)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        tmp = None
    except FileExistsError:
        tmp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        try:
            while data:
                data = data[os.write(fd, data):]
        finally:
            os.close(fd)
        if tmp is not None:
            os.replace(tmp, path)
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise


# ------------------------------------------------------------------ reading earlier output
# (lines written before opmapper used orjson have a space after each ":" and ",")
_HEAD = re.compile(rb'^\{"source": ?("(?:[^"\\]|\\.)*"|null), ?"sha256": ?("[0-9a-f]*"|null)')


def _scan_reports(path: Path) -> tuple[dict[str, tuple[int, int, str | None]], set[str]]:
    """Index reports.jsonl without loading it: source -> (offset, length, sha256) of its LAST whole
    line, and every content hash seen. Lines cut off by a hard kill are ignored."""
    latest: dict[str, tuple[int, int, str | None]] = {}
    hashes: set[str] = set()
    if not path.exists():
        return latest, hashes
    offset = 0
    with open(path, "rb") as fh:
        for line in fh:
            size = len(line)
            if line.endswith(b"\n") and line.strip():
                head = _HEAD.match(line)
                try:
                    if head:
                        source, sha = json.loads(head.group(1)), json.loads(head.group(2))
                    else:
                        rec = json.loads(line)
                        source, sha = rec.get("source"), rec.get("sha256")
                except (ValueError, AttributeError):
                    source = sha = None
                else:
                    key = source if source is not None else f"<text:{sha}>"
                    latest[key] = (offset, size, sha)
                    if sha:
                        hashes.add(sha)
            offset += size
    return latest, hashes


def _read_errors(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, encoding=CSV_ENCODING, newline="") as fh:  # utf-8-sig also reads files without the BOM
        return [{k: (row.get(k) or "") for k in ERROR_COLUMNS} for row in csv.DictReader(fh) if row.get("source")]


# ------------------------------------------------------------------ the run
def run(paths: Iterable[str | os.PathLike[str]], out_dir: str | os.PathLike[str], *, jobs: int | None = None,
        resume: bool = False, model: str | os.PathLike[str] | None = None,
        resolutions: str | os.PathLike[str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
        progress: bool = False, chunksize: int | None = None, max_grid_rows: int = 400) -> dict[str, Any]:
    """Analyse every input into ``out_dir``; returns the run's counts.

    Counts: ``inputs`` (files found), ``analysed`` (analysed now), ``skipped`` (already done, ``resume``),
    ``failed`` (failed now), ``reports`` and ``errors`` (rows in the final reports.jsonl / errors.csv),
    ``interrupted`` (Ctrl-C: the outputs cover the files finished).
    """
    out = Path(out_dir)
    pages = out / PAGES_DIR
    try:
        out.mkdir(parents=True, exist_ok=True)
        pages.mkdir(exist_ok=True)
    except OSError as exc:
        reason = "exists and is not a folder" if isinstance(exc, FileExistsError) else exc.strerror or str(exc)
        raise OutputError(f"cannot use as the output folder: {reason}", str(out_dir)) from None
    inputs = expand_inputs(paths, exclude=[pages, out / SUMMARY_HTML])  # an OUT_DIR inside the archive
    jobs = max(1, jobs or os.cpu_count() or 1)
    # loaded and warmed up here first: a bad --model fails before any work; forked workers inherit it
    analyzer = get_analyzer(model, resolutions)

    skip: set[str] = set()
    if resume:
        skip = _scan_reports(out / REPORTS_JSONL)[1]
        skip.update(row["sha256"] for row in _read_errors(out / ERRORS_CSV) if row["sha256"])
    mode = "a" if resume else "w"
    errors_path = out / ERRORS_CSV
    errors_header = not (resume and errors_path.exists() and errors_path.stat().st_size > 0)
    config = _WorkerConfig(None if model is None else str(model), None if resolutions is None else str(resolutions),
                           max_bytes, str(pages), frozenset(skip))

    counts = Counter()
    interrupted = False
    pool = None
    reports_path = out / REPORTS_JSONL
    fresh = mode == "w" or not reports_path.exists() or reports_path.stat().st_size == 0
    # a fresh run writes the derived tables as reports arrive; a resumed one rebuilds them at the end
    collector = _Collector(out, analyzer.resolutions, max_grid_rows) if fresh else None
    bar = None
    with open(out / REPORTS_JSONL, mode, encoding="utf-8", newline="\n") as reports_fh, \
            open(errors_path, mode, encoding=CSV_ENCODING, newline="") as errors_fh:
        errors_csv = csv.writer(errors_fh, lineterminator="\n")
        if errors_header:
            errors_csv.writerow(ERROR_COLUMNS)
            errors_fh.flush()
        try:
            if progress:
                from tqdm import tqdm

                bar = tqdm(total=len(inputs), unit="files", file=sys.stderr, dynamic_ncols=True, smoothing=0.05)
            if jobs == 1 or len(inputs) <= 1:
                _init_worker(config, ignore_sigint=False)
                results: Iterator = map(_process, inputs)
            else:
                pool = _WorkerPool(min(jobs, len(inputs)), config, chunksize or _chunksize(len(inputs), jobs))
                results = pool.map(inputs)
            for status, source, sha, payload, derived in results:
                if status == "report":
                    reports_fh.write(payload + "\n")
                    reports_fh.flush()
                    if collector is not None:
                        collector.add(source, derived)
                    counts["analysed"] += 1
                elif status == "error":
                    errors_csv.writerow([render.cell(source), sha or "", render.cell(payload)])
                    errors_fh.flush()
                    counts["failed"] += 1
                else:
                    counts["skipped"] += 1
                if bar is not None:
                    bar.update(1)
            if pool is not None:
                pool.shutdown()
        except KeyboardInterrupt:
            interrupted = True
            if collector is not None:
                collector.valid = False  # the interrupt may have cut a report's rows: rebuild them
        except BaseException:
            if collector is not None:
                collector.discard()  # the run fails: leave no hidden part files in the output folder
            raise
        finally:
            if pool is not None:
                pool.close()
            if bar is not None:
                bar.close()
    totals = finalize(out, resolutions=analyzer.resolutions, interrupted=interrupted, max_grid_rows=max_grid_rows,
                      collected=collector)
    return {"inputs": len(inputs), "analysed": counts["analysed"], "skipped": counts["skipped"],
            "failed": counts["failed"], **totals, "interrupted": interrupted, "out_dir": str(out)}


def merge_records(files: Iterable[str | os.PathLike[str]], out_dir: str | os.PathLike[str]) -> dict[str, int]:
    """Add results computed elsewhere (JSON lines of ``analyze_file`` results, e.g. written by Dask or
    Spark workers) to ``out_dir``'s reports.jsonl and errors.csv. Call ``finalize(out_dir)`` after.

    Lines are re-serialised the way ``run`` writes them, so the final outputs match a ``batch`` run.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    errors_path = out / ERRORS_CSV
    header = not (errors_path.exists() and errors_path.stat().st_size > 0)
    counts = Counter()
    with open(out / REPORTS_JSONL, "a", encoding="utf-8", newline="\n") as reports_fh, \
            open(errors_path, "a", encoding=CSV_ENCODING, newline="") as errors_fh:
        errors_csv = csv.writer(errors_fh, lineterminator="\n")
        if header:
            errors_csv.writerow(ERROR_COLUMNS)
        for name in files:
            with open(name, encoding="utf-8") as fh:
                for line in fh:
                    if not line.strip():
                        continue
                    record = json.loads(line)
                    if "error" in record:
                        errors_csv.writerow([render.cell(record.get("source")), record.get("sha256") or "",
                                             render.cell(record["error"])])
                        counts["errors"] += 1
                    else:
                        reports_fh.write(_json_line(record) + "\n")
                        counts["reports"] += 1
    return {"reports": counts["reports"], "errors": counts["errors"]}


# ------------------------------------------------------------------ derived tables and the summary
class _Table:
    """One CSV output written row by row (cells formatted like every other opmapper CSV)."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.columns = columns
        self.fh = open(path, "w", encoding=CSV_ENCODING, newline="")
        self.writer = csv.writer(self.fh, lineterminator="\n")
        self.writer.writerow(columns)

    def write(self, row: Mapping[str, Any]) -> None:
        self.writer.writerow(_cells(row, self.columns))

    def close(self) -> None:
        self.fh.close()


def _cells(row: Mapping[str, Any], columns: list[str]) -> list[Any]:
    """A row's cells in column order. ~20 rows per report, ~15 cells each: the common cells (text,
    numbers, None, lists of paragraph ids) are formatted inline, because a function call per cell was
    most of the tables' cost."""
    starts = render.FORMULA_STARTS
    cells = []
    for key in columns:
        value = row.get(key)
        kind = type(value)
        if kind is list and all(type(v) is str for v in value):
            value = "; ".join(value)
            kind = str
        if kind is str:
            if value and value[0] in starts:
                value = render.formula_safe(value)
        elif value is None:
            value = ""
        elif kind is not int and kind is not float:
            value = _cell(value)
        cells.append(value)
    return cells


_PLAIN_CELL = frozenset({str, int, float, bool, type(None)})


def _cell(value: Any) -> Any:
    """``render.cell`` with the cells of the derived tables that are not text or numbers -- empty
    values and lists of paragraph ids -- formatted here, without its general conversion of records."""
    kind = type(value)
    if kind is str:
        return render.formula_safe(value)
    if kind is int or kind is float:
        return value
    if value is None:
        return ""
    if kind is list:
        for item in value:
            if type(item) is not str:
                break
        else:  # paragraph ids, nearly always: most sort after every formula start (see _FORMULA_SAFE_FROM)
            joined = "; ".join(value)
            return joined if joined >= _FORMULA_SAFE_FROM else render.formula_safe(joined)
        if all(type(v) in _PLAIN_CELL for v in value):
            return render.formula_safe("; ".join("" if v is None else str(v) for v in value))
    return render.cell(value)


_FORMULA_FIRST = "".join(render.FORMULA_STARTS)  # one character each: ``c in`` it is membership
# Text that sorts from here on opens with a character after every formula start ("A": the starts are
# = + - @ tab and carriage return), so it cannot run as a formula: most cells (words) pass without a
# look at their first character or a call of render.formula_safe.
_FORMULA_SAFE_FROM = chr(ord(max(_FORMULA_FIRST)) + 1)


def _row_cells(values: Iterable[Any]) -> list[Any]:
    """``_cells`` of a row already in column order, as text for ``_csv_texts`` (which joins rows of text
    itself): text stays as it is, unless it would run as a formula, numbers are their ``str`` and None
    is "" (as the csv writer writes them); text that would run as a formula (a claim's bound "=", in
    nearly every claim row) is made safe by ``render.formula_safe``, as ``_cell`` would; anything else
    (lists, booleans, ...) goes through ``_cell``.

    Text from ``_FORMULA_SAFE_FROM`` on (most cells: words) needs no look at its first character. A
    float's text and the safe text of a short formula-like label (the bound "=") are remembered: ``str``
    of a float and ``formula_safe`` cost several times a dict lookup."""
    cells = []  # (a loop, not a list comprehension: that costs a function object and a call per row)
    for value in values:
        kind = type(value)
        if kind is str and (value >= _FORMULA_SAFE_FROM or not (value and value[0] in _FORMULA_FIRST)):
            cells.append(value)
        elif value is None:
            cells.append("")
        elif kind is int:
            cells.append(str(value))
        elif kind is float:
            cells.append(_FLOAT_CELLS.get(value) or _float_cell(value))
        elif kind is str:
            cells.append(_SAFE_LABELS.get(value) or _safe_label(value))
        else:
            cells.append(_cell(value))
    return cells


# float -> its str; short text that would run as a formula -> its formula_safe text. Bounded memos of
# small recurring values (figures such as 2.0 or 12.0; a claim's bound "="), like the pages' labels.
_FLOAT_CELLS: dict[float, str] = {}
_SAFE_LABELS: dict[str, str] = {}
_CELL_MEMO_SIZE = 4096
_SAFE_LABEL_LENGTH = 8  # longer text (a description opening with "- ") is free text: never remembered


def _float_cell(value: float) -> str:
    text = str(value)
    # zeros are not remembered (0.0 and -0.0 are one key with two texts), nor NaN (never found again)
    if value and value == value and len(_FLOAT_CELLS) < _CELL_MEMO_SIZE:
        _FLOAT_CELLS[value] = text
    return text


def _safe_label(text: str) -> str:
    safe = render.formula_safe(text)
    if len(text) <= _SAFE_LABEL_LENGTH and len(_SAFE_LABELS) < _CELL_MEMO_SIZE:
        _SAFE_LABELS[text] = safe
    return safe


@dataclass
class _Cover:
    reports: int = 0
    activities_tagged: int = 0
    activities_suggested: int = 0
    claims: int = 0


@dataclass
class _ResolutionView:
    code: str | None
    reports: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    more_rows: int = 0
    cover: dict[str, _Cover] = field(default_factory=dict)


class _Summary:
    """Everything summary.html and coverage.csv need, gathered record by record in bounded memory."""

    def __init__(self, resolutions: Mapping[str, Any], max_grid_rows: int, claims_per_group: int = 5) -> None:
        self.resolutions = resolutions
        self.max_grid_rows = max_grid_rows
        self.claims_per_group = claims_per_group
        self.views: dict[str | None, _ResolutionView] = {}
        self.counts: Counter = Counter()
        self.rules: dict[str, Counter] = {}
        self.rule_reports: Counter = Counter()
        self.severity: dict[str, str] = {}
        self.notes: dict[str, None] = {}
        self.top_claims: dict[tuple[str, str], list[tuple[float, int, dict[str, Any]]]] = {}
        self._tiebreak = 0

    def add(self, share: Mapping[str, Any]) -> None:
        """One report's share (``_derive``): its coverage, counts, findings, notes and claims."""
        code = share["resolution_code"]
        tagged, suggested, claims_for = share["tagged"], share["suggested"], share["claims_for"]
        # get, then make if missing: setdefault would build a default for every call
        view = self.views.get(code)
        if view is None:
            view = self.views[code] = _ResolutionView(code)
        view.reports += 1
        reported = set(share["cited"]) | set(tagged) | set(suggested)
        cover = view.cover
        for pid in reported | set(claims_for):
            cov = cover.get(pid)
            if cov is None:
                cov = cover[pid] = _Cover()
            cov.activities_tagged += tagged.get(pid, 0)
            cov.activities_suggested += suggested.get(pid, 0)
            cov.claims += claims_for.get(pid, 0)
        for pid in reported:
            cover[pid].reports += 1
        if len(view.rows) < self.max_grid_rows:
            cells = {pid: "sug" for pid in suggested}
            cells.update({pid: "tag" for pid in set(share["cited"]) | set(tagged)})
            view.rows.append({"label": share["label"], "source": share["source"], "href": share["href"],
                              "cells": cells})
        else:
            view.more_rows += 1
        for key, value in share["counts"].items():
            self.counts[key] += value
        self.counts["reports"] += 1
        for code_, severity in share["findings"]:
            rule = self.rules.get(code_)
            if rule is None:
                rule = self.rules[code_] = Counter()
                self.severity.setdefault(code_, severity)
            rule["count"] += 1
        self.rule_reports.update({code_ for code_, _ in share["findings"]})
        for note in share["notes"]:
            self.notes.setdefault(note)
        for value, item in share["claims"]:
            self.add_claim(value, item)

    def add_claim(self, value: float, item: dict[str, Any]) -> None:
        group = (str(item.get("kind") or ""), str(item.get("unit") or ""))
        heap = self.top_claims.setdefault(group, [])
        self._tiebreak += 1
        rank = (float(value), -self._tiebreak)  # equal values: the first one met stays
        # ``rank <= heap[0][:2]`` without the slice: tiebreaks are unique, so the item is never compared
        if len(heap) >= self.claims_per_group and rank <= heap[0]:
            return
        if len(heap) < self.claims_per_group:
            heapq.heappush(heap, (*rank, item))
        else:
            heapq.heapreplace(heap, (*rank, item))

    def coverage_rows(self) -> Iterator[dict[str, Any]]:
        for view in self._views():
            for pid, kind, known in self._paragraphs(view):
                cov = view.cover.get(pid, _Cover())
                yield {"resolution_code": view.code or "", "paragraph": pid, "kind": kind, "in_resolution": known,
                       "reports": cov.reports, "activities_tagged": cov.activities_tagged,
                       "activities_suggested": cov.activities_suggested, "claims": cov.claims}

    def _views(self) -> list[_ResolutionView]:
        return sorted(self.views.values(), key=lambda v: (v.code is None, v.code or ""))

    def _paragraphs(self, view: _ResolutionView) -> list[tuple[str, str, bool]]:
        """Operative paragraphs of the resolution in its order, then any other paragraph reports name."""
        res = self.resolutions.get(view.code) if view.code else None
        out: list[tuple[str, str, bool]] = []
        known = set()
        if res is not None:
            for para in res.paragraphs:
                known.add(para.id)
                if para.kind == "operative" or para.id in view.cover:
                    out.append((para.id, para.kind, True))
        extra = sorted((pid for pid in view.cover if pid not in known), key=_paragraph_order)
        out.extend((pid, "preambular" if pid.startswith("PP") else "operative", False) for pid in extra)
        return out

    def page_data(self, errors: list[dict[str, str]], interrupted: bool) -> dict[str, Any]:
        views = []
        for view in self._views():
            res = self.resolutions.get(view.code) if view.code else None
            paragraphs = self._paragraphs(view)
            reported = {pid for pid, cov in view.cover.items() if cov.reports}
            uncovered = []
            if res is not None:
                for para in res.paragraphs:
                    if para.kind != "operative" or any(p == para.id or p.startswith(para.id + ".") for p in reported):
                        continue
                    uncovered.append({"id": para.id, "text": para.text})
            views.append({
                "code": view.code, "anchor": f"res-{view.code or 'none'}",
                "title": getattr(res, "title", None), "known": res is not None, "reports": view.reports,
                "paragraphs": [pid for pid, _, _ in paragraphs], "rows": view.rows, "more_rows": view.more_rows,
                "totals": {pid: cov.reports for pid, cov in view.cover.items()}, "uncovered": uncovered,
            })
        idle = sorted(code for code in self.resolutions if code not in self.views)
        notes = list(self.notes)
        if idle and self.views:
            notes.append("Loaded resolutions with no report in this archive: " + ", ".join(idle))
        claims = []
        for group in sorted(self.top_claims):
            claims.extend(item[2] for item in sorted(self.top_claims[group], reverse=True))
        rules = sorted(({"code": code, "severity": self.severity.get(code), "count": c["count"],
                         "reports": self.rule_reports[code]} for code, c in self.rules.items()),
                       key=lambda r: (-r["count"], str(r["code"])))
        return {"counts": {**self.counts, "errors": len(errors)}, "notes": notes, "resolutions": views,
                "largest_claims": claims, "findings_by_rule": rules, "errors": errors[:200],
                "interrupted": interrupted}


def _label(source: str | None) -> str:
    """A source's last two path parts ("folder/file"), as ``Path(source).parts`` gives them."""
    if not source:
        return "<text>"
    # Fast path, without building a Path: on POSIX ("/" the only separator, and the one os.path.join
    # puts in), when the last two "/"-separated pieces are names (not empty, not "."), they are the
    # path's last two parts, whatever comes before them.
    if os.sep == "/" and not os.altsep:
        rest, _, name = source.rpartition("/")
        folder = rest.rpartition("/")[2]
        if name and folder and name != "." and folder != ".":
            return f"{folder}/{name}"
    return _label_by_path(source)


def _label_by_path(source: str) -> str:
    parts = Path(source).parts
    return os.path.join(*parts[-2:]) if len(parts) > 1 else source


_PARA_KEY = re.compile(r"([A-Z]+)(\d+)(.*)")


def _paragraph_order(pid: str) -> tuple:
    m = _PARA_KEY.match(pid)
    return (m.group(1) != "PP", int(m.group(2)), m.group(3)) if m else (True, 1 << 30, pid)


def _description(act: Mapping[str, Any]) -> tuple[str, int, int]:
    """An activity's description text and span; falls back to the whole block's span when it has none."""
    desc = act.get("description")
    # a Field serialised whole; a text (the common case) or None is ruled out before the costlier
    # isinstance test of an abstract class
    if type(desc) is not str and desc is not None and isinstance(desc, Mapping):
        return desc.get("text") or "", int(desc.get("start", 0)), int(desc.get("end", 0))
    span = act.get("description_span") or act.get("span") or [act.get("start", 0), act.get("end", 0)]
    return desc or "", int(span[0] or 0), int(span[1] or 0)


@dataclass(frozen=True)
class _Derived:
    """One report's part of the derived outputs: its rows of activities.csv, claims.csv and findings.csv
    (CSV text), its row in the summary's list of reports, and its share of coverage and the summary.

    Made where the report was analysed (in a worker), so that the one main process only appends text and
    adds up counts, and made the same way when ``finalize`` rebuilds the outputs from reports.jsonl.
    """

    activities: str
    claims: str
    findings: str
    index_row: str
    share: dict[str, Any]


# The cells of a claim row that come from the claim as they are, around those _derive works out.
_CLAIM_OWN = (*CLAIM_COLUMNS[CLAIM_COLUMNS.index("value"):CLAIM_COLUMNS.index("line")],
              *CLAIM_COLUMNS[CLAIM_COLUMNS.index("start"):])
_CLAIM_SPLIT = CLAIM_COLUMNS.index("line") - CLAIM_COLUMNS.index("value")  # (line, column) go here
assert _CLAIM_OWN == ("value", "value_max", "bound", "unit", "kind", "counted", "counted_head", "verb", "modality",
                      "start", "end", "text")  # the order claim_row unpacks them in
_FINDING_FIELDS = tuple(FINDING_COLUMNS[2:])
assert _FINDING_FIELDS[:2] == ("code", "severity")  # the summary's (code, severity) of a finding
_get_id = methodcaller("get", "id")  # a reference's or suggestion's paragraph id, or None
_CLAIM_GETTER = itemgetter(*_CLAIM_OWN)
_FINDING_GETTER = itemgetter(*_FINDING_FIELDS)


def _fields(item: Mapping[str, Any], getter: itemgetter, names: tuple[str, ...]) -> tuple:
    """``tuple(map(item.get, names))``: for a dict holding every field (a parsed claim or finding always
    does), ``getter`` (``itemgetter(*names)``) in one C call; otherwise field by field, None for a field
    it lacks."""
    if type(item) is dict:
        try:
            return getter(item)
        except KeyError:
            pass
    return tuple(map(item.get, names))


def _section_claims(report: Mapping[str, Any]) -> Iterator[tuple[str, list, list[tuple[Mapping, list[str]]]]]:
    """The narrative sections of a parsed report (as a dict): each one's name, its references, and its
    claims, each with the paragraphs cited in the claim's own sentence -- the ones a claim in free text
    counts for."""
    for name in ("results", "challenges", "future", "additional"):
        section = report.get(name)
        # a dict (the common case) is let through, and None (a section the report has not) passed over,
        # before the costlier isinstance test of an abstract class
        if type(section) is not dict and (section is None or not isinstance(section, Mapping)):
            continue
        refs = section.get("references") or []
        if not refs:  # no paragraph cited in the section, so none in any claim's sentence
            yield name, refs, [(claim, []) for claim in section.get("claims") or []]
            continue
        claims = []
        for claim in section.get("claims") or []:
            lo, hi = claim.get("sentence_start", claim.get("start")), claim.get("sentence_end", claim.get("end"))
            claims.append((claim, list(dict.fromkeys(r.get("id") for r in refs if lo <= r.get("start", -1) < hi))))
        yield name, refs, claims


def _derive(record: Mapping[str, Any], href: str) -> _Derived:
    """Rows are built as lists in column order, not as merged dicts read back column by column: each
    list holds, as text, what ``_cells`` would read from the merged dict (a claim's or finding's own
    ``source`` or ``resolution_code``, if it had one, would win over the report's, as in the merge)."""
    report = record.get("report") or {}
    source = record.get("source")
    code = record.get("resolution_code")
    layout = record.get("layout")
    index = _TextLines(report.get("text") or "")
    label = _label(source)
    # cells that are the same in every row of the report, or of an activity, are formatted once
    lead = _row_cells([source, code])
    layout_cell = _row_cells([layout])[0]
    above: dict[tuple, list] = {}
    allsugg: dict[tuple, list] = {}
    for s in record.get("suggestions") or []:
        key = (s["section"], s["index"])
        allsugg[key] = found = s.get("suggestions") or []
        above[key] = kept = []  # (loops here and below, not comprehensions: one function object less each)
        for x in found:
            if x.get("above_threshold", True):
                kept.append(x)
    # paragraph -> count, as plain dicts: a Counter's += on a new key goes through its Python __missing__
    tagged: dict[Any, int] = {}
    suggested: dict[Any, int] = {}
    claims_for: dict[Any, int] = {}
    cited: set[str] = set()
    activity_rows: list[list[Any]] = []
    claim_rows: list[list[Any]] = []
    top: list[tuple[float, dict[str, Any]]] = []

    def claim_row(claim: Mapping[str, Any], where_cell: Any, paragraphs: list[str], paragraphs_cell: Any,
                  origin: str) -> None:
        fields = _fields(claim, _CLAIM_GETTER, _CLAIM_OWN)
        (value, value_max, bound, unit, kind, counted, head, verb, modality, start, end, text) = fields
        line, column = index.line_col(start if type(start) is int else int(claim.get("start", 0)))
        first = lead if "source" not in claim and "resolution_code" not in claim else \
            _row_cells([claim.get("source", source), claim.get("resolution_code", code)])
        origin_cell = origin if paragraphs else ""
        if type(value) is float and value_max is None and type(bound) is str and type(start) is int \
                and type(end) is int:
            # a claim as the parser makes it (nearly all): the cells of its figure and offsets are
            # written here as _row_cells writes them, and only its texts go through it
            words = _row_cells((unit, kind, counted, head, verb, modality, text))
            claim_rows.append([
                *first, where_cell, paragraphs_cell, origin_cell, _FLOAT_CELLS.get(value) or _float_cell(value),
                "", _SAFE_LABELS.get(bound) or _safe_label(bound), *words[:-1], str(line), str(column), str(start),
                str(end), words[-1]])
        else:
            own = _row_cells(fields)
            own[_CLAIM_SPLIT:_CLAIM_SPLIT] = str(line), str(column)
            claim_rows.append([*first, where_cell, paragraphs_cell, origin_cell, *own])
        if value_max is not None:
            value = value_max
        if isinstance(value, (int, float)):  # a candidate for the summary's largest claims
            top.append((value, {"kind": kind, "unit": unit, "counted": counted, "text": text,
                                "modality": modality, "value": fields[0], "source": source, "label": label,
                                "href": href}))

    for act in [*(report.get("activities") or []), *(report.get("future_actions") or [])]:
        # each list built only when there is something to put in it (often there is not)
        references = act.get("references")
        refs = list(dict.fromkeys(map(_get_id, references))) if references else []
        section, number = act.get("section"), act.get("index")
        key = (section, number)
        candidates = None if refs else above.get(key)
        sugg = list(dict.fromkeys(map(_get_id, candidates))) if candidates else []
        description, start, end = _description(act)  # start and end are ints
        claims = act.get("claims") or []
        # _cell of an empty list is "" (most activities have no suggestions, many no tags)
        refs_cell, sugg_cell = _cell(refs) if refs else "", _cell(sugg) if sugg else ""
        scores = allsugg.get(key)
        # the last cell: the "where" of the activity's claims' rows ("activities[2]"), made with the others
        section_cell, number_cell, type_cell, status_cell, description_cell, where_cell = _row_cells(
            [section, number, act.get("type"), act.get("status"), description, f"{section}[{number}]"])
        activity_rows.append([
            *lead, layout_cell, section_cell, number_cell, type_cell, status_cell, refs_cell, sugg_cell,
            # _cell of the list: every score is text
            render.formula_safe("; ".join([f"{x.get('id')}={float(x.get('score', 0)):.3f}" for x in scores]))
            if scores else "",
            str(len(claims)), str(index.line_col(start)[0]), str(start), str(end), description_cell])
        # a loop: the lists hold a few ids at most (the same counts, added in the same order)
        for pid in refs:
            tagged[pid] = tagged.get(pid, 0) + 1
        for pid in sugg:
            suggested[pid] = suggested.get(pid, 0) + 1
        if claims:
            paragraphs, paragraphs_cell = (refs, refs_cell) if refs else (sugg, sugg_cell)
            origin = "tag" if refs else "suggested"
            for claim in claims:
                claim_row(claim, where_cell, paragraphs, paragraphs_cell, origin)
            for pid in paragraphs:  # each claim counts for them (in the order they first come)
                claims_for[pid] = claims_for.get(pid, 0) + len(claims)
    for name, refs, claims in _section_claims(report):
        if refs:
            cited.update(r.get("id") for r in refs)
        for claim, near in claims:
            claim_row(claim, name, near, _cell(near) if near else "", "tag")  # _cell([]) is ""
            for pid in near:
                claims_for[pid] = claims_for.get(pid, 0) + 1
    finding_rows = []
    finding_kinds = []  # (code, severity) of each finding, for the summary
    for f in record.get("findings") or []:
        fields = _fields(f, _FINDING_GETTER, _FINDING_FIELDS)  # code and severity first
        finding_rows.append([*(lead if "source" not in f and "resolution_code" not in f else
                               _row_cells([f.get("source", source), f.get("resolution_code", code)])),
                             *_row_cells(fields)])
        finding_kinds.append(fields[:2])
    notes = []
    for note in record.get("notes") or []:
        if not note.startswith("resolution "):  # those stay on the page
            notes.append(note)
    counts = record.get("counts") or {}
    activities, tagged_activities, suggested_activities, n_claims, n_findings = (
        counts.get("activities", 0), counts.get("tagged_activities", 0), counts.get("suggested_activities", 0),
        counts.get("claims", 0), counts.get("findings", 0))
    share = {
        "resolution_code": code, "source": source, "label": label, "href": href,
        "tagged": tagged, "suggested": suggested, "claims_for": claims_for, "cited": sorted(cited),
        "counts": {"activities": int(activities), "tagged_activities": int(tagged_activities),
                   "suggested_activities": int(suggested_activities), "claims": int(n_claims),
                   "findings": int(n_findings)},
        "findings": finding_kinds, "notes": notes, "claims": top,
    }
    index_row = _module("render.html").report_index_row({
        "label": label, "source": source, "href": href, "resolution_code": code, "layout": layout,
        "activities": activities, "tagged": tagged_activities, "suggested": suggested_activities,
        "claims": n_claims, "findings": n_findings})
    return _Derived(*_csv_texts(activity_rows, claim_rows, finding_rows), index_row, share)


def _csv_texts(*tables: list[list[Any]]) -> list[str]:
    """Each table's rows as CSV text, as the csv writer (``lineterminator="\n"``) writes them.

    The writer looks at every character of every cell (about 4,000 a report) for the few that make it
    quote the cell -- a comma, a quote or a line terminator -- and that was some 20% of the cost of a
    report's page and rows. Nearly every cell has none of them: a cell of text without them is written
    as it is, and the cells of a row are joined by commas. So a row of text (``_derive`` makes its cells
    text) is joined first; when its cells hold no quote, no line break and no comma, the cells joined by
    commas are the writer's line. A row with a comma in a cell or a quote (a third of the rows:
    descriptions and claims written "1,000 people", findings naming a field "in quotes"), but no line
    break, has each cell that holds one quoted as the writer quotes it (minimal quoting, quotes doubled),
    without a call of the writer per cell. Otherwise only the cells that hold one are written by the
    writer (it quotes each cell on its own); a row with a cell of another kind, or a lone cell (an empty
    one is written quoted), is written by the writer whole."""
    buffer = write_row = None

    def written(row: list[Any] | tuple[Any, ...]) -> str:
        nonlocal buffer, write_row
        if write_row is None:  # set up for the first row or cell that needs it: few reports have one
            buffer = io.StringIO()
            write_row = csv.writer(buffer, lineterminator="\n").writerow
        write_row(row)
        line = buffer.getvalue()[:-1]  # without the line terminator
        buffer.seek(0)
        buffer.truncate()
        return line

    texts = []
    for rows in tables:
        lines = []
        for row in rows:
            # the cells' text, without separators: one scan each (memchr) finds the characters to quote
            try:
                cells = "".join(row)  # text of a str subclass too: its text, as the writer writes it
            except TypeError:  # a cell that is not text
                cells = None
            if cells is None or len(row) < 2:
                line = written(row)
            # "\r": the writer decides (some Python versions' writers quote it whatever the line terminator)
            elif "\n" in cells or "\r" in cells:
                line = ",".join([written((cell,)) if "," in cell or '"' in cell or "\n" in cell or "\r" in cell
                                 else cell for cell in row])
            elif '"' in cells:  # (+ of str subclasses: their text too)
                # (a replacement looks at every character: only a cell that holds a quote has one)
                line = ",".join(['"' + (cell.replace('"', '""') if '"' in cell else cell) + '"'
                                 if "," in cell or '"' in cell else cell for cell in row])
            elif "," in cells:  # most such rows: a comma, no quote
                last = row[-1]
                if cells.find(",") >= len(cells) - len(last):
                    # every comma in the last cell (an activity's description, a claim's text): nearly
                    # every such row, and no cell to look at one by one
                    line = ",".join(row[:-1]) + ',"' + last + '"'
                else:
                    line = ",".join(['"' + cell + '"' if "," in cell else cell for cell in row])
            else:
                line = ",".join(row)
            lines.append(line)
        texts.append("\n".join(lines) + "\n" if lines else "")
    return texts


class _TextLines:
    """``LineIndex(text).line_col`` for the 15 or so offsets of a report's rows, which come nearly in
    order: the newlines between the offset last asked about and this one are counted (a C scan; in all
    about the text's length), which costs less than finding every line start of the text first."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._at, self._line = 0, 1  # the offset last asked about, and its line

    def line_col(self, offset: int) -> tuple[int, int]:
        text = self._text
        if not 0 <= offset <= len(text):  # never from the parser
            return LineIndex(text).line_col(offset)
        at = self._at
        line = self._line + text.count("\n", at, offset) if offset >= at else \
            self._line - text.count("\n", offset, at)
        self._at, self._line = offset, line
        return line, offset - text.rfind("\n", 0, offset)


class _Collector:
    """The derived outputs of a fresh run, written as reports arrive (in input order, which is the final
    sorted order), so that ``finalize`` need not read reports.jsonl back. Any doubt -- a source out of
    order, an interruption mid-write -- sets ``valid`` to False and ``finalize`` rebuilds from reports.jsonl.
    """

    def __init__(self, out: Path, resolutions: Mapping[str, Any], max_grid_rows: int) -> None:
        self.out = out
        self.summary = _Summary(resolutions, max_grid_rows)
        self.tables = {name: _Table(_part(out, f"{name}.csv"), columns) for name, columns in _DERIVED_TABLES.items()}
        self.index_fh = open(out / INDEX_ROWS_TMP, "w", encoding="utf-8")
        self.sources: list[str] = []  # strictly increasing while valid
        self.valid = True

    def add(self, source: str, derived: _Derived) -> None:
        if not self.valid:
            return
        if self.sources and source <= self.sources[-1]:
            self.valid = False
            return
        self.valid = False  # until this report is written whole
        _append(derived, self.tables, self.index_fh, self.summary)
        self.sources.append(source)
        self.valid = True

    def close(self) -> None:
        for table in self.tables.values():
            table.close()
        self.index_fh.close()

    def discard(self) -> None:
        self.close()
        for name in _DERIVED_TABLES:
            _part(self.out, f"{name}.csv").unlink(missing_ok=True)
        (self.out / INDEX_ROWS_TMP).unlink(missing_ok=True)


_DERIVED_TABLES = {"activities": ACTIVITY_COLUMNS, "claims": CLAIM_COLUMNS, "findings": FINDING_COLUMNS}
INDEX_ROWS_TMP = f".{SUMMARY_HTML}.rows.tmp"  # the summary's list of reports, kept on disk, not in memory


def _append(derived: _Derived, tables: Mapping[str, _Table], index_fh, summary: _Summary) -> None:
    """One report's rows into the derived tables and the summary's list, its share into the summary."""
    for name in _DERIVED_TABLES:
        tables[name].fh.write(getattr(derived, name))
    index_fh.write(derived.index_row + "\n")
    summary.add(derived.share)


def _part(out: Path, name: str) -> Path:
    return out / f".{name}.part"


def finalize(out_dir: str | os.PathLike[str], *, resolutions: Mapping[str, Any] | None = None,
             interrupted: bool = False, max_grid_rows: int = 400, collected: _Collector | None = None) -> dict[str, int]:
    """Rewrite reports.jsonl and errors.csv sorted by source (one record per source: the latest), and
    regenerate activities/claims/findings/coverage CSVs and summary.html from them, streaming.

    ``resolutions`` (code -> Resolution) gives coverage its full paragraph lists; default: the bundled ones.
    ``collected``: what ``run`` gathered while analysing; used when it covers exactly the reports in
    reports.jsonl, in order (a fresh run), else everything is rebuilt from reports.jsonl.
    """
    from .render.html import summary_chunks

    out = Path(out_dir)
    pages = out / PAGES_DIR
    pages.mkdir(exist_ok=True)
    if resolutions is None:
        resolutions = _bundled_resolutions()
    if collected is not None and collected.valid:
        # A fresh run wrote reports.jsonl itself, one line per source in increasing order (anything else
        # made the collector invalid): nothing to scan, re-read or re-derive. (Scanning 10,000 records
        # took ~0.5 s, with every worker idle.)
        collected.close()
        for name in _DERIVED_TABLES:
            os.replace(_part(out, f"{name}.csv"), out / f"{name}.csv")
        summary = collected.summary
        sources = collected.sources
    else:
        if collected is not None:
            collected.discard()
        latest, _ = _scan_reports(out / REPORTS_JSONL)
        summary = _rebuild(out, latest, resolutions, max_grid_rows)
        sources = list(latest)

    analysed = set(sources)
    errors = {(r["source"], r["sha256"], r["reason"]): r for r in _read_errors(out / ERRORS_CSV)
              if r["source"] not in analysed}  # a file that failed once and has since been analysed
    error_rows = [errors[k] for k in sorted(errors)]
    with open(out / ERRORS_CSV, "w", encoding=CSV_ENCODING, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(ERROR_COLUMNS)
        writer.writerows([render.cell(r[k]) for k in ERROR_COLUMNS] for r in error_rows)

    coverage = _Table(out / "coverage.csv", COVERAGE_COLUMNS)
    for row in summary.coverage_rows():
        coverage.write(row)
    coverage.close()
    index_tmp = out / INDEX_ROWS_TMP
    page_tmp = out / f"{SUMMARY_HTML}.tmp"
    with open(index_tmp, encoding="utf-8") as rows, open(page_tmp, "w", encoding="utf-8", newline="\n") as page:
        for chunk in summary_chunks(summary.page_data(error_rows, interrupted), (line.rstrip("\n") for line in rows)):
            page.write(chunk)
    os.replace(page_tmp, out / SUMMARY_HTML)
    index_tmp.unlink()
    return {"reports": len(sources), "errors": len(error_rows)}


def _rebuild(out: Path, latest: Mapping[str, tuple[int, int, str | None]], resolutions: Mapping[str, Any],
             max_grid_rows: int) -> _Summary:
    """reports.jsonl rewritten sorted, and the derived tables, pages and summary rows made from it."""
    pages = out / PAGES_DIR
    reports_path = out / REPORTS_JSONL
    summary = _Summary(resolutions, max_grid_rows)
    tables = {name: _Table(out / f"{name}.csv", columns) for name, columns in _DERIVED_TABLES.items()}
    tmp = reports_path.with_suffix(".jsonl.tmp")
    try:
        with open(tmp, "wb") as sorted_fh, open(out / INDEX_ROWS_TMP, "w", encoding="utf-8") as index_fh, \
                open(reports_path, "rb") if reports_path.exists() else io.BytesIO() as fh:
            for key in sorted(latest):
                offset, size, _sha = latest[key]
                fh.seek(offset)
                line = fh.read(size)
                sorted_fh.write(line)
                record = json.loads(line)
                slug = report_slug(record.get("source"), record.get("sha256"))
                if not (pages / f"{slug}.html").exists():
                    _write_page(record, str(pages))
                _append(_derive(record, f"{PAGES_DIR}/{slug}.html"), tables, index_fh, summary)
    finally:
        for table in tables.values():
            table.close()
    os.replace(tmp, reports_path)
    return summary

"""Command line: argument parsing, output formats and exit codes. The only module that knows argparse.

Exit codes:

- 0 success (a readable text that is not a report is a success with a warning or note, as in ``parse``);
- 1 an input could not be read or used (named on stderr; the other inputs are still processed): for
  ``suggest`` that includes a report that names no resolution, or one the model has no paragraphs for;
  for ``check``, also a finding at or above ``--fail-on``;
- 2 usage error: a bad flag or value (argparse), an unknown rule code, and any path argument that cannot
  be used: a ``--model``, ``--resolutions`` or ``--resolution`` that cannot be loaded, an ``-o``/``--out``
  that cannot be created or written (a file where a folder is wanted, a missing parent folder);
- 3 ``batch`` finished but some inputs failed (listed in errors.csv: unreadable files, and names or globs
  that match nothing);
- 130 interrupted.

Every failure is one line on stderr, ``opmapper: error: <path>: <problem>``, never a traceback.

Each subcommand is one ``_add_<name>(subparsers)`` and one ``_cmd_<name>(args)``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from typing import IO, Any

from . import render
from ._records import LineIndex
from .errors import InputError, ModelError, OpmapperError, OutputError, UsageError
from .sources import SourceText, read_source

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_BATCH_FAILED = 0, 1, 2, 3


class _Inputs:
    """Reads the named inputs one at a time; unreadable ones are reported and remembered, not fatal."""

    def __init__(self, paths: list[str]) -> None:
        self.paths = paths
        self.failed = 0

    def __iter__(self) -> Iterator[SourceText]:
        for path in self.paths:
            try:
                yield read_source(path)
            except InputError as exc:
                self.failed += 1
                print(f"opmapper: error: {exc}", file=sys.stderr)


def _analyzer(args):
    """The batch Analyzer for ``--model``/``--resolutions``; one that cannot be loaded is a usage error."""
    from .batch import get_analyzer

    try:
        return get_analyzer(args.model, args.resolutions)
    except OpmapperError as exc:
        raise UsageError(str(exc)) from None


def _resolutions(path: str | None):
    """Resolutions from ``--resolutions`` (None: the bundled ones); a named folder that fails is a usage error."""
    from .resolution import load_resolutions

    try:
        return load_resolutions(path)
    except OpmapperError as exc:
        if path is None:
            raise
        raise UsageError(str(exc)) from None


def _output_folder(path: str) -> None:
    """Create the ``-o`` folder now, before any work, or say plainly why it cannot be used."""
    from pathlib import Path

    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = "exists and is not a folder" if isinstance(exc, FileExistsError) else exc.strerror or str(exc)
        raise OutputError(f"cannot use as the output folder: {reason}", path) from None


def _add_format(p: argparse.ArgumentParser, choices=render.FORMATS) -> None:
    p.add_argument("--format", "-f", choices=choices, default="text", help="output format (default: text)")


def _files(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="report files; - reads standard input")


# ---------------------------------------------------------------- parse
def _add_parse(sub) -> None:
    p = sub.add_parser("parse", help="parse reports into structured records")
    _files(p)
    _add_format(p)
    p.add_argument("--no-claims", action="store_true", help="skip quantitative claims (faster)")


ACTIVITY_COLUMNS = ["source", "layout", "resolution_code", "section", "index", "type", "status",
                    "references", "description", "start", "end"]


def _activity_rows(report) -> Iterator[dict[str, Any]]:
    for act in (*report.activities, *report.future_actions):
        desc = act.description
        yield {
            "source": report.source, "layout": report.layout, "resolution_code": report.resolution_code,
            "section": act.section, "index": act.index, "type": act.type, "status": act.status,
            "references": [r.id for r in act.references], "description": desc.text if desc else "",
            "start": desc.start if desc else act.start, "end": desc.end if desc else act.end,
        }


def _claim_lines(claims, out: IO[str]) -> None:
    for c in claims:
        out.write(f"      claim: {c.text!r} value={c.value:g} unit={c.unit or '-'} counted={c.counted or '-'}\n")


def _report_text(report, out: IO[str]) -> None:
    d = report.to_dict()
    out.write(f"== {report.source or '<text>'}  [{report.layout}]\n")
    for key in ("title", "resolution_code", "page_id", "submitted_by", "submitted_on", "constituent",
                "constituent_type", "period", "implementation_status", "report_status"):
        if d.get(key) not in (None, "", []):
            out.write(f"  {key:<22} {d[key]}\n")
    if report.geographic_scope:
        out.write(f"  {'geographic_scope':<22} {', '.join(f.text for f in report.geographic_scope)}\n")
    for m in report.members:
        out.write(f"  {'member':<22} {m.name}{f' ({m.acronym})' if m.acronym else ''}"
                  f"{f' / {m.country}' if m.country else ''}\n")
    for act in (*report.activities, *report.future_actions):
        refs = ", ".join(r.id for r in act.references) or "no references"
        label = "activity" if act.section == "activities" else "future action"
        out.write(f"  {label} {act.index + 1}: {act.type or '?'} | {act.status or '-'} | {refs}\n")
        out.write(f"      {render.short(act.description.text if act.description else '')}\n")
        _claim_lines(act.claims, out)
    for section in report.sections():
        out.write(f"  {section.name}: {render.short(section.text)}\n")
        _claim_lines(section.claims, out)
    for w in report.warnings:
        out.write(f"  warning: {w}\n")


def _cmd_parse(args) -> int:
    from .report import parse_report

    inputs = _Inputs(args.files)

    def parsed():
        for src in inputs:
            try:
                yield parse_report(src.text, source=src.source, claims=not args.no_claims)
            except InputError as exc:  # decoded, but still not report text: report it, go on
                inputs.failed += 1
                print(f"opmapper: error: {exc}", file=sys.stderr)

    render.emit(parsed(), args.format, sys.stdout, text=_report_text, columns=ACTIVITY_COLUMNS, rows=_activity_rows)
    return EXIT_INPUT if inputs.failed else EXIT_OK


# ---------------------------------------------------------------- refs / claims
def _add_refs(sub) -> None:
    p = sub.add_parser("refs", help="list explicit paragraph references")
    _files(p)
    _add_format(p)


def _add_claims(sub) -> None:
    p = sub.add_parser("claims", help="list quantitative claims")
    _files(p)
    _add_format(p)


def _emit_spans(args, find: Callable[[str], list], columns: list[str], describe: Callable[[Any], str]) -> int:
    """Shared driver for commands that list span records found in each input's text."""
    inputs = _Inputs(args.files)

    def rows() -> Iterator[dict[str, Any]]:
        for src in inputs:
            index = LineIndex(src.text)
            for rec in find(src.text):
                line, col = index.line_col(rec.start)
                yield {"source": src.source, "line": line, "column": col, **rec.to_dict()}

    def line(row: dict[str, Any], out: IO[str]) -> None:
        out.write(f"{row['source']}:{row['line']}:{row['column']}: {describe(row)}\n")

    render.emit(rows(), args.format, sys.stdout, text=line, columns=columns)
    return EXIT_INPUT if inputs.failed else EXIT_OK


def _cmd_refs(args) -> int:
    from .references import find_references

    cols = ["source", "line", "column", "id", "kind", "paragraph", "subparagraph", "start", "end", "text", "complete"]
    return _emit_spans(args, find_references, cols,
                       lambda r: f"{r['id']:<10} {r['text']!r}{'' if r['complete'] else '  (cut off)'}")


def _cmd_claims(args) -> int:
    from .claims import find_claims

    cols = ["source", "line", "column", "value", "value_max", "bound", "unit", "kind", "counted",
            "counted_head", "verb", "modality", "start", "end", "text"]

    def describe(c: dict) -> str:
        rng = f"-{render.number(c['value_max'])}" if c["value_max"] is not None else ""
        return (f"{c['bound']} {render.number(c['value'])}{rng} {c['unit'] or ''} | {c['counted'] or '-'} | "
                f"{c['verb'] or '-'} | {c['modality']}  {c['text']!r}")

    return _emit_spans(args, find_claims, cols, describe)


# ---------------------------------------------------------------- evaluate
def _add_evaluate(sub) -> None:
    p = sub.add_parser("evaluate", help="score an extractor against a gold file")
    esub = p.add_subparsers(dest="what", metavar="WHAT")
    esub.required = True
    _add_evaluate_claims(esub)
    _add_evaluate_tagger(esub)


def _add_evaluate_claims(esub) -> None:
    p = esub.add_parser("claims", help="score quantitative claims against gold JSONL (corpus/gold/claims.jsonl)")
    p.add_argument("gold", metavar="FILE", help="gold JSONL: one sentence per line with its claims")
    p.add_argument("--errors", action="store_true", help="list missed, spurious and mismatched claims")
    p.add_argument("--split", choices=("dev", "test"), help="score only the gold lines of this split")
    p.add_argument("--format", "-f", choices=("text", "json"), default="text", help="output format (default: text)")


def _cmd_evaluate(args) -> int:
    return globals()[f"_cmd_evaluate_{args.what}"](args)


def _cmd_evaluate_claims(args) -> int:
    from .evaluate import evaluate_claims, format_claim_scores, load_gold

    scores = evaluate_claims(load_gold(args.gold, split=args.split))
    if args.format == "json":
        data = scores.to_dict()
        if not args.errors:
            data.pop("errors")
        render.write_json(data, sys.stdout)
    else:
        print(format_claim_scores(scores, errors=args.errors))
    return EXIT_OK


def _add_evaluate_tagger(esub) -> None:
    p = esub.add_parser("tagger", help="cross-validate the OP tagger (grouped by organisation) against baselines")
    p.add_argument("--corpus", metavar="DIR", help="tagged reports (default: the bundled corpus/reports)")
    p.add_argument("--resolutions", metavar="DIR", help="resolution texts (default: the bundled corpus)")
    p.add_argument("--folds", type=_at_least(2), default=5, help="number of folds, at least 2 (default: 5)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--format", "-f", choices=("text", "json"), default="text", help="output format (default: text)")


def _cmd_evaluate_tagger(args) -> int:
    from pathlib import Path

    from .evaluate import evaluate_tagger, format_tagger_report
    from .tagger import load_training_data

    corpus = args.corpus or str(Path(__file__).resolve().parents[1] / "corpus" / "reports")
    resolutions = _resolutions(args.resolutions)
    data = load_training_data([corpus])
    try:
        result = evaluate_tagger(data, resolutions, n_splits=args.folds, random_state=args.seed)
    except ValueError as exc:
        raise InputError(str(exc), corpus) from None
    if args.format == "json":
        render.write_json(result, sys.stdout)
    else:
        sys.stdout.write(format_tagger_report(result))
    return EXIT_OK


# ---------------------------------------------------------------- batch / annotate
def _at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than ``minimum``."""

    def whole_number(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}: {value!r}")
        return number

    whole_number.__name__ = f"whole number >= {minimum}"
    return whole_number


_positive_int = _at_least(1)


def _add_batch(sub) -> None:
    from .sources import DEFAULT_MAX_BYTES

    p = sub.add_parser("batch", help="analyse an archive of reports into tables and an HTML summary",
                       description="Analyse every report under INPUT (files, folders searched recursively for "
                                   ".txt/.md/.html/.htm, or globs) into OUT_DIR: reports.jsonl, activities.csv, "
                                   "claims.csv, findings.csv, coverage.csv, errors.csv and summary.html. "
                                   "The CSV tables are UTF-8 with a byte-order mark, so spreadsheets open them as "
                                   "UTF-8, and text that would run as a formula starts with '. "
                                   "Exit code 3 when any input failed or matched nothing (see errors.csv).")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or globs")
    p.add_argument("-o", "--out", required=True, metavar="OUT_DIR", help="output folder (created if needed)")
    p.add_argument("-j", "--jobs", type=_positive_int, default=None, metavar="N",
                   help="worker processes (default: all cores)")
    p.add_argument("--model", metavar="DIR", help="OP tagger model folder (default: the bundled model)")
    p.add_argument("--resolutions", metavar="DIR", help="resolution texts folder (default: the bundled corpus)")
    p.add_argument("--resume", action="store_true",
                   help="skip inputs whose content is already in OUT_DIR and add to its outputs")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or closing summary line")
    p.add_argument("--max-bytes", type=_positive_int, default=DEFAULT_MAX_BYTES, metavar="N",
                   help=f"files larger than this are recorded as errors (default: {DEFAULT_MAX_BYTES})")


def _cmd_batch(args) -> int:
    from . import batch

    _analyzer(args)  # a bad --model/--resolutions is a usage error, before any output is written
    result = batch.run(args.inputs, args.out, jobs=args.jobs, resume=args.resume, model=args.model,
                       resolutions=args.resolutions, max_bytes=args.max_bytes,
                       progress=not args.quiet and sys.stderr.isatty())
    if not args.quiet:
        print(f"opmapper: {result['analysed']} analysed, {result['skipped']} skipped, {result['failed']} failed; "
              f"{result['reports']} reports and {result['errors']} errors in {args.out} "
              f"(summary: {args.out}/{batch.SUMMARY_HTML})", file=sys.stderr)
    if result["interrupted"]:
        print("opmapper: interrupted: the outputs cover the files finished", file=sys.stderr)
        return 130
    return EXIT_BATCH_FAILED if result["errors"] else EXIT_OK


def _add_annotate(sub) -> None:
    p = sub.add_parser("annotate", help="write one report as an HTML page with its references, claims and "
                                        "findings highlighted")
    p.add_argument("file", metavar="FILE", help="report file; - reads standard input")
    p.add_argument("-o", "--out", metavar="FILE.html", default="-", help="output page (default: standard output)")
    p.add_argument("--model", metavar="DIR", help="OP tagger model folder (default: the bundled model)")
    p.add_argument("--resolutions", metavar="DIR", help="resolution texts folder (default: the bundled corpus)")


def _cmd_annotate(args) -> int:
    import os

    from .batch import file_sha256
    from .render.html import report_page

    analyzer = _analyzer(args)
    if args.out != "-":  # say so before the work, not after
        folder = os.path.dirname(args.out) or "."
        if os.path.isdir(args.out):
            raise OutputError("cannot write the page: it is a folder", args.out)
        if not os.path.isdir(folder):
            raise OutputError(f"cannot write the page: no folder {folder}", args.out)
    src = read_source(args.file)
    sha = None if args.file == "-" else file_sha256(args.file)
    record = analyzer.analyze(src.text, src.source, sha256=sha, encoding=src.encoding, html=src.is_html)
    page = report_page(record)
    if args.out == "-":
        sys.stdout.write(page)
    else:
        try:
            with open(args.out, "w", encoding="utf-8") as fh:
                fh.write(page)
        except OSError as exc:
            raise OutputError(f"cannot write the page ({exc.strerror or exc})", args.out) from None
    return EXIT_OK


# ---------------------------------------------------------------- check
def _add_check(sub) -> None:
    p = sub.add_parser("check", help="lint reports: unlinked figures, bad tags, gaps, repeats, contradictions",
                       description="Lint reports. Settings may also come from [tool.opmapper] in "
                                   "./pyproject.toml (select, ignore, fail-on, resolution, model); flags win.")
    p.add_argument("files", nargs="*", metavar="FILE", help="report files; - reads standard input")
    p.add_argument("--list-rules", action="store_true", help="print the rules (code, severity, description) and exit")
    p.add_argument("--resolution", metavar="FILE_OR_CODE",
                   help="resolution text file, or a code from the bundled corpus (default: the report's own)")
    p.add_argument("--model", metavar="DIR", help="tagger model folder: suggest paragraphs for unlinked text")
    p.add_argument("--suggest", action="store_true", help="suggest paragraphs with the default tagger model")
    p.add_argument("--select", action="append", metavar="CODES", help="only these rules (comma-separated)")
    p.add_argument("--ignore", action="append", metavar="CODES", help="skip these rules (comma-separated)")
    _add_format(p, choices=("text", "json", "jsonl", "csv"))
    p.add_argument("--fail-on", choices=("error", "warning", "info"), default=None,
                   help="exit 1 when a finding is at least this severe (default: error)")


FINDING_COLUMNS = ["source", "line", "column", "severity", "code", "message", "where", "start", "end",
                   "suggestion"]


def _flag_codes(values: list[str] | None) -> list[str] | None:
    return None if values is None else [c.strip() for v in values for c in v.split(",") if c.strip()]


def _check_usage(message: str) -> int:
    print(f"opmapper check: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _load_resolution(value: str):
    """A Resolution from a file path, or from a code in the bundled corpus ("WCC 2020 Res 040" works too)."""
    import os
    import re

    from .resolution import load_resolutions, parse_resolution

    if os.path.isfile(value):
        src = read_source(value)
        return parse_resolution(src.text, source=src.source)
    bundled = load_resolutions()
    wanted = re.sub(r"[\s_]+", "-", value.strip()).casefold()
    for code, res in bundled.items():
        if code.casefold() == wanted or (wanted.isdigit() and code.endswith(f"-{int(wanted):03d}")):
            return res
    raise InputError(f"no such file, and not a resolution code in the bundled corpus "
                     f"(known: {', '.join(sorted(bundled))})", value)


def _cmd_check(args) -> int:
    from .checks import SEVERITY_RANK, UnknownRuleError, check_report, select_rules
    from .config import ConfigError, load_settings
    from .errors import ModelError
    from .report import parse_report

    if args.list_rules:
        from .checks import RULES

        for rule in RULES:
            print(f"{rule.code:<22} {rule.severity:<8} {rule.description}")
        return EXIT_OK
    if not args.files:
        return _check_usage("no input files (give FILE..., or --list-rules)")
    try:
        settings = load_settings()
    except ConfigError as exc:
        return _check_usage(str(exc))
    select = _flag_codes(args.select) if args.select else settings.select
    ignore = _flag_codes(args.ignore) if args.ignore else settings.ignore
    fail_on = args.fail_on or settings.fail_on or "error"
    try:
        select_rules(select=select, ignore=ignore)
    except UnknownRuleError as exc:
        return _check_usage(str(exc))

    fixed_resolution = None
    if args.resolution or settings.resolution:
        try:
            fixed_resolution = _load_resolution(args.resolution or settings.resolution)
        except OpmapperError as exc:
            return _check_usage(str(exc))

    tagger = None
    model = args.model or settings.model
    if model or args.suggest:
        from .tagger_model import TaggerModel  # scoring only: no scikit-learn to import

        try:
            tagger = TaggerModel.load(model) if model else TaggerModel.load()
        except (ModelError, OSError, NotImplementedError) as exc:
            if model:
                return _check_usage(f"cannot load tagger model {model}: {exc}")
            print(f"opmapper check: note: no default tagger model ({exc}); checking without suggestions",
                  file=sys.stderr)

    bundled: dict | None = None

    def resolution_for(report):
        nonlocal bundled
        if fixed_resolution is not None or not report.resolution_code:
            return fixed_resolution
        if bundled is None:
            from .resolution import load_resolutions

            try:
                bundled = load_resolutions()
            except (OpmapperError, OSError):
                bundled = {}
        return bundled.get(report.resolution_code)

    inputs = _Inputs(args.files)
    rows: list[dict[str, Any]] = []
    checked = 0
    for src in inputs:
        try:
            report = parse_report(src.text, source=src.source)
        except OpmapperError as exc:
            inputs.failed += 1
            print(f"opmapper: error: {exc}", file=sys.stderr)
            continue
        checked += 1
        for f in check_report(report, resolution_for(report), tagger, select=select, ignore=ignore):
            rows.append({"source": src.source, **f.to_dict()})

    def finding_line(r: dict[str, Any], out: IO[str]) -> None:
        hint = f" (suggested: {', '.join(r['suggestion'])})" if r["suggestion"] else ""
        out.write(f"{r['source']}:{r['line']}:{r['column']}: {r['severity']} {r['code']} {r['message']}{hint}\n")

    def summary(out: IO[str]) -> None:
        counts = {sev: sum(r["severity"] == sev for r in rows) for sev in ("error", "warning", "info")}
        out.write(f"{len(rows)} finding{'s' if len(rows) != 1 else ''} in {checked} report"
                  f"{'s' if checked != 1 else ''}: {counts['error']} error(s), {counts['warning']} warning(s), "
                  f"{counts['info']} info\n")

    render.emit(rows, args.format, sys.stdout, text=finding_line, columns=FINDING_COLUMNS, footer=summary)
    failing = any(SEVERITY_RANK[r["severity"]] >= SEVERITY_RANK[fail_on] for r in rows)
    return EXIT_INPUT if inputs.failed or failing else EXIT_OK


# ---------------------------------------------------------------- train / suggest (OP tagger)
def _add_train(sub) -> None:
    p = sub.add_parser("train", help="train an OP tagger on your own tagged reports",
                       description="Learn from the activities that carry paragraph tags ([OP2; OP4.b]) and "
                                   "from the resolutions' own text; write tagger.json + tagger.npz.")
    p.add_argument("data", nargs="+", metavar="DATA", help="report files or folders (searched recursively)")
    p.add_argument("--resolutions", metavar="DIR", help="folder of resolution texts (default: the bundled corpus)")
    p.add_argument("--output", "-o", metavar="MODEL_DIR", required=True, help="folder to write the model to")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")


def _cmd_train(args) -> int:
    import time

    from .tagger import OpTagger, TrainingData, load_training_data

    resolutions = _resolutions(args.resolutions)
    _output_folder(args.output)  # before training, not after it
    unreadable: list[InputError] = []

    def skip(exc: InputError) -> None:
        unreadable.append(exc)
        print(f"opmapper: error: {exc}", file=sys.stderr)

    data = load_training_data(args.data, on_error=skip)
    keep = TrainingData()
    skipped: dict[str, int] = {}
    for i, code in enumerate(data.codes):
        if code not in resolutions:
            skipped[code] = skipped.get(code, 0) + 1
            continue
        for name in ("texts", "labels", "codes", "groups", "sources"):
            getattr(keep, name).append(getattr(data, name)[i])
    for code, n in sorted(skipped.items()):
        print(f"opmapper train: warning: {n} tagged activities on {code} skipped: no resolution text for it",
              file=sys.stderr)
    if not keep.texts:
        raise InputError("no tagged activities on a known resolution (tags look like [OP2; OP4.b])",
                         ", ".join(args.data))
    unknown = sum(len(resolutions[c].unknown(labs)) for labs, c in zip(keep.labels, keep.codes, strict=True))
    if unknown:
        print(f"opmapper train: warning: {unknown} tags name paragraphs their resolution lacks; ignored",
              file=sys.stderr)
    started = time.perf_counter()
    tagger = OpTagger(random_state=args.seed).fit(keep.texts, keep.labels, keep.codes, paragraphs=resolutions,
                                                  groups=keep.groups)
    try:
        tagger.save(args.output)
    except OSError as exc:
        raise OutputError(f"cannot write the model ({exc.strerror or exc})", exc.filename or args.output) from None
    per_code = {c: keep.codes.count(c) for c in sorted(set(keep.codes))}
    print(f"trained on {len(keep.texts)} tagged activities from {len(set(keep.sources))} reports "
          f"({len(set(keep.groups))} organisations) in {time.perf_counter() - started:.1f} s")
    for code, n in per_code.items():
        print(f"  {code:<20} {n:>5} activities")
    print(f"model written to {args.output}")
    return EXIT_INPUT if unreadable else EXIT_OK


def _add_suggest(sub) -> None:
    p = sub.add_parser("suggest", help="suggest the operative paragraphs of untagged activities")
    _files(p)
    p.add_argument("--model", metavar="DIR", help="model folder (default: the model shipped in models/)")
    p.add_argument("--k", type=_positive_int, default=3, help="suggestions per activity (default: 3)")
    p.add_argument("--all", action="store_true", help="also activities that already carry references")
    _add_format(p, choices=("text", "json", "jsonl", "csv"))


SUGGESTION_COLUMNS = ["source", "resolution_code", "section", "index", "start", "end", "references", "rank",
                      "id", "score", "above_threshold", "evidence", "description"]


def _cmd_suggest(args) -> int:
    from .report import parse_report
    from .tagger_model import TaggerModel  # scoring only: no scikit-learn to import

    try:
        tagger = TaggerModel.load(args.model)
    except ModelError as exc:
        if args.model is not None:
            raise UsageError(str(exc)) from None
        raise
    known = getattr(tagger, "class_slices_", {})
    inputs = _Inputs(args.files)
    failed = 0

    def note(source: str, message: str) -> None:
        print(f"opmapper suggest: note: {source}: {message}", file=sys.stderr)

    def results() -> Iterator[dict[str, Any]]:
        nonlocal failed
        for src in inputs:
            try:
                report = parse_report(src.text, source=src.source, claims=False)
            except InputError as exc:  # decoded, but still not report text: report it, go on
                inputs.failed += 1
                print(f"opmapper: error: {exc}", file=sys.stderr)
                continue
            described = [a for a in (*report.activities, *report.future_actions)
                         if a.description is not None and a.description.text.strip()]
            acts = [a for a in described if args.all or not a.references]
            if not acts:
                if report.layout == "unknown" and not described:
                    note(src.source, "not an implementation report (no report labels or title found); "
                                     "nothing to suggest")
                elif not described:
                    note(src.source, "the report describes no activities; nothing to suggest")
                else:
                    note(src.source, f"all {len(described)} activities already name their paragraphs "
                                     "(--all suggests for them too)")
                continue
            if report.resolution_code is None:
                failed += 1
                print(f"opmapper: error: {src.source}: the report names no resolution, so there are no paragraphs "
                      "to suggest", file=sys.stderr)
                continue
            if known and report.resolution_code not in known:
                failed += 1
                print(f"opmapper: error: {src.source}: the model has no paragraphs for resolution "
                      f"{report.resolution_code} (it knows {', '.join(known)}); train one that does with "
                      f"`opmapper train REPORTS... --resolutions DIR -o MODEL_DIR` and pass --model MODEL_DIR",
                      file=sys.stderr)
                continue
            try:
                lists = tagger.suggest_many([a.description.text for a in acts], report.resolution_code, k=args.k)
            except ModelError as exc:
                failed += 1
                print(f"opmapper: error: {src.source}: {exc}", file=sys.stderr)
                continue
            for act, suggestions in zip(acts, lists, strict=True):
                yield {"source": src.source, "resolution_code": report.resolution_code, "section": act.section,
                       "index": act.index, "start": act.description.start, "end": act.description.end,
                       "references": [r.id for r in act.references], "description": act.description.text,
                       "suggestions": [s.to_dict() for s in suggestions]}

    def suggestion_rows(r: dict[str, Any]) -> Iterator[dict[str, Any]]:
        base = {k: v for k, v in r.items() if k != "suggestions"}
        for rank, s in enumerate(r["suggestions"], 1):
            yield {**base, "rank": rank, **s}

    heading = {"source": None}  # text output: one heading per report

    def activity_text(r: dict[str, Any], out: IO[str]) -> None:
        if r["source"] != heading["source"]:
            heading["source"] = r["source"]
            out.write(f"== {r['source']}  [{r['resolution_code']}]\n")
        label = "activity" if r["section"] == "activities" else "future action"
        tags = f"  (tagged {', '.join(r['references'])})" if r["references"] else ""
        out.write(f"  {label} {r['index'] + 1}: {render.short(r['description'])}{tags}\n")
        for s in r["suggestions"]:
            mark = "*" if s["above_threshold"] else " "
            out.write(f"      {s['id']:<10} {s['score']:.2f} {mark} {', '.join(s['evidence'])}\n")

    render.emit(results(), args.format, sys.stdout, text=activity_text, columns=SUGGESTION_COLUMNS,
                rows=suggestion_rows)
    return EXIT_INPUT if inputs.failed or failed else EXIT_OK


# ---------------------------------------------------------------- analyze
def _add_analyze(sub) -> None:
    p = sub.add_parser("analyze", help="the whole job for each report: paragraphs (tagged or suggested), "
                                       "figures and findings")
    _files(p)
    p.add_argument("--model", metavar="DIR", help="OP tagger folder (default: the model shipped in models/)")
    p.add_argument("--resolutions", metavar="DIR", help="resolution texts (default: the bundled corpus)")
    _add_format(p, choices=("text", "json", "jsonl"))


def _cmd_analyze(args) -> int:
    analyzer = _analyzer(args)
    inputs = _Inputs(args.files)
    records = (analyzer.analyze(src.text, source=src.source, encoding=src.encoding, html=src.is_html)
               for src in inputs)
    render.emit(records, args.format, sys.stdout, text=render.write_analysis_text)
    return EXIT_INPUT if inputs.failed else EXIT_OK


# ---------------------------------------------------------------- main
COMMANDS = ["analyze", "parse", "refs", "claims", "evaluate", "batch", "annotate", "check", "train", "suggest"]


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="opmapper",
        description="Link resolution implementation reports to operative paragraphs and the figures they claim.",
    )
    parser.add_argument("--version", action="version", version=f"opmapper {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        globals()[f"_add_{name}"](sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return globals()[f"_cmd_{args.command.replace('-', '_')}"](args)
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        print("opmapper: interrupted", file=sys.stderr)
        return 130
    except (UsageError, OutputError, ModelError) as exc:  # a path argument that cannot be used
        print(f"opmapper: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OpmapperError as exc:
        print(f"opmapper: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:  # an output that failed mid-way (disk full, removed folder): name it, no traceback
        if exc.filename is None:
            raise
        print(f"opmapper: error: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())

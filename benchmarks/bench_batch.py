"""Batch throughput and memory: `opmapper batch` over a generated archive, for --jobs 1 and --jobs 2.

    python benchmarks/bench_batch.py            # 10,000 reports
    python benchmarks/bench_batch.py --n 1000   # a quicker look
    python benchmarks/bench_batch.py --repeat 3 # each --jobs value three times, interleaved, and medians

The archive is made of varied copies of the corpus reports (figures shifted, a serial line added, spread
over nested folders) in a temporary folder. Each run is a fresh `python -m opmapper batch` process, so
start-up (loading spaCy, resolutions, tagger) is inside the timing. Peak memory is the largest total RSS
of the batch process and all its workers, sampled from /proc every 0.1 s (Linux), and the largest single
process from getrusage(RUSAGE_CHILDREN). "per CPU s" is reports per CPU second (user + system time of
the batch process and its workers, start-up included): the per-core rate that other load on a shared
machine does not distort; "CPU ms/report" leaves out the start-up, measured first by a one-report run.
Goal: at least 200 reports/s per core, peak under 1 GB.

Two things outside opmapper move these figures, so the script prints them alongside:
- "steal s": seconds the hypervisor gave this machine's vCPUs to other guests during the run (Linux,
  /proc/stat); a shared host slows wall time without showing in the CPU figures.
- "file creation": the batch writes one page per report. On ext4 without a journal, creating a file right
  after many files were deleted in the same part of the disk costs about ten times more (the kernel skips
  every inode freed in the last one to six minutes, one lookup each: ``recently_deleted`` in
  fs/ext4/ialloc.c). A previous benchmark's clean-up or a test run can cause it; the script warns when it
  sees it. Wait a few minutes, or point TMPDIR at another folder, for figures that describe opmapper.

opmapper's own modules are byte-compiled first, as pip does when it installs a package: with
PYTHONDONTWRITEBYTECODE set (some machines and CI images set it) an editable checkout would otherwise
compile its source again in every run, some 0.1 s of each start-up.
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SMALL_NUMBER = re.compile(r"(?<![\w.,/])([1-9]\d{1,2})(?![\w.,/])")  # 10-999: figures, not ids or years


def corpus_texts() -> list[str]:
    files = sorted((ROOT / "corpus" / "reports").rglob("*.txt")) + sorted((ROOT / "corpus" / "examples").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in files]
    if not texts:
        sys.exit("bench_batch: no corpus reports found under corpus/reports or corpus/examples")
    return texts


def make_archive(folder: Path, n: int) -> None:
    texts = corpus_texts()
    for i in range(n):
        base = texts[i % len(texts)]
        shift = i // len(texts) % 9
        text = SMALL_NUMBER.sub(lambda m, s=shift: str(int(m.group(1)) + s), base) if shift else base
        sub = folder / f"year{2015 + i % 8}" / f"batch{i // 500:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"report_{i:06d}.txt").write_text(f"{text.rstrip()}\nArchive serial {i:06d}\n", encoding="utf-8")


def tree_rss(pid: int) -> int:
    """Total resident memory in bytes of a process and all its descendants (0 when gone)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def steal_seconds() -> float:
    """Machine-wide CPU time stolen by the hypervisor so far, in seconds (0 where /proc/stat is absent)."""
    try:
        with open("/proc/stat") as fh:
            fields = fh.readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")  # cpu user nice system idle iowait irq softirq steal
    except (OSError, IndexError, ValueError):
        return 0.0


def file_creation_ms(folder: Path, n: int = 300) -> float:
    """Milliseconds to create and write one small file in ``folder`` (the files are kept: deleting them
    now would slow the runs' own file creation, see the module docstring)."""
    folder.mkdir()
    data = b"x" * 12_000  # about the size of a report page
    start = time.perf_counter()
    for i in range(n):
        (folder / f"probe_{i:04d}.html").write_bytes(data)
    return (time.perf_counter() - start) / n * 1000


def run_batch(archive: Path, out: Path, jobs: int) -> dict[str, float]:
    cmd = [sys.executable, "-m", "opmapper", "batch", str(archive), "-o", str(out), "--jobs", str(jobs), "--quiet"]
    peak = [0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    stolen = steal_seconds()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT)

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    wall = time.perf_counter() - start
    stolen = steal_seconds() - stolen
    sampler.join()
    if code not in (0, 3):
        sys.exit(f"bench_batch: batch exited with {code}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    single = after.ru_maxrss * 1024  # kB on Linux
    # CPU seconds of the batch process and its workers (user + system): what the run cost the machine,
    # whatever else was running on it
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(out / "reports.jsonl", encoding="utf-8") as fh:
        reports = sum(1 for _ in fh)
    return {"wall": wall, "cpu": cpu, "reports": reports, "peak_tree": peak[0], "peak_single": single,
            "steal": stolen}


def print_row(label: str, jobs: int, r: dict[str, float], start: dict[str, float]) -> None:
    rate = r["reports"] / r["wall"]
    steady = (r["cpu"] - start["cpu"]) / r["reports"] * 1000  # after start-up
    print(f"{label:>4} {r['reports']:>8.0f} {r['wall']:>8.1f} {rate:>10.1f} {rate / jobs:>9.1f} {r['cpu']:>7.1f} "
          f"{r['reports'] / r['cpu']:>10.1f} {steady:>14.2f} {r['peak_tree'] / 2**20:>14.0f} "
          f"{r['peak_single'] / 2**20:>17.0f} {r['steal']:>8.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="reports in the archive (default 10,000)")
    parser.add_argument("--jobs", default="1,2", help="comma-separated --jobs values (default 1,2)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the --jobs list this many times, interleaved, and print the medians (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "opmapper", quiet=1)  # see the docstring: bytecode as an install has it
    tmp = Path(tempfile.mkdtemp(prefix="opmapper-bench-"))
    try:
        t0 = time.perf_counter()
        make_archive(tmp / "archive", args.n)
        print(f"archive: {args.n} reports in {time.perf_counter() - t0:.1f} s ({tmp / 'archive'})")
        creation = file_creation_ms(tmp / "probe")
        print(f"file creation: {creation:.3f} ms per file")
        if creation > 0.1:
            print("  warning: file creation is slow here, most likely because many files were deleted nearby in "
                  "the last minutes; the batch figures below include it (see this script's docstring)")
        # start-up (imports, resolutions, tagger, warm-up) measured alone: a run over a single report
        (tmp / "one").mkdir()
        first = next((tmp / "archive").rglob("*.txt"))
        shutil.copyfile(first, tmp / "one" / first.name)
        start = run_batch(tmp / "one", tmp / "out-one", 1)
        print(f"start-up (a one-report run): {start['wall']:.1f} s wall, {start['cpu']:.1f} s CPU")
        print(f"{'jobs':>4} {'reports':>8} {'wall s':>8} {'reports/s':>10} {'per core':>9} {'CPU s':>7} "
              f"{'per CPU s':>10} {'CPU ms/report':>14} {'peak MB (all)':>14} {'peak MB (1 proc)':>17} {'steal s':>8}")
        runs: dict[int, list[dict[str, float]]] = {}
        for round_ in range(args.repeat):
            for position, jobs in enumerate(int(j) for j in args.jobs.split(",")):
                # every run writes a fresh folder: output left by an earlier run would be replaced file by
                # file (slower), and deleting it would slow the next run's file creation
                r = run_batch(tmp / "archive", tmp / f"out{jobs}-{round_}-{position}", jobs)
                runs.setdefault(jobs, []).append(r)
                print_row(str(jobs), jobs, r, start)
        if args.repeat > 1:
            print(f"medians of {args.repeat} runs (each column on its own):")
            for jobs, done in runs.items():
                print_row(f"{jobs} med", jobs, {key: statistics.median(r[key] for r in done) for key in done[0]}, start)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

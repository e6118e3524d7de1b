"""Instructions per report of `opmapper batch --jobs 1`, counted by valgrind (cachegrind): repeatable.

    python benchmarks/count_instructions.py            # 87 and 174 generated reports
    python benchmarks/count_instructions.py --n 40     # quicker, rougher

Timings on a shared or virtual machine drift by tens of percent from minute to minute; instruction counts
do not, so this is the figure to compare two versions of the code with. Two batch runs are counted, over
N and over 2N generated reports (bench_batch's archive); their difference over N is the steady cost of a
report, with start-up and the warming of caches cancelled out. Under valgrind Python runs ~50x slower:
the default takes several minutes. Needs valgrind (Debian package ``valgrind``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_batch import make_archive

ROOT = Path(__file__).resolve().parents[1]


def instructions(archive: Path, out: Path) -> int:
    cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
           sys.executable, "-m", "opmapper", "batch", str(archive), "-o", str(out), "--jobs", "1", "--quiet"]
    # the same hashing, hence the same work, on every run; and no idle BLAS threads, whose spinning valgrind
    # would count by however long they happen to spin (the tagger's arrays are far too small to share out)
    env = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode not in (0, 3) or not found:
        sys.exit(f"count_instructions: the counted run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=87, help="reports in the smaller archive (default 87)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("count_instructions: valgrind is not installed (apt-get install valgrind)")
    tmp = Path(tempfile.mkdtemp(prefix="opmapper-icount-"))
    try:
        make_archive(tmp / "small", args.n)
        make_archive(tmp / "large", 2 * args.n)
        small = instructions(tmp / "small", tmp / "out-small")
        large = instructions(tmp / "large", tmp / "out-large")
        print(f"{(large - small) / args.n / 1e6:.2f} M instructions per report (steady); "
              f"a run over {args.n} reports, start-up included: {small / 1e9:.2f} G")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Issue 19's goals, each with the benchmark that measures it against its baseline in the same run.

    python benchmarks/goals.py            # every goal (the 10,000-file collect takes minutes)
    python benchmarks/goals.py --quick    # fewer repeats, 1,000 files: a first look
    python benchmarks/goals.py --only read --only render

Each goal is printed, then the output of its benchmark script: the figures of budgetxl and of
the bare baseline (python -c pass, plain xlsxwriter, plain openpyxl, python-calamine…) timed in
alternation in one run, medians and the median ratio. The machine is shared and noisy: run it
three times and quote the medians and ratios, not one figure. A script that fails is said and
the others still run; the exit code is then 1.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name → (the goal as issue 19 states it, [(script, arguments, quick arguments)])
GOALS: dict[str, tuple[str, list[tuple[str, list[str], list[str]]]]] = {
    "startup": ("`budgetxl --help` ≤ 150 ms and `budgetxl render` of the seed ≤ 300 ms wall "
                "(baselines: python -c pass, import xlsxwriter)",
                [("bench_startup.py", [], ["--repeat", "5"])]),
    "render": ("render ≤ 1.1× the bare xlsxwriter script writing the byte-identical workbook",
               [("bench_render.py", [], ["--repeat", "7"])]),
    "read": ("read ≤ 0.1× openpyxl's load, and ≤ 4× bare python-calamine opening the file and "
             "iterating every cell and merged range, on the seed and the real workbooks",
             [("bench_read.py", [], ["--repeat", "7"])]),
    "collect": ("10,000 forms rendered + collected ≤ 60 s wall on 2 cores, the collector's peak "
                "memory flat from 1,000 to 10,000 files",
                [("bench_collect.py", ["--files", "10000"], ["--files", "1000", "--sample", "40"])]),
    "template": ("template batches faster with 2 workers than with 1",
                 [("bench_template.py", [], ["--repeat", "5", "--units", "30"])]),
    "elsewhere": ("no regression elsewhere: diff of two 500-indicator forms ≤ 20 ms, check of one "
                  "form ≤ 1 ms",
                  [("bench_diff.py", [], ["--repeat", "10"]), ("bench_check.py", [], ["--repeat", "7"])]),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repeats and 1,000 files")
    ap.add_argument("--only", action="append", choices=sorted(GOALS), help="this goal only (may be repeated)")
    args = ap.parse_args()
    failed: list[str] = []
    for name, (goal, scripts) in GOALS.items():
        if args.only and name not in args.only:
            continue
        print(f"\n{'=' * 100}\nGOAL [{name}]: {goal}\n{'=' * 100}", flush=True)
        for script, full, quick in scripts:
            cmd = [sys.executable, str(HERE / script), *(quick if args.quick else full)]
            print(f"$ {' '.join(cmd[1:])}", flush=True)
            start = time.perf_counter()
            rc = subprocess.call(cmd)
            print(f"({script}: {time.perf_counter() - start:.0f} s{'' if rc == 0 else f', exit {rc}'})", flush=True)
            if rc != 0:
                failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

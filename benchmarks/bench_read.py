"""Read the rendered seed many times with budgetxl (values, merges, formats, parsing into a Form),
and in the same run load the same file with openpyxl in its normal mode (what a person would
otherwise script). Prints the ratio.

    python benchmarks/bench_read.py [--repeat N] [--no-real]

The real workbook comes from ../shared/fixtures/real: missing, the benchmark says so and exits 2
(--no-real times the rendered seed alone).

Goal (issue 3): budgetxl's whole read ≤ 0.25× the bare openpyxl load.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import openpyxl

from budgetxl.examples import EXAMPLE_INPUT
from budgetxl.model import load_form
from budgetxl.read import read_workbook
from budgetxl.render import render_form

from _timing import compare, real_workbook


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--no-real", action="store_true", help="time without the real workbook when it is missing")
    args = ap.parse_args()
    real = real_workbook("zhanjiang-hrss-2024.xlsx", args.no_real)
    form = load_form(EXAMPLE_INPUT)
    with tempfile.TemporaryDirectory() as tmp:
        path = render_form(form, Path(tmp) / "seed.xlsx")
        assert read_workbook(path).form == form
        print("read the rendered seed")
        compare("budgetxl read_workbook (whole read)", lambda: read_workbook(path),
                "openpyxl.load_workbook (load only)", lambda: openpyxl.load_workbook(path), repeat=args.repeat)
    if real is not None:
        print("\nread a real workbook (zhanjiang-hrss-2024.xlsx)")
        compare("budgetxl read_workbook (whole read)", lambda: read_workbook(real),
                "openpyxl.load_workbook (load only)", lambda: openpyxl.load_workbook(real), repeat=args.repeat)


if __name__ == "__main__":
    main()

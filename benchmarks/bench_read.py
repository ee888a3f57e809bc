"""Read the rendered seed many times with budgetxl (values, merges, formats, parsing into a Form),
and in the same run two bare baselines on the same file: openpyxl's load in its normal mode (what
a person would otherwise script), and python-calamine alone opening the file and going through
every cell and merged range (the floor: the parse budgetxl's own reading starts from). Prints
the ratios.

    python benchmarks/bench_read.py [--repeat N] [--no-real]

The real workbooks come from ../shared/fixtures/real (the department forms of 湛江 2023 and 2024,
the Wuhan project and the Chongqing self-evaluation): missing, the benchmark says so and exits 2
(--no-real times the rendered seed alone).

Goals (issue 19): budgetxl's whole read ≤ 0.1× the openpyxl load and ≤ 4× bare calamine, on the
seed and on each real workbook.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook

from budgetxl.examples import EXAMPLE_INPUT
from budgetxl.model import load_form
from budgetxl.read import read_workbook
from budgetxl.render import render_form

from _timing import compare, real_workbook

REAL = ("zhanjiang-hrss-2024.xlsx", "zhanjiang-hrss-2023.xlsx", "wuhan-donghu-2020-project-application.xlsx",
        "chongqing-yuzhong-2021-project-selfeval.xlsx")


def bare_calamine(path: Path) -> int:
    """python-calamine alone: open the file, every sheet's every cell and merged range."""
    seen = 0
    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        for row in sheet.to_python(skip_empty_area=False):
            for _ in row:
                seen += 1
        for _ in sheet.merged_cell_ranges or ():
            seen += 1
    return seen


def against_both(path: Path, repeat: int) -> None:
    compare("budgetxl read_workbook (whole read)", lambda: read_workbook(path),
            "bare calamine (every cell and merge)", lambda: bare_calamine(path), repeat=repeat)
    compare("budgetxl read_workbook (whole read)", lambda: read_workbook(path),
            "openpyxl.load_workbook (load only)", lambda: openpyxl.load_workbook(path), repeat=repeat)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--no-real", action="store_true", help="time without the real workbook when it is missing")
    args = ap.parse_args()
    reals = [(name, real_workbook(name, args.no_real)) for name in REAL]
    form = load_form(EXAMPLE_INPUT)
    with tempfile.TemporaryDirectory() as tmp:
        path = render_form(form, Path(tmp) / "seed.xlsx")
        assert read_workbook(path).form == form
        print("read the rendered seed")
        against_both(path, args.repeat)
    for name, real in reals:
        if real is not None:
            print(f"\nread a real workbook ({name})")
            against_both(real, args.repeat)


if __name__ == "__main__":
    main()

"""Read the same form as each format a budget system sends, against the .xlsx read of it, in the same
run (paired alternating calls, medians and the median ratio; benchmarks/_timing.py).

    python benchmarks/bench_formats.py [--repeat N]

The forms: the rendered seed, re-written as Excel 2003 XML (SpreadsheetML) and as an HTML table by
the writers of the tests (tests/system_exports.py), each read whole (budgetxl read_workbook:
sniffing, the guards, parsing, finding the blocks, the Form) against read_workbook of the .xlsx;
and the same for the form as a budget system lays it out (amounts in 元, split 指标值).

Goal (issue 13): SpreadsheetML and HTML within 3× the .xlsx read of the same form.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from budgetxl.examples import EXAMPLE_INPUT  # noqa: E402
from budgetxl.model import load_form  # noqa: E402
from budgetxl.read import read_workbook  # noqa: E402
from budgetxl.render import render_form  # noqa: E402
from system_exports import grid_of_xlsx, system_grid, write_html, write_spreadsheetml, write_xlsx  # noqa: E402

from _timing import compare  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    form = load_form(EXAMPLE_INPUT)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        xlsx = render_form(form, folder / "seed.xlsx")
        sheets = grid_of_xlsx(xlsx)
        system = [system_grid(form)]
        cases = [
            ("the seed", xlsx, [("SpreadsheetML", write_spreadsheetml(folder / "seed-ss.xls", sheets)),
                                ("HTML", write_html(folder / "seed-html.xls", sheets))]),
            ("a budget system's form (元, split 指标值)", write_xlsx(folder / "system.xlsx", system),
             [("SpreadsheetML", write_spreadsheetml(folder / "system-ss.xls", system, "GB2312")),
              ("HTML", write_html(folder / "system-html.xls", system, "gbk"))]),
        ]
        for title, base, variants in cases:
            for fmt, path in variants:
                assert read_workbook(path).form == read_workbook(base).form == form
                sizes = f"{path.stat().st_size // 1024} KB) vs .xlsx ({base.stat().st_size // 1024} KB)"
                print(f"\n{title}: {fmt} ({sizes}")
                compare(f"read_workbook, {fmt}", lambda p=path: read_workbook(p),
                        "read_workbook, .xlsx", lambda b=base: read_workbook(b), repeat=args.repeat)


if __name__ == "__main__":
    main()

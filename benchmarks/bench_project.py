"""Render and read project tables (项目支出绩效目标表) with budgetxl, and in the same run the bare
baselines the department form is measured against: a bare xlsxwriter script writing the same
cells, merges, formats, heights and page set-up (byte-identical, checked), and openpyxl loading the
same file. The department seed is timed the same way in the same run, so that the project ratios
stand beside the department form's.

    python benchmarks/bench_project.py [--repeat N]

Goal (issue 15): a project form's ratios as the department form's (render ≤ 1.3×, read ≤ 0.25×).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import openpyxl

from budgetxl.examples import EXAMPLE_INPUT
from budgetxl.model import load_form
from budgetxl.read import read_workbook
from budgetxl.render import plan_form, render_form
from budgetxl.render.pages import paginate
from budgetxl.text import wrap_count

from _baseline import bare_form_script
from _timing import compare

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "fixtures" / "real" / "wuhan-donghu-2020-project-application.xlsx"
FORMS = {
    "the department seed (guangdong)": EXAMPLE_INPUT,
    "central-project example": ROOT / "inputs" / "central-project-2024.yaml",
    "wuhan-project example": ROOT / "inputs" / "wuhan-project-2024.yaml",
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--no-real", action="store_true", help="skip the real Wuhan workbook")
    args = ap.parse_args()
    if not args.no_real and not REAL.is_file():
        raise SystemExit(f"{REAL} is missing (give --no-real to leave it out)")
    with tempfile.TemporaryDirectory() as tmp:
        for label, source in FORMS.items():
            form = load_form(source)
            out_a, out_b = Path(tmp) / "budgetxl.xlsx", Path(tmp) / "bare.xlsx"

            def budgetxl_cold(form=form, out_a=out_a):
                wrap_count.cache_clear()  # every text measured afresh, as for a form never seen before
                render_form(form, out_a)

            print(f"\nrender {label}")
            compare("budgetxl render_form (plan + write)", budgetxl_cold,
                    "bare xlsxwriter, same cells", bare_form_script(paginate(plan_form(form)), out_b),
                    repeat=args.repeat)
            same = out_a.read_bytes() == out_b.read_bytes()
            print(f"the two workbooks are {'byte-identical' if same else 'DIFFERENT'}")
            path = render_form(form, Path(tmp) / f"{source.stem}.xlsx")
            assert read_workbook(path).form == form
            print(f"read {label}, rendered")
            compare("budgetxl read_workbook (whole read)", lambda path=path: read_workbook(path),
                    "openpyxl.load_workbook (load only)", lambda path=path: openpyxl.load_workbook(path),
                    repeat=args.repeat)
    if not args.no_real:
        print("\nread the real Wuhan workbook (wuhan-donghu-2020-project-application.xlsx)")
        compare("budgetxl read_workbook (whole read)", lambda: read_workbook(REAL),
                "openpyxl.load_workbook (load only)", lambda: openpyxl.load_workbook(REAL), repeat=args.repeat)


if __name__ == "__main__":
    main()

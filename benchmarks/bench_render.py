"""Render the bundled seed many times with budgetxl, and in the same run a bare xlsxwriter script
writing the same cells, merges, formats, widths, heights and page set-up. Prints the ratio.

    python benchmarks/bench_render.py [--repeat N]

Goal (issue 2): budgetxl ≤ 1.3× the bare script. budgetxl's time includes loading nothing but
planning the sheet (row heights from the text) and writing it; the bare script gets every value,
merge and height precomputed.
"""

from __future__ import annotations

import argparse
import tempfile
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from _timing import compare
from budgetxl.model import load_form
from budgetxl.render import plan_form, render_form
from budgetxl.render.pages import paginate
from budgetxl.render.styles import style_properties
from budgetxl.render.xlsx import WORKBOOK_OPTIONS
from budgetxl.text import wrap_count

ROOT = Path(__file__).resolve().parents[1]


def bare_script(plan, path: Path):
    """What someone would write by hand with xlsxwriter: precomputed cells, plain calls."""
    cells = [(c.row, c.col, c.last_row, c.last_col, c.value, c.style, c.decimals) for c in plan.cells]
    props = {(c.style, c.decimals): style_properties(c.style, plan.layout, c.decimals) for c in plan.cells}
    widths, heights = list(plan.col_widths), list(plan.row_heights)
    breaks = list(plan.breaks)

    def run():
        # the same workbook options budgetxl uses (in_memory among them), so that the ratio
        # measures budgetxl's own work, not a writer setting
        wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
        ws = wb.add_worksheet("Sheet1")
        fmts = {k: wb.add_format(v) for k, v in props.items()}
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        for i, h in enumerate(heights):
            ws.set_row(i, h)
        for r, c, r2, c2, v, style, dec in cells:
            f = fmts[(style, dec)]
            if (r, c) != (r2, c2):
                ws.merge_range(r, c, r2, c2, None, f)
            if v is None or v == "":
                ws.write_blank(r, c, None, f)
            elif isinstance(v, Decimal):
                ws.write_number(r, c, float(v), f)
            else:
                ws.write_string(r, c, v, f)
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_footer("&C第 &P 页，共 &N 页")
        ws.set_h_pagebreaks(breaks)
        wb.close()

    return run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    form = load_form(ROOT / "inputs" / "fengyang-2023.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        out_a, out_b = Path(tmp) / "budgetxl.xlsx", Path(tmp) / "bare.xlsx"
        print(f"render the seed ({len(form.tasks)} tasks, {len(form.indicators)} indicators)")
        def budgetxl_cold():
            # every text measured afresh, as for a form never seen before (the line-count cache
            # would otherwise answer from the previous repeat of the same seed)
            wrap_count.cache_clear()
            render_form(form, out_a)

        compare("budgetxl render_form (plan + write)", budgetxl_cold,
                "bare xlsxwriter, same cells", bare_script(paginate(plan_form(form)), out_b), repeat=args.repeat)


if __name__ == "__main__":
    main()

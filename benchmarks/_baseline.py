"""The bare baselines: what someone would write by hand with plain xlsxwriter, given a plan's
values, merges, formats, widths, heights and page breaks ready-made. Shared by the benchmarks so
that every one compares budgetxl with the same script."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import xlsxwriter

from budgetxl.render.styles import style_properties
from budgetxl.render.xlsx import WORKBOOK_OPTIONS


def precomputed(plan) -> tuple[list[tuple], dict[tuple[str, int], dict[str, Any]]]:
    """The plan's cells as plain tuples, and the format properties they use."""
    cells = [(c.row, c.col, c.last_row, c.last_col, c.value, c.style, c.decimals) for c in plan.cells]
    props = {(c.style, c.decimals): style_properties(c.style, plan.layout, c.decimals) for c in plan.cells}
    return cells, props


def write_cells(ws, cells: list[tuple], fmts: dict[tuple[str, int], Any], widths, heights) -> None:
    """Plain xlsxwriter calls: widths, heights, then every cell with its merge and format."""
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


def bare_form_script(plan, path: Path) -> Callable[[], None]:
    """A function writing the rendered form the bare way, with the same workbook options as
    budgetxl (in memory, text as text), so that a ratio measures budgetxl's own work."""
    cells, props = precomputed(plan)
    widths, heights, breaks = list(plan.col_widths), list(plan.row_heights), list(plan.breaks)

    def run() -> None:
        wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
        ws = wb.add_worksheet("Sheet1")
        fmts = {k: wb.add_format(v) for k, v in props.items()}
        write_cells(ws, cells, fmts, widths, heights)
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_footer("&C第 &P 页，共 &N 页")
        if breaks:
            ws.set_h_pagebreaks(breaks)
        wb.close()

    return run

"""The bare baselines: what someone would write by hand with plain xlsxwriter, given a plan's
values, merges, formats, widths, heights and page breaks ready-made. Shared by the benchmarks so
that every one compares budgetxl with the same script."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import xlsxwriter

from budgetxl.render.styles import style_properties
from budgetxl.render.xlsx import FIXED_CREATED, WORKBOOK_OPTIONS


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
    """A function writing the rendered form the bare way: the same workbook options (in memory,
    text as text), properties, sheet name and page set-up as budgetxl, so that both write the same
    workbook and a ratio measures budgetxl's own work (planning, measuring, paginating)."""
    cells, props = precomputed(plan)
    widths, heights, breaks = list(plan.col_widths), list(plan.row_heights), list(plan.breaks)
    page, name = plan.layout.page, plan.sheet_name
    m = page.margins
    last_row, last_col = max(plan.print_rows - 1, 0), plan.layout.ncols - 1

    def run() -> None:
        wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
        wb.set_properties({"created": FIXED_CREATED, "title": "部门整体预算绩效目标表"})
        ws = wb.add_worksheet(name)
        fmts = {k: wb.add_format(v) for k, v in props.items()}
        write_cells(ws, cells, fmts, widths, heights)
        ws.set_paper(page.paper)
        ws.set_portrait()
        ws.set_margins(left=m.left, right=m.right, top=m.top, bottom=m.bottom)
        ws.set_footer(page.footer, {"margin": m.footer})
        ws.center_horizontally()
        ws.fit_to_pages(1, 0)
        if breaks:
            ws.set_h_pagebreaks(breaks)
        ws.print_area(0, 0, last_row, last_col)
        wb.close()

    return run

"""The bare baselines: what someone would write by hand with plain xlsxwriter, given a plan's
values, merges, formats, widths, heights and page breaks ready-made. Shared by the benchmarks so
that every one compares budgetxl with the same script."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import xlsxwriter

from budgetxl.render.styles import style_properties
from budgetxl.render.xlsx import FIXED_CREATED, WORKBOOK_OPTIONS, normal_style_options, workbook_title


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


def bare_form_data(plan) -> dict[str, Any]:
    """Everything the bare script needs, as plain values (cheap to send to a worker process)."""
    cells, props = precomputed(plan)
    formulas = [(f.row, f.col, f.text(), float(f.value) if isinstance(f.value, Decimal) else f.value, f.style,
                 f.decimals) for f in plan.formulas]
    for f in plan.formulas:
        props[(f.style, f.decimals)] = style_properties(f.style, plan.layout, f.decimals)
    m = plan.layout.page.margins
    return {
        "formulas": formulas,
        "cells": cells, "props": props, "name": plan.sheet_name, "title": workbook_title(plan.layout),
        "widths": list(plan.col_widths), "heights": list(plan.row_heights), "breaks": list(plan.breaks),
        "paper": plan.layout.page.paper, "footer": plan.layout.page.footer,
        "margins": (m.left, m.right, m.top, m.bottom, m.footer),
        "print_area": (0, 0, max(plan.print_rows - 1, 0), plan.layout.ncols - 1),
        "normal_font": plan.layout.font.name,
    }


def write_bare(data: dict[str, Any], path: Path | str) -> None:
    """The rendered form written the bare way: the same workbook options (in memory, text as
    text), properties, sheet name and page set-up as budgetxl, so that both write the same
    workbook and a ratio measures budgetxl's own work (planning, measuring, paginating)."""
    # the same options as budgetxl's, its Normal style (宋体 10) included: xlsxwriter's own options
    wb = xlsxwriter.Workbook(str(path), {**WORKBOOK_OPTIONS, **normal_style_options(data.get("normal_font", "宋体"))})
    wb.set_properties({"created": FIXED_CREATED, "title": data.get("title", "部门整体预算绩效目标表")})
    ws = wb.add_worksheet(data["name"])
    fmts = {k: wb.add_format(v) for k, v in data["props"].items()}
    write_cells(ws, data["cells"], fmts, data["widths"], data["heights"])
    for r, c, text, value, style, dec in data.get("formulas", ()):  # totals: formula and value
        ws.write_formula(r, c, text, fmts[(style, dec)], value)
    ws.set_paper(data["paper"])
    ws.set_portrait()
    left, right, top, bottom, footer = data["margins"]
    ws.set_margins(left=left, right=right, top=top, bottom=bottom)
    ws.set_footer(data["footer"], {"margin": footer})
    ws.center_horizontally()
    ws.fit_to_pages(1, 0)
    if data["breaks"]:
        ws.set_h_pagebreaks(data["breaks"])
    ws.print_area(*data["print_area"])
    wb.close()


def bare_form_script(plan, path: Path | Callable[[], Path]) -> Callable[[], None]:
    """A function writing `plan` the bare way (see write_bare), every value precomputed, to `path`
    (or, when `path` is a function, to a new path it gives at each call: see _timing.fresh_paths)."""
    data = bare_form_data(plan)
    if callable(path):
        return lambda: write_bare(data, path())
    return lambda: write_bare(data, path)

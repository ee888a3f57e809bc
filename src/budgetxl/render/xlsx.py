"""Replay a render plan onto xlsxwriter: a short loop, no formatting decisions of its own."""

from __future__ import annotations

import contextlib
import io
import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from budgetxl.errors import OutputError
from budgetxl.fileio import atomic_path
from budgetxl.layout import Layout, load_layout
from budgetxl.render.plan import Plan, amount_decimals
from budgetxl.render.styles import AMOUNT_STYLES, style_properties
from budgetxl.text import NORMAL_COLUMN_PX, NORMAL_FONT_SIZE, NORMAL_ROW_PX

# A fixed creation date keeps the output byte-stable for the same input (golden tests).
FIXED_CREATED = datetime(2024, 1, 1, 0, 0, 0)

WORKBOOK_OPTIONS: dict[str, Any] = {
    # Every user text is written as text: no formulas, numbers or links guessed from strings.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    # Parts are assembled in memory rather than in a dozen temporary files: the same bytes inside,
    # about 2.5x faster for a form this size.
    "in_memory": True,
}


class FormatCache:
    """xlsxwriter formats by (style name, decimals), created once per workbook."""

    def __init__(self, workbook: xlsxwriter.Workbook, layout: Layout) -> None:
        self.workbook = workbook
        self.layout = layout
        self._cache: dict[tuple[str, int], Any] = {}

    def get(self, style: str, decimals: int = 2) -> Any:
        key = (style, decimals if style in AMOUNT_STYLES else 0)
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = self.workbook.add_format(style_properties(style, self.layout, key[1]))
            self._cache[key] = fmt
        return fmt


def normal_style_options(normal_font: str) -> dict[str, Any]:
    """xlsxwriter's workbook options giving the Normal style `normal_font` at NORMAL_FONT_SIZE
    (see Workbook), the default column width and row height that go with it."""
    return {
        # no font tied to the theme's (Calibri): 宋体 is named, as before, in every format
        "default_format_properties": {"font_name": normal_font, "font_size": NORMAL_FONT_SIZE, "font_scheme": "none"},
        "default_column_width": NORMAL_COLUMN_PX,
        "default_row_height": NORMAL_ROW_PX,
    }


class Workbook(xlsxwriter.Workbook):  # type: ignore[misc]  # xlsxwriter ships no type information
    """xlsxwriter's Workbook, the file assembled in memory and written with one call of our own:
    a write that fails (a full disk) fails there, and the file is closed whatever happens, rather
    than inside the zip module, which would leave a half-written file open for the garbage
    collector to complain about on the terminal. The same bytes either way.

    Its Normal style is `normal_font` (the form's 宋体) at NORMAL_FONT_SIZE, not Calibri 11: the
    Normal font's digit is the unit of every column width, and where Calibri is missing (Linux
    PCs, WPS, LibreOffice) a substitute with wider digits made the columns wider and the printed
    form smaller. 宋体 10 has Calibri 11's 7 px digit, so widths keep their meaning in Excel.

    `streamed`: the zip is written into the file as it is assembled, not first in memory (for a
    large workbook, such as a collection's summary); the file is still opened and closed here,
    whatever happens."""

    def __init__(self, filename: Any, options: dict[str, Any] | None = None, *, normal_font: str,
                 streamed: bool = False) -> None:
        super().__init__(filename, {**(options or {}), **normal_style_options(normal_font)})
        self.streamed = streamed

    filename: str | os.PathLike[str] | io.BytesIO  # xlsxwriter's: where the file goes

    def _store_workbook(self) -> None:
        target = self.filename
        if not isinstance(target, (str, os.PathLike)):
            super()._store_workbook()
            return
        if self.streamed:
            self._stream_workbook(target)
            return
        buffer = io.BytesIO()
        self.filename = buffer
        try:
            super()._store_workbook()
        finally:
            self.filename = target
        with open(target, "wb") as fh:
            fh.write(buffer.getbuffer())

    def _stream_workbook(self, target: str | os.PathLike[str]) -> None:
        with open(target, "wb") as fh:
            sink = _ZipTarget(fh)
            self.filename = sink  # type: ignore[assignment]  # xlsxwriter zips into any binary file
            try:
                super()._store_workbook()
            finally:
                sink.fh = None
                self.filename = target


class _ZipTarget:
    """Where a streamed workbook's zip goes: its file while the write goes well; nowhere once it has
    failed, so that the zip module, finishing the abandoned zip when the garbage collector finds
    it, writes nothing into a closed file (which would print an error on the terminal)."""

    def __init__(self, fh: Any) -> None:
        self.fh: Any = fh

    def write(self, data: bytes) -> int:
        return self.fh.write(data) if self.fh is not None else len(data)

    def seek(self, *args: Any) -> int:
        return self.fh.seek(*args) if self.fh is not None else 0

    def tell(self) -> int:
        return self.fh.tell() if self.fh is not None else 0

    def flush(self) -> None:
        if self.fh is not None:
            self.fh.flush()


def release(wb: xlsxwriter.Workbook) -> None:
    """Close a workbook abandoned half-way (an error while writing): the row files of a
    constant_memory workbook are closed quietly, whatever state they are in."""
    for ws in wb.worksheets():
        fh = getattr(ws, "row_data_fh", None)
        if fh is not None:
            with contextlib.suppress(Exception):
                fh.close()


def new_workbook(path: Path | str, layout: Layout | None = None) -> xlsxwriter.Workbook:
    """A workbook with budgetxl's options and properties: its Normal style in the font of
    `layout`'s form, its title the name of the form kind (the department form's without one)."""
    font = (layout if layout is not None else load_layout()).font.name
    wb = Workbook(str(path), WORKBOOK_OPTIONS, normal_font=font)
    wb.set_properties({"created": FIXED_CREATED, "title": workbook_title(layout)})
    return wb


def workbook_title(layout: Layout | None) -> str:
    from budgetxl.kinds import FORM_KINDS

    return FORM_KINDS[layout.kind if layout is not None else "department"].title


def setup_page(ws: Worksheet, plan: Plan) -> None:
    page = plan.layout.page
    ws.set_paper(page.paper)
    if page.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    m = page.margins
    ws.set_margins(left=m.left, right=m.right, top=m.top, bottom=m.bottom)
    if page.footer:
        ws.set_footer(page.footer, {"margin": m.footer})
    if page.center_horizontally:
        ws.center_horizontally()
    ws.fit_to_pages(1, 0)
    if plan.breaks:  # laid out by render.pages: a manual break above the first row of each page
        ws.set_h_pagebreaks(list(plan.breaks))
    ws.print_area(0, 0, max(plan.print_rows - 1, 0), plan.layout.ncols - 1)


def write_sheet(ws: Worksheet, plan: Plan, formats: FormatCache) -> None:
    for col, width in enumerate(plan.col_widths):
        ws.set_column(col, col, width)
    set_row = ws.set_row
    for row, height in enumerate(plan.row_heights):
        set_row(row, height)
    merge, blank, number, string = ws.merge_range, ws.write_blank, ws.write_number, ws.write_string
    chosen: dict[tuple[str, int], Any] = {}  # (style, decimals) → format, for this sheet
    for row, col, value, style, last_row, last_col, field in plan.cells:
        # only an amount's own decimals choose its format; other cells share one per style
        key = (style, amount_decimals(value)) if type(value) is Decimal else (style, 2)
        fmt = chosen.get(key)
        if fmt is None:
            fmt = chosen[key] = formats.get(*key)
        if last_row != row or last_col != col:
            merge(row, col, last_row, last_col, None, fmt)
        if value is None or value == "":
            status = blank(row, col, None, fmt)
        elif type(value) is Decimal:
            status = number(row, col, float(value), fmt)
        else:
            status = string(row, col, value, fmt)
        if status:
            where = field or f"第 {row + 1} 行"
            raise OutputError(f"{where}: 无法写入单元格（xlsxwriter 返回 {status}）")
    for f in plan.formulas:  # totals: the formula with its value, over the blank cell planned for it
        result = float(f.value) if isinstance(f.value, Decimal) else f.value
        if f.array:
            ws.write_array_formula(f.row, f.col, f.row, f.col, f.text(), formats.get(f.style, f.decimals), result)
        else:
            ws.write_formula(f.row, f.col, f.text(), formats.get(f.style, f.decimals), result)
    setup_page(ws, plan)


def write_plan(plan: Plan, path: Path | str) -> Path:
    """Write `plan` as a one-sheet workbook at `path`, atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp, plan.layout)
        ws = wb.add_worksheet(plan.sheet_name)
        write_sheet(ws, plan, FormatCache(wb, plan.layout))
        try:
            wb.close()
        except OSError as exc:
            raise OutputError(f"{path}: 无法写入（{exc}）") from None
    return path

"""Pagination: the plan's rows laid out on printed pages, with explicit page breaks.

The writer prints one page wide (fit to width), so a page holds `printable height / scale` points
of rows, where the scale is the printable width over the columns' width. Rules, as on the
published tables:

- a row is never split, and a header row (or the title) is never the last row of a page;
- a merged label crossing a page break (年度重点工作任务, 其他需完成的任务（可选填）, 绩效指标, an
  一级 or 二级 label) ends on that page and is written again on the next, each part tall enough
  for its text;
- a page that continues the indicator block starts with the indicator header row again.

The result is again a Plan (rows renumbered, repeated rows inserted) with its pages listed, so
tests inspect the pages as plain data and the writer only replays them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Sequence

from budgetxl.errors import LayoutError
from budgetxl.render.plan import PageSpan, base_row_heights, cell_height_need
from budgetxl.text import column_px

if TYPE_CHECKING:
    from budgetxl.layout import Layout
    from budgetxl.render.plan import Plan, PlanCell

PT_PER_INCH = 72.0
PT_PER_MM = 72.0 / 25.4
PT_PER_PX = 0.75  # Excel's column pixels at 96 dpi

# Paper sizes by the spreadsheet paper code (portrait width × height in mm).
PAPER_MM: dict[int, tuple[float, float]] = {
    1: (215.9, 279.4),  # Letter
    5: (215.9, 355.6),  # Legal
    8: (297.0, 420.0),  # A3
    9: (210.0, 297.0),  # A4
    11: (148.0, 210.0),  # A5
    12: (250.0, 353.0),  # B4 (JIS)
    13: (182.0, 257.0),  # B5 (JIS)
}

# Share of a page's height that rows may fill: room for rounding in the spreadsheet programs
# (whole-percent scales, row heights in whole pixels on screen).
FILL = 0.98

STICKY_STYLES = frozenset({"title", "header"})  # a row holding one of these never ends a page


@dataclass(frozen=True)
class PageGeometry:
    """A layout's printed page in points: the printable area and the columns' width."""

    printable_width: float
    printable_height: float
    content_width: float

    @property
    def scale(self) -> float:
        """The fit-to-width scale (never enlarging)."""
        if self.content_width <= 0:
            return 1.0
        return min(1.0, self.printable_width / self.content_width)

    @property
    def capacity(self) -> float:
        """Sheet points of rows one page holds."""
        return self.printable_height / self.scale * FILL


def page_geometry(layout: Layout) -> PageGeometry:
    page = layout.page
    if page.paper not in PAPER_MM:
        known = "、".join(str(k) for k in sorted(PAPER_MM))
        raise LayoutError(f"版式 {layout.name}: 不认识的纸张代码 {page.paper}（可用：{known}）")
    w, h = (x * PT_PER_MM for x in PAPER_MM[page.paper])
    if page.landscape:
        w, h = h, w
    m = page.margins
    return PageGeometry(
        printable_width=w - (m.left + m.right) * PT_PER_INCH,
        printable_height=h - (m.top + m.bottom) * PT_PER_INCH,
        content_width=sum(column_px(c) for c in layout.columns) * PT_PER_PX,
    )


# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    """A printed row: a row of the plan, or the indicator header written again (repeat=True)."""

    src: int
    repeat: bool = False


class _Paginator:
    def __init__(self, plan: Plan, geometry: PageGeometry) -> None:
        self.plan = plan
        self.layout = plan.layout
        self.capacity = geometry.capacity
        self.nrows = plan.print_rows
        self.base = base_row_heights(plan.cells, plan.layout, len(plan.row_heights))
        self.merged = [c for c in plan.cells if c.row != c.last_row]
        self.need = {id(c): cell_height_need(c, plan.layout) for c in self.merged}
        sticky = {c.row for c in plan.cells if c.style in STICKY_STYLES}
        self.sticky = frozenset(sticky)
        ind = plan.block("indicators")
        self.header_row = ind.header_row if ind is not None else None
        self.ind_last = ind.last_row if ind is not None else -1

    # -- one page ------------------------------------------------------------------------------

    def repeats_header(self, start: int) -> bool:
        return self.header_row is not None and self.header_row < start <= self.ind_last

    def slots(self, start: int, end: int) -> list[_Slot]:
        out = [_Slot(self.header_row, True)] if self.repeats_header(start) else []  # type: ignore[arg-type]
        out.extend(_Slot(r) for r in range(start, end + 1))
        return out

    def fragments(self, slots: Sequence[_Slot]) -> list[tuple[PlanCell, int, int]]:
        """The part of each merged cell on a page: (cell, first slot, last slot)."""
        rows = [s.src for s in slots if not s.repeat]
        start, end = rows[0], rows[-1]
        out = []
        for cell in self.merged:
            if cell.last_row < start or cell.row > end:
                continue
            idx = [i for i, s in enumerate(slots) if _covers(cell, s, start)]
            if idx:
                out.append((cell, idx[0], idx[-1]))
        return out

    def heights(self, slots: Sequence[_Slot]) -> list[float]:
        """Heights of a page's rows: each row as its own cells need, then every part of a merged
        label grown (evenly over its rows) until its text fits."""
        heights = [self.base[s.src] for s in slots]
        for cell, first, last in self.fragments(slots):
            extra = self.need[id(cell)] - sum(heights[first : last + 1])
            if extra > 0:
                add = extra / (last - first + 1)
                for i in range(first, last + 1):
                    heights[i] += add
        return [math.ceil(h * 100 - 1e-6) / 100 for h in heights]

    def may_end_after(self, row: int) -> bool:
        return row >= self.nrows - 1 or row not in self.sticky

    # -- all pages -----------------------------------------------------------------------------

    def page_ranges(self) -> list[tuple[int, int]]:
        """Greedy: each page takes rows while they fit, then ends after the last row that may end a
        page. A run that fits nowhere (a header row with a row too tall) gets a page of its own."""
        out = []
        start = 0
        while start < self.nrows:
            best = None
            end = start
            while end < self.nrows:
                if end > start and sum(self.heights(self.slots(start, end))) > self.capacity:
                    break
                if self.may_end_after(end):
                    best = end
                end += 1
            if best is None:
                best = next(r for r in range(start, self.nrows) if self.may_end_after(r))
            out.append((start, best))
            start = best + 1
        return out

    def run(self) -> Plan:
        plan = self.plan
        slots: list[_Slot] = []
        heights: list[float] = []
        pages: list[PageSpan] = []
        cells: list[PlanCell] = []
        single = [c for c in plan.cells if c.row == c.last_row]
        header_cells = [c for c in single if c.row == self.header_row]
        for number, (start, end) in enumerate(self.page_ranges(), start=1):
            page_slots = self.slots(start, end)
            offset = len(slots)
            page_heights = self.heights(page_slots)
            for cell, first, last in self.fragments(page_slots):
                keeps_field = first <= _index_of(page_slots, cell.row) <= last
                cells.append(replace(cell, row=offset + first, last_row=offset + last,
                                     field=cell.field if keeps_field else ""))
            repeated = None
            if page_slots[0].repeat:
                repeated = offset
                cells.extend(replace(c, row=offset, last_row=offset, field="") for c in header_cells)
            slots.extend(page_slots)
            heights.extend(page_heights)
            pages.append(PageSpan(number, offset, len(slots) - 1, round(sum(page_heights), 2), repeated))
        # Rows after the printed form (none today) follow unchanged.
        for r in range(self.nrows, len(plan.row_heights)):
            slots.append(_Slot(r))
            heights.append(plan.row_heights[r])
        where = {s.src: i for i, s in enumerate(slots) if not s.repeat}
        cells.extend(replace(c, row=where[c.row], last_row=where[c.row]) for c in single)
        cells.sort(key=lambda c: (c.row, c.col))
        blocks = tuple(
            replace(b, first_row=where[b.first_row], last_row=where[b.last_row],
                    header_row=None if b.header_row is None else where[b.header_row])
            for b in plan.blocks
        )
        return replace(plan, cells=tuple(cells), row_heights=tuple(heights), blocks=blocks,
                       print_rows=where[self.nrows - 1] + 1 if self.nrows else 0, pages=tuple(pages))


def _covers(cell: PlanCell, slot: _Slot, page_start: int) -> bool:
    """Whether a merged cell's part on the page takes in `slot`: its own rows, and the repeated
    header row when the cell spans the header and continues onto the page (the 绩效指标 label)."""
    if slot.repeat:
        return cell.row <= slot.src and cell.last_row >= page_start
    return cell.row <= slot.src <= cell.last_row


def _index_of(slots: Sequence[_Slot], row: int) -> int:
    return next((i for i, s in enumerate(slots) if not s.repeat and s.src == row), -1)


def paginate(plan: Plan, geometry: PageGeometry | None = None) -> Plan:
    """`plan` laid out on pages of its layout's paper (or `geometry`): explicit breaks, labels
    repeated at breaks, the indicator header repeated on continuation pages."""
    if plan.pages:
        return plan
    return _Paginator(plan, geometry or page_geometry(plan.layout)).run()


__all__ = ["PAPER_MM", "PageGeometry", "page_geometry", "paginate"]

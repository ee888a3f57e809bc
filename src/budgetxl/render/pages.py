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
from operator import itemgetter
from typing import TYPE_CHECKING, Sequence

from budgetxl.errors import LayoutError
from budgetxl.render.plan import BlockSpan, PageSpan, PlanCell, base_row_heights, cell_needs
from budgetxl.text import column_px

if TYPE_CHECKING:
    from budgetxl.layout import Layout
    from budgetxl.render.plan import Plan

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


class _Paginator:
    """A page is (start, end): the plan's rows start..end, after the indicator header written
    again when the page continues the indicator block. Its printed rows ("slots") are numbered
    from 0: slot 0 is the repeated header if there is one."""

    def __init__(self, plan: Plan, geometry: PageGeometry) -> None:
        self.plan = plan
        self.capacity = geometry.capacity
        self.nrows = plan.print_rows
        self.base = list(plan.base_heights) or base_row_heights(plan.cells, plan.layout, len(plan.row_heights))
        single: list[PlanCell] = []
        merged: list[tuple[PlanCell, float]] = []
        sticky = set()
        needs = plan.needs if len(plan.needs) == len(plan.cells) else cell_needs(plan.cells, plan.layout)
        add_single, add_merged = single.append, merged.append
        for c, need in zip(plan.cells, needs):  # c[0]: row, c[4]: last row, c[3]: style (by index: hundreds)
            if c[0] == c[4]:
                add_single(c)
            else:
                add_merged((c, need))
            if c[3] in STICKY_STYLES:
                sticky.add(c[0])
        self.single = single
        self.sticky = frozenset(sticky)
        self.merged = merged
        # Merged cells that may need more than the rows they cover: a label no taller than the
        # lowest of its rows never grows a page, whatever part of it lands there.
        base = self.base
        self.growing = [(c, need) for c, need in self.merged if need > min(base[c.row : c.last_row + 1])]
        # the growing cells over each row, for the quick bound in page_ranges
        self.over: list[list[int]] = [[] for _ in range(len(plan.row_heights))]
        for k, (c, _) in enumerate(self.growing):
            for r in range(c.row, c.last_row + 1):
                self.over[r].append(k)
        ind_block = plan.layout.indicators_block
        ind = plan.block(ind_block.key) if ind_block is not None else None
        self.header_row = ind.header_row if ind is not None else None
        self.ind_last = ind.last_row if ind is not None else -1
        # the rows a continuation page repeats: the header, under its headings if it has them
        self.header_rows: list[int] = []
        if ind is not None and ind.header_row is not None:
            first = ind.heading_row if ind.heading_row is not None else ind.header_row
            self.header_rows = list(range(first, ind.header_row + 1))

    # -- one page ------------------------------------------------------------------------------

    def repeats_header(self, start: int) -> bool:
        return self.header_row is not None and self.header_row < start <= self.ind_last

    def fragments(self, start: int, end: int, growing: bool = False) -> list[tuple[PlanCell, float, int, int]]:
        """The part of each merged cell on the page (or of each growing one): (cell, height it
        needs, first slot, last slot)."""
        repeat = len(self.header_rows) if self.repeats_header(start) else 0
        out = []
        for cell, need in self.growing if growing else self.merged:
            if cell.last_row < start or cell.row > end:
                continue
            first = max(cell.row, start) - start + repeat
            last = min(cell.last_row, end) - start + repeat
            # spans the header and continues (绩效指标)
            if repeat and self.header_row is not None and cell.row <= self.header_row:
                first = 0
            out.append((cell, need, first, last))
        return out

    def heights(self, start: int, end: int, frags: list[tuple[PlanCell, float, int, int]] | None = None) -> list[float]:
        """Heights of a page's printed rows: each row as its own cells need, then every part of a
        merged label grown (evenly over its rows) until its text fits (rounded up to 1/100 pt).
        `frags` are the page's fragments when the caller has them."""
        return [math.ceil(h * 100 - 1e-6) / 100 for h in self._heights(start, end, frags)]

    def _heights(self, start: int, end: int,
                 frags: list[tuple[PlanCell, float, int, int]] | None = None) -> list[float]:
        heights = self.base[start : end + 1]
        if self.repeats_header(start):
            heights[0:0] = [self.base[r] for r in self.header_rows]
        for _, need, first, last in self.fragments(start, end, growing=True) if frags is None else frags:
            extra = need - sum(heights[first : last + 1])
            if extra > 0:
                add = extra / (last - first + 1)
                for i in range(first, last + 1):
                    heights[i] += add
        return heights

    def may_end_after(self, row: int) -> bool:
        return row >= self.nrows - 1 or row not in self.sticky

    # -- all pages -----------------------------------------------------------------------------

    def page_ranges(self) -> list[tuple[int, int]]:
        """Greedy: each page takes rows while they fit, then ends after the last row that may end a
        page. A run that fits nowhere (a header row with a row too tall) gets a page of its own.

        The exact page height (merged labels spread over their rows) is worked out only when a
        quick upper bound passes the page: the rows' own heights plus, for each merged label on
        the page, what it needs beyond the rows it covers there."""
        out = []
        start = 0
        base, over, growing, capacity = self.base, self.over, self.growing, self.capacity
        nrows, sticky = self.nrows, self.sticky
        while start < nrows:
            best = None
            end = start
            repeat = self.repeats_header(start)
            floor = sum(base[r] for r in self.header_rows) if repeat else 0.0
            covered: dict[int, float] = {}  # merged cell → its rows' own heights on this page
            excess = 0.0  # what the merged cells on the page need beyond those heights
            if repeat:  # a label spanning the header (绩效指标) also covers the repeated header
                for r in self.header_rows:
                    for k in over[r]:
                        covered[k] = covered.get(k, 0.0) + base[r]
                for k, height in covered.items():
                    excess += max(0.0, growing[k][1] - height)
            while end < nrows:
                floor += base[end]  # the rows' own heights: a lower bound of the page's
                for k in over[end]:
                    need, had = growing[k][1], covered.get(k)
                    now = covered[k] = (had or 0.0) + base[end]
                    excess += max(0.0, need - now) - (0.0 if had is None else max(0.0, need - had))
                if end > start:
                    limit = capacity - 0.01 * (end - start + 2)
                    if floor > capacity:
                        break
                    if floor + excess > limit - 1e-6 and sum(self._heights(start, end)) > limit:
                        break
                if end not in sticky or end >= nrows - 1:  # may_end_after, inline: once per row
                    best = end
                end += 1
            if best is None:
                best = next(r for r in range(start, nrows) if self.may_end_after(r))
            out.append((start, best))
            start = best + 1
        return out

    def run(self) -> tuple[Plan, list[int]]:
        plan = self.plan
        where = list(range(len(plan.row_heights)))  # plan row → printed row
        heights: list[float] = []
        pages: list[PageSpan] = []
        cells: list[PlanCell] = []
        single = self.single
        header_rows = self.header_rows
        nrepeat = len(header_rows)
        # the header's cells (one merged over both of its rows too), written again on a continuation
        header_cells = [c for c in single if c.row in header_rows]
        if nrepeat > 1:
            header_cells += [c for c, _ in self.merged if header_rows[0] <= c.row and c.last_row <= header_rows[-1]]
        for number, (start, end) in enumerate(self.page_ranges(), start=1):
            offset = len(heights)
            repeat = nrepeat if self.repeats_header(start) else 0
            where[start : end + 1] = range(offset + repeat, offset + repeat + end - start + 1)
            frags = self.fragments(start, end)
            for cell, _, first, last in frags:
                keeps_field = cell.row >= start  # the part where the merge begins carries the field
                cells.append(_moved(cell, offset + first, offset + last, cell.field if keeps_field else ""))
            if repeat:
                shift = offset - header_rows[0]
                cells.extend(_moved(c, c.row + shift, c.last_row + shift, "") for c in header_cells)
            page_heights = self.heights(start, end, frags)
            heights.extend(page_heights)
            pages.append(PageSpan(number, offset, len(heights) - 1, round(sum(page_heights), 2),
                                  offset if repeat else None, repeat))
        # Rows after the printed form (none today) follow unchanged.
        for r in range(self.nrows, len(plan.row_heights)):
            where[r] = len(heights)
            heights.append(plan.row_heights[r])
        new, append = tuple.__new__, cells.append
        for c in single:  # most of a form's cells, moved inline (a few hundred)
            row = where[c[0]]
            append(c if row == c[0] else new(PlanCell, (row, c[1], c[2], c[3], row, c[5], c[6])))
        cells.sort(key=_POSITION)
        blocks = tuple(
            BlockSpan(b.key, where[b.first_row], where[b.last_row],
                      None if b.header_row is None else where[b.header_row])
            for b in plan.blocks
        )
        formulas = tuple(
            f._replace(row=where[f.row], sum_of=tuple((p1, c1, p2, c2) for r1, c1, r2, c2 in f.sum_of
                                                      for p1, p2 in printed_runs(r1, r2, where)))
            for f in plan.formulas
        )
        paged = replace(plan, cells=tuple(cells), row_heights=tuple(heights), blocks=blocks, formulas=formulas,
                        needs=(), print_rows=where[self.nrows - 1] + 1 if self.nrows else 0, pages=tuple(pages))
        return paged, where


_POSITION = itemgetter(0, 1)  # a plan cell's (row, col)


def _moved(cell: PlanCell, row: int, last_row: int, field: str) -> PlanCell:
    # made directly, without the named tuple's own __new__: a few hundred per form
    return tuple.__new__(PlanCell, (row, cell.col, cell.value, cell.style, last_row, cell.last_col, field))


def printed_runs(first: int, last: int, where: Sequence[int]) -> list[tuple[int, int]]:
    """The plan's rows first..last as runs of consecutive printed rows (`where`: plan row →
    printed row): one run, or several where a repeated header row was inserted between them."""
    out: list[tuple[int, int]] = []
    for r in range(first, last + 1):
        if out and where[r] == out[-1][1] + 1:
            out[-1] = (out[-1][0], where[r])
        else:
            out.append((where[r], where[r]))
    return out


def paginate_rows(plan: Plan, geometry: PageGeometry | None = None) -> tuple[Plan, list[int]]:
    """`paginate`, and where each of `plan`'s rows went (plan row → printed row): what a caller
    holding row numbers of its own (a template's drop-downs, rules and formulas) moves them by."""
    if plan.pages:
        return plan, list(range(len(plan.row_heights)))
    return _Paginator(plan, geometry or page_geometry(plan.layout)).run()


def paginate(plan: Plan, geometry: PageGeometry | None = None) -> Plan:
    """`plan` laid out on pages of its layout's paper (or `geometry`): explicit breaks, labels
    repeated at breaks, the indicator header repeated on continuation pages."""
    return paginate_rows(plan, geometry)[0]


__all__ = ["PAPER_MM", "PageGeometry", "page_geometry", "paginate", "paginate_rows", "printed_runs"]

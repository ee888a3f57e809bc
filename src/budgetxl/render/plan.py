"""The render plan: a Form and a layout become cells, merges, styles and row heights as plain data.

Tests inspect the plan directly; `render.xlsx.write_plan` replays it onto xlsxwriter. Columns are
0-based: column 0 holds the section labels, columns 1..4 the block contents.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple, Sequence

from budgetxl.errors import InputError
from budgetxl.layout import Layout, load_layout
from budgetxl.model import BudgetLine, BudgetSection, Form, Indicator, InfoItem, Task
from budgetxl.render.styles import AMOUNT_STYLES, font_size
from budgetxl.text import ROW_PADDING_PT, column_px, line_box, line_height_pt, wrap_count

EXCEL_MAX_CHARS = 32767
Value = str | Decimal | None


class PlanCell(NamedTuple):
    """One cell (or merged range) of the plan: immutable, and a tuple so that a form's few hundred
    are made cheaply (a frozen dataclass costs three times as much to create)."""

    row: int
    col: int
    value: Value
    style: str
    last_row: int
    last_col: int
    field: str = ""  # model field path this cell shows, e.g. "tasks[3].funds"

    @property
    def merged(self) -> bool:
        return self.last_row != self.row or self.last_col != self.col

    @property
    def decimals(self) -> int:
        return amount_decimals(self.value) if isinstance(self.value, Decimal) else 0


def amount_decimals(amount: Decimal) -> int:
    """Decimal places an amount is written with (1800 → 0, 10891.615675 → 6)."""
    exp = amount.as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


class BlockSpan(NamedTuple):
    """Rows a block occupies (inclusive), and the row of its column header if it has one."""

    key: str
    first_row: int
    last_row: int
    header_row: int | None = None


class PageSpan(NamedTuple):
    """One printed page: its rows (inclusive), their height in sheet points, and the row that
    repeats the indicator header at its top when the page continues the indicator block."""

    number: int
    first_row: int
    last_row: int
    height: float
    repeated_header_row: int | None = None


@dataclass(frozen=True)
class Plan:
    layout: Layout
    sheet_name: str
    cells: tuple[PlanCell, ...]
    col_widths: tuple[float, ...]
    row_heights: tuple[float, ...]
    blocks: tuple[BlockSpan, ...]
    print_rows: int  # rows that belong to the printed form (notes included)
    pages: tuple[PageSpan, ...] = ()  # empty until `render.pages.paginate` lays out the pages
    # Row heights from the single-row cells alone, before vertically merged labels were spread
    # over their rows: pagination starts from these instead of measuring every text again.
    base_heights: tuple[float, ...] = ()

    @property
    def breaks(self) -> tuple[int, ...]:
        """Rows that start a new page (a manual page break above each)."""
        return tuple(p.first_row for p in self.pages[1:])

    def cell_at(self, row: int, col: int) -> PlanCell | None:
        for c in self.cells:
            if c.row <= row <= c.last_row and c.col <= col <= c.last_col:
                return c
        return None

    def block(self, key: str) -> BlockSpan | None:
        return next((b for b in self.blocks if b.key == key), None)

    @property
    def merges(self) -> list[tuple[int, int, int, int]]:
        return [(c.row, c.col, c.last_row, c.last_col) for c in self.cells if c.merged]

    def field_cells(self) -> dict[str, tuple[int, int]]:
        return {c.field: (c.row, c.col) for c in self.cells if c.field}


_new_cell = tuple.__new__  # a plan cell made directly, without the named tuple's own __new__


class SheetBuilder:
    """Collects a plan's cells and block spans. The form's planner and the template's share it,
    with the parts of the form both lay out the same way (title, unit, 基本信息)."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.cells: list[PlanCell] = []
        self.blocks: list[BlockSpan] = []

    @property
    def last_col(self) -> int:
        return self.layout.ncols - 1

    def put(self, row: int, col: int, value: Value, style: str, last_row: int | None = None,
            last_col: int | None = None, field: str = "") -> None:
        self.cells.append(_new_cell(PlanCell, (row, col, value, style, row if last_row is None else last_row,
                                               col if last_col is None else last_col, field)))

    def finished_cells(self) -> tuple[PlanCell, ...]:
        """The cells, once every text is known to fit in a spreadsheet cell."""
        for cell in self.cells:
            value = cell.value
            if type(value) is str and len(value) > EXCEL_MAX_CHARS:
                where = cell.field or f"第 {cell.row + 1} 行"
                raise InputError(f"{where}: 文字有 {len(value)} 个字符，超过 Excel 单元格上限 {EXCEL_MAX_CHARS}")
        return tuple(self.cells)

    def section_label(self, key: str, first: int, last: int, header_row: int | None = None) -> None:
        block = getattr(self.layout.blocks, key)
        self.put(first, 0, block.label, "label", last_row=last)
        self.blocks.append(BlockSpan(key, first, last, header_row))

    def header(self, row: int, labels: Sequence[str]) -> None:
        for i, text in enumerate(labels):
            self.put(row, 1 + i, text, "header")

    def title_and_unit(self, title: str, title_field: str, unit_name: str) -> int:
        """The merged title row and the 单位名称 row; returns the next free row."""
        last = self.last_col
        self.put(0, 0, title, "title", last_col=last, field=title_field)
        self.blocks.append(BlockSpan("title", 0, 0))
        self.put(1, 0, self.layout.blocks.unit.label, "label")
        self.put(1, 1, unit_name, "text", last_col=last, field="unit_name")
        self.blocks.append(BlockSpan("unit", 1, 1))
        return 2

    def budget_amount(self, row: int, col: int, amount: Decimal | None, field: str) -> None:
        """One amount of 预算整体情况 (the template makes a blank one an input cell)."""
        self.put(row, col, amount, "amount", field=field)

    def budget_pairs(self, row: int, left: Sequence[BudgetLine], right: Sequence[BudgetLine],
                     lpath: str, rpath: str) -> int:
        """Budget lines side by side, 部门预算支出 beside 收入来源; returns the next row."""
        for k in range(max(len(left), len(right), 1)):
            for col, lines, path in ((1, left, lpath), (3, right, rpath)):
                if k < len(lines):
                    line = lines[k]
                    self.put(row, col, line.name, "text_center", field=f"{path}[{k}].name")
                    self.budget_amount(row, col + 1, line.amount, f"{path}[{k}].amount")
                else:
                    self.put(row, col, "", "text_center")
                    self.put(row, col + 1, None, "amount")
            row += 1
        return row

    def budget_sections(self, row: int, sections: Sequence[BudgetSection]) -> int:
        """Further sub-blocks (事业发展性支出 / 按预算级次划分), each under its own heading row."""
        amount = self.layout.blocks.budget.amount_header
        for s, section in enumerate(sections):
            self.put(row, 1, section.left_heading, "header", field=f"budget.sections[{s}].left_heading")
            self.put(row, 2, amount, "header")
            self.put(row, 3, section.right_heading, "header", field=f"budget.sections[{s}].right_heading")
            self.put(row, 4, amount, "header")
            row = self.budget_pairs(row + 1, section.left, section.right,
                                    f"budget.sections[{s}].left", f"budget.sections[{s}].right")
        return row

    def basic_info(self, row: int, items: Sequence[InfoItem], value_style: str = "text_center") -> int:
        """基本信息: two name/value pairs per row, its label merged over them; returns the next row."""
        if not items:
            return row
        first = row
        for i in range(0, len(items), 2):
            pair = items[i : i + 2]
            for j, item in enumerate(pair):
                b = i + j
                self.put(row, 1 + 2 * j, item.name, "text_center", field=f"basic_info[{b}].name")
                self.put(row, 2 + 2 * j, item.value, value_style, field=f"basic_info[{b}].value")
            if len(pair) == 1:
                self.put(row, 3, "", "text_center")
                self.put(row, 4, "", "text_center")
            row += 1
        self.section_label("basic_info", first, row - 1)
        return row


def plan_form(form: Form, layout: Layout | None = None) -> Plan:
    """Lay out `form` with `layout` (default: the form's own layout, else the default one)."""
    layout = layout or load_layout(form.layout)
    b = SheetBuilder(layout)
    blocks = layout.blocks
    last = b.last_col

    # Title, unit and 基本信息
    title = form.title if form.title is not None else layout.render_title(form.year)
    row = b.title_and_unit(title, "title" if form.title is not None else "year", form.unit_name)
    row = b.basic_info(row, form.basic_info)

    # 预算整体情况
    first = row
    budget = form.budget
    b.header(row, blocks.budget.header)
    header_row = row
    row += 1
    row = b.budget_pairs(row, budget.expenditures, budget.revenues, "budget.expenditures", "budget.revenues")
    row = b.budget_sections(row, budget.sections)
    b.section_label("budget", first, row - 1, header_row)

    # 总体绩效目标
    b.put(row, 0, blocks.overall_goal.label, "label")
    b.put(row, 1, form.overall_goal, "text", last_col=last, field="overall_goal")
    b.blocks.append(BlockSpan("overall_goal", row, row))
    row += 1

    # Tasks
    for key, group, with_header in (("tasks_key", "key", True), ("tasks_other", "other", False)):
        first = row
        header_row = None
        if with_header:
            b.header(row, blocks.tasks_key.header)
            header_row = row
            row += 1
        tasks = [(i, t) for i, t in enumerate(form.tasks) if t.group == group]
        for i, task in tasks:
            _task_row(b, row, i, task)
            row += 1
        if not tasks:
            for col in range(1, last + 1):
                b.put(row, col, None, "amount" if col == 3 else "text")
            row += 1
        b.section_label(key, first, row - 1, header_row)

    # 绩效指标
    first = row
    b.header(row, blocks.indicators.header)
    header_row = row
    row += 1
    row = _indicator_rows(b, row, form.indicators)
    b.section_label("indicators", first, row - 1, header_row)
    print_rows = row

    for n, note in enumerate(form.notes):
        b.put(row, 0, note, "note", last_col=last, field=f"notes[{n}]")
        row += 1
    print_rows = row

    cells = b.finished_cells()
    heights, base = row_heights(cells, layout, row)
    return Plan(
        layout=layout,
        sheet_name=layout.sheet_name,
        cells=cells,
        col_widths=tuple(layout.columns),
        row_heights=tuple(heights),
        blocks=tuple(b.blocks),
        print_rows=print_rows,
        base_heights=tuple(base),
    )


def _task_row(b: SheetBuilder, row: int, i: int, task: Task) -> None:
    fields = b.layout.blocks.tasks_key.fields
    for col, name in enumerate(fields, start=1):
        value = getattr(task, name)
        style = "amount" if name == "funds" else ("text_center" if name == "name" else "text")
        b.put(row, col, value, style, field=f"tasks[{i}].{name}")


def _runs(items: Sequence[Indicator], key: str, start: int, stop: int) -> list[tuple[int, int]]:
    """Runs [i, j) of consecutive items in items[start:stop] with the same `key` value."""
    runs = []
    i = start
    while i < stop:
        j = i + 1
        while j < stop and getattr(items[j], key) == getattr(items[i], key):
            j += 1
        runs.append((i, j))
        i = j
    return runs


def _indicator_rows(b: SheetBuilder, row: int, items: Sequence[Indicator]) -> int:
    fields = b.layout.blocks.indicators.fields
    col_of = {name: col for col, name in enumerate(fields, start=1)}
    if not items:
        for col in range(1, b.last_col + 1):
            b.put(row, col, "", "level" if col < 3 else "text")
        return row + 1
    add, new = b.cells.append, _new_cell
    name_col, target_col = col_of["name"], col_of["target"]
    for i1, j1 in _runs(items, "level1", 0, len(items)):
        b.put(row + i1, col_of["level1"], items[i1].level1, "level",
              last_row=row + j1 - 1, field=f"indicators[{i1}].level1")
        for i2, j2 in _runs(items, "level2", i1, j1):
            b.put(row + i2, col_of["level2"], items[i2].level2, "level",
                  last_row=row + j2 - 1, field=f"indicators[{i2}].level2")
        for k in range(i1, j1):  # the bulk of a form's cells: appended directly
            r, item = row + k, items[k]
            add(new(PlanCell, (r, name_col, item.name, "text", r, name_col, f"indicators[{k}].name")))
            add(new(PlanCell, (r, target_col, item.target, "text", r, target_col, f"indicators[{k}].target")))
    return row + len(items)


def row_heights(cells: Sequence[PlanCell], layout: Layout, nrows: int) -> tuple[list[float], list[float]]:
    """Every row tall enough for each wrapped line of its cells; a vertically merged cell that
    needs more than its rows add up to spreads the extra height evenly over them. Returns the
    heights, and the heights from single-row cells alone (what pagination starts from)."""
    needs = cell_needs(cells, layout)
    base = base_row_heights(cells, layout, nrows, needs)
    heights = list(base)
    spread_merged_heights([(c, n) for c, n in zip(cells, needs) if c.row != c.last_row], heights)
    return [round(h, 2) for h in heights], base


def cell_needs(cells: Sequence[PlanCell], layout: Layout) -> list[float]:
    """Points each cell needs to show every wrapped line of its value (0 for an empty cell): what
    text_height_pt gives, with the one-line case answered here (a call less for most cells)."""
    px = [column_px(w) for w in layout.columns]
    boxes: dict[tuple[str, int, int], tuple[float, float, float, int, float]] = {}  # by style, columns
    out = []
    append = out.append
    for _, col, value, style, _, last_col, _ in cells:
        if value is None:
            append(0.0)
            continue
        if type(value) is not str:  # an amount
            value = format(value, "f")
        if style in AMOUNT_STYLES:
            value = value + "00"  # room for the decimals the format adds
        box = boxes.get((style, col, last_col))
        if box is None:
            width, size = sum(px[col : last_col + 1]), font_size(style, layout)
            box = boxes[(style, col, last_col)] = (*line_box(width, size), line_height_pt(size), width, size)
        em_px, avail, line, width, size = box
        if len(value) * em_px <= avail and "\n" not in value and "\t" not in value:
            append(line + ROW_PADDING_PT)
        else:
            append(wrap_count(value, width, size) * line + ROW_PADDING_PT)
    return out


def cell_height_need(cell: PlanCell, layout: Layout) -> float:
    """Points that `cell` needs to show every wrapped line of its value."""
    return cell_needs((cell,), layout)[0]


def base_row_heights(cells: Sequence[PlanCell], layout: Layout, nrows: int,
                     needs: Sequence[float] | None = None) -> list[float]:
    """Row heights from the cells that sit in one row only (vertical merges not yet counted);
    `needs` are the cells' own needs when the caller has them (see `cell_needs`)."""
    heights = [float(layout.rows.min_height)] * nrows
    title, header = float(layout.rows.title_height), float(layout.rows.header_height)
    for cell, need in zip(cells, cell_needs(cells, layout) if needs is None else needs):
        row = cell.row
        if row == cell.last_row:
            if cell.style == "title" and title > need:
                need = title
            if need > heights[row]:
                heights[row] = need
        if cell.style == "header" and header > heights[row]:
            heights[row] = header
    return heights


def spread_merged_heights(merged: Sequence[tuple[PlanCell, float]], heights: list[float]) -> None:
    """Grow `heights` in place so that each vertically merged cell (with the points it needs)
    fits: the extra height a cell needs beyond its rows is spread evenly over them."""
    for cell, need in merged:
        extra = need - sum(heights[cell.row : cell.last_row + 1])
        if extra > 0:
            add = extra / (cell.last_row - cell.row + 1)
            for r in range(cell.row, cell.last_row + 1):
                heights[r] += add

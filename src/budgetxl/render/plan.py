"""The render plan: a Form and a layout become cells, merges, styles and row heights as plain data.

Tests inspect the plan directly; `render.xlsx.write_plan` replays it onto xlsxwriter. Columns are
0-based: column 0 holds the block labels, the others the blocks' contents, as the layout's column
maps place them. The blocks are laid out by their kinds (budgetxl.blocks), in the layout's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple, Sequence

from xlsxwriter.utility import xl_rowcol_to_cell

from budgetxl.errors import InputError
from budgetxl.formulas import amount_sum
from budgetxl.layout import Layout, once
from budgetxl.model import Form
from budgetxl.render.styles import AMOUNT_STYLES, font_size, indent_px
from budgetxl.text import (
    ROW_PADDING_PT,
    WIDE_RUN_RE,
    break_label,
    column_px,
    line_box,
    line_height_pt,
    line_room,
    wrap_count,
)

EXCEL_MAX_CHARS = 32767
# The tallest row that prints whole: Excel's limit is 409 pt; a text that needs more is spread
# over rows of its own (text blocks) or reported by check (BX131).
MAX_ROW_PT = 400.0
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


class FormulaCell(NamedTuple):
    """A formula with its computed value (stored with it, so that every program shows the value
    before it recalculates). A total is `sum_of` ranges (first_row, first_col, last_row, last_col),
    written once the rows are final as the sum that counts amounts typed as text too (an array
    formula, see budgetxl.formulas); any other formula is its text."""

    row: int
    col: int
    formula: str
    value: Decimal | str
    style: str
    decimals: int = 2
    sum_of: tuple[tuple[int, int, int, int], ...] = ()

    def text(self) -> str:
        if not self.sum_of:
            return self.formula
        return amount_sum([_range_a1(*r) for r in self.sum_of])

    @property
    def array(self) -> bool:
        """Written as an array formula (a total: it evaluates its range cell by cell)."""
        return bool(self.sum_of)


def _range_a1(r1: int, c1: int, r2: int, c2: int) -> str:
    return f"{xl_rowcol_to_cell(r1, c1)}:{xl_rowcol_to_cell(r2, c2)}"


def amount_places(values: Sequence[Decimal | None]) -> int:
    """Decimals a total of `values` is shown with: two, or more when an amount has more."""
    out = 2
    for v in values:
        if v is not None:
            out = max(out, amount_decimals(v))
    return out


class BlockSpan(NamedTuple):
    """Rows a block occupies (inclusive), the row of its column header if it has one, and the row
    of headings over it where the header is two rows (实施期绩效指标 | 年度绩效指标 over the
    columns of each indicator tree): a continuation page repeats both."""

    key: str
    first_row: int
    last_row: int
    header_row: int | None = None
    heading_row: int | None = None


class PageSpan(NamedTuple):
    """One printed page: its rows (inclusive), their height in sheet points, and the row that
    repeats the indicator header at its top when the page continues the indicator block (the
    first of two rows where the header has a row of headings over it), and how many rows repeat."""

    number: int
    first_row: int
    last_row: int
    height: float
    repeated_header_row: int | None = None
    repeated_rows: int = 0

    @property
    def first_content_row(self) -> int:
        """The page's first row of the form's own content (after a repeated header)."""
        return self.first_row + self.repeated_rows


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
    formulas: tuple[FormulaCell, ...] = ()  # totals written as formulas (their cells hold None)
    # Points each of `cells` needs (see cell_needs), measured once for the row heights: pagination
    # takes the merged labels' needs from here. Empty once paginated (the cells have moved).
    needs: tuple[float, ...] = ()

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
    """Collects a plan's cells and block spans: what the block kinds (budgetxl.blocks) call to lay
    out their part of the sheet. The form's planner and the template's share it."""

    template = False  # the template's builder says True: the kinds then lay out input cells

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.cells: list[PlanCell] = []
        self.blocks: list[BlockSpan] = []
        self.formulas: list[FormulaCell] = []

    @property
    def last_col(self) -> int:
        return self.layout.ncols - 1

    @property
    def first_col(self) -> int:
        """The first column of the content, right of the label column(s)."""
        return self.layout.label_columns

    def label(self, block: Any, first: int, last: int | None = None) -> None:
        """A block's label over its rows: across the label columns, or in the last of them when
        a parent label stands over the block (see `parent_labels`)."""
        col = self.layout.label_columns - 1
        start = col if block.parent is not None else 0
        self.put(first, start, self.label_text(block.label, start, col), "label", last_row=last, last_col=col)

    def label_text(self, label: str, first: int, last: int) -> str:
        """A block label with its line breaks placed between words for columns first..last."""
        return break_label(label, self.width_px(first, last), font_size("label", self.layout))

    def parent_labels(self) -> None:
        """Each parent label in the first label column, over the rows of its blocks."""
        spans = {s.key: s for s in self.blocks}
        group: list[Any] = []
        for block in [*self.layout.blocks, None]:
            if group and (block is None or block.parent != group[0].parent):
                rows = [spans[b.key] for b in group if b.key in spans]
                if rows:
                    last_col = self.layout.label_columns - 2
                    self.put(rows[0].first_row, 0, self.label_text(group[0].parent.label, 0, last_col), "label",
                             last_row=rows[-1].last_row, last_col=last_col)
                group = []
            if block is not None and block.parent is not None:
                group.append(block)

    def width_px(self, first: int, last: int) -> float:
        """Pixels of the physical columns first..last (a merged cell's width)."""
        return float(sum(_column_px(self.layout)[first : last + 1]))

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

    def formula(self, row: int, col: int, formula: str, value: Decimal | str, style: str, decimals: int = 2,
                sum_of: tuple[tuple[int, int, int, int], ...] = (), last_col: int | None = None) -> None:
        self.put(row, col, None, style, last_col=last_col)
        self.formulas.append(FormulaCell(row, col, formula, value, style, decimals, sum_of))

    decimals_of = staticmethod(amount_places)

    def amount(self, row: int, col: int, amount: Decimal | None, field: str, last_col: int | None = None) -> None:
        """An amount of the form (the template makes a blank one an input cell)."""
        self.put(row, col, amount, "amount", last_col=last_col, field=field)

    def section_label(self, block: Any, first: int, last: int, header_row: int | None = None,
                      heading_row: int | None = None) -> None:
        self.label(block, first, last)
        self.blocks.append(BlockSpan(block.key, first, last, header_row, heading_row))

    def header(self, row: int, block: Any) -> None:
        """The block's header row: each column's header over the physical columns it spans, broken
        between words where it needs more than one line (拟投入的资金 / （万元）)."""
        size = font_size("header", self.layout)
        for column, (c0, c1) in zip(block.column_map, block.positions):
            text = break_label(column.header, self.width_px(c0, c1), size) if column.header else column.header
            self.put(row, c0, text, "header", last_col=c1)

    def title(self, title: str, title_field: str, subtitle: str = "") -> int:
        """The merged title row (and a subtitle row under it); returns the next free row."""
        last = self.last_col
        self.put(0, 0, title, "title", last_col=last, field=title_field)
        self.blocks.append(BlockSpan("title", 0, 0))
        if not subtitle:
            return 1
        self.put(1, 0, subtitle, "subtitle", last_col=last)
        self.blocks.append(BlockSpan("subtitle", 1, 1))
        return 2


def plan_form(form: Form, layout: Layout | None = None) -> Plan:
    """Lay out `form` with `layout` (default: the form's own layout, else the default one).
    Raises InputError when the form holds something the layout has no place for."""
    from budgetxl.blocks import KINDS, check_fits, heading
    from budgetxl.kinds import check_kind, form_layout

    layout = layout or form_layout(form)
    check_kind(form, layout)
    check_fits(form, layout)
    b = SheetBuilder(layout)
    title, title_field, subtitle = heading(form, layout)
    row = b.title(title, title_field, subtitle)
    for block in layout.blocks:
        row = KINDS[block.kind].plan(b, block, form, row)
    b.parent_labels()
    print_rows = row
    last = b.last_col
    for n, note in enumerate(form.notes):
        b.put(row, 0, note, "note", last_col=last, field=f"notes[{n}]")
        row += 1
    print_rows = row

    cells = b.finished_cells()
    needs = cell_needs(cells, layout)
    heights, base = row_heights(cells, layout, row, needs)
    return Plan(
        layout=layout,
        sheet_name=layout.sheet_name,
        cells=cells,
        col_widths=tuple(layout.columns),
        row_heights=tuple(heights),
        blocks=tuple(b.blocks),
        print_rows=print_rows,
        base_heights=tuple(base),
        formulas=tuple(b.formulas),
        needs=tuple(needs),
    )


def row_heights(cells: Sequence[PlanCell], layout: Layout, nrows: int,
                needs: Sequence[float] | None = None) -> tuple[list[float], list[float]]:
    """Every row tall enough for each wrapped line of its cells; a vertically merged cell that
    needs more than its rows add up to spreads the extra height evenly over them. Returns the
    heights, and the heights from single-row cells alone (what pagination starts from); `needs`
    are the cells' own needs when the caller has them (see `cell_needs`)."""
    if needs is None:
        needs = cell_needs(cells, layout)
    base = base_row_heights(cells, layout, nrows, needs)
    heights = list(base)
    spread_merged_heights([(c, n) for c, n in zip(cells, needs) if c[0] != c[4]], heights)
    rounded: dict[float, float] = {}  # rows share a few heights: each rounded once
    return [rounded[h] if h in rounded else rounded.setdefault(h, round(h, 2)) for h in heights], base


def cell_needs(cells: Sequence[PlanCell], layout: Layout) -> list[float]:
    """Points each cell needs to show every wrapped line of its value (0 for an empty cell): what
    text_height_pt gives, with the one-line case answered here (a call less for most cells)."""
    boxes = _layout_boxes(layout)
    wide_run = WIDE_RUN_RE.fullmatch
    out: list[float] = []
    append = out.append
    for _, col, value, style, _, last_col, _ in cells:
        if value is None:
            append(0.0)
            continue
        if type(value) is not str:  # an amount
            value = format(value, "f")
        box = boxes.get((style, col, last_col))
        if box is None:
            box = _box(boxes, layout, style, col, last_col)
        one_chars, one_line, line, width, size, amount, per_line = box
        if amount:
            value = value + "00"  # room for the decimals the format adds
        if len(value) <= one_chars and "\n" not in value and "\t" not in value:
            append(one_line)
        elif wide_run(value):  # one-em characters only: counted as wrap_count counts them
            append(-(-len(value) // per_line) * line + ROW_PADDING_PT)
        else:
            append(wrap_count(value, width, size) * line + ROW_PADDING_PT)
    return out


# The measuring box of each (style, first column, last column) of a layout (see _box), and the
# pixels of each of its columns (column_px), kept with the layout (frozen): a batch of forms in
# one layout works them out once.
_Box = tuple[int, float, float, float, float, bool, int]


def _layout_boxes(layout: Layout) -> dict[tuple[str, int, int], _Box]:
    """The layout's boxes found so far: a memo that _box fills."""
    return once(layout, "render.boxes", dict)


def _column_px(layout: Layout) -> tuple[int, ...]:
    return once(layout, "render.column_px", lambda: tuple(column_px(w) for w in layout.columns))


def _box(boxes: dict[tuple[str, int, int], _Box], layout: Layout, style: str, col: int, last_col: int) -> _Box:
    """For cells of `style` over columns col..last_col: the most characters a text may have to
    fit on one line whatever they are (n × em ≤ the line's room, see line_box), the points of one
    line with its padding, of a line, the cell's pixels, the font size, whether it is an amount,
    and the one-em characters a line takes (see line_room)."""
    room = sum(_column_px(layout)[col : last_col + 1]) - indent_px(style, layout)
    size = font_size(style, layout)
    line = line_height_pt(size)
    em_px, avail = line_box(room, size)
    n = int(avail // em_px)
    while (n + 1) * em_px <= avail:
        n += 1
    while n > 0 and n * em_px > avail:
        n -= 1
    box = boxes[(style, col, last_col)] = (n, line + ROW_PADDING_PT, line, room, size, style in AMOUNT_STYLES,
                                           line_room(em_px, avail)[2])
    return box


def cell_height_need(cell: PlanCell, layout: Layout) -> float:
    """Points that `cell` needs to show every wrapped line of its value."""
    return cell_needs((cell,), layout)[0]


def base_row_heights(cells: Sequence[PlanCell], layout: Layout, nrows: int,
                     needs: Sequence[float] | None = None) -> list[float]:
    """Row heights from the cells that sit in one row only (vertical merges not yet counted);
    `needs` are the cells' own needs when the caller has them (see `cell_needs`)."""
    heights = [float(layout.rows.min_height)] * nrows
    title, header = float(layout.rows.title_height), float(layout.rows.header_height)
    for (row, _, _, style, last_row, _, _), need in zip(cells, cell_needs(cells, layout) if needs is None else needs):
        if row == last_row:
            if style == "title" and title > need:
                need = title
            if need > heights[row]:
                heights[row] = need
        if style == "header" and header > heights[row]:
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

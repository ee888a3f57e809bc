"""A row table: a header row, then one row per item (the task blocks 年度重点工作任务 and
其他需完成的任务). A block with `columns_from` has no header row of its own and uses another
block's columns. In a template, pre-filled rows are followed by empty input rows and, where the
block has totals, a 合计 row of its amount columns.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from budgetxl.blocks.base import form_model, from_sheet, header_key, item_model, to_sheet
from budgetxl.blocks.totals import is_total_row
from budgetxl.layout import once
from budgetxl.model import amount_fields
from budgetxl.render.plan import PlanCell
from budgetxl.text import normalize_label

if TYPE_CHECKING:
    from budgetxl.blocks.base import Span
    from budgetxl.layout import Layout, TableBlock
    from budgetxl.model import Form
    from budgetxl.read.parse import SheetReader
    from budgetxl.render.plan import SheetBuilder
    from budgetxl.render.template_plan import TemplateBuilder

_cell = tuple.__new__  # a plan cell made without the named tuple's own __new__ (a form has hundreds)

_INPUT_STYLE = {"text": "input_text", "text_center": "input_center", "amount": "input_amount"}


@lru_cache(maxsize=64)
def _amounts(item: type) -> frozenset[str]:
    return amount_fields(item)


def _items(block: TableBlock, form: Any) -> list[tuple[int, Any]]:
    """The items of the block's list that it shows (those of its group, when it has one)."""
    return [(i, t) for i, t in enumerate(getattr(form, block.field)) if not block.group or t.group == block.group]


def _style(column: Any, amounts: frozenset[str]) -> str:
    return "amount" if column.field in amounts else (column.style or "text")


# ---------------------------------------------------------------------------------------------
# Writing


def problems(block: TableBlock, form: Form, layout: Layout) -> list[str]:
    out = []
    item = item_model(type(form), block.field)
    fields = [c.field for c in block.column_map]
    missing = [name for name in item.model_fields if name != "group" and name not in fields]
    items = _items(block, form)
    headers = [] if block.has_header else [{normalize_label(t) for t in c.header_labels()} for c in block.column_map]
    filled: list[tuple[int, Any]] = []  # the items with something in a column of the block
    for i, task in items:
        values = [getattr(task, f) for f in fields]
        shown = None  # the first value that is not blank
        for v in values:
            if v is not None and v != "":
                shown = v
                break
        if shown is None:
            out.append(f"{block.field}[{i}]: 各栏都为空的任务读回时会被忽略；请删除该项")
        elif type(shown) is str or isinstance(shown, Decimal) or any(_text(v) for v in values):
            filled.append((i, task))  # (a text or an amount that is not blank shows: no need to ask)
        for name in missing:
            if getattr(task, name) not in ("", None):
                out.append(f"{block.field}[{i}].{name}: 版式“{layout.name}”的“{block.label}”没有这一栏")
        # a row that would read as the header written again (blocks without a header row of their own)
        if headers and all(normalize_label(_text(v)) in h for v, h in zip(values, headers)):
            out.append(f"{block.field}[{i}]: 各栏内容与表头相同，读回时会被当作表头；请修改")
    if block.totals and filled:
        i, last = filled[-1]
        if _looks_total(block, layout, last, [t for _, t in filled[:-1]], _amounts(item)):
            out.append(f"{block.field}[{i}].name: 最后一项名为“{last.name}”，读回时会被当作合计行；请改用其他名称")
    return out


def _text(value: Any) -> str:
    return "" if value is None else (format(value, "f") if isinstance(value, Decimal) else str(value))


def _looks_total(block: TableBlock, layout: Layout, task: Any, above: list[Any], money: frozenset[str]) -> bool:
    others = [c.field for c in block.column_map if c.field != "name" and c.field not in money]
    if any(_text(getattr(task, f)) for f in others):
        return False
    amounts = [c.field for c in block.column_map if c.field in money]
    if not amounts:
        return False
    f = amounts[0]
    return is_total_row(layout.is_total_label(task.name), False, True, False, getattr(task, f),
                        [getattr(t, f) for t in above])


def plan(b: SheetBuilder, block: TableBlock, form: Form, row: int) -> int:
    first = row
    header_row = None
    if block.has_header:
        b.header(row, block)
        header_row = row
        row += 1
    items = _items(block, form)
    money = _amounts(item_model(type(form), block.field))
    columns = list(zip(block.column_map, block.positions))
    shown = [(c.field, c0, c1, c.field in money, _INPUT_STYLE[_style(c, money)] if b.template else _style(c, money))
             for c, (c0, c1) in columns]
    input_first = row
    t = cast("TemplateBuilder", b)  # in a template, its builder: what b.template guards below
    add, path, unit = b.cells.append, block.field, block.unit
    for i, item in items:
        for fld, c0, c1, is_amount, style in shown:  # the bulk of a table's cells: made directly (see put)
            value = getattr(item, fld)
            add(_cell(PlanCell, (row, c0, to_sheet(value, unit) if is_amount else value, style, row, c1,
                                 f"{path}[{i}].{fld}")))
        row += 1
    empty = t.empty_rows_for(block) if b.template else 0
    for _ in range(max(empty, 0 if items else 1)):
        for column, (c0, c1) in columns:
            style = _style(column, money)
            if not b.template and style != "amount":
                style = "text"  # an empty block's row in a rendered form: plain cells
            b.put(row, c0, None, _INPUT_STYLE[style] if b.template else style, last_col=c1)
        if b.template:
            t.empty_rows.add(row)
        row += 1
    if b.template:
        input_last = row - 1
        t.input_rows[block.key] = (input_first, input_last)
        for column, (c0, c1) in columns:
            if column.field in money:
                t.amount_rule(input_first, c0, input_last)
            elif column.hint:
                t.hint_named(input_first, c0, input_last, column.hint, last_col=c1 if c1 != c0 else None)
        if block.totals:
            row = _template_total(b, block, items, columns, input_first, input_last, row, money)
    b.section_label(block, first, row - 1, header_row)
    return row


def _template_total(b: Any, block: TableBlock, items: list[tuple[int, Any]], columns: list[Any],
                    input_first: int, input_last: int, row: int, money: frozenset[str]) -> int:
    label = b.layout.total_label
    for column, (c0, c1) in columns:
        if column.field == "name":
            b.put(row, c0, label, "header", last_col=c1)
        elif column.field not in money:
            b.put(row, c0, None, "text", last_col=c1)
    for column, (c0, c1) in columns:
        if column.field in money:
            known = [to_sheet(getattr(t, column.field), block.unit) for _, t in items]
            b.formula(row, c0, "", sum((a for a in known if a is not None), Decimal(0)), "total_amount",
                      b.decimals_of(known), sum_of=((input_first, c0, input_last, c0),), last_col=c1)
    return row + 1


# ---------------------------------------------------------------------------------------------
# Reading


def _header_fields(block: TableBlock) -> dict[str, str]:
    """Header (as matched) → the field of its column."""
    known: dict[str, str] = {}
    for column in block.column_map:
        for label in column.header_labels():
            known.setdefault(header_key(label), column.field)
    return known


def _find_header(r: SheetReader, block: TableBlock, span: Span, need_all: bool) -> tuple[dict[str, int], int | None]:
    """Field → column from a header row among the block's first rows, and that row."""
    known = once(block, "header_fields", lambda: _header_fields(block))
    for row in span.rows[:3]:
        found: dict[str, int] = {}
        for c in range(span.data_col, r.sheet.ncols):
            fld = known.get(header_key(r.raw(row, c)))
            if fld and fld not in found:
                found[fld] = c
        if len(found) == len(block.column_map) or (not need_all and len(found) >= 2):
            for c in found.values():
                r.mark(row, c)
            return found, row
    return {}, None


def read(r: SheetReader, block: TableBlock, span: Span) -> None:
    cols, header_row = _find_header(r, block, span, need_all=not block.has_header)
    if cols:
        r.columns[block.key] = cols
    elif block.columns_from and block.columns_from in r.columns:
        cols = dict(r.columns[block.columns_from])
    shift = span.data_col - block.first_col
    for column, (c0, _) in zip(block.column_map, block.positions):
        cols.setdefault(column.field, c0 + shift)
    item = item_model(form_model(r.layout), block.field)
    money = _amounts(item)
    fields = [c.field for c in block.column_map]
    computed = frozenset(c.field for c in block.column_map if c.computed)
    name_col = cols.get("name")
    amount_fields_here = [f for f in fields if f in money]
    headers = [(header_row, cols[f]) for f in amount_fields_here] if header_row is not None else []
    unit = r.unit_for(block, span, headers) if amount_fields_here else block.unit
    rows = [row for row in span.rows
            if row != header_row and any(r.raw(row, cols[f]) not in ("", None) for f in fields)]
    out = r.parts.lists[block.field]
    above: list[Decimal | None] = []
    for n, row in enumerate(rows):
        if (block.totals and name_col is not None and amount_fields_here
                and r.layout.is_total_label(r.raw(row, name_col))):
            ac = cols[amount_fields_here[0]]
            others_empty = all(r.raw(row, cols[f]) in ("", None) for f in fields if f != "name" and f not in money)
            amount = from_sheet(r.peek_amount(row, ac), unit)
            if others_empty and is_total_row(True, r.has_formula(row, ac), n == len(rows) - 1, False, amount, above):
                r.mark(row, name_col)
                r.total(row, ac, f"{block.field}.{block.group}.total" if block.group else f"{block.field}.total",
                        unit)
                continue
        k = len(out)
        values: dict[str, Any] = {"group": block.group} if block.group else {}
        for fld in fields:
            path = f"{block.field}[{k}].{fld}"
            if fld in money:
                values[fld] = from_sheet(r.amount(row, cols[fld], path, fld in computed), unit)
            else:
                values[fld] = r.text(row, cols[fld], path)
        if amount_fields_here:
            above.append(values[amount_fields_here[0]])
        out.append(item(**values))

"""A label and one value beside it over the whole width (单位名称 | 某某局)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from budgetxl.render.plan import BlockSpan

if TYPE_CHECKING:
    from budgetxl.blocks.base import Span
    from budgetxl.layout import Layout, ValueBlock
    from budgetxl.model import Form
    from budgetxl.read.parse import SheetReader
    from budgetxl.render.plan import SheetBuilder


def problems(block: ValueBlock, form: Form, layout: Layout) -> list[str]:
    return []


def plan(b: SheetBuilder, block: ValueBlock, form: Form, row: int) -> int:
    b.label(block, row)
    value = getattr(form, block.field)
    # in a template, a value the finance bureau gave (the unit's name) is locked, a blank one is input
    style = "input_text" if b.template and not value else "text"
    b.put(row, b.first_col, value, style, last_col=b.last_col, field=block.field)
    b.blocks.append(BlockSpan(block.key, row, row))
    return row + 1


def read(r: SheetReader, block: ValueBlock, span: Span) -> None:
    if span.inline:
        r.cells[block.field] = r.a1(span.label_row, span.label_col)
        r.parts.values[block.field] = span.inline
        return
    cols = r.right_cells(span.label_row, span.data_col - 1)
    if not cols:
        r.cells[block.field] = r.a1(span.label_row, span.data_col)
        r.parts.values[block.field] = ""
        return
    # a second value in the row stays unread and is reported with its cell
    r.parts.values[block.field] = r.text(span.label_row, cols[0], block.field)

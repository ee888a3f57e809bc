"""Numbered texts, one a row: a number cell (职能1, 职能2, …, as the layout words it) and the text."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from budgetxl.text import normalize_label

if TYPE_CHECKING:
    from budgetxl.blocks.base import Span
    from budgetxl.layout import Layout, NumberedBlock
    from budgetxl.model import Form
    from budgetxl.read.parse import SheetReader
    from budgetxl.render.plan import SheetBuilder
    from budgetxl.render.template_plan import TemplateBuilder


def problems(block: NumberedBlock, form: Form, layout: Layout) -> list[str]:
    return []


def plan(b: SheetBuilder, block: NumberedBlock, form: Form, row: int) -> int:
    items = list(getattr(form, block.field))
    if not items and block.optional and not b.template:
        return row
    (npos, tpos) = block.needed_position("number"), block.needed_position("text")
    t = cast("TemplateBuilder", b)  # in a template, its builder: what b.template guards below
    extra = t.empty_rows_for(block) if b.template else (0 if items else 1)
    first = row
    input_first = row
    for k in range(len(items) + extra):
        b.put(row, npos[0], block.number_text(k + 1), "text_center", last_col=npos[1])
        value = items[k] if k < len(items) else ""
        style = "input_text" if b.template else "text"
        b.put(row, tpos[0], value, style, last_col=tpos[1], field=f"{block.field}[{k}]" if k < len(items) else "")
        if b.template and k >= len(items):
            t.empty_rows.add(row)
        row += 1
    if b.template:
        t.input_rows[block.key] = (input_first, row - 1)
        t.hint_named(input_first, tpos[0], row - 1, block.needed_column("text").hint or block.field, last_col=tpos[1])
    b.section_label(block, first, row - 1)
    return row


def read(r: SheetReader, block: NumberedBlock, span: Span) -> None:
    items = r.parts.lists[block.field]
    pattern = block.number_pattern
    for row in span.rows:
        cols = r.right_cells(row, span.data_col - 1)
        if not cols:
            continue
        first = cols[0]
        if pattern.fullmatch(normalize_label(r.raw(row, first))) or _is_bare_number(r.raw(row, first)):
            r.text(row, first)  # the number: part of the layout, not data
            cols = cols[1:]
        if not cols:
            continue
        # one text a row; anything further right stays unread and is reported with its cell
        items.append(r.text(row, cols[0], f"{block.field}[{len(items)}]"))


def _is_bare_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and normalize_label(value).rstrip(".、").isdigit()

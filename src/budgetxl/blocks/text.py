"""One text beside its label, over the whole width (总体绩效目标)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from budgetxl.render.plan import MAX_ROW_PT, BlockSpan
from budgetxl.render.styles import font_size
from budgetxl.text import clean_text, join_rows, split_to_rows

if TYPE_CHECKING:
    from budgetxl.blocks.base import Span
    from budgetxl.layout import Layout, TextBlock
    from budgetxl.model import Form
    from budgetxl.read.parse import SheetReader
    from budgetxl.render.plan import SheetBuilder
    from budgetxl.render.template_plan import TemplateBuilder


def problems(block: TextBlock, form: Form, layout: Layout) -> list[str]:
    return []


def plan(b: SheetBuilder, block: TextBlock, form: Form, row: int) -> int:
    value = getattr(form, block.field)
    if b.template:
        b.label(block, row)
        b.put(row, b.first_col, value, "input_text", last_col=b.last_col, field=block.field)
        t = cast("TemplateBuilder", b)  # in a template, its builder
        t.hint_named(row, b.first_col, row, block.field, last_col=b.last_col)
        t.tall_rows.append(row)
        b.blocks.append(BlockSpan(block.key, row, row))
        return row + 1
    # A text taller than a row can be is spread over rows of its own, under one label.
    width = b.width_px(b.first_col, b.last_col)
    parts = split_to_rows(value, width, font_size("text", b.layout), MAX_ROW_PT) if value else [value]
    for k, part in enumerate(parts):
        b.put(row + k, b.first_col, part, "text", last_col=b.last_col, field=block.field if k == 0 else "")
    last = row + len(parts) - 1
    if len(parts) == 1:
        b.label(block, row)
        b.blocks.append(BlockSpan(block.key, row, row))
    else:
        b.section_label(block, row, last)
    return last + 1


def read(r: SheetReader, block: TextBlock, span: Span) -> None:
    from budgetxl.read.values import display_text

    parts: list[str] = []
    notes = r.parts.lists["notes"]
    for row in span.rows:
        if row > span.label_row and (notes or _is_note(r, row, span)):
            for c in r.right_cells(row, span.label_col - 1):  # a note under the table (备注：…)
                r.cells[f"notes[{len(notes)}]"] = r.a1(row, c)
                notes.append(r.text(row, c))
            continue
        for c in r.right_cells(row, span.data_col - 1):
            if block.field not in r.cells:
                r.cells[block.field] = r.a1(row, c)
            raw = r.raw(row, c)
            r.text(row, c)
            parts.append(raw if isinstance(raw, str) else display_text(raw, r.sheet.formats.get((row, c))))
    if block.field not in r.cells:
        r.cells[block.field] = r.a1(span.label_row, span.data_col)
    # the rows of a text spread over several (a line break between rows, none after a cut)
    r.parts.values[block.field] = clean_text(join_rows([p for p in parts if p.strip()]))


def _is_note(r: SheetReader, row: int, span: Span) -> bool:
    """A row under the block holding one cell that starts in the label column and spans the whole
    width: a note under the table (the block's text is right of the label column)."""
    present = r.right_cells(row, span.label_col - 1)
    return (len(present) == 1 and present[0] < span.data_col
            and r.span_end(row, present[0]) >= r.layout.ncols - 1 + span.label_col)

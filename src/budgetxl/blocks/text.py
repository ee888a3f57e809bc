"""One text beside its label, over the whole width (总体绩效目标)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from budgetxl.render.plan import BlockSpan

if TYPE_CHECKING:
    from budgetxl.blocks.base import Span
    from budgetxl.layout import Layout, TextBlock
    from budgetxl.model import Form
    from budgetxl.read.parse import SheetReader
    from budgetxl.render.plan import SheetBuilder


def problems(block: TextBlock, form: Form, layout: Layout) -> list[str]:
    return []


def plan(b: SheetBuilder, block: TextBlock, form: Form, row: int) -> int:
    b.put(row, 0, block.label, "label")
    b.put(row, 1, getattr(form, block.field), "input_text" if b.template else "text", last_col=b.last_col,
          field=block.field)
    if b.template:
        b.hint_named(row, 1, row, block.field, last_col=b.last_col)
        b.tall_rows.append(row)
    b.blocks.append(BlockSpan(block.key, row, row))
    return row + 1


def read(r: SheetReader, block: TextBlock, span: Span) -> None:
    parts = []
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
            parts.append(r.text(row, c))
    if block.field not in r.cells:
        r.cells[block.field] = r.a1(span.label_row, span.data_col)
    r.parts.values[block.field] = "\n".join(p for p in parts if p)


def _is_note(r: SheetReader, row: int, span: Span) -> bool:
    """A row under the block holding one cell that starts in the label column and spans the whole
    width: a note under the table (the block's text is right of the label column)."""
    present = r.right_cells(row, span.label_col - 1)
    return (len(present) == 1 and present[0] < span.data_col
            and r.span_end(row, present[0]) >= r.layout.ncols - 1 + span.label_col)

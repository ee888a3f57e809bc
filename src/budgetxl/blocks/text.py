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
    b.label(block, row)
    b.put(row, b.first_col, getattr(form, block.field), "input_text" if b.template else "text", last_col=b.last_col,
          field=block.field)
    if b.template:
        b.hint_named(row, b.first_col, row, block.field, last_col=b.last_col)
        b.tall_rows.append(row)
    b.blocks.append(BlockSpan(block.key, row, row))
    return row + 1


def read(r: SheetReader, block: TextBlock, span: Span) -> None:
    parts = []
    for row in span.rows:
        for c in r.right_cells(row, span.data_col - 1):
            if block.field not in r.cells:
                r.cells[block.field] = r.a1(row, c)
            parts.append(r.text(row, c))
    if block.field not in r.cells:
        r.cells[block.field] = r.a1(span.label_row, span.data_col)
    r.parts.values[block.field] = "\n".join(p for p in parts if p)

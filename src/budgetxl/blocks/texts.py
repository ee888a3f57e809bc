"""Texts side by side under a header row: 实施期目标 | 年度目标 (a project's goals), or any texts a
layout puts next to each other. Each column of the map holds one text field of the model, its
header above it; the texts take the row below the header (more rows, when a sheet has them, are
joined line by line).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from budgetxl.text import normalize_label

if TYPE_CHECKING:
    from budgetxl.blocks.base import Span
    from budgetxl.layout import Layout, TextsBlock
    from budgetxl.read.parse import SheetReader
    from budgetxl.render.plan import SheetBuilder


def problems(block: TextsBlock, form: Any, layout: Layout) -> list[str]:
    return []


def plan(b: SheetBuilder, block: TextsBlock, form: Any, row: int) -> int:
    first = header_row = row
    b.header(row, block)
    row += 1
    style = "input_text" if b.template else "text"
    t: Any = b  # in a template, its builder (render.template_plan.TemplateBuilder)
    for column, (c0, c1) in zip(block.column_map, block.positions):
        b.put(row, c0, getattr(form, column.field), style, last_col=c1, field=column.field)
        if b.template:
            t.hint_named(row, c0, row, column.hint or column.field, last_col=c1 if c1 != c0 else None)
    if b.template:
        t.tall_rows.append(row)
    b.section_label(block, first, row, header_row)
    return row + 1


def read(r: SheetReader, block: TextsBlock, span: Span) -> None:
    known = {normalize_label(t): column.field for column in block.column_map for t in column.header_labels()}
    cols: dict[str, int] = {}
    header_row = None
    for row in span.rows[:2]:
        found: dict[str, int] = {}
        for c in r.right_cells(row, span.data_col - 1):
            fld = known.get(normalize_label(r.raw(row, c)))
            if fld is not None and fld not in found:
                found[fld] = c
        if len(found) == len(block.column_map):
            for c in found.values():
                r.mark(row, c)
            cols, header_row = found, row
            break
    if not cols:  # no header row: the declared columns, moved to where the sheet's content starts
        shift = span.data_col - block.first_col
        cols = {column.field: c0 + shift for column, (c0, _) in zip(block.column_map, block.positions)}
    order = sorted(cols.items(), key=lambda item: item[1])
    rows = [row for row in span.rows if row != header_row and (header_row is None or row > header_row)]
    for i, (fld, c) in enumerate(order):
        end = order[i + 1][1] if i + 1 < len(order) else r.sheet.ncols
        parts = []
        for row in rows:
            for cc in r.right_cells(row, c - 1):
                if cc >= end:
                    break
                if fld not in r.cells:
                    r.cells[fld] = r.a1(row, cc)
                parts.append(r.text(row, cc))
        if fld not in r.cells:
            r.cells[fld] = r.a1(rows[0] if rows else span.label_row, c)
        r.parts.values[fld] = "\n".join(p for p in parts if p)

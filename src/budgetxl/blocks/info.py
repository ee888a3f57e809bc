"""基本信息: name/value pairs side by side, as many a row as the column map has pairs."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from budgetxl.model import InfoItem

if TYPE_CHECKING:
    from budgetxl.blocks.base import Span
    from budgetxl.layout import InfoBlock, Layout
    from budgetxl.model import Form
    from budgetxl.read.parse import SheetReader
    from budgetxl.render.plan import SheetBuilder
    from budgetxl.render.template_plan import TemplateBuilder


def problems(block: InfoBlock, form: Form, layout: Layout) -> list[str]:
    return []


def _pairs(block: InfoBlock) -> list[tuple[tuple[int, int], tuple[int, int], str]]:
    """(name columns, value columns, value hint) of each pair of the column map."""
    out = []
    cols = list(zip(block.column_map, block.positions))
    for (_, npos), (value, vpos) in zip(cols[0::2], cols[1::2]):
        out.append((npos, vpos, value.hint))
    return out


def plan(b: SheetBuilder, block: InfoBlock, form: Form, row: int) -> int:
    items = getattr(form, block.field)
    if not items and block.optional:
        return row
    pairs = _pairs(block)
    value_style = "input_center" if b.template else "text_center"
    first = row
    hints = []
    for i in range(0, max(len(items), 1), len(pairs)):
        for j, (npos, vpos, hint) in enumerate(pairs):
            k = i + j
            if k < len(items):
                b.put(row, npos[0], items[k].name, "text_center", last_col=npos[1], field=f"{block.field}[{k}].name")
                b.put(row, vpos[0], items[k].value, value_style, last_col=vpos[1], field=f"{block.field}[{k}].value")
                hints.append((row, vpos[0], hint))
            else:
                b.put(row, npos[0], "", "text_center", last_col=npos[1])
                b.put(row, vpos[0], "", "text_center", last_col=vpos[1])
        row += 1
    b.section_label(block, first, row - 1)
    if b.template:
        t = cast("TemplateBuilder", b)  # in a template, its builder
        for r, c, hint in hints:
            t.hint_named(r, c, r, hint)
    return row


def read(r: SheetReader, block: InfoBlock, span: Span) -> None:
    items = r.parts.lists[block.field]
    for row in span.rows:
        # name/value pairs by position (a merged cell counts once), so an empty value keeps its
        # place instead of pairing the next name with this one
        cells = [c for c in range(span.data_col, r.sheet.ncols) if not r.is_covered(row, c)]
        for name_col, value_col in zip(cells[0::2], cells[1::2] + [None]):
            empty = r.raw(row, name_col) in ("", None) and (value_col is None or r.raw(row, value_col) in ("", None))
            if empty:
                continue
            k = len(items)
            name = r.text(row, name_col, f"{block.field}[{k}].name")
            value = r.text(row, value_col, f"{block.field}[{k}].value") if value_col is not None else ""
            items.append(InfoItem(name=name, value=value))

"""A row of several label/value pairs: 项目名称 | … | 项目代码 | … (a project's identity, a
self-evaluation's 项目联系人…). The block's label is the first label, in the label column; the
column map lists the row's other cells in order: a value cell names the model field it holds
(`field`), a label cell has no field and gives its text as `header` (with synonyms).

Values are text, or amounts or whole numbers where the model's field is one. On reading, each
label cell is checked against its text; values are taken by position after it, so an empty
value keeps its place.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast, get_args

from budgetxl.blocks.base import form_model, from_sheet, header_key, to_sheet
from budgetxl.render.plan import BlockSpan

if TYPE_CHECKING:
    from budgetxl.blocks.base import Span
    from budgetxl.layout import FieldsBlock, Layout
    from budgetxl.read.parse import SheetReader
    from budgetxl.render.plan import SheetBuilder
    from budgetxl.render.template_plan import TemplateBuilder


def _value_type(model: Any, path: str) -> type:
    """str, Decimal or int: what the model's field at `path` holds."""
    *parents, last = path.split(".")
    for part in parents:
        model = model.model_fields[part].annotation
    annotation = model.model_fields[last].annotation
    types = get_args(annotation) or (annotation,)
    for t in (Decimal, int):
        if t in types:
            return t
    return str


def problems(block: FieldsBlock, form: Any, layout: Layout) -> list[str]:
    return []


def plan(b: SheetBuilder, block: FieldsBlock, form: Any, row: int) -> int:
    model = type(form)
    b.label(block, row)
    for column, (c0, c1) in zip(block.column_map, block.positions):
        if not column.field:
            b.put(row, c0, column.header, "label", last_col=c1)
            continue
        value = _get(form, column.field)
        kind = _value_type(model, column.field)
        if kind is Decimal:
            b.amount(row, c0, to_sheet(value, block.unit), column.field, last_col=c1)
        else:
            text = "" if value is None else str(value)
            style = "input_center" if b.template else (column.style or "text_center")
            b.put(row, c0, text, style, last_col=c1, field=column.field)
            if b.template and column.hint:
                cast("TemplateBuilder", b).hint_named(row, c0, row, column.hint, last_col=c1 if c1 != c0 else None)
    b.blocks.append(BlockSpan(block.key, row, row))
    return row + 1


def _get(form: Any, path: str) -> Any:
    for part in path.split("."):
        form = getattr(form, part)
    return form


def read(r: SheetReader, block: FieldsBlock, span: Span) -> None:
    model = form_model(r.layout)
    row = span.label_row
    cells = [c for c in range(span.data_col, r.sheet.ncols) if not r.is_covered(row, c)]
    unit = None
    # the declared cells, each with the sheet's column holding it (a merged cell counts once)
    for column, c in _placed(r, block, row, cells):
        if not column.field:
            text = header_key(r.raw(row, c))
            if text and text in {header_key(t) for t in column.header_labels()}:
                r.mark(row, c)
            continue  # a label that says something else stays unread and is reported with its cell
        kind = _value_type(model, column.field)
        if kind is Decimal:
            if unit is None:  # the unit a label cell of the row states (总投资（元）), else the sheet's
                unit = r.unit_for(block, span, [(row, k) for k in cells])
            r.parts.values[column.field] = from_sheet(r.amount(row, c, column.field), unit)
        elif kind is int:
            text = r.text(row, c, column.field)
            r.parts.values[column.field] = int(text) if text.isdigit() else None
            if text and not text.isdigit():
                r.find("BX017", column.field, row, c, text, f"“{text}”不是整数，未读入")
        else:
            r.parts.values[column.field] = r.text(row, c, column.field)


def _placed(r: SheetReader, block: FieldsBlock, row: int, cells: list[int]) -> list[tuple[Any, int]]:
    """Each declared cell with the sheet's column holding it. The label cells are found by their
    text, in order; the values between two labels take the cells between them (by position, an
    empty one keeping its place), so a row merged otherwise than the layout's still reads. A
    label cell saying something else is not matched: it stays unread and is reported with its
    cell, and the cells after it are taken by position."""
    columns = list(block.column_map)
    anchors: dict[int, int] = {}  # index in the column map → index in cells
    start, values = 0, 0
    for k, column in enumerate(columns):
        if column.field:
            values += 1
            continue
        words = {header_key(t) for t in column.header_labels()}
        # each value before the label takes a cell at least: a value saying the label's words is data
        at = next((i for i in range(start + values, len(cells)) if header_key(r.raw(row, cells[i])) in words),
                  None)
        if at is None:
            break
        anchors[k] = at
        start, values = at + 1, 0
    out: list[tuple[Any, int]] = []
    k, i = 0, 0
    while k < len(columns):
        nxt = next((j for j in range(k, len(columns)) if j in anchors), None)
        if nxt is None:  # no label ahead: the rest by position
            out += [(columns[j], cells[i + j - k]) for j in range(k, len(columns)) if i + j - k < len(cells)]
            break
        before, room = columns[k:nxt], cells[i:anchors[nxt]]
        if len(before) == 1 and room:  # one value before the label: the first cell holding something
            filled = [c for c in room if r.raw(row, c) not in ("", None)]
            out.append((before[0], filled[0] if filled else room[0]))
        else:
            out += list(zip(before, room))
        out.append((columns[nxt], cells[anchors[nxt]]))
        k, i = nxt + 1, anchors[nxt] + 1
    return out

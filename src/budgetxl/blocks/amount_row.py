"""Budget lines as a header row over one row of amounts: 资金总额 | 财政拨款 | 其他资金 (the central
form), or under a heading row per side: 收入预算合计 over 财政拨款 | 其他经费 (江西).

A column whose field is a list of lines (budget.revenues) holds one line of it: its header cell
is the line's name (the form's own, so the header row is data), the cell below its amount. A
column of field `<list>.total` holds that list's total, written as a formula with its value; on
reading, a typed total is kept to be checked against the lines (BX122), never taken as a line.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from budgetxl.blocks.base import form_model, from_sheet, get_path, header_key, item_model, sheet_problem, to_sheet
from budgetxl.text import normalize_label

if TYPE_CHECKING:
    from budgetxl.blocks.base import Span
    from budgetxl.layout import AmountRowBlock, Layout
    from budgetxl.model import Form
    from budgetxl.read.parse import SheetReader
    from budgetxl.render.plan import SheetBuilder


def _columns(block: AmountRowBlock) -> list[tuple[str, bool, tuple[int, int], Any]]:
    """(list of lines, is its total, physical columns, column) for each column of the map."""
    out = []
    for col, pos in zip(block.column_map, block.positions):
        total = col.field.endswith(".total")
        out.append((col.field[: -len(".total")] if total else col.field, total, pos, col))
    return out


def _lists(block: AmountRowBlock) -> list[str]:
    return list(dict.fromkeys(path for path, _, _, _ in _columns(block)))


def problems(block: AmountRowBlock, form: Form, layout: Layout) -> list[str]:
    out = []
    for path in _lists(block):
        need = [c.header for s, total, _, c in _columns(block) if s == path and not total]
        have = get_path(form, path)
        if need and len(have) != len(need):
            out.append(f"{path}: 版式“{layout.name}”的“{block.label}”一栏有 {len(need)} 项"
                       f"（{'、'.join(need)}），表中有 {len(have)} 项")
        for k, line in enumerate(have):
            out += sheet_problem(line.amount, block.unit, f"{path}[{k}].amount")
            if getattr(line, "detail", False):
                out.append(f"{path}[{k}].detail: 版式“{layout.name}”的“{block.label}”没有“其中”行")
            if not line.name:
                out.append(f"{path}[{k}].name: 这一版式的各项预算的名称写在表头中，不能为空")
    headings = {normalize_label(t) for g in block.groups for t in (g.heading, *g.synonyms) if t}
    names = [normalize_label(line.name) for path in _lists(block) for line in get_path(form, path)]
    if headings and names and all(n in headings for n in names):
        out.append(f"budget: 各预算项目的名称都与“{block.label}”的分组标题相同，读回时会被当作标题；请修改")
    return out


def plan(b: SheetBuilder, block: AmountRowBlock, form: Form, row: int) -> int:
    cols = _columns(block)
    first = row
    if block.groups:
        for group in block.groups:
            spans = [pos for path, _, pos, _ in cols if path == group.field]
            if spans:
                b.put(row, spans[0][0], group.heading, "header", last_col=spans[-1][1])
        row += 1
    names_row, amounts_row = row, row + 1
    seen = dict.fromkeys(_lists(block), 0)
    totals: dict[str, tuple[int, int]] = {}
    amount_cells: dict[str, list[int]] = {path: [] for path in _lists(block)}
    for list_path, is_total, pos, col in cols:
        if is_total:
            b.put(names_row, pos[0], col.header, "header", last_col=pos[1])
            totals[list_path] = pos
            continue
        k = seen[list_path]
        seen[list_path] += 1
        lines = get_path(form, list_path)
        path = f"{list_path}[{k}]"
        b.put(names_row, pos[0], lines[k].name, "header", last_col=pos[1], field=f"{path}.name")
        b.amount(amounts_row, pos[0], to_sheet(lines[k].amount, block.unit), f"{path}.amount", last_col=pos[1])
        amount_cells[list_path].append(pos[0])
    for list_path, pos in totals.items():
        known = [to_sheet(line.amount, block.unit) for line in get_path(form, list_path)]
        ranges = tuple((amounts_row, c, amounts_row, c) for c in amount_cells[list_path])
        b.formula(amounts_row, pos[0], "", sum((a for a in known if a is not None), Decimal(0)), "total_amount",
                  b.decimals_of(known), sum_of=ranges, last_col=pos[1])
    b.section_label(block, first, amounts_row, names_row)
    return amounts_row + 1


def read(r: SheetReader, block: AmountRowBlock, span: Span) -> None:
    cols = _columns(block)
    headings = {header_key(t) for g in block.groups for t in (g.heading, *g.synonyms) if t}
    rows = [row for row in span.rows if r.right_cells(row, span.data_col - 1)]
    heading_cells = []
    while rows and headings and all(header_key(r.raw(rows[0], c)) in headings
                                    for c in r.right_cells(rows[0], span.data_col - 1)):
        for c in r.right_cells(rows[0], span.data_col - 1):
            r.mark(rows[0], c)
            heading_cells.append((rows[0], c))
        rows = rows[1:]
    if not rows:
        return
    names_row = rows[0]
    amounts_row = rows[1] if len(rows) > 1 else names_row + 1
    found = r.right_cells(names_row, span.data_col - 1)
    # the line names are the form's own (data): the unit comes from the group headings, the label
    # or a note above
    unit = r.unit_for(block, span, heading_cells)
    total_labels = {path: {header_key(t) for t in c.header_labels()} | {header_key(t) for t in r.layout.total_labels}
                    for path, is_total, _, c in cols if is_total}
    if len(found) == len(cols):
        fields = [(path, is_total) for path, is_total, _, _ in cols]
    else:  # columns added or dropped: a total by its header, the lines in the declared order of lists
        sides = [path for path, is_total, _, _ in cols if not is_total]
        fields = []
        for c in found:
            norm = header_key(r.raw(names_row, c))
            total = next((s for s, labels in total_labels.items() if norm in labels), None)
            if total is not None:
                fields.append((total, True))
            elif sides:
                fields.append((sides.pop(0), False))
            else:
                fields.append(("", False))  # no place in the form: reported as unread
    for c, (list_path, is_total) in zip(found, fields):
        if not list_path:
            continue
        if is_total:
            r.mark(names_row, c)
            r.total(amounts_row, c, f"{list_path}.total", unit)
            continue
        lines = r.parts.lists[list_path]
        path = f"{list_path}[{len(lines)}]"
        name = r.text(names_row, c, f"{path}.name")
        amount = from_sheet(r.amount(amounts_row, c, f"{path}.amount"), unit)
        lines.append(item_model(form_model(r.layout), list_path)(name=name, amount=amount))

"""A list of named amounts, one a row (name | amount), with an optional total line at a declared
place: 合计 first, then 其中：一般公共预算拨款, 政府性基金, … (广西), or the total last.

The total line is written as a formula with its value; on reading, the line at the total's place
named as a total is the total (kept to be checked against the lines, BX122), and the detail
prefix (其中：) is taken off the first line after a first-place total.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from budgetxl.blocks.base import from_sheet, get_path, to_sheet
from budgetxl.model import BudgetLine

if TYPE_CHECKING:
    from budgetxl.blocks.base import Span
    from budgetxl.layout import AmountListBlock, Layout
    from budgetxl.model import Form
    from budgetxl.read.parse import SheetReader
    from budgetxl.render.plan import SheetBuilder


def problems(block: AmountListBlock, form: Form, layout: Layout) -> list[str]:
    out = []
    for k, line in enumerate(get_path(form, block.field)):
        if not line.name and line.amount is None:
            out.append(f"{block.field}[{k}]: 名称和金额都为空的行读回时会被忽略；请删除该行")
    return out


def _prefixed(block: AmountListBlock) -> bool:
    return bool(block.detail_prefix) and block.total is not None and block.total.position == "first"


def plan(b: SheetBuilder, block: AmountListBlock, form: Form, row: int) -> int:
    npos, apos = block.position("name"), block.position("amount")
    lines = get_path(form, block.field)
    path = block.field
    first = row
    total_row = None
    if block.total is not None and block.total.position == "first":
        total_row, row = row, row + 1
    lines_first = row
    for k, line in enumerate(lines):
        name = (block.detail_prefix if k == 0 and _prefixed(block) else "") + line.name
        b.put(row, npos[0], name, "text_center", last_col=npos[1], field=f"{path}[{k}].name")
        b.amount(row, apos[0], to_sheet(line.amount, block.unit), f"{path}[{k}].amount", last_col=apos[1])
        row += 1
    if not lines:
        b.put(row, npos[0], "", "text_center", last_col=npos[1])
        b.put(row, apos[0], None, "amount", last_col=apos[1])
        row += 1
    if block.total is not None:
        if total_row is None:
            total_row, row = row, row + 1
        known = [to_sheet(line.amount, block.unit) for line in lines]
        b.put(total_row, npos[0], block.total.label, "header", last_col=npos[1])
        b.formula(total_row, apos[0], "", sum((a for a in known if a is not None), Decimal(0)), "total_amount",
                  b.decimals_of(known), sum_of=((lines_first, apos[0], lines_first + max(len(lines), 1) - 1, apos[0]),),
                  last_col=apos[1])
    b.section_label(block, first, row - 1)
    return row


def read(r: SheetReader, block: AmountListBlock, span: Span) -> None:
    cols = r.right_cells(span.label_row, span.data_col - 1)
    npos, apos = block.position("name"), block.position("amount")
    shift = span.data_col - npos[0]
    nc, ac = npos[0] + shift, apos[0] + shift
    if len(cols) >= 2:  # a sheet laid out elsewhere: the first two cells of the label's row
        nc, ac = cols[0], cols[1]
    entries = [row for row in span.rows if r.raw(row, nc) not in ("", None) or r.raw(row, ac) not in ("", None)]
    total = block.total
    total_at = None
    if total is not None and entries:
        at = entries[0] if total.position == "first" else entries[-1]
        if r.layout.is_total_label(r.raw(at, nc)) or r.has_formula(at, ac):
            total_at = at
    lines = r.parts.lists[block.field]
    unit = r.unit_for(block, span)
    prefix = _prefix_re(block.detail_prefix) if _prefixed(block) else None
    for i, row in enumerate(entries):
        if row == total_at:
            r.mark(row, nc)
            r.total(row, ac, f"{block.field}.total", unit)
            continue
        k = len(lines)
        path = f"{block.field}[{k}]"
        name = r.text(row, nc, f"{path}.name")
        if k == 0 and prefix is not None:
            name = prefix.sub("", name, count=1)
        amount = from_sheet(r.amount(row, ac, f"{path}.amount"), unit)
        lines.append(BudgetLine(name=name, amount=amount))


def _prefix_re(prefix: str) -> re.Pattern[str]:
    """'其中：' also as '其中:' or ' 其中 ： '."""
    core = prefix.strip().rstrip(":：")
    return re.compile(r"^\s*" + r"\s*".join(re.escape(ch) for ch in core) + r"\s*[:：]?\s*")

"""A list of named amounts, one a row (name | amount), with an optional total line at a declared
place: 合计 first, then 其中：一般公共预算拨款, 政府性基金, … (广西), or the total last; and an
optional header row (资金来源项目 | 金额) where the column map gives headers.

The total line is written as a formula with its value; on reading, the line at the total's place
named as a total is the total (kept to be checked against the lines, BX122), and the detail
prefix (其中：) is taken off the first line after a first-place total.

Lists of a model whose lines can be details (a project's 资金来源: 1.一般公共预算财政拨款收入, 其中：
申请当年预算拨款, …) may be `numbered` ('{n}.') and have `details` ('其中：'): main lines are written
with their number, the first detail line of a run with the mark and the next ones indented under
it; the total adds the main lines only. Reading takes the number off a main line, the mark off a
detail line, and takes an unnumbered line after a detail line for a detail too (as people indent
a second 其中 line).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Sequence, cast

from budgetxl.blocks.base import form_model, from_sheet, get_path, header_key, item_model, sheet_problem, to_sheet

if TYPE_CHECKING:
    from budgetxl.blocks.base import Span
    from budgetxl.layout import AmountListBlock, Layout
    from budgetxl.model import Form
    from budgetxl.read.parse import SheetReader
    from budgetxl.render.plan import SheetBuilder
    from budgetxl.render.template_plan import TemplateBuilder


def problems(block: AmountListBlock, form: Form, layout: Layout) -> list[str]:
    out = []
    lines = get_path(form, block.field)
    for k, line in enumerate(lines):
        if not line.name and line.amount is None:
            out.append(f"{block.field}[{k}]: 名称和金额都为空的行读回时会被忽略；请删除该行")
        out += sheet_problem(line.amount, block.unit, f"{block.field}[{k}].amount")
        if getattr(line, "detail", False) and not block.details:
            out.append(f"{block.field}[{k}].detail: 版式“{layout.name}”的“{block.label}”没有“其中”行")
    return out


def _prefixed(block: AmountListBlock) -> bool:
    return bool(block.detail_prefix) and block.total is not None and block.total.position == "first"


def _is_detail(line: Any) -> bool:
    return bool(getattr(line, "detail", False))


# ---------------------------------------------------------------------------------------------
# Writing


def written_names(block: AmountListBlock, lines: Sequence[Any]) -> list[tuple[str, bool]]:
    """Each line's name as the sheet shows it, and whether it is indented under a detail line
    above it (its mark left out)."""
    out: list[tuple[str, bool]] = []
    n = 0
    numbers = _number_re(block.numbered) if block.numbered else None
    marks = _mark_re(block.details) if block.details else None
    for k, line in enumerate(lines):
        if block.details and _is_detail(line):
            after_detail = k > 0 and _is_detail(lines[k - 1])
            # indented without its mark only where the reader cannot take it for anything else
            plain = (after_detail and numbers is not None and not numbers.match(line.name)
                     and not marks.match(line.name))  # type: ignore[union-attr]
            out.append((line.name, True) if plain else (block.details + line.name, False))
            continue
        n += 1
        name = line.name
        if block.numbered:
            name = block.numbered.replace("{n}", str(n)) + name
        if k == 0 and _prefixed(block):
            name = block.detail_prefix + name
        out.append((name, False))
    return out


def plan(b: SheetBuilder, block: AmountListBlock, form: Form, row: int) -> int:
    npos, apos = block.needed_position("name"), block.needed_position("amount")
    t = cast("TemplateBuilder", b)  # in a template, its builder: what b.template guards below
    lines = get_path(form, block.field)
    path = block.field
    first = row
    header_row = None
    if block.has_header:
        b.header(row, block)
        header_row, row = row, row + 1
    total_row = None
    if block.total is not None and block.total.position == "first":
        total_row, row = row, row + 1
    name_style = block.needed_column("name").style or "text_center"
    main_rows: list[int] = []
    for k, ((name, indented), line) in enumerate(zip(written_names(block, lines), lines)):
        style = "text_indent" if indented else name_style
        b.put(row, npos[0], name, style, last_col=npos[1], field=f"{path}[{k}].name")
        b.amount(row, apos[0], to_sheet(line.amount, block.unit), f"{path}[{k}].amount", last_col=apos[1])
        if not _is_detail(line):
            main_rows.append(row)
        row += 1
    empty = t.empty_rows_for(block) if b.template else 0
    for _ in range(max(empty, 0 if lines else 1)):
        b.put(row, npos[0], None if b.template else "", "input_text" if b.template else name_style, last_col=npos[1])
        b.put(row, apos[0], None, "input_amount" if b.template else "amount", last_col=apos[1])
        if b.template:
            t.amount_rule(row, apos[0], row)
            t.empty_rows.add(row)
            main_rows.append(row)
        elif not lines:
            main_rows.append(row)
        row += 1
    if block.total is not None:
        if total_row is None:
            total_row, row = row, row + 1
        known = [to_sheet(line.amount, block.unit) for line in lines if not _is_detail(line)]
        b.put(total_row, npos[0], block.total.label, "header", last_col=npos[1])
        b.formula(total_row, apos[0], "", sum((a for a in known if a is not None), Decimal(0)), "total_amount",
                  b.decimals_of(known), sum_of=tuple((r1, apos[0], r2, apos[0]) for r1, r2 in _runs(main_rows)),
                  last_col=apos[1])
    b.section_label(block, first, row - 1, header_row)
    return row


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive rows as (first, last) ranges."""
    out: list[tuple[int, int]] = []
    for r in rows:
        if out and out[-1][1] == r - 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


# ---------------------------------------------------------------------------------------------
# Reading


def read(r: SheetReader, block: AmountListBlock, span: Span) -> None:
    cols = r.right_cells(span.label_row, span.data_col - 1)
    npos, apos = block.needed_position("name"), block.needed_position("amount")
    shift = span.data_col - npos[0]
    nc, ac = npos[0] + shift, apos[0] + shift
    if len(cols) >= 2:  # a sheet laid out elsewhere: the first two cells of the label's row
        nc, ac = cols[0], cols[1]
    entries = [row for row in span.rows if r.raw(row, nc) not in ("", None) or r.raw(row, ac) not in ("", None)]
    if entries and block.has_header and _is_header(r, block, entries[0], nc, ac):
        r.mark(entries[0], nc)
        r.mark(entries[0], ac)
        entries = entries[1:]
    total = block.total
    total_at = None
    if total is not None and entries:
        at = entries[0] if total.position == "first" else entries[-1]
        if r.layout.is_total_label(r.raw(at, nc)) or r.has_formula(at, ac):
            total_at = at
    item = item_model(form_model(r.layout), block.field)
    details = bool(block.details) and "detail" in item.model_fields
    numbers = _number_re(block.numbered) if block.numbered else None
    marks = _mark_re(block.details) if details else None
    lines = r.parts.lists[block.field]
    unit = r.unit_for(block, span)
    prefix = _prefix_re(block.detail_prefix) if _prefixed(block) else None
    after_detail = False
    for row in entries:
        if row == total_at:
            r.mark(row, nc)
            r.total(row, ac, f"{block.field}.total", unit)
            continue
        k = len(lines)
        path = f"{block.field}[{k}]"
        name = r.text(row, nc, f"{path}.name")
        values: dict[str, Any] = {}
        if k == 0 and prefix is not None:
            name = prefix.sub("", name, count=1)
        number = numbers.match(name) if numbers is not None else None
        mark = marks.match(name) if marks is not None else None
        if number is not None:
            name = name[number.end():]
        elif mark is not None:
            name = name[mark.end():]
        if details:
            values["detail"] = number is None and (mark is not None or (numbers is not None and after_detail))
            after_detail = values["detail"]
        amount = from_sheet(r.amount(row, ac, f"{path}.amount"), unit)
        lines.append(item(name=name, amount=amount, **values))


def _is_header(r: SheetReader, block: AmountListBlock, row: int, nc: int, ac: int) -> bool:
    names = {header_key(t) for t in block.needed_column("name").header_labels()}
    amounts = {header_key(t) for t in block.needed_column("amount").header_labels()}
    return header_key(r.raw(row, nc)) in names and header_key(r.raw(row, ac)) in amounts


def _prefix_re(prefix: str) -> re.Pattern[str]:
    """'其中：' also as '其中:' or ' 其中 ： '."""
    core = prefix.strip().rstrip(":：")
    return re.compile(r"^\s*" + r"\s*".join(re.escape(ch) for ch in core) + r"\s*[:：]?\s*")


@lru_cache(maxsize=16)
def _number_re(template: str) -> re.Pattern[str]:
    """A main line's number as `template` ('{n}.') writes it, also as 1．, 1、 or 一、."""
    head, _, tail = template.partition("{n}")
    tails = {tail.strip(), ".", "．", "、"} - {""}
    return re.compile(r"^[ \t]*" + re.escape(head.strip()) + r"[ \t]*(?:[0-9]+|[一二三四五六七八九十]+)[ \t]*(?:"
                      + "|".join(re.escape(t) for t in sorted(tails)) + r")[ \t]*")


@lru_cache(maxsize=16)
def _mark_re(mark: str) -> re.Pattern[str]:
    """A detail line's mark ('其中：'), also as '其中:' or '其中' alone."""
    core = mark.strip().rstrip(":：")
    return re.compile(r"^[ \t]*" + r"[ \t]*".join(re.escape(ch) for ch in core) + r"[ \t]*[:：]?[ \t]*")

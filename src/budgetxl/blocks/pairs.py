"""Two lists of amounts side by side (部门预算支出 | 预算金额 | 收入来源 | 预算金额) under a header
row, with optional sub-blocks (事业发展性支出 / 按预算级次划分) each under a heading row of its own.

In a template the lines end with a 合计 row of formulas and a balance check beside it, outside
the printed columns; a blank amount is an input cell.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Sequence

from budgetxl.blocks.base import from_sheet, get_path, header_key, sheet_problem, to_sheet
from budgetxl.blocks.totals import is_total_row
from budgetxl.layout import once
from budgetxl.model import BudgetLine, BudgetSection

if TYPE_CHECKING:
    from budgetxl.blocks.base import Span
    from budgetxl.layout import Layout, PairsBlock
    from budgetxl.model import Form
    from budgetxl.read.parse import SheetReader
    from budgetxl.render.plan import SheetBuilder

def _cols(block: PairsBlock) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]:
    return (block.position("left.name"), block.position("left.amount"),  # type: ignore[return-value]
            block.position("right.name"), block.position("right.amount"))


# ---------------------------------------------------------------------------------------------
# Writing


def _sections(block: PairsBlock, form: Form) -> Sequence[BudgetSection]:
    return get_path(form, block.sections) if block.sections else ()


def problems(block: PairsBlock, form: Form, layout: Layout) -> list[str]:
    out = []
    for path, lines in _all_lists(form, block):
        for k, line in enumerate(lines):
            out += sheet_problem(line.amount, block.unit, f"{path}[{k}].amount")
            if not line.name and line.amount is None:
                out.append(f"{path}[{k}]: 名称和金额都为空的行读回时会被忽略；请删除该行")
    if not block.totals:
        return out
    lists = [(block.left, get_path(form, block.left), block.right, get_path(form, block.right))]
    for k, s in enumerate(_sections(block, form)):
        lists.append((f"{block.sections}[{k}].left", s.left, f"{block.sections}[{k}].right", s.right))
    for lpath, left, rpath, right in lists:
        for path, lines, other in ((lpath, left, right), (rpath, right, left)):
            filled = [i for i, ln in enumerate(lines) if ln.name or ln.amount is not None]
            if not filled:
                continue
            k = filled[-1]  # the last line the reader sees
            line = lines[k]
            beside = other[k].name if k < len(other) else ""
            if is_total_row(layout.is_total_label(line.name), False, True, layout.is_total_label(beside),
                            line.amount, [ln.amount for ln in lines[:k]]):
                out.append(f"{path}[{k}].name: 最后一行名为“{line.name}”，读回时会被当作合计行；请改用其他名称")
    return out


def _all_lists(form: Form, block: PairsBlock) -> list[tuple[str, Sequence[BudgetLine]]]:
    out = [(block.left, get_path(form, block.left)), (block.right, get_path(form, block.right))]
    for k, s in enumerate(_sections(block, form)):
        out += [(f"{block.sections}[{k}].left", s.left), (f"{block.sections}[{k}].right", s.right)]
    return out


def plan(b: SheetBuilder, block: PairsBlock, form: Form, row: int) -> int:
    first = header_row = row
    b.header(row, block)
    row += 1
    left, right = get_path(form, block.left), get_path(form, block.right)
    lines_first = row
    row = _pairs(b, block, row, left, right, block.left, block.right)
    if b.template and block.totals:
        row = _template_total(b, block, lines_first, row, left, right)
    amount_headers = (block.needed_column("left.amount").header, block.needed_column("right.amount").header)
    (ln, la, rn, ra) = _cols(block)
    for s, section in enumerate(_sections(block, form)):
        path = f"{block.sections}[{s}]"
        b.put(row, ln[0], section.left_heading, "header", last_col=ln[1], field=f"{path}.left_heading")
        b.put(row, la[0], amount_headers[0], "header", last_col=la[1])
        b.put(row, rn[0], section.right_heading, "header", last_col=rn[1], field=f"{path}.right_heading")
        b.put(row, ra[0], amount_headers[1], "header", last_col=ra[1])
        row = _pairs(b, block, row + 1, section.left, section.right, f"{path}.left", f"{path}.right")
    b.section_label(block, first, row - 1, header_row)
    return row


def _pairs(b: SheetBuilder, block: PairsBlock, row: int, left: Sequence[BudgetLine], right: Sequence[BudgetLine],
           lpath: str, rpath: str) -> int:
    """Lines side by side; returns the next row."""
    (ln, la, rn, ra) = _cols(block)
    for k in range(max(len(left), len(right), 1)):
        for npos, apos, lines, path in ((ln, la, left, lpath), (rn, ra, right, rpath)):
            if k < len(lines):
                line = lines[k]
                b.put(row, npos[0], line.name, "text_center", last_col=npos[1], field=f"{path}[{k}].name")
                b.amount(row, apos[0], to_sheet(line.amount, block.unit), f"{path}[{k}].amount", last_col=apos[1])
            else:
                b.put(row, npos[0], "", "text_center", last_col=npos[1])
                b.put(row, apos[0], None, "amount", last_col=apos[1])
        row += 1
    return row


def _template_total(b: Any, block: PairsBlock, lines_first: int, row: int, left: Sequence[BudgetLine],
                    right: Sequence[BudgetLine]) -> int:
    """The 合计 row under the lines (formulas) and the balance check beside it."""
    (ln, la, rn, ra) = _cols(block)
    lines_last = row - 1
    total_row = row
    check_col = b.layout.ncols
    label = b.layout.total_label
    ranges = []
    for npos, apos, lines in ((ln, la, left), (rn, ra, right)):
        known = [to_sheet(line.amount, block.unit) for line in lines]
        b.put(total_row, npos[0], label, "header", last_col=npos[1])
        rng = (lines_first, apos[0], lines_last, apos[0])
        b.formula(total_row, apos[0], "", sum((a for a in known if a is not None), Decimal(0)), "total_amount",
                  b.decimals_of(known), sum_of=(rng,), last_col=apos[1])
        ranges.append(rng)
    b.balance_check(total_row, (la[0], ra[0]), ranges, check_col,
                    [line.amount for line in left], [line.amount for line in right])
    return row + 1


# ---------------------------------------------------------------------------------------------
# Reading


def _header_sets(block: PairsBlock) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    def norm(fld: str) -> frozenset[str]:
        return frozenset(header_key(t) for t in block.needed_column(fld).header_labels())

    return once(block, "header_sets",
                lambda: (norm("left.name"), norm("right.name"), norm("left.amount") | norm("right.amount")))


def read(r: SheetReader, block: PairsBlock, span: Span) -> None:
    left_h, right_h, amount_h = _header_sets(block)
    (ln, la, rn, ra) = _cols(block)
    cols = (ln[0], la[0], rn[0], ra[0])
    start = span.rows.start
    header: tuple[tuple[int, int], ...] = ()
    for row in span.rows[:3]:
        # (header, column) of every cell: both amount columns are often headed alike
        found = [(header_key(r.raw(row, c)), c) for c in range(span.data_col, r.sheet.ncols)
                 if not r.is_covered(row, c)]
        lc = next((c for k, c in found if k in left_h), None)
        rc = next((c for k, c in found if k in right_h), None)
        if lc is not None and rc is not None:
            amounts = sorted(c for k, c in found if k in amount_h)
            cols = (lc, next((c for c in amounts if lc < c < rc), lc + 1), rc,
                    next((c for c in amounts if c > rc), rc + 1))
            for c in cols:
                r.mark(row, c)
            header = ((row, cols[1]), (row, cols[3]))
            start = row + 1
            break
    else:
        if span.data_col != ln[0]:  # a sheet laid out elsewhere: the declared order from its first column
            shift = span.data_col - ln[0]
            cols = tuple(c + shift for c in cols)  # type: ignore[assignment]
    lc, la_, rc, ra_ = cols
    unit = r.unit_for(block, span, header)
    # the main lists, then one pair of lists per sub-block heading row
    groups: list[dict[str, Any]] = [{"heading": None, "rows": []}]
    for row in range(start, span.rows.stop):
        if header_key(r.raw(row, la_)) in amount_h or header_key(r.raw(row, ra_)) in amount_h:
            groups.append({"heading": row, "rows": []})
            r.mark(row, la_)
            r.mark(row, ra_)
            continue
        groups[-1]["rows"].append(row)
    for g, group in enumerate(groups):
        if g == 0:
            paths = (block.left, block.right)
        else:
            s = g - 1
            where = block.sections or "budget.sections"  # a sub-block where the layout has none: read, then refused
            paths = (f"{where}[{s}].left", f"{where}[{s}].right")
            heading = group["heading"]
            headings = (r.text(heading, lc, f"{where}[{s}].left_heading"),
                        r.text(heading, rc, f"{where}[{s}].right_heading"))
        sides = _read_sides(r, block, group["rows"], (lc, la_), (rc, ra_), paths, unit)
        if g == 0:
            for path, lines in zip(paths, sides):
                r.parts.lists[path].extend(lines)
        else:
            r.parts.lists[where].append(BudgetSection(left_heading=headings[0], right_heading=headings[1],
                                                      left=tuple(sides[0]), right=tuple(sides[1])))


def _read_sides(r: SheetReader, block: PairsBlock, rows: list[int], left: tuple[int, int], right: tuple[int, int],
                paths: tuple[str, str], unit: str) -> tuple[list[BudgetLine], list[BudgetLine]]:
    """The lines of each side in `rows`, a total row (合计) set apart by the rule of blocks.totals."""
    entries: list[list[tuple[int, Any, bool]]] = [[], []]  # per side: (row, name cell, named total)
    for row in rows:
        for side, (nc, ac) in enumerate((left, right)):
            if r.raw(row, nc) in ("", None) and r.raw(row, ac) in ("", None):
                continue
            entries[side].append((row, r.raw(row, nc), block.totals and r.layout.is_total_label(r.raw(row, nc))))
    out: tuple[list[BudgetLine], list[BudgetLine]] = ([], [])
    for side, (nc, ac) in enumerate((left, right)):
        other_total = {row for row, _, named in entries[1 - side] if named}
        last = entries[side][-1][0] if entries[side] else None
        above: list[Decimal | None] = []
        for row, _, named in entries[side]:
            if named:
                amount = from_sheet(r.peek_amount(row, ac), unit)
                if is_total_row(True, r.has_formula(row, ac), row == last, row in other_total, amount, above):
                    r.mark(row, nc)
                    r.total(row, ac, f"{paths[side]}.total", unit)
                    if side == 1:  # a template's balance check beside the 合计 row is part of it
                        for c in r.right_cells(row, ac):
                            r.mark(row, c)
                    continue
            k = len(out[side])
            name = r.text(row, nc, f"{paths[side]}[{k}].name")
            amount = from_sheet(r.amount(row, ac, f"{paths[side]}[{k}].amount"), unit)
            above.append(amount)
            out[side].append(BudgetLine(name=name, amount=amount))
    return out


"""Indicator trees side by side: 实施期绩效指标 | 年度绩效指标 (a project's indicators for its whole
implementation period and for the year), each a full tree — 一级 | 二级 | 三级 | 指标值 — under a
heading over its columns, the header row below the headings.

Each set is laid out and read as the indicator block lays out and reads its one tree (an empty
二级 block as a placeholder, 一级/二级 merged or repeated); the sets are independent: each has its
own rows, the shorter one ends in empty cells. A template offers every set the framework's 二级
指标 with their drop-downs. On reading, the headings say which set is where (a sheet may swap
them); without headings the sets are taken in the declared order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from budgetxl.blocks.base import header_key
from budgetxl.blocks.indicators import (
    FIELDS,
    Tree,
    _header_sets,
    _is_note_row,
    _is_repeated_header,
    read_note,
    template_rows,
    tree_problems,
    tree_rows,
)
from budgetxl.layout import once
from budgetxl.text import normalize_label

if TYPE_CHECKING:
    from budgetxl.blocks.base import Span
    from budgetxl.layout import IndicatorSetsBlock, Layout
    from budgetxl.read.parse import SheetReader
    from budgetxl.render.plan import SheetBuilder


def problems(block: IndicatorSetsBlock, form: Any, layout: Layout) -> list[str]:
    out: list[str] = []
    for s in block.sets:
        out += tree_problems(block, getattr(form, s.field), s.field)
    return out


# ---------------------------------------------------------------------------------------------
# Writing


def plan(b: SheetBuilder, block: IndicatorSetsBlock, form: Any, row: int) -> int:
    first = row
    for s, st in enumerate(block.sets):
        pos = block.set_positions(s)
        b.put(row, pos[0][0], st.heading, "header", last_col=pos[-1][1])
    header_row = row + 1
    for s in range(len(block.sets)):
        for column, (c0, c1) in zip(block.column_map, block.set_positions(s)):
            b.put(header_row, c0, column.header, "header", last_col=c1)
    row = header_row + 1
    ends = []
    if b.template:
        t: Any = b  # a template's builder (render.template_plan.TemplateBuilder)
        kept = set(t.empty_rows)
        empty: list[set[int]] = []
        for s, st in enumerate(block.sets):
            t.empty_rows = set()
            ends.append(template_rows(t, block, form, row, block.set_positions(s), st.field, f"{block.key}.{st.field}"))
            empty.append(t.empty_rows)
        end = max(ends)
        # a row is left to grow with its text only where every set has nothing in it
        t.empty_rows = kept | {r for r in range(row, end) if all(r in e or r >= ends[s] for s, e in enumerate(empty))}
    else:
        for s, st in enumerate(block.sets):
            ends.append(tree_rows(b, block, getattr(form, st.field), row, block.set_positions(s), st.field))
        end = max(ends)
    for s, stop in enumerate(ends):  # the shorter sets end in empty cells
        for r in range(stop, end):
            for column, (c0, c1) in zip(block.column_map, block.set_positions(s)):
                if b.template:
                    b.put(r, c0, None, "input_center" if column.field in ("level1", "level2") else "input_text",
                          last_col=c1)
                else:
                    b.put(r, c0, "", "level" if column.field in ("level1", "level2") else "text", last_col=c1)
    b.section_label(block, first, end - 1, header_row, heading_row=first)
    return end


# ---------------------------------------------------------------------------------------------
# Reading


def _headings(block: IndicatorSetsBlock) -> dict[str, int]:
    """A set's heading (as matched, synonyms too) → the set's index (found once per block)."""
    return once(block, "headings",
                lambda: {normalize_label(t): s for s, st in enumerate(block.sets) for t in st.all_labels()})


def _is_repeated_heading(r: SheetReader, row: int, present: list[int], first: int, nsets: int,
                         headings: dict[str, int]) -> bool:
    """The sets' headings written again at the top of a printed page, over the repeated header:
    every cell of the row from column `first` on is the heading of another set (its cells count
    as read). An indicator row fails at its first cell."""
    cells = [c for c in present if c >= first]
    if len(cells) != nsets:
        return False
    sets = set()
    for c in cells:
        s = headings.get(normalize_label(r.raw(row, c)))
        if s is None or s in sets:
            return False
        sets.add(s)
    for c in cells:
        r.mark(row, c)
    return True


def _heading_columns(r: SheetReader, block: IndicatorSetsBlock, span: Span) -> tuple[dict[int, int], int | None]:
    """Set index → the first column of its heading, and the heading row (among the first rows)."""
    headings = _headings(block)
    for row in span.rows[:3]:
        found: dict[int, int] = {}
        for c in r.right_cells(row, span.data_col - 1):
            s = headings.get(normalize_label(r.raw(row, c)))
            if s is not None and s not in found:
                found[s] = c
        if len(found) == len(block.sets):
            for c in found.values():
                r.mark(row, c)
            return found, row
    return {}, None


def _set_columns(r: SheetReader, block: IndicatorSetsBlock, span: Span, starts: dict[int, int],
                 after: int) -> tuple[list[dict[str, int]], int | None]:
    """Each set's field → column from the header row (the first row after `after` with the
    headers), and that row."""
    known = {header_key(t): column.field for column in block.column_map for t in column.header_labels()}
    n = len(block.sets)
    for row in [x for x in span.rows if x > after][:3]:
        cells = [(c, known[header_key(r.raw(row, c))]) for c in r.right_cells(row, span.data_col - 1)
                 if header_key(r.raw(row, c)) in known]
        if len(cells) < 2 * n:
            continue
        sets: list[dict[str, int]] = [{} for _ in range(n)]
        if len(starts) == n:  # each header cell belongs to the set whose heading starts left of it
            bounds = sorted((c, s) for s, c in starts.items())
            for c, fld in cells:
                owner = [s for start, s in bounds if start <= c]
                if owner:
                    sets[owner[-1]].setdefault(fld, c)
        else:  # the k-th time a header appears, it is the k-th set's
            seen: dict[str, int] = {}
            for c, fld in cells:
                k = seen.get(fld, 0)
                seen[fld] = k + 1
                if k < n:
                    sets[k].setdefault(fld, c)
        for c, _ in cells:
            r.mark(row, c)
        return sets, row
    return [{} for _ in range(n)], None


def read(r: SheetReader, block: IndicatorSetsBlock, span: Span) -> None:
    starts, heading_row = _heading_columns(r, block, span)
    after = heading_row if heading_row is not None else span.rows.start - 1
    sets, header_row = _set_columns(r, block, span, starts, after)
    shift = span.data_col - block.first_col
    for s, cols in enumerate(sets):
        for column, (c0, _) in zip(block.column_map, block.set_positions(s)):
            cols.setdefault(column.field, c0 + shift)
    trees = [Tree(r, block, cols, header_row, st.field) for cols, st in zip(sets, block.sets)]
    bounds = []
    for tree, cols in zip(trees, sets):
        bounds.append((min(cols.values()), max(max(cols.values()), tree.target_end)))
    headers = _header_sets(block)
    headings = _headings(block)
    all_cols = {f"{s}.{fld}": c for s, cols in enumerate(sets) for fld, c in cols.items()}
    all_headers = {f"{s}.{fld}": headers.get(fld, frozenset()) for s, cols in enumerate(sets) for fld in cols}
    last_data = max(hi for _, hi in bounds)
    notes = r.parts.lists["notes"]
    start = max(x for x in (heading_row, header_row, span.rows.start) if x is not None) + 1
    for row in range(start, span.rows.stop):
        present = r.right_cells(row, span.label_col - 1)
        if not present:
            continue
        if _is_repeated_header(r, row, all_cols, all_headers) or _is_repeated_heading(
                r, row, present, span.data_col, len(block.sets), headings):
            continue
        if notes or _is_note_row(r, row, present, span, last_data):
            read_note(r, row, present)
            continue
        for tree, (lo, hi) in zip(trees, bounds):
            if any(lo <= c <= hi for c in present):
                tree.add_row(row)
    for tree in trees:
        tree.finish()


__all__ = ["FIELDS", "plan", "problems", "read"]

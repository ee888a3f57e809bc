"""The indicator tree: a header row (一级指标 | 二级指标 | 三级指标 | 指标值, in the order and at the
places the column map gives), then one row per indicator with 一级 and 二级 merged over their rows.

Reading takes 一级/二级 merged, written once with the cells below left empty, or repeated on every
row; an empty 二级 block (a 二级 label with no indicator) as a placeholder indicator; the header
written again at the top of a printed page as a continuation; 指标值 spread over two merged
columns; 指标值 split over 符号 | 指标值 | 计量单位 columns, in any layout (the header says so:
templates/indicator_columns.yaml), joined into one target; and rows under the table (one cell in
the label column, or one cell over the whole width) as notes. A layout whose column map has
`target.operator` and `target.unit` columns is written that way: each target split by
targets.split_target, so that it reads back exactly.

In a template every 二级 of the framework gets its empty rows, in framework order, with 一级 and
二级 written on every row and chosen from drop-down lists.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, Sequence

from budgetxl.blocks.base import form_model, from_sheet, header_key, item_model, to_sheet
from budgetxl.errors import ReadError
from budgetxl.layout import once
from budgetxl.model import Indicator, amount_fields
from budgetxl.render.plan import BlockSpan, PlanCell
from budgetxl.targets import join_target, split_target
from budgetxl.text import normalize_label

_cell = tuple.__new__  # a plan cell made without the named tuple's own __new__ (a form has hundreds)

if TYPE_CHECKING:
    from budgetxl.blocks.base import Span
    from budgetxl.layout import IndicatorsBlock, Layout
    from budgetxl.model import Form
    from budgetxl.read.parse import SheetReader
    from budgetxl.render.plan import SheetBuilder

FIELDS = ("level1", "level2", "name", "target")
SPLIT = ("target.operator", "target.unit")  # the parts of a target split over columns, beside `target`


@lru_cache(maxsize=1)
def split_headers() -> dict[str, tuple[str, ...]]:
    """Field → the headers that name it when a target is split over columns (every layout)."""
    from budgetxl.datafile import read_data_file
    from budgetxl.resources import templates_dir

    data = read_data_file(templates_dir() / "indicator_columns.yaml", "指标值分栏的表头")
    return {fld: (spec["header"], *spec.get("synonyms", ())) for fld, spec in data.items()}


def _split_columns(block: IndicatorsBlock) -> bool:
    return any(c.field in SPLIT for c in block.column_map)


def _runs(items: Sequence[Indicator], key: str, start: int, stop: int) -> list[tuple[int, int]]:
    """Runs [i, j) of consecutive items in items[start:stop] with the same `key` value."""
    runs = []
    i = start
    while i < stop:
        j = i + 1
        while j < stop and getattr(items[j], key) == getattr(items[i], key):
            j += 1
        runs.append((i, j))
        i = j
    return runs


def _extras(block: Any, item: Any, positions: Sequence[tuple[int, int]]) -> list[tuple[str, int, int, bool]]:
    """The columns beyond 一级/二级/三级/指标值: (field, first and last column, holds an amount)."""
    money = amount_fields(type(item))
    return [(c.field, c0, c1, c.field in money) for c, (c0, c1) in zip(block.column_map, positions)
            if c.field not in FIELDS and c.field not in SPLIT]


def _header_sets(block: Any) -> dict[str, frozenset[str]]:
    """Field → the headers (as matched) of its column: the layout's, and for a target split over
    columns the headers every layout knows."""
    def make() -> dict[str, frozenset[str]]:
        out = {c.field: frozenset(header_key(t) for t in c.header_labels()) for c in block.column_map}
        for fld, labels in split_headers().items():
            out[fld] = out.get(fld, frozenset()) | frozenset(header_key(t) for t in labels)
        return out

    return once(block, "header_sets", make)


# ---------------------------------------------------------------------------------------------
# Writing


def problems(block: IndicatorsBlock, form: Form, layout: Layout) -> list[str]:
    return tree_problems(block, getattr(form, block.field), block.field)


def tree_problems(block: Any, items: Sequence[Indicator], path: str) -> list[str]:
    """What in the indicators at `path` a tree of `block`'s columns could not write so that it
    reads back the same."""
    out = []
    headers = _header_sets(block)
    names = headers.get("name", frozenset())
    matched = [(f, headers[f]) for f in FIELDS if f in headers]
    shown = {c.field for c in block.column_map}
    unshown: dict[type, list[str]] = {}  # by indicator model: the fields the block has no column for
    check_level2 = "level2" in headers
    prev: Indicator | None = None
    for k, ind in enumerate(items):
        further = unshown.get(type(ind))
        if further is None:
            further = unshown[type(ind)] = [n for n in type(ind).model_fields if n not in shown]
        for name in further:  # a further field (备注) the block has no column for
            if getattr(ind, name) not in ("", None):
                out.append(f"{path}[{k}].{name}: “{block.label}”没有这一栏")
        if ind.is_placeholder and _shares_group(items, k):
            out.append(f"{path}[{k}]: 三级指标和指标值都为空的行只能单独表示一个没有指标的二级指标，"
                       "与其他指标同组时读回会被省略；请删除该行")
        if header_key(ind.name) in names and all(header_key(getattr(ind, f)) in h for f, h in matched):
            out.append(f"{path}[{k}]: 各栏内容与表头相同，读回时会被当作重复的表头；请修改")
        if prev is not None:
            level1 = ind.level1
            if not level1 and prev.level1:
                out.append(f"{path}[{k}].level1: 一级指标为空，读回时会沿用上一行的“{prev.level1}”；请填写")
            elif check_level2 and level1 == prev.level1 and not ind.level2 and prev.level2:
                out.append(f"{path}[{k}].level2: 二级指标为空，读回时会沿用上一行的“{prev.level2}”；请填写")
        prev = ind
    return out


def _shares_group(items: Sequence[Indicator], k: int) -> bool:
    """Whether the indicator at k has a neighbour of the same 一级 and 二级."""
    pair = (items[k].level1, items[k].level2)
    return any(0 <= j < len(items) and (items[j].level1, items[j].level2) == pair for j in (k - 1, k + 1))


def plan(b: SheetBuilder, block: IndicatorsBlock, form: Form, row: int) -> int:
    first = header_row = row
    b.header(row, block)
    row += 1
    if b.template and not getattr(b, "fixed_rows", False):
        row = template_rows(b, block, form, row, block.positions, block.field)
    else:
        row = tree_rows(b, block, getattr(form, block.field), row, block.positions, block.field)
    if block.opens_with_header:  # the header's first cell is the block's label
        b.blocks.append(BlockSpan(block.key, first, row - 1, header_row))
    else:
        b.section_label(block, first, row - 1, header_row)
    if block.total is not None:
        row = _total_row(b, block, form, row)
    return row


def _total_row(b: SheetBuilder, block: IndicatorsBlock, form: Any, row: int) -> int:
    """The total row (总分, 合计): the label from the first column up to the first total cell, the
    totals in their columns, the other cells blank."""
    assert block.total is not None
    pos = dict(zip((c.field for c in block.column_map), block.positions))
    total_cols = sorted(pos[f][0] for f in block.total.fields if f in pos)
    label_end = (total_cols[0] - 1) if total_cols else b.last_col
    b.put(row, 0, block.total.label, "label", last_col=label_end)
    money = amount_fields(type(form))
    for column, (c0, c1) in zip(block.column_map, block.positions):
        if c0 <= label_end:
            continue
        path = block.total.fields.get(column.field)
        if path is None:
            b.put(row, c0, None, "text", last_col=c1)
        elif path in money:
            b.amount(row, c0, to_sheet(getattr(form, path), block.unit), path, last_col=c1)
        else:
            b.put(row, c0, getattr(form, path), "text_center", last_col=c1, field=path)
    b.blocks.append(BlockSpan(f"{block.key}.total", row, row))
    return row + 1


def tree_rows(b: SheetBuilder, block: Any, items: Sequence[Indicator], row: int,
              positions: Sequence[tuple[int, int]], path: str) -> int:
    """The indicators at `path` as a tree in the columns `positions` (one per column of the
    block's map), from `row`; returns the next row."""
    pos = {c.field: p for c, p in zip(block.column_map, positions)}
    if not items:
        for column, (c0, c1) in zip(block.column_map, positions):
            b.put(row, c0, "", "level" if column.field in ("level1", "level2") else "text", last_col=c1)
        return row + 1
    (l1c, l1e), level2 = pos["level1"], pos.get("level2")
    (nc, ne), (tc, te) = pos["name"], pos["target"]
    extras = _extras(block, items[0], positions)
    split = [(SPLIT.index(f), pos[f]) for f in SPLIT if f in pos]
    put, add = b.put, b.cells.append
    for i1, j1 in _runs(items, "level1", 0, len(items)):
        put(row + i1, l1c, items[i1].level1, "level", last_row=row + j1 - 1, last_col=l1e, field=f"{path}[{i1}].level1")
        if level2 is not None:
            l2c, l2e = level2
            for i2, j2 in _runs(items, "level2", i1, j1):
                put(row + i2, l2c, items[i2].level2, "level", last_row=row + j2 - 1, last_col=l2e,
                    field=f"{path}[{i2}].level2")
        for k in range(i1, j1):  # the bulk of a form's cells: made directly
            r, item = row + k, items[k]
            add(_cell(PlanCell, (r, nc, item.name, "text", r, ne, f"{path}[{k}].name")))
            if split:  # 符号 | 指标值 | 计量单位
                op, value, unit = split_target(item.target)
                add(_cell(PlanCell, (r, tc, value, "text", r, te, f"{path}[{k}].target")))
                for part, (c0, c1) in split:
                    put(r, c0, (op, unit)[part], "text", last_col=c1, field=f"{path}[{k}].target")
            else:
                add(_cell(PlanCell, (r, tc, item.target, "text", r, te, f"{path}[{k}].target")))
            for fld, c0, c1, is_amount in extras:  # further columns of the layout (备注, 实际完成值…)
                value = getattr(item, fld)
                put(r, c0, to_sheet(value, block.unit) if is_amount else value, "amount" if is_amount else "text",
                    last_col=c1, field=f"{path}[{k}].{fld}")
    return row + len(items)


def template_rows(b: Any, block: Any, seed: Any, row: int, positions: Sequence[tuple[int, int]], path: str,
                  key: str = "") -> int:
    """Every (一级, 二级) of the framework with the seed's indicators at `path` under it, then
    empty rows; drop-downs for 一级 and 二级, hints, and repeated labels shown grey."""
    from budgetxl.render.template_plan import Highlight, Validation, framework_error, indicator_groups, same_row

    pos = {c.field: p for c, p in zip(block.column_map, positions)}
    hints = {c.field: c.hint for c in block.column_map}
    framework, texts = b.framework, b.texts
    money = amount_fields(item_model(type(seed), path))
    extras = [(c.field, c0, c1, c.field in money) for c, (c0, c1) in zip(block.column_map, positions)
              if c.field not in FIELDS and c.field not in SPLIT]
    input_first = row
    for (l1, l2), items in indicator_groups(getattr(seed, path), framework):
        for k, ind in items:
            _template_row(b, row, pos, l1, l2, ind, f"{path}[{k}]", extras)
            row += 1
        for _ in range(max(b.empty_rows_for(block), 0 if items else 1)):
            _template_row(b, row, pos, l1, l2, None, "", extras)
            b.empty_rows.add(row)
            row += 1
    input_last = row - 1
    b.input_rows[key or block.key] = (input_first, input_last)
    c1, c2 = pos["level1"][0], pos["level2"][0]
    b.validations.append(Validation(input_first, c1, input_last, "list", texts.hints.level1,
                                    framework_error(texts.errors.level1, framework),
                                    source="=" + texts.level1_list_name))
    b.validations.append(Validation(input_first, c2, input_last, "list", texts.hints.level2, texts.errors.level2,
                                    source=f"=INDIRECT({same_row(c1)})"))
    for fld in ("name", "target"):
        if hints[fld]:
            b.hint_named(input_first, pos[fld][0], input_last, hints[fld])
    for fld, c0, _, is_amount in extras:
        if is_amount:
            b.amount_rule(input_first, c0, input_last)
        elif hints[fld]:
            b.hint_named(input_first, c0, input_last, hints[fld])
    if input_last > input_first:
        # 一级/二级 repeated from the row above show grey: the groups read like merged cells.
        same1 = f"{same_row(c1)}={same_row(c1, -1)}"
        same2 = f"{same_row(c2)}={same_row(c2, -1)}"
        b.highlights.append(Highlight(input_first + 1, c1, input_last, c1, "=" + same1, "repeat_label"))
        b.highlights.append(Highlight(input_first + 1, c2, input_last, c2, f"=AND({same1},{same2})", "repeat_label"))
    return row


def _template_row(b: Any, row: int, pos: dict[str, tuple[int, int]], l1: str, l2: str, ind: Any,
                  path: str, extras: list[tuple[str, int, int, bool]] = ()) -> None:  # type: ignore[assignment]
    b.put(row, pos["level1"][0], l1, "input_center", last_col=pos["level1"][1], field=f"{path}.level1" if path else "")
    b.put(row, pos["level2"][0], l2, "input_center", last_col=pos["level2"][1], field=f"{path}.level2" if path else "")
    parts = split_target(ind.target) if ind is not None and any(f in pos for f in SPLIT) else None
    for name in ("name", "target"):
        value = getattr(ind, name) if ind is not None else None
        if name == "target" and parts is not None:
            value = parts[1]
        b.put(row, pos[name][0], value, "input_text", last_col=pos[name][1], field=f"{path}.{name}" if path else "")
    for k, name in enumerate(SPLIT):
        if name in pos:
            value = (parts[0], parts[2])[k] if parts is not None else None
            b.put(row, pos[name][0], value, "input_center", last_col=pos[name][1],
                  field=f"{path}.target" if path else "")
    for fld, c0, c1, is_amount in extras:
        value = getattr(ind, fld) if ind is not None else None
        b.put(row, c0, value, "input_amount" if is_amount else "input_text", last_col=c1,
              field=f"{path}.{fld}" if path else "")


# ---------------------------------------------------------------------------------------------
# Reading


def _header_fields(block: IndicatorsBlock) -> dict[str, str]:
    """Header (as matched) → the field of its column."""
    known: dict[str, str] = {}
    for column in block.column_map:
        for label in column.header_labels():
            known.setdefault(header_key(label), column.field)
    for part, labels in split_headers().items():  # 符号 | 指标值 | 计量单位, in any layout
        for label in labels:
            known.setdefault(header_key(label), part)
    return known


def _find_header(r: SheetReader, block: IndicatorsBlock, span: Span) -> tuple[dict[str, int], int | None]:
    """Field → column from a header row among the block's first rows, and that row."""
    known = once(block, "header_fields", lambda: _header_fields(block))
    first = span.label_col if block.opens_with_header else span.data_col
    for row in span.rows[:3]:
        found: dict[str, int] = {}
        for c in range(first, r.sheet.ncols):
            fld = known.get(header_key(r.raw(row, c)))
            if fld and fld not in found:
                found[fld] = c
        if len(found) >= 2:
            for c in found.values():
                r.mark(row, c)
            return found, row
    return {}, None


def read(r: SheetReader, block: IndicatorsBlock, span: Span) -> None:
    cols, header_row = _find_header(r, block, span)
    if header_row is None:  # not a table of indicators (a comparison or a summary that names 绩效指标)
        heads = "、".join(c.header for c in block.column_map if c.header)
        raise ReadError(f"{r.grid.path}: 工作表“{r.sheet.name}”的“{block.label}”部分没有表头行（{heads}），"
                        f"不是可读入的目标表；请补上表头行，或检查是否选错了文件")
    shift = span.label_col if block.opens_with_header else span.data_col - block.first_col
    for column, (c0, _) in zip(block.column_map, block.positions):
        cols.setdefault(column.field, c0 + shift)
    totals = _total_labels(block)
    money_form = amount_fields(form_model(r.layout))
    money = amount_fields(item_model(form_model(r.layout), block.field))
    money_extras = [cols[c.field] for c in block.column_map if c.field in money]
    unit = (r.unit_for(block, span, [(header_row, c) for c in money_extras] if header_row is not None else ())
            if money_extras else block.unit)
    tree = Tree(r, block, cols, header_row, block.field, unit)
    headers = _header_sets(block)
    last_data = max(cols.values())
    notes = r.parts.lists["notes"]
    start = (header_row + 1) if header_row is not None else span.rows.start + 1
    for row in range(start, span.rows.stop):
        present = r.right_cells(row, span.label_col - 1)
        if not present:
            continue
        if _is_repeated_header(r, row, cols, headers):
            continue
        if totals and not notes and _is_total_row(r, row, present, tree.cn, totals):
            _read_total(r, block, row, present[0], cols, money_form, unit)
            continue
        if notes or _is_note_row(r, row, present, span, last_data, block.opens_with_header):
            read_note(r, row, present)
            continue
        tree.add_row(row)
    tree.finish()


def read_note(r: SheetReader, row: int, present: list[int]) -> None:
    """A row under the table, kept as a note."""
    notes = r.parts.lists["notes"]
    r.cells[f"notes[{len(notes)}]"] = r.a1(row, present[0])
    notes.append(" ".join(r.text(row, c) for c in present))


class Tree:
    """One indicator tree being read, row by row, from the columns `cols` (field → column):
    一级/二级 merged, written once or on every row, empty 二级 blocks as placeholders. `finish`
    adds the indicators to the model's list at `path`."""

    def __init__(self, r: SheetReader, block: Any, cols: dict[str, int], header_row: int | None, path: str,
                 unit: str | None = None) -> None:
        self.r, self.block, self.cols, self.path = r, block, cols, path
        self.unit = unit or block.unit  # the unit of its amount columns on this sheet
        self.c1, self.c2, self.cn, self.ct = (cols.get(f, -1) for f in FIELDS)  # a layout may have no 二级
        self.item = item_model(form_model(r.layout), path)
        self.money = amount_fields(self.item)
        self.extra_cols = [(c.field, cols[c.field]) for c in block.column_map
                           if c.field not in FIELDS and c.field not in SPLIT]
        self.split = [(f, cols[f]) for f in SPLIT if f in cols]  # the target split over columns
        self.computed = frozenset(c.field for c in block.column_map if c.computed)  # formulas of the sheet
        self.target_end = r.span_end(header_row, self.ct) if header_row is not None else self.ct
        if header_row is not None:  # the set as a whole: where a finding about all of it points
            r.cells.setdefault(path, r.a1(header_row, self.c1))
        self.groups: list[dict[str, Any]] = []
        self.l1 = self.l2 = ""
        self.l1_cell: str | None = None
        self.l2_cell: str | None = None

    def add_row(self, row: int) -> None:
        r = self.r
        v1, v2 = r.text(row, self.c1), (r.text(row, self.c2) if self.c2 >= 0 else "")
        if v1:
            self.l1, self.l1_cell, self.l2, self.l2_cell = v1, r.a1(row, self.c1), "", None
        if v2:
            self.l2, self.l2_cell = v2, r.a1(row, self.c2)
        groups = self.groups
        if not groups or (groups[-1]["l1"], groups[-1]["l2"]) != (self.l1, self.l2) or (v1 and v1 != groups[-1]["l1"]):
            groups.append({"l1": self.l1, "l2": self.l2, "rows": [], "c1": self.l1_cell, "c2": self.l2_cell})
        name = r.text(row, self.cn)
        target = r.text(row, self.ct)
        # 指标值 spread over two merged columns, or typed into the column right of it
        if not target:
            for c in range(self.ct + 1, self.target_end + 1):
                target = target or r.text(row, c)
        problem: str | None = None
        if self.split:
            parts = {fld: r.text(row, c) for fld, c in self.split}
            target, problem = join_target(parts.get("target.operator", ""), target, parts.get("target.unit", ""))
        extra = {fld: r.raw(row, c) for fld, c in self.extra_cols}
        if name or target or any(v not in ("", None) for v in extra.values()):
            groups[-1]["rows"].append((name, target, row, problem))
        elif problem:
            c = self.cols["target.operator"]
            r.find("BX022", "", row, c, r.text(row, c), problem)

    def finish(self) -> None:
        r, path = self.r, self.path
        out = r.parts.lists[path]
        for g in self.groups:
            entries = g["rows"] or [("", "", None, None)]
            for name, target, row, problem in entries:
                k = len(out)
                if g["c1"]:
                    r.cells[f"{path}[{k}].level1"] = g["c1"]
                if g["c2"]:
                    r.cells[f"{path}[{k}].level2"] = g["c2"]
                values: dict[str, Any] = {}
                if row is not None:
                    r.cells[f"{path}[{k}].name"] = r.a1(row, self.cn)
                    r.cells[f"{path}[{k}].target"] = r.a1(row, self.ct)
                    if problem:
                        c = self.cols["target.operator"]
                        r.find("BX022", f"{path}[{k}].target", row, c, r.text(row, c), problem)
                    for fld, c in self.extra_cols:
                        at = f"{path}[{k}].{fld}"
                        values[fld] = (from_sheet(r.amount(row, c, at, fld in self.computed), self.unit)
                                       if fld in self.money
                                       else r.text(row, c, at))
                out.append(self.item(level1=g["l1"], level2=g["l2"], name=name, target=target, **values))


def _is_repeated_header(r: SheetReader, row: int, cols: dict[str, int], headers: dict[str, frozenset[str]]) -> bool:
    """The header written again at the top of a printed page (every column of it): a continuation,
    not an indicator (its cells count as read)."""
    for fld, c in cols.items():
        if header_key(r.raw(row, c)) not in headers.get(fld, ()):
            return False
    for c in cols.values():
        r.mark(row, c)
    return True


def _is_note_row(r: SheetReader, row: int, present: list[int], span: Span, last_data: int,
                 data_first: bool = False) -> bool:
    """A row under the table: one cell, in the label column(s) (not a label) or over the whole
    width of the table. Where the label column holds the 一级 (data_first), only a cell over the
    whole width."""
    if len(present) != 1:
        return False
    c = present[0]
    if data_first:
        return c <= span.data_col and r.span_end(row, c) >= last_data
    return c < span.data_col or (c <= span.data_col and r.span_end(row, c) >= last_data)


def _total_labels(block: IndicatorsBlock) -> frozenset[str]:
    return once(block, "total_labels", lambda: frozenset(normalize_label(t) for t in block.total.all_labels())
                if block.total is not None else frozenset())


def _is_total_row(r: SheetReader, row: int, present: list[int], name_col: int, labels: frozenset[str]) -> bool:
    """The total row (总分, 合计): its first cell says the total label, left of the 三级 name,
    and the name is empty."""
    c = present[0]
    return (c < name_col and normalize_label(r.raw(row, c)) in labels
            and (r.is_covered(row, name_col) or r.raw(row, name_col) in ("", None)))


def _read_total(r: SheetReader, block: IndicatorsBlock, row: int, label_col: int, cols: dict[str, int],
                money: frozenset[str], unit: str) -> None:
    assert block.total is not None
    computed = frozenset(c.field for c in block.column_map if c.computed)
    r.mark(row, label_col)
    for fld, path in block.total.fields.items():
        c = cols.get(fld)
        if c is None or r.is_covered(row, c):
            continue
        if path in money:
            r.parts.values[path] = from_sheet(r.amount(row, c, path, fld in computed), unit)
        else:
            r.parts.values[path] = r.text(row, c, path)

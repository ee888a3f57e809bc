"""Read a sheet by the grammar of its layout: find the blocks by their labels, then let each block's
kind read its rows into the form.

A label opens a block only where a layout's grammar allows one: in the label column (the column
where the layout's block labels stand, whatever column that is on the sheet), once per block (the
same label again at the top of a printed page continues the open block). The same words anywhere
else — in a block's data columns, in a note under the table — are data. Blocks may be missing and
a foreign file may order them differently. Columns inside a block come from its header row where
it has one, else from the layout's column map. Every non-empty cell of the sheet is read into the
form or reported with its cell (BX020).

Several layouts are known (templates/*.yaml): each sheet is matched against every one and read
with the one whose labels it carries best; the result says which.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import product
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from budgetxl.amount_units import UNITS, stated_unit, unit_note, without_unit
from budgetxl.blocks import KINDS
from budgetxl.blocks.base import Parts, Span, assemble, from_sheet, year_cell, year_in_text
from budgetxl.errors import ReadError
from budgetxl.kinds import FORM_KINDS, layout_name
from budgetxl.layout import Layout, all_layouts, once
from budgetxl.model import Form, format_amount
from budgetxl.read.codes import READ_CODES
from budgetxl.read.grid import Grid, SheetGrid
from budgetxl.read.sniff import kind_note
from budgetxl.read.values import AmountProblem, a1, display_text, evaluate_simple_formula, parse_amount_cell
from budgetxl.report import Finding
from budgetxl.text import clean_text, normalize_label

_INLINE_RE = re.compile(r"^\s*([^:：]{2,12})[:：]\s*(.+)$", re.S)
MAX_LABEL_CHARS = 40


@dataclass(frozen=True)
class ReadResult:
    """A form read back: the Form, what the reader noticed, and where each field came from."""

    form: Form
    findings: tuple[Finding, ...]
    source: str
    sheet: str
    layout: str
    cells: dict[str, str] = field(default_factory=dict)  # field path → A1
    formulas: dict[str, str] = field(default_factory=dict)  # field path → formula text
    totals: dict[str, Decimal | None] = field(default_factory=dict)  # '….total' → the total as read (万元)
    units: dict[str, str] = field(default_factory=dict)  # block label → the unit its amounts were read in
    file_kind: str = ""  # what the file is (xlsx, xls, ods, spreadsheetml, html), whatever its name
    text_amounts: frozenset[str] = frozenset()  # field paths of amounts typed as text ('1,800')

    @property
    def unit_text(self) -> str:
        """The units the amounts were read in, for a person: '万元', '元', or '元（部门预算安排资金）；万元（…）'."""
        used = list(dict.fromkeys(self.units.values()))
        if len(used) <= 1:
            return used[0] if used else ""
        return "；".join(f"{unit}（{'、'.join(b for b, u in self.units.items() if u == unit)}）" for unit in used)

    def cell_for(self, path: str) -> str | None:
        """The A1 cell of a field path, falling back to the nearest parent ('tasks[3]' → its name);
        a 合计 the sheet has no cell for ('funding.annual.total') falls back to its first line."""
        if path.endswith(".total") and path not in self.cells:
            first = path[: -len(".total")] + "[0].amount"
            if first in self.cells:
                return self.cells[first]
        probe = path
        while probe:
            if probe in self.cells:
                return self.cells[probe]
            for suffix in (".name", ".amount", ".level2", ".level1"):
                if probe + suffix in self.cells:
                    return self.cells[probe + suffix]
            cut = max(probe.rfind("."), probe.rfind("["))
            if cut <= 0:
                break
            probe = probe[:cut]
        return None


# ---------------------------------------------------------------------------------------------
# Matching a sheet to a layout


@dataclass(frozen=True)
class Opening:
    """Where a block's label stands on the sheet."""

    block: Any
    row: int
    col: int
    inline: str = ""


@dataclass
class Match:
    """A sheet read by a layout's grammar: the label column, the blocks it opens, and the label
    cells that continue an open block (repeated at the top of a printed page)."""

    layout: Layout
    label_col: int
    data_col: int
    openings: list[Opening]
    continued: list[tuple[int, int]]
    repeated: list[tuple[int, int, str]]  # a closed block's label met again: reported
    score: int
    covered: set[tuple[int, int]] | None = None  # the sheet's _covered cells, found once for both

    def has(self, kind: str) -> bool:
        return any(o.block.kind == kind for o in self.openings)


def _label_candidates(sheet: SheetGrid) -> list[tuple[int, int, str, str]]:
    """Short texts of the sheet, normalised: (row, col, normalised, text) — where labels can be."""
    return [(r, c, normalize_label(v), v) for r, row in enumerate(sheet.values) for c, v in enumerate(row)
            if isinstance(v, str) and v and len(v) <= MAX_LABEL_CHARS]


def _inline(layout: Layout, text: str) -> tuple[Any, str] | None:
    """'单位名称：某某局' → (the unit block, '某某局'), for value blocks."""
    m = _INLINE_RE.match(text)
    if not m:
        return None
    block = layout.block_for_label(m.group(1))
    if block is not None and block.kind == "value":
        return block, m.group(2).strip()
    return None


def match_layout(sheet: SheetGrid, layout: Layout, candidates: list[tuple[int, int, str, str]],
                 merges: dict[tuple[int, int], tuple[int, int, int, int]],
                 covered: set[tuple[int, int]], beat: int | None = None) -> Match | None:
    """The sheet read by this layout's grammar, None if no label of it stands where one can; also
    None, without finding the blocks' order, when the layout cannot score more than `beat` (each
    block opens once and counts at most 2, a title matching the layout's adds 3)."""
    hits: list[tuple[int, int, Any, str]] = []
    own: set[tuple[int, int]] = set()  # cells holding a block's own label (not its parent's)
    parents = layout.parent_labels
    for r, c, norm, text in candidates:  # `norm` is normalised already: looked up as it is
        block = layout.block_for_normalized(norm)
        if block is not None:
            hits.append((r, c, block, ""))
            own.add((r, c))
            continue
        block = parents.get(norm) if parents else None
        if block is not None:  # a parent label opens the first block under it
            hits.append((r, c, block, ""))
            continue
        found = _inline(layout, text) if ("：" in text or ":" in text) else None
        if found is not None:
            hits.append((r, c, found[0], found[1]))
    if not hits:
        return None
    if beat is not None and 2 * len({h[2].key for h in hits}) + 3 <= beat:
        return None
    # The label column: where the most blocks have a label; the label cells' usual width there
    # gives the first data column.
    by_col: dict[int, set[str]] = {}
    for _, c, block, _ in hits:
        by_col.setdefault(c, set()).add(block.key)
    label_col = min(by_col, key=lambda c: (-len(by_col[c]), c))
    ends = Counter(merges[(r, c)][3] if (r, c) in merges else c for r, c, _, inline in hits
                   if c == label_col and not inline)
    zone_end = min(ends, key=lambda e: (-ends[e], e)) if ends else label_col
    openings: list[Opening] = []
    continued: list[tuple[int, int]] = []
    repeated: list[tuple[int, int, str]] = []
    opened: dict[str, int] = {}
    current = None
    current_parent = None  # the parent label over the open block: met again, it continues it
    data_first = None  # an open block whose first column is the label column: its cells there are data
    for r, c, block, inline in sorted(hits, key=lambda h: (h[0], h[1])):
        if (r, c) in covered:
            continue
        if c != label_col and not (block.parent is not None and (r, c) in own and label_col < c <= zone_end):
            continue  # beside the label column only a block's own label under a parent label counts
        end = merges[(r, c)][3] if (r, c) in merges else c
        if end > zone_end and not inline and not _opens_with_header(block):
            continue  # one cell over the data columns (a note, a title): not a label
        key = block.key
        if data_first is not None and key != data_first.key and _is_data_of(layout, data_first, block, sheet, r, c,
                                                                           covered):
            continue
        parent_again = (r, c) not in own and block.parent is not None and current_parent == block.parent
        if key not in opened and not parent_again:
            opened[key] = len(openings)
            openings.append(Opening(block, r, c, inline))
            current, current_parent = key, block.parent
            data_first = block if _opens_with_header(block) else None
        elif key == current or parent_again:  # a label (or its parent) again at the top of a page
            continued.append((r, c))
        else:
            repeated.append((r, c, block.label))
    if not openings:
        return None
    score = sum(2 if normalize_label(sheet.value(o.row, o.col)) in _own_words(o.block) else 1 for o in openings)
    return Match(layout, label_col, zone_end + 1, openings, continued, repeated, score, covered)


def _own_words(block: Any) -> tuple[str, ...]:
    """A block's own label and its parent's, normalised: the words that count double."""
    return once(block, "own_words", lambda: (
        normalize_label(block.label), *((normalize_label(block.parent.label),) if block.parent else ())))


def _opens_with_header(block: Any) -> bool:
    """Whether the block's first column is the label column (an indicators block opening with its
    header): asked of every label met, and of most blocks not declared (a slow look-up)."""
    return bool(once(block, "opens_with_header", lambda: getattr(block, "opens_with_header", False)))


def _is_data_of(layout: Layout, open_block: Any, block: Any, sheet: SheetGrid, r: int, c: int,
               covered: set[tuple[int, int]]) -> bool:
    """Whether a label met in the label column while `open_block` (whose first column is the label
    column) is open is that block's data: a label of a block the layout declares before it or of
    itself, or any label on a row that fills several of the block's cells (an indicator whose
    一级 happens to read like a label), never opens a block there."""
    order = [b.key for b in layout.blocks]
    if order.index(block.key) <= order.index(open_block.key):
        return True
    values = sheet.values[r] if r < len(sheet.values) else ()
    filled = sum(1 for cc in range(c + 1, len(values)) if values[cc] not in ("", None) and (r, cc) not in covered)
    return filled >= 2


def best_match(sheet: SheetGrid) -> Match | None:
    """The layout this sheet is laid out in (ties go to the default layout), None if none fits."""
    layouts = all_layouts()
    candidates = _label_candidates(sheet)
    # Only a text that is some layout's label, or that may hold one inline (单位名称：…), can be a
    # hit in match_layout: the others (the values, most of a sheet) are set aside once here, not
    # looked up again under every layout.
    keys = once(layouts, "label_keys", lambda: frozenset().union(*(layout.label_keys() for layout in layouts)))
    candidates = [cand for cand in candidates
                  if cand[2] in keys or ":" in cand[3] or "：" in cand[3]
                  or (")" in cand[2] and without_unit(cand[2]) in keys)]
    merges = {(r1, c1): (r1, c1, r2, c2) for r1, c1, r2, c2 in sheet.merges}
    covered = _covered(sheet)
    title = _first_text(sheet)
    best: Match | None = None
    for layout in layouts:
        m = match_layout(sheet, layout, candidates, merges, covered, best.score if best is not None else None)
        if m is None:
            continue
        if title and _title_matches(layout, title):
            m.score += 3
        if best is None or m.score > best.score:
            best = m
    return best


def _covered(sheet: SheetGrid) -> set[tuple[int, int]]:
    """Cells inside a merged range other than its top-left one. Cells beyond the last row and
    column with content change nothing, so a merge over a million empty rows costs nothing."""
    out: set[tuple[int, int]] = set()
    last_row, last_col = sheet.nrows - 1, sheet.ncols - 1
    for r1, c1, r2, c2 in sheet.merges:
        row_end, col_end = min(r2, last_row) + 1, min(c2, last_col) + 1
        if r1 < row_end and c1 < col_end:  # the first row after its top-left cell, then the rows below
            out.update(product((r1,), range(c1 + 1, col_end)))
            out.update(product(range(r1 + 1, row_end), range(c1, col_end)))
    return out


def _first_text(sheet: SheetGrid) -> str:
    for row in sheet.values[:5]:
        for v in row:
            if isinstance(v, str) and v.strip():
                return v
    return ""


def _title_matches(layout: Layout, title: str) -> bool:
    year = year_in_text(title)
    if normalize_label(title) == normalize_label(layout.render_title(year)):
        return True
    # a title without its year (the year in a subtitle): the layout's words around the year
    bare = normalize_label(layout.render_title(None))
    return bool(bare) and normalize_label(re.sub(r"(?:19|20|21)\d{2}", "", title)) == bare


# ---------------------------------------------------------------------------------------------
# Workbooks: which sheets hold forms


def form_sheets(grid: Grid, sheet: str | None = None) -> tuple[list[tuple[SheetGrid, Match]], list[str]]:
    """The sheets holding a form (every visible one, or the one named), each with its match, and
    the names of hidden sheets that hold a form too (not read). Raises ReadError when none does."""
    if sheet is not None:
        chosen = [s for s in grid.sheets if s.name == sheet]
        if not chosen:
            names = "、".join(f"“{s.name}”" for s in grid.sheets)
            raise ReadError(f"{grid.path}: 没有名为“{sheet}”的工作表（工作表有：{names}）")
        candidates = chosen
    else:
        candidates = grid.sheets
    found: list[tuple[SheetGrid, Match]] = []
    hidden: list[str] = []
    partial: tuple[SheetGrid, Match] | None = None
    for s in candidates:
        m = best_match(s)
        if m is None:
            continue
        if not (m.has("indicators") or m.has("indicator_sets")):
            if partial is None or m.score > partial[1].score:
                partial = (s, m)
            continue
        if s.visible or sheet is not None:
            found.append((s, m))
        else:
            hidden.append(s.name)
    if not found:
        if partial is not None and len(partial[1].openings) >= 2:
            label = partial[1].layout.indicators_block.label if partial[1].layout.indicators_block else ""
            raise ReadError(f"{grid.path}: 工作表“{partial[0].name}”缺少“{label}”部分（找不到“{label}”栏目）")
        if hidden:
            names = "、".join(f"“{n}”" for n in hidden)
            raise ReadError(f"{grid.path}: 目标表在隐藏的工作表 {names} 中；如需读取，请指定工作表（--sheet）")
        default = all_layouts()[0]
        labels = "".join(f"“{b.label}”" for b in (default.indicators_block, default.unit_block) if b is not None)
        raise ReadError(f"{grid.path}: 没有找到部门整体预算绩效目标表（各工作表中都没有{labels}等栏目）")
    return found, hidden


def read_grid(grid: Grid, sheet: str | None = None) -> list[ReadResult]:
    """Every form of the workbook (visible sheets, in sheet order), or the one on `sheet`."""
    found, hidden = form_sheets(grid, sheet)
    notes = [Finding("BX016", READ_CODES["BX016"].severity,
                     f"隐藏的工作表“{name}”中也有一张目标表，未读取；如需读取，请指定该工作表（--sheet）",
                     "", None, name, None) for name in hidden]
    what = kind_note(Path(grid.path), grid.kind)
    if what is not None:
        notes.insert(0, Finding("BX018", READ_CODES["BX018"].severity, what, "", Path(grid.path).name, None, None))
    return [SheetReader(grid, s, m, notes).read() for s, m in found]


# ---------------------------------------------------------------------------------------------
# Reading one sheet


class SheetReader:
    """Reads one sheet with its match: the heading (title, year), then each block by its kind.
    The kinds call the helpers below; every cell they take is marked as read."""

    def __init__(self, grid: Grid, sheet: SheetGrid, match: Match, notes: list[Finding] | None = None) -> None:
        self.grid = grid
        self.sheet = sheet
        self.match = match
        self.layout = match.layout
        self.parts = Parts()
        self.findings: list[Finding] = list(notes or ())
        self.cells: dict[str, str] = {}
        self.formulas: dict[str, str] = {}
        self.totals: dict[str, Decimal | None] = {}
        self.text_amounts: set[str] = set()
        self.units: dict[str, str] = {}  # block key → the unit its amounts were read in
        self.unit_notes: list[tuple[int, int, str]] = []  # 单位：元 above the table or beside a block's label
        self.columns: dict[str, dict[str, int]] = {}  # a block's columns as found, for blocks that share them
        self.used: set[tuple[int, int]] = set()
        self.merge_at: dict[tuple[int, int], tuple[int, int, int, int]] = {
            (r1, c1): (r1, c1, r2, c2) for r1, c1, r2, c2 in sheet.merges}
        self.covered = match.covered if match.covered is not None else _covered(sheet)

    # -- helpers for the kinds -----------------------------------------------------------------

    a1 = staticmethod(a1)

    def raw(self, r: int, c: int) -> Any:
        if (r, c) in self.covered:
            return ""
        values = self.sheet.values  # SheetGrid.value, without the call
        if 0 <= r < len(values):
            row = values[r]
            if 0 <= c < len(row):
                return row[c]
        return ""

    def is_covered(self, r: int, c: int) -> bool:
        return (r, c) in self.covered

    def mark(self, r: int, c: int) -> None:
        self.used.add((r, c))

    def text(self, r: int, c: int, path: str = "") -> str:
        value = self.raw(r, c)
        self.used.add((r, c))
        if path:
            self.cells[path] = a1(r, c)
        if type(value) is str:  # most cells: display_text's first case, without the format look-up
            return clean_text(value)
        return display_text(value, self.sheet.formats.get((r, c)))

    def span_end(self, r: int, c: int) -> int:
        """Last column of the cell at (r, c), merges included."""
        rng = self.merge_at.get((r, c))
        return rng[3] if rng else c

    def right_cells(self, r: int, after: int) -> list[int]:
        """Columns right of `after` in row r holding a value (top-left cells of merges only)."""
        if not 0 <= r < self.sheet.nrows:
            return []
        values, covered = self.sheet.values[r], self.covered
        return [c for c in range(after + 1, len(values)) if values[c] not in ("", None) and (r, c) not in covered]

    def has_formula(self, r: int, c: int) -> bool:
        return (r, c) in self.sheet.formulas

    def peek_amount(self, r: int, c: int) -> Decimal | None:
        """The amount a cell shows, without reading it (None when blank or not a number)."""
        formula = self.sheet.formulas.get((r, c))
        value = self.raw(r, c)
        if formula is not None and value in ("", None, 0, 0.0):
            return evaluate_simple_formula(formula, self.sheet)
        try:
            return parse_amount_cell(value)
        except AmountProblem:
            return None

    def amount(self, r: int, c: int, path: str, computed_column: bool = False) -> Decimal | None:
        """An amount as the sheet shows it (the block converts its unit); problems are findings.
        In a `computed_column` a formula showing nothing reads as blank, without a finding."""
        self.used.add((r, c))
        self.cells[path] = a1(r, c)
        value = self.raw(r, c)
        formula = self.sheet.formulas.get((r, c))
        if formula is not None:
            self.formulas[path] = formula
            if computed_column and value in ("", None):
                return None
            if value in ("", None, 0, 0.0) and not computed_column:
                computed = evaluate_simple_formula(formula, self.sheet)
                if computed is None:
                    self.find("BX013", path, r, c, f"={formula}",
                              "此单元格的公式从未被计算，读不到结果；请在 Excel 或 WPS 中打开并保存后再提交")
                    return None
                if computed != 0:
                    self.find("BX014", path, r, c, f"={formula}",
                              f"此单元格的公式从未被计算（显示为 0），已按公式算得 {format_amount(computed)}")
                return computed
        try:
            amount = parse_amount_cell(value)
        except AmountProblem as exc:
            self.find(exc.code, path, r, c, display_text(value), exc.message)
            return None
        if amount is not None and isinstance(value, str):
            self.text_amounts.add(path)
        return amount

    def total(self, r: int, c: int, path: str, unit: str) -> None:
        """A total row's amount (合计): kept, with its cell, to be checked against its lines."""
        self.totals[path] = from_sheet(self.amount(r, c, path), unit)

    def unit_for(self, block: Any, span: Span, cells: Any = ()) -> str:
        """The unit a block's amounts are in on this sheet, by what the sheet says: a unit in the
        header cells given (the amount columns' headers), else in the block's label, else the
        nearest note above it (金额单位：元), else the layout's unit for the block (万元 unless the
        layout says otherwise). Recorded for the result; a unit other than 万元 is a finding (BX019)
        at the cell that states it: every amount of the block is converted from it."""
        shared = getattr(block, "columns_from", "")
        if shared and shared in self.units and not cells:
            return self._unit(block, self.units[shared], None, None, "与上方栏目的表头相同")
        for r, c in (*cells, (span.label_row, span.label_col)):
            unit = stated_unit(self.raw(r, c))
            if unit is not None:
                where = "栏目名称" if (r, c) == (span.label_row, span.label_col) else "表头"
                return self._unit(block, unit, r, c, f"{where}“{display_text(self.raw(r, c))}”写明")
        notes = [n for n in self.unit_notes if n[0] <= span.label_row]
        if notes:
            r, c, unit = notes[-1]
            return self._unit(block, unit, r, c, f"表格上方注明“{display_text(self.raw(r, c))}”")
        unit = getattr(block, "unit", UNITS[0])
        return self._unit(block, unit, None, None, f"表中未注明单位，按版式 {self.layout.name} 的约定")

    def _unit(self, block: Any, unit: str, r: int | None, c: int | None, why: str) -> str:
        self.units[block.key] = unit
        if unit != UNITS[0]:
            self.find("BX019", "", r, c, unit, f"“{block.label}”的金额以{unit}为单位（{why}），已换算为万元读入")
        return unit

    def find(self, code: str, path: str, r: int | None, c: int | None, value: str | None, message: str) -> None:
        severity = READ_CODES[code].severity
        cell = a1(r, c) if r is not None and c is not None else None
        self.findings.append(Finding(code, severity, message, path, value, self.sheet.name, cell))

    # -- the sheet --------------------------------------------------------------------------------

    def read(self) -> ReadResult:
        m = self.match
        openings = sorted(m.openings, key=lambda o: o.row)
        for o in openings:
            self.used.add((o.row, o.col))
        for r, c in m.continued:
            self.used.add((r, c))
        for r, c, label in m.repeated:
            self.used.add((r, c))
            self.find("BX021", "", r, c, label, f"栏目“{label}”在表中重复出现，此处及其下各行未按该栏目读入")
        first_row = openings[0].row
        self.find_unit_notes(first_row, {o.row for o in openings})
        title, year, title_cell = self.read_heading(first_row)
        for i, o in enumerate(openings):
            stop = openings[i + 1].row if i + 1 < len(openings) else self.sheet.nrows
            span = Span(o.row, o.col, m.data_col, range(o.row, stop), o.inline)
            KINDS[o.block.kind].read(self, o.block, span)
            # the block's label cell stands for the block as a whole (a finding that a required
            # block is empty points there), unless its kind placed the field itself
            fld = getattr(o.block, "field", "")
            if fld and o.block.kind == "indicators" and not _opens_with_header(o.block):
                self.cells[fld] = a1(o.row, o.col)  # its own label, rather than its header's 一级
            elif fld:
                group = getattr(o.block, "group", "")
                self.cells.setdefault(f"{fld}.{group}" if group else fld, a1(o.row, o.col))
        layout = self.layout
        title_value = None if normalize_label(title) == normalize_label(layout.render_title(year)) else (title or None)
        if title_cell and title_value is not None:
            self.cells["title"] = title_cell
        self.report_unread()
        kind = FORM_KINDS[layout.kind]
        try:
            form = assemble(kind.model, self.parts, year=year, title=title_value, layout=layout.name)
            if layout_name(form.model_copy(update={"layout": None})) == layout.name:
                form = form.model_copy(update={"layout": None})  # the form's default goes without saying
        except ValidationError as exc:  # pragma: no cover - the kinds build valid parts
            raise ReadError(f"{self.grid.path}: 读出的内容不完整（{exc.errors()[0]['msg']}）") from None
        units = {b.label: self.units[b.key] for b in layout.blocks if b.key in self.units}
        return ReadResult(form, tuple(self.findings), str(self.grid.path), self.sheet.name, layout.name,
                          self.cells, self.formulas, self.totals, units, self.grid.kind,
                          frozenset(self.text_amounts))

    def find_unit_notes(self, first_row: int, label_rows: set[int]) -> None:
        """Notes giving the amounts' unit (单位：元, 金额单位：万元) above the table, or right of the
        table in a block's label row (never inside it: a unit name reading 单位：元 is data): they
        apply to the blocks below them, and count as read. The table's right edge is the layout's,
        or the sheet's own where it draws the table narrower (a return made on fewer columns)."""
        beyond = self.match.data_col + self.layout.ncols - 1  # the first column right of the layout's table
        drawn: int | None = None  # the sheet's own width: scanned only for a note inside the layout's
        for r in [*range(first_row), *sorted(label_rows)]:
            for c in self.right_cells(r, -1 if r < first_row else self.match.data_col):
                value = self.raw(r, c)
                unit = unit_note(value) if isinstance(value, str) and len(value) <= 20 else None
                if unit is None:
                    continue
                if r >= first_row and c < beyond:
                    if drawn is None:
                        drawn = self.drawn_width(first_row, label_rows)
                    if c < drawn:
                        continue  # inside the table (a unit name reading 单位：元 is data)
                self.unit_notes.append((r, c, unit))
                self.used.add((r, c))
        self.unit_notes.sort()

    def drawn_width(self, first_row: int, label_rows: set[int]) -> int:
        """Columns the sheet's table reaches in its rows of data (below the first block, not a row
        where a block opens: a unit note may stand right of a label), merges included."""
        width = 0
        values = self.sheet.values
        for r in range(first_row, self.sheet.nrows):
            if r in label_rows:
                continue
            row = values[r]
            for c in range(len(row) - 1, width - 1, -1):
                if row[c] not in ("", None) or (r, c) in self.merge_at:
                    width = max(width, self.span_end(r, c) + 1)
                    break
        return width

    def read_heading(self, first_row: int) -> tuple[str, int | None, str | None]:
        """The rows above the first block: the title (the first text), then a subtitle or a cell
        giving the year (unit notes, 单位：元, are found before: find_unit_notes). The year comes
        from the title, else from
        such a cell, else from the file name; a finding says where when not from the title or the
        layout's own subtitle."""
        title, title_cell = "", None
        year = None
        year_from: tuple[int, int, str] | None = None
        for r in range(first_row):
            for c in self.right_cells(r, -1):
                if (r, c) in self.used:  # a unit note (单位：元)
                    continue
                text = display_text(self.raw(r, c))
                if not title_cell:
                    title, title_cell = self.text(r, c), a1(r, c)
                    continue
                stated = year_cell(text) or (year_in_text(text) if self._is_subtitle(text) else None)
                if stated is not None and year_from is None:
                    self.used.add((r, c))
                    year_from = (r, c, text)
        year = year_in_text(title)
        if year is not None:
            self.cells["year"] = title_cell  # type: ignore[assignment]
        elif year_from is not None:
            r, c, text = year_from
            year = year_cell(text) or year_in_text(text)
            self.cells["year"] = a1(r, c)
            if not self._is_subtitle(text):
                self.find("BX015", "year", r, c, text, f"标题中没有年度，年度 {year} 取自此单元格")
        elif title_cell:
            self.cells["year"] = title_cell
        if year is None:
            year = year_in_text(Path(self.grid.path).stem) or _bare_year(Path(self.grid.path).stem)
            if year is not None:
                self.find("BX015", "year", None, None, Path(self.grid.path).name,
                          f"表中没有写明年度，年度 {year} 取自文件名“{Path(self.grid.path).name}”")
        return title, year, title_cell

    def _is_subtitle(self, text: str) -> bool:
        """The layout's own subtitle (or its year line) for some year."""
        y = year_cell(text) or year_in_text(text)
        if y is None:
            return False
        norm = normalize_label(text)
        return norm in (normalize_label(self.layout.render_subtitle(y)),
                        normalize_label(self.layout.render_year_line(y)))

    def report_unread(self) -> None:
        """Everything with content that no block took is reported, never dropped silently."""
        formats = self.sheet.formats
        for r, row in enumerate(self.sheet.values):
            for c, v in enumerate(row):
                if v in ("", None) or (r, c) in self.used or (r, c) in self.covered:
                    continue
                text = display_text(v, formats.get((r, c)))
                self.find("BX020", "", r, c, text, f"此单元格的内容“{text[:30]}”不属于表格的任何栏目，未读入")


_BARE_YEAR_RE = re.compile(r"(?<!\d)((?:19|20|21)\d{2})(?!\d)")


def _bare_year(text: str) -> int | None:
    m = _BARE_YEAR_RE.search(text)
    return int(m.group(1)) if m else None

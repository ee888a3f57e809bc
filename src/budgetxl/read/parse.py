"""Find the form's blocks by their labels and read them into a Form.

Blocks are found by label (normalised: NFKC, no spaces or line breaks), never by coordinates, so
inserted or deleted rows, moved blocks, other column positions and foreign layouts still read.
Columns inside a block come from its header row; 一级/二级 labels may be merged vertically,
written once with the cells below left empty, or repeated on every row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from budgetxl.errors import ReadError
from budgetxl.layout import DEFAULT_LAYOUT, Layout, all_layouts, label_index
from budgetxl.model import Budget, BudgetLine, BudgetSection, Form, Indicator, InfoItem, Task, format_amount
from budgetxl.read.codes import READ_CODES
from budgetxl.read.grid import Grid, Range, SheetGrid
from budgetxl.read.values import AmountProblem, a1, display_text, evaluate_simple_formula, parse_amount_cell
from budgetxl.report import Finding
from budgetxl.text import normalize_label

_YEAR_RE = re.compile(r"((?:19|20|21)\d{2})\s*年")


@dataclass(frozen=True)
class Anchor:
    key: str
    row: int
    col: int
    inline_value: str = ""  # '单位名称：XX' written in one cell


@dataclass(frozen=True)
class ReadResult:
    """A workbook read back: the Form, what the reader noticed, and where each field came from."""

    form: Form
    findings: tuple[Finding, ...]
    source: str
    sheet: str
    layout: str
    cells: dict[str, str] = field(default_factory=dict)  # field path → A1
    formulas: dict[str, str] = field(default_factory=dict)  # field path → formula text

    def cell_for(self, path: str) -> str | None:
        """The A1 cell of a field path, falling back to the nearest parent ('tasks[3]' → its name)."""
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
# Labels declared by the layouts


@lru_cache(maxsize=None)
def _header_fields(block: str) -> dict[str, str]:
    """Normalised header label → model field, for a block with `fields`, across all layouts."""
    out: dict[str, str] = {}
    for layout in all_layouts():
        b = getattr(layout.blocks, block)
        for heading, fld in zip(b.header, b.fields):
            for label in b.header_labels(heading):
                out.setdefault(normalize_label(label), fld)
    return out


@lru_cache(maxsize=None)
def _budget_headers() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(expenditure-name headers, revenue-name headers, amount headers), normalised."""
    left: set[str] = set()
    right: set[str] = set()
    amount: set[str] = set()
    for layout in all_layouts():
        b = layout.blocks.budget
        exp_h, amt_h, rev_h, _ = b.header
        left.update(normalize_label(x) for x in b.header_labels(exp_h))
        right.update(normalize_label(x) for x in b.header_labels(rev_h))
        amount.update(normalize_label(x) for x in b.header_labels(amt_h))
        amount.add(normalize_label(b.amount_header))
    return frozenset(left), frozenset(right), frozenset(amount)


def is_total(value: Any) -> bool:
    """A 合计 row's name cell, as any layout declares it."""
    return isinstance(value, str) and any(layout.is_total_label(value) for layout in all_layouts())


def _inline_label(text: str) -> tuple[str, str] | None:
    """'单位名称：某某局' → ('unit', '某某局')."""
    m = re.match(r"^\s*([^:：]{2,12})[:：]\s*(.+)$", text, re.S)
    if not m:
        return None
    keys = label_index().get(normalize_label(m.group(1)))
    if keys and keys[0] == "unit":
        return "unit", m.group(2).strip()
    return None


def find_anchors(sheet: SheetGrid) -> list[Anchor]:
    index = label_index()
    seen: dict[str, Anchor] = {}
    for r, row in enumerate(sheet.values):
        for c, v in enumerate(row):
            if not isinstance(v, str) or not v or len(v) > 40:
                continue
            keys = index.get(normalize_label(v))
            if keys:
                key = keys[0]
                if key not in seen:
                    seen[key] = Anchor(key, r, c)
                continue
            inline = _inline_label(v)
            if inline and inline[0] not in seen:
                seen[inline[0]] = Anchor(inline[0], r, c, inline[1])
    return sorted(seen.values(), key=lambda a: (a.row, a.col))


def choose_sheet(grid: Grid) -> tuple[SheetGrid, list[Anchor]]:
    best: tuple[int, SheetGrid, list[Anchor]] | None = None
    for sheet in grid.sheets:
        anchors = find_anchors(sheet)
        keys = {a.key for a in anchors}
        score = len(keys) + (10 if "indicators" in keys else 0)
        if best is None or score > best[0]:
            best = (score, sheet, anchors)
    if best is None or not best[2]:
        raise ReadError(f"{grid.path}: 没有找到部门整体预算绩效目标表（各工作表中都没有“绩效指标”“单位名称”等栏目）")
    _, sheet, anchors = best
    keys = {a.key for a in anchors}
    if "indicators" not in keys:
        if len(keys) >= 2:
            raise ReadError(f"{grid.path}: 工作表“{sheet.name}”缺少“绩效指标”部分（找不到“绩效指标”栏目）")
        raise ReadError(f"{grid.path}: 没有找到部门整体预算绩效目标表（各工作表中都没有“绩效指标”等栏目）")
    return sheet, anchors


def read_grid(grid: Grid) -> ReadResult:
    sheet, anchors = choose_sheet(grid)
    return _SheetReader(grid, sheet, anchors).read()


# ---------------------------------------------------------------------------------------------


class _SheetReader:
    def __init__(self, grid: Grid, sheet: SheetGrid, anchors: list[Anchor]) -> None:
        self.grid = grid
        self.sheet = sheet
        self.anchors = anchors
        self.by_key = {a.key: a for a in anchors}
        self.findings: list[Finding] = []
        self.cells: dict[str, str] = {}
        self.formulas: dict[str, str] = {}
        self.used: set[tuple[int, int]] = set()
        self.task_cols: dict[str, int] | None = None  # from the 年度重点工作任务 header, for 其他任务 too
        self.merge_at: dict[tuple[int, int], Range] = {}
        self.covered: set[tuple[int, int]] = set()
        # Covered cells beyond the last row and column with content change nothing (there is
        # nothing to read there), so a merge over a million empty rows costs nothing.
        last_row, last_col = sheet.nrows - 1, sheet.ncols - 1
        for rng in sheet.merges:
            r1, c1, r2, c2 = rng
            self.merge_at[(r1, c1)] = rng
            for r in range(r1, min(r2, last_row) + 1):
                for c in range(c1, min(c2, last_col) + 1):
                    if (r, c) != (r1, c1):
                        self.covered.add((r, c))

    # -- small helpers ---------------------------------------------------------------------------

    def raw(self, r: int, c: int) -> Any:
        if (r, c) in self.covered:
            return ""
        return self.sheet.value(r, c)

    def text(self, r: int, c: int, path: str = "") -> str:
        value = self.raw(r, c)
        self.used.add((r, c))
        if path:
            self.cells[path] = a1(r, c)
        return display_text(value, self.sheet.formats.get((r, c)))

    def span_end(self, r: int, c: int) -> int:
        """Last column of the cell at (r, c), merges included."""
        rng = self.merge_at.get((r, c))
        return rng[3] if rng else c

    def block_rows(self, key: str) -> range:
        """Rows of block `key`: from its label to the row before the next block's label."""
        anchor = self.by_key[key]
        later = [a.row for a in self.anchors if a.row > anchor.row]
        return range(anchor.row, min(later) if later else self.sheet.nrows)

    def right_cells(self, r: int, after: int) -> list[int]:
        """Columns right of `after` in row r holding a value (top-left cells of merges only)."""
        out = []
        for c in range(after + 1, len(self.sheet.values[r]) if r < self.sheet.nrows else 0):
            if (r, c) in self.covered:
                continue
            v = self.sheet.value(r, c)
            if v not in ("", None):
                out.append(c)
        return out

    def amount(self, r: int, c: int, path: str) -> Decimal | None:
        self.used.add((r, c))
        self.cells[path] = a1(r, c)
        value = self.raw(r, c)
        formula = self.sheet.formulas.get((r, c))
        if formula is not None:
            self.formulas[path] = formula
            if value in ("", None, 0, 0.0):
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
            return parse_amount_cell(value)
        except AmountProblem as exc:
            self.find(exc.code, path, r, c, display_text(value), exc.message)
            return None

    def find(self, code: str, path: str, r: int, c: int, value: str | None, message: str) -> None:
        severity = READ_CODES[code].severity
        self.findings.append(Finding(code, severity, message, path, value, self.sheet.name, a1(r, c)))

    # -- the blocks ------------------------------------------------------------------------------

    def read(self) -> ReadResult:
        title, year, title_cell = self.read_title()
        layout, title_value = self.detect_layout(title, year)
        unit_name = self.read_unit()
        basic_info = self.read_basic_info()
        budget = self.read_budget()
        overall_goal = self.read_overall_goal()
        key_tasks = self.read_tasks("tasks_key", "key", 0)
        tasks = key_tasks + self.read_tasks("tasks_other", "other", len(key_tasks))
        indicators, notes = self.read_indicators()
        if title_cell:
            self.cells["year"] = title_cell
            if title_value is not None:
                self.cells["title"] = title_cell
        self.report_unread()
        try:
            form = Form(
                year=year,
                unit_name=unit_name,
                layout=None if layout.name == DEFAULT_LAYOUT else layout.name,
                title=title_value,
                basic_info=basic_info,
                budget=budget,
                overall_goal=overall_goal,
                tasks=tasks,
                indicators=indicators,
                notes=notes,
            )
        except ValidationError as exc:  # pragma: no cover - the reader builds valid parts
            raise ReadError(f"{self.grid.path}: 读出的内容不完整（{exc.errors()[0]['msg']}）") from None
        return ReadResult(form, tuple(self.findings), str(self.grid.path), self.sheet.name, layout.name,
                          self.cells, self.formulas)

    def read_title(self) -> tuple[str, int | None, str | None]:
        first = self.anchors[0].row if self.anchors else 0
        title, cell = "", None
        for r in range(0, first):
            cols = self.right_cells(r, -1)
            if cols:
                title = self.text(r, cols[0])
                cell = a1(r, cols[0])
                for c in cols[1:]:
                    self.text(r, c)  # e.g. a 单位：万元 note beside the title
                break
        year = None
        m = _YEAR_RE.search(title)
        if m:
            year = int(m.group(1))
        return title, year, cell

    def detect_layout(self, title: str, year: int | None) -> tuple[Layout, str | None]:
        layouts = all_layouts()
        norm = normalize_label(title)
        for layout in layouts:
            if norm and norm == normalize_label(layout.render_title(year)):
                return layout, None
        unit = self.by_key.get("unit")
        unit_label = normalize_label(self.raw(unit.row, unit.col)) if unit and not unit.inline_value else ""
        chosen = layouts[0]
        for layout in layouts:
            if unit_label and unit_label == normalize_label(layout.blocks.unit.label):
                chosen = layout
                break
        return chosen, (title or None)

    def read_unit(self) -> str:
        a = self.by_key.get("unit")
        if a is None:
            return ""
        self.used.add((a.row, a.col))
        if a.inline_value:
            self.cells["unit_name"] = a1(a.row, a.col)
            return a.inline_value
        cols = self.right_cells(a.row, self.span_end(a.row, a.col))
        if not cols:
            self.cells["unit_name"] = a1(a.row, self.span_end(a.row, a.col) + 1)
            return ""
        for c in cols[1:]:
            self.text(a.row, c)
        return self.text(a.row, cols[0], "unit_name")

    def read_basic_info(self) -> tuple[InfoItem, ...]:
        a = self.by_key.get("basic_info")
        if a is None:
            return ()
        self.used.add((a.row, a.col))
        items: list[InfoItem] = []
        first = self.span_end(a.row, a.col) + 1
        for r in self.block_rows("basic_info"):
            # name/value pairs by position (a merged cell counts once), so an empty value keeps
            # its place instead of pairing the next name with this one
            cells = [c for c in range(first, self.sheet.ncols) if (r, c) not in self.covered]
            for name_col, value_col in zip(cells[0::2], cells[1::2] + [None]):
                empty = self.raw(r, name_col) in ("", None) and (
                    value_col is None or self.raw(r, value_col) in ("", None))
                if empty:
                    continue
                k = len(items)
                name = self.text(r, name_col, f"basic_info[{k}].name")
                value = self.text(r, value_col, f"basic_info[{k}].value") if value_col is not None else ""
                items.append(InfoItem(name=name, value=value))
        return tuple(items)

    def read_budget(self) -> Budget:
        a = self.by_key.get("budget")
        if a is None:
            return Budget(expenditures=(), revenues=())
        self.used.add((a.row, a.col))
        left_h, right_h, amount_h = _budget_headers()
        rows = self.block_rows("budget")
        first = self.span_end(a.row, a.col) + 1
        cols = None
        start = rows.start
        for r in rows[:3]:
            found = {normalize_label(self.raw(r, c)): c for c in range(first, self.sheet.ncols)}
            lc = next((c for k, c in found.items() if k in left_h), None)
            rc = next((c for k, c in found.items() if k in right_h), None)
            if lc is not None and rc is not None:
                amounts = sorted(c for k, c in found.items() if k in amount_h)
                la = next((c for c in amounts if lc < c < rc), lc + 1)
                ra = next((c for c in amounts if c > rc), rc + 1)
                cols = (lc, la, rc, ra)
                for c in (lc, la, rc, ra):
                    self.used.add((r, c))
                start = r + 1
                break
        if cols is None:
            cols = (first, first + 1, first + 2, first + 3)
        lc, la, rc, ra = cols
        sides: list[list[list[BudgetLine]]] = [[[], []]]
        headings: list[tuple[str, str]] = []
        for r in range(start, rows.stop):
            if normalize_label(self.raw(r, la)) in amount_h or normalize_label(self.raw(r, ra)) in amount_h:
                s = len(headings)
                headings.append((self.text(r, lc, f"budget.sections[{s}].left_heading"),
                                 self.text(r, rc, f"budget.sections[{s}].right_heading")))
                self.used.update({(r, la), (r, ra)})
                sides.append([[], []])
                continue
            prefix = ("budget.expenditures", "budget.revenues") if not headings else (
                f"budget.sections[{len(headings) - 1}].left", f"budget.sections[{len(headings) - 1}].right")
            for side, (nc, ac) in enumerate(((lc, la), (rc, ra))):
                if self.raw(r, nc) in ("", None) and self.raw(r, ac) in ("", None):
                    continue
                if is_total(self.raw(r, nc)):
                    self.amount(r, ac, f"{prefix[side]}.total")
                    self.used.add((r, nc))
                    if side == 1:  # a template's balance check beside the 合计 row is part of it
                        self.used.update((r, c) for c in self.right_cells(r, ra))
                    continue
                k = len(sides[-1][side])
                name = self.text(r, nc, f"{prefix[side]}[{k}].name")
                amount = self.amount(r, ac, f"{prefix[side]}[{k}].amount")
                sides[-1][side].append(BudgetLine(name=name, amount=amount))
        sections = tuple(
            BudgetSection(left_heading=h[0], right_heading=h[1], left=tuple(s[0]), right=tuple(s[1]))
            for h, s in zip(headings, sides[1:])
        )
        return Budget(expenditures=tuple(sides[0][0]), revenues=tuple(sides[0][1]), sections=sections)

    def read_overall_goal(self) -> str:
        a = self.by_key.get("overall_goal")
        if a is None:
            return ""
        self.used.add((a.row, a.col))
        parts = []
        for r in self.block_rows("overall_goal"):
            for c in self.right_cells(r, self.span_end(a.row, a.col)):
                if "overall_goal" not in self.cells:
                    self.cells["overall_goal"] = a1(r, c)
                parts.append(self.text(r, c))
        if "overall_goal" not in self.cells:
            self.cells["overall_goal"] = a1(a.row, self.span_end(a.row, a.col) + 1)
        return "\n".join(p for p in parts if p)

    def columns_from_header(self, key: str, rows: range, label_end: int) -> tuple[dict[str, int], int | None]:
        """Field → column from the block's header row (searched in its first rows), and that row."""
        known = _header_fields(key)
        for r in rows[:3]:
            found: dict[str, int] = {}
            for c in range(label_end + 1, self.sheet.ncols):
                fld = known.get(normalize_label(self.raw(r, c)))
                if fld and fld not in found:
                    found[fld] = c
            if len(found) >= 2:
                for c in found.values():
                    self.used.add((r, c))
                return found, r
        return {}, None

    def read_tasks(self, key: str, group: str, offset: int) -> tuple[Task, ...]:
        a = self.by_key.get(key)
        if a is None:
            return ()
        self.used.add((a.row, a.col))
        rows = self.block_rows(key)
        label_end = self.span_end(a.row, a.col)
        cols, header_row = self.columns_from_header("tasks_key", rows, label_end)
        if cols:
            self.task_cols = cols
        elif self.task_cols:
            cols = self.task_cols
        fields = all_layouts()[0].blocks.tasks_key.fields
        for i, fld in enumerate(fields):
            cols.setdefault(fld, label_end + 1 + i)
        out = []
        for r in rows:
            if r == header_row:
                continue
            if all(self.raw(r, cols[f]) in ("", None) for f in fields):
                continue
            if is_total(self.raw(r, cols["name"])):
                self.used.add((r, cols["name"]))
                self.amount(r, cols["funds"], f"tasks.{group}.total")
                continue
            k = offset + len(out)
            values: dict[str, Any] = {"group": group}
            for fld in fields:
                path = f"tasks[{k}].{fld}"
                if fld == "funds":
                    values[fld] = self.amount(r, cols[fld], path)
                else:
                    values[fld] = self.text(r, cols[fld], path)
            out.append(Task(**values))
        return tuple(out)

    def read_indicators(self) -> tuple[tuple[Indicator, ...], tuple[str, ...]]:
        a = self.by_key["indicators"]
        self.used.add((a.row, a.col))
        rows = self.block_rows("indicators")
        label_end = self.span_end(a.row, a.col)
        cols, header_row = self.columns_from_header("indicators", rows, label_end)
        fields = all_layouts()[0].blocks.indicators.fields
        for i, fld in enumerate(fields):
            cols.setdefault(fld, label_end + 1 + i)
        c1, c2, cn, ct = (cols[f] for f in fields)
        # groups: [level1, level2, [(name, target, row)], label rows]
        groups: list[dict[str, Any]] = []
        notes: list[str] = []
        l1 = l2 = ""
        l1_cell = l2_cell = None
        start = (header_row + 1) if header_row is not None else rows.start + 1
        for r in range(start, rows.stop):
            present = self.right_cells(r, -1)
            if not present or self.is_repeated_header(r, cols):
                continue
            if notes or self.is_note_row(r, present, c1, ct):
                self.cells[f"notes[{len(notes)}]"] = a1(r, present[0])
                notes.append(" ".join(self.text(r, c) for c in present))
                continue
            v1, v2 = self.text(r, c1), self.text(r, c2)
            if v1:
                l1, l1_cell, l2, l2_cell = v1, a1(r, c1), "", None
            if v2:
                l2, l2_cell = v2, a1(r, c2)
            if not groups or (groups[-1]["l1"], groups[-1]["l2"]) != (l1, l2) or (v1 and v1 != groups[-1]["l1"]):
                groups.append({"l1": l1, "l2": l2, "rows": [], "c1": l1_cell, "c2": l2_cell})
            name = self.text(r, cn)
            target = self.text(r, ct)
            # 指标值 spread over two merged columns, or typed into the column right of it
            if not target:
                for c in range(ct + 1, self.span_end(header_row, ct) + 1 if header_row is not None else ct + 1):
                    target = target or self.text(r, c)
            if name or target:
                groups[-1]["rows"].append((name, target, r))
        out: list[Indicator] = []
        for g in groups:
            entries = g["rows"] or [("", "", None)]
            for name, target, r in entries:
                k = len(out)
                if g["c1"]:
                    self.cells[f"indicators[{k}].level1"] = g["c1"]
                if g["c2"]:
                    self.cells[f"indicators[{k}].level2"] = g["c2"]
                if r is not None:
                    self.cells[f"indicators[{k}].name"] = a1(r, cn)
                    self.cells[f"indicators[{k}].target"] = a1(r, ct)
                out.append(Indicator(level1=g["l1"], level2=g["l2"], name=name, target=target))
        return tuple(out), tuple(notes)

    def is_repeated_header(self, r: int, cols: dict[str, int]) -> bool:
        """The indicator header written again at the top of a printed page: a continuation, not
        an indicator (its cells count as read)."""
        known = _header_fields("indicators")
        hits = [c for fld, c in cols.items() if known.get(normalize_label(self.raw(r, c))) == fld]
        if len(hits) < 2:
            return False
        self.used.update((r, c) for c in hits)
        return True

    def is_note_row(self, r: int, present: list[int], c1: int, ct: int) -> bool:
        """A row under the table: a single text in the label column, or one cell spanning the
        whole width of the indicator columns."""
        if len(present) != 1:
            return False
        c = present[0]
        if normalize_label(self.raw(r, c)) in label_index():
            return False
        return c < c1 or (c <= c1 and self.span_end(r, c) >= ct)

    def report_unread(self) -> None:
        """Everything with content that no block took is reported, never dropped silently."""
        labels = label_index()
        for r, row in enumerate(self.sheet.values):
            for c, v in enumerate(row):
                if v in ("", None) or (r, c) in self.used or (r, c) in self.covered:
                    continue
                norm = normalize_label(v)
                if norm in labels:
                    continue
                text = display_text(v, self.sheet.formats.get((r, c)))
                self.find("BX020", "", r, c, text,
                          f"此单元格的内容“{text[:30]}”不属于表格的任何栏目，未读入")

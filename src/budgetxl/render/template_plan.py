"""The plan of a blank template: a pre-filled Form laid out with input cells, empty rows, totals,
drop-downs, hints and a balance check, as plain data that tests inspect.

The form sheet is the rendered form's geometry (same columns, labels, page set-up) with:
- input cells (unlocked, shaded) wherever a department types, pre-filled values included;
- empty rows in each task block and under every 二级指标 of the framework, in framework order,
  with 一级/二级 written on every indicator row (not merged) so that each row has its drop-downs;
- 合计 rows as formulas (the layout's total label) and a check beside the budget's 合计 row,
  outside the printed columns, that turns red when expenditures and revenues differ.

Columns are 0-based like the render plan: column 0 holds the section labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Sequence

from xlsxwriter.utility import xl_rowcol_to_cell

from budgetxl.frameworks import Framework, standard_label
from budgetxl.layout import Layout
from budgetxl.model import Form, Indicator, Task
from budgetxl.render.plan import BlockSpan, Plan, SheetBuilder, row_heights
from budgetxl.render.styles import font_size
from budgetxl.render.template_texts import Message, RowCounts, TemplateTexts
from budgetxl.text import ROW_PADDING_PT, line_height_pt

# Height xlsxwriter writes as "not set": such rows grow with their text in Excel and LibreOffice.
AUTO_ROW_HEIGHT = 15.0


@dataclass(frozen=True)
class Validation:
    """A data-validation rule over a range: a drop-down list, an amount ≥ 0, or only a hint."""

    first_row: int
    col: int
    last_row: int
    kind: Literal["list", "amount", "hint"]
    hint: Message
    error: Message | None = None
    source: str = ""  # list: '=一级指标' or '=INDIRECT($B21)'
    last_col: int | None = None

    @property
    def end_col(self) -> int:
        return self.col if self.last_col is None else self.last_col


@dataclass(frozen=True)
class Highlight:
    """A conditional format: `style` applies where `formula` (relative to the range's top-left
    cell) is true."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    formula: str
    style: str


@dataclass(frozen=True)
class FormulaCell:
    row: int
    col: int
    formula: str
    value: Decimal | str  # the computed value, stored with the formula
    style: str
    decimals: int = 2


@dataclass(frozen=True)
class TemplatePlan:
    plan: Plan
    framework: Framework
    formulas: tuple[FormulaCell, ...]
    validations: tuple[Validation, ...]
    highlights: tuple[Highlight, ...]
    lists: tuple[tuple[str, tuple[str, ...]], ...]  # defined name → values, one column each
    check_cell: tuple[int, int]
    input_rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # block key → first, last input row

    def formula_at(self, row: int, col: int) -> FormulaCell | None:
        return next((f for f in self.formulas if (f.row, f.col) == (row, col)), None)


def _ref(row: int, col: int, absolute: bool = False) -> str:
    return xl_rowcol_to_cell(row, col, absolute, absolute)


def _col_fixed(row: int, col: int) -> str:
    """'$B21': the column fixed, the row relative (formulas that apply row by row)."""
    return xl_rowcol_to_cell(row, col, False, True)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _decimals(values: Sequence[Decimal | None]) -> int:
    out = 2
    for v in values:
        if v is not None:
            exp = v.as_tuple().exponent
            if isinstance(exp, int):
                out = max(out, -exp)
    return out


class _Builder(SheetBuilder):
    """The form's builder, plus what a template adds: formulas, validations, highlights."""

    def __init__(self, layout: Layout, texts: TemplateTexts) -> None:
        super().__init__(layout)
        self.texts = texts
        self.formulas: list[FormulaCell] = []
        self.validations: list[Validation] = []
        self.highlights: list[Highlight] = []
        self.empty_rows: set[int] = set()
        self.input_rows: dict[str, tuple[int, int]] = {}

    def formula(self, row: int, col: int, formula: str, value: Decimal | str, style: str, decimals: int = 2) -> None:
        self.put(row, col, None, style)
        self.formulas.append(FormulaCell(row, col, formula, value, style, decimals))

    def hint(self, first: int, col: int, last: int, hint: Message, last_col: int | None = None) -> None:
        self.validations.append(Validation(first, col, last, "hint", hint, last_col=last_col))

    def budget_amount(self, row: int, col: int, amount: Decimal | None, field: str) -> None:
        """An amount the finance bureau gave is locked; a blank one is an input cell accepting only
        numbers ≥ 0."""
        if amount is None:
            self.put(row, col, None, "input_amount", field=field)
            self.amount_rule(row, col, row)
        else:
            self.put(row, col, amount, "amount", field=field)

    def amount_rule(self, first: int, col: int, last: int) -> None:
        t = self.texts
        self.validations.append(Validation(first, col, last, "amount", t.hints.amount, t.errors.amount))


def plan_template(seed: Form, framework: Framework, layout: Layout, texts: TemplateTexts,
                  rows: RowCounts | None = None) -> TemplatePlan:
    """Lay out the template of `seed` (the pre-filled values: unit, year, amounts, and for a
    rolled-forward table its tasks and indicators) with `framework`'s 一级/二级 lists."""
    rows = rows or texts.rows
    b = _Builder(layout, texts)
    blocks = layout.blocks
    last = b.last_col
    total_label = layout.total_labels[0] if layout.total_labels else "合计"

    row = b.title_and_unit(layout.render_title(seed.year), "year", seed.unit_name)
    row = b.basic_info(row, seed.basic_info, value_style="input_center")
    for cell in b.cells:
        if cell.field.startswith("basic_info[") and cell.field.endswith(".value"):
            b.hint(cell.row, cell.col, cell.row, texts.hints.info_value)

    # 预算整体情况, its 合计 row and the balance check beside it
    first = row
    budget = seed.budget
    b.header(row, blocks.budget.header)
    header_row = row
    row += 1
    lines_first = row
    row = b.budget_pairs(row, budget.expenditures, budget.revenues, "budget.expenditures", "budget.revenues")
    lines_last = row - 1
    total_row = row
    check_col = layout.ncols
    sides = []
    for col, lines in ((1, budget.expenditures), (3, budget.revenues)):
        amount_range = f"{_ref(lines_first, col + 1)}:{_ref(lines_last, col + 1)}"
        known = [ln.amount for ln in lines]
        b.put(total_row, col, total_label, "header")
        b.formula(total_row, col + 1, f"=SUM({amount_range})", sum((a for a in known if a is not None), Decimal(0)),
                  "total_amount", _decimals(known))
        sides.append(amount_range)
    left_total, right_total = _ref(total_row, 2, True), _ref(total_row, 4, True)
    filled = f"COUNT({sides[0]},{sides[1]})"
    differs = f"ROUND({left_total}-{right_total},6)<>0"
    check = texts.check
    amounts = [ln.amount for ln in (*budget.expenditures, *budget.revenues) if ln.amount is not None]
    if not amounts:
        check_value = check.pending
    else:
        left_sum = sum((ln.amount for ln in budget.expenditures if ln.amount is not None), Decimal(0))
        right_sum = sum((ln.amount for ln in budget.revenues if ln.amount is not None), Decimal(0))
        check_value = check.ok if left_sum == right_sum else check.bad
    b.formula(total_row, check_col,
              f"=IF({filled}=0,{_quote(check.pending)},IF({differs},{_quote(check.bad)},{_quote(check.ok)}))",
              check_value, "check_ok")
    # The two totals and the check turn red together (absolute references: one rule, three cells).
    bad = f"=AND(COUNT({_absolute(sides[0])},{_absolute(sides[1])})>0,{differs})"
    for col in (2, 4, check_col):
        b.highlights.append(Highlight(total_row, col, total_row, col, bad, "check_bad"))
    row += 1
    row = b.budget_sections(row, budget.sections)
    b.section_label("budget", first, row - 1, header_row)

    # 总体绩效目标: one large input cell
    b.put(row, 0, blocks.overall_goal.label, "label")
    b.put(row, 1, seed.overall_goal, "input_text", last_col=last, field="overall_goal")
    b.hint(row, 1, row, texts.hints.overall_goal, last_col=last)
    b.blocks.append(BlockSpan("overall_goal", row, row))
    goal_row = row
    row += 1

    # Tasks: pre-filled ones, then empty rows; the key block ends with its 合计 row
    fields = blocks.tasks_key.fields
    funds_col = 1 + fields.index("funds")
    for key, group, with_header, extra in (("tasks_key", "key", True, rows.tasks_key),
                                           ("tasks_other", "other", False, rows.tasks_other)):
        first = row
        header_row = None
        if with_header:
            b.header(row, blocks.tasks_key.header)
            header_row = row
            row += 1
        tasks = [(i, t) for i, t in enumerate(seed.tasks) if t.group == group]
        input_first = row
        for i, task in tasks:
            _task_row(b, row, task, f"tasks[{i}]")
            row += 1
        for _ in range(max(extra, 0 if tasks else 1)):
            _task_row(b, row, None, "")
            b.empty_rows.add(row)
            row += 1
        input_last = row - 1
        b.input_rows[key] = (input_first, input_last)
        hints = {"name": texts.hints.task_name, "content": texts.hints.task_content, "goal": texts.hints.task_goal}
        for col, name in enumerate(fields, start=1):
            if name == "funds":
                b.amount_rule(input_first, col, input_last)
            else:
                b.hint(input_first, col, input_last, hints[name])
        if group == "key":
            funds = [t.funds for _, t in tasks]
            for col, name in enumerate(fields, start=1):
                if name == "name":
                    b.put(row, col, total_label, "header")
                elif name != "funds":
                    b.put(row, col, None, "text")
            b.formula(row, funds_col, f"=SUM({_ref(input_first, funds_col)}:{_ref(input_last, funds_col)})",
                      sum((f for f in funds if f is not None), Decimal(0)), "total_amount", _decimals(funds))
            row += 1
        b.section_label(key, first, row - 1, header_row)

    # 绩效指标 in framework order, empty rows under every 二级
    first = row
    b.header(row, blocks.indicators.header)
    header_row = row
    row += 1
    ind_fields = blocks.indicators.fields
    col_of = {name: col for col, name in enumerate(ind_fields, start=1)}
    input_first = row
    for (l1, l2), items in indicator_groups(seed.indicators, framework):
        for k, ind in items:
            _indicator_row(b, row, col_of, l1, l2, ind, f"indicators[{k}]")
            row += 1
        for _ in range(max(rows.indicators, 0 if items else 1)):
            _indicator_row(b, row, col_of, l1, l2, None, "")
            b.empty_rows.add(row)
            row += 1
    input_last = row - 1
    b.input_rows["indicators"] = (input_first, input_last)
    c1, c2 = col_of["level1"], col_of["level2"]
    t = texts
    b.validations.append(Validation(input_first, c1, input_last, "list", t.hints.level1,
                                    _framework_error(t.errors.level1, framework), source="=" + t.level1_list_name))
    b.validations.append(Validation(input_first, c2, input_last, "list", t.hints.level2, t.errors.level2,
                                    source=f"=INDIRECT({_col_fixed(input_first, c1)})"))
    b.hint(input_first, col_of["name"], input_last, t.hints.indicator_name)
    b.hint(input_first, col_of["target"], input_last, t.hints.indicator_target)
    if input_last > input_first:
        # 一级/二级 repeated from the row above show grey: the groups read like merged cells.
        r = input_first + 1
        same1 = f"{_col_fixed(r, c1)}={_col_fixed(r - 1, c1)}"
        same2 = f"{_col_fixed(r, c2)}={_col_fixed(r - 1, c2)}"
        b.highlights.append(Highlight(input_first + 1, c1, input_last, c1, "=" + same1, "repeat_label"))
        b.highlights.append(Highlight(input_first + 1, c2, input_last, c2, f"=AND({same1},{same2})", "repeat_label"))
    b.section_label("indicators", first, row - 1, header_row)
    nrows = row

    cells = b.finished_cells()
    heights, _ = row_heights(cells, layout, nrows)
    for r in b.empty_rows:
        heights[r] = AUTO_ROW_HEIGHT
    size = font_size("input_text", layout)
    heights[goal_row] = max(heights[goal_row], round(texts.goal_lines * line_height_pt(size) + ROW_PADDING_PT, 2))

    plan = Plan(
        layout=layout,
        sheet_name=layout.sheet_name,
        cells=cells,
        col_widths=(*layout.columns, texts.check_column_width),
        row_heights=tuple(heights),
        blocks=tuple(b.blocks),
        print_rows=nrows,
    )
    lists = ((texts.level1_list_name, framework.level1),
             *((l1, framework.level2(l1)) for l1 in framework.level1))
    return TemplatePlan(plan, framework, tuple(b.formulas), tuple(b.validations), tuple(b.highlights),
                        tuple(lists), (total_row, check_col), dict(b.input_rows))


def _absolute(a1_range: str) -> str:
    """'C5:C6' → '$C$5:$C$6'."""
    out = []
    for ref in a1_range.split(":"):
        letters = "".join(ch for ch in ref if ch.isalpha())
        out.append(f"${letters}${ref[len(letters):]}")
    return ":".join(out)


def _framework_error(message: Message, framework: Framework) -> Message:
    return Message(title=message.title, message=message.message.format(framework=framework.name))


def _task_row(b: _Builder, row: int, task: Task | None, path: str) -> None:
    for col, name in enumerate(b.layout.blocks.tasks_key.fields, start=1):
        value = getattr(task, name) if task is not None else None
        style = "input_amount" if name == "funds" else ("input_center" if name == "name" else "input_text")
        b.put(row, col, value, style, field=f"{path}.{name}" if path else "")


def _indicator_row(b: _Builder, row: int, col_of: dict[str, int], l1: str, l2: str,
                   ind: Indicator | None, path: str) -> None:
    b.put(row, col_of["level1"], l1, "input_center", field=f"{path}.level1" if path else "")
    b.put(row, col_of["level2"], l2, "input_center", field=f"{path}.level2" if path else "")
    for name in ("name", "target"):
        value = getattr(ind, name) if ind is not None else None
        b.put(row, col_of[name], value, "input_text", field=f"{path}.{name}" if path else "")


# ---------------------------------------------------------------------------------------------
# Indicators in framework order


def indicator_groups(indicators: Sequence[Indicator], framework: Framework
                     ) -> list[tuple[tuple[str, str], list[tuple[int, Indicator]]]]:
    """Every (一级, 二级) of the framework in its order, each with the seed's indicators under it
    (index in the seed, indicator). Pairs the framework lacks (a mislabelled 二级, the other
    framework's labels) keep their own groups: after the groups of their 一级 when the framework
    has it, else at the end. Placeholders (empty name and target) are dropped: every group gets
    empty rows anyway."""
    groups: dict[tuple[str, str], list[tuple[int, Indicator]]] = {}
    for l1 in framework.level1:
        for l2 in framework.level2(l1):
            groups[(l1, l2)] = []
    extras: dict[tuple[str, str], list[tuple[int, Indicator]]] = {}
    for k, ind in enumerate(indicators):
        if ind.is_placeholder:
            continue
        pair = (ind.level1, ind.level2)
        (groups if pair in groups else extras).setdefault(pair, []).append((k, ind))
    out: list[tuple[tuple[str, str], list[tuple[int, Indicator]]]] = []
    for l1 in framework.level1:
        out.extend((pair, items) for pair, items in groups.items() if pair[0] == l1)
        out.extend((pair, items) for pair, items in extras.items() if standard_label(pair[0]) == l1)
    out.extend((pair, items) for pair, items in extras.items() if standard_label(pair[0]) not in framework.level1)
    return out

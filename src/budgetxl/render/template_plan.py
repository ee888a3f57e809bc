"""The plan of a blank template: a pre-filled Form laid out with input cells, empty rows, totals,
drop-downs, hints and a balance check, as plain data that tests inspect.

The form sheet is the rendered form's geometry (same columns, labels, page set-up) with:
- input cells (unlocked, shaded) wherever a department types, pre-filled values included;
- empty rows in each task block and under every 二级指标 of the framework, in framework order,
  with 一级/二级 written on every indicator row (not merged) so that each row has its drop-downs;
- 合计 rows as formulas (the layout's total label) and a check beside the budget's 合计 row,
  outside the printed columns, that turns red when expenditures and revenues differ.

Columns are 0-based like the render plan: column 0 holds the block labels. The blocks are laid out
by their kinds (budgetxl.blocks), which lay out input cells when the builder is a template's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal, Sequence

from xlsxwriter.utility import xl_rowcol_to_cell

from budgetxl.frameworks import Framework, standard_label
from budgetxl.layout import Layout
from budgetxl.model import Form, Indicator
from budgetxl.render.pages import paginate_rows, printed_runs
from budgetxl.render.plan import BlockSpan, FormulaCell, Plan, PlanCell, SheetBuilder, cell_needs, row_heights
from budgetxl.render.styles import font_size
from budgetxl.render.template_texts import Message, RowCounts, TemplateTexts
from budgetxl.text import ROW_PADDING_PT, line_height_pt

# Height xlsxwriter writes as "not set": such rows grow with their text in Excel and LibreOffice.
AUTO_ROW_HEIGHT = 15.0


@dataclass(frozen=True)
class Validation:
    """A data-validation rule over a range: a drop-down list, an amount ≥ 0, only a hint, or a
    formula a typed value must satisfy (custom: a block label that must stay as it is)."""

    first_row: int
    col: int
    last_row: int
    kind: Literal["list", "amount", "hint", "custom"]
    hint: Message | None
    error: Message | None = None
    source: str = ""  # list: '=一级指标' or '=INDIRECT(INDEX($B:$B,ROW()))'; custom: the formula
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
class TemplatePlan:
    plan: Plan
    framework: Framework
    validations: tuple[Validation, ...]
    highlights: tuple[Highlight, ...]
    lists: tuple[tuple[str, tuple[str, ...]], ...]  # defined name → values, one column each
    check_cell: tuple[int, int] | None  # the balance check beside the budget's 合计 row, if any
    input_rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # block key → first, last input row

    @property
    def formulas(self) -> tuple[FormulaCell, ...]:
        return self.plan.formulas

    def formula_at(self, row: int, col: int) -> FormulaCell | None:
        return next((f for f in self.formulas if (f.row, f.col) == (row, col)), None)


def _ref(row: int, col: int, absolute: bool = False) -> str:
    ref: str = xl_rowcol_to_cell(row, col, absolute, absolute)
    return ref


def col_fixed(row: int, col: int) -> str:
    """'$B21': the column fixed, the row relative (formulas that apply row by row)."""
    ref: str = xl_rowcol_to_cell(row, col, False, True)
    return ref


def same_row(col: int, offset: int = 0) -> str:
    """'INDEX($B:$B,ROW())': the cell of column `col` in the row a rule is applied to (`offset`
    rows further down). A rule over many rows written this way holds no relative reference, so
    no program can shift it the wrong way when rows are inserted: LibreOffice saved
    'INDIRECT($B19)' over C20:C37 after a row was inserted above row 19, so every 二级 drop-down
    followed the row above."""
    letters = xl_rowcol_to_cell(0, col).rstrip("0123456789")
    row = "ROW()" if not offset else f"ROW(){offset:+d}"
    return f"INDEX(${letters}:${letters},{row})"


def formula_text(text: str) -> str:
    """`text` as a formula's string: a line break written CHAR(10) (a label broken over lines)."""
    return "&CHAR(10)&".join('"' + part.replace('"', '""') + '"' for part in text.split("\n"))


def _range(rng: tuple[int, int, int, int]) -> str:
    return f"{_ref(rng[0], rng[1])}:{_ref(rng[2], rng[3])}"


class TemplateBuilder(SheetBuilder):
    """The form's builder, plus what a template adds: input cells, empty rows, formulas,
    validations, highlights. The block kinds ask `template` to lay out input cells."""

    template = True

    def __init__(self, layout: Layout, texts: TemplateTexts, framework: Framework, rows: RowCounts) -> None:
        super().__init__(layout)
        self.texts = texts
        self.framework = framework
        self.rows = rows
        self.validations: list[Validation] = []
        self.highlights: list[Highlight] = []
        self.empty_rows: set[int] = set()
        self.input_rows: dict[str, tuple[int, int]] = {}
        self.tall_rows: list[int] = []  # rows of a text a department writes at length
        self.check_cell: tuple[int, int] | None = None

    def empty_rows_for(self, block: Any) -> int:
        return self.rows.for_block(block.key, block.kind)

    def hint(self, first: int, col: int, last: int, hint: Message, last_col: int | None = None) -> None:
        self.validations.append(Validation(first, col, last, "hint", hint, last_col=last_col))

    def hint_named(self, first: int, col: int, last: int, name: str, last_col: int | None = None) -> None:
        self.hint(first, col, last, self.texts.hints.named(name), last_col=last_col)

    def amount(self, row: int, col: int, amount: Decimal | None, field: str, last_col: int | None = None) -> None:
        """An amount the finance bureau gave is locked; a blank one is an input cell accepting only
        numbers ≥ 0."""
        if amount is None:
            self.put(row, col, None, "input_amount", last_col=last_col, field=field)
            self.amount_rule(row, col, row)
        else:
            self.put(row, col, amount, "amount", last_col=last_col, field=field)

    def section_label(self, block: Any, first: int, last: int, header_row: int | None = None,
                      heading_row: int | None = None) -> None:
        """A block offering input rows has its label unlocked (LibreOffice drops the merge of a
        locked label when a row is inserted inside it on a protected sheet; an unlocked one grows
        with the block), kept as it is by a rule refusing any other text (see label_rules)."""
        if block.key not in self.input_rows:
            super().section_label(block, first, last, header_row, heading_row)
            return
        self.put(first, 0, self.label_text(block.label, 0, 0), "label_open", last_row=last)
        self.blocks.append(BlockSpan(block.key, first, last, header_row, heading_row))

    def amount_rule(self, first: int, col: int, last: int) -> None:
        t = self.texts
        self.validations.append(Validation(first, col, last, "amount", t.hints.amount, t.errors.amount))

    def balance_check(self, row: int, totals: tuple[int, int], ranges: list[tuple[int, int, int, int]], col: int,
                      left: Sequence[Decimal | None], right: Sequence[Decimal | None]) -> None:
        """Beside a 合计 row: a cell telling whether the two totals agree, and the totals and the
        check turning red together when they do not (absolute references: one rule, three cells)."""
        left_total, right_total = _ref(row, totals[0], True), _ref(row, totals[1], True)
        sides = [_range(r) for r in ranges]
        filled = f"COUNTA({sides[0]},{sides[1]})"  # amounts typed as text count as filled too
        differs = f"ROUND({left_total}-{right_total},6)<>0"
        check = self.texts.check
        known_left = [a for a in left if a is not None]
        known_right = [a for a in right if a is not None]
        if not known_left and not known_right:
            value = check.pending
        else:
            value = check.ok if sum(known_left, Decimal(0)) == sum(known_right, Decimal(0)) else check.bad
        self.formula(row, col, f"=IF({filled}=0,{formula_text(check.pending)},IF({differs},{formula_text(check.bad)},"
                               f"{formula_text(check.ok)}))", value, "check_ok")
        bad = f"=AND(COUNTA({_absolute(sides[0])},{_absolute(sides[1])})>0,{differs})"
        for c in (*totals, col):
            self.highlights.append(Highlight(row, c, row, c, bad, "check_bad"))
        self.check_cell = (row, col)


def plan_template(seed: Form, framework: Framework, layout: Layout, texts: TemplateTexts,
                  rows: RowCounts | None = None) -> TemplatePlan:
    """Lay out the template of `seed` (the pre-filled values: unit, year, amounts, and for a
    rolled-forward table its tasks and indicators) with `framework`'s 一级/二级 lists."""
    from budgetxl.blocks import KINDS, heading

    b = TemplateBuilder(layout, texts, framework, rows or texts.rows)
    title, _, subtitle = heading(seed, layout)
    row = b.title(title, "year", subtitle)
    for block in layout.blocks:
        row = KINDS[block.kind].plan(b, block, seed, row)
    b.parent_labels()
    nrows = row

    cells = b.finished_cells()
    needs = cell_needs(cells, layout)
    heights, base = row_heights(cells, layout, nrows, needs)
    size = font_size("input_text", layout)
    tall = round(texts.goal_lines * line_height_pt(size) + ROW_PADDING_PT, 2)
    for hs in (heights, base):
        for r in b.empty_rows:
            hs[r] = AUTO_ROW_HEIGHT
        for r in b.tall_rows:
            hs[r] = max(hs[r], tall)

    widths = (*layout.columns, texts.check_column_width) if b.check_cell is not None else tuple(layout.columns)
    flat = Plan(
        layout=layout,
        sheet_name=layout.sheet_name,
        cells=cells,
        col_widths=widths,
        row_heights=tuple(heights),
        blocks=tuple(b.blocks),
        print_rows=nrows,
        base_heights=tuple(base),
        formulas=tuple(b.formulas),
        needs=tuple(needs),
    )
    # Printed as the form is (render.pages): then every row the builder named moves with its row.
    plan, where = paginate_rows(flat)
    lists = ((texts.level1_list_name, framework.level1),
             *((l1, framework.level2(l1)) for l1 in framework.level1))
    validations = (*moved_validations(b.validations, where), *label_rules(plan.cells, texts))
    formulas = tuple(f if f.sum_of else f._replace(formula=moved_refs(f.formula, where)) for f in plan.formulas)
    check_cell = (where[b.check_cell[0]], b.check_cell[1]) if b.check_cell is not None else None
    input_rows = {key: (where[first], where[last]) for key, (first, last) in b.input_rows.items()}
    return TemplatePlan(replace(plan, formulas=formulas), framework, validations,
                        moved_highlights(b.highlights, where), tuple(lists), check_cell, input_rows)


# ---------------------------------------------------------------------------------------------
# Rows moved by pagination

_REF_RE = re.compile(r'("[^"]*")|(?<![A-Za-z0-9_.$])(\$?[A-Z]{1,3}\$?)(\d+)(?![A-Za-z0-9_(])')


def moved_refs(formula: str, where: Sequence[int]) -> str:
    """`formula` with each cell reference's row moved as pagination moved it (`where`: planned
    row → printed row); texts in quotes and references without a row (INDEX($B:$B,ROW())) stay.
    A reference means its cell, relative or absolute: rules over many rows name their own row
    with `same_row` rather than with a relative reference."""

    def move(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return m.group(1)
        row = int(m.group(3)) - 1
        return f"{m.group(2)}{(where[row] if row < len(where) else row + where[-1] - len(where) + 1) + 1}"

    return _REF_RE.sub(move, formula)


def moved_validations(validations: Sequence[Validation], where: Sequence[int]) -> list[Validation]:
    """Each rule over its rows as printed: a range a repeated header now cuts is one rule per part
    (the header keeps no drop-down)."""
    return [replace(v, first_row=first, last_row=last, source=moved_refs(v.source, where))
            for v in validations for first, last in printed_runs(v.first_row, v.last_row, where)]


def moved_highlights(highlights: Sequence[Highlight], where: Sequence[int]) -> tuple[Highlight, ...]:
    return tuple(replace(h, first_row=first, last_row=last, formula=moved_refs(h.formula, where))
                 for h in highlights for first, last in printed_runs(h.first_row, h.last_row, where))


def label_rules(cells: Sequence[PlanCell], texts: TemplateTexts) -> list[Validation]:
    """Each unlocked block label refuses any text but its own (the rule names no relative cell,
    see same_row, so it holds wherever rows are inserted)."""
    return [Validation(c.row, c.col, c.row, "custom", None, texts.errors.label,
                       source=f"={same_row(c.col)}={formula_text(str(c.value))}")
            for c in cells if c.style == "label_open"]


def _absolute(a1_range: str) -> str:
    """'C5:C6' → '$C$5:$C$6'."""
    out = []
    for ref in a1_range.split(":"):
        letters = "".join(ch for ch in ref if ch.isalpha())
        out.append(f"${letters}${ref[len(letters):]}")
    return ":".join(out)


def framework_error(message: Message, framework: Framework) -> Message:
    return Message(title=message.title, message=message.message.format(framework=framework.name))


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

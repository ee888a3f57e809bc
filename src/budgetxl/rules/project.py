"""The checks of a project's target table (项目支出绩效目标表, kind project; codes BX5xx), and the
department form's rules that hold for projects too: the year, amounts' decimals, and every rule on
indicators and targets — run on each indicator set of a project (the year's, the period's) on its
own, each finding on its own set's rows.

Money: the year's money is not more than the period's; the lines of money by source add up to the
total they stand under (项目总预算, 项目当年预算); the expenditure breakdown adds up to the year's
money; a 其中 line is not more than its main line. A total row typed over its formula is the
workbook check BX122, as for department forms.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, Iterable, Iterator, Sequence, cast

from budgetxl.blocks import held_paths
from budgetxl.model import format_amount
from budgetxl.project import ProjectForm, ProjectLine, field_word, lines_total
from budgetxl.report import Finding
from budgetxl.rules import fields, indicators, printing, target_rules  # noqa: F401 - the shared rules, declared first
from budgetxl.rules.amounts import TOLERANCE
from budgetxl.rules.registry import Context, Hit, Rule, rule, share

KIND = "project"
KINDS = (KIND,)

# The department form's rules on indicators and targets: a project runs them on each of its sets.
INDICATOR_RULES = ("BX105", "BX106", "BX201", "BX202", "BX203", "BX204", "BX210", "BX211", "BX212", "BX301",
                   "BX302")
share(KIND, "BX102", "BX112", "BX130", "BX131", *INDICATOR_RULES)


def _form(ctx: Context) -> ProjectForm:
    """The form checked: these rules run on project forms only (kinds=("project",))."""
    return cast(ProjectForm, ctx.form)


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _label(ctx: Context, field: str, default: str = "") -> str:
    """What the form's layout calls the field (its block's label, or the header of its cell); for
    a field the layout does not show, `default` or the model's description of it."""
    default = default or _described(field)
    for b in ctx.layout.blocks:
        if getattr(b, "field", None) == field:
            return b.label
        for i, c in enumerate(b.column_map):
            if c.field == field:
                if b.kind == "fields":  # a value cell: its label is the cell before it, or the block's
                    before = b.column_map[i - 1] if i else None
                    return before.header if before is not None and not before.field else b.label
                return c.header or b.label
    return default


def _described(field: str) -> str:
    return field_word(field)


def _held(ctx: Context) -> set[str]:
    return held_paths(ctx.layout)


@rule("BX501", "error", "项目名称为空", "项目支出绩效目标表必须填写项目名称。", "项目名称一栏留空。", kinds=KINDS)
def name_missing(ctx: Context) -> Iterator[Hit]:
    if _blank(_form(ctx).name):
        yield Hit(f"{_label(ctx, 'name')}未填写", "name", _form(ctx).name)


@rule("BX502", "error", "主管部门为空", "版式中有主管部门一栏时必须填写（汇总时按主管部门归集各项目）。",
      "“主管部门及代码”一栏留空。", kinds=KINDS)
def department_missing(ctx: Context) -> Iterator[Hit]:
    if "department" in _held(ctx) and _blank(_form(ctx).department):
        yield Hit(f"{_label(ctx, 'department')}未填写", "department", _form(ctx).department)


@rule("BX503", "error", "年度绩效指标为空",
      "项目必须有年度绩效指标（至少一个填了名称或指标值的三级指标；空的占位行不算）。",
      "绩效指标栏中只有一级、二级指标，没有任何三级指标。", kinds=KINDS)
def annual_indicators_missing(ctx: Context) -> Iterator[Hit]:
    if not any(not i.is_placeholder for i in _form(ctx).indicators):
        yield Hit(f"没有填写{_set_label(ctx, 'indicators')}", "indicators")


@rule("BX504", "warning", "实施期绩效指标为空",
      "版式中有实施期（中期）绩效指标的，应当填写（延续项目和跨年度项目尤其需要）。",
      "“实施期绩效指标”一栏只有一级、二级指标。", kinds=KINDS)
def period_indicators_missing(ctx: Context) -> Iterator[Hit]:
    if "period_indicators" in _held(ctx) and not any(not i.is_placeholder for i in _form(ctx).period_indicators):
        yield Hit(f"没有填写{_set_label(ctx, 'period_indicators')}", "period_indicators")


def _set_label(ctx: Context, field: str) -> str:
    for b in ctx.layout.blocks:
        if b.kind == "indicator_sets":
            for s in b.sets:
                if s.field == field:
                    return s.heading
        elif b.kind == "indicators" and b.field == field:
            return b.label
    return _described(field)


@rule("BX505", "error", "绩效目标为空",
      "版式中的绩效目标（实施期目标、年度目标或项目绩效总目标）至少要填写一项；版式中有年度目标一栏的，年度目标必须填写。",
      "“总体目标”下的实施期目标和年度目标都留空。", kinds=KINDS)
def goals_missing(ctx: Context) -> Iterator[Hit]:
    held = _held(ctx) & {"period_goal", "annual_goal"}
    form = _form(ctx)
    if not held:
        return
    if "annual_goal" in held and _blank(form.annual_goal):
        yield Hit(f"{_label(ctx, 'annual_goal')}未填写", "annual_goal", form.annual_goal)
    elif held == {"period_goal"} and _blank(form.period_goal):
        yield Hit(f"{_label(ctx, 'period_goal')}未填写", "period_goal", form.period_goal)


def _unreadable(ctx: Context, *prefixes: str) -> bool:
    return any(ctx.any_unreadable(p) for p in prefixes)


@rule("BX510", "error", "年度资金超过实施期资金",
      f"项目当年预算（年度资金总额）不能超过项目总预算（实施期、中期资金总额），允许误差 {TOLERANCE} 万元。"
      "总额未填写时按各资金来源之和比较；有金额无法读取时不作比较。",
      "中期资金总额 300 万元，年度资金总额 450 万元。", kinds=KINDS)
def annual_exceeds_period(ctx: Context) -> Iterator[Hit]:
    form = _form(ctx)
    if _unreadable(ctx, "budget_total", "budget_annual", "funding."):
        return
    period, annual = form.period_money, form.annual_money
    if period is None or annual is None or annual - period <= TOLERANCE:
        return
    # The 项目当年预算 cell, else the 年度资金总额 (合计) of the sources the amount was summed from.
    field = "budget_annual" if form.budget_annual is not None else "funding.annual.total"
    yield Hit(f"年度资金 {format_amount(annual)} 万元超过实施期资金 {format_amount(period)} 万元"
              f"（多 {format_amount(annual - period)} 万元）", field,
              f"{format_amount(annual)} > {format_amount(period)}")


@rule("BX511", "error", "资金来源之和与资金总额不符",
      f"各项资金来源（“其中”行除外）之和应等于它们所属的资金总额：实施期的来源等于项目总预算（中期资金总额），"
      f"年度的来源等于项目当年预算（年度资金总额），允许误差 {TOLERANCE} 万元。"
      "两者都填了才比较；有金额无法读取时不作比较。"
      "合计行是手工输入的数字时另见 BX122。",
      "项目当年预算 6730 万元，资金来源各项之和 6700 万元。", kinds=KINDS)
def sources_disagree(ctx: Context) -> Iterator[Hit]:
    form = _form(ctx)
    for side, total_field in (("period", "budget_total"), ("annual", "budget_annual")):
        label = ctx.layout.side_label(f"funding.{side}") or _described(f"funding.{side}")
        lines = getattr(form.funding, side)
        total = getattr(form, total_field)
        if total is None or _unreadable(ctx, f"funding.{side}[", total_field):
            continue
        sources = lines_total(lines)
        if sources is None or abs(sources - total) <= TOLERANCE:
            continue
        yield Hit(f"{label}各项之和 {format_amount(sources)} 万元，不等于{_label(ctx, total_field)}"
                  f" {format_amount(total)} 万元（相差 {format_amount(abs(sources - total))} 万元）",
                  f"funding.{side}[0].amount" if lines else f"funding.{side}",
                  f"{format_amount(sources)} ≠ {format_amount(total)}")


@rule("BX512", "warning", "支出明细之和与年度资金不符",
      f"项目支出明细预算各项（“其中”行除外）之和一般应等于本年度的项目资金（项目当年预算，未填写时为年度资金来源之和），"
      f"允许误差 {TOLERANCE} 万元。有金额无法读取时不作比较。",
      "支出明细合计 6700 万元，项目当年预算 6730 万元。", kinds=KINDS)
def spending_disagrees(ctx: Context) -> Iterator[Hit]:
    form = _form(ctx)
    spent = lines_total(form.spending)
    annual = form.annual_money
    if spent is None or annual is None or _unreadable(ctx, "spending[", "budget_annual", "funding.annual["):
        return
    if abs(spent - annual) > TOLERANCE:
        yield Hit(f"{_label(ctx, 'spending')}之和 {format_amount(spent)} 万元，不等于年度资金 "
                  f"{format_amount(annual)} 万元（相差 {format_amount(abs(spent - annual))} 万元）",
                  "spending[0].amount", f"{format_amount(spent)} ≠ {format_amount(annual)}")


@rule("BX513", "warning", "“其中”行超过所属项目",
      f"“其中”行是上一个主项的组成部分，各“其中”行之和不应超过主项的金额（允许误差 {TOLERANCE} 万元）。",
      "“1.一般公共预算财政拨款收入”为 500 万元，“其中：申请当年预算拨款”为 600 万元。", kinds=KINDS)
def details_exceed(ctx: Context) -> Iterator[Hit]:
    form = _form(ctx)
    for path, lines in (("funding.period", form.funding.period), ("funding.annual", form.funding.annual),
                        ("spending", form.spending)):
        for _, main, details in _groups(lines):
            if main.amount is None:
                continue
            parts = [d.amount for _, d in details if d.amount is not None]
            if parts and sum(parts, Decimal(0)) - main.amount > TOLERANCE:
                total = sum(parts, Decimal(0))
                yield Hit(f"“{main.name}”{format_amount(main.amount)} 万元，"
                          f"其下“其中”各项合计 {format_amount(total)} 万元，超过了主项",
                          f"{path}[{details[0][0]}].amount", f"{format_amount(total)} > {format_amount(main.amount)}")


def _groups(lines: Sequence[ProjectLine]) -> Iterator[tuple[int, ProjectLine, list[tuple[int, ProjectLine]]]]:
    """Each main line with the detail lines under it."""
    current: tuple[int, ProjectLine, list[tuple[int, ProjectLine]]] | None = None
    for k, line in enumerate(lines):
        if not line.detail:
            if current is not None and current[2]:
                yield current
            current = (k, line, [])
        elif current is not None:
            current[2].append((k, line))
    if current is not None and current[2]:
        yield current


@rule("BX514", "warning", "项目期有误",
      "项目期的起始年度不应晚于终止年度，表格所属年度应在项目期之内。",
      "项目期写成 2026 至 2024；或 2025 年的表格写的项目期是 2021 至 2023。", kinds=KINDS)
def period_years(ctx: Context) -> Iterator[Hit]:
    form = _form(ctx)
    start, end = form.start_year, form.end_year
    if start is not None and end is not None and start > end:
        yield Hit(f"项目期起始年度 {start} 晚于终止年度 {end}", "start_year", f"{start}–{end}")
        return
    year = form.year
    if year is None:
        return
    if start is not None and year < start:
        yield Hit(f"表格年度 {year} 早于项目期起始年度 {start}", "start_year", str(start))
    elif end is not None and year > end:
        yield Hit(f"表格年度 {year} 晚于项目期终止年度 {end}", "end_year", str(end))


# --------------------------------------------------------------------------------------------
# Each indicator set on its own


def indicator_set_findings(form: Any, rules: Iterable[Rule], unreadable: Iterable[str]) -> list[Finding]:
    """The indicator rules on each indicator set of `form` after the first (the first, `indicators`,
    is checked with the form): each set is checked as if it were the form's indicators, and the
    findings name the set's own fields (period_indicators[3].target). An empty set is left to
    BX504."""
    out: list[Finding] = []
    further = getattr(type(form), "indicator_sets", ("indicators",))[1:]
    if not further:
        return out  # a form of one indicator set (the usual case)
    chosen = [r for r in rules if r.code in INDICATOR_RULES]
    for path in further:
        items = getattr(form, path)
        if all(i.is_placeholder for i in items):
            continue
        view = form.model_copy(update={"indicators": items})
        prefix = "indicators"
        ctx = Context(view, [prefix + u[len(path):] for u in unreadable if u.startswith(path)])
        for r in chosen:
            for f in r.run(ctx):
                if f.field.startswith(prefix):
                    out.append(replace(f, field=path + f.field[len(prefix):]))
    return out


__all__ = ["INDICATOR_RULES", "indicator_set_findings"]

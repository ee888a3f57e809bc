"""Amounts (万元): readable, not negative, at most 6 decimals; the budget balances; task funds."""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter
from typing import Any, Iterable, Iterator

from pydantic import BaseModel

from budgetxl.model import BudgetLine, Form, format_amount
from budgetxl.rules.registry import Context, Hit, Rule, declare, rule
from budgetxl.text import normalize_label

MAX_DECIMALS = 6
TOLERANCE = Decimal("0.005")  # 万元: half a hundredth, so amounts rounded to 2 decimals still balance

AMOUNT_NOT_NUMBER = declare(
    Rule(
        "BX110",
        "error",
        "金额不是数字",
        "预算金额和任务资金必须是数字（单位：万元）。工作簿中的同类问题由读取器以 BX011 报告。",
        "拟投入的资金写成“一百万”。",
        stage="data",
    )
)
AMOUNT_NEGATIVE = declare(
    Rule(
        "BX111",
        "error",
        "金额为负数",
        "预算金额和任务资金不能为负数。工作簿中的同类问题由读取器以 BX012 报告。",
        "基本支出写成 -200。",
        stage="data",
    )
)


def amount_fields(form: Form) -> Iterator[tuple[str, str, Decimal | None]]:
    """(field path, line name, amount) for every amount in the form."""
    if getattr(form, "kind", "department") != "department":
        yield from _model_amounts(form, "", "")
        return
    b = form.budget
    for side in ("expenditures", "revenues"):
        for i, line in enumerate(getattr(b, side)):
            yield f"budget.{side}[{i}].amount", line.name, line.amount
    for k, section in enumerate(b.sections):
        for side in ("left", "right"):
            for i, line in enumerate(getattr(section, side)):
                yield f"budget.sections[{k}].{side}[{i}].amount", line.name, line.amount
    for i, task in enumerate(form.tasks):
        yield f"tasks[{i}].funds", task.name, task.funds


def _model_amounts(model: Any, prefix: str, name: str) -> Iterator[tuple[str, str, Decimal | None]]:
    """Every amount of a form of another kind, found by walking its model: (path, the name of the
    line or part holding it, amount)."""
    for key in type(model).model_fields:
        value = getattr(model, key)
        path = f"{prefix}{key}"
        if isinstance(value, Decimal):
            yield path, getattr(model, "name", "") or name or path, value
        elif isinstance(value, BaseModel):
            yield from _model_amounts(value, path + ".", name)
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _model_amounts(item, f"{path}[{i}].", name)


def decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _written_decimals(value: Decimal) -> int | None:
    """The decimals of a number as written (1.50 → 2), None when its text has an exponent; never
    fewer than `decimals` (normalising only drops trailing zeros)."""
    text = str(value)
    if "E" in text:
        return None
    point = text.find(".")
    return 0 if point < 0 else len(text) - point - 1


@rule(
    "BX112",
    "error",
    "金额小数位过多",
    f"金额以万元为单位，最多 {MAX_DECIMALS} 位小数（即精确到分）；更多的小数位说明数字有误（例如单位写错或计算残留）。",
    "基本支出写成 10891.6156753。",
)
def too_many_decimals(ctx: Context) -> Iterator[Hit]:
    form = ctx.form
    if getattr(form, "kind", "department") == "department" and all(map(_few_decimals, _department_amounts(form))):
        return  # every amount written with at most MAX_DECIMALS decimals (the usual case)
    for path, name, amount in amount_fields(form):
        if amount is None:
            continue
        written = _written_decimals(amount)
        if written is not None and written <= MAX_DECIMALS:
            continue  # surely few enough
        if decimals(amount) > MAX_DECIMALS:
            yield Hit(
                f"“{name}”的金额有 {decimals(amount)} 位小数，超过 {MAX_DECIMALS} 位"
                f"（万元精确到分只需 {MAX_DECIMALS} 位）",
                path,
                format_amount(amount),
            )


def _department_amounts(form: Form) -> Iterator[Decimal | None]:
    """The amounts `amount_fields` lists for a department form, without their paths and names."""
    b = form.budget
    for lines in (b.expenditures, b.revenues, *(x for section in b.sections for x in (section.left, section.right))):
        yield from map(_AMOUNT, lines)
    yield from map(_FUNDS, form.tasks)


_AMOUNT, _FUNDS = attrgetter("amount"), attrgetter("funds")


def _few_decimals(amount: Decimal | None) -> bool:
    """Whether an amount surely has no more than MAX_DECIMALS decimals (blank, or an exponent
    of at least -MAX_DECIMALS: dropping trailing zeros only raises it)."""
    if amount is None:
        return True
    exponent = amount.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -MAX_DECIMALS


def _total(lines: Iterable[BudgetLine]) -> Decimal:
    return sum((line.amount for line in lines if line.amount is not None), Decimal(0))


@rule(
    "BX120",
    "error",
    "支出合计与收入合计不相等",
    f"部门预算支出各项之和必须等于收入来源各项之和（允许误差 {TOLERANCE} 万元）。"
    "只在版式的预算栏目有支出和收入两方时检查；有金额无法读取时（已另行报告）不作比较。",
    "基本支出 8997.98 + 项目支出 9696.18 = 18694.16，但财政拨款 18694.61 + 其他资金 0 = 18694.61。",
)
def budget_unbalanced(ctx: Context) -> Iterator[Hit]:
    if len(ctx.layout.sides) < 2:
        return  # the layout's budget has one side only: nothing to balance
    b = ctx.form.budget
    lines = (*b.expenditures, *b.revenues)
    if not any(line.amount is not None for line in lines):
        return  # a blank budget: nothing to compare
    if ctx.any_unreadable("budget.expenditures[") or ctx.any_unreadable("budget.revenues["):
        return  # an amount that could not be read is reported already; a sum without it says nothing
    spent, income = _total(b.expenditures), _total(b.revenues)
    if abs(spent - income) > TOLERANCE:
        field = "budget.revenues[0].amount" if b.revenues else "budget.expenditures[0].amount"
        left, right = ctx.layout.side_label("expenditures"), ctx.layout.side_label("revenues")
        yield Hit(
            f"{left}合计 {format_amount(spent)} 万元，不等于{right}合计 {format_amount(income)} 万元"
            f"（相差 {format_amount(abs(spent - income))} 万元）",
            field,
            f"{format_amount(spent)} ≠ {format_amount(income)}",
        )


@rule(
    "BX121",
    "warning",
    "任务资金合计超过项目支出",
    "所有任务（年度重点工作任务与其他需完成的任务）的“拟投入的资金”之和，一般不应超过项目支出"
    f"（版式中声明的那一项支出，允许误差 {TOLERANCE} 万元）。"
    "模板中“年度重点工作任务”下的合计行只合计本栏目的任务，这里则把各栏目的任务一并计算，"
    "消息中分栏目列出。实际表格中常有超过的情况，因此只作提醒。有金额无法读取时不作比较。",
    "16 项任务资金合计 9750 万元，项目支出 9696.18 万元。",
)
def tasks_exceed_projects(ctx: Context) -> Iterator[Hit]:
    form = ctx.form
    line_name = normalize_label(ctx.layout.task_funds_line)
    if not line_name:
        return  # the layout names no line that task funds come out of
    index = next(
        (i for i, line in enumerate(form.budget.expenditures) if normalize_label(line.name) == line_name),
        None,
    )
    if index is None or ctx.any_unreadable("tasks[") or ctx.any_unreadable(f"budget.expenditures[{index}]"):
        return
    projects = form.budget.expenditures[index].amount
    funds = [t.funds for t in form.tasks if t.funds is not None]
    if projects is None or not funds:
        return
    total = sum(funds, Decimal(0))
    if total - projects > TOLERANCE:
        by_group: dict[str, list[Decimal]] = {}
        for t in form.tasks:
            if t.funds is not None:
                by_group.setdefault(t.group, []).append(t.funds)
        parts = ""
        if len(by_group) > 1:  # the sheet's 合计 counts one block: say what each adds
            parts = "（其中" + "，".join(
                f"{_group_label(ctx, g)} {len(a)} 项 {format_amount(sum(a, Decimal(0)))} 万元"
                for g, a in by_group.items()
            ) + "）"
        line = form.budget.expenditures[index].name
        yield Hit(
            f"{len(funds)} 项任务的拟投入资金合计 {format_amount(total)} 万元{parts}，超过{line} "
            f"{format_amount(projects)} 万元（多 {format_amount(total - projects)} 万元）",
            f"budget.expenditures[{index}].amount",
            f"{format_amount(total)} > {format_amount(projects)}",
        )


def _group_label(ctx: Context, group: str) -> str:
    block = ctx.layout.task_block(group)
    return f"“{block.label}”" if block is not None else group


FORMULA_OVERWRITTEN = declare(
    Rule(
        "BX122",
        "warning",
        "合计公式被改写",
        "合计行（合计、小计、总计）的单元格不是公式而是手工输入的数字，"
        f"且与各项之和不符（允许误差 {TOLERANCE} 万元）。",
        "合计行原为公式 =SUM(C5:C6)，被改成手填的 18000，而基本支出与项目支出之和为 18694.16。",
        stage="workbook",
    )
)


TOTAL_DIFFERS = declare(
    Rule(
        "BX123",
        "warning",
        "表中合计与各项之和不符",
        f"合计行的公式算出（文件中保存）的数，与读到的各项金额之和不符（允许误差 {TOLERANCE} 万元）："
        "常见的原因是有金额以文字形式填写（如“1,800”），普通的求和公式不计入；"
        "或合计公式没有包括全部行。审核按各项金额计算；打印出的合计却是错的，请把金额改为数字或改正合计公式。"
        "budgetxl 生成的表格和模板的合计公式也计入以文字填写的金额。",
        "拟投入的资金一栏有一项填成文字“1,800”，表中合计显示 1150，而各项之和为 2950。",
        stage="workbook",
    )
)

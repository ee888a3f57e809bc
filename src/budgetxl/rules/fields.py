"""Required fields: 单位名称, 年度, 总体绩效目标, the layout's standard budget amounts, the tasks of a
block that must be filled, at least one indicator, each task's 名称, each indicator's name and
target. A template returned untouched fails here: its amounts, tasks and indicators are empty."""

from __future__ import annotations

from typing import Any, Iterator

from budgetxl.blocks.base import get_path
from budgetxl.layout import once
from budgetxl.rules.registry import Context, Hit, rule
from budgetxl.text import normalize_label


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


@rule(
    "BX101",
    "error",
    "单位名称为空",
    "单位名称（或部门名称）必须填写。",
    "单位名称一栏留空。",
)
def unit_name_missing(ctx: Context) -> Iterator[Hit]:
    if _blank(ctx.form.unit_name):
        block = ctx.layout.unit_block
        yield Hit(f"{block.label if block is not None else 'unit_name'}未填写", "unit_name", ctx.form.unit_name)


@rule(
    "BX102",
    "error",
    "年度为空",
    "表格所属年度必须填写（通常写在标题中，如“部门整体预算绩效目标表（2023年）”）。",
    "标题写成“部门整体预算绩效目标表”，没有年份。",
)
def year_missing(ctx: Context) -> Iterator[Hit]:
    if ctx.form.year is None:
        yield Hit("没有填写年度（标题中应写明年份，如“2023年”）", "year")


@rule(
    "BX103",
    "error",
    "总体绩效目标为空",
    "总体绩效目标（各版式的名称不同：年度总体目标、部门整体支出年度绩效目标……）必须填写；按条列出目标的版式至少要有一条。",
    "总体绩效目标一栏留空。",
)
def overall_goal_missing(ctx: Context) -> Iterator[Hit]:
    for block in ctx.layout.blocks:
        field = getattr(block, "field", "")
        if field not in ("overall_goal", "goals"):
            continue
        value = getattr(ctx.form, field)
        if not value or (isinstance(value, str) and _blank(value)):
            yield Hit(f"{block.label}未填写", field, value if isinstance(value, str) else None)


@rule(
    "BX107",
    "error",
    "预算金额未填写",
    "版式中预算栏目的各项标准金额（如基本支出、项目支出、财政拨款、其他资金，以版式为准）都必须填写；"
    "没有这项资金的填 0。金额无法读取的（已另行报告）不在此列。",
    "“其他资金”一栏留空。",
)
def budget_amount_missing(ctx: Context) -> Iterator[Hit]:
    layout = ctx.layout
    for path, side, names in once(layout, "rules.budget_lines", lambda: _budget_lines(layout)):
        try:
            lines = get_path(ctx.form, path)
        except AttributeError:
            continue  # a form of another kind: no such list
        by_name = {normalize_label(line.name): k for k, line in enumerate(lines)}
        for name, key in names:
            k = by_name.get(key)
            if k is None:
                yield Hit(f"{side}中缺少“{name}”一项及其金额", path, None)
            elif lines[k].amount is None and f"{path}[{k}].amount" not in ctx.unreadable:
                yield Hit(f"{side}中“{name}”的金额未填写（没有的填 0）", f"{path}[{k}].amount", None)


def _budget_lines(layout: Any) -> tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]:
    """(field path, what the layout calls the list, its standard lines with their normalised
    names) of each list of budget lines in the layout: the same for every form, found once."""
    return tuple((path, layout.side_label(path), tuple((name, normalize_label(name)) for name in names))
                 for path, names in layout.budget_lines().items())


@rule(
    "BX108",
    "error",
    "没有填写工作任务",
    "版式中必须填写的任务栏目（如年度重点工作任务，以版式为准）至少要有一项任务；可选填的栏目（其他需完成的任务）不在此列。",
    "“年度重点工作任务”下只有空行。",
)
def required_tasks_missing(ctx: Context) -> Iterator[Hit]:
    for block in ctx.layout.blocks_of("table"):
        if not block.required:
            continue
        items = getattr(ctx.form, block.field, ())
        if not any(not block.group or getattr(t, "group", "") == block.group for t in items):
            field = f"{block.field}.{block.group}" if block.group else block.field
            yield Hit(f"“{block.label}”未填写：至少要填写一项任务", field, None)


@rule(
    "BX109",
    "error",
    "没有填写绩效指标",
    "绩效指标至少要有一个三级指标及其指标值；只有预设的一级、二级指标而没有三级指标（如原样交回的模板）时报告。"
    "（此时不再逐个报告空的一级、二级指标。）",
    "模板交回时绩效指标部分只有下拉选好的一级、二级指标，三级指标和指标值全部留空。",
)
def indicators_missing(ctx: Context) -> Iterator[Hit]:
    block = ctx.layout.indicators_block
    if block is None or not no_indicators(ctx):
        return
    column = block.column("name")
    name = column.header if column is not None and column.header else "三级指标"
    yield Hit(f"“{block.label}”未填写：没有任何{name}及其指标值", "indicators", None)


def no_indicators(ctx: Context) -> bool:
    """Whether the form has no indicator with a name or a target (BX109; the empty-block rules
    then stay quiet)."""
    return all(ctx.placeholders)


@rule(
    "BX104",
    "error",
    "任务名称为空",
    "年度重点工作任务和其他需完成的任务中，填了内容、资金或目标的每一行都要有名称。",
    "某行填了“拟投入的资金 100”，但“名称”留空。",
)
def task_name_missing(ctx: Context) -> Iterator[Hit]:
    for i, task in enumerate(ctx.form.tasks):
        if _blank(task.name):
            block = ctx.layout.task_block(task.group)
            group = block.label if block is not None else "工作任务"
            yield Hit(f"{group}第 {_nth(ctx, i)} 行没有填写名称", f"tasks[{i}].name", task.name)


def _nth(ctx: Context, index: int) -> int:
    """1-based position of a task within its own group."""
    group = ctx.form.tasks[index].group
    return sum(1 for t in ctx.form.tasks[: index + 1] if t.group == group)


@rule(
    "BX105",
    "error",
    "三级指标名称为空",
    "填了指标值的行必须有三级指标名称（名称和指标值都空的行视为占位行，不在此列）。",
    "指标值写了“≥95%”，三级指标一栏留空。",
)
def indicator_name_missing(ctx: Context) -> Iterator[Hit]:
    for i, (name_blank, target_blank) in enumerate(ctx.blank_texts):
        if name_blank and not target_blank:
            ind = ctx.form.indicators[i]
            yield Hit(f"指标值“{ind.target}”没有对应的三级指标名称", f"indicators[{i}].name", ind.name)


@rule(
    "BX106",
    "error",
    "指标值为空",
    "每个三级指标都要填写指标值。",
    "三级指标“走访重点企业”的指标值留空。",
)
def indicator_target_missing(ctx: Context) -> Iterator[Hit]:
    for i, (name_blank, target_blank) in enumerate(ctx.blank_texts):
        if target_blank and not name_blank:
            ind = ctx.form.indicators[i]
            yield Hit(f"三级指标“{ind.name.strip()}”没有填写指标值", f"indicators[{i}].target", ind.target)

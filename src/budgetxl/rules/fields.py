"""Required fields: 单位名称, 年度, 总体绩效目标, each task's 名称, each indicator's name and target."""

from __future__ import annotations

from typing import Iterator

from budgetxl.rules.registry import Context, Hit, rule


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
    for i, ind in enumerate(ctx.form.indicators):
        if _blank(ind.name) and not _blank(ind.target):
            yield Hit(f"指标值“{ind.target}”没有对应的三级指标名称", f"indicators[{i}].name", ind.name)


@rule(
    "BX106",
    "error",
    "指标值为空",
    "每个三级指标都要填写指标值。",
    "三级指标“走访重点企业”的指标值留空。",
)
def indicator_target_missing(ctx: Context) -> Iterator[Hit]:
    for i, ind in enumerate(ctx.form.indicators):
        if _blank(ind.target) and not _blank(ind.name):
            yield Hit(f"三级指标“{ind.name.strip()}”没有填写指标值", f"indicators[{i}].target", ind.target)

"""Field paths of the model in words a clerk reads: ``indicators[11].level2`` → 第12个指标的二级指标,
``budget.expenditures[1].amount`` → 部门预算支出第2行的金额, ``tasks.key.total`` → 年度重点工作任务的合计.

The model's field names are mapped to Chinese labels here, once (a test checks that every field
of every model class has one); `describe_field` walks a path through the model's classes, so any
path the model can hold reads as words. Data (JSON, CSV) keeps the paths themselves.
"""

from __future__ import annotations

import re
import typing
from functools import lru_cache

from pydantic import BaseModel

from budgetxl.model import Form

# What every kind of form has: which kind, its year, layout, title and the notes under it.
_FORM_COMMON = {"kind": "表的种类", "year": "年度", "layout": "版式", "title": "标题", "notes": "表格下方的说明"}

# Each model class: field name → label.
FIELD_LABELS: dict[str, dict[str, str]] = {
    "Form": {
        **_FORM_COMMON,
        "unit_name": "单位名称",
        "basic_info": "基本信息",
        "budget": "预算整体情况",
        "overall_goal": "总体绩效目标",
        "functions": "部门职能",
        "goals": "年度目标",
        "tasks": "工作任务",
        "indicators": "绩效指标",
    },
    "InfoItem": {"name": "项目名称", "value": "数值"},
    "Budget": {"expenditures": "部门预算支出", "revenues": "收入来源", "sections": "补充栏目"},
    "BudgetSection": {"left_heading": "左栏标题", "right_heading": "右栏标题", "left": "左栏", "right": "右栏"},
    "BudgetLine": {"name": "名称", "amount": "金额"},
    "Task": {"group": "类别", "name": "名称", "content": "主要实施内容", "funds": "拟投入的资金",
             "goal": "期望达到的目标"},
    "Indicator": {"level1": "一级指标", "level2": "二级指标", "name": "三级指标", "target": "指标值"},
    # 项目支出绩效目标表 (kind: project)
    "ProjectForm": {
        **_FORM_COMMON,
        "name": "项目名称",
        "code": "项目代码",
        "department": "主管部门",
        "unit": "实施单位",
        "manager": "项目负责人",
        "phone": "联系电话",
        "category": "项目类型",
        "status": "项目属性",
        "frequency": "项目类别",
        "start_year": "项目期起始年度",
        "end_year": "项目期终止年度",
        "basis": "立项依据",
        "summary": "项目概况",
        "budget_total": "项目总预算",
        "budget_annual": "项目当年预算",
        "budget_history": "项目前两年预算及当年预算变动情况",
        "funding": "项目资金来源",
        "spending": "项目支出明细预算",
        "spending_basis": "测算依据及说明",
        "period_goal": "实施期目标",
        "annual_goal": "年度目标",
        "period_indicators": "实施期绩效指标",
        "indicators": "年度绩效指标",
    },
    "Funding": {"period": "实施期资金来源", "annual": "年度资金来源"},
    "ProjectLine": {"name": "名称", "amount": "金额", "detail": "“其中”标记"},
    "ProjectIndicator": {"level1": "一级指标", "level2": "二级指标", "name": "三级指标", "target": "指标值",
                         "remark": "备注"},
    # 绩效自评表 (kind: selfeval)
    "SelfEvaluation": {
        **_FORM_COMMON,
        "unit_name": "单位名称",
        "project_name": "项目名称",
        "department": "主管部门",
        "contact": "项目联系人",
        "profile": "评分办法",
        "execution": "预算执行情况",
        "goals": "年度总体目标",
        "indicators": "绩效指标",
        "total_weight": "总分的分值",
        "total_score": "总分的得分",
        "conclusion": "自评结论",
    },
    "ExecutionLine": {
        "name": "资金项目",
        "initial": "年初预算数",
        "budget": "全年预算数",
        "spent": "全年执行数",
        "rate": "执行率",
        "weight": "分值",
        "score": "得分",
        "reason": "偏差原因分析及改进措施",
    },
    "GoalResult": {"expected": "预期目标", "actual": "实际完成情况"},
    "IndicatorResult": {
        "level1": "一级指标",
        "level2": "二级指标",
        "name": "三级指标",
        "target": "年度指标值",
        "actual": "实际完成值",
        "weight": "分值",
        "score": "得分",
        "reason": "偏差原因分析及改进措施",
        "nature": "指标性质",
        "unit": "计量单位",
        "standard": "评价标准",
    },
}

# The n-th item of a list field ({n} counts from 1): by field name, or by Model.field where a
# kind words it its own way.
ITEM_WORDS: dict[str, str] = {
    "ProjectForm.indicators": "年度第{n}个指标",
    "basic_info": "基本信息第{n}项",
    "tasks": "第{n}项任务",
    "indicators": "第{n}个指标",
    "notes": "表格下方第{n}段说明",
    "functions": "职能{n}",
    "goals": "目标{n}",
    "expenditures": "部门预算支出第{n}行",
    "revenues": "收入来源第{n}行",
    "sections": "预算整体情况第{n}个补充栏目",
    "left": "左栏第{n}行",
    "right": "右栏第{n}行",
    "period_indicators": "实施期第{n}个指标",
    "spending": "项目支出明细预算第{n}行",
    "period": "实施期资金来源第{n}行",
    "annual": "年度资金来源第{n}行",
    "execution": "预算执行情况第{n}行",
}

# Path parts that are not model fields: the task groups and the 合计 rows the reader finds.
EXTRA_WORDS: dict[str, str] = {"key": "年度重点工作任务", "other": "其他需完成的任务", "total": "合计"}

# Containers whose label is left out when a more precise part follows (部门预算支出 says enough,
# and so does 年度资金来源).
_SILENT = {"budget", "funding"}

_PART_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def _model_of(annotation: object) -> type[BaseModel] | None:
    """The model class inside a field's annotation (Budget, tuple[Task, ...], …), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _roots(kind: str | None) -> list[type[BaseModel]]:
    """The model a path starts from: the kind's, or each kind's in turn (the department form first)."""
    from budgetxl.kinds import FORM_KINDS  # the kinds import the models, which may import this module

    if kind in FORM_KINDS:
        return [FORM_KINDS[kind].model]
    return [Form, *(k.model for k in FORM_KINDS.values() if k.model is not Form)]


@lru_cache(maxsize=4096)
def describe_field(path: str, kind: str | None = None) -> str:
    """`path` (a field path of a form, as findings carry it) in words; '' for ''. The path is read
    in the model of the form `kind` (department, project, selfeval); without a kind, in the first
    model that knows every part of it. A part no model knows is kept as written, so nothing is
    ever lost."""
    if not path:
        return ""
    if path == "(root)":  # what a validation error names when the whole document is wrong
        return "整个文件"
    first = ""
    for root in _roots(kind):
        words, known = _describe(path, root)
        if known:
            return words
        first = first or words
    return first


def _describe(path: str, root: type[BaseModel]) -> tuple[str, bool]:
    """The path in words, read from the model `root`, and whether every part of it was known."""
    known = True
    parts: list[str] = []
    model: type[BaseModel] | None = root
    silent = False  # the last part is a container to leave out if something follows
    last_name = ""
    owner = ""  # the model class holding the last field
    for name, index in _PART_RE.findall(path):
        if index:
            n = int(index) + 1
            words = ITEM_WORDS.get(f"{owner}.{last_name}") or ITEM_WORDS.get(last_name)
            item = words.format(n=n) if words else f"第{n}项"
            if parts and words:
                parts[-1] = item
            else:
                parts.append(item)
            continue
        if silent and parts:
            parts.pop()
        owner = model.__name__ if model is not None else ""
        labels = FIELD_LABELS.get(owner, {})
        if name in labels:
            parts.append(labels[name])
            field = model.model_fields.get(name) if model is not None else None
            model = _model_of(field.annotation) if field is not None else None
        elif name in EXTRA_WORDS:
            word = EXTRA_WORDS[name]
            if name in ("key", "other") and last_name == "tasks" and parts:
                parts[-1] = word  # tasks.key: the group in place of 工作任务
            else:
                parts.append(word)
        else:
            parts.append(name)
            model = None
            known = False
        silent = name in _SILENT
        last_name = name
    return ("的".join(parts) if parts else path), known


__all__ = ["EXTRA_WORDS", "FIELD_LABELS", "ITEM_WORDS", "describe_field"]

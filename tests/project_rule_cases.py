"""The cases of the project rules (BX5xx) for test_rules: for each, a project table that makes it
fire (at the expected field) and one that keeps it quiet. Each builder returns a Report."""

from __future__ import annotations

import copy
from typing import Any, Callable

import pytest

from budgetxl.model import form_from_data
from budgetxl.report import Report
from budgetxl.rules import validate


def project_data() -> dict[str, Any]:
    """A small project (central-project layout) that every rule accepts."""
    return {
        "kind": "project",
        "year": 2025,
        "name": "政务云平台建设",
        "code": "2025-100-0042",
        "department": "某某市大数据局",
        "unit": "某某市信息中心",
        "status": "新增项目",
        "start_year": 2025,
        "end_year": 2027,
        "funding": {
            "period": [{"name": "财政拨款", "amount": "1400"}, {"name": "其他资金", "amount": "100"}],
            "annual": [{"name": "财政拨款", "amount": "600"}, {"name": "其他资金", "amount": "0"}],
        },
        "period_goal": "建成全市统一的政务云平台。",
        "annual_goal": "迁移30个业务系统。",
        "period_indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "新建机柜", "target": "200个"},
            {"level1": "效益指标", "level2": "社会效益指标", "name": "网上办事覆盖率", "target": "≥95%"},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "用户满意度", "target": "≥90%"},
        ],
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "迁移业务系统", "target": "≥30个"},
            {"level1": "效益指标", "level2": "社会效益指标", "name": "网上办事覆盖率", "target": "≥90%"},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "用户满意度", "target": "≥90%"},
        ],
    }


def wuhan_data() -> dict[str, Any]:
    """A small project of the wuhan-project layout (totals, sources with 其中 lines, breakdown)."""
    return {
        "kind": "project",
        "year": 2025,
        "layout": "wuhan-project",
        "name": "技能培训补贴",
        "department": "某某区人社局",
        "budget_total": "300",
        "budget_annual": "300",
        "funding": {"annual": [{"name": "一般公共预算财政拨款收入", "amount": "280"},
                               {"name": "申请当年预算拨款", "amount": "280", "detail": True},
                               {"name": "上年结转", "amount": "20"}]},
        "spending": [{"name": "培训补贴", "amount": "240"}, {"name": "鉴定补贴", "amount": "60"}],
        "period_goal": "全年培训3000人次。",
        "indicators": project_data()["indicators"],
    }


def project(base: Callable[[], dict[str, Any]] = project_data, **changes: Any) -> Report:
    data = copy.deepcopy(base())
    for path, value in changes.items():
        node: Any = data
        *parents, last = path.split("__")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is KeyError:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value
    return validate(form_from_data(data))


def wuhan(**changes: Any) -> Report:
    return project(wuhan_data, **changes)


PLACEHOLDERS = [{"level1": "产出指标", "level2": "数量指标", "name": "", "target": ""}]
Builder = Callable[[pytest.TempPathFactory], Report]
PROJECT_CASES: dict[str, tuple[Builder, Builder, str]] = {
    "BX501": (lambda t: project(name=" "), lambda t: project(), "name"),
    "BX502": (lambda t: project(department=""), lambda t: wuhan(), "department"),
    "BX503": (lambda t: project(indicators=PLACEHOLDERS), lambda t: project(period_indicators=[]), "indicators"),
    "BX504": (lambda t: project(period_indicators=[]), lambda t: wuhan(), "period_indicators"),
    "BX505": (lambda t: project(annual_goal=""), lambda t: project(period_goal=""), "annual_goal"),
    "BX510": (lambda t: project(funding__annual__0__amount="1600"), lambda t: project(funding__annual__0__amount="1500"),
              "funding.annual.total"),
    "BX511": (lambda t: wuhan(funding__annual__2__amount="25"), lambda t: wuhan(funding__annual__1__amount="250"),
              "funding.annual[0].amount"),
    "BX512": (lambda t: wuhan(spending__1__amount="50"), lambda t: wuhan(), "spending[0].amount"),
    "BX513": (lambda t: wuhan(funding__annual__1__amount="290"), lambda t: wuhan(funding__annual__1__amount="280"),
              "funding.annual[1].amount"),
    "BX514": (lambda t: project(start_year=2026), lambda t: project(end_year=2025), "start_year"),
}

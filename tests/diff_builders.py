"""Small forms for the diff tests, made the way a person would write them in YAML."""

from __future__ import annotations

from typing import Any

from budgetxl.model import Form, form_from_data


def indicator(level1: str, level2: str, name: str, target: str = "") -> dict[str, str]:
    return {"level1": level1, "level2": level2, "name": name, "target": target}


def task(name: str, funds: Any = None, content: str = "", goal: str = "", group: str = "key") -> dict[str, Any]:
    return {"group": group, "name": name, "content": content, "funds": funds, "goal": goal}


def make_form(
    *,
    year: int = 2023,
    unit_name: str = "某某街道办事处",
    tasks: list[dict[str, Any]] | None = None,
    indicators: list[dict[str, str]] | None = None,
    basic: str = "8997.98",
    project: str = "9696.18",
    **extra: Any,
) -> Form:
    data: dict[str, Any] = {
        "year": year,
        "unit_name": unit_name,
        "budget": {
            "expenditures": [{"name": "基本支出", "amount": basic}, {"name": "项目支出", "amount": project}],
            "revenues": [{"name": "财政拨款", "amount": "18694.16"}, {"name": "其他资金", "amount": "0"}],
        },
        "overall_goal": "统筹推进街道各项工作。",
        "tasks": tasks if tasks is not None else [],
        "indicators": indicators if indicators is not None else [],
    }
    data.update(extra)
    return form_from_data(data)

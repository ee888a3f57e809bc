"""The canonical model of a year-end self-evaluation (绩效自评表), for a department or a project.

After the year, every unit scores itself on the indicators it set: for each its 年度指标值 (the
approved target), the 实际完成值, its 分值 (weight), the 得分 and, where the score falls short,
the 偏差原因分析及改进措施; above them the budget's execution (全年预算数 A, 全年执行数 B), the
year's goals against what was achieved; under them the 总分. What the unit typed is kept exactly
as typed: the scoring engine (budgetxl.scoring) recomputes every score under a profile and
compares, it never overwrites.

Like the department form, the model knows nothing of Excel; amounts are exact decimals in 万元
and scores exact decimals, both written as strings in JSON.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

import yaml
from pydantic import BeforeValidator, Field

from budgetxl.model import OptionalAmount, Text, _Dumper, _Model
from budgetxl.text import normalize_label

Subject = Literal["department", "project"]


def _profile_name(value: Any) -> Any:
    """A profile as a sheet may show it ('hebei（河北省自评规则）'): its name; blank is none."""
    if not isinstance(value, str):
        return value
    name = re.split(r"[（(\s]", value.strip(), maxsplit=1)[0]
    return name or None


ProfileName = Annotated[str | None, BeforeValidator(_profile_name)]
SUBJECT_TITLES = {"department": "部门整体支出绩效自评表", "project": "项目支出绩效自评表"}


class ExecutionLine(_Model):
    """A row of 年度预算执行情况 (项目资金): 年度资金总额, 其中：财政拨款, 上年结转资金…"""

    name: Text = ""
    initial: OptionalAmount = Field(default=None, description="年初预算数（万元）")
    budget: OptionalAmount = Field(default=None, description="全年预算数 A（万元）")
    spent: OptionalAmount = Field(default=None, description="全年执行数 B（万元）")
    rate: Text = Field(default="", description="执行率 as typed (B/A; recomputed by the checks)")
    weight: OptionalAmount = Field(default=None, description="分值")
    score: OptionalAmount = Field(default=None, description="得分 as typed")
    reason: Text = Field(default="", description="偏差原因分析及改进措施")


class GoalResult(_Model):
    """A row of 年度总体目标: the expected goal and what was achieved."""

    expected: Text = Field(default="", description="预期目标")
    actual: Text = Field(default="", description="实际完成情况")


class IndicatorResult(_Model):
    """One indicator's result: its place in the tree, the approved target, what was achieved, the
    weight, the score as typed, and the explanation of a shortfall."""

    level1: Text = ""
    level2: Text = ""
    name: Text = ""
    target: Text = Field(default="", description="年度指标值 (the approved target)")
    actual: Text = Field(default="", description="实际完成值")
    weight: OptionalAmount = Field(default=None, description="分值 (weight)")
    score: OptionalAmount = Field(default=None, description="得分 as typed")
    reason: Text = Field(default="", description="偏差原因分析及改进措施")
    nature: Text = Field(default="", description="指标性质 (≥, ≤, =, 定性…) where the layout has the column")
    unit: Text = Field(default="", description="计量单位 where the layout has the column")
    standard: Text = Field(default="", description="评价标准 where the layout has the column")

    @property
    def is_placeholder(self) -> bool:
        return not self.name.strip() and not self.target.strip() and not self.actual.strip()

    @property
    def key(self) -> str:
        """The stable key pairing this row with its target row: the 三级 name normalised (full-width
        forms, spaces and line breaks do not matter), with its 一级 and 二级."""
        return "|".join(normalize_label(x) for x in (self.level1, self.level2, self.name))

    def target_text(self) -> str:
        """The target as one text: 指标性质, 指标值 and 计量单位 joined where the layout splits
        them (≥ | 95 | % → '≥95%'); the 指标值 alone elsewhere."""
        target = self.target.strip()
        nature = self.nature.strip()
        unit = self.unit.strip()
        if unit in ("无", "/", "—", "-"):
            unit = ""
        operators = "≥≤=><≧≦＝＞＜"
        if nature and nature in operators and len(nature) == 1 and target and target[0] not in operators:
            target = nature + target
        if unit and target and not target.endswith(unit) and target[-1:].isdigit():
            target = target + unit
        return target

    def actual_text(self) -> str:
        """The actual, with the unit column's unit where the actual is a bare number."""
        actual = self.actual.strip()
        unit = self.unit.strip()
        if unit and unit not in ("无", "/", "—", "-") and actual[-1:].isdigit():
            return actual + unit
        return actual


class SelfEvaluation(_Model):
    """A whole self-evaluation for one department or project and year."""

    kind: Literal["selfeval"] = "selfeval"
    year: int | None = Field(ge=1900, le=2200)
    unit_name: Text = Field(default="", description="部门（单位）名称; for a project its 实施单位")
    project_name: Text = Field(default="", description="项目名称 (projects)")
    department: Text = Field(default="", description="主管部门 (projects)")
    contact: Text = Field(default="", description="项目联系人, where the layout has it")
    layout: str | None = Field(default=None, description="Layout in templates/; None means the subject's default")
    title: Text | None = None
    profile: ProfileName = Field(default=None, description="Scoring profile (templates/profiles/); None: the layout's")
    execution: tuple[ExecutionLine, ...] = ()
    goals: tuple[GoalResult, ...] = ()
    indicators: tuple[IndicatorResult, ...] = ()
    total_weight: OptionalAmount = Field(default=None, description="总分 row: the weights' total as typed")
    total_score: OptionalAmount = Field(default=None, description="总分 as typed")
    conclusion: Text = Field(default="", description="自评结论 / 说明")
    notes: tuple[Text, ...] = ()

    @property
    def subject(self) -> Subject:
        """A project's self-evaluation (it names its project) or a department-wide one."""
        return "project" if self.project_name.strip() else "department"

    def default_layout(self) -> str:
        """The layout used when the form names none: the project's or the department's."""
        return "selfeval-project" if self.subject == "project" else "selfeval"

    @property
    def who(self) -> str:
        """Whose evaluation this is, for people: the project, else the unit."""
        return self.project_name or self.unit_name

    def to_data(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        for key in ("layout", "title", "profile", "total_weight", "total_score"):
            if data[key] is None:
                del data[key]
        for key in ("project_name", "department", "contact", "conclusion"):
            if not data[key]:
                del data[key]
        if not data["notes"]:
            del data["notes"]
        for item in data["indicators"]:
            for key in ("nature", "unit", "standard"):
                if not item[key]:
                    del item[key]
        return data

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_data(), ensure_ascii=False, indent=indent)

    def to_yaml(self) -> str:
        return yaml.dump(self.to_data(), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)

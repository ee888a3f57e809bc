"""The canonical model of a 项目支出绩效目标表: the performance targets of one project.

A department states targets for itself as a whole (budgetxl.model.Form) and, far more often, for
each of its projects. The project table shares the department form's parts — budget lines,
indicators with 一级/二级/三级/指标值 and the same frameworks and target syntax — and adds the
project's identity, its money for the whole implementation period (实施期, 中期) and for the year,
an optional expenditure breakdown, a period goal and an annual goal, and indicators for the year
and (optionally) for the period.

Like Form, the model knows nothing of Excel; its JSON shape is a public contract (amounts exact
decimals in 万元, written as strings). A form file of this kind says `kind: project`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, ClassVar, Literal

import yaml
from pydantic import Field

from budgetxl.model import BudgetLine, Indicator, OptionalAmount, Text, _Dumper, _Model


class ProjectLine(BudgetLine):
    """A line of money by source (资金来源) or of the expenditure breakdown (支出明细). A `detail`
    line (其中：…) is part of the main line above it and not added to the total again."""

    detail: bool = Field(default=False, description="A 其中 line: part of the main line above it.")


class Funding(_Model):
    """Money by source: for the whole implementation period and for the year."""

    period: tuple[ProjectLine, ...] = Field(default=(), description="实施期资金来源（中期，by source）")
    annual: tuple[ProjectLine, ...] = Field(default=(), description="年度资金来源（by source）")


class ProjectIndicator(Indicator):
    """An indicator of a project table: the department form's, with an optional 备注."""

    remark: Text = Field(default="", description="备注")


def main_lines(lines: tuple[ProjectLine, ...]) -> tuple[ProjectLine, ...]:
    """The lines a total adds up: all but the 其中 lines."""
    return tuple(line for line in lines if not line.detail)


def lines_total(lines: tuple[ProjectLine, ...]) -> Decimal | None:
    """The sum of the main lines' amounts; None when none has an amount."""
    amounts = [line.amount for line in main_lines(lines) if line.amount is not None]
    return sum(amounts, Decimal(0)) if amounts else None


class ProjectForm(_Model):
    """A whole 项目支出绩效目标表 for one project and year."""

    # The indicator sets of the form, by field: the rules check each on its own.
    indicator_sets: ClassVar[tuple[str, ...]] = ("indicators", "period_indicators")

    kind: Literal["project"] = Field(default="project", description="The form kind: a project's target table.")
    year: int | None = Field(ge=1900, le=2200)
    layout: str | None = Field(
        default=None, description="Layout in templates/ to render with; None means the kind's default layout."
    )
    title: Text | None = Field(
        default=None, description="A title differing from the layout's title for the year; None uses the layout's."
    )
    name: Text = Field(description="项目名称")
    code: Text = Field(default="", description="项目代码")
    department: Text = Field(default="", description="主管部门（及代码）")
    unit: Text = Field(default="", description="实施单位（执行单位）")
    manager: Text = Field(default="", description="项目负责人")
    phone: Text = Field(default="", description="联系电话")
    category: Text = Field(default="", description="项目类型（部门项目、公共项目……）")
    status: Text = Field(default="", description="项目属性（新增或延续）")
    frequency: Text = Field(default="", description="项目类别（经常性或一次性）")
    start_year: int | None = Field(default=None, ge=1900, le=2200, description="项目期起始年度")
    end_year: int | None = Field(default=None, ge=1900, le=2200, description="项目期终止年度")
    basis: Text = Field(default="", description="立项依据（项目申请理由）")
    summary: Text = Field(default="", description="项目概况（项目主要内容）")
    budget_total: OptionalAmount = Field(default=None, description="项目总预算（中期资金总额，万元）")
    budget_annual: OptionalAmount = Field(default=None, description="项目当年预算（年度资金总额，万元）")
    budget_history: Text = Field(default="", description="项目前两年预算及当年预算变动情况")
    funding: Funding = Field(default_factory=Funding, description="项目资金来源（实施期与年度）")
    spending: tuple[ProjectLine, ...] = Field(default=(), description="项目支出明细预算")
    spending_basis: Text = Field(default="", description="测算依据及说明")
    period_goal: Text = Field(default="", description="实施期目标（中期目标，或项目绩效总目标）")
    annual_goal: Text = Field(default="", description="年度目标")
    period_indicators: tuple[ProjectIndicator, ...] = Field(default=(), description="实施期绩效指标（中期绩效指标）")
    indicators: tuple[ProjectIndicator, ...] = Field(default=(), description="年度绩效指标")
    notes: tuple[Text, ...] = Field(default=(), description="Text found under or beside the table, kept verbatim.")

    @property
    def unit_name(self) -> str:
        """The department the project belongs to (主管部门, else the implementing unit): how a
        project return is filed with its department."""
        return self.department or self.unit

    @property
    def period_money(self) -> Decimal | None:
        """The money of the whole period: 项目总预算, else the sum of the period's sources."""
        return self.budget_total if self.budget_total is not None else lines_total(self.funding.period)

    @property
    def annual_money(self) -> Decimal | None:
        """The year's money: 项目当年预算, else the sum of the year's sources."""
        return self.budget_annual if self.budget_annual is not None else lines_total(self.funding.annual)

    def to_data(self) -> dict[str, Any]:
        """The canonical JSON-ready dict (amounts as strings); what is unset is left out."""
        data = self.model_dump(mode="json")
        keep = {"kind", "year", "name"}
        for key in [k for k, v in data.items() if k not in keep and v in (None, "", [], {})]:
            del data[key]
        funding = data.get("funding", {})
        for key in [k for k, v in funding.items() if not v]:
            del funding[key]
        if not funding:
            data.pop("funding", None)
        for lines in (*funding.values(), data.get("spending", ())):
            for line in lines:
                if not line["detail"]:
                    del line["detail"]
        for key in ("indicators", "period_indicators"):
            for ind in data.get(key, ()):
                if not ind["remark"]:
                    del ind["remark"]
        return data

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_data(), ensure_ascii=False, indent=indent)

    def to_yaml(self) -> str:
        return yaml.dump(self.to_data(), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def field_word(path: str) -> str:
    """What a field of the project model is called, for people ('budget_total' → 项目总预算,
    'funding.annual' → 年度资金来源), from the labels of budgetxl.fieldwords."""
    from budgetxl.fieldwords import describe_field  # fieldwords reads the models of every kind

    return describe_field(path, "project")

"""Field paths of the model in words (budgetxl.fieldwords.describe_field)."""

from __future__ import annotations

import re
import typing

import pytest
from pydantic import BaseModel

from budgetxl.fieldwords import FIELD_LABELS, _model_of, describe_field
from budgetxl.kinds import FORM_KINDS
from budgetxl.model import Form
from budgetxl.project import Funding, ProjectForm, field_word
from budgetxl.selfeval import ExecutionLine, GoalResult, IndicatorResult, SelfEvaluation


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    seen.add(model)
    for field in model.model_fields.values():
        inner = _model_of(field.annotation)
        if inner is not None and inner not in seen:
            _models(inner, seen)
    return seen


def test_every_field_of_every_form_kind_has_a_label():
    models: set[type[BaseModel]] = set()
    for kind in FORM_KINDS.values():
        models |= _models(kind.model, set())
    assert {Form, ProjectForm, Funding, SelfEvaluation, ExecutionLine, GoalResult, IndicatorResult} <= models
    assert len({m.__name__ for m in models}) == len(models)  # labels are keyed by class name
    assert {m.__name__ for m in models} == set(FIELD_LABELS)
    for model in models:
        assert set(model.model_fields) == set(FIELD_LABELS[model.__name__]), model.__name__
        for label in FIELD_LABELS[model.__name__].values():
            assert not re.search(r"[A-Za-z_]", label), (model.__name__, label)


def _paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every field path of a model, lists entered at their first item."""
    out = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        out.append(path)
        inner = _model_of(field.annotation)
        if inner is not None:
            listed = typing.get_origin(field.annotation) in (tuple, list)
            out += _paths(inner, f"{path}[0]." if listed else f"{path}.")
    return out


@pytest.mark.parametrize("kind", sorted(FORM_KINDS))
def test_every_field_path_of_every_kind_reads_as_words(kind):
    paths = _paths(FORM_KINDS[kind].model)
    assert len(paths) >= 10
    for path in paths:
        for words in (describe_field(path, kind), describe_field(path)):
            assert not re.search(r"[A-Za-z_\[\]]", words), (kind, path, words)


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("indicators[11].level2", "第12个指标的二级指标"),
        ("indicators[35].target", "第36个指标的指标值"),
        ("indicators[0].name", "第1个指标的三级指标"),
        ("tasks[3].funds", "第4项任务的拟投入的资金"),
        ("tasks[0].name", "第1项任务的名称"),
        ("budget.expenditures[1].amount", "部门预算支出第2行的金额"),
        ("budget.revenues", "收入来源"),
        ("budget.expenditures.total", "部门预算支出的合计"),
        ("tasks.key.total", "年度重点工作任务的合计"),
        ("tasks.other.total", "其他需完成的任务的合计"),
        ("budget.sections[0].left[1].amount", "预算整体情况第1个补充栏目的左栏第2行的金额"),
        ("budget.sections[1].right_heading", "预算整体情况第2个补充栏目的右栏标题"),
        ("basic_info[0].value", "基本信息第1项的数值"),
        ("notes[2]", "表格下方第3段说明"),
        ("goals[0]", "目标1"),
        ("functions[1]", "职能2"),
        ("unit_name", "单位名称"),
        ("overall_goal", "总体绩效目标"),
        ("budget", "预算整体情况"),
        ("(root)", "整个文件"),
        ("", ""),
        ("somewhere[2].else", "somewhere的第3项的else"),  # unknown parts kept as written
        # Projects and self-evaluations: the kind is found from the path when not given
        ("funding.annual", "年度资金来源"),
        ("funding.annual.total", "年度资金来源的合计"),
        ("funding.period[1].amount", "实施期资金来源第2行的金额"),
        ("budget_annual", "项目当年预算"),
        ("spending[0].amount", "项目支出明细预算第1行的金额"),
        ("period_indicators[2].target", "实施期第3个指标的指标值"),
        ("indicators[0].remark", "年度第1个指标的备注"),  # a project's annual indicators
        ("indicators[3].score", "第4个指标的得分"),
        ("execution[1].spent", "预算执行情况第2行的全年执行数"),
        ("goals[0].actual", "目标1的实际完成情况"),
        ("total_score", "总分的得分"),
    ],
)
def test_paths_read_as_words(path, words):
    assert describe_field(path) == words


@pytest.mark.parametrize(
    ("path", "kind", "words"),
    [
        ("indicators", "project", "年度绩效指标"),
        ("indicators", "department", "绩效指标"),
        ("indicators[1].target", "selfeval", "第2个指标的年度指标值"),
        ("goals", "selfeval", "年度总体目标"),
        ("indicators[3].score", "project", "年度第4个指标的score"),  # not a project's field: kept
        ("indicators[2].target", "project", "年度第3个指标的指标值"),  # beside 实施期第N个指标
    ],
)
def test_paths_read_in_the_model_of_their_kind(path, kind, words):
    assert describe_field(path, kind) == words


def test_project_field_words_come_from_the_labels():
    assert field_word("budget_total") == "项目总预算" == FIELD_LABELS["ProjectForm"]["budget_total"]
    assert field_word("funding.period") == "实施期资金来源"


def test_every_finding_of_the_real_checks_reads_as_words(seed_form, real_dir):
    from budgetxl.rules import check_file, validate

    findings = list(validate(seed_form).findings)
    for name in ("zhanjiang-hrss-2023.xlsx", "zhanjiang-hrss-2024.xlsx", "wuhan-donghu-2020-project-application.xlsx",
                 "chongqing-yuzhong-2021-project-selfeval.xlsx"):
        findings += check_file(real_dir / name).findings
    paths = [f.field for f in findings if f.field]
    assert len(paths) >= 10
    for path in paths:
        assert not re.search(r"[A-Za-z_\[\]]", describe_field(path)), (path, describe_field(path))

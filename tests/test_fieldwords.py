"""Field paths of the model in words (budgetxl.fieldwords.describe_field)."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel

from budgetxl.fieldwords import FIELD_LABELS, _model_of, describe_field
from budgetxl.model import Form


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    seen.add(model)
    for field in model.model_fields.values():
        inner = _model_of(field.annotation)
        if inner is not None and inner not in seen:
            _models(inner, seen)
    return seen


def test_every_field_of_the_model_has_a_label():
    models = _models(Form, set())
    assert {m.__name__ for m in models} == set(FIELD_LABELS)
    for model in models:
        assert set(model.model_fields) == set(FIELD_LABELS[model.__name__]), model.__name__


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
    ],
)
def test_paths_read_as_words(path, words):
    assert describe_field(path) == words


def test_every_finding_of_the_real_checks_reads_as_words(seed_form, real_dir):
    from budgetxl.rules import check_file, validate

    findings = list(validate(seed_form).findings)
    for name in ("zhanjiang-hrss-2023.xlsx", "zhanjiang-hrss-2024.xlsx"):
        findings += check_file(real_dir / name).findings
    paths = [f.field for f in findings if f.field]
    assert len(paths) >= 5
    for path in paths:
        assert not re.search(r"[A-Za-z_\[\]]", describe_field(path)), (path, describe_field(path))

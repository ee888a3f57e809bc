"""The bundled example inputs/fengyang-2023.yaml: a faithful transcription of the published seed table."""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import groupby
from pathlib import Path

import pytest

from budgetxl.model import Form, format_amount, load_form

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "inputs" / "fengyang-2023.yaml"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_2de97c6714f93a07.txt"

# The 二级 blocks of the published table, top to bottom, with their row counts.
BLOCKS = [
    ("产出指标", "数量指标", 25),
    ("产出指标", "质量指标", 9),
    ("产出指标", "时效指标", 6),
    ("产出指标", "成本指标", 1),
    ("效益指标", "经济效益指标", 2),
    ("效益指标", "社会效益指标", 8),
    ("效益指标", "生态效益指标", 1),
    ("效益指标", "可持续影响指标", 1),
    ("满意度指标", "服务对象满意度指标", 2),
]


@pytest.fixture(scope="module")
def form() -> Form:
    return load_form(EXAMPLE)


@pytest.fixture(scope="module")
def seed_text() -> str:
    """The seed with all whitespace removed, so that the PDF's line wrapping does not matter."""
    if not SEED.is_file():
        pytest.skip(f"seed table not found at {SEED} (../shared is not beside this checkout)")
    return squash(SEED.read_text(encoding="utf-8"))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def all_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from all_strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from all_strings(item)


def test_unit_and_year(form: Form) -> None:
    assert form.year == 2023
    assert form.unit_name == "广州市海珠区人民政府凤阳街道办事处"
    assert form.layout is None and form.title is None


def test_budget_balances_exactly(form: Form) -> None:
    spending = {line.name: line.amount for line in form.budget.expenditures}
    income = {line.name: line.amount for line in form.budget.revenues}
    assert spending == {"基本支出": Decimal("8997.98"), "项目支出": Decimal("9696.18")}
    assert income == {"财政拨款": Decimal("18694.16"), "其他资金": Decimal("0")}
    assert sum(spending.values()) == sum(income.values()) == Decimal("18694.16")


def test_tasks(form: Form) -> None:
    assert len(form.tasks) == 16
    assert len(form.tasks_in("key")) == 4
    assert len(form.tasks_in("other")) == 12
    # The key block comes first, then the other block, each in one run.
    assert [t.group for t in form.tasks] == ["key"] * 4 + ["other"] * 12
    assert all(t.funds is not None for t in form.tasks)
    assert sum(t.funds for t in form.tasks) == Decimal("9750")
    assert form.tasks[0].name == "抓好“一工程三行动”"
    assert form.tasks[0].funds == Decimal("1800")
    assert form.tasks[-1].name == "环卫保洁和垃圾分类工作"
    assert form.tasks[-1].funds == Decimal("6200")


def test_indicator_blocks(form: Form) -> None:
    assert len(form.indicators) == 55
    assert all(i.level1 == "产出指标" and i.level2 == "数量指标" for i in form.indicators[:25])
    runs = [(key[0], key[1], len(list(rows))) for key, rows in groupby(form.indicators, lambda i: (i.level1, i.level2))]
    assert runs == BLOCKS  # also proves each 二级 block is one contiguous run
    assert not any(i.is_placeholder for i in form.indicators)


def test_selected_texts(form: Form) -> None:
    targets = {i.name: i.target for i in form.indicators}
    assert targets["整改隐患率"] == "≥95%（整改隐患数/发现隐患数）"
    assert targets["后勤工作购买服务成本节约率（%）"] == "≥5% （计划资金额-实际资金额）/计划资金额。"
    assert targets["职工体检覆盖率"] == "100%(参加体检职工数/职工总数)"
    assert targets["推进保洁工作机械化"] == "采购环卫8桶垃圾运输作业车辆约5台，提高保洁效率。"
    last = form.indicators[-1]
    assert (last.level1, last.level2, last.name) == ("满意度指标", "服务对象满意度指标", "受益群体满意度")
    assert last.target == "衡量受益群体满意情况，通过问卷调查方式并按选项结果加权平均计算"
    assert form.overall_goal.startswith("以习近平新时代中国特色社会主义思想为指导，")
    assert form.overall_goal.endswith("显著提高城区发展品质、生态环境品质、人民生活品质。")


def test_no_wrapping_left_in_texts(form: Form) -> None:
    texts = list(all_strings(form.to_data()))
    assert texts
    for text in texts:
        assert "\n" not in text and "\r" not in text, repr(text)
        assert text == text.strip(), repr(text)
        assert not text.startswith(("。", "、", "，", "）")), repr(text)


def test_every_text_occurs_in_the_seed(form: Form, seed_text: str) -> None:
    missing = []
    pieces = [form.overall_goal]
    for task in form.tasks:
        pieces += [task.name, task.content, task.goal]
    for indicator in form.indicators:
        pieces += [indicator.name, indicator.target]
    for piece in pieces:
        if squash(piece) not in seed_text:
            missing.append(piece)
    assert not missing, f"not in the seed: {missing}"


def test_rows_follow_the_seed_order(form: Form, seed_text: str) -> None:
    """Reading the seed front to back meets every cell of every row in the transcribed order."""
    start = seed_text.index(squash(form.overall_goal))
    other_label = seed_text.index("其他需完成的任务（可选填）")
    for number, task in enumerate(form.tasks):
        for piece in (task.name, task.content, format_amount(task.funds), task.goal):
            found = seed_text.find(squash(piece), start)
            assert found >= 0, f"tasks[{number}]: {piece!r} not found after the previous row"
            start = found + len(squash(piece))
        if task.group == "key":
            assert start <= other_label, f"tasks[{number}] lies in the 其他需完成的任务 block of the seed"
        else:
            assert start > other_label, f"tasks[{number}] lies in the 年度重点工作任务 block of the seed"
    start = seed_text.index("绩效指标", start)
    for number, indicator in enumerate(form.indicators):
        for piece in (indicator.name, indicator.target):
            found = seed_text.find(squash(piece), start)
            assert found >= 0, f"indicators[{number}]: {piece!r} not found after the previous row"
            start = found + len(squash(piece))

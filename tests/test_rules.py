"""Each rule: one case that makes it fire (at the expected field) and one that keeps it quiet."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from budgetxl.errors import InputError
from budgetxl.model import Form, form_from_data, load_form
from budgetxl.report import Report
from budgetxl.rules import RULES, all_rules, check_data, check_file, validate
from budgetxl.rules.catalogue import CATALOGUE, render_catalogue
from budgetxl.rules.target_rules import expects_quantity
from project_rule_cases import PROJECT_CASES

from handmade_workbooks import make_workbook

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "inputs" / "fengyang-2023.yaml"


def base_data() -> dict[str, Any]:
    """A small form that every rule accepts."""
    return {
        "year": 2024,
        "unit_name": "某某市某某局",
        "budget": {
            "expenditures": [{"name": "基本支出", "amount": "100"}, {"name": "项目支出", "amount": "50"}],
            "revenues": [{"name": "财政拨款", "amount": "150"}, {"name": "其他资金", "amount": "0"}],
        },
        "overall_goal": "完成年度工作任务。",
        "tasks": [{"group": "key", "name": "走访企业", "content": "走访重点企业", "funds": "50", "goal": "走访90家"}],
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "走访重点企业", "target": "≥90家"},
            {"level1": "产出指标", "level2": "时效指标", "name": "资金支付及时率", "target": "100%"},
            {"level1": "效益指标", "level2": "社会效益指标", "name": "政务公开完成率", "target": "100%"},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "群众满意度", "target": "≥90%"},
        ],
    }


def base_2021() -> dict[str, Any]:
    data = base_data()
    data["indicators"].insert(
        0, {"level1": "成本指标", "level2": "经济成本指标", "name": "单位成本", "target": "≤50元"}
    )
    return data


def form(**changes: Any) -> Form:
    data = base_data()
    data.update(changes)
    return form_from_data(data)


def with_indicator(index: int, **changes: str) -> Report:
    data = base_data()
    data["indicators"][index].update(changes)
    return validate(form_from_data(data))


def with_indicators(rows: list[tuple[str, str, str, str]], data: dict | None = None) -> Report:
    data = data or base_data()
    data["indicators"] = [dict(zip(("level1", "level2", "name", "target"), r)) for r in rows]
    return validate(form_from_data(data))


def with_amount(path: tuple, value: Any) -> Report:
    data = base_data()
    holder: Any = data
    for part in path[:-1]:
        holder = holder[part]
    holder[path[-1]] = value
    return check_data(data)


def with_task(**changes: Any) -> Report:
    data = base_data()
    data["tasks"][0].update(changes)
    return validate(form_from_data(data))


def workbook(tmp_path_factory: pytest.TempPathFactory, **kwargs: Any) -> Report:
    path = tmp_path_factory.mktemp("wb") / "filled.xlsx"
    return check_file(make_workbook(path, **kwargs))


REV0 = ("budget", "revenues", 0, "amount")
FUNDS = ("tasks", 0, "funds")
BASE_ROWS = [(i["level1"], i["level2"], i["name"], i["target"]) for i in base_data()["indicators"]]
COST_2021 = [("成本指标", "经济成本指标", "单位成本", "≤50元"), ("成本指标", "社会成本指标", "社会成本", "≤1%")]
MIXED = [*COST_2021, *BASE_ROWS, ("产出指标", "成本指标", "人均成本", "≤5元")]

# code -> (fire, quiet, field of the finding when it fires). Each builder returns a Report.
Builder = Callable[[pytest.TempPathFactory], Report]
CASES: dict[str, tuple[Builder, Builder, str]] = {
    "BX101": (lambda t: validate(form(unit_name=" ")), lambda t: validate(form()), "unit_name"),
    "BX102": (lambda t: validate(form(year=None)), lambda t: validate(form(year=2025)), "year"),
    "BX103": (lambda t: validate(form(overall_goal="")), lambda t: validate(form(overall_goal="目标")), "overall_goal"),
    "BX104": (lambda t: with_task(name=""), lambda t: with_task(name="任务"), "tasks[0].name"),
    "BX107": (
        lambda t: with_amount(("budget", "revenues", 1, "amount"), None),
        lambda t: with_amount(("budget", "revenues", 1, "amount"), "0"),
        "budget.revenues[1].amount",
    ),
    "BX108": (
        lambda t: validate(form(tasks=[{"group": "other", "name": "其他任务"}])),
        lambda t: validate(form(tasks=[{"group": "key", "name": "重点任务"}])),
        "tasks.key",
    ),
    "BX109": (
        lambda t: with_indicators([(l1, l2, "", "") for l1, l2, _, _ in BASE_ROWS]),
        lambda t: with_indicators([*((l1, l2, "", "") for l1, l2, _, _ in BASE_ROWS[:3]), BASE_ROWS[3]]),
        "indicators",
    ),
    "BX105": (
        lambda t: with_indicator(0, name=""),
        lambda t: with_indicator(0, name="", target=""),  # a placeholder row, not a missing name
        "indicators[0].name",
    ),
    "BX106": (lambda t: with_indicator(1, target="  "), lambda t: with_indicator(1, target="≥1次"), "indicators[1].target"),
    "BX110": (lambda t: with_amount(FUNDS, "一百万"), lambda t: with_amount(FUNDS, "1,800"), "tasks[0].funds"),
    "BX111": (lambda t: with_amount(REV0, "-150"), lambda t: with_amount(REV0, "150.0"), "budget.revenues[0].amount"),
    "BX112": (
        lambda t: with_amount(FUNDS, "10.1234567"),
        lambda t: with_amount(FUNDS, "10891.615675"),
        "tasks[0].funds",
    ),
    "BX120": (
        lambda t: with_amount(REV0, "150.006"),
        lambda t: with_amount(REV0, "150.004"),
        "budget.revenues[0].amount",
    ),
    "BX121": (
        lambda t: with_task(funds="50.01"),
        lambda t: with_task(funds="50.004"),
        "budget.expenditures[1].amount",
    ),
    "BX130": (
        lambda t: validate(form(overall_goal="目标" * 2000)),
        lambda t: validate(form(overall_goal="目标" * 300)),
        "overall_goal",
    ),
    "BX131": (
        lambda t: with_task(content="实施" * 400),
        lambda t: with_task(content="实施" * 100),
        "tasks[0].content",
    ),
    "BX122": (
        lambda t: workbook(t, revenue_total=140),
        lambda t: workbook(t, revenue_total=150),
        "budget.revenues.total",
    ),
    "BX123": (
        lambda t: workbook(t, expenditure_total="=SUM(C4:C4)"),  # a formula leaving a row out
        lambda t: workbook(t, expenditure_total="=SUM(C4:C5)"),
        "budget.expenditures.total",
    ),
    "BX201": (
        lambda t: with_indicator(0, level1="产出效果指标"),
        lambda t: with_indicators([("产\n出\n指\n标", "数量", "走访重点企业", "≥90家"), *BASE_ROWS[1:]]),
        "indicators[0].level1",
    ),
    "BX202": (
        lambda t: with_indicator(3, level2="服务对象"),
        lambda t: with_indicator(3, level2="服务对象满意度"),
        "indicators[3].level2",
    ),
    "BX203": (
        lambda t: with_indicator(2, level2="质量指标"),
        lambda t: with_indicator(2, level2="环境效益"),
        "indicators[2].level2",
    ),
    "BX204": (
        lambda t: with_indicators(MIXED),
        lambda t: with_indicators(MIXED[:-1]),
        "indicators[6].level2",
    ),
    "BX210": (
        lambda t: with_indicators(BASE_ROWS[:3]),
        lambda t: with_indicators([*BASE_ROWS[:3], ("满意度指标", "服务对象满意度指标", "", ""), BASE_ROWS[3]]),
        "indicators",
    ),
    "BX211": (
        lambda t: with_indicators([*BASE_ROWS[:2], ("产出指标", "成本指标", "", ""), *BASE_ROWS[2:]]),
        lambda t: with_indicators([*BASE_ROWS[:2], ("产出指标", "成本指标", "人均成本", "≤5元"), *BASE_ROWS[2:]]),
        "indicators[2].level2",
    ),
    "BX212": (
        lambda t: with_indicator(2, name=" 走访重点企业"),
        lambda t: with_indicator(2, name="走访重点企业数"),
        "indicators[2].name",
    ),
    "BX301": (
        lambda t: with_indicator(1, name="工程按期完成率", target="工程按期完成率=（按时完工工程量/总工程量）"),
        lambda t: with_indicator(1, name="评估等级", target="良好以上"),
        "indicators[1].target",
    ),
    "BX302": (lambda t: with_indicator(0, target="≥9O家"), lambda t: with_indicator(0, target="≥90家"), "indicators[0].target"),
}


CASES.update(PROJECT_CASES)  # the rules of project tables (BX5xx)


def test_every_rule_has_a_case():
    from test_selfeval_rules import CASES as SELFEVAL_CASES  # the BX6xx rules' cases

    assert set(CASES) | set(SELFEVAL_CASES) == set(RULES)


def test_the_base_forms_have_no_findings():
    assert validate(form()).findings == ()
    assert validate(form_from_data(base_2021())).findings == ()


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires(code, tmp_path_factory):
    fire, _, field = CASES[code]
    report = fire(tmp_path_factory)
    hits = [f for f in report.findings if f.code == code]
    assert hits, report.flat()
    assert hits[0].field == field
    assert hits[0].severity == RULES[code].severity
    assert hits[0].message
    assert report.valid == (RULES[code].severity != "error") or any(
        f.severity == "error" for f in report.findings if f.code != code
    )


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_stays_quiet(code, tmp_path_factory):
    _, quiet, _ = CASES[code]
    report = quiet(tmp_path_factory)
    assert code not in report.codes(), report.flat()


# --------------------------------------------------------------------------------------------
# Details of single rules


def test_suggestions_in_messages():
    (f,) = with_indicator(3, level2="服务对象").findings
    assert "服务对象满意度指标" in f.message
    (f,) = with_indicator(0, level1="产出效果指标").findings
    assert "“产出指标”" in f.message
    (f,) = with_indicator(2, level2="质量指标").findings
    assert "产出指标" in f.message and "社会效益指标" in f.message


def test_label_findings_once_per_block():
    rows = [("效益指标", "质量指标", f"指标{i}", "100%") for i in range(3)]
    report = with_indicators([*BASE_ROWS, *rows])
    assert report.flat().count(("BX203", "error", "indicators[4].level2")) == 1
    assert report.codes().count("BX203") == 1


def test_mixed_frameworks_not_also_reported_as_unknown_labels():
    report = with_indicators(MIXED)
    assert report.codes() == ["BX204"]
    assert report.extra["framework"] == "2021"


def test_2021_form_missing_its_cost_level():
    data = base_2021()
    report = with_indicators([("成本指标", "经济成本指标", "", ""), *BASE_ROWS], data)
    assert ("BX210", "warning", "indicators[0].level1") in report.flat()
    assert "BX211" not in report.codes()  # the whole 一级 is empty: reported once, as BX210


def test_duplicate_names_point_at_the_later_row():
    report = with_indicators([*BASE_ROWS, ("效益指标", "社会效益指标", "群众满意度", "100%")])
    assert report.flat() == [("BX212", "warning", "indicators[4].name")]
    assert "第 4 个" in report.findings[0].message


def test_balance_ignores_blank_budget():
    data = base_data()
    for side in ("expenditures", "revenues"):
        for line in data["budget"][side]:
            line["amount"] = None
    data["tasks"][0]["funds"] = None
    report = validate(form_from_data(data))
    assert "BX120" not in report.codes()
    assert report.codes() == ["BX107"] * 4  # each blank amount is missing, not unbalanced


def test_missing_budget_lines_are_named_in_the_layouts_words():
    data = base_data()
    data["budget"]["revenues"] = [{"name": "财政拨款", "amount": "150"}]
    (f,) = validate(form_from_data(data)).findings
    assert (f.code, f.field) == ("BX107", "budget.revenues")
    assert f.message == "收入来源中缺少“其他资金”一项及其金额"
    central = form_from_data({"year": 2024, "unit_name": "某部", "layout": "central",
                              "budget": {"revenues": [{"name": "财政拨款", "amount": "10"}, {"name": "其他资金"}]},
                              "overall_goal": "目标", "tasks": [],
                              "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "", "target": ""}]})
    report = validate(central)
    by_code = {f.code: f for f in report.findings}
    assert by_code["BX107"].message == "年度部门整体支出预算（万元）中“其他资金”的金额未填写（没有的填 0）"
    assert by_code["BX108"].message == "“年度主要任务”未填写：至少要填写一项任务"
    assert by_code["BX109"].message == "“年度绩效指标”未填写：没有任何三级指标及其指标值"
    assert "BX210" not in report.codes() and "BX211" not in report.codes()  # said once, by BX109


def test_no_required_tasks_where_the_layout_has_no_required_block():
    jiangxi = form_from_data({"year": 2024, "unit_name": "某局", "layout": "jiangxi",
                              "budget": {"revenues": [{"name": "财政拨款", "amount": "10"}, {"name": "其他经费", "amount": "0"}],
                                         "expenditures": [{"name": "基本支出", "amount": "10"}, {"name": "项目支出", "amount": "0"}]},
                              "overall_goal": "目标", "indicators": base_data()["indicators"]})
    assert validate(jiangxi).findings == ()
    # 其他需完成的任务 is optional: a form with key tasks only is complete
    assert "BX108" not in validate(form()).codes()


def test_several_bad_amounts_all_reported_and_the_rest_still_checked():
    data = base_data()
    data["budget"]["expenditures"][0]["amount"] = "abc"
    data["budget"]["revenues"][1]["amount"] = "-3"
    data["unit_name"] = ""
    report = check_data(data)
    # No BX120: a sum missing an unreadable amount would only repeat the same problem.
    assert report.flat() == [
        ("BX110", "error", "budget.expenditures[0].amount"),
        ("BX111", "error", "budget.revenues[1].amount"),
        ("BX101", "error", "unit_name"),
    ]
    assert report.findings[0].value == "abc"


def test_unreadable_task_funds_silence_the_funds_total():
    data = base_data()
    data["tasks"].append({"group": "other", "name": "另一项", "funds": "很多"})
    data["tasks"][0]["funds"] = "60"
    assert check_data(data).codes() == ["BX110"]


def test_check_data_still_refuses_a_document_that_is_not_a_form():
    with pytest.raises(InputError):
        check_data({"year": 2024})


@pytest.mark.parametrize(
    "name,expected",
    [
        ("工程按期完成率", True),
        ("城镇新增就业人数（人）", True),
        ("城镇新增就业人数（万人）", True),
        ("后勤工作购买服务的数量", True),
        ("扶持创业企业（项目）数", True),
        ("发放创业担保贷款金额", True),
        ("后勤工作购买服务成本节约率（%）", True),
        ("居家养老综合服务平台评估等级", False),
        ("资金支付规范性", False),
        ("全市城乡居民养老保险覆盖面", False),
        ("受益群体满意度", False),
        ("对辖内在建工地每周全覆盖巡查", False),
    ],
)
def test_expects_quantity(name, expected):
    assert expects_quantity(name) is expected


def test_unquantified_count_in_words():
    report = with_indicator(0, name="促进创业人数（人）", target="根据下达任务目标要求确定")
    assert report.flat() == [("BX301", "warning", "indicators[0].target")]
    # A sentence with a number in it is quantified enough.
    assert with_indicator(0, name="后勤工作购买服务的数量", target="后勤购买服务的9人").findings == ()


# --------------------------------------------------------------------------------------------
# The seed


def test_seed_has_no_errors_and_exactly_the_two_expected_warnings():
    report = validate(load_form(EXAMPLE))
    assert report.valid
    assert report.flat() == [
        ("BX121", "warning", "budget.expenditures[1].amount"),
        ("BX301", "warning", "indicators[35].target"),
    ]
    seed = load_form(EXAMPLE)
    assert seed.indicators[35].name == "工程按期完成率"
    assert "9750" in report.findings[0].message and "9696.18" in report.findings[0].message
    assert report.extra == {"framework": "2015"}


def test_task_funds_warning_gives_each_blocks_part():
    """BX121 adds all tasks while the sheet's 合计 adds one block: the message says what each adds,
    so the clerk can find the figures on the sheet; with one block there is nothing to split."""
    (finding,) = validate(load_form(EXAMPLE)).findings[:1]
    assert "9750 万元（其中“年度重点工作任务” 4 项 2100 万元，“其他需完成的任务（可选填）” 12 项 7650 万元）" in finding.message
    (single,) = [f for f in with_task(funds="60").findings if f.code == "BX121"]
    assert single.message.startswith("1 项任务的拟投入资金合计 60 万元，超过项目支出 50 万元")


# --------------------------------------------------------------------------------------------
# The catalogue


def test_catalogue_is_current():
    assert CATALOGUE.read_text(encoding="utf-8") == render_catalogue()


def test_catalogue_lists_every_rule_with_its_example():
    text = render_catalogue()
    for r in all_rules():
        assert f"| {r.code} |" in text
        assert r.example.replace("|", "\\|") in text


def test_rules_are_declared_completely():
    for r in all_rules():
        assert r.title and r.description and r.example
        assert r.severity in ("error", "warning", "info")
        assert (r.check is None) == (r.stage != "form")

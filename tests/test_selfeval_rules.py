"""Every self-evaluation rule (BX6xx) fires on a small case and stays quiet on its corrected twin,
as tests/test_rules.py does for the department form's rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

import pytest

from budgetxl.model import form_from_data
from budgetxl.report import Report
from budgetxl.rules import RULES, validate

D = Decimal
TARGETS = {
    "year": 2023, "unit_name": "某某局",
    "budget": {"expenditures": [{"name": "基本支出", "amount": "400"}], "revenues": [{"name": "财政拨款", "amount": "400"}]},
    "overall_goal": "完成全年目标",
    "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "name": "培训人次", "target": "≥100人次"},
        {"level1": "效益指标", "level2": "社会效益指标", "name": "就业率", "target": "≥60%"},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "满意度", "target": "良好以上"},
    ],
}


def base() -> dict[str, Any]:
    """A self-evaluation with no finding: every score right, weights adding up to 100."""
    return {
        "kind": "selfeval", "year": 2023, "unit_name": "某某局",
        "execution": [{"name": "年度资金总额", "budget": "1000", "spent": "950", "rate": "95%", "weight": "10",
                       "score": "9.5"}],
        "goals": [{"expected": "完成全年目标", "actual": "已完成"}],
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "培训人次", "target": "≥100人次", "actual": "110人次",
             "weight": "50", "score": "50"},
            {"level1": "效益指标", "level2": "社会效益指标", "name": "就业率", "target": "≥60%", "actual": "60%",
             "weight": "30", "score": "30"},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "满意度", "target": "良好以上",
             "actual": "达成年度指标", "weight": "10", "score": "10"},
        ],
        "total_weight": "100", "total_score": "99.5",
    }


def check(change: Callable[[dict[str, Any]], None] | None = None, approved: dict[str, Any] | None = None) -> Report:
    data = base()
    if change is not None:
        change(data)
    return validate(form_from_data(data), approved=form_from_data(approved) if approved is not None else None)


def at(k: int, **values: str | None) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["indicators"][k].update(values)
    return change


def both(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for c in changes:
            c(data)
    return change


def top(**values: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: data.update(values)


def line(**values: str | None) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["execution"][0].update(values)


def targets(**changes: Any) -> dict[str, Any]:
    import copy

    data = copy.deepcopy(TARGETS)
    for k, v in changes.items():
        data["indicators"][int(k[1:])].update(v)
    return data


LESS = {"level1": "产出指标", "level2": "质量指标", "name": "合格率", "target": "≥90%"}

CASES: dict[str, tuple[Callable[[], Report], Callable[[], Report], str]] = {
    "BX601": (lambda: check(at(0, score="45")), lambda: check(), "indicators[0].score"),
    "BX602": (lambda: check(top(total_score="95")), lambda: check(top(total_score="99.5")), "total_score"),
    "BX603": (lambda: check(at(2, actual="部分达成年度指标并具有一定效果", score="9")),
              lambda: check(both(at(2, actual="部分达成年度指标并具有一定效果", score="7", reason="宣传不足"),
                                 top(total_score="96.5"))),
              "indicators[2].score"),
    "BX604": (lambda: check(at(1, actual="较好", score=None)), lambda: check(at(1, actual="65%")), "indicators[1].actual"),
    "BX605": (lambda: check(both(at(1, actual="54%", score="27"), top(total_score="96.5"))),
              lambda: check(both(at(1, actual="54%", score="27", reason="经济下行"), top(total_score="96.5"))),
              "indicators[1].reason"),
    "BX606": (lambda: check(at(0, weight="45", score="45")), lambda: check(), "indicators[0].weight"),
    "BX607": (lambda: check(line(rate="90%")), lambda: check(line(rate="95.0%")), "execution[0].rate"),
    "BX608": (lambda: check(line(spent="1100", rate="", score="10")), lambda: check(), "execution[0].spent"),
    "BX609": (lambda: check(at(2, score="12")), lambda: check(at(2, score="9")), "indicators[2].score"),
    "BX610": (lambda: check(top(unit_name="")), lambda: check(), "unit_name"),
    "BX611": (lambda: check(approved={**TARGETS, "indicators": [*TARGETS["indicators"], LESS]}),
              lambda: check(approved=TARGETS), "indicators"),
    "BX612": (lambda: check(approved={**TARGETS, "indicators": TARGETS["indicators"][:2]}),
              lambda: check(approved=TARGETS), "indicators[2].name"),
    "BX613": (lambda: check(approved=targets(i1={"target": "≥65%"})), lambda: check(approved=TARGETS),
              "indicators[1].target"),
    "BX614": (lambda: check(at(2, actual="合规", standard="每出现一例扣2分")), lambda: check(), "indicators[2].score"),
    "BX616": (lambda: check(approved={**TARGETS, "year": 2024}), lambda: check(approved=TARGETS), "indicators"),
    "BX615": (lambda: check(both(*(at(k, actual="", score=None) for k in range(3)), top(total_score="0"))),
              lambda: check(both(*(at(k, actual="", score=None) for k in (0, 1)), top(total_score="0"))),
              "indicators[0].actual"),
}


def _blank() -> Report:
    return check(both(*(at(k, actual="", score=None) for k in range(3)), top(total_score="0")))


def test_targets_of_another_unit_are_one_finding_and_no_row_comparison():
    other = {**TARGETS, "unit_name": "某某区民政局", "indicators": TARGETS["indicators"][:1]}
    report = check(approved=other)
    assert report.codes() == ["BX616"], report.flat()
    assert "单位是“某某区民政局”（自评表为“某某局”）" in report.findings[0].message
    assert sorted(check(approved={**TARGETS, "indicators": TARGETS["indicators"][:1]}).codes()) == ["BX612", "BX612"]


def test_a_budget_weight_other_than_the_profiles_is_reported():
    form = form_from_data(base())
    hits = [f for f in validate(form, profile="hebei").findings if f.code == "BX606"]
    budget = [f for f in hits if f.field.startswith("execution")]
    assert [f.field for f in budget] == ["execution[0].weight"]
    assert "“hebei”规定为 20" in budget[0].message
    assert not [f for f in validate(form).findings if f.field.startswith("execution")]  # mof-2020: 10
    line = {**base()["execution"][0], "weight": "20", "score": "19"}
    right = form_from_data({**base(), "execution": [line]})
    assert not [f for f in validate(right, profile="hebei").findings if f.field.startswith("execution")]


def test_an_unfilled_self_evaluation_is_one_error_not_a_warning_per_row():
    report = _blank()
    assert len(report.findings) == 1 and report.findings[0].code == "BX615", report.flat()
    assert "3 个指标" in report.findings[0].message
    # the 0 of the template's total formula is not a typed total: no BX602 against it
    from budgetxl.scoring import score

    data = base()
    for item in data["indicators"]:
        item.update(actual="", score=None)
    data["total_score"] = "0"
    card = score(form_from_data(data))
    assert card.unfilled and card.typed_total is None and card.grade == ""
SELFEVAL_RULES = {code for code, rule in RULES.items() if "selfeval" in rule.kinds}


def test_every_selfeval_rule_has_a_case():
    assert set(CASES) == SELFEVAL_RULES


def test_the_base_has_no_findings():
    assert check().findings == ()
    assert check(approved=TARGETS).findings == ()


@pytest.mark.parametrize("code", sorted(CASES))
def test_selfeval_rule_fires(code):
    fire, _, field = CASES[code]
    report = fire()
    hits = [f for f in report.findings if f.code == code]
    assert hits, report.flat()
    assert hits[0].field == field
    assert hits[0].severity == RULES[code].severity
    assert hits[0].message


@pytest.mark.parametrize("code", sorted(CASES))
def test_selfeval_rule_stays_quiet(code):
    _, quiet, _ = CASES[code]
    report = quiet()
    assert code not in report.codes(), report.flat()


def test_department_rules_leave_self_evaluations_alone_and_the_reverse(seed_form):
    assert not [c for c in check().codes() if not c.startswith("BX6")]
    assert not [c for c in validate(seed_form).codes() if c.startswith("BX6")]

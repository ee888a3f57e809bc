"""Scoring self-evaluations: each profile's formulas on hand-computed cases and on random targets
and actuals (scores never above their weights nor below 0, totals adding up), the profiles as
data, and nothing typed ever overwritten."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgetxl.errors import InputError
from budgetxl.scoring import available_profiles, load_profile, score
from budgetxl.scoring.engine import negative_score, positive_score, rate_score
from budgetxl.selfeval import ExecutionLine, IndicatorResult, SelfEvaluation

D = Decimal
PROFILES = ["mof-2020", "hebei", "reverse-linear", "chongqing"]


def form(*indicators: IndicatorResult, budget: str | None = "1200", spent: str | None = "1100",
         total: str | None = None, weight: str | None = "10", **kw) -> SelfEvaluation:
    line = ExecutionLine(name="年度资金总额", budget=budget, spent=spent, weight=weight)
    return SelfEvaluation(year=2023, unit_name="某某局", execution=(line,), indicators=indicators,
                          total_score=total, **kw)


def ind(level1: str, name: str, target: str, actual: str, weight: str, score: str | None = None,
        **kw) -> IndicatorResult:
    return IndicatorResult(level1=level1, level2="", name=name, target=target, actual=actual, weight=weight,
                           score=score, **kw)


def test_every_profile_ships_and_loads():
    assert set(PROFILES) <= set(available_profiles())
    for name in PROFILES:
        p = load_profile(name)
        assert p.name == name
        assert p.full_marks == 100


def test_hebei_scales_the_groups_from_90_to_80_exactly():
    p = load_profile("hebei")
    weights = p.group_weights()
    assert weights == {"产出指标": D("44.44"), "效益指标": D("26.67"), "满意度指标": D("8.89")}
    assert sum(weights.values()) == 80
    assert p.budget.weight == 20


def test_an_unknown_profile_names_the_known_ones():
    with pytest.raises(InputError, match="mof-2020"):
        load_profile("nowhere")


# --------------------------------------------------------------------------------------------
# Hand-computed expectations


def test_mof_2020_hand_computed():
    f = form(
        ind("产出指标", "培训人次", "≥5000人次", "5200人次", "25", "25"),  # above: full 25
        ind("产出指标", "发放及时率", "≥95%", "90%", "25", "23.68"),  # 90/95×25 = 23.684… → 23.68
        ind("效益指标", "登记失业率", "≤3%", "3.5%", "30", "25"),  # 3/3.5×30 = 25.714… → 25.71 (typed 25: wrong)
        ind("满意度指标", "服务满意度", "良好以上", "达成年度指标", "10"),  # 达成, no typed score: full 10
    )
    card = score(f, "mof-2020")
    assert card.budget is not None
    assert card.budget.computed == D("9.17")  # 1100/1200 = 91.67 %, × 10
    assert [s.computed for s in card.indicators] == [D("25.00"), D("23.68"), D("25.71"), D("10.00")]
    assert [s.differs for s in card.indicators] == [False, False, True, False]
    assert card.total == D("93.56")
    assert card.grade == "优"
    assert card.complete
    assert "3 / 3.5 × 30" in card.indicators[2].formula


def test_reverse_linear_scores_an_overshoot_linearly_and_zero_at_twice_the_target():
    f = form(ind("效益指标", "登记失业率", "≤3%", "3.5%", "30"), ind("效益指标", "投诉件数", "≤10件", "25件", "30"))
    card = score(f, "reverse-linear")
    # (1 − (3.5 − 3)/3) × 30 = 25; 25 ≥ 2 × 10: 0
    assert [s.computed for s in card.indicators] == [D("25.00"), D("0.00")]


def test_hebei_weighs_the_budget_twenty():
    card = score(form(), "hebei")
    assert card.budget.weight == 10  # the line's own weight wins over the profile's when typed
    assert card.budget.weight_note == "预算执行的分值填写的是 10，评分规则“hebei”规定为 20，按填写的 10 计分"
    assert not score(form(), "mof-2020").budget.weight_note
    card = score(form(weight=None), "hebei")
    assert card.budget.weight == 20
    assert card.budget.computed == D("18.33")  # 1100/1200 × 20


def test_chongqing_scores_the_execution_rate_as_a_management_indicator():
    f = form(ind("管理类指标", "预算执行率", "90", "88%", "8", nature="≥", unit="%"), weight=None)
    card = score(f, "chongqing")
    assert card.budget is None  # not a separate score
    s = card.indicators[0]
    assert s.is_budget and s.computed == D("7.00")  # 2 points below 90: one step of 5, one point off
    f = form(ind("管理类指标", "预算执行率", "90", "79%", "8", nature="≥", unit="%"), weight=None)
    assert score(f, "chongqing").indicators[0].computed == D("5.00")  # 11 below: three steps


def test_qualitative_bands_need_a_score_in_their_band():
    cases = [("部分达成年度指标并具有一定效果", "7", D("7")), ("部分达成", "9", None), ("未达成年度指标且效果较差", None, None),
             ("达成", "8.5", D("8.5")), ("较好", None, None)]
    for actual, typed, expected in cases:
        card = score(form(ind("满意度指标", "服务满意度", "良好以上", actual, "10", typed)), "mof-2020")
        assert card.indicators[0].computed == expected, actual


def test_a_band_is_never_read_from_a_longer_label():
    p = load_profile("mof-2020")
    assert p.band_of("未达成年度指标且效果较差").label.startswith("未达成")
    assert p.band_of("部分达成年度指标并具有一定效果").label.startswith("部分")
    assert p.band_of("达成年度指标").label == "达成年度指标"


def test_what_cannot_be_scored_is_said_not_guessed():
    f = form(ind("产出指标", "发放及时率", "≥95%", "较好", "10"),
             ind("产出指标", "培训人次", "≥5000人次", "0.5万人", "10"),
             ind("产出指标", "完成率", "≥95%", "0.97", "10"),
             ind("产出指标", "无分值", "≥1个", "2个", None))  # type: ignore[arg-type]
    card = score(f, "mof-2020")
    assert all(s.computed is None and s.problem for s in card.indicators)
    assert "单位" in card.indicators[1].problem
    assert "0.97" in card.indicators[2].problem  # 0.97 against 95 %: asked, not guessed


def test_no_grade_is_given_on_an_incomplete_total():
    whole = form(ind("产出指标", "培训人次", "≥100人次", "100", "50"),
                 ind("效益指标", "就业率", "≥90%", "95%", "40"))
    assert score(whole).complete and score(whole).grade == "优" and not score(whole).ungraded
    partial = form(ind("产出指标", "培训人次", "≥100人次", "100", "50"),
                   ind("效益指标", "就业率", "≥90%", "待统计", "40", score="30"))
    card = score(partial)
    assert not card.complete and card.total == D("89.17")  # 9.17 + 50 + 30 (typed, not checked)
    assert card.grade == "" and card.ungraded == "总分不完整（1 项指标无法自动计分），不评等级"
    data = card.to_data()
    assert data["grade"] is None and data["complete"] is False and "不评等级" in data["ungraded"]
    no_budget = form(ind("产出指标", "培训人次", "≥100人次", "100", "90"), budget=None)
    assert score(no_budget).grade == "" and "预算执行得分无法计算" in score(no_budget).ungraded


def test_a_bare_zero_against_a_percent_target_is_zero_percent_not_ambiguous():
    card = score(form(ind("效益指标", "就业率", "≥90%", "0", "40")))
    assert card.indicators[0].computed == 0 and not card.indicators[0].problem


def test_units_with_wan_compare_by_their_base():
    card = score(form(ind("产出指标", "培训人次", "≥5000人次", "0.6万人次", "10")), "mof-2020")
    assert card.indicators[0].computed == D("10.00")


def test_an_explanation_is_required_below_weight_over_130_percent_and_under_90_percent():
    f = form(ind("产出指标", "培训人次", "≥100人次", "140人次", "10"), ind("产出指标", "发放率", "≥95%", "95%", "10"),
             budget="1000", spent="850")
    card = score(f, "mof-2020")
    assert "140" in card.indicators[0].needs_reason
    assert card.indicators[1].needs_reason == ""
    assert "85%" in card.budget.needs_reason


def test_nothing_typed_is_overwritten():
    f = form(ind("产出指标", "发放及时率", "≥95%", "90%", "25", "25"), total="100")
    before = f.model_dump()
    card = score(f)
    assert f.model_dump() == before
    assert card.indicators[0].typed == D("25") and card.indicators[0].computed == D("23.68")
    assert card.typed_total == D("100")


# --------------------------------------------------------------------------------------------
# Properties, per profile

amounts = st.decimals(min_value=D("0"), max_value=D("100000"), places=2, allow_nan=False, allow_infinity=False)
positive = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2, allow_nan=False, allow_infinity=False)
weights = st.decimals(min_value=D("0"), max_value=D("50"), places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=300)
@given(actual=amounts, target=positive, weight=weights, rule=st.sampled_from(["ratio", "linear"]))
def test_formulas_stay_within_zero_and_the_weight(actual, target, weight, rule):
    for value in (positive_score(actual, target, weight), negative_score(actual, target, weight, rule)):
        assert D(0) <= value <= weight
    if actual >= target:
        assert positive_score(actual, target, weight) == weight
    if actual <= target:
        assert negative_score(actual, target, weight, rule) == weight


@settings(max_examples=200)
@given(a=amounts, b=amounts, target=positive, weight=weights)
def test_more_is_never_worse_for_a_positive_indicator(a, b, target, weight):
    lo, hi = min(a, b), max(a, b)
    assert positive_score(lo, target, weight) <= positive_score(hi, target, weight)
    assert negative_score(lo, target, weight) >= negative_score(hi, target, weight)


@settings(max_examples=200)
@given(rate=st.decimals(min_value=D("0"), max_value=D("150"), places=2), profile=st.sampled_from(PROFILES))
def test_the_budget_rule_stays_within_its_weight(rate, profile):
    p = load_profile(profile)
    w = D(10)
    value = rate_score(rate, w, p)
    assert D(0) <= value <= w
    if rate >= 100:
        assert value == w


rows = st.lists(
    st.tuples(st.sampled_from(["产出指标", "效益指标", "满意度指标", "产出类指标", "管理类指标"]),
              st.sampled_from(["≥", "≤", "=", ""]), positive, amounts, weights,
              st.sampled_from(["%", "人次", "万元", ""])),
    min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(data=rows, profile=st.sampled_from(PROFILES), budget=positive, spent=amounts)
def test_random_forms_score_within_weights_and_totals_add_up(data, profile, budget, spent):
    inds = tuple(IndicatorResult(level1=l1, name=f"指标{k}", target=f"{op}{t}{unit}", actual=f"{a}{unit}", weight=w)
                 for k, (l1, op, t, a, w, unit) in enumerate(data))
    f = SelfEvaluation(year=2024, unit_name="某局", indicators=inds,
                       execution=(ExecutionLine(name="年度资金总额", budget=budget, spent=spent),))
    card = score(f, profile)
    for s in card.indicators:
        assert s.computed is not None, s.problem
        assert D(0) <= s.computed <= s.weight
    expected = sum((s.computed for s in card.indicators), D(0))
    if card.budget is not None:
        assert D(0) <= card.budget.computed <= card.budget.weight
        expected += card.budget.computed
    assert card.total == expected
    assert card.grade == load_profile(profile).grade(card.total)

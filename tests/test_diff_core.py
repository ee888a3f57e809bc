"""diff_forms: statuses, field changes, amounts and targets, order, warnings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgetxl.diff import diff_forms
from budgetxl.diff.core import amount_change, percent_of
from budgetxl.diff.trend import budget_trend, diff_series

from diff_builders import indicator, make_form, task


def by_name(entries, side="new"):
    return {(getattr(e, side) or {}).get("name"): e for e in entries if getattr(e, side) is not None}


def test_identical_forms_are_unchanged_everywhere(seed_form):
    d = diff_forms(seed_form, seed_form)
    assert d.identical
    counts = d.counts()
    assert counts["tasks"] == {"added": 0, "removed": 0, "changed": 0, "unchanged": len(seed_form.tasks)}
    real_indicators = [x for x in seed_form.indicators if not x.is_placeholder]
    assert counts["indicators"]["unchanged"] == len(real_indicators)
    assert all(e.changes == {} and e.similarity is None for e in d.tasks + d.indicators)
    assert d.warnings == ()


@pytest.mark.parametrize(
    "old, new, delta, percent",
    [
        ("100", "125", "25", "25"),
        ("8997.98", "8997.98", "0", "0"),
        ("10596.35", "10891.615675", "295.265675", "2.79"),
        ("200", "0", "-200", "-100"),
        ("0", "50", "50", None),
    ],
)
def test_amount_change(old, new, delta, percent):
    d, p = amount_change(Decimal(old), Decimal(new))
    assert d == Decimal(delta)
    assert p == (None if percent is None else Decimal(percent))


def test_amount_change_with_a_blank_says_nothing():
    assert amount_change(None, Decimal(5)) == (None, None)
    assert amount_change(Decimal(5), None) == (None, None)
    assert percent_of(Decimal(1), Decimal(3)) == Decimal("33.33")


def test_budget_lines_matched_by_name_with_delta_and_percent():
    old = make_form(basic="8000", project="10000")
    new = make_form(year=2024, basic="8800", project="10000")
    d = diff_forms(old, new)
    lines = {(e.part, e.name): e for e in d.budget}
    basic = lines[("expenditures", "基本支出")]
    assert basic.status == "changed"
    assert (basic.delta, basic.percent) == (Decimal(800), Decimal(10))
    assert basic.changes["amount"].old == "8000" and basic.changes["amount"].new == "8800"
    assert basic.part_label == "部门预算支出"
    assert lines[("expenditures", "项目支出")].status == "unchanged"
    assert lines[("revenues", "财政拨款")].part_label == "收入来源"


def test_budget_line_added_and_removed():
    old = make_form()
    data = old.to_data()
    data["year"] = 2024
    data["budget"]["revenues"] = [{"name": "财政拨款", "amount": "18000"}, {"name": "事业收入", "amount": "694.16"}]
    from budgetxl.model import form_from_data

    d = diff_forms(old, form_from_data(data))
    status = {e.name: e.status for e in d.budget}
    assert status == {"基本支出": "unchanged", "项目支出": "unchanged", "财政拨款": "changed", "事业收入": "added", "其他资金": "removed"}


def test_task_statuses_and_field_changes():
    old = make_form(tasks=[
        task("抓好“一工程三行动”", 1800, "开展城中村更新改造行动", "按季度铺排拆违工作"),
        task("综合行政执法规范化建设", 100, "完善执法功能室设置"),
        task("社区防疫物资储备", 50),
    ])
    new = make_form(year=2024, tasks=[
        task("综合行政执法规范化建设", 100, "完善执法功能室设置"),
        task("抓好“一工程三行动”", 2000, "开展城中村更新改造行动", "按季度铺排拆违工作，完成20万平方米"),
        task("长者饭堂运营", 120),
    ])
    d = diff_forms(old, new)
    # New order; the removed task follows the one it followed in the old form (综合…建设).
    assert [e.status for e in d.tasks] == ["unchanged", "removed", "changed", "added"]
    changed = d.tasks[2]
    assert set(changed.changes) == {"funds", "goal"}
    funds = changed.changes["funds"]
    assert (funds.old, funds.new, funds.delta, funds.percent) == ("1800", "2000", Decimal(200), Decimal("11.11"))
    assert changed.changes["goal"].new.endswith("完成20万平方米")
    assert changed.old["name"] == changed.new["name"] == "抓好“一工程三行动”"
    assert (changed.old_index, changed.new_index) == (0, 1)
    assert d.tasks[1].old["name"] == "社区防疫物资储备" and d.tasks[1].new is None
    assert d.tasks[3].new["name"] == "长者饭堂运营" and d.tasks[3].old is None


def test_reworded_task_is_changed_with_similarity():
    old = make_form(tasks=[task("完成区下达的经济任务指标", 100)])
    new = make_form(year=2024, tasks=[task("完成区下达的经济发展任务指标", 100)])
    (e,) = diff_forms(old, new).tasks
    assert e.status == "changed"
    assert list(e.changes) == ["name"]
    assert 0.6 <= e.similarity < 1


def test_task_moved_between_groups_is_a_change_of_group():
    old = make_form(tasks=[task("完成旧村改造片区策划方案", 100, group="other")])
    new = make_form(year=2024, tasks=[task("完成旧村改造片区策划方案", 100, group="key")])
    (e,) = diff_forms(old, new).tasks
    assert e.status == "changed" and e.changes["group"].old == "other" and e.changes["group"].new == "key"
    assert e.similarity is None


def test_merged_task_points_back_at_what_it_took_in():
    old = make_form(tasks=[task("创业担保贷款贴息资金", 790), task("促进就业专项资金", 500)])
    new = make_form(year=2024, tasks=[task("促进就业专项资金（含创业担保贷款贴息资金）", 1140)])
    d = diff_forms(old, new)
    statuses = {(e.old or {}).get("name"): e for e in d.tasks}
    merged = statuses["促进就业专项资金"]
    assert merged.status == "changed" and merged.new["name"] == "促进就业专项资金（含创业担保贷款贴息资金）"
    gone = statuses["创业担保贷款贴息资金"]
    assert gone.status == "removed" and gone.merged_into == 0


def test_indicator_target_numeric_change_same_unit():
    old = make_form(indicators=[indicator("产出指标", "数量指标", "违法建设拆除面积", "≥20万平方米")])
    new = make_form(year=2024, indicators=[indicator("产出指标", "数量指标", "违法建设拆除面积", "≥25万平方米")])
    (e,) = diff_forms(old, new).indicators
    t = e.changes["target"]
    assert (t.old, t.new) == ("≥20万平方米", "≥25万平方米")
    assert (t.delta, t.percent, t.unit) == (Decimal(5), Decimal(25), "万平方米")


@pytest.mark.parametrize(
    "name_old, old, name_new, new, delta, unit",
    [
        ("群众满意度", "≥90%", "群众满意度", "≧95%", Decimal(5), "%"),
        ("城镇新增就业人数（人）", "50000", "城镇新增就业人数（人）", "48000", Decimal(-2000), "人"),
        ("城镇新增就业人数（万人）", "5", "城镇新增就业人数（人）", "52000", Decimal(2000), "人"),  # 万 folded in
        ("培训人次", "9000人次", "培训人次", "良好", None, None),  # one side qualitative
        ("拆除面积", "20万平方米", "拆除面积", "20公顷", None, None),  # different units
    ],
)
def test_indicator_target_change_table(name_old, old, name_new, new, delta, unit):
    a = make_form(indicators=[indicator("产出指标", "数量指标", name_old, old)])
    b = make_form(year=2024, indicators=[indicator("产出指标", "数量指标", name_new, new)])
    (e,) = diff_forms(a, b).indicators
    t = e.changes["target"]
    assert t.delta == delta and t.unit == unit


def test_relabelled_level2_is_a_change_not_remove_and_add():
    old = make_form(indicators=[indicator("效益指标", "社会效益指标", "全市城乡居民养老保险覆盖面", "不低于上年度水平")])
    new = make_form(year=2024, indicators=[indicator("效益指标", "质量指标", "全市城乡居民养老保险覆盖面", "不低于上年度水平")])
    (e,) = diff_forms(old, new).indicators
    assert e.status == "changed" and list(e.changes) == ["level2"]


def test_whitespace_and_line_breaks_are_not_changes():
    old = make_form(indicators=[indicator("效\n益\n指\n标", "社会效益指标", "群众满意度", "≥90%")], overall_goal="目标1：甲。\n目标2：乙。")
    new = make_form(year=2024, indicators=[indicator("效益指标", "社会效益指标", "群众 满意度", "≥90% ")], overall_goal="目标1：甲。 \n目标2：乙。")
    d = diff_forms(old, new)
    assert d.indicators[0].status == "unchanged"
    assert d.overall_goal.status == "unchanged"


def test_placeholders_take_no_part_and_indices_are_the_forms_own():
    old = make_form(indicators=[indicator("产出指标", "成本指标", "", ""), indicator("产出指标", "数量指标", "甲指标", "1")])
    new = make_form(year=2024, indicators=[indicator("产出指标", "数量指标", "甲指标", "2"), indicator("产出指标", "成本指标", "", "")])
    d = diff_forms(old, new)
    assert len(d.indicators) == 1
    assert (d.indicators[0].old_index, d.indicators[0].new_index) == (1, 0)


def test_removed_rows_keep_their_place_in_the_order():
    old = make_form(indicators=[indicator("产出指标", "数量指标", n, "1") for n in ("甲甲甲甲", "乙乙乙乙", "丙丙丙丙")])
    new = make_form(year=2024, indicators=[indicator("产出指标", "数量指标", n, "1") for n in ("甲甲甲甲", "丁丁丁丁", "丙丙丙丙")])
    order = [((e.old or {}).get("name"), (e.new or {}).get("name")) for e in diff_forms(old, new).indicators]
    assert order == [("甲甲甲甲", "甲甲甲甲"), ("乙乙乙乙", None), (None, "丁丁丁丁"), ("丙丙丙丙", "丙丙丙丙")]


def test_different_units_warn_but_compare():
    old = make_form(unit_name="甲街道办事处")
    new = make_form(year=2024, unit_name="乙街道办事处")
    d = diff_forms(old, new)
    assert len(d.warnings) == 1 and "甲街道办事处" in d.warnings[0] and "乙街道办事处" in d.warnings[0]
    assert len(d.budget) == 4


def test_years_in_reverse_order_warn():
    d = diff_forms(make_form(year=2024), make_form(year=2023))
    assert any("年度顺序" in w for w in d.warnings)


def test_labels_default_to_years():
    d = diff_forms(make_form(year=2023), make_form(year=2024))
    assert (d.old.label, d.new.label) == ("2023", "2024")
    same = diff_forms(make_form(year=2023), make_form(year=2023))
    assert same.old.label != same.new.label


def test_basic_info_numbers_carry_delta():
    old = make_form(basic_info=[{"name": "财政供养人员数", "value": "750"}, {"name": "下属二级单位数", "value": "10"}])
    new = make_form(year=2024, basic_info=[{"name": "财政供养人员数", "value": "737"}, {"name": "下属二级单位数", "value": "10"}])
    d = diff_forms(old, new)
    staff = d.basic_info[0]
    assert staff.status == "changed" and staff.changes["value"].delta == Decimal(-13)
    assert d.basic_info[1].status == "unchanged"


def test_series_compares_consecutive_pairs_and_gathers_the_trend():
    forms = [make_form(year=y, basic=b) for y, b in ((2022, "7000"), (2023, "8000"), (2024, "8800"))]
    s = diff_series(forms)
    assert s.labels == ("2022", "2023", "2024")
    assert [(d.old.label, d.new.label) for d in s.diffs] == [("2022", "2023"), ("2023", "2024")]
    basic = next(t for t in s.trend.lines if t.name == "基本支出")
    assert basic.amounts == (Decimal(7000), Decimal(8000), Decimal(8800))
    with pytest.raises(ValueError):
        diff_series(forms[:1])


def test_trend_keeps_lines_seen_in_some_years_only():
    a = make_form(year=2022)
    data = a.to_data()
    data["budget"]["revenues"].append({"name": "事业收入", "amount": "5"})
    from budgetxl.model import form_from_data

    b = form_from_data({**data, "year": 2023})
    trend = budget_trend([a, b], ["2022", "2023"])
    extra = next(t for t in trend.lines if t.name == "事业收入")
    assert extra.amounts == (None, Decimal(5))

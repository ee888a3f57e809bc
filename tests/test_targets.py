"""The 指标值 parser: every target of the seed and of the two real workbooks, plus edge cases."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from budgetxl.model import load_form
from budgetxl.targets import has_number, parse_target, unit_in_name

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "inputs" / "fengyang-2023.yaml"
REAL = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "real"

Q, QL, F = "quantitative", "qualitative", "formula_only"

# (target, kind, operator, value, unit, note) for each of the seed's 55 targets, in table order.
SEED_TARGETS = [
    ("≥25万平方米", Q, "≥", "25", "万平方米", ""),
    ("100%", Q, None, "100", "%", ""),
    ("≥90家", Q, "≥", "90", "家", ""),
    ("≥4场", Q, "≥", "4", "场", ""),
    ("≥50间", Q, "≥", "50", "间", ""),
    ("≥10次", Q, "≥", "10", "次", ""),
    ("≥95%（整改隐患数/发现隐患数）", Q, "≥", "95", "%", "整改隐患数/发现隐患数"),
    ("≥2次", Q, "≥", "2", "次", ""),
    ("≥12000家次", Q, "≥", "12000", "家次", ""),
    ("≥300次", Q, "≥", "300", "次", ""),
    ("≥80宗", Q, "≥", "80", "宗", ""),
    ("≥8万套次", Q, "≥", "8", "万套次", ""),
    ("后勤购买服务的9人", QL, None, None, "", ""),
    ("100%（实际购置数量/计划购置数量）", Q, None, "100", "%", "实际购置数量/计划购置数量"),
    (
        "100%（实际新增四上企业数量/预期新增四场企业数量）",
        Q, None, "100", "%", "实际新增四上企业数量/预期新增四场企业数量",
    ),
    ("100%（献血人次/上级下达任务数）", Q, None, "100", "%", "献血人次/上级下达任务数"),
    ("100%（举办社区活动社区数/社区总数）", Q, None, "100", "%", "举办社区活动社区数/社区总数"),
    ("≥500人次", Q, "≥", "500", "人次", ""),
    ("≥18人", Q, "≥", "18", "人", ""),
    ("≥400人次", Q, "≥", "400", "人次", ""),
    ("≥150人次", Q, "≥", "150", "人次", ""),
    ("≥28人次", Q, "≥", "28", "人次", ""),
    ("每月开展垃圾分类活动4次或以上。", QL, None, None, "", ""),
    ("公共区域每月日常消杀天数22天以上。", QL, None, None, "", ""),
    ("采购环卫8桶垃圾运输作业车辆约5台，提高保洁效率。", QL, None, None, "", ""),
    ("100%（验收合格设备数/购买设备总数）", Q, None, "100", "%", "验收合格设备数/购买设备总数"),
    ("100%(参加体检职工数/职工总数)", Q, None, "100", "%", "参加体检职工数/职工总数"),
    ("100%（隐患整改率=隐患整改数/发现隐患总数）", Q, None, "100", "%", "隐患整改率=隐患整改数/发现隐患总数"),
    ("良好以上", QL, None, None, "", ""),
    ("良或以上", QL, None, None, "", ""),
    ("每天环卫保洁作业时间，背街小巷12小时以上，部分内街马路14小时或以上。", QL, None, None, "", ""),
    ("90%以上的经营区域垃圾分类工作得良及以上。", QL, None, None, "", ""),
    ("良及以上", QL, None, None, "", ""),
    ("存在合同执行违约的项目数占总项目数的比例0%。", QL, None, None, "", ""),
    ("按时完成任务", QL, None, None, "", ""),
    ("工程按期完成率=（按时完工工程量/总工程量）", F, None, None, "", "工程按期完成率=（按时完工工程量/总工程量）"),
    (
        "100%（及时发放街道工作人员工资福利金额/应发放街道工作人员工资福利总额）",
        Q, None, "100", "%", "及时发放街道工作人员工资福利金额/应发放街道工作人员工资福利总额",
    ),
    ("100%（及时到位设备数量/购置设备总数量）", Q, None, "100", "%", "及时到位设备数量/购置设备总数量"),
    (
        "100%（按规定时间发放救助金金额/应发放救助金总金额）",
        Q, None, "100", "%", "按规定时间发放救助金金额/应发放救助金总金额",
    ),
    ("服务费在合同约定时间内支付到位，及时率100%。", QL, None, None, "", ""),
    ("≥5% （计划资金额-实际资金额）/计划资金额。", Q, "≥", "5", "%", "（计划资金额-实际资金额）/计划资金额"),
    ("100%", Q, None, "100", "%", ""),
    ("100%", Q, None, "100", "%", ""),
    ("翠怡小区微改造项目今年动工。", QL, None, None, "", ""),
    ("≥80%", Q, "≥", "80", "%", ""),
    (
        "100%（根据单位正常运转，未发生重大工作停顿情况衡量）",
        Q, None, "100", "%", "根据单位正常运转，未发生重大工作停顿情况衡量",
    ),
    ("100%", Q, None, "100", "%", ""),
    ("100%", Q, None, "100", "%", ""),
    ("9000人次", Q, None, "9000", "人次", ""),
    ("≥800人次", Q, "≥", "800", "人次", ""),
    ("100%", Q, None, "100", "%", ""),
    ("100%（河长实际巡查次数/河长计划参与巡查次数）", Q, None, "100", "%", "河长实际巡查次数/河长计划参与巡查次数"),
    ("100%（设备投入使用数/设备购买总数）", Q, None, "100", "%", "设备投入使用数/设备购买总数"),
    ("现场办事满意率≥95%", Q, "≥", "95", "%", "现场办事满意率"),
    ("衡量受益群体满意情况，通过问卷调查方式并按选项结果加权平均计算", QL, None, None, "", ""),
]

# (indicator name, target as the workbook shows it, kind, operator, value, unit) for every
# indicator of the two real 湛江 workbooks. A number formatted 0% shows as a percentage.
REAL_TARGETS = {
    "zhanjiang-hrss-2023.xlsx": [
        ("城乡居民基础养老金标准", "≥200元每人每月", Q, "≥", "200", "元每人每月"),
        ("发放创业担保贷款金额", "5000万元", Q, None, "5000", "万元"),
        ("城镇新增就业人数（万人）", "根据下达任务目标要求确定", QL, None, None, ""),
        ("促进创业人数（人）", "根据下达任务目标要求确定", QL, None, None, ""),
        ("创业担保贷款还款率", "≧90%", Q, "≥", "90", "%"),
        ("补贴发放准确率", "≧98%", Q, "≥", "98", "%"),
        ("资金在规定时间内下达率", "100%", Q, None, "100", "%"),
        ("资金支付规范性", "合规", QL, None, None, ""),
        ("实际资金支出率", "≧95%", Q, "≥", "95", "%"),
        ("就业困难人员就业人数", "根据下达任务目标要求确定", QL, None, None, ""),
        ("失业人员再就业人数", "根据下达任务目标要求确定", QL, None, None, ""),
        ("全市城乡居民养老保险覆盖面", "不低于上年度水平", QL, None, None, ""),
        ("扶持创业企业（项目）数", "650", Q, None, "650", ""),
        ("群众满意度", "≥75%", Q, "≥", "75", "%"),
        ("享受创业担保贷款对象满意度", "≧95%", Q, "≥", "95", "%"),
        ("公共服务满意度", "≧95%", Q, "≥", "95", "%"),
    ],
    "zhanjiang-hrss-2024.xlsx": [
        ("城乡居民基础养老金标准", "≥190元每人每月", Q, "≥", "190", "元每人每月"),
        ("城镇新增就业人数（人）", "50000", Q, None, "50000", "人"),
        ("促进创业人数（人）", "3000", Q, None, "3000", "人"),
        ("支教人员每人每年完成课时", "≥200课时", Q, "≥", "200", "课时"),
        ("“三支一扶”人员服务期满考核合格率（%）", "≥90%", Q, "≥", "90", "%"),
        ("补贴发放准确率", "100%", Q, None, "100", "%"),
        ("“三支一扶”人员到岗及时率", "≥90%", Q, "≥", "90", "%"),
        ("资金在规定时间内下达率", "≧95%", Q, "≥", "95", "%"),
        ("解决就业困难人员就业人数（人）", "1500", Q, None, "1500", "人"),
        ("失业人员再就业人数（人）", "27000", Q, None, "27000", "人"),
        ("全市城乡居民养老保险覆盖面", "不低于上年度水平", QL, None, None, ""),
        ("扶持创业企业（项目）个数", "350", Q, None, "350", ""),
        ("服务期满继续在基层就业人数比例", "≧35%", Q, "≥", "35", "%"),
        ("基层服务覆盖范围", "湛江市基层", QL, None, None, ""),
        ("对保持就业局势总体稳定发挥的影响", "保持稳定", QL, None, None, ""),
        ("群众满意度", "≥75%", Q, "≥", "75", "%"),
        ("就业服务满意度", "≧90%", Q, "≥", "90", "%"),
        ("享受创业担保贷款对象满意度", "≧95%", Q, "≥", "95", "%"),
        ("服务单位对“三支一扶”人员满意度", "≥90%", Q, "≥", "90", "%"),
    ],
}


def _check(text, name, kind, operator, value, unit, note=None):
    t = parse_target(text, name)
    assert t.raw == text
    assert t.kind == kind, t
    assert t.operator == operator, t
    assert t.value == (None if value is None else Decimal(value)), t
    assert t.unit == unit, t
    if note is not None:
        assert t.note == note, t
    assert t.problem is None, t


@pytest.mark.parametrize("text,kind,operator,value,unit,note", SEED_TARGETS)
def test_seed_target(text, kind, operator, value, unit, note):
    _check(text, "", kind, operator, value, unit, note)


def test_table_holds_every_seed_target_in_order():
    form = load_form(EXAMPLE)
    assert [i.target for i in form.indicators] == [row[0] for row in SEED_TARGETS]
    assert len(SEED_TARGETS) == 55


@pytest.mark.parametrize(
    "name,text,kind,operator,value,unit",
    [row for rows in REAL_TARGETS.values() for row in rows],
)
def test_real_workbook_target(name, text, kind, operator, value, unit):
    _check(text, name, kind, operator, value, unit)


@pytest.mark.parametrize("filename", sorted(REAL_TARGETS))
def test_table_holds_every_real_target(filename):
    """The table above is every (name, target) the reader finds in the real workbook, as shown."""
    path = REAL / filename
    if not path.is_file():
        pytest.skip(f"real workbook not found at {path} (../shared is not beside this checkout)")
    from budgetxl.read import read_workbook

    form = read_workbook(path).form
    found = [(i.name, i.target) for i in form.indicators if not i.is_placeholder]
    assert found == [(row[0], row[1]) for row in REAL_TARGETS[filename]]


@pytest.mark.parametrize(
    "text,operator,value,unit",
    [
        ("≧98%", "≥", "98", "%"),
        ("≦5%", "≤", "5", "%"),
        ("＝100％", "=", "100", "%"),
        (">=90%", "≥", "90", "%"),
        ("<=3天", "≤", "3", "天"),
        ("＞０", ">", "0", ""),
        ("<10宗", "<", "10", "宗"),
        ("不低于95%", "≥", "95", "%"),
        ("不高于5%", "≤", "5", "%"),
        ("不少于 1,800 人", "≥", "1800", "人"),
        ("不超过30个工作日", "≤", "30", "个工作日"),
        ("95%以上", "≥", "95", "%"),
        ("20次或以上", "≥", "20", "次"),
        ("20次及以上", "≥", "20", "次"),
        ("3天以内", "≤", "3", "天"),
        ("10%以下", "≤", "10", "%"),
        ("≥４次以上", "≥", "4", "次"),
        ("１２，０００家次", None, "12000", "家次"),
        ("达到100%", None, "100", "%"),
        ("≥ 0.5 万人", "≥", "0.5", "万人"),
        ("≥98.50%", "≥", "98.5", "%"),
        ("30台", None, "30", "台"),
    ],
)
def test_operators_numbers_and_units(text, operator, value, unit):
    _check(text, "", Q, operator, value, unit)


@pytest.mark.parametrize(
    "name,text,unit,from_name",
    [
        ("城镇新增就业人数（人）", "50000", "人", True),
        ("城镇新增就业人数（万人）", "1.2", "万人", True),
        ("后勤工作购买服务成本节约率（%）", "5", "%", True),
        ("后勤工作购买服务成本节约率（%）", "≥5%", "%", False),
        ("扶持创业企业（项目）个数", "350", "", False),
        ("城镇新增就业人数(人)", "50000人", "人", False),
    ],
)
def test_unit_from_the_indicator_name(name, text, unit, from_name):
    t = parse_target(text, name)
    assert (t.kind, t.unit, t.unit_from_name) == (Q, unit, from_name)


def test_wan_stays_in_the_unit_and_base_folds_it():
    t = parse_target("≥8万套次")
    assert (t.value, t.unit) == (Decimal(8), "万套次")
    assert t.base() == (Decimal(80000), "套次")
    assert parse_target("≥80000套次").base() == (Decimal(80000), "套次")
    assert parse_target("5000万元").base() == (Decimal(5000), "万元")
    assert parse_target("≥1.5亿元").base() == (Decimal(150000000), "元")
    assert parse_target("良好").base() == (None, "")


@pytest.mark.parametrize(
    "text,problem_part",
    [
        ("≥9O%", "9O"),
        ("l00%", "l00"),
        ("≥95O", "95O"),
        ("≥1.2.5万人", "1.2.5"),
        ("≥", "≥"),
        ("≥%", "≥"),
        ("> 十次", ">"),
    ],
)
def test_unreadable_numbers_are_reported(text, problem_part):
    t = parse_target(text)
    assert t.kind == QL and t.value is None
    assert t.problem and problem_part in t.problem


@pytest.mark.parametrize(
    "text", ["通过ISO9001认证", "良好以上", "不低于上年度水平", "按时完成任务", "", "  "]
)
def test_words_are_not_unreadable_numbers(text):
    t = parse_target(text)
    assert (t.kind, t.problem, t.value, t.operator) == (QL, None, None, None)


@pytest.mark.parametrize(
    "text,kind",
    [
        ("工程按期完成率=（按时完工工程量/总工程量）", F),
        ("实际完成数/计划完成数", F),
        ("完成率=实际完成数÷计划数×100%", QL),
        ("1", Q),
    ],
)
def test_formula_only(text, kind):
    assert parse_target(text).kind == kind


def test_note_keeps_its_own_punctuation():
    t = parse_target("100%（根据单位正常运转，未发生重大工作停顿情况衡量）")
    assert t.note == "根据单位正常运转，未发生重大工作停顿情况衡量"


def test_describe():
    assert parse_target("≥95%（a/b）").describe() == "≥ 95 %"
    assert parse_target("良好以上").describe() == "定性"
    assert parse_target("a=b/c").describe() == "只有公式"


def test_helpers():
    assert unit_in_name("城镇新增就业人数（人）") == "人"
    assert unit_in_name("扶持创业企业（项目）数") == ""
    assert unit_in_name("") == ""
    assert has_number("目标４次") and not has_number("良好以上")

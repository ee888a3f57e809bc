"""A blank template filled in as a person would, re-saved by LibreOffice, reads back exactly.

The person types only where the protected sheet lets them, picks 一级/二级 from the drop-downs,
inserts rows where a block is too short and leaves other rows empty; LibreOffice then opens and
re-saves the workbook (recomputing every formula), and `read_workbook` must give exactly the
Form that was meant: typed values, pre-filled values, and one placeholder for each 二级指标
left empty (the reader keeps an empty 二级 block that way).
"""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from budgetxl.formulas import summed_ranges
from budgetxl.layout import load_layout
from budgetxl.model import form_from_data, load_form
from budgetxl.read import read_workbook
from budgetxl.render.template import make_template
from budgetxl.render.template_texts import template_texts

from template_filling import Person

pytestmark = pytest.mark.soffice

FRAMEWORK_2015 = [
    ("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"), ("产出指标", "成本指标"),
    ("效益指标", "经济效益指标"), ("效益指标", "社会效益指标"), ("效益指标", "生态效益指标"),
    ("效益指标", "可持续影响指标"), ("满意度指标", "服务对象满意度指标"),
]


def columns(key: str, layout: str | None = None) -> dict[str, str]:
    """Field → column letter of a block of the layout (a template's columns are the layout's);
    a field the block has twice (the two sides' amounts) is named left./right. already."""
    block = next(b for b in load_layout(layout).blocks if b.key == key)
    return {c.field: get_column_letter(c0 + 1) for c, (c0, _) in zip(block.column_map, block.positions)}


BUDGET = columns("budget")
TASK = columns("tasks_key")
IND = columns("indicators")
ZTASK, ZIND = columns("tasks_key", "zhanjiang"), columns("indicators", "zhanjiang")
CHECK = get_column_letter(load_layout(None).ncols + 1)  # the balance check beside the budget's 合计


def placeholder(l1: str, l2: str) -> dict:
    return {"level1": l1, "level2": l2, "name": "", "target": ""}


def fill_guangdong(path):
    """The 2024 template of 某某市某某局 filled in: what the person did, and the Form they meant."""
    p = Person(path)
    ws = p.ws
    # 预算整体情况: 基本支出 and 财政拨款 came pre-filled (and locked); the rest is typed.
    budget = p.row_of("部门预算支出")
    assert not p.is_input(f"{BUDGET['left.amount']}{budget + 1}") and ws[f"{BUDGET['left.amount']}{budget + 1}"].value == 100
    p.type(f"{BUDGET['left.amount']}{budget + 2}", 50)
    p.type(f"{BUDGET['right.amount']}{budget + 2}", 0)
    goal = p.row_of("总体绩效目标")
    p.type(f"{TASK['name']}{goal}", "目标1：完成年度重点工作。\n目标2：群众满意度不低于90%。")

    # 年度重点工作任务: five empty rows offered, six tasks to write: one row inserted inside the block
    header = p.row_of("名称")
    total = p.row_of("合计", col=2, after=header)
    assert total - header - 1 == template_texts().rows.tasks_key
    p.insert_row(total - 1)
    tasks = [(f"任务{i}", f"内容{i}", Decimal(i * 10) + Decimal("0.5"), f"目标{i}") for i in range(1, 7)]
    for k, (name, content, funds, goal_text) in enumerate(tasks):
        r = header + 1 + k
        p.type(f"{TASK['name']}{r}", name)
        p.type(f"{TASK['content']}{r}", content)
        p.type(f"{TASK['funds']}{r}", float(funds))
        p.type(f"{TASK['goal']}{r}", goal_text)
    # 其他需完成的任务 left empty.

    # 绩效指标: drop-downs in every row; 数量指标 needs a third row: inserted and picked.
    ind = p.row_of("一级指标")
    first = p.row_of("数量指标", col=3, after=ind)
    p.type(f"{IND['name']}{first}", "走访重点企业")
    p.type(f"{IND['target']}{first}", "≥90家")
    p.type(f"{IND['name']}{first + 1}", "举办培训班")
    p.type(f"{IND['target']}{first + 1}", "12期")
    p.insert_row(first + 2)
    assert ws[f"{IND['level1']}{first + 2}"].value is None  # an inserted row is empty, with its drop-downs
    p.pick(f"{IND['level1']}{first + 2}", "产出指标")
    assert p.options(f"{IND['level2']}{first + 2}") == ["数量指标", "质量指标", "时效指标", "成本指标"]
    p.pick(f"{IND['level2']}{first + 2}", "数量指标")
    p.type(f"{IND['name']}{first + 2}", "培训人次")
    p.type(f"{IND['target']}{first + 2}", "≥3000人次")
    quality = p.row_of("质量指标", col=3, after=ind)
    p.type(f"{IND['name']}{quality}", "补贴发放准确率")
    p.type(f"{IND['target']}{quality}", "100%")
    social = p.row_of("社会效益指标", col=3, after=ind)
    p.type(f"{IND['name']}{social + 1}", "政务公开完成率")  # the group's second row; its first left empty
    p.type(f"{IND['target']}{social + 1}", "100%")
    satisfied = p.row_of("服务对象满意度指标", col=3, after=ind)
    p.pick(f"{IND['level1']}{satisfied}", "满意度指标")  # picked again from the list: the same value
    p.type(f"{IND['name']}{satisfied}", "群众满意度")
    p.type(f"{IND['target']}{satisfied}", 0.95)  # a number typed, the cell formatted as a percentage
    ws[f"{IND['target']}{satisfied}"].number_format = "0%"
    p.save()

    indicators = [
        {"level1": "产出指标", "level2": "数量指标", "name": "走访重点企业", "target": "≥90家"},
        {"level1": "产出指标", "level2": "数量指标", "name": "举办培训班", "target": "12期"},
        {"level1": "产出指标", "level2": "数量指标", "name": "培训人次", "target": "≥3000人次"},
        {"level1": "产出指标", "level2": "质量指标", "name": "补贴发放准确率", "target": "100%"},
        placeholder("产出指标", "时效指标"),
        placeholder("产出指标", "成本指标"),
        placeholder("效益指标", "经济效益指标"),
        {"level1": "效益指标", "level2": "社会效益指标", "name": "政务公开完成率", "target": "100%"},
        placeholder("效益指标", "生态效益指标"),
        placeholder("效益指标", "可持续影响指标"),
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "群众满意度", "target": "95%"},
    ]
    meant = form_from_data({
        "year": 2024,
        "unit_name": "某某市某某局",
        "budget": {
            "expenditures": [{"name": "基本支出", "amount": "100"}, {"name": "项目支出", "amount": "50"}],
            "revenues": [{"name": "财政拨款", "amount": "150"}, {"name": "其他资金", "amount": "0"}],
        },
        "overall_goal": "目标1：完成年度重点工作。\n目标2：群众满意度不低于90%。",
        "tasks": [{"group": "key", "name": n, "content": c, "funds": str(f), "goal": g} for n, c, f, g in tasks],
        "indicators": indicators,
    })
    return meant


def test_filled_template_reads_back_exactly_after_libreoffice(tmp_path, soffice):
    path = make_template(tmp_path / "t.xlsx", "某某市某某局", 2024, amounts={"基本支出": "100", "财政拨款": "150"})
    meant = fill_guangdong(path)
    resaved = soffice(path, "xlsx", tmp_path / "lo")
    result = read_workbook(resaved)
    assert result.form == meant
    assert result.findings == ()
    # the 合计 formulas grew with the inserted row, and LibreOffice computed them
    assert summed_ranges(result.formulas["tasks.key.total"]) == [f"{TASK['funds']}9:{TASK['funds']}14"]
    values = openpyxl.load_workbook(resaved, data_only=True).worksheets[0]
    p = Person(resaved)
    total = p.row_of("合计", col=2, after=p.row_of("名称"))
    assert Decimal(str(values[f"{TASK['funds']}{total}"].value)) == sum(t.funds for t in meant.tasks)
    budget_total = p.row_of("合计", col=2)
    assert values[f"{BUDGET['left.amount']}{budget_total}"].value == 150
    assert values[f"{BUDGET['right.amount']}{budget_total}"].value == 150
    assert values[f"{CHECK}{budget_total}"].value == template_texts().check.ok


def test_untouched_template_reads_back_as_its_seed_with_empty_groups(tmp_path, soffice):
    """Nothing typed: the pre-filled values, no tasks, and one placeholder per 二级 of the framework."""
    path = make_template(tmp_path / "blank.xlsx", "某某市某某局", 2024, framework="2021")
    form = read_workbook(soffice(path, "xlsx", tmp_path / "lo")).form
    assert form.tasks == ()
    assert all(ln.amount is None for ln in (*form.budget.expenditures, *form.budget.revenues))
    assert [(i.level1, i.level2) for i in form.indicators] == [
        ("成本指标", "经济成本指标"), ("成本指标", "社会成本指标"), ("成本指标", "生态环境成本指标"),
        ("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"),
        ("效益指标", "经济效益指标"), ("效益指标", "社会效益指标"), ("效益指标", "生态效益指标"),
        ("效益指标", "可持续影响指标"), ("满意度指标", "服务对象满意度指标"),
    ]
    assert all(i.is_placeholder for i in form.indicators)


def test_unbalanced_budget_turns_the_check_red_and_still_reads_cleanly(tmp_path, soffice):
    path = make_template(tmp_path / "t.xlsx", "某某局", 2024, amounts={"基本支出": "100", "财政拨款": "100"})
    p = Person(path)
    budget = p.row_of("部门预算支出")
    p.type(f"{BUDGET['left.amount']}{budget + 2}", 30)  # 项目支出 typed, the revenue side not
    p.save()
    resaved = soffice(path, "xlsx", tmp_path / "lo")
    wb = openpyxl.load_workbook(resaved, data_only=True)
    ws = wb.worksheets[0]
    total = budget + 3
    assert ws[f"{CHECK}{total}"].value == template_texts().check.bad
    rules = [r for cf in ws.conditional_formatting for r in cf.rules if f"{CHECK}{total}" in cf.sqref]
    assert rules and "ROUND" in rules[0].formula[0]
    result = read_workbook(resaved)
    assert result.findings == ()  # the check beside 合计 is no stray content
    assert [ln.amount for ln in result.form.budget.expenditures] == [Decimal(100), Decimal(30)]


def test_dropdowns_resolve_in_libreoffice(tmp_path, soffice):
    """The Chinese defined names and INDIRECT survive a LibreOffice re-save and evaluate there."""
    path = make_template(tmp_path / "t.xlsx", "某某局", 2024)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws["H1"] = "=ROWS(一级指标)"
    ws["H2"] = '=INDEX(INDIRECT("效益指标"),4)'
    ws["H3"] = "=ROWS(INDIRECT(B20))"  # B20: the first 一级 cell (产出指标)
    assert ws["B20"].value == "产出指标"
    wb.save(path)
    resaved = soffice(path, "xlsx", tmp_path / "lo")
    values = openpyxl.load_workbook(resaved, data_only=True).worksheets[0]
    assert (values["H1"].value, values["H2"].value, values["H3"].value) == (3, "可持续影响指标", 4)
    after = Person(resaved)
    assert after.ws.protection.sheet and after.ws.protection.insertRows is False  # still allowed
    assert after.options("C30") == after.named_values(after.ws["B30"].value)
    assert after.wb[template_texts().sheets.lists].sheet_state == "hidden"


def test_rolled_forward_real_table_reads_back_with_new_amounts(tmp_path, soffice, real_dir):
    """湛江's 2024 table rolled forward to 2025: its tasks and indicators come pre-filled, amounts
    blank; the department types the new amounts and one indicator into an empty 二级 group."""
    previous = read_workbook(real_dir / "zhanjiang-hrss-2024.xlsx").form
    path = make_template(tmp_path / "z.xlsx", previous.unit_name, 2025, previous=previous)
    p = Person(path)
    budget = p.row_of("部门预算支出")
    zbudget = columns("budget", "zhanjiang")
    for ref, value in ((zbudget["left.amount"], 10000), (zbudget["right.amount"], 10000)):
        p.type(f"{ref}{budget + 1}", value)
    header = p.row_of("名称")
    for k, funds in enumerate((18000, 600, 1200)):
        p.type(f"{ZTASK['funds']}{header + 1 + k}", funds)
    social = p.row_of("社会效益指标", col=3, after=p.row_of("一级指标"))
    p.type(f"{ZIND['name']}{social}", "政策知晓率")
    p.type(f"{ZIND['target']}{social}", "≥85%")
    p.save()
    form = read_workbook(soffice(path, "xlsx", tmp_path / "lo")).form
    assert form.layout == "zhanjiang" and form.year == 2025 and form.unit_name == previous.unit_name
    assert form.basic_info == previous.basic_info
    assert [ln.amount for ln in form.budget.expenditures] == [Decimal(10000), None]
    assert [s.left_heading for s in form.budget.sections] == ["事业发展性支出"]
    assert all(ln.amount is None for s in form.budget.sections for ln in (*s.left, *s.right))
    assert form.overall_goal == previous.overall_goal
    assert [(t.name, t.content, t.goal) for t in form.tasks] == [(t.name, t.content, t.goal) for t in previous.tasks]
    assert [t.funds for t in form.tasks] == [Decimal(18000), Decimal(600), Decimal(1200)]
    real = [(i.name, i.target) for i in previous.indicators if not i.is_placeholder]
    got = [(i.name, i.target) for i in form.indicators if not i.is_placeholder]
    assert sorted(got) == sorted(real + [("政策知晓率", "≥85%")])
    # 服务对象 written as the drop-down's 服务对象满意度指标; the mislabelled 效益/质量 kept, after 效益's groups
    pairs = list(dict.fromkeys((i.level1, i.level2) for i in form.indicators))
    assert pairs == FRAMEWORK_2015[:8] + [("效益指标", "质量指标"), ("满意度指标", "服务对象满意度指标")]


def test_template_from_a_yaml_of_last_year(tmp_path, soffice, seed_form):
    """The bundled 2023 example (YAML) rolled forward: 54 indicators back in framework order."""
    src = tmp_path / "last.yaml"
    src.write_text(seed_form.to_yaml(), encoding="utf-8")
    path = make_template(tmp_path / "f.xlsx", seed_form.unit_name, 2024, previous=load_form(src))
    form = read_workbook(soffice(path, "xlsx", tmp_path / "lo")).form
    assert [t.name for t in form.tasks] == [t.name for t in seed_form.tasks]
    assert all(t.funds is None for t in form.tasks)
    assert {(i.name, i.target) for i in form.indicators if not i.is_placeholder} == {
        (i.name, i.target) for i in seed_form.indicators if not i.is_placeholder}

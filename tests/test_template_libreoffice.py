"""A template in LibreOffice, driven through LibreOffice's own API (tests/lo_uno.py): rows inserted
as 填表说明 instructs on the protected sheet, the file saved and opened again, values typed, and
LibreOffice itself asked what it holds — merged labels, the 二级 drop-downs' rule in every row
(its own validation marking invalid cells), totals it computed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from xlsxwriter.utility import xl_rowcol_to_cell

from budgetxl.read import read_workbook
from budgetxl.render.template import build_template, make_template

pytestmark = pytest.mark.soffice

UNIT, YEAR = "某某市某某局", 2024
AMOUNTS = {"基本支出": "100", "财政拨款": "150"}


def a1(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col)


def columns(block) -> dict[str, int]:
    """Field → first physical column of a block's column map."""
    return {c.field: p[0] for c, p in zip(block.column_map, block.positions)}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lo")
    tplan, _, _ = build_template(UNIT, YEAR, amounts=AMOUNTS)
    path = make_template(folder / "t.xlsx", UNIT, YEAR, amounts=AMOUNTS)
    return tplan, path


def test_rows_inserted_in_libreoffice_keep_labels_and_each_rows_dropdown(template, tmp_path, lo_uno):
    """Rows inserted between the empty rows of the task block, of the first 二级 group and at the
    border of two 一级 groups, as 填表说明 says; saved and opened again: every label still merged over its block, each
    二级 drop-down follows the 一级 of its own row (no cell invalid; one wrong pick is found), and
    budgetxl reads the typed rows back."""
    tplan, path = template
    plan = tplan.plan
    layout = plan.layout
    ind_cols = columns(layout.indicators_block)
    task_cols = columns(layout.task_block("key"))
    tasks_first, _ = tplan.input_rows["tasks_key"]
    ind_first, ind_last = tplan.input_rows["indicators"]
    c1, c2 = ind_cols["level1"], ind_cols["level2"]
    values = {r: plan.cell_at(r, c1).value for r in range(ind_first, ind_last + 1)}
    benefit = next(r for r in range(ind_first, ind_last + 1) if values[r] == "效益指标")
    # inserted bottom-up, so that each index is the template's own row
    inserts = [benefit, ind_first + 1, tasks_first + 1]

    def moved(row: int) -> int:
        return row + sum(1 for i in inserts if i <= row)

    new_task, new_first, new_benefit = moved(tasks_first + 1) - 1, moved(ind_first + 1) - 1, moved(benefit) - 1
    resaved = tmp_path / "inserted.xlsx"
    typed = tmp_path / "typed.xlsx"
    cells = {
        a1(new_task, task_cols["name"]): "新增的任务", a1(new_task, task_cols["content"]): "内容",
        a1(new_task, task_cols["funds"]): 12.5, a1(new_task, task_cols["goal"]): "目标",
        a1(new_first, c1): "产出指标", a1(new_first, c2): "数量指标",
        a1(new_first, ind_cols["name"]): "培训人次", a1(new_first, ind_cols["target"]): "≥3000人次",
        a1(new_benefit, c1): "效益指标", a1(new_benefit, c2): "经济效益指标",
        a1(new_benefit, ind_cols["name"]): "带动就业", a1(new_benefit, ind_cols["target"]): "≥100人",
        a1(moved(benefit), c2): "社会效益指标",  # the group's own first row: another 二级 of 效益指标
    }
    wrong = a1(moved(benefit) + 1, c2)  # 效益指标's row with 产出指标's 数量指标
    results = lo_uno([
        {"open": str(path)}, {"protected": 0},
        *({"insert_rows": [0, row, 1]} for row in inserts),
        {"save": str(resaved)}, {"close": None},
        {"open": str(resaved)}, {"protected": 0},
        {"merges": [0, 0, moved(ind_last) + 2]},
        {"validations": [0, c2, moved(ind_first), moved(ind_last)]},
        {"set": [0, cells]}, {"invalid": 0}, {"save": str(typed)},
        {"set": [0, {wrong: "数量指标"}]}, {"invalid": 0},
    ])
    assert results[1] is True and results[8] is True  # protected, before and after
    merges, rules, invalid, invalid_after = results[9], results[10], results[12], results[15]
    labels = [b for b in plan.blocks if b.last_row > b.first_row and plan.cell_at(b.first_row, 0).style.startswith("label")]
    expected = sorted([moved(b.first_row), moved(b.last_row)] for b in labels)
    assert merges == expected
    letter = xl_rowcol_to_cell(0, c1).rstrip("1")
    assert {tuple(r) for r in rules} == {("LIST", f"INDIRECT(INDEX(${letter}:${letter};ROW()))")}
    assert len(rules) == ind_last - ind_first + 1 + 2  # every row, the two inserted ones too
    assert invalid == []
    assert invalid_after == [wrong]

    form = read_workbook(typed).form
    assert [(t.name, t.funds) for t in form.tasks] == [("新增的任务", Decimal("12.5"))]
    named = {(i.level1, i.level2, i.name, i.target) for i in form.indicators if not i.is_placeholder}
    assert named == {("产出指标", "数量指标", "培训人次", "≥3000人次"), ("效益指标", "经济效益指标", "带动就业", "≥100人")}


def test_block_labels_refuse_other_text_in_libreoffice(template, tmp_path, lo_uno):
    """The labels are unlocked so that their merge grows; their rule keeps the text: LibreOffice
    finds nothing wrong with a label as written, and marks one typed over."""
    tplan, path = template
    plan = tplan.plan
    first = plan.block("indicators").first_row
    results = lo_uno([{"open": str(path)}, {"invalid": 0}, {"set": [0, {a1(first, 0): "指标"}]}, {"invalid": 0}])
    assert results[1] == [] and results[3] == [a1(first, 0)]


def test_totals_count_amounts_typed_as_text_in_libreoffice(template, tmp_path, lo_uno):
    """Funds typed as text ("1,800", full-width, with 万元, with spaces) beside numbers: the 合计
    LibreOffice computes is the sum budgetxl reads, and check says nothing; the budget's balance
    check counts a text amount too. The same sheet with a plain =SUM total (as templates had it)
    shows less, and check names the text cells (BX123)."""
    from budgetxl.rules import check_workbook

    tplan, path = template
    plan = tplan.plan
    layout = plan.layout
    task_cols = columns(layout.task_block("key"))
    first, last = tplan.input_rows["tasks_key"]
    funds = task_cols["funds"]
    total = next(f for f in plan.formulas if f.col == funds and f.row == last + 1)
    typed = ["1,800", 300, "５０", "1800万元", " 20 "]
    cells = {}
    for k, value in enumerate(typed):
        row = first + k
        cells[a1(row, task_cols["name"])] = f"任务{k + 1}"
        cells[a1(row, funds)] = value
    budget = layout.budget_block
    pairs = {c.field: p[0] for c, p in zip(budget.column_map, budget.positions)}
    lines = plan.block("budget").first_row + 1
    cells[a1(lines + 1, pairs["left.amount"])] = "3,970"  # 项目支出, as text: 100 + 3970 = 150 + 3920
    cells[a1(lines + 1, pairs["right.amount"])] = 3920
    good, plain = tmp_path / "good.xlsx", tmp_path / "plain.xlsx"
    sum_range = f"{a1(first, funds)}:{a1(last, funds)}"
    results = lo_uno([
        {"open": str(path)}, {"set": [0, cells]}, {"recalc": None},
        {"values": [0, [a1(total.row, total.col), a1(*tplan.check_cell)]]}, {"save": str(good)},
    ])
    shown, check = results[3]
    assert shown == 3970  # 1800 + 300 + 50 + 1800 + 20
    assert check == "✓ 收支平衡"
    report = check_workbook(good)
    assert "BX123" not in report.codes() and "BX122" not in report.codes()
    assert report.codes().count("BX107") == 0

    # the same sheet with a plain SUM, as the templates had it: LibreOffice adds the numbers only
    replaced = lo_uno([{"open": str(good)}, {"unprotect": 0},
                       {"set_formula": [0, {a1(total.row, total.col): f"=SUM({sum_range})"}]},
                       {"recalc": None}, {"values": [0, [a1(total.row, total.col)]]}, {"save": str(plain)}])
    assert replaced[4] == [300]
    report = check_workbook(plain)
    (finding,) = [f for f in report.findings if f.code == "BX123"]
    assert finding.cell == a1(total.row, total.col) and finding.field == "tasks.key.total"
    text_cells = [a1(first + k, funds) for k, v in enumerate(typed) if isinstance(v, str)]
    assert "、".join(text_cells) in finding.message and "3970" in finding.message and "300" in finding.message

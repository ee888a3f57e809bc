"""The renderer: the plan, the workbook as openpyxl sees it, formula injection, byte stability."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import openpyxl
import pytest

from budgetxl.errors import InputError
from budgetxl.layout import load_layout
from budgetxl.model import form_from_data
from budgetxl.read import read_workbook
from budgetxl.render import plan_form, render_form
from budgetxl.text import column_px, text_height_pt


def test_plan_blocks_and_vertical_merges(seed_form):
    plan = plan_form(seed_form)
    keys = [b.key for b in plan.blocks]
    assert keys == ["title", "unit", "budget", "overall_goal", "tasks_key", "tasks_other", "indicators"]
    ind = plan.block("indicators")
    assert ind.header_row == ind.first_row
    assert ind.last_row - ind.header_row == 55
    first = ind.header_row + 1
    # 产出指标 over 41 rows (25 + 9 + 6 + 1), 数量指标 over the first 25
    assert plan.cell_at(first, 1).value == "产出指标"
    assert (first, 1, first + 40, 1) in plan.merges
    assert (first, 2, first + 24, 2) in plan.merges
    assert plan.cell_at(first + 25, 2).value == "质量指标"
    # section labels merged over their whole block
    other = plan.block("tasks_other")
    assert (other.first_row, 0, other.last_row, 0) in plan.merges
    assert other.last_row - other.first_row + 1 == 12


def test_plan_maps_fields_to_cells(seed_form):
    cells = plan_form(seed_form).field_cells()
    assert cells["unit_name"] == (1, 1)
    _, col = cells["tasks[0].funds"]
    assert col == 4  # 名称 spans B:C, 主要实施内容 D, the funds E
    assert cells["indicators[54].target"][1] == 4  # 一级 B, 二级 C, 三级 D, 指标值 E:G


def test_row_heights_fit_the_wrapped_text(seed_form):
    plan = plan_form(seed_form)
    px = [column_px(w) for w in plan.col_widths]
    for cell in plan.cells:
        if not isinstance(cell.value, str) or cell.style == "title":
            continue
        width = sum(px[cell.col : cell.last_col + 1])
        have = sum(plan.row_heights[cell.row : cell.last_row + 1])
        assert have + 0.05 >= text_height_pt(cell.value, width, 10), (cell.field, cell.value[:20])


@pytest.mark.parametrize("text", ["短", "中" * 12, "中" * 13, "a\tb", "甲\n乙", "x" * 30, "≥95%（实际/计划）" * 3, ""])
@pytest.mark.parametrize(("col", "last_col"), [(0, 0), (1, 1), (2, 2), (1, 4)])
def test_cell_needs_answer_as_text_height_does(text, col, last_col):
    # the planner answers one-line texts itself; it must agree with the text metrics everywhere
    from budgetxl.render.plan import PlanCell, cell_needs
    from budgetxl.render.styles import font_size, indent_px

    layout = load_layout(None)
    px = [column_px(w) for w in layout.columns]
    for style in ("text", "title", "header"):
        cell = PlanCell(0, col, text, style, 0, last_col)
        want = text_height_pt(text, sum(px[col : last_col + 1]), font_size(style, layout))
        assert cell_needs([cell], layout) == [want]
    amount = PlanCell(0, col, Decimal("10891.615675"), "amount", 0, last_col)
    room = sum(px[col : last_col + 1]) - indent_px("amount", layout)  # less the indent off the border
    assert indent_px("amount", layout) == 21 * layout.amount_indent == 21
    assert cell_needs([amount], layout) == [text_height_pt("10891.61567500", room, 10)]


def test_a_merged_label_taller_than_its_rows_spreads_its_height():
    data = {
        "year": 2023, "unit_name": "单位", "overall_goal": "g",
        "budget": {"expenditures": [], "revenues": []},
        "tasks": [{"group": "other", "name": "甲"}],
        "indicators": [],
    }
    plan = plan_form(form_from_data(data))
    other = plan.block("tasks_other")
    label = plan.cell_at(other.first_row, 0)
    need = text_height_pt(label.value, column_px(plan.col_widths[0]), 10)
    assert sum(plan.row_heights[other.first_row : other.last_row + 1]) >= need - 0.05


def test_workbook_as_openpyxl_reads_it(tmp_path, seed_form):
    out = render_form(seed_form, tmp_path / "f.xlsx")
    ws = openpyxl.load_workbook(out).active
    assert ws.title == load_layout().sheet_name
    assert ws["A1"].value == "部门整体预算绩效目标表（2023年）"
    assert "A1:G1" in ws.merged_cells
    assert ws["A2"].value == "单位名称" and ws["B2"].value == "广州市海珠区人民政府凤阳街道办事处"
    assert "B2:G2" in ws.merged_cells
    # budget amounts are numbers with two decimals
    assert ws["D4"].value == pytest.approx(8997.98) and ws["D4"].number_format == "0.00"
    assert ws["G4"].value == pytest.approx(18694.16)
    assert ws["G5"].value == 0
    assert ws["A1"].font.name == "宋体" and ws["A1"].font.b
    assert ws["B7"].value == "名称" and ws["B7"].border.left.style == "thin"
    # print settings: A4 portrait, one page wide, footer with page numbers
    assert ws.page_setup.paperSize == 9
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the default, left out of the XML
    assert ws.page_setup.fitToHeight == 0
    assert "&P" in ws.oddFooter.center.text
    assert ws.print_options.horizontalCentered
    # row heights are written explicitly
    assert all(ws.row_dimensions[r].height for r in range(1, ws.max_row + 1))


def test_more_decimals_show_with_the_forms_two_decimals_and_stay_exact(tmp_path):
    data = {
        "year": 2024, "unit_name": "单位", "overall_goal": "g",
        "budget": {"expenditures": [{"name": "基本支出", "amount": "10891.615675"}], "revenues": []},
    }
    out = render_form(form_from_data(data), tmp_path / "d.xlsx")
    ws = openpyxl.load_workbook(out).active
    cell = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, float))
    assert cell.number_format == "0.00"  # shows 10891.62, as every other amount of the form
    assert Decimal(repr(cell.value)) == Decimal("10891.615675")
    assert read_workbook(out).form.budget.expenditures[0].amount == Decimal("10891.615675")


@pytest.mark.parametrize("text", ["=1+1", "@SUM(A1)", "+86 123", "-5", "=HYPERLINK(\"http://x\",\"y\")", "1800", "0012"])
def test_user_text_is_never_a_formula_or_number(tmp_path, text):
    data = {
        "year": 2023, "unit_name": text, "overall_goal": text,
        "budget": {"expenditures": [], "revenues": []},
        "tasks": [{"group": "key", "name": text, "content": text, "goal": text}],
        "indicators": [{"level1": text, "level2": text, "name": text, "target": text}],
    }
    out = render_form(form_from_data(data), tmp_path / "x.xlsx")
    ws = openpyxl.load_workbook(out).active
    hits = [c for row in ws.iter_rows() for c in row if c.value == text]
    assert len(hits) >= 8
    assert all(c.data_type == "s" for c in hits)


def test_output_is_byte_stable(tmp_path, seed_form):
    a = render_form(seed_form, tmp_path / "a.xlsx").read_bytes()
    b = render_form(seed_form, tmp_path / "b.xlsx").read_bytes()
    assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest()


def test_text_beyond_excel_cell_limit_is_refused_before_writing(tmp_path):
    data = {
        "year": 2023, "unit_name": "u", "overall_goal": "目标",
        "budget": {"expenditures": [], "revenues": []},
        "tasks": [{"name": "任务", "content": "长" * 40000}],
    }
    target = tmp_path / "long.xlsx"
    with pytest.raises(InputError, match=r"tasks\[0\].content.*32767"):
        render_form(form_from_data(data), target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_goal_longer_than_a_cell_holds_is_spread_and_reads_back(tmp_path):
    data = {"year": 2023, "unit_name": "u", "overall_goal": "长" * 40000, "budget": {}}
    form = form_from_data(data)
    assert read_workbook(render_form(form, tmp_path / "long.xlsx")).form == form

"""The widths of the form's columns, as a clerk reads the printed table: the indicator columns as
wide as their content needs (a narrow 一级, about 5 characters of 二级, 12 or more of 三级, 24 of
指标值), the task block as readable as before, block labels broken between words, amounts kept
off the borders, and no more pages than before."""

from __future__ import annotations

import subprocess

import openpyxl
import pytest

from budgetxl.layout import load_layout
from budgetxl.model import load_form
from budgetxl.render import paginate, plan_form, render_form
from budgetxl.render.plan import SheetBuilder
from budgetxl.text import PX_PER_PT, break_label, column_px, text_px, wrap_count

from conftest import SEED

SIZE = 10  # the form's font size (宋体 10)
SEED_PAGES = 4  # pages of the bundled example before the indicator columns were given their widths


def chars(width_px: float) -> int:
    """Chinese characters a line of a cell `width_px` wide holds at the form's size."""
    return int((width_px - 6) // (SIZE * PX_PER_PT))


def block_chars(layout, key: str) -> dict[str, int]:
    """Characters a line holds in each column of a block, by field."""
    b = SheetBuilder(layout)
    block = next(x for x in layout.blocks if x.key == key)
    return {c.field: chars(b.width_px(c0, c1)) for c, (c0, c1) in zip(block.column_map, block.positions)}


@pytest.mark.parametrize("name", ["guangdong", "zhanjiang"])
def test_indicator_columns_are_as_wide_as_their_content(name):
    layout = load_layout(name)
    ind = block_chars(layout, "indicators")
    # 一级 narrow but 满意度指标 on one line; 二级 社会效益指标; 三级 a dozen or more; 指标值 two dozen.
    assert ind["level1"] == 5
    assert ind["level2"] == 6
    assert ind["name"] >= 12 and ind["target"] >= 24
    assert ind["level1"] < ind["level2"] < ind["name"] < ind["target"]
    total = sum(ind.values())
    assert (ind["level1"] + ind["level2"]) / total < 0.25  # was 40 % of the width
    assert ind["target"] / ind["name"] == pytest.approx(24 / 12, rel=0.25)  # the published proportions
    # The longest 一级 and the usual 二级 labels fit their lines (no word broken in two).
    b = SheetBuilder(layout)
    (l1, _), (l2, _), *_ = layout.indicators_block.positions
    # (no 满意度指 / 标, 社会效益指 / 标 with one character alone on the second line).
    assert wrap_count("满意度指标", b.width_px(l1, l1), SIZE) == 1
    for level2 in ("数量指标", "社会效益指标", "经济效益指标", "生态效益指标"):
        assert wrap_count(level2, b.width_px(l2, l2), SIZE) == 1


@pytest.mark.parametrize("name", ["guangdong", "zhanjiang"])
def test_the_task_block_keeps_readable_columns(name):
    layout = load_layout(name)
    tasks = block_chars(layout, "tasks_key")
    # As wide as (or wider than) before the change: 名称 8, 主要实施内容 13, 目标 17 characters a line.
    assert tasks["name"] >= 9 and tasks["content"] >= 13 and tasks["goal"] >= 17
    # The funds column shows a six-figure amount with its decimals and the indent (never ###).
    b = SheetBuilder(layout)
    block = next(x for x in layout.blocks if x.key == "tasks_key")
    col = next(c0 for c, (c0, _) in zip(block.column_map, block.positions) if c.field == "funds")
    room = b.width_px(col, col) - 6 - 21
    assert text_px("123456.78", SIZE) < room
    # The whole form stays as wide as it was: the same print scale.
    assert sum(layout.columns) == 105


@pytest.mark.parametrize("width_chars", [12, 10, 8])
def test_block_labels_break_between_words(width_chars):
    """At column A's width (12) and narrower ones: 年度重点 / 工作任务, never 年度重点工 / 作任务;
    预算整体情况 on one line where it fits, else 预算 / 整体情况 — never 预算整体情 / 况."""
    px = column_px(width_chars)
    key = break_label("年度重点工作任务", px, SIZE)
    assert key.split("\n") == ["年度重点", "工作任务"]
    budget = break_label("预算整体情况", px, SIZE).split("\n")
    assert budget == (["预算整体情况"] if width_chars == 12 else ["预算", "整体情况"])
    for label in ("其他需完成的任务（可选填）", "总体绩效目标", "年度部门整体支出预算（万元）", "部门（单位）名称",
                  "部门整体支出年度绩效目标", "拟投入的资金（万元）"):
        lines = break_label(label, px, SIZE).split("\n")
        assert "".join(lines) == label
        assert all(len(line) >= 2 for line in lines), lines  # never one character alone
        assert all(wrap_count(line, px, SIZE) == 1 for line in lines), lines  # each line fits: no wrap inside
        assert not any(line.startswith(("）", "元")) for line in lines), lines  # brackets kept whole


def test_the_widths_in_use_are_column_a_of_the_default_layout():
    layout = load_layout()
    assert column_px(layout.columns[0]) == column_px(12)
    a = column_px(layout.columns[0])
    assert break_label("年度重点工作任务", a, SIZE) == "年度重点\n工作任务"
    assert break_label("预算整体情况", a, SIZE) == "预算整体情况"


def test_rendered_labels_break_between_words_and_amounts_have_padding(tmp_path):
    ws = openpyxl.load_workbook(render_form(load_form(SEED), tmp_path / "f.xlsx")).active
    labels = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert "年度重点\n工作任务" in labels and "预算整体情况" in labels
    a_px = column_px(ws.column_dimensions["A"].width)
    for label in labels:
        if label.startswith("部门整体预算绩效目标表"):
            continue  # the title, across the whole row
        for line in label.split("\n"):
            assert len(line) >= 2 and wrap_count(line, a_px, SIZE) == 1, label
    # Amounts right-aligned one indent in from the border.
    amounts = [c for row in ws.iter_rows() for c in row if isinstance(c.value, float | int) and c.value != 0]
    assert amounts and all(c.alignment.horizontal == "right" and c.alignment.indent == 1 for c in amounts)
    assert load_layout().amount_indent == 1
    # The indicator columns of the sheet: 三级 wider than 一级 and 二级 together.
    widths = [ws.column_dimensions[letter].width for letter in "BCD"]
    assert widths[2] > widths[0] + widths[1]


def test_the_example_plans_no_more_pages_than_before():
    assert len(paginate(plan_form(load_form(SEED))).pages) <= SEED_PAGES


@pytest.mark.soffice
def test_the_example_prints_on_no_more_pages_than_before(tmp_path, soffice):
    from budgetxl.pdf import export_pdf

    pdf = export_pdf(SEED, tmp_path / "seed.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages <= SEED_PAGES
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    assert "(A4)" in size

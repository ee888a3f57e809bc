"""Texts too long for one spreadsheet row (409 pt at most): a block's text is spread over rows of
its own so that all of it prints, and reads back exactly; check warns about texts longer than a
page and about cells that cannot print whole."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from budgetxl.model import load_form
from budgetxl.read import read_workbook
from budgetxl.render import render_form
from budgetxl.render.plan import MAX_ROW_PT
from budgetxl.rules import validate
from budgetxl.text import CONTINUED, clean_text, column_px, join_rows, split_to_rows, text_height_pt

ROOT = Path(__file__).resolve().parents[1]
WIDTH = float(sum(column_px(w) for w in (17, 25, 20, 33)))  # the goal's cell in the default layout
ALPHABET = "全年完成各项工作任务确保资金安全有效使用提高群众满意度"


def long_goal(n: int, marker: str = "") -> str:
    body = "".join(ALPHABET[(i * 7) % len(ALPHABET)] for i in range(n))
    return marker + body


@given(st.text(st.sampled_from(list(ALPHABET) + list("ab 12%\n")), max_size=3000))
def test_split_rows_fit_and_join_back(text):
    text = clean_text(text)
    parts = split_to_rows(text, WIDTH, 10, MAX_ROW_PT)
    assert join_rows(parts) == text
    for part in parts:
        assert text_height_pt(part.removeprefix(CONTINUED), WIDTH, 10) <= MAX_ROW_PT + 20  # a blank line may ride along


def test_the_word_joiner_never_reaches_the_model(seed_form):
    assert clean_text(f"甲{CONTINUED}乙") == "甲乙"
    assert seed_form.model_copy(update={"overall_goal": f"{CONTINUED}目标"}).overall_goal == f"{CONTINUED}目标"
    from budgetxl.model import Form

    data = seed_form.to_data()
    data["overall_goal"] = f"{CONTINUED}目标"
    assert Form.model_validate(data).overall_goal == "目标"


@pytest.mark.parametrize("with_breaks", [False, True])
def test_a_goal_of_four_thousand_characters_is_spread_and_reads_back(tmp_path, seed_form, with_breaks):
    goal = long_goal(4000)
    if with_breaks:
        goal = "\n".join(goal[i : i + 700] for i in range(0, 4000, 700))
    form = seed_form.model_copy(update={"overall_goal": goal})
    path = render_form(form, tmp_path / "long.xlsx")
    ws = openpyxl.load_workbook(path).active
    rows = [r for r in range(1, ws.max_row + 1) if isinstance(ws.cell(r, 2).value, str) and ALPHABET[0] in ws.cell(r, 2).value]
    assert len(rows) >= 3
    assert all(ws.row_dimensions[r].height <= 409 for r in rows)
    for r in rows:  # every part under the label (merged over the parts of each printed page)
        top = next((m.min_row for m in ws.merged_cells.ranges if m.min_col == 1 and m.min_row <= r <= m.max_row), r)
        assert ws.cell(top, 1).value == "总体绩效目标"
    result = read_workbook(path)
    assert result.form == form and not result.findings
    assert result.cells["overall_goal"] == f"B{rows[0]}"


@pytest.mark.soffice
def test_every_character_of_a_long_goal_prints(tmp_path, seed_form, soffice):
    goal = long_goal(4000, marker="开始")
    form = seed_form.model_copy(update={"overall_goal": goal + "结束"})
    pdf = soffice(render_form(form, tmp_path / "long.xlsx"), "pdf", tmp_path / "pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = text.replace("总体绩效目标", "")  # the label, written again at the top of each page
    printed = "".join(re.findall(f"[{ALPHABET}开始结束]", text.replace("\n", "")))
    start = printed.index("开始")
    assert printed[start : start + len(goal) + 2] == goal + "结束"


def test_check_warns_about_texts_longer_than_a_page_and_cells_taller_than_a_row(seed_form):
    form = seed_form.model_copy(update={"overall_goal": long_goal(4000)})
    (finding,) = [f for f in validate(form).findings if f.code == "BX130"]
    assert finding.field == "overall_goal" and "4000" in finding.message
    task = seed_form.tasks[0].model_copy(update={"content": "实施" * 500})
    form = seed_form.model_copy(update={"tasks": (task, *seed_form.tasks[1:])})
    (finding,) = [f for f in validate(form).findings if f.code == "BX131"]
    assert finding.field == "tasks[0].content" and "前" in finding.message
    assert not {"BX130", "BX131"} & set(validate(seed_form).codes())


def test_seed_example_has_no_long_text_warning():
    assert not {"BX130", "BX131"} & set(validate(load_form(ROOT / "inputs" / "fengyang-2023.yaml")).codes())

"""Pagination: pages computed from row heights and the paper, checked against the rules of the
published tables (no split row, no stranded header, labels repeated at breaks, the indicator
header at the top of every continuation page), and read back to the same Form."""

from __future__ import annotations

import itertools
import math

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgetxl.errors import LayoutError
from budgetxl.layout import load_layout
from budgetxl.model import form_from_data
from budgetxl.read import read_workbook
from budgetxl.render import PageGeometry, page_geometry, paginate, plan_form, render_form, write_plan
from budgetxl.render.pages import FILL
from budgetxl.render.plan import Plan, cell_height_need

from conftest import examples

LABEL_STYLES = {"label", "level"}


def page_of(plan: Plan, row: int):
    return next(p for p in plan.pages if p.first_row <= row <= p.last_row)


def first_content_row(page) -> int:
    return page.first_content_row


def check_pages(paged: Plan, flat: Plan, capacity: float) -> None:
    """Every rule the printed form must keep, checked on the paginated plan."""
    pages = paged.pages
    layout = paged.layout
    # Pages cover every printed row once, in order; breaks are the first rows of pages 2..n.
    assert pages[0].first_row == 0 and pages[-1].last_row == paged.print_rows - 1
    for a, b in itertools.pairwise(pages):
        assert b.first_row == a.last_row + 1
    assert paged.breaks == tuple(p.first_row for p in pages[1:])
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    for page in pages:
        rows = range(page.first_row, page.last_row + 1)
        assert page.height == pytest.approx(sum(paged.row_heights[r] for r in rows), abs=0.05)
        # A page is over-full only when it holds a single unit that cannot be split.
        if page.height > capacity + 0.01:
            assert page.last_row - first_content_row(page) <= 1, page
    header_rows = {c.row for c in paged.cells if c.style in ("header", "title")}
    for page in pages[:-1]:
        assert page.last_row not in header_rows, f"a header row ends page {page.number}"
    for cell in paged.cells:
        # No merged cell crosses a page break.
        assert page_of(paged, cell.row) is page_of(paged, cell.last_row), cell
        # Every label part is tall enough for its text.
        if isinstance(cell.value, str) and cell.value:
            have = sum(paged.row_heights[cell.row : cell.last_row + 1])
            assert have + 0.05 >= cell_height_need(cell, layout), (cell.value, have)
    # The same values in the same order: removing the repeated rows and labels gives the plan back.
    ind = flat.block("indicators")
    for page in pages:
        if page.repeated_header_row is not None:
            assert ind is not None and page.first_row > 0
            assert page.repeated_rows == ind.header_row - (ind.heading_row or ind.header_row) + 1
            header = page.first_content_row - 1  # the column header, under the headings if any
            got = [paged.cell_at(header, c).value.replace("\n", "")
                   for c, _ in layout.indicators_block.positions]
            assert got == list(layout.indicators_block.header_texts().values())
            assert paged.cell_at(page.first_row, 0).value.replace("\n", "") == layout.indicators_block.label
    # Map printed rows back to the plan's rows and compare every cell there.
    src_of: dict[int, int] = {}
    for page in pages:
        for row in range(first_content_row(page), page.last_row + 1):
            src_of[row] = len(src_of)
    assert len(src_of) == flat.print_rows
    for row, src in src_of.items():
        for col in range(layout.ncols):
            want, got = flat.cell_at(src, col), paged.cell_at(row, col)
            assert (want is None) == (got is None)
            if want is not None:
                assert got.value == want.value and got.style == want.style, (src, col)
    # Continuation pages of the indicator block start with the header; other pages do not.
    for page in pages[1:]:
        src = src_of[first_content_row(page)]
        continues = ind is not None and ind.header_row is not None and ind.header_row < src <= ind.last_row
        assert (page.repeated_header_row is not None) == continues, page
    # Field cells: each field once, on the cell the plan put it (the first part of a merge).
    flat_fields = flat.field_cells()
    assert sorted(paged.field_cells()) == sorted(flat_fields)
    for fld, (row, col) in paged.field_cells().items():
        assert (src_of[row], col) == flat_fields[fld], fld


def break_inside_labels(paged: Plan):
    """(page, column, label) for every label written again at the top of a page."""
    for page in paged.pages[1:]:
        top = first_content_row(page)
        for col in range(paged.layout.ncols):
            cell = paged.cell_at(top, col)
            above = paged.cell_at(page.first_row - 1, col)
            if cell and above and cell.style in LABEL_STYLES and cell.value and cell.value == above.value:
                yield page, col, cell.value


# ---------------------------------------------------------------------------------------------
# Geometry


def test_a4_portrait_geometry_from_the_layout():
    layout = load_layout()
    g = page_geometry(layout)
    assert g.printable_width == pytest.approx(595.28 - 72, abs=0.05)  # A4 less 0.5 in each side
    assert g.printable_height == pytest.approx(841.89 - 0.6 * 72 - 0.7 * 72, abs=0.05)
    assert tuple(layout.columns) == (12, 10, 12, 26, 13, 11, 21)
    assert g.content_width == pytest.approx(sum(w * 7 + 5 for w in layout.columns) * 0.75)
    assert g.scale == pytest.approx(g.printable_width / g.content_width)
    assert g.capacity == pytest.approx(g.printable_height / g.scale * FILL)


def test_landscape_and_narrow_columns_and_unknown_paper():
    layout = load_layout()
    wide = layout.model_copy(update={"page": layout.page.model_copy(update={"landscape": True})})
    g = page_geometry(wide)
    assert g.printable_width > g.printable_height
    assert g.scale == 1.0  # columns narrower than the paper are not enlarged
    narrow = layout.model_copy(update={"columns": (5, 5, 5, 5, 5)})
    assert page_geometry(narrow).scale == 1.0
    odd = layout.model_copy(update={"page": layout.page.model_copy(update={"paper": 77})})
    with pytest.raises(LayoutError, match="纸张代码 77"):
        page_geometry(odd)


# ---------------------------------------------------------------------------------------------
# The seed


def test_seed_pages_keep_every_rule(seed_form):
    flat = plan_form(seed_form)
    paged = paginate(flat)
    capacity = page_geometry(flat.layout).capacity
    check_pages(paged, flat, capacity)
    assert 2 <= len(paged.pages) <= math.ceil(sum(paged.row_heights) / capacity) + 1
    # Like the published table: 其他需完成的任务（可选填） and 产出指标/数量指标 carry on over a break.
    repeated = {(col, value.replace("\n", "")) for _, col, value in break_inside_labels(paged)}
    assert (0, "其他需完成的任务（可选填）") in repeated
    assert (0, "绩效指标") in repeated and (1, "产出指标") in repeated
    assert sum(1 for p in paged.pages if p.repeated_header_row is not None) >= 1
    # Pages are filled: every page but the last holds more than half a page.
    for page in paged.pages[:-1]:
        assert page.height > capacity / 2


def test_paginate_is_idempotent_and_leaves_the_flat_plan_alone(seed_form):
    flat = plan_form(seed_form)
    paged = paginate(flat)
    assert flat.pages == () and flat.breaks == ()
    assert paginate(paged) is paged


def test_workbook_carries_the_page_breaks_and_reads_back(tmp_path, seed_form):
    paged = paginate(plan_form(seed_form))
    out = render_form(seed_form, tmp_path / "seed.xlsx")
    ws = openpyxl.load_workbook(out).active
    breaks = [b.id for b in ws.row_breaks.brk]
    assert breaks == list(paged.breaks)  # a break below 1-based row id = above 0-based row id
    assert ws.max_row == paged.print_rows
    for page in paged.pages:
        if page.repeated_header_row is not None:
            assert ws.cell(page.first_row + 1, 2).value == "一级指标"
    result = read_workbook(out)
    assert result.form == seed_form
    assert not [f for f in result.findings if f.code == "BX020"]


# ---------------------------------------------------------------------------------------------
# Forced breaks: a tiny page puts a break exactly where a rule must act


def geometry_for(plan: Plan, height: float) -> PageGeometry:
    g = page_geometry(plan.layout)
    return PageGeometry(g.content_width, height / FILL, g.content_width)  # scale 1, capacity = height


def test_a_header_row_is_never_the_last_row_of_a_page(seed_form):
    flat = plan_form(seed_form)
    ind = flat.block("indicators")
    # A page that would end exactly after the indicator header row.
    height = sum(flat.row_heights[: ind.header_row + 1]) + 1
    paged = paginate(flat, geometry_for(flat, height))
    check_pages(paged, flat, height)
    header = paged.block("indicators").header_row
    assert page_of(paged, header).first_row == header, "the header moved to the next page with its rows"
    assert page_of(paged, header).repeated_header_row is None


def test_small_pages_repeat_every_label_and_read_back(tmp_path, seed_form):
    flat = plan_form(seed_form)
    for height in (180, 250, 400):
        paged = paginate(flat, geometry_for(flat, height))
        check_pages(paged, flat, height)
        labels = {value.replace("\n", "") for _, col, value in break_inside_labels(paged)}
        assert {"年度重点工作任务", "其他需完成的任务（可选填）", "绩效指标", "产出指标", "数量指标"} <= labels
        out = write_plan(paged, tmp_path / f"small-{height}.xlsx")
        result = read_workbook(out)
        assert result.form == seed_form
        assert not [f for f in result.findings if f.code == "BX020"]


def test_a_continuation_part_of_a_tall_label_grows_to_fit():
    """A break leaves one short row under 其他需完成的任务（可选填）: that part grows so the label shows."""
    data = {
        "year": 2023, "unit_name": "单位", "overall_goal": "目标",
        "budget": {"expenditures": [], "revenues": []},
        "tasks": [{"group": "other", "name": f"任务{i}", "content": "内容", "funds": "1", "goal": "目标"} for i in range(30)],
    }
    flat = plan_form(form_from_data(data))
    other = flat.block("tasks_other")
    height = sum(flat.row_heights[: other.last_row]) + 1  # the last task goes to page 2 on its own
    paged = paginate(flat, geometry_for(flat, height))
    check_pages(paged, flat, height)
    second = paged.pages[1]
    part = paged.cell_at(second.first_row, 0)
    assert part.value == "其他需完成的\n任务\n（可选填）" and part.row == part.last_row == second.first_row
    need = cell_height_need(part, paged.layout)
    assert flat.row_heights[other.last_row] < need <= paged.row_heights[second.first_row] + 0.05
    parts = [c for c in paged.cells if c.value == part.value]
    assert len(parts) == 2


# ---------------------------------------------------------------------------------------------
# Generated forms on generated pages

LEVELS = [("产出指标", ["数量指标", "质量指标", "时效指标"]), ("效益指标", ["社会效益指标", "经济效益指标"]),
          ("满意度指标", ["服务对象满意度指标"])]
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
words = st.text(st.one_of(CJK, st.sampled_from(list("，。（）%≥0123456789 \n"))), max_size=90)


@st.composite
def forms(draw):
    tasks = [
        {"group": draw(st.sampled_from(["key", "other"])), "name": draw(words), "content": draw(words),
         "funds": str(draw(st.integers(0, 10**6))), "goal": draw(words)}
        for _ in range(draw(st.integers(0, 14)))
    ]
    tasks.sort(key=lambda t: t["group"] != "key")
    indicators = []
    for _ in range(draw(st.integers(0, 8))):
        l1, l2s = draw(st.sampled_from(LEVELS))
        l2 = draw(st.sampled_from(l2s))
        for _ in range(draw(st.integers(0, 9))):
            indicators.append({"level1": l1, "level2": l2, "name": draw(words) or "指标", "target": draw(words) or "100%"})
    data = {
        "year": 2024, "unit_name": "测试单位", "overall_goal": draw(words) or "目标",
        "budget": {"expenditures": [{"name": "基本支出", "amount": "1"}], "revenues": [{"name": "财政拨款", "amount": "1"}]},
        "tasks": tasks, "indicators": indicators,
        "notes": draw(st.lists(words.filter(lambda s: s.strip()), max_size=2)),
    }
    return form_from_data(data)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(form=forms(), height=st.floats(120, 900))
def test_generated_forms_on_any_page_height_keep_every_rule(form, height):
    flat = plan_form(form)
    paged = paginate(flat, geometry_for(flat, height))
    check_pages(paged, flat, height)


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(form=forms(), height=st.floats(150, 500))
def test_generated_paginated_workbooks_read_back_to_the_same_form(tmp_path_factory, form, height):
    flat = plan_form(form)
    paged = paginate(flat, geometry_for(flat, height))
    out = write_plan(paged, tmp_path_factory.mktemp("pages") / "g.xlsx")
    assert read_workbook(out).form == form


# ---------------------------------------------------------------------------------------------
# A header of two rows: a project's two indicator trees under their headings


def long_project_form():
    """The central project example with each tree four times as long (every name made unique),
    so that its indicators run over three pages."""
    from budgetxl.datafile import read_data_file
    from budgetxl.resources import example_input

    data = read_data_file(example_input().parent / "central-project-2024.yaml", "示例")
    for fld in ("period_indicators", "indicators"):
        rows = data[fld]
        data[fld] = [dict(x, name=f"{x['name']}（{k}）") for x in rows for k in range(4)]
    return form_from_data(data)


def test_a_project_continuation_page_repeats_the_headings_over_the_header(tmp_path):
    form = long_project_form()
    flat = plan_form(form)
    paged = paginate(flat)
    check_pages(paged, flat, page_geometry(paged.layout).capacity)
    block = paged.layout.indicators_block
    headings = [s.heading for s in block.sets]
    continued = [p for p in paged.pages if p.repeated_header_row is not None]
    assert len(continued) >= 2
    for page in continued:
        # which tree is which stays said on every page: the headings, then the column header
        assert page.repeated_rows == 2
        assert [paged.cell_at(page.first_row, block.set_positions(s)[0][0]).value
                for s in range(len(block.sets))] == headings
        assert paged.cell_at(page.first_row + 1, block.set_positions(1)[0][0]).value == "一级指标"
    # the written workbook reads back to the same form, every cell read
    out = render_form(form, tmp_path / "project.xlsx")
    ws = openpyxl.load_workbook(out).active
    for page in continued:
        assert ws.cell(page.first_row + 1, block.set_positions(0)[0][0] + 1).value == headings[0]
    result = read_workbook(out)
    assert result.form == form
    assert not [f for f in result.findings if f.severity == "error"], result.findings
    assert not [f for f in result.findings if f.code == "BX020"]

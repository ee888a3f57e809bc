"""Templates print as the rendered form does: laid out on pages (render.pages) with their empty
rows, the indicator header and the block label written again on a continuation page, and every
drop-down, rule, total and check moved with its rows; filled on every page, they read back."""

from __future__ import annotations

import subprocess
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula
from xlsxwriter.utility import xl_rowcol_to_cell

from budgetxl.formulas import summed_ranges
from budgetxl.layout import load_layout
from budgetxl.read import read_workbook
from budgetxl.render.pages import paginate_rows, printed_runs
from budgetxl.render.plan import Plan
from budgetxl.render.project_template import build_project_template, write_project_template
from budgetxl.render.selfeval_template import make_selfeval_template
from budgetxl.render.template import build_template, write_template
from budgetxl.render.template_plan import formula_text, moved_refs
from printed import printed_text

from template_filling import Person

LAYOUTS = ("guangdong", "zhanjiang", "central", "jiangxi", "guangxi")
ROWS = 6  # empty rows under every 二级: the indicator block spans pages in every layout


def a1(row: int, col: int) -> str:
    return str(xl_rowcol_to_cell(row, col))


def repeated_rows(plan: Plan) -> set[int]:
    """The rows a continuation page repeats (the header, under its headings if it has them)."""
    return {r for p in plan.pages for r in range(p.first_row, p.first_content_row)}


def typed_rows(tplan, key: str) -> list[int]:
    first, last = tplan.input_rows[key]
    return [r for r in range(first, last + 1) if r not in repeated_rows(tplan.plan)]


def columns(block) -> dict[str, int]:
    return {c.field: c0 for c, (c0, _) in zip(block.column_map, block.positions)}


def page_of(plan: Plan, row: int):
    return next(p for p in plan.pages if p.first_row <= row <= p.last_row)


@pytest.fixture(scope="module", params=LAYOUTS)
def written(request, tmp_path_factory):
    tplan, seed, counts = build_template("某某市某某局", 2025, layout=request.param, rows=ROWS)
    path = write_template(tplan, seed, tmp_path_factory.mktemp("pages") / f"{request.param}.xlsx", rows=counts)
    return tplan, path


def test_a_template_whose_indicators_span_pages_repeats_header_and_label(written):
    tplan, path = written
    plan, layout = tplan.plan, tplan.plan.layout
    block = layout.indicators_block
    first, last = tplan.input_rows[block.key]
    continued = [p for p in plan.pages if p.repeated_header_row is not None]
    assert continued and all(first < p.first_row <= last for p in continued)
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert [b.id for b in ws.row_breaks.brk] == list(plan.breaks)  # a break above each page's first row
    header = plan.block(block.key).header_row
    header_values = [ws.cell(header + 1, c + 1).value for c in range(layout.ncols)]
    merges = {str(m) for m in ws.merged_cells.ranges}
    for page in continued:
        row = page.first_row
        # the header again, on the sheet as in the plan, locked and without a drop-down
        assert [ws.cell(row + 1, c + 1).value for c in range(1, layout.ncols)] == header_values[1:]
        assert ws.cell(row + 1, 2).protection.locked is not False
        # the block's label continues: written again over the page's part of the block
        label = plan.cell_at(row, 0)
        assert label is not None and label.value == block.label == ws.cell(row + 1, 1).value
        assert label.row == row and page_of(plan, label.last_row) is page
        if label.last_row > label.row:
            assert f"{a1(label.row, 0)}:{a1(label.last_row, 0)}" in merges
    # no merged cell crosses a page break on the sheet
    starts = [p.first_row + 1 for p in plan.pages]
    for m in ws.merged_cells.ranges:
        assert not any(m.min_row < s <= m.max_row for s in starts), m


def test_every_dropdown_and_rule_applies_to_the_right_rows_after_pagination(written):
    tplan, path = written
    plan, layout = tplan.plan, tplan.plan.layout
    fw = tplan.framework
    block = layout.indicators_block
    cols = columns(block)
    c1, c2 = cols["level1"], cols["level2"]
    p = Person(path)
    rows = typed_rows(tplan, block.key)
    assert len(rows) == ROWS * len(fw.pairs)
    for r in rows:
        l1, l2 = plan.cell_at(r, c1).value, plan.cell_at(r, c2).value
        assert p.ws[a1(r, c1)].value == l1 and p.ws[a1(r, c2)].value == l2
        assert p.options(a1(r, c1)) == list(fw.level1)
        assert p.options(a1(r, c2)) == list(fw.level2(l1))  # the 一级 of its own row
        for fld in ("name", "target"):
            assert p.is_input(a1(r, cols[fld]))
    for r in repeated_rows(plan):
        for c in range(layout.ncols):
            assert p.validation_at(a1(r, c)) is None or c == 0  # column A: the label's own rule
    # the rules written cover exactly the rows of the plan's rules, and a label's rule is its own
    for v in tplan.validations:
        for r in range(v.first_row, v.last_row + 1):
            assert r not in repeated_rows(plan) or v.kind == "custom"
            assert p.validation_at(a1(r, v.col)) is not None
    for cell in (c for c in plan.cells if c.style == "label_open"):
        rule = p.validation_at(a1(cell.row, 0))
        assert rule.type == "custom" and rule.formula1 == f"INDEX($A:$A,ROW())={formula_text(cell.value)}"
    # grey repeated labels restart on a new page: the first row after the header shows its 一级
    for h in tplan.highlights:
        if h.style == "repeat_label":
            assert not any(h.first_row <= r <= h.last_row for r in repeated_rows(plan))


def test_totals_sum_their_blocks_rows_and_the_check_names_its_row(written):
    tplan, path = written
    plan = tplan.plan
    ws = openpyxl.load_workbook(path).worksheets[0]
    for block in plan.layout.blocks_of("table"):
        total = next((f for f in plan.formulas if f.sum_of and plan.block(block.key).first_row <= f.row
                      <= plan.block(block.key).last_row + 1), None)
        if total is None:
            continue
        rows = typed_rows(tplan, block.key)
        col = columns(block)["funds"]
        value = ws.cell(total.row + 1, total.col + 1).value
        text = value.text if isinstance(value, ArrayFormula) else value
        runs: list[list[int]] = []
        for r in rows:  # the typed rows in runs of consecutive rows
            if runs and r == runs[-1][-1] + 1:
                runs[-1].append(r)
            else:
                runs.append([r])
        expected = [f"{a1(run[0], col)}:{a1(run[-1], col)}" for run in runs]
        assert summed_ranges(text) == expected
    if tplan.check_cell is not None:
        row, col = tplan.check_cell
        check = tplan.formula_at(row, col)
        assert check is not None and f"${row + 1}" in check.formula
        total_cells = [f for f in plan.formulas if f.row == row and f.sum_of]
        assert total_cells  # the check sits beside the budget's 合计 row


def fill_every_page(tplan, path, out):
    """Every other indicator row typed (on every page) and every task row, by openpyxl as a
    person would; returns the saved file and what reading it must give."""
    plan, layout = tplan.plan, tplan.plan.layout
    block = layout.indicators_block
    cols = columns(block)
    p = Person(path)
    pages_used = set()
    typed: list[tuple[str, str, str, str]] = []
    groups: list[tuple[str, str]] = []
    for k, r in enumerate(typed_rows(tplan, block.key)):
        l1, l2 = plan.cell_at(r, cols["level1"]).value, plan.cell_at(r, cols["level2"]).value
        if (l1, l2) not in groups:
            groups.append((l1, l2))
        if k % 2 == 0:  # every other row: some typed on each page, some groups' rows left empty
            name, target = f"指标{k}", f"≥{k}个"
            p.type(a1(r, cols["name"]), name)
            p.type(a1(r, cols["target"]), target)
            typed.append((l1, l2, name, target))
            pages_used.add(page_of(plan, r).number)
    assert len(pages_used) >= 2
    tasks = {}
    for tb in layout.blocks_of("table"):
        tcols = columns(tb)
        group = []
        for k, r in enumerate(typed_rows(tplan, tb.key)):
            p.type(a1(r, tcols["name"]), f"{tb.label}{k}")
            funds = Decimal(10 + k) if "funds" in tcols else None
            if funds is not None:
                p.type(a1(r, tcols["funds"]), int(funds))
            group.append((f"{tb.label}{k}", funds))
        tasks[tb.group] = group
    return p.save(out), typed, groups, tasks


def assert_reads_back(result, typed, groups, tasks) -> None:
    form = result.form
    got = [(i.level1, i.level2, i.name, i.target) for i in form.indicators if not i.is_placeholder]
    assert got == typed
    assert [(i.level1, i.level2) for i in form.indicators] == [
        pair for pair in groups for _ in range(max(1, sum(1 for t in typed if t[:2] == pair)))]
    for group, expected in tasks.items():
        assert [(t.name, t.funds) for t in form.tasks if t.group == group] == expected
    # no finding but notes: that openpyxl saved the totals uncalculated (a spreadsheet computes them)
    # or the unit an amount column was read in (元, converted)
    assert [f for f in result.findings if f.severity != "info"] == []


def test_a_template_filled_on_every_page_reads_back_every_value(written, tmp_path):
    tplan, path = written
    filled, *meant = fill_every_page(tplan, path, tmp_path / "filled.xlsx")
    assert_reads_back(read_workbook(filled), *meant)


@pytest.mark.soffice
def test_a_template_filled_on_every_page_reads_back_after_libreoffice(tmp_path, soffice):
    tplan, seed, counts = build_template("某某市某某局", 2025, layout="guangdong", rows=ROWS)
    path = write_template(tplan, seed, tmp_path / "t.xlsx", rows=counts)
    filled, typed, groups, tasks = fill_every_page(tplan, path, tmp_path / "filled.xlsx")
    resaved = soffice(filled, "xlsx", tmp_path / "lo")
    result = read_workbook(resaved)
    assert_reads_back(result, typed, groups, tasks)
    # LibreOffice computed the 合计 of the task block over its typed rows
    block = tplan.plan.block("tasks_key")
    total = next(f for f in tplan.plan.formulas if f.sum_of and block.first_row <= f.row <= block.last_row + 1)
    values = openpyxl.load_workbook(resaved, data_only=True).worksheets[0]
    computed = values.cell(total.row + 1, total.col + 1).value
    assert Decimal(str(computed)) == sum(f for _, f in tasks["key"] if f is not None)


def test_project_templates_are_paginated_and_read_back(tmp_path):
    for layout in ("central-project", "wuhan-project"):
        tplan, seed, counts = build_project_template("某某市某某局", 2025, layout=layout, rows=ROWS)
        plan = tplan.plan
        assert len(plan.pages) >= 2 and repeated_rows(plan), layout
        path = write_project_template(tplan, seed, tmp_path / f"{layout}.xlsx", rows=counts)
        p = Person(path)
        last_page = plan.pages[-1]
        # one indicator typed on the last page, in the first input column set that has a row there
        first = next(rng[0] for k, rng in tplan.input_rows.items()
                     if rng[0] <= last_page.last_row and rng[1] >= last_page.first_row and k.startswith("indicator"))
        row = max(first, last_page.first_content_row)
        name_col = next(v.col for v in tplan.validations if v.kind == "hint" and v.first_row <= row <= v.last_row)
        assert p.is_input(a1(row, name_col))
        p.type(a1(row, name_col), "末页指标")
        form = read_workbook(p.save(tmp_path / f"{layout}-filled.xlsx")).form
        names = [i.name for name in form.indicator_sets for i in getattr(form, name)]
        assert "末页指标" in names, layout


def test_moved_refs_moves_rows_and_leaves_texts_and_columns():
    where = [0, 1, 2, 4, 5, 7]  # rows 3 and 6 inserted
    assert moved_refs('=IF(COUNTA(C4:C5,$E$4:$E$5)=0,"A4",$C$6-E6)', where) == \
        '=IF(COUNTA(C5:C6,$E$5:$E$6)=0,"A4",$C$8-E8)'
    assert moved_refs("=INDIRECT(INDEX($B:$B,ROW()-1))", where) == "=INDIRECT(INDEX($B:$B,ROW()-1))"
    # a rule over rows 1..5 is cut where row 3 and row 6 were inserted
    assert printed_runs(1, 5, where) == [(1, 2), (4, 5), (7, 7)]


def test_flat_template_and_paginated_template_hold_the_same_input_cells():
    """Pagination only inserts rows: every input cell of the flat plan is on its printed row."""
    tplan, _, _ = build_template("某局", 2025, layout="guangdong", rows=ROWS)
    plan = tplan.plan
    assert plan.pages and plan.breaks
    # paginating again changes nothing
    again, where = paginate_rows(plan)
    assert again is plan and where == list(range(len(plan.row_heights)))
    inputs = [c for c in plan.cells if c.style.startswith("input")]
    assert inputs and not any(c.row in repeated_rows(plan) for c in inputs)


@pytest.mark.soffice
def test_printed_template_pages_start_with_the_header_and_label(tmp_path, soffice):
    tplan, seed, counts = build_template("某某市某某局", 2025, layout="guangdong", rows=ROWS)
    path = write_template(tplan, seed, tmp_path / "t.xlsx", rows=counts)
    pdf = soffice(path, "pdf", tmp_path / "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = [pg for pg in text.split("\f") if pg.strip()]
    form_pages = len(tplan.plan.pages)
    layout = load_layout("guangdong")
    for page in pages[1:form_pages]:
        words = page.split()
        # a continuation page opens with the header; the label (centred beside its rows) is there too
        assert words[:4] == ["一级指标", "二级指标", "三级指标", "指标值"], words[:8]
        assert layout.indicators_block.label in words
    assert "绩效指标" in printed_text(pdf)


def test_a_selfeval_template_over_pages_scores_each_row_and_totals_every_weight(tmp_path, seed_form):
    """Built on the paginated form: each score formula names its own row's cells, the totals
    name every weight and score cell and no repeated header, and it reads back."""
    many = tuple(i.model_copy(update={"name": f"{i.name}{k}"}) for k in range(4) for i in seed_form.indicators)
    targets = seed_form.model_copy(update={"indicators": many})
    tpl = make_selfeval_template(targets, tmp_path / "s.xlsx")
    plan = tpl.plan
    assert len(plan.pages) >= 2 and repeated_rows(plan)
    cells = plan.field_cells()
    formulas = {(f.row, f.col): f for f in plan.formulas}
    weights = []
    for k in range(len(tpl.seed.indicators)):
        weight, actual, score = (cells.get(f"indicators[{k}].{f}") for f in ("weight", "actual", "score"))
        assert weight is not None and weight[0] not in repeated_rows(plan)
        weights.append(weight)
        f = formulas.get(score) if score is not None else None
        if f is not None and f.formula.startswith("=IF(AND(ISNUMBER("):
            assert a1(*actual) in f.formula and a1(*weight) in f.formula
    total = formulas[cells["total_weight"]]
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx").worksheets[0]
    assert ws.cell(cells["total_weight"][0] + 1, cells["total_weight"][1] + 1).value == total.formula
    ranges = total.formula.removeprefix("=SUM(").removesuffix(")").split(",")
    summed = set()
    for rng in ranges:
        first, _, last = rng.partition(":")
        lo, hi = ws[first].row, ws[last or first].row
        summed |= {(r - 1, ws[first].column - 1) for r in range(lo, hi + 1)}
    assert set(weights) <= summed  # every weight, a range cut where the header repeats
    assert not any(r in repeated_rows(plan) for r, _ in summed)
    form = read_workbook(tmp_path / "s.xlsx").form
    assert [i.name for i in form.indicators] == [i.name for i in many]


def test_rows_inserted_in_libreoffice_move_the_page_breaks_with_them(tmp_path, lo_uno):
    """A row inserted in the task block on page 1, as 填表说明 says, pushes every later page
    down by one row: the planned breaks stay above the same rows (the repeated header's)."""
    tplan, seed, counts = build_template("某某市某某局", 2025, layout="guangdong", rows=ROWS)
    path = write_template(tplan, seed, tmp_path / "t.xlsx", rows=counts)
    first, _ = tplan.input_rows["tasks_key"]
    assert first < tplan.plan.breaks[0]
    saved = tmp_path / "inserted.xlsx"
    lo_uno([{"open": str(path)}, {"insert_rows": [0, first + 1, 1]}, {"save": str(saved)}, {"close": None}])
    ws = openpyxl.load_workbook(saved).worksheets[0]
    assert [b.id for b in ws.row_breaks.brk] == [b + 1 for b in tplan.plan.breaks]
    for page in tplan.plan.pages[1:]:
        if page.repeated_header_row is not None:
            assert ws.cell(page.first_row + 2, 2).value == "一级指标"

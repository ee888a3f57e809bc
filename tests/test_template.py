"""Blank templates: the plan, and the workbook as a spreadsheet program sees it (no LibreOffice)."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import openpyxl
import pytest

from budgetxl.errors import InputError
from budgetxl.formulas import amount_sum
from budgetxl.frameworks import get_framework
from budgetxl.layout import load_layout
from budgetxl.model import Indicator
from budgetxl.render import render_form
from budgetxl.render.template import build_template, make_template, template_seed
from budgetxl.render.template_plan import indicator_groups
from budgetxl.render.template_texts import RowCounts, template_texts

from template_filling import Person

INPUT_STYLES = {"input_text", "input_center", "input_amount"}
LOCKED_STYLES = {"title", "label", "header", "text", "text_center", "amount", "total_amount"}


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    path = tmp_path_factory.mktemp("tpl") / "blank.xlsx"
    make_template(path, "某某市某某局", 2024, amounts={"基本支出": "100.5", "财政拨款": "10891.615675"})
    return path


@pytest.fixture(scope="module")
def plan():
    tplan, _, _ = build_template("某某市某某局", 2024, amounts={"基本支出": "100.5", "财政拨款": "10891.615675"})
    return tplan


def typed_rows(tplan, key: str) -> list[int]:
    """The rows of a block a department types in: its input rows without the header repeated at
    the top of a printed page."""
    first, last = tplan.input_rows[key]
    repeated = {r for p in tplan.plan.pages for r in range(p.first_row, p.first_content_row)}
    return [r for r in range(first, last + 1) if r not in repeated]


def cell_ref(row: int, col: int) -> str:
    return f"{chr(65 + col)}{row + 1}"


# ---------------------------------------------------------------------------------------------
# Cells: input or locked


def test_input_cells_are_unlocked_and_shaded_labels_locked(blank, plan):
    ws = openpyxl.load_workbook(blank).worksheets[0]
    inputs = [c for c in plan.plan.cells if c.style in INPUT_STYLES]
    locked = [c for c in plan.plan.cells if c.style in LOCKED_STYLES]
    assert len(inputs) > 60 and len(locked) > 20
    for c in inputs:
        cell = ws[cell_ref(c.row, c.col)]
        assert cell.protection.locked is False, (c.style, cell.coordinate)
        assert cell.fill.fgColor.rgb.endswith("FFF9E6")
    for c in locked:
        cell = ws[cell_ref(c.row, c.col)]
        assert cell.protection.locked is not False, (c.style, cell.coordinate, c.value)
        assert cell.fill.fill_type is None
    assert ws["B2"].value == "某某市某某局" and ws["B2"].protection.locked  # pre-filled and locked


def test_prefilled_amounts_are_locked_and_exact(blank):
    ws = openpyxl.load_workbook(blank).worksheets[0]
    p = Person(blank)
    r = p.row_of("部门预算支出")
    assert ws[f"D{r + 1}"].value == 100.5 and ws[f"D{r + 1}"].protection.locked
    assert ws[f"G{r + 1}"].value == pytest.approx(10891.615675) and ws[f"G{r + 1}"].number_format == "0.00"
    assert p.is_input(f"D{r + 2}") and p.is_input(f"G{r + 2}")  # not given: typed by the department


def test_sheet_protected_without_password_rows_insertable(blank):
    wb = openpyxl.load_workbook(blank)
    ws = wb.worksheets[0]
    assert ws.protection.sheet
    assert ws.protection.insertRows is False and ws.protection.formatRows is False  # False: allowed
    assert ws.protection.deleteColumns and ws.protection.formatCells  # the rest stays protected
    assert not ws.protection.password
    assert all(s.protection.sheet for s in wb.worksheets)


def test_password_protects_every_sheet(tmp_path):
    path = make_template(tmp_path / "p.xlsx", "某局", 2024, password="s3cret")
    wb = openpyxl.load_workbook(path)
    assert all(s.protection.sheet and s.protection.password for s in wb.worksheets)


# ---------------------------------------------------------------------------------------------
# Rows and indicators


def test_empty_rows_per_block_and_per_level2(tmp_path):
    texts = template_texts()
    for rows in (None, 4):
        tplan, _seed, counts = build_template("某局", 2024, rows=rows)
        expected = texts.rows if rows is None else RowCounts.all(4)
        assert counts == expected
        first, last = tplan.input_rows["tasks_key"]
        assert last - first + 1 == expected.tasks_key
        first, last = tplan.input_rows["tasks_other"]
        assert last - first + 1 == expected.tasks_other
        rows = typed_rows(tplan, "indicators")
        fw = get_framework("2015")
        assert len(rows) == expected.indicators * len(fw.pairs)
        pairs = [(tplan.plan.cell_at(r, 1).value, tplan.plan.cell_at(r, 2).value) for r in rows]
        order = [(l1, l2) for l1, l2s in fw.levels for l2 in l2s]
        assert pairs == [p for p in order for _ in range(expected.indicators)]


def test_zero_rows_still_leaves_one_row_to_type_in():
    tplan, _, _ = build_template("某局", 2024, rows=0)
    for key in ("tasks_key", "tasks_other"):
        first, last = tplan.input_rows[key]
        assert last == first
    first, last = tplan.input_rows["indicators"]
    assert last - first + 1 == len(get_framework("2015").pairs)


def test_indicator_groups_follow_the_framework_and_keep_foreign_pairs():
    fw = get_framework("2021")
    items = [
        Indicator(level1="满意度指标", level2="服务对象满意度指标", name="满意度", target="≥90%"),
        Indicator(level1="产出指标", level2="成本指标", name="成本控制", target="≤100万元"),  # 2015's pair
        Indicator(level1="产出指标", level2="数量指标", name="走访", target="90家"),
        Indicator(level1="其他指标", level2="其他", name="自定", target="1"),
        Indicator(level1="产出指标", level2="时效指标"),  # a placeholder: dropped
    ]
    groups = indicator_groups(items, fw)
    pairs = [pair for pair, _ in groups]
    assert pairs[:3] == [("成本指标", "经济成本指标"), ("成本指标", "社会成本指标"), ("成本指标", "生态环境成本指标")]
    assert pairs.index(("产出指标", "成本指标")) == pairs.index(("产出指标", "时效指标")) + 1
    assert pairs[-1] == ("其他指标", "其他")
    assert dict(groups)[("产出指标", "数量指标")] == [(2, items[2])]
    assert dict(groups)[("产出指标", "时效指标")] == []


def test_seed_from_last_year_blanks_amounts_and_standardises_labels(seed_form):
    fw = get_framework("2015")
    seed = template_seed(seed_form.unit_name, 2024, previous=seed_form, framework=fw)
    assert seed.year == 2024 and seed.overall_goal == seed_form.overall_goal
    assert [t.name for t in seed.tasks] == [t.name for t in seed_form.tasks]
    assert all(t.funds is None for t in seed.tasks)
    assert all(ln.amount is None for ln in (*seed.budget.expenditures, *seed.budget.revenues))
    assert all(fw.has(i.level1, i.level2) for i in seed.indicators)
    assert len(seed.indicators) == len([i for i in seed_form.indicators if not i.is_placeholder])


def test_unknown_amount_names_and_bad_amounts_are_refused():
    with pytest.raises(InputError, match="不认识的预算项目"):
        template_seed("某局", 2024, amounts={"基本支岀": "1"})
    with pytest.raises(InputError, match="负数"):
        template_seed("某局", 2024, amounts={"基本支出": "-1"})
    with pytest.raises(InputError, match="单位名称不能为空"):
        build_template("  ", 2024)


# ---------------------------------------------------------------------------------------------
# Drop-downs, validation, hints


def test_dropdown_lists_come_from_the_framework(tmp_path):
    for fid in ("2015", "2021"):
        path = make_template(tmp_path / f"{fid}.xlsx", "某局", 2024, framework=fid)
        p = Person(path)
        fw = get_framework(fid)
        lists = p.wb[template_texts().sheets.lists]
        assert lists.sheet_state == "hidden"
        assert p.named_values(template_texts().level1_list_name) == list(fw.level1)
        for l1 in fw.level1:
            assert p.named_values(l1) == list(fw.level2(l1))
        ind = p.row_of("一级指标")
        for r in range(ind + 1, p.ws.max_row + 1):
            l1 = p.ws[f"B{r}"].value
            if l1 == "一级指标":  # the header again at the top of a printed page: no drop-down there
                assert p.validation_at(f"B{r}") is None and p.validation_at(f"C{r}") is None
                assert not p.is_input(f"B{r}") and r - 1 in {b.id for b in p.ws.row_breaks.brk}
                continue
            assert p.options(f"B{r}") == list(fw.level1)
            assert p.options(f"C{r}") == list(fw.level2(l1))  # dependent on the same row's 一级


def test_rules_over_rows_hold_no_relative_reference_and_survive_insertion(blank, plan):
    """What Excel and WPS read from the file: the 二级 list names the 一级 of the validated cell's
    own row (INDEX over the 一级 column by ROW()), so no program shifting relative references on
    insertion can make it follow the row above; labels over rows a department inserts into are
    unlocked, unshaded, merged over their block and guarded by a rule keeping their text. After
    rows are inserted the way Excel does, every row still offers its own 一级's list."""
    p = Person(blank)
    ind = p.row_of("一级指标")
    level2 = p.validation_at(f"C{ind + 1}")
    assert level2.formula1 == "INDIRECT(INDEX($B:$B,ROW()))"
    first, last = plan.input_rows["indicators"]
    assert str(level2.sqref) == f"C{first + 1}:C{last + 1}"
    conditional = [r.formula[0] for cf in p.ws.conditional_formatting for r in cf.rules if "B" in str(cf.sqref)]
    assert "INDEX($B:$B,ROW())=INDEX($B:$B,ROW()-1)" in conditional
    open_labels = [c for c in plan.plan.cells if c.style == "label_open"]
    # each label broken between words for column A (a line break the reader ignores)
    assert {c.value for c in open_labels} == {"年度重点\n工作任务", "其他需完成的\n任务\n（可选填）", "绩效指标"}
    for c in open_labels:
        ref = cell_ref(c.row, c.col)
        assert p.ws[ref].protection.locked is False and p.ws[ref].fill.fill_type is None and p.ws[ref].font.b
        assert f"{ref}:{cell_ref(c.last_row, c.col)}" in {str(m) for m in p.ws.merged_cells.ranges}
        rule = p.validation_at(ref)
        quoted = "&CHAR(10)&".join(f'"{line}"' for line in c.value.split("\n"))  # the label's line breaks
        assert rule.type == "custom" and rule.formula1 == f"INDEX($A:$A,ROW())={quoted}"
        assert rule.errorStyle in (None, "stop") and rule.error == template_texts().errors.label.message
    locked = [c for c in plan.plan.cells if c.style == "label"]
    assert locked and all(p.ws[cell_ref(c.row, c.col)].protection.locked is not False for c in locked)

    benefit = p.row_of("效益指标", col=2, after=ind)
    p.insert_row(benefit)  # between 产出指标's last row and 效益指标's first
    p.insert_row(ind + 2)  # inside the first group
    for r in range(ind + 1, last + 4):
        l1 = p.ws[f"B{r}"].value or "效益指标"  # the inserted rows are empty: 一级 picked there
        p.ws[f"B{r}"] = l1
        assert p.options(f"C{r}") == p.named_values(l1), r
    assert f"A{ind}:A{last + 3}" in {str(m) for m in p.ws.merged_cells.ranges}


def test_amount_cells_accept_only_numbers_at_least_zero(blank, plan):
    p = Person(blank)
    texts = template_texts()
    amounts = [c for c in plan.plan.cells if c.style == "input_amount"]
    assert len(amounts) == 2 + 5 + 3
    for c in amounts:
        dv = p.validation_at(cell_ref(c.row, c.col))
        assert dv.type == "decimal" and dv.operator == "greaterThanOrEqual" and dv.formula1 == "0"
        assert dv.errorStyle in (None, "stop") and dv.showErrorMessage
        assert "万元" in dv.prompt and dv.prompt == texts.hints.amount.message
        assert dv.error == texts.errors.amount.message


def test_every_input_cell_shows_a_hint_from_the_data_file(blank, plan):
    p = Person(blank)
    texts = template_texts()
    declared = {m.message for m in texts.hints.__dict__.values()}
    for c in plan.plan.cells:
        if c.style in INPUT_STYLES:
            dv = p.validation_at(cell_ref(c.row, c.col))
            assert dv is not None and dv.showInputMessage and dv.prompt in declared, cell_ref(c.row, c.col)
    target = p.validation_at(f"E{p.row_of('一级指标') + 1}")
    assert "≥95%" in target.prompt


# ---------------------------------------------------------------------------------------------
# Totals and the check


def test_totals_are_formulas_carrying_their_value(blank):
    formulas = openpyxl.load_workbook(blank).worksheets[0]
    values = openpyxl.load_workbook(blank, data_only=True).worksheets[0]
    r = Person(blank).row_of("合计", col=2)
    total = formulas[f"D{r}"].value  # an array formula: it counts amounts typed as text too
    assert total.ref == f"D{r}" and total.text == amount_sum([f"D{r - 2}:D{r - 1}"])
    assert values[f"D{r}"].value == 100.5 and values[f"G{r}"].value == pytest.approx(10891.615675)
    assert values[f"H{r}"].value == template_texts().check.bad  # 100.5 ≠ 10891.615675


def test_totals_count_amounts_typed_as_text_as_the_reader_does(tmp_path):
    """Funds typed as text: the template's 合计 (saved by openpyxl without results, so budgetxl
    computes it as a spreadsheet would) is the sum the reader reads, and check is quiet; a plain
    =SUM put back in its place leaves the text out, and check names the cells (BX123)."""
    from budgetxl.read import read_workbook
    from budgetxl.rules import check_workbook

    path = make_template(tmp_path / "t.xlsx", "某局", 2024)
    p = Person(path)
    header = p.row_of("名称")
    for k, funds in enumerate(["1,800", 300, "１５０万元"]):
        p.type(f"B{header + 1 + k}", f"任务{k}")
        p.type(f"E{header + 1 + k}", funds)
    p.save()
    result = read_workbook(path)
    assert [t.funds for t in result.form.tasks] == [Decimal(1800), Decimal(300), Decimal(150)]
    assert result.totals["tasks.key.total"] == Decimal(2250)
    assert result.text_amounts == {"tasks[0].funds", "tasks[2].funds"}
    assert "BX123" not in check_workbook(path).codes()

    total = p.row_of("合计", col=2, after=header)
    p.ws[f"E{total}"] = f"=SUM(E{header + 1}:E{total - 1})"
    p.save()
    (finding,) = [f for f in check_workbook(path).findings if f.code == "BX123"]
    assert finding.cell == f"E{total}" and finding.severity == "warning"
    assert finding.message.startswith("表中合计为 300 万元，而各项金额之和为 2250 万元（相差 1950 万元）")
    assert f"E{header + 1}、E{header + 3} 的金额是以文字形式填写的" in finding.message


@pytest.mark.parametrize("amounts, state", [
    ({}, "pending"),
    ({"基本支出": "60", "项目支出": "40", "财政拨款": "100"}, "ok"),
    ({"基本支出": "60", "财政拨款": "100"}, "bad"),
])
def test_check_value_and_red_rule(amounts, state):
    tplan, _, _ = build_template("某局", 2024, amounts=amounts)
    row, col = tplan.check_cell
    check = tplan.formula_at(row, col)
    assert check.value == getattr(template_texts().check, state)
    assert check.formula.startswith("=IF(COUNTA(")  # an amount typed as text is filled too
    red = [h for h in tplan.highlights if h.style == "check_bad"]
    assert {(h.first_row, h.first_col) for h in red} == {(row, 3), (row, 6), (row, col)}
    assert col == tplan.plan.layout.ncols  # beside the form, outside the printed columns


# ---------------------------------------------------------------------------------------------
# Instructions, printing, stability


def test_instructions_sheet_is_rendered_from_the_jinja_template(blank):
    wb = openpyxl.load_workbook(blank)
    names = wb.sheetnames
    texts = template_texts()
    assert names == [load_layout().sheet_name, texts.sheets.instructions, texts.sheets.lists]
    lines = [c.value for c in wb[texts.sheets.instructions]["A"] if c.value]
    assert lines[0] == "填表说明"
    text = "\n".join(lines)
    assert "某某市某某局" in text and "财预〔2015〕88号" in text
    assert "基本支出、财政拨款" in text  # the amounts the bureau filled in
    assert f"预留了 {texts.rows.tasks_key} 个空行" in text
    assert "产出指标：数量指标、质量指标、时效指标、成本指标" in text


def test_prints_like_the_rendered_form(blank, tmp_path, plan):
    from budgetxl.model import load_form

    from conftest import SEED

    rendered = openpyxl.load_workbook(render_form(load_form(SEED), tmp_path / "r.xlsx")).worksheets[0]
    ws = openpyxl.load_workbook(blank).worksheets[0]
    for attr in ("paperSize", "orientation", "fitToWidth", "fitToHeight"):
        assert getattr(ws.page_setup, attr) == getattr(rendered.page_setup, attr), attr
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.oddFooter.center.text == rendered.oddFooter.center.text
    assert ws.print_options.horizontalCentered == rendered.print_options.horizontalCentered
    for letter in "ABCDEFG":
        assert ws.column_dimensions[letter].width == rendered.column_dimensions[letter].width
    assert ws.print_area.endswith(f"$A$1:$G${plan.plan.print_rows}")


def test_same_input_same_bytes(tmp_path):
    a = make_template(tmp_path / "a.xlsx", "某局", 2024, amounts={"基本支出": "1"})
    b = make_template(tmp_path / "b.xlsx", "某局", 2024, amounts={"基本支出": "1"})
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def test_unit_name_that_looks_like_a_formula_stays_text(tmp_path):
    path = make_template(tmp_path / "f.xlsx", "=HYPERLINK(\"http://x\")", 2024)
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws["B2"].value == "=HYPERLINK(\"http://x\")" and ws["B2"].data_type == "s"


def test_untouched_template_reads_back_without_libreoffice(blank):
    from budgetxl.read import read_workbook

    result = read_workbook(blank)
    assert result.findings == ()
    form = result.form
    assert form.unit_name == "某某市某某局" and form.year == 2024 and form.layout is None
    assert [ln.amount for ln in form.budget.expenditures] == [Decimal("100.5"), None]
    assert form.tasks == () and all(i.is_placeholder for i in form.indicators)
    assert set(result.formulas) == {"budget.expenditures.total", "budget.revenues.total", "tasks.key.total"}


def test_a_batch_on_several_workers_writes_what_one_worker_writes_and_nothing_else(tmp_path) -> None:
    """On several forked workers the batch's first template is made once beforehand, so that the
    workers inherit what it loaded; that template is thrown away: the batch writes the same files,
    byte for byte, as on one worker, and no other file."""
    from budgetxl.render.template import make_templates
    from budgetxl.units import UnitRow

    units = [UnitRow(i + 2, f"某某市第{i + 1}局", {"基本支出": Decimal(i)}) for i in range(5)]
    one = make_templates(units, 2024, tmp_path / "one", jobs=1, progress=False)
    two = make_templates(units, 2024, tmp_path / "two", jobs=2, progress=False)
    assert [p.name for p in one] == [p.name for p in two]
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted(p.name for p in two)
    for a, b in zip(one, two):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one", "two"]  # no work folder left behind

"""The layout grammar across layouts: every layout renders, makes templates and reads back; the
reader finds blocks by structure (a label opens a block only in the label column), so user text
equal to any label, synonym or total word of any layout reads back exactly; a layout with its
columns swapped still round-trips; workbooks laid out by hand in each layout read back."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml

from budgetxl import layout as layout_mod
from budgetxl.blocks.base import get_path
from budgetxl.errors import InputError, ReadError
from budgetxl.formulas import summed_ranges
from budgetxl.layout import all_layouts, available_layouts, load_layout
from budgetxl.model import Budget, BudgetLine, BudgetSection, Form, Indicator, InfoItem, Task, load_form
from budgetxl.read import read_forms, read_workbook
from budgetxl.render import render_form
from budgetxl.render.template import make_template
from budgetxl.rules import check_file
from handmade_layouts import central_workbook, guangxi_workbook, jiangxi_workbook

ROOT = Path(__file__).resolve().parents[1]
NEW_LAYOUTS = ("central", "jiangxi", "guangxi")
EXAMPLES = {name: ROOT / "inputs" / f"{name}-2024.yaml" for name in NEW_LAYOUTS}


def test_every_layout_is_listed():
    assert set(available_layouts()) >= {"guangdong", "zhanjiang", *NEW_LAYOUTS}


# --------------------------------------------------------------------------------------------
# The bundled examples of the new layouts


@pytest.mark.parametrize("name", NEW_LAYOUTS)
def test_example_renders_and_reads_back_in_its_layout(tmp_path, name):
    form = load_form(EXAMPLES[name])
    assert form.layout == name
    result = read_workbook(render_form(form, tmp_path / f"{name}.xlsx"))
    assert result.layout == name
    assert result.form == form
    # nothing to report but, for the layout in 元, the unit its budget was read in
    assert [f.code for f in result.findings] == (["BX019"] if name == "guangxi" else [])
    assert result.units == ({"部门预算安排资金（元）": "元"} if name == "guangxi" else {"年度部门整体支出预算（万元）": "万元"}
                            if name == "central" else result.units)


def test_central_total_is_a_formula_with_its_value(tmp_path):
    form = load_form(EXAMPLES["central"])
    path = render_form(form, tmp_path / "c.xlsx")
    ws = openpyxl.load_workbook(path).active
    header = next(r for r in ws.iter_rows() if any(c.value == "资金总额" for c in r))
    total = next(c for c in header if c.value == "资金总额")
    below = ws.cell(total.row + 1, total.column)
    row = total.row + 1  # 财政拨款 and 其他资金 (two merged columns) beside it, counted as the reader counts
    assert summed_ranges(below.value.text) == [f"C{row}:C{row}", f"D{row}:D{row}"]
    cached = openpyxl.load_workbook(path, data_only=True).active.cell(total.row + 1, total.column).value
    assert Decimal(str(cached)) == Decimal("5350.5")
    assert ws["A2"].value == "（2024年度）"  # the year in the subtitle row


def test_guangxi_amounts_are_written_in_yuan_and_read_back_in_wanyuan(tmp_path):
    form = load_form(EXAMPLES["guangxi"])
    path = render_form(form, tmp_path / "g.xlsx")
    ws = openpyxl.load_workbook(path).active
    values = {ws.cell(r, 2).value: ws.cell(r, 4).value for r in range(1, ws.max_row + 1)}
    assert values["其中：一般公共预算拨款"] == pytest.approx(86501234.56)
    assert values["其他资金"] == 3205000
    assert summed_ranges(values["合计"].text) is not None  # the total counting text amounts too
    assert read_workbook(path).form.budget.revenues[0].amount == Decimal("8650.123456")


@pytest.mark.parametrize("name", NEW_LAYOUTS)
def test_templates_of_each_layout_read_back(tmp_path, name):
    blank = make_template(tmp_path / "blank.xlsx", "某某单位", 2025, layout=name)
    result = read_workbook(blank)
    assert result.layout == name and result.form.unit_name == "某某单位" and result.form.year == 2025
    assert [f.code for f in result.findings] == (["BX019"] if name == "guangxi" else [])
    lines = load_layout(name).budget_lines()
    for path, names in lines.items():
        assert [ln.name for ln in get_path(result.form, path)] == list(names)
    wb = openpyxl.load_workbook(blank)
    assert wb.worksheets[0].protection.sheet
    # rolled forward from last year's table: what the layout holds comes back, amounts blank
    previous = load_form(EXAMPLES[name])
    rolled = read_workbook(make_template(tmp_path / "rolled.xlsx", "某某单位", 2025, previous=previous))
    assert rolled.form.layout == name
    assert [t.name for t in rolled.form.tasks] == [t.name for t in previous.tasks]
    assert rolled.form.functions == previous.functions and rolled.form.goals == previous.goals
    assert rolled.form.overall_goal == previous.overall_goal
    named = [(i.level1, i.level2, i.name, i.target) for i in rolled.form.indicators if not i.is_placeholder]
    assert named == [(i.level1, i.level2, i.name, i.target) for i in previous.indicators]
    assert all(ln.amount is None for ln in (*rolled.form.budget.expenditures, *rolled.form.budget.revenues))


def test_a_filled_guangxi_template_reads_in_wanyuan(tmp_path):
    path = make_template(tmp_path / "t.xlsx", "某某局", 2025, layout="guangxi")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == "其中：一般公共预算拨款":
                ws.cell(cell.row, 4).value = 1234567.89
    wb.save(path)
    form = read_workbook(path).form
    assert form.budget.revenues[0].amount == Decimal("123.456789")


# --------------------------------------------------------------------------------------------
# Workbooks laid out by hand


@pytest.mark.parametrize("make", [central_workbook, jiangxi_workbook, guangxi_workbook])
def test_handmade_workbooks_of_each_layout_read_exactly(tmp_path, make):
    path, want = make(tmp_path / "hand.xlsx")
    result = read_workbook(path)
    assert result.layout == want.layout
    assert result.form == want
    assert [f.code for f in result.findings if f.severity != "info"] == []


def test_handmade_central_total_never_calculated_is_computed(tmp_path):
    path, _ = central_workbook(tmp_path / "c.xlsx")
    result = read_workbook(path)
    assert result.totals["budget.revenues.total"] == Decimal("900.5")
    assert "budget.revenues.total" in result.formulas
    assert check_file(path).valid


def test_a_typed_total_that_disagrees_is_reported_in_each_layout(tmp_path):
    path, _ = guangxi_workbook(tmp_path / "g.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active["D3"] = 99999
    wb.save(path)
    report = check_file(path)
    assert ("BX122", "warning", "申报表!D3") in report.flat()
    path, _ = central_workbook(tmp_path / "c.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active["B8"] = 1000
    wb.save(path)
    assert ("BX122", "warning", "申报表!B8") in check_file(path).flat()


@pytest.mark.soffice
@pytest.mark.parametrize("name", NEW_LAYOUTS)
@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_new_layouts_survive_libreoffice_resave(tmp_path, soffice, name, fmt):
    form = load_form(EXAMPLES[name])
    out = soffice(render_form(form, tmp_path / f"{name}.xlsx"), fmt, tmp_path / "lo")
    assert read_workbook(out).form == form


# --------------------------------------------------------------------------------------------
# Checking and comparing by the layout


def test_balance_is_checked_only_where_the_layout_has_both_sides(tmp_path):
    central = load_form(EXAMPLES["central"])
    assert "BX120" not in check_file(render_form(central, tmp_path / "c.xlsx")).codes()
    jiangxi = load_form(EXAMPLES["jiangxi"])
    unbalanced = jiangxi.model_copy(update={"budget": jiangxi.budget.model_copy(update={
        "revenues": (BudgetLine(name="财政拨款", amount=Decimal("10")), BudgetLine(name="其他经费", amount=Decimal("0")))})})
    report = check_file(render_form(unbalanced, tmp_path / "j.xlsx"))
    (finding,) = [f for f in report.findings if f.code == "BX120"]
    assert "支出预算合计" in finding.message and "收入预算合计" in finding.message


def test_goals_are_required_as_the_layout_words_them(tmp_path):
    guangxi = load_form(EXAMPLES["guangxi"])
    report = check_file(render_form(guangxi.model_copy(update={"goals": ()}), tmp_path / "g.xlsx"))
    (finding,) = [f for f in report.findings if f.code == "BX103"]
    assert finding.message.startswith("部门整体支出年度绩效目标") and finding.field == "goals"
    assert "BX103" not in check_file(render_form(guangxi, tmp_path / "ok.xlsx")).codes()


def test_a_unit_that_changed_layout_still_diffs(tmp_path):
    from budgetxl.diff import diff_forms

    old = load_form(ROOT / "inputs" / "fengyang-2023.yaml")
    new = load_form(EXAMPLES["jiangxi"])
    diff = diff_forms(read_workbook(render_form(old, tmp_path / "o.xlsx")).form,
                      read_workbook(render_form(new, tmp_path / "n.xlsx")).form)
    counts = diff.counts()
    assert counts["tasks"]["removed"] == len(old.tasks) and counts["tasks"]["added"] == 0
    assert counts["indicators"]["added"] + counts["indicators"]["changed"] > 0
    assert diff.overall_goal.status == "changed"


# --------------------------------------------------------------------------------------------
# Forms a layout cannot hold are refused, naming the fields


def test_render_refuses_what_the_layout_cannot_hold(tmp_path):
    seed = load_form(ROOT / "inputs" / "fengyang-2023.yaml")
    with pytest.raises(InputError) as info:
        render_form(seed.model_copy(update={"layout": "jiangxi"}), tmp_path / "x.xlsx")
    text = str(info.value)
    assert "tasks[0] 等 4 项" in text and "版式“jiangxi”" in text
    assert not (tmp_path / "x.xlsx").exists()
    central = load_form(EXAMPLES["central"])
    with pytest.raises(InputError, match=r"budget.revenues: .*2 项.*表中有 1 项"):
        render_form(central.model_copy(update={"budget": Budget(revenues=central.budget.revenues[:1])}),
                    tmp_path / "c.xlsx")
    with pytest.raises(InputError, match=r"tasks\[0\].funds"):
        tasks = (central.tasks[0].model_copy(update={"funds": Decimal(5)}),)
        render_form(central.model_copy(update={"tasks": tasks}), tmp_path / "c.xlsx")


def test_a_last_line_that_would_read_as_a_total_is_refused(tmp_path):
    seed = load_form(ROOT / "inputs" / "fengyang-2023.yaml")
    lines = (BudgetLine(name="基本支出", amount=Decimal(5)), BudgetLine(name="项目支出", amount=Decimal(3)),
             BudgetLine(name="合计", amount=Decimal(8)))
    form = seed.model_copy(update={"budget": seed.budget.model_copy(update={"expenditures": lines})})
    with pytest.raises(InputError, match=r"budget.expenditures\[2\].name: 最后一行名为“合计”"):
        render_form(form, tmp_path / "t.xlsx")
    # named 合计 but not adding up: a line like any other, and it reads back as one
    lines = lines[:2] + (BudgetLine(name="合计", amount=Decimal(9)),)
    form = seed.model_copy(update={"budget": seed.budget.model_copy(update={"expenditures": lines})})
    assert read_workbook(render_form(form, tmp_path / "ok.xlsx")).form == form


# --------------------------------------------------------------------------------------------
# User text equal to a label: the 630-case grid of the issue, in every layout


def label_words() -> list[str]:
    words: list[str] = []
    for lay in all_layouts():
        words += list(lay.total_labels)
        for block in lay.blocks:
            words += [block.label, *block.synonyms]
            for col in block.column_map:
                words += [col.header, *col.synonyms] if col.header else []
            for group in getattr(block, "groups", ()):
                words += [group.heading, *group.synonyms]
    return sorted({w for w in words if w})


def base_form(name: str) -> Form:
    """A small form that fits layout `name`, with every kind of text its blocks hold."""
    inds = (Indicator(level1="产出指标", level2="数量指标", name="培训人次", target="≥100人次"),
            Indicator(level1="产出指标", level2="质量指标", name="合格率", target="100%"),
            Indicator(level1="满意度指标", level2="服务对象满意度指标", name="满意度", target="≥90%"))
    common = {"year": 2024, "unit_name": "某某局", "layout": None if name == "guangdong" else name, "indicators": inds}
    if name in ("guangdong", "zhanjiang"):
        return Form(**common, basic_info=(InfoItem(name="人员数", value="12"), InfoItem(name="单位数", value="2")),
                    budget=Budget(expenditures=(BudgetLine(name="基本支出", amount=Decimal(100)),
                                                BudgetLine(name="项目支出", amount=Decimal(50))),
                                  revenues=(BudgetLine(name="财政拨款", amount=Decimal(150)),
                                            BudgetLine(name="其他资金", amount=Decimal(0))),
                                  sections=(BudgetSection(left_heading="事业发展性支出", right_heading="按预算级次划分",
                                                          left=(BudgetLine(name="财政专项资金", amount=Decimal(3)),),
                                                          right=(BudgetLine(name="市本级使用资金", amount=Decimal(3)),)),)),
                    overall_goal="完成年度目标", notes=("注：单位为万元",),
                    tasks=(Task(name="任务甲", content="内容甲", funds=Decimal(30), goal="目标甲"),
                           Task(name="任务乙", content="内容乙", funds=Decimal(20), goal="目标乙"),
                           Task(group="other", name="任务丙", content="内容丙", goal="目标丙")))
    if name == "central":
        return Form(**common, overall_goal="完成年度目标",
                    budget=Budget(revenues=(BudgetLine(name="财政拨款", amount=Decimal(10)),
                                            BudgetLine(name="其他资金", amount=Decimal(2)))),
                    tasks=(Task(name="任务甲", content="内容甲"), Task(name="任务乙", content="内容乙")))
    if name == "jiangxi":
        return Form(**common, overall_goal="完成年度目标",
                    budget=Budget(revenues=(BudgetLine(name="财政拨款", amount=Decimal(10)),
                                            BudgetLine(name="其他经费", amount=Decimal(2))),
                                  expenditures=(BudgetLine(name="基本支出", amount=Decimal(7)),
                                                BudgetLine(name="项目支出", amount=Decimal(5)))))
    return Form(**common, functions=("职能甲", "职能乙"), goals=("目标甲", "目标乙"),
                budget=Budget(revenues=(BudgetLine(name="一般公共预算拨款", amount=Decimal(10)),
                                        BudgetLine(name="其他资金", amount=Decimal(2)))))


def _set(form: Form, where: str, word: str) -> Form:
    """`form` with the text at `where` ('unit_name', 'tasks.1.goal', 'budget.revenues.0.name'…) set to `word`."""
    data = form.to_data()
    *path, last = where.split(".")
    node = data
    for part in path:
        node = node[int(part)] if part.isdigit() else node[part]
    if last.isdigit():
        node[int(last)] = word
    else:
        node[last] = word
    return Form.model_validate(data)


def text_fields(form: Form) -> list[str]:
    out = ["unit_name", "title"]
    if form.overall_goal:
        out.append("overall_goal")
    for key in ("functions", "goals", "notes"):
        out += [f"{key}.{i}" for i in range(len(getattr(form, key)))]
    out += [f"basic_info.{i}.{f}" for i in range(len(form.basic_info)) for f in ("name", "value")]
    for side in ("expenditures", "revenues"):
        out += [f"budget.{side}.{i}.name" for i in range(len(getattr(form.budget, side)))]
    for k in range(len(form.budget.sections)):
        out += [f"budget.sections.{k}.left_heading", f"budget.sections.{k}.right_heading"]
        out += [f"budget.sections.{k}.{side}.0.name" for side in ("left", "right")]
    for i, t in enumerate(form.tasks):
        out += [f"tasks.{i}.{f}" for f in ("name", "content", "goal") if getattr(t, f)]
    out += [f"indicators.{i}.{f}" for i in range(len(form.indicators)) for f in ("level1", "level2", "name", "target")]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", ["guangdong", "zhanjiang", *NEW_LAYOUTS])
def test_every_label_word_in_every_text_field_reads_back(tmp_path, name):
    """Every label, synonym, header and total word of every layout, in every text field of a form of
    this layout (each word in each field for the default layout; for the others each field sees the
    words in turn), rendered and read back exactly."""
    base = base_form(name)
    words = label_words()
    fields = text_fields(base)
    if name == "guangdong":
        cases = [(f, w) for f in fields for w in words]
    else:
        cases = [(f, words[(i * 7 + j) % len(words)]) for i, f in enumerate(fields) for j in range(6)]
    failures = []
    for n, (where, word) in enumerate(cases):
        form = _set(base, where, word)
        path = render_form(form, tmp_path / f"{n % 4}.xlsx")
        got = read_workbook(path).form
        if got != form:
            failures.append((where, word))
    assert not failures, failures[:20]
    assert len(cases) >= (600 if name == "guangdong" else 60)


# --------------------------------------------------------------------------------------------
# A layout with its columns exchanged


@pytest.fixture
def layouts_copy(tmp_path, monkeypatch):
    """A copy of templates/ to change, used by every layout function while the test runs."""
    folder = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", folder)
    monkeypatch.setenv("BUDGETXL_TEMPLATES", str(folder))
    for fn in (layout_mod.load_layout, layout_mod.all_layouts, layout_mod.label_index):
        fn.cache_clear()
    yield folder
    monkeypatch.delenv("BUDGETXL_TEMPLATES")
    for fn in (layout_mod.load_layout, layout_mod.all_layouts, layout_mod.label_index):
        fn.cache_clear()


def test_swapped_columns_render_and_read_back(layouts_copy, tmp_path):
    path = layouts_copy / "guangdong.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for block in data["blocks"]:
        cols = block.get("columns")
        if block["kind"] == "indicators":
            cols[2], cols[3] = cols[3], cols[2]  # 指标值 before 三级指标
        if block["kind"] == "table" and cols:
            cols[0], cols[1] = cols[1], cols[0]  # 主要实施内容 before 名称
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    seed = load_form(ROOT / "inputs" / "fengyang-2023.yaml")
    out = render_form(seed, tmp_path / "swapped.xlsx")
    ws = openpyxl.load_workbook(out).active
    headers = [c.value for row in ws.iter_rows() for c in row if c.value in ("三级指标", "指标值", "名称", "主要实施内容")]
    assert headers[:2] == ["主要实施内容", "名称"] and headers[-2:] == ["指标值", "三级指标"]
    assert read_workbook(out).form == seed


def test_a_layout_missing_a_column_its_block_needs_is_refused_naming_file_and_block(layouts_copy, tmp_path):
    from test_cli import run

    path = layouts_copy / "guangxi.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    block = next(b for b in data["blocks"] if b["kind"] == "numbered")
    block["columns"][1]["field"] = "content"  # the numbered texts' column named otherwise
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    res = run("template", "--unit", "某单位", "--year", "2025", "--layout", "guangxi", "-o", str(tmp_path / "t.xlsx"))
    assert res.returncode != 0 and "Traceback" not in res.stderr and "意外错误" not in res.stderr, res.stderr
    assert "guangxi.yaml" in res.stderr and "blocks.functions" in res.stderr and "text" in res.stderr, res.stderr
    assert not (tmp_path / "t.xlsx").exists()


# --------------------------------------------------------------------------------------------
# The year


def test_a_custom_title_without_the_year_keeps_the_year(tmp_path):
    seed = load_form(ROOT / "inputs" / "fengyang-2023.yaml")
    form = seed.model_copy(update={"title": "海珠区部门整体预算绩效目标表"})
    path = render_form(form, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws["A2"].value == "（2023年度）"
    result = read_workbook(path)
    assert result.form == form and not result.findings
    with pytest.raises(InputError, match="标题写的是 2022 年"):
        render_form(seed.model_copy(update={"title": "2022年海珠区部门整体预算绩效目标表"}), tmp_path / "x.xlsx")


def test_the_year_from_a_year_cell_or_the_file_name_is_a_finding(tmp_path):
    path, _ = jiangxi_workbook(tmp_path / "j.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["A1"] = "部门整体支出绩效目标表"
    ws["A2"] = "年度：2025"
    wb.save(path)
    result = read_workbook(path)
    assert result.form.year == 2025
    (finding,) = [f for f in result.findings if f.code == "BX015"]
    assert finding.cell == "A2" and "2025" in finding.message
    ws["A2"] = None
    named = tmp_path / "某某县水利局2025年.xlsx"
    wb.save(named)
    result = read_workbook(named)
    assert result.form.year == 2025
    assert [f.code for f in result.findings] == ["BX015"] and "文件名" in result.findings[0].message


# --------------------------------------------------------------------------------------------
# Workbooks holding several forms


def _two_forms(tmp_path: Path, hidden: bool = False) -> Path:
    """A workbook with the seed on one sheet and the 江西 example on another (copied cell by cell,
    merges included, as a person copies a sheet into another workbook)."""
    one = openpyxl.load_workbook(render_form(load_form(ROOT / "inputs" / "fengyang-2023.yaml"), tmp_path / "a.xlsx"))
    two = openpyxl.load_workbook(render_form(load_form(EXAMPLES["jiangxi"]), tmp_path / "b.xlsx"))
    src = two.active
    ws = one.create_sheet("江西")
    for row in src.iter_rows():
        for cell in row:
            ws.cell(cell.row, cell.column, cell.value)
    for rng in src.merged_cells.ranges:
        ws.merge_cells(str(rng))
    if hidden:
        ws.sheet_state = "hidden"
    path = tmp_path / "two.xlsx"
    one.save(path)
    return path


def test_every_visible_form_sheet_is_read(tmp_path):
    path = _two_forms(tmp_path)
    results = read_forms(path)
    assert [r.layout for r in results] == ["guangdong", "jiangxi"]
    assert results[1].form == load_form(EXAMPLES["jiangxi"]).model_copy(update={"budget": results[1].form.budget})
    with pytest.raises(ReadError, match=r"有 2 张目标表.*--sheet"):
        read_workbook(path)
    assert read_workbook(path, sheet="江西").layout == "jiangxi"


def test_a_hidden_form_sheet_is_reported_not_read(tmp_path):
    path = _two_forms(tmp_path, hidden=True)
    (result,) = read_forms(path)
    assert result.layout == "guangdong"
    assert [(f.code, f.sheet) for f in result.findings if f.code == "BX016"] == [("BX016", "江西")]
    assert read_workbook(path, sheet="江西").layout == "jiangxi"


# --------------------------------------------------------------------------------------------
# Random forms of every layout whose texts include label words


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from test_roundtrip import amounts, nonblank, texts  # noqa: E402

WORDS = st.sampled_from(label_words())


def worded(min_size: int = 0, max_size: int = 30, lines: bool = True) -> st.SearchStrategy[str]:
    """A text that is often exactly a label word, sometimes one inside other text."""
    return st.one_of(WORDS, WORDS, texts(min_size, max_size, lines=lines),
                     st.tuples(texts(0, 8, lines=False), WORDS).map("".join))


@st.composite
def layout_forms(draw, name: str):
    lay = load_layout(name)
    year = draw(st.integers(2000, 2099))
    out: dict = {"year": year, "layout": None if name == "guangdong" else name,
                 "unit_name": draw(worded(0, 30, lines=False))}
    if draw(st.booleans()):
        out["title"] = draw(worded(1, 20, lines=False).filter(nonblank).map(lambda t: t.replace(str(year), "")))
        out["title"] = out["title"] if nonblank(out["title"]) else None
    held = {getattr(b, "field", "") for b in lay.blocks}
    if "overall_goal" in held:
        out["overall_goal"] = draw(worded(0, 200))
    for key in ("functions", "goals"):
        if key in held:
            out[key] = draw(st.lists(worded(1, 60).filter(nonblank), max_size=4))
    if "basic_info" in held and draw(st.booleans()):
        out["basic_info"] = [InfoItem(name=draw(worded(1, 10, lines=False).filter(nonblank)),
                                      value=draw(worded(0, 10, lines=False))) for _ in range(draw(st.integers(1, 3)))]
    budget: dict = {}
    line_names = worded(1, 20).filter(nonblank)
    block = lay.budget_block
    for path, standard in lay.budget_lines().items():
        if block.kind == "amount_row":
            count = len(standard)
        else:
            count = draw(st.integers(0, 3))
        budget[path.split(".")[1]] = [BudgetLine(name=draw(line_names), amount=draw(amounts)) for _ in range(count)]
    if block.kind == "pairs" and block.sections and draw(st.booleans()):
        budget["sections"] = [BudgetSection(left_heading=draw(worded(1, 10, lines=False).filter(nonblank)),
                                            right_heading=draw(worded(1, 10, lines=False).filter(nonblank)),
                                            left=[BudgetLine(name=draw(line_names), amount=draw(amounts))],
                                            right=[BudgetLine(name=draw(line_names), amount=draw(amounts))])]
    out["budget"] = Budget(**budget)
    tasks = []
    for group in ("key", "other"):
        tb = lay.task_block(group)
        if tb is None:
            continue
        cols = {c.field for c in tb.column_map}
        for _ in range(draw(st.integers(0, 4))):
            task = {"group": group, "name": draw(worded(1, 20).filter(nonblank))}
            for fld in ("content", "goal"):
                if fld in cols:
                    task[fld] = draw(worded(0, 40))
            if "funds" in cols:
                task["funds"] = draw(amounts)
            tasks.append(Task(**task))
    out["tasks"] = tasks
    inds = []
    for l1, l2 in draw(st.lists(st.sampled_from([("产出指标", "数量指标"), ("产出指标", "质量指标"),
                                                ("效益指标", "社会效益指标"), ("满意度指标", "服务对象满意度指标")]),
                                max_size=4, unique=True)):
        for _ in range(draw(st.integers(1, 3))):
            inds.append(Indicator(level1=l1, level2=l2, name=draw(worded(1, 20).filter(nonblank)),
                                  target=draw(worded(1, 20).filter(nonblank))))
    out["indicators"] = inds
    out["notes"] = draw(st.lists(worded(1, 30, lines=False).filter(nonblank), max_size=2))
    return Form(**out)


@pytest.mark.parametrize("name", ["guangdong", "zhanjiang", *NEW_LAYOUTS])
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
@given(data=st.data())
def test_random_forms_with_label_words_round_trip_in_every_layout(tmp_path, name, data):
    form = data.draw(layout_forms(name))
    path = tmp_path / "f.xlsx"
    try:
        render_form(form, path)
    except InputError as exc:
        # the writer refuses only what could not read back the same, and says which field
        assert "读回" in str(exc), str(exc)
        return
    assert read_workbook(path).form == form


@pytest.mark.parametrize("amount", ["99999999999.9999", "123456789.012345", "0.0001"])
def test_the_largest_amounts_a_layout_in_yuan_holds_read_back(tmp_path, amount):
    # 广西 writes amounts in 元: four more integer digits in the cell than in the model's 万元
    form = Form(year=2024, unit_name="某单位", layout="guangxi",
                budget=Budget(revenues=(BudgetLine(name="财政拨款", amount=Decimal(amount)),)))
    result = read_workbook(render_form(form, tmp_path / "f.xlsx"))
    assert result.form.budget.revenues[0].amount == Decimal(amount)
    assert not [f for f in result.findings if f.code == "BX011"]


def test_an_amount_too_large_for_a_layout_in_yuan_is_refused_before_writing(tmp_path):
    # 1e11 万元 is 1e15 元: more integer digits than a spreadsheet keeps exactly, so the writer
    # refuses it naming the field (it would not read back the same), and writes nothing
    form = Form(year=2024, unit_name="某单位", layout="guangxi",
                budget=Budget(revenues=(BudgetLine(name="财政拨款", amount=Decimal("100000000000")),)))
    with pytest.raises(InputError) as exc:
        render_form(form, tmp_path / "f.xlsx")
    assert "budget.revenues[0].amount" in str(exc.value.details) and "读回" in str(exc.value)
    assert not (tmp_path / "f.xlsx").exists()


# --------------------------------------------------------------------------------------------
# The commands on workbooks with several forms and on other layouts


def test_read_command_with_several_forms(tmp_path):
    import json

    from test_cli import run

    path = _two_forms(tmp_path)
    res = run("read", str(path), "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert [d.get("layout") for d in data] == [None, "jiangxi"]
    assert "工作表“江西”：版式 jiangxi" in res.stderr
    res = run("read", str(path), "-o", str(tmp_path / "out.yaml"))
    assert res.returncode == 1 and "--sheet" in res.stderr and "“江西”" in res.stderr
    assert not (tmp_path / "out.yaml").exists()
    res = run("read", str(path), "--sheet", "江西", "-o", str(tmp_path / "out.yaml"))
    assert res.returncode == 0, res.stderr
    assert load_form(tmp_path / "out.yaml").layout == "jiangxi"


def test_check_and_collect_take_each_form_sheet_as_a_return(tmp_path):
    import json

    from budgetxl.collect import collect
    from test_cli import run

    path = _two_forms(tmp_path)
    res = run("check", str(path), "--json")
    data = json.loads(res.stdout)
    assert [(d["sheet"], d["layout"]) for d in data] == [("部门整体预算绩效目标表", "guangdong"), ("江西", "jiangxi")]
    folder = tmp_path / "returns"
    folder.mkdir()
    shutil.copy(path, folder / "two.xlsx")
    result = collect([folder], tmp_path / "summary.xlsx")
    assert [(r.sheet, r.layout) for r in result.records] == [("部门整体预算绩效目标表", "guangdong"), ("江西", "jiangxi")]
    ws = openpyxl.load_workbook(tmp_path / "summary.xlsx").worksheets[0]
    header = [c.value for c in ws[1]]
    col = header.index("工作表") + 1
    assert [ws.cell(r, col).value for r in (2, 3)] == ["部门整体预算绩效目标表", "江西"]


def test_render_and_template_commands_take_a_layout(tmp_path):
    from test_cli import run

    res = run("render", str(EXAMPLES["central"]), "--layout", "nowhere", "-o", str(tmp_path / "x.xlsx"))
    assert res.returncode == 2 and "不认识的版式“nowhere”" in res.stderr
    res = run("render", str(ROOT / "inputs" / "fengyang-2023.yaml"), "--layout", "jiangxi", "-o", str(tmp_path / "x.xlsx"))
    assert res.returncode == 1 and "版式“jiangxi”" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "x.xlsx").exists()
    res = run("template", "--unit", "某某局", "--year", "2025", "--layout", "guangxi", "-o", str(tmp_path / "t.xlsx"))
    assert res.returncode == 0, res.stderr
    assert read_workbook(tmp_path / "t.xlsx").layout == "guangxi"
    res = run("template", "--from", str(ROOT / "inputs" / "fengyang-2023.yaml"), "--year", "2024",
              "--layout", "central", "-o", str(tmp_path / "c.xlsx"))
    assert res.returncode == 0, res.stderr
    assert "版式“central”没有这些栏目" in res.stderr and "基本信息" not in res.stderr
    rolled = read_workbook(tmp_path / "c.xlsx").form
    assert rolled.layout == "central" and len(rolled.tasks) == 4  # the key tasks; the others have no block


def test_layouts_doc_describes_every_kind_and_layout():
    from budgetxl.blocks import KINDS

    text = (ROOT / "docs" / "layouts.md").read_text(encoding="utf-8")
    for kind in KINDS:
        assert f"| `{kind}` |" in text, kind
    for name in available_layouts():
        assert f"`{name}`" in text, name


def test_a_fields_row_writes_and_reads_its_labels_and_values(layouts_copy, tmp_path):
    path = layouts_copy / "guangdong.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["blocks"][0] = {"kind": "fields", "key": "unit", "label": "单位名称", "synonyms": ["部门名称"],
                         "columns": [{"field": "unit_name", "span": 2}, {"header": "公章", "synonyms": ["盖章"]},
                                     {"field": "overall_goal"}]}
    data["blocks"] = [b for b in data["blocks"] if b["key"] != "overall_goal"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    seed = load_form(ROOT / "inputs" / "fengyang-2023.yaml").model_copy(update={"overall_goal": "已盖章"})
    out = render_form(seed, tmp_path / "fields.xlsx")
    ws = openpyxl.load_workbook(out).active
    assert [ws.cell(2, c).value for c in (1, 2, 4, 5)] == ["单位名称", seed.unit_name, "公章", "已盖章"]
    result = read_workbook(out)
    assert result.form == seed and not result.findings
    assert result.cells["overall_goal"] == "E2"
    ws["D2"] = "签字"  # a label cell that says something else is reported, not taken
    wb = ws.parent
    wb.save(out)
    assert [(f.code, f.cell) for f in read_workbook(out).findings] == [("BX020", "D2")]


def test_a_diff_speaks_the_layout_and_compares_numbered_goals_and_functions(tmp_path):
    from rich.console import Console

    from budgetxl.diff import diff_forms
    from budgetxl.diff.data import diff_data
    from budgetxl.diff.terminal import render_diff
    from budgetxl.diff.xlsx import write_comparison

    old = load_form(EXAMPLES["guangxi"])
    new = old.model_copy(update={"year": 2025, "goals": (*old.goals[:2], "企业职工基本养老金按时足额发放率100%，全年无差错。"),
                                 "functions": old.functions[:2]})
    diff = diff_forms(old, new)
    assert diff.overall_goal.status == "changed" and diff.functions.status == "changed"
    assert not diff.identical
    data = diff_data(diff)
    assert data["functions"]["old"].count("\n") == 2 and data["functions"]["new"].count("\n") == 1
    console = Console(record=True, width=160)
    render_diff(diff, console, [old, new])
    text = console.export_text()
    assert "部门整体支出年度绩效目标：" in text and "部门职能概述：" in text and "部门预算安排资金（元）" in text
    assert "总体绩效目标" not in text and "预算整体情况" not in text
    book = write_comparison(tmp_path / "c.xlsx", diff, [old, new], ["a.yaml", "b.yaml"])
    cells = [c.value for ws in openpyxl.load_workbook(book) for row in ws.iter_rows() for c in row if c.value]
    assert "部门职能概述" in cells and "部门整体支出年度绩效目标" in cells


def test_an_amount_too_large_in_yuan_is_refused_by_the_writer(tmp_path):
    """1e11 万元 is 1e15 元: more digits than a spreadsheet keeps, so a layout in 元 refuses it
    (naming the field) rather than write a sheet that reads back without it."""
    form = load_form(EXAMPLES["guangxi"])
    big = (form.budget.revenues[0].model_copy(update={"amount": Decimal("100000000000")}), *form.budget.revenues[1:])
    with pytest.raises(InputError, match=r"budget.revenues\[0\].amount: 100000000000 万元写成元是 1000000000000000"):
        render_form(form.model_copy(update={"budget": form.budget.model_copy(update={"revenues": big})}),
                    tmp_path / "g.xlsx")
    assert not (tmp_path / "g.xlsx").exists()

"""The project-level form (项目支出绩效目标表, kind project): the model and its files, the two
project layouts (render, read, refuse what they cannot hold), the real Wuhan workbook, templates
filled as a person would, the checks, the comparison of years and of a department's projects, and
project returns in a collection."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from openpyxl.worksheet.formula import ArrayFormula

from budgetxl.collect import collect
from budgetxl.diff import diff_forms
from budgetxl.diff.project import pair_projects
from budgetxl.errors import InputError
from budgetxl.formulas import summed_ranges
from budgetxl.kinds import FORM_KINDS
from budgetxl.layout import load_layout
from budgetxl.model import Form, form_from_data, json_schema, load_form
from budgetxl.project import ProjectForm, ProjectLine
from budgetxl.read import read_workbook
from budgetxl.render import render_form
from budgetxl.render.project_template import build_project_template, make_project_template
from budgetxl.rules import check_file, validate
from handmade_projects import central_project_workbook, wuhan_project_workbook
from test_cli import run

ROOT = Path(__file__).resolve().parents[1]
CENTRAL = ROOT / "inputs" / "central-project-2024.yaml"
WUHAN = ROOT / "inputs" / "wuhan-project-2024.yaml"
REAL_NAME = "wuhan-donghu-2020-project-application.xlsx"


# --------------------------------------------------------------------------------------------
# The model and its files


def test_a_form_file_says_it_is_a_project_and_loads_as_one():
    form = load_form(CENTRAL)
    assert isinstance(form, ProjectForm) and form.kind == "project"
    assert form.layout is None and FORM_KINDS["project"].default_layout == "central-project"
    data = form.to_data()
    assert data["kind"] == "project" and list(data)[:3] == ["kind", "year", "name"]
    assert "budget_total" not in data and "remark" not in data["indicators"][0]  # unset parts are left out
    assert form_from_data(json.loads(form.to_json())) == form
    wuhan = load_form(WUHAN)
    assert [line.detail for line in wuhan.funding.annual][:2] == [False, True]
    assert wuhan.indicators[2].remark == "含线上培训" and wuhan.annual_money == Decimal(860)


def test_the_department_form_is_unchanged_by_the_project_kind(seed_form):
    data = seed_form.to_data()
    assert "kind" not in data
    assert {k for line in data["budget"]["expenditures"] for k in line} == {"name", "amount"}
    assert {k for ind in data["indicators"] for k in ind} == {"level1", "level2", "name", "target"}
    schema = json_schema()
    assert "remark" not in json.dumps(schema, ensure_ascii=False) and "detail" not in schema["$defs"]["BudgetLine"]["properties"]
    assert isinstance(form_from_data(data), Form)


def test_project_schema_and_unknown_kinds():
    schema = json_schema("project")
    assert {"name", "code", "funding", "spending", "period_goal", "annual_goal", "period_indicators",
            "indicators"} <= set(schema["properties"])
    assert schema["properties"]["kind"]["default"] == "project"
    assert "ProjectForm" in schema["title"] and "项目支出绩效目标表" in schema["title"]
    res = run("schema", "--kind", "project")
    assert res.returncode == 0 and json.loads(res.stdout)["properties"]["name"]["description"] == "项目名称"
    with pytest.raises(InputError, match="不认识的表格种类“budget”"):
        form_from_data({"kind": "budget", "year": 2024})
    with pytest.raises(InputError) as info:
        form_from_data({"kind": "project", "year": 2024, "name": "x", "start_year": "明年",
                        "funding": {"annual": [{"name": "a", "amount": "-1"}]}})
    text = "\n".join(info.value.details)
    assert "start_year" in text and "funding.annual[0].amount" in text


# --------------------------------------------------------------------------------------------
# The layouts


@pytest.mark.parametrize("source,layout", [(CENTRAL, "central-project"), (WUHAN, "wuhan-project")])
def test_each_example_renders_and_reads_back_in_its_layout(tmp_path, source, layout):
    form = load_form(source)
    result = read_workbook(render_form(form, tmp_path / "p.xlsx"))
    assert result.layout == layout and result.form == form
    assert not result.findings
    assert validate(form).valid


def test_central_project_lays_its_sets_side_by_side_with_computed_totals(tmp_path):
    form = load_form(CENTRAL)
    path = render_form(form, tmp_path / "c.xlsx")
    ws = openpyxl.load_workbook(path).active
    cells = {c.value: c.coordinate for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert ws["A2"].value == "（2024年度）"
    assert cells["实施期绩效指标"][0] == "B" and cells["年度绩效指标"][0] == "F"
    assert cells["实施期目标"][0] == "B" and cells["年度目标"][0] == "F"
    heads = [ws.cell(int(cells["实施期绩效指标"][1:]) + 1, c).value for c in range(2, 10)]
    assert heads == ["一级指标", "二级指标", "三级指标", "指标值"] * 2
    # the totals are array formulas counting amounts typed as text too (budgetxl.formulas)
    total = next(c for row in ws.iter_rows() for c in row
                 if isinstance(c.value, ArrayFormula) and summed_ranges(c.value.text) is not None)
    cached = openpyxl.load_workbook(path, data_only=True).active[total.coordinate].value
    assert Decimal(str(cached)) == Decimal(3000)
    result = read_workbook(path)
    assert result.totals == {"funding.period.total": Decimal(3000), "funding.annual.total": Decimal(1250)}


def test_wuhan_project_labels_take_two_columns_with_parts_under_a_parent_label(tmp_path):
    path = render_form(load_form(WUHAN), tmp_path / "w.xlsx")
    ws = openpyxl.load_workbook(path).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A2:B2" in merged  # 项目名称 over A:B
    # labels broken between words for their column (a line break the reader ignores)
    parent = next(c for c in ws["A"] if c.value and c.value.replace("\n", "") == "项目支出预算及测算依据")
    sub = ws.cell(parent.row, 2)
    assert sub.value.replace("\n", "") == "项目支出明细预算"
    assert any(r.startswith(f"A{parent.row}:A") for r in merged)  # the parent over its parts' rows, column A only
    basis = next(c for c in ws["B"] if c.value and c.value.replace("\n", "") == "测算依据及说明")
    assert basis.row > parent.row
    names = [ws.cell(r, 3).value for r in range(1, ws.max_row + 1)]
    assert "1.一般公共预算财政拨款收入" in names and "其中：申请当年预算拨款" in names
    # the second 其中 line of a run is indented under the first, its mark left out
    second = names.index("使用上年度政府性基金预算财政拨款结余结转") + 1
    assert names[second - 2] == "其中：使用上年度一般公共预算财政拨款结余结转"
    assert ws.cell(second, 3).alignment.indent == 2
    total = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == "合计")
    ranges = summed_ranges(ws.cell(total, 6).value.text)  # the main lines only: no 其中 row in it
    detail_row = names.index("其中：申请当年预算拨款") + 1
    assert ranges and all(not (int(a.split(":")[0][1:]) <= detail_row <= int(a.split(":")[1][1:])) for a in ranges)


def test_a_layout_of_another_kind_is_refused(tmp_path, seed_form):
    with pytest.raises(InputError, match="版式“guangdong”是部门整体预算绩效目标表的版式，不能用于项目支出绩效目标表"):
        render_form(load_form(CENTRAL).model_copy(update={"layout": "guangdong"}), tmp_path / "x.xlsx")
    with pytest.raises(InputError, match=r"不能用于部门整体预算绩效目标表；可用的版式：guangdong"):
        render_form(seed_form.model_copy(update={"layout": "wuhan-project"}), tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()
    res = run("render", str(CENTRAL), "--layout", "jiangxi", "-o", str(tmp_path / "y.xlsx"))
    assert res.returncode == 1 and "不能用于项目支出绩效目标表" in res.stderr and "Traceback" not in res.stderr


def test_what_a_project_layout_cannot_hold_is_refused_naming_each_field(tmp_path):
    wuhan = load_form(WUHAN)
    with pytest.raises(InputError) as info:
        render_form(wuhan.model_copy(update={"layout": "central-project"}), tmp_path / "x.xlsx")
    details = "\n".join(info.value.details)
    assert "indicators[2].remark" in details and "funding.annual[1].detail" in details
    assert "spending: 版式“central-project”中没有填写这一项的栏目" in details
    detail = wuhan.spending[1].model_copy(update={"detail": True})
    with pytest.raises(InputError, match=r"spending\[1\].detail"):
        render_form(wuhan.model_copy(update={"spending": (wuhan.spending[0], detail)}), tmp_path / "x.xlsx")


def test_long_parts_under_a_parent_label_read_back_across_pages(tmp_path):
    """The parent label written again at the top of each printed page continues the open part
    (not reported as a label met twice), whichever part of it the page starts in."""
    wuhan = load_form(WUHAN)
    lines = tuple(ProjectLine(name=f"支出{i}", amount=Decimal(i)) for i in range(1, 30))
    form = wuhan.model_copy(update={"spending": lines, "spending_basis": "按标准和数量测算，" * 900})
    path = render_form(form, tmp_path / "long.xlsx")
    ws = openpyxl.load_workbook(path).active
    repeated = [c.row for c in ws["A"] if c.value and c.value.replace("\n", "") == "项目支出预算及测算依据"]
    assert len(repeated) > 3  # the label again on every page the two parts run over
    result = read_workbook(path)
    assert result.form == form and not result.findings


@pytest.mark.parametrize("make", [central_project_workbook, wuhan_project_workbook])
def test_handmade_project_workbooks_read_exactly(tmp_path, make):
    path, want = make(tmp_path / "hand.xlsx")
    result = read_workbook(path)
    assert result.layout == (want.layout or "central-project")
    assert result.form == want
    assert [f.code for f in result.findings if f.severity != "info"] == []


def test_a_typed_total_that_disagrees_is_reported_in_a_project(tmp_path):
    path, _ = wuhan_project_workbook(tmp_path / "w.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active["F9"] = 290  # 项目资金来源's 合计, typed over the sum of its main lines (300)
    wb.save(path)
    report = check_file(path)
    assert ("BX122", "warning", "Sheet!F9") in report.flat()
    assert "BX122" not in check_file(wuhan_project_workbook(tmp_path / "ok.xlsx")[0]).codes()


# --------------------------------------------------------------------------------------------
# The real Wuhan workbook


@pytest.fixture
def real_wuhan(real_dir: Path) -> Path:
    path = real_dir / REAL_NAME
    if not path.is_file():
        pytest.skip(f"{REAL_NAME} is not among the real workbooks")
    return path


def test_the_real_wuhan_workbook_reads_into_a_project(real_wuhan):
    result = read_workbook(real_wuhan)
    form = result.form
    assert result.layout == "wuhan-project" and isinstance(form, ProjectForm)
    assert not result.findings
    assert form.year == 2020 and form.name == "专项资金" and form.code == ""
    assert form.department == form.unit == "武汉市人力资源和社会保障局东湖新技术开发区分局"
    assert form.manager == "吴卫东" and form.phone == "67880231"
    assert form.budget_total == form.budget_annual == Decimal(6730)
    sources = form.funding.annual
    assert len(sources) == 13 and [ln.name for ln in sources if not ln.detail][-1] == "上年结转"
    assert [k for k, ln in enumerate(sources) if ln.detail] == [1, 3, 11, 12]
    assert (sources[0].name, sources[0].amount, sources[1].name) == ("一般公共预算财政拨款收入", Decimal(6730), "申请当年预算拨款")
    assert [ln.amount for ln in form.spending] == [Decimal("874.18"), Decimal(3080), Decimal(1545), Decimal("1195.82"),
                                                  Decimal(10), Decimal(25)]
    assert sum(ln.amount for ln in form.spending) == Decimal(6730)
    assert form.spending[0].name == "就业和社会保险的管理支出" and form.spending_basis.startswith("1、人力资源")
    assert form.period_goal == "完成2020年度市、区下达的各项目标任务"
    named = [i for i in form.indicators if not i.is_placeholder]
    assert len(named) == 13
    assert [(i.level1, i.level2) for i in form.indicators if i.is_placeholder] == [
        ("产出指标", "成本指标"), ("效益指标", "经济效益指标"), ("效益指标", "环境效益指标"), ("效益指标", "可持续影响指标")]
    targets = {i.name: i.target for i in named}
    assert targets["培训人员合格率"] == "100%" and targets["仲裁案件法定期限结案率"] == "95%"
    assert targets["做好服务工作，让服务对象满意"] == "95%" and targets["失业人员及就业困难人员再就业人数"] == "1600人、200人"
    assert result.cells["indicators[8].target"] == "F44"
    assert result.totals == {"funding.annual.total": Decimal(6730), "spending.total": Decimal(6730)}


def test_the_real_wuhan_workbook_edits_and_renders_back_exactly(tmp_path, real_wuhan):
    res = run("read", str(real_wuhan), "-o", str(tmp_path / "w.yaml"))
    assert res.returncode == 0, res.stderr
    assert "版式 wuhan-project" in res.stderr
    assert load_form(tmp_path / "w.yaml") == read_workbook(real_wuhan).form
    res = run("render", str(tmp_path / "w.yaml"), "-o", str(tmp_path / "w.xlsx"))
    assert res.returncode == 0, res.stderr
    again = read_workbook(tmp_path / "w.xlsx")
    assert again.form == read_workbook(real_wuhan).form and not again.findings


def test_the_real_wuhan_workbook_is_checked_on_its_cells(real_wuhan):
    report = check_file(real_wuhan)
    flat = report.flat()
    assert ("BX211", "warning", "Sheet1!D47") in flat  # the empty 成本指标 block
    # 社会公众或服务对象满意度指标 under 效益指标 and no 满意度 一级: the 2013 共性指标 framework,
    # not a misplaced label (nor a form missing its 满意度 indicators).
    assert report.extra["framework"] == "2013"
    assert not {"BX201", "BX202", "BX203", "BX204", "BX210"} & set(report.codes())
    assert report.valid
    assert not {"BX122", "BX501", "BX502", "BX503", "BX505", "BX511", "BX512"} & set(report.codes())


@pytest.mark.parametrize(("layout", "total"), [("central-project", None), ("wuhan-project", "300")])
def test_annual_money_over_the_period_points_at_the_annual_total_cell(tmp_path, layout, total):
    from project_rule_cases import project_data, wuhan_data

    if total is None:  # no 项目当年预算 cell: the annual sources are summed
        data = project_data()
        data["funding"]["annual"][0]["amount"] = "1600"  # the period's sources add up to 1500
    else:  # 项目总预算 and 项目当年预算 cells
        data = wuhan_data()
        data.update(budget_total="200", budget_annual=total)
    path = render_form(form_from_data(data), tmp_path / "p.xlsx")
    result = read_workbook(path)
    [hit] = [f for f in check_file(path).findings if f.code == "BX510"]
    # The 项目当年预算 cell where the form has one, else the 年度资金总额 (合计) of the sources.
    field = "budget_annual" if total is not None else "funding.annual.total"
    assert hit.field == field and hit.cell == result.cells[field]


# --------------------------------------------------------------------------------------------
# Templates


def _fill(ws, texts: dict[str, object]) -> None:
    """Type into the cell right of (or below, for headers) each label, as a person does."""
    for row in ws.iter_rows():
        for cell in row:
            for label, value in texts.items():
                if cell.value == label:
                    target = ws.cell(cell.row + (1 if label.endswith("目标") else 0),
                                     cell.column + (0 if label.endswith("目标") else 1))
                    while isinstance(target, MergedCell):  # inside a merge: its first cell takes the value
                        target = ws.cell(target.row, target.column + 1)
                    target.value = value


@pytest.mark.parametrize("layout", ["central-project", "wuhan-project"])
def test_a_blank_project_template_reads_back_as_its_seed(tmp_path, layout):
    path = make_project_template(tmp_path / "t.xlsx", "某某局", 2025, layout=layout, project="就业专项")
    result = read_workbook(path)
    assert result.layout == layout and not result.findings
    form = result.form
    assert (form.year, form.name, form.department) == (2025, "就业专项", "某某局")
    for key in ("indicators", *(("period_indicators",) if layout == "central-project" else ())):
        items = getattr(form, key)
        assert items and all(i.is_placeholder for i in items)  # every 二级 of the framework, ready to fill
    lines = load_layout(layout).budget_lines()
    for path_, names in lines.items():
        got = form.funding.annual if path_ == "funding.annual" else form.funding.period if path_ == "funding.period" else form.spending
        assert len(got) == len(names) and all(ln.amount is None for ln in got)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert ws.protection.sheet and wb.sheetnames[1] == "填表说明"
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == (4 if layout == "central-project" else 2)  # 一级 and 二级 drop-downs per set
    indirect = sorted(dv.formula1 for dv in lists if dv.formula1.startswith("INDIRECT"))
    columns = ["B", "F"] if layout == "central-project" else ["C"]
    assert [f[f.index("$") + 1] for f in indirect] == columns
    guide = " ".join(str(c.value) for c in wb["填表说明"]["A"] if c.value)
    assert "某某局" in guide and "年度绩效指标" in guide


def test_a_project_template_filled_as_a_person_would_reads_back(tmp_path):
    path = make_project_template(tmp_path / "t.xlsx", "某某局", 2025, project="政务云")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    _fill(ws, {"实施单位": "某某中心", "项目期": 2025, "至": 2027, "实施期目标": "建成平台", "年度目标": "完成一期"})
    header = next(c for row in ws.iter_rows() for c in row if c.value == "财政拨款")
    ws.cell(header.row + 1, header.column).value = 1400  # the period's 财政拨款
    first = next(c for row in ws.iter_rows() for c in row if c.value == "数量指标" and c.column == 7)
    ws.cell(first.row, 8).value, ws.cell(first.row, 9).value = "迁移系统", "≥30个"  # the year's first 数量指标 row
    wb.save(path)
    form = read_workbook(path).form
    assert (form.unit, form.start_year, form.end_year) == ("某某中心", 2025, 2027)
    assert (form.period_goal, form.annual_goal) == ("建成平台", "完成一期")
    assert form.funding.period[0].amount == Decimal(1400)
    named = [i for i in form.indicators if not i.is_placeholder]
    assert [(i.level1, i.level2, i.name, i.target) for i in named] == [("产出指标", "数量指标", "迁移系统", "≥30个")]
    assert all(i.is_placeholder for i in form.period_indicators)
    assert "BX503" not in check_file(path).codes()


def test_a_project_template_rolled_forward_from_last_year(tmp_path):
    previous = load_form(CENTRAL)
    _, seed, _ = build_project_template(None, 2025, previous=previous)
    assert (seed.name, seed.code, seed.department, seed.start_year) == (previous.name, previous.code,
                                                                       previous.department, 2024)
    assert seed.funding.period == previous.funding.period  # the period's money spans the years
    assert all(ln.amount is None for ln in seed.funding.annual)
    path = make_project_template(tmp_path / "r.xlsx", None, 2025, previous=previous)
    form = read_workbook(path).form
    named = lambda items: sorted((i.level2, i.name, i.target) for i in items if not i.is_placeholder)  # noqa: E731
    assert named(form.indicators) == named(previous.indicators)
    assert named(form.period_indicators) == named(previous.period_indicators)


def test_template_command_for_projects(tmp_path):
    res = run("template", "--kind", "project", "--unit", "某某局", "--year", "2025", "--project", "就业专项",
              "--out-dir", str(tmp_path))
    assert res.returncode == 0, res.stderr
    out = Path(res.stdout.strip())
    assert out.name == "某某局-就业专项-2025年项目支出绩效目标表.xlsx" and out.is_file()
    res = run("template", "--layout", "wuhan-project", "--unit", "某某局", "--year", "2025", "-o", str(tmp_path / "w.xlsx"))
    assert res.returncode == 0 and read_workbook(tmp_path / "w.xlsx").layout == "wuhan-project"
    res = run("template", "--kind", "project", "--layout", "guangdong", "--unit", "x", "--year", "2025",
              "-o", str(tmp_path / "x.xlsx"))
    assert res.returncode == 2 and "--layout 给出的是部门整体预算绩效目标表" in res.stderr
    res = run("template", "--kind", "department", "--from", str(CENTRAL), "--year", "2025", "-o", str(tmp_path / "x.xlsx"))
    assert res.returncode == 2 and "--from 给出的是项目支出绩效目标表" in res.stderr
    res = run("template", "--unit", "x", "--year", "2025", "--project", "p", "-o", str(tmp_path / "x.xlsx"))
    assert res.returncode == 2 and "--project 只能用于" in res.stderr
    assert not (tmp_path / "x.xlsx").exists()
    res = run("template", "--kind", "project", "--units", str(ROOT / "inputs" / "units-2024.csv"), "--year", "2025",
              "--out-dir", str(tmp_path / "all"), "--jobs", "2")
    assert res.returncode == 0, res.stderr
    assert "金额列已忽略" in res.stderr
    made = sorted((tmp_path / "all").iterdir())
    assert len(made) == 4 and all(p.name.endswith("年项目支出绩效目标表.xlsx") for p in made)
    assert read_workbook(made[0]).form.kind == "project"


# --------------------------------------------------------------------------------------------
# Checking


def test_each_indicator_set_is_checked_on_its_own_rows(tmp_path):
    form = load_form(CENTRAL)
    bad = form.period_indicators[0].model_copy(update={"level1": "产出效果指标"})
    period = (bad, *form.period_indicators[1:])
    report = validate(form.model_copy(update={"period_indicators": period}))
    (finding,) = [f for f in report.findings if f.code == "BX201"]
    assert finding.field == "period_indicators[0].level1" and "产出指标" in finding.message
    path = render_form(form.model_copy(update={"period_indicators": period}), tmp_path / "p.xlsx")
    (located,) = [f for f in check_file(path).findings if f.code == "BX201"]
    assert located.cell == "B13"  # the period's tree is left of the year's
    same = form.indicators[0].model_copy(update={"target": "多多益善"})
    report = validate(form.model_copy(update={"indicators": (form.indicators[0], same, *form.indicators[1:])}))
    assert [f.field for f in report.findings if f.code == "BX212"] == ["indicators[1].name"]


def test_check_command_on_project_files(tmp_path):
    res = run("check", str(CENTRAL), str(WUHAN), "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert [sorted({f["code"] for f in d["findings"]}) for d in data] == [[], ["BX211"]]
    bad = load_form(CENTRAL).model_copy(update={"indicators": ()})
    (tmp_path / "bad.yaml").write_text(bad.to_yaml(), encoding="utf-8")
    res = run("check", str(tmp_path / "bad.yaml"))
    assert res.returncode == 1 and "BX503" in res.stdout


# --------------------------------------------------------------------------------------------
# Comparing


def _next_year(form: ProjectForm) -> ProjectForm:
    annual = (form.funding.annual[0].model_copy(update={"amount": Decimal(1300)}), form.funding.annual[1])
    return form.model_copy(update={"year": 2025, "annual_goal": form.annual_goal + "完成配楼改造。",
                                   "indicators": form.indicators[1:],
                                   "funding": form.funding.model_copy(update={"annual": annual})})


def test_a_project_compared_with_its_next_year():
    old = load_form(CENTRAL)
    diff = diff_forms(old, _next_year(old))
    assert diff.kind == "project" and diff.label("budget") == "项目资金" and not diff.warnings
    changed = [(e.part, e.name, e.delta) for e in diff.budget if e.status == "changed"]
    assert changed == [("funding.annual", "财政拨款", Decimal(100))]
    assert diff.counts()["indicators"]["removed"] == 1 and diff.counts()["period_indicators"]["unchanged"] == 9
    assert diff.overall_goal.status == "changed"
    other = old.model_copy(update={"name": "另一个项目", "code": "X-1"})
    assert "两张表的项目不同" in diff_forms(old, other).warnings[0]
    with pytest.raises(InputError, match="不能比对不同种类的表格"):
        diff_forms(old, load_form(ROOT / "inputs" / "central-2024.yaml"))


def test_blank_funding_rows_gone_or_new_are_no_change(real_wuhan):
    old, new = read_workbook(real_wuhan).form, load_form(WUHAN)
    diff = diff_forms(old, new)
    removed = [e for e in diff.budget if e.status == "removed"]
    added = [e for e in diff.budget if e.status == "added"]
    # Only lines that carried money are 取消/新增: the six expenditure lines of 2020, none of the
    # blank source rows (the blank 其中 row under 政府性基金 is gone in the example: no change).
    assert [e.part for e in removed] == ["spending"] * 6 and all(e.old["amount"] is not None for e in removed)
    assert all(e.new["amount"] is not None for e in added)
    assert diff.counts()["budget"]["removed"] == 6
    # A blank row in both years is still listed, unchanged.
    assert any(e.status == "unchanged" and e.name == "事业收入" and e.old["amount"] is None for e in diff.budget)
    # Money on a row that was blank, or gone from a row: still a change.
    lines = list(old.funding.annual)
    gone = old.model_copy(update={"funding": old.funding.model_copy(update={"annual": tuple(lines[:2])})})
    blank_gone = [e for e in diff_forms(old, gone).budget if e.status == "removed"]
    assert blank_gone == []  # every 2020 source row after the first and its 其中 was blank
    with_money = gone.model_copy(update={"funding": gone.funding.model_copy(
        update={"annual": (*gone.funding.annual, ProjectLine(name="事业收入", amount=Decimal(5)))})})
    assert [(e.status, e.name) for e in diff_forms(gone, with_money).budget if e.status != "unchanged"] == [
        ("added", "事业收入")]


def test_diff_command_on_two_years_of_a_project(tmp_path):
    old = load_form(CENTRAL)
    (tmp_path / "new.yaml").write_text(_next_year(old).to_yaml(), encoding="utf-8")
    res = run("diff", str(CENTRAL), str(tmp_path / "new.yaml"))
    assert res.returncode == 0, res.stderr
    assert "项目支出绩效目标表 比对" in res.stdout and "实施期绩效指标" in res.stdout and "工作任务" not in res.stdout
    res = run("diff", str(CENTRAL), str(tmp_path / "new.yaml"), "--json")
    data = json.loads(res.stdout)
    assert data["kind"] == "project" and data["summary"]["counts"]["indicators"]["removed"] == 1
    res = run("diff", str(CENTRAL), str(tmp_path / "new.yaml"), "-o", str(tmp_path / "c.xlsx"))
    assert res.returncode == 0, res.stderr
    assert "实施期绩效指标" in openpyxl.load_workbook(tmp_path / "c.xlsx").sheetnames
    res = run("diff", str(CENTRAL), str(ROOT / "inputs" / "central-2024.yaml"))
    assert res.returncode == 1 and "不能比对不同种类的表格" in res.stderr


def test_a_departments_projects_are_paired_across_two_years(tmp_path):
    a = load_form(CENTRAL)
    canteen = a.model_copy(update={"name": "机关食堂设备更新", "code": ""})
    ended = a.model_copy(update={"name": "档案数字化", "code": "X-0"})
    old = [a, canteen, ended]
    renamed = _next_year(a).model_copy(update={"name": "机关办公区节能改造（二期）"})  # same code
    new = [a.model_copy(update={"name": "新建充电桩", "code": "X-9", "year": 2025}),
           canteen.model_copy(update={"name": "机关食堂设备更新改造", "year": 2025}), renamed]
    pairing = pair_projects(old, new)
    assert [(p.old, p.new, p.by) for p in pairing.pairs] == [(1, 1, "similar"), (0, 2, "code")]
    assert pairing.removed == (2,) and pairing.added == (0,)
    for year, forms in (("y1", old), ("y2", new)):
        (tmp_path / year).mkdir()
        for k, f in enumerate(forms):
            (tmp_path / year / f"p{k}.yaml").write_text(f.to_yaml(), encoding="utf-8")
    res = run("diff", str(tmp_path / "y1"), str(tmp_path / "y2"))
    assert res.returncode == 0, res.stderr
    assert "项目配对：2 对，新增 1 个，取消 1 个" in res.stdout and "项目代码相同" in res.stdout
    assert "新增项目：新建充电桩" in res.stdout and "取消项目：档案数字化" in res.stdout
    data = json.loads(run("diff", str(tmp_path / "y1"), str(tmp_path / "y2"), "--json").stdout)
    assert [p["paired_by"] for p in data["pairs"]] == ["similar", "code"] and data["removed"][0]["code"] == "X-0"
    res = run("diff", str(tmp_path / "y1"), str(tmp_path / "y2"), "-o", str(tmp_path / "x.xlsx"))
    assert res.returncode == 0 and "已写入" in res.stderr, res.stderr
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx")
    assert wb.sheetnames[0] == "项目配对" and "项目1 概要" in wb.sheetnames and "项目2 年度绩效指标" in wb.sheetnames
    rows = [list(row) for row in wb["项目配对"].iter_rows(values_only=True)]
    assert rows[1][0] == "项目配对：2 对，新增 1 个，取消 1 个"
    assert rows[3][:6] == ["序号", "上年项目", "本年项目", "配对依据", "相似度", "状态"]
    pair1, pair2, ended, started = rows[4:8]
    assert pair1[1:4] == ["机关食堂设备更新", "机关食堂设备更新改造", "项目名称相近"] and 0 < pair1[4] < 1
    assert pair2[3] == "项目代码相同" and pair2[4] is None and pair2[5] == "调整" and pair2[9] == "项目2"
    assert pair2[1].startswith("机关办公区节能改造（") and pair2[10].endswith("p0.yaml")
    changed = sum(n for n in pair2[6:9])
    assert changed > 0  # the next year's changes counted (新增 | 取消 | 调整 entries)
    assert ended[1] == "档案数字化（X-0）" and ended[5] == "取消" and ended[10].endswith("p2.yaml")
    assert started[2] == "新建充电桩（X-9）" and started[5] == "新增" and started[11].endswith("p0.yaml")
    assert wb["项目1 概要"]["A1"].value == "项目支出绩效目标表 比对"
    res = run("diff", str(tmp_path / "y1"), str(tmp_path / "y2"), "--html", str(tmp_path / "x.html"))
    assert res.returncode == 2 and "逐个项目比对" in res.stderr and not (tmp_path / "x.html").exists()


# --------------------------------------------------------------------------------------------
# Collecting


def test_collect_takes_project_returns_with_a_project_sheet_and_a_roll_up(tmp_path, seed_form):
    returns, prev = tmp_path / "returns", tmp_path / "prev"
    returns.mkdir()
    prev.mkdir()
    a = load_form(CENTRAL)
    render_form(a, returns / "节能改造.xlsx")
    render_form(a.model_copy(update={"name": "食堂设备更新", "code": "X-2", "indicators": ()}), returns / "食堂.xlsx")
    render_form(load_form(WUHAN), returns / "就业.xlsx")
    render_form(seed_form, returns / "凤阳.xlsx")
    render_form(a.model_copy(update={"year": 2023}), prev / "节能改造-2023.xlsx")
    render_form(a.model_copy(update={"year": 2023, "name": "档案数字化", "code": "X-0"}), prev / "档案-2023.xlsx")
    result = collect([returns], tmp_path / "summary.xlsx", previous=prev, jobs=2)
    projects = [r for r in result.records if r.project is not None]
    assert len(projects) == 3 and not any(r.duplicates for r in result.records)  # a department's projects are not duplicates
    saving = next(r for r in projects if r.project.name == "机关办公区节能改造")
    assert saving.comparison.previous.endswith("节能改造-2023.xlsx") and saving.comparison.new_total == Decimal(1250)
    wb = openpyxl.load_workbook(tmp_path / "summary.xlsx")
    assert wb.sheetnames[-2:] == ["项目", "部门汇总"]
    rows = list(wb["项目"].iter_rows(values_only=True))
    head = rows[0]
    by_name = {r[head.index("项目名称")]: r for r in rows[1:]}
    assert set(by_name) == {"机关办公区节能改造", "食堂设备更新", "城区公共就业服务专项"}
    assert by_name["食堂设备更新"][head.index("年度指标数")] == 0 and by_name["食堂设备更新"][head.index("状态")] == "有错误"
    assert by_name["城区公共就业服务专项"][head.index("年度资金（万元）")] == 860
    roll = list(wb["部门汇总"].iter_rows(values_only=True))
    rhead = roll[0]
    dept = {r[0]: r for r in roll[1:]}
    assert dept["某某部（360）"][rhead.index("项目数")] == 2
    assert dept["某某部（360）"][rhead.index("年度资金合计（万元）")] == 2500
    assert dept["某某部（360）"][rhead.index("没有年度绩效指标的项目")] == "食堂设备更新"
    compare = [r[0] for r in wb["与上年比较"].iter_rows(min_row=2, values_only=True)]
    assert "某某部（360）：档案数字化" in compare  # last year's project with no table this year
    summary = list(wb["汇总"].iter_rows(values_only=True))
    shead = summary[0]
    assert {r[shead.index("版式")] for r in summary[1:]} == {"guangdong", "central-project", "wuhan-project"}


def test_a_department_collection_does_not_list_last_years_projects(tmp_path, seed_form):
    returns, prev = tmp_path / "returns", tmp_path / "prev"
    returns.mkdir()
    prev.mkdir()
    render_form(seed_form.model_copy(update={"year": 2024}), returns / "凤阳.xlsx")
    render_form(seed_form, prev / "凤阳-2023.xlsx")
    render_form(load_form(CENTRAL).model_copy(update={"year": 2023}), prev / "项目-2023.xlsx")
    result = collect([returns], tmp_path / "s.xlsx", previous=prev, jobs=1)
    assert result.missing == ()
    assert result.records[0].comparison.previous.endswith("凤阳-2023.xlsx")


def test_a_project_returned_twice_is_a_duplicate(tmp_path):
    returns = tmp_path / "returns"
    returns.mkdir()
    a = load_form(CENTRAL)
    render_form(a, returns / "a.xlsx")
    shutil.copy(returns / "a.xlsx", returns / "a-again.xlsx")
    render_form(a.model_copy(update={"name": "另一个项目", "code": "X-3"}), returns / "b.xlsx")
    result = collect([returns], tmp_path / "s.xlsx", jobs=1)
    dups = {Path(r.path).name: r.duplicates for r in result.records}
    assert dups["b.xlsx"] == () and [Path(p).name for p in dups["a.xlsx"]] == ["a-again.xlsx"]

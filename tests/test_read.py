"""Reading workbooks back: real files, hand-made layouts, edited renders, bad files."""

from __future__ import annotations

import hashlib
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from budgetxl.errors import ReadError
from budgetxl.model import Indicator
from budgetxl.read import read_workbook
from budgetxl.render import render_form


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------------
# The two real workbooks


def test_real_2023(real_dir):
    path = real_dir / "zhanjiang-hrss-2023.xlsx"
    before = sha(path)
    result = read_workbook(path)
    form = result.form
    assert sha(path) == before
    assert form.year == 2023 and form.unit_name == "湛江市人力资源和社会保障局"
    assert form.layout == "zhanjiang" and form.title is None
    assert [(i.name, i.value) for i in form.basic_info] == [("财政供养人员数", "750"), ("下属二级单位数", "10")]
    b = form.budget
    assert [(x.name, x.amount) for x in b.expenditures] == [("基本支出", Decimal("10596.35")), ("项目支出", Decimal("72204.57"))]
    # 财政拨款 is =SUM(C5:C6): its cached value, exactly
    assert [(x.name, x.amount) for x in b.revenues] == [("财政拨款", Decimal("82800.92")), ("其他资金", Decimal("0"))]
    assert result.formulas["budget.revenues[0].amount"] == "SUM(C5:C6)"
    assert result.cells["budget.revenues[0].amount"] == "E5"
    # the 事业发展性支出 sub-block is kept, with its blank amounts
    (section,) = b.sections
    assert (section.left_heading, section.right_heading) == ("事业发展性支出", "按预算级次划分")
    assert [x.name for x in section.left] == ["财政专项资金", "其他事业发展性支出"]
    assert [x.name for x in section.right] == ["市本级使用资金", "拟用于对下转移支付资金"]
    assert all(x.amount is None for x in section.left + section.right)
    assert form.overall_goal.startswith("目标1：城乡居民基本养老保险") and form.overall_goal.count("\n") == 5
    assert [t.name for t in form.tasks] == ["城乡居民养老保险政府补贴资金", "创业担保贷款贴息资金", "促进就业专项资金"]
    assert [t.funds for t in form.tasks] == [Decimal(20140), Decimal(790), Decimal(500)]
    assert all(t.group == "key" for t in form.tasks)
    ind = form.indicators
    assert len(ind) == 19
    by_name = {i.name: i for i in ind}
    assert by_name["资金在规定时间内下达率"].target == "100%"  # the number 1 formatted 0%
    assert by_name["创业担保贷款还款率"].target == "≧90%"  # kept as typed
    assert by_name["扶持创业企业（项目）数"].target == "650"
    assert by_name["城镇新增就业人数（万人）"].level2 == "数量指标"
    # empty 二级 blocks kept as placeholders, in place
    placeholders = [(i.level1, i.level2) for i in ind if i.is_placeholder]
    assert placeholders == [("产出指标", "成本指标"), ("效益指标", "生态效益指标"), ("效益指标", "可持续影响指标")]
    assert ind[-1] == Indicator(level1="满意度指标", level2="服务对象满意度指标", name="公共服务满意度", target="≧95%")
    assert result.cell_for("indicators[18].target") == "E39"
    assert result.findings == ()


def test_real_2024(real_dir):
    result = read_workbook(real_dir / "zhanjiang-hrss-2024.xlsx")
    form = result.form
    assert form.year == 2024
    assert form.budget.expenditures[0].amount == Decimal("10891.615675")
    assert form.budget.expenditures[1].amount == Decimal("61915.7693")
    assert form.budget.revenues[0].amount == Decimal("72807.384975")  # =C5+C6
    assert form.budget.sections[0].right[1].name == "拟用于对下\n转移支付资金"
    assert [t.funds for t in form.tasks] == [Decimal(18862), Decimal("587.81"), Decimal(1140)]
    assert form.tasks_in("other") == ()
    by_name = {i.name: i for i in form.indicators}
    assert by_name["城镇新增就业人数（人）"].target == "50000"
    assert by_name["补贴发放准确率"].target == "100%"
    assert by_name["资金在规定时间内下达率"].target == "≧95%"
    assert by_name["全市城乡居民养老保险覆盖面"].level2 == "质量指标"  # mislabelled, read as written
    assert by_name["群众满意度"].level2 == "服务对象"
    assert len(form.indicators) == 21
    assert result.findings == ()


def test_real_files_render_and_read_back_equal(real_dir, tmp_path):
    for name in ("zhanjiang-hrss-2023.xlsx", "zhanjiang-hrss-2024.xlsx"):
        form = read_workbook(real_dir / name).form
        again = read_workbook(render_form(form, tmp_path / name)).form
        assert again == form


# ---------------------------------------------------------------------------------------------
# Workbooks laid out by hand, the way another person would


def hand_made(path: Path, rows: dict[tuple[int, int], object], merges: list[str], *, before_sheet: bool = True,
              formats: dict[str, str] | None = None, widths: dict[str, float] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    if before_sheet:
        ws.title = "说明"
        ws["A1"] = "本表由各单位填报，12月1日前报送。"
        ws = wb.create_sheet("绩效目标表")
    for (r, c), v in rows.items():
        ws.cell(row=r, column=c, value=v)
    for m in merges:
        ws.merge_cells(m)
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    for col, w in (widths or {}).items():
        ws.column_dimensions[col].width = w
    wb.save(path)
    return path


def foreign_layout(tmp_path: Path) -> Path:
    """Labels in column B merged vertically, content in C..G, 指标值 over F:G merged, one header
    per block, 一级 written once with the cells below empty, 二级 repeated on every row, numbers
    typed as text, the unit name written in the same cell as its label."""
    R: dict[tuple[int, int], object] = {}
    def row(r, *vals, start=2):
        for i, v in enumerate(vals):
            if v is not None:
                R[(r, start + i)] = v
    row(2, "2024年度部门整体预算绩效目标表")
    row(3, "单位名称：某某区教育局")
    row(4, "预算整体情况", "部门预算支出", "预算金额（万元）", "收入来源", "预算金额（万元）")
    row(5, None, "基本支出", "1,800", "财政拨款", "1850.5")
    row(6, None, "项目支出", " ５０.５ ", "其他资金", "0万元")
    row(7, "总体绩效目标", "目标1：办好教育。\n目标2：办好学校。")
    row(8, "年度重点工作任务", "名称", "主要实施内容", "拟投入的资金（万元）", "期望达到的目标（概述）")
    row(9, None, "校舍维修", "维修三所学校", "30", "按期完成")
    row(10, None, None, None, None, None)
    row(11, None, "教师培训", "培训教师", 20.5, "培训500人次")
    row(12, "其他需完成的任务 （可选填）", "食堂改造", "改造食堂", "", "年内完工")
    row(13, "绩效指标", "一级指标", "二级指标", "三级指标", "指标值")
    row(14, None, "产出指标", "数量指标", "维修学校数", "3所")
    row(15, None, None, "数量指标", "培训人次", 500)
    row(16, None, None, "质量指标", "验收合格率", 1)
    row(17, None, "效\n益\n指\n标", "社会效益指标", "入学率", "≥99%")
    row(18, None, "满意度指标", "服务对象满意度", "家长满意度", "≥90%（满意人数/调查人数）")
    row(20, "注：金额单位为万元。")
    merges = ["B2:G2", "B4:B6", "C7:G7", "B8:B11", "B13:B18", "F13:G13"] + [f"F{r}:G{r}" for r in range(14, 19)]
    return hand_made(tmp_path / "foreign.xlsx", R, merges, formats={"F16": "0%"},
                     widths={"B": 6, "C": 30, "D": 12, "E": 40, "F": 8, "G": 8})


def test_foreign_layout_reads(tmp_path):
    result = read_workbook(foreign_layout(tmp_path))
    form = result.form
    assert result.sheet == "绩效目标表"
    assert form.year == 2024
    assert form.title == "2024年度部门整体预算绩效目标表"  # not a layout's own title: kept
    assert form.unit_name == "某某区教育局"
    amounts = [(x.name, x.amount) for x in form.budget.expenditures + form.budget.revenues]
    assert amounts == [("基本支出", Decimal(1800)), ("项目支出", Decimal("50.5")),
                       ("财政拨款", Decimal("1850.5")), ("其他资金", Decimal(0))]
    assert form.overall_goal == "目标1：办好教育。\n目标2：办好学校。"
    assert [(t.group, t.name, t.funds) for t in form.tasks] == [
        ("key", "校舍维修", Decimal(30)), ("key", "教师培训", Decimal("20.5")), ("other", "食堂改造", None)]
    assert [(i.level1, i.level2, i.name, i.target) for i in form.indicators] == [
        ("产出指标", "数量指标", "维修学校数", "3所"),
        ("产出指标", "数量指标", "培训人次", "500"),
        ("产出指标", "质量指标", "验收合格率", "100%"),
        ("效\n益\n指\n标", "社会效益指标", "入学率", "≥99%"),
        ("满意度指标", "服务对象满意度", "家长满意度", "≥90%（满意人数/调查人数）"),
    ]
    assert form.notes == ("注：金额单位为万元。",)
    assert result.cells["tasks[1].funds"] == "E11"
    assert result.cells["indicators[2].target"] == "F16"
    assert result.cells["indicators[2].level2"] == "D16"


def test_text_that_belongs_nowhere_is_reported_with_its_cell(tmp_path):
    path = foreign_layout(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["绩效目标表"]["K5"] = "联系人：张三"
    wb.save(path)
    result = read_workbook(path)
    (finding,) = [f for f in result.findings if f.code == "BX020"]
    assert finding.cell == "K5" and finding.sheet == "绩效目标表" and "联系人：张三" in finding.message


def test_bad_amount_text_is_a_finding_with_its_cell(tmp_path):
    path = foreign_layout(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["绩效目标表"]
    ws["E9"] = "约三十"
    ws["D5"] = -3
    wb.save(path)
    result = read_workbook(path)
    found = {(f.code, f.cell, f.field) for f in result.findings}
    assert ("BX011", "E9", "tasks[0].funds") in found
    assert ("BX012", "D5", "budget.expenditures[0].amount") in found
    assert result.form.tasks[0].funds is None


def test_uncalculated_total_formula_is_computed_not_taken_as_zero(tmp_path):
    path = tmp_path / "formula.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    data = [["部门整体预算绩效目标表（2023年）"], ["单位名称", "某局"],
            ["预算整体情况", "部门预算支出", "预算金额（万元）", "收入来源", "预算金额（万元）"],
            ["", "基本支出", 100.5, "财政拨款", None], ["", "项目支出", 20, "其他资金", 0],
            ["总体绩效目标", "目标"], ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
            ["", "产出指标", "数量指标", "甲", "1个"]]
    for r, vals in enumerate(data):
        for c, v in enumerate(vals):
            if v is not None:
                ws.write(r, c, v)
    ws.write_formula(3, 4, "=C4+C5")  # xlsxwriter stores 0 as the cached value
    ws.write_formula(4, 4, "=ROUND(C4,0)")  # not a simple sum, and never calculated
    wb.close()
    result = read_workbook(path)
    assert result.form.budget.revenues[0].amount == Decimal("120.5")
    codes = {f.code: f for f in result.findings}
    assert codes["BX014"].cell == "E4"
    assert codes["BX013"].cell == "E5"
    assert result.form.budget.revenues[1].amount is None


# ---------------------------------------------------------------------------------------------
# A rendered workbook after a person edited it


def insert_rows(ws, idx: int, amount: int = 1) -> None:
    """Insert rows the way Excel does: merges below move down, merges across the row grow."""
    merges = [tuple(m.bounds) for m in ws.merged_cells.ranges]
    for m in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(m))
    ws.insert_rows(idx, amount)
    for c1, r1, c2, r2 in merges:
        if r1 >= idx:
            r1, r2 = r1 + amount, r2 + amount
        elif r2 >= idx:
            r2 += amount
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def delete_row(ws, idx: int) -> None:
    merges = [tuple(m.bounds) for m in ws.merged_cells.ranges]
    for m in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(m))
    ws.delete_rows(idx, 1)
    for c1, r1, c2, r2 in merges:
        if r1 > idx:
            r1, r2 = r1 - 1, r2 - 1
        elif r2 >= idx:
            r2 -= 1
        if (r1, c1) != (r2, c2) and r2 >= r1:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def find_row(ws, text: str) -> int:
    for row in ws.iter_rows():
        for c in row:
            if c.value == text:
                return c.row
    raise AssertionError(text)


def test_a_sheet_whose_indicators_have_no_header_row_is_refused_not_misread(tmp_path):
    """A comparison workbook names 总体绩效目标 and 绩效指标 in column A like a form; read as one
    it gave amounts as indicators. A 绩效指标 part with no header row is not a form: refused, saying why."""
    from golden_builders import comparison_workbook

    with pytest.raises(ReadError, match="“概要”的“绩效指标”部分没有表头行（一级指标、二级指标、三级指标、指标值）"):
        read_workbook(comparison_workbook(tmp_path))
    from handmade_workbooks import make_workbook

    path = make_workbook(tmp_path / "a.xlsx")
    assert len(read_workbook(path).form.indicators) >= 2
    wb = openpyxl.load_workbook(path)
    for c in "BCDE":  # the clerk deleted the header's text
        wb.active[f"{c}10"] = None
    wb.save(path)
    with pytest.raises(ReadError, match="没有表头行"):
        read_workbook(path)


def test_rendered_then_edited_by_a_person(tmp_path, seed_form):
    path = render_form(seed_form, tmp_path / "edited.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    # a new task typed into an inserted row, with funds typed as text
    r = find_row(ws, "综合行政执法规范化建设") + 1
    insert_rows(ws, r)
    ws.cell(r, 2, "新增任务"); ws.cell(r, 4, "新增内容"); ws.cell(r, 5, "1,000"); ws.cell(r, 6, "新增目标")
    # two empty rows left in the indicator block
    r = find_row(ws, "违法建设拆除数量") + 1
    insert_rows(ws, r, 2)
    # an indicator deleted
    delete_row(ws, find_row(ws, "走访重点企业"))
    wb.save(path)
    form = read_workbook(path).form
    key = form.tasks_in("key")
    assert [t.name for t in key][-1] == "新增任务" and key[-1].funds == Decimal(1000)
    assert len(form.tasks) == 17
    names = [i.name for i in form.indicators]
    assert "走访重点企业" not in names and len(names) == 54
    assert form.indicators[0].level2 == "数量指标" and form.indicators[1].level2 == "数量指标"
    assert form.budget == seed_form.budget


def test_moved_block_still_reads(tmp_path, seed_form):
    """总体绩效目标 moved under the tasks by someone re-arranging the sheet."""
    path = render_form(seed_form, tmp_path / "moved.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    goal_row = find_row(ws, "总体绩效目标")
    ind_row = find_row(ws, "绩效指标")
    insert_rows(ws, ind_row)
    ws.cell(ind_row, 1, "总体绩效目标")
    ws.cell(ind_row, 2, ws.cell(goal_row, 2).value)
    ws.merge_cells(start_row=ind_row, start_column=2, end_row=ind_row, end_column=7)
    ws.unmerge_cells(start_row=goal_row, start_column=2, end_row=goal_row, end_column=7)
    delete_row(ws, goal_row)
    wb.save(path)
    assert read_workbook(path).form == seed_form


# ---------------------------------------------------------------------------------------------
# Files that cannot be read


def corrupt_cases(tmp_path: Path, seed_form) -> dict[str, tuple[Path, str]]:
    good = render_form(seed_form, tmp_path / "good.xlsx")
    cases = {}
    p = tmp_path / "notes.xlsx"; p.write_text("这不是表格", encoding="utf-8"); cases["text"] = (p, "不是电子表格")
    p = tmp_path / "empty.xlsx"; p.write_bytes(b""); cases["empty"] = (p, "空的")
    p = tmp_path / "trunc.xlsx"; p.write_bytes(good.read_bytes()[:4000]); cases["truncated"] = (p, "损坏")
    p = tmp_path / "other.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("a.txt", "x")
    cases["zip"] = (p, "不是 Excel")
    p = tmp_path / "locked.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 500)
    cases["password"] = (p, "密码")
    p = tmp_path / "noform.xlsx"
    wb = openpyxl.Workbook(); wb.active["A1"] = "工资表"; wb.save(p)
    cases["no form"] = (p, "没有找到部门整体预算绩效目标表")
    p = tmp_path / "noind.xlsx"
    wb = openpyxl.load_workbook(good); ws = wb.active
    for (cell,) in ws.iter_rows(max_col=1):  # the label is repeated on every page it continues on
        if cell.value == "绩效指标":
            cell.value = "其他"
    wb.save(p)
    cases["no indicators"] = (p, "缺少“绩效指标”")
    cases["folder"] = (tmp_path, "文件夹")
    cases["missing"] = (tmp_path / "nope.xlsx", "不存在")
    return cases


def test_unreadable_files_give_one_clear_error(tmp_path, seed_form):
    for name, (path, words) in corrupt_cases(tmp_path, seed_form).items():
        before = sha(path) if path.is_file() else None
        with pytest.raises(ReadError) as exc:
            read_workbook(path)
        assert str(path) in str(exc.value), name
        assert words in str(exc.value), (name, str(exc.value))
        if before:
            assert sha(path) == before


def test_a_really_encrypted_workbook_is_refused_with_a_clear_message(tmp_path, seed_form):
    """Encrypted the way Excel does it when a person sets an opening password (ECMA-376 agile)."""
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml", reason="msoffcrypto-tool is in the test extra")
    plain = render_form(seed_form, tmp_path / "plain.xlsx")
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as src, locked.open("wb") as dst:
        ooxml.OOXMLFile(src).encrypt("secret", dst)
    with pytest.raises(ReadError, match="打开密码"):
        read_workbook(locked)


def test_read_cli_on_a_broken_file_exits_1_without_traceback(tmp_path, seed_form):
    import subprocess
    import sys

    path = tmp_path / "trunc.xlsx"
    path.write_bytes(render_form(seed_form, tmp_path / "g.xlsx").read_bytes()[:3000])
    exe = Path(sys.executable).with_name("budgetxl")
    res = subprocess.run([str(exe), "read", str(path)], capture_output=True, text=True)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr and "trunc.xlsx" in res.stderr


def test_read_cli_writes_yaml_that_renders(tmp_path, real_dir):
    import subprocess
    import sys

    exe = str(Path(sys.executable).with_name("budgetxl"))
    out = tmp_path / "back.yaml"
    res = subprocess.run([exe, "read", str(real_dir / "zhanjiang-hrss-2024.xlsx"), "-o", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    res = subprocess.run([exe, "render", str(out), "-o", str(tmp_path / "again.xlsx")], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert read_workbook(tmp_path / "again.xlsx").form == read_workbook(real_dir / "zhanjiang-hrss-2024.xlsx").form


def test_every_code_the_reader_reports_is_declared_and_catalogued():
    import re

    from budgetxl.read.codes import READ_CODES

    src = Path(__file__).resolve().parents[1] / "src" / "budgetxl" / "read"
    used = set()
    for path in src.glob("*.py"):
        if path.name != "codes.py":
            used |= set(re.findall(r'"(BX0\d\d)"', path.read_text(encoding="utf-8")))
    assert used and used <= set(READ_CODES)
    catalogue = (src.parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    assert all(f"| {code} |" in catalogue for code in READ_CODES)

"""The renderers of a FormDiff: JSON data, the comparison workbook (opened with openpyxl), the
terminal view."""

from __future__ import annotations

import io
import json
import re
import zipfile

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText
from rich.console import Console

from budgetxl.diff import diff_forms
from budgetxl.diff import styles as S
from budgetxl.diff.data import diff_data, series_data, to_json
from budgetxl.diff.terminal import render_diff, render_series
from budgetxl.diff.trend import diff_series
from budgetxl.diff.xlsx import write_comparison

from diff_builders import indicator, make_form, task


@pytest.fixture(scope="module")
def pair():
    old = make_form(
        tasks=[
            task("抓好“一工程三行动”", 1800, "开展城中村更新改造行动", "按季度铺排拆违工作"),
            task("社区防疫物资储备", 50, "储备物资"),
        ],
        indicators=[
            indicator("产出指标", "数量指标", "违法建设拆除面积", "≥20万平方米"),
            indicator("产出指标", "数量指标", "城镇新增就业人数（万人）", "根据下达任务目标要求确定"),
            indicator("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"),
        ],
    )
    new = make_form(
        year=2024,
        basic="8800",
        tasks=[
            task("抓好“一工程三行动”", 2000, "开展城中村更新改造行动", "按季度铺排拆违工作，完成25万平方米"),
            task("长者饭堂运营", 120, "为长者供餐"),
        ],
        indicators=[
            indicator("产出指标", "数量指标", "违法建设拆除面积", "≥25万平方米"),
            indicator("产出指标", "数量指标", "城镇新增就业人数（人）", "50000"),
            indicator("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"),
            indicator("效益指标", "社会效益指标", "新建口袋公园数量", "3个"),
        ],
    )
    return old, new, diff_forms(old, new)


# --------------------------------------------------------------------------------------------
# JSON


def test_json_shape(pair):
    _, _, d = pair
    data = json.loads(to_json(diff_data(d, ("a.yaml", "b.yaml"))))
    assert {"budget", "tasks", "indicators", "summary"} <= set(data)
    for block in ("tasks", "indicators"):
        for e in data[block]:
            assert set(e) >= {"status", "old", "new", "changes", "similarity"}
            assert e["status"] in ("added", "removed", "changed", "unchanged")
            assert (e["old"] is None) == (e["status"] == "added")
            assert (e["new"] is None) == (e["status"] == "removed")
            for change in e["changes"].values():
                assert set(change) >= {"old", "new"}
    area = next(e for e in data["indicators"] if e["new"] and e["new"]["name"] == "违法建设拆除面积")
    assert area["changes"]["target"] == {
        "old": "≥20万平方米", "new": "≥25万平方米", "delta": "5", "percent": "25", "unit": "万平方米",
    }
    assert area["similarity"] is None
    renamed = next(e for e in data["indicators"] if e["new"] and e["new"]["name"] == "城镇新增就业人数（人）")
    assert renamed["status"] == "changed" and 0.6 <= renamed["similarity"] < 1
    assert renamed["old"] == {"level1": "产出指标", "level2": "数量指标", "name": "城镇新增就业人数（万人）", "target": "根据下达任务目标要求确定"}
    basic = next(e for e in data["budget"] if e["name"] == "基本支出")
    assert (basic["delta"], basic["percent"], basic["old"]["amount"], basic["new"]["amount"]) == ("-197.98", "-2.2", "8997.98", "8800")
    funds = next(e for e in data["tasks"] if e["status"] == "changed")["changes"]["funds"]
    assert funds == {"old": "1800", "new": "2000", "delta": "200", "percent": "11.11"}
    summary = data["summary"]
    assert summary["counts"]["tasks"] == {"added": 1, "removed": 1, "changed": 1, "unchanged": 0}
    assert summary["counts"]["indicators"] == {"added": 1, "removed": 0, "changed": 2, "unchanged": 1}
    assert summary["old"] == {"label": "2023", "year": 2023, "unit_name": "某某街道办事处", "source": "a.yaml"}
    assert summary["warnings"] == [] and summary["identical"] is False


def test_json_of_a_series_has_one_comparison_per_pair_and_the_trend():
    forms = [make_form(year=y, basic=b) for y, b in ((2022, "7000"), (2023, "8000"), (2024, "8800"))]
    data = json.loads(to_json(series_data(diff_series(forms), ("a", "b", "c"))))
    assert len(data["comparisons"]) == 2
    assert data["comparisons"][1]["summary"]["old"]["source"] == "b"
    basic = next(t for t in data["trend"]["lines"] if t["name"] == "基本支出")
    assert basic["amounts"] == ["7000", "8000", "8800"] and data["trend"]["labels"] == ["2022", "2023", "2024"]


# --------------------------------------------------------------------------------------------
# The comparison workbook


@pytest.fixture(scope="module")
def workbook(pair, tmp_path_factory):
    old, new, d = pair
    path = tmp_path_factory.mktemp("cmp") / "compare.xlsx"
    write_comparison(path, d, [old, new], ["a.yaml", "b.yaml"])
    return path


def _rgb(font) -> str:
    color = font.color
    return color.rgb[-6:].upper() if color is not None and color.type == "rgb" else ""


def _fill(cell) -> str | None:
    if cell.fill is None or cell.fill.fill_type != "solid":
        return None
    return "#" + cell.fill.fgColor.rgb[-6:].upper()


def _rows(ws, start=3):
    return [list(row) for row in ws.iter_rows(min_row=start)]


def test_workbook_sheets_and_page_setup(workbook):
    wb = openpyxl.load_workbook(workbook)
    assert wb.sheetnames == [S.SHEETS["summary"], S.SHEETS["tasks"], S.SHEETS["indicators"]]
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9
        # one page wide (fitToWidth left out means 1), as many pages tall as needed
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    for name in (S.SHEETS["tasks"], S.SHEETS["indicators"]):
        ws = wb[name]
        assert ws.freeze_panes == "B3"  # two header rows and the 状态 column stay in view
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A2:")
        assert ws.print_title_rows == "$1:$2"
        assert ws["A2"].value == S.LABELS["status"]


def test_workbook_statuses_and_highlights(workbook):
    wb = openpyxl.load_workbook(workbook)
    ws = wb[S.SHEETS["indicators"]]
    statuses = [row[0].value for row in _rows(ws)]
    assert statuses == ["调整", "调整", "未变", "新增"]
    first = _rows(ws)[0]
    # old side: C..F (一级, 二级, 三级, 指标值); new side: G..J; then 指标值变化
    assert _fill(first[5]) == S.COLORS["changed_fill"] and _fill(first[9]) == S.COLORS["changed_fill"]
    assert _fill(first[4]) is None  # the name did not change
    assert first[10].value == "+5 万平方米，+25.00%"
    added = _rows(ws)[3]
    assert _fill(added[0]) == S.COLORS["added_fill"] and _fill(added[8]) == S.COLORS["added_fill"]
    assert added[2].value is None
    assert isinstance(_rows(ws)[1][1].value, float)  # similarity of the reworded indicator

    tasks = wb[S.SHEETS["tasks"]]
    rows = _rows(tasks)
    assert [r[0].value for r in rows] == ["调整", "取消", "新增"]
    # 状态 相似度 | 类别 名称 内容 资金 目标 (C–G) | the same (H–L) | 增减额 增减率 提示
    assert (rows[0][5].value, rows[0][10].value, rows[0][12].value) == (1800, 2000, 200)
    assert rows[0][13].value == pytest.approx(0.1111)
    assert _fill(rows[0][5]) == S.COLORS["changed_fill"] and _fill(rows[0][10]) == S.COLORS["changed_fill"]
    assert _fill(rows[0][3]) is None  # the name did not change
    assert _fill(rows[1][3]) == S.COLORS["removed_fill"]


def test_workbook_text_changes_are_rich_text(workbook):
    wb = openpyxl.load_workbook(workbook, rich_text=True)
    ws = wb[S.SHEETS["indicators"]]
    old_target, new_target = ws["F3"].value, ws["J3"].value
    assert isinstance(old_target, CellRichText) and isinstance(new_target, CellRichText)
    assert str(old_target) == "≥20万平方米" and str(new_target) == "≥25万平方米"
    struck = [b for b in old_target if not isinstance(b, str) and b.font.strike]
    assert [b.text for b in struck] == ["20"]  # a number is compared whole, never digit by digit
    assert _rgb(struck[0].font) == S.COLORS["removed_text"][1:]
    added = [b for b in new_target if not isinstance(b, str) and _rgb(b.font) == S.COLORS["added_text"][1:]]
    assert [b.text for b in added] == ["25"]
    renamed_old = ws["E4"].value
    assert isinstance(renamed_old, CellRichText) and str(renamed_old) == "城镇新增就业人数（万人）"
    assert [b.text for b in renamed_old if not isinstance(b, str) and b.font.strike] == ["万"]


def test_workbook_summary_counts_and_budget(workbook):
    wb = openpyxl.load_workbook(workbook)
    ws = wb[S.SHEETS["summary"]]
    cells = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
    text = list(cells.values())
    assert S.TITLE in text
    header_row = next(r for (r, c), v in cells.items() if v == S.LABELS["block"])
    assert [cells[(header_row, c)] for c in range(1, 6)] == ["板块", "新增", "取消", "调整", "未变"]
    rows = {}
    r = header_row + 1
    while (r, 1) in cells:
        rows[cells[(r, 1)]] = [cells.get((r, c)) for c in range(2, 6)]
        r += 1
    assert list(rows) == ["预算整体情况", "总体绩效目标", "工作任务", "绩效指标"]
    assert rows["工作任务"] == [1, 1, 1, 0]
    assert rows["绩效指标"] == [1, 0, 2, 1]
    budget_header = next(r for (r, c), v in cells.items() if v == S.LABELS["part"])
    assert [cells[(budget_header, c)] for c in range(3, 7)] == ["上年（2023）", "本年（2024）", "增减额", "增减率"]
    basic = next(r for (r, c), v in cells.items() if v == "基本支出")
    assert [cells[(basic, c)] for c in range(3, 8)] == [8997.98, 8800, pytest.approx(-197.98), pytest.approx(-0.022), "调整"]


def test_workbook_is_byte_stable_with_a_fixed_date(pair, tmp_path):
    old, new, d = pair
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_comparison(a, d, [old, new])
    write_comparison(b, d, [old, new])
    assert a.read_bytes() == b.read_bytes()
    core = zipfile.ZipFile(io.BytesIO(a.read_bytes())).read("docProps/core.xml").decode()
    assert S.CREATED.strftime("%Y-%m-%d") in core
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "b.xlsx"]  # no temp file left


def test_workbook_keeps_user_text_as_text(tmp_path):
    old = make_form(tasks=[task("=HYPERLINK(\"x\")", 1)])
    new = make_form(year=2024, tasks=[task("=1+1", 1)])
    path = tmp_path / "c.xlsx"
    write_comparison(path, diff_forms(old, new), [old, new])
    ws = openpyxl.load_workbook(path)[S.SHEETS["tasks"]]
    values = [c.value for row in ws.iter_rows(min_row=3) for c in row if isinstance(c.value, str)]
    assert "=1+1" in values and "=HYPERLINK(\"x\")" in values
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_series_workbook_has_a_trend_sheet_with_a_line_chart(tmp_path):
    forms = [make_form(year=y, basic=b) for y, b in ((2022, "7000"), (2023, "8000"), (2024, "8800"))]
    path = tmp_path / "s.xlsx"
    write_comparison(path, diff_series(forms), forms)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == S.SHEETS["trend"]
    assert "2022 → 2023 概要" in wb.sheetnames and "2023 → 2024 绩效指标" in wb.sheetnames
    assert len(wb.sheetnames) == 1 + 2 * 3
    ws = wb[S.SHEETS["trend"]]
    assert [c.value for c in ws[1]] == ["部分", "项目", "2022", "2023", "2024"]
    basic = next(row for row in ws.iter_rows(min_row=2, values_only=True) if row[1] == "基本支出")
    assert basic[2:] == (7000, 8000, 8800)
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode()
    assert "<c:lineChart>" in xml and xml.count("<c:ser>") == 4


# --------------------------------------------------------------------------------------------
# Terminal


def _terminal(d, forms, color: bool) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=160, force_terminal=color, color_system="standard" if color else None)
    render_diff(d, console, forms)
    return buf.getvalue()


def test_terminal_plain_marks_changes_in_brackets(pair):
    old, new, d = pair
    out = _terminal(d, (old, new), color=False)
    assert "城镇新增就业人数（[-万-]人）" in out
    assert "≥20万平方米 → ≥25万平方米（+5 万平方米，+25.00%）" in out
    assert "社区防疫物资储备" in out and "取消" in out
    assert "\x1b[" not in out


def test_terminal_colours_when_it_can(pair):
    old, new, d = pair
    out = _terminal(d, (old, new), color=True)
    assert "\x1b[" in out and "[-" not in out


def test_terminal_says_when_nothing_changed(seed_form):
    out = _terminal(diff_forms(seed_form, seed_form), (seed_form, seed_form), color=False)
    assert S.LABELS["identical"] in out


def test_terminal_series_shows_the_trend():
    forms = [make_form(year=y, basic=b) for y, b in ((2022, "7000"), (2023, "8000"), (2024, "8800"))]
    buf = io.StringIO()
    render_series(diff_series(forms), Console(file=buf, width=160, color_system=None), forms)
    out = buf.getvalue()
    assert out.count(S.TITLE) == 2 and "8,800" in out and S.SHEETS["trend"] in out


@pytest.mark.soffice
def test_workbook_opens_and_prints_in_libreoffice(workbook, tmp_path, soffice):
    """A real spreadsheet program opens the comparison and prints it: the statuses, the marked
    texts and the budget table reach the PDF, three sheets on landscape pages."""
    import subprocess

    pdf = soffice(workbook, "pdf", tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for needle in ("调整", "新增", "取消", "城镇新增就业人数（万人）", "≥25万平方米", "+5 万平方米，+25.00%", S.TITLE):
        assert needle in text, needle
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert width > height  # landscape
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 3


# --------------------------------------------------------------------------------------------
# Honest numbers: amounts read with two decimals, never cut off, never ###


def _money_form(year: int, basic: str, project: str, grant: str, funds: str, target: str):
    return make_form(
        year=year,
        budget={
            "expenditures": [{"name": "基本支出", "amount": basic}, {"name": "项目支出", "amount": project}],
            "revenues": [{"name": "财政拨款", "amount": grant}, {"name": "其他资金", "amount": "0"}],
        },
        tasks=[task("城乡居民养老保险政府补贴资金", funds, "补贴")],
        indicators=[indicator("产出指标", "质量指标", "补贴发放准确率", target),
                    indicator("产出指标", "数量指标", "城乡居民基础养老金标准", "≥200元每人每月" if year < 2024 else "≥190元每人每月")],
    )


@pytest.fixture(scope="module")
def money():
    """Amounts as real returns carry them (six decimals)."""
    old = _money_form(2023, "10596.35", "72204.57", "82800.92", "20140", "≧98%")
    new = _money_form(2024, "10891.615675", "61915.7693", "72807.384975", "18862.5", "100%")
    return old, new, diff_forms(old, new)


@pytest.fixture(scope="module")
def huge():
    """One amount far larger than any real one."""
    old = _money_form(2023, "10596.35", "72204.57", "82800.92", "20140", "≧98%")
    new = _money_form(2024, "10891.615675", "123456789012.345", "72807.384975", "18862.5", "100%")
    return old, new, diff_forms(old, new)


AMOUNTS_SHOWN = ("10,596.35", "10,891.62", "+295.27", "82,800.92", "72,807.38", "-9,993.54", "61,915.77",
                 "-10,288.80", "-14.25%", "上年（2023）", "本年（2024）")
HUGE_SHOWN = ("123,456,789,012.35", "+123,456,716,807.78", "+170,981,860.02%")


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_terminal_at_80_columns_keeps_every_number_whole(money):
    old, new, d = money
    for width in (80, 160):
        buf = io.StringIO()
        render_diff(d, Console(file=buf, width=width, force_terminal=True, color_system=None), (old, new))
        out = buf.getvalue()
        assert "┃" in out.split("预算整体情况")[2]  # a table on a terminal wide enough for the numbers
        for needle in AMOUNTS_SHOWN:
            assert needle in out, (width, needle)
        assert "10891.615675" not in out and "10,891.615675" not in out
        assert not re.search(r"\d…|…\d", out.split("工作任务")[0]), out  # no value cut off with an ellipsis
        assert all(len(line) <= width for line in out.splitlines())
        flat = _flat(out)
        assert "20,140.00 → 18,862.50（-1,277.50，-6.34%）" in flat
        assert "≧98% → 100%（+2 个百分点）" in flat
        assert "≥200元每人每月 → ≥190元每人每月（-10 元每人每月，-5.00%）" in flat


def test_terminal_too_narrow_for_the_numbers_gives_plain_lines(money, huge):
    for (old, new, d), width, shown in ((money, 50, AMOUNTS_SHOWN[:-2]), (huge, 80, HUGE_SHOWN)):
        buf = io.StringIO()
        render_diff(d, Console(file=buf, width=width, force_terminal=True, color_system=None, soft_wrap=True),
                    (old, new))
        out = buf.getvalue()
        assert "┃" not in out.split("预算整体情况（")[1]
        assert "部门预算支出 / 基本支出：10,596.35 → 10,891.62（+295.27，+2.79%）" in out
        for needle in shown:
            assert needle in out, needle


def test_piped_output_is_plain_and_keeps_every_value(money):
    old, new, d = money
    buf = io.StringIO()
    render_diff(d, Console(file=buf, width=80, color_system=None, soft_wrap=True), (old, new))  # not a terminal
    out = buf.getvalue()
    assert "┃" not in out and "━" not in out
    assert "预算整体情况：新增 0，取消 0，调整 3，未变 1" in out
    assert "部门预算支出 / 基本支出：10,596.35 → 10,891.62（+295.27，+2.79%）  调整" in out
    for needle in AMOUNTS_SHOWN[:-2]:
        assert needle in out, needle


def test_series_trend_keeps_amounts_whole_at_80_columns():
    forms = [make_form(year=y, basic=b) for y, b in ((2022, "7000.123456"), (2023, "98765432.1"), (2024, "8800"))]
    for terminal in (True, False):
        buf = io.StringIO()
        render_series(diff_series(forms), Console(file=buf, width=80, force_terminal=terminal, color_system=None), forms)
        out = buf.getvalue()
        assert "7,000.12" in out and "98,765,432.10" in out and "8,800.00" in out


def test_workbook_amounts_two_decimals_and_wide_enough(huge, tmp_path):
    old, new, d = huge
    path = write_comparison(tmp_path / "money.xlsx", d, (old, new))
    wb = openpyxl.load_workbook(path)
    ws = wb[S.SHEETS["summary"]]
    budget = {r[1].value: r for r in ws.iter_rows() if r[1].value in ("基本支出", "项目支出", "财政拨款")}
    basic = budget["基本支出"]
    assert basic[3].value == pytest.approx(10891.615675)  # the cell keeps the exact value
    assert [c.number_format for c in basic[2:6]] == ["#,##0.00", "#,##0.00", "+#,##0.00;-#,##0.00;0.00",
                                                    "+0.00%;-0.00%;0.00%"]
    # Each number column (D 本年, E 增减额, F 增减率) is at least as wide, in Excel's character
    # units, as its longest shown value has characters (digits and signs of 宋体 10 pt are
    # narrower than the unit).
    for col, text in zip("DEF", HUGE_SHOWN):
        assert ws.column_dimensions[col].width >= len(text), text
    tasks = wb[S.SHEETS["tasks"]]
    row = next(r for r in tasks.iter_rows() if r[0].value == "调整")
    funds = [c for c in row if c.number_format == "#,##0.00"]
    assert [c.value for c in funds] == [20140, 18862.5]
    indicators = wb[S.SHEETS["indicators"]]
    changes = [r[10].value for r in indicators.iter_rows(min_row=3)]
    assert "+2 个百分点" in changes and "-10 元每人每月，-5.00%" in changes


def test_json_keeps_every_digit(money):
    _, _, d = money
    data = diff_data(d)
    basic = next(b for b in data["budget"] if b["name"] == "基本支出")
    assert basic["new"]["amount"] == "10891.615675" and basic["delta"] == "295.265675"


def test_html_amounts_two_decimals_and_numbers_marked_whole(money):
    from budgetxl.html import diff_html

    _, _, d = money
    page = diff_html(d)
    for needle in ("10,891.62", "-9,993.54", "+295.27", "+2 个百分点", "-10 元每人每月，-5.00%",
                   "≥<del>200</del>元每人每月", "≥<ins>190</ins>元每人每月", "-1,277.50，-6.34%"):
        assert needle in page, needle
    assert "10891.615675" not in page and "10,891.615675" not in page


@pytest.mark.soffice
def test_workbook_prints_no_hashes_in_libreoffice(huge, tmp_path, soffice):
    """The comparison of forms with six-decimal and twelve-digit amounts, printed by LibreOffice:
    every amount shows with two decimals, none as ###."""
    import subprocess

    old, new, d = huge
    pdf = soffice(write_comparison(tmp_path / "money.xlsx", d, (old, new)), "pdf", tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "###" not in text and "#" not in text
    for needle in ("10,891.62", "-9,993.54", "123,456,789,012.35", "+123,456,716,807.78", "18,862.50", "-1,277.50"):
        assert needle in text, needle

"""check_file / check_workbook on real and hand-made workbooks, and annotated copies."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from budgetxl.errors import InputError, ReadError
from budgetxl.model import load_form
from budgetxl.render import render_form
from budgetxl.rules import check_file, check_workbook, validate
from budgetxl.rules.annotate import SUMMARY_SHEET, annotate
from budgetxl.rules.check import in_reading_order

from handmade_workbooks import make_workbook

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "inputs" / "fengyang-2023.yaml"
REAL = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "real"


def real(name: str) -> Path:
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"real workbook not found at {path} (../shared is not beside this checkout)")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------------
# Checking


def test_real_2024_mislabelled_level2_is_an_error_with_suggestions():
    report = check_file(real("zhanjiang-hrss-2024.xlsx"))
    assert not report.valid
    assert report.flat() == [
        ("BX202", "error", "Sheet1!C34"),
        ("BX203", "error", "Sheet1!C28"),
        ("BX211", "warning", "Sheet1!C25"),
        ("BX211", "warning", "Sheet1!C32"),
    ]
    by_cell = {f.cell: f for f in report.findings}
    assert by_cell["C28"].value == "质量指标" and "产出指标" in by_cell["C28"].message
    assert "社会效益指标" in by_cell["C28"].message
    assert "服务对象满意度指标" in by_cell["C34"].message
    assert report.extra["framework"] == "2015" and report.extra["sheet"] == "Sheet1"


def test_real_2023_has_no_errors_and_flags_the_unquantified_counts():
    report = check_workbook(real("zhanjiang-hrss-2023.xlsx"))
    assert report.valid
    assert sorted(f.cell for f in report.findings if f.code == "BX301") == ["E20", "E21", "E29", "E30"]
    assert sorted(f.cell for f in report.findings if f.code == "BX211") == ["C27", "C33", "C35"]
    assert set(report.codes()) == {"BX211", "BX301"}
    assert all(f.sheet == "Sheet1" for f in report.findings)


def test_seed_yaml_and_its_rendered_workbook_check_alike(tmp_path):
    from_yaml = check_file(EXAMPLE)
    assert from_yaml.flat() == validate(load_form(EXAMPLE)).flat()
    book = render_form(load_form(EXAMPLE), tmp_path / "seed.xlsx")
    from_book = check_file(book)
    assert [(f.code, f.field) for f in from_book.findings if not f.code.startswith("BX0")] == [
        (f.code, f.field) for f in from_yaml.findings
    ]
    # Placed on the cells: 项目支出's amount and 工程按期完成率's target.
    result_cells = {f.code: f.cell for f in from_book.findings}
    assert result_cells["BX121"] and result_cells["BX301"]
    ws = openpyxl.load_workbook(book).worksheets[0]
    assert ws[result_cells["BX301"]].value.startswith("工程按期完成率=")
    assert str(ws[result_cells["BX121"]].value) == "9696.18"


def test_json_form_is_checked_too(tmp_path):
    path = tmp_path / "seed.json"
    path.write_text(load_form(EXAMPLE).to_json(), encoding="utf-8")
    assert check_file(path).flat() == check_file(EXAMPLE).flat()


@pytest.mark.parametrize(
    "name,content,error",
    [
        ("broken.xlsx", b"not a workbook", ReadError),
        ("empty.xlsx", b"", ReadError),
        ("broken.yaml", b"year: [unclosed", InputError),
        ("list.json", b"[1, 2]", InputError),
    ],
)
def test_unreadable_files_raise_one_clear_error(tmp_path, name, content, error):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error) as info:
        check_file(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(ReadError, match="不存在"):
        check_file(tmp_path / "nope.xlsx")


def test_typed_total_that_agrees_is_fine_and_formula_is_fine(tmp_path):
    assert "BX122" not in check_file(make_workbook(tmp_path / "a.xlsx", revenue_total=150)).codes()
    assert "BX122" not in check_file(make_workbook(tmp_path / "b.xlsx")).codes()
    report = check_file(make_workbook(tmp_path / "c.xlsx", revenue_total="140"))
    assert ("BX122", "warning", "目标表!E6") in report.flat()
    # A line that cannot be read: the typed total is not compared with a sum missing it.
    path = make_workbook(tmp_path / "d.xlsx", revenue_total=140)
    wb = openpyxl.load_workbook(path)
    wb["目标表"]["E4"] = "abc"
    wb.save(path)
    codes = check_file(path).codes()
    assert "BX011" in codes and "BX122" not in codes


def test_unreadable_amount_in_a_workbook_is_reported_once(tmp_path):
    path = make_workbook(tmp_path / "a.xlsx", revenue_total=150)
    wb = openpyxl.load_workbook(path)
    wb["目标表"]["C4"] = "一百"
    wb.save(path)
    report = check_file(path)
    assert ("BX011", "error", "目标表!C4") in report.flat()
    assert "BX120" not in report.codes() and "BX122" not in report.codes()


def test_reading_order():
    report = check_file(real("zhanjiang-hrss-2024.xlsx"))
    assert [f.cell for f in in_reading_order(report.findings)] == ["C28", "C34", "C25", "C32"]


# --------------------------------------------------------------------------------------------
# Annotated copies


@pytest.fixture()
def real_2024(tmp_path) -> Path:
    """The real 2024 workbook copied to a temp folder (read-only source stays untouched)."""
    src = real("zhanjiang-hrss-2024.xlsx")
    dst = tmp_path / "zhanjiang-2024.xlsx"
    shutil.copyfile(src, dst)
    return dst


def test_annotated_copy_of_a_real_workbook(real_2024, tmp_path):
    before = digest(real_2024)
    report = check_file(real_2024)
    out = annotate(real_2024, report, tmp_path / "out" / "marked.xlsx")
    assert digest(real_2024) == before  # the original is byte-identical

    original = openpyxl.load_workbook(real_2024)
    marked = openpyxl.load_workbook(out)
    assert marked.sheetnames == [SUMMARY_SHEET, "Sheet1"]
    assert marked.active.title == SUMMARY_SHEET
    assert [ws.sheet_view.tabSelected for ws in marked.worksheets] == [True, False]

    src, dst = original["Sheet1"], marked["Sheet1"]
    # Content, number formats and merges survive.
    assert {str(r) for r in dst.merged_cells.ranges} == {str(r) for r in src.merged_cells.ranges}
    for row in src.iter_rows():
        for cell in row:
            assert dst[cell.coordinate].value == cell.value, cell.coordinate
            assert dst[cell.coordinate].number_format == cell.number_format, cell.coordinate
    assert dst.column_dimensions["E"].width == src.column_dimensions["E"].width

    # Each finding's cell is highlighted and carries its message.
    for f in report.findings:
        cell = dst[f.cell]
        assert cell.comment is not None and f.code in cell.comment.text and f.message in cell.comment.text
        assert cell.fill.fgColor.rgb.endswith({"error": "FFC7CE", "warning": "FFEB9C"}[f.severity])
    assert dst["D28"].comment is None and src["C28"].fill.fgColor.rgb != dst["C28"].fill.fgColor.rgb

    # The summary lists every finding with a link to its cell.
    summary = marked[SUMMARY_SHEET]
    links = {
        c.value: c.hyperlink.location for row in summary.iter_rows(min_row=5) for c in row if c.hyperlink is not None
    }
    assert links == {f.where: f"'Sheet1'!{f.cell}" for f in report.findings}
    codes = [summary.cell(r, 3).value for r in range(5, 5 + len(report.findings))]
    assert codes == ["BX203", "BX202", "BX211", "BX211"]


def test_annotate_finding_inside_a_merge_goes_to_its_top_left(tmp_path):
    path = make_workbook(tmp_path / "a.xlsx")
    report = check_file(path)
    from budgetxl.report import Finding, Report

    inside = Finding("BX201", "error", "一级指标为空", "indicators[1].level1", None, "目标表", "B12")
    out = annotate(path, Report((inside,), str(path)), tmp_path / "b.xlsx")
    ws = openpyxl.load_workbook(out)["目标表"]
    assert "B11:B12" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["B11"].comment is not None and "一级指标为空" in ws["B11"].comment.text
    assert report.valid


def test_annotate_keeps_existing_comments_and_text_values_stay_text(tmp_path):
    path = make_workbook(tmp_path / "a.xlsx", revenue_total=140)
    wb = openpyxl.load_workbook(path)
    from openpyxl.comments import Comment

    wb["目标表"]["E6"].comment = Comment("财务科：请核对", "张三")
    wb.save(path)
    report = check_file(path)
    out = annotate(path, report, tmp_path / "b.xlsx")
    marked = openpyxl.load_workbook(out)
    text = marked["目标表"]["E6"].comment.text
    assert text.startswith("财务科：请核对") and "BX122" in text
    # The BX014 finding's value is a formula's text: shown as text in the summary, not run.
    values = [c.value for row in marked[SUMMARY_SHEET].iter_rows(min_row=5) for c in row]
    assert "=SUM(C4:C5)" in values
    with zipfile.ZipFile(out) as zf:
        summary_xml = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in summary_xml


def test_annotate_a_clean_workbook_says_so(tmp_path):
    path = make_workbook(tmp_path / "a.xlsx", revenue_total=150)
    report = check_file(path)
    report = type(report)(tuple(f for f in report.findings if f.severity != "info"), report.source)
    out = annotate(path, report, tmp_path / "b.xlsx")
    summary = openpyxl.load_workbook(out)[SUMMARY_SHEET]
    assert "未发现问题" in summary["A2"].value


def test_annotate_sheet_name_taken(tmp_path):
    path = tmp_path / "a.xlsx"
    make_workbook(path)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet(SUMMARY_SHEET)
    wb.save(path)
    out = annotate(path, check_file(path), tmp_path / "b.xlsx")
    assert openpyxl.load_workbook(out).sheetnames[0] == f"{SUMMARY_SHEET}(2)"


@pytest.mark.parametrize(
    "src,out,match",
    [
        ("a.xlsx", "a.xlsx", "覆盖原文件"),
        ("a.xlsx", "b.pdf", ".xlsx"),
        ("a.yaml", "b.xlsx", ".xlsx"),
    ],
)
def test_annotate_refuses(tmp_path, src, out, match):
    path = tmp_path / src
    path.write_bytes(b"x")
    with pytest.raises(InputError, match=match):
        annotate(path, check_file(EXAMPLE), tmp_path / out)
    assert path.read_bytes() == b"x"


def test_annotate_never_leaves_a_half_written_copy(tmp_path, monkeypatch):
    path = make_workbook(tmp_path / "a.xlsx")
    report = check_file(path)

    def boom(self, filename):
        if hasattr(filename, "write"):  # the copy is assembled in memory first
            filename.write(b"partial")
        else:
            Path(filename).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", boom)
    with pytest.raises(OSError):
        annotate(path, report, tmp_path / "b.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]


@pytest.mark.soffice
def test_annotated_copy_opens_in_libreoffice(real_2024, tmp_path, soffice):
    out = annotate(real_2024, check_file(real_2024), tmp_path / "marked.xlsx")
    again = check_file(soffice(out, "ods", tmp_path / "ods"))
    assert ("BX203", "error", "Sheet1!C28") in again.flat()


def _setup(ws) -> dict:
    ps, m = ws.page_setup, ws.page_margins
    return {
        "paper": ps.paperSize, "orientation": ps.orientation, "fit": (ps.fitToWidth, ps.fitToHeight),
        "fit_to_page": ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None,
        "margins": (m.left, m.right, m.top, m.bottom), "area": ws.print_area, "titles": ws.print_title_rows,
        "breaks": [b.id for b in ws.row_breaks.brk], "footer": ws.oddFooter.center.text,
        "centered": ws.print_options.horizontalCentered,
    }


def test_annotated_copy_keeps_the_page_setup(tmp_path, seed_form):
    book = render_form(seed_form, tmp_path / "form.xlsx")
    out = annotate(book, check_file(book), tmp_path / "marked.xlsx")
    original = openpyxl.load_workbook(book).worksheets[0]
    marked = openpyxl.load_workbook(out)[original.title]
    assert _setup(marked) == _setup(original)
    assert int(_setup(original)["paper"]) == 9 and _setup(original)["breaks"]  # A4, pages planned


def test_annotated_copy_of_a_sheet_without_paper_prints_on_a4(tmp_path):
    path = make_workbook(tmp_path / "plain.xlsx")
    assert openpyxl.load_workbook(path).worksheets[0].page_setup.paperSize is None
    out = annotate(path, check_file(path), tmp_path / "marked.xlsx")
    wb = openpyxl.load_workbook(out)
    assert all(int(ws.page_setup.paperSize) == 9 for ws in wb.worksheets)
    summary = wb[SUMMARY_SHEET]
    links = [c for c in summary["D"] if c.hyperlink is not None]
    width = summary.column_dimensions["D"].width
    assert links and all(len(c.value) <= width for c in links)  # a link never wraps: its column holds it


@pytest.mark.soffice
def test_annotated_copy_prints_like_the_original(tmp_path, seed_form, soffice):
    """Printed by LibreOffice: the form's pages of the marked copy are the original's pages (same
    number, same A4 portrait size, same text), after the 审核结果 sheet's page."""
    book = render_form(seed_form, tmp_path / "form.xlsx")
    out = annotate(book, check_file(book), tmp_path / "marked.xlsx")
    before, after = soffice(book, "pdf", tmp_path / "a"), soffice(out, "pdf", tmp_path / "b")

    def pages(pdf: Path) -> list[tuple[int, int]]:
        info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True,
                              check=True).stdout
        return [(round(float(w)), round(float(h))) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]

    def text(pdf: Path, first: int) -> str:
        out = subprocess.run(["pdftotext", "-f", str(first), "-layout", str(pdf), "-"], capture_output=True,
                             text=True, check=True).stdout
        return "".join("".join(line.split()) for line in out.splitlines() if "页，共" not in line)  # page counts differ

    original, marked = pages(before), pages(after)
    assert original and all(p == (595, 842) for p in original)
    summary_pages = len(marked) - len(original)
    assert summary_pages >= 1 and marked[summary_pages:] == original
    assert text(after, summary_pages + 1) == text(before, 1)

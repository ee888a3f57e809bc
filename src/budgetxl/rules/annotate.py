"""A marked copy of the user's own workbook: each finding's cell highlighted with a comment
holding its message, and a first sheet 审核结果 listing every finding with a link to its cell.

The input file is only read. The copy is the user's workbook opened and saved by openpyxl, so its
own values, formats, merges, widths and print settings are kept (a sheet that names no paper
size is given A4); it prints like the original plus its marks. It is written atomically.
"""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import coordinate_from_string, get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from budgetxl.errors import InputError, ReadError
from budgetxl.fileio import atomic_path
from budgetxl.report import SEVERITIES, SEVERITY_LABELS, Finding, Report
from budgetxl.rules.check import in_reading_order
from budgetxl.text import column_px, fit_width, text_height_pt

ANNOTATABLE = (".xlsx", ".xlsm")
SUMMARY_SHEET = "审核结果"
AUTHOR = "budgetxl"

# Named looks, declared once: cell fills by severity and the summary sheet's styles.
FILLS = {
    "error": PatternFill("solid", fgColor="FFC7CE"),
    "warning": PatternFill("solid", fgColor="FFEB9C"),
    "info": PatternFill("solid", fgColor="DDEBF7"),
}
SUMMARY_COLUMNS = (("序号", 6), ("级别", 8), ("代码", 9), ("位置", 16), ("问题", 70), ("内容", 30))
TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
LINK_FONT = Font(color="0563C1", underline="single")
WRAP = Alignment(wrap_text=True, vertical="top")
SUMMARY_FONT_PT = 11  # the workbook's default font size, used by the summary's cells
COMMENT_WIDTH_PT = 320
COMMENT_LINE_PT = 16


def annotate(path: str | Path, report: Report, out: str | Path) -> Path:
    """Write a marked copy of the workbook at `path` to `out` and return `out`."""
    path, out = Path(path), Path(out)
    if path.suffix.lower() not in ANNOTATABLE:
        raise InputError(f"{path}: 只能为 .xlsx 工作簿生成标注副本（可先用 Excel、WPS 或 LibreOffice 另存为 .xlsx）")
    if out.suffix.lower() != ".xlsx":  # never a macro workbook: the copy is written without the macros
        raise InputError(f"{out}: 标注副本应保存为 .xlsx 文件")
    if out.resolve() == path.resolve():
        raise InputError(f"{out}: 标注副本不能覆盖原文件，请换一个文件名")
    wb = _open(path)
    marked = mark_cells(wb, report.findings)
    add_summary(wb, report, path.name, marked)
    buffer = io.BytesIO()  # assembled in memory, written in one call: a full disk fails cleanly
    wb.save(buffer)
    with atomic_path(out) as tmp:
        tmp.write_bytes(buffer.getbuffer())
    return out


def _open(path: Path) -> Workbook:
    try:
        # macros are never kept (nor run): the copy is a plain .xlsx that Excel opens as such
        return openpyxl.load_workbook(path, keep_vba=False, keep_links=True)
    except FileNotFoundError:
        raise ReadError(f"{path}: 文件不存在") from None
    except Exception as exc:  # noqa: BLE001 - any failure to open is one clear message
        raise ReadError(f"{path}: 无法打开工作簿以生成标注副本（{type(exc).__name__}: {exc}）") from None


def _anchor(ws: Worksheet, cell: str) -> str | None:
    """The cell that shows a merged range (its top-left), or the cell itself; None if invalid."""
    try:
        col, row = coordinate_from_string(cell)
    except ValueError:
        return None
    ref = f"{col}{row}"
    for rng in ws.merged_cells.ranges:
        if ref in rng:
            return f"{get_column_letter(rng.min_col)}{rng.min_row}"
    return ref


def mark_cells(wb: Workbook, findings: tuple[Finding, ...]) -> dict[int, str]:
    """Highlight and comment each finding's cell; returns finding index → 'Sheet'!A1 link target."""
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    links: dict[int, str] = {}
    for i, f in enumerate(findings):
        if not f.cell or not f.sheet or f.sheet not in wb.sheetnames:
            continue
        anchor = _anchor(wb[f.sheet], f.cell)
        if anchor is None:
            continue
        by_cell[(f.sheet, anchor)].append(f)
        links[i] = f"{_quote(f.sheet)}!{anchor}"
    for (sheet, ref), found in by_cell.items():
        cell = wb[sheet][ref]
        worst = min(found, key=lambda f: SEVERITIES.index(f.severity)).severity
        cell.fill = FILLS[worst]
        lines = [f"【{SEVERITY_LABELS[f.severity]} {f.code}】{f.message}" for f in found]
        text = "\n".join(lines)
        if cell.comment is not None and cell.comment.text:
            text = f"{cell.comment.text}\n\n{text}"
        comment = Comment(text, AUTHOR)
        comment.width = COMMENT_WIDTH_PT
        comment.height = COMMENT_LINE_PT * (2 + sum(1 + len(line) // 20 for line in text.split("\n")))
        cell.comment = comment
    return links


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _summary_name(wb: Workbook) -> str:
    name, n = SUMMARY_SHEET, 2
    while name in wb.sheetnames:
        name = f"{SUMMARY_SHEET}({n})"
        n += 1
    return name


def add_summary(wb: Workbook, report: Report, filename: str, links: dict[int, str]) -> Worksheet:
    """Insert the 审核结果 sheet first and make it the one that opens."""
    ws: Worksheet = wb.create_sheet(_summary_name(wb), 0)
    counts = report.counts
    ws["A1"] = f"审核结果：{filename}"
    ws["A1"].font = TITLE_FONT
    ws["A2"] = "，".join(f"{SEVERITY_LABELS[s]} {counts[s]} 条" for s in SEVERITIES) + (
        "。点击“位置”可跳到对应单元格；有问题的单元格已标色并附批注。" if report.findings else "。未发现问题。"
    )
    header_row = 4
    # 位置 is a link to the cell, and spreadsheet programs never wrap a link: its column is as
    # wide as its longest sheet!cell.
    widths = [fit_width([f.where for f in report.findings], SUMMARY_FONT_PT, minimum=w) if title == "位置" else w
              for title, w in SUMMARY_COLUMNS]
    for col, ((title, _), width) in enumerate(zip(SUMMARY_COLUMNS, widths), start=1):
        cell = ws.cell(header_row, col, title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = width
    position = {id(f): i for i, f in enumerate(report.findings)}
    order = [position[id(f)] for f in in_reading_order(report.findings)]
    for n, i in enumerate(order, start=1):
        f = report.findings[i]
        row = header_row + n
        values: tuple[int | str, ...] = (n, SEVERITY_LABELS[f.severity], f.code, f.where, f.message, f.value or "")
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col, value)
            cell.alignment = WRAP
            if isinstance(value, str):
                cell.data_type = "s"  # a value such as '=SUM(C4:C5)' is shown as text, never run
        ws.cell(row, 2).fill = FILLS[f.severity]
        ws.row_dimensions[row].height = max(
            text_height_pt(str(v), column_px(w), SUMMARY_FONT_PT) for v, w in zip(values, widths)
        )
        if i in links:
            where = ws.cell(row, 4)
            where.hyperlink = Hyperlink(ref=where.coordinate, location=links[i], display=f.where)
            where.font = LINK_FONT
    ws.freeze_panes = ws.cell(header_row + 1, 1).coordinate
    # Prints on A4 landscape, all columns on one page wide, the header row on every page.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{header_row}:{header_row}"
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False
        if other is not ws and not other.page_setup.paperSize:
            # The department's sheets print as they did, on A4 where they named no paper (a
            # program would otherwise take its own default, Letter in many).
            other.page_setup.paperSize = other.PAPERSIZE_A4
    ws.sheet_view.tabSelected = True
    wb.active = 0
    return ws

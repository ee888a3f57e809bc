"""Workbooks as budget systems and web systems export them, made here from a plain grid:

- `write_spreadsheetml`: Excel 2003 XML ("SpreadsheetML") as 预算管理一体化系统 exports save it under
  an .xls name: Styles with number formats, one Worksheet per sheet, rows and cells skipped with
  ss:Index (empty cells and the cells a merge covers are not written), ss:MergeAcross /
  ss:MergeDown, typed Data, ss:Formula in R1C1 notation beside its value, `&#10;` line breaks,
  hidden sheets, the encoding declared in the prolog (UTF-8 or GB2312, bytes in GBK);
- `write_html`: an HTML page with one <table> per sheet, rowspan/colspan, <br> line breaks,
  `&nbsp;` in empty cells, numbers as shown (thousands separators, percentages), the charset in a
  <meta> tag; optionally the title as a heading above the table, and Excel's own attributes
  (x:num, <x:Name>).

`grid_of_xlsx` takes the values and merges of an .xlsx with openpyxl (not budgetxl), so that a
rendered form can be re-written in these formats; `system_grid` lays a form out as a budget system
does: amounts in 元 under a 金额单位：元 note, and the 指标值 split over 符号 | 指标值 | 计量单位.
LibreOffice opens both formats, so converting these files to .xlsx with it checks the writers.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from budgetxl.model import Form


@dataclass
class Sheet:
    name: str
    values: list[list[Any]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 (0-based)
    percent: dict[tuple[int, int], str] = field(default_factory=dict)  # cell → number format ('0%')
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # cell → A1 formula without '='
    hidden: bool = False
    plain: set[tuple[int, int]] = field(default_factory=set)  # numbers shown without thousands separators


def grid_of_xlsx(path: Path) -> list[Sheet]:
    """Every sheet of an .xlsx: values (None as ''), merges, percent formats, formulas."""
    wb = openpyxl.load_workbook(path)
    values_wb = openpyxl.load_workbook(path, data_only=True)
    out = []
    for ws in wb.worksheets:
        vs = values_wb[ws.title]
        rows, cols = ws.max_row, ws.max_column
        values = [["" for _ in range(cols)] for _ in range(rows)]
        sheet = Sheet(ws.title, values, hidden=ws.sheet_state != "visible")
        for row in ws.iter_rows():
            for cell in row:
                r, c = cell.row - 1, cell.column - 1
                v = cell.value
                if isinstance(v, str) and v.startswith("="):
                    sheet.formulas[(r, c)] = v[1:]
                    v = vs.cell(cell.row, cell.column).value
                values[r][c] = "" if v is None else v
                if isinstance(v, (int, float)) and "%" in (cell.number_format or ""):
                    sheet.percent[(r, c)] = cell.number_format
        sheet.merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        out.append(sheet)
    return out


def write_xlsx(path: Path, sheets: list[Sheet]) -> Path:
    """The same sheets as an .xlsx typed in Excel (openpyxl): values, merges, percent formats."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for r, row in enumerate(sheet.values, 1):
            for c, v in enumerate(row, 1):
                if v not in ("", None):
                    ws.cell(r, c, v)
        for (r, c), code in sheet.percent.items():
            ws.cell(r + 1, c + 1).number_format = code
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        ws.sheet_state = "hidden" if sheet.hidden else "visible"
    wb.save(path)
    return path


def _covered(sheet: Sheet) -> tuple[set[tuple[int, int]], dict[tuple[int, int], tuple[int, int]]]:
    covered, anchors = set(), {}
    for r1, c1, r2, c2 in sheet.merges:
        anchors[(r1, c1)] = (r2 - r1, c2 - c1)
        covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - {(r1, c1)}
    return covered, anchors


def _number(v: Any) -> str:
    return format(Decimal(repr(v)) if isinstance(v, float) else Decimal(v), "f")


def _r1c1(formula: str) -> str:
    def swap(m: re.Match[str]) -> str:
        col = 0
        for ch in m.group(1):
            col = col * 26 + ord(ch) - 64
        return f"R{m.group(2)}C{col}"

    return "=" + re.sub(r"\$?\b([A-Z]{1,3})\$?(\d+)\b", swap, formula)


def _xml_text(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "&#10;")


def write_spreadsheetml(path: Path, sheets: list[Sheet], encoding: str = "UTF-8") -> Path:
    styles = {code: f"s{i + 70}" for i, code in enumerate(sorted({c for s in sheets for c in s.percent.values()}))}
    out = [f'<?xml version="1.0" encoding="{encoding}"?>', '<?mso-application progid="Excel.Sheet"?>',
           '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"',
           ' xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"',
           ' xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">',
           " <Styles>", '  <Style ss:ID="Default" ss:Name="Normal"><Alignment ss:Vertical="Center" ss:WrapText="1"/>'
           '<Font ss:FontName="宋体" x:CharSet="134" ss:Size="10"/></Style>']
    out += [f'  <Style ss:ID="{sid}" ss:Parent="Default"><NumberFormat ss:Format="{code}"/></Style>'
            for code, sid in styles.items()]
    out.append(" </Styles>")
    for sheet in sheets:
        covered, anchors = _covered(sheet)
        out.append(f' <Worksheet ss:Name="{_xml_text(sheet.name)}">')
        out.append(f'  <Table ss:ExpandedColumnCount="{max(map(len, sheet.values), default=1)}"'
                   f' ss:ExpandedRowCount="{len(sheet.values)}" x:FullColumns="1" x:FullRows="1">')
        last_row = -1
        for r, row in enumerate(sheet.values):
            cells = []
            last_col = -1
            for c, v in enumerate(row):
                if (r, c) in covered or (v in ("", None) and (r, c) not in anchors):
                    continue
                attrs = "" if c == last_col + 1 else f' ss:Index="{c + 1}"'
                down, across = anchors.get((r, c), (0, 0))
                attrs += f' ss:MergeAcross="{across}"' if across else ""
                attrs += f' ss:MergeDown="{down}"' if down else ""
                if (r, c) in sheet.percent:
                    attrs += f' ss:StyleID="{styles[sheet.percent[(r, c)]]}"'
                if (r, c) in sheet.formulas:
                    attrs += f' ss:Formula="{_xml_text(_r1c1(sheet.formulas[(r, c)]))}"'
                if v in ("", None):
                    data = ""
                elif isinstance(v, bool):
                    data = f'<Data ss:Type="Boolean">{int(v)}</Data>'
                elif isinstance(v, (int, float, Decimal)):
                    data = f'<Data ss:Type="Number">{_number(v)}</Data>'
                else:
                    data = f'<Data ss:Type="String">{_xml_text(str(v))}</Data>'
                cells.append(f"<Cell{attrs}>{data}</Cell>")
                last_col = c + across
            if not cells:
                continue
            index = "" if r == last_row + 1 else f' ss:Index="{r + 1}"'
            out.append(f"   <Row{index} ss:AutoFitHeight=\"0\">" + "".join(cells) + "</Row>")
            last_row = r
        out.append("  </Table>")
        out.append('  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel">'
                   + ("<Visible>SheetHidden</Visible>" if sheet.hidden else "")
                   + "<ProtectObjects>False</ProtectObjects></WorksheetOptions>")
        out.append(" </Worksheet>")
    out.append("</Workbook>")
    codec = "gbk" if encoding.lower() in ("gb2312", "gbk") else encoding
    path.write_bytes(("\r\n".join(out) + "\r\n").encode(codec))
    return path


def _shown(v: Any, percent: str | None, plain: bool = False) -> str:
    """A value as the page shows it: numbers with thousands separators, percentages as such."""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float, Decimal)):
        d = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        if percent:
            return f"{(d * 100).normalize():f}%"
        whole, _, frac = format(d, "f").partition(".")
        return (whole if plain else f"{int(whole):,}") + (f".{frac}" if frac else "")
    return str(v)


def write_html(path: Path, sheets: list[Sheet], charset: str = "utf-8", title_outside: bool = False,
               excel: bool = False) -> Path:
    head = [f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">']
    if excel:
        names = "".join(f"<x:ExcelWorksheet><x:Name>{html.escape(s.name)}</x:Name></x:ExcelWorksheet>" for s in sheets)
        head.append(f"<!--[if gte mso 9]><xml><x:ExcelWorkbook><x:ExcelWorksheets>{names}"
                    "</x:ExcelWorksheets></x:ExcelWorkbook></xml><![endif]-->")
    body = []
    for sheet in sheets:
        covered, anchors = _covered(sheet)
        first = 0
        if title_outside and sheet.values and sum(v not in ("", None) for v in sheet.values[0]) == 1:
            title = next(v for v in sheet.values[0] if v not in ("", None))
            body.append(f"<h3 align=center>{html.escape(str(title))}</h3>")
            first = 1
        body.append('<table border="1" cellspacing="0" style="border-collapse:collapse">')
        for r in range(first, len(sheet.values)):
            cells = []
            for c, v in enumerate(sheet.values[r]):
                if (r, c) in covered:
                    continue
                down, across = anchors.get((r, c), (0, 0))
                attrs = (f' rowspan="{down + 1}"' if down else "") + (f" colspan={across + 1}" if across else "")
                if excel and isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
                    attrs += f' x:num="{_number(v)}"'
                text = _shown(v, sheet.percent.get((r, c)), (r, c) in sheet.plain) if v not in ("", None) else ""
                shown = html.escape(text).replace("\n", "<br>") if text else "&nbsp;"
                cells.append(f"<td{attrs}>{shown}</td>")
            body.append("  <tr>" + "".join(cells) + "</tr>")
        body.append("</table>")
    page = ('<html xmlns:x="urn:schemas-microsoft-com:office:excel">\n<head>\n' + "\n".join(head)
            + "\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")
    codec = "gbk" if charset.lower() in ("gb2312", "gbk") else charset
    path.write_bytes(page.encode(codec))
    return path


# ---------------------------------------------------------------------------------------------
# A form as a budget system lays it out: amounts in 元, the 指标值 split into three columns


def _split(target: str) -> tuple[str, Any, str]:
    """符号 | 指标值 | 计量单位 as a budget system fills them (a number as a number)."""
    m = re.fullmatch(r"(≥|≤|>|<)?(\d+(?:\.\d+)?)(%|[\u4e00-\u9fff]{1,6})?", target)
    if m:
        number = Decimal(m.group(2))
        value: Any = int(number) if number == number.to_integral_value() and "." not in m.group(2) else m.group(2)
        return m.group(1) or "=", value, m.group(3) or ""
    if target and not re.search(r"\d", target) and not re.match(r"[≥≤><=]", target):
        return "定性", target, ""
    return "", target, ""


def yuan(amount: Decimal | None) -> Any:
    if amount is None:
        return ""
    v = amount.scaleb(4)
    return int(v) if v == v.to_integral_value() else float(v)


def system_grid(form: Form, name: str = "部门整体绩效目标表") -> Sheet:
    """The form on seven columns (A labels, B–G), as a budget system exports it: a 金额单位：元
    note under the title, amounts in 元, tasks with 拟投入的资金（元）, and indicators
    一级指标 | 二级指标 | 三级指标 | 符号 | 指标值 | 计量单位 with 一级/二级 merged down."""
    rows: list[list[Any]] = []
    merges: list[tuple[int, int, int, int]] = []

    def add(*cells: Any) -> int:
        rows.append(list(cells) + [""] * (7 - len(cells)))
        return len(rows) - 1

    r = add(f"部门整体预算绩效目标表（{form.year}年）")
    merges.append((r, 0, r, 6))
    add("", "", "", "", "", "", "金额单位：元")
    r = add("单位名称", form.unit_name)
    merges.append((r, 1, r, 6))
    first = add("预算整体情况", "部门预算支出", "", "预算金额（元）", "收入来源", "", "预算金额（元）")
    merges += [(first, 1, first, 2), (first, 4, first, 5)]
    ex, rev = form.budget.expenditures, form.budget.revenues
    for k in range(max(len(ex), len(rev))):
        left = (ex[k].name, yuan(ex[k].amount)) if k < len(ex) else ("", "")
        right = (rev[k].name, yuan(rev[k].amount)) if k < len(rev) else ("", "")
        r = add("", left[0], "", left[1], right[0], "", right[1])
        merges += [(r, 1, r, 2), (r, 4, r, 5)]
    merges.append((first, 0, len(rows) - 1, 0))
    r = add("总体绩效目标", form.overall_goal)
    merges.append((r, 1, r, 6))
    for group, label in (("key", "年度重点工作任务"), ("other", "其他需完成的任务（可选填）")):
        tasks = [t for t in form.tasks if t.group == group]
        if group == "key":
            first = add(label, "名称", "主要实施内容", "", "拟投入的资金（元）", "期望达到的目标（概述）", "")
            merges += [(first, 2, first, 3), (first, 5, first, 6)]
        else:
            first = len(rows)
        for k, t in enumerate(tasks):
            r = add(label if group == "other" and k == 0 else "", t.name, t.content, "", yuan(t.funds), t.goal, "")
            merges += [(r, 2, r, 3), (r, 5, r, 6)]
        if len(rows) - 1 > first:
            merges.append((first, 0, len(rows) - 1, 0))
    first = add("绩效指标", "一级指标", "二级指标", "三级指标", "符号", "指标值", "计量单位")
    start = len(rows)
    plain = set()
    for ind in form.indicators:
        plain.add((add("", ind.level1, ind.level2, ind.name, *_split(ind.target)), 5))  # a count, not an amount
    for col, key in ((1, lambda i: i.level1), (2, lambda i: (i.level1, i.level2))):
        k = 0
        items = form.indicators
        while k < len(items):
            j = k + 1
            while j < len(items) and key(items[j]) == key(items[k]):
                rows[start + j][col] = ""
                j += 1
            if j - k > 1:
                merges.append((start + k, col, start + j - 1, col))
            k = j
    merges.append((first, 0, len(rows) - 1, 0))
    return Sheet(name, rows, merges, plain=plain)

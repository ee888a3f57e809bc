"""Excel 2003 XML ("SpreadsheetML") workbooks, as budget systems export them under an .xls name.

A workbook is `<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">` holding `Styles`
and one `Worksheet` (ss:Name) per sheet, each a `Table` of `Row`s of `Cell`s:

- `ss:Index` on a Row or a Cell skips rows or cells; without it a row follows the one before and a
  cell the one before it (after the columns it merges across, and past the columns a merge from a
  row above covers);
- `ss:MergeAcross` / `ss:MergeDown` merge the cell with the cells right of it and below it;
- `<Data ss:Type="Number|String|DateTime|Boolean|Error">` is the value (rich text inside it
  reads as its text; `&#10;` is a line break); `<Comment>` holds a note that is not the value;
- `ss:Formula` is the cell's formula in R1C1 notation; the `Data` beside it is its value;
- a Style's `NumberFormat ss:Format` (inherited through `ss:Parent`) says how a number shows: a
  percent format reads as shown, as for xlsx;
- `WorksheetOptions/Visible` says SheetHidden or SheetVeryHidden.

Parsed in one streaming pass (expat, no tree), with the guards of the other formats: no DTD and
no entity declarations, each sheet's span from A1 to its last cell with content within MAX_CELLS,
all sheets within MAX_TOTAL_CELLS, at most MAX_MERGES merges, and the text of all cells within
MAX_TEXT_CHARS (the file's size is checked before: MAX_FILE_BYTES).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from xml.parsers import expat

from budgetxl.errors import ReadError
from budgetxl.read.guards import MAX_CELLS, MAX_MERGES, MAX_TEXT_CHARS, MAX_TOTAL_CELLS
from budgetxl.read.sniff import SAVE_AS, decode_markup

MAX_COLUMNS = 16_384  # as Excel: columns A to XFD
_NAMED_FORMATS = {"percent": "0.00%"}  # SpreadsheetML's named number formats that show a percentage
_DTD = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.I)


class _Refused(Exception):
    """Raised inside a handler: the file is refused with this message."""


class _Sheet:
    def __init__(self, name: str) -> None:
        self.name = name
        self.cells: dict[tuple[int, int], Any] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.hidden = False
        self.rows = 0  # the span of the cells with content
        self.cols = 0
        self.merged_width = 0
        self.covered_until: dict[int, int] = {}  # column → last row a merge from above covers


class _Loader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.sheets: list[_Sheet] = []
        self.sheet: _Sheet | None = None
        self.styles: dict[str, tuple[str, str]] = {}  # ID → (number format, parent ID)
        self.style_id = ""
        self.row = -1
        self.col = -1
        self.cell: tuple[int, int] | None = None
        self.cell_style = ""
        self.cell_formula = ""
        self.data_type = ""
        self.value: Any = None
        self.has_value = False
        self.text: list[str] | None = None  # collecting a Data or Visible text
        self.text_owner = ""
        self.comment_depth = 0
        self.options_depth = 0
        self.total_cells = 0
        self.total_text = 0

    # -- expat handlers ------------------------------------------------------------------------

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if self.comment_depth:
            self.comment_depth += 1
            return
        if self.text is not None:
            if local == "Br" or local == "br":  # a line break in rich text
                self.text.append("\n")
            return
        if local == "Cell":
            self._cell(attrs)
        elif local == "Data" and self.cell is not None:
            self.data_type = _attr(attrs, "Type")
            self.text, self.text_owner = [], "Data"
        elif local == "Row":
            self._row(attrs)
        elif local == "Comment":
            self.comment_depth = 1
        elif local == "Worksheet":
            self._end_sheet()
            self.sheet = _Sheet(_attr(attrs, "Name") or f"Sheet{len(self.sheets) + 1}")
            self.row, self.col = -1, -1
        elif local == "Style":
            self.style_id = _attr(attrs, "ID")
            self.styles[self.style_id] = ("", _attr(attrs, "Parent"))
        elif local == "NumberFormat" and self.style_id:
            self.styles[self.style_id] = (_attr(attrs, "Format"), self.styles[self.style_id][1])
        elif local == "WorksheetOptions":
            self.options_depth += 1
        elif local == "Visible" and self.options_depth:
            self.text, self.text_owner = [], "Visible"

    def end(self, name: str) -> None:
        local = name.rpartition(" ")[2]
        if self.comment_depth:
            self.comment_depth -= 1
            return
        if self.text is not None:
            if local != self.text_owner:
                return
            text = "".join(self.text)
            self.text = None
            if local == "Data":
                self.value = _typed(self.data_type, text)
                self.has_value = True
            elif self.sheet is not None and text.strip() in ("SheetHidden", "SheetVeryHidden"):
                self.sheet.hidden = True
            return
        if local == "Cell":
            self._end_cell()
        elif local == "Style":
            self.style_id = ""
        elif local == "WorksheetOptions":
            self.options_depth = max(0, self.options_depth - 1)
        elif local == "Worksheet":
            self._end_sheet()

    def chars(self, data: str) -> None:
        if self.text is not None and not self.comment_depth:
            self.text.append(data)

    # -- rows and cells --------------------------------------------------------------------------

    def _row(self, attrs: dict[str, str]) -> None:
        index = _index(attrs, "Index")
        self.row = index - 1 if index is not None else self.row + 1
        self.col = -1

    def _cell(self, attrs: dict[str, str]) -> None:
        sheet = self.sheet
        if sheet is None:
            return
        if self.row < 0:
            self.row = 0
        index = _index(attrs, "Index")
        if index is not None:
            col = index - 1
        else:
            col = self.col + 1
            while sheet.covered_until.get(col, -1) >= self.row:  # the cells a merge from above covers
                col += 1
        across = _index(attrs, "MergeAcross", 0) or 0
        down = _index(attrs, "MergeDown", 0) or 0
        if col + across >= MAX_COLUMNS:
            raise _Refused(f"工作表“{sheet.name}”的单元格超出了 {MAX_COLUMNS} 列，拒绝读取")
        self.col = col + across
        if across or down:
            if (across + 1) * (down + 1) > MAX_CELLS:
                raise _Refused(f"工作表“{sheet.name}”有覆盖范围异常大的合并单元格，拒绝读取")
            sheet.merges.append((self.row, col, self.row + down, col + across))
            sheet.merged_width += across + 1
            if len(sheet.merges) > MAX_MERGES or sheet.merged_width > MAX_CELLS:
                raise _Refused(f"工作表“{sheet.name}”的合并单元格数量异常，拒绝读取")
            if down:
                for c in range(col, col + across + 1):
                    sheet.covered_until[c] = max(sheet.covered_until.get(c, -1), self.row + down)
        self.cell = (self.row, col)
        self.cell_style = _attr(attrs, "StyleID")
        self.cell_formula = _attr(attrs, "Formula")
        self.value, self.has_value = None, False

    def _end_cell(self) -> None:
        sheet, cell = self.sheet, self.cell
        self.cell = None
        if sheet is None or cell is None:
            return
        r, c = cell
        if self.cell_formula:
            sheet.formulas[cell] = r1c1_to_a1(self.cell_formula, r, c)
        if not self.has_value or self.value in ("", None):
            if not self.cell_formula:
                return
            self.value = ""
        value = self.value
        if isinstance(value, str):
            self.total_text += len(value)
            if self.total_text > MAX_TEXT_CHARS:
                raise _Refused(f"单元格文字合计过多（超过 {MAX_TEXT_CHARS:,} 个字符），疑似恶意构造的文件，拒绝读取")
        elif isinstance(value, float) and self.cell_style:
            code = self._number_format(self.cell_style)
            if code:
                sheet.formats[cell] = code
        sheet.cells[cell] = value
        rows, cols = max(sheet.rows, r + 1), max(sheet.cols, c + 1)
        if rows * cols > MAX_CELLS:
            raise _Refused(f"工作表“{sheet.name}”的内容范围过大（{rows} 行 × {cols} 列），拒绝读取")
        sheet.rows, sheet.cols = rows, cols

    def _number_format(self, style: str) -> str:
        """The percent number format a style shows numbers in ('' when none), through ss:Parent."""
        from budgetxl.read.grid import percent_decimals

        seen = 0
        while style and seen < 64:
            code, parent = self.styles.get(style, ("", ""))
            if code:
                code = _NAMED_FORMATS.get(code.lower(), code)
                return code if percent_decimals(code) is not None else ""
            style, seen = parent, seen + 1
        return ""

    def _end_sheet(self) -> None:
        if self.sheet is None:
            return
        self.total_cells += self.sheet.rows * self.sheet.cols
        if self.total_cells > MAX_TOTAL_CELLS:
            raise _Refused(f"各工作表的内容范围合计过大（超过 {MAX_TOTAL_CELLS:,} 个单元格），拒绝读取")
        self.sheets.append(self.sheet)
        self.sheet = None


def _attr(attrs: dict[str, str], local: str) -> str:
    """An attribute by its local name, with any namespace (ss:Index, Index)."""
    for key, value in attrs.items():
        if key == local or key.endswith(" " + local):
            return value
    return ""


def _index(attrs: dict[str, str], local: str, least: int = 1) -> int | None:
    """A whole-number attribute (ss:Index, ss:MergeDown…); None when absent; refused when absurd."""
    text = _attr(attrs, local).strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise _Refused(f"单元格的 {local} 属性“{text[:20]}”不是正常的数字，文件可能已损坏，拒绝读取")
    value = int(text)
    if value < least:
        raise _Refused(f"单元格的 {local} 属性为 {value}，文件可能已损坏，拒绝读取")
    return value


def _typed(kind: str, text: str) -> Any:
    """A Data element's value as calamine would give it for an xlsx cell."""
    if kind == "Number":
        try:
            return float(text.strip())
        except ValueError:
            return text
    if kind == "Boolean":
        return text.strip() in ("1", "true", "TRUE", "True")
    if kind == "DateTime":
        try:
            return dt.datetime.fromisoformat(text.strip()[:19])
        except ValueError:
            return text
    return text


_R1C1 = re.compile(r"(?<![A-Za-z_\d.])R(\[-?\d+\]|\d+)?C(\[-?\d+\]|\d+)?(?![A-Za-z_\d(])")


def _part(spec: str | None, here: int) -> int:
    if spec is None:
        return here
    if spec.startswith("["):
        return here + int(spec[1:-1])
    return int(spec) - 1


def r1c1_to_a1(formula: str, row: int, col: int) -> str:
    """'=SUM(R[-2]C:R[-1]C)' in the cell at (row, col) → 'SUM(C3:C4)' (as an xlsx keeps it: no '=')."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    def a1(m: re.Match[str]) -> str:
        r, c = _part(m.group(1), row), _part(m.group(2), col)
        if r < 0 or c < 0 or c >= MAX_COLUMNS:
            return m.group(0)
        return str(xl_rowcol_to_cell(r, c))

    text = formula[1:] if formula.startswith("=") else formula
    return _R1C1.sub(a1, text)


def _refuse_dtd(*_: Any) -> None:
    raise _Refused("文件含有 DTD（XML 实体声明），可能是恶意构造的文件，拒绝读取")


def load_spreadsheetml(path: Path, data: bytes) -> list[Any]:
    """The sheets of a SpreadsheetML workbook as SheetGrids (see the module's notes)."""
    from budgetxl.read.grid import SheetGrid

    text = decode_markup(path, data)
    root = text.find("<Workbook") if "<Workbook" in text else text.find("Workbook")
    if _DTD.search(text, 0, max(root, 0) or len(text)):
        raise ReadError(f"{path}: 文件含有 DTD（XML 实体声明），可能是恶意构造的文件，拒绝读取")
    loader = _Loader(path)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = loader.start
    parser.EndElementHandler = loader.end
    parser.CharacterDataHandler = loader.chars
    for handler in ("StartDoctypeDeclHandler", "EntityDeclHandler", "UnparsedEntityDeclHandler",
                    "ExternalEntityRefHandler"):
        setattr(parser, handler, _refuse_dtd)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(text, True)
    except _Refused as exc:
        raise ReadError(f"{path}: {exc}") from None
    except expat.ExpatError as exc:
        what = "不完整（可能没有传完整）" if exc.code in (expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS],
                                                expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN]) \
            else f"在第 {exc.lineno} 行有误（{expat.errors.messages[exc.code]}）"
        again = SAVE_AS.removeprefix("请")
        raise ReadError(f"{path}: Excel 2003 XML 表格{what}，无法读取；请重新导出，或{again}") from None
    except RecursionError:  # pragma: no cover - expat does not recurse; a guard all the same
        raise ReadError(f"{path}: 文件的 XML 嵌套过深，拒绝读取") from None
    loader._end_sheet()
    if not loader.sheets:
        raise ReadError(f"{path}: Excel 2003 XML 表格中没有工作表；请重新导出，或{SAVE_AS.removeprefix('请')}")
    out = []
    for s in loader.sheets:
        values = [[""] * s.cols for _ in range(s.rows)]
        for (r, c), v in s.cells.items():
            values[r][c] = v
        out.append(SheetGrid(s.name, values, s.merges, s.formats, s.formulas, visible=not s.hidden))
    return out

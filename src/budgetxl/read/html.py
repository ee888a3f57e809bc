"""HTML tables saved with an .xls name, as web systems (and Excel's "网页" format) export them.

Each `<table>` is a sheet. Rows are `<tr>`, cells `<td>` or `<th>` (their end tags may be left
out, as HTML allows); `rowspan` and `colspan` are merged ranges, and a cell goes to the first
column of its row that no span from above covers, as a browser lays a table out. `<br>` is a line
break; other white space runs collapse to one space, as a browser shows them; entities and
`&nbsp;` are read as the characters they stand for. Text before a table (a heading, a
paragraph such as 单位：元) becomes rows above it on its sheet, one a block, so that a title above
the table is read as the title; text after the last table becomes rows under it. A cell's `x:num`
(Excel's own export) gives its number exactly unless the cell shows a percentage; otherwise
numbers stay the text shown, and the reader reads amounts from it as from typed text
(`1,234.50`). The sheet names are Excel's (`<x:Name>` in the page's head) when there is one per
table, else 表格1, 表格2…

The charset comes from a byte-order mark, the <meta> tag or an XML prolog (GBK, GB2312 and
GB18030 read as GB18030; UTF-8). Guards: each table's span within MAX_CELLS, all tables within
MAX_TOTAL_CELLS, at most MAX_MERGES spans, spans clipped as browsers clip them (colspan at most
1,000, rowspan at most 65,534), at most MAX_TABLES tables, and the text within MAX_TEXT_CHARS.
Tables nested inside a cell are sheets of their own; nesting costs no recursion.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from budgetxl.errors import ReadError
from budgetxl.read.guards import MAX_CELLS, MAX_MERGES, MAX_TEXT_CHARS, MAX_TOTAL_CELLS
from budgetxl.read.sniff import SAVE_AS, decode_markup

MAX_COLSPAN = 1_000  # as browsers clip them
MAX_ROWSPAN = 65_534
MAX_TABLES = 1_000
_SPACE = re.compile(r"[ \t\n\r\f]+")
_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "caption", "center", "pre", "blockquote"})
_SKIP = frozenset({"script", "style", "title", "head", "template", "noscript"})
_SHEET_NAME = re.compile(r"<x:Name>([^<]{1,100})</x:Name>", re.I)
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


class _Refused(Exception):
    pass


class _Table:
    def __init__(self, lead: list[str]) -> None:
        self.cells: dict[tuple[int, int], Any] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.row = -1 + len(lead)
        self.col = 0
        self.rows = len(lead)  # the span of the cells with content
        self.cols = 1 if lead else 0
        self.taken: dict[int, int] = {}  # column → last row a rowspan from above covers
        self.merged_width = 0
        for r, text in enumerate(lead):
            self.cells[(r, 0)] = text
        self.in_row = False


class _Cell:
    def __init__(self, table: _Table, row: int, col: int, attrs: dict[str, str]) -> None:
        self.table = table
        self.row = row
        self.col = col
        self.parts: list[str] = []
        self.num = attrs.get("x:num")


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[_Table] = []  # finished
        self.order: list[_Table] = []  # in document order of their start
        self.top: list[_Table] = []  # the tables not inside another
        self.open: list[_Table] = []
        self.cells: list[_Cell | None] = []  # the open cell of each open table
        self.skip = 0
        self.loose: list[str] = []  # text outside any table, one entry a block
        self.block: list[str] = []
        self.names: list[str] = []
        self.text_chars = 0
        self.total_cells = 0

    # -- text outside tables ----------------------------------------------------------------------

    def _flush_block(self) -> None:
        text = _clean("".join(self.block))
        self.block = []
        if text:
            self.loose.append(text)

    # -- tags -----------------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "table":
            self._flush_block()
            if len(self.order) >= MAX_TABLES:
                raise _Refused(f"网页中的表格超过 {MAX_TABLES} 个，拒绝读取")
            lead, self.loose = ([] if self.open else self.loose), ([] if not self.open else self.loose)
            table = _Table(lead)
            if not self.open:
                self.top.append(table)
            self.open.append(table)
            self.cells.append(None)
            self.order.append(table)
            return
        if not self.open:
            if tag == "br":
                self.block.append("\n")
            elif tag in _BLOCKS:
                self._flush_block()
            return
        table = self.open[-1]
        cell = self.cells[-1]
        if tag == "tr":
            self._end_cell()
            table.row += 1
            table.col = 0
            table.in_row = True
        elif tag in ("td", "th"):
            self._end_cell()
            if not table.in_row:
                table.row += 1
                table.col = 0
                table.in_row = True
            self._start_cell(table, {k: v or "" for k, v in attrs})
        elif cell is not None and (tag == "br" or (tag in _BLOCKS and cell.parts)):
            cell.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "td", "th", "tr", "table"):
            self.handle_starttag(tag, attrs)
            if tag not in ("br",):
                self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if not self.open:
            if tag in _BLOCKS:
                self._flush_block()
            return
        table = self.open[-1]
        if tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_cell()
            table.in_row = False
        elif tag == "table":
            self._end_cell()
            self._end_table()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.open:
            self.block.append(data)
            return
        cell = self.cells[-1]
        if cell is not None:
            cell.parts.append(data)

    def handle_comment(self, data: str) -> None:
        self.names.extend(m.group(1).strip() for m in _SHEET_NAME.finditer(data))

    # -- cells and tables ---------------------------------------------------------------------------

    def _start_cell(self, table: _Table, attrs: dict[str, str]) -> None:
        row = table.row
        col = table.col
        while table.taken.get(col, -1) >= row:
            col += 1
        across = _span(attrs.get("colspan"), MAX_COLSPAN)
        down = _span(attrs.get("rowspan"), MAX_ROWSPAN)
        if across * down > MAX_CELLS:
            raise _Refused("网页表格中有覆盖范围异常大的合并单元格，拒绝读取")
        if across > 1 or down > 1:
            table.merges.append((row, col, row + down - 1, col + across - 1))
            table.merged_width += across
            if len(table.merges) > MAX_MERGES or table.merged_width > MAX_CELLS:
                raise _Refused("网页表格中的合并单元格数量异常，拒绝读取")
        if down > 1:
            for c in range(col, col + across):
                table.taken[c] = max(table.taken.get(c, -1), row + down - 1)
        table.col = col + across
        self.cells[-1] = _Cell(table, row, col, attrs)

    def _end_cell(self) -> None:
        cell = self.cells[-1] if self.cells else None
        if cell is None:
            return
        self.cells[-1] = None
        text = _clean("".join(cell.parts))
        if not text:
            return
        value: Any = text
        if cell.num and "%" not in text and _NUMBER.match(cell.num.strip()):
            try:
                value = float(cell.num)
            except (ValueError, OverflowError):
                value = text
        else:
            self.text_chars += len(text)
            if self.text_chars > MAX_TEXT_CHARS:
                raise _Refused(f"单元格文字合计过多（超过 {MAX_TEXT_CHARS:,} 个字符），拒绝读取")
        table = cell.table
        table.cells[(cell.row, cell.col)] = value
        rows, cols = max(table.rows, cell.row + 1), max(table.cols, cell.col + 1)
        if rows * cols > MAX_CELLS:
            raise _Refused(f"网页表格的内容范围过大（{rows} 行 × {cols} 列），拒绝读取")
        table.rows, table.cols = rows, cols

    def _end_table(self) -> None:
        table = self.open.pop()
        self.cells.pop()
        self.total_cells += table.rows * table.cols
        if self.total_cells > MAX_TOTAL_CELLS:
            raise _Refused(f"各表格的内容范围合计过大（超过 {MAX_TOTAL_CELLS:,} 个单元格），拒绝读取")
        self.tables.append(table)

    def finish(self) -> list[_Table]:
        while self.open:  # tables a truncated file leaves open count as they are
            self._end_cell()
            self._end_table()
        self._flush_block()
        if self.loose and self.top:  # text after the last table: rows under it
            last = self.top[-1]
            for text in self.loose:
                last.cells[(last.rows, 0)] = text
                last.rows += 1
                last.cols = max(last.cols, 1)
        return self.order


def _span(text: str | None, limit: int) -> int:
    """A colspan or rowspan as browsers take it: a positive whole number (0 or garbled is 1),
    clipped at `limit`."""
    m = re.match(r"\s*(\d{1,12})", text or "")
    if not m:
        return 1
    return min(max(int(m.group(1)), 1), limit)


def _clean(text: str) -> str:
    """Cell text as a browser shows it: white space runs as one space, `&nbsp;` as a space, each
    line trimmed."""
    if not text:
        return ""
    lines = [_SPACE.sub(" ", part).replace("\xa0", " ").strip() for part in text.split("\n")]
    return "\n".join(lines).strip("\n")


def load_html(path: Path, data: bytes) -> list[Any]:
    """The tables of an HTML file as SheetGrids (see the module's notes)."""
    from budgetxl.read.grid import SheetGrid

    text = decode_markup(path, data)
    parser = _Parser()
    try:
        # A <br> inside a cell comes as text breaks; a literal line break inside the markup is
        # only white space, as in a browser.
        parser.feed(text.replace("\r\n", "\n").replace("\n", " ").replace("\r", " "))
        parser.close()
        tables = parser.finish()
    except _Refused as exc:
        raise ReadError(f"{path}: {exc}") from None
    except (AssertionError, ValueError) as exc:  # HTMLParser on markup it cannot make sense of
        raise ReadError(f"{path}: 网页格式的表格有误，无法读取（{str(exc)[:80]}）；{SAVE_AS}") from None
    if not tables:
        raise ReadError(f"{path}: 这是网页文件（HTML），但其中没有表格；{SAVE_AS}")
    names = parser.names if len(parser.names) == len(tables) and len(set(parser.names)) == len(tables) else []
    out = []
    for i, t in enumerate(tables):
        values = [[""] * t.cols for _ in range(t.rows)]
        for (r, c), v in t.cells.items():
            values[r][c] = v
        out.append(SheetGrid(names[i] if names else f"表格{i + 1}", values, t.merges))
    return out

"""The summary workbook: one row per file, the findings, and the comparison with last year.

Every sheet has its heading row frozen with an autofilter over it, prints A4 landscape one page
wide with the heading on every page, and links each file name to the file itself (relative to
the summary, so the links survive moving the folder together with it). Long texts wrap and every
row is as tall as its wrapped lines (computed as the form's rows are: budgetxl.text); amounts
show with two decimals and their columns are as wide as their widest value.
"""

from __future__ import annotations

import html
import math
import os
import re
import shutil
import tempfile
import zipfile
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from budgetxl.collect.inspect import FileRecord, Known
from budgetxl.collect.projects import write_project_sheets
from budgetxl.collect.styles import (
    CREATED,
    FONT,
    FORMATS,
    PAGE,
    PATH_KEYS,
    SEVERITY_LABELS,
    SHEETS,
    SHOWN,
    SKIPPED_LABEL,
    STATUS_LABELS,
    TITLE,
    Column,
    columns,
)
from budgetxl.errors import OutputError
from budgetxl.fieldwords import describe_field
from budgetxl.fileio import Staging
from budgetxl.read.archive import SEP, Member
from budgetxl.render.xlsx import Workbook, release
from budgetxl.safetext import cell_text, is_plain, path_text
from budgetxl.text import column_px, fit_width, text_height_pt, text_px

# Rows go to temporary files as they are written (constant_memory), so a summary of thousands of
# files costs no more memory than one of a hundred; every text is written as text.
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
                    "constant_memory": True}

Row = dict[str, Any]


# A row ready to write: its height (points) and each column's (value, named format). Made by a
# RowMaker, in a collection's worker for a file's findings, and written by the collector.
PreparedRow = tuple[float, tuple[tuple[Any, str], ...]]


class RowMaker:
    """Lays out rows of {column key: value} for the columns of one sheet: each row as tall as the
    wrapped lines of its texts. Needs no workbook, so that workers can lay out their files' rows."""

    def __init__(self, cols: Sequence[Column]) -> None:
        self.columns: Sequence[Column] = cols
        self._px = [column_px(col.width) for col in cols]

    def height(self, texts: dict[int, str]) -> float:
        """Points that show every wrapped line of the row's texts (by column)."""
        size = FONT["font_size"]
        return max((text_height_pt(t, self._px[c], size) for c, t in texts.items() if t), default=0.0) or \
            text_height_pt("", self._px[0], size)

    def make(self, values: Row, styles: dict[str, str] | None = None) -> PreparedRow:
        texts: dict[int, str] = {}
        cells = []
        for c, col in enumerate(self.columns):
            value = values.get(col.key)
            cells.append((value, (styles or {}).get(col.key, col.style)))
            if value is None or value == "" or col.style in SHOWN or col.style == "int":
                continue
            text = link_text(value)[1] if col.style == "link" else str(value)
            texts[c] = _breakable(text) if col.key in PATH_KEYS else text
        return _pixels(self.height(texts)), tuple(cells)


class SheetWriter:
    """Writes rows of {column key: value} under the declared headings of one sheet, each row as
    tall as the wrapped lines of its texts."""

    def __init__(self, wb: xlsxwriter.Workbook, formats: dict[str, Any], key: str, link_base: Path, *,
                 name: str | None = None, cols: Sequence[Column] | None = None) -> None:
        # a sheet of another module (collect.projects) gives its name and columns
        self.ws: Worksheet = wb.add_worksheet(name or SHEETS[key])
        self.columns: Sequence[Column] = cols or columns(key)
        self.rows = RowMaker(self.columns)
        self.formats = formats
        self.link_base = link_base
        self.row = 0
        # the widest text of each number column (its width is set last, to show it whole)
        self._shown: dict[int, tuple[float, str]] = {c: (0.0, "") for c, col in enumerate(self.columns)
                                                     if col.style in SHOWN}
        for c, col in enumerate(self.columns):
            self.ws.set_column(c, c, col.width)
        self.ws.set_row(0, _pixels(self.rows.height({c: col.heading for c, col in enumerate(self.columns)})))
        for c, col in enumerate(self.columns):
            self.ws.write_string(0, c, col.heading, formats["header"])

    def write(self, values: Row, styles: dict[str, str] | None = None) -> None:
        self.put(self.rows.make(values, styles))

    def put(self, row: PreparedRow) -> None:
        """A row laid out by this sheet's RowMaker (here or in a worker)."""
        self.row += 1
        height, cells = row
        for c, (widest, _) in self._shown.items():
            value = cells[c][0]
            if value not in (None, ""):
                text = SHOWN[self.columns[c].style](value)
                px = text_px(text, FONT["font_size"])
                if px > widest:
                    self._shown[c] = (px, text)
        self.ws.set_row(self.row, height)  # before its cells (constant memory)
        for c, (value, style) in enumerate(cells):
            self.cell(self.row, c, value, style)
        _forget_written_row(self.ws, self.row - 1)

    def cell(self, r: int, c: int, value: Any, style: str) -> None:
        fmt = self.formats[style]
        if value is None or value == "":
            self.ws.write_blank(r, c, None, fmt)
        elif style == "link":
            self.link(r, c, value, fmt)
        elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            self.ws.write_number(r, c, float(value) if isinstance(value, Decimal) else value, fmt)
        else:
            text = str(value)
            self.ws.write_string(r, c, text if is_plain(text) else cell_text(text), fmt)

    def link(self, r: int, c: int, path: Any, fmt: Any) -> None:
        """The file's name, linked to the file by a HYPERLINK formula (stored with its text, so
        the cell reads right before any recalculation). A formula rather than a cell hyperlink:
        LibreOffice turns a cell hyperlink into a field that never wraps, and a long path would
        be cut off in print. Plain text past Excel's limits (a string in a formula holds 255
        characters) or where '#' would be read as a place inside the workbook. A workbook in a zip
        ((zip, member) or a Member) is linked to the zip and named after both."""
        path, shown = link_text(path)
        target = link_target(path, self.link_base)
        if ("#" in target or target != path_text(target) or len(target) > MAX_FORMULA_STRING
                or len(shown) > MAX_FORMULA_STRING):  # a name a formula (and XML) cannot hold
            self.ws.write_string(r, c, shown, self.formats["text"])
            return
        self.ws.write_formula(r, c, f'=HYPERLINK("{_quote(target)}","{_quote(shown)}")', fmt, shown)

    def finish(self) -> None:
        for c, (_, widest) in self._shown.items():  # numbers never wrap: their widths can be set last
            col = self.columns[c]
            self.ws.set_column(c, c, fit_width([widest], FONT["font_size"], minimum=col.width))
        last = len(self.columns) - 1
        self.ws.freeze_panes(1, 0)
        self.ws.autofilter(0, 0, max(self.row, 1), last)
        self.ws.set_paper(PAGE["paper"])
        if PAGE["landscape"]:
            self.ws.set_landscape()
        left, right, top, bottom = PAGE["margins"]
        self.ws.set_margins(left=left, right=right, top=top, bottom=bottom)
        self.ws.set_footer(PAGE["footer"])
        self.ws.repeat_rows(0)
        self.ws.fit_to_pages(1, 0)


def _forget_written_row(ws: Worksheet, row: int) -> None:
    """Let go of what xlsxwriter keeps of a row already written out. In constant_memory mode a
    row goes to the sheet's file when the next row's first cell is written; its height and format
    stay behind for placing drawings (the summary has none): about 140 bytes a row, 3.4 MB for
    the 24,000 rows of 10,000 files (tracemalloc). Only in that mode, and only what is there."""
    if getattr(ws, "constant_memory", False) and row > 0:
        for kept in (getattr(ws, "row_info", None), getattr(ws, "row_sizes", None)):
            if isinstance(kept, dict):
                kept.pop(row, None)


def _pixels(height_pt: float) -> float:
    """A row height rounded up to whole pixels (0.75 pt), as the workbook stores it."""
    return math.ceil(round(height_pt / 0.75, 6)) * 0.75


MAX_FORMULA_STRING = 255  # Excel's limit for a text inside a formula


def _quote(text: str) -> str:
    """A text inside a formula's double quotes."""
    return text.replace('"', '""')


def hyperlink_target(formula: str) -> str | None:
    """The file a HYPERLINK formula written by `SheetWriter.link` points to (None for another
    formula); for reading the summary back."""
    m = re.fullmatch(r'=HYPERLINK\("((?:[^"]|"")*)",.*\)', formula or "", re.S)
    return m.group(1).replace('""', '"') if m else None


def _breakable(path: str) -> str:
    """A path as measured for its row height: spreadsheets break a long path only after / or -,
    so those are where it may wrap (a space after each, for the measure)."""
    return re.sub(r"([/\\-])", r"\1 ", path)


def link_text(value: Any) -> tuple[str, str]:
    """(the file to link to, the text shown) of a file, or of a workbook in a zip (a Member, or
    (zip, member)): linked to the zip, named after both."""
    member = ""
    if isinstance(value, Member):
        value, member = value.archive, value.inner
    elif isinstance(value, tuple):
        value, member = value
    return value, display_path(value) + (f"{SEP}{member}" if member else "")


def display_path(path: str) -> str:
    """The path as a person reads it: relative to the current folder when it is inside it."""
    return _display(path, os.getcwd())


@lru_cache(maxsize=64)  # a file is shown a few times in a row (its rows, its link), not again later
def _display(path: str, cwd: str) -> str:
    rel = os.path.relpath(os.path.join(cwd, path), cwd)
    return path_text(rel if not rel.startswith("..") else str(path))


def link_target(path: str, base: Path) -> str:
    """`path` relative to the folder `base` (paths compared as written, no file system calls)."""
    try:
        return os.path.relpath(os.path.abspath(path), os.path.abspath(base))
    except ValueError:  # another drive on Windows
        return os.path.abspath(path)


def summary_row(index: int, rec: FileRecord) -> Row:
    return {
        "index": index,
        "file": (rec.path, rec.member) if rec.member else rec.path,
        "units": rec.units,
        "sheet": rec.sheet,
        "layout": rec.layout,
        "unit": rec.who,
        "year": rec.year,
        "status": STATUS_LABELS[rec.status],
        "errors": rec.errors if rec.status != "unreadable" else None,
        "warnings": rec.warnings if rec.status != "unreadable" else None,
        "infos": rec.infos if rec.status != "unreadable" else None,
        "expenditures": rec.expenditures,
        "revenues": rec.revenues,
        "n_tasks": rec.n_tasks if rec.status != "unreadable" and rec.project is None else None,
        "task_funds": rec.task_funds,
        "n_indicators": rec.n_indicators if rec.status != "unreadable" else None,
        "duplicates": duplicates_text(rec, "\n", display_path),
        "reason": rec.reason,
    }


def summary_sheet_row(index: int, rec: FileRecord, laid_out: PreparedRow | None = None) -> PreparedRow:
    """The file's row of the 汇总 sheet, laid out. A collection's worker lays it out before the
    file's duplicates are known (`laid_out`, with any index): used as it is, with its index, unless
    the file turned out to have duplicates (their names change the row's height)."""
    if laid_out is None or rec.duplicates or rec.n_duplicates:
        return row_maker("summary").make(summary_row(index, rec), {"status": f"status_{rec.status}"})
    height, cells = laid_out
    at = _SUMMARY_INDEX
    return height, (*cells[:at], (index, cells[at][1]), *cells[at + 1 :])


def duplicates_text(rec: FileRecord, sep: str, show: Any = str) -> str:
    """The other files of the same unit and year: the first few, then how many in all."""
    text = sep.join(show(p) for p in rec.duplicates)
    if rec.n_duplicates > len(rec.duplicates):
        text += f"{sep}…（共 {rec.n_duplicates} 个）"
    return text


def finding_rows(rec: FileRecord) -> Iterable[tuple[Row, dict[str, str]]]:
    shown = display_path(rec.label)
    if rec.status == "unreadable":
        yield ({"file": shown, "severity": STATUS_LABELS["unreadable"], "message": rec.reason},
               {"severity": "status_unreadable"})
    for f in rec.findings:
        yield ({"file": shown, "unit": rec.unit_name, "where": f.where if f.cell else "", "code": f.code,
                "severity": SEVERITY_LABELS[f.severity], "message": f.message, "value": f.value or "",
                "field": describe_field(f.field)}, {"severity": f"severity_{f.severity}"})


def compare_row(rec: FileRecord) -> Row | None:
    cmp = rec.comparison
    if cmp is None:
        return None
    return {
        "unit": rec.who,
        "file": (rec.path, rec.member) if rec.member else rec.path,
        "previous": cmp.previous or "",
        "previous_year": cmp.previous_year,
        "year": rec.year,
        "old_total": cmp.old_total,
        "new_total": cmp.new_total,
        "change": cmp.change,
        "percent": cmp.percent,
        "tasks_added": cmp.tasks[0] if cmp.previous else None,
        "tasks_removed": cmp.tasks[1] if cmp.previous else None,
        "tasks_changed": cmp.tasks[2] if cmp.previous else None,
        "indicators_added": cmp.indicators[0] if cmp.previous else None,
        "indicators_removed": cmp.indicators[1] if cmp.previous else None,
        "indicators_changed": cmp.indicators[2] if cmp.previous else None,
        "note": cmp.note,
    }


# A file's rows of the 问题清单, and its row of the comparison (None: no comparison).
FileSheetRows = tuple[tuple[PreparedRow, ...], "PreparedRow | None"]


@lru_cache(maxsize=None)
def row_maker(key: str) -> RowMaker:
    return RowMaker(columns(key))


_SUMMARY_INDEX = [col.key for col in columns("summary")].index("index")  # the 序号 column


def sheet_rows(rec: FileRecord, compared: bool) -> FileSheetRows:
    """What a file adds to the summary as it comes in, laid out (in the worker that read it)."""
    findings = tuple(row_maker("findings").make(values, styles) for values, styles in finding_rows(rec))
    row = compare_row(rec) if compared else None
    return findings, (row_maker("compare").make(row) if row is not None else None)


class SummaryBook:
    """The summary workbook, open while a collection runs: findings and comparison rows are
    written as each file comes in, the one-row-per-file sheet at the end (when duplicates are
    known). Written atomically: nothing appears at `path` unless `finish` completes. Given a
    `staging`, the workbook is only staged there, to be committed with the collection's other
    outputs."""

    def __init__(self, path: str | Path, *, compared: bool = False, staging: Staging | None = None) -> None:
        self.path = Path(path)
        self.compared = compared
        self._own = staging is None
        self._staging = staging if staging is not None else Staging()
        self._done = False
        self._tmpdir: str | None = None

    def __enter__(self) -> SummaryBook:
        tmp = self._staging.add(self.path)
        base = self.path.absolute().parent
        # xlsxwriter's row files (constant_memory) go to a private folder, removed whatever happens
        self._tmpdir = tempfile.mkdtemp(prefix="budgetxl-summary-")
        # streamed: the summary of ten thousand files is a few megabytes, not held in memory first
        self.wb = Workbook(str(tmp), {**WORKBOOK_OPTIONS, "tmpdir": self._tmpdir},
                           normal_font=str(FONT["font_name"]), streamed=True)
        self.wb.set_properties({"created": CREATED, "title": TITLE})
        formats = {name: self.wb.add_format(props) for name, props in FORMATS.items()}
        self.formats, self.base = formats, base
        self.summary = SheetWriter(self.wb, formats, "summary", base)  # first tab, filled last
        self.findings = SheetWriter(self.wb, formats, "findings", base)
        self.compare = SheetWriter(self.wb, formats, "compare", base) if self.compared else None
        return self

    def add(self, rec: FileRecord) -> None:
        """The file's findings (and its comparison row)."""
        self.add_rows(sheet_rows(rec, self.compared))

    def add_rows(self, rows: FileSheetRows) -> None:
        """A file's rows of the 问题清单 and of the comparison, laid out by `sheet_rows`."""
        findings, compared = rows
        for row in findings:
            self.findings.put(row)
        if compared is not None and self.compare is not None:
            self.compare.put(compared)

    def finish(self, records: Sequence[FileRecord], missing: Sequence[Known] = (),
               skipped: Sequence[tuple[str, str]] = ()) -> None:
        """One row per file, last year's units that sent nothing, the files skipped (each named
        in the 问题清单 with why), and the workbook closed. `records` is read a few times over: a
        tuple or list, or a collection's spooled records (whose rows were laid out by the workers)."""
        from budgetxl.collect.spool import SpooledRecords

        rows = records.with_rows() if isinstance(records, SpooledRecords) else ((r, None) for r in records)
        for i, (rec, laid_out) in enumerate(rows, 1):
            self.summary.put(summary_sheet_row(i, rec, laid_out))
        for path, why in skipped:
            self.findings.write({"file": display_path(path), "severity": SKIPPED_LABEL,
                                 "message": f"{why}，未汇总"})
        self._selfeval_sheets(records)
        if self.compare is not None:
            for known in missing:
                note = "本年没有该项目的文件" if known.kind == "project" else "本年没有该单位的文件"
                self.compare.write({"unit": known.who, "previous": known.path, "previous_year": known.year,
                                    "note": note})
        for sheet in (self.summary, self.findings, self.compare):
            if sheet is not None:
                sheet.finish()
        write_project_sheets(self, records)
        self.wb.close()
        self._done = True

    def _selfeval_sheets(self, records: Sequence[FileRecord]) -> None:
        """The 自评 sheet and the review list of units under 80, when self-evaluations came in."""
        from budgetxl.collect import selfeval
        from budgetxl.collect.spool import select

        def scored() -> Iterator[FileRecord]:
            return select(records, "selfeval")

        if next(scored(), None) is None:
            return
        base = self.path.absolute().parent
        sheets = []
        for key in ("selfeval", "review"):
            sheet = SheetWriter(self.wb, self.formats, key, base, name=selfeval.SHEETS[key], cols=selfeval.COLUMNS[key])
            sheets.append(sheet)
        for i, rec in enumerate(scored(), 1):
            sheets[0].write(selfeval.selfeval_row(i, rec, STATUS_LABELS[rec.status]),
                            {"status": f"status_{rec.status}"})
        for row in selfeval.review_rows(scored()):
            sheets[1].write(row)
        for sheet in sheets:
            sheet.finish()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if not self._done:
                release(self.wb)  # xlsxwriter's row files closed, whatever state they are in
                if exc_type is None:  # left without finish(): the output is discarded all the same
                    exc = OutputError(f"{self.path}: 汇总工作簿未写完")
                    self._staging.__exit__(OutputError, exc, None)
                    raise exc
            if self._own:
                self._staging.__exit__(exc_type, exc, tb)
        finally:
            if self._tmpdir is not None:
                shutil.rmtree(self._tmpdir, ignore_errors=True)


def is_summary_workbook(path: str | Path) -> bool:
    """Whether the file at `path` is a summary budgetxl wrote (its title and its first sheet say
    so), which `collect -o` may replace; any other file it refuses to overwrite."""
    try:
        with zipfile.ZipFile(path) as zf:
            core = _small_part(zf, "docProps/core.xml")
            book = _small_part(zf, "xl/workbook.xml")
    except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, NotImplementedError, EOFError):
        return False
    title = re.search(rb"<dc:title>([^<]*)</dc:title>", core)
    first = re.search(rb"<(?:\w+:)?sheet\s[^<>]*?\bname=\"([^\"]*)\"", book)
    if not title or not first:
        return False

    def unescape(b: bytes) -> str:
        return html.unescape(b.decode("utf-8", "replace"))

    return unescape(title.group(1)) == TITLE and unescape(first.group(1)) == SHEETS["summary"]


def _small_part(zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return b""
    if info.file_size > 1024 * 1024:
        return b""
    with zf.open(info) as fh:
        return fh.read(1024 * 1024)


def write_summary(
    path: str | Path,
    records: Sequence[FileRecord],
    *,
    compared: bool = False,
    missing: Sequence[Known] = (),
) -> Path:
    """Write the summary workbook at `path` at once, atomically. With `compared`, a comparison
    sheet too; `missing` lists last year's files whose unit sent nothing this year."""
    with SummaryBook(path, compared=compared) as book:
        for rec in records:
            book.add(rec)
        book.finish(records, missing)
    return Path(path)


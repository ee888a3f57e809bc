"""The summary workbook: one row per file, the findings, and the comparison with last year.

Every sheet has its heading row frozen with an autofilter over it, prints A4 landscape one page
wide with the heading on every page, and links each file name to the file itself (relative to
the summary, so the links survive moving the folder together with it).
"""

from __future__ import annotations

import contextlib
import os
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from budgetxl.collect.inspect import FileRecord, Known
from budgetxl.collect.styles import (
    CREATED,
    FORMATS,
    PAGE,
    SEVERITY_LABELS,
    SHEETS,
    STATUS_LABELS,
    TITLE,
    Column,
    columns,
)
from budgetxl.errors import OutputError
from budgetxl.fileio import atomic_path

# Rows go to temporary files as they are written (constant_memory), so a summary of thousands of
# files costs no more memory than one of a hundred; every text is written as text.
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
                    "constant_memory": True}

Row = dict[str, Any]


class SheetWriter:
    """Writes rows of {column key: value} under the declared headings of one sheet."""

    def __init__(self, wb: xlsxwriter.Workbook, formats: dict[str, Any], key: str, link_base: Path,
                 name: str | None = None, declared: Sequence[Column] | None = None) -> None:
        self.ws: Worksheet = wb.add_worksheet(name or SHEETS[key])
        self.columns: Sequence[Column] = declared if declared is not None else columns(key)
        self.formats = formats
        self.link_base = link_base
        self.row = 0
        for c, col in enumerate(self.columns):
            self.ws.set_column(c, c, col.width)
            self.ws.write_string(0, c, col.heading, formats["header"])
        self.ws.set_row(0, 30)

    def write(self, values: Row, styles: dict[str, str] | None = None) -> None:
        self.row += 1
        for c, col in enumerate(self.columns):
            style = (styles or {}).get(col.key, col.style)
            self.cell(self.row, c, values.get(col.key), style)

    def cell(self, r: int, c: int, value: Any, style: str) -> None:
        fmt = self.formats[style]
        if value is None or value == "":
            self.ws.write_blank(r, c, None, fmt)
        elif style == "link":
            self.link(r, c, value, fmt)
        elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            self.ws.write_number(r, c, float(value) if isinstance(value, Decimal) else value, fmt)
        else:
            self.ws.write_string(r, c, str(value), fmt)

    def link(self, r: int, c: int, path: str, fmt: Any) -> None:
        """The file's name, linked to the file (falls back to plain text past Excel's limits)."""
        shown = display_path(path)
        target = link_target(path, self.link_base)
        status = -1
        if "#" not in target:
            try:
                status = self.ws.write_url(r, c, f"external:{target}", fmt, string=shown)
            except (ValueError, TypeError):  # an over-long path
                status = -1
        if status not in (0, None):
            self.ws.write_string(r, c, shown, self.formats["text"])

    def finish(self) -> None:
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


def display_path(path: str) -> str:
    """The path as a person reads it: relative to the current folder when it is inside it."""
    return _display(path, os.getcwd())


@lru_cache(maxsize=4096)
def _display(path: str, cwd: str) -> str:
    rel = os.path.relpath(os.path.join(cwd, path), cwd)
    return rel if not rel.startswith("..") else str(path)


def link_target(path: str, base: Path) -> str:
    """`path` relative to the folder `base` (paths compared as written, no file system calls)."""
    try:
        return os.path.relpath(os.path.abspath(path), os.path.abspath(base))
    except ValueError:  # another drive on Windows
        return os.path.abspath(path)


def summary_row(index: int, rec: FileRecord) -> Row:
    return {
        "index": index,
        "file": rec.path,
        "sheet": rec.sheet,
        "layout": rec.layout,
        "unit": rec.unit_name,
        "year": rec.year,
        "status": STATUS_LABELS[rec.status],
        "errors": rec.errors if rec.status != "unreadable" else None,
        "warnings": rec.warnings if rec.status != "unreadable" else None,
        "infos": rec.infos if rec.status != "unreadable" else None,
        "expenditures": rec.expenditures,
        "revenues": rec.revenues,
        "n_tasks": rec.n_tasks if rec.status != "unreadable" else None,
        "task_funds": rec.task_funds,
        "n_indicators": rec.n_indicators if rec.status != "unreadable" else None,
        "duplicates": "\n".join(display_path(p) for p in rec.duplicates),
        "reason": rec.reason,
    }


def finding_rows(rec: FileRecord) -> Iterable[tuple[Row, dict[str, str]]]:
    shown = display_path(rec.label)
    if rec.status == "unreadable":
        yield ({"file": shown, "severity": STATUS_LABELS["unreadable"], "message": rec.reason},
               {"severity": "status_unreadable"})
    for f in rec.findings:
        yield ({"file": shown, "unit": rec.unit_name, "where": f.where if f.cell else "", "code": f.code,
                "severity": SEVERITY_LABELS[f.severity], "message": f.message, "value": f.value or "",
                "field": f.field}, {"severity": f"severity_{f.severity}"})


def compare_row(rec: FileRecord) -> Row | None:
    cmp = rec.comparison
    if cmp is None:
        return None
    return {
        "unit": rec.unit_name,
        "file": rec.path,
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


class SummaryBook:
    """The summary workbook, open while a collection runs: findings and comparison rows are
    written as each file comes in, the one-row-per-file sheet at the end (when duplicates are
    known). Written atomically: nothing appears at `path` unless `finish` completes."""

    def __init__(self, path: str | Path, *, compared: bool = False) -> None:
        self.path = Path(path)
        self.compared = compared
        self._atomic = atomic_path(self.path)
        self._done = False

    def __enter__(self) -> "SummaryBook":
        tmp = self._atomic.__enter__()
        base = self.path.absolute().parent
        self.wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
        self.wb.set_properties({"created": CREATED, "title": TITLE})
        formats = self.formats = {name: self.wb.add_format(props) for name, props in FORMATS.items()}
        self.summary = SheetWriter(self.wb, formats, "summary", base)  # first tab, filled last
        self.findings = SheetWriter(self.wb, formats, "findings", base)
        self.compare = SheetWriter(self.wb, formats, "compare", base) if self.compared else None
        return self

    def add(self, rec: FileRecord) -> None:
        """The file's findings (and its comparison row)."""
        for values, styles in finding_rows(rec):
            self.findings.write(values, styles)
        row = compare_row(rec) if self.compare is not None else None
        if row is not None:
            self.compare.write(row)  # type: ignore[union-attr]

    def finish(self, records: Sequence[FileRecord], missing: Sequence[Known] = ()) -> None:
        """One row per file, last year's units that sent nothing, and the workbook closed."""
        for i, rec in enumerate(records, 1):
            self.summary.write(summary_row(i, rec), {"status": f"status_{rec.status}"})
        self._selfeval_sheets(records)
        if self.compare is not None:
            for known in missing:
                self.compare.write({"unit": known.unit_name, "previous": known.path, "previous_year": known.year,
                                    "note": "本年没有该单位的文件"})
        for sheet in (self.summary, self.findings, self.compare):
            if sheet is not None:
                sheet.finish()
        _close(self.wb, self.path)
        self._done = True

    def _selfeval_sheets(self, records: Sequence[FileRecord]) -> None:
        """The 自评 sheet and the review list of units under 80, when self-evaluations came in."""
        from budgetxl.collect import selfeval

        scored = [r for r in records if r.selfeval is not None]
        if not scored:
            return
        base = self.path.absolute().parent
        sheets = []
        for key in ("selfeval", "review"):
            sheet = SheetWriter(self.wb, self.formats, key, base, selfeval.SHEETS[key], selfeval.COLUMNS[key])
            sheets.append(sheet)
        for i, rec in enumerate(scored, 1):
            sheets[0].write(selfeval.selfeval_row(i, rec, STATUS_LABELS[rec.status]), {"status": f"status_{rec.status}"})
        for row in selfeval.review_rows(scored):
            sheets[1].write(row)
        for sheet in sheets:
            sheet.finish()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool | None:
        if not self._done:
            with contextlib.suppress(Exception):  # release xlsxwriter's temporary files
                self.wb.close()
            if exc_type is None:  # left without finish(): the output is discarded all the same
                error = OutputError(f"{self.path}: 汇总工作簿未写完")
                self._atomic.__exit__(OutputError, error, None)
                raise error
        return self._atomic.__exit__(exc_type, exc, tb)


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


def _close(wb: xlsxwriter.Workbook, path: Path) -> None:
    try:
        wb.close()
    except OSError as exc:
        raise OutputError(f"{path}: 无法写入（{exc}）") from None


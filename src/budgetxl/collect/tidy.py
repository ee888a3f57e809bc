"""Tidy tables of a collection (--csv): forms, tasks, indicators and findings, one row per thing,
UTF-8 with a byte-order mark so that Excel opens them as UTF-8, plain for pandas and DuckDB.

Tasks, indicators and findings are written as each file comes in (the collector keeps none of
them); forms at the end, when duplicates are known. Every file is written atomically.
"""

from __future__ import annotations

import contextlib
import csv
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, TextIO

from budgetxl.collect.inspect import FileRecord
from budgetxl.collect.selfeval import RESULT_COLUMNS
from budgetxl.fileio import atomic_path
from budgetxl.model import format_amount

COLUMNS: dict[str, tuple[str, ...]] = {
    "forms": ("file", "status", "reason", "unit_name", "year", "layout", "sheet", "errors", "warnings", "infos",
              "expenditures_total", "revenues_total", "task_funds_total", "tasks", "indicators", "duplicate_of"),
    "tasks": ("file", "unit_name", "year", "task", "group", "name", "content", "funds", "goal"),
    "indicators": ("file", "unit_name", "year", "indicator", "level1", "level2", "name", "target"),
    "findings": ("file", "unit_name", "year", "code", "severity", "sheet", "cell", "field", "value", "message"),
    "results": RESULT_COLUMNS,  # self-evaluations: one row per scored item
}

# A text that Excel would take for a formula (=, +, -, @ first) gets an apostrophe in front, as
# the OWASP guidance on CSV injection advises: the returns come from outside.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format_amount(value)
    return str(value)


class TidyWriter:
    """The four CSV files in `folder`, open while the collection runs."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._stack = contextlib.ExitStack()
        self._files: dict[str, TextIO] = {}
        self._writers: dict[str, Any] = {}
        self._counts = {"tasks": 0, "indicators": 0}

    def __enter__(self) -> "TidyWriter":
        for name, columns in COLUMNS.items():
            tmp = self._stack.enter_context(atomic_path(self.folder / f"{name}.csv"))
            fh = self._stack.enter_context(tmp.open("w", encoding="utf-8-sig", newline=""))
            self._files[name] = fh
            self._writers[name] = csv.writer(fh, lineterminator="\r\n")
            self._writers[name].writerow(columns)
        return self

    def __exit__(self, *exc: Any) -> bool | None:
        return self._stack.__exit__(*exc)

    def _row(self, name: str, values: tuple[Any, ...]) -> None:
        self._rows(name, (values,))

    def _rows(self, name: str, rows: Iterable[tuple[Any, ...]]) -> None:
        # texts (most values) inline; numbers, decimals and blanks through cell()
        self._writers[name].writerows([
            [("'" + v if v.startswith(_FORMULA_START) else v) if type(v) is str else cell(v) for v in values]
            for values in rows
        ])

    def add_rows(self, rec: FileRecord) -> None:
        """Tasks and indicators of one file (numbered 1… within the file)."""
        head = (rec.path, rec.unit_name, rec.year)
        self._rows("tasks", ((*head, k, *task) for k, task in enumerate(rec.tasks, 1)))
        self._rows("indicators", ((*head, k, *ind) for k, ind in enumerate(rec.indicators, 1)))
        if rec.selfeval is not None:
            top = (rec.path, rec.unit_name, rec.selfeval.project_name, rec.year, rec.selfeval.profile)
            self._rows("results", ((*top, *row) for row in rec.results))

    def add_findings(self, rec: FileRecord) -> None:
        self._rows("findings", ((rec.path, rec.unit_name, rec.year, f.code, f.severity, f.sheet, f.cell,
                                 f.field, f.value, f.message) for f in rec.findings))

    def add_form(self, rec: FileRecord) -> None:
        """The file's row in forms.csv."""
        read = rec.status != "unreadable"  # an unreadable file's counts are unknown, not 0
        counts = (rec.errors, rec.warnings, rec.infos) if read else (None, None, None)
        self._row("forms", (
            rec.path, rec.status, rec.reason, rec.unit_name, rec.year, rec.layout, rec.sheet, *counts,
            rec.expenditures, rec.revenues, rec.task_funds, rec.n_tasks if read else None,
            rec.n_indicators if read else None, " | ".join(rec.duplicates),
        ))


"""Tidy tables of a collection (--csv): forms, tasks, indicators and findings, one row per thing,
UTF-8 with a byte-order mark so that Excel opens them as UTF-8, plain for pandas and DuckDB.

Column headings are Chinese by default (the tables are opened in Excel by the people who review
the returns); `lang="en"` (`--csv-lang en`) writes the English keys below instead, for scripts.
Values are the same either way: amounts exact, field paths and codes as the data holds them.

Tasks, indicators, scored items and findings are encoded by the worker that read the file and
written by the collector as each file comes in (it keeps none of them); forms at the end, when
duplicates are known. Every file is written atomically.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Sequence

from budgetxl.collect.inspect import FileRecord
from budgetxl.collect.selfeval import RESULT_COLUMNS
from budgetxl.collect.summary import duplicates_text
from budgetxl.errors import OutputError
from budgetxl.fileio import Staging
from budgetxl.model import format_amount
from budgetxl.safetext import path_text

COLUMNS: dict[str, tuple[str, ...]] = {
    "forms": ("file", "status", "reason", "unit_name", "year", "layout", "sheet", "errors", "warnings", "infos",
              "expenditures_total", "revenues_total", "task_funds_total", "tasks", "indicators", "duplicate_of",
              "amount_unit"),
    "tasks": ("file", "unit_name", "year", "task", "group", "name", "content", "funds", "goal"),
    "indicators": ("file", "unit_name", "year", "indicator", "level1", "level2", "name", "target"),
    "findings": ("file", "unit_name", "year", "code", "severity", "sheet", "cell", "field", "value", "message"),
    "results": RESULT_COLUMNS,  # self-evaluations: one row per scored item
}

# The Chinese heading of every column key (declared once; a test checks each key has one).
HEADINGS_ZH: dict[str, str] = {
    "file": "文件",
    "status": "状态",
    "reason": "说明",
    "unit_name": "单位名称",
    "year": "年度",
    "layout": "版式",
    "sheet": "工作表",
    "errors": "错误数",
    "warnings": "警告数",
    "infos": "提示数",
    "expenditures_total": "支出合计（万元）",
    "revenues_total": "收入合计（万元）",
    "task_funds_total": "任务资金合计（万元）",
    "tasks": "任务数",
    "indicators": "指标数",
    "duplicate_of": "重复提交",
    "amount_unit": "金额单位",
    "task": "任务序号",
    "group": "类别",
    "name": "名称",
    "content": "主要实施内容",
    "funds": "拟投入的资金（万元）",
    "goal": "期望达到的目标",
    "indicator": "指标序号",
    "level1": "一级指标",
    "level2": "二级指标",
    "target": "指标值",
    "code": "代码",
    "severity": "级别",
    "cell": "单元格",
    "field": "字段",
    "value": "内容",
    "message": "问题",
    # results (self-evaluations)
    "project_name": "项目名称",
    "profile": "评分规则",
    "item": "序号",
    "actual": "实际完成值",
    "weight": "分值",
    "typed_score": "填写得分",
    "computed_score": "计算得分",
    "method": "计分方法",
    "needs_reason": "须说明偏差原因",
    "problem": "无法计分的原因",
}
# Headings a table words its own way (by table, then column key).
HEADINGS_OF: dict[str, dict[str, str]] = {
    "indicators": {"name": "三级指标"},
    "results": {"name": "三级指标", "target": "年度指标值", "reason": "偏差原因分析及改进措施"},
}
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def headings(table: str, lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """The heading row of `table` in `lang` ("zh" or "en")."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown CSV language {lang!r}")
    keys = COLUMNS[table]
    own = HEADINGS_OF.get(table, {})  # 名称 of an indicator is its 三级指标
    return [own.get(k, HEADINGS_ZH[k]) if lang == "zh" else k for k in keys]


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


def encode_rows(rows: Iterable[tuple[Any, ...]]) -> bytes:
    """Rows of a table as the CSV file holds them (UTF-8, CRLF, texts that would start a formula
    quoted). Made in a collection's workers, written by the collector as they are."""
    buf = io.StringIO(newline="")
    # texts (most values) inline; numbers, decimals and blanks through cell()
    csv.writer(buf, lineterminator="\r\n").writerows([
        [("'" + v if v.startswith(_FORMULA_START) else v) if type(v) is str else cell(v) for v in values]
        for values in rows
    ])
    return buf.getvalue().encode("utf-8", "replace")


# The tables whose rows each file brings (forms.csv is written at the end, from the records).
FILE_TABLES = ("tasks", "indicators", "results", "findings")


def file_rows(rec: FileRecord) -> tuple[bytes, ...]:
    """The rows of one file in each of FILE_TABLES, encoded: its tasks and indicators (numbered 1…
    within the file), a self-evaluation's scored items, its findings."""
    head = (path_text(rec.source), rec.unit_name, rec.year)
    results = b""
    if rec.selfeval is not None:
        top = (path_text(rec.path), rec.unit_name, rec.selfeval.project_name, rec.year, rec.selfeval.profile)
        results = encode_rows((*top, *row) for row in rec.results)
    return (
        encode_rows((*head, k, *task) for k, task in enumerate(rec.tasks, 1)),
        encode_rows((*head, k, *ind) for k, ind in enumerate(rec.indicators, 1)),
        results,
        encode_rows((*head, f.code, f.severity, f.sheet, f.cell, f.field, f.value, f.message) for f in rec.findings),
    )


class TidyWriter:
    """The CSV files in `folder`, open while the collection runs. Given a `staging`, they are
    only staged there, to be committed with the collection's other outputs."""

    def __init__(self, folder: str | Path, staging: Staging | None = None, lang: str = DEFAULT_LANGUAGE) -> None:
        self.folder = Path(folder)
        self.lang = lang
        self._stack = contextlib.ExitStack()
        self._staging = staging
        self._files: dict[str, BinaryIO] = {}

    def __enter__(self) -> TidyWriter:
        if self.folder.exists() and not self.folder.is_dir():
            raise OutputError(f"{self.folder}: 已存在同名文件，--csv 应为一个文件夹")
        staging = self._staging if self._staging is not None else self._stack.enter_context(Staging())
        for name in COLUMNS:
            tmp = staging.add(self.folder / f"{name}.csv")
            fh = self._stack.enter_context(tmp.open("wb"))
            self._files[name] = fh
            fh.write(codecs.BOM_UTF8 + encode_rows([tuple(headings(name, self.lang))]))
        return self

    def __exit__(self, *exc: Any) -> bool | None:
        return self._stack.__exit__(*exc)

    def add_file_rows(self, parts: Sequence[bytes]) -> None:
        """One file's rows of FILE_TABLES, as `file_rows` made them."""
        for name, data in zip(FILE_TABLES, parts):
            if data:
                self._files[name].write(data)

    def add_rows(self, rec: FileRecord) -> None:
        """Tasks, indicators, scored items and findings of one file."""
        self.add_file_rows(file_rows(rec))

    def add_form(self, rec: FileRecord) -> None:
        """The file's row in forms.csv."""
        read = rec.status != "unreadable"  # an unreadable file's counts are unknown, not 0
        counts = (rec.errors, rec.warnings, rec.infos) if read else (None, None, None)
        self._files["forms"].write(encode_rows([(
            path_text(rec.source), rec.status, rec.reason, rec.unit_name, rec.year, rec.layout, rec.sheet, *counts,
            rec.expenditures, rec.revenues, rec.task_funds, rec.n_tasks if read else None,
            rec.n_indicators if read else None, duplicates_text(rec, " | ", path_text), rec.units,
        )]))

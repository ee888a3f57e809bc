"""The summary workbook's words, columns and looks, declared once.

Each sheet is a list of columns (key, heading, width, named format); the writer only looks them
up through `columns()`. The comparison's words (新增, 取消, 调整) are the diff's own labels, looked
up only when a comparison is made (the diff pulls in scipy, which a plain collection does not need).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from budgetxl import display, summary_sheets

STATUS_LABELS = {"ok": "通过", "warnings": "有警告", "errors": "有错误", "unreadable": "无法读取"}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
SKIPPED_LABEL = "已跳过"  # a file of the folders that is not a workbook, named in the 问题清单
SHEETS = summary_sheets.SHEETS
TITLE = "部门整体预算绩效目标表 汇总"
CREATED = datetime(2000, 1, 1, tzinfo=timezone.utc)  # fixed: the same inputs give the same bytes

FONT: dict[str, Any] = {"font_name": "宋体", "font_size": 10}
_CELL = {**FONT, "border": 1, "valign": "top", "text_wrap": True}
# Printed at least this size once the sheet is scaled to one page wide (a test prints each sheet).
MIN_PRINTED_PT = 8.0

FORMATS: dict[str, dict[str, Any]] = {
    "header": {**FONT, "bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
               "bg_color": "#DDEBF7"},
    "text": {**_CELL, "align": "left"},
    "center": {**_CELL, "align": "center"},
    "int": {**_CELL, "align": "right", "num_format": "0"},
    "amount": {**_CELL, "align": "right", "num_format": display.AMOUNT_FORMAT},
    "signed_amount": {**_CELL, "align": "right", "num_format": display.SIGNED_AMOUNT_FORMAT},
    "percent": {**_CELL, "align": "right", "num_format": display.PERCENT_NUMBER_FORMAT},
    "link": {**_CELL, "align": "left", "font_color": "#0563C1", "underline": 1},
    "status_ok": {**_CELL, "align": "center", "font_color": "#1E7B34", "bg_color": "#E2F0D9"},
    "status_warnings": {**_CELL, "align": "center", "font_color": "#7F6000", "bg_color": "#FFF2CC"},
    "status_errors": {**_CELL, "align": "center", "font_color": "#C00000", "bg_color": "#FDE2E1", "bold": True},
    "status_unreadable": {**_CELL, "align": "center", "font_color": "#FFFFFF", "bg_color": "#7F7F7F", "bold": True},
    "severity_error": {**_CELL, "align": "center", "font_color": "#C00000"},
    "severity_warning": {**_CELL, "align": "center", "font_color": "#7F6000"},
    "severity_info": {**_CELL, "align": "center"},
}


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    width: float
    style: str = "text"


# Widths (Excel character units at 宋体 10 pt) chosen so that each sheet, fitted to one A4
# landscape page wide, prints at MIN_PRINTED_PT or more: long texts wrap (rows are as tall as
# their wrapped lines), amount columns widen to their widest value when the sheet is written.
COLUMNS: dict[str, tuple[Column, ...]] = {
    "summary": (
        Column("index", "序号", 4.5, "int"),
        Column("file", "文件", 20, "link"),
        Column("sheet", "工作表", 9),
        Column("layout", "版式", 10.5, "center"),  # guangdong on one line
        Column("units", "金额\n单位", 4.5, "center"),  # 万元, 元: what the amounts were read in
        Column("unit", "单位名称", 18),
        Column("year", "年度", 5.5, "center"),
        Column("status", "状态", 7, "center"),
        Column("errors", "错误", 5, "int"),
        Column("warnings", "警告", 5, "int"),
        Column("infos", "提示", 5, "int"),
        Column("expenditures", "支出合计\n（万元）", 10, "amount"),
        Column("revenues", "收入合计\n（万元）", 10, "amount"),
        Column("n_tasks", "任务数", 5.5, "int"),
        Column("task_funds", "任务资金\n（万元）", 10, "amount"),
        Column("n_indicators", "指标数", 5.5, "int"),
        Column("duplicates", "重复提交\n（同一单位同一年度）", 10),
        Column("reason", "说明", 14.5),
    ),
    "findings": (
        Column("file", "文件", 20),
        Column("unit", "单位名称", 18),
        Column("where", "位置", 16),
        Column("code", "代码", 6.5, "center"),
        Column("severity", "级别", 5.5, "center"),
        Column("message", "问题", 46),
        Column("value", "内容", 20),
        Column("field", "字段", 16),
    ),
}


@lru_cache(maxsize=None)
def columns(key: str) -> tuple[Column, ...]:
    """The columns of sheet `key` (summary, findings, compare)."""
    if key != "compare":
        return COLUMNS[key]
    from budgetxl.diff.styles import STATUS_LABELS as DIFF_LABELS

    return (
        Column("unit", "单位名称", 18),
        Column("file", "本年文件", 18, "link"),
        Column("previous", "上年文件", 18, "link"),
        Column("previous_year", "上年\n年度", 5.5, "center"),
        Column("year", "本年\n年度", 5.5, "center"),
        Column("old_total", "上年支出合计\n（万元）", 10, "amount"),
        Column("new_total", "本年支出合计\n（万元）", 10, "amount"),
        Column("change", "增减\n（万元）", 10, "signed_amount"),
        Column("percent", "增减率", 8, "percent"),
        Column("tasks_added", f"任务{DIFF_LABELS['added']}", 5, "int"),
        Column("tasks_removed", f"任务{DIFF_LABELS['removed']}", 5, "int"),
        Column("tasks_changed", f"任务{DIFF_LABELS['changed']}", 5, "int"),
        Column("indicators_added", f"指标{DIFF_LABELS['added']}", 5, "int"),
        Column("indicators_removed", f"指标{DIFF_LABELS['removed']}", 5, "int"),
        Column("indicators_changed", f"指标{DIFF_LABELS['changed']}", 5, "int"),
        Column("note", "说明", 16),
    )


# Columns holding paths (they wrap after / and -, see summary._breakable).
PATH_KEYS = frozenset({"file", "previous", "duplicates"})

# How a number of each style reads (for the width of its column).
SHOWN = {
    "amount": display.amount_text,
    "signed_amount": lambda v: display.amount_text(v, signed=True),
    "percent": display.percent_text,
}


# Page set-up of every sheet: A4 landscape, one page wide, the heading row on every page.
PAGE: dict[str, Any] = {"paper": 9, "landscape": True, "margins": (0.4, 0.4, 0.6, 0.6),
                        "footer": "&C第 &P 页，共 &N 页"}

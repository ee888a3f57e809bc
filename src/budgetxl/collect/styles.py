"""The summary workbook's words, columns and looks, declared once.

Each sheet is a list of columns (key, heading, width, named format); the writer only looks them
up through `columns()`. The comparison's words (新增, 取消, 调整) are the diff's own labels, looked
up only when a comparison is made (the diff pulls in scipy, which a plain collection does not need).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from functools import lru_cache

STATUS_LABELS = {"ok": "通过", "warnings": "有警告", "errors": "有错误", "unreadable": "无法读取"}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
SHEETS = {"summary": "汇总", "findings": "问题清单", "compare": "与上年比较"}
TITLE = "部门整体预算绩效目标表 汇总"
CREATED = datetime(2000, 1, 1, tzinfo=timezone.utc)  # fixed: the same inputs give the same bytes

FONT = {"font_name": "宋体", "font_size": 10}
_CELL = {**FONT, "border": 1, "valign": "top", "text_wrap": True}

FORMATS: dict[str, dict[str, Any]] = {
    "header": {**FONT, "bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
               "bg_color": "#DDEBF7"},
    "text": {**_CELL, "align": "left"},
    "center": {**_CELL, "align": "center"},
    "int": {**_CELL, "align": "right", "num_format": "0"},
    "amount": {**_CELL, "align": "right", "num_format": "#,##0.00####"},
    "percent": {**_CELL, "align": "right", "num_format": '0.00"%"'},
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


COLUMNS: dict[str, tuple[Column, ...]] = {
    "summary": (
        Column("index", "序号", 6, "int"),
        Column("file", "文件", 34, "link"),
        Column("sheet", "工作表", 14),
        Column("layout", "版式", 10, "center"),
        Column("units", "金额单位", 9, "center"),
        Column("unit", "单位名称", 30),
        Column("year", "年度", 7, "center"),
        Column("status", "状态", 9, "center"),
        Column("errors", "错误", 6, "int"),
        Column("warnings", "警告", 6, "int"),
        Column("infos", "提示", 6, "int"),
        Column("expenditures", "支出合计（万元）", 13, "amount"),
        Column("revenues", "收入合计（万元）", 13, "amount"),
        Column("n_tasks", "任务数", 7, "int"),
        Column("task_funds", "任务资金（万元）", 13, "amount"),
        Column("n_indicators", "指标数", 7, "int"),
        Column("duplicates", "重复提交（同一单位同一年度）", 28),
        Column("reason", "说明", 40),
    ),
    "findings": (
        Column("file", "文件", 30),
        Column("unit", "单位名称", 26),
        Column("where", "位置", 12, "center"),
        Column("code", "代码", 8, "center"),
        Column("severity", "级别", 7, "center"),
        Column("message", "问题", 60),
        Column("value", "内容", 24),
        Column("field", "字段", 18),
    ),
}


@lru_cache(maxsize=None)
def columns(key: str) -> tuple[Column, ...]:
    """The columns of sheet `key` (summary, findings, compare)."""
    if key != "compare":
        return COLUMNS[key]
    from budgetxl.diff.styles import STATUS_LABELS as DIFF_LABELS

    return (
        Column("unit", "单位名称", 28),
        Column("file", "本年文件", 28, "link"),
        Column("previous", "上年文件", 28, "link"),
        Column("previous_year", "上年年度", 8, "center"),
        Column("year", "本年年度", 8, "center"),
        Column("old_total", "上年支出合计（万元）", 13, "amount"),
        Column("new_total", "本年支出合计（万元）", 13, "amount"),
        Column("change", "增减（万元）", 12, "amount"),
        Column("percent", "增减率", 9, "percent"),
        Column("tasks_added", f"任务{DIFF_LABELS['added']}", 7, "int"),
        Column("tasks_removed", f"任务{DIFF_LABELS['removed']}", 7, "int"),
        Column("tasks_changed", f"任务{DIFF_LABELS['changed']}", 7, "int"),
        Column("indicators_added", f"指标{DIFF_LABELS['added']}", 7, "int"),
        Column("indicators_removed", f"指标{DIFF_LABELS['removed']}", 7, "int"),
        Column("indicators_changed", f"指标{DIFF_LABELS['changed']}", 7, "int"),
        Column("note", "说明", 36),
    )


# Page set-up of every sheet: A4 landscape, one page wide, the heading row on every page.
PAGE = {"paper": 9, "landscape": True, "margins": (0.4, 0.4, 0.6, 0.6), "footer": "&C第 &P 页，共 &N 页"}

"""Labels, colours, formats and column widths of the comparison (declared once, used by the
workbook and terminal renderers). Column headings of the form itself (名称, 指标值…) come from the
form layout in templates/, not from here."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from budgetxl import display

# --------------------------------------------------------------------------------------------
# Words a reviewer reads

STATUS_LABELS = {"added": "新增", "removed": "取消", "changed": "调整", "unchanged": "未变"}
COUNT_ORDER = ("added", "removed", "changed", "unchanged")

TASKS_LABEL = "工作任务"  # the task blocks together (a layout names each of them)


@lru_cache(maxsize=16)
def block_labels(layout_name: str | None = None) -> dict[str, str]:
    """What the comparison calls each part of a form: the words of the form's own layout (the
    default layout's where it has no such block), 工作任务 for its task blocks together."""
    from budgetxl.errors import LayoutError
    from budgetxl.layout import load_layout

    default = load_layout(None)
    try:
        layout = load_layout(layout_name)
    except LayoutError:
        layout = default

    def label(kinds: tuple[str, ...], fields: tuple[str, ...] = ()) -> str:
        for lay in (layout, default):
            block = next((b for b in lay.blocks
                          if b.kind in kinds and (not fields or getattr(b, "field", "") in fields)), None)
            if block is not None:
                return block.label
        return ""

    return {
        "budget": label(("pairs", "amount_row", "amount_list")),
        "basic_info": label(("info",)),
        "overall_goal": label(("text", "numbered"), ("overall_goal", "goals")),
        "tasks": TASKS_LABEL,
        "indicators": label(("indicators",)),
        "functions": label(("numbered",), ("functions",)),
    }
TASK_GROUP_LABELS = {"key": "重点任务", "other": "其他任务"}
# The blocks of other kinds of form where they are called otherwise (a project's table).
KIND_BLOCK_LABELS = {
    "project": {
        "budget": "项目资金",
        "basic_info": "项目情况",
        "overall_goal": "年度目标",
        "indicators": "年度绩效指标",
        "period_indicators": "实施期绩效指标",
    },
}
PROJECT_TITLE = "项目支出绩效目标表 比对"
PROJECT_SET_TITLE = "项目支出绩效目标表 按项目比对"

TITLE = "部门整体预算绩效目标表 比对"
SERIES_TITLE = "部门整体预算绩效目标表 历年比对"
SHEETS = {"summary": "概要", "tasks": "工作任务", "indicators": "绩效指标", "trend": "趋势", "pairing": "项目配对"}

OLD = "上年"
NEW = "本年"
SIDE_HEADING = "{side}（{label}）"  # 上年（2023）

LABELS = {
    "block": "板块",
    "compare": "比对",
    "status": "状态",
    "similarity": "相似度",
    "group": "类别",
    "part": "部分",
    "item": "项目",
    "unit": "单位",
    "delta": "增减额",
    "percent": "增减率",
    "funds_change": "资金变化",
    "target_change": "指标值变化",
    "warnings": "提示",
    "merged_into": "名称见于本年“{name}”，可能已并入",
    "split_from": "名称见于上年“{name}”，可能由其拆出",
    "trend_part": "部分",
    "trend_item": "项目",
    "trend_chart": "预算金额（万元）",
    "trend_axis": "万元",
    "pair": "{old} → {new}",
    "identical": "两张表内容一致，没有差异",
    # a department's projects of two years, pair by pair
    "number": "序号",
    "project_old": "上年项目",
    "project_new": "本年项目",
    "paired_by": "配对依据",
    "sheets": "比对见工作表",
    "file_old": "上年文件",
    "file_new": "本年文件",
    "project_prefix": "项目{n} ",  # the sheets of the n-th pair: 项目3 概要, 项目3 年度绩效指标…
    "pairs_line": "项目配对：{pairs} 对，新增 {added} 个，取消 {removed} 个",
}

# --------------------------------------------------------------------------------------------
# The comparison workbook

CREATED = datetime(2000, 1, 1, tzinfo=timezone.utc)  # fixed: the same inputs give the same bytes
FONT: dict[str, Any] = {"font_name": "宋体", "font_size": 10}
COLORS = {
    "removed_text": "#C00000",
    "added_text": "#007A33",
    "changed_fill": "#FFF2CC",
    "added_fill": "#E2EFDA",
    "removed_fill": "#FCE4D6",
    "header_fill": "#D9E1F2",
    "border": "#A6A6A6",
    "warning_text": "#C00000",
}

_CELL = {**FONT, "text_wrap": True, "valign": "top", "border": 1, "border_color": COLORS["border"]}
# Amounts show two decimals with thousands separators, as everywhere a person reads them
# (budgetxl.display); the cells keep the exact values.
AMOUNT_FORMAT = display.AMOUNT_FORMAT
PERCENT_FORMAT = display.PERCENT_FORMAT
DELTA_FORMAT = display.SIGNED_AMOUNT_FORMAT

# Cell formats by name; a cell's look is one of these (or one with a fill added, see FILLS).
FORMATS: dict[str, dict[str, Any]] = {
    "title": {**FONT, "bold": True, "font_size": 14, "valign": "vcenter"},
    "label": {**FONT, "bold": True, "valign": "top"},
    "text": {**FONT, "valign": "top", "text_wrap": True},
    "warning": {**FONT, "font_color": COLORS["warning_text"], "text_wrap": True, "valign": "top"},
    "header": {**_CELL, "bold": True, "align": "center", "valign": "vcenter", "bg_color": COLORS["header_fill"]},
    "cell": dict(_CELL),
    "center": {**_CELL, "align": "center"},
    "amount": {**_CELL, "num_format": AMOUNT_FORMAT},
    "delta": {**_CELL, "num_format": DELTA_FORMAT},
    "percent": {**_CELL, "num_format": PERCENT_FORMAT},
    "similarity": {**_CELL, "num_format": "0.000", "align": "center"},
    "number": {**_CELL, "num_format": "General"},
    "number_delta": {**_CELL, "num_format": "+General;-General;General"},
    "percent_text": {**_CELL, "align": "right"},
}
FILLS = {
    "changed": COLORS["changed_fill"],
    "added": COLORS["added_fill"],
    "removed": COLORS["removed_fill"],
}
# Fonts of the runs inside a rich-text cell.
RUNS: dict[str, dict[str, Any]] = {
    "same": dict(FONT),
    "removed": {**FONT, "font_color": COLORS["removed_text"], "font_strikeout": True},
    "added": {**FONT, "font_color": COLORS["added_text"], "bold": True},
}

PAGE: dict[str, Any] = {"paper": 9, "landscape": True, "margins": (0.4, 0.4, 0.5, 0.5),
                        "footer": "&C第 &P 页，共 &N 页"}
HEADER_ROWS = 2  # group heading row + column heading row on the task and indicator sheets

# Column widths (Excel character units) by column key.
WIDTHS = {
    "status": 6,
    "similarity": 6,
    "group": 6,
    "name": 14,
    "content": 26,
    "funds": 10,
    "goal": 22,
    "level1": 9,
    "level2": 11,
    "indicator": 22,
    "target": 16,
    "delta": 11,
    "percent": 9,
    "target_change": 14,
    "target_change_max": 24,  # wider than the default when a change needs it, up to this
    "note": 16,
    "part": 14,
    "item": 22,
    "amount": 14,
    "trend_year": 13,
    "number": 5,
    "project": 24,
    "paired_by": 12,
    "sheets": 12,
    "count": 6,
    "file": 28,
}

# --------------------------------------------------------------------------------------------
# The terminal

TERMINAL: dict[str, Any] = {  # a style each, and the statuses' styles under "status"
    "removed": "red strike",
    "added": "green bold",
    "same": "",
    "status": {"added": "green", "removed": "red", "changed": "yellow", "unchanged": "dim"},
    "warning": "bold red",
    "title": "bold",
}
PLAIN_MARKS = {"removed": "[-{}-]", "added": "{{+{}+}}"}  # when the terminal shows no colours

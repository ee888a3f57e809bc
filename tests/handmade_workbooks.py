"""Workbooks made the way a person makes them in Excel: typed labels, a few merges, a 合计 row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

INDICATORS = [
    ("产出指标", "数量指标", "走访重点企业", "≥90家"),
    ("产出指标", "质量指标", "补贴发放准确率", "≥98%"),
    ("效益指标", "社会效益指标", "政务公开完成率", "100%"),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"),
]


def make_workbook(
    path: Path,
    *,
    revenue_total: Any = "=SUM(E4:E5)",
    expenditure_total: Any = "=SUM(C4:C5)",
    indicators: list[tuple[str, str, str, Any]] | None = None,
    unit_name: str = "某某市某某局",
    funds: Any = 50,
) -> Path:
    """A filled 部门整体预算绩效目标表 on one sheet named 目标表, with 合计 rows under both sides
    of the budget (`expenditure_total` and `revenue_total`: a formula or a typed number)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "目标表"
    ws["A1"] = "部门整体预算绩效目标表（2024年）"
    ws.merge_cells("A1:E1")
    ws["A2"], ws["B2"] = "单位名称", unit_name
    ws.merge_cells("B2:E2")
    ws["A3"] = "预算整体情况"
    ws.merge_cells("A3:A6")
    for col, text in zip("BCDE", ["部门预算支出", "预算金额（万元）", "收入来源", "预算金额（万元）"]):
        ws[f"{col}3"] = text
    ws["B4"], ws["C4"], ws["D4"], ws["E4"] = "基本支出", 100, "财政拨款", 150
    ws["B5"], ws["C5"], ws["D5"], ws["E5"] = "项目支出", 50, "其他资金", 0
    ws["B6"], ws["C6"], ws["D6"], ws["E6"] = "合计", expenditure_total, "合计", revenue_total
    ws["A7"], ws["B7"] = "总体绩效目标", "目标1：完成年度工作任务。\n目标2：群众满意度不低于90%。"
    ws.merge_cells("B7:E7")
    ws["A8"] = "年度重点工作任务"
    ws.merge_cells("A8:A9")
    for col, text in zip("BCDE", ["名称", "主要实施内容", "拟投入的资金（万元）", "期望达到的目标（概述）"]):
        ws[f"{col}8"] = text
    ws["B9"], ws["C9"], ws["D9"], ws["E9"] = "走访企业", "走访辖区重点企业", funds, "全年走访重点企业90家"
    ws["A10"] = "绩效指标"
    for col, text in zip("BCDE", ["一级指标", "二级指标", "三级指标", "指标值"]):
        ws[f"{col}10"] = text
    rows = INDICATORS if indicators is None else indicators
    row = 11
    for l1, l2, name, target in rows:
        ws[f"B{row}"], ws[f"C{row}"], ws[f"D{row}"], ws[f"E{row}"] = l1, l2, name, target
        row += 1
    _merge_runs(ws, "B", 11, row)
    ws.merge_cells(f"A10:A{row - 1}")
    ws["B4"].number_format = "@"
    ws["C4"].number_format = "0.00"
    ws.column_dimensions["E"].width = 40
    wb.save(path)
    return path


def _merge_runs(ws, col: str, first: int, stop: int) -> None:
    """Merge the 一级 cells of consecutive rows with the same label, as a person would."""
    start = first
    for r in range(first + 1, stop + 1):
        if r == stop or ws[f"{col}{r}"].value != ws[f"{col}{start}"].value:
            for rr in range(start + 1, r):
                ws[f"{col}{rr}"] = None
            if r - start > 1:
                ws.merge_cells(f"{col}{start}:{col}{r - 1}")
            start = r

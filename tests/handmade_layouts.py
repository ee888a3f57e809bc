"""Workbooks of the central, 江西 and 广西 layouts made the way a person makes them in Excel
(openpyxl, not budgetxl): labels typed, a few merges, a total typed as a number or as a formula,
spacing and column positions of their own. Each function returns the path and the Form a reader
must find in it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl

from budgetxl.model import Budget, BudgetLine, Form, Indicator, Task

INDICATORS = [
    ("产出指标", "数量指标", "培训人次", "≥3000人次"),
    ("产出指标", "质量指标", "培训合格率", "≥90%"),
    ("效益指标", "社会效益指标", "群众知晓率", "≥85%"),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%"),
]


def _indicators(ws, first_row: int, col: int = 2) -> int:
    """一级/二级 typed once per run and merged, as a person does; returns the next row."""
    row = first_row
    runs: dict[str, list[int]] = {}
    for l1, l2, name, target in INDICATORS:
        runs.setdefault(l1, []).append(row)
        ws.cell(row, col + 1, l2)
        ws.cell(row, col + 2, name)
        ws.cell(row, col + 3, target)
        row += 1
    for l1, rows in runs.items():
        ws.cell(rows[0], col, l1)
        if len(rows) > 1:
            ws.merge_cells(start_row=rows[0], start_column=col, end_row=rows[-1], end_column=col)
    return row


def _expected_indicators() -> tuple[Indicator, ...]:
    return tuple(Indicator(level1=a, level2=b, name=c, target=d) for a, b, c, d in INDICATORS)


def central_workbook(path: Path) -> tuple[Path, Form]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "申报表"
    ws["A1"] = "部门整体支出绩效目标申报表"
    ws.merge_cells("A1:E1")
    ws["A2"] = "（2025年度）"
    ws.merge_cells("A2:E2")
    ws["A3"], ws["B3"] = "部门（单位）名称", "某某部信息中心"
    ws.merge_cells("B3:E3")
    ws["A4"] = "年度主要任务"
    ws.merge_cells("A4:A6")
    ws["B4"], ws["C4"] = "任务名称", "主要内容"
    ws.merge_cells("C4:E4")
    ws["B5"], ws["C5"] = "网络安全保障", "开展等级保护测评，完成漏洞整改"
    ws.merge_cells("C5:E5")
    ws["B6"], ws["C6"] = "信息系统运维", "保障12个业务系统稳定运行"
    ws.merge_cells("C6:E6")
    ws["A7"] = "年度部门整体支出预算（万元）"
    ws.merge_cells("A7:A8")
    ws["B7"], ws["C7"], ws["D7"] = "资金总额", "财政拨款", "其他资金"
    ws["B8"], ws["C8"], ws["D8"] = "=C8+D8", 860.5, 40  # a total no program has calculated yet
    ws["A9"], ws["B9"] = "年度总体目标", "保障信息系统安全稳定运行，全年重大安全事件为零。"
    ws.merge_cells("B9:E9")
    ws["A10"] = "年度绩效指标"
    for col, text in zip("BCDE", ["一级指标", "二级指标", "三级指标", "指标值"]):
        ws[f"{col}10"] = text
    last = _indicators(ws, 11)
    ws.merge_cells(f"A10:A{last - 1}")
    ws.column_dimensions["A"].width = 16
    wb.save(path)
    form = Form(
        year=2025, unit_name="某某部信息中心", layout="central",
        budget=Budget(revenues=(BudgetLine(name="财政拨款", amount=Decimal("860.5")),
                                BudgetLine(name="其他资金", amount=Decimal("40")))),
        overall_goal="保障信息系统安全稳定运行，全年重大安全事件为零。",
        tasks=(Task(name="网络安全保障", content="开展等级保护测评，完成漏洞整改"),
               Task(name="信息系统运维", content="保障12个业务系统稳定运行")),
        indicators=_expected_indicators(),
    )
    return path, form


def jiangxi_workbook(path: Path) -> tuple[Path, Form]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "2025年度部门整体支出绩效目标表"
    ws.merge_cells("A1:E1")
    ws["E2"] = "单位：万元"
    ws["A3"], ws["B3"] = "部门名称", "某某县水利局"
    ws.merge_cells("B3:E3")
    ws["A4"] = "年度预算申请（万元）"
    ws.merge_cells("A4:A6")
    ws["B4"], ws["D4"] = "收入预算合计", "支出预算合计"
    ws.merge_cells("B4:C4")
    ws.merge_cells("D4:E4")
    for col, text in zip("BCDE", ["财政拨款", "其他经费", "基本支出", "项目支出"]):
        ws[f"{col}5"] = text
    ws["B6"], ws["C6"], ws["D6"], ws["E6"] = 1200, 0, 700.25, "499.75"
    ws["A7"], ws["B7"] = "年度总体目标", "完成水毁工程修复15处，农村饮水安全保障率100%。"
    ws.merge_cells("B7:E7")
    ws["A8"] = "年度绩效指标"
    for col, text in zip("BCDE", ["一级指标", "二级指标", "三级指标", "目标值"]):
        ws[f"{col}8"] = text
    last = _indicators(ws, 9)
    ws.merge_cells(f"A8:A{last - 1}")
    wb.save(path)
    form = Form(
        year=2025, unit_name="某某县水利局", layout="jiangxi",
        budget=Budget(
            expenditures=(BudgetLine(name="基本支出", amount=Decimal("700.25")),
                          BudgetLine(name="项目支出", amount=Decimal("499.75"))),
            revenues=(BudgetLine(name="财政拨款", amount=Decimal("1200")), BudgetLine(name="其他经费", amount=Decimal("0"))),
        ),
        overall_goal="完成水毁工程修复15处，农村饮水安全保障率100%。",
        indicators=_expected_indicators(),
    )
    return path, form


def guangxi_workbook(path: Path) -> tuple[Path, Form]:
    """Amounts in 元 with the total typed as a number; numbering typed as 职能1 / 目标一 / 3."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "申报表"
    ws["A1"] = "2025年度部门整体绩效申报表"
    ws.merge_cells("A1:E1")
    ws["A2"], ws["B2"] = "部门名称", "某某市文化广电和旅游局"
    ws.merge_cells("B2:E2")
    ws["A3"] = "部门预算安排资金（元）"
    ws.merge_cells("A3:A7")
    rows = [("合计", 12345678.9), ("其中：一般公共预算拨款", 12000000), ("政府性基金", 300000.9),
            ("国有资本经营预算", 0), ("其他资金", "45,678")]
    for i, (name, amount) in enumerate(rows):
        r = 3 + i
        ws[f"B{r}"], ws[f"D{r}"] = name, amount
        ws.merge_cells(f"B{r}:C{r}")
        ws.merge_cells(f"D{r}:E{r}")
    ws["A8"] = "部门职能概述"
    ws.merge_cells("A8:A9")
    ws["B8"], ws["C8"] = "职能1", "负责全市文化事业、文化产业和旅游业发展"
    ws["B9"], ws["C9"] = "职能2", "负责全市公共文化服务体系建设"
    ws["A10"] = "部门整体支出年度绩效目标"
    ws.merge_cells("A10:A12")
    ws["B10"], ws["C10"] = "目标1", "全年开展惠民演出200场"
    ws["B11"], ws["C11"] = "目标二", "公共图书馆年接待读者50万人次"
    ws["B12"], ws["C12"] = 3, "旅游接待人次增长8%"
    for r in range(8, 13):
        ws.merge_cells(f"C{r}:E{r}")
    ws["A13"] = "绩效指标"
    for col, text in zip("BCDE", ["一级指标", "二级指标", "指标内容", "指标值"]):
        ws[f"{col}13"] = text
    last = _indicators(ws, 14)
    ws.merge_cells(f"A13:A{last - 1}")
    wb.save(path)
    form = Form(
        year=2025, unit_name="某某市文化广电和旅游局", layout="guangxi",
        budget=Budget(revenues=(
            BudgetLine(name="一般公共预算拨款", amount=Decimal("1200")),
            BudgetLine(name="政府性基金", amount=Decimal("30.00009")),
            BudgetLine(name="国有资本经营预算", amount=Decimal("0")),
            BudgetLine(name="其他资金", amount=Decimal("4.5678")),
        )),
        functions=("负责全市文化事业、文化产业和旅游业发展", "负责全市公共文化服务体系建设"),
        goals=("全年开展惠民演出200场", "公共图书馆年接待读者50万人次", "旅游接待人次增长8%"),
        indicators=_expected_indicators(),
    )
    return path, form

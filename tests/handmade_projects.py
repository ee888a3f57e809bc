"""Project tables of the central-project and wuhan-project layouts made the way a person makes them
in Excel (openpyxl, not budgetxl): labels typed, merges of their own, widths of their own, totals
typed or as formulas nobody calculated, 一级 merged and 二级 typed on every row, a second 其中 line
indented with spaces. Each function returns the path and the ProjectForm a reader must find."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl

from budgetxl.project import Funding, ProjectForm, ProjectIndicator, ProjectLine

PERIOD = [
    ("产出指标", "数量指标", "新建数据中心机柜", "200个"),
    ("产出指标", "质量指标", "系统可用率", "≥99.9%"),
    ("效益指标", "社会效益指标", "网上办事覆盖率", "≥95%"),
    ("满意度指标", "服务对象满意度指标", "用户满意度", "≥90%"),
]
ANNUAL = [
    ("产出指标", "数量指标", "上架机柜", "80个"),
    ("产出指标", "数量指标", "迁移业务系统", "≥30个"),
    ("产出指标", "时效指标", "年底前完成迁移", "2025年12月"),
    ("效益指标", "社会效益指标", "网上办事覆盖率", "≥90%"),
    ("满意度指标", "服务对象满意度指标", "用户满意度", "≥90%"),
]


def _tree(ws, rows: list[tuple[str, str, str, str]], first_row: int, col: int) -> None:
    """一级 typed once per run and merged; 二级 typed on every row (as people copy it down)."""
    runs: dict[str, list[int]] = {}
    for k, (l1, l2, name, target) in enumerate(rows):
        row = first_row + k
        runs.setdefault(l1, []).append(row)
        ws.cell(row, col + 1, l2)
        ws.cell(row, col + 2, name)
        ws.cell(row, col + 3, target)
    for l1, at in runs.items():
        ws.cell(at[0], col, l1)
        if len(at) > 1:
            ws.merge_cells(start_row=at[0], start_column=col, end_row=at[-1], end_column=col)


def central_project_workbook(path: Path) -> tuple[Path, ProjectForm]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "申报表"
    for col, width in zip("ABCDEFGHI", (14, 10, 11, 18, 12, 10, 11, 18, 12)):
        ws.column_dimensions[col].width = width
    ws["A1"] = "项目支出绩效目标申报表"
    ws.merge_cells("A1:I1")
    ws["A2"] = "（2025年度）"
    ws.merge_cells("A2:I2")
    ws["A3"], ws["B3"], ws["G3"], ws["H3"] = "项目名称", "政务云平台建设", "项目代码", "2025-100-0042"
    ws.merge_cells("B3:F3")
    ws.merge_cells("H3:I3")
    ws["A4"], ws["B4"], ws["F4"], ws["G4"] = "主管部门及代码", "某某市大数据局（108）", "实施单位", "某某市信息中心"
    ws.merge_cells("B4:E4")
    ws.merge_cells("G4:I4")
    ws["A5"], ws["B5"], ws["D5"], ws["F5"] = "项目属性", "新增项目", "一次性项目", "项目期"
    ws["G5"], ws["H5"], ws["I5"] = 2025, "至", 2027
    ws.merge_cells("B5:C5")
    ws.merge_cells("D5:E5")
    # money: the headings over their columns, the totals typed (no formula), equal to their lines
    ws["A6"] = "项目资金（万元）"
    ws.merge_cells("A6:A8")
    ws["B6"], ws["F6"] = "中期资金总额", "年度资金总额"
    ws.merge_cells("B6:E6")
    ws.merge_cells("F6:I6")
    for col, text in zip("BCDFGH", ("合计", "财政拨款", "其他资金", "合计", "财政拨款", "其他资金")):
        ws[f"{col}7"] = text
    ws.merge_cells("D7:E7")
    ws.merge_cells("H7:I7")
    ws["B8"], ws["C8"], ws["D8"] = 1500, 1400, 100
    ws["F8"], ws["G8"], ws["H8"] = "=G8+H8", 600, 0
    ws.merge_cells("D8:E8")
    ws.merge_cells("H8:I8")
    ws["A9"] = "总体目标"
    ws.merge_cells("A9:A10")
    ws["B9"], ws["F9"] = "实施期目标", "年度目标"
    ws.merge_cells("B9:E9")
    ws.merge_cells("F9:I9")
    ws["B10"] = "目标1：建成全市统一的政务云平台。\n目标2：市级部门业务系统全部上云。"
    ws["F10"] = "完成一期机房建设，迁移30个业务系统。"
    ws.merge_cells("B10:E10")
    ws.merge_cells("F10:I10")
    ws["A11"] = "绩效指标"
    ws["B11"], ws["F11"] = "实施期绩效指标", "年度绩效指标"
    ws.merge_cells("B11:E11")
    ws.merge_cells("F11:I11")
    for col, text in zip("BCDEFGHI", ("一级指标", "二级指标", "三级指标", "指标值") * 2):
        ws[f"{col}12"] = text
    _tree(ws, PERIOD, 13, 2)
    _tree(ws, ANNUAL, 13, 6)
    ws.merge_cells("A11:A17")
    wb.save(path)
    form = ProjectForm(
        year=2025, name="政务云平台建设", code="2025-100-0042", department="某某市大数据局（108）", unit="某某市信息中心",
        status="新增项目", frequency="一次性项目", start_year=2025, end_year=2027,
        funding=Funding(period=(ProjectLine(name="财政拨款", amount=Decimal(1400)), ProjectLine(name="其他资金", amount=Decimal(100))),
                        annual=(ProjectLine(name="财政拨款", amount=Decimal(600)), ProjectLine(name="其他资金", amount=Decimal(0)))),
        period_goal="目标1：建成全市统一的政务云平台。\n目标2：市级部门业务系统全部上云。",
        annual_goal="完成一期机房建设，迁移30个业务系统。",
        period_indicators=tuple(ProjectIndicator(level1=a, level2=b, name=c, target=d) for a, b, c, d in PERIOD),
        indicators=tuple(ProjectIndicator(level1=a, level2=b, name=c, target=d) for a, b, c, d in ANNUAL),
    )
    return path, form


WUHAN_INDICATORS = [
    ("产出指标", "数量指标", "培训人次", "3000人次", ""),
    ("产出指标", "质量指标", "培训合格率", 0.9, "抽查"),
    ("产出指标", "成本指标", "", "", ""),  # an empty 二级 kept as a placeholder
    ("效益指标", "社会效益指标", "就业率", "≥80%", ""),
    ("满意度指标", "服务对象满意度指标", "学员满意度", 0.95, ""),
]


def wuhan_project_workbook(path: Path) -> tuple[Path, ProjectForm]:
    wb = openpyxl.Workbook()
    ws = wb.active
    for col, width in zip("ABCDEFG", (6, 12, 16, 14, 24, 12, 20)):
        ws.column_dimensions[col].width = width
    ws["A1"] = "2025年项目申报表"
    ws.merge_cells("A1:G1")
    rows = [
        ("项目名称", "技能培训补贴", "项目代码", "WH-2025-01"),
        ("项目主管部门", "某某区人社局", "项目执行单位", "某某区职业培训中心"),
        ("项目负责人", "李某", "联系电话", 13800000000),
    ]
    for k, (label, value, label2, value2) in enumerate(rows, start=2):
        ws[f"A{k}"], ws[f"C{k}"], ws[f"E{k}"], ws[f"F{k}"] = label, value, label2, value2
        ws.merge_cells(f"A{k}:B{k}")
        ws.merge_cells(f"C{k}:D{k}")
        ws.merge_cells(f"F{k}:G{k}")
    ws["A5"], ws["C5"] = "项目类型", "部门项目"
    ws["A6"], ws["C6"] = "项目申请理由", "落实职业技能提升行动。"
    ws["A7"], ws["C7"] = "项目总预算", 300
    ws["E7"], ws["F7"] = "项目当年预算", "300"
    for r in (5, 6, 7):
        ws.merge_cells(f"A{r}:B{r}")
    ws.merge_cells("C5:G5")
    ws.merge_cells("C6:G6")
    ws.merge_cells("F7:G7")
    # 项目资金来源: typed 合计, numbered lines, a second 其中 line indented with spaces
    ws["A8"] = "项目资金来源"
    ws.merge_cells("A8:B14")
    lines = [("资金来源项目", "金额"), ("合计", 300), ("1.一般公共预算财政拨款收入", 280), ("  其中：申请当年预算拨款", 280),
             ("2.上年结转", 20), ("  其中：使用上年度一般公共预算财政拨款结余结转", 15), ("     使用上年度政府性基金预算财政拨款结余结转", 5)]
    for k, (name, amount) in enumerate(lines, start=8):
        ws[f"C{k}"], ws[f"F{k}"] = name, amount
        ws.merge_cells(f"C{k}:E{k}")
        ws.merge_cells(f"F{k}:G{k}")
    # 项目支出预算及测算依据 over two parts in column B; the 合计 a formula never calculated
    ws["A15"], ws["B15"] = "项目支出预算及测算依据", "项目支出明细预算"
    ws.merge_cells("A15:A19")
    ws.merge_cells("B15:B18")
    spend = [("项目支出明细", "金额"), ("合计", "=F17+F18"), ("1.培训补贴", 240), ("2.鉴定补贴", 60)]
    for k, (name, amount) in enumerate(spend, start=15):
        ws[f"C{k}"], ws[f"F{k}"] = name, amount
        ws.merge_cells(f"C{k}:E{k}")
        ws.merge_cells(f"F{k}:G{k}")
    ws["B19"], ws["C19"] = "测算依据及说明", "按3000人次、人均800元测算。"
    ws.merge_cells("C19:G19")
    ws["A20"], ws["C20"] = "项目绩效总目标", "全年培训3000人次，就业率80%以上。"
    ws.merge_cells("A20:B20")
    ws.merge_cells("C20:G20")
    ws["A21"] = "项目年度绩效指标"
    for col, text in zip("CDEFG", ("一级指标", "二级指标", "指标内容", "指标值", "备注")):
        ws[f"{col}21"] = text
    runs: dict[str, list[int]] = {}
    for k, (l1, l2, name, target, remark) in enumerate(WUHAN_INDICATORS, start=22):
        runs.setdefault(l1, []).append(k)
        ws[f"D{k}"] = l2
        if name or target:
            ws[f"E{k}"], ws[f"F{k}"] = name, target
        if isinstance(target, float):
            ws[f"F{k}"].number_format = "0%"
        if remark:
            ws[f"G{k}"] = remark
    for l1, at in runs.items():
        ws[f"C{at[0]}"] = l1
        if len(at) > 1:
            ws.merge_cells(f"C{at[0]}:C{at[-1]}")
    ws.merge_cells("A21:B26")
    wb.save(path)
    inds = [ProjectIndicator(level1=a, level2=b, name=c, target=d if isinstance(d, str) else f"{round(d * 100)}%",
                             remark=e) for a, b, c, d, e in WUHAN_INDICATORS]
    form = ProjectForm(
        year=2025, layout="wuhan-project", name="技能培训补贴", code="WH-2025-01", department="某某区人社局",
        unit="某某区职业培训中心", manager="李某", phone="13800000000", category="部门项目", basis="落实职业技能提升行动。",
        budget_total=Decimal(300), budget_annual=Decimal(300),
        funding=Funding(annual=(
            ProjectLine(name="一般公共预算财政拨款收入", amount=Decimal(280)),
            ProjectLine(name="申请当年预算拨款", amount=Decimal(280), detail=True),
            ProjectLine(name="上年结转", amount=Decimal(20)),
            ProjectLine(name="使用上年度一般公共预算财政拨款结余结转", amount=Decimal(15), detail=True),
            ProjectLine(name="使用上年度政府性基金预算财政拨款结余结转", amount=Decimal(5), detail=True),
        )),
        spending=(ProjectLine(name="培训补贴", amount=Decimal(240)), ProjectLine(name="鉴定补贴", amount=Decimal(60))),
        spending_basis="按3000人次、人均800元测算。",
        period_goal="全年培训3000人次，就业率80%以上。",
        indicators=tuple(inds),
    )
    return path, form

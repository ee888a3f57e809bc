"""What the reader reports about a workbook (BX0xx), declared once: code, severity, title,
description and an example. The reader takes the severity from here, and the rule catalogue
(docs/rules.md) lists these beside the rules."""

from __future__ import annotations

from dataclasses import dataclass

from budgetxl.report import Severity


@dataclass(frozen=True)
class ReadCode:
    code: str
    severity: Severity
    title: str
    description: str
    example: str


READ_CODES: dict[str, ReadCode] = {
    c.code: c
    for c in (
        ReadCode("BX011", "error", "金额不是数字",
                 "金额单元格中的内容读不出数字（千分位逗号、全角数字、“万元”后缀、首尾空格都可以读出）。该金额按空白读入。",
                 "拟投入的资金写成“约三十”。"),
        ReadCode("BX012", "error", "金额为负数",
                 "金额单元格中是负数。该金额按空白读入。",
                 "基本支出填成 -3。"),
        ReadCode("BX013", "warning", "公式从未计算",
                 "单元格是公式，但文件中没有保存计算结果（例如由程序生成、从未在 Excel 或 WPS 中打开保存），"
                 "且公式不是简单的求和，无法代为计算。该金额按空白读入。",
                 "其他资金一栏是 =ROUND(C4,0)，文件中保存的结果为空。"),
        ReadCode("BX014", "info", "公式结果已重新计算",
                 "单元格是从未计算过的求和公式（显示为 0），已按公式从各单元格算出结果，而不是当作填写了 0。",
                 "财政拨款一栏是 =C4+C5，保存的结果为 0，按公式算得 120.5。"),
        ReadCode("BX015", "info", "年度不是取自标题",
                 "标题中没有写明年度，年度取自标题下的单元格（如“（2024年度）”“年度：2024”），或表中没有写明、取自文件名。"
                 "请核对年度是否正确。",
                 "标题为“部门整体预算绩效目标表”，第 2 行写有“年度：2024”。"),
        ReadCode("BX016", "warning", "隐藏的工作表中有目标表",
                 "工作簿中隐藏的工作表里也有一张目标表，没有读取（只读取可见的工作表）；如需读取，请指定该工作表（--sheet）。",
                 "工作表“2023年”被隐藏，其中是上年的目标表。"),
        ReadCode("BX021", "warning", "栏目重复出现",
                 "同一个栏目名称在表格的栏目列中出现了两次（且不是分页处的重复）；第二处及其下各行没有按该栏目读入，另行报告。",
                 "“年度重点工作任务”在第 9 行和第 30 行各出现一次。"),
        ReadCode("BX017", "error", "整数有误",
                 "应填整数的单元格（如项目起止年份）中不是整数。该项按空白读入。",
                 "项目开始年份写成“二〇二四”。"),
        ReadCode("BX018", "info", "文件格式与扩展名不同",
                 "文件的实际格式与扩展名不一致（例如预算管理系统导出的 Excel 2003 XML 或网页表格以 .xls 命名，"
                 "或 .xls 工作簿被改名为 .xlsx），已按实际格式读取。内容照常读取，仅作提示。",
                 "某局.xls 实际是 Excel 2003 XML 表格。"),
        ReadCode("BX019", "info", "金额单位为元",
                 "栏目的金额以元为单位（栏目名称、表头或表格上方的“单位：元”写明），已精确换算为万元读入"
                 "（除以 10000，不经浮点运算）。请核对单位是否写对：单位写错，金额会差一万倍。",
                 "表头为“预算金额（元）”，填写 89979800，读作 8997.98 万元。"),
        ReadCode("BX022", "warning", "指标值的符号无法识别",
                 "指标值分为“符号 | 指标值 | 计量单位”几栏填写时，符号一栏应为 ≥、≤、=、>、<、定性或无；"
                 "其他内容无法并入指标值，该单元格未读入。",
                 "符号一栏填了“正向”。"),
        ReadCode("BX020", "warning", "内容不属于任何栏目",
                 "单元格有内容，但不在表格的任何栏目之内（例如表格右侧的批注），没有读入；请确认是否需要移入表格。",
                 "表格右侧 K5 写了“联系人：张三”。"),
    )
}

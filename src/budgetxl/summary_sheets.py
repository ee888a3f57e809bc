"""The sheet names of collect's summary workbook, declared once: the collect modules write them
(collect.styles, collect.projects, collect.selfeval) and `budgetxl collect -h` names them, without
loading what writes them."""

SHEETS = {"summary": "汇总", "findings": "问题清单", "compare": "与上年比较"}
PROJECT_SHEETS = {"projects": "项目", "departments": "部门汇总"}
SELFEVAL_SHEETS = {"selfeval": "自评", "review": "自评低于80分"}

"""budgetxl: render, read, check and compare 部门整体预算绩效目标表 workbooks."""

from budgetxl.errors import BudgetxlError, InputError, ReadError
from budgetxl.model import Budget, BudgetLine, BudgetSection, Form, Indicator, InfoItem, Task, load_form

__version__ = "0.1.0"

__all__ = [
    "Budget",
    "BudgetLine",
    "BudgetSection",
    "BudgetxlError",
    "Form",
    "Indicator",
    "InfoItem",
    "InputError",
    "ReadError",
    "Task",
    "load_form",
]

"""budgetxl: render, read, check and compare 部门整体预算绩效目标表 workbooks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from budgetxl.errors import BudgetxlError, InputError, ReadError

if TYPE_CHECKING:
    from budgetxl.model import Budget, BudgetLine, BudgetSection, Form, Indicator, InfoItem, Task, load_form

__version__ = "0.1.0"

# The model's names are loaded on first use: a command that never touches a form (budgetxl -h)
# does not pay for pydantic.
_MODEL_NAMES = frozenset(
    {"Budget", "BudgetLine", "BudgetSection", "Form", "Indicator", "InfoItem", "Task", "load_form"}
)


def __getattr__(name: str) -> Any:
    if name in _MODEL_NAMES:
        from budgetxl import model

        return getattr(model, name)
    raise AttributeError(f"module 'budgetxl' has no attribute {name!r}")


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

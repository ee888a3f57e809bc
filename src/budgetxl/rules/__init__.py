"""Checking forms: the rule registry, validate(form), check_file/check_workbook and annotate."""

from typing import Any

from budgetxl.rules.registry import RULES, Hit, Rule, all_rules, get_rule
from budgetxl.rules.validate import check_data, validate

__all__ = ["RULES", "Hit", "Rule", "all_rules", "check_data", "check_file", "check_workbook", "get_rule", "validate"]


def __getattr__(name: str) -> Any:
    # The workbook side pulls in the reader; load it only when asked for.
    if name in ("check_file", "check_workbook"):
        from budgetxl.rules import check

        return getattr(check, name)
    raise AttributeError(name)

"""Year-over-year comparison of forms: matching rows, the FormDiff, and its renderers."""

from budgetxl.diff.core import (
    STATUSES,
    BudgetEntry,
    Change,
    Entry,
    FormDiff,
    Side,
    TextDiff,
    diff_forms,
)
from budgetxl.diff.match import THRESHOLD, Key, Matching, Pair, make_key, match_rows

__all__ = [
    "STATUSES",
    "THRESHOLD",
    "BudgetEntry",
    "Change",
    "Entry",
    "FormDiff",
    "Key",
    "Matching",
    "Pair",
    "Side",
    "TextDiff",
    "diff_forms",
    "make_key",
    "match_rows",
]

"""When a row named 合计 is a total and when it is a line: one rule for the reader, and for the
writer, which refuses a form whose line the reader would take for a total.

A row whose name is a total word (the layout's `total_labels`) in a block that has totals is its
total when its amount is a formula; or, for the last row of the list, when the row beside it is a
total too (合计 | … | 合计 | …, as templates and people write them) or its amount is the sum of the
lines above it. Anywhere else such a row is a line like any other.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

TOLERANCE = Decimal("0.005")  # 万元: amounts rounded to two decimals still add up


def sums_up(amount: Decimal | None, above: Sequence[Decimal | None]) -> bool:
    """Whether `amount` is the sum of the amounts `above` (blanks count as nothing)."""
    if amount is None:
        return False
    return abs(amount - sum((a for a in above if a is not None), Decimal(0))) <= TOLERANCE


def is_total_row(named_total: bool, formula: bool, last: bool, beside_total: bool,
                 amount: Decimal | None, above: Sequence[Decimal | None]) -> bool:
    """The rule above, for one row of a block with totals."""
    if not named_total:
        return False
    if formula:
        return True
    return last and (beside_total or sums_up(amount, above))

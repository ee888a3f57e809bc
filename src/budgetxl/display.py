"""Numbers as a person reads them: amounts, changes and percentages in reports, terminals and
web pages, and the spreadsheet number formats that show them the same way.

The data stays exact (the model, JSON and CSV keep every digit); what a person reads shows
amounts in 万元 with two decimals and thousands separators (10,891.62), changes with their sign
(+295.27, -9,993.54), percentages with two decimals (+2.79%). A change of a target given in
percent is a change in percentage points (+2 个百分点), not a percentage of a percentage.
Declared once here; diff, collect and the HTML reports use these functions and formats.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

AMOUNT_DECIMALS = 2
_STEP = Decimal(1).scaleb(-AMOUNT_DECIMALS)

# Spreadsheet formats that show what the functions below write (Excel rounds half away from
# zero, as ROUND_HALF_UP does for Decimals).
AMOUNT_FORMAT = "#,##0.00"
SIGNED_AMOUNT_FORMAT = "+#,##0.00;-#,##0.00;0.00"
PERCENT_FORMAT = "+0.00%;-0.00%;0.00%"  # for a fraction (0.0279 shows +2.79%)
PERCENT_NUMBER_FORMAT = '+0.00"%";-0.00"%";0.00"%"'  # for a number already in percent (2.79)
COUNT_FORMAT = "#,##0"
SIGNED_COUNT_FORMAT = "+#,##0;-#,##0;0"

PERCENT_POINTS = "个百分点"
EMPTY = "（空）"


def _decimal(value: Decimal | str | int | float | None) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        d = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _signed(text: str, d: Decimal, signed: bool) -> str:
    return f"+{text}" if signed and d > 0 else text


def amount_text(value: Decimal | str | int | float | None, signed: bool = False) -> str:
    """An amount in 万元 for reading: '10,891.62', '0.00'; with `signed`, '+295.27' and
    '-9,993.54'. '' for no amount."""
    d = _decimal(value)
    if d is None:
        return ""
    rounded = d.quantize(_STEP, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never '-0.00'
    return _signed(f"{rounded:,f}", rounded, signed)


def number_text(value: Decimal | str | int | float | None, signed: bool = False) -> str:
    """A number that is not an amount (a target's value, a head count) as it was written, with
    thousands separators and no trailing zeros: '50,000', '2.5', '-13'."""
    d = _decimal(value)
    if d is None:
        return ""
    plain = d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
    return _signed(f"{plain:,f}", plain, signed)


def percent_text(value: Decimal | str | int | float | None, signed: bool = True) -> str:
    """A percentage (given in percent: 2.79 means 2.79 %) with two decimals: '+2.79%'."""
    d = _decimal(value)
    if d is None:
        return ""
    rounded = d.quantize(_STEP, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return _signed(f"{rounded:,f}%", rounded, signed)


def is_percent_unit(unit: str | None) -> bool:
    return (unit or "").strip() in ("%", "％")


def target_delta_text(delta: Decimal | None, percent: Decimal | None, unit: str | None) -> str:
    """How far a target moved: '+2 个百分点' for a target in percent, '-10 元每人每月，-5.00%'
    for any other unit, '-300，-46.15%' for a bare number. '' when it cannot be said."""
    if delta is None:
        return ""
    if is_percent_unit(unit):
        return f"{number_text(delta, signed=True)} {PERCENT_POINTS}"
    text = number_text(delta, signed=True) + (f" {unit}" if unit else "")
    if percent is not None:
        text += f"，{percent_text(percent)}"
    return text


def number_change_text(delta: Decimal | None, percent: Decimal | None) -> str:
    """'-13，-1.73%' — the change of a count or another plain number and its percentage."""
    if delta is None:
        return ""
    text = number_text(delta, signed=True)
    return text + (f"，{percent_text(percent)}" if percent is not None else "")


def amount_change_text(delta: Decimal | None, percent: Decimal | None) -> str:
    """'+640.00，+128.00%' — the change of an amount and its percentage."""
    if delta is None:
        return ""
    text = amount_text(delta, signed=True)
    return text + (f"，{percent_text(percent)}" if percent is not None else "")


def as_number(value: Any) -> float | None:
    """The value a spreadsheet cell holds for an amount or a count (None for none)."""
    d = _decimal(value)
    return None if d is None else float(d)


__all__ = [
    "AMOUNT_DECIMALS", "AMOUNT_FORMAT", "COUNT_FORMAT", "EMPTY", "PERCENT_FORMAT", "PERCENT_NUMBER_FORMAT",
    "PERCENT_POINTS", "SIGNED_AMOUNT_FORMAT", "SIGNED_COUNT_FORMAT", "amount_change_text", "amount_text",
    "as_number", "is_percent_unit", "number_change_text", "number_text", "percent_text", "target_delta_text",
]

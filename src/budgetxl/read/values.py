"""Turning cell values into model values: text as shown, tolerant amounts, formulas resolved."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from budgetxl.formulas import summed_ranges
from budgetxl.model import amount_problem, canonical_decimal, format_amount, shorten, without_thousands
from budgetxl.read.grid import Cell, SheetGrid, col_index, parse_ref, percent_decimals
from budgetxl.text import clean_text


@lru_cache(maxsize=16384)  # the same few hundred cells in every form of a batch
def a1(row: int, col: int) -> str:
    """0-based (row, col) → 'C12'."""
    ref: str = xl_rowcol_to_cell(row, col)
    return ref


def float_decimal(value: float) -> Decimal:
    """A float read from a workbook as the decimal a person sees: Excel's 15 significant digits
    (82800.92000000001 → 82800.92)."""
    return canonical_decimal(Decimal(format(value, ".15g")))


def display_text(value: Any, number_format: str | None = None) -> str:
    """A cell's value as the text a person sees in a text field (a target, a staff count)."""
    if type(value) is str:  # most cells: tested first
        return clean_text(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        if number_format:
            decimals = percent_decimals(number_format)
            if decimals is not None:
                pct = Decimal(format(float(value), ".15g")) * 100
                return f"{pct:.{decimals}f}%"
        if isinstance(value, float):
            return format_amount(float_decimal(value))
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return clean_text(str(value))


_AMOUNT_TEXT_RE = re.compile(r"^([+-]?[\d,]*\d(?:\.\d+)?)(?:万元|万)?$")


class AmountProblem(Exception):
    """An amount cell holds something that is not a non-negative number."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_amount_cell(value: Any) -> Decimal | None:
    """A cell in an amount column → Decimal, None when blank. Accepts numbers typed as text as
    departments type them: '1,800', full-width '５０', '1800万元', ' 100 '. Raises AmountProblem."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise AmountProblem("BX011", "金额应为数字，不能是真/假值")
    if isinstance(value, (int, float)):
        amount = float_decimal(float(value)) if isinstance(value, float) else Decimal(value)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value)  # full-width digits and commas as well
        text = re.sub(r"\s", "", text)
        if not text:
            return None
        m = _AMOUNT_TEXT_RE.match(text)
        if not m:
            raise AmountProblem("BX011", f"金额“{shorten(value.strip(), 30)}”不是数字（单位：万元）")
        try:
            amount = Decimal(without_thousands(m.group(1)))
        except ValueError as exc:  # a comma that is not a thousands separator: 0,75 is not 75
            raise AmountProblem("BX011", f"金额{exc}") from None
        except InvalidOperation:
            raise AmountProblem("BX011", f"金额“{shorten(value.strip(), 30)}”不是数字（单位：万元）") from None
    else:
        raise AmountProblem("BX011", f"金额“{shorten(str(value), 30)}”不是数字（单位：万元）")
    if amount < 0 or amount.is_signed():  # -0 too: a minus sign was typed
        raise AmountProblem("BX012", f"金额不能为负数（{shorten(str(amount), 24)}）")
    problem = amount_problem(amount)
    if problem is not None:
        raise AmountProblem("BX011", problem)
    return canonical_decimal(amount)


# ---------------------------------------------------------------------------------------------
# Formulas that no spreadsheet has calculated yet

_RANGE_RE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)$")


def evaluate_simple_formula(formula: str, sheet: SheetGrid) -> Decimal | None:
    """Evaluate =SUM(range), =SUM(a,b,…) or =A1+B2+… over the grid's values as a spreadsheet
    would (SUM leaves out cells holding text, as Excel's does: "1,800" typed as text is not in a
    plain SUM), or a total as budgetxl writes it (budgetxl.formulas: amounts typed as text count);
    None if the formula is anything else or adds a cell that is not a number with +."""
    ranges = summed_ranges(formula)
    if ranges is not None:
        return _amount_sum(ranges, sheet)
    f = formula.strip().lstrip("=").replace(" ", "").upper()
    m = re.fullmatch(r"SUM\((.*)\)", f)
    terms = m.group(1).split(",") if m else f.split("+")
    total = Decimal(0)
    for term in terms:
        cells: list[Cell] = []
        rm = _RANGE_RE.match(term)
        if rm:
            r1, r2 = int(rm.group(2)) - 1, int(rm.group(4)) - 1
            c1, c2 = col_index(rm.group(1)), col_index(rm.group(3))
            if (r2 - r1 + 1) * (c2 - c1 + 1) > 10_000:
                return None
            cells = [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
        else:
            pos = parse_ref(term)
            if pos is None:
                try:
                    total += Decimal(term)
                    continue
                except InvalidOperation:
                    return None
            cells = [pos]
        for r, c in cells:
            v = sheet.value(r, c)
            if (r, c) in sheet.formulas and v in ("", None, 0):
                return None  # depends on another formula that was never calculated
            if v in ("", None):
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                if m:
                    continue  # SUM leaves out the text and logical values of the cells it refers to
                return None
            total += float_decimal(float(v))
    return canonical_decimal(total)


def _amount_sum(ranges: list[str], sheet: SheetGrid) -> Decimal | None:
    """What a total as budgetxl writes it computes: each cell's amount as the reader reads it, a
    cell that is not an amount counting nothing."""
    total = Decimal(0)
    for rng in ranges:
        rm = _RANGE_RE.match(rng)
        if rm is None:
            return None
        r1, r2 = int(rm.group(2)) - 1, int(rm.group(4)) - 1
        c1, c2 = col_index(rm.group(1)), col_index(rm.group(3))
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 10_000:
            return None
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                v = sheet.value(r, c)
                if (r, c) in sheet.formulas and v in ("", None, 0):
                    return None  # depends on another formula that was never calculated
                try:
                    amount = parse_amount_cell(v)
                except AmountProblem:
                    continue
                if amount is not None:
                    total += amount
    return canonical_decimal(total)

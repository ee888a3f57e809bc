"""The formula of a total (合计) as budgetxl writes it, and recognising it when reading.

A plain =SUM(D9:D14) adds numbers only: a department that types a task's funds as text
("1,800", full-width "１８００", "1800万元", " 100 ") sees a 合计 that leaves them out, while the
reader counts them. The total budgetxl writes counts what the reader counts: for each cell, the
number, else the text as a number once full-width forms are made half-width (ASC) and spaces,
line breaks, thousands separators and 万元/万 are taken out (VALUE), else nothing:

    SUM(IF(ISNUMBER(D9:D14),D9:D14,IFERROR(VALUE(SUBSTITUTE(…ASC(D9:D14)…)),0)))

It is written as an array formula (Excel's {=…}), which every version of Excel, WPS and
LibreOffice evaluates over the range; a row inserted inside the range grows it as usual.
"""

from __future__ import annotations

import html
import re
from typing import Sequence

# What the formula takes out of a text before reading it as a number, in order (the reader's
# parse_amount_cell accepts the same: spaces and line breaks anywhere, thousands separators,
# a 万元 or 万 after the number).
_REMOVED = ('" "', "CHAR(10)", '","', '"万元"', '"万"')

_RANGE_RE = re.compile(r"\$?[A-Z]{1,3}\$?\d+:\$?[A-Z]{1,3}\$?\d+")


def _term(rng: str) -> str:
    text = f"ASC({rng})"
    for removed in _REMOVED:
        text = f'SUBSTITUTE({text},{removed},"")'
    return f"IF(ISNUMBER({rng}),{rng},IFERROR(VALUE({text}),0))"


def amount_sum(ranges: Sequence[str]) -> str:
    """'=SUM(…)' over `ranges` (A1 ranges such as 'D9:D14') counting amounts typed as text."""
    return "=SUM(" + ",".join(_term(r) for r in ranges) + ")"


def _normal(formula: str) -> str:
    """A formula as any program may have re-spelt it, in one spelling: XML entities resolved,
    no '=' or '{}' around it, no '$', no spaces outside quotes, upper case, no _xlfn. prefixes."""
    text = html.unescape(formula).strip().lstrip("{").rstrip("}").lstrip("=")
    parts = re.split(r'("[^"]*")', text)
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"\s+", "", parts[i]).replace("$", "").upper().replace("_XLFN.", "")
    return "".join(parts)


def summed_ranges(formula: str) -> list[str] | None:
    """The ranges of a total that `amount_sum` wrote ('D9:D14', as the formula now spells them),
    None for any other formula."""
    text = _normal(formula)
    if not text.startswith("SUM(IF(ISNUMBER("):
        return None
    found = _RANGE_RE.findall(text)
    if not found or len(found) % 3:
        return None
    ranges = found[::3]  # each term names its range three times
    if _normal(amount_sum(ranges)) != text:
        return None
    return [r.replace("$", "") for r in ranges]


__all__ = ["amount_sum", "summed_ranges"]

"""Filling a blank template the way a person does in a spreadsheet program, with openpyxl.

A person types only into the cells the protected sheet lets them type into, picks 一级/二级 from
the drop-down lists (whose options are resolved here exactly as Excel resolves them: the list's
defined name, or INDIRECT of the 一级 in the same row), and inserts rows the way Excel does:
formats copied from the row above, merges, validation ranges and formula references below the
new row moved down, those spanning it grown. (Conditional formats are left where they were:
they change no value.)
"""

from __future__ import annotations

import re
from copy import copy
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.formula import ArrayFormula

_REF_RE = re.compile(r"(?<![A-Za-z_\u4e00-\u9fff'!])(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\d(])")


def shift_formula(formula: str, idx: int, amount: int = 1) -> str:
    """Row references at or below row `idx` (1-based) moved down by `amount`, as Excel does when
    rows are inserted; text in quotes is left alone."""
    parts = re.split(r'("[^"]*")', formula)
    for i in range(0, len(parts), 2):
        parts[i] = _REF_RE.sub(
            lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{int(m.group(4)) + amount if int(m.group(4)) >= idx else m.group(4)}",
            parts[i],
        )
    return "".join(parts)


def _shift_range(rng: CellRange, idx: int, amount: int) -> CellRange:
    c1, r1, c2, r2 = rng.bounds
    if r1 >= idx:
        r1, r2 = r1 + amount, r2 + amount
    elif r2 >= idx:
        r2 += amount
    return CellRange(min_col=c1, min_row=r1, max_col=c2, max_row=r2)


class Person:
    """One workbook being filled in: `type`, `pick`, `insert_row`, `save`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.wb = openpyxl.load_workbook(self.path)
        self.ws = self.wb.worksheets[0]

    # -- looking ---------------------------------------------------------------------------------

    def row_of(self, text: str, col: int | None = None, after: int = 0) -> int:
        """The first row below `after` with a cell holding exactly `text` (in column `col`)."""
        for row in self.ws.iter_rows(min_row=after + 1):
            for c in row:
                if c.value == text and (col is None or c.column == col):
                    return c.row
        raise AssertionError(f"no cell holds {text!r}")

    def column_of(self, text: str, row: int) -> int:
        for c in self.ws[row]:
            if c.value == text:
                return c.column
        raise AssertionError(f"row {row} has no {text!r}")

    def is_input(self, ref: str) -> bool:
        return self.ws[ref].protection.locked is False

    def empty_rows(self, first: int, last: int, cols: list[int]) -> list[int]:
        """Rows in [first, last] whose cells in `cols` are all empty."""
        return [r for r in range(first, last + 1) if all(self.ws.cell(r, c).value in (None, "") for c in cols)]

    # -- drop-downs ------------------------------------------------------------------------------

    def validation_at(self, ref: str) -> Any:
        for dv in self.ws.data_validations.dataValidation:
            if ref in dv.sqref:
                return dv
        return None

    def named_values(self, name: str) -> list[str]:
        defined = self.wb.defined_names[name]
        out = []
        for sheet, cells in defined.destinations:
            for row in self.wb[sheet][cells.replace("$", "")]:
                out.extend(c.value for c in row if c.value not in (None, ""))
        return out

    def options(self, ref: str) -> list[str]:
        """What the drop-down of cell `ref` offers."""
        dv = self.validation_at(ref)
        assert dv is not None and dv.type == "list", f"{ref} has no drop-down list"
        formula = dv.formula1.lstrip("=")
        same = re.fullmatch(r"INDIRECT\(INDEX\(\$([A-Z]+):\$\1,ROW\(\)\)\)", formula)
        if same:  # the 一级 in the cell's own row, wherever the rule's range starts
            source = self.ws[f"{same.group(1)}{self.ws[ref].row}"].value
            return self.named_values(source) if source else []
        m = re.fullmatch(r"INDIRECT\((\$?[A-Z]+\$?\d+)\)", formula)
        if m:
            # relative to the range's top-left cell, as Excel stores it
            top = min(r.min_row for r in dv.sqref.ranges)
            target_row = self.ws[ref].row
            col_letters = m.group(1).replace("$", "").rstrip("0123456789")
            base_row = int(re.sub(r"\D", "", m.group(1)))
            source = self.ws[f"{col_letters}{base_row + target_row - top}"].value
            if not source:
                return []
            return self.named_values(source)
        return self.named_values(formula)

    # -- acting ----------------------------------------------------------------------------------

    def type(self, ref: str, value: Any) -> None:
        assert self.is_input(ref), f"{ref} is locked: a person cannot type there"
        self.ws[ref] = value

    def pick(self, ref: str, value: str) -> None:
        offered = self.options(ref)
        assert value in offered, f"{value!r} is not offered at {ref}: {offered}"
        self.type(ref, value)

    def insert_row(self, idx: int, amount: int = 1) -> None:
        """Insert `amount` rows above row `idx` as Excel does (see the module docstring)."""
        ws = self.ws
        merges = [CellRange(str(m)) for m in ws.merged_cells.ranges]
        for m in list(ws.merged_cells.ranges):
            ws.unmerge_cells(str(m))
        heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height is not None}
        ws.insert_rows(idx, amount)
        for m in merges:
            ws.merge_cells(_shift_range(m, idx, amount).coord)
        for r in sorted(heights, reverse=True):
            if r >= idx:
                ws.row_dimensions[r + amount].height = heights[r]
                ws.row_dimensions[r].height = None
        for new in range(idx, idx + amount):
            for col in range(1, ws.max_column + 1):
                above = ws.cell(idx - 1, col)
                if above.has_style:
                    ws.cell(new, col)._style = copy(above._style)
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    c.value = shift_formula(c.value, idx, amount)
                elif isinstance(c.value, ArrayFormula):  # a total: its text and its own cell move
                    c.value = ArrayFormula(c.coordinate, shift_formula(c.value.text, idx, amount))
        for dv in ws.data_validations.dataValidation:
            old_top = min(r.min_row for r in dv.sqref.ranges)
            dv.sqref = openpyxl.worksheet.cell_range.MultiCellRange(
                [_shift_range(r, idx, amount) for r in dv.sqref.ranges])
            if dv.formula1 and old_top >= idx:  # the range moved: its relative formula moves along
                dv.formula1 = shift_formula(dv.formula1, idx, amount)

    def save(self, path: Path | None = None) -> Path:
        target = Path(path or self.path)
        self.wb.save(target)
        return target


def a1(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def bounds(ref: str) -> tuple[int, int, int, int]:
    return range_boundaries(ref)

"""Reading filled workbooks (xlsx, xls, ods) back into the canonical Form."""

from __future__ import annotations

from pathlib import Path

from budgetxl.read.grid import Grid, SheetGrid, load_grid
from budgetxl.read.parse import ReadResult, read_grid


def read_workbook(path: str | Path) -> ReadResult:
    """Read the 部门整体预算绩效目标表 in the workbook at `path`. Never modifies the file.

    Raises ReadError (one clear message naming the file) when the file cannot be read as this form.
    """
    return read_grid(load_grid(path))


__all__ = ["Grid", "ReadResult", "SheetGrid", "load_grid", "read_grid", "read_workbook"]

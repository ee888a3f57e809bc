"""Reading filled workbooks (xlsx, xls, ods) back into the canonical Form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from budgetxl.errors import ReadError
from budgetxl.filenames import FORM_FILE_SUFFIXES
from budgetxl.read.archive import Source
from budgetxl.read.grid import Grid, SheetGrid, load_grid
from budgetxl.read.parse import ReadResult, read_grid
from budgetxl.report import Finding


def read_forms(path: Source, sheet: str | None = None) -> list[ReadResult]:
    """Every form in the workbook at `path`: one per visible sheet holding a form, in sheet order
    (hidden sheets only when named by `sheet`), or the one on `sheet`. Never modifies the file.

    Raises ReadError (one clear message naming the file) when no sheet can be read as a form.
    """
    return read_grid(load_grid(path), sheet)


def read_workbook(path: Source, sheet: str | None = None) -> ReadResult:
    """The one form in the workbook at `path` (or on `sheet`). A workbook holding several forms is
    a ReadError naming their sheets: pick one with `sheet`, or read them all with `read_forms`."""
    return single(read_forms(path, sheet), path)


def single(results: list[ReadResult], path: Source) -> ReadResult:
    if len(results) == 1:
        return results[0]
    names = "、".join(f"“{r.sheet}”" for r in results)
    raise ReadError(f"{path}: 工作簿中有 {len(results)} 张目标表（工作表 {names}），请指定要读取的工作表（--sheet）")


def load_form_or_workbook(path: str | Path) -> tuple[Any, tuple[Finding, ...]]:
    """A form from a form file (.yaml, .yml, .json), or else from whatever workbook `read` takes,
    told by its content (.xlsx, .xlsm, .xls, WPS .et, .ods, Excel 2003 XML, web-page exports),
    with the reader's findings. A file that is no workbook is a ReadError saying what it is."""
    path = Path(path)
    if path.suffix.lower() in FORM_FILE_SUFFIXES:
        from budgetxl.model import load_form

        return load_form(path), ()
    result = read_workbook(path)
    return result.form, tuple(result.findings)


__all__ = ["FORM_FILE_SUFFIXES", "Grid", "ReadResult", "SheetGrid", "load_form_or_workbook", "load_grid", "read_forms",
           "read_grid", "read_workbook", "single"]

"""Loading what is compared: a YAML/JSON form or a filled workbook, by its file name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from budgetxl.filenames import FORM_FILE_SUFFIXES as FORM_SUFFIXES
from budgetxl.model import Form, load_form
from budgetxl.read import read_workbook
from budgetxl.report import Finding


@dataclass(frozen=True)
class Compared:
    path: Path
    form: Form
    findings: tuple[Finding, ...] = ()  # what the reader noticed in a workbook


def load_compared(path: str | Path) -> Compared:
    """A form from a .yaml/.yml/.json file, or read from a workbook (.xlsx, .xls, .ods).
    Raises InputError or ReadError with one message naming the file."""
    path = Path(path)
    if path.suffix.lower() in FORM_SUFFIXES:
        return Compared(path, load_form(path))
    result = read_workbook(path)
    return Compared(path, result.form, tuple(result.findings))

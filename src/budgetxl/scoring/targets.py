"""The approved targets a self-evaluation is built from and compared with: a target table (a form
file or a workbook) of the department kind, or any kind whose indicators carry 一级/二级/三级/指标值."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from budgetxl.errors import InputError
from budgetxl.kinds import FORM_KINDS
from budgetxl.report import Finding

FORM_SUFFIXES = (".yaml", ".yml", ".json")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def load_targets_with_findings(path: str | Path) -> tuple[Any, tuple[Finding, ...]]:
    """The target table at `path` and what the reader noticed; a self-evaluation or an unknown
    file type is an InputError naming the file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in FORM_SUFFIXES:
        from budgetxl.model import load_form

        form: Any = load_form(path)
        findings: tuple[Finding, ...] = ()
    elif suffix in WORKBOOK_SUFFIXES:
        from budgetxl.read import read_workbook

        result = read_workbook(path)
        form, findings = result.form, tuple(result.findings)
    else:
        raise InputError(f"{path}: 不认识的文件类型“{path.suffix}”，目标表应为 .xlsx、.xls、.ods、.yaml 或 .json")
    if getattr(form, "kind", "department") == "selfeval":
        raise InputError(f"{path}: 这是{FORM_KINDS['selfeval'].title}，不是绩效目标表")
    return form, tuple(findings)


def load_targets(path: str | Path) -> Any:
    return load_targets_with_findings(path)[0]

"""The approved targets a self-evaluation is built from and compared with: a target table (a form
file or a workbook) of the department kind, or any kind whose indicators carry 一级/二级/三级/指标值."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from budgetxl.errors import InputError
from budgetxl.kinds import FORM_KINDS
from budgetxl.report import Finding


def load_targets_with_findings(path: str | Path) -> tuple[Any, tuple[Finding, ...]]:
    """The target table at `path` and what the reader noticed; a self-evaluation or an unknown
    file type is an InputError naming the file."""
    from budgetxl.read import load_form_or_workbook

    path = Path(path)
    form, findings = load_form_or_workbook(path)  # any workbook `read` takes, told by its content
    if getattr(form, "kind", "department") == "selfeval":
        raise InputError(f"{path}: 这是{FORM_KINDS['selfeval'].title}，不是绩效目标表")
    return form, tuple(findings)


def load_targets(path: str | Path) -> Any:
    return load_targets_with_findings(path)[0]

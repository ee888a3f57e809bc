"""Findings and reports: what is wrong, where, and how bad.

A finding has a stable code (``BX…``), a severity, the position it came from (sheet and A1 cell
when read from a workbook), the field path in the canonical model (``tasks[3].funds``), the
offending value and a message in Chinese for the finance staff who read it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Iterable, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    field: str = ""
    value: str | None = None
    sheet: str | None = None
    cell: str | None = None

    @property
    def where(self) -> str:
        """'Sheet1!C12' when the finding has a cell, else the field path."""
        if self.cell:
            return f"{self.sheet}!{self.cell}" if self.sheet else self.cell
        return self.field

    def located(self, sheet: str | None, cell: str | None) -> Finding:
        return replace(self, sheet=sheet, cell=cell)

    def to_data(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Report:
    """All findings about one form or workbook (collected lazily, never stopping at the first)."""

    findings: tuple[Finding, ...] = ()
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
        for f in self.findings:
            out[f.severity] += 1
        return out

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def flat(self) -> list[tuple[str, str, str]]:
        """(code, severity, where) per finding: handy for one-line test assertions."""
        return [(f.code, f.severity, f.where) for f in self.findings]

    def with_findings(self, more: Iterable[Finding]) -> Report:
        return replace(self, findings=self.findings + tuple(more))

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source": self.source,
            "valid": self.valid,
            "counts": self.counts,
            "findings": [f.to_data() for f in self.findings],
        }
        data.update(self.extra)
        return data

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_data(), ensure_ascii=False, indent=indent)

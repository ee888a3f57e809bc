"""budgetxl's own errors: each one is a clear message for a person, never a traceback."""

from __future__ import annotations


class BudgetxlError(Exception):
    """Base of every error budgetxl raises on purpose. `details` lists one problem per line."""

    def __init__(self, message: str, details: list[str] | tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = tuple(details)

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {d}" for d in self.details)


class InputError(BudgetxlError):
    """An input file (YAML, JSON, CSV) is missing, malformed, or holds invalid values."""


class ReadError(BudgetxlError):
    """A workbook cannot be read as a 部门整体预算绩效目标表 at all."""


class LayoutError(BudgetxlError):
    """A layout file in templates/ is missing or malformed (a developer's error, still no traceback)."""


class OutputError(BudgetxlError):
    """An output cannot be written (folder missing, file locked by Excel, disk full)."""


class UsageError(BudgetxlError):
    """The command cannot be carried out as asked, whatever the data: an output that names one of
    the inputs, an output where none may go. The command line exits 2 for it."""


class ToolMissingError(BudgetxlError):
    """An outside program (LibreOffice) that a command needs is not installed."""

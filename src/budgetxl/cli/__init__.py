"""budgetxl's command line: a thin face over the library. Each command lives in its own module."""

from budgetxl.cli.app import app, main

__all__ = ["app", "main"]

"""Imports every command module so that each registers itself on the app."""

from budgetxl.cli import read_cmd, render_cmd  # noqa: F401
from budgetxl.cli import diff_cmd  # noqa: F401
from budgetxl.cli import check_cmd  # noqa: F401
from budgetxl.cli import template_cmd  # noqa: F401
from budgetxl.cli import collect_cmd  # noqa: F401
from budgetxl.cli import pdf_cmd  # noqa: F401

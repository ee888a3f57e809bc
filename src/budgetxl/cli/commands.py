"""Imports every command module so that each registers itself on the app."""

from budgetxl.cli import render_cmd  # noqa: F401

"""Imports every command module so that each registers itself on the app."""

from budgetxl.cli import (  # noqa: F401
    check_cmd,
    collect_cmd,
    diff_cmd,
    pdf_cmd,
    read_cmd,
    render_cmd,
    score_cmd,
    template_cmd,
)

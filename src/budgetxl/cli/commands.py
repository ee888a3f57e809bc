"""Imports every command module so that each registers itself on the app.

Every command starts by importing all of them (typer builds the whole command group, `-h` lists
them all), so a command module imports at its top only what its options need: the work's own
modules (pydantic models, xlsxwriter, numpy, rich…) are imported inside the command, and
`budgetxl -h` or `budgetxl render` load nothing they do not use (benchmarks/bench_startup.py).
The modules do without `from __future__ import annotations`: typer reads each command's
signature at start, and annotations kept as strings would be compiled one by one."""

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

"""`budgetxl read`: a filled workbook back into the canonical form."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from budgetxl.cli.app import DebugOpt, JsonOpt, OutOpt, app, guard_outputs, handle_errors, stderr, stdout
from budgetxl.fileio import is_stdout, write_text_atomic
from budgetxl.read import read_workbook
from budgetxl.report import SEVERITY_LABELS


@app.command()
@handle_errors()
def read(
    file: Annotated[Path, typer.Argument(help="A filled workbook (.xlsx, .xls or .ods).")],
    json_: JsonOpt = False,
    output: OutOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Read a filled workbook back into the canonical form (JSON on stdout, or a YAML to edit and render)."""
    guard_outputs([file], output, text=True)
    result = read_workbook(file)
    for f in result.findings:
        stderr.print(f"{SEVERITY_LABELS[f.severity]} {f.code} {f.where}: {f.message}", markup=False, highlight=False)
    if output is not None:
        write_text_atomic(output, result.form.to_yaml())  # '-': on standard output
        if not is_stdout(output):
            stderr.print(f"已写入 {output}", markup=False, highlight=False)
    if json_ or output is None:
        stdout.print(result.form.to_json(), markup=False, highlight=False)

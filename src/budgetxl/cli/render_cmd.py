"""`budgetxl render` and `budgetxl schema`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from budgetxl.cli.app import DebugOpt, OutDirOpt, OutOpt, app, fail, handle_errors, stderr, stdout
from budgetxl.examples import EXAMPLE_INPUT, EXAMPLE_OUTPUT
from budgetxl.model import json_schema, load_form
from budgetxl.render import render_form


@app.command()
@handle_errors()
def render(
    inputs: Annotated[list[Path] | None, typer.Argument(help="Form files (.yaml/.yml/.json). Default: the bundled example.")] = None,
    output: OutOpt = None,
    out_dir: OutDirOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Render forms (YAML/JSON) into formatted, print-ready workbooks."""
    if not inputs:
        inputs = [EXAMPLE_INPUT]
        if output is None and out_dir is None:
            output = EXAMPLE_OUTPUT
    if output is not None and len(inputs) > 1:
        raise fail("-o 只能用于一个输入文件；多个输入请用 --out-dir", 2)
    # Load everything first: one bad input stops the run before anything is written.
    forms = [(path, load_form(path)) for path in inputs]
    for path, form in forms:
        target = output if output is not None else (out_dir or Path("outputs")) / f"{path.stem}.xlsx"
        render_form(form, target)
        stdout.print(str(target), markup=False, highlight=False)


@app.command()
@handle_errors()
def schema(output: OutOpt = None, debug: DebugOpt = False) -> None:
    """Print the JSON Schema of the form files (for editors to complete and check them)."""
    text = json.dumps(json_schema(), ensure_ascii=False, indent=2)
    if output is None:
        stdout.print(text, markup=False, highlight=False)
    else:
        from budgetxl.fileio import write_text_atomic

        write_text_atomic(output, text + "\n")
        stderr.print(f"已写入 {output}", markup=False, highlight=False)

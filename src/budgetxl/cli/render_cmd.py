"""`budgetxl render` and `budgetxl schema`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from budgetxl.cli.app import (
    EXIT_FAIL,
    DebugOpt,
    JobsOpt,
    LayoutOpt,
    OutDirOpt,
    OutOpt,
    app,
    check_layout,
    fail,
    guard_outputs,
    handle_errors,
    stderr,
    stdout,
)
from budgetxl.examples import EXAMPLE_INPUT, EXAMPLE_OUTPUT
from budgetxl.model import json_schema, load_form
from budgetxl.render import render_form
from budgetxl.render.many import render_files


@app.command()
@handle_errors()
def render(
    inputs: Annotated[list[Path] | None, typer.Argument(help="Form files (.yaml/.yml/.json). Default: the bundled example.")] = None,
    output: OutOpt = None,
    out_dir: OutDirOpt = None,
    jobs: JobsOpt = None,
    layout: LayoutOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Render forms (YAML/JSON) into formatted, print-ready workbooks (in each form's own layout, or
    the one --layout names)."""
    check_layout(layout)
    if not inputs:
        inputs = [EXAMPLE_INPUT]
        if output is None and out_dir is None:
            output = EXAMPLE_OUTPUT
    if output is not None and len(inputs) > 1:
        raise fail("-o 只能用于一个输入文件；多个输入请用 --out-dir", 2)
    targets = [output if output is not None else (out_dir or Path("outputs")) / f"{p.stem}.xlsx" for p in inputs]
    guard_outputs(inputs, *targets)
    if len(inputs) == 1:
        form = load_form(inputs[0])
        render_form(form if layout is None else form.model_copy(update={"layout": layout}), targets[0])
        stdout.print(str(targets[0]), markup=False, highlight=False)
        return
    # Several inputs: all loaded first (one bad input stops the run before anything is written),
    # then rendered in parallel; a target that cannot be written fails alone.
    failed = 0
    for outcome in render_files(inputs, targets, jobs=jobs, layout=layout):
        if outcome.ok:
            stdout.print(str(outcome.value), markup=False, highlight=False)
        else:
            failed += 1
            stderr.print(f"错误：{outcome.error}", markup=False, highlight=False)
    if failed:
        raise typer.Exit(EXIT_FAIL)


@app.command()
@handle_errors()
def schema(
    output: OutOpt = None,
    kind: Annotated[str, typer.Option("--kind", help="Form kind: department (default) or another kind budgetxl knows.")]
    = "department",
    debug: DebugOpt = False,
) -> None:
    """Print the JSON Schema of the form files (for editors to complete and check them)."""
    text = json.dumps(json_schema(kind), ensure_ascii=False, indent=2)
    if output is None:
        stdout.print(text, markup=False, highlight=False)
    else:
        from budgetxl.fileio import is_stdout, write_text_atomic

        write_text_atomic(output, text + "\n")
        if not is_stdout(output):
            stderr.print(f"已写入 {output}", markup=False, highlight=False)

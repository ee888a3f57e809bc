"""`budgetxl read`: a filled workbook back into the canonical form."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from budgetxl.cli.app import EXIT_FAIL, DebugOpt, JsonOpt, OutOpt, SheetOpt, app, fail, guard_outputs, handle_errors, stderr, stdout
from budgetxl.fileio import is_stdout, write_text_atomic
from budgetxl.read import read_forms
from budgetxl.report import SEVERITY_LABELS


@app.command()
@handle_errors()
def read(
    file: Annotated[Path, typer.Argument(help="A filled workbook (.xlsx, .xls or .ods).")],
    json_: JsonOpt = False,
    output: OutOpt = None,
    sheet: SheetOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Read a filled workbook back into the canonical form (JSON on stdout, or a YAML to edit and render).

    Every visible sheet holding a form is read: one form prints as one JSON object, several as a
    list in sheet order; --sheet picks one (a hidden sheet too).
    """
    guard_outputs([file], output, text=True)
    results = read_forms(file, sheet)
    if output is not None and len(results) > 1:
        names = "、".join(f"“{r.sheet}”" for r in results)
        raise fail(f"{file}: 工作簿中有 {len(results)} 张目标表（工作表 {names}），-o 只能写一张；"
                   f"请用 --sheet 指定，例如 --sheet {results[0].sheet}", EXIT_FAIL)
    for result in results:
        stderr.print(f"工作表“{result.sheet}”：版式 {result.layout}", markup=False, highlight=False)
        for f in result.findings:
            stderr.print(f"{SEVERITY_LABELS[f.severity]} {f.code} {f.where}: {f.message}", markup=False,
                         highlight=False)
    if output is not None:
        write_text_atomic(output, results[0].form.to_yaml())  # '-': on standard output
        if not is_stdout(output):
            stderr.print(f"已写入 {output}", markup=False, highlight=False)
    if json_ or output is None:
        if len(results) == 1:
            text = results[0].form.to_json()
        else:
            text = json.dumps([r.form.to_data() for r in results], ensure_ascii=False, indent=2)
        stdout.print(text, markup=False, highlight=False)

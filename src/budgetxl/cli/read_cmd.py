"""`budgetxl read`: a filled workbook back into the canonical form."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from budgetxl.cli.app import DebugOpt, JsonOpt, OutOpt, app, handle_errors, require_suffix, stderr, stdout
from budgetxl.fileio import write_text_atomic
from budgetxl.read import read_workbook
from budgetxl.report import SEVERITY_LABELS


JSON_SUFFIXES = (".json",)
YAML_SUFFIXES = (".yaml", ".yml")


@app.command(short_help="读取填好的工作簿，还原成表单数据（JSON 或 YAML）。")
@handle_errors()
def read(
    file: Annotated[Path, typer.Argument(help="填好的工作簿（.xlsx、.xls、.ods）。", metavar="工作簿")],
    json_: JsonOpt = False,
    output: OutOpt = None,
    debug: DebugOpt = False,
) -> None:
    """读取填好的工作簿（.xlsx、.xls、.ods），还原成表单数据。

    不加 -o 时以 JSON 输出到标准输出；-o 写文件：名为 .json 写 JSON，名为 .yaml 或 .yml
    写 YAML（可以修改后用 budgetxl render 重新生成工作簿）。读取时发现的问题写到标准错误。
    """
    require_suffix(output, JSON_SUFFIXES + YAML_SUFFIXES, "表单数据")
    result = read_workbook(file)
    for f in result.findings:
        stderr.print(f"{SEVERITY_LABELS[f.severity]} {f.code} {f.where}: {f.message}", markup=False, highlight=False)
    if output is not None:
        as_json = output.suffix.lower() in JSON_SUFFIXES
        write_text_atomic(output, result.form.to_json() + "\n" if as_json else result.form.to_yaml())
        stderr.print(f"已写入 {output}", markup=False, highlight=False)
    if json_ or output is None:
        stdout.print(result.form.to_json(), markup=False, highlight=False)

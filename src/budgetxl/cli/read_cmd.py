"""`budgetxl read`: a filled workbook back into the canonical form."""

import json
from pathlib import Path
from typing import Annotated

import typer

from budgetxl.cli.app import (
    EXIT_FAIL,
    WORKBOOK_TYPES,
    DebugOpt,
    JsonOpt,
    OutOpt,
    SheetOpt,
    app,
    fail,
    guard_outputs,
    handle_errors,
    require_suffix,
    stderr,
    stdout,
)
from budgetxl.fileio import is_stdout, write_text_atomic
from budgetxl.filenames import JSON_SUFFIXES, YAML_SUFFIXES
from budgetxl.report import SEVERITY_LABELS


@app.command(short_help="读取填好的工作簿，还原成表单数据（JSON 或 YAML）。")
@handle_errors()
def read(
    file: Annotated[Path, typer.Argument(help=f"填好的工作簿（{WORKBOOK_TYPES}）。", metavar="工作簿")],
    json_: JsonOpt = False,
    output: OutOpt = None,
    sheet: SheetOpt = None,
    debug: DebugOpt = False,
) -> None:
    """读取填好的工作簿，还原成表单数据。

    工作簿可以是 .xlsx、.xlsm、.xls、WPS 的 .et、.ods，也可以是预算管理系统导出的 Excel 2003
    XML 或网页格式的表格：按文件内容识别，扩展名不对也能读取。

    不加 -o 时以 JSON 输出到标准输出；-o 写文件：名为 .json 写 JSON，名为 .yaml 或 .yml
    写 YAML（可以修改后用 budgetxl render 重新生成工作簿）。读取时发现的问题写到标准错误。

    读取每个含有目标表的可见工作表：一张表输出一个 JSON 对象，几张表按工作表顺序输出一个
    列表；--sheet 指定其中一张（隐藏的工作表也可以）。
    """
    from budgetxl.read import read_forms

    guard_outputs([file], output, text=True)
    if output is not None and not is_stdout(output):
        require_suffix(output, JSON_SUFFIXES + YAML_SUFFIXES, "表单数据")
    results = read_forms(file, sheet)
    if output is not None and len(results) > 1:
        names = "、".join(f"“{r.sheet}”" for r in results)
        raise fail(f"{file}: 工作簿中有 {len(results)} 张目标表（工作表 {names}），-o 只能写一张；"
                   f"请用 --sheet 指定，例如 --sheet {results[0].sheet}", EXIT_FAIL)
    for result in results:
        unit = f"，金额单位 {result.unit_text}" if result.unit_text else ""
        stderr.print(f"工作表“{result.sheet}”：版式 {result.layout}{unit}", markup=False, highlight=False)
        for f in result.findings:
            stderr.print(f"{SEVERITY_LABELS[f.severity]} {f.code} {f.where}: {f.message}", markup=False,
                         highlight=False)
    if output is not None:
        form = results[0].form
        as_json = output.suffix.lower() in JSON_SUFFIXES
        write_text_atomic(output, form.to_json() + "\n" if as_json else form.to_yaml())  # '-': on standard output
        if not is_stdout(output):
            stderr.print(f"已写入 {output}", markup=False, highlight=False)
    if json_ or output is None:
        if len(results) == 1:
            text = results[0].form.to_json()
        else:
            text = json.dumps([r.form.to_data() for r in results], ensure_ascii=False, indent=2)
        stdout.print(text, markup=False, highlight=False)

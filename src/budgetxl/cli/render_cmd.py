"""`budgetxl render` and `budgetxl schema`."""

import json
from pathlib import Path
from typing import Annotated

import typer

from budgetxl.cli.app import (
    EXIT_FAIL,
    EXIT_USAGE,
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
    require_suffix,
    stderr,
    stdout,
)
from budgetxl.kinds import FORM_KINDS

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def refuse_workbooks(inputs: list[Path]) -> None:
    """A workbook given where a form file belongs: say how to get there (read, then render)."""
    for path in inputs:
        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            form = path.with_suffix(".yaml")
            raise fail(
                f"{path}: 这是工作簿，render 需要表单文件（.yaml、.yml、.json）。要按 budgetxl 的版式重新生成，"
                f"先读取：budgetxl read {path} -o {form}，再生成：budgetxl render {form}；"
                f"只想打印这个工作簿：budgetxl pdf {path}",
                EXIT_USAGE,
            )


@app.command(short_help="把表单文件（YAML/JSON）生成排好版、可直接打印的工作簿。")
@handle_errors()
def render(
    inputs: Annotated[list[Path] | None, typer.Argument(help="表单文件（.yaml、.yml、.json）。默认：自带的示例。",
                                                        metavar="表单文件")] = None,
    output: OutOpt = None,
    out_dir: OutDirOpt = None,
    jobs: JobsOpt = None,
    layout: LayoutOpt = None,
    debug: DebugOpt = False,
) -> None:
    """把表单文件（YAML/JSON）生成排好版、可直接打印的工作簿（.xlsx），按每个表单自己的版式，或 --layout 指定的版式。

    不给输入时生成自带的示例。一个输入可用 -o 指定输出的工作簿（.xlsx），多个输入用
    --out-dir 指定文件夹（每个输入一个工作簿，并行生成）。已填好的工作簿要先用 budgetxl read
    读成 YAML 再生成；只想打印工作簿，用 budgetxl pdf。
    """
    from budgetxl.examples import EXAMPLE_INPUT, EXAMPLE_OUTPUT

    check_layout(layout)
    refuse_workbooks(inputs or [])
    if inputs and output is not None:
        guard_outputs(inputs, output)  # the same file first: that is the worse mistake
    require_suffix(output, (".xlsx",), "生成的工作簿")
    if not inputs:
        inputs = [EXAMPLE_INPUT]
        if output is None and out_dir is None:
            output = EXAMPLE_OUTPUT
    if output is not None and len(inputs) > 1:
        raise fail("-o 只能用于一个输入文件；多个输入请用 --out-dir", 2)
    targets = [output if output is not None else (out_dir or Path("outputs")) / f"{p.stem}.xlsx" for p in inputs]
    guard_outputs(inputs, *targets)
    if len(inputs) == 1:
        from budgetxl.model import load_form
        from budgetxl.render import render_form

        form = load_form(inputs[0])
        render_form(form if layout is None else form.model_copy(update={"layout": layout}), targets[0])
        stdout.print(str(targets[0]), markup=False, highlight=False)
        return
    # Several inputs: all loaded first (one bad input stops the run before anything is written),
    # then rendered in parallel; a target that cannot be written fails alone.
    from budgetxl.render.many import render_files

    failed = 0
    for outcome in render_files(inputs, targets, jobs=jobs, layout=layout):
        if outcome.ok:
            stdout.print(str(outcome.value), markup=False, highlight=False)
        else:
            failed += 1
            stderr.print(f"错误：{outcome.error}", markup=False, highlight=False)
    if failed:
        raise typer.Exit(EXIT_FAIL)


KIND_CHOICES = "、".join(f"{k.name}（{k.title}）" for k in FORM_KINDS.values())
KIND_HELP = f"表的种类：{KIND_CHOICES}；默认 department。"


@app.command(short_help="输出表单文件的 JSON Schema（供编辑器补全和校验）。")
@handle_errors()
def schema(
    output: OutOpt = None,
    kind: Annotated[str, typer.Option("--kind", metavar="种类", help=KIND_HELP)] = "department",
    debug: DebugOpt = False,
) -> None:
    """输出表单文件的 JSON Schema，编辑器可据此补全和校验 YAML/JSON 表单。

    不加 -o 时输出到标准输出；-o 写到 .json 文件。
    """
    from budgetxl.model import json_schema

    if kind not in FORM_KINDS:
        raise fail(f"--kind: 不认识的表格种类“{kind}”，可选：{KIND_CHOICES}", EXIT_USAGE)
    require_suffix(output, (".json",), "JSON Schema ")
    text = json.dumps(json_schema(kind), ensure_ascii=False, indent=2)
    if output is None:
        stdout.print(text, markup=False, highlight=False)
    else:
        from budgetxl.fileio import is_stdout, write_text_atomic

        write_text_atomic(output, text + "\n")
        if not is_stdout(output):
            stderr.print(f"已写入 {output}", markup=False, highlight=False)

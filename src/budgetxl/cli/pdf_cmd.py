"""`budgetxl pdf`: a workbook or a form file printed to PDF through LibreOffice."""

from pathlib import Path
from typing import Annotated

import typer

from budgetxl.cli.app import (
    EXIT_USAGE,
    WORKBOOK_TYPES,
    DebugOpt,
    OutOpt,
    app,
    describe_unexpected,
    fail,
    guard_outputs,
    handle_errors,
    stdout,
)
from budgetxl.errors import InputError, ReadError
from budgetxl.pdf import DEFAULT_TIMEOUT


@app.command(short_help="通过 LibreOffice 把工作簿或表单文件导出为 PDF。")
@handle_errors()
def pdf(
    file: Annotated[Path, typer.Argument(help=f"工作簿（{WORKBOOK_TYPES}，按内容识别）或表单文件（.yaml、.json）。",
                                         metavar="文件")],
    output: OutOpt = None,
    timeout: Annotated[float, typer.Option("--timeout", min=1, metavar="秒",
                                           help="LibreOffice 最多可用的秒数。")] = DEFAULT_TIMEOUT,
    debug: DebugOpt = False,
) -> None:
    """通过 LibreOffice 把工作簿或表单文件导出为 PDF（按排好的 A4 页面，嵌入中文字体）。

    不加 -o 时，PDF 写在输入文件旁边（同名，扩展名 .pdf）。需要安装 LibreOffice。
    """
    from budgetxl.pdf import export_pdf

    guard_outputs([file], output)
    try:
        target = export_pdf(file, output, timeout=timeout)
    except (InputError, ReadError) as exc:  # an input that cannot be read: 2, as for check and diff
        if debug:
            raise
        raise fail(str(exc), EXIT_USAGE) from None
    except (ArithmeticError, RecursionError, UnicodeError) as exc:  # an input no reader expected
        if debug:
            raise
        raise fail(f"{file}: 无法读取（{describe_unexpected(exc)[0]}）", EXIT_USAGE) from None
    stdout.print(str(target), markup=False, highlight=False)

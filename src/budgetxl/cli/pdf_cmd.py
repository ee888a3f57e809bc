"""`budgetxl pdf`: a workbook or a form file printed to PDF through LibreOffice."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from budgetxl.cli.app import EXIT_USAGE, DebugOpt, OutOpt, app, describe_unexpected, fail, guard_outputs, handle_errors, stdout
from budgetxl.errors import InputError, ReadError
from budgetxl.pdf import DEFAULT_TIMEOUT, export_pdf


@app.command()
@handle_errors()
def pdf(
    file: Annotated[Path, typer.Argument(help="A workbook (.xlsx, .xls, .ods) or a form file (.yaml, .json).")],
    output: OutOpt = None,
    timeout: Annotated[float, typer.Option("--timeout", min=1, help="Seconds LibreOffice may take.")] = DEFAULT_TIMEOUT,
    debug: DebugOpt = False,
) -> None:
    """Export to PDF through LibreOffice headless (A4 pages as laid out, Chinese fonts embedded).

    The PDF goes beside the input (same name, .pdf) unless -o is given.
    """
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

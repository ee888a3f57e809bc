"""The --html option that `check` and `diff` share: where to write the web-page report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Callable

import typer

from budgetxl.cli.app import EXIT_USAGE, fail, guard_outputs, stderr
from budgetxl.errors import BudgetxlError
from budgetxl.fileio import is_stdout, write_text_atomic

HTML_SUFFIXES = (".html", ".htm")

HtmlOpt = Annotated[
    Path | None,
    typer.Option("--html", metavar="报告.html",
                 help="同时把结果写成一个独立的网页（任何浏览器都能离线打开，可打印）。"),
]


def check_html_target(path: Path | None, inputs: list[Path]) -> None:
    """A usage error, before any work, when the page would not be an .html file or would replace an input."""
    if path is None or is_stdout(path):  # '-': the page on standard output
        return
    if path.suffix.lower() not in HTML_SUFFIXES:
        raise fail(f"{path}: 网页报告应保存为 .html 文件", EXIT_USAGE)
    guard_outputs(inputs, path, text=True)


def save_html(path: Path, page: Callable[[], str], debug: bool = False) -> bool:
    """Write the page atomically; say where, or why not (False)."""
    try:
        write_text_atomic(path, page())
    except BudgetxlError as exc:
        if debug:
            raise
        stderr.print(f"错误：{exc}", markup=False, highlight=False)
        return False
    if not is_stdout(path):
        stderr.print(f"已写入网页报告 {path}", markup=False, highlight=False)
    return True

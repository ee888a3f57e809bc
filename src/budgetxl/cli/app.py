"""The typer application and what every command shares: options, error handling, output."""

from __future__ import annotations

import functools
import gc
import sys
from pathlib import Path
from typing import Annotated, Any, Callable, TypeVar

import typer
from rich.console import Console

from budgetxl.cli.face import HELP_OPTIONS, Group
from budgetxl.errors import BudgetxlError

app = typer.Typer(
    name="budgetxl",
    cls=Group,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": HELP_OPTIONS},
)

stdout = Console(soft_wrap=True)
stderr = Console(stderr=True, soft_wrap=True)

# Options shared by several commands, declared once. Help in Chinese; option names stay English.
DebugOpt = Annotated[bool, typer.Option("--debug", help="出错时显示完整的调用栈（供开发人员排查）。")]
JsonOpt = Annotated[bool, typer.Option("--json", help="以 JSON 格式输出结果（标准输出）。")]
OutOpt = Annotated[Path | None, typer.Option("-o", "--output", metavar="文件", help="输出文件。")]
OutDirOpt = Annotated[Path | None, typer.Option("--out-dir", metavar="文件夹", help="输出文件夹（每个输入一个文件）。")]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", min=1, metavar="进程数",
                                             help="并行处理的进程数（默认：全部 CPU 核）。")]
LayoutOpt = Annotated[
    str | None,
    typer.Option("--layout", metavar="版式",
                 help="表的版式，templates/ 中的一个文件（guangdong、zhanjiang、central、jiangxi、guangxi…）。"),
]
SheetOpt = Annotated[str | None, typer.Option("--sheet", metavar="工作表",
                                              help="读取这个工作表上的表（隐藏的工作表也可以）。")]


def check_layout(layout: str | None) -> None:
    """A layout that templates/ does not have is a usage error naming the ones it has."""
    from budgetxl.layout import available_layouts

    if layout is not None and layout not in available_layouts():
        raise fail(f"不认识的版式“{layout}”，可选：{'、'.join(available_layouts())}", EXIT_USAGE)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("budgetxl")
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = "（未安装）"
        typer.echo(f"budgetxl {number}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="显示版本号并退出。")] = False,
) -> None:
    """budgetxl：部门整体预算绩效目标表的生成、读取、审核与比对工具。

    每个命令都有帮助：budgetxl 命令 -h。结果写到标准输出，问题用中文写到标准错误；退出码 0 表示正常，
    1 表示数据有错误，2 表示用法错误。
    """

# Exit codes: 0 ok, 1 errors in the data / failed work, 2 usage errors and unreadable inputs.
EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = EXIT_FAIL) -> typer.Exit:
    stderr.print(f"错误：{message}", markup=False, highlight=False)
    return typer.Exit(code)


def require_suffix(path: Path | None, suffixes: tuple[str, ...], what: str) -> None:
    """A usage error (exit 2), before any work, when output `path` would not be what its name
    says: a workbook must be named .xlsx, a PDF .pdf…"""
    if path is not None and path.suffix.lower() not in suffixes:
        raise fail(f"{path}: {what}应保存为 {' 或 '.join(suffixes)} 文件", EXIT_USAGE)


def handle_errors(exit_code: int = EXIT_FAIL) -> Callable[[F], F]:
    """Turn budgetxl's own errors into one clear message and an exit code; unexpected errors
    into a short message too, with the traceback only under --debug."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            debug = bool(kwargs.get("debug"))
            try:
                return fn(*args, **kwargs)
            except typer.Exit:
                raise
            except BudgetxlError as exc:
                if debug:
                    raise
                raise fail(str(exc), exit_code) from None
            except KeyboardInterrupt:
                raise fail("已中断", 130) from None
            except Exception as exc:  # noqa: BLE001 - last line of defence: never a traceback
                if debug:
                    raise
                raise fail(
                    f"意外错误：{type(exc).__name__}: {exc}（加 --debug 可查看详细信息）", exit_code
                ) from None

        return inner  # type: ignore[return-value]

    return wrap


def main() -> None:
    from budgetxl.cli import commands  # noqa: F401 - registers the commands

    # The modules loaded so far live as long as the command: out of the garbage collector's sight,
    # its full collections during a long batch stay cheap.
    gc.freeze()

    try:
        app()
    except BrokenPipeError:  # `budgetxl read x --json | head`
        sys.stderr.close()
    except BudgetxlError as exc:
        # Raised before any command ran, while the commands were built from the data files in
        # templates/ (a missing or broken file): the same clean message as inside a command.
        if "--debug" in sys.argv:
            raise
        stderr.print(f"错误：{exc}", markup=False, highlight=False)
        sys.exit(EXIT_USAGE)

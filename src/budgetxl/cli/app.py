"""The typer application and what every command shares: options, error handling, output."""

from __future__ import annotations

import functools
import gc
import sys
from pathlib import Path
from typing import Annotated, Any, Callable, TypeVar

import typer
from rich.console import Console

from budgetxl.errors import BudgetxlError

app = typer.Typer(
    name="budgetxl",
    help="budgetxl：部门整体预算绩效目标表的生成、读取、审核与比对工具。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

stdout = Console(soft_wrap=True)
stderr = Console(stderr=True, soft_wrap=True)

# Options shared by several commands, declared once.
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors (for developers).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
OutOpt = Annotated[Path | None, typer.Option("-o", "--output", help="Output file.")]
OutDirOpt = Annotated[Path | None, typer.Option("--out-dir", help="Output folder (one file per input).")]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Parallel workers (default: all cores).")]
LayoutOpt = Annotated[
    str | None,
    typer.Option(
        "--layout", help="Form layout, a file in templates/ (guangdong, zhanjiang, central, jiangxi, guangxi…)."
    ),
]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Read the form on this sheet (also a hidden one).")]


def check_layout(layout: str | None) -> None:
    """A layout that templates/ does not have is a usage error naming the ones it has."""
    from budgetxl.layout import available_layouts

    if layout is not None and layout not in available_layouts():
        raise fail(f"不认识的版式“{layout}”，可选：{'、'.join(available_layouts())}", EXIT_USAGE)

# Exit codes: 0 ok, 1 errors in the data / failed work, 2 usage errors and unreadable inputs.
EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = EXIT_FAIL) -> typer.Exit:
    stderr.print(f"错误：{message}", markup=False, highlight=False)
    return typer.Exit(code)


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
            except Exception as exc:
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

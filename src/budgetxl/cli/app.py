"""The typer application and what every command shares: options, error handling, output."""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Callable, Iterable, NoReturn, TypeVar

import typer

from budgetxl.cli.face import HELP_OPTIONS, Group
from budgetxl.cli.safe_console import LazyConsole, safe_console_class
from budgetxl.errors import BudgetxlError, OutputError, UsageError
from budgetxl.fileio import describe_os_error, is_stdout, os_error_of, refuse_inputs

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(
    name="budgetxl",
    cls=Group,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": HELP_OPTIONS},
)

# The consoles every command prints through; rich is loaded only when a print needs it
# (budgetxl.cli.safe_console).
if TYPE_CHECKING:
    stdout: Console
    stderr: Console
else:
    stdout = LazyConsole(soft_wrap=True)
    stderr = LazyConsole(stderr=True, soft_wrap=True)


def __getattr__(name: str) -> Any:
    if name == "SafeConsole":  # rich's Console with escapes, made when first asked for
        return safe_console_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _cap_jobs(jobs: int | None) -> int | None:
    """--jobs beyond a sane multiple of the cores is lowered to it, with a note."""
    if jobs is None:
        return None
    from budgetxl.batch import JOBS_PER_CORE, cap_jobs, default_jobs

    capped = cap_jobs(jobs)
    if capped != jobs:
        stderr.print(f"提示：--jobs {jobs} 超过本机 {default_jobs()} 个核心的 {JOBS_PER_CORE} 倍，"
                     f"按 {capped} 个进程运行", markup=False, highlight=False)
    return capped


# Options shared by several commands, declared once. Help in Chinese; option names stay English.
DebugOpt = Annotated[bool, typer.Option("--debug", help="出错时显示完整的调用栈（供开发人员排查）。")]
JsonOpt = Annotated[bool, typer.Option("--json", help="以 JSON 格式输出结果（标准输出）。")]
OutOpt = Annotated[Path | None, typer.Option("-o", "--output", metavar="文件", help="输出文件。")]
OutDirOpt = Annotated[Path | None, typer.Option("--out-dir", metavar="文件夹", help="输出文件夹（每个输入一个文件）。")]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", min=1, metavar="进程数", callback=_cap_jobs,
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
    """budgetxl：部门整体预算绩效目标表、项目支出绩效目标表和绩效自评表的生成、读取、审核、计分、比对与汇总工具。

    每个命令都有帮助：budgetxl 命令 -h。结果写到标准输出，问题用中文写到标准错误；退出码 0 表示正常，
    1 表示数据有错误，2 表示用法错误。
    """

# What `read`, `check`, `collect` and the options taking a workbook accept (told by the content).
WORKBOOK_TYPES = ".xlsx、.xlsm、.xls、.et、.ods，或 Excel 2003 XML、网页格式导出的表格"

# Exit codes: 0 ok, 1 errors in the data / failed work, 2 usage errors and unreadable inputs.
EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = EXIT_FAIL) -> typer.Exit:
    stderr.print(f"错误：{message}", markup=False, highlight=False)
    return typer.Exit(code)


def guard_outputs(inputs: Iterable[Path | None], *outputs: Path | None, text: bool = False) -> None:
    """Before any work, refuse (exit 2) an output that is one of the inputs (the same file by any
    path, symlink or hard link), and '-' (standard output) for an output that is not text."""
    try:
        if not text and any(is_stdout(out) for out in outputs):
            raise UsageError("-: 工作簿和 PDF 不能写到标准输出，请用 -o 给出文件名")
        refuse_inputs(outputs, inputs)
    except UsageError as exc:
        raise fail(str(exc), EXIT_USAGE) from None


def describe_unexpected(exc: BaseException) -> tuple[str, int | None]:
    """A message for an error no part of budgetxl raised on purpose, and the exit code it calls
    for (None: the command's own)."""
    if isinstance(exc, MemoryError):
        return "内存不足，无法完成（输入文件可能异常大）", None
    if isinstance(exc, RecursionError):
        return "内容嵌套过深，无法处理（输入文件可能是恶意构造的）", None
    os_exc = os_error_of(exc)
    if os_exc is not None and os_exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO):
        return describe_os_error(os_exc.filename or "标准输出", os_exc), EXIT_FAIL
    text = str(exc)
    if len(text) > 300:
        text = text[:300] + "…"
    return f"意外错误：{type(exc).__name__}: {text}（加 --debug 可查看详细信息）", None


def require_suffix(path: Path | None, suffixes: tuple[str, ...], what: str) -> None:
    """A usage error (exit 2), before any work, when output `path` would not be what its name
    says: a workbook must be named .xlsx, a PDF .pdf…"""
    if path is None or is_stdout(path):
        return  # '-' is judged by guard_outputs
    if path.exists() and not path.is_file() and not path.is_dir():
        return  # a device or a pipe (/dev/null, a FIFO): written through, whatever its name
    if path.suffix.lower() not in suffixes:
        raise fail(f"{path}: {what}应保存为 {' 或 '.join(suffixes)} 文件", EXIT_USAGE)


def handle_errors(exit_code: int = EXIT_FAIL) -> Callable[[F], F]:
    """Turn budgetxl's own errors into one clear message and an exit code; unexpected errors
    into a short message too, with the traceback only under --debug. A usage error exits 2, an
    output that cannot be written (disk full…) exits 1."""

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
                code = (EXIT_USAGE if isinstance(exc, UsageError)
                        else EXIT_FAIL if isinstance(exc, OutputError) else exit_code)
                raise fail(str(exc), code) from None
            except Terminated:
                raise fail("已终止，未留下写了一半的文件", EXIT_TERMINATED) from None
            except KeyboardInterrupt:
                raise fail("已中断", 130) from None
            except Exception as exc:
                if debug:
                    raise
                message, own_code = describe_unexpected(exc)
                raise fail(message, exit_code if own_code is None else own_code) from None

        return inner  # type: ignore[return-value]

    return wrap


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: raised in the main thread so that every `finally` runs (temporary files
    removed, workers stopped) before the command exits."""


EXIT_TERMINATED = 143


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated(signum)


def install_signal_handlers() -> None:
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, _terminate)


def main() -> None:
    try:
        from budgetxl.cli import commands  # noqa: F401 - registers the commands
    except BudgetxlError as exc:  # the help of an option lists what a data file of templates/ holds
        _data_file_error(exc)
    # The modules loaded so far live as long as the command: out of the garbage collector's sight,
    # its full collections during a long batch stay cheap.
    gc.freeze()
    install_signal_handlers()
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show a character gets an escape
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]

    try:
        app()
    except BrokenPipeError:  # `budgetxl read x --json | head`
        sys.stderr.close()
    except Terminated:
        sys.exit(EXIT_TERMINATED)
    except KeyboardInterrupt:
        stderr.print("已中断", markup=False, highlight=False)
        sys.exit(130)
    except BudgetxlError as exc:
        _data_file_error(exc)
    except OSError as exc:  # writing to standard output failed (a full disk behind a redirect)
        if "--debug" in sys.argv or os_error_of(exc) is None:
            raise
        with contextlib.suppress(OSError):
            stderr.print(f"错误：{describe_os_error('标准输出', exc)}", markup=False, highlight=False)
        sys.exit(EXIT_FAIL)


def _data_file_error(exc: BudgetxlError) -> NoReturn:
    """Raised before any command ran, while the commands were built from the data files in
    templates/ (a missing or broken file): the same clean message as inside a command, exit 2."""
    if "--debug" in sys.argv:
        raise exc
    stderr.print(f"错误：{exc}", markup=False, highlight=False)
    sys.exit(EXIT_USAGE)

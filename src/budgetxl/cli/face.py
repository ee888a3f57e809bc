"""budgetxl's Chinese face on the command line, declared once for every command: help in Chinese,
wrapped by display width (a Chinese character takes two columns; a Latin word, an option name or
a number is never split), the command line parser's own messages (a missing argument, an unknown
option, a bad value…) in Chinese like budgetxl's own (错误：…, exit code 2), `-h` as well as
`--help`.

The parser is click's (inside typer): its help formatter and context are replaced by subclasses
here, and its usage errors are caught and said again in Chinese from their parts (which option,
which argument), so that a click update that rewords a message cannot bring English back.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from typing import Any, Sequence

import typer
import typer.core

from budgetxl.text import display_width, wrap_display

# The parser's classes, whichever click typer runs on (its own copy or the click package).
_HelpFormatter: type = typer.Context.formatter_class
_ClickException: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
_UsageError: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")

HELP_OPTIONS = ["-h", "--help"]
PROGRAM = "budgetxl"

# Words of the parser's own help, in Chinese.
HEADINGS = {"Usage": "用法", "Arguments": "参数", "Options": "选项", "Commands": "命令"}
USAGE_WORDS = {"[OPTIONS]": "[选项]", "COMMAND": "命令", "[ARGS]...": "[参数]..."}
CLICK_HELP = {
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
}
EXTRA_WORDS = {"required": "必填", "default": "默认"}


# --------------------------------------------------------------------------------------------
# Help


def _extras(text: str) -> str:
    """'… [default: 180.0; x>=1]' → '… [默认：180.0；取值 ≥1]'."""
    found = re.search(r"\s*\[([^\[\]]*)\]\s*$", text)
    if not found:
        return text
    parts = []
    for part in found.group(1).split(";"):
        part = part.strip()
        if part == "required":
            parts.append(EXTRA_WORDS["required"])
        elif part.startswith("default:"):
            parts.append(f"{EXTRA_WORDS['default']}：{part[len('default:'):].strip()}")
        elif bounds := re.fullmatch(r"(?:([-\d.]+)<=)?x(?:([<>]=)([-\d.]+))?", part.replace(" ", "")):
            low, sign, value = bounds.groups()
            if low is not None and value is not None:
                parts.append(f"取值 {low}～{value}")
            elif sign is not None:
                parts.append(f"取值 {'≥' if sign == '>=' else '≤'}{value}")
            else:
                parts.append(part)
        elif part:
            parts.append(part)
    return text[: found.start()] + "  [" + "；".join(parts) + "]"


def _translate(text: str) -> str:
    return CLICK_HELP.get(text.strip(), _extras(text))


class HelpFormatter(_HelpFormatter):  # type: ignore[misc]  # click's formatter, reached through typer
    """click's help formatter, in Chinese and wrapping by display width."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, chinese in USAGE_WORDS.items():
            args = args.replace(english, chinese)
        args = re.sub(r"\{([^{}]*)\}", r"\1", args)  # some typer versions brace required arguments
        head = f"{' ' * self.current_indent}{HEADINGS['Usage']}：{prog} "
        self._lines(args, head, " " * display_width(head))

    def write_heading(self, heading: str) -> None:
        self.write(f"{' ' * self.current_indent}{HEADINGS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for paragraph in re.split(r"\n\s*\n", text.strip()):
            self._lines(_reflow(paragraph) if _is_prose(paragraph) else paragraph, indent, indent)
            self.write("\n")
        if self.buffer and self.buffer[-1] == "\n":
            self.buffer.pop()

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        # Some typer versions add the value's Python type (<path>, <list[Path]>) after a name.
        rows = [(re.sub(r"\s+<[^<>]+>", "", first), _translate(second or "")) for first, second in rows]
        first_width = min(max((display_width(f) for f, _ in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        for first, second in rows:
            if not second:
                self.write(f"{indent}{first}\n")
                continue
            lead = f"{indent}{first}"
            hang = " " * (self.current_indent + first_width)
            if display_width(first) <= first_width - col_spacing:
                lead += " " * (first_width - display_width(first))
            else:
                self.write(lead + "\n")
                lead = hang
            self._lines(second, lead, hang)

    def _lines(self, text: str, first: str, rest: str) -> None:
        """`text` wrapped to the formatter's width, the first line after `first`, the others
        after `rest`."""
        room = max(self.width - display_width(rest), 20)
        lines = wrap_display(text, room) or [""]
        self.write(first + lines[0] + "\n")
        for line in lines[1:]:
            self.write(rest + line + "\n")


def _joiner(before: str, after: str) -> str:
    """What goes where a line break was: nothing between two Chinese characters or next to
    Chinese punctuation, a space elsewhere (between words, between a word and Chinese)."""
    wide_before, wide_after = display_width(before) == 2, display_width(after) == 2
    if (wide_before and wide_after) or _is_mark(before) or _is_mark(after):
        return ""
    return " "


def _is_mark(ch: str) -> bool:
    return display_width(ch) == 2 and unicodedata.category(ch).startswith("P")


def _reflow(paragraph: str) -> str:
    """A paragraph's lines joined into one, as `_joiner` says."""
    out = ""
    for line in (line.strip() for line in paragraph.splitlines()):
        out += (_joiner(out[-1], line[0]) if out and line else "") + line
    return out


_LIST_ITEM = re.compile(r"\s|[-•*]\s|\d+[.、)]\s")


def _is_prose(paragraph: str) -> bool:
    """A paragraph to re-flow (not an indented example or a list of items, one a line)."""
    return not any(_LIST_ITEM.match(line) for line in paragraph.splitlines()[1:])


class Context(typer.Context):
    formatter_class = HelpFormatter


# --------------------------------------------------------------------------------------------
# The parser's errors in Chinese


def _param_name(param: Any) -> str:
    """An option as typed (--year), an argument by its name as the usage line shows it."""
    if param is None:
        return ""
    opts = [o for o in getattr(param, "opts", []) if o.startswith("-")]
    if opts:
        return " / ".join(sorted(opts, key=len, reverse=True))
    metavar = getattr(param, "metavar", None)
    return metavar or str(getattr(param, "name", "") or "").upper()


OUT_OF_RANGE = "超出允许的范围"


def _range(param: Any) -> str:
    """'应在 1900 到 2200 之间' from the parameter's bounds ('' when it has none to say)."""
    low = getattr(param, "min", None)
    high = getattr(param, "max", None)
    kind = getattr(param, "type", None)  # click's IntRange/FloatRange hold them on the type
    low = low if low is not None else getattr(kind, "min", None)
    high = high if high is not None else getattr(kind, "max", None)
    if low is not None and high is not None:
        return f"应在 {low} 到 {high} 之间"
    if low is not None:
        return f"应不小于 {low}"
    if high is not None:
        return f"应不大于 {high}"
    return ""


def _value_problem(message: str) -> str:
    """The reason a value was refused, in Chinese where it is one of the parser's own."""
    checks = (
        (r"valid integer|is not a valid int", "应为整数"),
        (r"valid number|valid float|is not a valid float", "应为数字"),
        (r"not in the range|greater than or equal to|less than or equal to", OUT_OF_RANGE),
        (r"does not exist", "不存在"),
        (r"is a directory", "是一个文件夹，不是文件"),
        (r"is a file", "是一个文件，不是文件夹"),
        (r"not readable", "无法读取"),
        (r"not writable", "无法写入"),
        (r"is not one of|valid choice|Input should be '", "不是可选的值"),
        (r"valid boolean|valid bool", "应为 true 或 false"),
    )
    for pattern, words in checks:
        if re.search(pattern, message, re.I):
            return words
    return message


def chinese_message(exc: Exception) -> str:
    """What a usage error says, in Chinese."""
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    name = _param_name(param)
    message = getattr(exc, "message", str(exc))
    if kind == "NoSuchOption":
        option = getattr(exc, "option_name", "")
        similar = sorted(getattr(exc, "possibilities", None) or [])
        hint = f"（是不是要用 {'、'.join(similar)}？）" if similar else ""
        return f"没有这个选项：{option}{hint}"
    if kind == "MissingParameter":
        what = "选项" if getattr(param, "param_type_name", "") == "option" or name.startswith("-") else "参数"
        return f"缺少{what} {name}" if name else "缺少参数"
    if kind == "BadOptionUsage":
        option = getattr(exc, "option_name", "")
        if re.search(r"requires (an )?argument|requires \d+ arguments", message):
            return f"选项 {option} 后面需要一个值"
        if "does not take a value" in message:
            return f"选项 {option} 不带值"
        return f"选项 {option} 用法不对（{message}）"
    if kind == "BadParameter":
        where = f"选项 {name}" if name.startswith("-") else f"参数 {name}" if name else "参数"
        problem = _value_problem(message)
        if problem == OUT_OF_RANGE:
            problem = _range(param) or problem
        return f"{where} 的值不对：{problem}"
    extra = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", message)
    if extra:
        return f"多余的参数：{extra.group(1)}"
    command = re.match(r"No such command '?([^'.]*)'?\.?(?:\s*Did you mean '?([^'?]*)'?\?)?", message)
    if command:
        hint = f"（是不是要用 {command.group(2)}？）" if command.group(2) else ""
        return f"没有这个命令：{command.group(1)}{hint}"
    if message.startswith("Missing command"):
        return "缺少命令"
    return message


def show_usage_error(exc: Exception) -> int:
    """Say a usage error the way budgetxl says its own errors; returns the exit code."""
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        typer.echo(ctx.get_help())
        return 0
    lines = []
    if ctx is not None:
        lines.append(ctx.get_usage())
        lines.append(f"查看帮助：{ctx.command_path} -h")
    lines.append(f"错误：{chinese_message(exc)}")
    typer.echo("\n".join(lines), err=True)
    return int(getattr(exc, "exit_code", 2) or 2)


# --------------------------------------------------------------------------------------------
# The group: every command gets the Chinese context


class Group(typer.core.TyperGroup):
    """The app's command group: its commands' help and errors in Chinese."""

    context_class = Context

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            command.context_class = Context
        return command

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, *rest: Any,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            # rest: what a caller passes by position after prog_name (complete_var), never standalone_mode
            value = super().main(args, prog_name or PROGRAM, *rest, standalone_mode=False,  # type: ignore[misc]
                                 **extra)
        except _ClickException as exc:
            code = show_usage_error(exc) if isinstance(exc, _UsageError) else _show_other(exc)
            if standalone_mode:
                sys.exit(code)
            raise
        except typer.Abort:
            typer.echo("已中断", err=True)
            if standalone_mode:
                sys.exit(1)
            raise
        if standalone_mode:
            sys.exit(value if isinstance(value, int) else 0)
        return value


def _show_other(exc: Exception) -> int:
    typer.echo(f"错误：{getattr(exc, 'format_message', lambda: str(exc))()}", err=True)
    return int(getattr(exc, "exit_code", 1) or 1)


__all__ = ["HELP_OPTIONS", "Context", "Group", "HelpFormatter", "chinese_message", "show_usage_error"]

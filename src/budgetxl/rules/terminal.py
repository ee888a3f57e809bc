"""A check report for a person at a terminal: one heading per file naming the file, its counts
and its sheet (once), then its findings grouped by severity, each with its code, its cell alone
(or, for a form file, the field in words: 第12个指标的二级指标), the message and the value.

Messages wrap by display width (budgetxl.console.Wrapped), so at 80 columns a finding takes a
line or two; on a narrow terminal the value goes under the message instead of a column of its
own.
"""

from __future__ import annotations

import re

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from budgetxl.console import Wrapped
from budgetxl.fieldwords import describe_field
from budgetxl.report import SEVERITIES, SEVERITY_LABELS, Finding, Report
from budgetxl.rules.check import in_reading_order

STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}
VALUE_CHARS = 30  # a longer value is shortened (never inside a number)
WIDE = 100  # from this width on, the value has a column of its own
HEADINGS = {"severity": "级别", "code": "代码", "where": "位置", "message": "问题", "value": "内容",
            "sheet": "工作表", "clean": "未发现问题"}

_NUMBER_END = re.compile(r"[0-9０-９.,]*")


def shorten(value: str, limit: int = VALUE_CHARS) -> str:
    """`value` on one line, cut after `limit` characters with '…' — but never inside a number."""
    value = value.replace("\n", " ")
    if len(value) <= limit:
        return value
    cut = limit - 1
    if value[cut - 1 : cut].isdigit():
        cut += _NUMBER_END.match(value, cut).end() - cut  # type: ignore[union-attr]
    return value if cut >= len(value) else value[:cut] + "…"


def where(finding: Finding, sheet: str | None) -> str:
    """The cell alone when it is on the file's sheet, sheet!cell on another sheet, else the field
    in words."""
    if finding.cell:
        return finding.cell if finding.sheet in (None, sheet) else f"{finding.sheet}!{finding.cell}"
    return describe_field(finding.field)


def heading(report: Report) -> str:
    """'✗ 文件（错误 2，警告 2，提示 0）  工作表：Sheet1', or '✓ 文件：未发现问题'."""
    counts = report.counts
    summary = "，".join(f"{SEVERITY_LABELS[s]} {counts[s]}" for s in SEVERITIES)
    mark = "✓" if not report.findings else "✗" if not report.valid else "!"
    text = f"{mark} {report.source}" + (f"（{summary}）" if report.findings else f"：{HEADINGS['clean']}")
    sheet = report.extra.get("sheet")
    if sheet and report.findings:
        text += f"  {HEADINGS['sheet']}：{sheet}"
    return text


def render_report(report: Report, console: Console) -> None:
    """One file's findings on `console`: a heading, then a table grouped by severity."""
    console.print(Wrapped(heading(report), style="bold"), highlight=False)
    if not report.findings:
        return
    wide = console.width >= WIDE
    sheet = report.extra.get("sheet")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    table.add_column(HEADINGS["severity"], no_wrap=True)
    table.add_column(HEADINGS["code"], no_wrap=True)
    table.add_column(HEADINGS["where"], max_width=24 if wide else 16)
    table.add_column(HEADINGS["message"])
    if wide:
        table.add_column(HEADINGS["value"], max_width=40)
    last = None
    for f in in_reading_order(report.findings):
        if last is not None and f.severity != last:
            table.add_section()
        last = f.severity
        value = shorten(f.value or "")
        message: Wrapped | Group = Wrapped(f.message)
        if value and not wide:
            message = Group(Wrapped(f.message), Wrapped(f"{HEADINGS['value']}：{value}", style="dim"))
        cells: list[RenderableType] = [Text(SEVERITY_LABELS[f.severity], style=STYLES[f.severity]), Text(f.code),
                                       Wrapped(where(f, sheet)), message]
        if wide:
            cells.append(Wrapped(value))
        table.add_row(*cells)
    console.print(table, highlight=False)


__all__ = ["HEADINGS", "render_report", "shorten", "where"]

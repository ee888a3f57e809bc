"""`budgetxl check`: what is wrong in each returned workbook, and where."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from budgetxl.cli.app import EXIT_FAIL, EXIT_OK, EXIT_USAGE, DebugOpt, JsonOpt, app, fail, stderr, stdout
from budgetxl.cli.html_opts import HtmlOpt, check_html_target, save_html
from budgetxl.errors import BudgetxlError
from budgetxl.report import SEVERITIES, SEVERITY_LABELS, Report
from budgetxl.rules.check import check_file_forms, in_reading_order
from budgetxl.cli.score_cmd import ProfileOpt, check_profile

StrictOpt = Annotated[bool, typer.Option("--strict", help="Warnings fail too: exit 1 when there are warnings.")]
AnnotateOpt = Annotated[
    Path | None,
    typer.Option(
        "--annotate",
        metavar="OUT.xlsx",
        help="Write a marked copy of the workbook (cells highlighted, comments, a first sheet 审核结果). "
        "With several files, OUT is a folder that receives <name>-审核.xlsx for each.",
    ),
]

TargetsOpt = Annotated[
    Path | None,
    typer.Option("--targets", metavar="TARGETS", help="The approved target table (.xlsx/.xls/.ods or .yaml/.json): "
                                                      "self-evaluations are checked for indicators added, dropped or "
                                                      "changed against it."),
]

STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _load_targets(path: Path, debug: bool) -> object:
    """The approved target table for --targets; one that cannot be read is a usage error."""
    from budgetxl.scoring.targets import load_targets

    try:
        return load_targets(path)
    except BudgetxlError as exc:
        if debug:
            raise
        raise fail(f"--targets {exc}", EXIT_USAGE) from None
VALUE_WIDTH = 30


def _say(message: str) -> None:
    stderr.print(message, markup=False, highlight=False)


def _annotation_target(file: Path, annotate_to: Path, several: bool) -> Path:
    return annotate_to / f"{file.stem}-审核.xlsx" if several else annotate_to


def _check_arguments(files: list[Path], annotate_to: Path | None) -> None:
    if annotate_to is None:
        return
    from budgetxl.rules.annotate import ANNOTATABLE  # openpyxl, only when annotating

    not_xlsx = [str(f) for f in files if f.suffix.lower() not in ANNOTATABLE]
    if not_xlsx:
        raise fail(f"--annotate 只能用于 .xlsx 工作簿（可先另存为 .xlsx）：{'、'.join(not_xlsx)}", EXIT_USAGE)
    if len(files) > 1:
        if annotate_to.exists() and not annotate_to.is_dir():
            raise fail(f"{annotate_to}: 检查多个文件时 --annotate 应为一个文件夹", EXIT_USAGE)
        stems = [f.stem for f in files]
        if len(set(stems)) != len(stems):
            raise fail("--annotate: 有同名的文件，标注副本会互相覆盖，请分批检查", EXIT_USAGE)
    elif annotate_to.suffix.lower() not in ANNOTATABLE:
        raise fail(f"{annotate_to}: 标注副本应保存为 .xlsx 文件", EXIT_USAGE)
    inputs = {f.resolve() for f in files}
    for f in files:
        if _annotation_target(f, annotate_to, len(files) > 1).resolve() in inputs:
            raise fail(f"{annotate_to}: 标注副本不能覆盖原文件，请换一个文件名", EXIT_USAGE)


def render_report(report: Report) -> None:
    """One file's findings on the terminal: a table grouped by severity."""
    counts = report.counts
    summary = "，".join(f"{SEVERITY_LABELS[s]} {counts[s]}" for s in SEVERITIES)
    if not report.findings:
        stdout.print(f"✓ {report.source}：未发现问题", markup=False, highlight=False)
        return
    mark = "✗" if not report.valid else "!"
    table = Table(title=Text(f"{mark} {report.source}（{summary}）"), title_justify="left")
    for name, kwargs in (
        ("级别", {"no_wrap": True}),
        ("代码", {"no_wrap": True}),
        ("位置", {"no_wrap": True}),
        ("问题", {"ratio": 3, "overflow": "fold"}),
        ("内容", {"ratio": 1, "overflow": "fold"}),
    ):
        table.add_column(name, **kwargs)
    last = None
    for f in in_reading_order(report.findings):
        if last is not None and f.severity != last:
            table.add_section()
        last = f.severity
        value = (f.value or "").replace("\n", " ")
        if len(value) > VALUE_WIDTH:
            value = value[: VALUE_WIDTH - 1] + "…"
        table.add_row(
            Text(SEVERITY_LABELS[f.severity], style=STYLES[f.severity]),
            Text(f.code),
            Text(f.where),
            Text(f.message),
            Text(value),
        )
    stdout.print(table, highlight=False)


@app.command()
def check(
    files: Annotated[
        list[Path],
        typer.Argument(help="Workbooks (.xlsx, .xls, .ods) or form files (.yaml, .json) to check.", show_default=False),
    ],
    json_: JsonOpt = False,
    strict: StrictOpt = False,
    annotate_to: AnnotateOpt = None,
    html: HtmlOpt = None,
    profile: ProfileOpt = None,
    targets: TargetsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Check filled forms: every finding with its code, severity, sheet!cell and a message in Chinese.

    Self-evaluations (绩效自评表) are scored under their profile (--profile to choose another) and,
    with --targets, compared with the approved target table.

    Exit 0 when no file has errors (warnings allowed unless --strict), 1 when one has errors,
    2 for usage errors or when a file cannot be read (the other files are still checked).
    """
    _check_arguments(files, annotate_to)
    check_html_target(html, files)
    check_profile(profile)
    approved = _load_targets(targets, debug) if targets is not None else None
    reports: list[Report] = []
    unreadable = failed = 0
    for file in files:
        try:
            # each form sheet of a workbook is a return of its own
            forms = check_file_forms(file, profile=profile, approved=approved)
        except BudgetxlError as exc:
            if debug:
                raise
            _say(f"错误：{exc}")
            unreadable += 1
            continue
        except Exception as exc:  # noqa: BLE001 - one file's surprise must not stop the batch
            if debug:
                raise
            _say(f"错误：{file}: 意外错误 {type(exc).__name__}: {exc}（加 --debug 可查看详细信息）")
            unreadable += 1
            continue
        reports.extend(forms)
        report = forms[0] if len(forms) == 1 else Report(
            tuple(f for r in forms for f in r.findings), source=forms[0].source, extra=forms[0].extra)
        if annotate_to is not None:
            out = _annotation_target(file, annotate_to, len(files) > 1)
            try:
                from budgetxl.rules.annotate import annotate

                annotate(file, report, out)
            except BudgetxlError as exc:
                if debug:
                    raise
                _say(f"错误：{exc}")
                failed += 1
            else:
                _say(f"已写入标注副本 {out}")
    if html is not None:
        from budgetxl.html import check_html

        read_ok = {r.source for r in reports}
        unread = [str(f) for f in files if str(f) not in read_ok]
        failed += not save_html(html, lambda: check_html(reports, unread), debug)
    if json_:
        if len(files) == 1 and len(reports) <= 1:
            if reports:
                stdout.print(reports[0].to_json(), markup=False, highlight=False, soft_wrap=True)
        else:
            text = json.dumps([r.to_data() for r in reports], ensure_ascii=False, indent=2)
            stdout.print(text, markup=False, highlight=False, soft_wrap=True)
    else:
        for report in reports:
            render_report(report)
    with_errors = sum(1 for r in reports if not r.valid)
    with_warnings = sum(1 for r in reports if r.counts["warning"])
    if len(files) > 1 or len(reports) > 1:
        _say(
            f"共 {len(files)} 个文件：{with_errors} 个有错误，{with_warnings} 个有警告"
            + (f"，{unreadable} 个无法读取" if unreadable else "")
        )
    if unreadable:
        raise typer.Exit(EXIT_USAGE)
    if with_errors or failed or (strict and with_warnings):
        raise typer.Exit(EXIT_FAIL)
    raise typer.Exit(EXIT_OK)

"""`budgetxl check`: what is wrong in each returned workbook, and where."""

import json
from pathlib import Path
from typing import Annotated, Any, Iterator

import typer

from budgetxl.cli.app import (
    EXIT_FAIL,
    EXIT_OK,
    EXIT_USAGE,
    WORKBOOK_TYPES,
    DebugOpt,
    JsonOpt,
    app,
    describe_unexpected,
    fail,
    guard_outputs,
    stderr,
    stdout,
)
from budgetxl.cli.html_opts import HtmlOpt, check_html_target, save_html
from budgetxl.cli.score_cmd import ProfileOpt, check_profile
from budgetxl.errors import BudgetxlError
from budgetxl.report import Report

StrictOpt = Annotated[bool, typer.Option("--strict", help="警告也算不通过：有警告时退出码为 1。")]
AnnotateOpt = Annotated[
    Path | None,
    typer.Option(
        "--annotate",
        metavar="标注.xlsx",
        help="另存一份标注副本：有问题的单元格标色并加批注，第一个工作表“审核结果”列出全部问题。"
        "审核多个文件时这里给一个文件夹，每个文件生成 <文件名>-审核.xlsx。",
    ),
]


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
    elif annotate_to.suffix.lower() != ".xlsx":
        raise fail(f"{annotate_to}: 标注副本应保存为 .xlsx 文件", EXIT_USAGE)
    guard_outputs(files, *(_annotation_target(f, annotate_to, len(files) > 1) for f in files))


TargetsOpt = Annotated[
    Path | None,
    typer.Option("--targets", metavar="目标表", help="批复的绩效目标表（工作簿或 .yaml、.json）："
                                                   "核对绩效自评表中的指标与目标表相比有无增删或改动。"),
]


def _load_targets(path: Path, debug: bool) -> object:
    """The approved target table for --targets; one that cannot be read is a usage error."""
    from budgetxl.scoring.targets import load_targets

    try:
        return load_targets(path)
    except BudgetxlError as exc:
        if debug:
            raise
        raise fail(f"--targets {exc}", EXIT_USAGE) from None


def _checked(files: list[Path], debug: bool, profile: str | None = None,
             approved: object = None) -> Iterator[tuple[Path, list[Report] | None, str | None]]:
    """(file, its reports, None) or (file, None, why it could not be read), in order; each form
    sheet of a workbook is a return of its own. Several files are read in worker processes, so
    that one that crashes or hangs its reader is reported as such and the others are still
    checked; one file is read here. Self-evaluations are scored under `profile` and compared
    with the `approved` targets."""
    from budgetxl.rules.check import check_file_forms, check_files

    if len(files) > 1 and not debug:
        yield from check_files(files, profile=profile, approved=approved)
        return
    for file in files:
        try:
            yield file, check_file_forms(file, profile=profile, approved=approved), None
        except BudgetxlError as exc:
            if debug:
                raise
            yield file, None, str(exc)
        except Exception as exc:
            if debug:
                raise
            message, _ = describe_unexpected(exc)
            yield file, None, f"{file}: {message}"


def _unzipped(files: list[Path], annotate_to: Path | None) -> tuple[list[Any], list[tuple[str, str]]]:
    """The files, each zip of returns replaced by the workbooks in it (each checked as a file);
    and the zips that cannot be read, with why."""
    from budgetxl.read.archive import expand, is_archive

    if not any(is_archive(f) for f in files):
        return files, []
    if annotate_to is not None:
        raise fail("--annotate 不能用于压缩包中的工作簿（标注副本要写成单独的文件）；"
                   "请先解压，再检查解压出的工作簿", EXIT_USAGE)
    notes: list[str] = []
    items, broken, _ = expand(files, notes)
    for note in notes:
        _say(f"提示：{note}")
    return items, broken


def render_report(report: Report) -> None:
    """One file's findings on the terminal (budgetxl.rules.terminal)."""
    from budgetxl.rules.terminal import render_report as show

    show(report, stdout)


@app.command(short_help="审核填好的表：每个问题给出代码、级别、单元格和中文说明。")
def check(
    files: Annotated[
        list[Path],
        typer.Argument(help=f"要审核的工作簿（{WORKBOOK_TYPES}）、装有交回工作簿的 .zip，或表单文件（.yaml、.json）。",
                       show_default=False,
                       metavar="文件"),
    ],
    json_: JsonOpt = False,
    strict: StrictOpt = False,
    annotate_to: AnnotateOpt = None,
    html: HtmlOpt = None,
    profile: ProfileOpt = None,
    targets: TargetsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """审核填好的表：每个问题给出代码、级别、所在单元格（表单文件给出字段）和中文说明，可一次审核多个文件。

    绩效自评表按其评分规则重新计分并核对（--profile 换用其他评分规则），加 --targets 时还与批复的目标表核对。

    退出码：0 没有文件有错误（允许警告；加 --strict 时警告也算不通过）；1 有文件有错误；
    2 用法错误，或有文件无法读取（其他文件照常审核）。
    """
    _check_arguments(files, annotate_to)
    check_html_target(html, files)
    check_profile(profile)
    approved = _load_targets(targets, debug) if targets is not None else None
    reports: list[Report] = []
    unreadable = failed = 0
    reasons: dict[str, str] = {}  # unreadable file → why, for the web page
    files, broken = _unzipped(files, annotate_to)
    for zipped, why in broken:
        _say(f"错误：{why}")
        reasons[zipped] = why
        unreadable += 1
    for file, forms, problem in _checked(files, debug, profile, approved):
        if forms is None:
            _say(f"错误：{problem}")
            reasons[str(file)] = problem or ""
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
        unread = [(str(f), reasons.get(str(f), "")) for f in files if str(f) not in read_ok] + broken
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

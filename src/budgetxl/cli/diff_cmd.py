"""`budgetxl diff`: compare a unit's forms of consecutive years."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from budgetxl.cli.app import EXIT_USAGE, DebugOpt, JsonOpt, app, fail, handle_errors, stderr, stdout
from budgetxl.cli.html_opts import HtmlOpt, check_html_target, save_html
from budgetxl.diff import diff_forms
from budgetxl.diff.data import diff_data, series_data, to_json
from budgetxl.diff.inputs import load_compared
from budgetxl.diff.terminal import render_diff, render_series
from budgetxl.diff.trend import diff_series
from budgetxl.diff.xlsx import write_comparison
from budgetxl.errors import InputError, ReadError


OLD_HELP = "The earlier form: a workbook (.xlsx/.xls/.ods) or a form file (.yaml/.json)."
MORE_HELP = "Further years, oldest first: each consecutive pair is compared."
OUTPUT_HELP = "Write the comparison workbook (.xlsx) here."


@app.command()
@handle_errors()
def diff(
    old: Annotated[Path, typer.Argument(help=OLD_HELP)],
    new: Annotated[Path, typer.Argument(help="The later form, likewise.")],
    more: Annotated[list[Path] | None, typer.Argument(help=MORE_HELP)] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help=OUTPUT_HELP)] = None,
    json_: JsonOpt = False,
    html: HtmlOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Compare forms year over year: budget lines, tasks and indicators added, removed or changed.

    TARGETS SELFEVAL NEXT_TARGETS (a target table, the self-evaluation of its year, next year's
    target table) shows per indicator target → actual → next year's target, and flags next year's
    targets set below this year's actual, targets left unchanged, failed indicators dropped.
    """
    paths = [old, new, *(more or [])]
    if output is not None and output.suffix.lower() != ".xlsx":
        raise fail(f"{output}: 比对结果应保存为 .xlsx 文件", EXIT_USAGE)
    check_html_target(html, paths)
    try:
        loaded = [load_compared(p) for p in paths]
    except (InputError, ReadError) as exc:
        if debug:
            raise
        raise fail(str(exc), EXIT_USAGE) from None
    for item in loaded:
        if item.findings:
            stderr.print(
                f"提示：读取 {item.path} 时有 {len(item.findings)} 条发现（可用 budgetxl check 查看），比对照常进行",
                markup=False,
                highlight=False,
            )
    forms = [item.form for item in loaded]
    sources = [str(p) for p in paths]
    if any(getattr(f, "kind", "department") == "selfeval" for f in forms):
        _loop(forms, sources, output, json_, html)
        return
    result = diff_forms(forms[0], forms[1]) if len(forms) == 2 else diff_series(forms)
    pairs = [result] if len(forms) == 2 else list(result.diffs)  # type: ignore[union-attr]
    for pair in pairs:
        for warning in pair.warnings:
            stderr.print(f"警告：{warning}", markup=False, highlight=False)
    if output is not None:
        write_comparison(output, result, forms, sources)
        stderr.print(f"已写入 {output}", markup=False, highlight=False)
    if html is not None:
        from budgetxl.html import diff_html

        if not save_html(html, lambda: diff_html(result, sources), debug):
            raise typer.Exit(1)
    if json_:
        if len(forms) == 2:
            data = diff_data(result, (sources[0], sources[1]))  # type: ignore[arg-type]
        else:
            data = series_data(result, tuple(sources))  # type: ignore[arg-type]
        stdout.print(to_json(data), markup=False, highlight=False, soft_wrap=True)
    elif output is None:
        if len(forms) == 2:
            render_diff(result, stdout, forms)  # type: ignore[arg-type]
        else:
            render_series(result, stdout, forms)  # type: ignore[arg-type]


def _loop(forms: list, sources: list[str], output: Path | None, json_: bool, html: Path | None) -> None:
    """TARGETS SELFEVAL NEXT_TARGETS: per indicator, target → actual → next year's target."""
    kinds = [getattr(f, "kind", "department") for f in forms]
    if len(forms) != 3 or kinds[1] != "selfeval" or "selfeval" in (kinds[0], kinds[2]):
        raise fail("绩效自评表只能这样比较：budgetxl diff 本年目标表 本年自评表 下一年目标表"
                   "（目标表与自评表之间不做逐项比对）", EXIT_USAGE)
    if html is not None:
        raise fail("--html 暂不用于目标—自评—下一年目标的比较；请用 -o 保存为 .xlsx 或用 --json", EXIT_USAGE)
    from budgetxl.diff.loop import loop_diff
    from budgetxl.diff.loop_output import render_loop, write_loop

    loop = loop_diff(forms[0], forms[1], forms[2])
    for warning in loop.warnings:
        stderr.print(f"警告：{warning}", markup=False, highlight=False)
    if output is not None:
        write_loop(output, loop, sources)
        stderr.print(f"已写入 {output}", markup=False, highlight=False)
    if json_:
        stdout.print(loop.to_json(sources), markup=False, highlight=False, soft_wrap=True)
    elif output is None:
        render_loop(loop, stdout, sources)

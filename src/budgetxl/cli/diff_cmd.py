"""`budgetxl diff`: compare a unit's forms of consecutive years."""

from pathlib import Path
from typing import Annotated, Any

import typer

from budgetxl.cli.app import (
    EXIT_USAGE,
    WORKBOOK_TYPES,
    DebugOpt,
    JsonOpt,
    app,
    describe_unexpected,
    fail,
    guard_outputs,
    handle_errors,
    stderr,
    stdout,
)
from budgetxl.cli.html_opts import HtmlOpt, check_html_target, save_html
from budgetxl.errors import InputError, ReadError
from budgetxl.fileio import is_stdout

OLD_HELP = (f"较早年度的表：工作簿（{WORKBOOK_TYPES}）或表单文件（.yaml、.json）；"
            "也可以是一个部门的一批项目表（文件夹，或含多张项目表的工作簿）。")
MORE_HELP = "更多年度的表（按年度先后）：相邻两年逐对比对，并给出历年趋势。"
OUTPUT_HELP = "把比对结果写成工作簿（.xlsx）。"


@app.command(short_help="逐年比对：预算、任务和指标的新增、取消与调整。")
@handle_errors()
def diff(
    old: Annotated[Path, typer.Argument(help=OLD_HELP, metavar="上年表")],
    new: Annotated[Path, typer.Argument(help="较晚年度的表，同上。", metavar="本年表")],
    more: Annotated[list[Path] | None, typer.Argument(help=MORE_HELP, metavar="更多年度")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", metavar="比对.xlsx", help=OUTPUT_HELP)] = None,
    json_: JsonOpt = False,
    html: HtmlOpt = None,
    debug: DebugOpt = False,
) -> None:
    """比对同一单位相邻年度的表（较早的在前）：预算各项的增减，任务和指标的新增、取消、调整，指标值的升降。

    本年目标表 本年自评表 下一年目标表：逐个指标列出 目标 → 实际完成 → 得分 → 下一年目标，
    标出下一年指标值低于本年实际、指标值未调整、未完成的指标被删去等情况。

    上年表、本年表是一个部门两年的项目表（两个文件夹，或各含多张项目表的工作簿）时，按项目代码和名称配对，
    逐对比对，并列出新增、取消的项目（只在终端显示或用 --json 输出）。

    不加选项时在终端显示比对结果；-o 写比对工作簿，--json 输出 JSON，--html 写网页。
    只要比对完成，退出码就是 0（有差异不算错误）；输入无法读取时为 2。
    """
    from budgetxl.diff import diff_forms
    from budgetxl.diff.data import diff_data, series_data, to_json
    from budgetxl.diff.inputs import load_compared
    from budgetxl.diff.terminal import render_diff, render_series
    from budgetxl.diff.trend import SeriesDiff, diff_series
    from budgetxl.diff.xlsx import write_comparison

    paths = [old, new, *(more or [])]
    if output is not None and output.suffix.lower() != ".xlsx":
        raise fail(f"{output}: 比对结果应保存为 .xlsx 文件", EXIT_USAGE)
    if len(paths) == 2 and _project_sets(paths, debug):
        _diff_project_sets(paths, output, json_, html, debug)
        return
    check_html_target(html, paths)
    guard_outputs(paths, output)
    loaded = []
    for p in paths:
        try:
            loaded.append(load_compared(p))
        except (InputError, ReadError) as exc:  # an input that cannot be read: exit 2
            if debug:
                raise
            raise fail(str(exc), EXIT_USAGE) from None
        except (ArithmeticError, RecursionError, UnicodeError) as exc:  # an input no reader expected
            if debug:
                raise
            raise fail(f"{p}: 无法读取（{describe_unexpected(exc)[0]}）", EXIT_USAGE) from None
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
        _loop(forms, sources, output, json_, html, debug)
        return
    result = diff_forms(forms[0], forms[1]) if len(forms) == 2 else diff_series(forms)
    pairs = list(result.diffs) if isinstance(result, SeriesDiff) else [result]
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
    elif output is None and not is_stdout(html):  # the page alone when it goes to standard output
        if len(forms) == 2:
            render_diff(result, stdout, forms)  # type: ignore[arg-type]
        else:
            render_series(result, stdout, forms)  # type: ignore[arg-type]


def _project_sets(paths: list[Path], debug: bool) -> bool:
    """Whether the two paths are sets of projects (a folder, or a workbook of several forms)."""
    from budgetxl.diff.project_sets import holds_several

    try:
        return any(holds_several(p) for p in paths)
    except (InputError, ReadError) as exc:
        if debug:
            raise
        raise fail(str(exc), EXIT_USAGE) from None


def _diff_project_sets(paths: list[Path], output: Path | None, json_: bool, html: Path | None, debug: bool) -> None:
    """A department's projects of two years: paired by code and name, each pair compared."""
    from budgetxl.diff.data import to_json
    from budgetxl.diff.project_sets import PAIRED_BY, diff_project_folders, set_data
    from budgetxl.diff.terminal import render_diff

    if html is not None:
        raise fail("按项目比对一个部门两年的项目时，暂不生成网页报告；请用 -o 保存为比对工作簿（.xlsx）"
                   "或用 --json；要得到某个项目的网页报告，请逐个项目比对"
                   "（budgetxl diff 上年项目表 本年项目表 --html …）", EXIT_USAGE)
    guard_outputs(paths, output)
    try:
        result = diff_project_folders(paths[0], paths[1])
    except (InputError, ReadError) as exc:
        if debug:
            raise
        raise fail(str(exc), EXIT_USAGE) from None
    if output is not None:
        from budgetxl.diff.xlsx import write_project_sets

        write_project_sets(output, result)
        stderr.print(f"已写入 {output}", markup=False, highlight=False)
    if json_:
        stdout.print(to_json(set_data(result)), markup=False, highlight=False, soft_wrap=True)
        return
    if output is not None:
        return
    pairs = result.pairing

    def say(text: str) -> None:
        stdout.print(text, markup=False, highlight=False)

    say(f"项目配对：{len(pairs.pairs)} 对，新增 {len(pairs.added)} 个，取消 {len(pairs.removed)} 个")
    for j in pairs.added:
        say(f"新增项目：{result.new[j].form.name}（{result.new[j].source}）")
    for i in pairs.removed:
        say(f"取消项目：{result.old[i].form.name}（{result.old[i].source}）")
    for p, d in zip(pairs.pairs, result.diffs):
        stdout.rule()
        how = PAIRED_BY[p.by] + (f"，相似度 {p.similarity:.3f}" if p.similarity is not None else "")
        say(f"{result.old[p.old].source} → {result.new[p.new].source}（{how}）")
        render_diff(d, stdout, (result.old[p.old].form, result.new[p.new].form))
def _loop(forms: list[Any], sources: list[str], output: Path | None, json_: bool, html: Path | None,
          debug: bool = False) -> None:
    """TARGETS SELFEVAL NEXT_TARGETS: per indicator, target → actual → next year's target."""
    kinds = [getattr(f, "kind", "department") for f in forms]
    if len(forms) != 3 or kinds[1] != "selfeval" or "selfeval" in (kinds[0], kinds[2]):
        raise fail("绩效自评表只能这样比较：budgetxl diff 本年目标表 本年自评表 下一年目标表"
                   "（目标表与自评表之间不做逐项比对）", EXIT_USAGE)
    from budgetxl.diff.loop import loop_diff
    from budgetxl.diff.loop_output import render_loop, write_loop

    loop = loop_diff(forms[0], forms[1], forms[2])
    for warning in loop.warnings:
        stderr.print(f"警告：{warning}", markup=False, highlight=False)
    if output is not None:
        write_loop(output, loop, sources)
        stderr.print(f"已写入 {output}", markup=False, highlight=False)
    if html is not None:
        from budgetxl.html import loop_html

        if not save_html(html, lambda: loop_html(loop, sources), debug):
            raise typer.Exit(1)
    if json_:
        stdout.print(loop.to_json(sources), markup=False, highlight=False, soft_wrap=True)
    elif output is None and not is_stdout(html):
        render_loop(loop, stdout, sources)

"""`budgetxl collect`: a folder of returned workbooks into one summary (and tidy CSV tables)."""

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from budgetxl.cli.app import (
    EXIT_FAIL,
    EXIT_OK,
    WORKBOOK_TYPES,
    DebugOpt,
    JobsOpt,
    app,
    fail,
    handle_errors,
    stderr,
    stdout,
)
from budgetxl.summary_sheets import PROJECT_SHEETS, SELFEVAL_SHEETS, SHEETS


class CsvLang(str, Enum):
    """Languages of the CSV headings (budgetxl.collect.tidy.LANGUAGES)."""

    zh = "zh"
    en = "en"


def _sheet_names(*names: str) -> str:
    return "".join(f"“{n}”" for n in names)


# The help names the summary's sheets as they are written (collect.styles, projects, selfeval).
COLLECT_HELP = f"""并行读取并审核交回的每个工作簿，写成一份汇总工作簿。

    工作簿可以是 {WORKBOOK_TYPES}（按内容识别），也可以是装有交回工作簿的 .zip；文件夹中扩展名为
    .xml、.htm、.html 的文件是表格时也汇总，其他文件跳过并逐个列出。

    汇总工作簿有{_sheet_names(SHEETS["summary"], SHEETS["findings"])}两个工作表；
    加 --previous 时有{_sheet_names(SHEETS["compare"])}；
    有项目支出绩效目标表时有{_sheet_names(*PROJECT_SHEETS.values())}；
    有绩效自评表时有{_sheet_names(*SELFEVAL_SHEETS.values())}。

    退出码：0 全部读取且没有错误（允许警告）；1 有文件有错误或无法读取；2 用法错误。
    """


@app.command(short_help="并行读取、审核一批交回的工作簿，写成一份汇总工作簿。", help=COLLECT_HELP)
@handle_errors(exit_code=2)
def collect(
    # text, not Path: ten thousand files named one by one (returns/*.xlsx) cost a Path each, kept
    # for the whole run; collect names them as pathlib would (collect.files.shown)
    inputs: Annotated[list[str], typer.Argument(help="要汇总的文件夹（含子文件夹）、工作簿文件或装有工作簿的 .zip。",
                                                metavar="文件夹或文件")],
    output: Annotated[Path | None, typer.Option("-o", "--output", metavar="汇总.xlsx",
                                                help="要写的汇总工作簿（.xlsx）。")] = None,
    previous: Annotated[Path | None, typer.Option("--previous", metavar="文件夹",
                                                  help="上年交回的表所在的文件夹，用于与上年比较。")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", metavar="文件夹",
                                             help="同时把整理好的数据表"
                                                  "（forms、tasks、indicators、findings 四个 CSV 文件，"
                                                  "有绩效自评表时另有 results）"
                                                  "写到这个文件夹。")] = None,
    csv_lang: Annotated[CsvLang, typer.Option("--csv-lang", metavar="语言",
                                              help="CSV 表头的语言：zh 中文（默认，适合用 Excel 打开），"
                                                   "en 英文列名（适合程序处理）。")] = CsvLang.zh,
    jobs: JobsOpt = None,
    debug: DebugOpt = False,
) -> None:
    # The help is COLLECT_HELP, above.
    if output is None:
        raise fail("请用 -o 指定汇总工作簿的保存位置，例如 -o 汇总.xlsx", 2)
    if output.suffix.lower() != ".xlsx":
        raise fail(f"{output}: 汇总工作簿应以 .xlsx 结尾", 2)
    from budgetxl.collect import collect as collect_files
    from budgetxl.collect.files import shown
    from budgetxl.collect.styles import STATUS_LABELS

    result = collect_files([shown(p) for p in inputs], output, previous=previous, csv_dir=csv, jobs=jobs,
                           csv_lang=csv_lang.value)
    counts = result.counts
    stdout.print(str(result.output), markup=False, highlight=False)
    if result.csv_dir is not None:
        from budgetxl.collect.tidy import COLUMNS as TABLES

        for name in TABLES:
            stdout.print(str(result.csv_dir / f"{name}.csv"), markup=False, highlight=False)
    parts = [f"{STATUS_LABELS[s]} {n}" for s, n in counts.items() if n]
    line = f"共 {len(result.records)} 个工作簿：" + "，".join(parts)
    if result.duplicates:
        line += f"；{result.duplicates} 个文件与其他文件属同一单位同一年度（重复提交）"
    if result.skipped:
        line += f"；跳过 {result.skipped} 个非电子表格文件"
    stderr.print(line, markup=False, highlight=False)
    for path, why in result.skipped_files:
        stderr.print(f"跳过 {path}: {why}", markup=False, highlight=False)
    for note in result.notes:
        stderr.print(f"提示：{note}", markup=False, highlight=False)
    for rec in result.unreadable():
        stderr.print(f"无法读取 {rec.source}: {rec.reason}", markup=False, highlight=False)
    if result.compared:
        projects = sum(1 for k in result.missing if k.kind == "project")
        whose = f"{len(result.missing) - projects} 个单位" + (f"、{projects} 个项目" if projects else "")
        stderr.print(f"与上年比较：上年有 {whose}本年没有文件；"
                     f"{len(result.previous_unreadable)} 个上年文件无法读取", markup=False, highlight=False)
    failed = counts["errors"] or counts["unreadable"]
    raise typer.Exit(EXIT_FAIL if failed else EXIT_OK)

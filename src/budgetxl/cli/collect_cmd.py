"""`budgetxl collect`: a folder of returned workbooks into one summary (and tidy CSV tables)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from budgetxl.cli.app import EXIT_FAIL, EXIT_OK, DebugOpt, JobsOpt, app, fail, handle_errors, stderr, stdout
from budgetxl.collect import collect as collect_files
from budgetxl.collect.styles import STATUS_LABELS


@app.command()
@handle_errors(exit_code=2)
def collect(
    inputs: Annotated[list[Path], typer.Argument(help="Folders (searched recursively) or workbook files.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="The summary workbook to write (.xlsx).")] = None,
    previous: Annotated[Path | None, typer.Option("--previous", help="Folder of last year's returns to compare with.")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write tidy CSV tables (forms, tasks, indicators, findings, results of self-evaluations) into this folder.")] = None,
    jobs: JobsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Read and check every returned workbook (.xlsx/.xls/.ods) in parallel and write one summary workbook."""
    if output is None:
        raise fail("请用 -o 指定汇总工作簿的保存位置，例如 -o 汇总.xlsx", 2)
    if output.suffix.lower() != ".xlsx":
        raise fail(f"{output}: 汇总工作簿应以 .xlsx 结尾", 2)
    result = collect_files(inputs, output, previous=previous, csv_dir=csv, jobs=jobs)
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
    for rec in result.records:
        if rec.status == "unreadable":
            stderr.print(f"无法读取 {rec.path}: {rec.reason}", markup=False, highlight=False)
    if result.compared:
        stderr.print(f"与上年比较：上年有 {len(result.missing)} 个单位本年没有文件；"
                     f"{len(result.previous_unreadable)} 个上年文件无法读取", markup=False, highlight=False)
    failed = counts["errors"] or counts["unreadable"]
    raise typer.Exit(EXIT_FAIL if failed else EXIT_OK)

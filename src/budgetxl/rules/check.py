"""Checking a file: a workbook (reader findings + rule findings, each on its sheet!cell) or a
YAML/JSON form (rule findings on field paths)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, Sequence

from budgetxl.batch import FILE_TIMEOUT_SECONDS
from budgetxl.errors import ReadError
from budgetxl.filenames import FORM_FILE_SUFFIXES as DATA_SUFFIXES
from budgetxl.model import Form, format_amount, read_data
from budgetxl.read import load_grid, read_grid
from budgetxl.read.archive import Member, Source
from budgetxl.read.grid import parse_ref
from budgetxl.read.parse import ReadResult
from budgetxl.report import SEVERITIES, Finding, Report
from budgetxl.rules.amounts import FORMULA_OVERWRITTEN, TOLERANCE, TOTAL_DIFFERS
from budgetxl.rules.validate import check_data, validate

TOTAL_SUFFIX = ".total"


def check_file(path: str | Path, sheet: str | None = None) -> Report:
    """Check a workbook (.xlsx, .xls, .ods) holding one form (or the form on `sheet`), or a
    YAML/JSON form. An unreadable file raises ReadError or InputError (one clear message naming
    the file); so does a workbook holding several forms (see `check_file_forms`)."""
    return single_report(check_file_forms(path, sheet), path)


def check_file_forms(path: str | Path | Member, sheet: str | None = None, *, profile: str | None = None,
                     approved: Any = None) -> list[Report]:
    """One report per form of the file: a YAML/JSON form, or each form sheet of a workbook (also
    a workbook inside a zip of returns: a Member). Self-evaluations are scored under `profile` and
    compared with the `approved` targets (a Form)."""
    if isinstance(path, Member):
        return [report for _, report in read_and_check(path, sheet, profile=profile, approved=approved)]
    path = Path(path)
    if path.suffix.lower() in DATA_SUFFIXES:
        return [check_data(read_data(path), str(path), profile=profile, approved=approved)]
    return [report for _, report in read_and_check(path, sheet, profile=profile, approved=approved)]


def check_files(
    paths: Sequence[str | Path],
    *,
    jobs: int | None = None,
    progress: bool | None = None,
    timeout: float | None = -1.0,
    profile: str | None = None,
    approved: Any = None,
) -> Iterator[tuple[Path, list[Report] | None, str | None]]:
    """Check several files, each in a worker process of the batch runner (as `collect` reads
    them): (path, its reports, None) per file in order (one report per form sheet, see
    check_file_forms), or (path, None, why) for a file that could not
    be read, whose reading raised, crashed its worker or ran past `timeout` seconds (by default
    FILE_TIMEOUT_SECONDS; None: no limit). One bad file never stops the others."""
    from budgetxl.batch import iter_batch

    if timeout is not None and timeout < 0:
        timeout = FILE_TIMEOUT_SECONDS  # the default, as collect has it
    import functools

    work = check_file_forms if profile is None and approved is None else functools.partial(
        check_file_forms, profile=profile, approved=approved)  # self-evaluations' options
    items = [p if isinstance(p, Member) else Path(p) for p in paths]
    for o in iter_batch(work, items, jobs=jobs, progress=progress,
                        description="审核", timeout=timeout):
        if o.ok:
            yield o.item, o.value, None
        elif o.kind == "error" and o.error_type in _CLEAR_ERRORS:
            yield o.item, None, o.error
        elif o.kind == "error":
            yield o.item, None, f"{o.item}: 读取时发生意外错误（{o.error}）"
        else:
            yield o.item, None, f"{o.item}: {o.error}"


_CLEAR_ERRORS = ("ReadError", "InputError", "UsageError", "OutputError", "BudgetxlError")


def check_workbook(path: str | Path, sheet: str | None = None) -> Report:
    """Read a workbook and check its form: what the reader noticed, then every rule, each finding
    placed on the sheet and A1 cell its field came from."""
    return single_report([report for _, report in read_and_check(path, sheet)], path)


def single_report(reports: list[Report], path: Source) -> Report:
    if len(reports) == 1:
        return reports[0]
    names = "、".join(f"“{r.extra.get('sheet')}”" for r in reports)
    raise ReadError(f"{path}: 工作簿中有 {len(reports)} 张目标表（工作表 {names}），请指定要检查的工作表（--sheet）")


def read_and_check(path: Source, sheet: str | None = None, *, profile: str | None = None,
                   approved: Any = None) -> list[tuple[ReadResult, Report]]:
    """Each form of the workbook read back with its report (for callers that need the forms too,
    such as collect): one per form sheet, in sheet order."""
    return [(result, check_result(result, profile=profile, approved=approved))
            for result in read_grid(load_grid(path), sheet)]


def check_result(result: ReadResult, *, profile: str | None = None, approved: Any = None) -> Report:
    """The report of one form read from a workbook."""
    doubtful = [f.field for f in result.findings if f.field and f.severity != "info"]
    report = validate(result.form, result.source, unreadable=doubtful, profile=profile, approved=approved)
    located = [locate(f, result) for f in report.findings]
    totals = list(total_findings(result))
    extra = {**report.extra, "sheet": result.sheet, "layout": result.layout}
    return Report(result.findings + tuple(totals) + tuple(located), source=result.source, extra=extra)


def in_reading_order(findings: tuple[Finding, ...] | list[Finding]) -> list[Finding]:
    """Errors first, then warnings, then notes; within each, top to bottom, left to right (findings
    without a cell keep their order, after those with one)."""

    def key(item: tuple[int, Finding]) -> tuple[int, bool, tuple[int, int], int]:
        i, f = item
        pos = parse_ref(f.cell) if f.cell else None
        return (SEVERITIES.index(f.severity), pos is None, pos or (0, 0), i)

    return [f for _, f in sorted(enumerate(findings), key=key)]


def locate(finding: Finding, result: ReadResult) -> Finding:
    if finding.cell or not finding.field:
        return finding
    cell = result.cell_for(finding.field)
    return finding.located(result.sheet, cell) if cell else finding


# --------------------------------------------------------------------------------------------
# Total rows (合计) whose formula was replaced by a typed number that disagrees with the sum


def _lines_total(form: Form, group: str) -> Decimal | None:
    """Sum of the amounts a total row adds up: 'budget.expenditures', 'budget.sections[0].left',
    'tasks.key'. None when the group is unknown."""
    if group.startswith("tasks."):
        kind = group.split(".", 1)[1]
        amounts = [t.funds for t in form.tasks if t.group == kind]
    elif group in ("budget.expenditures", "budget.revenues"):
        amounts = [line.amount for line in getattr(form.budget, group.split(".")[1])]
    elif group.startswith("budget.sections["):
        try:
            k = int(group[len("budget.sections[") : group.index("]")])
            side = group.rsplit(".", 1)[1]
            amounts = [line.amount for line in getattr(form.budget.sections[k], side)]
        except (ValueError, IndexError, AttributeError):
            return None
    else:
        from budgetxl.blocks.base import get_path

        try:  # any other list of lines (a project's funding.annual, spending): its main lines
            amounts = [line.amount for line in get_path(form, group) if not getattr(line, "detail", False)]
        except (AttributeError, TypeError):
            return None
    return sum((a for a in amounts if a is not None), Decimal(0))


def _line_prefix(group: str) -> str:
    """'budget.expenditures' → 'budget.expenditures['; 'tasks.key' → 'tasks[' (all tasks)."""
    return "tasks[" if group.startswith("tasks.") else group + "["


def _line_paths(form: Form, group: str) -> list[str]:
    """The amount fields a total row adds up (see _lines_total)."""
    if group.startswith("tasks."):
        kind = group.split(".", 1)[1]
        return [f"tasks[{i}].funds" for i, t in enumerate(form.tasks) if t.group == kind]
    try:
        count = len(_path_value(form, group))
    except (AttributeError, IndexError, ValueError, TypeError):
        return []
    return [f"{group}[{i}].amount" for i in range(count)]


def _path_value(form: Form, path: str) -> Any:
    """budget.sections[0].left → that list."""
    obj: Any = form
    for name, index in re.findall(r"([A-Za-z_]+)|\[(\d+)\]", path):
        obj = obj[int(index)] if index else getattr(obj, name)
    return obj


def total_findings(result: ReadResult) -> Iterator[Finding]:
    """合计 cells that disagree with the lines read: a number typed over the formula (BX122), or a
    formula whose result differs (BX123: it left out amounts typed as text, or rows)."""
    for path, shown in result.totals.items():
        cell = result.cells.get(path)
        if cell is None:
            continue
        if any(f.field == path for f in result.findings if f.severity != "info"):
            continue  # the reader reports it
        group = path[: -len(TOTAL_SUFFIX)]
        if any(f.field.startswith(_line_prefix(group)) for f in result.findings if f.severity != "info"):
            continue  # a line that could not be read: the sum would say nothing
        expected = _lines_total(result.form, group)
        if shown is None or expected is None or abs(shown - expected) <= TOLERANCE:
            continue
        gap = f"（相差 {format_amount(abs(shown - expected))} 万元）"
        if path in result.formulas:
            texts = [result.cells[p] for p in _line_paths(result.form, group)
                     if p in result.text_amounts and p in result.cells]
            why = (f"{'、'.join(texts)} 的金额是以文字形式填写的，合计公式没有计入；请把这些金额改为数字"
                   if texts else "请检查合计公式是否包括了全部行")
            finding = TOTAL_DIFFERS.finding(
                f"表中合计为 {format_amount(shown)} 万元，而各项金额之和为 {format_amount(expected)} 万元{gap}：{why}",
                path,
                format_amount(shown),
            )
        else:
            finding = FORMULA_OVERWRITTEN.finding(
                f"合计单元格是手工输入的 {format_amount(shown)}，不是公式，与各项之和 {format_amount(expected)} 不符"
                f"（相差 {format_amount(abs(shown - expected))}）；请恢复合计公式或改正数字",
                path,
                format_amount(shown),
            )
        yield finding.located(result.sheet, cell)

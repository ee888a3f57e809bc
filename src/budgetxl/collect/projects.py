"""Project returns in a collection: what a project's table boils down to, how it is matched with
last year's return of the same project (its code, else its name, within its department), and the
two sheets the summary gains when projects come in — 项目, one row per project, and 部门汇总, each
department's projects rolled up (how many, their money, those without annual indicators).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from budgetxl.collect.styles import STATUS_LABELS, Column
from budgetxl.errors import BudgetxlError
from budgetxl.project import ProjectForm
from budgetxl.report import Finding
from budgetxl.summary_sheets import PROJECT_SHEETS
from budgetxl.text import normalize_label

if TYPE_CHECKING:
    from budgetxl.collect.inspect import Comparison, FileRecord, Known

KIND = "project"
SHEETS = PROJECT_SHEETS

COLUMNS: dict[str, tuple[Column, ...]] = {
    "projects": (
        Column("index", "序号", 6, "int"),
        Column("file", "文件", 30, "link"),
        Column("sheet", "工作表", 12),
        Column("layout", "版式", 12, "center"),
        Column("department", "主管部门", 24),
        Column("unit", "实施单位", 24),
        Column("name", "项目名称", 28),
        Column("code", "项目代码", 16),
        Column("year", "年度", 7, "center"),
        Column("status", "状态", 9, "center"),
        Column("errors", "错误", 6, "int"),
        Column("warnings", "警告", 6, "int"),
        Column("period_money", "实施期资金（万元）", 13, "amount"),
        Column("annual_money", "年度资金（万元）", 13, "amount"),
        Column("n_annual", "年度指标数", 8, "int"),
        Column("n_period", "实施期指标数", 8, "int"),
        Column("duplicates", "重复提交（同一项目同一年度）", 26),
    ),
    "departments": (
        Column("department", "主管部门", 30),
        Column("projects", "项目数", 8, "int"),
        Column("period_money", "实施期资金合计（万元）", 15, "amount"),
        Column("annual_money", "年度资金合计（万元）", 15, "amount"),
        Column("with_errors", "有错误的项目", 9, "int"),
        Column("with_warnings", "有警告的项目", 9, "int"),
        Column("no_annual", "没有年度绩效指标的项目数", 12, "int"),
        Column("no_annual_names", "没有年度绩效指标的项目", 40),
    ),
}


@dataclass(frozen=True)
class ProjectRow:
    """What the summary keeps of a project return."""

    name: str
    code: str
    department: str
    unit: str
    period_money: Decimal | None
    annual_money: Decimal | None
    n_annual: int
    n_period: int


def is_project(form: Any) -> bool:
    return isinstance(form, ProjectForm)


def project_record(path: str, form: ProjectForm, layout: str, sheet: str, findings: tuple[Finding, ...]) -> FileRecord:
    """A project return's record: its counts and money, its annual indicators for the tidy table."""
    from budgetxl.collect.inspect import FileRecord, record_fields

    named = [i for i in form.indicators if not i.is_placeholder]
    return FileRecord(
        **record_fields(path, form, layout, sheet, findings),
        n_indicators=len(named),
        indicators=tuple((i.level1, i.level2, i.name, i.target) for i in named),
        kind=KIND,
        project=ProjectRow(form.name, form.code, form.department, form.unit, form.period_money, form.annual_money,
                           len(named), sum(1 for i in form.period_indicators if not i.is_placeholder)),
    )


# ---------------------------------------------------------------------------------------------
# Last year's return of the same project


def same_project(known: Known, form: ProjectForm) -> bool:
    """Last year's return `known` is of the project of `form`: the same code where both have one,
    else the same name."""
    if known.code.strip() and form.code.strip():
        return normalize_label(known.code) == normalize_label(form.code)
    return normalize_label(known.name) == normalize_label(form.name)


def candidates(form: Any, known: Sequence[Known]) -> list[Known]:
    """Last year's returns of the department that may be this form's: of the same kind and, for a
    project, of the same project."""
    kind = getattr(form, "kind", "department")
    out = [k for k in known if k.kind == kind]
    if kind == KIND:
        out = [k for k in out if same_project(k, form)]
    return out


def compare_project(form: ProjectForm, previous: Known | None) -> Comparison:
    """This year's project table against last year's: the year's money and the indicators."""
    from budgetxl.collect.inspect import Comparison, short_reason
    from budgetxl.read import read_workbook

    new_total = form.annual_money
    if previous is None:
        return Comparison(new_total=new_total, note="上年没有该项目的文件")
    try:
        old = read_workbook(previous.path, previous.sheet).form
    except BudgetxlError as exc:
        return Comparison(previous.path, previous.year, new_total=new_total,
                          note=f"上年文件无法读取：{short_reason(str(exc), previous.path)}")
    from budgetxl.diff import diff_forms

    diff = diff_forms(old, form)  # type: ignore[arg-type]
    counts = diff.counts()
    ind = tuple(counts["indicators"][k] + counts["period_indicators"][k] for k in ("added", "removed", "changed"))
    return Comparison(previous=previous.path, previous_year=old.year, old_total=getattr(old, "annual_money", None),
                      new_total=new_total, indicators=ind, note="；".join(diff.warnings))  # type: ignore[arg-type]


def missing_returns(index: Mapping[str, Sequence[Known]], records: Sequence[FileRecord]) -> list[Known]:
    """Last year's returns that nothing of this year matches: a department that sent no form, a
    project that sent no table. Only the kinds this collection holds are looked for (a collection
    of department forms does not list last year's projects)."""
    from budgetxl.collect.inspect import unit_key

    read = [r for r in records if r.status != "unreadable"]
    kinds = {r.kind for r in read}
    matched = {c.previous for r in records if (c := r.comparison) is not None and c.previous}
    units = {unit_key(r.unit_name) for r in read if r.unit_name and r.kind == "department"}
    projects = [(unit_key(r.unit_name), r.project) for r in read if r.project is not None]
    out = []
    for group in index.values():
        for k in group:
            if k.kind not in kinds or k.path in matched:
                continue
            if k.kind == "department" and unit_key(k.unit_name) in units:
                continue
            if k.kind == KIND and any(u == unit_key(k.unit_name) and _same_row(k, p) for u, p in projects):
                continue
            out.append(k)
    return out


def _same_row(known: Known, row: ProjectRow) -> bool:
    if known.code.strip() and row.code.strip():
        return normalize_label(known.code) == normalize_label(row.code)
    return normalize_label(known.name) == normalize_label(row.name)


def mark_project_duplicates(records: Sequence[FileRecord]) -> list[FileRecord]:
    """Returns of the same project and year (same department and code, else name) each name the
    others; a department's several projects are not duplicates of each other."""
    from budgetxl.collect.inspect import unit_key

    groups: dict[tuple[str, str, int | None], list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        if r.project is not None and r.status != "unreadable" and (r.project.code.strip() or r.project.name.strip()):
            code, name = r.project.code, r.project.name
            ident = "C:" + normalize_label(code) if code.strip() else "N:" + normalize_label(name)
            groups[(unit_key(r.unit_name), ident, r.year)].append(i)
    from budgetxl.collect import MAX_LISTED_DUPLICATES

    out = list(records)
    for members in groups.values():
        head = members[: MAX_LISTED_DUPLICATES + 1]
        for i in members:
            listed = tuple(records[j].label for j in head if j != i)[:MAX_LISTED_DUPLICATES]
            out[i] = replace(out[i], duplicates=listed, n_duplicates=len(members) - 1)
    return out


# ---------------------------------------------------------------------------------------------
# The summary's sheets


def project_rows(records: Iterable[FileRecord]) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """One row per project return (with the style of its status cell)."""
    out = []
    for n, rec in enumerate((r for r in records if r.project is not None), 1):
        p = rec.project
        assert p is not None
        out.append(({
            "index": n, "file": rec.path, "sheet": rec.sheet, "layout": rec.layout, "department": p.department,
            "unit": p.unit, "name": p.name, "code": p.code, "year": rec.year, "status": STATUS_LABELS[rec.status],
            "errors": rec.errors, "warnings": rec.warnings, "period_money": p.period_money,
            "annual_money": p.annual_money, "n_annual": p.n_annual, "n_period": p.n_period,
            "duplicates": "\n".join(rec.duplicates),
        }, {"status": f"status_{rec.status}"}))
    return out


def department_rows(records: Iterable[FileRecord]) -> list[dict[str, Any]]:
    """Each department's projects rolled up, departments in the order they first appear."""
    from budgetxl.collect.inspect import unit_key

    groups: dict[str, list[FileRecord]] = {}
    for rec in records:
        if rec.project is not None:
            groups.setdefault(unit_key(rec.unit_name), []).append(rec)
    out = []
    for recs in groups.values():
        rows = [r.project for r in recs if r.project is not None]
        missing = [p.name or "（未填写项目名称）" for p in rows if not p.n_annual]
        out.append({
            "department": recs[0].unit_name or "（未填写主管部门）",
            "projects": len(recs),
            "period_money": _sum(p.period_money for p in rows),
            "annual_money": _sum(p.annual_money for p in rows),
            "with_errors": sum(1 for r in recs if r.status == "errors"),
            "with_warnings": sum(1 for r in recs if r.status == "warnings"),
            "no_annual": len(missing),
            "no_annual_names": "、".join(missing),
        })
    return out


def _sum(amounts: Iterable[Decimal | None]) -> Decimal | None:
    present = [a for a in amounts if a is not None]
    return sum(present, Decimal(0)) if present else None


def write_project_sheets(book: Any, records: Sequence[FileRecord]) -> None:
    """The 项目 and 部门汇总 sheets of the summary workbook `book` (a SummaryBook), when the
    collection holds project returns."""
    if not any(r.project is not None for r in records):
        return
    from budgetxl.collect.summary import SheetWriter

    sheets: tuple[tuple[str, list[tuple[dict[str, Any], dict[str, str]]]], ...] = (
        ("projects", project_rows(records)), ("departments", [(row, {}) for row in department_rows(records)]))
    for key, rows in sheets:
        sheet = SheetWriter(book.wb, book.formats, key, book.base, name=SHEETS[key], cols=COLUMNS[key])
        for row, styles in rows:
            sheet.write(row, styles)
        sheet.finish()

"""Project returns in a collection: what a project's table boils down to, how it is matched with
last year's return of the same project (its code, else its name, within its department), and the
two sheets the summary gains when projects come in — 项目, one row per project, and 部门汇总, each
department's projects rolled up (how many, their money, those without annual indicators).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Iterable, Iterator, Mapping, Sequence

from budgetxl.collect.styles import STATUS_LABELS, Column
from budgetxl.errors import BudgetxlError
from budgetxl.project import ProjectForm
from budgetxl.report import Finding
from budgetxl.summary_sheets import PROJECT_SHEETS
from budgetxl.text import normalize_label

if TYPE_CHECKING:
    from budgetxl.collect.inspect import Comparison, FileRecord, Known

KIND: Final = "project"
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


def missing_returns(index: Mapping[str, Sequence[Known]], records: Iterable[FileRecord]) -> list[Known]:
    """Last year's returns that nothing of this year matches: a department that sent no form, a
    project that sent no table. Only the kinds this collection holds are looked for (a collection
    of department forms does not list last year's projects)."""
    unmatched = Unmatched(index)
    for rec in records:
        unmatched.see(rec)
    return unmatched.missing()


class Unmatched:
    """missing_returns as this year's records come in: `see` each, then `missing()`. What it keeps
    is bounded by last year's index (which of its returns were matched), not by this year's files."""

    def __init__(self, index: Mapping[str, Sequence[Known]]) -> None:
        self.index = index
        self.kinds: set[str] = set()  # the kinds this collection holds
        self.matched: set[Any] = set()  # last year's files a return of this year was compared with
        self.units: set[str] = set()  # last year's units (keys) that sent a department form this year
        self.projects: set[int] = set()  # last year's project returns (id) that a project of this year matches

    def see(self, rec: FileRecord, unit: str | None = None) -> None:
        """One record of this year; `unit`: its unit_key, when known already."""
        if (c := rec.comparison) is not None and c.previous:
            self.matched.add(c.previous)
        if rec.status == "unreadable":
            return
        self.kinds.add(rec.kind)
        if unit is None:
            from budgetxl.collect.inspect import unit_key

            unit = unit_key(rec.unit_name)
        known = self.index.get(unit, ())
        if rec.kind == "department" and rec.unit_name and known:
            self.units.add(unit)
        if rec.project is not None:
            self.projects.update(id(k) for k in known if k.kind == KIND and _same_row(k, rec.project))

    def missing(self) -> list[Known]:
        from budgetxl.collect.inspect import unit_key

        out = []
        for group in self.index.values():
            for k in group:
                if k.kind not in self.kinds or k.path in self.matched:
                    continue
                if k.kind == "department" and unit_key(k.unit_name) in self.units:
                    continue
                if k.kind == KIND and id(k) in self.projects:
                    continue
                out.append(k)
        return out


def _same_row(known: Known, row: ProjectRow) -> bool:
    if known.code.strip() and row.code.strip():
        return normalize_label(known.code) == normalize_label(row.code)
    return normalize_label(known.name) == normalize_label(row.name)


def project_group(rec: FileRecord) -> str | None:
    """The duplicate group of a project's return (see collect.duplicate_group): returns of the same
    project and year (same department and code, else name) are duplicates of each other; a
    department's several projects are not. None for a return without code or name."""
    from budgetxl.collect.inspect import unit_key

    p = rec.project
    if p is None or rec.status == "unreadable" or not (p.code.strip() or p.name.strip()):
        return None
    ident = "C:" + normalize_label(p.code) if p.code.strip() else "N:" + normalize_label(p.name)
    return repr(("project", unit_key(rec.unit_name), ident, rec.year))


# ---------------------------------------------------------------------------------------------
# The summary's sheets


def project_rows(records: Iterable[FileRecord]) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
    """One row per project return (with the style of its status cell), as the records come."""
    for n, rec in enumerate((r for r in records if r.project is not None), 1):
        p = rec.project
        assert p is not None
        yield ({
            "index": n, "file": rec.path, "sheet": rec.sheet, "layout": rec.layout, "department": p.department,
            "unit": p.unit, "name": p.name, "code": p.code, "year": rec.year, "status": STATUS_LABELS[rec.status],
            "errors": rec.errors, "warnings": rec.warnings, "period_money": p.period_money,
            "annual_money": p.annual_money, "n_annual": p.n_annual, "n_period": p.n_period,
            "duplicates": "\n".join(rec.duplicates),
        }, {"status": f"status_{rec.status}"})


def department_rows(records: Iterable[FileRecord]) -> list[dict[str, Any]]:
    """Each department's projects rolled up, departments in the order they first appear; the
    records are read once and only the sums are kept."""
    from budgetxl.collect.inspect import unit_key

    groups: dict[str, dict[str, Any]] = {}
    for rec in records:
        p = rec.project
        if p is None:
            continue
        row = groups.get(key := unit_key(rec.unit_name))
        if row is None:
            row = groups[key] = {"department": rec.unit_name or "（未填写主管部门）", "projects": 0,
                                 "period_money": None, "annual_money": None, "with_errors": 0, "with_warnings": 0,
                                 "no_annual_names": []}
        row["projects"] += 1
        row["period_money"] = _add(row["period_money"], p.period_money)
        row["annual_money"] = _add(row["annual_money"], p.annual_money)
        row["with_errors"] += rec.status == "errors"
        row["with_warnings"] += rec.status == "warnings"
        if not p.n_annual:
            row["no_annual_names"].append(p.name or "（未填写项目名称）")
    out = []
    for row in groups.values():
        missing = row.pop("no_annual_names")
        out.append({**row, "no_annual": len(missing), "no_annual_names": "、".join(missing)})
    return out


def _add(total: Decimal | None, amount: Decimal | None) -> Decimal | None:
    """A running sum of the amounts present (None while there is none), added in order from 0."""
    if amount is None:
        return total
    return (Decimal(0) if total is None else total) + amount


def write_project_sheets(book: Any, records: Iterable[FileRecord]) -> None:
    """The 项目 and 部门汇总 sheets of the summary workbook `book` (a SummaryBook), when the
    collection holds project returns. `records` is read three times (a sequence, or a
    collection's spooled records: of those only the project returns are read)."""
    from budgetxl.collect.spool import select

    if next(select(records, KIND), None) is None:
        return
    from budgetxl.collect.summary import SheetWriter

    sheets: tuple[tuple[str, Iterable[tuple[dict[str, Any], dict[str, str]]]], ...] = (
        ("projects", project_rows(select(records, KIND))),
        ("departments", ((row, {}) for row in department_rows(select(records, KIND)))))
    for key, rows in sheets:
        sheet = SheetWriter(book.wb, book.formats, key, book.base, name=SHEETS[key], cols=COLUMNS[key])
        for row, styles in rows:
            sheet.write(row, styles)
        sheet.finish()

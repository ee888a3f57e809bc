"""One returned workbook, in a worker: read it, check it, compare it with last year's, and boil it
down to a small record the summary and the tidy tables are made of."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Mapping, Sequence

from budgetxl.collect.projects import ProjectRow, candidates, compare_project, is_project, project_record
from budgetxl.errors import BudgetxlError
from budgetxl.model import Form
from budgetxl.read import read_forms, read_workbook
from budgetxl.read.archive import SEP, Member
from budgetxl.report import Finding
from budgetxl.rules.check import in_reading_order, read_and_check
from budgetxl.text import normalize_label

Status = Literal["ok", "warnings", "errors", "unreadable"]
STATUSES: tuple[Status, ...] = ("ok", "warnings", "errors", "unreadable")


@dataclass(frozen=True)
class Known:
    """A file of the previous year: where it is and whose it is."""

    path: str | Member  # a file, or a workbook in a zip
    unit_name: str
    year: int | None
    sheet: str | None = None  # the form's sheet, when the file holds several
    kind: str = "department"  # the form kind; a project's return also has its code and name
    code: str = ""
    name: str = ""

    @property
    def who(self) -> str:
        """The unit, and the project for a project's return: how a person names the return."""
        return f"{self.unit_name}：{self.name}" if self.kind != "department" and self.name else self.unit_name


@dataclass(frozen=True)
class Comparison:
    """This year's file against the same unit's file of the previous year."""

    previous: str | Member | None = None
    previous_year: int | None = None
    old_total: Decimal | None = None
    new_total: Decimal | None = None
    tasks: tuple[int, int, int] = (0, 0, 0)  # added, removed, changed
    indicators: tuple[int, int, int] = (0, 0, 0)
    note: str = ""

    @property
    def change(self) -> Decimal | None:
        if self.old_total is None or self.new_total is None:
            return None
        return self.new_total - self.old_total

    @property
    def percent(self) -> Decimal | None:
        change = self.change
        if change is None or not self.old_total:
            return None
        return (change * 100 / self.old_total).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class FileRecord:
    """What the collection keeps of one file. `tasks` and `indicators` are rows for the tidy
    tables; the collector drops them once written."""

    path: str
    status: Status
    reason: str = ""
    unit_name: str = ""
    year: int | None = None
    layout: str = ""
    sheet: str = ""
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    expenditures: Decimal | None = None
    revenues: Decimal | None = None
    task_funds: Decimal | None = None
    n_tasks: int = 0
    n_indicators: int = 0
    findings: tuple[Finding, ...] = ()
    tasks: tuple[tuple[str, str, str, Decimal | None, str], ...] = ()  # group, name, content, funds, goal
    indicators: tuple[tuple[str, ...], ...] = ()  # level1, level2, name, target
    comparison: Comparison | None = None
    duplicates: tuple[str, ...] = field(default=())  # other files of the same unit and year (the first few)
    n_duplicates: int = 0  # how many other files of the same unit and year there are
    several: bool = False  # the file holds several forms: the sheet tells them apart
    member: str = ""  # the workbook inside the zip at `path` ('财政局/某局.xlsx'), for a return sent zipped
    units: str = ""  # the unit the amounts were read in (万元, 元, or per block)

    @property
    def source(self) -> str:
        """The file, or the zip and the workbook in it: 'returns.zip › 财政局/某局.xlsx'."""
        return f"{self.path}{SEP}{self.member}" if self.member else self.path
    kind: str = "department"  # the form kind (a project's return: project, with its row)
    project: ProjectRow | None = None

    @property
    def who(self) -> str:
        """The unit, and the project for a project's return."""
        if self.project is not None and self.project.name:
            return f"{self.unit_name}：{self.project.name}"
        return self.unit_name
    # A self-evaluation's scores (collect.selfeval.SelfevalRecord) and its rows for results.csv.
    selfeval: Any = None
    results: tuple[tuple[Any, ...], ...] = ()

    @property
    def label(self) -> str:
        """The file, and the sheet when the file holds several forms: how a person finds it."""
        return f"{self.source}（{self.sheet}）" if self.several else self.source


def unit_key(name: str) -> str:
    """How unit names are matched across files and years: NFKC, no spaces or line breaks."""
    return normalize_label(name)


def total(amounts: Sequence[Decimal | None]) -> Decimal | None:
    present = [a for a in amounts if a is not None]
    return sum(present, Decimal(0)) if present else None


def short_reason(message: str, path: str | Path | Member) -> str:
    """A reader's message without the file name it starts with (the summary shows the file)."""
    prefix = f"{path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def check_workbook_forms(path: str | Path | Member) -> list[tuple[Form, str, str, tuple[Finding, ...], str]]:
    """Read and check one workbook: for each form sheet, the form, its layout and sheet, every
    finding (the reader's, the total rows', the rules'), placed on sheet!cell, in reading order,
    and the unit its amounts were read in."""
    return [(result.form, result.layout, result.sheet, tuple(in_reading_order(report.findings)), result.unit_text)
            for result, report in read_and_check(path)]


def where(item: object) -> tuple[str, str]:
    """A record's path and member for a file ('' for a file) or a workbook in a zip."""
    return (item.archive, item.inner) if isinstance(item, Member) else (str(item), "")


def record_fields(path: str, form: Any, layout: str, sheet: str, findings: tuple[Finding, ...]) -> dict[str, Any]:
    """What every kind's record holds: where the form was, whose it is, and its findings counted
    by severity (the status follows from them)."""
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity] += 1
    status: Status = "errors" if counts["error"] else "warnings" if counts["warning"] else "ok"
    return {"path": path, "status": status, "unit_name": form.unit_name, "year": form.year, "layout": layout,
            "sheet": sheet, "errors": counts["error"], "warnings": counts["warning"], "infos": counts["info"],
            "findings": findings}


def record_of(path: str, form: Form, layout: str, sheet: str, findings: tuple[Finding, ...]) -> FileRecord:
    if is_project(form):
        return project_record(path, form, layout, sheet, findings)  # type: ignore[arg-type]
    common = record_fields(path, form, layout, sheet, findings)
    if getattr(form, "kind", "department") == "selfeval":
        from budgetxl.collect.selfeval import summarise

        scores, rows = summarise(form, findings)
        return FileRecord(**common, n_indicators=scores.n_indicators, selfeval=scores, results=rows)
    return FileRecord(
        **common,
        expenditures=total([line.amount for line in form.budget.expenditures]),
        revenues=total([line.amount for line in form.budget.revenues]),
        task_funds=total([t.funds for t in form.tasks]),
        n_tasks=len(form.tasks),
        n_indicators=sum(1 for i in form.indicators if not i.is_placeholder),
        tasks=tuple((t.group, t.name, t.content, t.funds, t.goal) for t in form.tasks),
        indicators=tuple((i.level1, i.level2, i.name, i.target) for i in form.indicators if not i.is_placeholder),
    )


def identify(path: str | Member) -> list[Known]:
    """Whose file is this (for matching last year's files): unit name and year of each form."""
    results = read_forms(path)
    several = len(results) > 1
    # last year's target tables only: a self-evaluation is not compared with this year's targets
    return [Known(path, r.form.unit_name, r.form.year, r.sheet if several else None,
                  getattr(r.form, "kind", "department"), getattr(r.form, "code", ""),
                  getattr(r.form, "name", "")) for r in results
            if getattr(r.form, "kind", "department") != "selfeval"]


def pick_previous(candidates: Sequence[Known], year: int | None, own_path: str | Member) -> Known | None:
    """Last year's file of a unit: the latest year before `year`; without years, the first."""
    others = [k for k in candidates if k.path != own_path]
    if year is not None:
        earlier = [k for k in others if k.year is not None and k.year < year]
        if earlier:
            return max(earlier, key=lambda k: (k.year, k.path))
        others = [k for k in others if k.year is None]
    return others[0] if others else None


def compare_with(form: Form, previous: Known | None) -> Comparison:
    from budgetxl.diff import diff_forms

    new_total = total([line.amount for line in form.budget.expenditures])
    if previous is None:
        return Comparison(new_total=new_total, note="上年没有该单位的文件")
    try:
        old = read_workbook(previous.path, previous.sheet).form
    except BudgetxlError as exc:
        return Comparison(previous.path, previous.year, new_total=new_total,
                          note=f"上年文件无法读取：{short_reason(str(exc), previous.path)}")
    diff = diff_forms(old, form)
    counts = diff.counts()

    def pick(block: str) -> tuple[int, int, int]:
        return counts[block]["added"], counts[block]["removed"], counts[block]["changed"]

    return Comparison(
        previous=previous.path,
        previous_year=old.year,
        old_total=total([line.amount for line in old.budget.expenditures]),
        new_total=new_total,
        tasks=pick("tasks"),
        indicators=pick("indicators"),
        note="；".join(diff.warnings),
    )


def inspect_file(path: str | Member, previous: Mapping[str, Sequence[Known]] | None = None) -> tuple[FileRecord, ...]:
    """Everything the collection needs from one file: a record per form (a workbook may hold a
    form on each of several sheets; each is a return of its own). An unreadable file is a record
    with its reason, never an exception (unexpected failures are turned into one by the
    collector)."""
    try:
        forms = check_workbook_forms(path)
    except BudgetxlError as exc:
        file, member = where(path)
        return (FileRecord(path=file, member=member, status="unreadable", reason=short_reason(str(exc), path)),)
    out = []
    for form, layout, sheet, findings, units in forms:
        file, member = where(path)
        record = replace(record_of(file, form, layout, sheet, findings), several=len(forms) > 1, units=units,
                         member=member)
        if previous is not None and record.selfeval is not None:
            record = replace(record, comparison=Comparison(note="绩效自评表不与上年比较"))
        elif previous is not None:
            known = candidates(form, previous.get(unit_key(form.unit_name), ())) if form.unit_name else ()
            match = pick_previous(known, form.year, path) if form.unit_name else None
            compare = compare_project if is_project(form) else compare_with
            comparison = (compare(form, match) if form.unit_name  # type: ignore[arg-type]
                          else Comparison(note="本文件没有单位名称，无法与上年匹配"))
            record = replace(record, comparison=comparison)
        out.append(record)
    return tuple(out)

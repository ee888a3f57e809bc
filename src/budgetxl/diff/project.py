"""Comparing project target tables: one project in two years (`diff_projects`, a FormDiff like
the department form's), and a department's projects across two years paired by code and name
(`pair_projects`, `diff_project_sets`).

A project's money (项目总预算, 项目当年预算, the lines of money by source and the expenditure
breakdown) is compared line by line as the department form's budget is; its identity and texts
(代码, 主管部门, 项目期, 立项依据…) as the department form's 基本信息; the year's goal as the overall
goal; the year's and the period's indicators each paired as the department form's indicators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from budgetxl.diff.core import (
    BudgetEntry,
    FormDiff,
    Side,
    TextDiff,
    _same_text,
    default_labels,
    diff_basic_info,
    diff_indicators,
    diff_line_parts,
    form_warnings,
)
from budgetxl.diff.match import THRESHOLD, make_key, match_rows, normalize
from budgetxl.errors import LayoutError
from budgetxl.kinds import layout_name
from budgetxl.layout import load_layout
from budgetxl.model import BudgetLine, InfoItem
from budgetxl.project import ProjectForm, field_word

# The project's identity and texts compared as name/value items, in this order.
ITEMS = ("name", "code", "department", "unit", "manager", "phone", "category", "status", "frequency", "years",
         "basis", "summary", "budget_history", "spending_basis", "period_goal")
LISTS = ("funding.period", "funding.annual", "spending")


def _layout(form: ProjectForm) -> Any:
    try:
        return load_layout(layout_name(form))
    except LayoutError:
        return None


def project_parts(form: ProjectForm) -> list[tuple[str, str, str, Sequence[BudgetLine]]]:
    """(part, match key, label, lines) for the project's money: its totals, then each list."""
    layout = _layout(form)
    totals = [BudgetLine(name=field_word(f), amount=getattr(form, f)) for f in ("budget_total", "budget_annual")
              if getattr(form, f) is not None]
    parts: list[tuple[str, str, str, Sequence[BudgetLine]]] = [("totals", "totals", field_word("funding"), totals)]
    for path in LISTS:
        lines = _get(form, path)
        label = (layout.side_label(path) if layout is not None else "") or field_word(path)
        mark = _detail_mark(layout, path)
        shown = [BudgetLine(name=(mark + line.name) if line.detail else line.name, amount=line.amount)
                 for line in lines]
        parts.append((path, path, label, shown))
    return parts


def _detail_mark(layout: Any, path: str) -> str:
    """How the layout marks a detail line (其中：), for showing one."""
    if layout is not None:
        for b in layout.blocks:
            if getattr(b, "field", "") == path and getattr(b, "details", ""):
                return str(b.details)
        for b in layout.blocks:
            if getattr(b, "details", ""):
                return str(b.details)
    return "·"


def _get(form: Any, path: str) -> Any:
    for part in path.split("."):
        form = getattr(form, part)
    return form


def project_items(form: ProjectForm, goal_field: str) -> tuple[InfoItem, ...]:
    """The project's identity and texts as name/value items (the goal shown as the overall goal
    left out)."""
    out = []
    for f in ITEMS:
        if f == goal_field:
            continue
        if f == "years":
            years = (form.start_year, form.end_year)
            value = "" if years == (None, None) else "–".join("" if y is None else str(y) for y in years)
            name = "项目期"
        else:
            value, name = getattr(form, f), field_word(f)
        if value:
            out.append(InfoItem(name=name, value=str(value)))
    return tuple(out)


def _side(label: str, form: ProjectForm) -> Side:
    who = form.name if not form.unit_name else f"{form.name}（{form.unit_name}）"
    return Side(label, form.year, who, layout_name(form))


def diff_projects(old: ProjectForm, new: ProjectForm, *, labels: tuple[str, str] | None = None,
                  threshold: float = THRESHOLD) -> FormDiff:
    """Compare a project's tables (normally two consecutive years)."""
    old_label, new_label = labels or default_labels(old, new)  # type: ignore[arg-type]
    goal_field = "annual_goal" if (old.annual_goal or new.annual_goal) else "period_goal"
    a, b = getattr(old, goal_field), getattr(new, goal_field)
    items = _Items(project_items(old, goal_field)), _Items(project_items(new, goal_field))
    warnings = list(form_warnings(old, new))  # type: ignore[arg-type]
    if not same_project(old, new):
        warnings.append(f"两张表的项目不同：“{old.name}”与“{new.name}”，比对结果仅供参考")
    return FormDiff(
        old=_side(old_label, old),
        new=_side(new_label, new),
        budget=_without_blank_strays(diff_line_parts(project_parts(old), project_parts(new))),
        tasks=(),
        indicators=diff_indicators(old.indicators, new.indicators, threshold),
        overall_goal=TextDiff("unchanged" if _same_text(a, b) else "changed", a, b),
        basic_info=diff_basic_info(items[0], items[1]),  # type: ignore[arg-type]
        warnings=tuple(warnings),
        period_indicators=diff_indicators(old.period_indicators, new.period_indicators, threshold),
        kind="project",
    )


def _without_blank_strays(entries: Sequence[BudgetEntry]) -> tuple[BudgetEntry, ...]:
    """The lines of money without those that have no amount and no counterpart in the other year:
    a blank source row that is gone (or newly there) is no change, not a 取消 (新增)."""
    return tuple(e for e in entries
                 if not (e.status == "removed" and (e.old or {}).get("amount") is None)
                 and not (e.status == "added" and (e.new or {}).get("amount") is None))


@dataclass(frozen=True)
class _Items:
    basic_info: tuple[InfoItem, ...]


# --------------------------------------------------------------------------------------------
# A department's projects in two years


def same_project(old: ProjectForm, new: ProjectForm) -> bool:
    """The same code (when both have one), else the same name (NFKC, spaces ignored)."""
    if old.code.strip() and new.code.strip():
        return normalize(old.code) == normalize(new.code)
    return normalize(old.name) == normalize(new.name)


@dataclass(frozen=True)
class ProjectPair:
    """Two years of one project: indices into the old and new lists, and how they were paired
    ('code', 'name' or 'similar', with the names' similarity)."""

    old: int
    new: int
    by: str
    similarity: float | None = None


@dataclass(frozen=True)
class ProjectPairing:
    pairs: tuple[ProjectPair, ...]
    removed: tuple[int, ...]  # old projects without a new one (ended, or renamed beyond recognition)
    added: tuple[int, ...]  # new projects


def pair_projects(old: Sequence[ProjectForm], new: Sequence[ProjectForm], threshold: float = THRESHOLD
                  ) -> ProjectPairing:
    """Pair a department's projects of two years: by the project code where both have one, then
    by the same name, then by similar names (the diff's optimal assignment, within the same
    department)."""
    pairs: list[ProjectPair] = []
    left = set(range(len(old)))
    right = set(range(len(new)))

    def take(key: Any, by: str) -> None:
        waiting: dict[Any, list[int]] = {}
        for j in sorted(right):
            k = key(new[j])
            if k:
                waiting.setdefault(k, []).append(j)
        for i in sorted(left):
            k = key(old[i])
            queue = waiting.get(k) if k else None
            if queue:
                j = queue.pop(0)
                pairs.append(ProjectPair(i, j, by))
                left.discard(i)
                right.discard(j)

    take(lambda f: normalize(f.code) if f.code.strip() else "", "code")
    take(lambda f: (normalize(f.unit_name), normalize(f.name)) if f.name.strip() else "", "name")
    rest_old, rest_new = sorted(left), sorted(right)
    keys_old = [make_key(old[i].unit_name, "", old[i].name, old[i].summary) for i in rest_old]
    keys_new = [make_key(new[j].unit_name, "", new[j].name, new[j].summary) for j in rest_new]
    matching = match_rows(keys_old, keys_new, threshold=threshold)
    for p in matching.pairs:
        i, j = rest_old[p.old], rest_new[p.new]
        pairs.append(ProjectPair(i, j, "similar", p.similarity))
        left.discard(i)
        right.discard(j)
    pairs.sort(key=lambda p: p.new)
    return ProjectPairing(tuple(pairs), tuple(sorted(left)), tuple(sorted(right)))


def diff_project_sets(old: Sequence[ProjectForm], new: Sequence[ProjectForm], threshold: float = THRESHOLD
                      ) -> tuple[ProjectPairing, tuple[FormDiff, ...]]:
    """The pairing of two years' projects, and the comparison of each pair."""
    pairing = pair_projects(old, new, threshold)
    return pairing, tuple(diff_projects(old[p.old], new[p.new], threshold=threshold) for p in pairing.pairs)


__all__ = ["ProjectPair", "ProjectPairing", "diff_project_sets", "diff_projects", "pair_projects",
           "project_parts", "same_project"]

"""Several years at once: each consecutive pair compared, and the budget lines over the years."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

from budgetxl.diff.core import FormDiff, _budget_parts, diff_forms
from budgetxl.diff.match import THRESHOLD, normalize
from budgetxl.model import BudgetLine, Form


@dataclass(frozen=True)
class TrendLine:
    part: str
    part_label: str
    name: str
    amounts: tuple[Decimal | None, ...]  # one per form, None where the line is absent or blank


@dataclass(frozen=True)
class Trend:
    labels: tuple[str, ...]
    lines: tuple[TrendLine, ...]


@dataclass(frozen=True)
class SeriesDiff:
    labels: tuple[str, ...]
    diffs: tuple[FormDiff, ...]  # forms[0]→forms[1], forms[1]→forms[2], …
    trend: Trend


def series_labels(forms: Sequence[Form]) -> tuple[str, ...]:
    """The years when every form has a different one, else 表1, 表2, …"""
    years = [f.year for f in forms]
    if all(y is not None for y in years) and len(set(years)) == len(years):
        return tuple(str(y) for y in years)
    return tuple(f"表{k + 1}" for k in range(len(forms)))


def _line_parts(form: Form) -> list[tuple[str, str, str, Sequence[BudgetLine]]]:
    """The lists of amounts of a form: a department's budget, a project's money."""
    if getattr(form, "kind", "department") == "project":
        from budgetxl.diff.project import project_parts

        return project_parts(form)  # type: ignore[arg-type]
    return _budget_parts(form)


def budget_trend(forms: Sequence[Form], labels: Sequence[str]) -> Trend:
    """Every budget line seen in any form (by part and name, in order of first appearance) with
    its amount in each form."""
    order: list[tuple[str, str]] = []
    info: dict[tuple[str, str], tuple[str, str, str]] = {}
    amounts: dict[tuple[str, str], list[Decimal | None]] = {}
    for k, form in enumerate(forms):
        seen: dict[tuple[str, str], int] = {}
        for part, key, label, lines in _line_parts(form):
            for line in lines:
                base = (key, normalize(line.name))
                n = seen.get(base, 0)
                seen[base] = n + 1
                ident = (base[0], f"{base[1]}#{n}")  # a repeated name is a line of its own
                if ident not in info:
                    order.append(ident)
                    info[ident] = (part, label, line.name)
                    amounts[ident] = [None] * len(forms)
                amounts[ident][k] = line.amount
    lines_out = tuple(TrendLine(*info[i], tuple(amounts[i])) for i in order)
    return Trend(tuple(labels), lines_out)


def diff_series(
    forms: Sequence[Form], *, labels: Sequence[str] | None = None, threshold: float = THRESHOLD
) -> SeriesDiff:
    """Compare each consecutive pair of `forms` (oldest first) and gather the budget trend."""
    if len(forms) < 2:
        raise ValueError("diff_series needs at least two forms")
    labels = tuple(labels) if labels is not None else series_labels(forms)
    diffs = tuple(
        diff_forms(forms[k], forms[k + 1], labels=(labels[k], labels[k + 1]), threshold=threshold)
        for k in range(len(forms) - 1)
    )
    return SeriesDiff(labels, diffs, budget_trend(forms, labels))

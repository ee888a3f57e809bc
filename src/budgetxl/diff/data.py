"""A FormDiff as JSON-ready data: `{"budget": [...], "tasks": [...], "indicators": [...],
"summary": {...}}` plus `overall_goal` and `basic_info`. Amounts, deltas and percents are
decimal strings, as in the model's own JSON."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from budgetxl.diff.core import BudgetEntry, Change, Entry, FormDiff, Side
from budgetxl.diff.trend import SeriesDiff, Trend
from budgetxl.model import canonical_decimal


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(canonical_decimal(value), "f")


def change_data(change: Change) -> dict[str, Any]:
    out: dict[str, Any] = {"old": change.old, "new": change.new}
    if change.delta is not None:
        out["delta"] = _dec(change.delta)
        out["percent"] = _dec(change.percent)
        if change.unit is not None:
            out["unit"] = change.unit
    return out


def entry_data(entry: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "status": entry.status,
        "old": entry.old,
        "new": entry.new,
        "changes": {k: change_data(v) for k, v in entry.changes.items()},
        "similarity": entry.similarity,
        "old_index": entry.old_index,
        "new_index": entry.new_index,
    }
    if entry.merged_into is not None:
        out["merged_into"] = entry.merged_into
    if entry.split_from is not None:
        out["split_from"] = entry.split_from
    return out


def budget_entry_data(entry: BudgetEntry) -> dict[str, Any]:
    return {
        "part": entry.part,
        "part_label": entry.part_label,
        "name": entry.name,
        "status": entry.status,
        "old": entry.old,
        "new": entry.new,
        "changes": {k: change_data(v) for k, v in entry.changes.items()},
        "delta": _dec(entry.delta),
        "percent": _dec(entry.percent),
    }


def _side(side: Side) -> dict[str, Any]:
    return {"label": side.label, "year": side.year, "unit_name": side.unit_name}


def diff_data(diff: FormDiff, sources: tuple[str, str] | None = None) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "old": _side(diff.old),
        "new": _side(diff.new),
        "counts": diff.counts(),
        "overall_goal": diff.overall_goal.status,
        "identical": diff.identical,
        "warnings": list(diff.warnings),
    }
    if sources is not None:
        summary["old"]["source"], summary["new"]["source"] = sources
    out = {
        "budget": [budget_entry_data(e) for e in diff.budget],
        "tasks": [entry_data(e) for e in diff.tasks],
        "indicators": [entry_data(e) for e in diff.indicators],
        "functions": {
            "status": diff.functions.status,
            "old": diff.functions.old,
            "new": diff.functions.new,
        },
        "overall_goal": {
            "status": diff.overall_goal.status,
            "old": diff.overall_goal.old,
            "new": diff.overall_goal.new,
        },
        "basic_info": [entry_data(e) for e in diff.basic_info],
        "summary": summary,
    }
    if diff.kind != "department":  # a project's comparison: its kind and its period's indicators
        out = {"kind": diff.kind, **out, "period_indicators": [entry_data(e) for e in diff.period_indicators]}
    return out


def trend_data(trend: Trend) -> dict[str, Any]:
    return {
        "labels": list(trend.labels),
        "lines": [
            {"part": t.part, "part_label": t.part_label, "name": t.name, "amounts": [_dec(a) for a in t.amounts]}
            for t in trend.lines
        ],
    }


def series_data(series: SeriesDiff, sources: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Three or more forms: `{"comparisons": [one diff_data per consecutive pair], "trend": ...}`."""
    comparisons = []
    for k, diff in enumerate(series.diffs):
        pair = (sources[k], sources[k + 1]) if sources is not None else None
        comparisons.append(diff_data(diff, pair))
    return {"comparisons": comparisons, "trend": trend_data(series.trend)}


def to_json(data: dict[str, Any], indent: int | None = 2) -> str:
    return json.dumps(data, ensure_ascii=False, indent=indent)

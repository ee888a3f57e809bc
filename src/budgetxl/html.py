"""HTML reports for reviewers who read in a browser: the findings of `check` and the comparison
of `diff`, each one self-contained page (styles inline, no scripts, fonts, images or links to
fetch) from the Jinja2 templates templates/check.html.j2 and templates/compare.html.j2.

The functions take the library's own results (Report, FormDiff or SeriesDiff) and return the
page as text; `write_*` put it in a file atomically. Words come from where they are declared:
severities from report.py, comparison labels from diff/styles.py, column headings from the layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import jinja2
from markupsafe import Markup, escape

from budgetxl.diff import styles as S
from budgetxl.diff.core import BudgetEntry, Change, Entry, FormDiff
from budgetxl.diff.textdiff import text_segments
from budgetxl.diff.trend import SeriesDiff
from budgetxl.display import amount_change_text, amount_text, number_change_text, percent_text, target_delta_text
from budgetxl.errors import LayoutError
from budgetxl.fieldwords import describe_field
from budgetxl.fileio import write_text_atomic
from budgetxl.layout import load_layout
from budgetxl.report import SEVERITIES, SEVERITY_LABELS, Finding, Report
from budgetxl.resources import templates_dir

CHECK_TEMPLATE = "check.html.j2"
COMPARE_TEMPLATE = "compare.html.j2"
LOOP_TEMPLATE = "loop.html.j2"
CHECK_TITLE = "部门整体预算绩效目标表 审核结果"


@lru_cache(maxsize=4)
def _environment(folder: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["text"] = _text
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    return env


def _render(name: str, **context: Any) -> str:
    try:
        template = _environment(str(templates_dir())).get_template(name)
        return template.render(**context)
    except jinja2.TemplateNotFound:
        raise LayoutError(f"找不到网页模板 {templates_dir() / name}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise LayoutError(f"网页模板 {exc.filename or name} 第 {exc.lineno} 行有误：{exc.message}") from None


# ---------------------------------------------------------------------------------------------
# Small formatters (filters)


def _text(value: Any) -> Markup:
    """Text with its line breaks kept."""
    if value is None:
        return Markup("")
    return Markup("<br>").join(escape(line) for line in str(value).split("\n"))


def _num(value: Decimal | str | float | None, signed: bool = False) -> str:
    """An amount (万元) as a person reads it: two decimals, thousands separators."""
    return amount_text(value, signed=signed)


def _pct(value: Decimal | None) -> str:
    return percent_text(value)


def marked(old: str, new: str) -> tuple[Markup, Markup]:
    """Both sides of a text change, with what was taken out in <del> and what was put in in <ins>."""
    old_side, new_side = text_segments(old or "", new or "")

    def join(segments: Sequence[tuple[str, str]]) -> Markup:
        out = Markup("")
        for text, kind in segments:
            body = _text(text)
            if kind == "removed":
                out += Markup("<del>") + body + Markup("</del>")
            elif kind == "added":
                out += Markup("<ins>") + body + Markup("</ins>")
            else:
                out += body
        return out

    return join(old_side), join(new_side)


# ---------------------------------------------------------------------------------------------
# check


@dataclass(frozen=True)
class _FindingRow:
    finding: Finding
    severity_label: str
    title: str
    where: str  # the cell alone on the file's sheet (named once above), or the field in words
    field: str  # the field in words, under the cell


@dataclass(frozen=True)
class Unreadable:
    """A file that could not be read, and why (the reader's message)."""

    source: str
    reason: str = ""


def _unreadable(item: str | tuple[str, str] | Unreadable) -> Unreadable:
    if isinstance(item, Unreadable):
        return item
    if isinstance(item, tuple):
        source, reason = item
        prefix = f"{source}: "
        return Unreadable(source, reason[len(prefix):] if reason.startswith(prefix) else reason)
    return Unreadable(str(item))


def _code_title(code: str) -> str:
    """The rule's (or reading problem's) title for a code, '' when unknown."""
    try:
        from budgetxl.read.codes import READ_CODES
        from budgetxl.rules.registry import RULES
        from budgetxl.rules.validate import validate  # noqa: F401 - registers every rule
    except ImportError:  # pragma: no cover - both ship with budgetxl
        return ""
    if code in READ_CODES:
        return READ_CODES[code].title
    rule = RULES.get(code)
    return rule.title if rule else ""


def _reading_order(findings: Sequence[Finding]) -> list[Finding]:
    from budgetxl.rules.check import in_reading_order

    return in_reading_order(list(findings))


def check_html(reports: Report | Sequence[Report],
               unreadable: Sequence[str | tuple[str, str] | Unreadable] = (),
               generated: datetime | None = None) -> str:
    """One page with every file's findings (errors first, then top to bottom), each with its
    code, the rule's title, the cell (the sheet is named once per file), the field in words, the
    message and the offending value. `unreadable` lists the files that could not be read at all,
    each a path or (path, the reader's message). The page reads on a phone (nothing wider than
    the screen) and prints on A4."""
    from budgetxl.rules.terminal import where

    if isinstance(reports, Report):
        reports = [reports]
    files = []
    for n, report in enumerate(reports, start=1):
        sheet = report.extra.get("sheet")
        rows = [_FindingRow(f, SEVERITY_LABELS[f.severity], _code_title(f.code), where(f, sheet),
                            describe_field(f.field) if f.cell else "")
                for f in _reading_order(report.findings)]
        if not report.valid:
            state = "error"
        elif report.counts["warning"]:
            state = "warning"
        else:
            state = "ok"
        files.append({"id": f"file-{n}", "report": report, "rows": rows, "state": state,
                      "source": report.source or f"文件 {n}"})
    totals = {s: sum(r.counts[s] for r in reports) for s in SEVERITIES}
    return _render(
        CHECK_TEMPLATE,
        title=CHECK_TITLE,
        files=files,
        unreadable=[_unreadable(u) for u in unreadable],
        totals=totals,
        severities=SEVERITIES,
        severity_labels=SEVERITY_LABELS,
        with_errors=sum(1 for f in files if f["state"] == "error"),
        with_warnings=sum(1 for r in reports if r.counts["warning"]),
        generated=_stamp(generated),
    )


def write_check_html(path: str | Path, reports: Report | Sequence[Report],
                     unreadable: Sequence[str | tuple[str, str] | Unreadable] = ()) -> Path:
    write_text_atomic(path, check_html(reports, unreadable))
    return Path(path)


# ---------------------------------------------------------------------------------------------
# diff


@dataclass(frozen=True)
class _ChangeRow:
    label: str
    old: Markup
    new: Markup
    delta: str


AMOUNT_FIELDS = frozenset({"funds", "amount"})


def _change_row(label: str, change: Change, kind: str = "text") -> _ChangeRow:
    """An amount (`kind` "amount") as numbers; a text with its changed characters marked on both
    sides (numbers compared whole); the change of an amount, a target ("target") or another
    number ("number") beside them."""
    if kind == "amount":
        old, new = escape(_num(change.old)), escape(_num(change.new))
        delta = amount_change_text(change.delta, change.percent)
    else:
        old, new = marked("" if change.old is None else str(change.old), "" if change.new is None else str(change.new))
        if kind == "target":
            delta = target_delta_text(change.delta, change.percent, change.unit)
        else:
            delta = number_change_text(change.delta, change.percent)
    return _ChangeRow(label, Markup(old), Markup(new), delta)


def _kind(field: str) -> str:
    return "amount" if field in AMOUNT_FIELDS else "target" if field == "target" else "text"


def _field_labels() -> tuple[dict[str, str], dict[str, str]]:
    layout = load_layout(None)
    tasks = {**layout.headers_of("tasks"), "group": S.LABELS["group"]}
    indicators = layout.headers_of("indicators")
    return tasks, indicators


def _entries(entries: Sequence[Entry], labels: dict[str, str], path: Sequence[str]) -> list[dict[str, Any]]:
    """Rows for a block: each entry with its name cells (a changed name marked) and its changes."""
    new_names = {e.new_index: e.new["name"] for e in entries if e.new is not None}
    old_names = {e.old_index: e.old["name"] for e in entries if e.old is not None}
    out = []
    for e in entries:
        row = e.new or e.old or {}
        cells = []
        for key in path:
            if key == "name" and "name" in e.changes:
                old, new = marked(e.changes["name"].old, e.changes["name"].new)
                cells.append(Markup('<span class="was">') + old + Markup('</span> <span class="now">') + new
                             + Markup("</span>"))
            elif key == "group":
                cells.append(escape(S.TASK_GROUP_LABELS.get(row.get("group", ""), row.get("group", ""))))
            else:
                cells.append(_text(row.get(key, "")))
        notes = []
        if e.similarity is not None:
            notes.append(f"{S.LABELS['similarity']} {e.similarity:.3f}")
        if e.merged_into is not None and e.merged_into in new_names:
            notes.append(S.LABELS["merged_into"].format(name=new_names[e.merged_into]))
        if e.split_from is not None and e.split_from in old_names:
            notes.append(S.LABELS["split_from"].format(name=old_names[e.split_from]))
        changes = [_change_row(labels.get(k, k), c, _kind(k)) for k, c in e.changes.items() if k != "name"]
        # An added or removed row shows what it holds, so the reviewer need not open the form.
        values = []
        if e.status in ("added", "removed"):
            for key, label in labels.items():
                value = row.get(key)
                if key in path or value in (None, ""):
                    continue
                values.append((label, _num(value) if key in AMOUNT_FIELDS else _text(value)))
        out.append({"status": e.status, "status_label": S.STATUS_LABELS[e.status], "cells": cells,
                    "changes": changes, "values": values, "notes": notes})
    return out


def _budget_rows(entries: Sequence[BudgetEntry]) -> list[dict[str, Any]]:
    return [
        {
            "status": e.status,
            "status_label": S.STATUS_LABELS[e.status],
            "part": e.part_label.replace("\n", ""),
            "name": e.name,
            "old": _num(e.old["amount"]) if e.old else "",
            "new": _num(e.new["amount"]) if e.new else "",
            "delta": _num(e.delta, signed=True),
            "percent": _pct(e.percent),
        }
        for e in entries
    ]


def _pair(diff: FormDiff, anchor: str) -> dict[str, Any]:
    task_labels, indicator_labels = _field_labels()
    counts = diff.counts()
    goal = {s: int(diff.overall_goal.status == s) for s in S.COUNT_ORDER}
    count_rows = [(diff.label("budget"), counts["budget"])]
    if diff.basic_info:
        count_rows.append((diff.label("basic_info"), counts["basic_info"]))
    count_rows += [(diff.label("overall_goal"), goal), *((diff.label(b), counts[b]) for b in diff.blocks)]
    unit = diff.new.unit_name
    if diff.old.unit_name != diff.new.unit_name:
        unit = f"{diff.old.unit_name} → {diff.new.unit_name}"
    goal_old, goal_new = marked(diff.overall_goal.old, diff.overall_goal.new)
    functions_old, functions_new = marked(diff.functions.old, diff.functions.new)
    basic = []
    for e in diff.basic_info:
        row = e.new or e.old or {}
        change = _change_row(row.get("name", ""), e.changes["value"], "number") if "value" in e.changes else None
        basic.append({"status": e.status, "status_label": S.STATUS_LABELS[e.status], "name": row.get("name", ""),
                      "value": row.get("value", ""), "change": change})
    return {
        "id": anchor,
        "diff": diff,
        "unit": unit,
        "old_heading": S.SIDE_HEADING.format(side=S.OLD, label=diff.old.label),
        "new_heading": S.SIDE_HEADING.format(side=S.NEW, label=diff.new.label),
        "count_rows": count_rows,
        "budget": _budget_rows(diff.budget),
        "basic_info": basic,
        "functions_changed": diff.functions.status == "changed",
        "functions_old": functions_old,
        "functions_new": functions_new,
        "goal_changed": diff.overall_goal.status == "changed",
        "goal_old": goal_old,
        "goal_new": goal_new,
        "tasks": _entries(diff.tasks, task_labels, ("group", "name")),
        "task_heads": [S.LABELS["group"], task_labels["name"]],
        "indicators": _entries(diff.indicators, indicator_labels, ("level1", "level2", "name")),
        "period_indicators": _entries(diff.period_indicators, indicator_labels, ("level1", "level2", "name")),
        "labels": {b: diff.label(b) for b in ("budget", "basic_info", "overall_goal", "tasks", "indicators",
                                               "period_indicators")},
        "blocks": diff.blocks,
        "indicator_heads": [indicator_labels["level1"], indicator_labels["level2"], indicator_labels["name"]],
    }


def diff_html(result: FormDiff | SeriesDiff, sources: Sequence[str] = (), generated: datetime | None = None) -> str:
    """The comparison as one page: counts, 预算整体情况 with amounts and changes, 总体绩效目标 with
    the changed words marked, then every task and indicator (added, removed and changed first,
    unchanged folded away), each changed field with its old and new value side by side."""
    diffs = [result] if isinstance(result, FormDiff) else list(result.diffs)
    pairs = [_pair(d, f"pair-{k}") for k, d in enumerate(diffs, start=1)]
    trend = None
    if isinstance(result, SeriesDiff):
        trend = {
            "labels": list(result.trend.labels),
            "lines": [{"part": line.part_label.replace("\n", ""), "name": line.name,
                       "amounts": [_num(a) for a in line.amounts]} for line in result.trend.lines],
        }
    title = S.TITLE if isinstance(result, FormDiff) else S.SERIES_TITLE
    if diffs and diffs[0].kind == "project" and isinstance(result, FormDiff):
        title = S.PROJECT_TITLE
    return _render(
        COMPARE_TEMPLATE,
        title=title,
        pairs=pairs,
        trend=trend,
        sources=list(sources),
        labels=S.LABELS,
        block_labels=S.block_labels(diffs[-1].new.layout),
        status_labels=S.STATUS_LABELS,
        count_order=S.COUNT_ORDER,
        trend_title=S.SHEETS["trend"],
        generated=_stamp(generated),
    )


def write_diff_html(path: str | Path, result: FormDiff | SeriesDiff, sources: Sequence[str] = ()) -> Path:
    write_text_atomic(path, diff_html(result, sources))
    return Path(path)


# The yearly loop's statuses as the comparison's (colours of added and removed rows).
_LOOP_CSS = {"kept": "unchanged", "dropped": "removed", "new": "added", "not_evaluated": "changed"}


def loop_html(loop: Any, sources: Sequence[str] = (), generated: datetime | None = None) -> str:
    """The yearly loop (diff.loop.LoopDiff) as one page: the three files, the score, then every
    indicator from its target through its actual value to next year's target, flagged rows first
    marked (and counted), the others as they come."""
    from budgetxl.diff import loop_output as L

    rows = [{"cells": L.cells(r), "status": r.status, "css": _LOOP_CSS.get(r.status, "unchanged"),
             "flagged": bool(r.flags)} for r in loop.rows]
    counts = [(label, sum(1 for r in loop.rows if r.status == status)) for status, label in L.STATUS.items()]
    return _render(
        LOOP_TEMPLATE,
        title=L.TITLE,
        summary=L.summary_line(loop),
        sources=list(zip(L.SOURCE_LABELS, sources)),
        warnings=list(loop.warnings),
        headings=L.HEADINGS,
        numeric=L.NUMERIC,
        status_col=L.HEADINGS.index(L.STATUS_HEADING),
        rows=rows,
        counts=[c for c in counts if c[1]],
        flagged=len(loop.flagged()),
        total=len(loop.rows),
        generated=_stamp(generated),
    )


def _stamp(when: datetime | None) -> str:
    return (when or datetime.now()).strftime("%Y-%m-%d %H:%M")


__all__ = ["Unreadable", "check_html", "diff_html", "loop_html", "marked", "write_check_html", "write_diff_html"]

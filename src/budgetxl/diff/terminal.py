"""A FormDiff for a person at a terminal (rich): counts, the budget table, and every task and
indicator that was added, removed or changed, with text changes marked inside the line."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from budgetxl.diff import styles as S
from budgetxl.diff.core import Change, Entry, FormDiff
from budgetxl.diff.textdiff import elide, inline_segments
from budgetxl.diff.trend import SeriesDiff
from budgetxl.layout import load_layout
from budgetxl.model import canonical_decimal

T = S.TERMINAL


def _num(value: Decimal | str | None, signed: bool = False) -> str:
    if value is None or value == "":
        return ""
    d = canonical_decimal(Decimal(value))
    text = f"{d:,f}"
    return f"+{text}" if signed and d > 0 else text


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{_num(value, signed=True)}%"


def _status(status: str) -> Text:
    return Text(S.STATUS_LABELS[status], style=T["status"][status])


MOSTLY_NEW = 1 / 3  # below this share of common text, show "old → new" rather than marks


def _plain(console: Console) -> bool:
    """No colours (a pipe, a file, NO_COLOR): changes are bracketed instead of coloured."""
    return console.no_color or console.color_system is None


def _marked(old: str, new: str, console: Console) -> Text:
    segments = inline_segments(old, new)
    common = sum(len(t) for t, k in segments if k == "same")
    if common < MOSTLY_NEW * max(len(old), len(new)):
        segments = [(old, "removed"), (new, "added")] if old and new else [(old or new, "removed" if old else "added")]
    out = Text()
    plain = _plain(console)
    for k, (text, kind) in enumerate(elide(segments)):
        text = text.replace("\n", "↵")
        if plain:
            text = {"removed": S.PLAIN_MARKS["removed"], "added": S.PLAIN_MARKS["added"]}.get(kind, "{}").format(text)
        elif kind != "same" and k and segments[k - 1][1] != "same" and len(segments) == 2:
            out.append(" → ")
        out.append(text, style=T[kind])
    return out


def _change_text(change: Change, console: Console) -> Text:
    if isinstance(change.old, str) and isinstance(change.new, str) and change.delta is None:
        return _marked(change.old, change.new, console)
    out = Text(f"{change.old or '（空）'} → {change.new or '（空）'}")
    if change.delta is not None:
        unit = f" {change.unit}" if change.unit else ""
        pct = f"，{_pct(change.percent)}" if change.percent is not None else ""
        out.append(f"（{_num(change.delta, signed=True)}{unit}{pct}）")
    return out


def _counts_table(diff: FormDiff) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    table.add_column(S.LABELS["block"])
    for status in S.COUNT_ORDER:
        table.add_column(S.STATUS_LABELS[status], justify="right", style=T["status"][status])
    counts = diff.counts()
    goal = {s: int(diff.overall_goal.status == s) for s in S.COUNT_ORDER}
    rows = [("budget", counts["budget"])]
    if diff.basic_info:
        rows.append(("basic_info", counts["basic_info"]))
    rows += [("overall_goal", goal), *((block, counts[block]) for block in diff.blocks)]
    for block, tally in rows:
        table.add_row(diff.label(block), *(str(tally[s]) for s in S.COUNT_ORDER))
    return table


def _budget_table(diff: FormDiff) -> Table:
    table = Table(title=diff.label("budget"), show_edge=False, pad_edge=False, title_justify="left")
    for heading, justify in (
        (S.LABELS["part"], "left"),
        (S.LABELS["item"], "left"),
        (S.SIDE_HEADING.format(side=S.OLD, label=diff.old.label), "right"),
        (S.SIDE_HEADING.format(side=S.NEW, label=diff.new.label), "right"),
        (S.LABELS["delta"], "right"),
        (S.LABELS["percent"], "right"),
        (S.LABELS["status"], "left"),
    ):
        table.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for e in diff.budget:
        table.add_row(
            e.part_label.replace("\n", ""),
            e.name.replace("\n", ""),
            _num(e.old["amount"]) if e.old else "",
            _num(e.new["amount"]) if e.new else "",
            _num(e.delta, signed=True),
            _pct(e.percent),
            _status(e.status),
        )
    return table


def _entry_name(row: dict[str, Any] | None, path: Sequence[str]) -> str:
    if row is None:
        return ""
    return " / ".join(str(row[k]).replace("\n", "") for k in path if row.get(k))


def _entries(
    console: Console,
    title: str,
    entries: Sequence[Entry],
    path: Sequence[str],
    headers: dict[str, str],
    names: tuple[Sequence[Any], Sequence[Any]],
) -> None:
    shown = [e for e in entries if e.status != "unchanged"]
    unchanged = len(entries) - len(shown)
    console.print(Text(f"{title}（{S.STATUS_LABELS['unchanged']} {unchanged} 项）", style=T["title"]))
    for e in shown:
        line = Text("  ")
        line.append_text(_status(e.status))
        line.append("  ")
        if e.status == "changed" and "name" in e.changes:
            prefix = _entry_name(e.old, [k for k in path if k != "name"])
            line.append(f"{prefix} / " if prefix else "")
            line.append_text(_marked(e.changes["name"].old, e.changes["name"].new, console))
        else:
            line.append(_entry_name(e.new or e.old, path))
        if e.similarity is not None:
            line.append(f"  （{S.LABELS['similarity']} {e.similarity:.3f}）", style="dim")
        if e.merged_into is not None:
            line.append("  " + S.LABELS["merged_into"].format(name=names[1][e.merged_into].name), style="dim")
        if e.split_from is not None:
            line.append("  " + S.LABELS["split_from"].format(name=names[0][e.split_from].name), style="dim")
        console.print(line)
        for field, change in e.changes.items():
            if field == "name":
                continue
            detail = Text(f"      {headers.get(field, field)}：")
            detail.append_text(_change_text(change, console))
            console.print(detail)


def render_diff(diff: FormDiff, console: Console, forms: Sequence[Any]) -> None:
    """Print `diff` (of `forms[0]` → `forms[1]`) on `console`."""
    layout = load_layout(None)
    task_headers = {**layout.headers_of("tasks"), "group": S.LABELS["group"]}
    indicator_headers = layout.headers_of("indicators")
    unit = diff.new.unit_name
    if diff.old.unit_name != diff.new.unit_name:
        unit = f"{diff.old.unit_name} → {diff.new.unit_name}"
    title = S.PROJECT_TITLE if diff.kind == "project" else S.TITLE
    console.print(Text(f"{title}：{unit}　{diff.old.label} → {diff.new.label}", style=T["title"]))
    for warning in diff.warnings:
        console.print(Text(f"{S.LABELS['warnings']}：{warning}", style=T["warning"]))
    if diff.identical:
        console.print(Text(S.LABELS["identical"], style=T["title"]))
    console.print(_counts_table(diff))
    console.print()
    console.print(_budget_table(diff))
    for e in diff.basic_info:
        if e.status != "unchanged":
            row = e.new or e.old
            detail = Text(f"{diff.label('basic_info')} {row['name'] if row else ''}：")
            detail.append_text(_change_text(e.changes["value"], console) if "value" in e.changes else _status(e.status))
            console.print(detail)
    console.print()
    if diff.overall_goal.status == "changed":
        goal = Text(f"{diff.label('overall_goal')}：", style=T["title"])
        goal.append_text(_marked(diff.overall_goal.old, diff.overall_goal.new, console))
        console.print(goal)
        console.print()
    old_form, new_form = forms
    for k, block in enumerate(diff.blocks):
        if k:
            console.print()
        names = (getattr(old_form, block, ()), getattr(new_form, block, ()))
        if block == "tasks":
            _entries(console, diff.label(block), diff.tasks, ["name"], task_headers, names)
        else:
            _entries(console, diff.label(block), getattr(diff, block), ["level1", "level2", "name"],
                     indicator_headers, names)


def render_series(series: SeriesDiff, console: Console, forms: Sequence[Any]) -> None:
    """Each consecutive pair, then the budget lines over the years."""
    for k, diff in enumerate(series.diffs):
        if k:
            console.rule()
        render_diff(diff, console, (forms[k], forms[k + 1]))
    console.rule()
    table = Table(title=S.SHEETS["trend"], show_edge=False, pad_edge=False, title_justify="left")
    table.add_column(S.LABELS["trend_part"])
    table.add_column(S.LABELS["trend_item"])
    for label in series.trend.labels:
        table.add_column(label, justify="right")
    for line in series.trend.lines:
        table.add_row(line.part_label.replace("\n", ""), line.name.replace("\n", ""), *(_num(a) for a in line.amounts))
    console.print(table)

"""A FormDiff for a person at a terminal (rich): counts, the budget table, and every task and
indicator that was added, removed or changed, with text changes marked inside the line.

A number is never cut off: on a terminal the tables give their number columns the width of
their widest value and let the text columns wrap (or, when even the numbers do not fit, fall
back to plain lines); piped into a file or another program, the output is plain lines (no
table whose width would have to be guessed), each value whole.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from budgetxl.diff import styles as S
from budgetxl.diff.core import Change, Entry, FormDiff
from budgetxl.diff.textdiff import elide, inline_segments
from budgetxl.diff.trend import SeriesDiff
from budgetxl.display import (
    EMPTY,
    amount_change_text,
    amount_text,
    number_change_text,
    percent_text,
    target_delta_text,
)
from budgetxl.layout import load_layout

T = S.TERMINAL

# Narrowest a wrapping text column of a table may get before the table gives way to plain lines.
MIN_TEXT_COLUMN = 6


def _num(value: Decimal | str | None, signed: bool = False) -> str:
    """An amount (万元) as a person reads it: two decimals, thousands separators."""
    return amount_text(value, signed=signed)


def _pct(value: Decimal | None) -> str:
    return percent_text(value)


def _tabular(console: Console) -> bool:
    """Tables on a terminal; plain lines when the output goes to a pipe or a file."""
    return console.is_terminal


def _fits(console: Console, fixed: Sequence[int], wrapping: int) -> bool:
    """Whether a table with columns of `fixed` widths (numbers, never cut) and `wrapping` text
    columns of at least MIN_TEXT_COLUMN fits the console (one space between columns plus the
    separator, as the tables below draw them)."""
    columns = len(fixed) + wrapping
    return sum(fixed) + wrapping * MIN_TEXT_COLUMN + 3 * (columns - 1) <= console.width


def _widest(texts: Sequence[str]) -> int:
    return max(cell_len(t) for t in texts)


def _table(title: str | None = None) -> Table:
    return Table(title=title, show_edge=False, pad_edge=False, title_justify="left")


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


def _change_text(change: Change, console: Console, kind: str = "text") -> Text:
    """One field's change: texts marked inside the line; amounts (`kind` "amount"), targets
    ("target") and other numbers ("number") as old → new with the change beside them."""
    if kind == "amount":
        old, new = _num(change.old) or EMPTY, _num(change.new) or EMPTY
        delta = amount_change_text(change.delta, change.percent)
    elif isinstance(change.old, str) and isinstance(change.new, str) and change.delta is None:
        return _marked(change.old, change.new, console)
    else:
        old, new = str(change.old or EMPTY), str(change.new or EMPTY)
        if kind == "target":
            delta = target_delta_text(change.delta, change.percent, change.unit)
        else:
            delta = number_change_text(change.delta, change.percent)
    out = Text(f"{old} → {new}")
    if delta:
        out.append(f"（{delta}）")
    return out


def _count_rows(diff: FormDiff) -> list[tuple[str, dict[str, int]]]:
    counts = diff.counts()
    goal = {s: int(diff.overall_goal.status == s) for s in S.COUNT_ORDER}
    rows = [("budget", counts["budget"])]
    if diff.basic_info:
        rows.append(("basic_info", counts["basic_info"]))
    rows += [("overall_goal", goal), *((block, counts[block]) for block in diff.blocks)]
    return rows


def _counts(diff: FormDiff, console: Console) -> None:
    rows = _count_rows(diff)
    if not _tabular(console):
        for block, tally in rows:
            parts = "，".join(f"{S.STATUS_LABELS[s]} {tally[s]}" for s in S.COUNT_ORDER)
            console.print(f"{diff.label(block)}：{parts}", markup=False, highlight=False)
        return
    table = _table()
    table.add_column(S.LABELS["block"])
    for status in S.COUNT_ORDER:
        table.add_column(S.STATUS_LABELS[status], justify="right", style=T["status"][status], no_wrap=True)
    for block, tally in rows:
        table.add_row(diff.label(block), *(str(tally[s]) for s in S.COUNT_ORDER))
    console.print(table)


def _budget_cells(diff: FormDiff) -> list[tuple[str, str, str, str, str, str, str]]:
    return [
        (
            e.part_label.replace("\n", ""),
            e.name.replace("\n", ""),
            _num(e.old["amount"]) if e.old else "",
            _num(e.new["amount"]) if e.new else "",
            _num(e.delta, signed=True),
            _pct(e.percent),
            e.status,
        )
        for e in diff.budget
    ]


def _budget(diff: FormDiff, console: Console) -> None:
    """预算整体情况: a table whose number columns are never cut, or plain lines."""
    old_head = S.SIDE_HEADING.format(side=S.OLD, label=diff.old.label)
    new_head = S.SIDE_HEADING.format(side=S.NEW, label=diff.new.label)
    heads = [S.LABELS["part"], S.LABELS["item"], old_head, new_head, S.LABELS["delta"], S.LABELS["percent"],
             S.LABELS["status"]]
    rows = _budget_cells(diff)
    fixed = [_widest([heads[k], *(r[k] for r in rows)]) for k in range(2, 6)]
    fixed.append(_widest([heads[6], *(S.STATUS_LABELS[r[6]] for r in rows)]))
    if not _tabular(console) or not _fits(console, fixed, 2):
        console.print(Text(f"{diff.label('budget')}（{S.LABELS['trend_axis']}）", style=T["title"]))
        for part, item, old, new, delta, pct, status in rows:
            line = Text(f"  {part} / {item}：{old or EMPTY} → {new or EMPTY}")
            change = "，".join(x for x in (delta, pct) if x)
            if change:
                line.append(f"（{change}）")
            line.append("  ")
            line.append_text(_status(status))
            console.print(line)
        return
    table = _table(diff.label("budget"))
    table.add_column(heads[0], overflow="fold", min_width=MIN_TEXT_COLUMN)
    table.add_column(heads[1], overflow="fold", min_width=MIN_TEXT_COLUMN)
    for head, width in zip(heads[2:6], fixed):
        table.add_column(head, justify="right", no_wrap=True, min_width=width)
    table.add_column(heads[6], no_wrap=True, min_width=fixed[-1])
    for *cells, status in rows:
        table.add_row(*cells, _status(status))
    console.print(table)


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
            kind = "amount" if field == "funds" else "target" if field == "target" else "text"
            detail.append_text(_change_text(change, console, kind))
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
    _counts(diff, console)
    console.print()
    _budget(diff, console)
    for e in diff.basic_info:
        if e.status != "unchanged":
            row = e.new or e.old
            detail = Text(f"{diff.label('basic_info')} {row['name'] if row else ''}：")
            if "value" in e.changes:
                detail.append_text(_change_text(e.changes["value"], console, "number"))
            else:
                detail.append_text(_status(e.status))
            console.print(detail)
    console.print()
    for key, text_diff in (("functions", diff.functions), ("overall_goal", diff.overall_goal)):
        if text_diff.status == "changed":
            goal = Text(f"{diff.label(key)}：", style=T["title"])
            goal.append_text(_marked(text_diff.old, text_diff.new, console))
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
    labels = list(series.trend.labels)
    rows = [(line.part_label.replace("\n", ""), line.name.replace("\n", ""), [_num(a) for a in line.amounts])
            for line in series.trend.lines]
    fixed = [_widest([label, *(r[2][k] for r in rows)]) for k, label in enumerate(labels)]
    if not _tabular(console) or not _fits(console, fixed, 2):
        console.print(Text(f"{S.SHEETS['trend']}（{S.LABELS['trend_axis']}）", style=T["title"]))
        for part, item, amounts in rows:
            values = "，".join(f"{label} {a or EMPTY}" for label, a in zip(labels, amounts))
            console.print(Text(f"  {part} / {item}：{values}"))
        return
    table = _table(S.SHEETS["trend"])
    table.add_column(S.LABELS["trend_part"], overflow="fold", min_width=MIN_TEXT_COLUMN)
    table.add_column(S.LABELS["trend_item"], overflow="fold", min_width=MIN_TEXT_COLUMN)
    for label, width in zip(labels, fixed):
        table.add_column(label, justify="right", no_wrap=True, min_width=width)
    for part, item, amounts in rows:
        table.add_row(part, item, *amounts)
    console.print(table)

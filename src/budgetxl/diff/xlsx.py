"""The comparison workbook: a summary sheet, then tasks and indicators with the two years side by
side, a 状态 column, changed cells filled, and text changes shown inside the cell (removed
characters struck through in red on the old side, added ones in green on the new side).

Several years: each consecutive pair gets its own three sheets, and a trend sheet shows the
budget lines over the years with a line chart. Output is byte-stable (a fixed created date) and
written atomically.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from budgetxl.diff import styles as S
from budgetxl.diff.core import Entry, FormDiff, Side
from budgetxl.diff.textdiff import Segment, text_segments
from budgetxl.diff.trend import SeriesDiff, Trend
from budgetxl.display import amount_text, percent_text, target_delta_text
from budgetxl.fileio import atomic_path
from budgetxl.layout import load_layout
from budgetxl.render.xlsx import Workbook
from budgetxl.text import column_px, fit_width, text_height_pt

_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_MAX_SHEET_NAME = 31


# --------------------------------------------------------------------------------------------
# Formats and cells


class _Book:
    """The workbook plus formats built on demand from the named styles (cached)."""

    def __init__(self, path: Path) -> None:
        self.wb = Workbook(  # assembled in memory: a few sheets, no temporary files
            str(path),
            {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False, "in_memory": True},
            normal_font=str(S.FONT["font_name"]),
        )
        self.wb.set_properties({"title": S.TITLE, "created": S.CREATED})
        self._formats: dict[tuple[str, str | None, str | None], Format] = {}
        self._names: set[str] = set()

    def fmt(self, name: str, fill: str | None = None, run: str | None = None) -> Format:
        """Format `name` from styles.FORMATS, with the fill of status `fill` and the font of
        rich-text run kind `run` when given."""
        key = (name, fill, run)
        if key not in self._formats:
            props = dict(S.FORMATS[name])
            if fill and fill in S.FILLS:
                props["bg_color"] = S.FILLS[fill]
            if run:
                props.update(S.RUNS[run])
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def sheet(self, name: str) -> Worksheet:
        name = _SHEET_NAME_BAD.sub("_", name)[:_MAX_SHEET_NAME].strip("'") or "Sheet"
        base, n = name, 2
        while name.lower() in self._names:
            suffix = f" ({n})"
            name = base[: _MAX_SHEET_NAME - len(suffix)] + suffix
            n += 1
        self._names.add(name.lower())
        ws = self.wb.add_worksheet(name)
        _page_setup(ws)
        return ws


def _page_setup(ws: Worksheet) -> None:
    ws.set_paper(S.PAGE["paper"])
    if S.PAGE["landscape"]:
        ws.set_landscape()
    left, right, top, bottom = S.PAGE["margins"]
    ws.set_margins(left=left, right=right, top=top, bottom=bottom)
    ws.set_footer(S.PAGE["footer"])
    ws.fit_to_pages(1, 0)


class _Rows:
    """Tracks the height each row needs from the wrapped texts written into it."""

    def __init__(self, ws: Worksheet, widths: Sequence[float]) -> None:
        self.ws = ws
        self.widths = list(widths)
        self.heights: dict[int, float] = {}
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)

    def need(self, row: int, col: int, text: str, span: int = 1) -> None:
        width = sum(self.widths[col : col + span])
        height = text_height_pt(text, column_px(width), S.FONT["font_size"])
        self.heights[row] = max(self.heights.get(row, 0.0), height)

    def finish(self) -> None:
        for row, height in sorted(self.heights.items()):
            self.ws.set_row(row, round(height, 1))


def _side_heading(side: str, s: Side) -> str:
    return S.SIDE_HEADING.format(side=side, label=s.label)


def _write_runs(
    book: _Book, rows: _Rows, row: int, col: int, runs: list[Segment], name: str, fill: str | None, span: int = 1
) -> None:
    """A text cell (the first of `span` merged cells) made of runs: rich text when the runs differ
    in kind, else one plain string."""
    text = "".join(t for t, _ in runs)
    rows.need(row, col, text, span)
    if len(runs) >= 2:
        parts: list[Any] = []
        for t, kind in runs:
            parts += [book.fmt("cell", run=kind), t]
        rows.ws.write_rich_string(row, col, *parts, book.fmt(name, fill))
    elif runs:
        kind = runs[0][1]
        rows.ws.write_string(row, col, text, book.fmt(name, fill, None if kind == "same" else kind))
    else:
        rows.ws.write_blank(row, col, None, book.fmt(name, fill))


def _write_text(
    book: _Book, rows: _Rows, row: int, col: int, text: str, name: str = "cell", fill: str | None = None
) -> None:
    _write_runs(book, rows, row, col, [(text, "same")] if text else [], name, fill)


def _write_number(
    book: _Book, ws: Worksheet, row: int, col: int, value: Decimal | str | None, name: str, fill: str | None = None
) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, book.fmt(name, fill))
    else:
        ws.write_number(row, col, float(Decimal(value)), book.fmt(name, fill))


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except (ArithmeticError, ValueError):
        return False
    return Decimal(text).is_finite()


def _percent_value(percent: Decimal | None) -> Decimal | None:
    return None if percent is None else percent / 100


def _status_cell(book: _Book, ws: Worksheet, row: int, col: int, status: str) -> None:
    fill = status if status in S.FILLS else None
    ws.write_string(row, col, S.STATUS_LABELS[status], book.fmt("center", fill))


def _fit(declared: float, texts: Sequence[str]) -> float:
    """The declared width, or wider when a value (as its number format shows it) needs more:
    a number never shows as ###."""
    return max(declared, fit_width(texts, S.FONT["font_size"]))


def _amount_texts(values: Sequence[Decimal | str | None], signed: bool = False) -> list[str]:
    return [amount_text(v, signed=signed) for v in values if v not in (None, "")]


# --------------------------------------------------------------------------------------------
# Side-by-side sheets (tasks, indicators)


def _headers(ws_rows: _Rows, book: _Book, groups: list[tuple[str, int]], columns: list[str]) -> None:
    ws = ws_rows.ws
    col = 0
    for text, span in groups:
        if span > 1:
            ws.merge_range(0, col, 0, col + span - 1, text, book.fmt("header"))
        else:
            ws.write_string(0, col, text, book.fmt("header"))
        col += span
    for col, text in enumerate(columns):
        ws.write_string(1, col, text, book.fmt("header"))
        ws_rows.need(1, col, text)
    ws.freeze_panes(S.HEADER_ROWS, 1)
    ws.repeat_rows(0, S.HEADER_ROWS - 1)


def _side_cells(
    book: _Book,
    rows: _Rows,
    row: int,
    col: int,
    entry: Entry,
    side: str,
    fields: Sequence[str],
    amount_fields: set[str],
) -> None:
    """One side (old or new) of an entry: one cell per field."""
    data = entry.old if side == "old" else entry.new
    for k, field in enumerate(fields):
        c = col + k
        if data is None:
            rows.ws.write_blank(row, c, None, book.fmt("cell"))
            continue
        if entry.status in ("added", "removed"):
            fill: str | None = entry.status
        else:
            fill = "changed" if field in entry.changes else None
        if field in amount_fields:
            _write_number(book, rows.ws, row, c, data[field], "amount", fill)
            continue
        value = data[field]
        if field == "group":
            value = S.TASK_GROUP_LABELS.get(value, value)
        if field in entry.changes and field != "group":
            change = entry.changes[field]
            old_runs, new_runs = text_segments(change.old, change.new)
            _write_runs(book, rows, row, c, old_runs if side == "old" else new_runs, "cell", fill)
        else:
            _write_text(book, rows, row, c, value, "cell", fill)


def _note(entry: Entry, old_rows: Sequence[dict[str, Any]], new_rows: Sequence[dict[str, Any]]) -> str:
    if entry.merged_into is not None:
        return S.LABELS["merged_into"].format(name=new_rows[entry.merged_into]["name"])
    if entry.split_from is not None:
        return S.LABELS["split_from"].format(name=old_rows[entry.split_from]["name"])
    return ""


def _entries_sheet(
    book: _Book,
    name: str,
    diff: FormDiff,
    entries: Sequence[Entry],
    fields: Sequence[str],
    headers: Sequence[str],
    widths: Sequence[float],
    extra: Sequence[tuple[str, float, str]],
    extra_group: str,
    rows_data: tuple[Sequence[dict[str, Any]], Sequence[dict[str, Any]]],
    amount_fields: set[str] = frozenset(),  # type: ignore[assignment]
) -> Worksheet:
    """Status and similarity, then the old side, the new side, and `extra` computed columns
    (heading, width, key) under the heading `extra_group`."""
    ws = book.sheet(name)
    n = len(fields)
    all_widths = [S.WIDTHS["status"], S.WIDTHS["similarity"], *widths, *widths, *(w for _, w, _ in extra)]
    rows = _Rows(ws, all_widths)
    groups = [
        (S.LABELS["compare"], 2),
        (_side_heading(S.OLD, diff.old), n),
        (_side_heading(S.NEW, diff.new), n),
        (extra_group, len(extra)),
    ]
    columns = [S.LABELS["status"], S.LABELS["similarity"], *headers, *headers, *(h for h, _, _ in extra)]
    _headers(rows, book, groups, columns)
    row = S.HEADER_ROWS - 1
    for entry in entries:
        row += 1
        _status_cell(book, ws, row, 0, entry.status)
        if entry.similarity is None:
            ws.write_blank(row, 1, None, book.fmt("similarity"))
        else:
            ws.write_number(row, 1, entry.similarity, book.fmt("similarity"))
        _side_cells(book, rows, row, 2, entry, "old", fields, amount_fields)
        _side_cells(book, rows, row, 2 + n, entry, "new", fields, amount_fields)
        col = 2 + 2 * n
        for _, _, key in extra:
            _extra_cell(book, rows, row, col, entry, key, rows_data)
            col += 1
    ws.autofilter(1, 0, row, len(all_widths) - 1)
    rows.finish()
    return ws


def _extra_cell(
    book: _Book, rows: _Rows, row: int, col: int, entry: Entry, key: str, rows_data: tuple[Sequence[Any], Sequence[Any]]
) -> None:
    ws = rows.ws
    if key == "funds_delta":
        change = entry.changes.get("funds")
        _write_number(book, ws, row, col, change.delta if change else None, "delta", "changed" if change else None)
    elif key == "funds_percent":
        change = entry.changes.get("funds")
        value = _percent_value(change.percent) if change else None
        _write_number(book, ws, row, col, value, "percent", "changed" if change and value is not None else None)
    elif key == "target_change":
        change = entry.changes.get("target")
        text = ""
        if change is not None:
            text = target_delta_text(change.delta, change.percent, change.unit)
        _write_text(book, rows, row, col, text, "cell", "changed" if text else None)
    elif key == "note":
        _write_text(book, rows, row, col, _note(entry, *rows_data), "cell")


def _tasks_sheet(book: _Book, name: str, diff: FormDiff, old_tasks: Sequence[Any], new_tasks: Sequence[Any]) -> None:
    columns = load_layout(None).headers_of("tasks")
    fields = ["group", *columns]
    headers = [S.LABELS["group"], *columns.values()]
    funds = [c for e in diff.tasks if (c := e.changes.get("funds")) is not None]
    amounts = [row.get("funds") for e in diff.tasks for row in (e.old, e.new) if row is not None]
    widths = [_fit(S.WIDTHS[f], _amount_texts(amounts)) if f == "funds" else S.WIDTHS[f] for f in fields]
    extra = [
        (S.LABELS["delta"], _fit(S.WIDTHS["delta"], _amount_texts([c.delta for c in funds], signed=True)),
         "funds_delta"),
        (S.LABELS["percent"], _fit(S.WIDTHS["percent"], [percent_text(c.percent) for c in funds]), "funds_percent"),
        (S.LABELS["warnings"], S.WIDTHS["note"], "note"),
    ]
    _entries_sheet(
        book, name, diff, diff.tasks, fields, headers, widths, extra, S.LABELS["funds_change"],
        (old_tasks, new_tasks), {"funds"},
    )


def _indicators_sheet(book: _Book, name: str, diff: FormDiff, old_rows: Sequence[Any], new_rows: Sequence[Any],
                      entries: Sequence[Any] | None = None) -> None:
    columns = load_layout(None).headers_of("indicators")
    fields = list(columns)
    widths = [S.WIDTHS["indicator"] if f == "name" else S.WIDTHS[f] for f in fields]
    extra = [
        (S.LABELS["target_change"], min(S.WIDTHS["target_change_max"], _fit(S.WIDTHS["target_change"], [
            target_delta_text(c.delta, c.percent, c.unit) for e in diff.indicators
            if (c := e.changes.get("target")) is not None])), "target_change"),
        (S.LABELS["warnings"], S.WIDTHS["note"], "note"),
    ]
    _entries_sheet(
        book, name, diff, diff.indicators if entries is None else entries, fields, list(columns.values()), widths,
        extra, S.LABELS["compare"],
        (old_rows, new_rows),
    )


# --------------------------------------------------------------------------------------------
# Summary sheet

_SUMMARY_WIDTHS = ("part", "item", "amount", "amount", "delta", "percent", "status")


def _summary_sheet(book: _Book, name: str, diff: FormDiff, sources: tuple[str, str] | None) -> None:
    ws = book.sheet(name)
    widths: list[float] = [S.WIDTHS[k] for k in _SUMMARY_WIDTHS]
    # The number columns as wide as their widest value (amounts, changes, 基本信息 values).
    columns: list[list[str]] = [[], [], [], []]
    for e in diff.budget:
        columns[0] += _amount_texts([e.old["amount"] if e.old else None])
        columns[1] += _amount_texts([e.new["amount"] if e.new else None])
        columns[2] += _amount_texts([e.delta], signed=True)
        columns[3].append(percent_text(e.percent))
    for entry in diff.basic_info:
        columns[0].append(entry.old["value"] if entry.old else "")
        columns[1].append(entry.new["value"] if entry.new else "")
        change = entry.changes.get("value")
        columns[2].append(str(change.delta) if change and change.delta is not None else "")
        columns[3].append(percent_text(change.percent) if change else "")
    for k, texts in enumerate(columns, start=2):
        widths[k] = _fit(widths[k], texts)
    rows = _Rows(ws, widths)
    last = len(widths) - 1
    ws.merge_range(0, 0, 0, last, S.PROJECT_TITLE if diff.kind == "project" else S.TITLE, book.fmt("title"))
    ws.set_row(0, 28)
    ws.freeze_panes(1, 0)
    row = 1
    old_source, new_source = sources if sources else (None, None)
    for side_name, side, source in ((S.OLD, diff.old, old_source), (S.NEW, diff.new, new_source)):
        row += 1
        ws.write_string(row, 0, _side_heading(side_name, side), book.fmt("label"))
        text = side.unit_name + (f"　{source}" if source else "")
        ws.merge_range(row, 1, row, last, text, book.fmt("text"))
        rows.need(row, 1, text, span=last)
    for warning in diff.warnings:
        row += 1
        ws.write_string(row, 0, S.LABELS["warnings"], book.fmt("warning"))
        ws.merge_range(row, 1, row, last, warning, book.fmt("warning"))
        rows.need(row, 1, warning, span=last)

    # Counts per block
    row += 2
    heads = [S.LABELS["block"], *(S.STATUS_LABELS[s] for s in S.COUNT_ORDER)]
    for col, text in enumerate(heads):
        ws.write_string(row, col, text, book.fmt("header"))
    counts = diff.counts()
    goal = {s: int(diff.overall_goal.status == s) for s in S.COUNT_ORDER}
    blocks = [("budget", counts["budget"])]
    if diff.basic_info:
        blocks.append(("basic_info", counts["basic_info"]))
    blocks += [("overall_goal", goal), *((block, counts[block]) for block in diff.blocks)]
    for block, tally in blocks:
        row += 1
        ws.write_string(row, 0, diff.label(block), book.fmt("cell"))
        for col, status in enumerate(S.COUNT_ORDER, start=1):
            n = tally[status]
            fill = status if n and status in S.FILLS else None
            ws.write_number(row, col, n, book.fmt("center", fill))

    # Budget table: 上年 / 本年 / 增减额 / 增减率
    row += 2
    heads = [
        S.LABELS["part"], S.LABELS["item"], _side_heading(S.OLD, diff.old), _side_heading(S.NEW, diff.new),
        S.LABELS["delta"], S.LABELS["percent"], S.LABELS["status"],
    ]
    for col, text in enumerate(heads):
        ws.write_string(row, col, text, book.fmt("header"))
        rows.need(row, col, text)
    for e in diff.budget:
        row += 1
        fill = e.status if e.status in ("added", "removed") else None
        changed = "changed" if e.status == "changed" else fill
        _write_text(book, rows, row, 0, e.part_label, "cell", fill)
        _write_text(book, rows, row, 1, e.name, "cell", fill)
        _write_number(book, ws, row, 2, e.old["amount"] if e.old else None, "amount", changed if e.old else None)
        _write_number(book, ws, row, 3, e.new["amount"] if e.new else None, "amount", changed if e.new else None)
        _write_number(book, ws, row, 4, e.delta, "delta", changed if e.delta is not None else None)
        pct = _percent_value(e.percent)
        _write_number(book, ws, row, 5, pct, "percent", changed if pct is not None else None)
        _status_cell(book, ws, row, 6, e.status)

    # 基本信息 (same columns)
    for info in diff.basic_info:
        row += 1
        data = info.new or info.old
        _write_text(book, rows, row, 0, diff.label("basic_info"), "cell")
        _write_text(book, rows, row, 1, data["name"] if data else "", "cell")
        change = info.changes.get("value")
        fill = "changed" if change else (info.status if info.status in S.FILLS else None)
        for col, data in ((2, info.old), (3, info.new)):
            value = data["value"] if data else ""
            cell_fill = fill if data else None
            if _is_number(value):
                _write_number(book, ws, row, col, value, "number", cell_fill)
            else:
                _write_text(book, rows, row, col, value, "cell", cell_fill)
        delta = change.delta if change else None
        _write_number(book, ws, row, 4, delta, "number_delta", fill if delta is not None else None)
        pct = _percent_value(change.percent) if change else None
        _write_number(book, ws, row, 5, pct, "percent", fill if pct is not None else None)
        _status_cell(book, ws, row, 6, info.status)

    # 总体绩效目标 (and 部门职能概述 where a form states it), old and new with the changes marked
    goal_texts = [("overall_goal", diff.overall_goal)]
    if diff.functions.old or diff.functions.new:
        goal_texts.insert(0, ("functions", diff.functions))
    for key, text_diff in goal_texts:
        row += 2
        ws.write_string(row, 0, diff.label(key), book.fmt("header"))
        ws.merge_range(row, 1, row, last - 1, "", book.fmt("header"))
        _status_cell(book, ws, row, last, text_diff.status)
        goal_old, goal_new = text_segments(text_diff.old, text_diff.new)
        fill = "changed" if text_diff.status == "changed" else None
        for side_name, side, runs in ((S.OLD, diff.old, goal_old), (S.NEW, diff.new, goal_new)):
            row += 1
            ws.write_string(row, 0, _side_heading(side_name, side), book.fmt("label"))
            ws.merge_range(row, 1, row, last, "", book.fmt("cell", fill))
            _write_runs(book, rows, row, 1, runs, "cell", fill, span=last)
    rows.finish()


# --------------------------------------------------------------------------------------------
# Trend sheet


def _trend_sheet(book: _Book, name: str, trend: Trend) -> None:
    ws = book.sheet(name)
    n = len(trend.labels)
    widths = [S.WIDTHS["part"], S.WIDTHS["item"],
              *(_fit(S.WIDTHS["trend_year"], _amount_texts([line.amounts[k] for line in trend.lines]))
                for k in range(n))]
    rows = _Rows(ws, widths)
    heads = [S.LABELS["trend_part"], S.LABELS["trend_item"], *trend.labels]
    for col, text in enumerate(heads):
        ws.write_string(0, col, text, book.fmt("header"))
    ws.freeze_panes(1, 2)
    ws.repeat_rows(0)
    chart = book.wb.add_chart({"type": "line"})
    sheet_ref = ws.get_name().replace("'", "''")
    for k, line in enumerate(trend.lines, start=1):
        _write_text(book, rows, k, 0, line.part_label, "cell")
        _write_text(book, rows, k, 1, line.name, "cell")
        for j, amount in enumerate(line.amounts):
            _write_number(book, ws, k, 2 + j, amount, "amount")
        if any(a is not None for a in line.amounts):
            chart.add_series(
                {
                    "name": f"{line.part_label}·{line.name}",
                    "categories": [sheet_ref, 0, 2, 0, 1 + n],
                    "values": [sheet_ref, k, 2, k, 1 + n],
                    "marker": {"type": "circle"},
                }
            )
    ws.autofilter(0, 0, len(trend.lines), len(heads) - 1)
    rows.finish()
    chart.set_title({"name": S.LABELS["trend_chart"]})
    chart.set_y_axis({"name": S.LABELS["trend_axis"]})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 760, "height": 400})
    ws.insert_chart(len(trend.lines) + 2, 0, chart)


# --------------------------------------------------------------------------------------------
# Entry points


def _dumped(rows: Sequence[Any]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json") for r in rows]


def _pair_sheets(
    book: _Book, diff: FormDiff, prefix: str, sources: tuple[str, str] | None, forms: tuple[Any, Any]
) -> None:
    old_form, new_form = forms
    _summary_sheet(book, prefix + S.SHEETS["summary"], diff, sources)
    for block in diff.blocks:
        rows = (_dumped(getattr(old_form, block, ())), _dumped(getattr(new_form, block, ())))
        if block == "tasks":
            _tasks_sheet(book, prefix + S.SHEETS["tasks"], diff, *rows)
        else:
            name = S.SHEETS["indicators"] if block == "indicators" and diff.kind == "department" else diff.label(block)
            _indicators_sheet(book, prefix + name, diff, *rows, entries=getattr(diff, block))


def _pairing_sheet(book: _Book, result: Any, prefixes: Sequence[str]) -> None:
    """The first sheet of a department's projects compared: each pair (how it was paired, what
    changed, where its sheets are), then the projects that ended and the new ones."""
    from budgetxl.diff.project_sets import PAIRED_BY

    ws = book.sheet(S.SHEETS["pairing"])
    keys = ["number", "project", "project", "paired_by", "similarity", "status",
            *(["count"] * len(S.COUNT_ORDER[:3])), "sheets", "file", "file"]
    heads = [S.LABELS["number"], S.LABELS["project_old"], S.LABELS["project_new"], S.LABELS["paired_by"],
             S.LABELS["similarity"], S.LABELS["status"], *(S.STATUS_LABELS[s] for s in S.COUNT_ORDER[:3]),
             S.LABELS["sheets"], S.LABELS["file_old"], S.LABELS["file_new"]]
    rows = _Rows(ws, [S.WIDTHS[k] for k in keys])
    last = len(keys) - 1
    pairing = result.pairing
    ws.merge_range(0, 0, 0, last, S.PROJECT_SET_TITLE, book.fmt("title"))
    ws.set_row(0, 28)
    line = S.LABELS["pairs_line"].format(pairs=len(pairing.pairs), added=len(pairing.added),
                                          removed=len(pairing.removed))
    ws.merge_range(1, 0, 1, last, line, book.fmt("text"))
    for col, text in enumerate(heads):
        ws.write_string(3, col, text, book.fmt("header"))
        rows.need(3, col, text)
    ws.freeze_panes(4, 0)
    ws.repeat_rows(3, 3)
    row = 3

    def name(project: Any) -> str:
        form = project.form
        return f"{form.name}（{form.code}）" if form.code else form.name

    def texts(values: Sequence[tuple[int, str, str | None]]) -> None:
        for col, text, fill in values:
            ws.write_string(row, col, text, book.fmt("cell", fill))
            rows.need(row, col, text)

    for n, (pair, diff, prefix) in enumerate(zip(pairing.pairs, result.diffs, prefixes), start=1):
        row += 1
        old, new = result.old[pair.old], result.new[pair.new]
        status = "unchanged" if diff.identical else "changed"
        ws.write_number(row, 0, n, book.fmt("center"))
        texts([(1, name(old), None), (2, name(new), None), (3, PAIRED_BY[pair.by], None)])
        if pair.similarity is not None:
            ws.write_number(row, 4, pair.similarity, book.fmt("similarity"))
        else:
            ws.write_blank(row, 4, None, book.fmt("cell"))
        _status_cell(book, ws, row, 5, status)
        tally = dict.fromkeys(S.COUNT_ORDER, 0)
        for block_counts in diff.counts().values():
            for s in S.COUNT_ORDER:
                tally[s] += block_counts[s]
        for col, s in enumerate(S.COUNT_ORDER[:3], start=6):
            fill = s if tally[s] and s in S.FILLS else None
            ws.write_number(row, col, tally[s], book.fmt("center", fill))
        texts([(9, prefix.strip(), None), (10, old.source, None), (11, new.source, None)])
    for status, indices, side in (("removed", pairing.removed, result.old), ("added", pairing.added, result.new)):
        for i in indices:
            row += 1
            project = side[i]
            ws.write_blank(row, 0, None, book.fmt("cell"))
            col = 1 if status == "removed" else 2
            texts([(col, name(project), status), (3 - col, "", None), (3, "", None)])
            ws.write_blank(row, 4, None, book.fmt("cell"))
            _status_cell(book, ws, row, 5, status)
            for c in range(6, 10):
                ws.write_blank(row, c, None, book.fmt("cell"))
            texts([(10 if status == "removed" else 11, project.source, None),
                   (11 if status == "removed" else 10, "", None)])
    rows.finish()


def write_project_sets(path: str | Path, result: Any) -> Path:
    """Write the comparison workbook of a department's projects of two years (a
    diff.project_sets.ProjectSetDiff) to `path`, atomically: the 项目配对 sheet, then each pair's
    sheets under the prefix 项目N."""
    path = Path(path)
    prefixes = [S.LABELS["project_prefix"].format(n=n) for n in range(1, len(result.diffs) + 1)]
    with atomic_path(path) as tmp:
        book = _Book(tmp)
        _pairing_sheet(book, result, prefixes)
        for pair, diff, prefix in zip(result.pairing.pairs, result.diffs, prefixes):
            old, new = result.old[pair.old], result.new[pair.new]
            _pair_sheets(book, diff, prefix, (old.source, new.source), (old.form, new.form))
        book.wb.close()
    return path


def write_comparison(
    path: str | Path,
    diff: FormDiff | SeriesDiff,
    forms: Sequence[Any],
    sources: Sequence[str] | None = None,
) -> Path:
    """Write the comparison workbook of two forms (a FormDiff) or of several (a SeriesDiff) to
    `path`, atomically. `forms` are the compared forms in order (for the names in the notes)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        book = _Book(tmp)
        if isinstance(diff, FormDiff):
            pair_sources = (sources[0], sources[1]) if sources else None
            _pair_sheets(book, diff, "", pair_sources, (forms[0], forms[1]))
        else:
            _trend_sheet(book, S.SHEETS["trend"], diff.trend)
            for k, pair in enumerate(diff.diffs):
                prefix = S.LABELS["pair"].format(old=pair.old.label, new=pair.new.label) + " "
                pair_sources = (sources[k], sources[k + 1]) if sources else None
                _pair_sheets(book, pair, prefix, pair_sources, (forms[k], forms[k + 1]))
        book.wb.close()
    return path

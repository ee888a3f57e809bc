"""Texts too long to print: a block's text longer than a printed page (it is spread over rows and
pages, but a reader of the printout may not expect a goal of several pages), and a cell whose text
is taller than a spreadsheet row can be (409 pt): printed, it is cut off. Measured in the form's
layout (its column widths and font), as the writer measures row heights."""

from __future__ import annotations

from functools import lru_cache
from operator import attrgetter
from typing import Any, Iterator, Sequence

from budgetxl.layout import once

# The tallest row that prints whole, as the writer uses it (Excel's limit is 409 pt).
from budgetxl.render.plan import MAX_ROW_PT
from budgetxl.rules.registry import Context, Hit, rule
from budgetxl.text import column_px, line_height_pt, wrap_count


def _width(layout: Any, first: int, last: int) -> float:
    return _columns_width(tuple(layout.columns[first : last + 1]))


@lru_cache(maxsize=1024)  # a layout's few column spans, measured once
def _columns_width(widths: tuple[float, ...]) -> float:
    return float(sum(column_px(w) for w in widths))


def _lines(text: str, width: float, size: float, enough: int) -> int:
    """Lines `text` takes, or a number ≤ `enough` when it surely takes no more than that: greedy
    wrapping fills every line but a paragraph's last to more than half, so a paragraph of total
    width w takes at most 2w / width + 1 lines (no character is wider than one em)."""
    em = size * 96 / 72
    bound = text.count("\n") + 1 + 2 * len(text) * em / max(width - 6, em)
    if bound <= enough:
        return int(bound)
    return wrap_count(text, width, size)


@rule(
    "BX130",
    "warning",
    "文字超过一页",
    "总体绩效目标等整段文字在打印时超过一页（按版式的列宽和字号估算）。budgetxl 生成的表格会把它分成多行、"
    "跨页打印完整，但过长的目标往往说明内容需要精简或拆分。",
    "总体绩效目标写了 3000 多字，打印需要 3 页。",
)
def text_longer_than_a_page(ctx: Context) -> Iterator[Hit]:
    layout = ctx.layout
    capacity, width, enough, line = once(layout, "rules.page_texts", lambda: _page_facts(layout))
    size = layout.font.size
    for block in layout.blocks:
        if block.kind != "text":
            continue
        text = getattr(ctx.form, block.field, "")
        if not text:
            continue
        height = _lines(text, width, size, enough) * line
        if height > capacity:
            pages = int(height // capacity) + 1
            yield Hit(f"“{block.label}”有 {len(text)} 个字，打印约需 {pages} 页", block.field, f"{len(text)} 字")


def _page_facts(layout: Any) -> tuple[float, float, int, float]:
    """(a page's printable height, the width of a text block, the lines that surely fit a page,
    a line's height) in the layout: the same for every form."""
    from budgetxl.render.pages import page_geometry

    capacity = page_geometry(layout).capacity
    size = layout.font.size
    width = _width(layout, layout.label_columns, layout.ncols - 1)
    return capacity, width, int(capacity // line_height_pt(size)), line_height_pt(size)


@rule(
    "BX131",
    "warning",
    "单元格文字过长",
    f"一个单元格中的文字按版式的列宽需要超过 {int(MAX_ROW_PT)} 磅的行高，而表格的一行最高约 409 磅，"
    "打印时超出的部分会被截断。请精简文字，或把内容分成几项填写。",
    "一项任务的“主要实施内容”写了 800 字。",
)
def cell_taller_than_a_row(ctx: Context) -> Iterator[Hit]:
    layout = ctx.layout
    size = layout.font.size
    per_row, cells = once(layout, "rules.cells", lambda: _cell_facts(layout))
    form = ctx.form
    for block, field, group, columns in cells:
        items = getattr(form, field, ()) if field is not None else (None,)
        if group:
            rows: Sequence[int] = [i for i, item in enumerate(items) if item.group == group]
            picked = [items[i] for i in rows]
        else:
            rows, picked = range(len(items)), list(items)
        # None of them a text (the rows of a table are models; a numbered block's are texts).
        models = field is not None and not any(issubclass(t, str) for t in set(map(type, picked)))
        for name, width, short in columns:
            texts = _column_texts(ctx, field, picked, models, name)
            if _surely_fit(texts, short):
                continue
            # Only the texts that may not fit are measured (most are surely short enough).
            longer = [(i, t) for i, t in zip(rows, texts) if isinstance(t, str) and (len(t) > short or "\n" in t)]
            for i, text in longer:
                item = items[i]
                lines = _lines(text, width, size, per_row)
                if lines > per_row:
                    path = (name if field is None else f"{field}[{i}]" if isinstance(item, str)
                            else f"{field}[{i}].{name}")
                    shown = len(text) * per_row // lines
                    yield Hit(f"“{block.label}”中的这段文字有 {len(text)} 个字，超出一行能打印的高度，"
                              f"打印时大约只能显示前 {shown} 个字", path, text[:20] + "…")


_CellColumn = tuple[str, float, float]  # (field, width in pixels, the length a text surely fits in)


def _cell_facts(layout: Any) -> tuple[int, tuple[tuple[Any, str | None, str, tuple[_CellColumn, ...]], ...]]:
    """(the lines a row holds, and per block of written texts: the block, the model list it shows
    or None for a texts block, the task group it shows or "", its measured columns) in the layout:
    the same for every form, found once."""
    size = layout.font.size
    per_row = int(MAX_ROW_PT // line_height_pt(size))
    out = []
    for block, field, positions in _cells(layout):
        group = getattr(block, "group", "") if block.kind == "table" else ""  # a table of one task group
        columns = []
        for column, (c0, c1) in zip(block.column_map, positions):
            name = column.field
            if name in ("", "number", "level1", "level2"):
                continue
            width = _width(layout, c0, c1)
            short = (per_row - 1) * (width - 6) / (2 * size * 96 / 72)  # a text no longer surely fits
            columns.append((name, width, short))
        out.append((block, field, group, tuple(columns)))
    return per_row, tuple(out)


def _surely_fit(texts: list[Any], short: float) -> bool:
    """Whether a column's values are all texts of one line no longer than `short` (the usual
    case, told without looking at them one by one)."""
    try:
        joined = "".join(texts)
    except TypeError:  # not all of them texts (amounts): look at each
        return False
    return "\n" not in joined and max(map(len, texts), default=0) <= short


def _column_texts(ctx: Context, field: str | None, picked: list[Any], models: bool, name: str) -> list[Any]:
    """The values in one column of a block for its `picked` items (models: none of them a text)."""
    if field is None:  # a texts block: each column its own field of the form
        return [getattr(ctx.form, name, "") for _ in picked]
    if models and "." not in name:
        try:
            return list(map(attrgetter(name), picked))  # the rows' own field (the usual case)
        except AttributeError:
            pass
    return [item if isinstance(item, str) else getattr(item, name, "") for item in picked]


def _cells(layout: Any) -> Iterator[tuple[Any, str | None, Any]]:
    """(block, the model list it shows or None for a texts block, the columns' positions) for the
    blocks whose cells hold texts a person writes at length."""
    for block in layout.blocks:
        if block.kind in ("table", "indicators", "numbered", "info"):
            yield block, block.field, block.positions
        elif block.kind == "indicator_sets":
            for k, s in enumerate(block.sets):
                yield block, s.field, block.set_positions(k)
        elif block.kind == "texts":
            yield block, None, block.positions

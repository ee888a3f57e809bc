"""The yearly loop (diff.loop) for a person: a terminal table and a workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from budgetxl.diff.loop import FLAGS, LoopDiff
from budgetxl.diff.styles import CREATED, FORMATS
from budgetxl.errors import OutputError
from budgetxl.fileio import atomic_path
from budgetxl.scoring.engine import fmt

STATUS = {"kept": "保留", "dropped": "下一年取消", "new": "下一年新增", "not_evaluated": "未自评"}
STATUS_HEADING = "状态"
HEADINGS = ("一级指标", "二级指标", "三级指标", "本年指标值", "实际完成值", "分值", "得分", "下一年指标值",
            STATUS_HEADING, "提示")
WIDTHS = (10, 12, 26, 16, 14, 7, 7, 16, 10, 40)
TITLE = "目标 → 自评 → 下一年目标"
SOURCE_LABELS = ("本年目标表", "自评表", "下一年目标表")
NUMERIC = frozenset({"分值", "得分"})  # columns of numbers (right-aligned in the HTML page)


def summary_line(loop: LoopDiff) -> str:
    """目标 2024 → 自评 2024（评分规则 …，总分 …，等级） → 下一年目标 2025"""
    y0, y1, y2 = loop.years
    return (f"目标 {y0 or '？'} → 自评 {y1 or '？'}（评分规则 {loop.profile}，总分 {fmt(loop.total)}，"
            f"{loop.grade or '总分不完整，不评等级'}） → 下一年目标 {y2 or '？'}")


def cells(r: Any) -> tuple[str, ...]:
    """A row's cells under HEADINGS, as a person reads them."""
    flags = "；".join([FLAGS[f] for f in r.flags] + list(r.notes))
    return (r.level1, r.level2, r.name.replace("\n", ""), r.target, r.actual, "" if r.weight is None else fmt(r.weight),
            "" if r.score is None else fmt(r.score), r.next_target, STATUS[r.status], flags)


# A table needs about this many columns for its ten columns to stay readable; narrower
# terminals, pipes and files get one paragraph per indicator instead (every value whole).
TABLE_WIDTH = 140


def render_loop(loop: LoopDiff, console: Console, sources: Sequence[str]) -> None:
    console.print(summary_line(loop), markup=False, highlight=False)
    if console.is_terminal and console.width >= TABLE_WIDTH:
        table = Table()
        for h in HEADINGS:
            table.add_column(h, overflow="fold")
        for r in loop.rows:
            shown = cells(r)
            style = "bold red" if r.flags else ""
            table.add_row(*shown[:-1], Text(shown[-1], style=style))
        console.print(table, highlight=False)
    else:
        for r in loop.rows:
            row = cells(r)
            where = " / ".join(x for x in row[:3] if x)
            values = "，".join(f"{h} {v}" for h, v in zip(HEADINGS[3:8], row[3:8]) if v)
            console.print(f"[{row[8]}] {where}：{values}", markup=False, highlight=False, soft_wrap=True)
            if row[9]:
                console.print(Text(f"    {HEADINGS[9]}：{row[9]}", style="bold red"), highlight=False, soft_wrap=True)
    flagged = loop.flagged()
    console.print(f"共 {len(loop.rows)} 个指标，{len(flagged)} 个需要关注", markup=False, highlight=False)


def write_loop(path: str | Path, loop: LoopDiff, sources: Sequence[str]) -> Path:
    """One sheet: the sources, then a row per indicator, flagged rows marked."""
    import xlsxwriter

    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False,
                                             "strings_to_urls": False})
        wb.set_properties({"created": CREATED, "title": "目标—自评—下一年目标"})
        fmts = {k: wb.add_format(v) for k, v in FORMATS.items()}
        flagged = wb.add_format({**FORMATS["warning"], "border": 1})
        ws = wb.add_worksheet("目标与自评")
        ws.write_string(0, 0, TITLE, fmts["title"])
        for i, (label, src) in enumerate(zip(SOURCE_LABELS, sources), 1):
            ws.write_string(i, 0, label, fmts["label"])
            ws.write_string(i, 2, str(src), fmts["text"])
        ws.write_string(4, 0, f"评分规则 {loop.profile}，计算总分 {fmt(loop.total)}，"
                       + (f"等级 {loop.grade}" if loop.grade else "总分不完整，不评等级"), fmts["text"])
        top = 6
        for c, (h, w) in enumerate(zip(HEADINGS, WIDTHS)):
            ws.set_column(c, c, w)
            ws.write_string(top, c, h, fmts["header"])
        for n, r in enumerate(loop.rows, top + 1):
            for c, value in enumerate(cells(r)):
                ws.write_string(n, c, value, flagged if (c == len(HEADINGS) - 1 and r.flags) else fmts["cell"])
        ws.freeze_panes(top + 1, 0)
        ws.autofilter(top, 0, top + max(len(loop.rows), 1), len(HEADINGS) - 1)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(top)
        try:
            wb.close()
        except OSError as exc:
            raise OutputError(f"{path}: 无法写入（{exc}）") from None
    return path

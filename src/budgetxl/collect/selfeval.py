"""Self-evaluations in a collection: each return scored under its profile in the worker and boiled
down to the numbers a 绩效科 reviews (typed and computed totals, grade, execution rate, indicators
below target, explanations missing), the 自评 sheet of the summary, the review list of units
under 80, and the tidy results.csv (one row per scored item)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Sequence

from budgetxl.collect.styles import Column
from budgetxl.scoring.engine import ScoreCard, fmt, round_score, score
from budgetxl.summary_sheets import SELFEVAL_SHEETS

REVIEW_BELOW = Decimal(80)  # a total under this must be explained to the bureau
REASON_CODE = "BX605"  # the rule that reports a missing explanation

UNGRADED = "未评"  # the grade cell of a total that leaves scores out
SHEETS = SELFEVAL_SHEETS

COLUMNS: dict[str, tuple[Column, ...]] = {
    "selfeval": (
        Column("index", "序号", 6, "int"),
        Column("file", "文件", 30, "link"),
        Column("unit", "单位名称", 26),
        Column("project", "项目名称", 22),
        Column("year", "年度", 7, "center"),
        Column("profile", "评分规则", 12, "center"),
        Column("typed_total", "填写总分", 9, "amount"),
        Column("total", "计算总分", 9, "amount"),
        Column("differs", "总分相差", 9, "amount"),
        Column("grade", "等级", 6, "center"),
        Column("rate", "执行率", 9, "percent"),
        Column("n_indicators", "指标数", 7, "int"),
        Column("below", "未达分值的指标", 9, "int"),
        Column("reasons_missing", "缺少偏差说明", 9, "int"),
        Column("unscored", "无法自动计分", 9, "int"),
        Column("status", "审核状态", 9, "center"),
    ),
    "review": (
        Column("unit", "单位名称", 28),
        Column("project", "项目名称", 24),
        Column("year", "年度", 7, "center"),
        Column("total", "计算总分", 9, "amount"),
        Column("grade", "等级", 6, "center"),
        Column("below", "未达分值的指标", 9, "int"),
        Column("reasons_missing", "缺少偏差说明", 9, "int"),
        Column("note", "说明", 30),
        Column("file", "文件", 34, "link"),
    ),
}

RESULT_COLUMNS = ("file", "unit_name", "project_name", "year", "profile", "item", "level1", "level2", "name",
                  "target", "actual", "weight", "typed_score", "computed_score", "method", "needs_reason",
                  "reason", "problem")


@dataclass(frozen=True)
class SelfevalRecord:
    """What a collection keeps of one self-evaluation."""

    project_name: str
    profile: str
    typed_total: Decimal | None
    total: Decimal
    complete: bool
    grade: str
    rate: Decimal | None
    n_indicators: int
    below: int
    reasons_missing: int
    unscored: int
    ungraded: str = ""  # why no grade was given (an incomplete total)

    @property
    def differs(self) -> Decimal | None:
        return None if self.typed_total is None else self.typed_total - self.total


def summarise(form: Any, findings: Sequence[Any],
              profile: str | None = None) -> tuple[SelfevalRecord, tuple[tuple[Any, ...], ...]]:
    """The record of one self-evaluation and its rows for results.csv."""
    card = score(form, profile)
    rec = SelfevalRecord(
        project_name=form.project_name,
        profile=card.profile.name,
        typed_total=card.typed_total,
        total=card.total,
        complete=card.complete,
        grade=card.grade,
        rate=None if card.rate is None else round_score(card.rate),
        n_indicators=len(card.indicators),
        below=card.below_target,
        reasons_missing=sum(1 for f in findings if f.code == REASON_CODE),
        unscored=len(card.unscored),
        ungraded=card.ungraded,
    )
    return rec, result_rows(form, card)


def result_rows(form: Any, card: ScoreCard) -> tuple[tuple[Any, ...], ...]:
    """(item, level1, level2, name, target, actual, weight, typed, computed, method, needs_reason,
    reason, problem) for the budget score (item 0) and each indicator (1…)."""
    out = []
    b = card.budget
    if b is not None:
        line = form.execution[b.line] if b.line is not None else None
        out.append((0, "", "", "预算执行率", "", "" if b.rate is None else f"{fmt(round_score(b.rate))}%", b.weight,
                    b.typed, b.computed, "预算执行", b.needs_reason, line.reason if line else "", b.problem))
    for s in card.indicators:
        ind = form.indicators[s.index]
        out.append((s.index + 1, ind.level1, ind.level2, ind.name, ind.target_text(), ind.actual, s.weight, s.typed,
                    s.computed, s.method, s.needs_reason, ind.reason, s.problem))
    return tuple(out)


def selfeval_row(index: int, rec: Any, status: str) -> dict[str, Any]:
    s = rec.selfeval
    return {"index": index, "file": rec.path, "unit": rec.unit_name, "project": s.project_name, "year": rec.year,
            "profile": s.profile, "typed_total": s.typed_total, "total": s.total, "differs": s.differs,
            "grade": s.grade or UNGRADED, "rate": s.rate, "n_indicators": s.n_indicators, "below": s.below,
            "reasons_missing": s.reasons_missing, "unscored": s.unscored, "status": status}


def review_rows(records: Iterable[Any]) -> list[dict[str, Any]]:
    """Units under 80, lowest first: the list a bureau must explain. A total that leaves scores
    out is marked as incomplete (no grade, and why) rather than judged."""
    low = [r for r in records if r.selfeval is not None and r.selfeval.total < REVIEW_BELOW]
    low.sort(key=lambda r: (r.selfeval.total, r.unit_name))
    return [{"unit": r.unit_name, "project": r.selfeval.project_name, "year": r.year, "total": r.selfeval.total,
             "grade": r.selfeval.grade or UNGRADED, "below": r.selfeval.below,
             "reasons_missing": r.selfeval.reasons_missing, "note": r.selfeval.ungraded, "file": r.path} for r in low]

"""The yearly loop for one unit: this year's approved targets → what the self-evaluation says was
achieved → next year's targets (`budgetxl diff TARGETS SELFEVAL NEXT_TARGETS`).

Per indicator of this year: the target, the actual, its score, and next year's target; flagged
where a 绩效科 would ask: next year's target set below (looser than) this year's actual, a target
left unchanged although it was exceeded or missed, an indicator that failed and was dropped from
next year's table without a word, an approved indicator missing from the self-evaluation. Rows
are paired by key, else by the diff's similarity matching (scoring.pairing).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Sequence

from budgetxl.scoring.engine import ScoreCard, _comparable, fmt, score
from budgetxl.scoring.pairing import pair_indicators
from budgetxl.targets import parse_target
from budgetxl.text import normalize_label

FLAGS = {
    "next_below_actual": "下一年指标值低于本年实际完成值",
    "next_looser": "下一年指标值比本年实际完成值宽松",
    "unchanged": "指标值连续两年未变",
    "failed_dropped": "未完成的指标在下一年被删去",
    "not_evaluated": "批复的指标未自评",
    "not_approved": "自评的指标不在批复的目标表中",
}


@dataclass(frozen=True)
class LoopRow:
    name: str
    level1: str
    level2: str
    target: str = ""  # this year's approved target ('' when not approved)
    actual: str = ""
    weight: Decimal | None = None
    score: Decimal | None = None  # computed, else typed
    next_target: str = ""  # next year's ('' when dropped)
    status: str = ""  # kept, dropped, new (next year), not_evaluated
    flags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoopDiff:
    rows: tuple[LoopRow, ...]
    profile: str
    total: Decimal
    grade: str
    years: tuple[int | None, int | None, int | None]
    warnings: tuple[str, ...] = field(default=())

    def flagged(self) -> list[LoopRow]:
        return [r for r in self.rows if r.flags]

    def to_data(self, sources: Sequence[str] = ()) -> dict[str, Any]:
        return {
            "sources": list(sources),
            "years": list(self.years),
            "profile": self.profile,
            "total": fmt(self.total),
            "grade": self.grade or None,
            "warnings": list(self.warnings),
            "rows": [{"name": r.name, "level1": r.level1, "level2": r.level2, "target": r.target, "actual": r.actual,
                      "weight": None if r.weight is None else fmt(r.weight),
                      "score": None if r.score is None else fmt(r.score), "next_target": r.next_target,
                      "status": r.status, "flags": [FLAGS[f] for f in r.flags], "notes": list(r.notes)}
                     for r in self.rows],
        }

    def to_json(self, sources: Sequence[str] = ()) -> str:
        return json.dumps(self.to_data(sources), ensure_ascii=False, indent=2)


def _next_flags(actual: str, name: str, next_target: str) -> tuple[list[str], list[str]]:
    """Whether next year's target is below (for a 反向 indicator: above) this year's actual."""
    nxt = parse_target(next_target, name)
    got = parse_target(actual, name)
    if not nxt.is_quantitative or nxt.value is None or got.value is None:
        return [], []
    pair = _comparable(nxt, got)
    if isinstance(pair, str):
        return [], []
    tv, av = pair
    if nxt.operator in ("≤", "<"):
        if tv > av:
            return ["next_looser"], [f"本年实际 {fmt(av)}，下一年指标值 {nxt.describe()}"]
    elif tv < av:
        return ["next_below_actual"], [f"本年实际 {fmt(av)}，下一年指标值 {nxt.describe()}"]
    return [], []


def loop_diff(targets: Any, selfeval: Any, next_targets: Any, profile: str | None = None) -> LoopDiff:
    """This year's targets, the self-evaluation of the year, next year's targets: one row per
    indicator of any of the three."""
    card: ScoreCard = score(selfeval, profile)
    by_index = {s.index: s for s in card.indicators}
    results, approved, upcoming = selfeval.indicators, targets.indicators, next_targets.indicators
    res_to_target = pair_indicators(results, approved)
    target_of_result = dict(res_to_target.pairs)
    result_of_target = {j: k for k, j in res_to_target.pairs}
    next_pairing = pair_indicators(upcoming, approved)  # (next index, this year's index)
    next_of_target = {j: n for n, j in next_pairing.pairs}
    # results without an approved row still pair with next year's directly
    next_of_result = {k: n for n, k in pair_indicators(upcoming, results).pairs}
    rows: list[LoopRow] = []
    used_next: set[int] = set()

    def row_for(k: int | None, j: int | None) -> LoopRow:
        res = results[k] if k is not None else None
        tgt = approved[j] if j is not None else None
        n = next_of_target.get(j) if j is not None else None
        if n is None and k is not None:
            n = next_of_result.get(k)
        if n is not None and n in used_next:
            n = None
        nxt = upcoming[n] if n is not None else None
        if n is not None:
            used_next.add(n)
        s = by_index.get(k) if k is not None else None
        base = tgt or res
        target = tgt.target if tgt is not None else (res.target_text() if res is not None else "")
        actual = res.actual_text() if res is not None else ""
        flags: list[str] = []
        notes: list[str] = []
        if res is None:
            flags.append("not_evaluated")
        if tgt is None and j is None and k is not None:
            flags.append("not_approved")
        failed = s is not None and s.weight is not None and s.counted is not None and s.counted < s.weight
        if nxt is None:
            status = "dropped"
            if failed:
                flags.append("failed_dropped")
                notes.append(f"得分 {fmt(s.counted)}，分值 {fmt(s.weight)}")  # type: ignore[union-attr]
        else:
            status = "kept"
            if actual:
                more, why = _next_flags(actual, base.name, nxt.target)  # type: ignore[union-attr]
                flags += more
                notes += why
            this = target or ""
            if this and normalize_label(this) == normalize_label(nxt.target):
                exceeded = s is not None and s.needs_reason.startswith("实际完成值")
                if failed or exceeded:
                    flags.append("unchanged")
                    notes.append("本年未完成，指标值未调整" if failed else "本年大幅超额完成，指标值未调整")
        if res is None:
            status = "not_evaluated" if nxt is None else status
        return LoopRow(name=base.name, level1=base.level1, level2=base.level2, target=target, actual=actual,  # type: ignore[union-attr]
                       weight=s.weight if s is not None else None, score=s.counted if s is not None else None,
                       next_target=nxt.target if nxt is not None else "", status=status, flags=tuple(flags),
                       notes=tuple(notes))

    for j, tgt in enumerate(approved):
        if tgt.is_placeholder:
            continue
        rows.append(row_for(result_of_target.get(j), j))
    for k, res in enumerate(results):
        if k not in target_of_result and not res.is_placeholder:
            rows.append(row_for(k, None))
    for n, nxt in enumerate(upcoming):
        if n not in used_next and not nxt.is_placeholder:
            rows.append(LoopRow(name=nxt.name, level1=nxt.level1, level2=nxt.level2, next_target=nxt.target,
                                status="new"))
    warnings = []
    units = {normalize_label(x) for x in (targets.unit_name, selfeval.unit_name, next_targets.unit_name) if x}
    if len(units) > 1:
        warnings.append("三个文件的单位名称不一致：" + "、".join(
            x for x in (targets.unit_name, selfeval.unit_name, next_targets.unit_name) if x))
    years = (targets.year, selfeval.year, next_targets.year)
    if years[0] is not None and years[1] is not None and years[0] != years[1]:
        warnings.append(f"目标表是 {years[0]} 年的，自评表是 {years[1]} 年的")
    if years[1] is not None and years[2] is not None and years[2] != years[1] + 1:
        warnings.append(f"下一年目标表是 {years[2]} 年的，不是 {years[1] + 1} 年")
    return LoopDiff(tuple(rows), card.profile.name, card.total, card.grade, years, tuple(warnings))

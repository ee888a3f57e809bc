"""Scoring a self-evaluation under a profile: every score recomputed with exact decimals and set
beside the score the unit typed. Nothing is overwritten: the scorecard holds both, the formula
used, and why a row could not be scored (never a guess).

Each computed score is rounded to two decimals (half up), as a person writes it; the total adds
the rounded scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any, Callable

from budgetxl.model import format_amount
from budgetxl.scoring.profiles import CENT, Profile, load_profile
from budgetxl.selfeval import ExecutionLine, IndicatorResult, SelfEvaluation
from budgetxl.targets import Target, parse_target

HUNDRED = Decimal(100)
ZERO = Decimal(0)


def fmt(value: Decimal | None) -> str:
    """A decimal as a person writes it: 7.82, 10, 87.71."""
    return "—" if value is None else format_amount(value)


def round_score(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class IndicatorScore:
    """One indicator under the profile: its group, weight, the typed and the computed score (None
    when it cannot be computed, `problem` says why), the formula, and why an explanation is
    required ('' when none is)."""

    index: int
    group: str
    weight: Decimal | None
    typed: Decimal | None
    computed: Decimal | None
    method: str = ""  # 正向, 反向, 定性, 预算执行率
    formula_fn: Callable[[], str] | None = field(default=None, compare=False, repr=False)
    problem: str = ""
    needs_reason: str = ""
    band: str = ""  # the qualitative band named by the actual
    band_problem: str = ""  # a typed score outside its band, or a band that needs a typed score
    is_budget: bool = False

    @property
    def formula(self) -> str:
        """How the score was computed, in words (made when asked for: most scores are never shown)."""
        return self.formula_fn() if self.formula_fn is not None else ""

    @property
    def counted(self) -> Decimal | None:
        """What the total counts: the computed score, else the typed one (not checked)."""
        return self.computed if self.computed is not None else self.typed

    @property
    def differs(self) -> bool:
        return (self.typed is not None and self.computed is not None
                and abs(self.typed - self.computed) > CENT)


@dataclass(frozen=True)
class BudgetScore:
    """The budget's execution: rate B / A (percent), its weight, typed and computed scores."""

    line: int | None  # the execution line scored
    weight: Decimal | None
    rate: Decimal | None  # percent, exact
    typed: Decimal | None
    computed: Decimal | None
    formula: str = ""
    problem: str = ""
    needs_reason: str = ""
    weight_note: str = ""  # the typed 分值 is not the profile's (it is the one scored by)


@dataclass(frozen=True)
class ScoreCard:
    """A whole self-evaluation scored under `profile`."""

    profile: Profile
    budget: BudgetScore | None
    indicators: tuple[IndicatorScore, ...]
    typed_total: Decimal | None
    groups: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)  # name → (profile's, rows' weights)
    rate: Decimal | None = None  # 执行率 in percent (B / A), wherever it was found
    unfilled: bool = False  # not one 实际完成值 nor indicator score filled in: a blank template returned

    @property
    def total(self) -> Decimal:
        """Budget score plus every indicator's score (computed, else typed)."""
        out = ZERO
        if self.budget is not None and self.budget.computed is not None:
            out += self.budget.computed
        elif self.budget is not None and self.budget.typed is not None:
            out += self.budget.typed
        for s in self.indicators:
            if s.counted is not None:
                out += s.counted
        return out

    @property
    def grade(self) -> str:
        """The profile's grade of the total; '' when the total is incomplete (`ungraded` says why):
        a grade on a total that leaves scores out would judge what was not scored."""
        return self.profile.grade(self.total) if self.complete else ""

    @property
    def ungraded(self) -> str:
        """Why no grade is given ('' when one is)."""
        if self.complete:
            return ""
        parts = []
        if self.budget is not None and self.budget.computed is None:
            parts.append("预算执行得分无法计算")
        if self.unscored:
            parts.append(f"{len(self.unscored)} 项指标无法自动计分")
        return f"总分不完整（{'，'.join(parts)}），不评等级"

    @property
    def weights_total(self) -> Decimal:
        out = sum((s.weight for s in self.indicators if s.weight is not None), ZERO)
        if self.budget is not None and self.budget.weight is not None:
            out += self.budget.weight
        return out

    @property
    def unscored(self) -> tuple[IndicatorScore, ...]:
        return tuple(s for s in self.indicators if s.computed is None)

    @property
    def complete(self) -> bool:
        """Every score computed (none taken as typed, none missing)."""
        return not self.unscored and (self.budget is None or self.budget.computed is not None)

    @property
    def below_target(self) -> int:
        """Indicators scoring below their weight."""
        return sum(1 for s in self.indicators
                   if s.weight is not None and s.counted is not None and s.counted < s.weight)

    def to_data(self) -> dict[str, Any]:
        def dec(v: Decimal | None) -> str | None:
            return None if v is None else fmt(v)

        out: dict[str, Any] = {
            "profile": self.profile.name,
            "profile_title": self.profile.title,
            "rate": dec(self.rate),
            "budget": None,
            "indicators": [],
            "typed_total": dec(self.typed_total),
            "total": fmt(self.total),
            "grade": self.grade or None,
            "complete": self.complete,
            "ungraded": self.ungraded,
            "weights_total": fmt(self.weights_total),
            "groups": {k: {"profile": fmt(a), "rows": fmt(b)} for k, (a, b) in self.groups.items()},
        }
        if self.budget is not None:
            b = self.budget
            out["budget"] = {"weight": dec(b.weight), "rate": dec(b.rate), "typed": dec(b.typed),
                             "computed": dec(b.computed), "formula": b.formula, "problem": b.problem,
                             "weight_note": b.weight_note}
        for s in self.indicators:
            out["indicators"].append({
                "index": s.index, "group": s.group, "weight": dec(s.weight), "typed": dec(s.typed),
                "computed": dec(s.computed), "method": s.method, "formula": s.formula, "problem": s.problem,
                "band": s.band, "needs_reason": s.needs_reason,
            })
        return out


# ---------------------------------------------------------------------------------------------
# The formulas, one function each (the property tests call them directly)


def positive_score(actual: Decimal, target: Decimal, weight: Decimal) -> Decimal:
    """正向: full at or above the target, else actual / target × weight (never above the weight,
    never below 0)."""
    if actual >= target or target <= 0:
        return weight
    return max(ZERO, min(weight, actual / target * weight))


def negative_score(actual: Decimal, target: Decimal, weight: Decimal, rule: str = "ratio") -> Decimal:
    """反向: full at or below the target; above it `ratio` scores target / actual × weight and
    `linear` (1 − (actual − target) / target) × weight while actual < 2 × target, 0 beyond."""
    if actual <= target:
        return weight
    if target <= 0:
        return ZERO
    if rule == "linear":
        if actual >= 2 * target:
            return ZERO
        return max(ZERO, min(weight, (1 - (actual - target) / target) * weight))
    return max(ZERO, min(weight, target / actual * weight))


def rate_score(rate: Decimal, weight: Decimal, profile: Profile) -> Decimal:
    """The budget's execution rate (percent) scored by the profile's budget rule."""
    b = profile.budget
    if b.rule == "steps":
        if rate >= b.full_at:
            return weight
        steps = ((b.full_at - rate) / b.step).to_integral_value(ROUND_CEILING)
        return max(ZERO, weight - steps * b.points)
    return max(ZERO, min(weight, rate / HUNDRED * weight))


# ---------------------------------------------------------------------------------------------
# Scoring a form


def _execution_line(form: SelfEvaluation) -> tuple[int, ExecutionLine] | None:
    """The execution line the budget score is read from: the first with a weight, else the first
    with both A and B (年度资金总额)."""
    for i, line in enumerate(form.execution):
        if line.weight is not None:
            return i, line
    for i, line in enumerate(form.execution):
        if line.budget is not None and line.spent is not None:
            return i, line
    return None


def execution_rate(form: SelfEvaluation) -> Decimal | None:
    """执行率 in percent from the execution lines (B / A of the line scored), exact."""
    found = _execution_line(form)
    if found is None:
        return None
    line = found[1]
    if line.budget is None or line.spent is None or line.budget == 0:
        return None
    return line.spent / line.budget * HUNDRED


def _budget_score(form: SelfEvaluation, profile: Profile) -> BudgetScore | None:
    if not profile.budget_separate:
        return None
    found = _execution_line(form)
    weight = profile.budget.weight
    if found is None:
        return BudgetScore(None, weight, None, None, None, problem="没有预算执行情况（全年预算数 A、全年执行数 B）")
    i, line = found
    w = line.weight if line.weight is not None else weight
    note = (f"预算执行的分值填写的是 {fmt(line.weight)}，评分规则“{profile.name}”规定为 {fmt(weight)}，"
            f"按填写的 {fmt(line.weight)} 计分" if line.weight is not None and line.weight != weight else "")
    rate = execution_rate(form)
    if rate is None:
        missing = "全年预算数（A）为 0" if line.budget == 0 else "全年预算数（A）或全年执行数（B）为空"
        return BudgetScore(i, w, None, line.score, None, problem=f"{missing}，无法计算执行率", weight_note=note)
    computed = round_score(rate_score(rate, w, profile))
    formula = _rate_formula(rate, w, profile, line)
    needs = ""
    if profile.explain.rate_below is not None and rate < profile.explain.rate_below:
        needs = f"执行率 {fmt(round_score(rate))}% 低于 {fmt(profile.explain.rate_below)}%"
    return BudgetScore(i, w, rate, line.score, computed, formula, needs_reason=needs, weight_note=note)


def _rate_formula(rate: Decimal, weight: Decimal, profile: Profile, line: ExecutionLine | None = None) -> str:
    head = (f"执行率 = {fmt(line.spent)} / {fmt(line.budget)} = {fmt(round_score(rate))}%"
            if line is not None and line.spent is not None else f"执行率 {fmt(round_score(rate))}%")
    b = profile.budget
    if b.rule == "steps":
        return (f"{head}；≥{fmt(b.full_at)}% 得满分 {fmt(weight)}，每低 {fmt(b.step)}% 扣 {fmt(b.points)} 分"
                f" = {fmt(round_score(rate_score(rate, weight, profile)))}")
    return f"{head}；min(执行率 × {fmt(weight)}, {fmt(weight)}) = {fmt(round_score(rate_score(rate, weight, profile)))}"


def _comparable(target: Target, actual: Target) -> tuple[Decimal, Decimal] | str:
    """(target value, actual value) in one unit, or why they cannot be compared."""
    if actual.value is None:
        return "实际完成值不是数字" if actual.problem is None else f"实际完成值有误：{actual.problem}"
    assert target.value is not None
    if not actual.unit or actual.unit_from_name or actual.unit == target.unit:
        if not actual.unit and target.unit == "%" and 0 < actual.value <= 1 < target.value:  # 0 is 0% either way
            return (f"实际完成值 {fmt(actual.value)} 没有单位，指标值是 {target.describe()}："
                    f"应写作 {fmt(actual.value * HUNDRED)}% 还是 {fmt(actual.value)}%？")
        return target.value, actual.value
    tv, tu = target.base()
    av, au = actual.base()
    if tu == au and tv is not None and av is not None:
        return tv, av
    return f"实际完成值的单位“{actual.unit}”与指标值的单位“{target.unit}”不同"


def _score_indicator(k: int, ind: IndicatorResult, profile: Profile, form: SelfEvaluation) -> IndicatorScore:
    group = profile.group_of(ind.level1, ind.level2)
    weight = ind.weight
    base: dict[str, Any] = {"index": k, "group": group, "weight": weight, "typed": ind.score}
    if profile.budget.indicator and profile.is_budget_indicator(ind.name):
        return _budget_indicator(ind, profile, form, base)
    if weight is None:
        return IndicatorScore(**base, computed=None, problem="没有分值（权重），无法计分")
    if not ind.actual.strip():
        return IndicatorScore(**base, computed=None, problem="实际完成值为空，无法计分",
                              needs_reason="实际完成值为空" if profile.explain.below_weight else "")
    target = parse_target(ind.target_text(), ind.name)
    if target.is_quantitative and target.value is not None:
        actual = parse_target(ind.actual_text(), ind.name)
        band = profile.band_of(ind.actual) if actual.value is None else None
        if band is not None:
            return _qualitative(ind, band, profile, base)
        pair = _comparable(target, actual)
        if isinstance(pair, str):
            return IndicatorScore(**base, computed=None, method="定量", problem=pair)
        tv, av = pair
        negative = target.operator in ("≤", "<")
        rule = profile.indicators.negative
        raw = negative_score(av, tv, weight, rule) if negative else positive_score(av, tv, weight)
        computed = round_score(raw)
        needs = ""
        if profile.explain.below_weight and computed < weight:
            needs = f"得分 {fmt(computed)} 低于分值 {fmt(weight)}"
        elif (not negative and profile.explain.over_target is not None and tv > 0
              and av * HUNDRED >= tv * profile.explain.over_target):
            share = fmt(round_score(av / tv * HUNDRED))
            needs = f"实际完成值 {fmt(av)} 达到指标值 {fmt(tv)} 的 {share}%，指标值可能定得偏低"
        return IndicatorScore(**base, computed=computed, method="反向" if negative else "正向",
                              formula_fn=partial(_quantity_formula, av, tv, weight, negative, rule, computed),
                              needs_reason=needs)
    band = profile.band_of(ind.actual)
    if band is None and ind.standard.strip():
        text = ind.standard.strip().replace("\n", " ")
        return IndicatorScore(**base, computed=None, method="定性",
                              problem=f"按评价标准打分的定性指标（{text[:24]}{'…' if len(text) > 24 else ''}），"
                                      "评分规则是文字，不自动计分")
    if band is None:
        names = "、".join(b.label for b in profile.qualitative.bands)
        return IndicatorScore(**base, computed=None, method="定性",
                              problem=f"定性指标的实际完成值“{ind.actual.strip()[:20]}”不是评价档次（{names}）之一，无法计分")
    return _qualitative(ind, band, profile, base)


def _quantity_formula(av: Decimal, tv: Decimal, weight: Decimal, negative: bool, rule: str, computed: Decimal) -> str:
    if negative:
        if av <= tv:
            how = f"反向：实际 {fmt(av)} ≤ 指标值 {fmt(tv)}，得满分"
        elif rule == "linear":
            how = (f"反向：实际 {fmt(av)} 超过指标值 {fmt(tv)}，"
                   f"(1 − ({fmt(av)} − {fmt(tv)}) / {fmt(tv)}) × {fmt(weight)}")
        else:
            how = f"反向：实际 {fmt(av)} 超过指标值 {fmt(tv)}，{fmt(tv)} / {fmt(av)} × {fmt(weight)}"
    else:
        how = (f"正向：实际 {fmt(av)} ≥ 指标值 {fmt(tv)}，得满分" if av >= tv or tv <= 0
               else f"正向：{fmt(av)} / {fmt(tv)} × {fmt(weight)}")
    return f"{how} = {fmt(computed)}"


def _span(band: Any, weight: Decimal) -> str:
    low, high = band.low * weight / HUNDRED, band.high * weight / HUNDRED
    return f"{fmt(band.low)}%–{fmt(band.high)}% × 分值 {fmt(weight)} = {fmt(round_score(low))}–{fmt(round_score(high))}"


def _qualitative(ind: IndicatorResult, band: Any, profile: Profile, base: dict[str, Any]) -> IndicatorScore:
    weight = base["weight"]
    low, high = band.low * weight / HUNDRED, band.high * weight / HUNDRED
    typed = ind.score
    if typed is None:
        if band.full_without_score:
            computed = round_score(high)
            return IndicatorScore(**base, computed=computed, method="定性", band=band.label,
                                  formula_fn=lambda: f"定性：{band.label}，未填得分按满分计 = {fmt(computed)}")
        span = _span(band, weight)
        return IndicatorScore(**base, computed=None, method="定性", band=band.label,
                              problem=f"定性指标为“{band.label}”，须填写得分（{span}）",
                              band_problem=f"“{band.label}”须填写得分（{span}）",
                              needs_reason=f"定性指标为“{band.label}”" if profile.explain.below_weight else "")
    if typed < round_score(low) or typed > round_score(high):
        span = _span(band, weight)
        needs = f"定性指标为“{band.label}”" if profile.explain.below_weight and typed < weight else ""
        return IndicatorScore(**base, computed=None, method="定性", band=band.label,
                              problem=f"得分 {fmt(typed)} 不在“{band.label}”的分数段内（{span}）",
                              band_problem=f"得分 {fmt(typed)} 不在“{band.label}”的分数段内（{span}）",
                              needs_reason=needs)
    needs = f"得分 {fmt(typed)} 低于分值 {fmt(weight)}" if profile.explain.below_weight and typed < weight else ""
    return IndicatorScore(**base, computed=typed, method="定性", band=band.label,
                          formula_fn=lambda: f"定性：{band.label}，得分在 {_span(band, weight)} 之内",
                          needs_reason=needs)


def _budget_indicator(ind: IndicatorResult, profile: Profile, form: SelfEvaluation,
                      base: dict[str, Any]) -> IndicatorScore:
    """预算执行率 as an indicator (chongqing): the rate from its 实际完成值, else from B / A."""
    weight = base["weight"]
    if weight is None:
        return IndicatorScore(**base, computed=None, method="预算执行率", problem="没有分值（权重），无法计分",
                              is_budget=True)
    actual = parse_target(ind.actual_text(), ind.name)
    rate: Decimal | None = None
    source = ""
    if actual.value is not None and actual.unit in ("%", ""):
        rate = actual.value if actual.unit == "%" or actual.value > 1 else actual.value * HUNDRED
        source = f"实际完成值 {fmt(rate)}%"
    else:
        rate = execution_rate(form)
        source = f"执行率 B/A = {fmt(round_score(rate))}%" if rate is not None else ""
    if rate is None:
        return IndicatorScore(**base, computed=None, method="预算执行率", is_budget=True,
                              problem="实际完成值不是百分数，预算执行情况中也没有全年预算数和执行数，无法计分")
    computed = round_score(rate_score(rate, weight, profile))
    b = profile.budget
    rule = (f"≥{fmt(b.full_at)}% 得满分 {fmt(weight)}，每低 {fmt(b.step)}% 扣 {fmt(b.points)} 分"
            if b.rule == "steps" else f"min(执行率 × {fmt(weight)}, {fmt(weight)})")
    needs = ""
    if profile.explain.rate_below is not None and rate < profile.explain.rate_below:
        needs = f"执行率 {fmt(round_score(rate))}% 低于 {fmt(profile.explain.rate_below)}%"
    elif profile.explain.below_weight and computed < weight:
        needs = f"得分 {fmt(computed)} 低于分值 {fmt(weight)}"
    return IndicatorScore(**base, computed=computed, method="预算执行率", is_budget=True,
                          formula_fn=lambda: f"预算执行率：{source}；{rule} = {fmt(computed)}", needs_reason=needs)


def profile_for(form: SelfEvaluation, profile: str | Profile | None = None) -> Profile:
    """The profile asked for; else the form's own; else its layout's; else the default."""
    if isinstance(profile, Profile):
        return profile
    if profile:
        return load_profile(profile)
    if form.profile:
        return load_profile(form.profile)
    from budgetxl.scoring.layouts import layout_profile

    return load_profile(layout_profile(form))


def score(form: SelfEvaluation, profile: str | Profile | None = None) -> ScoreCard:
    """Score `form` under `profile` (see profile_for): nothing in the form is changed."""
    return _score(form, profile_for(form, profile))


def _score(form: SelfEvaluation, prof: Profile) -> ScoreCard:
    budget = _budget_score(form, prof)
    scores = tuple(_score_indicator(k, ind, prof, form) for k, ind in enumerate(form.indicators)
                   if not ind.is_placeholder or ind.weight is not None)
    sums: dict[str, Decimal] = {}
    for s in scores:
        if s.group and s.weight is not None:
            sums[s.group] = sums.get(s.group, ZERO) + s.weight
    groups = {name: (w, sums.get(name, ZERO)) for name, w in prof.group_weights().items()}
    rate = budget.rate if budget is not None else execution_rate(form)
    if rate is None:
        rate = next((_rate_of(form.indicators[s.index]) for s in scores if s.is_budget), None)
    blank = unfilled(form)
    # a template's 总分 formula over blank scores shows 0: that is no total the unit typed
    typed_total = None if blank and form.total_score == 0 else form.total_score
    return ScoreCard(prof, budget, scores, typed_total, groups, rate, blank)


def unfilled(form: SelfEvaluation) -> bool:
    """Whether no 实际完成值 and no indicator score at all is filled in (a template returned blank)."""
    rows = [i for i in form.indicators if not i.is_placeholder or i.weight is not None]
    return bool(rows) and not any(i.actual.strip() or i.score is not None for i in rows)


def _rate_of(ind: IndicatorResult) -> Decimal | None:
    actual = parse_target(ind.actual_text(), ind.name)
    if actual.value is None:
        return None
    return actual.value if actual.unit == "%" or actual.value > 1 else actual.value * HUNDRED

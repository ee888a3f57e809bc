"""Rules of the self-evaluation (BX6xx): every score recomputed under the profile and compared
with the typed one (never overwritten), explanations where a score falls short, weights adding up
to their groups and to the full marks, and, given the approved targets, indicators added, dropped
or changed against them."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Iterator, cast

from budgetxl.rules.registry import Context, Hit, rule
from budgetxl.scoring.engine import HUNDRED, ScoreCard, execution_rate, fmt, round_score, score
from budgetxl.scoring.pairing import pair_with_targets
from budgetxl.selfeval import SelfEvaluation

KINDS = ("selfeval",)
_PERCENT_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*[%％]?\s*$")


def _se(ctx: Context) -> SelfEvaluation:
    """The form checked, a self-evaluation (the rules here are declared for that kind only)."""
    return cast(SelfEvaluation, ctx.form)


def _approved(ctx: Context) -> Any:
    """The approved target table given with --targets (a form of a target kind)."""
    return ctx.approved


def scorecard(ctx: Context) -> ScoreCard:
    """The form scored under the context's profile, once per check."""
    card = ctx.__dict__.get("_scorecard")
    if card is None:
        card = ctx.__dict__["_scorecard"] = score(_se(ctx), ctx.profile)
    return card


def _pairing(ctx: Context) -> Any:
    found = ctx.__dict__.get("_pairing")
    if found is None:
        found = ctx.__dict__["_pairing"] = pair_with_targets(_se(ctx), ctx.approved)
    return found


def selfeval_extra(ctx: Context) -> dict[str, Any]:
    """What a check report of a self-evaluation carries besides its findings: the scores."""
    try:
        card = scorecard(ctx)
    except Exception:  # noqa: BLE001 - a profile that cannot be loaded was reported by the caller
        return {}
    return {"profile": card.profile.name, "total": fmt(card.total), "grade": card.grade,
            "complete": card.complete}


def _ind(k: int) -> str:
    return f"indicators[{k}]"


def _name(ctx: Context, k: int) -> str:
    ind = _se(ctx).indicators[k]
    return (ind.name or ind.target or f"第 {k + 1} 个指标").replace("\n", "")


@rule("BX601", "error", "得分与评分规则不符",
      "填写的指标得分与按评分规则（mof-2020 等，见 templates/profiles/）重新计算的得分相差超过 0.01；"
      "结果中写明两者和计算公式。budgetxl 只比较，不改写填写的得分。",
      "“补贴发放及时率”指标值 ≥95%，实际 90%，分值 25：应得 90/95×25 = 23.68，却填了 25。",
      kinds=KINDS)
def score_differs(ctx: Context) -> Iterator[Hit]:
    card = scorecard(ctx)
    for s in card.indicators:
        if s.differs:
            yield Hit(f"“{_name(ctx, s.index)}”填写的得分 {fmt(s.typed)} 与按“{card.profile.name}”计算的"
                      f" {fmt(s.computed)} 不符（{s.formula}）", f"{_ind(s.index)}.score", fmt(s.typed))
    b = card.budget
    if b is not None and b.line is not None and b.typed is not None and b.computed is not None \
            and abs(b.typed - b.computed) > card.profile.tolerance:
        yield Hit(f"预算执行得分填写的是 {fmt(b.typed)}，按“{card.profile.name}”计算应为 {fmt(b.computed)}"
                  f"（{b.formula}）", f"execution[{b.line}].score", fmt(b.typed))


@rule("BX602", "error", "总分与各项得分之和不符",
      "填写的总分与预算执行得分加各指标得分（按评分规则计算；无法计算的按填写的得分）之和相差超过 0.01。",
      "各项得分之和为 93.56，总分却填了 90。", kinds=KINDS)
def total_differs(ctx: Context) -> Iterator[Hit]:
    card = scorecard(ctx)
    typed = card.typed_total
    if typed is None:
        return
    if any(s.counted is None for s in card.indicators):
        return  # a row with neither a typed nor a computable score: BX604/BX605 say so
    if abs(typed - card.total) > card.profile.tolerance:
        yield Hit(f"总分填写的是 {fmt(typed)}，各项得分之和（按“{card.profile.name}”）为 {fmt(card.total)}",
                  "total_score", fmt(typed))


@rule("BX603", "error", "定性指标得分不在档次的分数段内",
      "定性指标的实际完成值写明达成档次（达成年度指标 80–100%、部分达成年度指标并具有一定效果 60–80%、"
      "未达成年度指标且效果较差 0–60%，按分值计），得分须在该档次的分数段内；后两档必须填写得分。",
      "实际完成值“部分达成年度指标并具有一定效果”，分值 10，得分却填了 9（应在 6–8 之间）。", kinds=KINDS)
def band_problem(ctx: Context) -> Iterator[Hit]:
    for s in scorecard(ctx).indicators:
        if s.band_problem:
            yield Hit(f"“{_name(ctx, s.index)}”：{s.band_problem}", f"{_ind(s.index)}.score",
                      fmt(s.typed) if s.typed is not None else None)


@rule("BX604", "warning", "指标无法计分，也没有填写得分",
      "无法按评分规则计算得分的指标（没有分值、实际完成值为空或不是数字、单位与指标值不同、定性指标的"
      "完成情况不是评价档次、按文字评价标准打分的指标），又没有填写得分：budgetxl 不猜测，总分中不计这一项。",
      "指标值 ≥95%，实际完成值写了“较好”，得分一栏留空。", kinds=KINDS)
def unscored(ctx: Context) -> Iterator[Hit]:
    if scorecard(ctx).unfilled:
        return  # BX615 says it once
    for s in scorecard(ctx).indicators:
        if s.problem and not s.band_problem and s.typed is None:
            field = f"{_ind(s.index)}.weight" if s.weight is None else f"{_ind(s.index)}.actual"
            yield Hit(f"“{_name(ctx, s.index)}”：{s.problem}；也没有填写得分，总分中未计入这一项", field,
                      _se(ctx).indicators[s.index].actual or None)
    b = scorecard(ctx).budget
    if b is not None and b.problem:
        yield Hit(f"预算执行率无法计算：{b.problem}",
                  f"execution[{b.line}].budget" if b.line is not None else "execution")


@rule("BX615", "error", "实际完成值一项也没有填写",
      "自评表中没有任何一个指标填写了实际完成值（也没有填写得分）：这是尚未填写的模板，无法计分。"
      "模板中总分公式显示的 0 不算填写的总分。请单位填写后重新报送。",
      "由目标表生成的自评表模板原样交回，55 个指标的实际完成值都是空的。", kinds=KINDS)
def nothing_filled(ctx: Context) -> Iterator[Hit]:
    if not scorecard(ctx).unfilled:
        return
    form = _se(ctx)
    n = sum(1 for i in form.indicators if not i.is_placeholder)
    first = next(k for k, i in enumerate(form.indicators) if not i.is_placeholder or i.weight is not None)
    yield Hit(f"{n} 个指标的实际完成值一项也没有填写：这是尚未填写的自评表，无法计分，请填写后重新报送",
              f"{_ind(first)}.actual")


@rule("BX614", "info", "得分按填写的计入，未经核算",
      "无法按评分规则计算得分的指标（如按文字评价标准打分的管理类指标），计入总分的是单位填写的得分，"
      "budgetxl 未核算，请人工核对。", "“资金使用合规性”的评价标准是“每出现一例不符合要求的扣2分”，得分填了 10。",
      kinds=KINDS)
def typed_unchecked(ctx: Context) -> Iterator[Hit]:
    for s in scorecard(ctx).indicators:
        if s.problem and not s.band_problem and s.typed is not None:
            yield Hit(f"“{_name(ctx, s.index)}”：{s.problem}；计入总分的是填写的得分 {fmt(s.typed)}",
                      f"{_ind(s.index)}.score", fmt(s.typed))


@rule("BX605", "warning", "缺少偏差原因分析",
      "得分低于分值、实际完成值达到正向指标值的 130% 以上（指标值可能定得偏低）、预算执行率低于 90% 时，"
      "偏差原因分析及改进措施必须填写。",
      "“服务满意度”得分 8，分值 10，偏差原因一栏留空。", kinds=KINDS)
def reason_missing(ctx: Context) -> Iterator[Hit]:
    card = scorecard(ctx)
    if card.unfilled:
        return  # BX615 says it once
    form = _se(ctx)
    has_reason_column = "reason" in ctx.layout.headers_of("indicators")
    conclusion = _said(ctx, "conclusion", form.conclusion)
    for s in card.indicators:
        if s.needs_reason and not _said(ctx, "indicators", form.indicators[s.index].reason):
            if not has_reason_column and conclusion:
                continue  # a layout without the column explains in its 说明
            yield Hit(f"“{_name(ctx, s.index)}”：{s.needs_reason}，须填写偏差原因分析及改进措施",
                      f"{_ind(s.index)}.reason" if has_reason_column else f"{_ind(s.index)}.actual")
    b = card.budget
    if b is not None and b.line is not None and b.needs_reason and not _said(ctx, "execution",
                                                                             form.execution[b.line].reason):
        yield Hit(f"{b.needs_reason}，须填写偏差原因", f"execution[{b.line}].reason")


def _said(ctx: Context, block_field: str, text: str) -> bool:
    """Whether `text` explains something: not blank, and not only the prompt the layout's block
    prints there (templates/*.yaml `prompts`)."""
    if not text.strip():
        return False
    block = next((b for b in ctx.layout.blocks if getattr(b, "field", "") == block_field), None)
    return block is None or not block.is_prompt(text)


@rule("BX606", "warning", "分值合计不对",
      "各指标的分值按一级指标（指标类型）相加应等于评分规则规定的该组分值，全部分值（含预算执行）应等于"
      "满分（通常 100）；预算执行的分值应是评分规则规定的分值（如 hebei 为 20）；总分行填写的分值合计也应与之相符。",
      "产出指标各三级指标分值合计 45，评分规则规定 50。", kinds=KINDS)
def weights_off(ctx: Context) -> Iterator[Hit]:
    card = scorecard(ctx)
    if not card.indicators:
        return
    first: dict[str, int] = {}
    for s in card.indicators:
        first.setdefault(s.group, s.index)
    for name, (declared, rows) in card.groups.items():
        if rows != declared and (rows or declared):
            where = first.get(name)
            yield Hit(f"{name}各指标分值合计 {fmt(rows)}，“{card.profile.name}”规定为 {fmt(declared)}",
                      f"{_ind(where)}.weight" if where is not None else "indicators", fmt(rows))
    stray = [s for s in card.indicators if not s.group]
    if stray:
        yield Hit(f"“{_name(ctx, stray[0].index)}”的一级指标“{_se(ctx).indicators[stray[0].index].level1}”"
                  f"不属于“{card.profile.name}”规则的任何一组（{'、'.join(card.groups)}）",
                  f"{_ind(stray[0].index)}.level1", _se(ctx).indicators[stray[0].index].level1)
    b = card.budget
    if b is not None and b.line is not None and b.weight_note:
        yield Hit(b.weight_note, f"execution[{b.line}].weight", fmt(b.weight))
    full = card.profile.full_marks
    if card.weights_total != full:
        yield Hit(f"全部分值合计 {fmt(card.weights_total)}，应为满分 {fmt(full)}", "total_weight",
                  fmt(card.weights_total))
    typed = _se(ctx).total_weight
    if typed is not None and typed != card.weights_total:
        yield Hit(f"总分行的分值合计填写的是 {fmt(typed)}，各项分值之和为 {fmt(card.weights_total)}", "total_weight",
                  fmt(typed))


def _typed_percent(text: str) -> Decimal | None:
    m = _PERCENT_RE.match(text.replace("％", "%"))
    if not m:
        return None
    try:
        value = Decimal(m.group(1))
    except InvalidOperation:
        return None
    return value if "%" in text or value > 1 else value * HUNDRED


def _shown_as(value: Decimal, like: str) -> Decimal:
    """`value` rounded to as many decimals as the typed text shows."""
    digits = like.split(".")[1] if "." in like else ""
    places = len([ch for ch in digits if ch.isdigit()])
    return value.quantize(Decimal(1).scaleb(-places))


@rule("BX607", "warning", "执行率与全年执行数/全年预算数不符",
      "填写的执行率（或管理类指标“预算执行率”的完成值）与全年执行数 B 除以全年预算数 A 不符"
      "（按填写的小数位数比较）。", "A = 1200、B = 1100，执行率却填了 95%。", kinds=KINDS)
def rate_differs(ctx: Context) -> Iterator[Hit]:
    rate = execution_rate(_se(ctx))
    if rate is None:
        return
    for i, line in enumerate(_se(ctx).execution):
        if line.rate.strip() and line.budget and line.spent is not None:
            typed = _typed_percent(line.rate)
            own = line.spent / line.budget * HUNDRED
            if typed is not None and abs(typed - _shown_as(own, line.rate)) > _step(line.rate):
                yield Hit(f"执行率填写的是 {line.rate.strip()}，{fmt(line.spent)} / {fmt(line.budget)} = "
                          f"{fmt(round_score(own))}%", f"execution[{i}].rate", line.rate)
    card = scorecard(ctx)
    for s in card.indicators:
        if s.is_budget:
            actual = _se(ctx).indicators[s.index].actual_text()
            typed = _typed_percent(actual)
            if typed is not None and abs(typed - _shown_as(rate, actual)) > _step(actual):
                yield Hit(f"“{_name(ctx, s.index)}”的完成值是 {actual}，"
                          f"全年执行数 B / 全年预算数 A = {fmt(round_score(rate))}%",
                          f"{_ind(s.index)}.actual", actual)


def _step(text: str) -> Decimal:
    """One unit of the last decimal the text shows (92% → 1, 91.67% → 0.01)."""
    digits = text.split(".")[1] if "." in text else ""
    return Decimal(1).scaleb(-len([ch for ch in digits if ch.isdigit()]))


@rule("BX608", "warning", "全年执行数超过全年预算数",
      "全年执行数 B 大于全年预算数 A（执行率超过 100%），请核对。", "A = 1000，B = 1100。", kinds=KINDS)
def overspent(ctx: Context) -> Iterator[Hit]:
    for i, line in enumerate(_se(ctx).execution):
        if line.budget is not None and line.spent is not None and line.spent > line.budget:
            yield Hit(f"{line.name or '预算执行'}：全年执行数 {fmt(line.spent)} 大于全年预算数 {fmt(line.budget)}",
                      f"execution[{i}].spent", fmt(line.spent))


@rule("BX609", "error", "得分超过分值",
      "填写的得分不能大于该项的分值。", "分值 10，得分填了 12。", kinds=KINDS)
def score_over_weight(ctx: Context) -> Iterator[Hit]:
    for k, ind in enumerate(_se(ctx).indicators):
        if ind.score is not None and ind.weight is not None and ind.score > ind.weight:
            yield Hit(f"“{_name(ctx, k)}”得分 {fmt(ind.score)} 大于分值 {fmt(ind.weight)}", f"{_ind(k)}.score",
                      fmt(ind.score))
    for i, line in enumerate(_se(ctx).execution):
        if line.score is not None and line.weight is not None and line.score > line.weight:
            yield Hit(f"预算执行得分 {fmt(line.score)} 大于分值 {fmt(line.weight)}", f"execution[{i}].score",
                      fmt(line.score))


@rule("BX610", "error", "名称或年度为空",
      "部门（单位）名称（项目自评表为项目名称）和年度必须填写；自评表至少要有一个绩效指标。",
      "项目自评表的项目名称一栏留空。", kinds=KINDS)
def identity_missing(ctx: Context) -> Iterator[Hit]:
    form = _se(ctx)
    path = "project_name" if form.subject == "project" or "project_name" in _held(ctx) else "unit_name"
    if not getattr(form, path).strip():
        yield Hit(f"{_label_of(ctx, path) or '名称'}未填写", path)
    if form.year is None:
        yield Hit("没有填写年度（标题或标题下应写明年度，如“（2024年度）”）", "year")
    if not any(not i.is_placeholder for i in form.indicators):
        block = ctx.layout.indicators_block
        yield Hit(f"没有{block.label if block is not None else '指标'}", "indicators")


def _label_of(ctx: Context, path: str) -> str:
    """What the layout calls the field at `path`: its value block's label, or the label cell just
    before it in a row of several label/value pairs."""
    for block in ctx.layout.blocks:
        if getattr(block, "field", None) == path:
            return block.label
        if block.kind == "fields":
            label = block.label
            for column in block.column_map:
                if column.field == path:
                    return label
                if not column.field and column.header:
                    label = column.header
    return ""


def _held(ctx: Context) -> set[str]:
    from budgetxl.blocks import held_paths

    return held_paths(ctx.layout)


# ---------------------------------------------------------------------------------------------
# Against the approved targets (check --targets FILE)


def _foreign(ctx: Context) -> str:
    """How the approved targets are another unit's, year's or project's ('' when they may be this
    form's own): then comparing them row by row says nothing."""
    from budgetxl.text import normalize_label

    form, approved = _se(ctx), _approved(ctx)
    project = getattr(approved, "kind", "") == "project"
    theirs = [
        ("年度", form.year, getattr(approved, "year", None)),
        ("单位", form.unit_name, getattr(approved, "unit" if project else "unit_name", "") or ""),
    ]
    if project:
        theirs.append(("项目", form.project_name, getattr(approved, "name", "") or ""))
    out = []
    for what, mine, other in theirs:
        if mine in (None, "") or other in (None, ""):
            continue
        if normalize_label(str(mine)) != normalize_label(str(other)):
            out.append(f"{what}是“{other}”（自评表为“{mine}”）")
    return "，".join(out)


def _compared(ctx: Context) -> bool:
    """Whether the rows are compared with the approved targets: given, and this form's own."""
    if ctx.approved is None:
        return False
    found = ctx.__dict__.get("_foreign")
    if found is None:
        found = ctx.__dict__["_foreign"] = _foreign(ctx)
    return not found


@rule("BX616", "warning", "目标表不是本单位本年度的",
      "用 --targets 指定的目标表属于另一个单位、另一个年度或另一个项目：逐个指标的比较（BX611–BX613）"
      "没有意义，不再进行。请核对指定的目标表。",
      "2023年度的自评表，--targets 指定了 2024年的目标表。", kinds=KINDS)
def targets_foreign(ctx: Context) -> Iterator[Hit]:
    if ctx.approved is None or _compared(ctx):
        return
    yield Hit(f"指定的目标表不是本表的：{ctx.__dict__['_foreign']}；未逐个比较指标", "indicators")


@rule("BX611", "warning", "批复的指标未自评",
      "与批复的绩效目标表相比，少了某个指标（按指标名称配对，名称改动的按相似度配对）：未完成的指标不能"
      "不加说明地删去。需用 --targets 指定目标表。", "目标表有“违法建设拆除数量”，自评表中没有。", kinds=KINDS)
def target_dropped(ctx: Context) -> Iterator[Hit]:
    if not _compared(ctx):
        return
    pairing = _pairing(ctx)
    for j in pairing.dropped:
        t = _approved(ctx).indicators[j]
        yield Hit(f"目标表中的指标“{t.name}”（{t.level1}/{t.level2}，指标值 {t.target}）在自评表中没有", "indicators",
                  t.name)


@rule("BX612", "warning", "自评表多出批复以外的指标",
      "自评表中有批复的绩效目标表里没有的指标。需用 --targets 指定目标表。",
      "自评表新增了“群众满意度”，目标表中没有。", kinds=KINDS)
def target_added(ctx: Context) -> Iterator[Hit]:
    if not _compared(ctx):
        return
    for k in _pairing(ctx).added:
        yield Hit(f"指标“{_name(ctx, k)}”不在批复的目标表中", f"{_ind(k)}.name", _se(ctx).indicators[k].name)


@rule("BX613", "warning", "年度指标值与批复的不同",
      "自评表中的年度指标值应与批复的目标表一致（按批复的指标值评分）。需用 --targets 指定目标表。",
      "目标表的指标值是 ≥95%，自评表写成了 ≥90%。", kinds=KINDS)
def target_changed(ctx: Context) -> Iterator[Hit]:
    if not _compared(ctx):
        return
    from budgetxl.text import normalize_label

    for k, j in _pairing(ctx).pairs:
        mine, approved = _se(ctx).indicators[k], _approved(ctx).indicators[j]
        if normalize_label(mine.target_text()) != normalize_label(approved.target) and \
                normalize_label(mine.target) != normalize_label(approved.target):
            yield Hit(f"“{_name(ctx, k)}”的年度指标值是“{mine.target_text()}”，批复的是“{approved.target}”",
                      f"{_ind(k)}.target", mine.target)

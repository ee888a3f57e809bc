"""指标值: quantified where a quantity is expected, and numbers that can be read."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from budgetxl.rules.registry import Context, Hit, rule
from budgetxl.targets import has_number, unit_in_name
from budgetxl.text import normalize_label

# An indicator name asking for a quantity: a rate (…率), a count (…数, 数量, 人次), an amount
# (金额), a proportion (比例); or a unit in brackets at its end (…人数（人）).
_QUANTITY_NAME_RE = re.compile(r"(率|数|数量|人次|户次|金额|比例|比重)$")
_TRAILING_BRACKET_RE = re.compile(r"[（(][^（()）]*[）)]$")


@lru_cache(maxsize=8192)  # indicator names recur from form to form
def expects_quantity(indicator_name: str) -> bool:
    """'工程按期完成率', '城镇新增就业人数（人）', '后勤工作购买服务的数量' expect a number;
    '评估等级', '资金支付规范性', '全市城乡居民养老保险覆盖面' do not."""
    name = normalize_label(indicator_name)
    if unit_in_name(name):
        return True
    name = _TRAILING_BRACKET_RE.sub("", name)
    return bool(_QUANTITY_NAME_RE.search(name))


@rule(
    "BX301",
    "warning",
    "指标值未量化",
    "指标名称表明应填数值（如“…率”“…人数”“…数量”，或名称末尾括号里写了单位），或者指标值只写了计算公式，"
    "但指标值中没有任何数字。财政要求指标尽量量化；确实只能定性的指标可以保留。",
    "“工程按期完成率”的指标值只写了“工程按期完成率=（按时完工工程量/总工程量）”，没有目标数值。",
)
def not_quantified(ctx: Context) -> Iterator[Hit]:
    # A target read as a number has a digit (the usual case: no need to look for one).
    unread = [i for i, (target, placeholder) in enumerate(zip(ctx.targets, ctx.placeholders))
              if target.value is None and not placeholder and not target.problem]
    for i in unread:
        ind, target = ctx.form.indicators[i], ctx.targets[i]
        if has_number(ind.target) or not ind.target.strip():
            continue
        if target.kind == "formula_only":
            reason = "只写了计算公式，没有目标数值"
        elif expects_quantity(ind.name):
            reason = "没有目标数值"
        else:
            continue
        message = f"三级指标“{ind.name.strip()}”的指标值{reason}，请写明目标值（如“≥95%”“≥500人次”）"
        yield Hit(message, f"indicators[{i}].target", ind.target)


@rule(
    "BX302",
    "error",
    "指标值中的数字无法识别",
    "指标值看起来是数值，但其中的数字写错了：比较符号后面没有数字，数字里混入了字母 O/l，或有两个小数点。",
    "指标值写成“≥9O%”（字母 O 代替了数字 0）。",
)
def unreadable_number(ctx: Context) -> Iterator[Hit]:
    for i, (ind, target) in enumerate(zip(ctx.form.indicators, ctx.targets)):
        if target.problem:
            who = f"三级指标“{ind.name.strip()}”" if ind.name.strip() else f"第 {i + 1} 个三级指标"
            yield Hit(f"{who}的指标值“{ind.target.strip()}”中{target.problem}", f"indicators[{i}].target", ind.target)

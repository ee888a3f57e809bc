"""Reading a 指标值 (indicator target) as written by a person.

``parse_target("≥95%（整改隐患数/发现隐患数）")`` gives operator ``≥``, value ``95``, unit ``%`` and
note ``整改隐患数/发现隐患数``. What real tables hold (DESIGN.md §3):

- a quantity: an optional comparison (≥ ≤ = > <, also written ≧ ≦ ＝ >= <= ⩾ ⩽, or in words:
  不低于, 不少于, 不高于, 不超过, …), a number (full-width digits and thousands separators
  allowed), a unit (``%``, ``人次``, ``万平方米``, ``元每人每月``…), an optional word after it
  (以上, 或以上, 及以上 → ≥; 以下, 或以下, 及以下, 以内 → ≤), and optionally the formula or an
  explanation after it, usually in brackets: ``100%（实际购置数量/计划购置数量）``;
- a label before the comparison: ``现场办事满意率≥95%`` (the label goes into ``note``);
- a bare number whose unit is in the indicator's name: ``城镇新增就业人数（人）`` | ``50000``;
- only a formula, no number: ``工程按期完成率=（按时完工工程量/总工程量）`` (``formula_only``);
- words: ``良好以上``, ``按时完成任务``, ``合规``, ``不低于上年度水平``, or a whole sentence, even
  one that mentions numbers (``每月开展垃圾分类活动4次或以上。``): ``qualitative``.

Decisions:

- ``operator`` and ``value`` are set for quantitative targets only (``value`` is never None there;
  ``operator`` is None when the target states a plain amount such as ``9000人次``).
- 万 and 亿 stay in the unit: ``≥8万套次`` is value 8, unit ``万套次``, the number the person
  wrote. ``Target.base()`` gives the same quantity without them (80000, ``套次``) for comparing a
  target written ``8万套次`` with one written ``80000套次``.
- ``unit`` is ``""`` when there is none; a unit taken from the indicator name is marked by
  ``unit_from_name``.
- ``problem`` says, in Chinese, why a number in the target cannot be read (``≥9O%``, ``≥``,
  ``1.2.5万人``); such a target is ``qualitative`` with no value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal, Sequence

Kind = Literal["quantitative", "qualitative", "formula_only"]
Operator = Literal["≥", "≤", "=", ">", "<"]
KINDS: tuple[Kind, ...] = ("quantitative", "qualitative", "formula_only")


@dataclass(frozen=True)
class Target:
    raw: str
    operator: Operator | None
    value: Decimal | None
    unit: str
    note: str
    kind: Kind
    unit_from_name: bool = False
    problem: str | None = None

    @property
    def is_quantitative(self) -> bool:
        return self.kind == "quantitative"

    def base(self) -> tuple[Decimal | None, str]:
        """(value, unit) with a leading 万/亿 of the unit folded into the value: (8, 万套次) →
        (80000, 套次). 万元 stays as it is: it is the unit of every amount in the form."""
        return base_value(self.value, self.unit)

    def describe(self) -> str:
        """A short Chinese reading of the target, for messages: '≥ 95 %'."""
        if self.value is None:
            return {"qualitative": "定性", "formula_only": "只有公式"}.get(self.kind, "定性")
        parts = [self.operator or "", _plain(self.value), self.unit]
        return " ".join(p for p in parts if p)


_MAGNITUDES = {"亿": Decimal(100_000_000), "万": Decimal(10_000)}


def base_value(value: Decimal | None, unit: str) -> tuple[Decimal | None, str]:
    """`Target.base` of a value in `unit`."""
    if value is None or unit == "万元":
        return value, unit
    for prefix, factor in _MAGNITUDES.items():
        if unit.startswith(prefix) and len(unit) > 1:
            return value * factor, unit[len(prefix) :]
    return value, unit


# --------------------------------------------------------------------------------------------
# Characters: a length-preserving map, so that positions in the mapped text are positions in
# the raw text (notes are sliced from the raw text and keep their own punctuation).

_CHAR_MAP = {ord(c): chr(ord(c) - 0xFEE0) for c in "０１２３４５６７８９％＝＜＞．－＋"}
_CHAR_MAP.update({ord("≧"): "≥", ord("≦"): "≤", ord("⩾"): "≥", ord("⩽"): "≤", ord("，"): ","})
_CHAR_MAP.update({ord("\u3000"): " ", ord("\u00a0"): " ", ord("\r"): " ", ord("\n"): " ", ord("\t"): " "})

_OPENERS = "（("
_CLOSERS = {"（": "）", "(": ")"}

# Comparisons written before the number, longest first so that 大于等于 wins over 大于.
_PREFIX_OPERATORS: tuple[tuple[str, Operator], ...] = (
    (">=", "≥"),
    ("<=", "≤"),
    ("=>", "≥"),
    ("=<", "≤"),
    ("≥=", "≥"),
    ("≤=", "≤"),
    ("大于或等于", "≥"),
    ("小于或等于", "≤"),
    ("大于等于", "≥"),
    ("小于等于", "≤"),
    ("不低于", "≥"),
    ("不少于", "≥"),
    ("不小于", "≥"),
    ("不高于", "≤"),
    ("不多于", "≤"),
    ("不大于", "≤"),
    ("不超过", "≤"),
    ("大于", ">"),
    ("高于", ">"),
    ("超过", ">"),
    ("多于", ">"),
    ("小于", "<"),
    ("低于", "<"),
    ("少于", "<"),
    ("等于", "="),
    ("≥", "≥"),
    ("≤", "≤"),
    ("=", "="),
    (">", ">"),
    ("<", "<"),
)
_SYMBOL_OPERATORS = ("≥", "≤", "=", ">", "<")
# Neutral words before a number ("达到100%", "约5台").
_PREFIX_NEUTRAL = ("达到", "达", "约", "为")

# Words after the number and unit. 以上/以下 include the number itself, as in Chinese law.
_SUFFIX_OPERATORS: tuple[tuple[str, Operator], ...] = (
    ("以上（含）", "≥"),
    ("以上(含)", "≥"),
    ("以下（含）", "≤"),
    ("以下(含)", "≤"),
    ("或以上", "≥"),
    ("及以上", "≥"),
    ("或以下", "≤"),
    ("及以下", "≤"),
    ("以上", "≥"),
    ("以下", "≤"),
    ("以内", "≤"),
)

_NUMBER_RE = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
# A unit: per cent or per mille, or a short run of CJK characters and letters (万平方米, 人次,
# 元每人每月, km, m²), never punctuation or digits.
_UNIT_RE = re.compile(r"%|‰|[A-Za-z²³/\u3400-\u9fff]{1,8}")
_TRAILING_PUNCT = " 。.;；,、!！"
_FORMULA_CHARS = "=/÷×*"
# A digit run glued to letters that look like digits (9O%, l00%) or a number with two points.
_MALFORMED_RE = re.compile(r"\d+(?:\.\d+){2,}|\d+[OoIl]+\d*|[OoIl]+\d+")
# The unit in an indicator's name: the bracket at its very end, 城镇新增就业人数（人）.
_NAME_UNIT_RE = re.compile(r"[（(]\s*(%|‰|[A-Za-z²³/\u3400-\u9fff]{1,6})\s*[）)]\s*$")


def parse_target(text: object, indicator_name: str = "") -> Target:
    """Read one 指标值. `indicator_name` (the 三级指标) gives the unit of a bare number."""
    raw = "" if text is None else str(text)
    return _parse_target(raw, indicator_name)


def parse_targets(texts: Sequence[object], indicator_names: Sequence[str]) -> tuple[Target, ...]:
    """`parse_target` of each text with its indicator's name (a form's targets at once)."""
    if set(map(type, texts)) <= {str}:  # texts (the usual case): remembered ones are not read again
        return tuple(map(_parse_target, texts, indicator_names))
    return tuple(map(parse_target, texts, indicator_names))


# Targets recur from form to form (100%, ≥95%, 良好以上) and a Target is immutable: remember them.
@lru_cache(maxsize=8192)
def _parse_target(raw: str, indicator_name: str) -> Target:
    mapped = raw.translate(_CHAR_MAP)
    start, end = _strip_span(mapped, 0, len(mapped))
    if start >= end:
        return Target(raw, None, None, "", "", "qualitative")

    quantity = _read_quantity(raw, mapped, start, end)
    if quantity is not None:
        operator, value, unit, note = quantity
        from_name = False
        if not unit:
            unit = unit_in_name(indicator_name)
            from_name = bool(unit)
        return Target(raw, operator, value, unit, note, "quantitative", unit_from_name=from_name)

    body = mapped[start:end]
    problem = _number_problem(body)
    if problem is not None:
        return Target(raw, None, None, "", "", "qualitative", problem=problem)
    if not any(ch.isdigit() for ch in body) and any(ch in _FORMULA_CHARS for ch in body):
        return Target(raw, None, None, "", raw[start:end].strip(), "formula_only")
    return Target(raw, None, None, "", "", "qualitative")


def unit_in_name(indicator_name: str) -> str:
    """'城镇新增就业人数（人）' → '人'; '' when the name ends without a unit in brackets."""
    m = _NAME_UNIT_RE.search((indicator_name or "").translate(_CHAR_MAP))
    return m.group(1) if m else ""


def has_number(text: str) -> bool:
    """True when the text holds at least one digit (full-width digits count)."""
    # (_CHAR_MAP turns full-width digits into digits and nothing else into one: no need to apply it)
    return any(map(str.isdigit, text or ""))


# --------------------------------------------------------------------------------------------


def _strip_span(s: str, start: int, end: int) -> tuple[int, int]:
    while start < end and s[start] == " ":
        start += 1
    while end > start and s[end - 1] in _TRAILING_PUNCT:
        end -= 1
    return start, end


def _read_quantity(raw: str, s: str, start: int, end: int) -> tuple[Operator | None, Decimal, str, str] | None:
    """The target as [label] [operator] number [unit] [以上/以下] [note], or None."""
    pos = start
    label = ""
    operator, pos = _match_prefix(s, pos)
    if operator is None:
        # A label before a symbol comparison: 现场办事满意率≥95%.
        m = re.match(r"([^\d≥≤=<>%]{1,30}?)\s*(?=[≥≤=<>])", s[pos:end])
        if m and not any(ch in m.group(1) for ch in ",;；、()（）"):
            label = raw[pos : pos + m.end(1)].strip()
            operator, pos = _match_prefix(s, pos + m.end())
            if operator is None:
                return None
    for word in _PREFIX_NEUTRAL:
        if s.startswith(word, pos) and pos + len(word) < end and s[pos + len(word)].isdigit():
            pos += len(word)
            break
    while pos < end and s[pos] == " ":
        pos += 1
    m = _NUMBER_RE.match(s, pos, end)
    if not m:
        return None
    try:
        value = Decimal(m.group().replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
        return None
    if _too_long(value):  # a number no spreadsheet keeps: not a quantity (_number_problem says why)
        return None
    pos = m.end()
    while pos < end and s[pos] == " ":
        pos += 1
    unit = ""
    suffix_op, after = _match_suffix(s, pos)
    if suffix_op is None:
        um = _UNIT_RE.match(s, pos, end)
        if um:
            unit_end = um.end()
            # A unit never swallows 以上/以下 or the word after it: 22天以上 → 天, ≥.
            for cut in range(pos + 1, unit_end):
                if _match_suffix(s, cut)[0] is not None:
                    unit_end = cut
                    break
            unit = s[pos:unit_end]
            pos = unit_end
            suffix_op, after = _match_suffix(s, pos)
    if suffix_op is not None:
        if operator is None:
            operator = suffix_op
        pos = after
    rest_start, rest_end = _strip_span(s, pos, end)
    note = ""
    if rest_start < rest_end:
        if s[rest_start] not in _OPENERS and not _is_formula_tail(s[rest_start:rest_end]):
            return None  # words after the number: a sentence, not a quantity
        note = _unwrap(raw[rest_start:rest_end].strip())
    if label:
        note = f"{label}；{note}" if note else label
    if _malformed_head(s, start) is not None:
        return None
    return operator, _canonical(value), unit, note


def _match_prefix(s: str, pos: int) -> tuple[Operator | None, int]:
    for word, op in _PREFIX_OPERATORS:
        if s.startswith(word, pos):
            pos += len(word)
            while pos < len(s) and s[pos] == " ":
                pos += 1
            return op, pos
    return None, pos


def _match_suffix(s: str, pos: int) -> tuple[Operator | None, int]:
    for word, op in _SUFFIX_OPERATORS:
        if s.startswith(word, pos):
            return op, pos + len(word)
    return None, pos


def _is_formula_tail(text: str) -> bool:
    """'（计划资金额-实际资金额）/计划资金额': a bracketed term followed by more of a formula."""
    return text[0] in _OPENERS and any(ch in text for ch in _FORMULA_CHARS + "-+")


def _unwrap(text: str) -> str:
    """'（整改隐患数/发现隐患数）' → '整改隐患数/发现隐患数' when one bracket pair wraps it all."""
    if len(text) >= 2 and text[0] in _CLOSERS:
        depth = 0
        for i, ch in enumerate(text):
            if ch in "（(":
                depth += 1
            elif ch in "）)":
                depth -= 1
                if depth == 0 and i != len(text) - 1:
                    return text
        if depth == 0 and text[-1] in "）)":
            return text[1:-1].strip()
    return text


def _malformed_head(s: str, pos: int) -> str | None:
    """The malformed number a target starts with (after its comparison): '≥9O%' → '9O'."""
    _, pos = _match_prefix(s, pos)
    m = _MALFORMED_RE.match(s, pos)
    return m.group() if m else None


MAX_DIGITS = 15  # significant digits a spreadsheet keeps of a number


def _too_long(value: Decimal) -> bool:
    digits = "".join(map(str, value.as_tuple().digits)).strip("0")
    return len(digits) > MAX_DIGITS or (bool(value) and value.adjusted() >= MAX_DIGITS)


def _number_problem(body: str) -> str | None:
    """Why a target that looks like a quantity has no readable number, or None. Only the head
    of the target is looked at: a sentence mentioning ISO9001 is not a malformed number."""
    bad = _malformed_head(body, 0)
    if bad is not None:
        return f"数字“{bad}”无法识别"
    _, pos = _match_prefix(body, 0)
    m = _NUMBER_RE.match(body, pos)
    if m and _too_long(Decimal(m.group().replace(",", ""))):
        shown = m.group() if len(m.group()) <= 24 else m.group()[:23] + "…"
        return f"数字“{shown}”超过 {MAX_DIGITS} 位有效数字，电子表格无法精确保存，无法比较"
    for sym in _SYMBOL_OPERATORS:
        if body.startswith(sym) and not any(ch.isdigit() for ch in body):
            return f"“{sym}”后面没有数字"
    return None


def _canonical(value: Decimal) -> Decimal:
    from budgetxl.model import canonical_decimal  # exact however many digits

    return canonical_decimal(value)


def _plain(value: Decimal) -> str:
    return format(value, "f")


# --------------------------------------------------------------------------------------------
# A target split over columns (符号 | 指标值 | 计量单位), as budget systems export it

# What an operator cell may say: the comparisons (in symbols or words, as parse_target reads them
# before a number) and the words that mean "no comparison" (a plain or a qualitative target).
_NO_OPERATOR = frozenset({"", "=", "＝", "==", "等于", "定性", "定量", "无", "/", "-", "—", "－", "－－", "——"})
_NO_UNIT = frozenset({"", "无", "/", "-", "—", "－"})


def operator_of(text: str) -> tuple[str, bool]:
    """(the operator an operator cell gives, whether the cell was understood): '≥', '大于等于'
    and '>=' give '≥'; '=', '定性', '无' and an empty cell give ''."""
    t = text.translate(_CHAR_MAP).strip().replace(" ", "")
    if t in _NO_OPERATOR:
        return "", True
    op, pos = _match_prefix(t, 0)
    if op is not None and pos == len(t):
        return ("" if op == "=" else op), True
    return "", False


def join_target(operator: str, value: str, unit: str) -> tuple[str, str | None]:
    """The one target of a row whose 指标值 is split over columns: operator, value, unit, with
    '=' and 定性/无 left out (`≥ | 25 | 万平方米` → `≥25万平方米`; `= | 100 | %` → `100%`;
    `定性 | 有效提升 |` → `有效提升`). A unit the value already ends with is not repeated (a value
    formatted 0% reads '100%'). Returns (target, problem): problem names an operator that cannot be
    understood (it is left out)."""
    op, understood = operator_of(operator)
    unit = unit.strip()
    if unit in _NO_UNIT or value.endswith(unit):
        unit = ""
    problem = None if understood else f"符号“{operator.strip()}”无法识别（应为 ≥、≤、=、>、<、定性或无），未并入指标值"
    return f"{op}{value}{unit}", problem


def split_target(text: str) -> tuple[str, str, str]:
    """(operator, value, unit) columns for a target, so that join_target gives it back exactly:
    a quantity as parse_target reads it (`≥25万平方米` → ≥ | 25 | 万平方米; `100%` → = | 100 | %),
    a qualitative target as 定性 | text | (empty); anything else (a note, a formula, 以上 after the
    number, a label before it) whole in the value column with the other two empty."""
    if not text:
        return "", "", ""
    t = parse_target(text)
    if t.is_quantitative and t.value is not None and not t.note and not t.unit_from_name:
        op = t.operator or "="
        value = _plain(t.value)
        if join_target(op, value, t.unit) == (text, None) and t.unit not in _NO_UNIT:
            return op, value, t.unit
        if not t.unit and join_target(op, value, "") == (text, None):
            return op, value, ""
    elif (t.kind == "qualitative" and not has_number(text) and operator_of(text)[0] == ""
          and join_target("定性", text, "") == (text, None)):
        return "定性", text, ""
    return "", text, ""

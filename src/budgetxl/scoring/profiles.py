"""Scoring profiles: the rules a self-evaluation is scored by, declared as data in
templates/profiles/*.yaml (mof-2020, hebei, reverse-linear, chongqing…).

A profile says how the budget's execution is scored and with what weight, the indicator groups
(by 一级 label) and their weights, how a 反向 indicator over its target loses its score, the
bands of qualitative results, when an explanation is required, and the grades. `extends: NAME`
starts from another profile; fields given replace the parent's (mappings merged key by key).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from budgetxl.datafile import read_data_file
from budgetxl.errors import InputError, LayoutError
from budgetxl.layout import _deep_merge
from budgetxl.resources import templates_dir
from budgetxl.text import normalize_label

DEFAULT_PROFILE = "mof-2020"
CENT = Decimal("0.01")


def profiles_dir() -> Path:
    return templates_dir() / "profiles"


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _decimal(value: Any) -> Any:
    return Decimal(str(value)) if isinstance(value, (int, float, str)) and not isinstance(value, bool) else value


class BudgetRule(_Data):
    """How 预算执行率 (B / A) is scored: `linear` — min(rate × weight, weight); `steps` — the full
    weight at `full_at` % or more, `points` off for every `step` % (or part of it) below. With
    `indicator`, the rate is scored as the indicator of that name, with the indicator's weight."""

    weight: Decimal
    rule: Literal["linear", "steps"] = "linear"
    indicator: tuple[str, ...] = ()
    full_at: Decimal = Decimal(100)
    step: Decimal = Decimal(5)
    points: Decimal = Decimal(1)

    _dec = field_validator("weight", "full_at", "step", "points", mode="before")(_decimal)


class Group(_Data):
    name: str
    weight: Decimal
    labels: tuple[str, ...] = ()

    _dec = field_validator("weight", mode="before")(_decimal)


class Indicators(_Data):
    total: Decimal
    groups: tuple[Group, ...]
    negative: Literal["ratio", "linear"] = "ratio"

    _dec = field_validator("total", mode="before")(_decimal)


class Band(_Data):
    label: str
    synonyms: tuple[str, ...] = ()
    low: Decimal
    high: Decimal
    full_without_score: bool = False

    _dec = field_validator("low", "high", mode="before")(_decimal)


class Qualitative(_Data):
    bands: tuple[Band, ...]


class Explain(_Data):
    below_weight: bool = True
    over_target: Decimal | None = None
    rate_below: Decimal | None = None

    _dec = field_validator("over_target", "rate_below", mode="before")(_decimal)


class Grade(_Data):
    name: str
    min: Decimal

    _dec = field_validator("min", mode="before")(_decimal)


class Profile(_Data):
    name: str
    title: str
    basis: str = ""
    budget: BudgetRule
    indicators: Indicators
    qualitative: Qualitative
    explain: Explain = Field(default_factory=Explain)
    grades: tuple[Grade, ...]
    tolerance: Decimal = CENT

    _dec = field_validator("tolerance", mode="before")(_decimal)

    @property
    def budget_separate(self) -> bool:
        """Whether the budget's execution is a score of its own (not one of the indicators)."""
        return not self.budget.indicator

    @property
    def full_marks(self) -> Decimal:
        return (self.budget.weight if self.budget_separate else Decimal(0)) + self.indicators.total

    def group_weights(self) -> dict[str, Decimal]:
        """Each group's weight; when the groups do not add up to the indicators' total they are
        scaled to it (two decimals, the last group taking the remainder: exact)."""
        groups = self.indicators.groups
        declared = sum((g.weight for g in groups), Decimal(0))
        total = self.indicators.total
        if declared == total or not declared:
            return {g.name: g.weight for g in groups}
        out: dict[str, Decimal] = {}
        for g in groups[:-1]:
            out[g.name] = (g.weight * total / declared).quantize(CENT, ROUND_HALF_UP)
        out[groups[-1].name] = total - sum(out.values(), Decimal(0))
        return out

    def group_of(self, *labels: str) -> str:
        """The group an indicator belongs to, by its 一级 label (else its 二级): '' when none."""
        return _group_of(self.name, self.indicators.groups, labels)

    def band_of(self, actual: str) -> Band | None:
        """The qualitative band a 实际完成值 names (its label, a synonym, or a text starting with
        one: the longest wins, so 未达成… is never read as 达成)."""
        return _band_of(self.qualitative, actual)

    def grade(self, total: Decimal) -> str:
        for g in sorted(self.grades, key=lambda g: g.min, reverse=True):
            if total >= g.min:
                return g.name
        return self.grades[-1].name if self.grades else ""

    def is_budget_indicator(self, name: str) -> bool:
        key = normalize_label(name)
        return any(key == normalize_label(n) or key.startswith(normalize_label(n)) for n in self.budget.indicator)


@lru_cache(maxsize=4096)
def _group_of(name: str, groups: tuple[Group, ...], labels: tuple[str, ...]) -> str:
    index = _group_index_cached(name, groups)
    for label in labels:
        key = _label_key(label)
        if key and key in index:
            return index[key]
    return ""


@lru_cache(maxsize=4096)
def _band_of(qualitative: Qualitative, actual: str) -> Band | None:
    text = normalize_label(actual)
    if not text:
        return None
    best: tuple[int, Band] | None = None
    for band in qualitative.bands:
        for word in (band.label, *band.synonyms):
            w = normalize_label(word)
            if (text == w or text.startswith(w)) and (best is None or len(w) > best[0]):
                best = (len(w), band)
    return best[1] if best else None


def _label_key(label: str) -> str:
    key = normalize_label(label)
    return key[:-2] if key.endswith("指标") and len(key) > 2 else key


@lru_cache(maxsize=32)
def _group_index_cached(name: str, groups: tuple[Group, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for g in groups:
        for label in (g.name, *g.labels):
            out.setdefault(_label_key(label), g.name)
    return out


def available_profiles() -> list[str]:
    folder = profiles_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def _raw_profile(name: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    if name in seen:
        raise LayoutError(f"评分规则 {name}: extends 形成循环（{' → '.join(seen + (name,))}）")
    path = profiles_dir() / f"{name}.yaml"
    if not path.is_file():
        known = "、".join(available_profiles()) or "无"
        raise InputError(f"不认识的评分规则“{name}”，可选：{known}")
    data: Any = read_data_file(path, "评分规则文件")
    if not isinstance(data, dict):
        raise LayoutError(f"{path}: 评分规则文件应为一组字段")
    parent = data.pop("extends", None)
    if parent:
        data = _deep_merge(_raw_profile(str(parent), seen + (name,)), data)
    return dict(data)


@lru_cache(maxsize=None)
def load_profile(name: str | None = None) -> Profile:
    """The profile called `name` (templates/profiles/NAME.yaml), resolved through `extends`.
    An unknown name is an InputError listing the known ones; a broken file a LayoutError."""
    name = name or DEFAULT_PROFILE
    data = _raw_profile(name)
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        details = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise LayoutError(f"评分规则 {name} 有误", details=details) from None

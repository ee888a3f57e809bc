"""The indicator frameworks of 绩效指标 (一级 → 二级), declared once in templates/frameworks.yaml.

Two frameworks are in use (DESIGN.md §3): the 2015/2020 one, where 成本指标 is a 二级 under 产出指标,
and the 2021 one, where 成本指标 is an 一级 of its own. Older project forms (Hubei's among them) still
follow the 2013 共性指标 framework, where 社会公众或服务对象满意度指标 is a 二级 under 效益指标 and
there is no 满意度 一级. A department may switch between years, so the framework is detected per
form from its labels.

Labels are compared by their key: normalised (full-width forms, spaces and line breaks removed, so
the vertical 效\\n益\\n指\\n标 is 效益指标), without a trailing 指标, and with the synonyms of the data
file applied (环境效益 → 生态效益). ``standard_label`` turns any accepted spelling into the standard
label; ``suggest`` finds the closest standard label for one that is not accepted.

For templates (drop-down lists): ``frameworks()``, ``get_framework(id)``, and on a framework
``level1`` (the 一级 labels in order) and ``level2(level1)`` (its 二级 labels in order).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Iterable

from budgetxl.datafile import read_data_file
from budgetxl.errors import InputError, LayoutError
from budgetxl.resources import templates_dir
from budgetxl.text import normalize_label

if TYPE_CHECKING:
    from budgetxl.model import Form

FRAMEWORKS_FILE = "frameworks.yaml"
_SUFFIX = "指标"


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    basis: str
    levels: tuple[tuple[str, tuple[str, ...]], ...]

    # Derived from `levels` once per framework (frameworks are read once and never change).
    @cached_property
    def level1(self) -> tuple[str, ...]:
        """The 一级 labels, in the order the form lists them."""
        return tuple(l1 for l1, _ in self.levels)

    def level2(self, level1: str) -> tuple[str, ...]:
        """The 二级 labels under an 一级 (any accepted spelling); () when it is not an 一级 here."""
        std = self.standard_level1(level1)
        return next((l2s for l1, l2s in self.levels if l1 == std), ())

    @cached_property
    def all_level2(self) -> tuple[str, ...]:
        return tuple(l2 for _, l2s in self.levels for l2 in l2s)

    @cached_property
    def pairs(self) -> frozenset[tuple[str, str]]:
        return frozenset((l1, l2) for l1, l2s in self.levels for l2 in l2s)

    def standard_level1(self, label: str) -> str | None:
        std = standard_label(label)
        return std if std in self.level1 else None

    def standard_level2(self, label: str) -> str | None:
        std = standard_label(label)
        return std if std in self.all_level2 else None

    def parents_of(self, level2: str) -> tuple[str, ...]:
        """The 一级 labels a 二级 label belongs under (usually one)."""
        std = standard_label(level2)
        return tuple(l1 for l1, l2s in self.levels if std in l2s)

    def has(self, level1: str, level2: str) -> bool:
        return (standard_label(level1), standard_label(level2)) in self.pairs

    @property
    def title(self) -> str:
        return f"{self.name}（{self.basis}）"


@dataclass(frozen=True)
class _Catalogue:
    frameworks: tuple[Framework, ...]
    default: str
    keys: dict[str, str]  # label key -> standard label


@lru_cache(maxsize=4096)
def label_key(label: object) -> str:
    """'效\\n益\\n指\\n标' → '效益'; '服务对象满意度指标' → '服务对象满意度'."""
    s = normalize_label(label)
    if s.endswith(_SUFFIX) and len(s) > len(_SUFFIX):
        s = s[: -len(_SUFFIX)]
    return s


@lru_cache(maxsize=1)
def _catalogue() -> _Catalogue:
    path = templates_dir() / FRAMEWORKS_FILE
    data = read_data_file(path, "指标体系文件")
    try:
        frameworks = tuple(
            Framework(
                id=str(item["id"]),
                name=str(item["name"]),
                basis=str(item.get("basis", "")),
                levels=tuple((str(l1), tuple(str(l2) for l2 in l2s)) for l1, l2s in item["levels"].items()),
            )
            for item in data["frameworks"]
        )
        default = str(data["default"])
        synonyms = {str(k): [str(v) for v in vs] for k, vs in (data.get("synonyms") or {}).items()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise LayoutError(f"{path}: 指标体系文件缺少或写错了字段（{exc}）") from None
    keys: dict[str, str] = {}
    for fw in frameworks:
        for l1, l2s in fw.levels:
            keys[label_key(l1)] = l1
            for l2 in l2s:
                keys[label_key(l2)] = l2
    for std, others in synonyms.items():
        if label_key(std) not in keys:
            raise LayoutError(f"{path}: 同义词对应的“{std}”不是任何指标体系中的标签")
        for other in others:
            keys[label_key(other)] = std
    if default not in {fw.id for fw in frameworks}:
        raise LayoutError(f"{path}: 默认指标体系“{default}”没有定义")
    return _Catalogue(frameworks, default, keys)


def frameworks() -> tuple[Framework, ...]:
    return _catalogue().frameworks


def framework_ids() -> tuple[str, ...]:
    return tuple(fw.id for fw in frameworks())


def get_framework(framework_id: str) -> Framework:
    for fw in frameworks():
        if fw.id == str(framework_id):
            return fw
    raise InputError(f"不认识的指标体系“{framework_id}”，可选：{'、'.join(framework_ids())}")


def default_framework() -> Framework:
    return get_framework(_catalogue().default)


def standard_label(label: object) -> str:
    """The standard label for any accepted spelling; for an unknown label its normalised text."""
    std = _catalogue().keys.get(label_key(label))
    return std if std is not None else normalize_label(label)


def is_known_label(label: object) -> bool:
    return label_key(label) in _catalogue().keys


# --------------------------------------------------------------------------------------------
# Which framework a form follows


@dataclass(frozen=True)
class FrameworkUse:
    """The framework a form follows and the evidence: pairs (一级, 二级) valid in some frameworks
    but not all, counted per framework id. ``mixed`` when some pair belongs only to frameworks other
    than the one followed (``foreign`` counts those pairs)."""

    framework: Framework
    votes: dict[str, int]
    foreign: int = 0

    @property
    def mixed(self) -> bool:
        return self.foreign > 0


def _pair_votes(level1: str, level2: str) -> list[str]:
    """Ids of the frameworks a (一级, 二级) pair belongs to exclusively (empty when shared)."""
    l1, l2 = standard_label(level1), standard_label(level2)
    fws = frameworks()
    exact = [fw.id for fw in fws if (l1, l2) in fw.pairs]
    if exact:
        return exact if len(exact) < len(fws) else []
    # An unknown 二级: the 一级 alone may still tell (成本指标 is an 一级 only in 2021).
    by_l1 = [fw.id for fw in fws if l1 in fw.level1]
    if 0 < len(by_l1) < len(fws):
        return by_l1
    by_l2 = [fw.id for fw in fws if l2 in fw.all_level2]
    return by_l2 if 0 < len(by_l2) < len(fws) else []


@lru_cache(maxsize=4096)  # the same pairs recur in every form, and the frameworks never change
def pair_framework_ids(level1: str, level2: str) -> tuple[str, ...]:
    """The frameworks a (一级, 二级) pair points to exclusively; () when it fits both or neither."""
    return tuple(_pair_votes(level1, level2))


def framework_use(pairs: Iterable[tuple[str, str]]) -> FrameworkUse:
    votes = {fw.id: 0 for fw in frameworks()}
    evidence = [pair_framework_ids(*pair) for pair in dict.fromkeys(pairs)]  # each distinct pair counts once
    for ids in evidence:
        for fw_id in ids:
            votes[fw_id] += 1
    default = default_framework()
    best = max(frameworks(), key=lambda fw: (votes[fw.id], fw.id == default.id))
    return FrameworkUse(best, dict(votes), sum(1 for ids in evidence if ids and best.id not in ids))


def form_pairs(form: Form) -> list[tuple[str, str]]:
    return [(i.level1, i.level2) for i in form.indicators]


def detect_framework(form: Form) -> Framework:
    """The framework whose exclusive labels the form uses most (the default one on a tie)."""
    return framework_use(form_pairs(form)).framework


# --------------------------------------------------------------------------------------------
# Closest labels

SUGGEST_MIN_SCORE = 60.0


def similarity(a: str, b: str) -> float:
    """0–100: how alike two labels are, on their keys (服务对象 ~ 服务对象满意度指标 scores 90)."""
    from rapidfuzz import fuzz

    ka, kb = label_key(a), label_key(b)
    if not ka or not kb:
        return 0.0
    return max(fuzz.ratio(ka, kb), 0.9 * fuzz.partial_ratio(ka, kb))


def suggest(label: str, candidates: Iterable[str], min_score: float = SUGGEST_MIN_SCORE) -> str | None:
    """The candidate closest to `label`, or None when none is close enough."""
    best, best_score = None, min_score
    for cand in candidates:
        score = similarity(label, cand)
        if score >= best_score and (best is None or score > best_score):
            best, best_score = cand, score
    return best

"""The rule registry: every check is declared once with its code, severity, title, description
and an example; the catalogue in docs/rules.md is generated from these declarations.

A rule's check function receives a `Context` and yields `Hit`s (message, field, value); the rule
turns them into `Finding`s with its own code and severity, so neither is ever repeated. Rules that
look at something other than the Form (the raw values of a YAML/JSON file, a workbook's formulas)
are declared here too, with `stage` saying where they run, and make their findings with
`Rule.finding`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from itertools import groupby
from operator import and_, attrgetter, not_
from typing import Callable, Iterable, Iterator, Literal, Sequence, TypeVar

from budgetxl.errors import LayoutError
from budgetxl.frameworks import FrameworkUse, form_pairs, framework_use, label_key
from budgetxl.layout import Layout, load_layout
from budgetxl.model import Form, Indicator
from budgetxl.report import Finding, Severity
from budgetxl.targets import Target, parse_targets
from budgetxl.text import normalize_label

Stage = Literal["form", "data", "workbook"]
STAGE_LABELS = {"form": "表格内容", "data": "YAML/JSON 文件", "workbook": "工作簿"}


@dataclass(frozen=True)
class Hit:
    """What a check found: a message in Chinese, the field path and the offending value."""

    message: str
    field: str = ""
    value: str | None = None


class Context:
    """What the checks share about one form, computed once."""

    def __init__(self, form: Form, unreadable: Iterable[str] = (), profile: str | None = None,
                 approved: object = None) -> None:
        self.form = form
        self.layout = form_layout(form)
        # Self-evaluations: the scoring profile asked for (None: the form's or its layout's), and
        # the approved targets the results are compared with (None: not given).
        self.profile = profile
        self.approved = approved
        # Field paths whose value could not be read (blank in the Form, already reported): rules
        # that add amounts up stay quiet rather than report a sum that misses them.
        self.unreadable = frozenset(unreadable)

    def any_unreadable(self, prefix: str) -> bool:
        return any(p.startswith(prefix) for p in self.unreadable)

    @cached_property
    def targets(self) -> tuple[Target, ...]:
        inds = self.form.indicators
        return parse_targets(list(map(_TARGET, inds)), list(map(_NAME, inds)))

    @cached_property
    def frameworks(self) -> FrameworkUse:
        return framework_use(form_pairs(self.form))

    @cached_property
    def placeholders(self) -> tuple[bool, ...]:
        """Whether each indicator row only keeps an empty block in place (no name, no target)."""
        inds = self.form.indicators
        if set(map(type, inds)) <= {Indicator}:  # a row with a blank name and a blank target
            return tuple(map(and_, *zip(*self.blank_texts))) if inds else ()
        return tuple(i.is_placeholder for i in inds)

    @cached_property
    def blank_texts(self) -> tuple[tuple[bool, bool], ...]:
        """Whether each indicator's name and its target are blank (None or only spaces)."""
        inds = self.form.indicators
        names, targets = list(map(_NAME, inds)), list(map(_TARGET, inds))
        if set(map(type, names)) | set(map(type, targets)) <= {str}:  # texts (the usual case): no None
            return tuple(zip(map(not_, map(str.strip, names)), map(not_, map(str.strip, targets))))
        return tuple((not (n or "").strip(), not (t or "").strip()) for n, t in zip(names, targets))

    @cached_property
    def label_keys(self) -> tuple[tuple[str, str], ...]:
        """Each indicator's (一级, 二级) as label keys (`frameworks.label_key`)."""
        inds = self.form.indicators
        return tuple(zip(map(label_key, map(_LEVEL1, inds)), map(label_key, map(_LEVEL2, inds))))

    @cached_property
    def level1_runs(self) -> list[list[int]]:
        """Indicator rows in runs of consecutive rows with the same 一级 (a merged 一级 cell)."""
        return runs([k[0] for k in self.label_keys])

    @cached_property
    def level2_runs(self) -> list[list[int]]:
        """Indicator rows in runs of consecutive rows with the same 一级 and 二级."""
        return runs(self.label_keys)


_NAME, _TARGET, _LEVEL1, _LEVEL2 = (attrgetter(f) for f in ("name", "target", "level1", "level2"))


# normalize_label of the texts that recur in every form (names, labels), remembered.
normalized = lru_cache(maxsize=16384)(normalize_label)


def runs(keys: Sequence[object]) -> list[list[int]]:
    """Indices grouped into runs of consecutive equal keys."""
    return [list(run) for _, run in groupby(range(len(keys)), keys.__getitem__)]


def form_layout(form: Form) -> Layout:
    """The layout a form names (the default one for a form naming a layout that is not known:
    its labels then only word the messages)."""
    from budgetxl.kinds import kind_of, layout_name

    try:
        layout = load_layout(layout_name(form))
    except LayoutError:
        layout = None
    if layout is None or layout.kind != kind_of(form).name:
        return load_layout(kind_of(form).default_layout)
    return layout


Check = Callable[[Context], Iterable[Hit]]
C = TypeVar("C", bound=Check)


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str
    description: str
    example: str
    stage: Stage = "form"
    check: Check | None = field(default=None, compare=False, repr=False)
    # The form kinds (budgetxl.kinds) the rule checks; a rule shared by several kinds lists them.
    kinds: tuple[str, ...] = ("department",)

    def finding(self, message: str, field: str = "", value: object = None) -> Finding:
        return Finding(
            code=self.code,
            severity=self.severity,
            message=message,
            field=field,
            value=None if value is None else str(value),
        )

    def run(self, ctx: Context) -> Iterator[Finding]:
        if self.check is None:
            return
        for hit in self.check(ctx):
            yield self.finding(hit.message, hit.field, hit.value)


RULES: dict[str, Rule] = {}


def rule(code: str, severity: Severity, title: str, description: str, example: str, stage: Stage = "form",
         kinds: tuple[str, ...] = ("department",)) -> Callable[[C], C]:
    """Declare a rule; used as a decorator on its check function (stage "form"), or called with
    check=None through `declare` for rules that run elsewhere. `kinds` are the form kinds it
    checks (codes: BX1xx–BX4xx the department form and what kinds share, BX5xx projects, BX6xx
    self-evaluations)."""

    def register(check: C) -> C:
        declare(Rule(code, severity, title, description, example, stage, check, kinds))
        return check

    return register


def declare(r: Rule) -> Rule:
    if r.code in RULES:
        raise ValueError(f"rule {r.code} declared twice")
    if not (r.code.startswith("BX") and len(r.code) == 5 and r.code[2:].isdigit() and r.code[2] in "123456789"):
        raise ValueError(f"rule code {r.code} is not in BX100–BX999")
    RULES[r.code] = r
    _CHOSEN.clear()
    return r


def share(kind: str, *codes: str) -> None:
    """Let the rules `codes` check forms of `kind` too (said where that kind's own rules are
    declared, so that a kind's rules are listed in one place)."""
    for code in codes:
        r = RULES[code]
        if kind not in r.kinds:
            RULES[code] = replace(r, kinds=(*r.kinds, kind))
    _CHOSEN.clear()


def get_rule(code: str) -> Rule:
    return RULES[code]


def all_rules() -> list[Rule]:
    return [RULES[c] for c in sorted(RULES)]


# The rules of each (stage, form kind), in code order: chosen once, not on every check (declaring
# or sharing a rule forgets them).
_CHOSEN: dict[tuple[Stage, str], tuple[Rule, ...]] = {}


def rules_for(stage: Stage, kind: str) -> tuple[Rule, ...]:
    """The rules of `stage` that check forms of `kind`, in code order (as `all_rules` lists them)."""
    chosen = _CHOSEN.get((stage, kind))
    if chosen is None:
        chosen = _CHOSEN[stage, kind] = tuple(r for r in all_rules() if r.stage == stage and kind in r.kinds)
    return chosen

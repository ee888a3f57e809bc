"""The year-over-year comparison of two forms as plain data: `diff_forms(old, new) -> FormDiff`.

Pure: no files, no output. Renderers (JSON, terminal, workbook) turn a FormDiff into something a
person reads. Texts are compared in normalised form (NFKC, spaces and line breaks ignored), so a
re-wrapped line is not a change; the rows keep their texts exactly as given.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Literal, Sequence

from budgetxl.diff.match import THRESHOLD, Matching, Pair, core_name, make_key, match_rows, normalize
from budgetxl.errors import LayoutError
from budgetxl.layout import load_layout
from budgetxl.model import BudgetLine, Form, Indicator, Task, canonical_decimal, parse_amount
from budgetxl.targets import base_value, parse_target

Status = Literal["added", "removed", "changed", "unchanged"]
STATUSES: tuple[Status, ...] = ("added", "removed", "changed", "unchanged")

TASK_FIELDS = ("group", "name", "content", "funds", "goal")
INDICATOR_FIELDS = ("level1", "level2", "name", "target")
TASK_BODY_WEIGHT = 0.3  # content and goal lift a borderline task pair
INDICATOR_BODY_WEIGHT = 0.15  # the target lifts a borderline indicator pair

_PERCENT_STEP = Decimal("0.01")
_HUNDRED = Decimal(100)


# --------------------------------------------------------------------------------------------
# Result types


@dataclass(frozen=True)
class Change:
    """One field that differs. `old`/`new` are the canonical JSON values (amounts as strings).
    Amounts, and targets that both parse to a number of the same unit, carry `delta` (new - old)
    and `percent` (delta / old × 100, None when old is 0); targets also carry their `unit`."""

    old: Any
    new: Any
    delta: Decimal | None = None
    percent: Decimal | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Entry:
    """A task, an indicator or a 基本信息 item in both years (or one of them)."""

    status: Status
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    changes: dict[str, Change] = field(default_factory=dict)
    similarity: float | None = None  # set when the pair was made by text similarity
    old_index: int | None = None
    new_index: int | None = None
    merged_into: int | None = None  # removed: the new row whose name holds this row's name
    split_from: int | None = None  # added: the old row whose name holds this row's name


@dataclass(frozen=True)
class BudgetEntry:
    """A line of 预算整体情况 in both years (or one). `part` is where it sits: 'expenditures',
    'revenues' or 'sections[i].left|right'; `part_label` the heading a person reads."""

    part: str
    part_label: str
    name: str
    status: Status
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    changes: dict[str, Change] = field(default_factory=dict)
    delta: Decimal | None = None
    percent: Decimal | None = None


@dataclass(frozen=True)
class TextDiff:
    status: Literal["changed", "unchanged"]
    old: str
    new: str


@dataclass(frozen=True)
class Side:
    label: str
    year: int | None
    unit_name: str
    layout: str | None = None  # the form's layout: its words label the comparison

@dataclass(frozen=True)
class FormDiff:
    old: Side
    new: Side
    budget: tuple[BudgetEntry, ...]
    tasks: tuple[Entry, ...]
    indicators: tuple[Entry, ...]
    overall_goal: TextDiff
    basic_info: tuple[Entry, ...]
    warnings: tuple[str, ...] = ()
    functions: TextDiff = field(default_factory=lambda: TextDiff("unchanged", "", ""))  # 部门职能概述, where stated
    # A project's forms (kind project): its indicators for the implementation period, paired as
    # the year's are; the kind also words the blocks (see `label`).
    period_indicators: tuple[Entry, ...] = ()
    kind: str = "department"

    def counts(self) -> dict[str, dict[str, int]]:
        """Per block, how many entries of each status."""
        out: dict[str, dict[str, int]] = {}
        for block in ("budget", "tasks", "indicators", "basic_info", "period_indicators"):
            tally: dict[str, int] = dict.fromkeys(STATUSES, 0)
            for entry in getattr(self, block):
                tally[entry.status] += 1
            out[block] = tally
        return out

    def label(self, block: str) -> str:
        """What a block is called in this kind of form (预算整体情况, or a project's 项目资金…)."""
        from budgetxl.diff.styles import KIND_BLOCK_LABELS, block_labels

        return KIND_BLOCK_LABELS.get(self.kind, {}).get(block) or block_labels(self.new.layout).get(block, "")

    @property
    def blocks(self) -> tuple[str, ...]:
        """The blocks of entries this kind of form has, in the order they are shown."""
        return ("period_indicators", "indicators") if self.kind == "project" else ("tasks", "indicators")

    @property
    def identical(self) -> bool:
        blocks = (self.budget, self.tasks, self.indicators, self.basic_info, self.period_indicators)
        return self.overall_goal.status == "unchanged" and self.functions.status == "unchanged" and all(
            e.status == "unchanged" for block in blocks for e in block
        )


# --------------------------------------------------------------------------------------------
# Small pieces


def amount_change(old: Decimal | None, new: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    """(delta, percent) of two amounts; None where it cannot be said."""
    if old is None or new is None:
        return None, None
    delta = canonical_decimal(new - old)
    return delta, percent_of(delta, old)


def percent_of(delta: Decimal, base: Decimal) -> Decimal | None:
    if base == 0:
        return None
    return canonical_decimal((delta / base * _HUNDRED).quantize(_PERCENT_STEP, rounding=ROUND_HALF_UP))


def _same_text(a: str, b: str) -> bool:
    return a == b or normalize(a) == normalize(b)


_parse_target = lru_cache(maxsize=8192)(parse_target)  # Target is frozen: safe to share


def target_change(old: Indicator, new: Indicator) -> Change:
    """The change of a target; numeric when both parse to a value of the same unit (or of units
    that agree once 万/亿 are folded in: 5 万人 → 50000 人 is no change in number)."""
    before, after = _parse_target(old.target, old.name), _parse_target(new.target, new.name)
    if before.value is None or after.value is None:
        return Change(old.target, new.target)
    numbers = _numbers_change(before.value, before.unit, after.value, after.unit,
                              str(before.value), str(after.value))
    if numbers is None:
        return Change(old.target, new.target)
    return Change(old.target, new.target, *numbers)


# The same changes recur (≥95% → ≥98%) and Decimals are immutable: remember them, keyed by the
# numbers as written too (0 and -0, or 1E+200 and 10E+199, are equal numbers written unalike).
@lru_cache(maxsize=8192)
def _numbers_change(before: Decimal, before_unit: str, after: Decimal, after_unit: str, _before_text: str,
                    _after_text: str) -> tuple[Decimal | None, Decimal | None, str] | None:
    """(delta, percent, unit) of two targets' numbers, None when their units do not agree."""
    if before_unit == after_unit:
        delta, percent = amount_change(before, after)
        return delta, percent, after_unit
    (a, unit_a), (b, unit_b) = base_value(before, before_unit), base_value(after, after_unit)
    if a is None or b is None or unit_a != unit_b:
        return None
    delta, percent = amount_change(a, b)
    return delta, percent, unit_b


def _field_changes(old: Task | Indicator, new: Task | Indicator, fields: Sequence[str]) -> dict[str, Change]:
    changes: dict[str, Change] = {}
    for name in fields:
        a, b = getattr(old, name), getattr(new, name)
        if a == b:  # the same text or amount: no change either way
            continue
        if isinstance(a, str) and isinstance(b, str):
            if normalize(a) == normalize(b):  # the same text once normalised
                continue
            if name == "target":
                changes[name] = target_change(old, new)  # type: ignore[arg-type]
            else:
                changes[name] = Change(a, b)
        elif a != b:  # amounts (funds)
            delta, percent = amount_change(a, b)
            changes[name] = Change(_json_amount(a), _json_amount(b), delta, percent)
    return changes


def _json_amount(value: Decimal | None) -> str | None:
    return None if value is None else format(canonical_decimal(value), "f")


def _in_order(matching: Matching, n_old: int) -> list[tuple[int | None, int | None, float | None]]:
    """(old, new, similarity) in the new order; a removed row comes right after the row that
    preceded it in the old form."""
    by_new = {p.new: p for p in matching.pairs}
    removed = set(matching.removed)
    done: set[int] = set()
    out: list[tuple[int | None, int | None, float | None]] = []

    def emit_removed(i: int) -> None:
        done.add(i)
        out.append((i, None, None))

    def run_after(i: int) -> None:  # the removed rows that followed old row i
        k = i + 1
        while k in removed and k not in done:
            emit_removed(k)
            k += 1

    run_after(-1)
    for j in range(len(matching.pairs) + len(matching.added)):
        pair: Pair | None = by_new.get(j)
        if pair is None:
            out.append((None, j, None))
            continue
        if len(done) < len(removed):
            for i in sorted(removed - done):  # removed rows before this one, left behind by a reorder
                if i < pair.old:
                    emit_removed(i)
        out.append((pair.old, j, pair.similarity))
        if pair.old + 1 in removed:
            run_after(pair.old)
    for i in sorted(removed - done):
        emit_removed(i)
    return out


MIN_CONTAINED = 4  # characters of a core name worth looking for inside another row's name


def _containing(name: str, others: Sequence[tuple[int | None, str]]) -> int | None:
    """Index of the first other row whose normalised name holds `name`'s core (a merged task:
    创业担保贷款贴息资金 → 促进就业专项资金（含创业担保贷款贴息资金）)."""
    core = core_name(normalize(name))
    if len(core) < MIN_CONTAINED:
        return None
    for index, other in others:
        if core in other and core != core_name(other):
            return index
    return None


def _link_merges(entries: list[Entry]) -> list[Entry]:
    """Point a removed row at the new row that took it in, an added row at the old row it left."""
    new_names = [(e.new_index, normalize(e.new["name"])) for e in entries if e.new is not None]
    old_names = [(e.old_index, normalize(e.old["name"])) for e in entries if e.old is not None]
    out = []
    for e in entries:
        if e.status == "removed":
            e = replace(e, merged_into=_containing(e.old["name"], new_names))  # type: ignore[index]
        elif e.status == "added":
            e = replace(e, split_from=_containing(e.new["name"], old_names))  # type: ignore[index]
        out.append(e)
    return out


def _row_data(row: Task | Indicator) -> dict[str, Any]:
    """The row as `model_dump(mode="json")` gives it, from its serializer directly (the rows of
    two large forms are dumped by the thousand, and model_dump's own call costs as much again)."""
    if type(row) is Indicator:  # four texts, dumped as they are (an indicator row is the usual row)
        return {"level1": row.level1, "level2": row.level2, "name": row.name, "target": row.target}
    data: dict[str, Any] = type(row).__pydantic_serializer__.to_python(row, mode="json")
    return data


def _entries(
    old_rows: Sequence[Task | Indicator],
    new_rows: Sequence[Task | Indicator],
    old_ids: Sequence[int],
    new_ids: Sequence[int],
    matching: Matching,
    fields: Sequence[str],
) -> tuple[Entry, ...]:
    out = []
    for i, j, similarity in _in_order(matching, len(old_rows)):
        a = old_rows[i] if i is not None else None
        b = new_rows[j] if j is not None else None
        old_index = old_ids[i] if i is not None else None
        new_index = new_ids[j] if j is not None else None
        if a is None:
            out.append(Entry("added", None, _row_data(b), new_index=new_index))  # type: ignore[arg-type]
        elif b is None:
            out.append(Entry("removed", _row_data(a), None, old_index=old_index))
        else:
            changes = _field_changes(a, b, fields)
            out.append(
                Entry(
                    "changed" if changes else "unchanged",
                    _row_data(a),
                    _row_data(b),
                    changes,
                    similarity,
                    old_index,
                    new_index,
                )
            )
    return tuple(_link_merges(out))


# --------------------------------------------------------------------------------------------
# Blocks


def diff_tasks(old: Sequence[Task], new: Sequence[Task], threshold: float = THRESHOLD) -> tuple[Entry, ...]:
    keys_old = [make_key(t.group, "", t.name, t.content + t.goal) for t in old]
    keys_new = [make_key(t.group, "", t.name, t.content + t.goal) for t in new]
    matching = match_rows(keys_old, keys_new, threshold=threshold, body_weight=TASK_BODY_WEIGHT)
    return _entries(old, new, range(len(old)), range(len(new)), matching, TASK_FIELDS)


def diff_indicators(
    old: Sequence[Indicator], new: Sequence[Indicator], threshold: float = THRESHOLD
) -> tuple[Entry, ...]:
    """Placeholders (rows keeping an empty 二级 block) take no part; indices are the forms' own."""
    old_ids = [i for i, x in enumerate(old) if not x.is_placeholder]
    new_ids = [j for j, x in enumerate(new) if not x.is_placeholder]
    old_rows = [old[i] for i in old_ids]
    new_rows = [new[j] for j in new_ids]
    keys_old = [make_key(x.level1, x.level2, x.name or x.target, x.target) for x in old_rows]
    keys_new = [make_key(x.level1, x.level2, x.name or x.target, x.target) for x in new_rows]
    matching = match_rows(keys_old, keys_new, threshold=threshold, body_weight=INDICATOR_BODY_WEIGHT)
    return _entries(old_rows, new_rows, old_ids, new_ids, matching, INDICATOR_FIELDS)


def _budget_parts(form: Form) -> list[tuple[str, str, str, Sequence[BudgetLine]]]:
    """(part, match key, label, lines) for every part of 预算整体情况."""
    default = load_layout(None)
    try:
        layout = load_layout(form.layout)
    except LayoutError:
        layout = default
    parts: list[tuple[str, str, str, Sequence[BudgetLine]]] = [
        (side, side, layout.side_label(side) or default.side_label(side), getattr(form.budget, side))
        for side in ("expenditures", "revenues")
    ]
    for k, section in enumerate(form.budget.sections):
        left, right = section.left_heading, section.right_heading
        parts.append((f"sections[{k}].left", "L:" + normalize(left), left, section.left))
        parts.append((f"sections[{k}].right", "R:" + normalize(right), right, section.right))
    return parts


def diff_budget(old: Form, new: Form) -> tuple[BudgetEntry, ...]:
    """Budget lines matched by name within their part (repeated names pair in order)."""
    return diff_line_parts(_budget_parts(old), _budget_parts(new))


def diff_line_parts(old_parts: Sequence[tuple[str, str, str, Sequence[BudgetLine]]],
                    new_parts: Sequence[tuple[str, str, str, Sequence[BudgetLine]]]) -> tuple[BudgetEntry, ...]:
    """Lines of amounts, each list a part (part, match key, label, lines), matched by name within
    their part (repeated names pair in order)."""
    flat_old = [(p, key, label, line) for p, key, label, lines in old_parts for line in lines]
    flat_new = [(p, key, label, line) for p, key, label, lines in new_parts for line in lines]
    waiting: dict[tuple[str, str], list[int]] = {}
    for j, (_, key, _, line) in enumerate(flat_new):
        waiting.setdefault((key, normalize(line.name)), []).append(j)
    pairs, removed = [], []
    for i, (_, key, _, line) in enumerate(flat_old):
        queue = waiting.get((key, normalize(line.name)))
        if queue:
            pairs.append(Pair(i, queue.pop(0), None))
        else:
            removed.append(i)
    paired_new = {p.new for p in pairs}
    added = tuple(j for j in range(len(flat_new)) if j not in paired_new)
    matching = Matching(tuple(sorted(pairs, key=lambda p: p.new)), tuple(removed), added)

    out = []
    for old_i, new_j, _ in _in_order(matching, len(flat_old)):
        a = flat_old[old_i] if old_i is not None else None
        b = flat_new[new_j] if new_j is not None else None
        part, _, label, line = b if b is not None else a  # type: ignore[misc]
        old_line = a[3] if a is not None else None
        new_line = b[3] if b is not None else None
        if old_line is None or new_line is None:
            status: Status = "added" if old_line is None else "removed"
            changes: dict[str, Change] = {}
            delta = percent = None
        else:
            delta, percent = amount_change(old_line.amount, new_line.amount)
            changes = {}
            if old_line.amount != new_line.amount:
                changes["amount"] = Change(
                    _json_amount(old_line.amount), _json_amount(new_line.amount), delta, percent
                )
            if not _same_text(old_line.name, new_line.name):  # cannot happen today; kept honest
                changes["name"] = Change(old_line.name, new_line.name)
            status = "changed" if changes else "unchanged"
        out.append(
            BudgetEntry(
                part,
                label,
                line.name,
                status,
                old_line.model_dump(mode="json") if old_line is not None else None,
                new_line.model_dump(mode="json") if new_line is not None else None,
                changes,
                delta,
                percent,
            )
        )
    return tuple(out)


def _number(text: str) -> Decimal | None:
    try:
        return parse_amount(text)
    except (ValueError, InvalidOperation):
        return None


def goal_text(form: Form) -> str:
    """The goal a form states: its 总体绩效目标, or its numbered goals one a line (layouts that
    list them), so that a unit changing layout between years still compares its goals."""
    return form.overall_goal or "\n".join(form.goals)


def _text_diff(old: str, new: str) -> TextDiff:
    return TextDiff("unchanged" if _same_text(old, new) else "changed", old, new)


def diff_basic_info(old: Form, new: Form) -> tuple[Entry, ...]:
    """基本信息 items matched by name; values that are both numbers carry delta and percent."""
    keys_old = [make_key("", "", item.name) for item in old.basic_info]
    keys_new = [make_key("", "", item.name) for item in new.basic_info]
    matching = match_rows(keys_old, keys_new, threshold=1.01)  # exact names only
    out = []
    for i, j, _ in _in_order(matching, len(keys_old)):
        a = old.basic_info[i] if i is not None else None
        b = new.basic_info[j] if j is not None else None
        if a is None or b is None:
            status: Status = "added" if a is None else "removed"
            out.append(
                Entry(
                    status,
                    a.model_dump(mode="json") if a else None,
                    b.model_dump(mode="json") if b else None,
                    old_index=i,
                    new_index=j,
                )
            )
            continue
        changes: dict[str, Change] = {}
        if not _same_text(a.value, b.value):
            delta, percent = amount_change(_number(a.value), _number(b.value))
            changes["value"] = Change(a.value, b.value, delta, percent)
        out.append(
            Entry(
                "changed" if changes else "unchanged",
                a.model_dump(mode="json"),
                b.model_dump(mode="json"),
                changes,
                None,
                i,
                j,
            )
        )
    return tuple(out)


# --------------------------------------------------------------------------------------------
# The whole form


def default_labels(old: Form, new: Form) -> tuple[str, str]:
    """The years when both are known and differ, else 原表 / 新表."""
    if old.year is not None and new.year is not None and old.year != new.year:
        return str(old.year), str(new.year)
    return "原表", "新表"


def form_warnings(old: Form, new: Form) -> tuple[str, ...]:
    """What a reviewer should know before reading the comparison; never a refusal."""
    out = []
    if normalize(old.unit_name) != normalize(new.unit_name):
        out.append(f"两张表的单位不同：“{old.unit_name}”与“{new.unit_name}”，比对结果仅供参考")
    if old.year is not None and new.year is not None and old.year > new.year:
        out.append(f"年度顺序颠倒：原表为 {old.year} 年，新表为 {new.year} 年")
    return tuple(out)


def diff_forms(
    old: Form,
    new: Form,
    *,
    labels: tuple[str, str] | None = None,
    threshold: float = THRESHOLD,
) -> FormDiff:
    """Compare two forms (normally the same unit in two consecutive years; for project forms,
    the same project). Forms of different kinds are not compared (InputError)."""
    kinds = (getattr(old, "kind", "department"), getattr(new, "kind", "department"))
    if kinds[0] != kinds[1]:
        from budgetxl.errors import InputError
        from budgetxl.kinds import FORM_KINDS

        raise InputError(f"不能比对不同种类的表格：{FORM_KINDS[kinds[0]].title}与{FORM_KINDS[kinds[1]].title}")
    if kinds[0] == "project":
        from budgetxl.diff.project import diff_projects

        return diff_projects(old, new, labels=labels, threshold=threshold)  # type: ignore[arg-type]
    old_label, new_label = labels or default_labels(old, new)
    return FormDiff(
        old=Side(old_label, old.year, old.unit_name, old.layout),
        new=Side(new_label, new.year, new.unit_name, new.layout),
        budget=diff_budget(old, new),
        tasks=diff_tasks(old.tasks, new.tasks, threshold),
        indicators=diff_indicators(old.indicators, new.indicators, threshold),
        overall_goal=_text_diff(goal_text(old), goal_text(new)),
        functions=_text_diff("\n".join(old.functions), "\n".join(new.functions)),
        basic_info=diff_basic_info(old, new),
        warnings=form_warnings(old, new),
    )

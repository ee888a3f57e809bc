"""validate(form) runs every rule on a Form; check_data does the same for a YAML/JSON document,
reporting amounts that are not numbers or negative instead of refusing the whole file."""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Iterator

from budgetxl.model import Form, form_from_data, parse_amount
from budgetxl.report import Finding, Report
from budgetxl.rules import (  # noqa: F401 - they register the rules
    amounts,
    fields,
    indicators,
    printing,
    project,
    target_rules,
)
from budgetxl.rules.registry import Context, rules_for
from budgetxl.rules.selfeval_rules import selfeval_extra


def validate(form: Form, source: str | None = None, unreadable: Iterable[str] = (), *,
             profile: str | None = None, approved: Any = None) -> Report:
    """All findings of all rules about one Form (never stops at the first). `unreadable` names the
    fields whose values could not be read (already reported), so that sums leave them be.
    Self-evaluations are scored under `profile` (default: the form's or its layout's) and compared
    with the `approved` targets when given."""
    ctx = Context(form, unreadable, profile, approved)
    kind = getattr(form, "kind", "department")
    rules = rules_for("form", kind)
    found = [f for r in rules for f in r.run(ctx)]
    if kind == "selfeval":
        return Report(tuple(found), source=source, extra=selfeval_extra(ctx))
    found += project.indicator_set_findings(form, rules, unreadable)  # a form's further indicator sets
    return Report(tuple(found), source=source, extra={"framework": ctx.frameworks.framework.id})


# --------------------------------------------------------------------------------------------
# Raw YAML/JSON data


def _amount_slots(data: Any) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(field path, the dict holding it, key) for every amount in a raw document."""
    budget = data.get("budget") if isinstance(data, dict) else None
    if isinstance(budget, dict):
        for side in ("expenditures", "revenues"):
            yield from _line_slots(budget.get(side), f"budget.{side}")
        sections = budget.get("sections")
        if isinstance(sections, list):
            for k, section in enumerate(sections):
                if isinstance(section, dict):
                    for side in ("left", "right"):
                        yield from _line_slots(section.get(side), f"budget.sections[{k}].{side}")
    tasks = data.get("tasks") if isinstance(data, dict) else None
    if isinstance(tasks, list):
        for i, task in enumerate(tasks):
            if isinstance(task, dict) and "funds" in task:
                yield f"tasks[{i}].funds", task, "funds"


def _line_slots(lines: Any, prefix: str) -> Iterator[tuple[str, dict[str, Any], str]]:
    if isinstance(lines, list):
        for i, line in enumerate(lines):
            if isinstance(line, dict) and "amount" in line:
                yield f"{prefix}[{i}].amount", line, "amount"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_negative(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return False
    return number.is_finite() and (number < 0 or number.is_signed())  # -0 was typed with a minus


def amount_findings(data: Any) -> tuple[Any, list[Finding]]:
    """Findings for amounts that are not numbers (BX110) or negative (BX111), and a copy of the
    data with those amounts left blank so that the rest of the document can still be checked."""
    data = copy.deepcopy(data)
    found: list[Finding] = []
    for path, holder, key in list(_amount_slots(data)):
        value = holder[key]
        if _blank(value):
            continue
        try:
            parse_amount(value)
        except ValueError as exc:
            rule = amounts.AMOUNT_NEGATIVE if _is_negative(value) else amounts.AMOUNT_NOT_NUMBER
            found.append(rule.finding(f"金额{exc}" if str(exc).startswith("“") else str(exc), path, value))
            holder[key] = None
    return data, found


def check_data(data: Any, source: str = "<data>", *, profile: str | None = None, approved: Any = None) -> Report:
    """Check a parsed YAML/JSON document. Structural problems (missing keys, wrong types) still
    raise InputError: such a document is not a form at all."""
    cleaned, found = amount_findings(data)
    form = form_from_data(cleaned, source)
    report = validate(form, source, unreadable=[f.field for f in found], profile=profile, approved=approved)
    return Report(tuple(found) + report.findings, source=source, extra=report.extra)

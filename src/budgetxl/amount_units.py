"""The unit a sheet states for its amounts: 万元 (the model's unit) or 元.

A sheet says it in a block's label or column header (`部门预算安排资金（元）`, `预算金额（万元）`,
`拟投入的资金（单位：元）`) or in a note above the table (`单位：元`, `金额单位：元`). Labels and headers
are matched without the unit, so that a layout's `预算金额（万元）` also finds `预算金额（元）`, and the
reader converts what it reads by the unit stated (blocks/base.py from_sheet). Texts are compared
after normalize_label (NFKC: full-width brackets and colons are ASCII there).
"""

from __future__ import annotations

import re

from budgetxl.text import normalize_label

UNITS = ("万元", "元")  # the model's unit first
_STATED = re.compile(r"\((?:(?:金额|计量|货币)?单位:?)?(?:人民币)?(万元|元)\)")
_NOTE = re.compile(r"^(?:金额|预算金额|资金|货币)?单位:?(?:人民币)?(万元|元)$")


def stated_unit(text: object) -> str | None:
    """The unit a label or header states in brackets ('预算金额（元）' → 元), None if none."""
    found = _STATED.findall(normalize_label(text))
    return found[-1] if found else None


def without_unit(norm: str) -> str:
    """A normalised label or header without the unit it states: '预算金额(元)' → '预算金额'."""
    return _STATED.sub("", norm) if "元)" in norm else norm


def unit_note(text: object) -> str | None:
    """The unit a note gives ('单位：元', '金额单位：万元', '单位：人民币元'), None if the text is no such note."""
    m = _NOTE.match(normalize_label(text))
    return m.group(1) if m else None

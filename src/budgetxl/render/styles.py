"""Named cell formats: every look the writer uses is declared here once.

Properties are xlsxwriter format dicts; the font comes from the layout. Amounts show with the
form's two decimals (10891.615675 shows 10891.62, as the published tables print them); the cell
keeps the exact value, which reading the workbook back returns.
"""

from __future__ import annotations

from typing import Any

from budgetxl.layout import Layout

_BORDERED = {"border": 1, "valign": "vcenter", "text_wrap": True}

STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "size_key": "title_size"},
    "subtitle": {"align": "center", "valign": "vcenter", "text_wrap": True},  # （2024年度） under a title
    "label": {**_BORDERED, "bold": True, "align": "center"},
    # A template's label over rows a department may insert into: unlocked, so that LibreOffice
    # grows its merge (a rule keeps its text); it looks like any label.
    "label_open": {**_BORDERED, "bold": True, "align": "center", "locked": False},
    "header": {**_BORDERED, "bold": True, "align": "center"},
    "level": {**_BORDERED, "align": "center"},
    "text": {**_BORDERED, "align": "left"},
    "text_center": {**_BORDERED, "align": "center"},
    "text_indent": {**_BORDERED, "align": "left", "indent": 2},  # a second 其中 line under the first
    "amount": {**_BORDERED, "align": "right", "num_format": "0.00"},
    "note": {"align": "left", "valign": "top", "text_wrap": True},
    # Template input cells: unlocked and lightly shaded (used by the template maker).
    "input_text": {**_BORDERED, "align": "left", "locked": False, "bg_color": "#FFF9E6"},
    "input_center": {**_BORDERED, "align": "center", "locked": False, "bg_color": "#FFF9E6"},
    "input_amount": {**_BORDERED, "align": "right", "num_format": "0.00", "locked": False, "bg_color": "#FFF9E6"},
    "total_amount": {**_BORDERED, "align": "right", "num_format": "0.00", "bold": True},
    # Self-evaluation templates: 执行率 as a percent, actuals typed as numbers or percents.
    "percent": {**_BORDERED, "align": "center", "num_format": "0.00%"},
    "input_number": {**_BORDERED, "align": "right", "locked": False, "bg_color": "#FFF9E6"},
    "input_percent": {**_BORDERED, "align": "right", "num_format": "0.00%", "locked": False, "bg_color": "#FFF9E6"},
    "check_ok": {**_BORDERED, "align": "center", "font_color": "#1E7B34"},
    "check_bad": {**_BORDERED, "align": "center", "font_color": "#C00000", "bg_color": "#FDE2E1", "bold": True},
    "repeat_label": {"font_color": "#9A9A9A"},  # a template's 一级/二级 repeated from the row above
    "heading": {"bold": True, "align": "left", "valign": "vcenter", "text_wrap": True},  # 填表说明 headings
}

AMOUNT_STYLES = frozenset({"amount", "input_amount", "total_amount"})


AMOUNT_FORMAT = "0.00"


def amount_format(decimals: int = 2) -> str:
    """The form's amount format, whatever decimals the amount has: a person reads every amount
    of the form with the same two decimals (the value itself stays exact)."""
    return AMOUNT_FORMAT


def style_properties(name: str, layout: Layout, decimals: int = 2) -> dict[str, Any]:
    props = dict(STYLES[name])
    size_key = props.pop("size_key", "size")
    props["font_name"] = layout.font.name
    props["font_size"] = getattr(layout.font, size_key)
    if name in AMOUNT_STYLES:
        props["num_format"] = amount_format(decimals)
    return props


def font_size(name: str, layout: Layout) -> float:
    size: float = getattr(layout.font, STYLES[name].get("size_key", "size"))
    return size

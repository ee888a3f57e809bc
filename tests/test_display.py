"""Numbers as a person reads them (budgetxl.display), text diffs that compare numbers whole, and
terminal wrapping by display width (budgetxl.text.wrap_display)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budgetxl.diff.textdiff import inline_segments, text_segments
from budgetxl.display import amount_text, number_text, percent_text, target_delta_text
from budgetxl.text import display_width, wrap_display


@pytest.mark.parametrize(
    ("value", "signed", "shown"),
    [
        (Decimal("10891.615675"), False, "10,891.62"),
        (Decimal("-9993.535025"), True, "-9,993.54"),
        (Decimal("295.265675"), True, "+295.27"),
        ("0", False, "0.00"),
        (Decimal("-0.001"), True, "0.00"),  # never -0.00
        (Decimal("0.005"), False, "0.01"),  # half away from zero, as Excel shows it
        (Decimal("1800"), False, "1,800.00"),
        (Decimal("123456789012.345"), False, "123,456,789,012.35"),
        (None, False, ""),
        ("", True, ""),
    ],
)
def test_amounts_read_with_two_decimals_and_separators(value, signed, shown):
    assert amount_text(value, signed=signed) == shown


def test_numbers_and_percentages():
    assert number_text(Decimal("50000")) == "50,000"
    assert number_text(Decimal("-13"), signed=True) == "-13"
    assert number_text(Decimal("2.50")) == "2.5"
    assert percent_text(Decimal("2.79")) == "+2.79%"
    assert percent_text(Decimal("-5")) == "-5.00%"


def test_a_target_in_percent_changes_by_percentage_points():
    assert target_delta_text(Decimal("2"), Decimal("2.04"), "%") == "+2 个百分点"
    assert target_delta_text(Decimal("-5"), Decimal("-5.26"), "%") == "-5 个百分点"
    assert target_delta_text(Decimal("-10"), Decimal("-5"), "元每人每月") == "-10 元每人每月，-5.00%"
    assert target_delta_text(Decimal("-300"), Decimal("-46.15"), "") == "-300，-46.15%"
    assert target_delta_text(None, None, "%") == ""


# --------------------------------------------------------------------------------------------
# Text diffs: numbers compared whole


def test_a_changed_number_is_shown_whole():
    old, new = text_segments("≥200元每人每月", "≥190元每人每月")
    assert old == [("≥", "same"), ("200", "removed"), ("元每人每月", "same")]
    assert new == [("≥", "same"), ("190", "added"), ("元每人每月", "same")]
    assert text_segments("≥20万平方米", "≥200万平方米")[1][1] == ("200", "added")
    assert inline_segments("完成2023年度目标", "完成2024年度目标") == [
        ("完成", "same"), ("2023", "removed"), ("2024", "added"), ("年度目标", "same")]
    assert text_segments("750", "737") == ([("750", "removed")], [("737", "added")])
    assert text_segments("1,800.5万元", "1,900.5万元")[0][0] == ("1,800.5", "removed")


_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
texts = st.text(alphabet="0123456789.,≥%万人次元年度目标", max_size=30)


@given(texts, texts)
def test_no_change_mark_falls_inside_a_number(old, new):
    for text, side in zip((old, new), text_segments(old, new)):
        assert "".join(t for t, _ in side) == text
        bounds, pos = set(), 0
        for t, _ in side:
            pos += len(t)
            bounds.add(pos)
        for m in _NUMBER.finditer(text):
            assert not any(m.start() < b < m.end() for b in bounds), (text, side)


# --------------------------------------------------------------------------------------------
# Wrapping by display width


def test_wrapping_counts_cjk_double_and_never_splits_a_word():
    text = ("Write a marked copy of the workbook (cells highlighted, a first sheet 审核结果). "
            "二级指标“质量指标”属于“产出指标”，不应放在“效益指标”下；请写明目标值（如“≥95%”“≥500人次”）")
    for width in (12, 20, 33, 41, 80):
        lines = wrap_display(text, width)
        assert all(display_width(line) <= width for line in lines), (width, lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for word in ("marked", "workbook", "highlighted,", "≥95%", "≥500"):
            assert any(word in line for line in lines), (word, width, lines)
        assert not any(line[:1] in "，。；：”）" for line in lines), lines  # no line starts with a closing mark
        assert not any(line[-1:] in "“（" for line in lines), lines  # nor ends with an opening one


def test_a_word_longer_than_the_line_is_split_only_then():
    assert wrap_display("a /very/long/path/to/a/file.xlsx b", 10) == ["a", "/very/long", "/path/to/a", "/file.xlsx", "b"]
    assert wrap_display("第一行\n\n第三行", 80) == ["第一行", "", "第三行"]
    assert display_width("审核 OK") == 7

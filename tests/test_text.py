"""Label normalising and the CJK/Latin text metrics behind row heights."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgetxl.text import char_em, column_px, normalize_label, text_height_pt, wrap_count

from conftest import examples


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("其他需完成的任务 （可选填）", "其他需完成的任务(可选填)"),
        ("其他需完成的任\n务（可选填）", "其他需完成的任务(可选填)"),
        ("效\n益\n指\n标", "效益指标"),
        ("单位名称：", "单位名称"),
        ("\u3000绩效指标\u3000", "绩效指标"),
        ("ＡＢＣ１２３", "ABC123"),
        (None, ""),
    ],
)
def test_normalize_label(raw, norm):
    assert normalize_label(raw) == norm


def test_column_px_follows_excel():
    assert column_px(8.43) == 64  # Excel's default column: 64 px
    assert column_px(10) == 75
    assert column_px(0) == 0


@pytest.mark.parametrize(("ch", "em"), [("中", 1.0), ("（", 1.0), ("“", 1.0), ("≥", 1.0), ("a", 0.55), ("1", 0.55)])
def test_char_widths(ch, em):
    assert char_em(ch) == em


@pytest.mark.parametrize(
    ("text", "width_px", "size", "lines"),
    [
        ("", 100, 10, 1),
        ("中" * 5, 6 + 5 * 13.34, 10, 1),  # exactly five glyphs fit
        ("中" * 6, 6 + 5 * 13.34, 10, 2),
        ("中" * 11, 6 + 5 * 13.34, 10, 3),
        ("甲\n乙\n丙", 200, 10, 3),  # explicit line breaks count
        ("甲\n\n丙", 200, 10, 3),  # an empty line is a line
        ("word " * 10, 6 + 60, 10, 10),  # Latin words wrap at spaces
        ("x" * 40, 6 + 100, 10, 3),  # a long Latin run breaks inside
        ("中" * 12, 6 + 5 * 16.0, 12, 3),  # 12 pt: 16 px a glyph
    ],
)
def test_wrap_count(text, width_px, size, lines):
    assert wrap_count(text, width_px, size) == lines


def test_height_gives_every_line_one_and_a_half_em():
    one = text_height_pt("中", 200, 10)
    three = text_height_pt("中\n中\n中", 200, 10)
    assert three - one == pytest.approx(2 * 15.0)
    assert text_height_pt("中" * 40, column_px(33), 10) > text_height_pt("中" * 10, column_px(33), 10)


def test_cjk_is_wider_than_xlsxwriter_autofit_assumes():
    # xlsxwriter's autofit counts a CJK glyph as 8 px; at 10 pt it is one em, 13.3 px.
    assert char_em("中") * 10 * 96 / 72 > 13


def test_wide_class_holds_only_one_em_characters():
    # wrap_count counts a paragraph made of these alone instead of measuring it
    import re

    from budgetxl.text import WIDE_CLASS

    wide = re.compile(f"[{WIDE_CLASS}]")
    assert [hex(o) for o in range(0x110000) if wide.fullmatch(chr(o)) and char_em(chr(o)) != 1.0] == []


def _reference_lines(text: str, width_px: float, size_pt: float) -> int:
    """The wrapping rule written plainly, one unit at a time: a unit is a Latin run (letters,
    digits, ASCII punctuation) or any other single character; widths in twentieths of an em."""
    import math
    import re

    em_px = size_pt * 96 / 72
    cap = max(max(width_px - 6, em_px) * 20 / em_px, 20.0)
    limit = cap + 0.2 / em_px
    total = 0
    for para in text.split("\n"):
        lines, used = 1, 0.0
        for unit in re.findall("[!-~\u00a1-\u024f\u0370-\u052f\uff61-\uffdc]+|[\\s\\S]", para):
            w = sum(round(char_em(ch) * 20) for ch in unit)
            if used + w <= limit:
                used += w
            elif w > cap:  # a word longer than a line breaks inside
                lines += 1 if used else 0
                full = math.ceil(w / cap)
                lines += full - 1
                used = w - (full - 1) * cap
            else:
                lines, used = lines + 1, w
        total += lines
    return max(total, 1)


_MIXED = "坚持以人民为中心，“一工程三行动”……≥≤%（）abcXYZ0123456789 .-/\t\n\u3000éωＦｱ—😀"


@settings(max_examples=examples(400), deadline=None)
@given(
    text=st.text(alphabet=_MIXED, max_size=300),
    width_px=st.sampled_from([40, 75, 124, 145, 180, 236, 685]) | st.floats(20, 700),
    size=st.sampled_from([9, 10, 11, 12, 14, 18]),
)
def test_wrap_count_follows_the_plain_rule(text, width_px, size):
    # wrap_count places runs of one-em characters by arithmetic; the plain rule goes one by one
    assert wrap_count.__wrapped__(text, width_px, size) == _reference_lines(text, width_px, size)


def test_widths_add_up_exactly():
    # twenty half-width letters are eleven em: at one em a line, exactly eleven lines
    assert wrap_count.__wrapped__("abcdefghij" * 2, 6 + 10 * 96 / 72, 10) == 11

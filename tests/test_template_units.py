"""The units CSV (as Excel saves it) and file names made from unit names."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from budgetxl.errors import InputError
from budgetxl.filenames import MAX_NAME_BYTES, file_name, unique_names
from budgetxl.units import load_units

CSV = "单位名称,基本支出,项目支出,财政拨款（万元）,其他资金,联系人\n某某市财政局,100,50.5,150.5,0,张三\n某某市教育局,\"1,800\",,1800,,李四\n"


def write(tmp_path: Path, text: str | bytes, encoding: str = "utf-8", name: str = "units.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_encodings_excel_writes(tmp_path, encoding):
    table = load_units(write(tmp_path, CSV, encoding))
    assert [u.name for u in table.units] == ["某某市财政局", "某某市教育局"]
    first, second = table.units
    assert first.amounts == {"基本支出": Decimal(100), "项目支出": Decimal("50.5"),
                             "财政拨款": Decimal("150.5"), "其他资金": Decimal(0)}
    assert second.amounts == {"基本支出": Decimal(1800), "财政拨款": Decimal(1800)}  # blanks give no entry
    assert (first.line, second.line) == (2, 3)
    assert table.amount_columns == ("基本支出", "项目支出", "财政拨款", "其他资金")
    assert table.ignored_columns == ("联系人",)
    assert table.encoding.startswith("GBK" if encoding == "gbk" else "UTF-8")


@pytest.mark.parametrize("heading", ["部门名称", "unit_name", "单位", " 单位名称 "])
def test_name_column_spellings(tmp_path, heading):
    table = load_units(write(tmp_path, f"{heading}\n甲局\n\n乙局\n"))
    assert [u.name for u in table.units] == ["甲局", "乙局"] and table.units[1].line == 4


def test_tab_separated_and_semicolons(tmp_path):
    assert [u.name for u in load_units(write(tmp_path, "单位名称\t基本支出\n甲局\t5\n")).units] == ["甲局"]
    assert load_units(write(tmp_path, "单位名称;基本支出\n甲局;5\n")).units[0].amounts == {"基本支出": Decimal(5)}


def problems(tmp_path: Path, text: str | bytes, encoding: str = "utf-8") -> str:
    with pytest.raises(InputError) as info:
        load_units(write(tmp_path, text, encoding))
    return str(info.value)


def test_missing_name_column_names_the_header_line(tmp_path):
    msg = problems(tmp_path, "\n名称,基本支出\n甲局,1\n")
    assert "第 2 行" in msg and "单位名称" in msg and "“名称”" in msg


def test_every_bad_line_is_named(tmp_path):
    msg = problems(tmp_path, "单位名称,基本支出,项目支出\n甲局,1,2\n乙局,一百,3\n甲局,1,1\n,5,5\n丙局,-2,x\n")
    assert "未生成任何模板" in msg
    assert "第 3 行“基本支出”列：金额“一百”不是数字" in msg
    assert "第 4 行：单位“甲局”与第 2 行重复" in msg
    assert "第 5 行：单位名称为空" in msg
    assert "第 6 行“基本支出”列：金额不能为负数" in msg
    assert "第 6 行“项目支出”列" in msg


def test_duplicate_after_spaces_and_full_width_forms(tmp_path):
    assert "与第 2 行重复" in problems(tmp_path, "单位名称\n某 局\n某局\n")


def test_unknown_encodings_are_refused_with_the_line(tmp_path):
    assert "UTF-16" in problems(tmp_path, "单位名称\n甲局\n".encode("utf-16"))
    msg = problems(tmp_path, b"\xe5\x8d\x95\xe4\xbd\x8d\xe5\x90\x8d\xe7\xa7\xb0\nabc\n\xff\xfe\xfa\n")
    assert "第 3 行" in msg and "UTF-8" in msg and "GBK" in msg


def test_a_utf8_file_with_one_damaged_byte_names_that_line(tmp_path):
    raw = "单位名称\n甲局\n乙局\n".encode() + b"\xff\n"
    assert "第 4 行" in problems(tmp_path, raw)


def test_empty_and_header_only_files(tmp_path):
    assert "空的" in problems(tmp_path, "\n\n")
    assert "没有任何单位" in problems(tmp_path, "单位名称,基本支出\n")
    with pytest.raises(InputError, match="不存在"):
        load_units(tmp_path / "missing.csv")


# ---------------------------------------------------------------------------------------------
# File names


PATTERN = "{unit}-{year}年部门整体预算绩效目标表.xlsx"


@pytest.mark.parametrize("unit", ["某市/某区:某局", "a\\b*c?d\"e<f>g|h", "某局\n（本级）", " .隐藏. ", "CON", "x" * 400,
                                  "很长的单位名称" * 40, "", "🙂单位"])
def test_file_names_are_valid_everywhere(tmp_path, unit):
    name = file_name(PATTERN if unit != "CON" else "{unit}.xlsx", unit, year=2024)
    assert not set('/\\:*?"<>|\n') & set(name)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert not name.startswith((" ", ".")) and name.endswith(".xlsx")
    assert name.split(".")[0].upper() != "CON"
    (tmp_path / name).write_bytes(b"x")  # the file system takes it
    assert (tmp_path / name).is_file()


def test_long_names_with_the_same_beginning_stay_apart():
    a = file_name(PATTERN, "某" * 100 + "甲", year=2024)
    b = file_name(PATTERN, "某" * 100 + "乙", year=2024)
    assert a != b and "~" in a


def test_unique_names_number_repeats_regardless_of_case(tmp_path):
    names = unique_names(["a_b.xlsx", "A_B.xlsx", "a_b.xlsx", "c.xlsx"])
    assert names == ["a_b.xlsx", "A_B（2）.xlsx", "a_b（3）.xlsx", "c.xlsx"]
    slash, colon = file_name(PATTERN, "甲/乙", year=1), file_name(PATTERN, "甲:乙", year=1)
    assert slash == colon and len(set(unique_names([slash, colon]))) == 2
    if os.name == "posix":
        for n in unique_names([slash, colon]):
            (tmp_path / n).write_bytes(b"")
        assert len(list(tmp_path.iterdir())) == 2

"""The list of units a finance bureau sends templates to: a CSV file, as Excel saves it.

Encodings: UTF-8 with or without BOM, and GBK/GB18030 (what Excel on a Chinese system writes for
"CSV (逗号分隔)"). Columns: one holding the unit name (单位名称, 部门名称, unit_name…, declared in
templates/template.yaml) and optional amount columns named after the layout's budget lines
(基本支出, 项目支出, 财政拨款, 其他资金, also written 基本支出（万元）). Other columns are ignored
and listed. Every problem is collected and reported with its line number; nothing is guessed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from budgetxl.errors import InputError
from budgetxl.layout import Layout, load_layout
from budgetxl.read.values import AmountProblem, parse_amount_cell
from budgetxl.render.template_texts import template_texts
from budgetxl.text import clean_text, normalize_label

MAX_CSV_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class UnitRow:
    """One unit of the list: its line in the file, its name, and the amounts given for it
    (budget line name → amount in 万元; a blank cell gives no entry)."""

    line: int
    name: str
    amounts: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitTable:
    path: Path
    encoding: str
    units: tuple[UnitRow, ...]
    amount_columns: tuple[str, ...]  # budget lines that have a column, in the file's order
    ignored_columns: tuple[str, ...]  # headings that are neither the name nor an amount


def _line_of(raw: bytes, offset: int) -> int:
    return raw[:offset].count(b"\n") + 1


def decode_csv(raw: bytes, source: str) -> tuple[str, str]:
    """(text, encoding name) of a CSV file's bytes; InputError naming the line that fits no
    known encoding."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and raw[1:2] == b"\x00"):
        raise InputError(
            f"{source}: 文件是 UTF-16（“Unicode 文本”）编码，无法读取；"
            "请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”后重试"
        )
    try:
        return raw.decode("utf-8-sig"), ("UTF-8 (BOM)" if raw.startswith(b"\xef\xbb\xbf") else "UTF-8")
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("gb18030"), "GBK"
        except UnicodeDecodeError as gbk_error:
            # Valid multi-byte UTF-8 before the bad byte: a UTF-8 file with one damaged place.
            looks_utf8 = any(b >= 0x80 for b in raw[: utf8_error.start])
            offset = utf8_error.start if looks_utf8 else gbk_error.start
            raise InputError(
                f"{source}: 第 {_line_of(raw, offset)} 行有无法识别的字符：文件既不是 UTF-8 也不是 GBK 编码；"
                "请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”后重试"
            ) from None


_DELIMITER_NAMES = {",": "逗号", "\t": "制表符", ";": "分号"}


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "," not in first and "，" not in first:
        for candidate in ("\t", ";"):
            if candidate in first:
                return candidate
    return ","


def _heading_key(text: str, suffixes: tuple[str, ...]) -> str:
    key = normalize_label(text)
    for suffix in suffixes:
        s = normalize_label(suffix)
        if s and key.endswith(s) and len(key) > len(s):
            key = key[: -len(s)]
            break
    return key.casefold()


def load_units(path: str | Path, layout: Layout | None = None) -> UnitTable:
    """Read a units CSV. Raises InputError listing every problem with its line number."""
    path = Path(path)
    layout = layout or load_layout(None)
    texts = template_texts().csv
    try:
        with path.open("rb") as fh:  # bounded: a device or a pipe says nothing of its size
            raw = fh.read(MAX_CSV_BYTES + 1)
        if len(raw) > MAX_CSV_BYTES:
            raise InputError(f"{path}: 文件过大，单位清单不应超过 {MAX_CSV_BYTES // 1024 // 1024} MB")
    except FileNotFoundError:
        raise InputError(f"{path}: 文件不存在") from None
    except IsADirectoryError:
        raise InputError(f"{path}: 这是一个文件夹，不是 CSV 文件") from None
    except OSError as exc:
        raise InputError(f"{path}: 无法读取（{exc.strerror}）") from None
    text, encoding = decode_csv(raw, str(path))
    if "\x00" in text:
        raise InputError(f"{path}: 文件含有空字符，不是文本格式的 CSV 文件（是否把 .xlsx 改名成了 .csv？）")
    delimiter = _delimiter(text)
    # strict: a quote left open would otherwise swallow every later line into one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        after = rows[-1][0] if rows else 0
        if "end of data" in str(exc):
            raise InputError(f"{path}: 第 {after + 1} 行有一个引号（\"）没有配对，"
                             "从这里到文件末尾都会被当成一个单元格；"
                             "请补上或删去这个引号") from None
        raise InputError(f"{path}: 第 {reader.line_num} 行的引号用法不对："
                         "用引号括起的单元格，结束的引号后应紧跟分隔符"
                         f"（{_DELIMITER_NAMES.get(delimiter, delimiter)}）；"
                         "单元格里的引号要写成两个（\"\"）") from None
    rows = [(n, [clean_text(c) for c in row]) for n, row in rows]
    rows = [(n, row) for n, row in rows if any(row)]
    if not rows:
        raise InputError(f"{path}: 文件是空的，没有标题行和单位")

    header_line, header = rows[0]
    name_keys = {_heading_key(h, ()) for h in texts.name_columns}
    line_keys = {_heading_key(n, ()): n for names in layout.budget_lines().values() for n in names}
    name_col: int | None = None
    amount_cols: dict[int, str] = {}
    ignored: list[str] = []
    problems: list[str] = []
    for c, heading in enumerate(header):
        key = _heading_key(heading, texts.amount_suffixes)
        if name_col is None and _heading_key(heading, ()) in name_keys:
            name_col = c
        elif key in line_keys:
            line_name = line_keys[key]
            if line_name in amount_cols.values():
                problems.append(f"第 {header_line} 行：“{line_name}”列出现了两次（第 {c + 1} 列）")
            amount_cols[c] = line_name
        elif heading:
            ignored.append(heading)
    if name_col is None:
        shown = "、".join(f"“{h}”" for h in header if h) or "（空）"
        raise InputError(
            f"{path}: 第 {header_line} 行（标题行）没有单位名称列；应有一列标题为"
            f"{'、'.join(texts.name_columns[:3])}之一，实际的标题为：{shown}"
        )

    units: list[UnitRow] = []
    first_line: dict[str, int] = {}
    for line, row in rows[1:]:
        cells = row + [""] * (len(header) - len(row))
        name = cells[name_col]
        if not name:
            problems.append(f"第 {line} 行：单位名称为空")
            continue
        key = normalize_label(name)
        if key in first_line:
            problems.append(f"第 {line} 行：单位“{name}”与第 {first_line[key]} 行重复")
            continue
        first_line[key] = line
        amounts: dict[str, Decimal] = {}
        for c, line_name in amount_cols.items():
            try:
                amount = parse_amount_cell(cells[c])
            except AmountProblem as exc:
                problems.append(f"第 {line} 行“{header[c]}”列：{exc.message}")
                continue
            if amount is not None:
                amounts[line_name] = amount
        units.append(UnitRow(line, name, amounts))
    if problems:
        raise InputError(f"{path}: 单位清单有 {len(problems)} 处错误，未生成任何模板", details=problems)
    if not units:
        raise InputError(f"{path}: 只有标题行，没有任何单位")
    return UnitTable(path, encoding, tuple(units), tuple(amount_cols.values()), tuple(ignored))

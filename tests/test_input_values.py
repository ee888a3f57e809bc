"""Values a careless or hostile user types: nothing changed silently, nothing crashes.

Amounts with more digits than a spreadsheet keeps, decimal commas, a minus zero, keys written
twice, a NEL in a text, an open quote in the units list, a YAML alias bomb, numbers of four hundred
digits, nesting deeper than any form: each is refused or reported with its file, field or cell,
in words a clerk understands, never as 意外错误 or a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from budgetxl.cli import (
    app,
    commands,  # noqa: F401 - registers the commands
)
from budgetxl.errors import InputError
from budgetxl.model import form_from_data, load_form, parse_amount, read_data
from budgetxl.read import read_workbook
from budgetxl.render import render_form
from budgetxl.rules import check_file
from budgetxl.units import load_units

runner = CliRunner()


def cli(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def form_file(tmp_path: Path, seed_form, **changes) -> Path:
    """The seed as a YAML file, with values changed by path ('budget.expenditures.0.amount')."""
    data = seed_form.to_data()
    for path, value in changes.items():
        holder = data
        *parents, last = path.split(".")
        for key in parents:
            holder = holder[int(key)] if key.isdigit() else holder[key]
        holder[int(last) if last.isdigit() else last] = value
    p = tmp_path / "f.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def workbook_with(tmp_path: Path, seed_form, field: str, value) -> tuple[Path, str]:
    """The seed rendered, then the cell of `field` overwritten as a person would (openpyxl)."""
    path = render_form(seed_form, tmp_path / "w.xlsx")
    cell = read_workbook(path).cell_for(field)
    wb = openpyxl.load_workbook(path)
    wb.active[cell] = value
    wb.save(path)
    return path, cell


# ---------------------------------------------------------------------------------------------
# 5. Silent changes


@pytest.mark.parametrize("typed", ["12345678901234567.89", "1234567890.1234567", "1" + "0" * 30, "1e400"])
def test_amounts_a_spreadsheet_would_round_are_refused_with_the_field(tmp_path: Path, seed_form, typed: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(seed_form.to_yaml().replace("amount: '8997.98'", f"amount: {typed}"), encoding="utf-8")
    assert f"amount: {typed}" in path.read_text(encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_form(path)
    assert "budget.expenditures[0].amount" in str(info.value) and "15 位" in str(info.value)
    res = cli("render", path, "-o", tmp_path / "o.xlsx")
    assert res.exit_code == 1 and "budget.expenditures[0].amount" in res.stderr and "意外错误" not in res.stderr
    assert not (tmp_path / "o.xlsx").exists()
    report = check_file(path)
    assert ("BX110", "error", "budget.expenditures[0].amount") in report.flat()


def test_an_amount_with_too_many_digits_in_a_workbook_is_reported_at_its_cell(tmp_path: Path, seed_form) -> None:
    path, cell = workbook_with(tmp_path, seed_form, "budget.expenditures[0].amount", "12345678901234567.89")
    report = check_file(path)
    assert any(f.code == "BX011" and f.cell == cell and "15 位" in f.message for f in report.findings)


@pytest.mark.parametrize("typed", ["0,75", "1,5", "12,34,5"])
def test_a_comma_that_is_not_a_thousands_separator_is_reported_not_read(tmp_path: Path, seed_form, typed: str) -> None:
    with pytest.raises(ValueError, match="千位分隔符"):
        parse_amount(typed)
    path, cell = workbook_with(tmp_path, seed_form, "budget.expenditures[0].amount", typed)
    result = read_workbook(path)
    assert result.form.budget.expenditures[0].amount is None  # not 75, not 15
    assert any(f.code == "BX011" and f.cell == cell and "千位分隔符" in f.message for f in result.findings)
    assert parse_amount("1,800.5") == parse_amount("1800.5")


@pytest.mark.parametrize("typed", ["-0", "-0.00", -0.0])
def test_minus_zero_is_a_negative_amount(tmp_path: Path, seed_form, typed) -> None:
    with pytest.raises(ValueError, match="负数"):
        parse_amount(typed)
    report = check_file(form_file(tmp_path, seed_form, **{"budget.expenditures.0.amount": typed}))
    assert ("BX111", "error", "budget.expenditures[0].amount") in report.flat()
    if isinstance(typed, str):
        path, cell = workbook_with(tmp_path, seed_form, "budget.expenditures[0].amount", typed)
        assert any(f.code == "BX012" and f.cell == cell for f in read_workbook(path).findings)


def test_a_key_written_twice_is_refused_with_both_lines(tmp_path: Path, seed_form) -> None:
    yaml_path = tmp_path / "f.yaml"
    text = seed_form.to_yaml()
    yaml_path.write_text(text + "tasks: []\n", encoding="utf-8")  # a stray second tasks: would drop every task
    first = text.splitlines().index("tasks:") + 1
    last = len(text.splitlines()) + 1
    with pytest.raises(InputError, match=f"第 {first} 行和第 {last} 行都写了“tasks”"):
        read_data(yaml_path)
    json_path = tmp_path / "f.json"
    json_path.write_text('{"year": 2023,\n "budget": {"expenditures": [],\n  "revenues": [], "expenditures": []}}', encoding="utf-8")
    with pytest.raises(InputError, match="第 2 行和第 3 行都写了“expenditures”"):
        read_data(json_path)
    res = cli("check", yaml_path)
    assert res.exit_code == 2 and "都写了“tasks”" in res.stderr


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_line_separators_in_a_text_survive_read_and_render(tmp_path: Path, seed_form, char: str) -> None:
    goal = f"目标一{char}目标二"
    form = seed_form.model_copy(update={"overall_goal": goal})
    book = render_form(form, tmp_path / "a.xlsx")
    assert cli("read", book, "-o", tmp_path / "a.yaml").exit_code == 0
    again = load_form(tmp_path / "a.yaml")
    assert again.overall_goal == goal
    assert read_workbook(render_form(again, tmp_path / "b.xlsx")).form.overall_goal == goal


def test_an_open_quote_in_the_units_list_is_refused_with_its_line(tmp_path: Path) -> None:
    csv = tmp_path / "units.csv"
    csv.write_text('单位名称,基本支出\n甲局,100\n"乙局,200\n丙局,300\n丁局,400\n', encoding="utf-8")
    with pytest.raises(InputError, match="第 3 行有一个引号"):
        load_units(csv)
    csv.write_text('单位名称,基本支出\n"乙"局,200\n', encoding="utf-8")
    with pytest.raises(InputError, match="第 2 行的引号用法不对"):
        load_units(csv)
    csv.write_text('单位名称,基本支出\n"乙局\n（二部）",200\n丙局,300\n', encoding="utf-8")  # a quoted line break is fine
    assert [u.name for u in load_units(csv).units] == ["乙局\n（二部）", "丙局"]


# ---------------------------------------------------------------------------------------------
# 9. YAML alias bomb, and messages that quote a whole input


def alias_bomb(levels: int = 9) -> str:
    text = "year: 2023\nunit_name: 某局\nbudget: {expenditures: [], revenues: []}\noverall_goal: 目标\n"
    text += 'lol0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for i in range(1, levels + 1):
        text += f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
    return text + f"tasks: *a{levels}\n"


def test_a_yaml_alias_bomb_is_refused_before_anything_expands(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb(), encoding="utf-8")
    assert path.stat().st_size < 2_000
    start = time.perf_counter()
    with pytest.raises(InputError, match="别名"):
        read_data(path)
    res = cli("check", path)
    assert res.exit_code == 2 and "别名" in res.stderr and "MemoryError" not in res.output
    assert time.perf_counter() - start < 10


def test_an_anchor_that_no_alias_uses_is_harmless(tmp_path: Path, seed_form) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(seed_form.to_yaml().replace("overall_goal:", "overall_goal: &goal", 1) + "# a * in a comment\n",
                    encoding="utf-8")
    assert load_form(path) == seed_form


def test_validation_messages_never_quote_a_whole_input(seed_form) -> None:
    data = seed_form.to_data()
    data["tasks"] = "长" * 100_000
    data["indicators"] = [{"level1": ["x"] * 100_000, "level2": "y"}]
    with pytest.raises(InputError) as info:
        form_from_data(data, "f.yaml")
    assert len(str(info.value)) < 1_000


# ---------------------------------------------------------------------------------------------
# 12. Numbers no one types, nesting no form has: clear messages, the documented exit codes


def test_huge_numbers_in_targets_are_a_finding_not_a_crash(tmp_path: Path, seed_form) -> None:
    target = "≥" + "9" * 29 + "万平方米"
    path = form_file(tmp_path, seed_form, **{"indicators.0.target": target})
    report = check_file(path)
    found = [f for f in report.findings if f.field == "indicators[0].target"]
    assert found and any("15 位" in f.message for f in found)
    res = cli("diff", path, path)
    assert res.exit_code == 0, res.output
    yaml_path = tmp_path / "e.yaml"
    yaml_path.write_text(seed_form.to_yaml().replace("target: ≥25万平方米", "target: 1.0e+400"), encoding="utf-8")
    assert load_form(yaml_path).indicators[0].target == "1.0E+400"  # a YAML float: kept as written, not 401 digits


@pytest.mark.parametrize("text", ['{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "a: " + "[" * 100_000 + "]" * 100_000])
def test_nesting_deeper_than_any_form_is_one_message(tmp_path: Path, text: str) -> None:
    path = tmp_path / ("deep.json" if text.startswith("{") else "deep.yaml")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError):
        read_data(path)
    res = cli("render", path, "-o", tmp_path / "o.xlsx")
    assert res.exit_code == 1 and "RecursionError" not in res.output and "意外错误" not in res.output


def test_diff_and_pdf_exit_2_for_an_input_they_cannot_read(tmp_path: Path, seed_form, monkeypatch) -> None:
    good = form_file(tmp_path, seed_form)
    bad_amount = tmp_path / "bad.yaml"
    bad_amount.write_text(seed_form.to_yaml().replace("amount: '8997.98'", "amount: 1e400"), encoding="utf-8")
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    for bad in (bad_amount, folder, tmp_path / "missing.xlsx"):
        res = cli("diff", good, bad)
        assert res.exit_code == 2 and "意外错误" not in res.stderr, (bad, res.output)
        monkeypatch.setenv("BUDGETXL_SOFFICE", str(tmp_path / "no-such-soffice"))  # the input is judged first
        res = cli("pdf", bad, "-o", tmp_path / "o.pdf")
        assert res.exit_code == 2 and "意外错误" not in res.stderr and "LibreOffice" not in res.stderr, (bad, res.output)

"""`budgetxl check` as a reviewer uses it: tables, JSON, exit codes, annotated copies, broken files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from budgetxl.cli import (
    app,
    commands,  # noqa: F401 - registers the commands
)
from budgetxl.rules import check_file

from handmade_workbooks import make_workbook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inputs" / "fengyang-2023.yaml"
REAL = ROOT.parent / "shared" / "fixtures" / "real"
runner = CliRunner()


def check(*args: str):
    return runner.invoke(app, ["check", *map(str, args)], env={"COLUMNS": "160"})


@pytest.fixture()
def real_2024(tmp_path) -> Path:
    src = REAL / "zhanjiang-hrss-2024.xlsx"
    if not src.is_file():
        pytest.skip(f"real workbook not found at {src} (../shared is not beside this checkout)")
    dst = tmp_path / "zhanjiang-2024.xlsx"
    shutil.copyfile(src, dst)
    return dst


@pytest.fixture()
def broken(tmp_path) -> Path:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this zip is cut short")
    return path


def test_seed_warnings_only_exit_0_and_strict_exit_1():
    res = check(EXAMPLE)
    assert res.exit_code == 0, res.output
    assert "BX121" in res.stdout and "BX301" in res.stdout and "警告 2" in res.stdout
    assert "错误 0" in res.stdout
    strict = check(EXAMPLE, "--strict")
    assert strict.exit_code == 1


def test_errors_exit_1_with_cells_in_the_table(real_2024):
    res = check(real_2024)
    assert res.exit_code == 1
    for text in ("BX203", "C28", "BX202", "C34", "服务对象满意度指标", "错误", "警告", "工作表：Sheet1"):
        assert text in res.stdout
    assert res.stdout.count("Sheet1") == 1  # the sheet once, the cells alone
    # Grouped by severity: errors come before warnings.
    assert res.stdout.index("BX203") < res.stdout.index("BX211")


def test_json_is_exactly_the_library_report(real_2024):
    res = check(real_2024, "--json")
    assert res.exit_code == 1
    assert json.loads(res.stdout) == json.loads(check_file(real_2024).to_json())
    assert res.stderr == ""


def test_json_for_several_files_is_a_list(real_2024):
    res = check(EXAMPLE, real_2024, "--json")
    data = json.loads(res.stdout)
    assert [d["source"] for d in data] == [str(EXAMPLE), str(real_2024)]
    assert [d["valid"] for d in data] == [True, False]
    assert res.exit_code == 1


def test_unreadable_file_exit_2_and_the_others_still_checked(broken, real_2024):
    res = check(broken, EXAMPLE, real_2024)
    assert res.exit_code == 2
    assert str(broken) in res.stderr and "错误" in res.stderr
    assert "Traceback" not in res.output
    assert str(EXAMPLE) in res.stdout and "BX203" in res.stdout
    assert "1 个无法读取" in res.stderr


def test_unreadable_file_with_json(broken):
    res = check(broken, EXAMPLE, "--json")
    assert res.exit_code == 2
    assert [d["source"] for d in json.loads(res.stdout)] == [str(EXAMPLE)]
    only = check(broken, "--json")
    assert only.exit_code == 2 and only.stdout == "" and str(broken) in only.stderr


def test_missing_file_and_no_arguments(tmp_path):
    res = check(tmp_path / "nope.xlsx")
    assert res.exit_code == 2 and "不存在" in res.stderr
    assert runner.invoke(app, ["check"]).exit_code == 2


def test_annotate_one_file(real_2024, tmp_path):
    before = hashlib.sha256(real_2024.read_bytes()).hexdigest()
    out = tmp_path / "marked.xlsx"
    res = check(real_2024, "--annotate", out)
    assert res.exit_code == 1
    assert str(out) in res.stderr
    assert hashlib.sha256(real_2024.read_bytes()).hexdigest() == before
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "审核结果"
    assert "BX203" in wb["Sheet1"]["C28"].comment.text


def test_annotate_several_files_into_a_folder(real_2024, tmp_path):
    other = make_workbook(tmp_path / "department-b.xlsx", revenue_total=140)
    res = check(real_2024, other, "--annotate", tmp_path / "marked")
    assert res.exit_code == 1
    names = sorted(p.name for p in (tmp_path / "marked").iterdir())
    assert names == ["department-b-审核.xlsx", "zhanjiang-2024-审核.xlsx"]
    wb = openpyxl.load_workbook(tmp_path / "marked" / "department-b-审核.xlsx")
    assert "BX122" in wb["目标表"]["E6"].comment.text


@pytest.mark.parametrize(
    "files,out,message",
    [
        ([EXAMPLE], "x.xlsx", ".xlsx 工作簿"),
        (["a.xlsx"], "x.pdf", ".xlsx 文件"),
        (["a.xlsx"], "a.xlsx", "覆盖原文件"),
    ],
)
def test_annotate_usage_errors(tmp_path, files, out, message):
    make_workbook(tmp_path / "a.xlsx")
    before = (tmp_path / "a.xlsx").read_bytes()
    args = [f if Path(f).is_absolute() else tmp_path / f for f in files]
    res = check(*args, "--annotate", tmp_path / out)
    assert res.exit_code == 2, res.output
    assert message in res.stderr
    assert (tmp_path / "a.xlsx").read_bytes() == before
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "x.pdf").exists()


def test_annotate_folder_that_is_a_file(tmp_path):
    a, b = make_workbook(tmp_path / "a.xlsx"), make_workbook(tmp_path / "b.xlsx")
    (tmp_path / "taken").write_text("x")
    res = check(a, b, "--annotate", tmp_path / "taken")
    assert res.exit_code == 2 and "文件夹" in res.stderr


def test_help_lists_the_options():
    res = runner.invoke(app, ["check", "--help"], env={"COLUMNS": "160"})
    assert res.exit_code == 0
    for opt in ("--json", "--strict", "--annotate"):
        assert opt in res.stdout


def test_installed_command_prints_no_traceback(tmp_path, broken):
    exe = Path(sys.executable).with_name("budgetxl")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from budgetxl.cli import main; main()"]
    res = subprocess.run(
        cmd + ["check", str(broken), str(EXAMPLE)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "120"},
    )
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and str(broken) in res.stderr
    assert "BX121" in res.stdout


def test_a_file_that_crashes_or_hangs_its_reader_does_not_stop_the_others(tmp_path, monkeypatch):
    """Several files are read in the batch runner's workers, as collect reads them: an abort or
    a hang on one file is that file's message; the files after it are still checked."""
    import signal
    import time

    import budgetxl.rules.check as checking

    names = ["a.xlsx", "crash.xlsx", "hang.xlsx", "b.xlsx"]
    for name in names:
        make_workbook(tmp_path / name)
    real = checking.check_file_forms

    def flaky(path):
        if Path(path).name == "crash.xlsx":
            os.kill(os.getpid(), signal.SIGKILL)  # as calamine aborting on a far cell: the process goes
        if Path(path).name == "hang.xlsx":
            time.sleep(600)
        return real(path)

    monkeypatch.setattr(checking, "check_file_forms", flaky)
    monkeypatch.setattr(checking, "FILE_TIMEOUT_SECONDS", 3.0)
    res = check(*(tmp_path / n for n in names), "--json")
    assert res.exit_code == 2, res.output
    reports = json.loads(res.stdout)
    assert [Path(r["source"]).name for r in reports] == ["a.xlsx", "b.xlsx"]
    assert "crash.xlsx" in res.stderr and "意外终止" in res.stderr
    assert "hang.xlsx" in res.stderr and "超时" in res.stderr
    assert "共 4 个文件" in res.stderr and "2 个无法读取" in res.stderr
# --------------------------------------------------------------------------------------------
# What a reviewer reads at a terminal


def run_check(columns: int, *args) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("budgetxl")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from budgetxl.cli import main; main()"]
    return subprocess.run(cmd + ["check", *map(str, args)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": str(columns)})


@pytest.mark.parametrize("columns", [80, 160])
def test_check_at_80_and_160_columns_reads_in_a_few_lines(real_2024, columns):
    res = run_check(columns, real_2024, EXAMPLE)
    assert res.returncode == 1, res.stderr
    lines = res.stdout.splitlines()
    assert all(len(line) <= columns for line in lines)  # no line wider than the terminal (CJK counts double)
    from budgetxl.text import display_width

    assert all(display_width(line) <= columns for line in lines)
    assert res.stdout.count("Sheet1") == 1 and "工作表：Sheet1" in res.stdout
    for cell in ("C28", "C34", "C25", "C32"):
        assert f" {cell} " in res.stdout
    # 4 + 2 findings with their headings: at 80 columns a finding takes a few lines, not seven
    assert len(lines) <= (30 if columns == 80 else 20), res.stdout
    # words and numbers are never broken across lines
    for whole in ("2015/2020", "9696.18", "53.82", "“≥95%”", "BX203"):
        assert any(whole in line for line in lines), whole
    # a form file's findings name the field in words
    if columns == 160:
        assert "部门预算支出第2行的金额" in res.stdout and "第36个指标的指标值" in res.stdout
    assert "budget.expenditures" not in res.stdout and "indicators[" not in res.stdout


def test_reader_findings_are_printed_once(tmp_path, seed_form):
    from budgetxl.render import render_form

    path = render_form(seed_form, tmp_path / "form.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == seed_form.tasks[0].name)
    ws.cell(row, 5).value = "约三十"  # the funds (E)
    ws["H5"] = "联系人：张三"
    wb.save(path)
    res = run_check(80, path)
    assert res.returncode == 1
    both = res.stdout + res.stderr
    assert both.count("BX011") == 1 and both.count("BX020") == 1 and "BX301" in res.stdout
    assert res.stderr == ""

"""`budgetxl template` as a finance bureau uses it: one unit, a whole list, bad lists."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from budgetxl.errors import OutputError
from budgetxl.read import read_workbook
from budgetxl.render.template import make_templates, template_file_name
from budgetxl.units import UnitRow

ROOT = Path(__file__).resolve().parents[1]
UNITS = ROOT / "inputs" / "units-2024.csv"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("budgetxl")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from budgetxl.cli import main; main()"]
    return subprocess.run(cmd + list(args), cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "120"})


def test_one_unit_default_path(tmp_path):
    res = run("template", "--unit", "某某市财政局", "--year", "2024", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    rel = Path("outputs") / template_file_name("某某市财政局", 2024)
    assert res.stdout.strip() == str(rel)
    form = read_workbook(tmp_path / rel).form
    assert form.unit_name == "某某市财政局" and form.year == 2024


def test_one_unit_with_options(tmp_path):
    out = tmp_path / "t.xlsx"
    res = run("template", "--unit", "某局", "--year", "2025", "-o", str(out), "--framework", "2021",
              "--rows", "1", "--password", "pw", "--layout", "zhanjiang")
    assert res.returncode == 0, res.stderr
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    assert ws["A1"].value == "2025年市级部门整体预算绩效目标表" and ws["A2"].value == "部门名称"
    assert ws.protection.password
    form = read_workbook(out).form
    assert form.layout == "zhanjiang" and form.indicators[0].level1 == "成本指标"


def test_from_last_year_workbook_reports_what_it_changed(tmp_path, real_dir):
    res = run("template", "--from", str(real_dir / "zhanjiang-hrss-2024.xlsx"), "--year", "2025",
              "--out-dir", str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert "服务对象满意度指标" in res.stderr and "效益指标 / 质量指标" in res.stderr
    form = read_workbook(Path(res.stdout.strip())).form
    assert form.unit_name == "湛江市人力资源和社会保障局" and len(form.tasks) == 3
    assert all(t.funds is None for t in form.tasks)


def test_units_csv_gives_one_template_each_prefilled(tmp_path):
    out = tmp_path / "out"
    res = run("template", "--units", str(UNITS), "--year", "2024", "--out-dir", str(out), "--jobs", "2")
    assert res.returncode == 0, res.stderr
    files = sorted(out.iterdir())
    names = ["某某市财政局", "某某市教育局", "某某市人力资源和社会保障局", "某某市城市管理和综合执法局/市容环境卫生管理处"]
    assert [Path(line) for line in res.stdout.splitlines()] == [out / template_file_name(n, 2024) for n in names]
    assert len(files) == 4
    forms = {f.unit_name: f for f in (read_workbook(p).form for p in files)}
    assert set(forms) == set(names)
    assert [ln.amount for ln in forms["某某市教育局"].budget.expenditures] == [Decimal(5600), Decimal("3200.25")]
    assert all(ln.amount is None for ln in forms["某某市人力资源和社会保障局"].budget.revenues)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_gbk_csv_from_excel(tmp_path):
    csv = tmp_path / "units.csv"
    csv.write_bytes("部门名称,基本支出（万元）\r\n甲局,10\r\n乙局,20\r\n".encode("gbk"))
    res = run("template", "--units", str(csv), "--year", "2024", "--out-dir", str(tmp_path / "o"))
    assert res.returncode == 0, res.stderr
    assert len(list((tmp_path / "o").iterdir())) == 2


BAD_CSVS = {
    "no_name_column": ("名称,基本支出\n甲局,1\n".encode(), "第 1 行"),
    "duplicate": ("单位名称\n甲局\n乙局\n甲局\n".encode(), "第 4 行"),
    "not_a_number": ("单位名称,项目支出\n甲局,1\n乙局,约五十\n".encode(), "第 3 行"),
    "encoding": ("单位名称\n甲局\n".encode() + b"\xff\xfe\xfd\n", "第 3 行"),
}


@pytest.mark.parametrize("case", sorted(BAD_CSVS))
def test_bad_csv_exits_1_naming_the_line_and_writes_nothing(tmp_path, case):
    raw, where = BAD_CSVS[case]
    csv = tmp_path / "units.csv"
    csv.write_bytes(raw)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("earlier file", encoding="utf-8")
    res = run("template", "--units", str(csv), "--year", "2024", "--out-dir", str(out))
    assert res.returncode == 1
    assert where in res.stderr and str(csv) in res.stderr and "Traceback" not in res.stderr
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    assert csv.read_bytes() == raw


def test_a_unit_failing_midway_leaves_no_partial_set(tmp_path):
    out = tmp_path / "out"
    units = [UnitRow(2, "甲局"), UnitRow(3, "乙" * 40000), UnitRow(4, "丙局")]  # too long for a cell
    with pytest.raises(OutputError) as info:
        make_templates(units, 2024, out, jobs=2, progress=False)
    assert "第 3 行" in str(info.value) and "未写入任何模板" in str(info.value)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # the temporary folder is gone too


def test_batch_file_names_are_unique_and_valid(tmp_path):
    units = [UnitRow(2, "甲/乙"), UnitRow(3, "甲:乙"), UnitRow(4, "很长" * 200), UnitRow(5, "很长" * 200 + "的另一个")]
    paths = make_templates(units, 2024, tmp_path / "o", jobs=1, progress=False)
    assert len({p.name for p in paths}) == 4 and all(p.is_file() for p in paths)
    assert [read_workbook(p).form.unit_name for p in paths] == [u.name for u in units]


@pytest.mark.parametrize("args", [
    ["--year", "2024"],
    ["--unit", "甲", "--units", "u.csv", "--year", "2024"],
    ["--units", "u.csv", "--year", "2024", "-o", "x.xlsx"],
    ["--unit", "甲", "--year", "2024", "--framework", "2030"],
    ["--unit", "甲", "--year", "2024", "--layout", "beijing"],
    ["--unit", "甲"],
])
def test_usage_errors_exit_2(tmp_path, args):
    res = run("template", *args, cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "outputs").exists()


def test_missing_previous_table_is_one_clear_error(tmp_path):
    res = run("template", "--unit", "甲", "--year", "2024", "--from", str(tmp_path / "none.xlsx"), cwd=tmp_path)
    assert res.returncode == 1 and "不存在" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "outputs").exists()


def test_readme_templates_python_example_runs(tmp_path, monkeypatch):
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Templates", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.S)
    (tmp_path / "inputs").symlink_to(ROOT / "inputs")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    assert len(list((tmp_path / "outputs" / "templates").iterdir())) == 4


def test_from_takes_whatever_read_takes_told_by_content(tmp_path, seed_form, soffice):
    """A WPS .et, an Excel 2003 XML or web-page export named .xml/.htm: last year's table all the same."""
    import shutil

    from budgetxl.render import render_form
    from system_exports import grid_of_xlsx, write_html, write_spreadsheetml

    src = render_form(seed_form, tmp_path / "seed.xlsx")
    et = tmp_path / "上年.et"
    shutil.copyfile(soffice(src, "xls", tmp_path / "lo"), et)
    sheets = grid_of_xlsx(src)
    for previous in (et, write_spreadsheetml(tmp_path / "上年.xml", sheets), write_html(tmp_path / "上年.htm", sheets)):
        out = tmp_path / f"{previous.suffix[1:]}.xlsx"
        res = run("template", "--year", "2024", "--from", str(previous), "-o", str(out))
        assert res.returncode == 0, (previous.name, res.stderr)
        form = read_workbook(out).form
        assert form.unit_name == seed_form.unit_name and [t.name for t in form.tasks] == [t.name for t in seed_form.tasks]
    # A file that is no workbook is told as such, with its name, not as an unknown ending.
    (tmp_path / "上年.txt").write_text("这不是表格\n", encoding="utf-8")
    res = run("template", "--year", "2024", "--from", str(tmp_path / "上年.txt"), "-o", str(tmp_path / "t.xlsx"))
    assert res.returncode == 1 and "上年.txt" in res.stderr and "纯文本" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "t.xlsx").exists()

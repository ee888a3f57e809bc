"""`budgetxl diff` as a person uses it, and the real pair of years (湛江市人力资源和社会保障局)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from budgetxl.diff import diff_forms
from budgetxl.diff import styles as S
from budgetxl.read import read_workbook

from diff_builders import indicator, make_form, task


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("budgetxl")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from budgetxl.cli import main; main()"]
    return subprocess.run(cmd + list(args), cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "120"})


def write(path: Path, form) -> Path:
    path.write_text(form.to_yaml(), encoding="utf-8")
    return path


@pytest.fixture
def years(tmp_path):
    old = make_form(tasks=[task("社区防疫物资储备", 50)], indicators=[indicator("产出指标", "数量指标", "违法建设拆除面积", "≥20万平方米")])
    new = make_form(year=2024, tasks=[task("长者饭堂运营", 120)], indicators=[indicator("产出指标", "数量指标", "违法建设拆除面积", "≥25万平方米")])
    return write(tmp_path / "2023.yaml", old), write(tmp_path / "2024.yaml", new)


def test_json_output(years):
    res = run("diff", *map(str, years), "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert {"budget", "tasks", "indicators", "summary"} <= set(data)
    assert [e["status"] for e in data["tasks"]] == ["removed", "added"]
    assert data["indicators"][0]["changes"]["target"]["delta"] == "5"
    assert data["summary"]["new"]["source"].endswith("2024.yaml")


def test_workbook_output_and_terminal_view(years, tmp_path):
    out = tmp_path / "out" / "compare.xlsx"
    res = run("diff", *map(str, years), "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert out.is_file() and str(out) in res.stderr
    assert openpyxl.load_workbook(out).sheetnames == [S.SHEETS["summary"], S.SHEETS["tasks"], S.SHEETS["indicators"]]
    view = run("diff", *map(str, years))
    assert view.returncode == 0 and "长者饭堂运营" in view.stdout and "新增" in view.stdout


def test_identical_inputs_exit_0_with_everything_unchanged(years):
    res = run("diff", str(years[0]), str(years[0]), "--json")
    assert res.returncode == 0
    data = json.loads(res.stdout)
    assert data["summary"]["identical"] is True
    assert all(e["status"] == "unchanged" for block in ("budget", "tasks", "indicators") for e in data[block])


def test_different_units_warn_on_stderr_and_in_json(tmp_path, years):
    other = write(tmp_path / "other.yaml", make_form(year=2024, unit_name="另一个街道办事处"))
    res = run("diff", str(years[0]), str(other), "--json")
    assert res.returncode == 0
    assert "单位不同" in res.stderr
    assert any("另一个街道办事处" in w for w in json.loads(res.stdout)["summary"]["warnings"])


@pytest.mark.parametrize(
    "make_bad, message",
    [
        (lambda d: d / "missing.yaml", "文件不存在"),
        (lambda d: (d / "broken.yaml").write_text("year: [\n", encoding="utf-8") and d / "broken.yaml", "YAML"),
        (lambda d: (d / "fake.xlsx").write_text("not a workbook", encoding="utf-8") and d / "fake.xlsx", "fake.xlsx"),
        (lambda d: (d / "wrong.json").write_text('{"year": 2023}', encoding="utf-8") and d / "wrong.json", "wrong.json"),
    ],
)
def test_unreadable_input_is_one_message_and_exit_2(tmp_path, years, make_bad, message):
    bad = make_bad(tmp_path)
    out = tmp_path / "never.xlsx"
    res = run("diff", str(years[0]), str(bad), "-o", str(out))
    assert res.returncode == 2
    assert message in res.stderr and "Traceback" not in res.stderr
    assert res.stderr.strip().count("\n") < 12
    assert not out.exists()


def test_output_must_be_xlsx(years, tmp_path):
    res = run("diff", *map(str, years), "-o", str(tmp_path / "x.csv"))
    assert res.returncode == 2 and ".xlsx" in res.stderr


def test_three_years_give_pairs_and_a_trend(tmp_path, years):
    third = write(tmp_path / "2025.yaml", make_form(year=2025, basic="9000"))
    out = tmp_path / "series.xlsx"
    res = run("diff", *map(str, years), str(third), "-o", str(out), "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert len(data["comparisons"]) == 2 and data["trend"]["labels"] == ["2023", "2024", "2025"]
    assert openpyxl.load_workbook(out).sheetnames[0] == S.SHEETS["trend"]


# --------------------------------------------------------------------------------------------
# The real pair


@pytest.fixture
def real_diff(real_dir):
    old = read_workbook(real_dir / "zhanjiang-hrss-2023.xlsx").form
    new = read_workbook(real_dir / "zhanjiang-hrss-2024.xlsx").form
    return old, new, diff_forms(old, new)


def _pairs(entries):
    return {(e.old or {}).get("name"): e for e in entries if e.old is not None}


def test_real_pair_renamed_indicators_are_changed_not_removed_and_added(real_diff):
    _, _, d = real_diff
    by_old = _pairs(d.indicators)
    for old_name, new_name in [
        ("城镇新增就业人数（万人）", "城镇新增就业人数（人）"),
        ("扶持创业企业（项目）数", "扶持创业企业（项目）个数"),
        ("就业困难人员就业人数", "解决就业困难人员就业人数（人）"),
        ("失业人员再就业人数", "失业人员再就业人数（人）"),
    ]:
        e = by_old[old_name]
        assert e.status == "changed" and e.new["name"] == new_name, old_name
        assert e.similarity is not None and e.changes["name"].new == new_name
    added = {e.new["name"] for e in d.indicators if e.status == "added"}
    removed = {e.old["name"] for e in d.indicators if e.status == "removed"}
    assert not {"城镇新增就业人数（人）", "扶持创业企业（项目）个数"} & added
    assert not {"城镇新增就业人数（万人）", "扶持创业企业（项目）数"} & removed


def test_real_pair_mislabelled_level2_is_a_change(real_diff):
    _, _, d = real_diff
    e = _pairs(d.indicators)["全市城乡居民养老保险覆盖面"]
    assert e.status == "changed" and e.similarity is None
    assert (e.changes["level2"].old, e.changes["level2"].new) == ("社会效益指标", "质量指标")
    target = _pairs(d.indicators)["扶持创业企业（项目）数"].changes["target"]
    assert (target.old, target.new, str(target.delta)) == ("650", "350", "-300")


def test_real_pair_merged_tasks(real_diff):
    """创业担保贷款贴息资金 + 促进就业专项资金 → 促进就业专项资金（含创业担保贷款贴息资金）: the new task
    pairs with 促进就业专项资金 (its name without the bracket), the other is removed and points at it."""
    _, new, d = real_diff
    by_old = _pairs(d.tasks)
    kept = by_old["促进就业专项资金"]
    assert kept.status == "changed" and kept.new["name"] == "促进就业专项资金（含创业担保贷款贴息资金）"
    assert (kept.changes["funds"].old, kept.changes["funds"].new, str(kept.changes["funds"].delta)) == ("500", "1140", "640")
    gone = by_old["创业担保贷款贴息资金"]
    assert gone.status == "removed"
    assert new.tasks[gone.merged_into].name == "促进就业专项资金（含创业担保贷款贴息资金）"
    assert [e.status for e in d.tasks].count("added") == 1  # “三支一扶”…


def test_real_pair_budget_and_basic_info(real_diff):
    _, _, d = real_diff
    lines = {e.name: e for e in d.budget}
    assert str(lines["基本支出"].delta) == "295.265675" and str(lines["项目支出"].percent) == "-14.25"
    assert d.basic_info[0].changes["value"].delta == -13
    assert d.warnings == ()


def test_real_pair_through_the_command(real_dir, tmp_path):
    out = tmp_path / "hrss.xlsx"
    res = run("diff", str(real_dir / "zhanjiang-hrss-2023.xlsx"), str(real_dir / "zhanjiang-hrss-2024.xlsx"), "-o", str(out))
    assert res.returncode == 0, res.stderr
    wb = openpyxl.load_workbook(out)
    names = [row[4].value for row in wb[S.SHEETS["indicators"]].iter_rows(min_row=3)]
    assert "城镇新增就业人数（万人）" in names


def test_real_pair_reworded_satisfaction_indicator_is_paired_as_the_readme_says(real_diff):
    _, _, d = real_diff
    e = _pairs(d.indicators)["公共服务满意度"]
    assert e.new["name"] == "就业服务满意度" and round(e.similarity, 2) == 0.72


def test_readme_diff_python_example_runs(monkeypatch):
    root = Path(__file__).resolve().parents[1]
    text = (root / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Diff\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks
    monkeypatch.chdir(root)
    for block in blocks:
        exec(compile(block, "README.md (Diff)", "exec"), {})


@pytest.mark.parametrize("columns", ["80", "160"])
def test_real_pair_piped_keeps_every_amount_whole(real_dir, columns):
    """Piped (as into a file or `less`), at any COLUMNS: plain lines, every value whole."""
    exe = Path(sys.executable).with_name("budgetxl")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from budgetxl.cli import main; main()"]
    res = subprocess.run(cmd + ["diff", str(real_dir / "zhanjiang-hrss-2023.xlsx"), str(real_dir / "zhanjiang-hrss-2024.xlsx")],
                         capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": columns})
    assert res.returncode == 0, res.stderr
    out = res.stdout
    for needle in ("基本支出：10,596.35 → 10,891.62（+295.27，+2.79%）", "财政拨款：82,800.92 → 72,807.38（-9,993.54，-12.07%）",
                   "项目支出：72,204.57 → 61,915.77（-10,288.80，-14.25%）", "≧98% → 100%（+2 个百分点）",
                   "20,140.00 → 18,862.00（-1,278.00，-6.35%）", "750 → 737（-13，-1.73%）"):
        assert needle in out, needle
    assert "10891.615675" not in out and "┃" not in out
    assert not re.search(r"\d…|…\d", out.split("总体绩效目标")[0])

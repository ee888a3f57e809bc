"""Collecting a folder of returns: which files, per-file records, summary workbook, tidy CSV tables,
duplicates, unreadable files, comparison with last year, atomic outputs and the command."""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from budgetxl.batch import Outcome
from budgetxl.collect import collect, failed_record, find_workbooks, mark_duplicates
from budgetxl.collect.inspect import FileRecord, Known, inspect_file, pick_previous
from budgetxl.collect.styles import SHEETS, STATUS_LABELS, columns
from budgetxl.collect.summary import display_path, hyperlink_target, write_summary
from budgetxl.collect.tidy import COLUMNS as CSV_COLUMNS
from budgetxl.diff import diff_forms
from budgetxl.errors import InputError, OutputError, UsageError
from budgetxl.model import BudgetLine
from budgetxl.read import read_workbook
from budgetxl.render import render_form
from budgetxl.rules import check_workbook


@pytest.fixture(scope="module")
def returns(tmp_path_factory, seed_form) -> Path:
    """A bureau's folder as it arrives: good returns in sub-folders, a duplicate, one with an
    error, lock files, a note, a truncated workbook and a text file named .xlsx."""
    root = tmp_path_factory.mktemp("returns")
    (root / "街道" / "凤阳").mkdir(parents=True)
    (root / "局").mkdir()
    render_form(seed_form, root / "街道" / "凤阳" / "凤阳街道.xlsx")
    shutil.copy(root / "街道" / "凤阳" / "凤阳街道.xlsx", root / "街道" / "凤阳街道-再次提交.xlsx")
    other = seed_form.model_copy(update={
        "unit_name": "某某区教育局",
        "budget": seed_form.budget.model_copy(update={
            "revenues": (BudgetLine(name="财政拨款", amount=Decimal("100")), BudgetLine(name="其他资金", amount=Decimal("0"))),
        }),
        "tasks": (seed_form.tasks[0].model_copy(update={"name": "=HYPERLINK(\"http://x\")"}),) + seed_form.tasks[1:],
    })
    render_form(other, root / "局" / "教育局.xlsx")
    (root / "局" / "~$教育局.xlsx").write_bytes(b"\x00owner")
    (root / "局" / ".~lock.教育局.xlsx#").write_text("lock", encoding="utf-8")
    (root / "说明.txt").write_text("各单位报表", encoding="utf-8")
    good = (root / "局" / "教育局.xlsx").read_bytes()
    (root / "局" / "截断.xlsx").write_bytes(good[: len(good) // 2])
    (root / "局" / "不是表格.xlsx").write_text("hello", encoding="utf-8")
    return root


def by_name(records) -> dict[str, FileRecord]:
    return {Path(r.path).name: r for r in records}


def test_find_workbooks_recurses_and_skips_locks_and_other_files(returns: Path) -> None:
    files, others = find_workbooks([returns])
    names = [f.name for f in files]
    assert sorted(names) == sorted(["凤阳街道.xlsx", "凤阳街道-再次提交.xlsx", "教育局.xlsx", "截断.xlsx", "不是表格.xlsx"])
    # ~$ owner file, LibreOffice lock, 说明.txt: each named, with why
    assert sorted((p.name, why) for p, why in others) == [
        (".~lock.教育局.xlsx#", "Excel、WPS 或 LibreOffice 打开文件时留下的临时文件"),
        ("~$教育局.xlsx", "Excel、WPS 或 LibreOffice 打开文件时留下的临时文件"),
        ("说明.txt", "不是电子表格（扩展名 .txt）"),
    ]
    assert find_workbooks([returns], exclude=[returns / "局" / "教育局.xlsx"])[0] == [f for f in files if f.name != "教育局.xlsx"]
    # a file named explicitly is taken as it is, once
    note = returns / "说明.txt"
    assert find_workbooks([note, note])[0] == [note]
    with pytest.raises(InputError, match="不存在"):
        find_workbooks([returns / "nope"])


def test_find_workbook_names_are_the_paths_as_text(returns: Path, monkeypatch) -> None:
    from budgetxl.collect.files import find_workbook_names

    files, others = find_workbooks([returns])
    assert find_workbook_names([returns]) == ([str(f) for f in files], [(str(p), why) for p, why in others])
    # named as pathlib would name them: './x//y/' is 'x/y', a folder '.' lists its files by name alone
    monkeypatch.chdir(returns)
    names, _ = find_workbook_names(["./局//", "."])
    inside = [str(p.relative_to(returns)) for p in files]
    assert names == [n for n in inside if n.startswith("局/")] + [n for n in inside if not n.startswith("局/")]
    assert "局/教育局.xlsx" in names and "凤阳街道-再次提交.xlsx" not in names  # in 街道/凤阳/
    assert all(isinstance(n, str) for n in names)


def test_only_the_zips_are_expanded_and_the_items_are_those_expand_gives(returns: Path, tmp_path: Path) -> None:
    import zipfile

    from budgetxl.read.archive import expand

    good = (returns / "局" / "教育局.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "区县.ZIP", "w") as zf:
        zf.writestr("甲.xlsx", good)
        zf.writestr("说明.txt", "x")
    (tmp_path / "坏.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    (tmp_path / ".zip").write_bytes(b"")
    files = [str(returns / "局" / "教育局.xlsx"), str(tmp_path / "区县.ZIP"), str(tmp_path / ".zip"),
             str(tmp_path / "坏.zip"), "教育局.xlsx"]
    notes_a: list[str] = []
    notes_b: list[str] = []
    got = expand(files, notes_a)  # the names as text, as collect hands them over
    assert got == expand([Path(f) for f in files], notes_b) and notes_a == notes_b
    items, broken, others = got
    assert len(items) == 4 and str(items[1]).endswith("区县.ZIP › 甲.xlsx") and items[2] == str(tmp_path / ".zip")
    assert [b[0] for b in broken] == [str(tmp_path / "坏.zip")] and len(others) == 1


@pytest.mark.skipif(os.sep != "/", reason="POSIX paths")
@given(st.lists(st.sampled_from(["", "/", "//", ".", "..", "a", "b.", ".c", "单位.xlsx"]), max_size=7).map("".join))
def test_shown_is_how_pathlib_writes_a_path(text: str) -> None:
    from pathlib import PurePosixPath

    from budgetxl.collect.files import shown
    from budgetxl.read.archive import is_archive

    assert shown(text) == str(PurePosixPath(text))
    assert shown(Path(text)) == str(Path(text))
    for name in (text, text + ".zip", text + "x.ZIP", text + ".xlsx"):  # told by name, as pathlib would
        assert is_archive(name) == is_archive(Path(name)) == (PurePosixPath(name).suffix.lower() == ".zip")


@pytest.fixture(scope="module")
def collected(returns: Path, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = collect([returns], out / "汇总.xlsx", csv_dir=out / "tables", jobs=2, csv_lang="en")
    return result, out


def test_every_file_is_a_record_with_its_status(collected, returns: Path) -> None:
    result, _ = collected
    recs = by_name(result.records)
    assert len(result.records) == 5 and result.skipped == 3
    seed = recs["凤阳街道.xlsx"]
    report = check_workbook(returns / "街道" / "凤阳" / "凤阳街道.xlsx")
    assert seed.findings == ()  # written out as they came in, not kept
    assert seed.status == ("errors" if report.counts["error"] else "warnings" if report.counts["warning"] else "ok")
    assert (seed.errors, seed.warnings, seed.infos) == (report.counts["error"], report.counts["warning"], report.counts["info"])
    form = read_workbook(returns / "街道" / "凤阳" / "凤阳街道.xlsx").form
    assert seed.unit_name == form.unit_name and seed.year == form.year
    assert seed.expenditures == sum(line.amount for line in form.budget.expenditures)
    assert seed.revenues == sum(line.amount for line in form.budget.revenues)
    assert seed.task_funds == sum(t.funds for t in form.tasks if t.funds is not None)
    assert seed.n_tasks == len(form.tasks)
    assert recs["教育局.xlsx"].status == "errors"  # expenditures ≠ revenues
    for bad in ("截断.xlsx", "不是表格.xlsx"):
        assert recs[bad].status == "unreadable"
        assert recs[bad].reason and str(returns) not in recs[bad].reason  # the reason, without the path
    assert result.counts["unreadable"] == 2


def test_duplicates_of_unit_and_year_name_each_other(collected) -> None:
    result, _ = collected
    recs = by_name(result.records)
    a, b = recs["凤阳街道.xlsx"], recs["凤阳街道-再次提交.xlsx"]
    assert a.duplicates == (b.path,) and b.duplicates == (a.path,)
    assert recs["教育局.xlsx"].duplicates == ()
    assert result.duplicates == 2


def test_mark_duplicates_ignores_unreadable_and_nameless_files() -> None:
    recs = [FileRecord("a", "ok", unit_name="X局", year=2023), FileRecord("b", "ok", unit_name=" X局 ", year=2023),
            FileRecord("c", "ok", unit_name="X局", year=2024), FileRecord("d", "unreadable"), FileRecord("e", "unreadable"),
            FileRecord("f", "ok", unit_name="", year=2023), FileRecord("g", "ok", unit_name="", year=2023)]
    out = mark_duplicates(recs)
    assert [r.duplicates for r in out] == [("b",), ("a",), (), (), (), (), ()]


def test_summary_workbook(collected, returns: Path) -> None:
    result, out = collected
    wb = openpyxl.load_workbook(out / "汇总.xlsx")
    assert wb.sheetnames == [SHEETS["summary"], SHEETS["findings"]]
    ws = wb[SHEETS["summary"]]
    assert [c.value for c in ws[1]] == [c.heading for c in columns("summary")]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$1:$1"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(result.records)
    heads = [c.key for c in columns("summary")]
    for row, rec in zip(rows, result.records):
        values = dict(zip(heads, row))
        assert values["status"] == STATUS_LABELS[rec.status]
        assert values["unit"] == (rec.unit_name or None)
        if rec.status == "unreadable":
            assert values["reason"] == rec.reason and values["errors"] is None
        else:
            assert Decimal(str(values["expenditures"])) == rec.expenditures
    # each file name links to the file, relative to the summary's folder
    for r in range(2, ws.max_row + 1):
        link = hyperlink_target(ws.cell(r, heads.index("file") + 1).value)
        assert link is not None
        assert (out / link.replace("\\", "/")).resolve().is_file()
    findings = wb[SHEETS["findings"]]
    codes = [(row[0], row[3]) for row in findings.iter_rows(min_row=2, values_only=True) if row[3]]
    expected = [(display_path(r.path), code) for r in result.records if r.status != "unreadable"
                for code in check_workbook(r.path).codes()]
    assert sorted(codes) == sorted(expected)
    unreadable = [row for row in findings.iter_rows(min_row=2, values_only=True) if row[4] == STATUS_LABELS["unreadable"]]
    assert len(unreadable) == 2


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_tidy_tables(collected, returns: Path) -> None:
    result, out = collected
    tables = {name: read_csv(out / "tables" / f"{name}.csv") for name in CSV_COLUMNS}
    for name in tables:
        with (out / "tables" / f"{name}.csv").open(encoding="utf-8-sig", newline="") as fh:
            assert tuple(next(csv.reader(fh))) == CSV_COLUMNS[name]
    assert [r["file"] for r in tables["forms"]] == [r.path for r in result.records]
    forms = {Path(r["file"]).name: r for r in tables["forms"]}
    assert forms["截断.xlsx"]["status"] == "unreadable" and forms["截断.xlsx"]["errors"] == ""
    seed_path = returns / "街道" / "凤阳" / "凤阳街道.xlsx"
    form = read_workbook(seed_path).form
    seed_tasks = [r for r in tables["tasks"] if r["file"] == str(seed_path)]
    assert [r["name"] for r in seed_tasks] == [t.name for t in form.tasks]
    assert [r["funds"] for r in seed_tasks] == [format(t.funds, "f") if t.funds is not None else "" for t in form.tasks]
    assert [r["task"] for r in seed_tasks] == [str(i) for i in range(1, len(form.tasks) + 1)]
    seed_ind = [r for r in tables["indicators"] if r["file"] == str(seed_path)]
    assert [(r["level2"], r["name"], r["target"]) for r in seed_ind] == [
        (i.level2, i.name, i.target) for i in form.indicators if not i.is_placeholder]
    assert len(tables["findings"]) == sum(r.errors + r.warnings + r.infos for r in result.records)
    seed_findings = [(r["code"], r["cell"]) for r in tables["findings"] if r["file"] == str(seed_path)]
    assert sorted(seed_findings) == sorted((f.code, f.cell or "") for f in check_workbook(seed_path).findings)
    # a task name that Excel would run as a formula is neutralised
    edu = [r for r in tables["tasks"] if r["file"].endswith("教育局.xlsx") and r["task"] == "1"]
    assert edu[0]["name"] == "'=HYPERLINK(\"http://x\")"


def test_tidy_tables_are_headed_in_chinese_by_default(collected, returns: Path, tmp_path: Path) -> None:
    from budgetxl.collect.tidy import HEADINGS_ZH, headings

    _, out = collected
    assert set(HEADINGS_ZH) >= {k for keys in CSV_COLUMNS.values() for k in keys}
    collect([returns], tmp_path / "汇总.xlsx", csv_dir=tmp_path / "zh", jobs=2)
    for name in CSV_COLUMNS:
        with (tmp_path / "zh" / f"{name}.csv").open(encoding="utf-8-sig", newline="") as fh:
            zh = list(csv.reader(fh))
        with (out / "tables" / f"{name}.csv").open(encoding="utf-8-sig", newline="") as fh:
            en = list(csv.reader(fh))
        assert zh[0] == headings(name, "zh") and en[0] == list(CSV_COLUMNS[name])
        assert all(re.search(r"[\u4e00-\u9fff]", h) for h in zh[0]), zh[0]
        assert len(set(zh[0])) == len(zh[0])
        assert zh[1:] == en[1:]  # the same values, only the headings differ
    assert headings("indicators")[-2:] == ["三级指标", "指标值"]


def test_comparison_with_last_year(real_dir: Path, tmp_path: Path) -> None:
    this_year = tmp_path / "2024"
    this_year.mkdir()
    shutil.copy(real_dir / "zhanjiang-hrss-2024.xlsx", this_year / "人社局.xlsx")
    result = collect([this_year], tmp_path / "s.xlsx", previous=real_dir, jobs=2)
    (rec,) = result.records
    cmp = rec.comparison
    assert cmp is not None and Path(cmp.previous).name == "zhanjiang-hrss-2023.xlsx"
    old = read_workbook(real_dir / "zhanjiang-hrss-2023.xlsx").form
    new = read_workbook(real_dir / "zhanjiang-hrss-2024.xlsx").form
    counts = diff_forms(old, new).counts()
    assert cmp.tasks == tuple(counts["tasks"][k] for k in ("added", "removed", "changed"))
    assert cmp.indicators == tuple(counts["indicators"][k] for k in ("added", "removed", "changed"))
    old_total = sum(line.amount for line in old.budget.expenditures)
    new_total = sum(line.amount for line in new.budget.expenditures)
    assert (cmp.old_total, cmp.new_total, cmp.change) == (old_total, new_total, new_total - old_total)
    wb = openpyxl.load_workbook(tmp_path / "s.xlsx")
    ws = wb[SHEETS["compare"]]
    keys = [c.key for c in columns("compare")]
    row = dict(zip(keys, next(ws.iter_rows(min_row=2, values_only=True))))
    assert row["unit"] == new.unit_name and row["previous_year"] == 2023 and row["year"] == 2024
    assert Decimal(str(row["change"])).quantize(Decimal("0.000001")) == (new_total - old_total)
    assert row["tasks_added"] == cmp.tasks[0] and row["indicators_changed"] == cmp.indicators[2]
    assert ws.max_row == 2  # the 2024 file of last year's folder is not "missing": it is this unit's


def test_a_unit_of_last_year_without_a_file_this_year_is_listed(returns: Path, tmp_path: Path, seed_form) -> None:
    prev = tmp_path / "prev"
    prev.mkdir()
    render_form(seed_form.model_copy(update={"year": 2022}), prev / "凤阳2022.xlsx")
    render_form(seed_form.model_copy(update={"year": 2022, "unit_name": "已撤销的单位"}), prev / "撤销.xlsx")
    (prev / "坏.xlsx").write_text("x", encoding="utf-8")
    result = collect([returns / "街道" / "凤阳"], tmp_path / "s.xlsx", previous=prev, jobs=1)
    (rec,) = result.records
    assert Path(rec.comparison.previous).name == "凤阳2022.xlsx"
    assert rec.comparison.tasks == (0, 0, 0) and rec.comparison.change == 0
    assert [k.unit_name for k in result.missing] == ["已撤销的单位"]
    assert [Path(r.path).name for r in result.previous_unreadable] == ["坏.xlsx"]


def test_pick_previous_prefers_the_latest_earlier_year() -> None:
    ks = [Known("a", "X", 2021), Known("b", "X", 2023), Known("c", "X", 2022), Known("d", "X", 2024)]
    assert pick_previous(ks, 2024, "d").path == "b"
    assert pick_previous(ks, 2021, "a") is None
    assert pick_previous([Known("e", "X", None)], 2024, "x").path == "e"


def test_failures_of_the_worker_become_unreadable_rows() -> None:
    crash = failed_record(Outcome(3, "x.xlsx", "crash", error="处理时工作进程意外终止（信号 SIGKILL）"))
    assert crash.status == "unreadable" and "SIGKILL" in crash.reason and crash.path == "x.xlsx"
    boom = failed_record(Outcome(3, "y.xlsx", "error", error="KeyError: 'a'", error_type="KeyError"))
    assert "意外错误" in boom.reason and "KeyError" in boom.reason


def test_inspect_file_never_raises_for_an_unreadable_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.xlsx"
    p.write_bytes(b"")
    (rec,) = inspect_file(str(p))
    assert rec.status == "unreadable" and "空" in rec.reason


def test_outputs_are_all_or_nothing(returns: Path, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "s.xlsx"
    collect([returns / "街道" / "凤阳"], target, jobs=1)  # the summary of an earlier run
    before = target.read_bytes()

    def broken(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("budgetxl.collect.summary.SummaryBook.finish", broken)
    with pytest.raises(OSError):
        collect([returns / "街道"], target, csv_dir=tmp_path / "tables", jobs=1)
    assert target.read_bytes() == before
    # nothing else: no temporary file, and the CSV folder made for this run is gone again
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.xlsx"]


def test_the_summary_is_zipped_into_its_file_and_a_failed_write_leaves_nothing_open(returns: Path, tmp_path: Path,
                                                                                    monkeypatch) -> None:
    """The summary's zip goes into its (staged) file as it is made, not into memory first; a
    write that fails half-way is the collection's failure, with no file left open and no output."""
    import gc
    import warnings
    import zipfile

    zipped_into = []
    real_init = zipfile.ZipFile.__init__

    def spy(self, file, mode="r", *a, **k):
        if mode == "w":
            zipped_into.append(file)
        real_init(self, file, mode, *a, **k)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", spy)
    collect([returns / "街道" / "凤阳"], tmp_path / "s.xlsx", jobs=1)
    assert len(zipped_into) == 1 and not isinstance(zipped_into[0], (str, io.BytesIO))
    assert openpyxl.load_workbook(tmp_path / "s.xlsx").sheetnames[0] == SHEETS["summary"]
    monkeypatch.undo()

    def full(self, *a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "write", full)
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)  # "Exception ignored in …"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(OutputError, match="磁盘空间不足"):
            collect([returns / "街道" / "凤阳"], tmp_path / "t.xlsx", jobs=1)
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)] and unraisable == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.xlsx"]


def test_refuses_to_write_over_an_input_or_collect_nothing(returns: Path, tmp_path: Path) -> None:
    src = returns / "局" / "教育局.xlsx"
    with pytest.raises(UsageError, match="输出文件就是输入文件"):
        collect([src], src)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="没有找到"):
        collect([tmp_path / "empty"], tmp_path / "s.xlsx")


def test_the_summary_in_the_collected_folder_is_not_collected_again(returns: Path, tmp_path: Path) -> None:
    folder = tmp_path / "r"
    shutil.copytree(returns / "街道", folder)
    first = collect([folder], folder / "汇总.xlsx", jobs=1)
    second = collect([folder], folder / "汇总.xlsx", jobs=1)
    assert [r.path for r in first.records] == [r.path for r in second.records]


def test_collect_command(returns: Path, tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "budgetxl"
    out = tmp_path / "汇总.xlsx"
    res = subprocess.run([str(exe), "collect", str(returns), "-o", str(out), "--csv", str(tmp_path / "t"), "--jobs", "2"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stderr  # one return has errors, two are unreadable
    assert "Traceback" not in res.stderr
    assert res.stdout.splitlines()[0] == str(out)
    assert "截断.xlsx" in res.stderr and "无法读取" in res.stderr
    assert out.is_file() and (tmp_path / "t" / "tasks.csv").is_file()
    ok = subprocess.run([str(exe), "collect", str(returns / "街道" / "凤阳"), "-o", str(tmp_path / "ok.xlsx")],
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    usage = subprocess.run([str(exe), "collect", str(returns)], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "-o" in usage.stderr


def test_the_command_names_files_as_pathlib_writes_them(returns: Path, tmp_path: Path) -> None:
    """Files and folders named on the command line are shown without './', doubled or trailing
    slashes, as they always were (the command keeps them as text, not Path objects)."""
    exe = Path(sys.executable).parent / "budgetxl"
    res = subprocess.run([str(exe), "collect", "./局//截断.xlsx", "局/./", "-o", str(tmp_path / "s.xlsx")],
                         cwd=returns, capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stderr
    assert "无法读取 局/截断.xlsx: " in res.stderr and "跳过 局/~$教育局.xlsx: " in res.stderr
    assert "./" not in res.stderr and "//" not in res.stderr
    missing = subprocess.run([str(exe), "collect", ".//没有/", "-o", str(tmp_path / "t.xlsx")],
                             cwd=returns, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "没有: 文件或文件夹不存在" in missing.stderr and "./" not in missing.stderr
    (tmp_path / "空").mkdir()
    empty = subprocess.run([str(exe), "collect", ".//空/", "-o", "s.xlsx"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=60)
    assert empty.returncode == 2 and empty.stderr.rstrip().endswith("的 .zip）：空"), empty.stderr


def test_the_readme_python_example_runs(tmp_path: Path, seed_form, monkeypatch) -> None:
    import re

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Collect"):]
    section = section[: section.index("\n## ", 4)]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.S)
    render_form(seed_form, tmp_path / "returns" / "2023" / "街道" / "fengyang-2023.xlsx")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert (tmp_path / "outputs" / "汇总.xlsx").is_file() and (tmp_path / "outputs" / "tables" / "tasks.csv").is_file()
    assert namespace["rows"][0][1] == seed_form.unit_name


def test_write_summary_at_once_matches_the_streamed_summary(collected, tmp_path: Path) -> None:
    result, out = collected
    again = write_summary(tmp_path / "again.xlsx", result.records)
    a, b = openpyxl.load_workbook(out / "汇总.xlsx"), openpyxl.load_workbook(again)
    rows = lambda wb: list(wb[SHEETS["summary"]].iter_rows(values_only=True))  # noqa: E731
    assert rows(a) == rows(b)


def test_a_summary_left_unfinished_is_not_written(tmp_path: Path) -> None:
    from budgetxl.collect.summary import SummaryBook
    from budgetxl.errors import OutputError

    with pytest.raises(OutputError, match="未写完"), SummaryBook(tmp_path / "s.xlsx") as book:
        book.add(FileRecord("x.xlsx", "unreadable", reason="坏"))
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# Outputs that would destroy a return; folders a careless or hostile sender made


def test_collect_never_writes_over_a_return_or_last_years_files(returns: Path, tmp_path: Path) -> None:
    folder = tmp_path / "r"
    shutil.copytree(returns / "街道", folder)
    previous = tmp_path / "prev"
    shutil.copytree(returns / "街道" / "凤阳", previous)
    before = {p: p.read_bytes() for p in [*folder.rglob("*.xlsx"), *previous.rglob("*.xlsx")]}
    a_return = folder / "凤阳" / "凤阳街道.xlsx"
    for target, extra, message in [
        (a_return, [], "可能是某单位的报表"),  # a return in the collected folder
        (previous / "汇总.xlsx", ["--previous", previous], "上年文件夹"),  # a new file under --previous
        (previous / "凤阳街道.xlsx", ["--previous", previous], "上年文件夹"),  # last year's return
    ]:
        res = subprocess.run([str(Path(sys.executable).parent / "budgetxl"), "collect", str(folder), "-o", str(target),
                              *map(str, extra)], capture_output=True, text=True, timeout=300)
        assert res.returncode == 2, res.stderr
        assert message in res.stderr and "Traceback" not in res.stderr
    assert {p: p.read_bytes() for p in before} == before and not (previous / "汇总.xlsx").exists()
    elsewhere = tmp_path / "not-a-summary.xlsx"
    shutil.copy(a_return, elsewhere)
    with pytest.raises(UsageError, match="不是 budgetxl 写的汇总工作簿"):
        collect([folder], elsewhere)
    assert elsewhere.read_bytes() == before[a_return]


def test_a_summary_is_recognised_and_replaced_on_the_next_run(returns: Path, tmp_path: Path) -> None:
    from budgetxl.collect.summary import is_summary_workbook

    out = tmp_path / "汇总.xlsx"
    collect([returns / "街道"], out, jobs=1)
    assert is_summary_workbook(out)
    collect([returns / "局" / "教育局.xlsx"], out, jobs=1)  # replaced: it is ours
    rows = list(openpyxl.load_workbook(out, data_only=True)[SHEETS["summary"]].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == [display_path(str(returns / "局" / "教育局.xlsx"))]
    assert not is_summary_workbook(returns / "局" / "教育局.xlsx")
    assert not is_summary_workbook(returns / "局" / "截断.xlsx")
    assert not is_summary_workbook(returns / "说明.txt")
    renamed = tmp_path / "renamed.xlsx"
    wb = openpyxl.load_workbook(out)
    wb[SHEETS["summary"]].title = "别的"
    wb.save(renamed)
    assert not is_summary_workbook(renamed)


def test_symlink_loops_and_fifos_in_a_collected_folder_are_skipped_with_a_note(returns: Path, tmp_path: Path) -> None:
    folder = tmp_path / "r"
    shutil.copytree(returns / "街道", folder)
    (folder / "凤阳" / "back-up").symlink_to(folder)  # a loop
    (folder / "self.xlsx").symlink_to(folder / "self.xlsx")  # a link to itself
    (folder / "gone.xlsx").symlink_to(tmp_path / "nowhere.xlsx")  # a broken link
    (folder / "linked.xlsx").symlink_to(folder / "凤阳" / "凤阳街道.xlsx")  # the same file again
    os.mkfifo(folder / "pipe.xlsx")  # reading it would wait forever
    notes: list[str] = []
    files, _ = find_workbooks([folder], notes=notes)
    names = sorted(f.name for f in files)  # the linked copy and its original are one file, read once
    assert names in (["linked.xlsx", "凤阳街道-再次提交.xlsx"], ["凤阳街道-再次提交.xlsx", "凤阳街道.xlsx"])
    said = "\n".join(notes)
    assert "self.xlsx" in said and "循环" in said and "gone.xlsx" in said and "pipe.xlsx" in said and "back-up" in said
    result = collect([folder], tmp_path / "s.xlsx", jobs=1)
    assert len(result.records) == 2 and len(result.notes) == len(notes)
    res = subprocess.run([str(Path(sys.executable).parent / "budgetxl"), "collect", str(folder), "-o", str(tmp_path / "t.xlsx")],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0 and "RuntimeError" not in res.stderr and "pipe.xlsx" in res.stderr


def test_hundreds_of_files_of_one_unit_list_a_count_and_the_first_few() -> None:
    recs = [FileRecord(f"returns/第{i:04d}份.xlsx", "ok", unit_name="X局", year=2023) for i in range(2000)]
    start = time.perf_counter()
    out = mark_duplicates(recs)
    assert time.perf_counter() - start < 2
    assert all(r.n_duplicates == 1999 and len(r.duplicates) == 5 for r in out)
    from budgetxl.collect.summary import duplicates_text

    text = duplicates_text(out[0], "\n")
    assert len(text) < 32_767 and text.endswith("…（共 1999 个）") and "第0001份" in text


def test_control_characters_and_undecodable_bytes_in_file_names_make_a_valid_summary(returns: Path, tmp_path: Path) -> None:
    folder = tmp_path / "r"
    folder.mkdir()
    src = (returns / "街道" / "凤阳" / "凤阳街道.xlsx").read_bytes()
    names = ["a\x1b]0;pwned\x07b.xlsx", "tab\tand\rcr.xlsx", os.fsdecode("报表".encode("gbk") + b".xlsx")]
    for name in names:
        (folder / name).write_bytes(src)
    out = tmp_path / "s.xlsx"
    result = collect([folder], out, csv_dir=tmp_path / "t", jobs=1)
    assert len(result.records) == 3
    wb = openpyxl.load_workbook(out, data_only=True)  # valid XML: openpyxl refused it before
    shown = [row[1] for row in wb[SHEETS["summary"]].iter_rows(min_row=2, values_only=True)]
    assert any(s.endswith("报表.xlsx") for s in shown)  # the GBK name read as GBK
    assert not any(ch in s for s in shown for ch in "\x1b\x07\t\r")
    forms = (tmp_path / "t" / "forms.csv").read_text(encoding="utf-8-sig")
    assert "\x1b" not in forms and "报表.xlsx" in forms
# --------------------------------------------------------------------------------------------
# The summary as a reviewer reads and prints it


def _widths(ws) -> dict[int, float]:
    """Column widths by 1-based column (a run of equal columns is one entry, min..max)."""
    return {c: d.width for d in list(ws.column_dimensions.values()) if d.min and d.max
            for c in range(d.min, d.max + 1)}


def _printed_pt(ws, font_pt: float = 10.0) -> float:
    """The size the sheet's text prints at once it is fitted to one A4 landscape page wide, by
    Excel's measure (a column of w units is 7w + 5 px: the width stored in the file, which
    includes those 5 px, times 7)."""
    from budgetxl.collect.styles import PAGE

    left, right = PAGE["margins"][:2]
    printable_pt = (297 / 25.4 - left - right) * 72
    sheet_pt = sum(7 * w for w in _widths(ws).values()) * 0.75
    return font_pt * min(1.0, printable_pt / sheet_pt)


@pytest.fixture(scope="module")
def compared(returns: Path, tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp") / "汇总.xlsx"
    collect([returns], out, previous=returns, jobs=2)
    return out


def test_summary_wraps_long_texts_and_rows_show_every_line(compared: Path) -> None:
    from budgetxl.text import column_px, text_height_pt

    wb = openpyxl.load_workbook(compared)
    assert wb.sheetnames == [SHEETS["summary"], SHEETS["findings"], SHEETS["compare"]]
    checked = 0
    for ws in wb.worksheets:
        widths = _widths(ws)
        assert len(widths) == ws.max_column and _printed_pt(ws) >= 8.5, (ws.title, widths)
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or cell.value.startswith("="):
                    continue
                assert cell.alignment.wrap_text, (ws.title, cell.coordinate)
                need = text_height_pt(cell.value, column_px(widths[cell.column]), 10)
                assert ws.row_dimensions[cell.row].height >= need - 0.01, (ws.title, cell.coordinate, cell.value)
                checked += 1
    assert checked > 50
    findings = wb[SHEETS["findings"]]
    heads = [c.value for c in findings[1]]
    where = [r[heads.index("位置")] for r in findings.iter_rows(min_row=2, values_only=True) if r[heads.index("位置")]]
    assert where and all("!" in w for w in where)  # sheet and cell, both kept
    fields = [r[heads.index("字段")] for r in findings.iter_rows(min_row=2, values_only=True) if r[heads.index("字段")]]
    assert fields and all(re.fullmatch(r"[^\[\]._a-z]+", f) for f in fields), fields  # in words, not paths


def test_summary_amounts_read_with_two_decimals(compared: Path) -> None:
    wb = openpyxl.load_workbook(compared)
    ws = wb[SHEETS["summary"]]
    keys = [c.key for c in columns("summary")]
    for key in ("expenditures", "revenues", "task_funds"):
        cell = ws.cell(2, keys.index(key) + 1)
        assert cell.number_format == "#,##0.00", key
    compare = wb[SHEETS["compare"]]
    keys = [c.key for c in columns("compare")]
    assert compare.cell(2, keys.index("change") + 1).number_format == "+#,##0.00;-#,##0.00;0.00"
    assert compare.cell(2, keys.index("old_total") + 1).number_format == "#,##0.00"


@pytest.mark.soffice
def test_summary_prints_readable_and_whole(compared: Path, tmp_path: Path, soffice) -> None:
    """Printed (`budgetxl pdf`, LibreOffice): every sheet at 8 pt or more, and no text cut off
    by its row (a cut line is missing from the PDF): unit names, 位置 with its cell, reasons,
    paths."""
    from budgetxl.pdf import export_pdf
    from printed import printed_sizes, printed_text

    pdf = export_pdf(compared, tmp_path / "汇总.pdf")
    sizes = printed_sizes(pdf)
    assert sizes and min(sizes) >= 8.0, sizes
    text = printed_text(pdf)
    wb = openpyxl.load_workbook(compared)
    expected = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2, values_only=True):
            for value in row:
                if isinstance(value, str) and not value.startswith("=") and len(value) > 6:
                    expected.add(re.sub(r"\s+", "", value))
    assert len(expected) > 10
    missing = [v for v in expected if v not in text]
    assert not missing, missing


def test_untouched_and_barely_filled_templates_do_not_pass(tmp_path: Path) -> None:
    """A template sent back untouched, or with only the goal and one indicator per 二级 (no budget
    amounts, no tasks), has errors: check fails and collect counts it 有错误, not 通过."""
    from budgetxl.render.template import make_template

    from template_filling import Person

    folder = tmp_path / "returns"
    folder.mkdir()
    untouched = make_template(folder / "原样.xlsx", "某某区甲局", 2024)
    barely = make_template(folder / "只填目标.xlsx", "某某区乙局", 2024)
    p = Person(barely)
    p.type(f"B{p.row_of('总体绩效目标')}", "完成年度工作。")
    header = p.row_of("一级指标")
    seen = set()
    for row in range(header + 1, p.ws.max_row + 1):
        level2 = p.ws[f"C{row}"].value
        if level2 and level2 not in seen:
            seen.add(level2)
            p.type(f"D{row}", f"{level2}的指标")
            p.type(f"E{row}", "100%")
    p.save()
    assert len(seen) == 9

    report = check_workbook(untouched)
    assert not report.valid
    assert sorted(set(report.codes())) == ["BX103", "BX107", "BX108", "BX109"]
    assert report.codes().count("BX107") == 4
    by_code = {f.code: f for f in report.findings}
    assert by_code["BX108"].cell == "A8" and by_code["BX109"].cell == "A18"  # the blocks' labels
    report = check_workbook(barely)
    assert not report.valid
    assert sorted(f.code for f in report.findings if f.severity == "error") == ["BX107"] * 4 + ["BX108"]
    assert {f.cell for f in report.findings if f.code == "BX107"} == {"D4", "D5", "G4", "G5"}

    result = collect([folder], tmp_path / "汇总.xlsx")
    assert {Path(r.path).name: r.status for r in result.records} == {"原样.xlsx": "errors", "只填目标.xlsx": "errors"}
    assert result.counts["ok"] == 0 and result.counts["errors"] == 2
def test_exports_named_xml_or_htm_are_collected_by_content_and_every_skipped_file_is_named(
        tmp_path: Path, seed_form) -> None:
    from system_exports import grid_of_xlsx, write_html, write_spreadsheetml
    from test_cli import run

    folder = tmp_path / "回执"
    folder.mkdir()
    sheets = grid_of_xlsx(render_form(seed_form, tmp_path / "seed.xlsx"))
    write_spreadsheetml(folder / "甲.xml", sheets)
    write_html(folder / "乙.htm", sheets)
    write_html(folder / "丙.html", sheets, charset="gb2312")
    (folder / "配置.xml").write_text('<?xml version="1.0"?><config><a>1</a></config>', encoding="utf-8")
    (folder / "说明.html").write_text("<html><body><p>请于月底前报送</p></body></html>", encoding="utf-8")
    (folder / "说明.txt").write_text("各单位报表", encoding="utf-8")
    files, others = find_workbooks([folder])
    assert sorted(f.name for f in files) == ["丙.html", "乙.htm", "甲.xml"]
    assert sorted((p.name, why) for p, why in others) == [
        ("说明.html", "网页文件，但其中没有表格"),
        ("说明.txt", "不是电子表格（扩展名 .txt）"),
        ("配置.xml", "XML 文件，但不是 Excel 2003 XML 表格"),
    ]
    out = tmp_path / "汇总.xlsx"
    res = run("collect", str(folder), "-o", str(out))
    assert res.returncode in (0, 1), res.stderr
    assert "共 3 个工作簿" in res.stderr and "跳过 3 个非电子表格文件" in res.stderr
    for name in ("说明.html", "说明.txt", "配置.xml"):
        assert f"跳过 {folder / name}: " in res.stderr
    wb = openpyxl.load_workbook(out)
    rows = [[c.value for c in row] for row in wb["问题清单"].iter_rows(min_row=2)]
    skipped = [r for r in rows if "已跳过" in r]
    assert len(skipped) == 3
    assert any("说明.html" in str(c) for r in skipped for c in r)
    assert any("XML 文件，但不是 Excel 2003 XML 表格，未汇总" in r for r in skipped)


def test_a_worker_hands_over_a_compact_record_and_its_rows_ready_to_write(returns: Path) -> None:
    """What a worker sends the collector for a file: the record without its findings, tasks and
    indicators, the 问题清单 rows laid out, and the tidy tables' rows already encoded — the same
    rows the collector would have made of the full record."""
    from budgetxl.collect import collect_file
    from budgetxl.collect.summary import sheet_rows
    from budgetxl.collect.tidy import cell, file_rows

    path = str(returns / "局" / "教育局.xlsx")
    (full,) = inspect_file(path)
    (one,) = collect_file(path, None, tidy=True)
    assert full.findings and full.tasks and full.indicators
    assert (one.record.findings, one.record.tasks, one.record.indicators, one.record.results) == ((), (), (), ())
    assert one.record.n_tasks == len(full.tasks) and one.record.errors == full.errors
    assert one.csv == file_rows(full)
    assert one.sheet_rows == sheet_rows(full, False)
    assert len(one.sheet_rows[0]) == len(full.findings)
    tasks = list(csv.reader(io.StringIO(one.csv[0].decode("utf-8"), newline="")))
    # the name column, in the file's order (a text that would start a formula is quoted)
    assert [row[5] for row in tasks] == [cell(t[1]) for t in full.tasks]
    assert tasks[0][5] == "'=HYPERLINK(\"http://x\")"
    assert collect_file(path, None, tidy=False)[0].csv is None


def test_a_summary_sheet_keeps_nothing_of_the_rows_it_wrote(tmp_path: Path) -> None:
    """Rows written out are let go (constant memory: the collector's memory does not grow with the
    rows), while every row keeps its height in the file; an amount column is as wide as its widest
    value, whichever row holds it."""
    import xlsxwriter

    from budgetxl.collect.styles import FONT, FORMATS
    from budgetxl.collect.summary import WORKBOOK_OPTIONS, SheetWriter
    from budgetxl.display import amount_text
    from budgetxl.text import fit_width

    path = tmp_path / "rows.xlsx"
    wb = xlsxwriter.Workbook(str(path), {**WORKBOOK_OPTIONS, "tmpdir": str(tmp_path)})
    formats = {name: wb.add_format(props) for name, props in FORMATS.items()}
    sheet = SheetWriter(wb, formats, "summary", tmp_path)
    amounts = [Decimal(7 ** (i * 5 % 12)) + Decimal("0.25") for i in range(300)]  # the widest mid-sheet
    for i, amount in enumerate(amounts, 1):
        sheet.write({"index": i, "unit": "某某局" * (1 + i % 9), "expenditures": amount})
    assert len(sheet.ws.row_info) <= 2 and len(sheet.ws.row_sizes) <= 2
    sheet.finish()
    wb.close()
    ws = openpyxl.load_workbook(path)[SHEETS["summary"]]
    heights = {ws.row_dimensions[r].height for r in range(2, 302)}
    assert len(heights) > 1 and None not in heights  # each row its own height, none lost
    keys = [c.key for c in columns("summary")]
    col = columns("summary")[keys.index("expenditures")]
    letter = openpyxl.utils.get_column_letter(keys.index("expenditures") + 1)
    expected = fit_width([amount_text(a) for a in amounts], FONT["font_size"], minimum=col.width)
    assert expected > col.width
    assert ws.column_dimensions[letter].width == pytest.approx(expected, abs=0.72)

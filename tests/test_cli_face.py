"""The command line's face: help in Chinese that wraps by display width, the parser's own errors
in Chinese, -h, --version, outputs named for what they are, the progress bar's words."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import typer
import yaml
from rich.console import Console
from typer.testing import CliRunner

from budgetxl.cli import (
    app,
    commands,  # noqa: F401 - registers the commands
)
from budgetxl.text import display_width

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inputs" / "fengyang-2023.yaml"
runner = CliRunner()


def command_names() -> list[str]:
    return sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def run(*args: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("budgetxl")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from budgetxl.cli import main; main()"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "COLUMNS": str(columns)})


# English words that would give away a help or a message left untranslated.
ENGLISH = re.compile(r"\b(the|and|of|to|with|for|or|an?|is|Show|Output|Usage|Options|Arguments|Commands|required|"
                     r"default|Error|Missing|Invalid|Try|No such|Got|unexpected|argument|option|value)\b")


def _prose(text: str) -> str:
    """Text without what stays English on purpose: option names, file names, paths, formats, codes."""
    text = re.sub(r"--?[a-zA-Z][-a-zA-Z]*", "", text)
    text = re.sub(r"\b[\w<>-]*\.(xlsx|xlsm|xls|ods|yaml|yml|json|csv|html|pdf|j2)\b", "", text)
    for keep in ("budgetxl", "LibreOffice", "JSON Schema", "JSON", "YAML", "CSV", "Excel", "UTF-8", "GBK", "PDF",
                 "guangdong", "zhanjiang", "zh", "en", "forms", "tasks", "indicators", "findings", "templates/",
                 "A4", "true", "false"):
        text = text.replace(keep, "")
    return text


@pytest.mark.parametrize("name", ["", *command_names()])
def test_every_help_is_chinese(name):
    args = [name, "--help"] if name else ["--help"]
    res = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    text = res.stdout
    assert text.startswith("用法：budgetxl")
    assert not ENGLISH.search(_prose(text)), ENGLISH.search(_prose(text))
    # every option and argument has a Chinese description
    body = text.split("选项：", 1)[1]
    for line in body.splitlines():
        if line.strip().startswith("-"):
            assert re.search(r"[\u4e00-\u9fff]", line), line
    assert "显示本帮助并退出" in text and "-h, --help" in text
    assert runner.invoke(app, [name, "-h"] if name else ["-h"], env={"COLUMNS": "80"}).stdout == text


def _declared_words(name: str) -> set[str]:
    """The Latin words and numbers of a command's own help texts (its docstring, each option's)."""
    group = typer.main.get_command(app)
    command = group.commands[name] if name else group  # type: ignore[attr-defined]
    texts = [command.help or "", *(getattr(p, "help", "") or "" for p in command.params)]
    return {w for t in texts for w in re.findall(r"[!-~]{2,}", t) if not w.startswith(("（", "("))}


@pytest.mark.parametrize("columns", [50, 80])
@pytest.mark.parametrize("name", ["", "check", "template", "collect", "read"])
def test_help_wraps_by_display_width_and_never_splits_a_word(name, columns):
    res = run(*([name] if name else []), "-h", columns=columns)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert all(display_width(line) <= max(columns, 50) for line in lines), [
        line for line in lines if display_width(line) > columns]
    for word in _declared_words(name):
        word = word.strip("，。；：（）“”")
        assert any(word in line for line in lines), (word, res.stdout)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["diff"], "缺少参数 上年表"),
        (["check", "--nope", "x.xlsx"], "没有这个选项：--nope"),
        (["render", "--jobs", "x"], "选项 --jobs / -j 的值不对：应为整数"),
        (["render", "--jobs", "0"], "选项 --jobs / -j 的值不对：应不小于 1"),
        (["template", "--year", "3000", "--unit", "某局"], "选项 --year 的值不对：应在 1900 到 2200 之间"),
        (["template", "--unit", "某局"], "缺少选项 --year"),
        (["read", "a.xlsx", "b.xlsx"], "多余的参数：b.xlsx"),
        (["templat"], "没有这个命令：templat（是不是要用 template？）"),
        (["render", "-o"], "选项 -o 后面需要一个值"),
        (["check", "--json=yes", "x.xlsx"], "选项 --json 不带值"),
        (["collect", "x", "--csv-lang", "fr"], "选项 --csv-lang 的值不对：不是可选的值"),
    ],
)
def test_parser_errors_are_chinese_like_budgetxls_own(args, says):
    res = run(*args)
    assert res.returncode == 2, res.stderr
    assert f"错误：{says}" in res.stderr, res.stderr
    assert not ENGLISH.search(_prose(res.stderr)), res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_version():
    res = run("--version")
    assert res.returncode == 0 and res.stdout.strip() == f"budgetxl {version('budgetxl')}"
    assert run("-V").stdout == res.stdout


# --------------------------------------------------------------------------------------------
# Outputs named for what they are


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wb") / "form.xlsx"
    assert run("render", str(EXAMPLE), "-o", str(out)).returncode == 0
    return out


def test_read_writes_json_for_json_and_yaml_for_yaml(workbook, tmp_path):
    from budgetxl.model import load_form

    for name in ("form.json", "form.yaml", "form.yml", "FORM.JSON"):
        out = tmp_path / name
        res = run("read", str(workbook), "-o", str(out))
        assert res.returncode == 0, res.stderr
        text = out.read_text(encoding="utf-8")
        if name.lower().endswith(".json"):
            assert json.loads(text)["unit_name"] == "广州市海珠区人民政府凤阳街道办事处"
        else:
            assert text.lstrip().startswith("year:") and yaml.safe_load(text)["year"] == 2023
        assert load_form(out) == load_form(EXAMPLE)  # render reads it back


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["read", "{wb}", "-o", "{tmp}/form.txt"], "表单数据应保存为 .json 或 .yaml 或 .yml 文件"),
        (["render", str(EXAMPLE), "-o", "{tmp}/form.pdf"], "生成的工作簿应保存为 .xlsx 文件"),
        (["template", "--unit", "某局", "--year", "2024", "-o", "{tmp}/t.pdf"], "模板应保存为 .xlsx 文件"),
        (["schema", "-o", "{tmp}/schema.yaml"], "应保存为 .json 文件"),
    ],
)
def test_an_output_whose_name_does_not_match_is_refused(workbook, tmp_path, args, says):
    args = [a.format(wb=workbook, tmp=tmp_path) for a in args]
    res = run(*args)
    assert res.returncode == 2 and says in res.stderr, res.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_workbook_given_to_render_points_to_read_then_render(workbook, tmp_path):
    res = run("render", str(workbook), "-o", str(tmp_path / "again.xlsx"))
    assert res.returncode == 2
    assert f"budgetxl read {workbook} -o {workbook.with_suffix('.yaml')}" in res.stderr
    assert f"budgetxl render {workbook.with_suffix('.yaml')}" in res.stderr and f"budgetxl pdf {workbook}" in res.stderr
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------------
# The progress bar


def test_the_progress_bar_labels_its_times():
    from budgetxl.batch import PROGRESS_LABELS, _Progress

    bar = _Progress(True, 300, "读取并审核工作簿")
    try:
        for _ in range(12):
            bar.advance()
        buf = io.StringIO()
        Console(file=buf, width=120).print(bar.bar.get_renderable())  # type: ignore[union-attr]
    finally:
        bar.close()
    line = buf.getvalue().splitlines()[0]
    assert re.search(r"12/300 已用 \d+:\d\d:\d\d 剩余 (\d+:\d\d:\d\d|-:--:--)", line), line
    assert PROGRESS_LABELS == {"elapsed": "已用", "remaining": "剩余"}


# --------------------------------------------------------------------------------------------
# What the helps say is taken


@pytest.mark.parametrize("name", ["read", "check", "collect"])
def test_helps_say_every_kind_of_workbook_taken(name):
    text = "".join(runner.invoke(app, [name, "--help"], env={"COLUMNS": "200"}).stdout.split())
    for kind in (".xlsx", ".xlsm", ".xls", ".et", ".ods", "Excel2003XML", "网页格式"):
        assert kind in text, (name, kind)
    if name in ("check", "collect"):
        assert ".zip" in text


def test_collect_help_names_every_sheet_it_writes():
    from budgetxl.collect.projects import SHEETS as PROJECT_SHEETS
    from budgetxl.collect.selfeval import SHEETS as SELFEVAL_SHEETS
    from budgetxl.collect.styles import SHEETS

    text = "".join(runner.invoke(app, ["collect", "--help"], env={"COLUMNS": "200"}).stdout.split())
    for sheet in (*SHEETS.values(), *PROJECT_SHEETS.values(), *SELFEVAL_SHEETS.values()):
        assert f"“{sheet}”" in text, sheet


def test_diff_and_top_level_helps_speak_of_every_form():
    diff = "".join(runner.invoke(app, ["diff", "--help"], env={"COLUMNS": "200"}).stdout.split())
    assert "两个文件夹" in diff and "按项目代码和名称配对" in diff
    top = "".join(runner.invoke(app, ["--help"], env={"COLUMNS": "200"}).stdout.split())
    for title in ("部门整体预算绩效目标表", "项目支出绩效目标表", "绩效自评表"):
        assert title in top


def test_an_unknown_schema_kind_is_a_usage_error():
    res = run("schema", "--kind", "foo")
    assert res.returncode == 2 and res.stdout == ""
    assert "错误：--kind: 不认识的表格种类“foo”" in res.stderr and "kind: kind" not in res.stderr
    for kind in ("department", "project", "selfeval"):
        assert kind in res.stderr
    assert "Traceback" not in res.stderr

"""The command line as a person uses it: exit codes, clean messages, nothing half-written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from budgetxl.cli import (
    app,
    commands,  # noqa: F401 - registers the commands
)
from budgetxl.cli.app import main  # noqa: F401 - importing registers nothing by itself

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed console script the way a person does."""
    exe = Path(sys.executable).with_name("budgetxl")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from budgetxl.cli import main; main()"]
    return subprocess.run(cmd + list(args), cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "120"})


def command_names() -> list[str]:
    import typer.main

    group = typer.main.get_group(app)
    return sorted(group.commands)


def test_render_without_arguments_renders_the_bundled_example(tmp_path):
    res = run("render", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    out = tmp_path / "outputs" / "fengyang-2023.xlsx"
    assert out.is_file() and out.stat().st_size > 5000
    assert res.stdout.strip() == str(Path("outputs") / "fengyang-2023.xlsx")


def test_render_several_inputs_to_a_folder(tmp_path, seed_form):
    a, b = tmp_path / "a.yaml", tmp_path / "b.json"
    a.write_text(seed_form.to_yaml(), encoding="utf-8")
    b.write_text(seed_form.to_json(), encoding="utf-8")
    res = run("render", str(a), str(b), "--out-dir", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.xlsx", "b.xlsx"]


BAD = "year: 2023\nunit_name: 某局\nbudget:\n  expenditures: [{name: 基本支出, amount: -1}]\n  revenues: []\noverall_goal: 目标\ntasks:\n  - {group: key, name: a}\n  - {group: key, name: b}\n  - {group: key, name: c}\n  - {group: key, name: d, funds: 一千}\n"


def test_bad_input_names_file_and_field_and_writes_nothing(tmp_path, seed_form):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    existing = tmp_path / "out.xlsx"
    existing.write_bytes(b"old workbook")
    res = run("render", str(bad), "-o", str(existing))
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert str(bad) in res.stderr
    assert "tasks[3].funds" in res.stderr and "budget.expenditures[0].amount" in res.stderr
    assert existing.read_bytes() == b"old workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "out.xlsx"]


def test_one_bad_input_among_several_writes_none(tmp_path, seed_form):
    good = tmp_path / "good.yaml"
    good.write_text(seed_form.to_yaml(), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: [", encoding="utf-8")
    res = run("render", str(good), str(bad), "--out-dir", str(tmp_path / "out"))
    assert res.returncode == 1
    assert "bad.yaml" in res.stderr and "YAML" in res.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_debug_shows_the_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: [", encoding="utf-8")
    assert "Traceback" not in run("render", str(bad)).stderr
    assert "Traceback" in run("render", str(bad), "--debug").stderr


def test_usage_errors_exit_2(tmp_path):
    res = run("render", "--no-such-option")
    assert res.returncode == 2


def test_schema_command_prints_json_schema():
    res = runner.invoke(app, ["schema"])
    assert res.exit_code == 0
    assert '"unit_name"' in res.stdout


@pytest.mark.parametrize("name", command_names())
def test_every_command_has_help_and_is_in_the_readme(name):
    res = runner.invoke(app, [name, "--help"])
    assert res.exit_code == 0
    assert len(res.stdout) > 100
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"budgetxl {name}" in readme, f"README does not show `budgetxl {name}`"


def test_outputs_get_the_usual_file_mode(tmp_path, seed_form):
    from budgetxl.render import render_form

    old = os.umask(0o022)
    try:
        out = render_form(seed_form, tmp_path / "mode.xlsx")
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


def test_a_broken_templates_folder_is_one_clear_message(tmp_path):
    """A data file of templates/ missing or malformed: named, exit 2, no traceback, nothing written."""
    import shutil

    folder = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", folder)
    (folder / "frameworks.yaml").write_text("frameworks: [\n", encoding="utf-8")
    env = {**os.environ, "BUDGETXL_TEMPLATES": str(folder)}
    exe = Path(sys.executable).with_name("budgetxl")
    res = subprocess.run([str(exe), "render", "-o", str(tmp_path / "x.xlsx")], capture_output=True, text=True,
                         env=env, timeout=120)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert "frameworks.yaml" in res.stderr and "指标体系文件格式错误" in res.stderr
    assert not (tmp_path / "x.xlsx").exists()


# ---------------------------------------------------------------------------------------------
# Text from outside on the terminal


def test_terminal_escapes_in_file_names_never_reach_the_terminal(tmp_path, seed_form):
    from budgetxl.render import render_form

    hostile = tmp_path / "a\x1b]0;pwned\x07\x1b[2Jb\u202egpj.xlsx"
    render_form(seed_form, hostile)
    gbk = tmp_path / os.fsdecode("报表".encode("gbk") + b".xlsx")  # a name unpacked from a zip made on Windows
    render_form(seed_form, gbk)
    for args in (["check", str(hostile), str(gbk)], ["read", str(tmp_path / "x\x9b31m.xlsx")],
                 ["check", str(gbk), "--json"]):
        res = subprocess.run([str(Path(sys.executable).with_name("budgetxl")), *args], capture_output=True, timeout=300)
        out = res.stdout + res.stderr
        assert b"Traceback" not in out and b"UnicodeEncodeError" not in out, out
        for raw in (b"\x1b]", b"\x1b[2J", b"\x07", "\u202e".encode(), "\x9b".encode()):
            assert raw not in out, (args, out)
        if "--json" in args:
            assert json.loads(res.stdout)["source"].endswith(".xlsx")  # still valid JSON
    res = subprocess.run([str(Path(sys.executable).with_name("budgetxl")), "read", str(hostile)], capture_output=True, text=True, timeout=300)
    assert "\\u001b]0;pwned\\u0007" in res.stderr or res.returncode == 0


def test_the_console_escapes_text_but_keeps_its_own_styles():
    import io

    from rich.text import Text

    from budgetxl.cli.app import SafeConsole

    buf = io.StringIO()
    console = SafeConsole(file=buf, force_terminal=True, color_system="standard", width=200)
    console.print(Text("a\x1b[31mb\x9bc\u202ed", style="bold"))
    out = buf.getvalue()
    assert "\\u001b[31m" in out and "\\u009b" in out and "\\u202e" in out and "\x9b" not in out
    assert out.startswith("\x1b[1m")  # the console's own bold is still there


def test_jobs_past_four_per_core_are_lowered_with_a_note(tmp_path, seed_form):
    from budgetxl.batch import JOBS_PER_CORE, default_jobs

    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for p in (a, b):
        p.write_text(seed_form.to_yaml(), encoding="utf-8")
    res = run("render", str(a), str(b), "--out-dir", str(tmp_path / "out"), "--jobs", "300")
    assert res.returncode == 0, res.stderr
    assert f"按 {JOBS_PER_CORE * default_jobs()} 个进程运行" in res.stderr


def test_commands_load_only_what_they_use():
    """Registering every command (what `budgetxl -h` does) loads none of the commands' work:
    no pydantic, numpy, scipy, rich, openpyxl, calamine, jinja2 or rapidfuzz; a render adds
    pydantic and xlsxwriter but none of the others."""
    heavy = ("pydantic", "numpy", "scipy", "rich", "openpyxl", "python_calamine", "jinja2", "rapidfuzz", "xlsxwriter")
    probe = ("import sys\nfrom budgetxl.cli import app, commands\n"
             "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:]))))")
    res = subprocess.run([sys.executable, "-c", probe, *heavy], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == []
    seed = ROOT / "inputs" / "fengyang-2023.yaml"
    render = ("import sys\nfrom budgetxl.cli import main\nargs = sys.argv[1:]\n"
              f"sys.argv = ['budgetxl', 'render', {str(seed)!r}, '-o', args.pop(0)]\n"
              "try:\n    main()\nexcept SystemExit:\n    pass\n"
              "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & set(args))), file=sys.stderr)")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "seed.xlsx"
        res = subprocess.run([sys.executable, "-c", render, str(out), *heavy], capture_output=True, text=True,
                             timeout=120)
        assert out.is_file(), res.stderr
    assert res.stderr.split() == ["pydantic", "xlsxwriter"]


def test_a_plain_line_is_written_as_the_console_would_write_it(capsys):
    """The commands' consoles write a plain line straight to the stream, byte for byte what rich
    writes; anything else (an emoji code, a tab, a control character, markup on) goes through rich."""
    import io

    from budgetxl.cli.safe_console import LazyConsole, safe_console_class

    for text in ["/tmp/某局 2024.xlsx", "错误：文件不存在", "  lead and trail  ", "", "两行\n文字", "[bold]x[/bold]", "宽" * 120]:
        for terminal in (False, True):
            buf = io.StringIO()
            safe_console_class()(file=buf, soft_wrap=True, force_terminal=terminal, width=80).print(
                text, markup=False, highlight=False)
            lazy = LazyConsole(soft_wrap=True)
            lazy.print(text, markup=False, highlight=False)
            assert lazy._console is None  # rich was not needed
            assert capsys.readouterr().out == buf.getvalue()
    for text in ["a :smile: b", "a\tb", "a\x1b[31mb"]:
        lazy = LazyConsole(soft_wrap=True)
        lazy.print(text, markup=False, highlight=False)
        assert lazy._console is not None
        buf = io.StringIO()
        safe_console_class()(file=buf, soft_wrap=True, width=80).print(text, markup=False, highlight=False)
        assert capsys.readouterr().out == buf.getvalue()

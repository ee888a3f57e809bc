"""Outputs as a careless or hostile user names them: an input, a device, a FIFO, a folder, standard
output, a full disk. Nothing lost, nothing half-written, one clear message and the documented
exit code (2 for an output naming an input, 1 for an output that cannot be written)."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from budgetxl.cli import (
    app,
    commands,  # noqa: F401 - registers the commands
)
from budgetxl.errors import OutputError, UsageError
from budgetxl.fileio import Staging, atomic_path, refuse_inputs, same_file, write_text_atomic
from budgetxl.render import render_form

runner = CliRunner()


def cli(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def run(*args: object, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    """The installed console script, as a person runs it (signals, real standard streams)."""
    exe = Path(sys.executable).with_name("budgetxl")
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "120", **(env or {})}, **kw)


@pytest.fixture
def files(tmp_path: Path, seed_form) -> dict[str, Path]:
    """A form file, the workbook rendered from it, and a second form."""
    form = tmp_path / "form.yaml"
    form.write_text(seed_form.to_yaml(), encoding="utf-8")
    book = render_form(seed_form, tmp_path / "book.xlsx")
    other = tmp_path / "other.json"
    other.write_text(seed_form.to_json(), encoding="utf-8")
    return {"form": form, "book": book, "other": other}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------------------------
# 1. An output that is one of the inputs


def links(files: dict[str, Path]) -> dict[str, Path]:
    folder = files["form"].parent
    (folder / "link.yaml").symlink_to(files["form"])
    os.link(files["form"], folder / "hard.yaml")
    (folder / "booklink.xlsx").symlink_to(files["book"])
    (folder / "sub").mkdir()
    return {"link": folder / "link.yaml", "hard": folder / "hard.yaml", "booklink": folder / "booklink.xlsx",
            "dotted": folder / "sub" / ".." / "form.yaml"}


COMMANDS = {
    "render -o the form": lambda f, ln: ["render", f["form"], "-o", f["form"]],
    "render -o a symlink to it": lambda f, ln: ["render", f["form"], "-o", ln["link"]],
    "render -o a hard link of it": lambda f, ln: ["render", f["form"], "-o", ln["hard"]],
    "render -o the same path written otherwise": lambda f, ln: ["render", f["form"], "-o", ln["dotted"]],
    "read -o the workbook": lambda f, ln: ["read", f["book"], "-o", f["book"]],
    "read -o a symlink to it": lambda f, ln: ["read", f["book"], "-o", ln["booklink"]],
    "diff -o the newer": lambda f, ln: ["diff", f["form"], f["book"], "-o", f["book"]],
    "diff --html a link to an input": lambda f, ln: ["diff", f["form"], f["other"], "--html", _html_link(f["other"])],
    "template --from -o": lambda f, ln: ["template", "--from", f["book"], "--year", "2024", "-o", f["book"]],
    "check --annotate a link": lambda f, ln: ["check", f["book"], "--annotate", ln["booklink"]],
    "check --html a link": lambda f, ln: ["check", f["form"], "--html", _html_link(f["form"])],
    "pdf -o a link to the input": lambda f, ln: ["pdf", f["book"], "-o", _pdf_link(f["book"])],
}


def _html_link(target: Path) -> Path:
    link = target.with_name(target.name + ".html")
    link.symlink_to(target)
    return link


def _pdf_link(target: Path) -> Path:
    link = target.with_name("book-link.pdf")
    link.symlink_to(target)
    return link


@pytest.mark.parametrize("how", list(COMMANDS))
def test_an_output_naming_an_input_is_refused_and_the_input_kept(files, how: str) -> None:
    folder = files["form"].parent
    names = links(files)
    args = COMMANDS[how](files, names)
    before = snapshot(folder)
    res = cli(*args)
    assert res.exit_code == 2, res.output
    assert "输出文件就是输入文件" in res.stderr and "Traceback" not in res.output
    assert snapshot(folder) == before


def test_same_file_sees_links_and_spellings(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    a.write_text("x")
    (tmp_path / "s").symlink_to(a)
    os.link(a, tmp_path / "h")
    assert same_file(a, tmp_path / "s") and same_file(a, tmp_path / "h") and same_file(a, tmp_path / "." / "a.txt")
    assert not same_file(a, tmp_path / "b.txt")
    assert same_file(tmp_path / "new.txt", tmp_path / "x" / ".." / "new.txt")  # neither exists yet
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    assert not same_file(loop, a)
    with pytest.raises(UsageError, match="同一个文件"):
        refuse_inputs([tmp_path / "h"], [a])
    refuse_inputs([None, "-", tmp_path / "b.txt"], [a, None])


# ---------------------------------------------------------------------------------------------
# 3. Devices, FIFOs, standard output, folders, sockets


def test_render_onto_dev_null_writes_through_and_keeps_the_device(files) -> None:
    res = cli("render", files["form"], "-o", "/dev/null")
    assert res.exit_code == 0, res.output
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not list(Path("/dev").glob(".null.*.tmp"))


def test_a_full_device_is_one_message_and_keeps_the_device(files) -> None:
    res = cli("read", files["book"], "-o", "/dev/full")
    assert res.exit_code == 1
    errors = [line for line in res.stderr.splitlines() if line.startswith("错误")]
    assert len(errors) == 1 and errors[0].startswith("错误：磁盘空间不足") and "/dev/full" in errors[0]
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_fifo_is_written_directly(files, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    res = cli("read", files["book"], "-o", fifo)
    reader.join(timeout=30)
    assert res.exit_code == 0, res.output
    assert got and got[0].decode("utf-8").startswith("year: 2023")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_dash_is_standard_output_for_text_and_refused_for_workbooks(files) -> None:
    res = cli("read", files["book"], "-o", "-")
    assert res.exit_code == 0 and res.stdout.startswith("year: 2023") and "已写入" not in res.stderr
    res = cli("schema", "-o", "-")
    assert res.exit_code == 0 and '"$schema"' in res.stdout
    for args in (["render", files["form"], "-o", "-"], ["diff", files["form"], files["other"], "-o", "-"],
                 ["pdf", files["book"], "-o", "-"]):
        res = cli(*args)
        assert res.exit_code == 2 and ("标准输出" in res.stderr or "应保存为 .xlsx" in res.stderr), (args, res.output)
    assert not Path("-").exists()


def test_dev_stdout_writes_through_the_pipe(files) -> None:
    res = run("read", files["book"], "-o", "/dev/stdout")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("year: 2023")
    assert os.path.islink("/dev/stdout")


def test_a_symlinked_output_replaces_the_file_it_points_at(files, tmp_path: Path) -> None:
    real = tmp_path / "real.xlsx"
    real.write_bytes(b"old")
    link = tmp_path / "out.xlsx"
    link.symlink_to(real)
    assert cli("render", files["form"], "-o", link).exit_code == 0
    assert link.is_symlink() and real.read_bytes()[:2] == b"PK"


def test_a_folder_or_a_socket_as_output_is_refused(files, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.xlsx"
    folder.mkdir()
    res = cli("render", files["form"], "-o", folder)
    assert res.exit_code == 1 and "这是一个文件夹" in res.stderr and "Excel" not in res.stderr
    sock_path = tmp_path / "s.xlsx"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        res = cli("render", files["form"], "-o", sock_path)
        assert res.exit_code == 1 and "不是普通文件" in res.stderr
        assert stat.S_ISSOCK(os.stat(sock_path).st_mode)
    finally:
        sock.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# ---------------------------------------------------------------------------------------------
# 10. A full disk


def _fail_writes(monkeypatch, where: str = "budgetxl.fileio.os.replace") -> None:
    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(where, full)


def test_a_full_disk_while_committing_is_one_message_and_leaves_nothing(files, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "new" / "deeper" / "out.xlsx"
    _fail_writes(monkeypatch)
    before = snapshot(tmp_path)
    res = cli("render", files["form"], "-o", out)
    assert res.exit_code == 1
    errors = [line for line in res.stderr.splitlines() if line.startswith("错误")]
    assert len(errors) == 1 and errors[0].startswith("错误：磁盘空间不足") and str(out) in errors[0]
    assert "Traceback" not in res.output
    assert snapshot(tmp_path) == before and not (tmp_path / "new").exists()  # the folders made for it are gone


def test_a_full_disk_while_writing_is_caught_however_the_writer_wraps_it(tmp_path: Path) -> None:
    import xlsxwriter.exceptions

    target = tmp_path / "x.xlsx"
    with pytest.raises(OutputError, match="磁盘空间不足"), atomic_path(target):
        raise xlsxwriter.exceptions.FileCreateError(OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(OutputError, match="磁盘空间不足"), atomic_path(target) as tmp, open(tmp, "wb"):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FileNotFoundError), atomic_path(target):  # an error about something else stays what it is
        (tmp_path / "no-such-input").read_bytes()
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 64 KB tmpfs, full; skipped where mounting is not permitted."""
    mount = tmp_path / "disk"
    mount.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({res.stderr.strip() or 'not permitted'})")
    try:
        with open(mount / "filler", "wb", buffering=0) as fh, pytest.raises(OSError):  # filled to the last byte
            for _ in range(1024):
                fh.write(b"\0" * 1024)
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_every_command_on_a_full_disk_says_so_once_and_leaves_nothing(files, small_disk: Path, tmp_path: Path) -> None:
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    returns = tmp_path / "returns"
    returns.mkdir()
    shutil.copy(files["book"], returns / "a.xlsx")
    runs = [
        ["render", files["form"], "-o", small_disk / "r.xlsx"],
        ["read", files["book"], "-o", small_disk / "r.yaml"],
        ["diff", files["form"], files["other"], "-o", small_disk / "d.xlsx"],
        ["diff", files["form"], files["other"], "--html", small_disk / "d.html"],
        ["template", "--unit", "某局", "--year", "2024", "-o", small_disk / "t.xlsx"],
        ["check", files["book"], "--annotate", small_disk / "a.xlsx"],
        ["check", files["book"], "--html", small_disk / "c.html"],
        ["collect", returns, "-o", small_disk / "s.xlsx", "--csv", small_disk / "tables"],
        ["schema", "-o", small_disk / "schema.json"],
        ["template", "--units", Path(__file__).resolve().parents[1] / "inputs" / "units-2024.csv", "--year", "2024",
         "--out-dir", small_disk / "templates", "--jobs", "1"],
    ]
    if shutil.which("soffice") or shutil.which("libreoffice"):
        runs.append(["pdf", files["book"], "-o", small_disk / "p.pdf"])
    for args in runs:
        res = run(*args, env={"TMPDIR": str(private_tmp)})
        assert "Traceback" not in res.stderr, (args, res.stderr)
        assert res.returncode == 1, (args, res.returncode, res.stderr)
        assert "磁盘空间不足" in res.stderr, (args, res.stderr)
        assert sorted(p.name for p in small_disk.iterdir()) == ["filler"], args
        assert list(private_tmp.iterdir()) == [], args  # xlsxwriter's temporary files too


def test_standard_output_on_a_full_disk_is_one_message(files) -> None:
    with open("/dev/full", "w") as full:
        res = subprocess.run([str(Path(sys.executable).with_name("budgetxl")), "read", str(files["book"]), "--json"],
                             stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert res.returncode == 1
    assert "磁盘空间不足" in res.stderr and "标准输出" in res.stderr and "Traceback" not in res.stderr


# ---------------------------------------------------------------------------------------------
# 15. Several outputs: all of them or none


def test_staged_outputs_are_committed_together_or_rolled_back(tmp_path: Path, monkeypatch) -> None:
    a, b, c = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "sub" / "c.txt"
    a.write_text("old a")
    b.write_text("old b")
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if Path(dst) == c:
            raise OSError(errno.EACCES, "Permission denied")
        return real_replace(src, dst)

    monkeypatch.setattr("budgetxl.fileio.os.replace", replace)
    with pytest.raises(OutputError, match=r"c\.txt"), Staging() as staging:
        for target in (a, b, c):
            Path(staging.add(target)).write_text("new")
    assert a.read_text() == "old a" and b.read_text() == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]  # no temp, no backup, no sub/
    monkeypatch.setattr("budgetxl.fileio.os.replace", real_replace)
    with Staging() as staging:
        for target in (a, b, c):
            Path(staging.add(target)).write_text("new")
    assert a.read_text() == b.read_text() == c.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt", "sub"]


def test_write_text_atomic_keeps_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    write_text_atomic(tmp_path / "r.html", "file \udcb1\udca8.xlsx")
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == "file ??.xlsx"


def test_a_set_of_templates_is_never_renamed_over_a_fifo(tmp_path: Path) -> None:
    from budgetxl.render.template import make_templates, template_file_name
    from budgetxl.units import UnitRow

    out = tmp_path / "templates"
    out.mkdir()
    fifo = out / template_file_name("某局", 2024)
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="特殊文件"):
        make_templates([UnitRow(2, "某局"), UnitRow(3, "某处")], 2024, out, jobs=1)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and sorted(p.name for p in out.iterdir()) == [fifo.name]

"""Every budgetxl command shown in README.md runs, from a folder laid out like a checkout."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


RAN: set[int] = set()  # README commands (by their place in the README) already run in the shared folder


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```(?:bash|sh)\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("budgetxl "):
                out.append(line)
    return out


def test_readme_shows_the_two_setup_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install -e . && budgetxl render" in text
    assert "pip install -e '.[test]' && pytest" in text
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[test]' && pytest" in ci


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """One folder laid out like a checkout (inputs/, templates/, ../shared), shared by the README's
    commands in the order the README gives them, as a newcomer would type them."""
    base = tmp_path_factory.mktemp("readme")
    work = base / "checkout"
    work.mkdir()
    for name in ("inputs", "templates"):
        (work / name).symlink_to(ROOT / name)
    shared = ROOT.parent / "shared"
    if shared.is_dir():
        (base / "shared").symlink_to(shared)
    return work


def _path_env() -> dict[str, str]:
    return {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}


def run_earlier_commands(workdir: Path, upto: int) -> None:
    """Run the README's commands before number `upto` that have not run yet in `workdir`, so that a
    command finds what the README made before it even when it is chosen alone (pytest -k, -m)."""
    for index, line in enumerate(readme_commands()[:upto]):
        if index in RAN or (line.startswith("budgetxl pdf") and not shutil.which("soffice")):
            continue
        subprocess.run(["bash", "-c", line], cwd=workdir, env=_path_env(), capture_output=True, timeout=600)
        RAN.add(index)


def _command_params() -> list:
    """One test per README command; those that print through LibreOffice are marked so."""
    return [pytest.param(index, line, id=line, marks=[pytest.mark.soffice] if line.startswith("budgetxl pdf") else [])
            for index, line in enumerate(readme_commands())]


@pytest.mark.slow
@pytest.mark.parametrize("index, line", _command_params())
def test_readme_command_runs(workdir, index, line):
    tmp_path = workdir
    if "../shared" in line and not (tmp_path.parent / "shared").exists():
        pytest.skip("the example uses ../shared, which is not beside this checkout")
    if line.startswith("budgetxl pdf") and not shutil.which("soffice") and not IN_CI:
        pytest.skip("budgetxl pdf needs LibreOffice: apt-get install -y libreoffice-calc-nogui fonts-noto-cjk")
    expected = 0
    m = re.search(r"#\s*exits?\s+(\d)", line)
    if m:
        expected = int(m.group(1))
    run_earlier_commands(tmp_path, index)
    res = subprocess.run(["bash", "-c", line], cwd=tmp_path, env=_path_env(), capture_output=True, text=True, timeout=600)
    RAN.add(index)
    assert "Traceback" not in res.stderr
    assert res.returncode == expected, f"{line}\nstdout: {res.stdout[-2000:]}\nstderr: {res.stderr[-2000:]}"


@pytest.mark.soffice  # the PDF example prints through LibreOffice
def test_readme_python_examples_run(workdir):
    """Every Python example of the README, in order, in the folder the commands above worked in."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    if not (workdir.parent / "shared").exists():
        pytest.skip("the examples use ../shared, which is not beside this checkout")
    run_earlier_commands(workdir, len(readme_commands()))  # what the examples build on
    for block in blocks:
        if "export_pdf" in block and not shutil.which("soffice") and not IN_CI:
            continue  # needs LibreOffice; the pdf tests say so
        res = subprocess.run([sys.executable, "-c", block], cwd=workdir, capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, f"{block}\n{res.stderr[-3000:]}"

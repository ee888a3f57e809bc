"""budgetxl installs anywhere: the data files ship in the package, one rule says which copy is
read, and the built wheel works in a fresh environment (.ci/wheel-smoke)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from budgetxl import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "budgetxl"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_data_file_is_declared_for_the_wheel():
    setup = _pyproject()["tool"]["setuptools"]
    assert "packages" not in setup, "setup.py lists the packages (found under src/, plus the data folders)"
    for package, folder in (("budgetxl.templates", "templates"), ("budgetxl.inputs", "inputs")):
        assert setup["package-dir"][package] == folder
        assert f'"{package}"' in (ROOT / "setup.py").read_text(encoding="utf-8")
    # Every file of templates/ (in its subfolders too: profiles/) matches a pattern that ships it,
    # a pattern of as many parts as the file's path (setuptools' * does not cross a folder).
    patterns = setup["package-data"]["budgetxl.templates"]
    for path in (ROOT / "templates").rglob("*"):
        if path.is_dir():
            continue
        rel = path.relative_to(ROOT / "templates")
        assert any(len(rel.parts) == len(PurePosixPath(p).parts) and rel.match(p) for p in patterns), (
            f"templates/{rel.as_posix()} would not ship in the wheel")
    assert resources.EXAMPLE_NAME in setup["package-data"]["budgetxl.inputs"]
    assert "py.typed" in setup["package-data"]["budgetxl"] and (SRC / "py.typed").is_file()


def test_a_checkout_reads_its_own_templates_and_example(monkeypatch):
    monkeypatch.delenv(resources.TEMPLATES_ENV, raising=False)
    assert resources.source_checkout() == ROOT
    assert resources.templates_dir() == ROOT / "templates"
    assert resources.example_input() == ROOT / "inputs" / "fengyang-2023.yaml"


def test_budgetxl_templates_overrides_everything(monkeypatch, tmp_path):
    monkeypatch.setenv(resources.TEMPLATES_ENV, str(tmp_path))
    assert resources.templates_dir() == tmp_path


def test_only_resources_knows_where_the_data_files_are():
    """Every reader of templates/ and inputs/ asks budgetxl.resources: no other module works out
    a path from its own location."""
    for path in SRC.rglob("*.py"):
        if path.name == "resources.py" or path.name == "catalogue.py":  # catalogue: docs/ of a checkout
            continue
        text = path.read_text(encoding="utf-8")
        assert "__file__" not in text, f"{path.relative_to(ROOT)} locates files from __file__"
        assert not re.search(r"""["']templates["']""", text), f"{path.relative_to(ROOT)} names templates/ itself"


def _installed_copy(site: Path) -> None:
    """A package laid out as pip installs the wheel: budgetxl/ with templates/ and inputs/ inside."""
    shutil.copytree(SRC, site / "budgetxl", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "templates", site / "budgetxl" / "templates")
    (site / "budgetxl" / "inputs").mkdir()
    shutil.copy2(ROOT / "inputs" / "fengyang-2023.yaml", site / "budgetxl" / "inputs")


def test_an_installed_package_reads_its_packaged_copy_and_renders_the_example(tmp_path):
    site = tmp_path / "site-packages"
    _installed_copy(site)
    work = tmp_path / "empty"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != resources.TEMPLATES_ENV}
    env["PYTHONPATH"] = str(site)
    code = (
        "import budgetxl.resources as r, budgetxl.examples as e, sys\n"
        "print(r.source_checkout(), r.templates_dir(), e.EXAMPLE_INPUT, sep='\\n')\n"
        "from budgetxl.cli import main\n"
        "sys.argv = ['budgetxl', 'render']\n"
        "main()\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    checkout, templates, example, written = res.stdout.splitlines()[:4]
    assert checkout == "None"
    assert Path(templates) == site / "budgetxl" / "templates"
    assert Path(example) == site / "budgetxl" / "inputs" / "fengyang-2023.yaml"
    assert written == str(Path("outputs") / "fengyang-2023.xlsx")
    assert (work / "outputs" / "fengyang-2023.xlsx").stat().st_size > 10_000


def test_an_installed_package_with_budgetxl_templates_reads_that_folder(tmp_path):
    site = tmp_path / "site-packages"
    _installed_copy(site)
    own = tmp_path / "mine"
    shutil.copytree(ROOT / "templates", own)
    (own / "guangdong.yaml").write_text("blocks: [\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(site), resources.TEMPLATES_ENV: str(own)}
    res = subprocess.run([sys.executable, "-c", "from budgetxl.cli import main; main()", "render", "-o", "x.xlsx"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode in (1, 2), res.stderr  # the layout named, no traceback, nothing written
    assert "Traceback" not in res.stderr and str(own / "guangdong.yaml") in res.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_the_rule_catalogue_prints_when_there_is_no_checkout(tmp_path):
    site = tmp_path / "site-packages"
    _installed_copy(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    res = subprocess.run([sys.executable, "-m", "budgetxl.rules.catalogue"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout == (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert not any(tmp_path.rglob("rules.md"))


@pytest.mark.slow
def test_the_wheel_installs_and_runs_in_a_fresh_venv():
    """Build the wheel, install it in a fresh venv in an empty folder, run every command there."""
    if IN_CI:
        pytest.skip(".ci/run runs .ci/wheel-smoke itself after the test suite")
    res = subprocess.run(["bash", str(ROOT / ".ci" / "wheel-smoke")], env={**os.environ, "PYTHON": sys.executable},
                         capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert "wheel smoke test passed" in res.stdout

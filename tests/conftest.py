"""Shared test fixtures: paths, the bundled example, LibreOffice; Hypothesis profiles; markers."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.errors import InvalidArgument

from budgetxl.examples import EXAMPLE_INPUT

ROOT = Path(__file__).resolve().parents[1]
SEED = EXAMPLE_INPUT
REAL = ROOT.parent / "shared" / "fixtures" / "real"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# ---------------------------------------------------------------------------------------------
# Hypothesis: BUDGETXL_HYPOTHESIS=ci|dev|deep picks a profile (ci is the default when CI=true).
#   ci    the same examples on every run (derandomized, no example database, no deadline, no
#         timing health check), so that two runs of the suite give the same result;
#   dev   Hypothesis's own defaults: random examples, failures remembered in .hypothesis/;
#   deep  random examples, DEEP_FACTOR times as many, for a longer search before a release.
# Each test states its own number of examples through examples(n), which the deep profile scales.

HYPOTHESIS_ENV = "BUDGETXL_HYPOTHESIS"
DEEP_FACTOR = 10
settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True, max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev")
settings.register_profile("deep", deadline=None, max_examples=100 * DEEP_FACTOR, suppress_health_check=[HealthCheck.too_slow])
HYPOTHESIS_PROFILE = os.environ.get(HYPOTHESIS_ENV) or ("ci" if IN_CI else "dev")
try:
    settings.load_profile(HYPOTHESIS_PROFILE)
except InvalidArgument:
    raise pytest.UsageError(f"{HYPOTHESIS_ENV}={HYPOTHESIS_PROFILE}: unknown Hypothesis profile (ci, dev or deep)") from None


def examples(n: int) -> int:
    """A test's number of Hypothesis examples under the profile in force."""
    return n * DEEP_FACTOR if HYPOTHESIS_PROFILE == "deep" else n


# ---------------------------------------------------------------------------------------------
# Markers (registered in pyproject.toml): a test using LibreOffice or Chromium is marked so by
# the fixture it asks for, and every such test is slow too; `pytest -m "not slow"` is the fast loop.

_TOOL_FIXTURES = {"soffice": "soffice", "lo_uno": "soffice", "chromium": "chromium"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names = getattr(item, "fixturenames", ())
        for fixture, marker in _TOOL_FIXTURES.items():
            if fixture in names and item.get_closest_marker(marker) is None:
                item.add_marker(marker)
        if (item.get_closest_marker("soffice") or item.get_closest_marker("chromium")) and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def seed_form():
    from budgetxl.model import load_form

    return load_form(SEED)


@pytest.fixture
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.skip(f"the real workbooks are not beside this checkout ({REAL})")
    return REAL


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="session")
def soffice():
    """Convert files with a real LibreOffice: soffice(src, "xlsx"|"xls"|"ods"|"pdf", outdir) -> Path."""
    exe = soffice_path()
    if exe is None:
        if IN_CI:
            pytest.fail("LibreOffice (soffice) must be installed in CI (.ci/run installs it)")
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install -y libreoffice-calc-nogui")

    def convert(src: Path, fmt: str, outdir: Path) -> Path:
        outdir.mkdir(parents=True, exist_ok=True)
        profile = Path("/tmp") / f"budgetxl-test-lo-{uuid.uuid4().hex}"
        try:
            subprocess.run(
                [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                 "--convert-to", fmt, "--outdir", str(outdir), str(src)],
                check=True, capture_output=True, timeout=180,
            )
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        out = outdir / f"{src.stem}.{fmt}"
        assert out.is_file(), f"LibreOffice did not write {out}"
        return out

    return convert


@pytest.fixture(scope="session")
def lo_uno():
    """Drive LibreOffice through its own API: lo_uno(steps) -> results (see tests/lo_uno.py)."""
    from lo_uno import run_uno, uno_python

    if soffice_path() is None:
        if IN_CI:
            pytest.fail("LibreOffice (soffice) must be installed in CI (.ci/run installs it)")
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install -y libreoffice-calc-nogui")
    python = uno_python()
    if python is None:
        if IN_CI:
            pytest.fail("LibreOffice's Python bridge (uno) must be installed in CI: apt-get install -y python3-uno")
        pytest.skip("no Python with LibreOffice's uno module (apt-get install -y python3-uno)")

    def run(steps):
        return run_uno(python, steps)

    return run

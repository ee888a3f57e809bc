"""Shared test fixtures: paths, the bundled example, LibreOffice."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from budgetxl.examples import EXAMPLE_INPUT

ROOT = Path(__file__).resolve().parents[1]
SEED = EXAMPLE_INPUT
REAL = ROOT.parent / "shared" / "fixtures" / "real"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


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

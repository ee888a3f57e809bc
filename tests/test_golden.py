"""Golden workbooks: the rendered form, a template, a comparison, a collect summary and an
annotated copy, each made afresh and compared part by part with a reviewed copy, the way
XlsxWriter's own test-suite compares with files made by Excel (unzip, drop the noise, pretty-print
the XML, diff). A failing test shows which XML part changed; after an intended change run
`python tests/golden/regenerate.py` (tests/golden_builders.py says how each one is made)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from golden_builders import GOLDEN, build, xml_parts

HERE = Path(__file__).resolve().parent / "golden"


@pytest.mark.parametrize("name", list(GOLDEN))
def test_workbook_matches_golden(tmp_path, name):
    got = xml_parts(build(name, tmp_path / "work"))
    want = xml_parts(HERE / name)
    assert sorted(got) == sorted(want), f"{name}: the workbook's parts changed"
    for part in want:
        if got[part] != want[part]:
            diff = "\n".join(difflib.unified_diff(want[part], got[part], f"golden/{name}/{part}", f"made/{name}/{part}",
                                                  lineterm="", n=2))
            pytest.fail(f"{name}: {part} differs from the golden copy "
                        f"(python tests/golden/regenerate.py after an intended change):\n{diff[:4000]}")


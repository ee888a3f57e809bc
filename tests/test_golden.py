"""Golden workbook: the rendered seed compared part by part with a reviewed copy, the way
XlsxWriter's own test-suite compares with files made by Excel (unzip, drop the noise, pretty-print
the XML, diff). A failing test shows which XML changed; after an intended change run
`python tests/golden/regenerate.py`."""

from __future__ import annotations

import difflib
import re
import zipfile
from pathlib import Path
from xml.dom import minidom

import pytest

from budgetxl.model import load_form
from budgetxl.render import render_form

HERE = Path(__file__).resolve().parent / "golden"
ROOT = HERE.parents[1]

# Parts whose differences are noise (the writer's application name and version).
IGNORED_PARTS = {"docProps/app.xml"}


def xml_parts(path: Path) -> dict[str, list[str]]:
    out = {}
    with zipfile.ZipFile(path) as zf:
        for name in sorted(zf.namelist()):
            if name in IGNORED_PARTS:
                continue
            data = zf.read(name).decode("utf-8")
            if name.endswith(".rels"):  # relationship order is not meaningful
                rels = sorted(re.findall(r"<Relationship [^>]*/>", data))
                data = "<Relationships>" + "".join(rels) + "</Relationships>"
            pretty = minidom.parseString(data.encode("utf-8")).toprettyxml(indent=" ")
            out[name] = [line for line in pretty.splitlines() if line.strip()]
    return out


@pytest.mark.parametrize("name,source", [(name, ROOT / "inputs" / f"{Path(name).stem}.yaml") for name in
                                         ("fengyang-2023.xlsx", "central-project-2024.xlsx", "wuhan-project-2024.xlsx")])
def test_rendered_workbook_matches_golden(tmp_path, name, source):
    got = xml_parts(render_form(load_form(source), tmp_path / name))
    want = xml_parts(HERE / name)
    assert sorted(got) == sorted(want), "the workbook's parts changed"
    for part in want:
        if got[part] != want[part]:
            diff = "\n".join(difflib.unified_diff(want[part], got[part], "golden/" + part, "rendered/" + part, lineterm="", n=2))
            pytest.fail(f"{part} differs from the golden copy (python tests/golden/regenerate.py after an intended change):\n{diff[:4000]}")

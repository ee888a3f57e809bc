"""Rewrite the golden workbooks after an intended change of the renderer's output.

    python tests/golden/regenerate.py

Then look at `git diff --stat tests/golden` and say in the commit why the output changed.
"""

from __future__ import annotations

from pathlib import Path

from budgetxl.model import load_form
from budgetxl.render import render_form

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

GOLDEN = {
    "fengyang-2023.xlsx": ROOT / "inputs" / "fengyang-2023.yaml",
    "central-project-2024.xlsx": ROOT / "inputs" / "central-project-2024.yaml",
    "wuhan-project-2024.xlsx": ROOT / "inputs" / "wuhan-project-2024.yaml",
}

if __name__ == "__main__":
    for name, source in GOLDEN.items():
        render_form(load_form(source), HERE / name)
        print(HERE / name)

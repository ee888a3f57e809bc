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

GOLDEN = {"fengyang-2023.xlsx": ROOT / "inputs" / "fengyang-2023.yaml"}

# Self-evaluations: each layout's rendered example, and a template made from approved targets.
SELFEVAL_GOLDEN = {
    "selfeval-2023.xlsx": ROOT / "inputs" / "selfeval-2023.yaml",
    "selfeval-project-2023.xlsx": ROOT / "inputs" / "selfeval-project-2023.yaml",
    "chongqing-selfeval-2023.xlsx": ROOT / "inputs" / "chongqing-selfeval-2023.yaml",
}
SELFEVAL_TEMPLATE_GOLDEN = {"selfeval-template-2024.xlsx": ROOT / "inputs" / "fengyang-2024.yaml"}


def selfeval_template(source: Path, path: Path) -> Path:
    from budgetxl.render.selfeval_template import make_selfeval_template

    make_selfeval_template(load_form(source), path)
    return path


if __name__ == "__main__":
    for name, source in {**GOLDEN, **SELFEVAL_GOLDEN}.items():
        render_form(load_form(source), HERE / name)
        print(HERE / name)
    for name, source in SELFEVAL_TEMPLATE_GOLDEN.items():
        print(selfeval_template(source, HERE / name))

"""What checking costs on top of reading, and what annotating costs on top of a bare openpyxl
load and save of the same file, measured in the same run.

    python benchmarks/bench_check.py [--repeat N]

check_workbook = read_workbook + all rules + placing findings on cells: the rules should add
little to the read. annotate = openpyxl load + marks + summary sheet + atomic save.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import openpyxl

from budgetxl.examples import EXAMPLE_INPUT
from budgetxl.model import load_form
from budgetxl.read import read_workbook
from budgetxl.render import render_form
from budgetxl.rules import check_workbook, validate
from budgetxl.rules.annotate import annotate

from _timing import compare

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "fixtures" / "real"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    form = load_form(EXAMPLE_INPUT)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        seed = render_form(form, tmp / "seed.xlsx")
        print("rules alone on the seed form (55 indicators)")
        compare("validate(form)", lambda: validate(form), "load_form(yaml) (baseline)",
                lambda: load_form(EXAMPLE_INPUT), repeat=args.repeat)
        for name, path in (("the rendered seed", seed), ("zhanjiang-hrss-2024.xlsx", REAL / "zhanjiang-hrss-2024.xlsx")):
            if not path.is_file():
                continue
            print(f"\ncheck {name}")
            compare("check_workbook (read + rules + cells)", lambda p=path: check_workbook(p),
                    "read_workbook (baseline)", lambda p=path: read_workbook(p), repeat=args.repeat)
            report = check_workbook(path)
            out = tmp / "marked.xlsx"

            def bare(p: Path = path) -> None:
                openpyxl.load_workbook(p).save(tmp / "bare.xlsx")

            print(f"\nannotate {name} ({len(report.findings)} findings)")
            compare("annotate (load + marks + summary + save)", lambda p=path, r=report: annotate(p, r, out),
                    "openpyxl load + save (baseline)", bare, repeat=args.repeat)


if __name__ == "__main__":
    main()

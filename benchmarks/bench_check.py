"""What checking costs on top of reading, and what annotating costs on top of a bare openpyxl
load and save of the same file, measured in the same run.

    python benchmarks/bench_check.py [--repeat N] [--no-real]

check_workbook = read_workbook + all rules + placing findings on cells: the rules should add
little to the read. annotate = openpyxl load + marks + summary sheet + atomic save. Every save, annotate's and the
baseline's, goes to a file of its own (no side pays for replacing an earlier one). The real
workbook comes from ../shared/fixtures/real: missing, the benchmark says so and exits 2.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

from budgetxl.examples import EXAMPLE_INPUT
from budgetxl.frameworks import label_key, pair_framework_ids
from budgetxl.model import load_form
from budgetxl.read import read_workbook
from budgetxl.render import render_form
from budgetxl.rules import check_workbook, validate
from budgetxl.rules.annotate import annotate
from budgetxl.rules.registry import normalized
from budgetxl.rules.target_rules import expects_quantity
from budgetxl.targets import _parse_target

from _timing import compare, fresh_paths, real_workbook


def cold(fn: Callable[[], object]) -> Callable[[], object]:
    """`fn` with the texts the rules remember from form to form forgotten first (parsed targets,
    label keys, framework pairs, indicator names): a form whose texts were never seen."""

    def run() -> object:
        for cache in (_parse_target, label_key, pair_framework_ids, normalized, expects_quantity):
            cache.cache_clear()
        return fn()

    return run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--no-real", action="store_true", help="time without the real workbook when it is missing")
    args = ap.parse_args()
    real = real_workbook("zhanjiang-hrss-2024.xlsx", args.no_real)
    form = load_form(EXAMPLE_INPUT)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        seed = render_form(form, tmp / "seed.xlsx")
        print("rules alone on the seed form (55 indicators)")
        compare("validate(form)", lambda: validate(form), "load_form(yaml) (baseline)",
                lambda: load_form(EXAMPLE_INPUT), repeat=args.repeat)
        print("\nthe same, the rules' text caches emptied before each call (a form whose texts were never seen)")
        compare("validate(form), caches emptied", cold(lambda: validate(form)), "load_form(yaml) (baseline)",
                lambda: load_form(EXAMPLE_INPUT), repeat=args.repeat)
        books = [("the rendered seed", seed)] + ([("zhanjiang-hrss-2024.xlsx", real)] if real else [])
        for k, (name, path) in enumerate(books):
            print(f"\ncheck {name}")
            compare("check_workbook (read + rules + cells)", lambda p=path: check_workbook(p),
                    "read_workbook (baseline)", lambda p=path: read_workbook(p), repeat=args.repeat)
            report = check_workbook(path)
            marked, saved = fresh_paths(tmp, f"marked{k}"), fresh_paths(tmp, f"bare{k}")

            def bare(p: Path = path, saved: Callable[[], Path] = saved) -> None:
                openpyxl.load_workbook(p).save(saved())

            print(f"\nannotate {name} ({len(report.findings)} findings)")
            compare("annotate (load + marks + summary + save)",
                    lambda p=path, r=report, marked=marked: annotate(p, r, marked()),
                    "openpyxl load + save (baseline)", bare, repeat=args.repeat)


if __name__ == "__main__":
    main()

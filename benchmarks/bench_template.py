"""Make blank templates with budgetxl, and in the same run a bare xlsxwriter script writing the
same workbook (cells, formulas with values, validations, conditional formats, defined names, the
instructions sheet) from precomputed data. Then a batch of units on one worker and on all cores,
in this process (its layouts and texts loaded already, inherited by the forked workers) and from
a cold start in a fresh process, as `budgetxl template --units` runs (goal, issue 19: a batch
faster on all cores than on one).

    python benchmarks/bench_template.py [--repeat N] [--units N]

budgetxl's time includes building the seed and the plan (row heights, validations) and rendering
the instructions from Jinja2; the bare script gets all of it precomputed. Each call of either side
writes a file of its own.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from budgetxl.batch import default_jobs
from budgetxl.render.instructions import COLUMN_WIDTH, instruction_lines
from budgetxl.render.styles import style_properties
from budgetxl.render.template import (
    _conditional_format,
    _instructions_context,
    _validation_options,
    build_template,
    make_template,
    make_templates,
)
from budgetxl.render.template_texts import template_texts
from budgetxl.render.xlsx import WORKBOOK_OPTIONS, normal_style_options
from budgetxl.units import UnitRow

from _baseline import write_cells
from _timing import compare, fresh_paths

AMOUNTS = {"基本支出": "1200.5", "项目支出": "800", "财政拨款": "2000.5", "其他资金": "0"}


def bare_script(paths: Callable[[], Path]) -> Callable[[], None]:
    """The template written the bare way, all of it precomputed, to a new path at each call."""
    tplan, seed, counts = build_template("某某市财政局", 2024, amounts=AMOUNTS)
    plan, texts = tplan.plan, template_texts()
    cells = [(c.row, c.col, c.last_row, c.last_col, c.value, c.style, c.decimals) for c in plan.cells]
    props = {(c.style, c.decimals): style_properties(c.style, plan.layout, c.decimals) for c in plan.cells}
    props.update({(f.style, f.decimals): style_properties(f.style, plan.layout, f.decimals) for f in tplan.formulas})
    for s in ("title", "heading", "note"):
        props[(s, 2)] = style_properties(s, plan.layout)
    # totals are array formulas that count amounts typed as text (budgetxl.formulas), as the writer writes them
    formulas = [(f.row, f.col, f.text(), float(f.value) if isinstance(f.value, Decimal) else f.value,
                 (f.style, f.decimals), f.array) for f in tplan.formulas]
    validations = [(v.first_row, v.col, v.last_row, v.end_col, _validation_options(v)) for v in tplan.validations]
    lines = [(ln.text, ln.style) for ln in instruction_lines(_instructions_context(tplan, seed, texts, counts, False))]
    widths, heights = list(plan.col_widths), list(plan.row_heights)

    def run() -> None:
        # the options budgetxl uses, its Normal style included
        wb = xlsxwriter.Workbook(str(paths()), {**WORKBOOK_OPTIONS, **normal_style_options(plan.layout.font.name)})
        ws, guide, lists = wb.add_worksheet("表"), wb.add_worksheet("说明"), wb.add_worksheet("列表")
        fmts = {k: wb.add_format(v) for k, v in props.items()}
        write_cells(ws, cells, fmts, widths, heights)
        for r, c, formula, value, key, array in formulas:
            if array:
                ws.write_array_formula(r, c, r, c, formula, fmts[key], value)
            else:
                ws.write_formula(r, c, formula, fmts[key], value)
        for r1, c1, r2, c2, opts in validations:
            ws.data_validation(r1, c1, r2, c2, opts)
        cf = {}
        for h in tplan.highlights:
            cf.setdefault(h.style, _conditional_format(wb, h.style))
            ws.conditional_format(h.first_row, h.first_col, h.last_row, h.last_col,
                                  {"type": "formula", "criteria": h.formula, "format": cf[h.style]})
        ws.protect("", {"insert_rows": True, "format_rows": True})
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        guide.set_column(0, 0, COLUMN_WIDTH)
        for r, (text, style) in enumerate(lines):
            guide.write_string(r, 0, text, fmts[(style, 2)])
        for col, (name, values) in enumerate(tplan.lists):
            for row, value in enumerate(values):
                lists.write_string(row, col, value)
            letter = chr(65 + col)
            wb.define_name(name, f"='列表'!${letter}$1:${letter}${len(values)}")
        lists.hide()
        wb.close()

    return run


def batch_seconds(units: list[UnitRow], jobs: int, folder: Path) -> float:
    t0 = time.perf_counter()
    make_templates(units, 2024, folder, jobs=jobs, progress=False)
    return time.perf_counter() - t0


COLD_BATCH = """
import json, os, sys, time
from decimal import Decimal
t0 = time.perf_counter()
from budgetxl.render.template import make_templates
from budgetxl.units import UnitRow
n, jobs, folder = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
units = [UnitRow(i + 2, f"某某市第{i + 1}局", {"基本支出": Decimal(i)}) for i in range(n)]
t1 = time.perf_counter()
make_templates(units, 2024, folder, jobs=jobs, progress=False)
t = os.times()
print(json.dumps({"import": t1 - t0, "batch": time.perf_counter() - t1,
                  "workers_cpu": t.children_user + t.children_system}))
"""


def cold_batch(n: int, jobs: int, folder: Path) -> dict[str, float]:
    """A batch as `budgetxl template --units` runs it: in a fresh process (nothing loaded yet, so
    every worker loads the layouts, texts and frameworks it needs itself)."""
    res = subprocess.run([sys.executable, "-c", COLD_BATCH, str(n), str(jobs), str(folder)],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--units", type=int, default=60)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print("one template (guangdong, 2015 framework, default rows)")
        ours = fresh_paths(tmp, "budgetxl")
        compare("budgetxl make_template (seed+plan+write)",
                lambda: make_template(ours(), "某某市财政局", 2024, amounts=AMOUNTS),
                "bare xlsxwriter, same workbook", bare_script(fresh_paths(tmp, "bare")), repeat=args.repeat)
        units = [UnitRow(i + 2, f"某某市第{i + 1}局", {"基本支出": Decimal(i)}) for i in range(args.units)]
        jobs = default_jobs()
        one, many = [], []
        for k in range(3):
            one.append(batch_seconds(units, 1, tmp / f"one{k}"))
            many.append(batch_seconds(units, jobs, tmp / f"many{k}"))
        a, b = statistics.median(one), statistics.median(many)
        print(f"{args.units} templates, 1 worker: {a:6.2f} s wall ({a / args.units * 1000:.1f} ms each, median of 3)")
        print(f"{args.units} templates, {jobs} workers: {b:6.2f} s wall (speed-up {a / b:.2f}×; goal > 1)")
        # The same batches from a cold start, as the command line runs them, alternating.
        cold: dict[int, list[dict[str, float]]] = {1: [], jobs: []}
        for k in range(3):
            for j in ((1, jobs) if k % 2 == 0 else (jobs, 1)):
                cold[j].append(cold_batch(args.units, j, tmp / f"cold{j}-{k}"))
        walls = {j: statistics.median(r["batch"] for r in runs) for j, runs in cold.items()}
        cpus = {j: statistics.median(r["workers_cpu"] for r in runs) for j, runs in cold.items()}
        print(f"fresh process (as the command runs), {args.units} templates: 1 worker {walls[1]:.2f} s wall "
              f"({cpus[1]:.2f} s of worker CPU), {jobs} workers {walls[jobs]:.2f} s wall ({cpus[jobs]:.2f} s of "
              f"worker CPU): speed-up {walls[1] / walls[jobs]:.2f}× (medians of 3, alternating; goal > 1)")


if __name__ == "__main__":
    main()

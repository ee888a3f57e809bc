"""Scoring self-evaluations: 1,000 of them scored alone and in the collect run, against bare
baselines in the same run.

    python benchmarks/bench_score.py [--forms 1000] [--jobs N] [--repeat 10]

1. Scoring alone: `score(form)` on each of the 1,000 forms (targets and actuals parsed, groups and
   bands looked up, the scorecard built) against a bare scorer handed the numbers already parsed
   (target, actual, weight, operator as Decimals) that applies the same mof-2020 formulas in a
   plain loop: the ratio is what the engine's parsing and bookkeeping cost.
2. In the collect run: `collect` on the 1,000 rendered self-evaluations (read, check with the
   BX6xx rules, score, summary with its 自评 sheet, CSV tables with results.csv), and in the same
   run `openpyxl.load_workbook` on the same files through the same batch runner (the baseline
   bench_collect uses for reading), plus one file's read + check + score against its openpyxl load,
   paired call by call.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl

from budgetxl.batch import default_jobs, run_batch
from budgetxl.collect import collect
from budgetxl.collect.inspect import inspect_file
from budgetxl.model import load_form
from budgetxl.render import render_form
from budgetxl.scoring import score
from budgetxl.selfeval import SelfEvaluation
from budgetxl.targets import parse_target

from _timing import compare

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inputs" / "selfeval-2023.yaml"
CENT = Decimal("0.01")


def vary(base: SelfEvaluation, i: int) -> SelfEvaluation:
    """The example as another unit would fill it: another name, actuals moved up or down, some
    scores typed wrong, some explanations left out."""
    rng = random.Random(i)
    inds = []
    for ind in base.indicators:
        t = parse_target(ind.actual_text(), ind.name)
        actual = ind.actual
        if t.value is not None:
            factor = Decimal(rng.choice([50, 80, 90, 95, 100, 100, 100, 120, 150])) / 100
            actual = f"{(t.value * factor).quantize(Decimal('0.1')).normalize():f}{t.unit}"
        score_ = ind.score if rng.random() < 0.9 else (ind.weight or Decimal(1))
        inds.append(ind.model_copy(update={"actual": actual, "score": score_,
                                           "reason": ind.reason if rng.random() < 0.7 else ""}))
    line = base.execution[0]
    spent = (line.budget * Decimal(rng.randint(70, 100)) / 100).quantize(CENT)
    execution = (line.model_copy(update={"spent": spent}), *base.execution[1:])
    return base.model_copy(update={"unit_name": f"{base.unit_name}（{i:04d}）", "indicators": tuple(inds),
                                   "execution": execution})


def parsed(form: SelfEvaluation) -> list[tuple[Decimal, Decimal, Decimal, bool]]:
    """What the bare scorer is handed: (target, actual, weight, negative) for the quantitative rows."""
    out = []
    for ind in form.indicators:
        t, a = parse_target(ind.target_text(), ind.name), parse_target(ind.actual_text(), ind.name)
        if t.value is not None and a.value is not None and ind.weight is not None and a.unit in ("", t.unit):
            out.append((t.value, a.value, ind.weight, t.operator in ("≤", "<")))
    return out


def bare_score(rows: list[tuple[Decimal, Decimal, Decimal, bool]], budget: Decimal, spent: Decimal) -> Decimal:
    total = min(spent / budget * 10, Decimal(10)).quantize(CENT, ROUND_HALF_UP)
    for target, actual, weight, negative in rows:
        if negative:
            s = weight if actual <= target else min(weight, target / actual * weight)
        else:
            s = weight if actual >= target or target <= 0 else min(weight, actual / target * weight)
        total += max(Decimal(0), s).quantize(CENT, ROUND_HALF_UP)
    return total


def render_one(args: tuple[SelfEvaluation, str]) -> str:
    form, path = args
    render_form(form, path)
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--forms", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    jobs = args.jobs or default_jobs()
    base = load_form(EXAMPLE)
    forms = [vary(base, i) for i in range(args.forms)]
    n_ind = sum(len(f.indicators) for f in forms)
    print(f"{len(forms)} self-evaluations, {n_ind} indicators in all, {jobs} workers")

    bare_inputs = [(parsed(f), f.execution[0].budget, f.execution[0].spent) for f in forms]
    print("\nscoring alone, all the forms (one call = every form scored once)")
    compare("budgetxl score(form) × forms", lambda: [score(f) for f in forms],
            "bare Decimal scorer, numbers pre-parsed", lambda: [bare_score(*x) for x in bare_inputs],
            repeat=max(1, args.repeat // 2), rounds=2)
    cards = [score(f) for f in forms]
    print(f"totals {min(c.total for c in cards)}–{max(c.total for c in cards)}; "
          f"{sum(1 for c in cards if c.total < 80)} under 80")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "returns"
        folder.mkdir()
        t0 = time.perf_counter()
        items = [(f, str(folder / f"{i:04d}.xlsx")) for i, f in enumerate(forms)]
        outcomes = run_batch(render_one, items, jobs=jobs, progress=False)
        assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok][:3]
        print(f"\nrendered {len(forms)} workbooks in {time.perf_counter() - t0:.1f} s wall")

        one = folder / "0000.xlsx"
        print("\none return: read + check + score (collect's work per file) vs openpyxl load")
        compare("inspect_file (read, check, score)", lambda: inspect_file(str(one)),
                "openpyxl.load_workbook (baseline)", lambda: openpyxl.load_workbook(one), repeat=args.repeat)

        t0 = time.perf_counter()
        result = collect([folder], Path(tmp) / "汇总.xlsx", csv_dir=Path(tmp) / "tables", jobs=jobs, progress=False)
        ours = time.perf_counter() - t0
        scored = sum(1 for r in result.records if r.selfeval is not None)
        paths = sorted(str(p) for p in folder.glob("*.xlsx"))
        t0 = time.perf_counter()
        loaded = run_batch(openpyxl.load_workbook, paths, jobs=jobs, progress=False)
        bare = time.perf_counter() - t0
        assert all(o.ok for o in loaded)
        print(f"\ncollect {len(paths)} self-evaluations (read, check, score, summary, CSV): {ours:.1f} s wall, "
              f"{scored} scored")
        print(f"openpyxl loading the same files, same runner (baseline):             {bare:.1f} s wall")
        print(f"ratio {ours / bare:.2f}×")


if __name__ == "__main__":
    main()

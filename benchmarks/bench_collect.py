"""A bureau's year in one run: generate N seed-sized forms (1,000 by default), render them all
through the batch runner, collect them all (read + check + summary + CSV), and in the same run
the bare baselines: xlsxwriter writing the same cells, openpyxl loading the same files (the first
1,000 of them at most: openpyxl takes about 0.1 s a file). Then the peak memory of collect's
collecting process (its VmHWM: the most resident memory it ever had) for a tenth of the files
(1,000 of 10,000; 100 of 1,000) and for all of them, each in a fresh process.

    python benchmarks/bench_collect.py [--files 1000] [--jobs N] [--sample 120]
    python benchmarks/bench_collect.py --files 10000 --memory-only --returns DIR [--repeat 3]

`--memory-only` measures the peak memory alone, on the forms rendered into `--returns DIR` (the
folder is kept, and a later run reuses the returns it finds there: 00000.xlsx … of the same
forms); `--repeat` measures each size that many times, alternating, and prints every run.

Goals (issues 7 and 19, on a 2-core machine): 1,000 forms rendered and collected in ≤ 15 s in
all, 10,000 in ≤ 60 s (`--files 10000`); render ≤ 1.3× and read ≤ 0.25× the baselines; peak
memory of the collecting process flat from 1,000 to 10,000 files.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl

from budgetxl.batch import default_jobs, run_batch
from budgetxl.collect import collect
from budgetxl.collect.inspect import inspect_file
from budgetxl.examples import EXAMPLE_INPUT
from budgetxl.model import BudgetLine, Form, load_form
from budgetxl.read import read_workbook
from budgetxl.render import paginate, plan_form, render_form
from budgetxl.render.many import render_pair
from budgetxl.text import wrap_count

from _baseline import bare_form_data, bare_form_script, write_bare

# ---------------------------------------------------------------------------------------------
# Forms


def vary(base: Form, i: int) -> Form:
    """The seed as another unit would fill it: other name and year, amounts scaled (balanced),
    its own wording of goals, tasks and indicators, a few dropped or repeated, targets moved."""
    rng = random.Random(i)
    scale = Decimal(rng.randint(40, 250)) / 100

    def amount(a: Decimal | None) -> Decimal | None:
        return None if a is None else (a * scale).quantize(Decimal("0.01"))

    exp = tuple(BudgetLine(name=x.name, amount=amount(x.amount)) for x in base.budget.expenditures)
    total = sum((x.amount or Decimal(0) for x in exp), Decimal(0))
    rev = (BudgetLine(name=base.budget.revenues[0].name, amount=total),) + tuple(
        BudgetLine(name=x.name, amount=Decimal(0)) for x in base.budget.revenues[1:])
    def own(text: str) -> str:
        """The text as this unit words it: the same characters from another starting point, so that
        no two forms share their own texts (only labels, headings and 一级/二级 names recur) while
        lengths and the mix of CJK and digits stay the seed's."""
        k = rng.randrange(len(text)) if text else 0
        return text[k:] + text[:k]

    tasks = [t.model_copy(update={"name": f"{t.name}（{i % 7 + 1}）" if rng.random() < 0.3 else t.name,
                                  "content": own(t.content), "goal": own(t.goal),
                                  "funds": amount(t.funds)}) for t in base.tasks]
    rng.shuffle(tasks)
    tasks = tasks[: len(tasks) - rng.randint(0, 3)]
    indicators = []
    for ind in base.indicators:
        if rng.random() < 0.05 and not ind.is_placeholder:
            continue
        target = ind.target.replace("95", str(rng.randint(85, 99))) if rng.random() < 0.5 else ind.target
        indicators.append(ind.model_copy(update={"name": own(ind.name), "target": target}))
    return base.model_copy(update={
        "unit_name": f"示例区{['财政局', '教育局', '卫生健康局', '街道办事处', '城市管理局'][i % 5]}第{i:04d}号单位",
        "year": 2023 + i % 2,
        "overall_goal": own(base.overall_goal),
        "budget": base.budget.model_copy(update={"expenditures": exp, "revenues": rev}),
        "tasks": tuple(tasks),
        "indicators": tuple(indicators),
    })


# ---------------------------------------------------------------------------------------------
# Workers (top level: the batch runner sends them by reference)


def bare_write(args: tuple[dict, str]) -> None:
    data, path = args
    write_bare(data, path)


def openpyxl_load(path: str) -> int:
    return openpyxl.load_workbook(path).active.max_row


CPU: dict[str, float] = {}


def cpu_seconds() -> float:
    """CPU time of this process and of its finished workers so far."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def cpu_seconds_of(fn: Callable[[], object]) -> float:
    """CPU seconds of this process for one call of fn, the garbage collector held off meanwhile."""
    gc.disable()
    try:
        c0 = time.process_time()
        fn()
        return time.process_time() - c0
    finally:
        gc.enable()


def wall(fn, name: str = "") -> float:
    """Wall-clock seconds of fn(); its CPU seconds (all processes) go to CPU[name]."""
    c0, t0 = cpu_seconds(), time.perf_counter()
    fn()
    if name:
        CPU[name] = cpu_seconds() - c0
    return time.perf_counter() - t0


def peak_memory(folder: Path, count: int, out: Path, jobs: int) -> dict[str, float]:
    """Collect the first `count` files in a fresh process; its own and its workers' peak RSS, and
    its own CPU seconds (the collector's share of the work)."""
    files = sorted(folder.glob("*.xlsx"))[:count]
    listing = out / f"files-{count}.json"
    listing.write_text(json.dumps([str(f) for f in files]), encoding="utf-8")
    script = (
        "import json, resource, sys, time\n"
        "from budgetxl.collect import collect\n"
        "files = json.load(open(sys.argv[1], encoding='utf-8'))\n"
        "collect(files, sys.argv[2], csv_dir=sys.argv[3], jobs=int(sys.argv[4]), progress=False)\n"
        # VmHWM, not RUSAGE_SELF: Linux carries the peak of the image before exec (this big
        # benchmark process) into ru_maxrss of the new one.
        "hwm = int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])\n"
        "print(json.dumps({'parent_kb': hwm, 'parent_cpu': time.process_time(),"
        " 'workers_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))\n"
    )
    res = subprocess.run([sys.executable, "-c", script, str(listing), str(out / f"summary-{count}.xlsx"),
                          str(out / f"tables-{count}"), str(jobs)], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def print_memory(mem: dict[int, dict[str, float]], n: int) -> None:
    for count, used in mem.items():
        print(f"  {count:5d} files: collector {used['parent_kb'] / 1024:6.1f} MB "
              f"({used['parent_cpu']:.1f} s of its own CPU, start-up included), "
              f"largest worker {used['workers_kb'] / 1024:6.1f} MB")
    small, large = mem[max(1, n // 10)], mem[n]
    print(f"  growth {max(1, n // 10)} → {n}: collector {(large['parent_kb'] / small['parent_kb'] - 1) * 100:+.1f}%, "
          f"worker {(large['workers_kb'] / small['workers_kb'] - 1) * 100:+.1f}%")


def memory_only(n: int, jobs: int, returns: Path | None, repeat: int) -> None:
    """The collector's peak memory alone, on returns rendered once into `returns` (or a
    temporary folder) and reused by later runs."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = returns if returns is not None else Path(tmp) / "returns"
        folder.mkdir(parents=True, exist_ok=True)
        targets = [folder / f"{i:05d}.xlsx" for i in range(n)]
        todo = [i for i, t in enumerate(targets) if not t.exists()]
        if todo:
            base = load_form(EXAMPLE_INPUT)
            t0 = time.perf_counter()
            run_batch(render_pair, [(vary(base, i), targets[i]) for i in todo], jobs=jobs, progress=False)
            print(f"rendered {len(todo)} forms into {folder} in {time.perf_counter() - t0:.1f} s")
        extra = sorted(set(folder.glob("*.xlsx")) - set(targets))
        if extra:
            raise SystemExit(f"{folder} holds other workbooks ({extra[0].name}…): use a folder of its own")
        out = Path(tmp) / "out"
        out.mkdir()
        print(f"peak memory of collect over {folder} ({jobs} workers), each in a fresh process; "
              f"load average {os.getloadavg()[0]:.2f}")
        for run in range(repeat):
            sizes = (max(1, n // 10), n) if run % 2 == 0 else (n, max(1, n // 10))
            mem = {count: peak_memory(folder, count, out, jobs) for count in sizes}
            print(f"run {run + 1}:")
            print_memory(dict(sorted(mem.items())), n)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", "--forms", dest="files", type=int, default=1000,
                    help="forms rendered and collected (10000 for issue 19's goal)")
    ap.add_argument("--openpyxl-files", type=int, default=1000,
                    help="files openpyxl loads for its baseline (the first ones; its ratio is per file)")
    ap.add_argument("--jobs", type=int, default=default_jobs())
    ap.add_argument("--sample", type=int, default=120, help="files timed one by one for the per-file medians")
    ap.add_argument("--memory-only", action="store_true",
                    help="only the collector's peak memory (at a tenth of the files and at all of them)")
    ap.add_argument("--returns", type=Path, default=None,
                    help="with --memory-only: the folder of rendered returns, kept; reused when it holds them")
    ap.add_argument("--repeat", type=int, default=1, help="with --memory-only: measurements of each size")
    args = ap.parse_args()
    if args.memory_only:
        memory_only(args.files, args.jobs, args.returns, args.repeat)
        return
    n, jobs = args.files, args.jobs
    m = min(n, args.openpyxl_files)
    print(f"machine: {os.cpu_count()} cores, {jobs} worker processes; Python {sys.version.split()[0]}; "
          f"load average at the start: {os.getloadavg()[0]:.2f}")

    base = load_form(EXAMPLE_INPUT)
    t0 = time.perf_counter()
    forms = [vary(base, i) for i in range(n)]
    print(f"generated {n} forms in {time.perf_counter() - t0:.2f} s "
          f"(tasks {min(len(f.tasks) for f in forms)}–{max(len(f.tasks) for f in forms)}, "
          f"indicators {min(len(f.indicators) for f in forms)}–{max(len(f.indicators) for f in forms)})")

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        ours, bare, out = tmp_path / "returns", tmp_path / "bare", tmp_path / "out"
        for d in (ours, bare, out):
            d.mkdir()
        targets = [ours / f"{i:05d}.xlsx" for i in range(n)]

        # -- whole batches, in parallel ----------------------------------------------------------
        # budgetxl and the bare script each render half the forms, then the other half in the
        # opposite order (ours, bare, bare, ours): a machine that speeds up or slows down during
        # the run favours neither.
        half = n // 2
        # the bare script gets every cell precomputed (untimed), as plain values
        bare_data = [bare_form_data(paginate(plan_form(f))) for f in forms]
        wrap_count.cache_clear()  # the workers forked next must not inherit the texts measured here

        def render_part(lo: int, hi: int) -> None:
            run_batch(render_pair, list(zip(forms[lo:hi], targets[lo:hi])), jobs=jobs, progress=False)

        def bare_part(lo: int, hi: int) -> None:
            run_batch(bare_write, [(bare_data[i], str(bare / f"{i:05d}.xlsx")) for i in range(lo, hi)],
                      jobs=jobs, progress=False)

        render_all = wall(lambda: render_part(0, half), "render")
        bare_all = wall(lambda: bare_part(0, half), "bare")
        bare_all += wall(lambda: bare_part(half, n), "bare, second half")
        render_all += wall(lambda: render_part(half, n), "render, second half")
        for name in ("render", "bare"):
            CPU[name] += CPU.pop(f"{name}, second half")
        bare_data.clear()  # not needed further: the workers forked next need not inherit it
        collected = {}
        collect_all = wall(lambda: collected.update(
            r=collect([ours], out / "summary.xlsx", csv_dir=out / "tables", jobs=jobs, progress=False)), "collect")
        load_all = wall(lambda: run_batch(openpyxl_load, [str(t) for t in targets[:m]], jobs=jobs, progress=False),
                        "openpyxl")
        counts = collected["r"].counts

        # -- one file at a time: distinct forms, each timed once, interleaved ---------------------
        # Timed in CPU time of this process (another process on the machine does not inflate it).
        # budgetxl's render and the bare script go in pairs that alternate which call goes first
        # (see _timing), and each call writes a new file of its own in single/: neither side
        # replaces or truncates an earlier file. Every text of a form is measured afresh (the
        # line-count cache is emptied before each render: the bare scripts' plans, made first,
        # would otherwise have measured them). The reads of a file (budgetxl's read, read + check,
        # openpyxl) take turns at going first. The process is set up as budgetxl's command line and
        # batch workers set themselves up: what exists before the first file is frozen out of the
        # garbage collector's sight (gc.freeze), for both sides of each pair.
        single = tmp_path / "single"
        single.mkdir()
        sample = list(range(0, n, max(1, n // args.sample)))[: args.sample]
        bare_runs = {i: bare_form_script(paginate(plan_form(forms[i])), single / f"bare-{i:05d}.xlsx") for i in sample}
        gc.collect()
        gc.freeze()
        per: dict[str, list[float]] = {k: [] for k in ("render", "bare", "read", "check", "openpyxl")}
        pair_ratios = []

        def render_cold(form: Form, path: Path) -> None:
            wrap_count.cache_clear()
            render_form(form, path)

        for k, i in enumerate(sample):
            render_one = functools.partial(render_cold, forms[i], single / f"budgetxl-{i:05d}.xlsx")
            if k % 2 == 0:
                r, b = cpu_seconds_of(render_one), cpu_seconds_of(bare_runs[i])
            else:
                b, r = cpu_seconds_of(bare_runs[i]), cpu_seconds_of(render_one)
            per["render"].append(r)
            per["bare"].append(b)
            pair_ratios.append(r / b)
            reads = [("read", functools.partial(read_workbook, targets[i])),
                     ("check", functools.partial(inspect_file, str(targets[i]))),
                     ("openpyxl", functools.partial(openpyxl.load_workbook, targets[i]))]
            turn = k % len(reads)
            for name, fn in reads[turn:] + reads[:turn]:
                per[name].append(cpu_seconds_of(fn))
        med = {k: statistics.median(v) for k, v in per.items()}

        mem = {count: peak_memory(ours, count, out, jobs) for count in (max(1, n // 10), n)}

    print(f"load average at the end: {os.getloadavg()[0]:.2f} (other work on the machine slows the walls below)")
    print(f"\ncollect: {counts}")
    print("\nwhole batches (wall clock, all workers)")
    print(f"  render {n} forms (budgetxl, batch runner)      {render_all:7.2f} s")
    print(f"  bare xlsxwriter, same cells, same runner       {bare_all:7.2f} s   ratio {render_all / bare_all:.2f}×")
    print(f"  collect {n} files (read+check+summary+CSV)     {collect_all:7.2f} s")
    print(f"  openpyxl.load_workbook, first {m} of the files {load_all:6.2f} s   ratio per file "
          f"{(collect_all / n) / (load_all / m):.2f}×")
    goal = "≤ 15 s for 1,000, ≤ 60 s for 10,000"
    print(f"  render + collect                               {render_all + collect_all:7.2f} s   (goal {goal})")
    print(f"\nCPU seconds (all processes; ÷ {jobs} = the wall on an otherwise idle machine)")
    for name, sec in CPU.items():
        print(f"  {name:<10} {sec:7.2f} s  → {sec / jobs:6.2f} s on {jobs} idle cores")
    ideal = (CPU["render"] + CPU["collect"]) / jobs
    print(f"  render + collect on {jobs} idle cores ≈ {ideal:.2f} s   (goal {goal})")
    print(f"\none file at a time (CPU time of this process, median over {len(sample)} distinct files, each timed once)")
    ratio = statistics.median(pair_ratios)
    read_ratio, check_ratio = med["read"] / med["openpyxl"], med["check"] / med["openpyxl"]
    print(f"  budgetxl render_form (plan + write)   {med['render'] * 1000:7.2f} ms")
    print(f"  bare xlsxwriter, same cells           {med['bare'] * 1000:7.2f} ms   ratio {ratio:.2f}×  "
          "(goal ≤ 1.3×; median of the pairs' ratios)")
    print(f"  budgetxl read_workbook                {med['read'] * 1000:7.2f} ms")
    print(f"  budgetxl read + check (collect's work) {med['check'] * 1000:6.2f} ms")
    print(f"  openpyxl.load_workbook                {med['openpyxl'] * 1000:7.2f} ms   read ratio {read_ratio:.2f}×  "
          f"(goal ≤ 0.25×), read+check {check_ratio:.2f}×")
    print("\npeak memory of collect, each in a fresh process (max RSS: the collector's VmHWM, its workers' ru_maxrss)")
    print_memory(mem, n)


if __name__ == "__main__":
    main()

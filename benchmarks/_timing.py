"""Timing helpers shared by the benchmark scripts.

The machine is shared and noisy (other processes, a CPU speed that drifts during the day), so
budgetxl and its baseline are timed call by call in alternation: each pair sees the same
conditions, and the pairs alternate which call goes first (a b, b a, a b, …), because the second
call of a pair finds the caches warmed by the first (the same xlsxwriter code and data): always
running budgetxl first would add about 7% to its ratio. Each call is timed in CPU time of this
process (another process on the machine does not inflate it) and in wall time; the figures
quoted are medians, and the ratio is the median of the pairs' ratios."""

from __future__ import annotations

import gc
import itertools
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "real"


def real_workbook(name: str, allow_missing: bool) -> Path | None:
    """A real workbook of ../shared/fixtures/real. Missing, the benchmark says so and exits 2,
    unless it was started with --no-real (then it says what it leaves out and goes on)."""
    path = REAL / name
    if path.is_file():
        return path
    if allow_missing:
        print(f"note: {path} is missing; its timings are left out (--no-real)")
        return None
    print(f"error: the real workbook {path} is missing (../shared beside the checkout);"
          " run with --no-real to time without it", file=sys.stderr)
    raise SystemExit(2)


def fresh_paths(folder: Path, stem: str, suffix: str = ".xlsx") -> Callable[[], Path]:
    """A new file name in `folder` at each call. Every timed write then creates a file: neither
    side replaces or truncates the file of an earlier call, which costs differently (an atomic
    rename over an old file frees it; an in-place write truncates it)."""
    counter = itertools.count()
    return lambda: folder / f"{stem}-{next(counter):05d}{suffix}"


def median_seconds(fn: Callable[[], object], repeat: int, clock: Callable[[], float] = time.process_time) -> float:
    times = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times)


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - w0


def compare(name_a: str, fn_a: Callable[[], object], name_b: str, fn_b: Callable[[], object],
            repeat: int = 30, rounds: int = 5) -> tuple[float, float]:
    """Time a and b in alternation, repeat × rounds pairs (garbage collection runs between pairs,
    not inside a timing). Prints the medians and the median ratio a/b; returns the CPU medians."""
    fn_a(), fn_b()  # warm up imports and caches
    pairs = []
    for _ in range(repeat * rounds):
        gc.collect()
        gc.disable()
        try:
            if len(pairs) % 2 == 0:
                a, b = _timed(fn_a), _timed(fn_b)
            else:
                b, a = _timed(fn_b), _timed(fn_a)
        finally:
            gc.enable()
        pairs.append((a, b))
    a_cpu = statistics.median(p[0][0] for p in pairs)
    b_cpu = statistics.median(p[1][0] for p in pairs)
    a_wall = statistics.median(p[0][1] for p in pairs)
    b_wall = statistics.median(p[1][1] for p in pairs)
    ratio_cpu = statistics.median(p[0][0] / p[1][0] for p in pairs if p[1][0] > 0)
    ratio_wall = statistics.median(p[0][1] / p[1][1] for p in pairs)
    print(f"{name_a:<42} {a_cpu * 1000:8.2f} ms CPU  {a_wall * 1000:8.2f} ms wall (medians of {len(pairs)})")
    print(f"{name_b:<42} {b_cpu * 1000:8.2f} ms CPU  {b_wall * 1000:8.2f} ms wall")
    print(f"{'ratio (median of paired calls)':<42} {ratio_cpu:8.2f}× CPU {ratio_wall:8.2f}× wall")
    return a_cpu, b_cpu

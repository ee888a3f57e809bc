"""Timing helpers shared by the benchmark scripts: medians over repeats, interleaved runs.

The machine is shared and noisy, so each call is timed in CPU time of this process
(time.process_time: another process on the machine does not inflate it) as well as wall time;
the ratio is taken from CPU time."""

from __future__ import annotations

import statistics
import time
from typing import Callable


def median_seconds(fn: Callable[[], object], repeat: int, clock: Callable[[], float] = time.process_time) -> float:
    times = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times)


def compare(name_a: str, fn_a: Callable[[], object], name_b: str, fn_b: Callable[[], object],
            repeat: int = 30, rounds: int = 5) -> tuple[float, float]:
    """Median seconds of a and b, measured in alternating rounds so that the shared machine's
    noise hits both alike. Prints both and the ratio a/b."""
    fn_a(), fn_b()  # warm up imports and caches
    a_times, b_times, a_wall, b_wall = [], [], [], []
    for _ in range(rounds):
        a_times.append(median_seconds(fn_a, repeat))
        b_times.append(median_seconds(fn_b, repeat))
        a_wall.append(median_seconds(fn_a, max(repeat // 4, 1), time.perf_counter))
        b_wall.append(median_seconds(fn_b, max(repeat // 4, 1), time.perf_counter))
    a, b = statistics.median(a_times), statistics.median(b_times)
    aw, bw = statistics.median(a_wall), statistics.median(b_wall)
    print(f"{name_a:<42} {a * 1000:8.2f} ms CPU  {aw * 1000:8.2f} ms wall (medians)")
    print(f"{name_b:<42} {b * 1000:8.2f} ms CPU  {bw * 1000:8.2f} ms wall (medians)")
    print(f"{'ratio (CPU)':<42} {a / b:8.2f}×      {aw / bw:8.2f}× wall")
    return a, b

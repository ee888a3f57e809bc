"""The parallel runner: order, per-item failures (exceptions, crashes, timeouts), chunking, progress."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import time

import pytest

from budgetxl.batch import MAX_CHUNK, chunk_size_for, iter_batch, run_batch
from budgetxl.errors import ReadError


# Top-level functions: the workers receive them by reference.
def double(x: int) -> int:
    return 2 * x


def pid_after(delay: float, x: int) -> tuple[int, int]:
    time.sleep(delay)
    return x, os.getpid()


def troublesome(x: int) -> int:
    if x == 3:
        raise ValueError("three is bad")
    if x == 4:
        raise ReadError("某文件: 文件已损坏")
    if x == 5:
        os._exit(7)
    if x == 7:
        os.kill(os.getpid(), signal.SIGKILL)
    if x == 9:
        raise SystemExit(3)
    return 2 * x


def sleepy(x: int) -> int:
    if x == 2:
        time.sleep(60)
    return x


def unpicklable(x: int):
    return (lambda: x) if x == 1 else x


def test_results_come_back_in_input_order_from_several_workers() -> None:
    outcomes = run_batch(functools.partial(pid_after, 0.005), range(40), jobs=2, chunk_size=1)
    assert [o.index for o in outcomes] == list(range(40))
    assert [o.value[0] for o in outcomes] == list(range(40))
    pids = {o.value[1] for o in outcomes}
    assert os.getpid() not in pids
    assert len(pids) == 2


@pytest.mark.parametrize("chunk", [None, 1, 7, 1000])
def test_every_chunk_size_gives_the_same_results(chunk: int | None) -> None:
    outcomes = run_batch(double, list(range(1, 101)), jobs=2, chunk_size=chunk)
    assert [o.value for o in outcomes] == [2 * x for x in range(1, 101)]
    assert all(o.ok and o.error is None for o in outcomes)


def test_exceptions_and_crashes_fail_only_their_own_item() -> None:
    outcomes = run_batch(troublesome, range(12), jobs=2, chunk_size=4)
    by = {o.index: o for o in outcomes}
    assert [o.index for o in outcomes] == list(range(12))
    assert by[3].kind == "error" and by[3].error_type == "ValueError" and "three is bad" in by[3].error
    assert "ValueError" in by[3].detail  # the worker's traceback, for --debug
    assert by[4].kind == "error" and by[4].error == "某文件: 文件已损坏"  # budgetxl's own message, as is
    assert by[5].kind == "crash" and "退出码 7" in by[5].error
    assert by[7].kind == "crash" and "SIGKILL" in by[7].error
    assert by[9].kind == "error" and by[9].error_type == "SystemExit"
    for i in (0, 1, 2, 6, 8, 10, 11):
        assert by[i].ok and by[i].value == 2 * i, i


def test_an_item_running_past_the_timeout_is_stopped_and_the_batch_goes_on() -> None:
    start = time.monotonic()
    outcomes = run_batch(sleepy, range(6), jobs=2, chunk_size=3, timeout=1.0)
    assert time.monotonic() - start < 20
    assert outcomes[2].kind == "timeout" and "超时" in outcomes[2].error
    assert [o.value for o in outcomes if o.ok] == [0, 1, 3, 4, 5]


def test_a_result_that_cannot_travel_back_is_that_items_failure() -> None:
    outcomes = run_batch(unpicklable, range(3), jobs=1)
    assert [o.kind for o in outcomes] == ["ok", "error", "ok"]
    assert "无法传回" in outcomes[1].error


def call_it(item) -> int:
    return item()


def test_forked_workers_find_the_items_without_pickling_them() -> None:
    import budgetxl.batch as batch

    if batch._context().get_start_method() != "fork":
        pytest.skip("workers are not forked here")
    # a lambda cannot be pickled: it reaches the workers only through the memory they inherit
    items = [lambda k=k: k * 10 for k in range(20)]
    out = run_batch(call_it, items, jobs=2, chunk_size=3)
    assert [o.value for o in out] == [k * 10 for k in range(20)]
    assert [o.item for o in out] == items
    assert batch._INHERITED == {}  # forgotten once the batch is over


def test_spawned_workers_get_the_items_whole_and_a_crash_still_fails_only_its_item(monkeypatch) -> None:
    """Where workers are not forked (macOS, Windows), each chunk travels as its items: the
    chunks, held as ranges of item numbers, give each worker the right ones, also the rest of a
    chunk whose worker crashed."""
    import multiprocessing

    import budgetxl.batch as batch

    monkeypatch.setattr(batch, "_context", lambda: multiprocessing.get_context("spawn"))
    outcomes = run_batch(troublesome, range(12), jobs=2, chunk_size=4)
    assert [o.index for o in outcomes] == list(range(12)) and [o.item for o in outcomes] == list(range(12))
    assert [o.kind for o in outcomes] == ["ok"] * 3 + ["error"] * 2 + ["crash", "ok", "crash", "ok", "error", "ok", "ok"]
    assert [o.value for o in outcomes if o.ok] == [0, 2, 4, 12, 16, 20, 22]
    assert batch._INHERITED == {}


def test_nothing_to_do() -> None:
    assert run_batch(double, []) == []


def test_iter_batch_yields_in_order_while_running() -> None:
    seen = []
    for outcome in iter_batch(double, range(30), jobs=2, chunk_size=2):
        seen.append(outcome.index)
    assert seen == list(range(30))


def test_stopping_early_ends_the_workers() -> None:
    gen = iter_batch(functools.partial(pid_after, 0.01), range(50), jobs=2, chunk_size=1)
    first = next(gen)
    gen.close()
    time.sleep(0.2)
    pids = {first.value[1]}
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_chunk_sizes() -> None:
    assert chunk_size_for(1000, 2) == 62
    assert chunk_size_for(10, 2) == 1
    assert chunk_size_for(10**6, 2) == MAX_CHUNK


def test_progress_bar_only_when_asked_or_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    run_batch(double, range(5), jobs=1, progress=True, description="读取")
    err = capsys.readouterr().err
    assert "读取" in err and "5/5" in err
    run_batch(double, range(5), jobs=1)  # stderr is not a terminal under pytest
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------------------------------------
# budgetxl render with several inputs goes through the runner


def test_render_files_in_parallel(tmp_path, seed_form) -> None:
    from budgetxl.read import read_workbook
    from budgetxl.render.many import render_files

    inputs = []
    for name in ("a", "b", "c"):
        p = tmp_path / f"{name}.yaml"
        p.write_text(seed_form.model_copy(update={"unit_name": f"单位{name}"}).to_yaml(), encoding="utf-8")
        inputs.append(p)
    targets = [tmp_path / "out" / f"{p.stem}.xlsx" for p in inputs]
    outcomes = render_files(inputs, targets, jobs=2)
    assert [o.value for o in outcomes] == targets
    assert [read_workbook(t).form.unit_name for t in targets] == ["单位a", "单位b", "单位c"]


def test_render_files_writes_nothing_when_an_input_is_bad(tmp_path, seed_form) -> None:
    from budgetxl.errors import InputError
    from budgetxl.render.many import render_files

    good = tmp_path / "good.yaml"
    good.write_text(seed_form.to_yaml(), encoding="utf-8")
    bad1, bad2 = tmp_path / "bad1.yaml", tmp_path / "bad2.yaml"
    bad1.write_text("year: x\n", encoding="utf-8")
    bad2.write_text("year: [\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        render_files([good, bad1, bad2], [tmp_path / "o" / f"{n}.xlsx" for n in ("g", "b1", "b2")], jobs=2)
    assert "2 个输入文件有错误" in str(info.value)
    assert "bad1.yaml" in str(info.value) and "bad2.yaml" in str(info.value)
    assert not (tmp_path / "o").exists()
    with pytest.raises(InputError, match="同一个输出文件"):
        render_files([good, good], [tmp_path / "same.xlsx"] * 2)


# ---------------------------------------------------------------------------------------------
# Resource limits and killing a batch


def test_jobs_are_capped_at_a_sane_multiple_of_the_cores() -> None:
    from budgetxl.batch import JOBS_PER_CORE, cap_jobs, default_jobs

    limit = JOBS_PER_CORE * default_jobs()
    assert cap_jobs(300) == limit and cap_jobs(1) == 1
    outcomes = run_batch(functools.partial(pid_after, 0.05), range(3 * limit), jobs=300, chunk_size=1)
    assert len({o.value[1] for o in outcomes}) <= limit


HOLDING_BATCH = '''
import os, sys, time
from pathlib import Path
from budgetxl.batch import run_batch
from budgetxl.cli.app import Terminated, install_signal_handlers
from budgetxl.fileio import atomic_path

def hold(path):
    """Write a large temporary output, say so, and wait to be stopped."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(b"x" * 5_000_000)
        part = Path(str(path) + ".part")  # renamed when written: never seen empty
        part.write_text(str(os.getpid()))
        os.replace(part, str(path) + ".ready")
        time.sleep(600)
    return path

if __name__ == "__main__":
    install_signal_handlers()
    folder = Path(sys.argv[1])
    try:
        run_batch(hold, [folder / f"out{i}.xlsx" for i in range(2)], jobs=2, chunk_size=1)
    except Terminated:
        sys.exit(143)
'''


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")  # a zombie has ended
    except FileNotFoundError:
        return True


def _start_holding_batch(tmp_path) -> tuple[subprocess.Popen, list[int]]:
    import sys

    script = tmp_path / "hold.py"
    script.write_text(HOLDING_BATCH, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    parent = subprocess.Popen([sys.executable, str(script), str(out)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(list(out.glob("*.ready"))) < 2:
        assert time.monotonic() < deadline and parent.poll() is None, parent.stderr.read() if parent.poll() else "slow"
        time.sleep(0.05)
    workers = [int(p.read_text()) for p in out.glob("*.ready")]
    assert len(list(out.glob(".out*.tmp"))) == 2  # each worker holds a 5 MB temporary file
    return parent, workers


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_their_parent_and_leave_no_temporary_files(tmp_path, sig: int) -> None:
    parent, workers = _start_holding_batch(tmp_path)
    parent.send_signal(sig)
    parent.wait(timeout=30)
    deadline = time.monotonic() + 15
    while not all(_gone(pid) for pid in workers):
        assert time.monotonic() < deadline, f"workers still running after the parent got {sig!r}"
        time.sleep(0.1)
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.endswith(".ready")) == []
    if sig == signal.SIGTERM:
        assert parent.returncode == 143 and b"Traceback" not in parent.stderr.read()

"""A collection's records on disk (collect.spool): the collecting process keeps none of them in
memory, reads them back with their duplicates exactly as mark_duplicates marks them, hands them
to the caller as a read-only sequence, and lets the temporary file go when a collection fails."""

from __future__ import annotations

import dataclasses
import gc
import os
import pickle
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from budgetxl.collect import collect, duplicate_group, mark_duplicates
from budgetxl.collect.inspect import FileRecord
from budgetxl.collect.projects import ProjectRow
from budgetxl.collect.spool import RecordSpool, SpooledRecords
from budgetxl.collect.summary import summary_sheet_row
from budgetxl.render import render_form


@pytest.fixture(scope="module")
def returns(tmp_path_factory, seed_form) -> Path:
    """Six returns: four units, one of them sent three times, and a file that is not a workbook."""
    root = tmp_path_factory.mktemp("returns")
    for i, unit in enumerate(("甲局", "乙局", "丙局", "丁局")):
        render_form(seed_form.model_copy(update={"unit_name": unit}), root / f"{i}-{unit}.xlsx")
    shutil.copy(root / "1-乙局.xlsx", root / "1-乙局-再次.xlsx")
    shutil.copy(root / "1-乙局.xlsx", root / "1-乙局-第三次.xlsx")
    (root / "9-损坏.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    return root


def test_the_records_read_back_as_a_tuple_would(returns: Path, tmp_path: Path) -> None:
    result = collect([returns], tmp_path / "s.xlsx", jobs=1, progress=False)
    records = result.records
    assert isinstance(records, SpooledRecords)
    kept = tuple(records)  # an in-memory copy, when the caller wants one
    assert len(records) == len(kept) == 7
    assert [Path(r.path).name for r in kept] == sorted(p.name for p in returns.iterdir())
    assert records[0] == kept[0] and records[-1] == kept[-1] and records[6] == kept[6]
    assert records[1:4] == kept[1:4] and records[::3] == kept[::3] and records[5:100] == kept[5:]
    with pytest.raises(IndexError):
        records[7]
    assert records == kept and kept == records and list(records) == list(kept)
    assert hash(records) == hash(kept)
    assert records.index(kept[2]) == 2 and kept[3] in records
    # each use reads the spool again: the same records every time
    assert tuple(records) == kept
    again = pickle.loads(pickle.dumps(result))
    assert type(again.records) is tuple and again.records == kept and again == result
    assert result.counts == {"ok": 0, "warnings": 6, "errors": 0, "unreadable": 1}
    assert result.duplicates == 3
    assert [Path(r.path).name for r in result.unreadable()] == ["9-损坏.xlsx"]
    # counted by the spool as they are counted over the records themselves
    in_memory = dataclasses.replace(result, records=kept)
    assert (in_memory.counts, in_memory.duplicates, list(in_memory.unreadable())) == (
        result.counts, result.duplicates, list(result.unreadable()))
    assert list(records.select(status="warnings")) == [r for r in kept if r.status == "warnings"]
    assert list(records.select(part="")) == list(kept) and list(records.select(part="project")) == []
    twice = {Path(r.path).name: r for r in kept}["1-乙局-再次.xlsx"]
    assert twice.n_duplicates == 2 and sorted(Path(p).name for p in twice.duplicates) == ["1-乙局-第三次.xlsx",
                                                                                          "1-乙局.xlsx"]


def test_the_collector_keeps_no_record_in_memory(returns: Path, tmp_path: Path, monkeypatch) -> None:
    """While the summary is finished and after the collection returns, no record of the seven
    files is alive in the collecting process (only the one in hand while it came in)."""
    from budgetxl.collect.summary import SummaryBook

    finish = SummaryBook.finish
    alive: list[int] = []

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        gc.collect()
        alive.append(sum(1 for o in gc.get_objects() if isinstance(o, FileRecord)))
        return finish(self, *args, **kwargs)

    monkeypatch.setattr(SummaryBook, "finish", counting)
    before = sum(1 for o in gc.get_objects() if isinstance(o, FileRecord))
    result = collect([returns], tmp_path / "s.xlsx", jobs=1, progress=False)
    assert len(result.records) == 7
    assert alive[0] - before <= 1
    gc.collect()
    assert sum(1 for o in gc.get_objects() if isinstance(o, FileRecord)) == before


def _spooled(recs: list[FileRecord], max_listed: int = 5) -> list[FileRecord]:
    spool = RecordSpool(max_listed)
    for rec in recs:
        spool.add(rec, duplicate_group(rec))
    return list(spool.seal())


def test_the_spool_marks_duplicates_as_mark_duplicates_does() -> None:
    def project(name: str, code: str = "", n_annual: int = 1) -> ProjectRow:
        return ProjectRow(name, code, "某部门", "某单位", Decimal("1.5"), None, n_annual, 0)

    recs = [FileRecord("a", "ok", unit_name="X局", year=2023), FileRecord("b", "ok", unit_name=" X局 ", year=2023),
            FileRecord("c", "ok", unit_name="X局", year=2024), FileRecord("d", "unreadable"),
            FileRecord("e", "unreadable", unit_name="X局", year=2023),
            FileRecord("f", "ok", unit_name="", year=2023), FileRecord("g", "ok", unit_name="", year=2023),
            FileRecord("h", "ok", unit_name="X局", year=None), FileRecord("i", "warnings", unit_name="X局", year=None),
            FileRecord("j.xlsx", "ok", unit_name="X局", year=2023, sheet="表二", several=True),
            # a department's projects: by code, else by name; never duplicates of its own form
            FileRecord("p1", "ok", unit_name="X局", year=2023, kind="project", project=project("路", "A-1")),
            FileRecord("p2", "ok", unit_name="X局", year=2023, kind="project", project=project("桥", "A-1")),
            FileRecord("p3", "ok", unit_name="X局", year=2023, kind="project", project=project("路")),
            FileRecord("p4", "ok", unit_name="X局", year=2023, kind="project", project=project("路")),
            FileRecord("p5", "ok", unit_name="X局", year=2023, kind="project", project=project("")),
            FileRecord("p6", "ok", unit_name="X局", year=2023, kind="project", project=project("")),
            FileRecord("s\udcb1", "ok", unit_name="Y局", year=2023), FileRecord("t", "ok", unit_name="Y局", year=2023)]
    expected = mark_duplicates(recs)
    assert _spooled(recs) == expected
    by_path = {r.path: r for r in expected}
    assert by_path["a"].duplicates == ("b", "j.xlsx（表二）") and by_path["h"].duplicates == ("i",)
    assert by_path["p1"].duplicates == ("p2",) and by_path["p3"].duplicates == ("p4",)
    assert by_path["p5"].duplicates == () and by_path["e"].duplicates == ()
    assert by_path["t"].duplicates == ("s\udcb1",)  # a file name with undecodable bytes survives the spool


def test_hundreds_of_one_unit_in_the_spool_list_the_first_few() -> None:
    recs = [FileRecord(f"returns/第{i:04d}份.xlsx", "ok", unit_name="X局", year=2023) for i in range(300)]
    out = _spooled(recs, max_listed=5)
    assert out == mark_duplicates(recs)
    assert out[0].duplicates == tuple(f"returns/第{i:04d}份.xlsx" for i in range(1, 6))
    assert out[299].duplicates == tuple(f"returns/第{i:04d}份.xlsx" for i in range(5)) and out[299].n_duplicates == 299


def test_a_spool_is_read_only_once_sealed_and_unreadable_before() -> None:
    spool = RecordSpool(5)
    spool.add(FileRecord("a", "ok"), None, row=(15.0, ()))
    with pytest.raises(RuntimeError):
        list(spool.read())
    records = spool.seal()
    assert list(records.with_rows()) == [(FileRecord("a", "ok"), (15.0, ()))]
    with pytest.raises(RuntimeError):
        spool.add(FileRecord("b", "ok"), None)
    spool.close()


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_a_collection_that_fails_closes_its_spool(returns: Path, tmp_path: Path, monkeypatch, error) -> None:
    spools: list[RecordSpool] = []
    init = RecordSpool.__init__

    def remember(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        init(self, *args, **kwargs)
        spools.append(self)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise error

    monkeypatch.setattr(RecordSpool, "__init__", remember)
    monkeypatch.setattr("budgetxl.collect.summary.SummaryBook.finish", broken)
    with pytest.raises(type(error)):
        collect([returns], tmp_path / "s.xlsx", csv_dir=tmp_path / "tables", jobs=1, progress=False)
    (spool,) = spools
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        spool._db.execute("SELECT 1")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_row_laid_out_in_the_worker_is_the_row_made_at_the_end() -> None:
    """The 汇总 row a worker lays out before duplicates are known is used as it is (with its
    index) when the file has none, and made again when it has: their names make it taller."""
    rec = FileRecord("returns/某单位/某单位的报表.xlsx", "warnings", unit_name="某单位" * 4, year=2024, warnings=3,
                     expenditures=Decimal("123.45"), layout="guangdong", sheet="表")
    laid_out = summary_sheet_row(0, rec)
    assert summary_sheet_row(17, rec, laid_out) == summary_sheet_row(17, rec)
    assert summary_sheet_row(17, rec, laid_out)[1][0] == (17, "int")
    dup = rec.__class__(**{**rec.__dict__, "duplicates": tuple(f"returns/其他/第{i}份报表.xlsx" for i in range(5)),
                           "n_duplicates": 9})
    made = summary_sheet_row(17, dup, laid_out)
    assert made == summary_sheet_row(17, dup) and made[0] > laid_out[0]


def test_outputs_are_checked_against_many_inputs_by_one_look_at_each(tmp_path: Path) -> None:
    """Ten thousand files named one by one: only those that may be an output (the same file, or
    one that does not exist) go on to the comparison of paths, and every way of naming an input
    as an output is still refused."""
    from budgetxl.collect import _may_be_one_of, check_outputs
    from budgetxl.errors import UsageError

    folder = tmp_path / "d"
    folder.mkdir()
    inputs: list[str | Path] = []
    for i in range(40):
        (folder / f"{i}.xlsx").write_bytes(b"x")
        inputs.append(str(folder / f"{i}.xlsx"))
    inputs += [folder, tmp_path / "gone.xlsx"]
    os.link(folder / "7.xlsx", tmp_path / "hard.xlsx")
    (tmp_path / "link.xlsx").symlink_to(folder / "9.xlsx")
    outputs = [tmp_path / "hard.xlsx", tmp_path / "new.xlsx"]
    assert _may_be_one_of(inputs, outputs) == [inputs[7], tmp_path / "gone.xlsx"]
    for out in (tmp_path / "hard.xlsx", tmp_path / "link.xlsx", folder / "missing" / ".." / "3.xlsx",
                Path(inputs[5])):
        with pytest.raises(UsageError, match="输出文件就是输入文件"):
            check_outputs(inputs, out)
    check_outputs(inputs, tmp_path / "new.xlsx")  # another file: allowed

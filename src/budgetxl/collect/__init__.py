"""Collecting a whole bureau's returns: every workbook in a folder read and checked in parallel,
summed up in one workbook (and tidy CSV tables), each department compared with last year.

Nothing is lost and nothing stops the run: a file that cannot be read is a row with its reason,
a file that crashes or hangs its worker is too. The worker that reads a file also lays out its
rows of the 问题清单 and of the 汇总 sheet and encodes its rows of the tidy tables; the collector
writes them as they come and spools each file's record (its numbers) to a temporary file on disk
(collect.spool), from which the one-row-per-file sheet and forms.csv are written at the end, when
duplicates are known. The collecting process keeps nothing per file in memory but the list of
files to read, and its own work per file stays small.
"""

from __future__ import annotations

import contextlib
import functools
import os
import stat
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from budgetxl.batch import FILE_TIMEOUT_SECONDS, Outcome, iter_batch, run_batch
from budgetxl.collect.files import (
    SPREADSHEET_SUFFIXES,
    find_workbook_names,
    find_workbooks,
    is_lock_or_junk,
    is_spreadsheet,
)
from budgetxl.collect.inspect import (
    STATUSES,
    Comparison,
    FileRecord,
    Known,
    Status,
    identify,
    inspect_file,
    short_reason,
    unit_key,
    where,
)
from budgetxl.collect.projects import Unmatched, project_group
from budgetxl.collect.spool import RecordSpool, SpooledRecords
from budgetxl.collect.summary import (
    FileSheetRows,
    PreparedRow,
    SummaryBook,
    is_summary_workbook,
    sheet_rows,
    summary_sheet_row,
    write_summary,
)
from budgetxl.collect.tidy import TidyWriter, file_rows
from budgetxl.errors import InputError, UsageError
from budgetxl.fileio import Staging, refuse_inputs
from budgetxl.read.archive import Member, expand

TIMEOUT_SECONDS = FILE_TIMEOUT_SECONDS  # one file; far above what a real return takes (a few hundredths)
MAX_LISTED_DUPLICATES = 5  # other files of the same unit and year named in a file's row


@dataclass(frozen=True)
class Collection:
    """What a collection did. Its records keep each file's numbers (status, counts, totals,
    duplicates, comparison), in the order of the summary's rows; the findings, tasks and
    indicators themselves went to the summary workbook and the CSV files as each file came in.

    `records` is a read-only sequence (collect.spool.SpooledRecords) that reads the records from
    a temporary file each time it is used, so that a collection of any size holds none of them in
    memory: index it, slice it, take its `len` or iterate it as a tuple (each use reads the file
    again); `tuple(result.records)` keeps an in-memory copy. The temporary file goes when the
    Collection does. `write_summary` and `mark_duplicates` take records as a tuple or list."""

    records: Sequence[FileRecord]
    output: Path
    csv_dir: Path | None = None
    skipped: int = 0  # other files in the folders (not spreadsheets, lock files)
    skipped_files: tuple[tuple[str, str], ...] = ()  # each of them: (file, why it was skipped)
    compared: bool = False
    previous_unreadable: tuple[FileRecord, ...] = ()
    missing: tuple[Known, ...] = ()  # last year's units that sent nothing this year
    notes: tuple[str, ...] = ()  # what was skipped on the way (link loops, FIFOs), one line each

    @property
    def counts(self) -> dict[Status, int]:
        out = dict.fromkeys(STATUSES, 0)
        if isinstance(self.records, SpooledRecords):
            out.update(self.records.tally()[0])  # type: ignore[arg-type]
            return out
        for r in self.records:
            out[r.status] += 1
        return out

    @property
    def duplicates(self) -> int:
        if isinstance(self.records, SpooledRecords):
            return self.records.tally()[1]
        return sum(1 for r in self.records if r.n_duplicates)

    def unreadable(self) -> Iterator[FileRecord]:
        """The files that could not be read, in order."""
        if isinstance(self.records, SpooledRecords):
            return self.records.select(status="unreadable")
        return (r for r in self.records if r.status == "unreadable")


def failed_record(outcome: Outcome[Any]) -> FileRecord:
    """A file whose worker raised an unexpected error, crashed or ran out of time."""
    reason = outcome.error or "未知错误"
    if outcome.kind == "error":
        reason = f"读取时发生意外错误（{reason}）"
    path, member = where(outcome.item)
    return FileRecord(path=path, member=member, status="unreadable", reason=reason)


def return_kind(rec: FileRecord) -> str:
    """What a return is, for telling duplicates apart: the target table, or a self-evaluation (of
    the department, or of one of its projects)."""
    if rec.selfeval is None:
        return ""
    return "selfeval:" + unit_key(rec.selfeval.project_name)


def duplicate_group(rec: FileRecord) -> str | None:
    """Which files are duplicates of each other: those of the same unit, year and kind (a
    self-evaluation: of the same project; a project's table: of the same project, see
    projects.project_group). None for a file that is nobody's duplicate (unreadable, no unit)."""
    if rec.status == "unreadable":
        return None
    if rec.project is not None:
        return project_group(rec)
    if not rec.unit_name.strip():
        return None
    return repr(("unit", unit_key(rec.unit_name), rec.year, return_kind(rec)))


def mark_duplicates(records: Sequence[FileRecord]) -> list[FileRecord]:
    """Files of the same group (duplicate_group) each name the others: the first
    MAX_LISTED_DUPLICATES of them, and how many there are (a unit that sent hundreds of files
    costs no more). A collection does the same on its spooled records (collect.spool)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        group = duplicate_group(r)
        if group is not None:
            groups[group].append(i)
    out = list(records)
    for members in groups.values():
        if len(members) > 1:
            head = members[: MAX_LISTED_DUPLICATES + 1]
            for i in members:
                listed = tuple(records[j].label for j in head if j != i)[:MAX_LISTED_DUPLICATES]
                out[i] = replace(out[i], duplicates=listed, n_duplicates=len(members) - 1)
    return out


def index_previous(
    folder: str | Path, *, jobs: int | None = None, progress: bool | None = None, notes: list[str] | None = None
) -> tuple[dict[str, list[Known]], list[FileRecord]]:
    """Last year's files by unit: {unit key: [Known…]}, and those that could not be read."""
    files, _ = find_workbook_names([folder], notes=notes)
    items, broken, _ = expand(files, notes)
    index: dict[str, list[Known]] = defaultdict(list)
    unreadable: list[FileRecord] = [FileRecord(path=p, status="unreadable", reason=short_reason(why, p))
                                    for p, why in broken]
    for o in run_batch(identify, items, jobs=jobs, progress=progress,
                       description="读取上年工作簿", timeout=TIMEOUT_SECONDS):
        if o.ok and o.value is not None:
            for known in o.value:
                if known.unit_name.strip():
                    index[unit_key(known.unit_name)].append(known)
                else:
                    path, member = where(o.item)
                    unreadable.append(FileRecord(path=path, member=member, status="unreadable", reason="没有单位名称",
                                                 sheet=known.sheet or ""))
        else:
            reason = short_reason(o.error or "", o.item) if o.error_type == "ReadError" else failed_record(o).reason
            path, member = where(o.item)
            unreadable.append(FileRecord(path=path, member=member, status="unreadable", reason=reason))
    return dict(index), unreadable


def collect(
    paths: Iterable[str | Path],
    output: str | Path,
    *,
    previous: str | Path | None = None,
    csv_dir: str | Path | None = None,
    jobs: int | None = None,
    progress: bool | None = None,
    timeout: float | None = TIMEOUT_SECONDS,
    csv_lang: str = "zh",
) -> Collection:
    """Read and check every workbook under `paths`; write the summary workbook at `output` (and
    the tidy tables into `csv_dir`, headed in `csv_lang`: "zh" or "en"). Raises InputError when
    there is nothing to collect."""
    paths = list(paths)
    output = Path(output)
    check_outputs(paths, output, previous=previous, csv_dir=csv_dir)
    notes: list[str] = []
    # the files as text, not Path objects: a Path interns its parts, kept for the whole run
    files, skipped_paths = find_workbook_names(paths, exclude=[output], notes=notes)
    if not files:
        raise InputError("没有找到要汇总的工作簿（.xlsx、.xls、.ods、.et，或装有它们的 .zip）："
                         + "、".join(str(p) for p in paths))
    # a zip of returns: each workbook in it is a return; a zip that cannot be read is a row of its own
    items, broken, zipped_others = expand(files, notes)
    del files  # the items name them
    skipped = skipped_paths + zipped_others
    index: dict[str, list[Known]] | None = None
    previous_unreadable: list[FileRecord] = []
    if previous is not None:
        if not Path(previous).is_dir():
            raise InputError(f"{previous}: 上年文件夹不存在")
        index, previous_unreadable = index_previous(previous, jobs=jobs, progress=progress, notes=notes)
        import budgetxl.diff  # noqa: F401 - imported once here, not again in every worker

    worker = functools.partial(collect_file, previous=index, tidy=csv_dir is not None)
    # Every output is staged and committed together at the end: all of them or none. The spool
    # (the records, on disk) is closed if anything fails, else handed to the Collection.
    with contextlib.ExitStack() as stack:
        spool = stack.enter_context(RecordSpool(MAX_LISTED_DUPLICATES))
        staging = stack.enter_context(Staging())
        tidy = stack.enter_context(TidyWriter(csv_dir, staging, csv_lang)) if csv_dir is not None else None
        book = stack.enter_context(SummaryBook(output, compared=index is not None, staging=staging))
        unmatched = Unmatched(index) if index is not None else None
        ahead = [FileRecord(path=p, status="unreadable", reason=short_reason(why, p)) for p, why in broken]
        outcomes = iter_batch(worker, items, jobs=jobs, progress=progress, description="读取并审核工作簿",
                              timeout=timeout)
        for part in _collected(ahead, outcomes, index is not None, tidy is not None):
            for one in part:  # one per form: a workbook may hold several
                book.add_rows(one.sheet_rows)
                if tidy is not None and one.csv is not None:
                    tidy.add_file_rows(one.csv)
                spool.add(one.record, one.group, one.summary_row)
                if unmatched is not None:
                    unmatched.see(one.record, one.unit)
        del items, outcomes  # the batch is done: its list of files is not needed for the rest
        records = spool.seal()  # read back with their duplicates
        missing = unmatched.missing() if unmatched is not None else []
        if tidy is not None:
            for rec in records:
                tidy.add_form(rec)
        book.finish(records, missing, skipped)
    return Collection(
        records=records,
        output=output,
        csv_dir=Path(csv_dir) if csv_dir is not None else None,
        skipped=len(skipped),
        skipped_files=tuple(skipped),
        compared=index is not None,
        previous_unreadable=tuple(previous_unreadable),
        missing=tuple(missing),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class Collected:
    """One form of a file as a worker hands it to the collector: the record with only its numbers
    (no findings, tasks or indicators), the rows it adds to the summary's 问题清单 and comparison
    sheets, laid out, and its rows of the tidy tables, encoded (None without --csv). The
    collector writes them as they come and spools the record, with its row of the 汇总 sheet
    (laid out as if it had no duplicates: those are known at the end), its duplicate group and
    its unit as last year's files are matched by (unit_key)."""

    record: FileRecord
    sheet_rows: FileSheetRows
    csv: tuple[bytes, ...] | None
    summary_row: PreparedRow
    group: str | None
    unit: str


def collected(rec: FileRecord, compared: bool, tidy: bool) -> Collected:
    bare = replace(rec, findings=(), tasks=(), indicators=(), results=())
    return Collected(bare, sheet_rows(rec, compared), file_rows(rec) if tidy else None, summary_sheet_row(0, bare),
                     duplicate_group(bare), unit_key(rec.unit_name))


def collect_file(path: str | Member, previous: Mapping[str, Sequence[Known]] | None = None,
                 tidy: bool = True) -> tuple[Collected, ...]:
    """A collection's work on one file, in a worker: read, check and compare it (inspect_file),
    then lay out and encode what it adds to the outputs."""
    return tuple(collected(rec, previous is not None, tidy) for rec in inspect_file(path, previous))


def _collected(ahead: list[FileRecord], outcomes: Iterable[Outcome[tuple[Collected, ...]]], compared: bool,
               tidy: bool) -> Iterable[tuple[Collected, ...]]:
    yield from ((collected(rec, compared, tidy),) for rec in ahead)
    for outcome in outcomes:
        if outcome.ok and outcome.value is not None:
            yield outcome.value
        else:
            yield (collected(failed_record(outcome), compared, tidy),)


def check_outputs(paths: Sequence[str | Path], output: Path, *, previous: str | Path | None = None,
                  csv_dir: str | Path | None = None) -> None:
    """Refuse (UsageError), before any work, outputs that would destroy a return: an output that
    is one of the files named, the summary in last year's folder, and an existing file that is
    not a summary budgetxl wrote (a department's return kept in a collected folder, say)."""
    from budgetxl.collect.tidy import COLUMNS as CSV_NAMES

    csv_files = [Path(csv_dir) / f"{name}.csv" for name in CSV_NAMES] if csv_dir is not None else []
    outputs = [output, *csv_files]
    refuse_inputs(outputs, _may_be_one_of(paths, outputs))
    if previous is not None:
        for out in (output, *([Path(csv_dir)] if csv_dir is not None else [])):
            if _inside(out, previous):
                raise UsageError(f"{out}: 不能写在上年文件夹 {previous} 中（会改动上年的报表）；请换一个位置")
    try:
        st = os.stat(output)
    except OSError:
        return
    if stat.S_ISREG(st.st_mode) and not is_summary_workbook(output):
        where = next((str(p) for p in paths if Path(p).is_dir() and _inside(output, p)), None)
        why = f"，它在要汇总的文件夹 {where} 中，可能是某单位的报表" if where else ""
        raise UsageError(f"{output}: 文件已存在，且不是 budgetxl 写的汇总工作簿{why}；不会覆盖它，请换一个文件名")


def _may_be_one_of(inputs: Sequence[str | Path], outputs: Sequence[Path]) -> list[str | Path]:
    """The files among `inputs` (folders left out) that may be one of `outputs`, in order, for
    refuse_inputs to check: one stat each, so that ten thousand files named one by one cost
    milliseconds, not a resolved path per file and output. A file that exists can only be an
    output that names a file that exists, as written or resolved ('a/missing/../b.xlsx' is
    a/b.xlsx resolved), the same file (device and inode); one that does not exist (or cannot be
    looked at) is left to refuse_inputs' comparison of paths. Those kept, refuse_inputs checks."""
    existing = set()
    for out in outputs:
        for name in (out, _realpath(out)):
            with contextlib.suppress(OSError, ValueError):
                st = os.stat(name)
                existing.add((st.st_dev, st.st_ino))
    keep: list[str | Path] = []
    for p in inputs:
        try:
            st = os.stat(p)
        except (OSError, ValueError):
            keep.append(p)
            continue
        if not stat.S_ISDIR(st.st_mode) and (st.st_dev, st.st_ino) in existing:
            keep.append(p)
    return keep


def _realpath(path: str | Path) -> str | Path:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError, RuntimeError):
        return path


def _inside(path: str | Path, folder: str | Path) -> bool:
    """Whether `path` lies in `folder` or below (symlinks followed)."""
    p, f = os.path.realpath(path), os.path.realpath(folder)
    try:
        return os.path.commonpath([p, f]) == f
    except ValueError:  # another drive
        return False


__all__ = [
    "SPREADSHEET_SUFFIXES",
    "Collection",
    "Comparison",
    "FileRecord",
    "Known",
    "collect",
    "find_workbooks",
    "inspect_file",
    "is_lock_or_junk",
    "is_spreadsheet",
    "mark_duplicates",
    "write_summary",
]

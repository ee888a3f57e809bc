"""A collection's records on disk rather than in memory: each file's record goes to a temporary
database as it comes in, and the one-row-per-file sheet, forms.csv and `Collection.records` read
them back from there, so the records cost the collecting process the same half megabyte for ten
thousand files as for a thousand.

The database is SQLite's private temporary one: a file nobody else can open, deleted when the
spool is closed or dropped — and on POSIX unlinked as soon as it is made, so that not even a
killed process leaves it behind. Its page cache (CACHE_KIB) is what it costs in memory, whatever
the number of files.

Duplicates (files of the same unit and year, see `mark_duplicates`) are found in the database
too: each record is stored with its group, and when the records are read back each learns how
many others its group holds and the first few of them.
"""

from __future__ import annotations

import pickle
import sqlite3
from dataclasses import replace
from typing import Any, Iterable, Iterator, Literal, Sequence, overload

from budgetxl.collect.inspect import FileRecord

# (record, its laid-out row of the summary sheet or None), as stored
Stored = tuple[FileRecord, Any]

_SCHEMA = """
CREATE TABLE rec (i INTEGER PRIMARY KEY, status TEXT NOT NULL, kind TEXT NOT NULL, grp BLOB, label BLOB NOT NULL,
                  data BLOB NOT NULL);
"""
# After the last record: the groups that hold more than one, and an index to list their members.
_SEAL = """
CREATE INDEX rec_grp ON rec (grp, i) WHERE grp IS NOT NULL;
CREATE TABLE dup (grp BLOB PRIMARY KEY, n INTEGER NOT NULL);
INSERT INTO dup SELECT grp, COUNT(*) FROM rec WHERE grp IS NOT NULL GROUP BY grp HAVING COUNT(*) > 1;
"""
_READ = "SELECT r.i, r.data, d.n, r.grp FROM rec r LEFT JOIN dup d ON d.grp = r.grp"
_CHUNK = 256  # records read from the database at a time while iterating
# SQLite's page cache for the spool, in KiB: a thousand records fill it, so that the memory the
# spool takes is the same for ten thousand (its pages are read back in order, from the system's
# file cache).
CACHE_KIB = 512

# The records a summary sheet of their own is made of: self-evaluations (自评), project returns (项目).
Part = Literal["selfeval", "project", ""]


def part_of(rec: FileRecord) -> Part:
    return "selfeval" if rec.selfeval is not None else "project" if rec.project is not None else ""


def select(records: Iterable[FileRecord], part: Part) -> Iterator[FileRecord]:
    """The self-evaluations or the project returns among `records` (a collection's spooled
    records read only those)."""
    if isinstance(records, SpooledRecords):
        return records.select(part=part)
    return (r for r in records if part_of(r) == part)


def _bytes(text: str) -> bytes:
    """A text as stored: UTF-8, with the undecodable bytes of a file name (surrogates) kept."""
    return text.encode("utf-8", "surrogatepass")


class RecordSpool:
    """The records of a collection, in the order they were added, kept on disk. `add` each one
    with its duplicate group (None: not grouped) as it comes in, then `seal` once: the spool is
    then read-only, and reading it (`SpooledRecords`) gives each record with its duplicates
    marked. Closed when its `with` block is left by an exception; otherwise it lives as long as
    the records read from it (the `Collection` returned), or until `close`."""

    def __init__(self, max_listed: int) -> None:
        self.max_listed = max_listed
        # "": a private temporary database on disk; one connection, used by one collection at a time
        self._db = sqlite3.connect("", check_same_thread=False, isolation_level=None)
        self._db.executescript(f"PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -{CACHE_KIB};"
                               + _SCHEMA)
        self._db.execute("BEGIN")  # the records go in as one transaction, committed by seal
        self._count = 0
        self._sealed = False

    def __enter__(self) -> RecordSpool:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            self.close()

    def close(self) -> None:
        self._db.close()

    def __len__(self) -> int:
        return self._count

    def add(self, rec: FileRecord, group: str | None, row: Any = None) -> None:
        """The next record, its duplicate group, and whatever goes with it (its laid-out summary row)."""
        if self._sealed:
            raise RuntimeError("the spool is sealed")
        data = pickle.dumps((rec, row), protocol=pickle.HIGHEST_PROTOCOL)
        key = None if group is None else _bytes(group)
        self._db.execute("INSERT INTO rec VALUES (?, ?, ?, ?, ?, ?)",
                         (self._count, rec.status, part_of(rec), key, _bytes(rec.label), data))
        self._count += 1

    def seal(self) -> SpooledRecords:
        """No more records: the groups are counted, and the records can be read."""
        if not self._sealed:
            self._db.execute("COMMIT")
            self._db.executescript(_SEAL)
            self._sealed = True
        return SpooledRecords(self)

    def read(self, start: int = 0, stop: int | None = None, where: str = "", args: tuple[Any, ...] = ()
             ) -> Iterator[Stored]:
        """The records from `start` to `stop` (not included), each with its duplicates; `where`:
        only those that match this condition on the columns (with its `args`)."""
        self._check_sealed()
        stop = self._count if stop is None else min(stop, self._count)
        query = _READ + " WHERE r.i >= ? AND r.i < ?" + (f" AND ({where})" if where else "") + " ORDER BY r.i"
        while start < stop:
            end = min(start + _CHUNK, stop)
            rows = self._db.execute(query, (start, end, *args)).fetchall()
            for i, data, n, group in rows:
                rec, row = pickle.loads(data)
                if n:
                    rec = replace(rec, duplicates=self._listed(i, group), n_duplicates=n - 1)
                yield rec, row
            start = end

    def tally(self) -> tuple[dict[str, int], int]:
        """How many records of each status, and how many have duplicates."""
        self._check_sealed()
        statuses = dict(self._db.execute("SELECT status, COUNT(*) FROM rec GROUP BY status").fetchall())
        duplicated = self._db.execute("SELECT COALESCE(SUM(n), 0) FROM dup").fetchone()[0]
        return statuses, duplicated

    def _check_sealed(self) -> None:
        if not self._sealed:
            raise RuntimeError("the spool is not sealed yet")

    def _listed(self, i: int, group: bytes) -> tuple[str, ...]:
        """The others of record i's group among the group's first max_listed + 1 (as mark_duplicates)."""
        head = self._db.execute("SELECT i, label FROM rec WHERE grp = ? ORDER BY i LIMIT ?",
                                (group, self.max_listed + 1)).fetchall()
        return tuple(label.decode("utf-8", "surrogatepass") for j, label in head if j != i)[: self.max_listed]


class SpooledRecords(Sequence[FileRecord]):
    """A collection's records as a read-only sequence that reads them from the spool each time
    it is used: indexing, slicing, `len` and iterating work as on a tuple, without the records
    being held in memory. `tuple(records)` makes an in-memory copy; pickling one gives a tuple."""

    def __init__(self, spool: RecordSpool) -> None:
        self._spool = spool

    def __len__(self) -> int:
        return len(self._spool)

    @overload
    def __getitem__(self, index: int) -> FileRecord: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[FileRecord, ...]: ...

    def __getitem__(self, index: int | slice) -> FileRecord | tuple[FileRecord, ...]:
        n = len(self)
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step == 1:
                return tuple(rec for rec, _ in self._spool.read(start, stop))
            return tuple(self[i] for i in range(start, stop, step))
        i = index + n if index < 0 else index
        if not 0 <= i < n:
            raise IndexError("record index out of range")
        return next(self._spool.read(i, i + 1))[0]

    def __iter__(self) -> Iterator[FileRecord]:
        return (rec for rec, _ in self._spool.read())

    def with_rows(self) -> Iterator[Stored]:
        """Each record with what was stored along with it (its laid-out summary row)."""
        return self._spool.read()

    def select(self, *, status: str | None = None, part: Part | None = None) -> Iterator[FileRecord]:
        """The records of one status, or of one part (see part_of), in order: only those are read."""
        where = " AND ".join(c for c, v in (("r.status = ?", status), ("r.kind = ?", part)) if v is not None)
        args = tuple(v for v in (status, part) if v is not None)
        return (rec for rec, _ in self._spool.read(where=where, args=args))

    def tally(self) -> tuple[dict[str, int], int]:
        """How many records of each status, and how many have duplicates (counted, not read)."""
        return self._spool.tally()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (SpooledRecords, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return tuple, (tuple(self),)

    def __repr__(self) -> str:
        return f"<{len(self)} records of a collection>"

"""Which files a collection reads: spreadsheets found recursively, lock files and others left out.

Symlinks are followed, to files and to folders alike, each folder walked once: a link looping
back to a folder already walked, a link to nothing and anything that is not a regular file (a
FIFO or a device named like a workbook) are skipped with a note instead of stopping the run.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Iterable

from budgetxl.errors import InputError

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
ARCHIVE_SUFFIXES = (".zip",)  # zips of returns: each workbook in one is a return (read/archive.py)


def is_lock_or_junk(name: str) -> bool:
    """Excel/WPS owner files (~$x.xlsx), LibreOffice locks (.~lock.x.xlsx#), macOS resource forks
    (._x.xlsx) and other hidden files."""
    return name.startswith(("~$", ".~lock.", "._", ".")) or name.endswith("#")


def is_spreadsheet(path: Path) -> bool:
    """A workbook, or a zip of them, by its name (what it is, reading says)."""
    return path.suffix.lower() in SPREADSHEET_SUFFIXES + ARCHIVE_SUFFIXES and not is_lock_or_junk(path.name)


def find_workbooks(
    paths: Iterable[str | Path], exclude: Iterable[str | Path] = (), notes: list[str] | None = None
) -> tuple[list[Path], int]:
    """The spreadsheets under `paths` (folders searched recursively, files taken as named), in a
    stable order, each once (a file reached twice, through a link, counts once); and how many
    other files the folders held.

    A file named explicitly is taken whatever its name (reading it says what is wrong); inside a
    folder only regular files named as spreadsheets count. Paths in `exclude` (the outputs) are
    left out. What had to be skipped (link loops, broken links, FIFOs, folders that cannot be
    opened) is appended to `notes`, one line each.
    """
    skip = {_key(Path(p)) for p in exclude}
    found: list[Path] = []
    seen: set[object] = set()
    walked: set[tuple[int, int]] = set()
    said = notes if notes is not None else []
    others = 0

    def add(p: Path, st: os.stat_result) -> None:
        key = (st.st_dev, st.st_ino)
        if key not in seen and key not in skip:
            seen.add(key)
            found.append(p)

    def walk(top: Path, top_st: os.stat_result) -> None:
        nonlocal others
        stack = [(top, top_st)]  # a deep tree of folders costs no recursion
        while stack:
            folder, st = stack.pop()
            if (st.st_dev, st.st_ino) in walked:
                said.append(f"{folder}: 与已经查找过的文件夹是同一个（符号链接，可能形成循环），已跳过")
                continue
            walked.add((st.st_dev, st.st_ino))
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                said.append(f"{folder}: 无法打开文件夹（{exc.strerror}），已跳过")
                continue
            subfolders = []
            for entry in entries:
                p = Path(entry.path)
                try:
                    target = os.stat(p)
                except OSError as exc:
                    if is_spreadsheet(p) or entry.is_symlink():
                        said.append(f"{p}: {_unresolvable(exc)}，已跳过")
                    continue
                if stat.S_ISDIR(target.st_mode):
                    if not entry.name.startswith("."):
                        subfolders.append((p, target))
                elif is_spreadsheet(p):
                    if stat.S_ISREG(target.st_mode):
                        add(p, target)
                    else:
                        said.append(f"{p}: 不是普通文件（如管道或设备），已跳过")
                else:
                    others += 1
            stack.extend(reversed(subfolders))  # walked in name order, each before the next

    for raw in paths:
        p = Path(raw)
        try:
            st = os.stat(p)
        except FileNotFoundError:
            if os.path.islink(p):
                raise InputError(f"{p}: 符号链接指向的文件或文件夹不存在") from None
            raise InputError(f"{p}: 文件或文件夹不存在") from None
        except OSError as exc:
            raise InputError(f"{p}: {_unresolvable(exc)}") from None
        if stat.S_ISDIR(st.st_mode):
            walk(p, st)
        else:
            add(p, st)
    return found, others


def _unresolvable(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "符号链接形成循环，无法打开"
    if exc.errno == errno.ENOENT:
        return "符号链接指向的文件不存在"
    return f"无法打开（{exc.strerror}）"


def _key(p: Path) -> object:
    """A file's identity: its device and inode when it exists, else its resolved path."""
    try:
        st = os.stat(p)
        return (st.st_dev, st.st_ino)
    except OSError:
        pass
    try:
        return str(p.resolve())
    except (OSError, RuntimeError):  # a path that cannot be resolved is compared as written
        return str(p.absolute())

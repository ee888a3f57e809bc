"""Which files a collection reads: spreadsheets found recursively, lock files and others left out.

Symlinks are followed, to files and to folders alike, each folder walked once: a link looping
back to a folder already walked, a link to nothing and anything that is not a regular file (a
FIFO or a device named like a workbook) are skipped with a note instead of stopping the run.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path, PurePath
from typing import Iterable

from budgetxl.errors import InputError
from budgetxl.filenames import file_suffix

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
ARCHIVE_SUFFIXES = (".zip",)  # zips of returns: each workbook in one is a return (read/archive.py)
# Excel 2003 XML and web-page exports: taken when their content is a workbook (a table), skipped
# (and named) when it is some other XML file or web page.
MARKUP_SUFFIXES = (".xml", ".htm", ".html")
_SNIFF_BYTES = 1024 * 1024
_TABLE = re.compile(rb"<\s*table[\s>]", re.I)
_TABLE_UTF16 = ("<table".encode("utf-16-le"), "<TABLE".encode("utf-16-le"))


def is_lock_or_junk(name: str) -> bool:
    """Excel/WPS owner files (~$x.xlsx), LibreOffice locks (.~lock.x.xlsx#), macOS resource forks
    (._x.xlsx) and other hidden files."""
    return name.startswith(("~$", ".~lock.", "._", ".")) or name.endswith("#")


def markup_workbook_kind(data: bytes) -> str | None:
    """'spreadsheetml' or 'html' when the start of a file (its first megabyte) is an Excel 2003
    XML workbook or a web page holding a table; None for other XML files and web pages."""
    from budgetxl.read.sniff import markup_kind  # read imports collect lazily, not the other way

    kind = markup_kind(data)
    if kind == "html" and not (_TABLE.search(data) or any(t in data for t in _TABLE_UTF16)):
        return None
    return kind


def skip_reason(name: str, data: bytes | None = None) -> str:
    """Why a file of a folder (or a zip) is not collected, in words for the clerk; `data` is the
    start of an .xml/.htm/.html file that was looked into."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if base.startswith(("~$", ".~lock.")) or base.endswith("#"):
        return "Excel、WPS 或 LibreOffice 打开文件时留下的临时文件"
    if base.startswith("._") or "__MACOSX/" in name:
        return "苹果电脑留下的隐藏文件"
    if base.startswith(".") or "/." in name:
        return "隐藏文件"
    suffix = os.path.splitext(base)[1].lower()
    if suffix == ".xml" and data is not None:
        return "XML 文件，但不是 Excel 2003 XML 表格"
    if suffix in MARKUP_SUFFIXES and data is not None:
        return "网页文件，但其中没有表格"
    return f"不是电子表格（{f'扩展名 {suffix}' if suffix else '没有扩展名'}）"


def _markup_head(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(_SNIFF_BYTES)
    except OSError:
        return b""


def is_spreadsheet(path: Path) -> bool:
    """A workbook, or a zip of them, by its name (what it is, reading says)."""
    return _is_spreadsheet_name(path.name)


def _is_spreadsheet_name(name: str) -> bool:
    return file_suffix(name).lower() in SPREADSHEET_SUFFIXES + ARCHIVE_SUFFIXES and not is_lock_or_junk(name)


def shown(path: str | PurePath) -> str:
    """A path as pathlib writes it ('./a//b/' is 'a/b', '.' stays '.'), made without a Path
    object where paths are POSIX: a Path interns every part of itself, which for ten thousand
    files named one by one is memory a collection would keep until it ends."""
    if isinstance(path, PurePath) or os.sep != "/" or not isinstance(path, str):
        return str(Path(path))
    if not path.startswith("/"):
        root, rest = "", path
    else:  # pathlib keeps a leading '//' (it may mean something to the system), not '///'
        root, rest = ("//" if path.startswith("//") and not path.startswith("///") else "/"), path.lstrip("/")
    if "//" not in rest and "./" not in rest and not rest.endswith(("/", "/.")) and rest not in ("", "."):
        return root + rest  # nothing to drop (the common case)
    return root + "/".join(x for x in rest.split("/") if x and x != ".") or "."


def find_workbooks(
    paths: Iterable[str | Path], exclude: Iterable[str | Path] = (), notes: list[str] | None = None
) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The spreadsheets under `paths` (folders searched recursively, files taken as named), in a
    stable order, each once (a file reached twice, through a link, counts once); and the other
    files the folders held, each with why it was skipped.

    A file named explicitly is taken whatever its name (reading it says what is wrong); inside a
    folder only regular files named as spreadsheets count, and .xml/.htm/.html files whose
    content is a workbook. Paths in `exclude` (the outputs) are left out. What had to be skipped
    (link loops, broken links, FIFOs, folders that cannot be opened) is appended to `notes`, one
    line each.
    """
    found, others = find_workbook_names(paths, exclude, notes)
    return [Path(p) for p in found], [(Path(p), why) for p, why in others]


def find_workbook_names(
    paths: Iterable[str | Path], exclude: Iterable[str | Path] = (), notes: list[str] | None = None
) -> tuple[list[str], list[tuple[str, str]]]:
    """find_workbooks, each file named by its path as text (as str() of its Path would be): a
    collection keeps the list of its files for the whole run, and ten thousand strings cost less
    than ten thousand Path objects and their interned parts."""
    skip = {_key(Path(p)) for p in exclude}
    found: list[str] = []
    seen: set[int] = set()  # the files taken, by identity (_identity)
    walked: set[tuple[int, int]] = set()
    said = notes if notes is not None else []
    others: list[tuple[str, str]] = []

    def add(p: str, st: os.stat_result) -> None:
        key = _identity(st)
        if key not in seen and key not in skip:
            seen.add(key)
            found.append(p)

    def walk(top: str, top_st: os.stat_result) -> None:
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
                name = entry.name
                p = name if folder == "." else os.path.join(folder, name)  # as Path(folder) / name
                try:
                    target = os.stat(p)
                except OSError as exc:
                    if _is_spreadsheet_name(name) or entry.is_symlink():
                        said.append(f"{p}: {_unresolvable(exc)}，已跳过")
                    continue
                if stat.S_ISDIR(target.st_mode):
                    if not name.startswith("."):
                        subfolders.append((p, target))
                elif _is_spreadsheet_name(name):
                    if stat.S_ISREG(target.st_mode):
                        add(p, target)
                    else:
                        said.append(f"{p}: 不是普通文件（如管道或设备），已跳过")
                elif (file_suffix(name).lower() in MARKUP_SUFFIXES and stat.S_ISREG(target.st_mode)
                      and not is_lock_or_junk(name)):
                    head = _markup_head(p)
                    if markup_workbook_kind(head) is not None:
                        add(p, target)
                    elif _identity(target) not in skip:
                        others.append((p, skip_reason(name, head)))
                elif _identity(target) not in skip:
                    others.append((p, skip_reason(name)))
            stack.extend(reversed(subfolders))  # walked in name order, each before the next

    for raw in paths:
        p = shown(raw)
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


def _identity(st: os.stat_result) -> int:
    """A file's device and inode as one number: a collection keeps one per file it has taken, and
    one int costs less than half a tuple of two."""
    return st.st_dev << 128 | st.st_ino  # an inode number has at most 128 bits (Windows)


def _key(p: Path) -> object:
    """A file's identity: its device and inode when it exists, else its resolved path."""
    try:
        st = os.stat(p)
        return _identity(st)
    except OSError:
        pass
    try:
        return str(p.resolve())
    except (OSError, RuntimeError):  # a path that cannot be resolved is compared as written
        return str(p.absolute())

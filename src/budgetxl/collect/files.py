"""Which files a collection reads: spreadsheets found recursively, lock files and others left out."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from budgetxl.errors import InputError

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def is_lock_or_junk(name: str) -> bool:
    """Excel/WPS owner files (~$x.xlsx), LibreOffice locks (.~lock.x.xlsx#), macOS resource forks
    (._x.xlsx) and other hidden files."""
    return name.startswith(("~$", ".~lock.", "._", ".")) or name.endswith("#")


def is_spreadsheet(path: Path) -> bool:
    return path.suffix.lower() in SPREADSHEET_SUFFIXES and not is_lock_or_junk(path.name)


def find_workbooks(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> tuple[list[Path], int]:
    """The spreadsheets under `paths` (folders searched recursively, files taken as named), in a
    stable order, each once; and how many other files the folders held.

    A file named explicitly is taken whatever its name (reading it says what is wrong); inside a
    folder only spreadsheets count. Paths in `exclude` (the outputs) are left out.
    """
    skip = {_key(Path(p)) for p in exclude}
    found: list[Path] = []
    seen: set[str] = set()
    others = 0

    def add(p: Path) -> None:
        key = _key(p)
        if key not in seen and key not in skip:
            seen.add(key)
            found.append(p)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for folder, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    f = Path(folder) / name
                    if is_spreadsheet(f):
                        add(f)
                    else:
                        others += 1
        elif p.exists():
            add(p)
        else:
            raise InputError(f"{p}: 文件或文件夹不存在")
    return found, others


def _key(p: Path) -> str:
    try:
        return str(p.resolve())
    except OSError:  # pragma: no cover - a path that cannot be resolved is compared as written
        return str(p.absolute())

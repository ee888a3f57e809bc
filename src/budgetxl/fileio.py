"""Writing outputs safely: a temp file beside the target, then an atomic rename."""

from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path
from typing import Iterator

from budgetxl.errors import OutputError


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces the target.

    On any failure the temporary file is removed and an existing target is left untouched.
    """
    target = Path(target)
    tmp = _new_temp_file(target)
    replaced = False
    try:
        yield tmp
        try:
            os.replace(tmp, target)
            replaced = True
        except OSError as exc:
            raise OutputError(f"{target}: 无法写入（{exc.strerror}），文件可能正被 Excel 或 WPS 打开") from None
    finally:
        if not replaced:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


_TEMP_NUMBERS = itertools.count()


def _new_temp_file(target: Path) -> Path:
    """A new empty file beside `target` (its folder made if missing), named after it and this
    process, created exclusively and with the mode any new file gets (0666 less the umask)."""
    folder = target.parent
    for _ in range(100):
        tmp = folder / f".{target.name}.{os.getpid()}-{next(_TEMP_NUMBERS)}.tmp"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:
            continue  # left behind by an earlier process with the same number: take the next
        except FileNotFoundError:
            if folder.exists():
                raise OutputError(f"{folder}: 无法写入") from None
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputError(f"{folder}: 无法创建输出文件夹（{exc.strerror}）") from None
        except OSError as exc:
            raise OutputError(f"{folder}: 无法写入（{exc.strerror}）") from None
    raise OutputError(f"{folder}: 无法创建临时文件")


def write_text_atomic(target: str | Path, text: str, encoding: str = "utf-8") -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding=encoding)


def write_bytes_atomic(target: str | Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)

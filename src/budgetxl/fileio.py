"""Writing outputs safely.

Every output is written to a temporary file beside its target and moved into place only when it
is complete; the outputs of one command are moved in together (`Staging`): all of them or none.

- An output that names one of the command's inputs is refused before any work (`refuse_inputs`):
  the same file reached through another path, a symlink or a hard link counts.
- Only a regular file is ever replaced by a rename. A character device or a FIFO (/dev/null,
  /dev/stdout, a named pipe) is written directly once the output is complete; a folder, a block
  device or a socket is refused. A symlink is followed: the file it points at is replaced and the
  link stays a link.
- A failure (disk full, a read-only folder, a folder where the file should be) is one OutputError
  in words a clerk understands. The temporary files and any folder made for the output are
  removed, and an existing target is left as it was.
- Temporary files are hidden (`.name.<pid>-<n>.tmp`), so that nothing that lists a folder of
  workbooks ever takes one for an output, even after a process was killed outright.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from budgetxl.errors import OutputError, UsageError

STDOUT = "-"  # as an output path: standard output, for outputs that are text


def is_stdout(path: str | Path | None) -> bool:
    return path is not None and str(path) == STDOUT


# ---------------------------------------------------------------------------------------------
# Outputs that would overwrite an input


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when the two paths name one file: the same path written differently, a symlink to
    it or a hard link of it (paths that do not exist yet are compared resolved)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        pass
    return _resolved(a) == _resolved(b)


def _resolved(p: str | Path) -> str:
    try:
        return str(Path(p).resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return os.path.abspath(p)


def refuse_inputs(outputs: Iterable[str | Path | None], inputs: Iterable[str | Path | None]) -> None:
    """Raise UsageError when an output names one of the inputs: writing it would destroy the input."""
    ins = [Path(p) for p in inputs if p is not None and not is_stdout(p)]
    for out in outputs:
        if out is None or is_stdout(out):
            continue
        for inp in ins:
            if same_file(out, inp):
                also = "" if str(inp) == str(out) else f"（与 {inp} 是同一个文件）"
                raise UsageError(f"{out}: 输出文件就是输入文件{also}，写入会覆盖原文件；请换一个输出文件名")


# ---------------------------------------------------------------------------------------------
# What went wrong, in words


def describe_os_error(path: str | Path, exc: OSError) -> str:
    """One line for a failed write: what happened to which file, and what to do."""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"磁盘空间不足：无法写入 {path}（没有留下写了一半的文件）；请腾出空间后重试"
    if code == errno.EFBIG:
        return f"{path}: 文件超过了磁盘允许的大小，无法写入"
    if code == errno.EISDIR:
        return f"{path}: 这是一个文件夹，不能作为输出文件；请给出文件名"
    if code == errno.EROFS:
        return f"{path}: 所在的磁盘是只读的，无法写入"
    if code in (errno.EACCES, errno.EPERM):
        return f"{path}: 没有写入权限（或文件正被 Excel、WPS 打开），无法写入"
    if code in (errno.EBUSY, errno.ETXTBSY):
        return f"{path}: 文件正被其他程序占用（如 Excel、WPS），无法写入"
    if code == errno.ENOTDIR:
        return f"{path}: 路径中有一级不是文件夹，无法写入"
    if code == errno.ENAMETOOLONG:
        return f"{path}: 文件名过长，无法写入"
    if code == errno.ELOOP:
        return f"{path}: 符号链接形成循环，无法写入"
    if code == errno.EIO:
        return f"{path}: 写入时磁盘出错（输入/输出错误）"
    return f"{path}: 无法写入（{exc.strerror or exc}）"


def os_error_of(exc: BaseException | None) -> OSError | None:
    """The OSError behind an exception: the exception itself, one a library wrapped (xlsxwriter's
    FileCreateError holds it as its argument), or its explicit cause."""
    for _ in range(5):
        if exc is None:
            return None
        if isinstance(exc, OSError):
            return exc
        if exc.args and isinstance(exc.args[0], OSError):
            return exc.args[0]
        exc = exc.__cause__
    return None


# Failures of a write whatever file the error names (a full disk fails the temp file, a pipe…).
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO}


# ---------------------------------------------------------------------------------------------
# Staging outputs and moving them into place together

_TEMP_NUMBERS = itertools.count()


@dataclass
class _Entry:
    target: Path  # as given: named in messages
    real: Path  # where the file goes: the target with symlinks followed
    tmp: Path
    stream: bool  # a device or a FIFO: copied into, never renamed over
    created: list[Path] = field(default_factory=list)  # folders made for it, deepest last


def _kind(target: Path) -> bool:
    """Whether `target` is a stream (a character device or a FIFO) rather than a regular file or
    nothing yet; OutputError for a folder, a block device, a socket."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return False
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError(describe_os_error(target, exc)) from None
        return False  # making the temporary file says what is wrong
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return False
    if stat.S_ISDIR(mode):
        raise OutputError(f"{target}: 这是一个文件夹，不能作为输出文件；请给出文件名")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return True
    raise OutputError(f"{target}: 不是普通文件（块设备或套接字），拒绝写入")


class Staging:
    """Outputs written to temporary files, then moved into place together.

    `add(target)` gives the temporary path to write; leaving the `with` block normally commits
    every output, leaving it with an exception discards them all. Committing replaces each target
    in turn, keeping a hard link to what it held before: should a later one fail, those already
    replaced get their old content back. Devices and FIFOs are written last (what goes into a
    pipe cannot be taken back).
    """

    def __init__(self) -> None:
        self._entries: list[_Entry] = []
        self._closed = False

    def add(self, target: str | Path) -> Path:
        target = Path(target)
        if is_stdout(target):
            raise UsageError("-: 这种输出不是文本，不能写到标准输出；请给出文件名")
        if _kind(target):
            fd, name = tempfile.mkstemp(prefix="budgetxl-", suffix=".tmp")
            os.close(fd)
            entry = _Entry(target, target, Path(name), True)
        else:
            real = Path(os.path.realpath(target))
            if any(e.real == real for e in self._entries):
                raise UsageError(f"{target}: 同一个文件被指定为两个输出")
            tmp, created = _new_temp_file(real, target)
            entry = _Entry(target, real, tmp, False, created)
        self._entries.append(entry)
        return entry.tmp

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is None:
            self.commit()
            return
        self.discard()
        os_exc = os_error_of(exc)
        if os_exc is not None and not isinstance(exc, OutputError):
            entry = self._entry_for(os_exc)
            if entry is not None:
                raise OutputError(describe_os_error(entry.target, os_exc)) from None

    def _entry_for(self, exc: OSError) -> _Entry | None:
        """The output an OSError raised while writing is about (None: not about an output)."""
        names = {str(n) for n in (exc.filename, exc.filename2) if n is not None}
        for e in self._entries:
            if names & {str(e.tmp), str(e.real), str(e.target)}:
                return e
        if self._entries and (exc.errno in _WRITE_ERRNOS or (not names and exc.errno is not None)):
            return self._entries[0]
        return None

    def commit(self) -> None:
        if self._closed:
            return
        self._closed = True
        files = [e for e in self._entries if not e.stream]
        done: list[tuple[_Entry, Path | None]] = []
        current: _Entry | None = None
        try:
            for current in files:
                backup = _keep_old(current.real) if len(files) > 1 else None
                try:
                    os.replace(current.tmp, current.real)
                except BaseException:
                    if backup is not None:
                        with contextlib.suppress(OSError):
                            os.unlink(backup)
                    raise
                done.append((current, backup))
            for current in (e for e in self._entries if e.stream):
                with open(current.target, "wb") as out, open(current.tmp, "rb") as src:
                    shutil.copyfileobj(src, out, 1024 * 1024)
        except OSError as exc:
            for entry, backup in reversed(done):
                with contextlib.suppress(OSError):
                    if backup is not None:
                        os.replace(backup, entry.real)
                    else:
                        os.unlink(entry.real)
            self._cleanup()
            assert current is not None
            raise OutputError(describe_os_error(current.target, exc)) from None
        except BaseException:
            self._cleanup()
            raise
        for _, backup in done:
            if backup is not None:
                with contextlib.suppress(OSError):
                    os.unlink(backup)
        for e in self._entries:
            if e.stream:
                with contextlib.suppress(OSError):
                    os.unlink(e.tmp)

    def discard(self) -> None:
        if not self._closed:
            self._closed = True
            self._cleanup()

    def _cleanup(self) -> None:
        for e in self._entries:
            with contextlib.suppress(OSError):
                os.unlink(e.tmp)  # gone already when it was moved into place
        for e in reversed(self._entries):
            for folder in reversed(e.created):
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only when empty: nothing else was put there meanwhile


def _keep_old(path: Path) -> Path | None:
    """A hard link to what `path` holds now (None when nothing is there), to put it back."""
    if not os.path.lexists(path):
        return None
    for _ in range(100):
        backup = path.with_name(f".{path.name}.{os.getpid()}-{next(_TEMP_NUMBERS)}.old.tmp")
        try:
            os.link(path, backup)
            return backup
        except FileExistsError:
            continue
        except OSError:  # no hard links here: a copy does the same, slower
            with contextlib.suppress(OSError):
                shutil.copy2(path, backup)
                return backup
            return None
    return None


def _new_temp_file(real: Path, target: Path) -> tuple[Path, list[Path]]:
    """A new empty file beside `real` (its folders made if missing), named after it and this
    process, created exclusively and with the mode any new file gets (0666 less the umask); and
    the folders that had to be made."""
    folder = real.parent
    created: list[Path] = []
    for _ in range(100):
        tmp = folder / f".{real.name}.{os.getpid()}-{next(_TEMP_NUMBERS)}.tmp"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp, created
        except FileExistsError:
            continue  # left behind by an earlier process with the same number: take the next
        except FileNotFoundError:
            if folder.exists() or created:
                raise OutputError(f"{target.parent}: 无法写入") from None
            created = _make_folders(folder, target)
        except OSError as exc:
            _remove_folders(created)
            raise OutputError(describe_os_error(target, exc)) from None
    _remove_folders(created)
    raise OutputError(f"{target.parent}: 无法创建临时文件")


def _make_folders(folder: Path, target: Path) -> list[Path]:
    missing = []
    p = folder
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _remove_folders(list(reversed(missing)))
        if exc.errno in (errno.EEXIST, errno.ENOTDIR):
            raise OutputError(f"{target}: 路径中有一级不是文件夹，无法写入") from None
        if exc.errno in _WRITE_ERRNOS or exc.errno in (errno.EACCES, errno.EPERM):
            raise OutputError(describe_os_error(target.parent, exc)) from None
        raise OutputError(f"{target.parent}: 无法创建输出文件夹（{exc.strerror}）") from None
    return list(reversed(missing))


def _remove_folders(created: list[Path]) -> None:
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces the target.

    On any failure the temporary file is removed and an existing target is left untouched.
    """
    with Staging() as staging:
        yield staging.add(target)


def write_text_atomic(target: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Write a text output: atomically, or on standard output when the target is '-'."""
    if is_stdout(target):
        write_stdout(text)
        return
    with atomic_path(target) as tmp:
        # a name from outside that is not UTF-8 (lone surrogates) must not stop the whole output
        tmp.write_text(text, encoding=encoding, errors="replace")


def write_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise
        raise OutputError(describe_os_error("标准输出", exc)) from None


def write_bytes_atomic(target: str | Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)

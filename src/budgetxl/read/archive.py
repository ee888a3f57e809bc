"""Zip files of returns: a bureau receives a department's (or a district's) returns as one zip.

Each member that is a spreadsheet (by its name, as in a folder: .xlsx, .xlsm, .xls, .ods, .et) is
a return of its own, read from the zip in memory (nothing is extracted, so a member's name is
never used as a path: `..` or an absolute name is only shown). Every guard of a file applies to
each member (its size, then everything load_grid checks), and the zip has limits of its own: at
most MAX_MEMBERS members, all of them inflating to at most MAX_ARCHIVE_BYTES, each at most
MAX_FILE_BYTES and, above 1 MiB, at most MAX_RATIO times its compressed size; a zip inside the zip
is opened (one level: a zip inside that one is skipped with a note). Names written by Windows
without the UTF-8 flag are GBK (zipfile takes them for cp437): they are decoded as such.

A `Member` names one return in a zip; `load_grid`, `read_forms`, `check_file_forms` and
`collect` take it where they take a path, and messages show it as `returns.zip › 财政局/某局.xlsx`.
"""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable

from budgetxl.errors import ReadError
from budgetxl.filenames import base_name, file_suffix
from budgetxl.read.guards import MAX_FILE_BYTES, MAX_RATIO, regular_file_size

MAX_MEMBERS = 10_000
MAX_ARCHIVE_BYTES = 4 * 1024 * 1024 * 1024  # all members of a zip, inflated
BOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
ARCHIVE_SUFFIXES = (".zip",)
_CHUNK = 1024 * 1024
SEP = " › "


@dataclass(frozen=True)
class Member:
    """A workbook inside a zip: the zip's path, and the member's name as zipfile knows it (`raw`)
    and as a person reads it (`name`); for a member of a zip inside the zip, that zip's names."""

    archive: str
    raw: str
    name: str
    outer_raw: str = ""
    outer_name: str = ""

    @property
    def inner(self) -> str:
        """The member as shown after the zip's name: '财政局/某局.xlsx', 'a.zip › 某局.xlsx'."""
        return f"{self.outer_name}{SEP}{self.name}" if self.outer_raw else self.name

    def __str__(self) -> str:
        return f"{self.archive}{SEP}{self.inner}"

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()


Source = str | Path | Member  # what the readers take: a file, or a workbook in a zip


def is_archive(path: str | Path) -> bool:
    """A zip of returns, by its name. A name given as text is looked at as text where paths are
    POSIX: a Path interns each of its parts, and a collection asks this of every file it found."""
    if isinstance(path, str) and os.sep == "/":
        return file_suffix(base_name(path)).lower() in ARCHIVE_SUFFIXES
    return Path(path).suffix.lower() in ARCHIVE_SUFFIXES


def decode_name(info: zipfile.ZipInfo) -> str:
    """A member's name as written: UTF-8 when flagged; otherwise the bytes zipfile took for cp437,
    read as UTF-8 when they are, else as GBK (GB18030: what Windows in Chinese writes)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("gb18030", "replace")


def _skipped_name(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    base = parts[-1] if parts else ""
    return (not base or base.startswith(("~$", ".~lock.", "._", ".")) or base.endswith("#")
            or any(p in ("__MACOSX",) or (p.startswith(".") and p not in (".", "..")) for p in parts[:-1]))


def _open(source: str | bytes, shown: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except zipfile.BadZipFile:
        raise ReadError(f"{shown}: 压缩包已损坏（不完整或不是 zip 格式），无法打开；请重新打包或重新发送") from None
    except (OSError, EOFError, ValueError, NotImplementedError) as exc:
        why = f"{type(exc).__name__}: {str(exc)[:100]}"
        raise ReadError(f"{shown}: 压缩包无法打开（{why}）；请重新打包或重新发送") from None


def _check_member(shown: str, info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_FILE_BYTES:
        raise ReadError(f"{shown}: 文件解压后过大（{info.file_size // (1024 * 1024)} MB），超过 "
                        f"{MAX_FILE_BYTES // (1024 * 1024)} MB 的上限，拒绝读取")
    if info.file_size > _CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise ReadError(f"{shown}: 文件在压缩包中的压缩比异常，疑似压缩炸弹，拒绝读取")


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str) -> bytes:
    """A member's bytes, inflated in chunks never past its declared size (the zip module checks
    the CRC at the end, so a header that lies is caught)."""
    _check_member(shown, info)
    if info.flag_bits & 0x1:
        raise ReadError(f"{shown}: 压缩包中的这个文件设有密码，无法读取；请解压后去掉密码再提交")
    chunks, read = [], 0
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                read += len(chunk)
                if read > MAX_FILE_BYTES:  # pragma: no cover - the zip module stops at the declared size
                    raise ReadError(f"{shown}: 文件解压后过大，拒绝读取")
                chunks.append(chunk)
    except ReadError:
        raise
    except zipfile.BadZipFile as exc:
        what = "内容校验失败" if "CRC" in str(exc) else "压缩包不完整"
        raise ReadError(f"{shown}: 压缩包中的这个文件已损坏（{what}）；请重新打包或重新发送") from None
    except RuntimeError:
        raise ReadError(f"{shown}: 压缩包中的这个文件设有密码，无法读取；请解压后去掉密码再提交") from None
    except (OSError, EOFError, NotImplementedError, ValueError, zlib.error) as exc:
        raise ReadError(f"{shown}: 压缩包中的这个文件已损坏（{type(exc).__name__}: {str(exc)[:100]}）；"
                        "请重新打包或重新发送") from None
    return b"".join(chunks)


def _archive_file(path: str) -> str:
    """The zip at `path`, opened by zipfile where it is (only the members read are read): a regular
    file of at most MAX_ARCHIVE_BYTES; a FIFO or a device is refused without being opened."""
    size = regular_file_size(path, "压缩包")
    if size > MAX_ARCHIVE_BYTES:
        raise ReadError(f"{path}: 压缩包过大（{size // (1024 ** 2)} MB），拒绝读取")
    return path


def member_bytes(member: Member) -> bytes:
    """The bytes of a workbook in a zip, with the guards of the zip and of a file (see the notes)."""
    shown = str(member)
    with _open(_archive_file(member.archive), member.archive) as zf:
        if member.outer_raw:
            outer = f"{member.archive}{SEP}{member.outer_name}"
            with _open(_inflate(zf, _info(zf, member.outer_raw, outer), outer), outer) as inner:
                return _inflate(inner, _info(inner, member.raw, shown), shown)
        return _inflate(zf, _info(zf, member.raw, shown), shown)


def _info(zf: zipfile.ZipFile, raw: str, shown: str) -> zipfile.ZipInfo:
    try:
        return zf.getinfo(raw)
    except KeyError:
        raise ReadError(f"{shown}: 压缩包中没有这个文件（压缩包在读取期间被改动了？）") from None


def _markup_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str, name: str) -> tuple[bool, str]:
    """Whether an .xml/.htm/.html member is a workbook (by its first megabyte), and if not why
    it is skipped."""
    from budgetxl.collect.files import markup_workbook_kind, skip_reason

    try:
        _check_member(shown, info)
        with zf.open(info) as fh:
            head = fh.read(1024 * 1024)
    except (ReadError, OSError, zipfile.BadZipFile, RuntimeError, ValueError, NotImplementedError, EOFError):
        return False, skip_reason(name)
    return (True, "") if markup_workbook_kind(head) is not None else (False, skip_reason(name, head))


def list_members(path: str | Path, notes: list[str] | None = None) -> tuple[list[Member], list[tuple[str, str]]]:
    """The workbooks in the zip at `path` (and in zips inside it, one level), in name order, and
    the other files it holds, each (shown name, why it is skipped). ReadError when the zip itself
    cannot be read or passes its limits; what is skipped (deeper zips, unsafe names) goes to
    `notes`."""
    from budgetxl.collect.files import MARKUP_SUFFIXES, skip_reason

    said = notes if notes is not None else []
    archive = str(path)
    members: list[Member] = []
    others: list[tuple[str, str]] = []
    with _open(_archive_file(archive), archive) as zf:
        infos = _checked_infos(zf, archive)
        for info in infos:
            name = decode_name(info)
            if info.is_dir():
                continue
            if _skipped_name(name):  # lock files, hidden files: skipped as a folder skips them
                others.append((f"{archive}{SEP}{name}", skip_reason(name)))
                continue
            suffix = PurePosixPath(name).suffix.lower()
            if suffix in ARCHIVE_SUFFIXES:
                shown = f"{archive}{SEP}{name}"
                try:
                    with _open(_inflate(zf, info, shown), shown) as inner:
                        for sub in _checked_infos(inner, shown):
                            sub_name = decode_name(sub)
                            if sub.is_dir():
                                continue
                            sub_shown = f"{shown}{SEP}{sub_name}"
                            if _skipped_name(sub_name):
                                others.append((sub_shown, skip_reason(sub_name)))
                                continue
                            sub_suffix = PurePosixPath(sub_name).suffix.lower()
                            taken, why = (sub_suffix in BOOK_SUFFIXES, skip_reason(sub_name))
                            if sub_suffix in MARKUP_SUFFIXES:
                                taken, why = _markup_member(inner, sub, sub_shown, sub_name)
                            if sub_suffix in ARCHIVE_SUFFIXES:
                                said.append(f"{sub_shown}: 压缩包套了两层以上，已跳过；请解压后再汇总")
                            elif taken:
                                members.append(Member(archive, sub.filename, _shown_name(sub_name), info.filename,
                                                      _shown_name(name)))
                            else:
                                others.append((sub_shown, why))
                except ReadError as exc:
                    said.append(f"{exc}（已跳过）")
                continue
            taken, why = (suffix in BOOK_SUFFIXES, skip_reason(name))
            if suffix in MARKUP_SUFFIXES:
                taken, why = _markup_member(zf, info, f"{archive}{SEP}{name}", name)
            if taken:
                members.append(Member(archive, info.filename, _shown_name(name)))
            else:
                others.append((f"{archive}{SEP}{name}", why))
    return members, others


def _checked_infos(zf: zipfile.ZipFile, shown: str) -> list[zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ReadError(f"{shown}: 压缩包中的文件数量异常（{len(infos)} 个，上限 {MAX_MEMBERS}），拒绝读取")
    total = sum(i.file_size for i in infos)
    if total > MAX_ARCHIVE_BYTES:
        limit = MAX_ARCHIVE_BYTES // (1024**3)
        raise ReadError(f"{shown}: 压缩包解压后总大小超过 {limit} GB，疑似压缩炸弹，拒绝读取")
    return sorted(infos, key=lambda i: decode_name(i))


def _shown_name(name: str) -> str:
    """A member's name for people: forward slashes, no leading slash or drive (an absolute name is
    never used as a path anyway)."""
    text = name.replace("\\", "/")
    while text.startswith("/"):
        text = text[1:]
    if len(text) > 1 and text[1] == ":":
        text = text[2:].lstrip("/")
    return text or name


def expand(items: Iterable[str | Path],
           notes: list[str] | None = None) -> tuple[list[str | Member], list[tuple[str, str]], list[tuple[str, str]]]:
    """Paths with every zip replaced by the workbooks in it; (zip, why) for each zip that cannot be
    read; and the other files the zips held, each (shown name, why it is skipped)."""
    out: list[str | Member] = []
    broken: list[tuple[str, str]] = []
    others: list[tuple[str, str]] = []
    for item in items:
        if is_archive(item):
            try:
                members, n = list_members(item, notes)
            except ReadError as exc:
                broken.append((str(item), str(exc)))
                continue
            out.extend(members)
            others += n
            if not members:
                broken.append((str(item), f"{item}: 压缩包中没有工作簿（.xlsx、.xls、.ods、.et）"))
        else:
            out.append(str(item))
    return out, broken, others

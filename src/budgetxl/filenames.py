"""File names made from unit names: valid on Windows, macOS and Linux, short enough, unique.

A unit name may hold characters no file name can (广州市/海珠区, 财政局:预算科), line breaks, or be
very long. The name keeps its readable part; whatever had to be cut is replaced by a short hash of
the full name, so two long names with the same beginning still give two files.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Iterable

# Characters Windows refuses in a file name (Linux and macOS refuse a subset), control characters.
_FORBIDDEN_RE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_SPACES_RE = re.compile(r"\s+")
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}

# A form written as data (not a workbook): what render, read -o and every command taking a form
# file know by its name.
YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)
FORM_FILE_SUFFIXES = YAML_SUFFIXES + JSON_SUFFIXES

# Most file systems allow 255 bytes per name; atomic writes add a dot prefix and a temp suffix.
MAX_NAME_BYTES = 180
FALLBACK = "未命名单位"


def clean_part(text: str) -> str:
    """`text` as a piece of a file name: forbidden characters become _, spaces and line breaks
    one space, no dots or spaces at either end."""
    text = unicodedata.normalize("NFC", text)
    text = _FORBIDDEN_RE.sub("_", _SPACES_RE.sub(" ", text))
    return text.strip(" .")


def _fit(text: str, max_bytes: int) -> str:
    """The longest beginning of `text` that takes at most `max_bytes` in UTF-8."""
    out = text.encode("utf-8")[:max(max_bytes, 0)].decode("utf-8", "ignore")
    return out.rstrip(" .")


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def file_name(pattern: str, unit: str, max_bytes: int = MAX_NAME_BYTES, **fields: object) -> str:
    """`pattern` ('{unit}-{year}年….xlsx') with `unit` made safe; too long a result is shortened
    in its unit part, which then ends with ~ and a hash of the full unit name."""
    part = clean_part(unit) or FALLBACK
    rest = {k: clean_part(str(v)) for k, v in fields.items()}
    name = pattern.format(unit=part, **rest)
    size = len(name.encode("utf-8"))
    if size > max_bytes:
        tail = "~" + _digest(unit)
        room = len(part.encode("utf-8")) - (size - max_bytes) - len(tail)
        part = _fit(part, room) + tail
        name = pattern.format(unit=part, **rest)
    stem = name.split(".")[0]
    if stem.upper() in _RESERVED:
        name = "_" + name
    return name


def unique_names(names: Iterable[str]) -> list[str]:
    """The names in order, with （2）, （3）… before the extension of any that repeats an earlier
    one (compared without case, as Windows and macOS do)."""
    seen: set[str] = set()
    out = []
    for name in names:
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        candidate, n = name, 1
        while candidate.casefold() in seen:
            n += 1
            candidate = f"{stem}（{n}）{dot}{ext}"
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def file_suffix(name: str) -> str:
    """A file name's extension as pathlib gives it (PurePath.suffix): '' for '.hidden' and 'name.'."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def base_name(path: str) -> str:
    """The last part of a POSIX path as pathlib gives it (PurePosixPath.name), without making a
    Path: './a//b.zip/' is 'b.zip', '.' and '' are ''."""
    parts = [x for x in path.split("/") if x and x != "."]
    return parts[-1] if parts else ""

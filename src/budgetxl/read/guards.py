"""Guards run before a workbook from outside is handed to a parser.

Returned workbooks come from outside, and the parsers trust what a file says about itself: the
zip library inflates as much as a part holds, the XML parsers of the standard library expand
entities, and calamine allocates one dense grid spanning the first to the last cell it meets (one
cell at XFD1048576 asks for 17 billion cells and aborts the process), makes a string of every
cell that refers to a shared string, and expands an ods cell repeated or spaced (`text:s`) as
often as the file says. So, before any parser sees a file (read once, into memory: the guards and
calamine see the same bytes):

- it is a regular file of at most MAX_FILE_BYTES (a FIFO or a device is refused, never opened);
- a zip (xlsx, ods) has at most MAX_PARTS parts, each inflating to at most MAX_PART_BYTES and
  MAX_RATIO times its compressed size, all together to at most MAX_TOTAL_BYTES; every part is
  inflated once here, under those caps, so a header that lies about the size or a damaged part
  (CRC) is caught too;
- no XML part declares a DTD (OOXML and ODF never do; a DTD is how entity bombs and external
  entities come in);
- a zip that is both an xlsx and an ods, or an xlsb, is refused: calamine would choose itself;
- in an xlsx, EVERY part that holds cells (whatever its name, case, extension or place, whatever
  the relationships say) is scanned, tolerantly (tags with any namespace prefix, any whitespace,
  either quote) and in one linear pass: each sheet's rectangle from A1 to its last cell holding
  something, and its merged ranges clipped to it, stay within MAX_CELLS, with at most MAX_MERGES
  merges; all sheets together span at most MAX_TOTAL_CELLS; and the text the cells take from the
  shared strings, counted once per cell that refers to it, stays within MAX_TEXT_CHARS;
- in an ods, each table's span after repetition (rows and cells repeated), all tables together,
  and the text of every cell times its repetitions, `text:s` spaces included, stay within the
  same limits.

Each refusal is a ReadError naming the file and what was refused.
"""

from __future__ import annotations

import contextlib
import functools
import html
import io
import os
import re
import stat
import zipfile
import zlib
from bisect import bisect_right
from collections import Counter
from pathlib import Path, PurePosixPath

from budgetxl.errors import ReadError

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_PARTS = 10_000
MAX_PART_BYTES = 64 * 1024 * 1024  # uncompressed size of one zip part
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # all parts together
MAX_RATIO = 200  # uncompressed / compressed for any part larger than 1 MiB
MAX_CELLS = 2_000_000  # rows × columns a sheet may span
MAX_TOTAL_CELLS = 4_000_000  # rows × columns of all sheets together
MAX_MERGES = 100_000
MAX_TEXT_CHARS = 20_000_000  # text of all cells after sharing and repetition (a real form: ~20,000)

_CHUNK = 1024 * 1024
_DTD_MARKS = tuple(
    m for s in ("<!DOCTYPE", "<!ENTITY") for m in (s.encode(), s.encode("utf-16-le"), s.encode("utf-16-be"))
)
_ELEMENT_START = re.compile(rb"<[A-Za-z_]|<\x00[A-Za-z_]|\x00<\x00?[A-Za-z_]")


# ---------------------------------------------------------------------------------------------
# The file itself


def regular_file_size(path: str | Path, what: str) -> int:
    """The size of `path`, a regular file to be read as a `what` (工作簿, 压缩包); a missing file,
    a folder, a FIFO, a device or a socket is refused without being opened (opening a FIFO waits
    forever for a writer)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ReadError(f"{path}: 文件不存在") from None
    except OSError as exc:
        raise ReadError(f"{path}: 无法读取（{exc.strerror}）") from None
    if stat.S_ISDIR(st.st_mode):
        raise ReadError(f"{path}: 这是一个文件夹，不是{what}")
    if not stat.S_ISREG(st.st_mode):
        raise ReadError(f"{path}: 不是普通文件（如管道或设备），不能作为{what}读取")
    return st.st_size


def read_file_bytes(path: Path) -> bytes:
    """The bytes of the workbook at `path`: a regular file within MAX_FILE_BYTES, read once."""
    size = regular_file_size(path, "工作簿")
    if size > MAX_FILE_BYTES:
        raise ReadError(f"{path}: 文件过大（{size // (1024 * 1024)} MB），"
                        f"超过 {MAX_FILE_BYTES // (1024 * 1024)} MB 的上限，拒绝读取")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise ReadError(f"{path}: 这是一个文件夹，不是工作簿") from None
    except OSError as exc:
        raise ReadError(f"{path}: 无法读取（{exc.strerror}）") from None
    if len(data) > MAX_FILE_BYTES:  # grew while being read
        raise ReadError(f"{path}: 文件过大，超过 {MAX_FILE_BYTES // (1024 * 1024)} MB 的上限，拒绝读取")
    return data


def _open_zip(source: Path | bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)


# ---------------------------------------------------------------------------------------------
# Zip bombs, damaged parts, DTDs


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml")) or name == "[Content_Types].xml"


Parts = list[tuple[str, bytes]]


def check_zip(path: Path, data: bytes | None = None, opened: zipfile.ZipFile | None = None) -> Parts:
    """Refuse zip bombs, lying or damaged parts, and XML parts with a DTD. Returns every part
    (name, inflated bytes), so that the guards after this one need not inflate them again.
    `opened`: the zip of `data`, opened already (left open)."""
    parts: Parts = []
    try:
        source = data if data is not None else path
        with contextlib.nullcontext(opened) if opened is not None else _open_zip(source) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_PARTS:
                raise ReadError(f"{path}: 文件内部分数量异常（{len(infos)} 个），拒绝读取")
            total = 0
            for info in infos:
                _check_header(path, info)
                total += info.file_size
                if total > MAX_TOTAL_BYTES:
                    raise ReadError(f"{path}: 文件解压后总大小超过 {MAX_TOTAL_BYTES // (1024 * 1024)} MB，"
                                    "疑似压缩炸弹，拒绝读取")
                if not info.is_dir():
                    parts.append((info.filename, _inflate_part(path, zf, info)))
        return parts
    except zipfile.BadZipFile as exc:
        raise ReadError(f"{path}: 文件已损坏（{_zip_problem(exc)}），请重新保存或重新发送") from None
    except (OSError, EOFError, NotImplementedError, RuntimeError, ValueError, zlib.error) as exc:
        # EOFError: truncated data; zlib.error: a damaged deflate stream; NotImplementedError: an
        # unknown compression; RuntimeError: an encrypted part; ValueError/OSError: a header that
        # does not add up, a broken stream
        raise ReadError(f"{path}: 文件已损坏（{type(exc).__name__}: {str(exc)[:120]}），请重新保存或重新发送") from None


def _zip_problem(exc: Exception) -> str:
    text = str(exc)
    if "CRC" in text:
        return "内容校验失败"
    return "压缩包不完整"


def _check_header(path: Path, info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_PART_BYTES:
        raise ReadError(f"{path}: 文件内部分“{info.filename}”解压后过大（{info.file_size} 字节），拒绝读取")
    if info.file_size > _CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise ReadError(f"{path}: 文件内部分“{info.filename}”压缩比异常，疑似压缩炸弹，拒绝读取")


def _inflate_part(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Inflate one part, never past its declared size (the zip module stops there and checks the
    CRC, so a header claiming less than the data holds fails; check_zip has capped the declared
    size); look for a DTD in an XML part's prolog, before its first element. Returns the part's
    bytes."""
    with zf.open(info) as fh:
        data = fh.read(MAX_PART_BYTES + 1)  # in one call: the zip module stops at the declared size
        if len(data) > MAX_PART_BYTES:  # pragma: no cover - the zip module stops at the declared size
            raise ReadError(f"{path}: 文件内部分“{info.filename}”解压后过大，拒绝读取")
    if _is_xml(info.filename):
        m = _ELEMENT_START.search(data)
        head = data[: m.start()] if m else data
        if any(mark in head for mark in _DTD_MARKS):
            raise ReadError(f"{path}: 文件内部分“{info.filename}”含有 DTD（XML 实体声明），"
                            "可能是恶意构造的文件，拒绝读取")
    return data


# ---------------------------------------------------------------------------------------------
# Scanning tags: tolerant (any namespace prefix, any whitespace, either quote) and linear (no
# pattern can run past the next "<", so a crafted file costs one pass, never a pass per tag)

_PREFIX = rb"(?:[^\s<>/:=\"']+:)?"  # a namespace prefix of any characters, or none
_ATTRS = rb"((?:[^<>\"']|\"[^\"<]*\"|'[^'<]*')*)"  # attributes, a quoted '>' included, no '<'


def tags(names: bytes) -> re.Pattern[bytes]:
    """Start and end tags of elements with these local names: groups (slash, name, attributes)."""
    return re.compile(rb"<(/?)" + _PREFIX + rb"(" + names + rb")(?=[\s/>])" + _ATTRS + rb">")


class StartTags:
    """Counts the start tags of elements with one local name however written (any namespace
    prefix, any whitespace: the pattern `<prefix:name[\\s/>]`). Most parts write every such tag
    as `<name ` with a space: those are counted in C, the rest by the pattern."""

    def __init__(self, name: bytes) -> None:
        self.spaced = b"<" + name + b" "
        self.opening = b"<" + name  # never overlaps itself: one '<', at its start
        self.colon = b":" + name
        self.prefixed = re.compile(b":" + re.escape(name) + rb"[\s/>]")  # a prefixed tag has this
        self.unspaced = re.compile(b"<" + re.escape(name) + rb"[\t\n\r\f\v/>]")
        self.pattern = re.compile(b"<" + _PREFIX + re.escape(name) + rb"[\s/>]")

    def count(self, data: bytes) -> int:
        # Without a prefixed tag (no ':name' at all, or none the pattern takes), every tag is
        # '<name' and one character of [\s/>]: a space (counted in C), or one of the others
        # (counted by a pattern that starts with '<name', only where some '<name' is unspaced).
        if self.colon not in data or self.prefixed.search(data) is None:
            spaced = data.count(self.spaced)
            if data.count(self.opening) == spaced:
                return spaced
            return spaced + len(self.unspaced.findall(data))
        return len(self.pattern.findall(data))


def _attr_re(name: bytes, prefixed: bool = False) -> re.Pattern[bytes]:
    """An attribute, unprefixed (as calamine looks up a cell's r and t) or with any prefix."""
    return re.compile(rb"(?:^|\s)" + (_PREFIX if prefixed else b"") + name + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


_R_ATTR = _attr_re(rb"r")
_T_ATTR = _attr_re(rb"t")
_REF_ATTR = _attr_re(rb"ref")


def attributes(pattern: re.Pattern[bytes], attrs: bytes) -> list[str]:
    """Every value the attribute has in a tag (a crafted tag may repeat it), entities resolved."""
    out = []
    for m in pattern.finditer(attrs):
        raw = m.group(1) if m.group(1) is not None else m.group(2)
        text = raw.decode("utf-8", "replace")
        out.append(html.unescape(text) if "&" in text else text)
    return out


def attribute(pattern: re.Pattern[bytes], attrs: bytes) -> str | None:
    """An attribute's value (entities resolved), or None."""
    values = attributes(pattern, attrs)
    return values[0] if values else None


_CELL_REF_RE = re.compile(r"^\$?([A-Za-z]+)\$?(\d+)$")


def _cell_ref(text: str) -> tuple[int, int] | None:
    m = _CELL_REF_RE.match(text.strip())
    if not m:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + (ord(ch) - 64)
    return int(m.group(2)) - 1, col - 1


def _merge(ref: str) -> tuple[int, int, int, int] | None:
    first, _, last = ref.partition(":")
    a, b = _cell_ref(first), _cell_ref(last or first)
    if a is None or b is None:
        return None
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


# ---------------------------------------------------------------------------------------------
# xlsx: every part holding cells

_ANY_CELL = StartTags(b"c")  # every tag a parser could take for a cell
_SHEET_TAG = tags(rb"row|c|v|is|f|mergeCell")
_SHEET_STARTS = re.compile(rb"<" + _PREFIX + rb"(row|c|v|is|f|mergeCell)[\s/>]")  # start tags, however written
# A cell as Excel, WPS and LibreOffice write it: its reference first, then other attributes
# (never a second r) in double quotes.
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"(?: (?!r=)[A-Za-z:]+="[^"<>]*")*\s*(/?)>')
_PLAIN_MERGE = re.compile(rb'<mergeCell ref="([^"<>]*)"')
_ANY_MERGE = StartTags(b"mergeCell")
_SI_START = re.compile(rb"<" + _PREFIX + rb"si[\s/>]")
_ANY_SI = StartTags(b"si")
_SST_TAG = tags(rb"sst")
_ANY_TAG = re.compile(rb"<[^<>]*>")


class SheetScan:
    """What a worksheet part holds: the span from A1 to its last cell with content, its merges,
    how many cells it has, and (when asked) the shared strings its cells refer to."""

    def __init__(self) -> None:
        self.rows = 0
        self.cols = 0
        self.merges: list[tuple[int, int, int, int]] = []
        self.cells = 0
        self.shared: list[int] = []  # indices of shared strings, one per referring cell


def scan_sheet(data: bytes, shared: bool = False) -> SheetScan:
    """Scan a part for cells and merges (see SheetScan). The common case, every cell written as
    Excel, WPS and LibreOffice write it, is one pass over the references (an open `<c …>` is taken
    to hold something); anything else goes tag by tag. With `shared`, every cell's shared-string
    reference is collected too (tag by tag). Raises _Malformed when a tag cannot be read (a '<'
    inside it: calamine would still take it for a cell)."""
    if not shared:
        cells = _PLAIN_CELL.findall(data)
        if len(cells) == _ANY_CELL.count(data):
            return _plain_scan(data, cells)
    scan, seen = _scan_tags(data, shared)
    if seen != Counter(_SHEET_STARTS.findall(data)):
        raise _Malformed()
    return scan


class _Malformed(Exception):
    """A part with a tag that cannot be read (a '<' inside it): real files never have one."""


def _plain_scan(data: bytes, cells: list[tuple[bytes, bytes, bytes]]) -> SheetScan:
    scan = SheetScan()
    scan.cells = len(cells)
    full = [(letters, digits) for letters, digits, closed in cells if not closed]
    scan.rows = max(map(int, {d for _, d in full}), default=0)
    widest = max({letters for letters, _ in full}, key=lambda s: (len(s), s), default=b"")
    scan.cols = (_cell_ref(widest.decode() + "1") or (0, -1))[1] + 1 if widest else 0
    raw = _PLAIN_MERGE.findall(data)
    if len(raw) == _ANY_MERGE.count(data):
        scan.merges = [merge for merge in map(_plain_merge, raw) if merge is not None]
        return scan
    # other spellings: tag by tag
    refs = [ref for m in _SHEET_TAG.finditer(data) if m.group(2) == b"mergeCell" and not m.group(1)
            for ref in attributes(_REF_ATTR, m.group(3))]
    for ref in refs:
        merge = _merge(ref)
        if merge:
            scan.merges.append(merge)
    return scan


_PLAIN_RANGE = re.compile(rb"([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})")


@functools.lru_cache(maxsize=16384)  # the same merged ranges in every form of a batch
def _plain_merge(ref: bytes) -> tuple[int, int, int, int] | None:
    """A merge's reference as written in a plain `<mergeCell ref="…"`: what _merge gives for it."""
    plain = _PLAIN_RANGE.fullmatch(ref)
    if plain is None:
        return _merge(html.unescape(ref.decode("utf-8", "replace")))
    letters1, digits1, letters2, digits2 = plain.groups()
    a = int(digits1) - 1, _column(letters1)
    b = int(digits2) - 1, _column(letters2)
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


def _column(letters: bytes) -> int:
    """0-based column of upper-case letters (b'A' → 0, b'AA' → 26), as _cell_ref counts them."""
    col = 0
    for ch in letters:
        col = col * 26 + (ch - 64)
    return col - 1


def _scan_tags(data: bytes, shared: bool) -> tuple[SheetScan, Counter[bytes]]:
    """Tag by tag: a row without `r` follows the one before, a cell without `r` the cell before;
    a cell counts where it holds a value, an inline string or a formula. Also the start tags seen,
    by name."""
    scan = SheetScan()
    seen: Counter[bytes] = Counter()
    row, col = -1, -1
    cell: tuple[int, int] | None = None  # the cell open now
    cell_shared = False
    value_from = -1  # where the text of a shared cell's <v> starts
    for m in _SHEET_TAG.finditer(data):
        closing, name, attrs = m.group(1), m.group(2), m.group(3)
        if not closing:
            seen[name] += 1
        if name == b"c":
            if closing:
                cell = None
                continue
            scan.cells += 1
            places = [p for p in map(_cell_ref, attributes(_R_ATTR, attrs)) if p is not None]
            if places:  # a repeated r: the farthest counts
                row, col = max(p[0] for p in places), max(p[1] for p in places)
            else:
                row, col = max(row, 0), col + 1
            cell = None if attrs.rstrip().endswith(b"/") else (row, col)
            cell_shared = shared and cell is not None and "s" in attributes(_T_ATTR, attrs)
        elif name == b"row":
            if closing:
                continue
            numbers = [int(r) for r in attributes(_R_ATTR, attrs) if r.strip().isdigit()]
            row = max(numbers) - 1 if numbers else row + 1
            col = -1
        elif name == b"mergeCell":
            for ref in attributes(_REF_ATTR, attrs) if not closing else ():
                merge = _merge(ref)
                if merge:
                    scan.merges.append(merge)
        elif cell is not None:  # v, is, f inside an open cell: it holds something
            if not closing:
                scan.rows, scan.cols = max(scan.rows, cell[0] + 1), max(scan.cols, cell[1] + 1)
                if name == b"v" and cell_shared:
                    value_from = m.end()
            elif name == b"v" and value_from >= 0:
                text = data[value_from : m.start()].strip()
                if text.isdigit() and len(text) < 12:
                    scan.shared.append(int(text))
                value_from = -1
    return scan, seen


# A plain cell and the value right after it, when there is one.
_PLAIN_CELL_VALUE = re.compile(rb'<c r="[A-Z]{1,3}\d{1,7}"((?: (?!r=)[A-Za-z:]+="[^"<>]*")*)\s*(/?)>'
                               rb'(?:<v>([^<]{0,20})</v>)?')


def shared_references(data: bytes) -> list[int]:
    """The shared-string index of every cell referring to one (t="s"), in one pass over a plain
    sheet; tag by tag when a cell is written otherwise or its value does not follow it at once."""
    found = _PLAIN_CELL_VALUE.findall(data)
    if len(found) == _ANY_CELL.count(data):
        refs = []
        for attrs, closed, value in found:
            if b' t="s"' in attrs:
                if value.strip().isdigit():
                    refs.append(int(value))
                elif not closed:
                    break  # a formula first, say: read the cell tag by tag
        else:
            return refs
    return scan_sheet(data, shared=True).shared


def shared_string_sizes(data: bytes) -> list[int]:
    """An upper bound of the characters of each shared string (<si>) in a part, in order: its
    bytes without its tags (a character takes at least one byte)."""
    starts = [m.start() for m in _SI_START.finditer(data)]
    if not starts:
        return []
    sizes = [end - start for start, end in zip(starts, starts[1:] + [len(data)])]
    for m in _ANY_TAG.finditer(data, starts[0]):
        i = bisect_right(starts, m.start()) - 1
        sizes[i] -= m.end() - m.start()
    return [max(0, s) for s in sizes]


_UNIQUE_COUNT = _attr_re(rb"uniqueCount", prefixed=True)
MAX_UNDECLARED_STRINGS = 100_000  # how far a shared-string table's declared count may exceed its strings


def _check_declared_strings(path: Path, name: str, part: bytes, present: int) -> None:
    """calamine makes room for as many shared strings as the table declares (uniqueCount) before
    reading any: a table claiming two billion asks for 100 GB and aborts the process."""
    m = _SST_TAG.search(part)
    if m is None:
        return
    declared = [int(v.strip()[:19]) for v in attributes(_UNIQUE_COUNT, m.group(3)) if v.strip().isdigit()]
    if declared and max(declared) > present + MAX_UNDECLARED_STRINGS:
        raise ReadError(f"{path}: 文件内部分“{name}”声明有 {max(declared):,} 个共享文字，实际只有 {present:,} 个，"
                        "疑似恶意构造的文件，拒绝读取")


def _zip_parts(path: Path, data: bytes | None) -> Parts:
    try:
        with _open_zip(data if data is not None else path) as zf:
            return [(info.filename, zf.read(info)) for info in zf.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError, zlib.error):
        raise ReadError(f"{path}: 文件已损坏（压缩包不完整），请重新保存或重新发送") from None


def _may_hold_strings(part: bytes) -> bool:
    return ((b"<si" in part or b":si" in part or b"sst" in part)
            and bool(_SI_START.search(part) or _SST_TAG.search(part)))


def check_xlsx_parts(path: Path, data: bytes | None = None, parts: Parts | None = None) -> None:
    """Refuse an xlsx whose cells span too much (per sheet and together), whose merges are
    absurd, or whose shared strings would expand past MAX_TEXT_CHARS (see the module's notes).
    Every part is looked at, whatever its name: any part naming a `sheetData` or a `mergeCell`
    could be read as a worksheet. `parts` are the inflated parts, when check_zip gave them."""
    sheets: Parts = []
    tables: Parts = []
    for name, part in parts if parts is not None else _zip_parts(path, data):
        if b"sheetData" in part or b"mergeCell" in part:
            sheets.append((name, part))
        if _may_hold_strings(part):
            tables.append((name, part))
    total_cells = cells = 0
    for name, part in sheets:
        try:
            scan = scan_sheet(part)
        except _Malformed:
            raise ReadError(f"{path}: 工作表（{PurePosixPath(name).name}）的 XML 结构异常"
                            "（标记中含有“<”），拒绝读取") from None
        _check_span(path, name, scan.rows, scan.cols, scan.merges)
        total_cells += scan.rows * scan.cols
        cells += scan.cells
        if total_cells > MAX_TOTAL_CELLS:
            raise ReadError(f"{path}: 各工作表的内容范围合计过大（超过 {MAX_TOTAL_CELLS:,} 个单元格），拒绝读取")
    bound = 0  # no shared string is longer than the part holding it
    for name, part in tables:
        present = _ANY_SI.count(part)
        _check_declared_strings(path, name, part, present)
        if present:
            bound = max(bound, len(part))
    if cells * bound <= MAX_TEXT_CHARS:
        return  # even if every cell took a string as long as a whole table
    longest = 0
    for _, part in tables:
        starts = [m.start() for m in _SI_START.finditer(part)]
        if starts:  # bytes from one <si> to the next: at least its characters
            longest = max(longest, max(b - a for a, b in zip(starts, starts[1:] + [len(part)])))
    if cells * longest <= MAX_TEXT_CHARS:
        return  # even if every cell took the longest shared string
    strings: list[int] = []
    for _, part in tables:
        sizes = shared_string_sizes(part)
        strings = [max(a, b) for a, b in zip(sizes, strings)] + sizes[len(strings):] + strings[len(sizes):]
    text = 0
    for _, part in sheets:
        for index in shared_references(part):
            text += strings[index] if 0 <= index < len(strings) else 0
        if text > MAX_TEXT_CHARS:
            raise ReadError(f"{path}: 单元格引用的共享文字合计过多（超过 {MAX_TEXT_CHARS:,} 个字符），"
                            "疑似恶意构造的文件，拒绝读取")


def _check_span(path: Path, part: str, rows: int, cols: int, merges: list[tuple[int, int, int, int]]) -> None:
    name = PurePosixPath(part).name
    if rows * cols > MAX_CELLS:
        raise ReadError(f"{path}: 工作表（{name}）的内容范围过大（{rows} 行 × {cols} 列），拒绝读取")
    check_merges(path, f"（{name}）", merges, rows, cols)


def check_merges(path: Path, where: str, merges: list[tuple[int, int, int, int]], rows: int, cols: int) -> None:
    """At most MAX_MERGES merges, none larger than MAX_CELLS, and all of them together, clipped to
    the rows × cols holding content, within MAX_CELLS (real merges never overlap, so they cannot
    pass it; crafted overlapping ones would make every reader loop over the same cells again)."""
    if len(merges) > MAX_MERGES:
        raise ReadError(f"{path}: 工作表{where}的合并单元格数量异常（{len(merges)} 个），拒绝读取")
    if len(merges) * max(rows, 0) * max(cols, 0) <= MAX_CELLS and all(
            r1 >= 0 <= c1 and (r2 - r1 + 1) * (c2 - c1 + 1) <= MAX_CELLS for r1, c1, r2, c2 in merges):
        return  # none too large, and each covers at most rows × cols: together they cannot pass
    covered = 0
    for r1, c1, r2, c2 in merges:
        if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_CELLS:
            raise ReadError(f"{path}: 工作表{where}有覆盖范围异常大的合并单元格，拒绝读取")
        covered += max(0, min(r2 + 1, rows) - r1) * max(0, min(c2 + 1, cols) - c1)
        if covered > MAX_CELLS:
            raise ReadError(f"{path}: 工作表{where}的合并单元格互相重叠、覆盖范围异常，拒绝读取")


# ---------------------------------------------------------------------------------------------
# ods: tables after repetition

_ODS_TAG = tags(rb"table|table-row|table-cell|covered-table-cell|s")
_ODS_STARTS = re.compile(rb"<" + _PREFIX + rb"(table|table-row|table-cell|covered-table-cell|s)[\s/>]")
_ROWS_REPEATED = _attr_re(rb"number-rows-repeated", prefixed=True)
_COLS_REPEATED = _attr_re(rb"number-columns-repeated", prefixed=True)
_SPACES = _attr_re(rb"c", prefixed=True)
_BIG = 1 << 40  # a count past any limit: kept finite, still refused


def _count(pattern: re.Pattern[bytes], attrs: bytes) -> int:
    """A repeat count, at least as large as calamine takes it: the largest positive integer the
    tag gives for it (any prefix), 1 when absent or garbled."""
    counts = [int(v.strip()[:19]) for v in attributes(pattern, attrs) if v.strip().isdigit()]
    return min(max([1, *counts]), _BIG)


class _Table:
    def __init__(self) -> None:
        self.row = 0  # the row being read
        self.row_repeat = 1
        self.col = 0
        self.rows = 0  # the span so far
        self.cols = 0


def check_ods_parts(path: Path, data: bytes | None = None, parts: Parts | None = None) -> None:
    """Refuse an ods whose tables, once rows and cells are repeated as the file asks, span more
    than MAX_CELLS (one table) or MAX_TOTAL_CELLS (all), or whose text, each cell's counted as
    often as it is repeated (with its `text:s` spaces), passes MAX_TEXT_CHARS."""
    found = parts if parts is not None else _zip_parts(path, data)
    total_cells = text = 0
    for name, part in ((n, p) for n, p in found if b"table-cell" in p or b"table-row" in p):
        seen: Counter[bytes] = Counter(m.group(2) for m in _ODS_TAG.finditer(part) if not m.group(1))
        if seen != Counter(_ODS_STARTS.findall(part)):
            raise ReadError(f"{path}: 文件内部分“{name}”的 XML 结构异常（标记中含有“<”），拒绝读取")
        tables: list[_Table] = []
        cells: list[tuple[int, int, int]] = []  # open cells: (text start, repeat, spaces)
        for m in _ODS_TAG.finditer(part):
            closing, tag, attrs = m.group(1), m.group(2), m.group(3)
            closed = attrs.rstrip().endswith(b"/")
            if tag == b"table":
                if not closing:
                    tables.append(_Table())
                    if closed:
                        tables.pop()
                elif tables:
                    t = tables.pop()
                    total_cells += t.rows * t.cols
                    if total_cells > MAX_TOTAL_CELLS:
                        raise ReadError(f"{path}: 各工作表的内容范围合计过大"
                                        f"（超过 {MAX_TOTAL_CELLS:,} 个单元格），拒绝读取")
            elif not tables:
                continue
            elif tag == b"table-row":
                t = tables[-1]
                if closing:
                    t.row += t.row_repeat
                    t.row_repeat = 1
                else:
                    t.row_repeat = _count(_ROWS_REPEATED, attrs)
                    t.col = 0
                    if closed:
                        t.row += t.row_repeat
                        t.row_repeat = 1
            elif tag == b"s":
                if cells and not closing:
                    start, repeat, spaces = cells[-1]
                    cells[-1] = (start, repeat, spaces + _count(_SPACES, attrs))
            else:  # a cell, covered or not
                t = tables[-1]
                if not closing:
                    repeat = _count(_COLS_REPEATED, attrs)
                    if closed:
                        t.col += repeat
                    else:
                        cells.append((m.end(), repeat, 0))
                    continue
                if not cells:
                    continue
                start, repeat, spaces = cells.pop()
                t.rows = max(t.rows, t.row + t.row_repeat)
                t.cols = max(t.cols, t.col + repeat)
                t.col += repeat
                if t.rows * t.cols > MAX_CELLS:
                    raise ReadError(f"{path}: 工作表的内容范围过大（{t.rows} 行 × {t.cols} 列），拒绝读取")
                text += (m.start() - start + spaces) * repeat * t.row_repeat
                if text > MAX_TEXT_CHARS:
                    raise ReadError(f"{path}: 单元格文字（连同重复的单元格和空格）合计过多"
                                    f"（超过 {MAX_TEXT_CHARS:,} 个字符），"
                                    "疑似恶意构造的文件，拒绝读取")
        for t in tables:  # tables left open by a truncated part count as they are
            total_cells += t.rows * t.cols
    if total_cells > MAX_TOTAL_CELLS:
        raise ReadError(f"{path}: 各工作表的内容范围合计过大（超过 {MAX_TOTAL_CELLS:,} 个单元格），拒绝读取")

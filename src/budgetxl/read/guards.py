"""Guards run before a workbook from outside is handed to a parser.

Returned workbooks come from outside, and the parsers trust what a file says about itself: the
zip library inflates as much as a part holds, the XML parsers of the standard library expand
entities, and calamine allocates one dense grid spanning the first to the last cell it meets (one
cell at XFD1048576 asks for 17 billion cells and aborts the process). So, before any parser sees
a file:

- the file itself is at most MAX_FILE_BYTES;
- a zip (xlsx, ods) has at most MAX_PARTS parts, each inflating to at most MAX_PART_BYTES and
  MAX_RATIO times its compressed size, all together to at most MAX_TOTAL_BYTES; every part is
  inflated once here, under those caps, so a header that lies about the size or a damaged part
  (CRC) is caught too;
- no XML part declares a DTD (OOXML and ODF never do; a DTD is how entity bombs and external
  entities come in);
- each xlsx worksheet's cells and merged ranges are scanned: the rectangle from A1 to its last
  cell holding something, and the merged ranges clipped to it, stay within MAX_CELLS, with at most
  MAX_MERGES merges.

Each refusal is a ReadError naming the file and what was refused.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from budgetxl.errors import ReadError

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_PARTS = 10_000
MAX_PART_BYTES = 64 * 1024 * 1024  # uncompressed size of one zip part
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # all parts together
MAX_RATIO = 200  # uncompressed / compressed for any part larger than 1 MiB
MAX_CELLS = 2_000_000  # rows × columns a sheet may span
MAX_MERGES = 100_000

_CHUNK = 1024 * 1024
_DTD_MARKS = tuple(
    m for s in ("<!DOCTYPE", "<!ENTITY") for m in (s.encode(), s.encode("utf-16-le"), s.encode("utf-16-be"))
)
_ELEMENT_START = re.compile(rb"<[A-Za-z_]|<\x00[A-Za-z_]|\x00<\x00?[A-Za-z_]")


def check_file_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        return  # opening it says what is wrong
    if size > MAX_FILE_BYTES:
        mb, limit = size // (1024 * 1024), MAX_FILE_BYTES // (1024 * 1024)
        raise ReadError(f"{path}: 文件过大（{mb} MB），超过 {limit} MB 的上限，拒绝读取")


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml")) or name == "[Content_Types].xml"


def check_zip(path: Path) -> None:
    """Refuse zip bombs, lying or damaged parts, and XML parts with a DTD."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_PARTS:
                raise ReadError(f"{path}: 文件内部分数量异常（{len(infos)} 个），拒绝读取")
            total = 0
            for info in infos:
                _check_header(path, info)
                total += info.file_size
                if total > MAX_TOTAL_BYTES:
                    limit = MAX_TOTAL_BYTES // (1024 * 1024)
                    raise ReadError(f"{path}: 文件解压后总大小超过 {limit} MB，疑似压缩炸弹，拒绝读取")
                _inflate_part(path, zf, info)
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


def _inflate_part(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Inflate one part in chunks, never past its declared size (the zip module stops there and
    checks the CRC, so a header claiming less than the data holds fails); look for a DTD in an
    XML part's prolog, before its first element."""
    xml = _is_xml(info.filename)
    prolog = b""
    in_prolog = xml
    read = 0
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            read += len(chunk)
            if read > MAX_PART_BYTES:  # pragma: no cover - the zip module stops at the declared size
                raise ReadError(f"{path}: 文件内部分“{info.filename}”解压后过大，拒绝读取")
            if in_prolog:
                prolog = prolog[-16:] + chunk
                m = _ELEMENT_START.search(prolog)
                head = prolog[: m.start()] if m else prolog
                if any(mark in head for mark in _DTD_MARKS):
                    raise ReadError(f"{path}: 文件内部分“{info.filename}”含有 DTD（XML 实体声明），"
                                    "可能是恶意构造的文件，拒绝读取")
                if m:
                    in_prolog = False


# ---------------------------------------------------------------------------------------------
# xlsx worksheets: the span of their cells and merges, before calamine allocates it

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_TOKEN_RE = re.compile(rb"<(?:\w+:)?(row|c|mergeCell)\b([^>]*?)(/?)>")
_CELL_END_RE = re.compile(rb"</(?:\w+:)?c\s*>")
_R_ATTR_RE = re.compile(rb'\br\s*=\s*["\']([^"\']*)["\']')
_REF_ATTR_RE = re.compile(rb'\bref\s*=\s*["\']([^"\']*)["\']')
_CELL_REF_RE = re.compile(r"^\$?([A-Za-z]+)\$?(\d+)$")
_CONTENT_RE = re.compile(rb"<(?:\w+:)?(?:v|is|f)\b")


def _cell_ref(text: str) -> tuple[int, int] | None:
    m = _CELL_REF_RE.match(text.strip())
    if not m:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + (ord(ch) - 64)
    return int(m.group(2)) - 1, col - 1


_ANY_CELL_RE = re.compile(rb"<(?:\w+:)?c[\s/>]")
_PLAIN_CELL_RE = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"[^>]*?(/?)>')
_PLAIN_MERGE_RE = re.compile(rb'<mergeCell ref="([^"]*)"')
_REF_CELL_RE = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br\s*=\s*["\']\$?([A-Za-z]+)\$?(\d+)["\'][^>]*?(/?)>')
_MERGE_REF_RE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?\bref\s*=\s*["\']([^"\']*)["\']')


def sheet_span(data: bytes) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """(rows, columns) from A1 to the last cell holding a value or formula, and the merged ranges
    (0-based, inclusive) of a worksheet part.

    The common case, every cell with its `r` reference, is read in one pass over the references
    (an empty `<c …/>` holds nothing and does not count; a `<c …>…</c>` is taken to hold
    something). Otherwise each cell is placed as spreadsheet programs place it (see
    _sheet_span_in_order)."""
    cells = _PLAIN_CELL_RE.findall(data)  # <c r="B12" …>, as Excel, WPS and LibreOffice write them
    if len(cells) != data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/>"):
        cells = _REF_CELL_RE.findall(data)  # prefixed tags, other attribute orders, long references
        if len(cells) != len(_ANY_CELL_RE.findall(data)):
            return _sheet_span_in_order(data)
    full = [(letters, digits) for letters, digits, closed in cells if not closed]
    rows = max(map(int, {d for _, d in full}), default=0)
    widest = max({letters.upper() for letters, _ in full}, key=lambda s: (len(s), s), default=b"")
    last = _cell_ref(widest.decode() + "1") if widest else None
    cols = last[1] + 1 if last else 0
    merges = []
    refs = _PLAIN_MERGE_RE.findall(data)
    if len(refs) != data.count(b"<mergeCell ") + data.count(b":mergeCell "):
        refs = _MERGE_REF_RE.findall(data)
    for ref in refs:
        first, _, last = ref.decode("ascii", "replace").partition(":")
        a, b = _cell_ref(first), _cell_ref(last or first)
        if a and b:
            merges.append((min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])))
    return rows, cols, merges


def _sheet_span_in_order(data: bytes) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """sheet_span, cell by cell: cells and rows without an `r` attribute follow the one before."""
    rows = cols = 0
    merges: list[tuple[int, int, int, int]] = []
    row, col = -1, -1
    pos = 0
    while True:
        m = _TOKEN_RE.search(data, pos)
        if m is None:
            break
        pos = m.end()
        tag, attrs, closed = m.group(1), m.group(2), m.group(3)
        if tag == b"row":
            r = _R_ATTR_RE.search(attrs)
            row = int(r.group(1)) - 1 if r and r.group(1).isdigit() else row + 1
            col = -1
            continue
        if tag == b"mergeCell":
            ref = _REF_ATTR_RE.search(attrs)
            if ref:
                first, _, last = ref.group(1).decode("ascii", "replace").partition(":")
                a, b = _cell_ref(first), _cell_ref(last or first)
                if a and b:
                    merges.append((min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])))
            continue
        r = _R_ATTR_RE.search(attrs)
        cell = _cell_ref(r.group(1).decode("ascii", "replace")) if r else None
        if cell is not None:
            row, col = cell
        else:
            row, col = max(row, 0), col + 1
        if closed:
            continue
        end = _CELL_END_RE.search(data, pos)
        body = data[pos : end.start()] if end else data[pos:]
        pos = end.end() if end else len(data)
        if _CONTENT_RE.search(body):
            rows, cols = max(rows, row + 1), max(cols, col + 1)
    return rows, cols, merges


def _worksheet_parts(zf: zipfile.ZipFile) -> list[str]:
    """Every part that may be read as a worksheet: whatever the workbook's relationships point
    at (whatever type they claim), and any under xl/worksheets/."""
    names = set(zf.namelist())
    parts = {n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml") and "/_rels/" not in n}
    try:
        rels = zf.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else b""
    except (KeyError, zipfile.BadZipFile):
        rels = b""
    for target in re.findall(rb'Target\s*=\s*["\']([^"\']+)["\']', rels):
        t = target.decode("utf-8", "replace")
        part = t.lstrip("/") if t.startswith("/") else str(PurePosixPath("xl") / t)
        if part in names and part.endswith(".xml"):
            parts.add(part)
    return sorted(parts)


def check_xlsx_sheets(path: Path) -> None:
    """Refuse worksheets whose cells or merges span more than MAX_CELLS (see sheet_span)."""
    try:
        with zipfile.ZipFile(path) as zf:
            for part in _worksheet_parts(zf):
                data = zf.read(part)
                if b"sheetData" in data or b"mergeCell" in data:  # styles, strings, themes: no cells
                    _check_span(path, part, *sheet_span(data))
    except zipfile.BadZipFile:
        raise ReadError(f"{path}: 文件已损坏（压缩包不完整），请重新保存或重新发送") from None


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
    covered = 0
    for r1, c1, r2, c2 in merges:
        if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_CELLS:
            raise ReadError(f"{path}: 工作表{where}有覆盖范围异常大的合并单元格，拒绝读取")
        covered += max(0, min(r2 + 1, rows) - r1) * max(0, min(c2 + 1, cols) - c1)
        if covered > MAX_CELLS:
            raise ReadError(f"{path}: 工作表{where}的合并单元格互相重叠、覆盖范围异常，拒绝读取")

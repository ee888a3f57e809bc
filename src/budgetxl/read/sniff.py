"""What a file is, by its content, whatever its name says.

Returned forms arrive as .xlsx, .xlsm, .xls and .ods, but also as what budget systems export
under an .xls name (Excel 2003 XML "SpreadsheetML", HTML tables), as WPS .et files, and now and
then as something else altogether (a CSV or a Word document renamed .xls, a PDF, a zip of
returns). `sniff` says which reader takes a file; for anything no reader takes it raises one
ReadError saying, in Chinese, what the file is and what to do with it.

`decode_markup` turns the bytes of an XML or HTML file into text by the encoding the file
declares (a byte-order mark, the XML prolog, an HTML <meta> tag), GB2312 and GBK read as GB18030,
their superset.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

from budgetxl.errors import ReadError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
SPREADSHEETML_NS = b"urn:schemas-microsoft-com:office:spreadsheet"

# What each kind is called in messages, and the file name endings it normally has.
KIND_NAMES = {
    "xlsx": "Excel 工作簿（.xlsx）",
    "xls": "Excel 97-2003 工作簿（.xls）",
    "ods": "LibreOffice 工作簿（.ods）",
    "spreadsheetml": "Excel 2003 XML 表格（SpreadsheetML，常见于预算管理系统导出）",
    "html": "网页格式（HTML）的表格（常见于网上填报系统导出）",
}
NATURAL_SUFFIXES = {
    "xlsx": (".xlsx", ".xlsm", ".xltx", ".xltm"),
    "xls": (".xls", ".xlt", ".et", ".ett"),
    "ods": (".ods", ".ots"),
    "spreadsheetml": (".xml",),
    "html": (".htm", ".html"),
}

SAVE_AS = "请用 Excel 或 WPS 打开后另存为 Excel 工作簿（.xlsx）再提交"
_SPREADSHEET_NAMES = (".xlsx", ".xlsm", ".xls", ".ods", ".et")


def kind_note(path: Path, kind: str) -> str | None:
    """A note when the file's name does not say what it is (an .xls that is SpreadsheetML, an
    .xlsx that is an .xls…), None when it does."""
    suffix = path.suffix.lower()
    if suffix in NATURAL_SUFFIXES.get(kind, ()):
        return None
    named = f"扩展名为 {suffix}" if suffix else "没有扩展名"
    what = KIND_NAMES[kind]
    return f"文件实际是{' ' if what[0].isascii() else ''}{what}，{named}；已按其实际格式读取"


def sniff(path: Path, data: bytes, opened: zipfile.ZipFile | None = None) -> str:
    """xlsx, xls, ods, spreadsheetml or html, from the file's bytes; ReadError for anything else,
    saying what the file is and what to do. `opened`: the zip those bytes make, opened already."""
    if not data:
        raise ReadError(f"{path}: 文件是空的（0 字节），请重新保存或重新发送")
    if data.startswith((ZIP_MAGIC, b"PK\x05\x06")):
        return _zip_kind(path, data, opened)
    if data.startswith(OLE_MAGIC):
        return _ole_kind(path, data)
    markup = markup_kind(data)
    if markup is not None:
        return markup
    raise ReadError(f"{path}: {describe_other(path, data)}")


# ---------------------------------------------------------------------------------------------
# Zip: xlsx, ods, or something else packed


def _zip_kind(path: Path, data: bytes, opened: zipfile.ZipFile | None = None) -> str:
    try:
        with contextlib.nullcontext(opened) if opened is not None else zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            ods = False
            if "mimetype" in names:
                ods = b"opendocument.spreadsheet" in zf.read("mimetype")[:100]
    except zipfile.BadZipFile:
        raise ReadError(f"{path}: 文件已损坏（压缩包不完整，可能没有传完整），请重新保存或重新发送") from None
    except (OSError, EOFError, NotImplementedError, RuntimeError, ValueError, zlib.error) as exc:
        raise ReadError(f"{path}: 文件已损坏（{type(exc).__name__}: {str(exc)[:120]}），请重新保存或重新发送") from None
    xlsx = "xl/workbook.xml" in names or ("_rels/.rels" in names and not _other_office(names))
    if "xl/workbook.bin" in names:
        raise ReadError(f"{path}: 这是 Excel 二进制工作簿（.xlsb），无法读取；{SAVE_AS}")
    if ods and xlsx:
        raise ReadError(f"{path}: 文件同时含有 Excel（.xlsx）和 LibreOffice（.ods）工作簿的内容，格式不明，拒绝读取；"
                        "请用 Excel、WPS 或 LibreOffice 重新保存")
    if ods:
        return "ods"
    if xlsx:
        return "xlsx"
    office = _other_office(names)
    if office:
        raise ReadError(f"{path}: 这是{office}，不是电子表格；请把目标表填在 Excel 或 WPS 表格中，保存为 .xlsx 后提交")
    if "mimetype" in names:
        raise ReadError(f"{path}: 这是 OpenDocument 文档，但不是电子表格（.ods）；请提交 Excel 工作簿（.xlsx）")
    books = [i.filename for i in infos if not i.is_dir() and i.filename.lower().endswith(_SPREADSHEET_NAMES)]
    if books:
        raise ReadError(f"{path}: 这是一个压缩包，内含 {len(books)} 个工作簿，不是单个工作簿；请解压后逐个读取，"
                        "或用 budgetxl collect / check 直接读取压缩包")
    raise ReadError(f"{path}: 这是一个压缩包，不是 Excel（.xlsx）或 LibreOffice（.ods）工作簿，其中也没有工作簿")


def _other_office(names: set[str]) -> str:
    if "word/document.xml" in names:
        return " Word 文档（.docx）"
    if "ppt/presentation.xml" in names:
        return " PowerPoint 演示文稿（.pptx）"
    return ""


# ---------------------------------------------------------------------------------------------
# OLE2 compound files: .xls (and WPS .et), or a Word or PowerPoint file, or an encrypted one


def ole_streams(data: bytes) -> set[str] | None:
    """The names of the streams and storages in an OLE2 compound file's directory; None when the
    directory cannot be read (damaged). Every step is bounded by the file's size."""
    if len(data) < 512:
        return None
    try:
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if shift not in (9, 12):
            return None
        size = 1 << shift
        n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
        first_difat, n_difat = struct.unpack_from("<II", data, 0x44)
        sectors = (len(data) - 512) // size + 1

        def sector(n: int) -> bytes:
            start = 512 + n * size
            return data[start : start + size] if 0 <= n < sectors else b""

        fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
        nxt, hops = first_difat, 0
        while nxt < 0xFFFFFFFA and hops < min(n_difat, sectors):
            block = sector(nxt)
            if len(block) < size:
                break
            entries = struct.unpack_from(f"<{size // 4}I", block)
            fat_sectors.extend(entries[:-1])
            nxt, hops = entries[-1], hops + 1
        fat: list[int] = []
        for n in fat_sectors[: min(n_fat, sectors)]:
            block = sector(n)
            if len(block) == size:
                fat.extend(struct.unpack_from(f"<{size // 4}I", block))
        names: set[str] = set()
        n, seen = first_dir, 0
        while 0 <= n < len(fat) and seen < sectors:
            block = sector(n)
            for off in range(0, len(block) - 127, 128):
                length = struct.unpack_from("<H", block, off + 0x40)[0]
                kind = block[off + 0x42]
                if kind in (1, 2, 5) and 2 <= length <= 64:
                    names.add(block[off : off + length - 2].decode("utf-16-le", "replace"))
            n, seen = fat[n], seen + 1
        return names
    except struct.error:
        return None


def _ole_kind(path: Path, data: bytes) -> str:
    streams = ole_streams(data)
    if streams is None:  # a directory that cannot be read: look for the names themselves
        streams = {name for name in ("EncryptedPackage", "Workbook", "Book", "WordDocument", "PowerPoint Document")
                   if name.encode("utf-16-le") in data}
    if "EncryptedPackage" in streams or b"EncryptedPackage" in data:
        raise ReadError(f"{path}: 工作簿设有打开密码，请取消密码后重新保存再提交")
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    if "WordDocument" in streams:
        raise ReadError(f"{path}: 这是 Word 文档（.doc），不是电子表格；"
                        "请把目标表填在 Excel 或 WPS 表格中，保存为 .xlsx 后提交")
    if "PowerPoint Document" in streams:
        raise ReadError(f"{path}: 这是 PowerPoint 演示文稿（.ppt），不是电子表格；请提交 Excel 工作簿（.xlsx）")
    if path.suffix.lower() in (".et", ".ett"):
        raise ReadError(f"{path}: 这是 WPS 表格专用格式（.et），其中没有 Excel 能读的工作簿；"
                        "请在 WPS 中“另存为”Excel 工作簿（.xlsx）后重新提交")
    raise ReadError(f"{path}: 这是 Office 复合文档，但其中没有工作簿（可能已损坏）；{SAVE_AS}")


# ---------------------------------------------------------------------------------------------
# Markup: SpreadsheetML and HTML

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._-]{1,40})""", re.I)
_ROOT = re.compile(r"<(?![?!])([A-Za-z_][\w.:-]*)")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_START = re.compile(r"<(?:html|table|head|body|meta|tr|td|title)[\s>/]|<!doctype\s+html", re.I)


def _codec(name: str) -> str | None:
    """A Python codec for a declared charset; GB2312 and GBK as GB18030 (their superset: files
    declaring GB2312 often hold GBK characters)."""
    key = name.strip().lower().replace("_", "-")
    if key in ("gb2312", "gbk", "gb-2312", "cp936", "ms936", "x-gbk", "euc-cn", "gb18030", "hz-gb-2312"):
        return "gb18030"
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def _bom(data: bytes) -> str | None:
    for mark, codec in _BOMS:
        if data.startswith(mark):
            return codec
    if len(data) >= 4 and data[0] == 0 and data[1] != 0 and data[2] == 0:  # UTF-16 without a mark
        return "utf-16-be"
    if len(data) >= 4 and data[0] != 0 and data[1] == 0 and data[3] == 0:
        return "utf-16-le"
    return None


def declared_codec(data: bytes) -> tuple[str | None, str]:
    """(codec, what declared it) from a byte-order mark, an XML prolog or an HTML <meta> tag in the
    first 4 KB; (None, '') when the file declares nothing."""
    bom = _bom(data)
    if bom is not None:
        return bom, "字节顺序标记"
    head = data[:4096]
    m = _XML_ENCODING.match(head)
    if m:
        return _codec(m.group(1).decode("ascii")) or "?" + m.group(1).decode("ascii"), "XML 声明"
    m = _META_CHARSET.search(head)
    if m:
        return _codec(m.group(1).decode("ascii")) or "?" + m.group(1).decode("ascii"), "网页的 charset"
    return None, ""


def decode_markup(path: Path, data: bytes) -> str:
    """The text of an XML or HTML file, by the encoding it declares; without a declaration (or
    with a wrong one) UTF-8, then GB18030. ReadError when no encoding fits."""
    codec, source = declared_codec(data)
    tried = []
    if codec is not None and not codec.startswith("?"):
        tried.append(codec)
    tried += [c for c in ("utf-8", "gb18030") if c not in tried]
    for name in tried:
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            if exc.start < len(data) - 4 or exc.end < len(data):
                continue
            text = data[: exc.start].decode(name)  # a file cut short inside its last character
        except LookupError:
            continue
        return text[1:] if text.startswith("\ufeff") else text
    said = f"（{source}为 {codec.lstrip('?')}）" if codec else ""
    raise ReadError(f"{path}: 文件的文字编码无法识别{said}，读出来会是乱码；{SAVE_AS}")


def _head_text(data: bytes) -> str:
    """The first 8 KB as text, for sniffing only (undecodable bytes replaced)."""
    codec = _bom(data) or "utf-8"
    head = data[:8192]
    try:
        text = head.decode(codec, "replace")
    except LookupError:  # pragma: no cover - the codecs above exist
        text = head.decode("utf-8", "replace")
    return text.lstrip("\ufeff \t\r\n")


def markup_kind(data: bytes) -> str | None:
    """'spreadsheetml' or 'html' when the bytes are such a file, else None."""
    text = _head_text(data)
    if not text.startswith("<"):
        return None
    body = _COMMENT.sub("", text)
    if text.startswith("<?xml") or SPREADSHEETML_NS.decode() in text:
        root = next((m.group(1) for m in _ROOT.finditer(body)), "")
        local = root.rsplit(":", 1)[-1]
        if local == "Workbook" and (SPREADSHEETML_NS in data[:65536].replace(b"\x00", b"")):
            return "spreadsheetml"
        if local.lower() == "html":
            return "html"
        if root:
            return None
    if _HTML_START.search(body[:4096]) or _HTML_START.search(text[:4096]):
        return "html"
    return None


# ---------------------------------------------------------------------------------------------
# Anything else: say what it is

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "这是 PDF 文件，不是电子表格；请提交填写好的 Excel 工作簿（.xlsx），不要提交打印或扫描件"),
    (b"\x89PNG", "这是图片（PNG），不是电子表格；请提交填写好的 Excel 工作簿（.xlsx）"),
    (b"\xff\xd8\xff", "这是图片（JPEG），不是电子表格；请提交填写好的 Excel 工作簿（.xlsx）"),
    (b"GIF8", "这是图片（GIF），不是电子表格；请提交填写好的 Excel 工作簿（.xlsx）"),
    (b"{\\rtf", "这是 RTF 文档，不是电子表格；请把目标表填在 Excel 或 WPS 表格中，保存为 .xlsx 后提交"),
    (b"Rar!", "这是 RAR 压缩包，budgetxl 只读取 zip 压缩包；请解压后提交其中的工作簿，或重新打包为 .zip"),
    (b"7z\xbc\xaf\x27\x1c", "这是 7z 压缩包，budgetxl 只读取 zip 压缩包；请解压后提交其中的工作簿，或重新打包为 .zip"),
    (b"\x1f\x8b", "这是 gzip 压缩文件，不是电子表格；请解压后提交其中的工作簿"),
    (b"\x09\x08", "这是很早期的 Excel 格式（Excel 5.0/95 以前），无法读取；"
                 "请用 Excel 或 WPS 打开后另存为 .xlsx 再提交"),
)


def describe_other(path: Path, data: bytes) -> str:
    """What a file that no reader takes is, and what to do (in Chinese)."""
    for mark, message in _SIGNATURES:
        if data.startswith(mark):
            return message
    text = _as_text(data)
    if text is not None:
        stripped = text.lstrip()
        if stripped.startswith("<"):
            return f"这是 XML 或网页文件，但其中没有可读取的表格；{SAVE_AS}"
        lines = [line for line in stripped.splitlines()[:20] if line.strip()]
        for sep, name in ((",", "逗号"), ("\t", "制表符"), (";", "分号")):
            if len(lines) >= 1 and sum(sep in line for line in lines) >= max(1, len(lines) * 2 // 3):
                return (f"这是文本格式的表格（CSV，以{name}分隔），不是工作簿，"
                        f"没有合并单元格和栏目格式，无法按目标表读取；{SAVE_AS}")
        return "这是纯文本文件，不是电子表格；请提交填写好的 Excel 工作簿（.xlsx）"
    if path.suffix.lower() in (".xlsx", ".xlsm", ".ods"):
        return "文件已损坏（开头不是完整的工作簿，可能没有传完整或被改动过）；请重新保存或重新发送"
    return f"文件已损坏，或不是电子表格（无法识别其格式）；{SAVE_AS}"


def _as_text(data: bytes) -> str | None:
    """The start of the file as text, when it is text (no control bytes, decodes as UTF-8, UTF-16
    with a mark, or GB18030); None for binary data."""
    head = data[:65536]
    bom = _bom(head)
    if bom is not None and bom.startswith("utf-16"):
        try:
            return head.decode(bom, "ignore")
        except UnicodeDecodeError:  # pragma: no cover - 'ignore' never raises
            return None
    if any(b < 9 or (13 < b < 32 and b != 27) for b in head[:4096]):
        return None
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return head.decode(codec)
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # cut in the middle of a character at 64 KB
                return head[: exc.start].decode(codec, "ignore")
    return None

"""Load a workbook into plain grids: values, merged ranges, number formats, formulas.

What a file is comes from its content (sniff.py), whatever its name says. python-calamine reads
xlsx, xls and ods: values and merged ranges, fast; for xlsx, the few facts calamine does not give
(a cell's number format, whether it holds a formula) come from a light scan of the sheet XML.
Excel 2003 XML (spreadsheetml.py) and HTML tables (html.py), as budget systems export them under
an .xls name, have readers of their own producing the same grids. Every file first passes the
guards (guards.py: zip bombs, DTDs, absurd sheet spans; the two markup readers apply the same
limits as they parse), so a hostile file is refused before a parser expands it.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree
from xml.parsers import expat

from defusedxml import ElementTree as SafeET
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from budgetxl.errors import ReadError

# The limits, and the checks made before any parser sees a file, live in guards.py.
from budgetxl.read.guards import (
    MAX_CELLS,
    MAX_MERGES,
    StartTags,
    attributes,
    check_merges,
    check_ods_parts,
    check_xlsx_parts,
    check_zip,
    read_file_bytes,
    tags,
)
from budgetxl.read.sniff import ZIP_MAGIC, sniff

if TYPE_CHECKING:
    from budgetxl.read.archive import Member

Cell = tuple[int, int]
Range = tuple[int, int, int, int]  # first_row, first_col, last_row, last_col (0-based, inclusive)


@dataclass
class SheetGrid:
    name: str
    values: list[list[Any]]
    merges: list[Range] = field(default_factory=list)
    formats: dict[Cell, str] = field(default_factory=dict)  # percent number formats of numbers
    formulas: dict[Cell, str] = field(default_factory=dict)
    visible: bool = True  # hidden sheets are read only when asked for by name

    @property
    def nrows(self) -> int:
        return len(self.values)

    @functools.cached_property
    def ncols(self) -> int:
        # found once: the readers ask for it row after row, and a sheet's rows are filled in
        # before its SheetGrid is made (never changed after)
        return max((len(r) for r in self.values), default=0)

    def value(self, row: int, col: int) -> Any:
        if 0 <= row < len(self.values):
            r = self.values[row]
            if 0 <= col < len(r):
                return r[col]
        return ""


@dataclass
class Grid:
    path: Path
    kind: str  # xlsx, xls, ods, spreadsheetml, html (what the file is, whatever its name)
    sheets: list[SheetGrid]


def detect_kind(path: Path, head: bytes) -> str:
    """xlsx, xls, ods, spreadsheetml or html, from the file's content (its name may be wrong);
    `head` is the file's bytes. Anything else is a ReadError saying what the file is and what to
    do (see sniff.py)."""
    return sniff(path, head)


def load_grid(path: str | Path | Member) -> Grid:
    """All sheets of the workbook at `path` as plain grids. Raises ReadError for anything unreadable.

    The file is read once: the guards check those bytes, and the reader of its kind reads the same
    bytes, as the kind the guards checked (whatever the file's name says)."""
    from budgetxl.read.archive import Member, member_bytes  # imported here: archive imports this module

    if isinstance(path, Member):  # a workbook in a zip of returns
        return grid_from_bytes(Path(str(path)), member_bytes(path))
    path = Path(path)
    return grid_from_bytes(path, read_file_bytes(path))


def grid_from_bytes(path: Path, data: bytes) -> Grid:
    """The sheets of a workbook whose bytes are `data` (`path` names it in messages). A zip is
    opened once, for telling what it is and for the guards (calamine opens its own)."""
    opened = _open_zip_quietly(data)
    try:
        return _grid(path, data, opened)
    finally:
        if opened is not None:
            opened.close()


def _open_zip_quietly(data: bytes) -> zipfile.ZipFile | None:
    """The zip the bytes make, None if they make none (sniff and the guards then say why)."""
    if not data.startswith((ZIP_MAGIC, b"PK\x05\x06")):
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - opened again by sniff, which reports the damage
        return None


def _grid(path: Path, data: bytes, opened: zipfile.ZipFile | None) -> Grid:
    kind = sniff(path, data, opened)
    if kind == "spreadsheetml":
        from budgetxl.read.spreadsheetml import load_spreadsheetml

        sheets = load_spreadsheetml(path, data)
    elif kind == "html":
        from budgetxl.read.html import load_html

        sheets = load_html(path, data)
    else:
        sheets = _calamine_sheets(path, kind, data, opened)
    for sheet in sheets:
        check_merges(path, f"“{sheet.name}”", sheet.merges, sheet.nrows, sheet.ncols)
    return Grid(path, kind, sheets)


def _calamine_sheets(path: Path, kind: str, data: bytes, opened: zipfile.ZipFile | None = None) -> list[SheetGrid]:
    """xlsx, xls and ods through calamine, after the guards of zip packages."""
    parts: dict[str, bytes] = {}
    if kind in ("xlsx", "ods"):
        inflated = check_zip(path, data, opened)
        (check_xlsx_parts if kind == "xlsx" else check_ods_parts)(path, parts=inflated)
        # kept for the formats, formulas and (ods) merges: the zip is inflated once
        parts = dict(inflated)  # a name twice: the last, as zipfile reads it
        del inflated
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        hidden = {m.name for m in wb.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
        for name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(name)
            end = sheet.end
            if end is not None and (end[0] + 1) * (end[1] + 1) > MAX_CELLS:
                raise ReadError(f"{path}: 工作表“{name}”的范围过大（{end[0] + 1} 行 × {end[1] + 1} 列），拒绝读取")
            values = sheet.to_python(skip_empty_area=False) if end is not None else []
            merges = _merges(sheet.merged_cell_ranges, path, name)
            sheets.append(SheetGrid(name, values, merges, visible=name not in hidden))
    except ReadError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine's own errors, and its panics (BaseException)
        if "cell limit exceeded" in str(exc).lower():  # calamine's own cap (ods, xls)
            raise ReadError(f"{path}: 工作表的范围过大（{_short(exc)}），拒绝读取") from None
        raise ReadError(f"{path}: 无法读取工作簿（{_short(exc)}）；请用 Excel 或 WPS 打开后重新保存再提交") from None
    if kind == "xlsx":
        _add_xlsx_details(sheets, parts)
    elif kind == "ods":
        _add_ods_details(path, sheets, parts.get("content.xml"))
    return sheets


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _merges(raw: Any, path: Path, name: str) -> list[Range]:
    if not raw:
        return []
    if len(raw) > MAX_MERGES:
        raise ReadError(f"{path}: 工作表“{name}”的合并单元格数量异常（{len(raw)} 个），拒绝读取")
    out = []
    for (r1, c1), (r2, c2) in raw:
        if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_CELLS:
            raise ReadError(f"{path}: 工作表“{name}”有覆盖范围异常大的合并单元格，拒绝读取")
        out.append((r1, c1, r2, c2))
    return out


# ---------------------------------------------------------------------------------------------
# xlsx: number formats and formulas from the XML parts

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

# Built-in number format ids that show a percentage.
_BUILTIN_FORMATS = {9: "0%", 10: "0.00%"}

_REF_RE = re.compile(r"^([A-Z]{1,3})(\d+)$")


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def parse_ref(ref: str) -> Cell | None:
    m = _REF_RE.match(ref.replace("$", "").upper())
    if not m:
        return None
    return int(m.group(2)) - 1, col_index(m.group(1))


def _xml(data: bytes | None) -> Any:
    if data is None:
        return None
    try:
        if _plain_xml(data):  # nothing defusedxml guards against: the C parser, three times faster
            return ElementTree.fromstring(data)
        return SafeET.fromstring(data)
    except Exception:  # noqa: BLE001 - a damaged part only loses formats, never the values
        return None


_ENCODING_UTF8 = re.compile(rb"encoding\s*=\s*[\"'](?i:utf-?8)[\"']")


def _plain_xml(data: bytes) -> bool:
    """Whether `data` is XML in UTF-8 (declared so, or not declared) without any '<!': no DTD,
    so no entity can be declared or point outside (what defusedxml refuses), and no comment or
    CDATA section either. The guards refuse a DTD in every XML part already; this makes sure of
    it, whatever the encoding, before ElementTree's own (C) parser reads the part."""
    if b"<!" in data or b"\x00" in data[:256]:  # UTF-16 and UTF-32 hold zero bytes
        return False
    head = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if head.startswith(b"<?xml"):
        declaration = head[: head.find(b"?>")]
        if b"encoding" in declaration and not _ENCODING_UTF8.search(declaration):
            return False
    return True


def _styles_root(data: bytes | None) -> Any:
    """The root of the styles part as _xml parses it, keeping only what _style_formats reads of it
    when the part allows: its direct children numFmts and cellXfs (a tenth of the part) under the
    root's own tag. The part must be well-formed as a whole (checked by expat without building
    anything: a damaged part gives no formats, as _xml does) and written so that the depth of each
    tag is known by counting: no '<!' (_plain_xml), and every '>' ends a tag (none in an
    attribute or in text). Otherwise the whole part is parsed."""
    if data is None or not _plain_xml(data) or data.count(b">") != data.count(b"<"):
        return _xml(data)
    try:
        expat.ParserCreate(None, "}").Parse(data, True)  # ElementTree's parser, namespaces and all
    except expat.ExpatError:
        return _xml(data)  # fails in the same way: no formats
    root = _ROOT_TAG.search(data)
    if root is None:  # pragma: no cover - a well-formed part has a root element
        return _xml(data)
    root_end = data.index(b">", root.start()) + 1  # every '>' ends a tag
    if data[root_end - 2 : root_end] == b"/>":
        return _xml(data)  # an empty root: nothing to cut
    kept = [data[root.start() : root_end]]
    depth = _Depth(data)
    for m in _format_sections(data):
        if depth.at(m.start()) != 1:  # only the root's own children count
            continue
        end = data.index(b">", m.start()) + 1
        if data[end - 2 : end] != b"/>":  # its end tag: the first at its depth
            close = b"</" + m.group(1)
            at = data.find(close, end)
            while at >= 0 and (data[at + len(close) : at + len(close) + 1] not in _NAME_END or depth.at(at) != 2):
                at = data.find(close, at + 1)
            if at < 0:  # pragma: no cover - a well-formed part closes every element
                return _xml(data)
            end = data.index(b">", at) + 1
        kept.append(data[m.start() : end])
    kept.append(b"</" + root.group(1) + b">")
    return _xml(b"".join(kept))


_ROOT_TAG = re.compile(rb"<([^\s/>?!][^\s/>]*)")  # the first element's start tag (after any <?xml …?>)
_FORMAT_SECTIONS = re.compile(rb"<((?:[^\s<>/:=\"']+:)?(?:numFmts|cellXfs))[\s/>]")
_NAME_END = (b" ", b"\t", b"\n", b"\r", b">")
_SECTION_NAMES = (b"numFmts", b"cellXfs")
_AFTER_SECTION_NAME = frozenset(b" \t\n\r\f\v/>")  # what [\s/>] takes in a bytes pattern


def _format_sections(data: bytes) -> list[re.Match[bytes]]:
    """The matches _FORMAT_SECTIONS.finditer gives, in the same order, found from where the two
    names stand (a few places) rather than by trying the pattern at every '<' of the part. A
    match starts at the '<' right before its name, or at the last '<' before a prefix's ':', and
    no two can overlap (none holds a '<' after its first character)."""
    found = []
    for name in _SECTION_NAMES:
        at = data.find(name)
        while at >= 0:
            after = at + len(name)
            if after < len(data) and data[after] in _AFTER_SECTION_NAME and at > 0:
                before = data[at - 1]
                start = at - 1 if before == 0x3C else data.rfind(b"<", 0, at) if before == 0x3A else -1  # '<', ':'
                m = _FORMAT_SECTIONS.match(data, start) if start >= 0 else None
                if m is not None and m.end(1) == after:
                    found.append(m)
            at = data.find(name, at + 1)
    found.sort(key=lambda m: m.start())
    return found


class _Depth:
    """How many elements are open at a position of a well-formed part where every '<' starts a
    tag and every '>' ends one: start tags less end tags, empty-element tags and <?…?> counted
    out. Each count runs on from the position asked before."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.depth = 0

    def at(self, pos: int) -> int:
        if pos < self.pos:  # a section inside one kept already: counted again from the start
            self.pos = self.depth = 0
        d, a = self.data, self.pos
        self.depth += (d.count(b"<", a, pos) - d.count(b"<?", a, pos) - 2 * d.count(b"</", a, pos)
                       - d.count(b"/>", a, pos))
        self.pos = pos
        return self.depth


def _style_formats(parts: dict[str, bytes]) -> list[str]:
    """Number format code per cellXfs index."""
    root = _styles_root(parts.get("xl/styles.xml"))
    if root is None:
        return []
    custom = {}
    numfmts = root.find(f"{_NS_MAIN}numFmts")
    if numfmts is not None:
        for nf in numfmts:
            try:
                custom[int(nf.get("numFmtId", "-1"))] = nf.get("formatCode", "")
            except ValueError:
                continue
    out = []
    xfs = root.find(f"{_NS_MAIN}cellXfs")
    if xfs is not None:
        for xf in xfs:
            try:
                fid = int(xf.get("numFmtId", "0"))
            except ValueError:
                fid = 0
            out.append(custom.get(fid) or _BUILTIN_FORMATS.get(fid, "General"))
    return out


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name → part name inside the zip."""
    wb = _xml(parts.get("xl/workbook.xml"))
    rels = _xml(parts.get("xl/_rels/workbook.xml.rels"))
    if wb is None or rels is None:
        return {}
    targets = {}
    for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
        target = rel.get("Target", "")
        if target.startswith("/"):
            part = target.lstrip("/")
        else:
            part = str(PurePosixPath("xl") / target)
        targets[rel.get("Id")] = part
    out = {}
    sheets = wb.find(f"{_NS_MAIN}sheets")
    if sheets is not None:
        for sh in sheets:
            rid = sh.get(f"{_NS_REL}id")
            if rid in targets:
                out[sh.get("name", "")] = targets[rid]
    return out


def _add_xlsx_details(sheets: list[SheetGrid], parts: dict[str, bytes]) -> None:
    """Formulas and percent formats from the parts the guards inflated (the zip is not opened
    again)."""
    formats = _style_formats(parts)
    names = _sheet_parts(parts)
    for sheet in sheets:
        name = names.get(sheet.name)
        data = parts.get(name) if name else None
        if data:
            _scan_cells(data, formats, sheet)


@functools.lru_cache(maxsize=4096)
def percent_decimals(code: str) -> int | None:
    """Decimals shown by a percent number format ('0%' → 0, '0.00%' → 2), None if not percent.
    Kept per code: a workbook's styles repeat a few codes many times."""
    plain = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code.split(";")[0])
    if "%" not in plain:
        return None
    m = re.search(r"\.([0#?]+)", plain)
    return len(m.group(1)) if m else 0


def _scan_cells(data: bytes, formats: list[str], sheet: SheetGrid) -> None:
    """Record formulas and percent formats (the only formats that change how a value reads).
    A sheet with neither is not scanned at all. One pass over the tags, however they are written
    (any prefix, any whitespace, `</c >`): a crafted sheet costs no more than a plain one."""
    percent = {i for i, code in enumerate(formats) if percent_decimals(code) is not None}
    may_have_formulas = b"<f" in data or b":f" in data
    if not percent and not may_have_formulas:
        return
    if _scan_plain_cells(data, formats, percent, may_have_formulas, sheet):
        return
    _scan_cell_tags(data, formats, percent, sheet)


def _scan_plain_cells(data: bytes, formats: list[str], percent: set[int], may_have_formulas: bool,
                      sheet: SheetGrid) -> bool:
    """_scan_cells for a sheet whose every cell tag is written as Excel, WPS, LibreOffice and
    xlsxwriter write it (`<c r="B3" s="4" t="n">`) and whose every formula follows its cell's tag
    at once (a cached value may stand between): a few scans in C over the part, not a Python step
    per tag. Records what the tag-by-tag scan records; returns False, recording nothing, when
    the part is written in any other way (the tag-by-tag scan reads it)."""
    if len(_PLAIN_C_TAG.findall(data)) != _ANY_C_START.count(data):
        return False
    formulas: list[tuple[Any, ...]] = []
    if may_have_formulas:
        for m in _PLAIN_F.finditer(data):
            attrs, text = m.groups()
            if text is None and not attrs.rstrip().endswith(b"/"):
                return False  # a formula whose end tag does not follow its text at once
            opened = data.rfind(b"<c ", 0, m.start())  # every cell tag is plain: its cell's tag
            cell = _PLAIN_C_BEFORE_F.fullmatch(data, opened, m.start()) if opened >= 0 else None
            if cell is None:
                return False  # not right after its cell's tag (and a cached value)
            formulas.append((cell.group(1), attrs, text))
        if len(formulas) != _ANY_F_START.count(data):
            return False
    if percent:
        styles = b"|".join(str(i).encode() for i in sorted(percent))
        pattern = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})" s="0*(' + styles + rb')"(?: t="n")?\s*/?>')
        for ref, style in pattern.findall(data):
            pos = parse_ref(ref.decode())
            if pos is not None:
                sheet.formats[pos] = formats[int(style)]
    for ref, attrs, text in formulas:
        pos = parse_ref(ref.decode())
        if pos is not None:
            sheet.formulas[pos] = "" if attrs.rstrip().endswith(b"/") else text.decode("utf-8", "replace")
    return True


def _scan_cell_tags(data: bytes, formats: list[str], percent: set[int], sheet: SheetGrid) -> None:
    """_scan_cells tag by tag, however the tags are written."""
    cell: Cell | None = None
    formula_from = -1
    for m in _DETAIL_TAG.finditer(data):
        closing, name, attrs = m.group(1), m.group(2), m.group(3)
        if name == b"c":
            cell = None
            if closing:
                continue
            plain = _PLAIN_C_ATTRS.fullmatch(attrs)
            if plain is not None:  # as Excel writes it: the same values as the tolerant look-up below
                ref, style, kind, end = plain.groups()
                refs = [ref.decode()]
                closed = end.endswith(b"/")
                styles = [style.decode()] if style is not None else []
                types = [kind.decode()] if kind is not None else []
            else:
                refs = attributes(_R_ATTR, attrs)
                closed = attrs.rstrip().endswith(b"/")
                styles = attributes(_S_ATTR, attrs)
                types = attributes(_T_ATTR, attrs) if styles else []
            pos = parse_ref(refs[0]) if refs else None
            if pos is None:
                continue
            if not closed:
                cell = pos
            if styles and types[:1] in ([], ["n"], [""]):
                try:
                    index = int(styles[0])
                except ValueError:
                    continue
                if index in percent:
                    sheet.formats[pos] = formats[index]
        elif cell is not None:  # a formula of the open cell
            if closing:
                if formula_from >= 0:
                    sheet.formulas[cell] = data[formula_from : m.start()].decode("utf-8", "replace")
                formula_from = -1
            elif attrs.rstrip().endswith(b"/"):
                sheet.formulas[cell] = ""  # a shared formula's follower: no text of its own
            else:
                formula_from = m.end()


_DETAIL_TAG = tags(rb"c|f")
_ANY_C_START = StartTags(b"c")  # every cell start tag, however written
_ANY_F_START = StartTags(b"f")
# A plain cell tag (as _PLAIN_C_ATTRS reads it); a plain formula tag (attributes in double quotes,
# no '>' in them) with its text and end tag (the text None when the end tag does not follow at
# once); a plain open cell tag, with a cached value after it or not, where a formula follows.
_PLAIN_C_TAG = re.compile(rb'<c r="[A-Z]{1,3}[0-9]{1,7}"(?: s="[0-9]{1,9}")?(?: t="[a-z]{1,9}")?\s*/?>')
_PLAIN_F = re.compile(rb'<f((?:\s+[^\s=<>/"\']+="[^"<>]*")*\s*/?)>(?:([^<]*)</f>)?')
_PLAIN_C_BEFORE_F = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"(?: s="[0-9]{1,9}")?(?: t="[a-z]{1,9}")?\s*>'
                               rb"(?:<v>[^<]*</v>)?")
# A cell's attributes as Excel, WPS and LibreOffice write them: r, then s and t when present.
_PLAIN_C_ATTRS = re.compile(rb' r="([A-Z]{1,3}[0-9]{1,7})"(?: s="([0-9]{1,9})")?(?: t="([a-z]{1,9})")?'
                            rb"(\s*/?)")
_R_ATTR, _S_ATTR, _T_ATTR = (re.compile(rb"(?:^|\s)" + n + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
                             for n in (rb"r", rb"s", rb"t"))


# ---------------------------------------------------------------------------------------------
# ods: merged ranges and percentages (calamine reports neither for ods)

_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _ods_percent_format(value: str | None) -> str:
    """A number format showing an ods percentage cell's value exactly (0.955 → '0.0%')."""
    try:
        pct = (Decimal(value or "0") * 100).normalize()
    except InvalidOperation:
        return "0%"
    exp = pct.as_tuple().exponent
    decimals = -exp if isinstance(exp, int) and exp < 0 else 0
    return "0%" if decimals == 0 else "0." + "0" * decimals + "%"


def _add_ods_details(path: Path, sheets: list[SheetGrid], data: bytes | None) -> None:
    """Merges and percentages from content.xml, as the guards inflated it."""
    root = _xml(data)
    if root is None:
        return
    by_name = {s.name: s for s in sheets}
    for table in root.iter(f"{_ODS_TABLE}table"):
        sheet = by_name.get(table.get(f"{_ODS_TABLE}name", ""))
        if sheet is None:
            continue
        row = 0
        for tr in table.iter(f"{_ODS_TABLE}table-row"):
            rrep = min(_count(tr, "number-rows-repeated"), MAX_CELLS)
            col = 0
            for tc in tr:
                if not isinstance(tc.tag, str) or not tc.tag.endswith(("table-cell", "covered-table-cell")):
                    continue
                crep = min(_count(tc, "number-columns-repeated"), MAX_CELLS)
                rs = _count(tc, "number-rows-spanned")
                cs = _count(tc, "number-columns-spanned")
                if rs * cs > MAX_CELLS:
                    raise ReadError(f"{path}: 工作表“{sheet.name}”有覆盖范围异常大的合并单元格，拒绝读取")
                if tc.get(f"{_ODS_OFFICE}value-type") == "percentage":
                    code = _ods_percent_format(tc.get(f"{_ODS_OFFICE}value"))
                    for c in range(col, col + min(crep, 1024)):
                        sheet.formats[(row, c)] = code
                if (rs > 1 or cs > 1) and tc.tag.endswith("}table-cell"):
                    sheet.merges.append((row, col, row + rs - 1, col + cs - 1))
                    if len(sheet.merges) > MAX_MERGES:
                        raise ReadError(f"{path}: 工作表“{sheet.name}”的合并单元格数量异常，拒绝读取")
                col += crep
            row += rrep


def _count(element: Any, name: str) -> int:
    """A repeat or span count of an ods cell or row: a positive integer, 1 when absent or garbled."""
    try:
        return max(1, int(element.get(f"{_ODS_TABLE}{name}", "1") or 1))
    except ValueError:
        return 1

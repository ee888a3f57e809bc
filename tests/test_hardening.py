"""Reading workbooks from outside: entity bombs, zip bombs, absurd spans, deep nesting, and a fuzz
test mutating real workbooks. Every outcome must be a ReadResult or budgetxl's ReadError: never
another exception, a crash, a hang or a memory blow-up.

Crafted files are made here by rewriting the parts of a real workbook, the way an attacker would.
Anything that could take a process down (calamine aborts on an absurd span) is read in a worker
process through the batch runner, which reports a crash or a hang as such.
"""

from __future__ import annotations

import io
import os
import random
import re
import resource
import shutil
import struct
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgetxl.batch import run_batch
from budgetxl.errors import ReadError
from budgetxl.read import read_workbook
from budgetxl.read.guards import MAX_CELLS, MAX_MERGES, MAX_PART_BYTES
from budgetxl.render import render_form

from conftest import examples  # noqa: F401 - the profile-aware example counts

SHEET = "xl/worksheets/sheet1.xml"
REAL = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "real"


# ---------------------------------------------------------------------------------------------
# Crafting


def rewrite(src: bytes, edits: dict[str, bytes | None], extra: dict[str, bytes] | None = None) -> bytes:
    """The zip `src` with parts replaced (bytes), dropped (None) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in edits:
                if edits[info.filename] is None:
                    continue
                data = edits[info.filename]
            zout.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return out.getvalue()


def part(src: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(src)) as zf:
        return zf.read(name)


LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 2 else "")) * 10}">' for i in range(2, 10))
    + "]>\n"
)


def with_dtd(xml: bytes, dtd: str = LAUGHS) -> bytes:
    """The part with a DTD in its prolog and the entity used in its first text."""
    body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
    return dtd.encode() + re.sub(rb">([^<>]+)<", rb">&lol9;\1<", body, count=1)


@pytest.fixture(scope="module")
def seed_bytes(tmp_path_factory, seed_form) -> bytes:
    path = tmp_path_factory.mktemp("seed") / "seed.xlsx"
    render_form(seed_form, path)
    return path.read_bytes()


def write(tmp_path: Path, data: bytes, name: str = "x.xlsx") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def read_in_worker(path: str) -> tuple[str, str, int]:
    """Read in a worker with its address space capped at 1.5 GB above what it starts with:
    ('result', unit name, peak KB) or ('ReadError', message, peak KB); anything else raises."""
    vm_kb = int(Path("/proc/self/status").read_text().split("VmSize:")[1].split()[0])
    limit = (vm_kb + 1536 * 1024) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        result = read_workbook(path)
        kind, text = "result", result.form.unit_name
    except ReadError as exc:
        kind, text = "ReadError", str(exc)
    return kind, text, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def read_isolated(path: Path, timeout: float = 30) -> tuple[str, str]:
    (outcome,) = run_batch(read_in_worker, [str(path)], jobs=1, timeout=timeout)
    assert outcome.kind == "ok", f"{outcome.kind}: {outcome.error}\n{outcome.detail or ''}"
    kind, text, _peak = outcome.value
    return kind, text


# ---------------------------------------------------------------------------------------------
# XML entities


@pytest.mark.parametrize("name", ["xl/sharedStrings.xml", "xl/workbook.xml", SHEET, "xl/styles.xml", "[Content_Types].xml"])
def test_a_billion_laughs_part_is_refused_not_expanded(seed_bytes: bytes, tmp_path: Path, name: str) -> None:
    bomb = write(tmp_path, rewrite(seed_bytes, {name: with_dtd(part(seed_bytes, name))}))
    start = time.perf_counter()
    with pytest.raises(ReadError, match="DTD"):
        read_workbook(bomb)
    assert time.perf_counter() - start < 5


def test_a_dtd_hidden_after_a_long_comment_or_in_utf16_is_refused(seed_bytes: bytes, tmp_path: Path) -> None:
    xml = part(seed_bytes, "xl/sharedStrings.xml")
    filler = random.Random(0).randbytes(1_500_000).hex().encode()  # 3 MB that do not compress away
    padded = b'<?xml version="1.0"?>\n<!--' + filler + b"-->" + with_dtd(xml)[len(b'<?xml version="1.0"?>\n'):]
    with pytest.raises(ReadError, match="DTD"):
        read_workbook(write(tmp_path, rewrite(seed_bytes, {"xl/sharedStrings.xml": padded})))
    utf16 = with_dtd(xml).decode("utf-8").replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    with pytest.raises(ReadError, match="DTD"):
        read_workbook(write(tmp_path, rewrite(seed_bytes, {"xl/sharedStrings.xml": b"\xff\xfe" + utf16.encode("utf-16-le")})))


def test_an_external_entity_is_refused(seed_bytes: bytes, tmp_path: Path) -> None:
    xxe = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY lol9 SYSTEM "file:///etc/passwd">]>\n'
    data = rewrite(seed_bytes, {"xl/sharedStrings.xml": with_dtd(part(seed_bytes, "xl/sharedStrings.xml"), xxe)})
    with pytest.raises(ReadError, match="DTD"):
        read_workbook(write(tmp_path, data))


def test_openpyxl_parses_through_defusedxml_and_refuses_the_bomb(seed_bytes: bytes, tmp_path: Path) -> None:
    # The annotator opens department workbooks with openpyxl: it must use defusedxml.
    assert openpyxl.DEFUSEDXML is True
    from defusedxml import EntitiesForbidden

    bomb = write(tmp_path, rewrite(seed_bytes, {"xl/sharedStrings.xml": with_dtd(part(seed_bytes, "xl/sharedStrings.xml"))}))
    start = time.perf_counter()
    with pytest.raises(Exception) as info:
        openpyxl.load_workbook(bomb)
    chain, exc = [], info.value
    while exc is not None:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    assert any(isinstance(e, EntitiesForbidden) for e in chain), chain
    assert time.perf_counter() - start < 5


# ---------------------------------------------------------------------------------------------
# Zip bombs


def zeros_part(size: int) -> bytes:
    """A zip holding one highly compressible part of `size` zero bytes, streamed (never in memory)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        with zf.open("xl/media/blob.bin", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    return out.getvalue()


def test_a_part_inflating_past_the_cap_is_refused(tmp_path: Path) -> None:
    data = zeros_part(MAX_PART_BYTES + 1024 * 1024)
    assert len(data) < 1024 * 1024  # a small file that would inflate to 65 MB
    with pytest.raises(ReadError, match="过大"):
        read_workbook(write(tmp_path, data))


def test_a_highly_compressed_part_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="压缩"):
        read_workbook(write(tmp_path, zeros_part(8 * 1024 * 1024)))


def test_a_header_lying_about_the_size_is_caught(seed_bytes: bytes, tmp_path: Path) -> None:
    """The central directory and the local header claim 100 bytes for the sheet; its data holds
    far more. The part is inflated under the declared size and fails its checksum."""
    data = bytearray(seed_bytes)
    name = SHEET.encode()
    pos = data.index(b"PK\x01\x02")  # the central directory
    while True:
        pos = data.index(b"PK\x01\x02", pos)
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46 : pos + 46 + n] == name:
            struct.pack_into("<I", data, pos + 24, 100)
            local = struct.unpack_from("<I", data, pos + 42)[0]
            struct.pack_into("<I", data, local + 22, 100)
            break
        pos += 46
    kind, text = read_isolated(write(tmp_path, bytes(data)))
    assert kind == "ReadError" and "损坏" in text


# ---------------------------------------------------------------------------------------------
# Absurd spans


def add_cells(xml: bytes, cells: str) -> bytes:
    return xml.replace(b"</sheetData>", cells.encode() + b"</sheetData>")


def add_merges(xml: bytes, refs: list[str]) -> bytes:
    merges = "".join(f'<mergeCell ref="{r}"/>' for r in refs).encode()
    return re.sub(rb'<mergeCells count="\d+">', lambda m: m.group(0) + merges, xml)


def test_a_claimed_dimension_of_the_whole_sheet_is_ignored(seed_bytes: bytes, tmp_path: Path, seed_form) -> None:
    xml = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:XFD1048576"/>', part(seed_bytes, SHEET))
    start = time.perf_counter()
    assert read_workbook(write(tmp_path, rewrite(seed_bytes, {SHEET: xml}))).form == seed_form
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("cell", [
    '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',  # calamine would abort
    '<row r="1000000"><c r="E1000000"><v>1</v></c></row>',
    '<row r="1048576"><c r="XFD1048576"><f>1+1</f></c></row>',
    '<row r="99999999999"><c t="inlineStr"><is><t>x</t></is></c></row>',  # a row past any limit, cell without r
    '<row r="3"><c r="A4294967296"><v>1</v></c></row>',
])
def test_a_cell_far_away_is_refused_before_anything_allocates_for_it(seed_bytes: bytes, tmp_path: Path, cell: str) -> None:
    data = rewrite(seed_bytes, {SHEET: add_cells(part(seed_bytes, SHEET), cell)})
    kind, text = read_isolated(write(tmp_path, data))
    assert kind == "ReadError" and "范围过大" in text


def test_a_worksheet_kept_outside_its_folder_is_scanned_too(seed_bytes: bytes, tmp_path: Path) -> None:
    """The relationships decide which part is a sheet, whatever its name or claimed type."""
    far = add_cells(part(seed_bytes, SHEET), '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    rels = part(seed_bytes, "xl/_rels/workbook.xml.rels").replace(b"worksheets/sheet1.xml", b"elsewhere.xml")
    types = part(seed_bytes, "[Content_Types].xml").replace(b"/xl/worksheets/sheet1.xml", b"/xl/elsewhere.xml")
    data = rewrite(seed_bytes, {SHEET: None, "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types},
                   extra={"xl/elsewhere.xml": far})
    kind, text = read_isolated(write(tmp_path, data))
    assert kind == "ReadError" and "范围过大" in text


def test_a_merge_over_a_million_rows_reads_at_once(seed_bytes: bytes, tmp_path: Path, seed_form) -> None:
    xml = add_merges(part(seed_bytes, SHEET), ["H1:H1048576", "A90:A1048576"] + ["I1:I1048576"] * 1000)
    start = time.perf_counter()
    assert read_workbook(write(tmp_path, rewrite(seed_bytes, {SHEET: xml}))).form == seed_form
    assert time.perf_counter() - start < 5


def test_overlapping_or_countless_merges_are_refused(seed_bytes: bytes, tmp_path: Path) -> None:
    xml = part(seed_bytes, SHEET)
    overlapping = add_merges(xml, ["A1:E79"] * (MAX_CELLS // (79 * 5) + 1))
    with pytest.raises(ReadError, match="重叠"):
        read_workbook(write(tmp_path, rewrite(seed_bytes, {SHEET: overlapping})))
    countless = add_merges(xml, [f"H{i}:I{i}" for i in range(1, MAX_MERGES + 2)])
    with pytest.raises(ReadError, match="数量异常"):
        read_workbook(write(tmp_path, rewrite(seed_bytes, {SHEET: countless})))
    huge = add_merges(xml, ["A1:XFD1048576"])
    with pytest.raises(ReadError, match="异常大"):
        read_workbook(write(tmp_path, rewrite(seed_bytes, {SHEET: huge})))


def make_ods(body: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="S">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
        ), zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


ODS_CELL = '<table:table-cell office:value-type="string"{attrs}><text:p>{text}</text:p></table:table-cell>'


@pytest.mark.parametrize("body, expect", [
    # a garbled span is ignored, not a ValueError
    ("<table:table-row>" + ODS_CELL.format(attrs=' table:number-rows-spanned="abc"', text="绩效指标")
     + "".join(ODS_CELL.format(attrs="", text=h) for h in ("一级指标", "二级指标", "三级指标", "指标值"))
     + "</table:table-row>", "result"),  # a span that is no number is ignored: the form reads
    # a cell past sixteen thousand columns and a million rows
    ("<table:table-row>" + ODS_CELL.format(attrs="", text="绩效指标") + '</table:table-row><table:table-row table:number-rows-repeated="1048574"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16383"/>' + ODS_CELL.format(attrs="", text="x") + "</table:table-row>", "ReadError"),
    # a span of a billion cells
    ("<table:table-row>" + ODS_CELL.format(attrs=' table:number-rows-spanned="100000" table:number-columns-spanned="10000"', text="绩效指标") + "</table:table-row>", "ReadError"),
])
def test_ods_spans(tmp_path: Path, body: str, expect: str) -> None:
    kind, text = read_isolated(write(tmp_path, make_ods(body), "x.ods"))
    assert kind == expect, text
    if kind == "ReadError":
        assert "范围" in text or "合并" in text


# ---------------------------------------------------------------------------------------------
# The span guard walked around: one-byte variants of the far-cell file


FAR = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def renamed_sheet(src: bytes, new: str, xml: bytes) -> bytes:
    """The sheet part moved to `new` (a name of any extension and case), the relationships and
    the content types following it."""
    rels = part(src, "xl/_rels/workbook.xml.rels").replace(b"worksheets/sheet1.xml", new.removeprefix("xl/").encode())
    types = part(src, "[Content_Types].xml").replace(b"/xl/worksheets/sheet1.xml", b"/" + new.encode())
    return rewrite(src, {SHEET: None, "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types}, extra={new: xml})


def odf_mimetype(src: bytes) -> bytes:
    """The workbook with an ODF `mimetype` entry first, as an ods has."""
    with zipfile.ZipFile(io.BytesIO(src)) as zin:
        parts = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        zout.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        for name, data in parts:
            zout.writestr(name, data)
    return out.getvalue()


WALKAROUNDS = {
    "tab": lambda x: add_cells(x, FAR.replace("<c r=", "<c\tr=")),
    "newline": lambda x: add_cells(x, FAR.replace("<c r=", "<c\nr=")),
    "spaces around =": lambda x: add_cells(x, FAR.replace('r="XFD', 'r = \'XFD').replace('576"><v>', "576'><v>")),
    "prefix bound to main": lambda x: add_cells(x.replace(b"<worksheet ", f'<worksheet xmlns:x="{MAIN_NS}" '.encode(), 1),
                                                 FAR.replace("<c ", "<x:c ").replace("</c>", "</x:c>")),
    "prefix of another namespace": lambda x: add_cells(x, FAR.replace("<c ", '<y:c xmlns:y="urn:y" ').replace("</c>", "</y:c>")),
    "lower-case reference": lambda x: add_cells(x, FAR.replace("XFD", "xfd")),
    "'>' inside an attribute": lambda x: add_cells(x, FAR.replace("<c ", '<c foo=">" ')),
    "'<' inside an attribute": lambda x: add_cells(x, FAR.replace("<c ", '<c foo="&lt;<" ')),
    "reference repeated": lambda x: add_cells(x, FAR.replace('<c r="XFD1048576"', '<c r="A1" r="XFD1048576"')),
    "closing tag spaced": lambda x: add_cells(x, FAR.replace("</c>", "</c >").replace("</v>", "</v\n>")),
}


@pytest.mark.parametrize("how", list(WALKAROUNDS))
def test_the_span_guard_reads_cell_tags_however_written(seed_bytes: bytes, tmp_path: Path, how: str) -> None:
    data = rewrite(seed_bytes, {SHEET: WALKAROUNDS[how](part(seed_bytes, SHEET))})
    kind, text = read_isolated(write(tmp_path, data))
    assert kind == "ReadError" and ("范围过大" in text or "结构异常" in text), text


@pytest.mark.parametrize("name", ["xl/worksheets/sheet1.dat", "xl/worksheets/sheet1.XML", "xl/WORKSHEETS/Sheet1.xml",
                                  "xl/sheet1", "customXml/item9.xml"])
def test_a_sheet_part_of_any_name_is_scanned(seed_bytes: bytes, tmp_path: Path, name: str) -> None:
    far = add_cells(part(seed_bytes, SHEET), FAR)
    kind, text = read_isolated(write(tmp_path, renamed_sheet(seed_bytes, name, far)))
    assert kind == "ReadError" and "范围过大" in text, text


def test_a_renamed_sheet_part_still_reads(seed_bytes: bytes, tmp_path: Path, seed_form) -> None:
    data = renamed_sheet(seed_bytes, "xl/worksheets/sheet1.XML", part(seed_bytes, SHEET))
    assert read_workbook(write(tmp_path, data)).form == seed_form


def test_an_xlsx_with_an_odf_mimetype_is_refused_not_opened_as_the_other_kind(seed_bytes: bytes, tmp_path: Path) -> None:
    far = rewrite(seed_bytes, {SHEET: add_cells(part(seed_bytes, SHEET), FAR)})
    kind, text = read_isolated(write(tmp_path, odf_mimetype(far)))
    assert kind == "ReadError" and "格式不明" in text, text


def test_a_workbook_is_read_as_what_it_is_whatever_its_name(seed_bytes: bytes, tmp_path: Path, seed_form) -> None:
    assert read_workbook(write(tmp_path, seed_bytes, "misnamed.ods")).form == seed_form
    assert read_workbook(write(tmp_path, seed_bytes, "misnamed.xls")).form == seed_form
    # an ods named .xlsx is read as an ods (it has no form, and says so, instead of failing to open)
    ods = make_ods("<table:table-row>" + ODS_CELL.format(attrs="", text="随便") + "</table:table-row>")
    with pytest.raises(ReadError, match="没有找到"):
        read_workbook(write(tmp_path, ods, "an-ods.xlsx"))


def test_an_xlsb_is_refused_with_a_clear_message(seed_bytes: bytes, tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="xlsb"):
        read_workbook(write(tmp_path, rewrite(seed_bytes, {}, extra={"xl/workbook.bin": b"\0" * 64})))


# ---------------------------------------------------------------------------------------------
# Memory amplification: small files that would expand to gigabytes


def add_sheets(src: bytes, sheets: dict[str, bytes]) -> bytes:
    """The workbook with further sheets (name → worksheet XML), each registered as Excel does."""
    book = part(src, "xl/workbook.xml")
    rels = part(src, "xl/_rels/workbook.xml.rels")
    types = part(src, "[Content_Types].xml")
    extra = {}
    for k, (name, xml) in enumerate(sheets.items(), start=2):
        book = book.replace(b"</sheets>", f'<sheet name="{name}" sheetId="{k}" r:id="rIdX{k}"/></sheets>'.encode())
        rels = rels.replace(b"</Relationships>", (
            f'<Relationship Id="rIdX{k}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/extra{k}.xml"/></Relationships>').encode())
        types = types.replace(b"</Types>", (
            f'<Override PartName="/xl/worksheets/extra{k}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>').encode())
        extra[f"xl/worksheets/extra{k}.xml"] = xml
    return rewrite(src, {"xl/workbook.xml": book, "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types}, extra)


def worksheet(rows: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>'.encode()


def test_many_sheets_each_under_the_limit_are_refused_together(seed_bytes: bytes, tmp_path: Path) -> None:
    corner = '<row r="1999"><c r="ALL1999"><v>1</v></c></row>'  # 1,999 × 1,000 cells: under the limit alone
    data = add_sheets(seed_bytes, {f"S{k}": worksheet(corner) for k in range(12)})
    assert len(data) < 30_000
    kind, text = read_isolated(write(tmp_path, data))
    assert kind == "ReadError" and "合计过大" in text, text


def test_one_shared_string_referenced_a_hundred_thousand_times_is_refused(seed_bytes: bytes, tmp_path: Path) -> None:
    strings = part(seed_bytes, "xl/sharedStrings.xml")
    count = strings.count(b"<si>")
    strings = strings.replace(b"</sst>", b"<si><t>" + "长".encode() * 32_000 + b"</t></si></sst>")
    cells = "".join(f'<row r="{i}"><c r="A{i}" t="s"><v>{count}</v></c></row>' for i in range(1, 100_001))
    data = add_sheets(rewrite(seed_bytes, {"xl/sharedStrings.xml": strings}), {"S": worksheet(cells)})
    assert len(data) < 1_000_000
    kind, text = read_isolated(write(tmp_path, data))
    assert kind == "ReadError" and "共享文字" in text, text


@pytest.mark.parametrize("count", [2**31, 10**12])
def test_a_shared_string_table_claiming_billions_is_refused(seed_bytes: bytes, tmp_path: Path, count: int) -> None:
    """calamine makes room for the declared number of strings before reading one (found by the
    fuzzer: uniqueCount=2147483648 asked for 100 GB and aborted the process)."""
    strings = re.sub(rb'uniqueCount="\d+"', f'uniqueCount="{count}"'.encode(), part(seed_bytes, "xl/sharedStrings.xml"))
    kind, text = read_isolated(write(tmp_path, rewrite(seed_bytes, {"xl/sharedStrings.xml": strings})))
    assert kind == "ReadError" and "共享文字" in text, text


def test_shared_strings_used_as_a_real_form_uses_them_read(seed_bytes: bytes, tmp_path: Path, seed_form) -> None:
    """The exact count, reached when the quick bound (every cell the longest string) is passed: a
    long text used once and a short one used by many cells is fine."""
    strings = part(seed_bytes, "xl/sharedStrings.xml")
    count = strings.count(b"<si>")
    strings = strings.replace(b"</sst>", b"<si><t>" + "长".encode() * 32_000 + b"</t></si><si><t>x</t></si></sst>")
    cells = f'<row r="1"><c r="A1" t="s"><v>{count}</v></c></row>' + "".join(
        f'<row r="{i}"><c r="A{i}" t="s"><v>{count + 1}</v></c></row>' for i in range(2, 2_000))
    data = add_sheets(rewrite(seed_bytes, {"xl/sharedStrings.xml": strings}), {"S": worksheet(cells)})
    assert read_workbook(write(tmp_path, data)).form == seed_form


@pytest.mark.parametrize("body", [
    # two billion spaces in one cell
    "<table:table-row>" + ODS_CELL.format(attrs="", text='x<text:s text:c="2000000000"/>') + "</table:table-row>",
    # a thousand rows of a thousand cells of 10,000 characters each
    '<table:table-row table:number-rows-repeated="1000">' + ODS_CELL.format(attrs=' table:number-columns-repeated="1000"', text="x" * 10_000) + "</table:table-row>",
    # a prefix other than table: for the repeat
    '<table:table-row>' + ODS_CELL.format(attrs=' xmlns:t="urn:oasis:names:tc:opendocument:xmlns:table:1.0" t:number-columns-repeated="900000000"', text="x" * 100) + "</table:table-row>",
])
def test_ods_text_expanding_past_the_limit_is_refused(tmp_path: Path, body: str) -> None:
    data = make_ods(body)
    assert len(data) < 2_000
    kind, text = read_isolated(write(tmp_path, data, "x.ods"))
    assert kind == "ReadError" and ("合计过多" in text or "范围过大" in text), text


def test_ods_tables_together_past_the_limit_are_refused(tmp_path: Path) -> None:
    table = ('<table:table-row table:number-rows-repeated="1999">'
             + ODS_CELL.format(attrs=' table:number-columns-repeated="1000"', text="1") + "</table:table-row>")
    body = table + "</table:table>" + "".join(f'<table:table table:name="T{k}">{table}</table:table>' for k in range(3))
    kind, text = read_isolated(write(tmp_path, make_ods(body + '<table:table table:name="last">'), "x.ods"))
    assert kind == "ReadError" and ("合计过大" in text or "合计过多" in text), text


# ---------------------------------------------------------------------------------------------
# The formula and percent scan: linear, however a crafted sheet writes its tags


def test_the_formula_scan_is_linear_on_a_sheet_crafted_against_it(seed_bytes: bytes, tmp_path: Path, seed_form) -> None:
    """Cells closed as `</c >` (valid XML): a pattern looking for `</c>` ran to the end of the
    sheet from every cell (648 s on 123 KB). Now one pass; the formulas are still found."""
    cells = "".join(f'<row r="{i}"><c r="A{i}"><f>B{i}+1</f><v>1</v></c ></row>' for i in range(1, 6_000))
    data = add_sheets(seed_bytes, {"S": worksheet(cells)})
    assert len(data) > 20_000
    path = write(tmp_path, data)
    start = time.perf_counter()
    from budgetxl.read.grid import load_grid

    grid = load_grid(path)
    assert time.perf_counter() - start < 5
    crafted = next(s for s in grid.sheets if s.name == "S")
    assert len(crafted.formulas) == 5_999 and crafted.formulas[(5998, 0)] == "B5999+1"
    assert read_workbook(path).form == seed_form


# ---------------------------------------------------------------------------------------------
# Files that are not files


def test_a_fifo_or_a_device_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "returned.xlsx"
    os.mkfifo(fifo)
    kind, text = read_isolated(fifo, timeout=10)  # opening it would wait for a writer forever
    assert kind == "ReadError" and "不是普通文件" in text
    with pytest.raises(ReadError, match="不是普通文件"):
        read_workbook("/dev/zero")


# ---------------------------------------------------------------------------------------------
# Deep nesting


@pytest.mark.parametrize("name", [SHEET, "xl/styles.xml", "xl/workbook.xml", "xl/sharedStrings.xml"])
def test_deeply_nested_xml_is_a_result_or_a_clear_error(seed_bytes: bytes, tmp_path: Path, name: str) -> None:
    depth = 200_000
    nest = b"<x>" * depth + b"</x>" * depth
    xml = part(seed_bytes, name)
    root_end = xml.index(b">", xml.index(b"<", xml.index(b"?>") + 2)) + 1
    data = rewrite(seed_bytes, {name: xml[:root_end] + nest + xml[root_end:]})
    kind, _ = read_isolated(write(tmp_path, data))
    assert kind in ("result", "ReadError")


# ---------------------------------------------------------------------------------------------
# Fuzzing: real workbooks mutated


@pytest.fixture(scope="module")
def fuzz_seeds(seed_bytes: bytes, tmp_path_factory) -> list[tuple[str, bytes]]:
    """(file name, bytes): the rendered seed, the real workbooks (copies; the originals are never
    touched), and the seed saved by LibreOffice as .ods and .xls where LibreOffice is installed."""
    seeds = [("seed.xlsx", seed_bytes)]
    if REAL.is_dir():
        tmp = tmp_path_factory.mktemp("real")
        for p in sorted(REAL.glob("*.xlsx")):
            shutil.copy(p, tmp / p.name)
            seeds.append((p.name, (tmp / p.name).read_bytes()))
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is not None:
        import subprocess
        import uuid

        tmp = tmp_path_factory.mktemp("converted")
        (tmp / "seed.xlsx").write_bytes(seed_bytes)
        profile = tmp / f"profile-{uuid.uuid4().hex}"
        for fmt in ("ods", "xls"):
            subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                            "--convert-to", fmt, "--outdir", str(tmp), str(tmp / "seed.xlsx")],
                           capture_output=True, timeout=180, check=False)
            if (tmp / f"seed.{fmt}").is_file():
                seeds.append((f"seed.{fmt}", (tmp / f"seed.{fmt}").read_bytes()))
    return seeds


def mutate_bytes(data, seed: bytes) -> bytes:
    """A file that is not a zip: truncated, bytes flipped, or a 16- or 32-bit number overwritten
    (a record length, a count, a row) with an absurd one."""
    how = data.draw(st.sampled_from(["truncate", "flip", "number"]))
    if how == "truncate":
        return seed[: data.draw(st.integers(0, len(seed) - 1))]
    out = bytearray(seed)
    if how == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            out[data.draw(st.integers(0, len(out) - 1))] ^= data.draw(st.integers(1, 255))
        return bytes(out)
    size = data.draw(st.sampled_from([2, 4]))
    at = data.draw(st.integers(0, len(out) - size))
    value = data.draw(st.sampled_from([0, 1, 0xFF, 0xFFFF, 0x7FFF, 0xFFFFFFFF, 0x7FFFFFFF, 65536, 1048576]))
    out[at : at + size] = (value & (1 << 8 * size) - 1).to_bytes(size, "little")
    return bytes(out)


def mutate(data, seed: bytes) -> bytes:
    """One mutation of a workbook, drawn by Hypothesis."""
    how = data.draw(st.sampled_from(["truncate", "flip", "drop", "truncate_part", "junk_part", "numbers", "far_cell"]))
    if how == "truncate":
        return seed[: data.draw(st.integers(0, len(seed) - 1))]
    if how == "flip":
        out = bytearray(seed)
        for _ in range(data.draw(st.integers(1, 8))):
            i = data.draw(st.integers(0, len(out) - 1))
            out[i] ^= data.draw(st.integers(1, 255))
        return bytes(out)
    with zipfile.ZipFile(io.BytesIO(seed)) as zf:
        names = zf.namelist()
    name = data.draw(st.sampled_from(names))
    xml = part(seed, name)
    if how == "drop":
        return rewrite(seed, {name: None})
    if how == "truncate_part":
        return rewrite(seed, {name: xml[: data.draw(st.integers(0, max(len(xml) - 1, 0)))]})
    if how == "junk_part":
        i = data.draw(st.integers(0, len(xml)))
        junk = data.draw(st.binary(min_size=1, max_size=64) | st.sampled_from([b"<", b"</", b"&", b"<!DOCTYPE x>", b"]]>", b'"']))
        return rewrite(seed, {name: xml[:i] + junk + xml[i + data.draw(st.integers(0, 32)):]})
    if how == "numbers":  # a number (a row, a ref, a span, an index) turned into an absurd one
        spots = [m.span() for m in re.finditer(rb"\d+", xml)]
        if not spots:
            return rewrite(seed, {name: None})
        a, b = data.draw(st.sampled_from(spots))
        big = str(data.draw(st.sampled_from([0, -1, 65536, 1048576, 16384, 2**31, 2**32, 2**63, 10**30]))).encode()
        return rewrite(seed, {name: xml[:a] + big + xml[b:]})
    ref = data.draw(st.sampled_from(["XFD1048576", "ZZ99999", "A2000001", "AAAA1", "B3"]))
    return rewrite(seed, {SHEET: add_cells(part(seed, SHEET), f'<row r="{ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{ref}"><v>7</v></c></row>')}) if SHEET in names else seed


# Mutations a hostile sender would try on the guards themselves: how tags are written, where
# parts are and what they are called, what kind of file it claims to be.

XML_TAG = re.compile(rb"<([A-Za-z_][\w.\-]*)(\s)")


def mutate_markup(data, seed: bytes) -> tuple[bytes, str]:
    """(mutant, file name): tag whitespace, namespace prefixes, part names and their case, kinds."""
    how = data.draw(st.sampled_from(["whitespace", "prefix", "rename", "kind", "far_cell_written_otherwise"]))
    with zipfile.ZipFile(io.BytesIO(seed)) as zf:
        names = zf.namelist()
    xml_parts = [n for n in names if n.endswith((".xml", ".rels"))] or names
    if how == "whitespace":  # the space after a tag's name (or around '=') written otherwise
        name = data.draw(st.sampled_from(xml_parts))
        xml = part(seed, name)
        spots = [m.start(2) for m in XML_TAG.finditer(xml)] or [0]
        picked = set(data.draw(st.lists(st.sampled_from(spots), min_size=1, max_size=20)))
        blank = data.draw(st.sampled_from([b"\t", b"\n", b"\r\n", b"  ", b" \t\n "]))
        out = b"".join(blank if i in picked and xml[i:i + 1] == b" " else xml[i:i + 1] for i in range(len(xml)))
        if data.draw(st.booleans()):
            out = out.replace(b'="', b' = "')
        return rewrite(seed, {name: out}), "x.xlsx"
    if how == "prefix":  # every element of a part moved into a prefix bound to its namespace
        name = data.draw(st.sampled_from(xml_parts))
        xml = part(seed, name)
        m = re.search(rb'<([A-Za-z]\w*)\s[^>]*?xmlns="([^"]+)"', xml)
        if not m:
            return rewrite(seed, {name: xml}), "x.xlsx"
        prefix = data.draw(st.sampled_from([b"x", b"main", b"\xc3\xa9"]))
        body = re.sub(rb"<(/?)([A-Za-z_][\w.\-]*)(?=[\s/>])", lambda t: b"<" + t.group(1) + prefix + b":" + t.group(2), xml)
        body = body.replace(b'xmlns="' + m.group(2) + b'"', b'xmlns:' + prefix + b'="' + m.group(2) + b'"', 1)
        return rewrite(seed, {name: body}), "x.xlsx"
    if how == "rename":  # a part under another name, case or extension, with or without its references
        name = data.draw(st.sampled_from(names))
        folder, _, leaf = name.rpartition("/")
        stem = leaf.rsplit(".", 1)[0]
        new_leaf = data.draw(st.sampled_from([leaf.upper(), stem + ".XML", stem + ".dat", stem, leaf.capitalize()]))
        new = (folder.upper() if data.draw(st.booleans()) else folder) + ("/" if folder else "") + new_leaf
        edits: dict[str, bytes | None] = {name: None}
        if data.draw(st.booleans()):  # the relationships and content types follow it
            for ref in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml", "_rels/.rels"):
                if ref in names and ref != name:
                    edits[ref] = part(seed, ref).replace(leaf.encode(), new_leaf.encode())
        return rewrite(seed, edits, extra={new: part(seed, name)}), "x.xlsx"
    if how == "kind":  # the file claims to be another kind than it is
        variant = data.draw(st.sampled_from(["odf mimetype", "named ods", "named xls", "named xlsb", "xlsb part"]))
        if variant == "odf mimetype" and "mimetype" in names:  # an ods: made to look like an xlsx too
            return rewrite(seed, {}, extra={"xl/workbook.xml": b"<workbook/>", "_rels/.rels": b"<Relationships/>"}), "x.ods"
        if variant == "odf mimetype":
            return odf_mimetype(seed), "x.xlsx"
        if variant == "xlsb part":
            return rewrite(seed, {}, extra={"xl/workbook.bin": b"\0" * 32}), "x.xlsx"
        return seed, "x." + variant.split()[-1]
    # a far cell, its tag written as a hostile sender would
    cell = data.draw(st.sampled_from(list(WALKAROUNDS.values())))
    if SHEET not in names:
        return seed, "x.xlsx"
    return rewrite(seed, {SHEET: cell(part(seed, SHEET))}), "x.xlsx"


# A modest count keeps the suite quick and, derandomized, the same on every run (in CI too);
# BUDGETXL_FUZZ_EXAMPLES=2000 runs a longer campaign with fresh random examples each time
# (a failure prints the seed that replays it: pytest --hypothesis-seed=N).
LONG_FUZZ = "BUDGETXL_FUZZ_EXAMPLES" in os.environ
FUZZ = settings(max_examples=int(os.environ.get("BUDGETXL_FUZZ_EXAMPLES", "80")), deadline=None,
                derandomize=not LONG_FUZZ, database=None if not LONG_FUZZ else settings.default.database,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_fuzz_mutated_workbooks_read_or_fail_cleanly(fuzz_seeds, tmp_path: Path, data) -> None:
    name = data.draw(st.sampled_from([n for n, _ in fuzz_seeds]), label="seed")
    seed = dict(fuzz_seeds)[name]
    file_name = "x" + Path(name).suffix
    if seed.startswith(b"PK") and data.draw(st.integers(0, 2), label="family") == 0:  # a third go at the markup
        mutated, renamed = mutate_markup(data, seed)
        file_name = renamed if renamed != "x.xlsx" else file_name
    elif seed.startswith(b"PK"):
        mutated = mutate(data, seed)
    else:  # an .xls: bytes and numbers of the compound file
        mutated = mutate_bytes(data, seed)
    kind, _ = read_isolated(write(tmp_path, mutated, file_name), timeout=30)
    assert kind in ("result", "ReadError")


# ---------------------------------------------------------------------------------------------
# Fuzzing the markup readers: Excel 2003 XML and HTML tables, as budget systems export them


@pytest.fixture(scope="module")
def markup_seeds(seed_bytes: bytes, seed_form, tmp_path_factory) -> list[tuple[str, bytes]]:
    """The seed and the form a budget system lays out (元, split values), as SpreadsheetML (UTF-8
    and GB2312) and as HTML (UTF-8 and GBK, Excel's attributes, a title above the table)."""
    from system_exports import grid_of_xlsx, system_grid, write_html, write_spreadsheetml

    tmp = tmp_path_factory.mktemp("markup")
    (tmp / "seed.xlsx").write_bytes(seed_bytes)
    seed = grid_of_xlsx(tmp / "seed.xlsx")
    system = [system_grid(seed_form)]
    files = [write_spreadsheetml(tmp / "a.xls", seed), write_spreadsheetml(tmp / "b.xls", system, "GB2312"),
             write_html(tmp / "c.xls", seed, "gbk", title_outside=True), write_html(tmp / "d.xls", system, excel=True)]
    return [(p.name, p.read_bytes()) for p in files]


_MARKUP_JUNK = [b"<", b"</", b"&", b"&#0;", b"&#x110000;", b"]]>", b'"', b"<!DOCTYPE x>", b"<![CDATA[",
                b'<!DOCTYPE Workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>', b"&a;",
                b"<!ENTITY x SYSTEM \"file:///etc/passwd\">", b"<table>", b"</table>", b"<td>", b"<tr>", b"<br>",
                b"\xff\xfe", b"\xef\xbb\xbf", b"\x00"]
_SPAN_ATTRS = [rb'ss:Index="(\d+)"', rb'ss:MergeAcross="(\d+)"', rb'ss:MergeDown="(\d+)"', rb'rowspan="(\d+)"',
               rb"colspan=(\d+)", rb'x:num="([^"]*)"']


def mutate_text_workbook(data, seed: bytes) -> bytes:
    """One mutation of a SpreadsheetML or HTML file: truncated, bytes flipped, junk spliced in (DTDs,
    entities, stray tags), a span or index made absurd, a row repeated many times, deep nesting,
    an encoding declared otherwise."""
    how = data.draw(st.sampled_from(["truncate", "flip", "junk", "span", "repeat", "nest", "encoding"]))
    if how == "truncate":
        return seed[: data.draw(st.integers(0, len(seed) - 1))]
    if how == "flip":
        out = bytearray(seed)
        for _ in range(data.draw(st.integers(1, 8))):
            out[data.draw(st.integers(0, len(out) - 1))] ^= data.draw(st.integers(1, 255))
        return bytes(out)
    if how == "junk":
        i = data.draw(st.integers(0, len(seed)))
        junk = data.draw(st.sampled_from(_MARKUP_JUNK) | st.binary(min_size=1, max_size=48))
        return seed[:i] + junk + seed[i + data.draw(st.integers(0, 32)):]
    if how == "span":
        spots = [m.span(1) for pattern in _SPAN_ATTRS for m in re.finditer(pattern, seed)]
        if not spots:
            return seed
        a, b = data.draw(st.sampled_from(spots))
        big = data.draw(st.sampled_from([b"0", b"-1", b"65535", b"1048576", b"16384", b"2147483648", b"99999999999999999999",
                                         b"1e308", b"nan", b""]))
        return seed[:a] + big + seed[b:]
    if how == "repeat":
        rows = [m.span() for m in re.finditer(rb"<(?:Row|tr)\b.*?</(?:Row|tr)>", seed, re.S)]
        if not rows:
            return seed
        a, b = data.draw(st.sampled_from(rows))
        return seed[:b] + seed[a:b] * data.draw(st.sampled_from([10, 1000, 20000])) + seed[b:]
    if how == "nest":
        at = seed.find(b"<Table") if b"<Table" in seed else seed.find(b"<table")
        depth = data.draw(st.sampled_from([1000, 100_000]))
        tag = data.draw(st.sampled_from([b"x", b"Data", b"table", b"div", b"td"]))
        return seed[:at] + b"<" + tag + b">" * 1 + (b"<" + tag + b">") * depth + (b"</" + tag + b">") * depth + seed[at:]
    declared = data.draw(st.sampled_from([b"UTF-16", b"ISO-8859-1", b"x-unknown", b"GB2312", b"UTF-8", b"Shift_JIS"]))
    return re.sub(rb'(encoding="|charset=)[A-Za-z0-9_-]+', lambda m: m.group(1) + declared, seed, count=1)


@FUZZ
@given(data=st.data())
def test_fuzz_spreadsheetml_and_html_read_or_fail_cleanly(markup_seeds, tmp_path: Path, data) -> None:
    name = data.draw(st.sampled_from([n for n, _ in markup_seeds]), label="seed")
    mutated = mutate_text_workbook(data, dict(markup_seeds)[name])
    kind, _ = read_isolated(write(tmp_path, mutated, "x.xls"), timeout=30)
    assert kind in ("result", "ReadError")

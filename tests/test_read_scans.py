"""The reader's quick scans give what the general ones give: the sheet scan for formats and
formulas (plain tags in a few C passes, else tag by tag), the styles part cut to the two sections
read (else parsed whole), and the guards' counts of start tags and merged ranges. Each is compared
with the general way on the parts of every golden and real workbook, and on parts written oddly."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from budgetxl.read import grid as G
from budgetxl.read import guards as Gu

GOLDEN = Path(__file__).parent / "golden"
MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _parts(directory: Path) -> list[tuple[str, dict[str, bytes]]]:
    out = []
    for path in sorted(directory.glob("*.xlsx")):
        with zipfile.ZipFile(path) as zf:
            out.append((path.name, {n: zf.read(n) for n in zf.namelist()}))
    return out


def _workbooks(real_dir: Path | None = None) -> list[tuple[str, dict[str, bytes]]]:
    return _parts(GOLDEN) + (_parts(real_dir) if real_dir is not None else [])


def _cells_by_tags(data: bytes, formats: list[str]) -> tuple[dict, dict]:
    sheet = G.SheetGrid("s", [])
    percent = {i for i, code in enumerate(formats) if G.percent_decimals(code) is not None}
    G._scan_cell_tags(data, formats, percent, sheet)
    return sheet.formats, sheet.formulas


def _cells(data: bytes, formats: list[str]) -> tuple[dict, dict]:
    sheet = G.SheetGrid("s", [])
    G._scan_cells(data, formats, sheet)
    return sheet.formats, sheet.formulas


def _plain_taken(data: bytes, formats: list[str]) -> bool:
    percent = {i for i, code in enumerate(formats) if G.percent_decimals(code) is not None}
    return G._scan_plain_cells(data, formats, percent, True, G.SheetGrid("s", []))


FORMATS = ["General", "0%", "0.00", "0.0%", "@"]


def _sheet(cells: str) -> bytes:
    return f'<?xml version="1.0"?><worksheet {MAIN.decode()}><sheetData><row r="1">{cells}</row></sheetData>' \
           '</worksheet>'.encode()


ODD_SHEETS = {
    "plain": '<c r="A1" s="1"><v>0.5</v></c><c r="B1" s="3" t="n"><v>0.25</v></c><c r="C1" s="1" t="s"><v>0</v></c>',
    "leading zeros in s": '<c r="A1" s="01"><v>0.5</v></c><c r="B1" s="000"><v>1</v></c>',
    "formula first": '<c r="A1" s="2"><f>SUM(B1:C1)</f><v>3</v></c><c r="B1"><v>1</v></c>',
    "value before formula": '<c r="A1"><v>3</v><f>B1+C1</f></c>',
    "shared formula follower": '<c r="A1"><f t="shared" ref="A1:A3" si="0">B1*2</f><v>2</v></c>'
                               '<c r="A2"><f t="shared" si="0"/><v>4</v></c>',
    "empty formula": '<c r="A1"><f></f><v>0</v></c><c r="A2"><f/></c>',
    "extra attribute": '<c r="A1" s="1" cm="1"><f t="array" ref="A1">SUM(B1:B2)</f><v>1</v></c>',
    "prefixed cells": '<x:c r="A1" s="1"><x:v>0.5</x:v></x:c><c r="B1" s="1"><f>A1</f></c>',
    "prefixed formula": '<c r="A1" s="1"><x:f>B1</x:f><v>0.5</v></c>',
    "single quotes": "<c r='A1' s='1'><v>0.5</v></c><c r=\"B1\"><f>A1</f></c>",
    "spaces around": '<c  r="A1" s="1" ><v>0.5</v></c><c r="B1" s="1"\n><f >A1</f ></c>',
    "formula after a closed cell": '<c r="A1" s="1"/><f>B1</f><c r="B1"><f>C1</f></c>',
    "formula outside cells": '<c r="A1"><v>1</v></c><f>Z9</f>',
    "formula left open": '<c r="A1"><f>B1<v>1</v></c><c r="B1"><f>C1</f></c>',
    "gt in a formula attribute": '<c r="A1"><f t="shared" ref="A1" x="a>b">B1</f></c>',
    "tab in formula tag": '<c r="A1"><f\tt="array">B1</f></c>',
    "percent text cell": '<c r="A1" s="1" t="str"><v>50%</v></c><c r="B1" s="1" t="e"><v>#N/A</v></c>',
    "dollar and lower refs": '<c r="$a$1" s="1"><v>0.5</v></c>',
    "no formulas, percents": '<c r="A1" s="1"><v>0.5</v></c><c r="AB12" s="3"><v>0.125</v></c>',
    "font tag": '<c r="A1" s="1"><v>0.5</v></c><font/><fill></fill>',
    "cell in a comment": '<!-- <c r="A9" s="1"><f>X</f></c> --><c r="A1" s="1"><v>0.5</v></c>',
}


@pytest.mark.parametrize("name", sorted(ODD_SHEETS))
def test_sheet_scan_matches_tag_by_tag(name: str) -> None:
    data = _sheet(ODD_SHEETS[name])
    assert _cells(data, FORMATS) == _cells_by_tags(data, FORMATS)


def test_plain_sheets_take_the_quick_scan() -> None:
    # written as spreadsheet programs write them: the quick scan reads them (not the fallback)
    for name in ("plain", "leading zeros in s", "formula first", "value before formula", "shared formula follower",
                 "empty formula", "no formulas, percents"):
        data = _sheet(ODD_SHEETS[name])
        assert _plain_taken(data, FORMATS), name
    for name in ("extra attribute", "prefixed cells", "prefixed formula", "single quotes", "formula left open",
                 "gt in a formula attribute", "formula after a closed cell"):
        assert not _plain_taken(_sheet(ODD_SHEETS[name]), FORMATS), name


def test_sheet_scan_of_every_workbook_part(real_dir: Path) -> None:
    seen = 0
    for book, parts in _workbooks(real_dir):
        formats = G._style_formats(parts)
        for name, data in parts.items():
            if b"sheetData" in data:
                seen += 1
                assert _cells(data, formats) == _cells_by_tags(data, formats), (book, name)
                # and with every format a percent, so that every styled cell is looked at
                every = ["0%"] * max(len(formats), 64)
                assert _cells(data, every) == _cells_by_tags(data, every), (book, name)
    assert seen >= 20


def _formats_of(root: object) -> list[str]:
    original = G._styles_root
    G._styles_root = lambda data: root  # type: ignore[assignment]
    try:
        return G._style_formats({"xl/styles.xml": b""})
    finally:
        G._styles_root = original


def _styles_variants(styles: bytes) -> dict[str, bytes]:
    return {
        "as written": styles,
        "comment": styles.replace(b"<fonts", b"<!-- c --><fonts", 1),
        "gt in an attribute": styles.replace(b'numFmtId="0"', b'numFmtId="0" x="a>b"', 1),
        "cellXfs nested deeper": styles.replace(b"</styleSheet>", b'<extLst><ext uri="x"><cellXfs count="1">'
                                                                  b'<xf numFmtId="9"/></cellXfs></ext></extLst></styleSheet>'),
        "a second cellXfs": styles.replace(b"</styleSheet>", b'<cellXfs><xf numFmtId="10"/></cellXfs></styleSheet>'),
        "prefix bound to the main namespace": styles.replace(
            b"<styleSheet ", b'<styleSheet xmlns:m="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ', 1)
        .replace(b"<cellXfs", b"<m:cellXfs", 1).replace(b"</cellXfs>", b"</m:cellXfs>", 1),
        "default namespace redeclared": styles.replace(b"<cellXfs", b'<cellXfs xmlns="urn:other"', 1),
        "mismatched tag after the sections": re.sub(rb"</(cellStyles|dxfs)>", rb"</\1z>", styles, count=1),
        "unbound prefix after the sections": styles.replace(b"</styleSheet>", b"<zz:x/></styleSheet>"),
        "junk after the root": styles + b"<x/>",
        "empty root": b'<?xml version="1.0"?><styleSheet ' + MAIN + b"/>",
        "empty sections": b"<styleSheet " + MAIN + b'><numFmts/><cellXfs count="0"/></styleSheet>',
        "end tag with a space": styles.replace(b"</cellXfs>", b"</cellXfs >", 1),
        "a sibling named cellXfsX": styles.replace(b"</styleSheet>", b'<cellXfsX><xf numFmtId="9"/></cellXfsX>'
                                                                     b"</styleSheet>"),
        "references in a format": styles.replace(b'formatCode="', b'formatCode="&#37;&amp;', 1),
        "line break in an attribute": styles.replace(b'formatCode="', b'formatCode="a\nb ', 1),
        "processing instruction": styles.replace(b"<fonts", b"<?pi x?><fonts", 1),
    }


def test_styles_cut_reads_as_the_whole_part(real_dir: Path) -> None:
    checked = 0
    for book, parts in _workbooks(real_dir):
        styles = parts.get("xl/styles.xml")
        if styles is None:
            continue
        for what, data in _styles_variants(styles).items():
            assert _formats_of(G._styles_root(data)) == _formats_of(G._xml(data)), (book, what)
            checked += 1
    assert checked > 100


def test_styles_cut_keeps_percent_formats(real_dir: Path) -> None:
    # the 湛江 workbook shows its rates as 0%: read from the cut part as from the whole
    with zipfile.ZipFile(real_dir / "zhanjiang-hrss-2024.xlsx") as zf:
        styles = zf.read("xl/styles.xml")
    formats = G._style_formats({"xl/styles.xml": styles})
    assert "0%" in formats
    assert len(G._styles_root(styles)) == 2  # numFmts and cellXfs only


@pytest.mark.parametrize("text", [
    b"<c r='A1'/><c>", b"<x:c r='A1'/><c/>", b"<c\tr='1'><c\n/>", b"<cols><col/></cols><c r=\"A1\"/>",
    b"<row><c r=\"A1\" s=\"1\"/><c r=\"B1\"><v>1</v></c></row>", b"<a:c><b:c/>", b"", b"<c", b"<c>",
])
def test_start_tags_counted_as_the_pattern_counts(text: bytes) -> None:
    pattern = re.compile(rb"<" + Gu._PREFIX + rb"c[\s/>]")
    assert Gu.StartTags(b"c").count(text) == len(pattern.findall(text))


def test_plain_merges_read_as_merge_reads() -> None:
    for ref in (b"A1:B2", b"B2:A1", b"AA10:AB12", b"XFD1:XFD1048576", b"A1", b"a1:b2", b"$A$1:$B$2", b"A1:B2 ",
                b"A&amp;1:B2", b"A0:B1"):
        assert Gu._plain_merge(ref) == Gu._merge(Gu.html.unescape(ref.decode())), ref


def test_guard_sheet_scan_counts_every_spelling() -> None:
    plain = _sheet('<c r="A1"><v>1</v></c><c r="C4" s="2"><v>2</v></c>').replace(
        b"</sheetData>", b'</sheetData><mergeCells><mergeCell ref="A1:B2"/><mergeCell ref="D5:C4"/></mergeCells>')
    scan = Gu.scan_sheet(plain)
    assert (scan.rows, scan.cols, scan.cells, scan.merges) == (4, 3, 2, [(0, 0, 1, 1), (3, 2, 4, 3)])
    by_tags = Gu._scan_tags(plain, False)[0]
    assert (by_tags.rows, by_tags.cols, by_tags.cells, by_tags.merges) == (scan.rows, scan.cols, scan.cells, scan.merges)
    # a merge written otherwise: read tag by tag, the same ranges
    odd = plain.replace(b'<mergeCell ref="D5:C4"/>', b"<mergeCell  ref='D5:C4'/>")
    assert Gu.scan_sheet(odd).merges == scan.merges


@pytest.mark.parametrize(("merges", "rows", "cols", "refused"), [
    ([(0, 0, 1, 1)] * 3, 10, 10, None),
    ([(0, 0, 1999, 999)], 10, 10, None),  # within MAX_CELLS however far it reaches
    ([(0, 0, 2000, 999)], 10, 10, "覆盖范围异常大"),
    ([(0, 0, 999, 999)] * 3, 1000, 1000, "互相重叠"),  # each fine, together over MAX_CELLS
    # a row before the first (A0) covers one row more than the sheet has: still added up and refused
    ([(-1, 0, 999, 999)] * 2, 1000, 1000, "互相重叠"),
    ([(-1, 0, 9, 9)], 10, 10, None),
])
def test_merge_limits_checked_as_before(merges: list, rows: int, cols: int, refused: str | None) -> None:
    if refused is None:
        Gu.check_merges(Path("x.xlsx"), "“表”", merges, rows, cols)
    else:
        with pytest.raises(Gu.ReadError, match=refused):
            Gu.check_merges(Path("x.xlsx"), "“表”", merges, rows, cols)


def test_format_sections_found_as_the_pattern_finds_them(real_dir: Path) -> None:
    # found from where the names stand: the same matches, in the same order, as trying the
    # pattern at every '<' (crafted spellings and every real styles part with its variants)
    def spans(found: object) -> list[tuple[int, int, bytes]]:
        return [(m.start(), m.end(), m.group(1)) for m in found]  # type: ignore[attr-defined]

    texts = [b"<numFmts>", b"<a:numFmts/>", b"<numFmts:cellXfs >", b"<numFmts:x >", b"x:cellXfs>", b"<cellXfs",
             b"<a b:cellXfs>", b"<cellXfs\x0b", b"</cellXfs>", b"<numFmtsX>", b"cellXfs>", b"<<a:cellXfs/>", b""]
    for _, parts in _workbooks(real_dir):
        if "xl/styles.xml" in parts:
            texts += list(_styles_variants(parts["xl/styles.xml"]).values())
    for text in texts:
        assert spans(G._format_sections(text)) == spans(G._FORMAT_SECTIONS.finditer(text)), text[:80]


@pytest.mark.parametrize("name", [b"c", b"f", b"si"])
def test_start_tags_counted_in_c_only_when_the_pattern_agrees(name: bytes) -> None:
    pattern = re.compile(rb"<" + Gu._PREFIX + name + rb"[\s/>]")
    for text in (b"<" + name + b" a/><" + name + b">", b"<x:" + name + b" />", b"<" + name + b"\t/>",
                 b"<" + name + b" /><" + name + b"/>", b"a:" + name + b"x <" + name + b" />",
                 b"<" + name + b"x><" + name + b" >", b"<" + name):
        assert Gu.StartTags(name).count(text) == len(pattern.findall(text)), text

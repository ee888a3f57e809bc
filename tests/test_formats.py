"""What budget systems and departments actually send: Excel 2003 XML and HTML tables under an .xls
name, files whose content does not match their name, amounts in 元, indicator values split over
符号 | 指标值 | 计量单位, and files that are no workbook at all (each with a message saying what it
is and what to do)."""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import replace
from decimal import Decimal

import openpyxl
import pytest

from budgetxl.errors import ReadError
from budgetxl.read import load_grid, read_workbook
from budgetxl.render import render_form
from system_exports import Sheet, grid_of_xlsx, system_grid, write_html, write_spreadsheetml, write_xlsx

SS_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
           'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">')


def ss(body: str, styles: str = "") -> bytes:
    return f"{SS_HEAD}<Styles>{styles}</Styles>{body}</Workbook>".encode()


@pytest.fixture(scope="module")
def seed_sheets(tmp_path_factory, seed_form) -> list[Sheet]:
    return grid_of_xlsx(render_form(seed_form, tmp_path_factory.mktemp("seed") / "seed.xlsx"))


# ---------------------------------------------------------------------------------------------
# The seed written each way reads back exactly


@pytest.mark.parametrize("encoding", ["UTF-8", "GB2312"])
def test_seed_as_spreadsheetml_reads_back_exactly(tmp_path, seed_form, seed_sheets, encoding):
    path = write_spreadsheetml(tmp_path / "凤阳街道.xls", seed_sheets, encoding)
    assert b"ss:Index=" in path.read_bytes() and b"ss:MergeDown=" in path.read_bytes()
    result = read_workbook(path)
    assert result.form == seed_form
    assert result.file_kind == "spreadsheetml"
    (note,) = result.findings
    assert note.code == "BX018" and note.severity == "info" and "Excel 2003 XML" in note.message and ".xls" in note.message


@pytest.mark.parametrize("options", [{}, {"charset": "gbk", "title_outside": True}, {"excel": True},
                                     {"charset": "gb2312"}])
def test_seed_as_html_reads_back_exactly(tmp_path, seed_form, seed_sheets, options):
    path = write_html(tmp_path / "凤阳街道.xls", seed_sheets, **options)
    assert b"rowspan" in path.read_bytes()
    result = read_workbook(path)
    assert result.form == seed_form
    assert [f.code for f in result.findings] == ["BX018"] and result.file_kind == "html"


def test_a_form_in_yuan_with_split_values_reads_back_in_wanyuan(tmp_path, seed_form):
    sheet = system_grid(seed_form)
    assert sheet.values[1][6] == "金额单位：元" and sheet.values[3][3] == "预算金额（元）"
    assert 89979800 in sheet.values[4]  # 8997.98 万元 in 元
    outs = [write_spreadsheetml(tmp_path / "a.xls", [sheet]), write_html(tmp_path / "b.xls", [sheet]),
            write_spreadsheetml(tmp_path / "c.xls", [sheet], "GB2312"), write_html(tmp_path / "d.xls", [sheet], "gbk")]
    for path in outs:
        result = read_workbook(path)
        assert result.form == seed_form, path
        assert result.units == {"预算整体情况": "元", "年度重点工作任务": "元", "其他需完成的任务（可选填）": "元"}
        assert result.unit_text == "元"
        codes = [(f.code, f.cell) for f in result.findings]
        assert codes == [("BX018", None), ("BX019", "D4"), ("BX019", "E8"), ("BX019", None)]
        assert result.cells["indicators[0].target"] == "F26" or result.cells["indicators[0].target"].startswith("F")


def test_the_same_form_as_xlsx_in_yuan_reads_back_too(tmp_path, seed_form):
    """Not a format question: a workbook laid out in 元 with split values, typed in Excel."""
    result = read_workbook(write_xlsx(tmp_path / "x.xlsx", [system_grid(seed_form)]))
    assert result.form == seed_form and result.file_kind == "xlsx"
    assert [f.code for f in result.findings] == ["BX019", "BX019", "BX019"]


@pytest.mark.soffice
def test_libreoffice_reads_the_helpers_files_alike(tmp_path, seed_form, seed_sheets, soffice):
    """LibreOffice opens both formats: its .xlsx of each helper file reads back to the same form,
    which checks the helpers themselves. (Its SpreadsheetML import takes UTF-8 only: a file
    declaring GB2312 comes out garbled there, so GB2312 is checked against our reader alone.)"""
    sheet = system_grid(seed_form)
    # LibreOffice's HTML import puts each line of a cell in a row of its own (a <br>, whatever its
    # style, and the rowspan is lost): the page it is given has the block labels on one line
    one_line = [replace(s, values=[[v.replace("\n", "") if isinstance(v, str) else v for v in row]
                                   for row in s.values]) for s in seed_sheets]
    files = [write_spreadsheetml(tmp_path / "seed.xml", seed_sheets),
             write_html(tmp_path / "seedpage.xls", one_line, "gbk"),
             write_spreadsheetml(tmp_path / "system.xml", [sheet]),
             write_html(tmp_path / "systempage.xls", [sheet], excel=True)]
    for src in files:
        out = soffice(src, "xlsx", tmp_path / "lo")
        result = read_workbook(out)
        assert result.form == seed_form, src.name
        ours = load_grid(src).sheets[0]
        theirs = load_grid(out).sheets[0]
        assert sorted(ours.merges) == sorted(theirs.merges), src.name


# ---------------------------------------------------------------------------------------------
# SpreadsheetML details


def test_spreadsheetml_cells_merges_types_styles_and_formulas(tmp_path):
    styles = ('<Style ss:ID="p"><NumberFormat ss:Format="0.0%"/></Style><Style ss:ID="q" ss:Parent="p"/>'
              '<Style ss:ID="n"><NumberFormat ss:Format="Percent"/></Style>')
    body = ('<Worksheet ss:Name="甲"><Table>'
            '<Row><Cell ss:MergeDown="1" ss:MergeAcross="1"><Data ss:Type="String">A1:B2</Data></Cell>'
            '<Cell><Data ss:Type="Number">1.5</Data><Comment><ss:Data>批注不是值</ss:Data></Comment></Cell></Row>'
            '<Row><Cell><Data ss:Type="String">C2，合并之后</Data></Cell></Row>'
            '<Row ss:Index="4"><Cell ss:Index="2" ss:StyleID="q"><Data ss:Type="Number">0.955</Data></Cell>'
            '<Cell ss:StyleID="n"><Data ss:Type="Number">1</Data></Cell>'
            '<Cell><Data ss:Type="Boolean">1</Data></Cell><Cell><Data ss:Type="DateTime">2024-03-01T00:00:00.000</Data></Cell>'
            '<Cell ss:Formula="=SUM(R[-3]C[1]:R[-3]C[1])+R1C3"><Data ss:Type="Number">3</Data></Cell></Row>'
            '<Row><Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><B>加粗</B>与<Font>普通</Font>&#10;第二行</ss:Data></Cell></Row>'
            '</Table></Worksheet>'
            '<Worksheet ss:Name="乙"><Table><Row><Cell><Data ss:Type="String">x</Data></Cell></Row></Table>'
            '<WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions></Worksheet>')
    path = tmp_path / "t.xls"
    path.write_bytes(ss(body, styles))
    grid = load_grid(path)
    assert grid.kind == "spreadsheetml"
    first, second = grid.sheets
    assert (first.name, first.visible, second.name, second.visible) == ("甲", True, "乙", False)
    assert first.values[0][:3] == ["A1:B2", "", 1.5]
    assert first.values[1][2] == "C2，合并之后"  # the cells a merge from above covers are skipped
    assert first.merges == [(0, 0, 1, 1)]
    import datetime as dt

    assert first.values[3][1:6] == [0.955, 1.0, True, dt.datetime(2024, 3, 1), 3.0]
    assert first.formats == {(3, 1): "0.0%", (3, 2): "0.00%"}
    assert first.formulas == {(3, 5): "SUM(G1:G1)+C1"}
    assert first.values[4][0] == "加粗与普通\n第二行"


def test_spreadsheetml_is_sniffed_whatever_its_name(tmp_path, seed_sheets, seed_form):
    for name in ("x.xlsx", "x.ods", "x", "x.xml"):
        path = write_spreadsheetml(tmp_path / name, seed_sheets)
        result = read_workbook(path)
        assert result.form == seed_form
        assert [f.code for f in result.findings] == ([] if name == "x.xml" else ["BX018"])


@pytest.mark.parametrize("body,words", [
    ('<!DOCTYPE Workbook [<!ENTITY a "aaaa">]>', "DTD"),
    ('<!DOCTYPE Workbook SYSTEM "file:///etc/passwd">', "DTD"),
])
def test_spreadsheetml_with_a_dtd_is_refused(tmp_path, body, words):
    path = tmp_path / "bomb.xls"
    path.write_bytes(('<?xml version="1.0"?>' + body + SS_HEAD.split("\n", 1)[1]
                      + '<Worksheet ss:Name="a"><Table><Row><Cell><Data ss:Type="String">&a;</Data></Cell></Row>'
                      "</Table></Worksheet></Workbook>").encode())
    with pytest.raises(ReadError, match=words):
        load_grid(path)


@pytest.mark.parametrize("row,words", [
    ('<Row ss:Index="1000000000"><Cell ss:Index="16000"><Data ss:Type="String">x</Data></Cell></Row>', "范围过大"),
    ('<Row><Cell ss:Index="20000"><Data ss:Type="String">x</Data></Cell></Row>', "16384 列"),
    ('<Row><Cell ss:MergeAcross="16000" ss:MergeDown="1000000"><Data ss:Type="String">x</Data></Cell></Row>', "合并"),
    ('<Row><Cell ss:Index="-3"><Data ss:Type="String">x</Data></Cell></Row>', "不是正常的数字"),
    ('<Row><Cell ss:Index="99999999999999999999"><Data ss:Type="String">x</Data></Cell></Row>', "不是正常的数字"),
    ('<Row><Cell><Data ss:Type="String">x</Data></Cell>', "第 2 行有误（mismatched tag）"),
])
def test_spreadsheetml_absurd_or_broken_sheets_are_refused(tmp_path, row, words):
    path = tmp_path / "x.xls"
    path.write_bytes(ss(f'<Worksheet ss:Name="a"><Table>{row}</Table></Worksheet>'))
    with pytest.raises(ReadError, match=words):
        load_grid(path)


def test_a_truncated_spreadsheetml_says_so(tmp_path, seed_sheets):
    path = write_spreadsheetml(tmp_path / "x.xls", seed_sheets)
    path.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(ReadError, match="不完整（可能没有传完整）"):
        load_grid(path)


def test_spreadsheetml_text_and_cell_limits(tmp_path, monkeypatch):
    import budgetxl.read.spreadsheetml as mod

    monkeypatch.setattr(mod, "MAX_TEXT_CHARS", 1000)
    row = '<Row><Cell><Data ss:Type="String">' + "字" * 600 + "</Data></Cell></Row>"
    path = tmp_path / "x.xls"
    path.write_bytes(ss(f'<Worksheet ss:Name="a"><Table>{row}{row}</Table></Worksheet>'))
    with pytest.raises(ReadError, match="文字合计过多"):
        load_grid(path)
    monkeypatch.setattr(mod, "MAX_TOTAL_CELLS", 10)
    sheet = '<Worksheet ss:Name="{}"><Table><Row ss:Index="3"><Cell ss:Index="3"><Data ss:Type="String">x</Data></Cell></Row></Table></Worksheet>'
    path.write_bytes(ss(sheet.format("a") + sheet.format("b")))
    with pytest.raises(ReadError, match="合计过大"):
        load_grid(path)


# ---------------------------------------------------------------------------------------------
# HTML details


def page(body: str, head: str = '<meta charset="utf-8">') -> bytes:
    return f"<html><head>{head}<title>不是单元格</title><style>td {{ }}</style></head><body>{body}</body></html>".encode()


def test_html_tables_spans_breaks_and_entities(tmp_path):
    body = ("<h2>2024年 部门整体预算绩效目标表</h2><p>单位：元</p>"
            "<table><tr><td rowspan=2 colspan=2>A1:B2</td><td>C1&amp;&lt;&gt;</td></tr>"
            "<tr><td>C2 第一行<br>第二行</td></tr>"
            "<tr><td>&nbsp;</td><td x:num='1234.5'>1,234.50</td><td x:num='1'>100%</td>"
            "<tr><th>  多个   空格\n 合并 </th><td><table><tr><td>内层表</td></tr></table>外层</td>"
            "</table><script>var x = '<table>';</script><p>注：表后的说明</p>")
    path = tmp_path / "t.xls"
    path.write_bytes(page(body))
    grid = load_grid(path)
    assert grid.kind == "html"
    outer, inner = grid.sheets
    assert outer.values[0][0] == "2024年 部门整体预算绩效目标表" and outer.values[1][0] == "单位：元"
    assert outer.values[2][:3] == ["A1:B2", "", "C1&<>"]
    assert outer.merges == [(2, 0, 3, 1)]
    assert outer.values[3][2] == "C2 第一行\n第二行"  # placed right of the rowspan
    assert outer.values[4][:3] == ["", 1234.5, "100%"]
    assert outer.values[5][:2] == ["多个 空格 合并", "外层"]
    assert outer.values[6][0] == "注：表后的说明"
    assert inner.values == [["内层表"]]
    assert (outer.name, inner.name) == ("表格1", "表格2")


@pytest.mark.parametrize("head,codec", [
    ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "gbk"),
    ('<meta charset="GB18030">', "gb18030"),
    ("", "utf-8"),
    ("", "gbk"),  # no charset at all: UTF-8 does not fit, GB18030 does
    ('<meta charset="utf-8">', "gbk"),  # a wrong declaration: the text is read all the same
])
def test_html_charsets(tmp_path, head, codec):
    path = tmp_path / "t.xls"
    path.write_bytes(f"<html><head>{head}</head><body><table><tr><td>部门整体绩效目标（“凤阳”）</td></tr></table></body></html>"
                     .encode(codec))
    assert load_grid(path).sheets[0].values == [["部门整体绩效目标（“凤阳”）"]]
    path.write_bytes(b"\xef\xbb\xbf" + "<table><tr><td>带BOM</td></tr></table>".encode())
    assert load_grid(path).sheets[0].values == [["带BOM"]]


def test_html_spans_are_clipped_and_limits_hold(tmp_path, monkeypatch):
    path = tmp_path / "t.xls"
    path.write_bytes(page("<table><tr><td colspan=100000 rowspan=0>x</td><td>y</td></tr></table>"))
    sheet = load_grid(path).sheets[0]
    assert sheet.merges == [(0, 0, 0, 999)] and sheet.values[0][1000] == "y"
    path.write_bytes(page("<table><tr><td colspan=1000 rowspan=65534>x</td></tr><tr><td>y</td></tr></table>"))
    with pytest.raises(ReadError, match=r"合并单元格|范围过大"):
        load_grid(path)
    path.write_bytes(page("<table><tr><td>x</td></tr></table>" * 1001))
    with pytest.raises(ReadError, match="超过 1000 个"):
        load_grid(path)
    path.write_bytes(page("<table><tr><td>" * 5000 + "深" + "</td></tr></table>" * 5000))
    with pytest.raises(ReadError, match="超过 1000 个"):
        load_grid(path)
    path.write_bytes(page("<div>" * 200_000 + "<table><tr><td>深层</td></tr></table>" + "</div>" * 200_000))
    assert load_grid(path).sheets[0].values == [["深层"]]


# ---------------------------------------------------------------------------------------------
# Files that are something else than their name says


def test_misnamed_workbooks_are_read_by_what_they_are(tmp_path, seed_form, soffice):
    src = render_form(seed_form, tmp_path / "seed.xlsx")
    xls = soffice(src, "xls", tmp_path / "lo")
    ods = soffice(src, "ods", tmp_path / "lo")
    for real, name in ((xls, "a.xlsx"), (src, "b.xls"), (ods, "c.xlsx"), (xls, "d.et"), (src, "e.xlsm")):
        path = tmp_path / name
        shutil.copyfile(real, path)
        result = read_workbook(path)
        assert result.form == seed_form, name
        notes = [f for f in result.findings if f.code == "BX018"]
        if name in ("d.et", "e.xlsm"):
            assert notes == []  # what a WPS .et or a macro workbook is
        else:
            assert len(notes) == 1 and "已按其实际格式读取" in notes[0].message


def _ole(streams: list[str]) -> bytes:
    """A minimal compound file whose directory names these streams (enough to say what it is)."""
    import struct

    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HH", header, 0x1A, 0x3E, 3)
    struct.pack_into("<HH", header, 0x1C, 0xFFFE, 9)
    struct.pack_into("<I", header, 0x2C, 1)  # one FAT sector
    struct.pack_into("<I", header, 0x30, 1)  # the directory in sector 1
    struct.pack_into("<II", header, 0x44, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([0xFFFFFFFF] * 108))
    fat = bytearray(struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126)))
    directory = bytearray(512)
    for i, name in enumerate(["Root Entry", *streams][:4]):
        raw = name.encode("utf-16-le") + b"\0\0"
        directory[i * 128 : i * 128 + len(raw)] = raw
        struct.pack_into("<H", directory, i * 128 + 0x40, len(raw))
        directory[i * 128 + 0x42] = 5 if i == 0 else 2
    return bytes(header + fat + directory)


@pytest.mark.parametrize("name,content,words", [
    ("回执.xls", "单位名称,联系人,电话\n某某局,张三,123\n".encode("gbk"), "CSV，以逗号分隔"),
    ("回执.xls", "单位名称\t联系人\n某某局\t张三\n".encode(), "CSV，以制表符分隔"),
    ("说明.xls", "这是一段说明文字，没有表格。".encode(), "纯文本文件"),
    ("扫描件.xlsx", b"%PDF-1.7\n...", "PDF"),
    ("照片.xls", b"\x89PNG\r\n\x1a\n....", "图片"),
    ("表.xls", b"{\\rtf1\\ansi ...}", "RTF"),
    ("表.xlsx", b"Rar!\x1a\x07\x00....", "RAR"),
    ("坏.xlsx", bytes(range(256)) * 4, "文件已损坏"),
    ("页.xls", b"<html><body><p>no table here</p></body></html>", "没有表格"),
    ("其他.xml", b'<?xml version="1.0"?><root><a>1</a></root>', "XML"),
    ("文档.xls", _ole(["WordDocument"]), "Word 文档"),
    ("演示.xls", _ole(["PowerPoint Document"]), "PowerPoint"),
    ("表格.et", _ole(["WpsContent"]), "WPS 中“另存为”"),
    ("加密.xlsx", _ole(["EncryptedPackage"]), "密码"),
    ("旧.xls", _ole(["Workbook"])[:700], "无法读取工作簿|文件已损坏|复合文档"),
])
def test_what_cannot_be_read_is_named_with_what_to_do(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReadError, match=words) as info:
        read_workbook(path)
    assert str(info.value).startswith(f"{path}: ")


def test_zipped_word_and_zipped_returns_are_named(tmp_path):
    docx = tmp_path / "表.xlsx"
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("_rels/.rels", "<Relationships/>")
        zf.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ReadError, match=r"Word 文档（\.docx）"):
        read_workbook(docx)
    bundle = tmp_path / "回执.xlsx"
    with zipfile.ZipFile(bundle, "w") as zf:
        zf.writestr("甲局.xlsx", b"PK")
        zf.writestr("乙局.xls", b"x")
    with pytest.raises(ReadError, match=r"内含 2 个工作簿.*collect"):
        read_workbook(bundle)


# ---------------------------------------------------------------------------------------------
# Amount units and split values in any layout


def test_a_unit_note_or_header_in_yuan_is_converted_in_any_layout(tmp_path):
    from handmade_workbooks import make_workbook

    path = make_workbook(tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert read_workbook(path).units == {"预算整体情况": "万元", "年度重点工作任务": "万元"}
    ws["C3"] = "预算金额（元）"
    ws["E3"] = "预算金额（元）"
    ws["C4"], ws["C5"], ws["E4"], ws["E5"] = 1_000_000, 500_000, 1_500_000, 0
    ws["C6"], ws["E6"] = "=SUM(C4:C5)", "=SUM(E4:E5)"
    wb.save(path)
    result = read_workbook(path)
    form = result.form
    assert [line.amount for line in form.budget.expenditures] == [Decimal(100), Decimal(50)]
    assert form.tasks[0].funds == Decimal(50)  # its header says 万元 as before
    assert result.units == {"预算整体情况": "元", "年度重点工作任务": "万元"}
    assert result.unit_text == "元（预算整体情况）；万元（年度重点工作任务）"
    # a note right of the table (单位：元) applies to every block below it that does not say otherwise
    ws["C3"] = ws["E3"] = "预算金额"
    ws["D8"] = "拟投入的资金"
    ws["D9"] = 500_000
    for note in ("F2", "H2"):  # right of the table this sheet draws (B:E), and of the layout's (B:G)
        ws["F2"] = ws["H2"] = None
        ws[note] = "金额单位：元"
        wb.save(path)
        result = read_workbook(path)
        assert result.form.tasks[0].funds == Decimal(50) and result.form.budget.revenues[0].amount == Decimal(150)
        assert {f.cell for f in result.findings if f.code == "BX019"} == {note}
        assert not [f for f in result.findings if f.code == "BX020"]
    ws["H2"] = None
    ws["B2"] = "金额单位：元"  # a unit name that reads like a note is the unit name: data, not a unit
    wb.save(path)
    result = read_workbook(path)
    assert result.form.unit_name == "金额单位：元" and result.form.tasks[0].funds == Decimal(500_000)


def test_split_values_in_a_layout_of_its_own_round_trip(tmp_path, seed_form, monkeypatch):
    """A layout asking for 符号 | 指标值 | 计量单位 is written split (parse_target) and reads back exactly."""
    import yaml

    from budgetxl import layout as layout_mod

    from conftest import ROOT

    folder = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", folder)
    data = yaml.safe_load((folder / "guangdong.yaml").read_text(encoding="utf-8"))
    data["name"] = "split"
    data["title"] = "部门整体预算绩效目标表（分栏）（{{ year }}年）"
    data["columns"] = [12, 10, 12, 26, 6, 16, 12]  # E:G, 指标值's columns, become 符号 | 指标值 | 计量单位
    for block in data["blocks"]:
        cols = block.get("columns")
        if block["key"] == "indicators":
            block["columns"] = [*cols[:3], {"field": "target.operator", "header": "符号"},
                                {**cols[3], "header": "指标值", "span": 1}, {"field": "target.unit", "header": "计量单位"}]
    (folder / "split.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("BUDGETXL_TEMPLATES", str(folder))
    for cached in (layout_mod.load_layout, layout_mod.all_layouts, layout_mod.label_index):
        cached.cache_clear()
    try:
        form = seed_form.model_copy(update={"layout": "split"})
        path = render_form(form, tmp_path / "split.xlsx")
        ws = openpyxl.load_workbook(path).active
        header = next(r for r in ws.iter_rows(values_only=True) if r[1] == "一级指标")
        assert header[1:] == ("一级指标", "二级指标", "三级指标", "符号", "指标值", "计量单位")
        first = next(r for r in ws.iter_rows(values_only=True) if r[3] == "违法建设拆除数量")
        assert first[4:] == ("≥", "25", "万平方米")
        result = read_workbook(path)
        assert result.layout == "split" and result.form == form and not result.findings
        ws.cell(ws.max_row, 5).value = "正向"  # an operator no one can read: reported, left out
        ws.parent.save(path)
        result = read_workbook(path)
        (bad,) = [f for f in result.findings if f.code == "BX022"]
        assert "正向" in bad.message and bad.cell == f"E{ws.max_row}"
    finally:
        monkeypatch.delenv("BUDGETXL_TEMPLATES")
        for cached in (layout_mod.load_layout, layout_mod.all_layouts, layout_mod.label_index):
            cached.cache_clear()


def test_a_layout_stating_a_unit_other_than_its_own_is_refused():
    from budgetxl.errors import LayoutError
    from budgetxl.layout import _raw_layout, layout_from_data

    data = _raw_layout("guangdong")
    data["blocks"][2] = {**data["blocks"][2], "unit": "元"}  # headers still say 预算金额（万元）
    with pytest.raises(LayoutError, match=r"万元.*unit 为 元"):
        layout_from_data(data, "bad")

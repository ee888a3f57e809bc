"""Zips of returns in collect and check: each workbook in a zip is a return, with every guard of a
file and the zip's own limits; Windows (GBK) member names; the summary names zip and member. And
a macro workbook (.xlsm) annotated as a plain .xlsx."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from budgetxl.collect import collect
from budgetxl.errors import ReadError
from budgetxl.model import BudgetLine
from budgetxl.read import read_workbook
from budgetxl.read.archive import Member, decode_name, list_members
from budgetxl.render import render_form


class _GbkInfo(zipfile.ZipInfo):
    """A member named in GBK without the UTF-8 flag, as Windows in Chinese zips it."""

    def __init__(self, name: str) -> None:
        super().__init__(name.encode("gbk").decode("cp437"))
        self.compress_type = zipfile.ZIP_DEFLATED
        self._gbk = name.encode("gbk")

    def _encodeFilenameFlags(self):
        return self._gbk, self.flag_bits & ~0x800


@pytest.fixture(scope="module")
def folder(tmp_path_factory, seed_form) -> Path:
    """A bureau's returns: in sub-folders, one damaged, one whose name is GBK in the zip, a lock
    file and a note."""
    root = tmp_path_factory.mktemp("returns") / "回执"
    (root / "财政局").mkdir(parents=True)
    (root / "街道" / "凤阳").mkdir(parents=True)
    render_form(seed_form, root / "街道" / "凤阳" / "凤阳街道.xlsx")
    other = seed_form.model_copy(update={"unit_name": "某某区教育局", "budget": seed_form.budget.model_copy(update={
        "revenues": (BudgetLine(name="财政拨款", amount=Decimal("100")), BudgetLine(name="其他资金", amount=Decimal("0")))})})
    render_form(other, root / "财政局" / "教育局.xlsx")
    render_form(seed_form.model_copy(update={"unit_name": "某某区卫生健康局"}), root / "卫生健康局.xlsx")
    good = (root / "卫生健康局.xlsx").read_bytes()
    (root / "财政局" / "损坏.xlsx").write_bytes(good[: len(good) // 2])
    (root / "财政局" / "~$教育局.xlsx").write_bytes(b"\x00owner")
    (root / "说明.txt").write_text("各单位回执", encoding="utf-8")
    return root


def zip_folder(folder: Path, target: Path, gbk: tuple[str, ...] = ()) -> Path:
    """The folder zipped as Windows does: names in GBK without the UTF-8 flag for those in `gbk`."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                info = _GbkInfo(name) if name in gbk else zipfile.ZipInfo(name)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    return target


def test_gbk_names_are_decoded(folder, tmp_path):
    archive = zip_folder(folder, tmp_path / "回执.zip", gbk=("卫生健康局.xlsx",))
    with zipfile.ZipFile(archive) as zf:
        raw = next(i for i in zf.infolist() if not i.flag_bits & 0x800 and "xlsx" in i.filename and "/" not in i.filename)
        assert raw.filename != "卫生健康局.xlsx"  # what zipfile makes of it
        assert decode_name(raw) == "卫生健康局.xlsx"
    members, others = list_members(archive)
    assert sorted(m.name for m in members) == ["卫生健康局.xlsx", "街道/凤阳/凤阳街道.xlsx", "财政局/损坏.xlsx", "财政局/教育局.xlsx"]
    assert sorted(why for _, why in others) == [  # 说明.txt and the lock file, skipped as in a folder
        "Excel、WPS 或 LibreOffice 打开文件时留下的临时文件", "不是电子表格（扩展名 .txt）"]
    assert all(shown.startswith(f"{archive} › ") for shown, _ in others)
    assert str(members[0]).startswith(f"{archive} › ")


def test_a_zip_of_returns_collects_like_the_folder(folder, tmp_path):
    archive = zip_folder(folder, tmp_path / "回执.zip", gbk=("卫生健康局.xlsx", "财政局/教育局.xlsx"))
    from_folder = collect([folder], tmp_path / "folder.xlsx", csv_dir=tmp_path / "f", jobs=2)
    from_zip = collect([archive], tmp_path / "zip.xlsx", csv_dir=tmp_path / "z", jobs=2)

    def key(rec):
        return (rec.unit_name, rec.status, rec.errors, rec.warnings, rec.infos, rec.expenditures, rec.n_tasks,
                rec.n_indicators, rec.units, rec.reason.split("：")[0][:8] if rec.reason else "")

    assert sorted(map(key, from_zip.records)) == sorted(map(key, from_folder.records))
    assert from_zip.counts == from_folder.counts == {"ok": 0, "warnings": 2, "errors": 1, "unreadable": 1}
    assert from_zip.skipped == from_folder.skipped == 2
    damaged = next(r for r in from_zip.records if r.status == "unreadable")
    assert (damaged.path, damaged.member) == (str(archive), "财政局/损坏.xlsx") and "损坏" in damaged.reason
    assert {r.member for r in from_zip.records} == {"卫生健康局.xlsx", "街道/凤阳/凤阳街道.xlsx", "财政局/损坏.xlsx",
                                                    "财政局/教育局.xlsx"}
    ws = openpyxl.load_workbook(tmp_path / "zip.xlsx")["汇总"]
    header = [str(c.value).replace("\n", "") for c in ws[1]]
    files = [str(row[header.index("文件")]) for row in ws.iter_rows(min_row=2, values_only=True)]
    link = next(f for f in files if "卫生健康局.xlsx" in f)  # named after the zip and the member, linked to the zip
    assert link.startswith('=HYPERLINK("') and '回执.zip","' in link and "回执.zip › 卫生健康局.xlsx" in link
    assert any("回执.zip › 财政局/教育局.xlsx" in f for f in files)
    assert {row[header.index("金额单位")] for row in ws.iter_rows(min_row=2, values_only=True)} == {"万元", None}
    forms_csv = (tmp_path / "z" / "forms.csv").read_text(encoding="utf-8-sig")
    assert "回执.zip › 财政局/损坏.xlsx" in forms_csv


def test_zips_inside_zips_one_level(folder, tmp_path):
    inner = zip_folder(folder / "财政局", tmp_path / "财政局.zip")
    outer = tmp_path / "全部.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.write(inner, "财政局.zip")
        zf.write(folder / "卫生健康局.xlsx", "卫生健康局.xlsx")
        deeper = tmp_path / "deeper.zip"
        with zipfile.ZipFile(deeper, "w") as dz:
            dz.write(inner, "财政局.zip")
        zf.write(deeper, "两层.zip")
        zf.writestr("../../逃逸.xlsx", (folder / "卫生健康局.xlsx").read_bytes())  # never a path: only a name
    notes: list[str] = []
    members, _ = list_members(outer, notes)
    assert sorted(m.inner for m in members) == ["../../逃逸.xlsx", "卫生健康局.xlsx", "财政局.zip › 损坏.xlsx",
                                                "财政局.zip › 教育局.xlsx"]
    assert len(notes) == 1 and "两层以上" in notes[0]
    nested = next(m for m in members if m.name == "教育局.xlsx")
    assert read_workbook(nested).form.unit_name == "某某区教育局"
    assert not (tmp_path.parent / "逃逸.xlsx").exists()


def test_zip_limits_and_damage(tmp_path, folder, monkeypatch):
    import budgetxl.read.archive as archive_mod

    book = (folder / "卫生健康局.xlsx").read_bytes()
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.xlsx", book)
        zf.writestr("大.xlsx", b"\0" * (8 * 1024 * 1024))  # 8 MB of zeros: far above 200:1
    members, _ = list_members(bomb)
    big = next(m for m in members if m.name == "大.xlsx")
    with pytest.raises(ReadError, match="压缩比异常"):
        read_workbook(big)
    assert read_workbook(next(m for m in members if m.name == "a.xlsx")).form.unit_name == "某某区卫生健康局"
    monkeypatch.setattr(archive_mod, "MAX_MEMBERS", 1)
    with pytest.raises(ReadError, match="文件数量异常"):
        list_members(bomb)
    monkeypatch.undo()
    broken = tmp_path / "断.zip"
    broken.write_bytes(bomb.read_bytes()[:200])
    with pytest.raises(ReadError, match="压缩包已损坏"):
        list_members(broken)
    locked = tmp_path / "locked.zip"
    with zipfile.ZipFile(locked, "w") as zf:
        zf.writestr("密.xlsx", book)
    data = bytearray(locked.read_bytes())  # the "encrypted" flag, in the local and the central header
    data[6] |= 0x1  # the local header starts the file; the central one is the last
    data[data.rfind(b"PK\x01\x02") + 8] |= 0x1
    locked.write_bytes(bytes(data))
    (member,) = list_members(locked)[0]
    with pytest.raises(ReadError, match="设有密码"):
        read_workbook(member)
    result = collect([broken, bomb], tmp_path / "out.xlsx", jobs=1)
    reasons = {(r.path, r.member): r.reason for r in result.records if r.status == "unreadable"}
    assert any("压缩包已损坏" in why for why in reasons.values()) and any("压缩比异常" in why for why in reasons.values())


def test_check_reads_each_workbook_of_a_zip(folder, tmp_path):
    archive = zip_folder(folder, tmp_path / "回执.zip", gbk=("卫生健康局.xlsx",))
    run = subprocess.run([str(Path(sys.executable).parent / "budgetxl"), "check", str(archive), "--json"], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 2, run.stderr  # one member cannot be read
    assert "回执.zip › 财政局/损坏.xlsx" in run.stderr and "共 4 个文件" in run.stderr
    import json

    reports = json.loads(run.stdout)
    assert sorted(r["source"].split(" › ")[1] for r in reports) == ["卫生健康局.xlsx", "街道/凤阳/凤阳街道.xlsx",
                                                                  "财政局/教育局.xlsx"]


def test_an_xlsm_is_annotated_as_a_plain_xlsx(tmp_path, seed_form):
    from budgetxl.rules import check_file
    from budgetxl.rules.annotate import annotate

    plain = render_form(seed_form, tmp_path / "seed.xlsx")
    xlsm = tmp_path / "带宏.xlsm"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(xlsm, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml").replace(
                    b"application/vnd.openxmlformats-officedocument.sheet.macroEnabled",
                    b"application/vnd.ms-excel.sheet.macroEnabled")
                data = data.replace(b"<Default Extension=\"xml\"",
                                    b"<Default Extension=\"bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/>"
                                    b"<Default Extension=\"xml\"")
            zout.writestr(info, data)
        zout.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    assert b"macroEnabled" in zipfile.ZipFile(xlsm).read("[Content_Types].xml")
    result = read_workbook(xlsm)
    assert result.form == seed_form and not [f for f in result.findings if f.code == "BX018"]
    out = annotate(xlsm, check_file(xlsm), tmp_path / "带宏-审核.xlsx")
    with zipfile.ZipFile(out) as zf:
        assert "xl/vbaProject.bin" not in zf.namelist()
        assert b"macroEnabled" not in zf.read("[Content_Types].xml")
    assert openpyxl.load_workbook(out).sheetnames[0] == "审核结果"
    from budgetxl.errors import InputError

    with pytest.raises(InputError, match=r"\.xlsx"):
        annotate(xlsm, check_file(xlsm), tmp_path / "x.xlsm")


def test_member_is_a_value(tmp_path):
    m = Member("a.zip", "x/y.xlsx", "x/y.xlsx")
    assert str(m) == "a.zip › x/y.xlsx" and m.suffix == ".xlsx" and replace(m) == m and hash(m) == hash(replace(m))


def test_last_years_returns_may_come_zipped(tmp_path, seed_form):
    last = tmp_path / "2022"
    last.mkdir()
    render_form(seed_form.model_copy(update={"year": 2022}), last / "凤阳街道-2022.xlsx")
    archive = zip_folder(last, tmp_path / "上年.zip", gbk=("凤阳街道-2022.xlsx",))
    previous = tmp_path / "previous"
    previous.mkdir()
    archive.rename(previous / "上年.zip")
    now = tmp_path / "2023"
    now.mkdir()
    render_form(seed_form, now / "凤阳街道.xlsx")
    result = collect([now], tmp_path / "比较.xlsx", previous=previous, jobs=1)
    (record,) = result.records
    assert record.comparison is not None and str(record.comparison.previous).endswith("上年.zip › 凤阳街道-2022.xlsx")
    assert record.comparison.previous_year == 2022 and record.comparison.tasks == (0, 0, 0)
    ws = openpyxl.load_workbook(tmp_path / "比较.xlsx")["与上年比较"]
    assert any("上年.zip › 凤阳街道-2022.xlsx" in str(c.value) for row in ws.iter_rows(min_row=2) for c in row)

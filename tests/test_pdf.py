"""PDF export through a real LibreOffice: pages as planned, the labels on each page, fonts
embedded, no clipped text; and the command's failures (no LibreOffice, timeout, bad input)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from xml.dom import minidom

import pytest

from budgetxl.errors import InputError, OutputError, ReadError, ToolMissingError
from budgetxl.model import load_form
from budgetxl.pdf import INSTALL_HINT, export_pdf, find_soffice, font_replacements, write_profile
from budgetxl.render import page_geometry, paginate, plan_form, render_form
from budgetxl.text import column_px

from conftest import IN_CI, ROOT, SEED, soffice_path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def need_tools() -> None:
    missing = [t for t in ("pdftotext", "pdffonts") if shutil.which(t) is None]
    if soffice_path() is None:
        missing.insert(0, "soffice")
    if missing:
        why = f"{', '.join(missing)} not installed: apt-get install -y libreoffice-calc-nogui fonts-noto-cjk poppler-utils"
        if IN_CI:
            pytest.fail(why + " (CI must have them: .ci/run installs them)")
        pytest.skip(why)


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory) -> Path:
    need_tools()
    return export_pdf(SEED, tmp_path_factory.mktemp("pdf") / "seed.pdf")


@pytest.fixture(scope="module")
def seed_plan():
    return paginate(plan_form(load_form(SEED)))


# ---------------------------------------------------------------------------------------------
# Reading a PDF back: pages of text, words with their boxes

WORD_RE = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
PAGE_RE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


def layout_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def word_pages(pdf: Path) -> list[tuple[float, float, list[tuple[float, float, float, float, str]]]]:
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for width, height, body in PAGE_RE.findall(html):
        words = [(float(a), float(b), float(c), float(d), _unescape(t)) for a, b, c, d, t in WORD_RE.findall(body)]
        pages.append((float(width), float(height), words))
    return pages


def _unescape(text: str) -> str:
    return minidom.parseString(f"<w>{text}</w>").documentElement.firstChild.data if text else ""


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


class PrintedPage:
    """A PDF page matched to its page of the plan: column edges from the layout's widths (the
    table fills the printable width), the scale and top from the rows whose one-line text is
    found exactly once (a least-squares fit), then every word placed in its cell."""

    def __init__(self, plan, page, width: float, height: float, words) -> None:
        layout = plan.layout
        g = page_geometry(layout)
        px = [column_px(c) for c in layout.columns]
        self.edges = [(width - g.printable_width) / 2]
        for p in px:
            self.edges.append(self.edges[-1] + g.printable_width * p / sum(px))
        self.plan, self.page = plan, page
        self.words = [w for w in words if w[1] < height - layout.page.margins.bottom * 72]  # no footer
        self.footer = [w for w in words if w[1] >= height - layout.page.margins.bottom * 72]
        self.tops: dict[int, float] = {}
        acc = 0.0
        for r in range(page.first_row, page.last_row + 1):
            self.tops[r] = acc
            acc += plan.row_heights[r]
        counts: dict[str, int] = {}
        for w in self.words:
            counts[w[4]] = counts.get(w[4], 0) + 1
        pts = []
        for c in plan.cells:
            if c.row in self.tops and c.row == c.last_row and isinstance(c.value, str) and " " not in c.value \
                    and c.value and counts.get(squash(c.value)) == 1:
                w = next(w for w in self.words if w[4] == squash(c.value))
                pts.append((self.tops[c.row] + plan.row_heights[c.row] / 2, (w[1] + w[3]) / 2))
        assert len(pts) >= 3, f"page {page.number}: too few one-line cells to place the rows"
        n, sx, sy = len(pts), sum(p[0] for p in pts), sum(p[1] for p in pts)
        sxx, sxy = sum(p[0] ** 2 for p in pts), sum(p[0] * p[1] for p in pts)
        self.scale = (n * sxy - sx * sy) / (n * sxx - sx * sx)
        self.top = (sy - self.scale * sx) / n
        self.fit_error = max(abs(self.top + self.scale * x - y) for x, y in pts)

    def cell_of(self, word):
        x0, y0, x1, y1, _ = word
        xc, yc = (x0 + x1) / 2, (y0 + y1) / 2
        col = max(i for i in range(len(self.edges) - 1) if self.edges[i] <= xc)
        sheet_y = (yc - self.top) / self.scale
        row = max((r for r, t in self.tops.items() if t <= sheet_y), default=self.page.first_row)
        return self.plan.cell_at(row, col)

    def band(self, cell) -> tuple[float, float, float, float]:
        y0 = self.top + self.scale * self.tops[cell.row]
        y1 = self.top + self.scale * (self.tops[cell.last_row] + self.plan.row_heights[cell.last_row])
        return self.edges[cell.col], y0, self.edges[cell.last_col + 1], y1

    def column_text(self, col: int) -> str:
        """The words whose centre lies in column `col`, top to bottom."""
        inside = [w for w in self.words if self.edges[col] <= (w[0] + w[2]) / 2 < self.edges[col + 1]]
        return "".join(w[4] for w in sorted(inside, key=lambda w: (round(w[1], 1), w[0])))


def printed_pages(plan, pdf: Path) -> list[PrintedPage]:
    pages = word_pages(pdf)
    assert len(pages) == len(plan.pages)
    return [PrintedPage(plan, page, w, h, words) for page, (w, h, words) in zip(plan.pages, pages)]


def clipped_words(printed: PrintedPage, tolerance: float = 1.0) -> list[str]:
    """Words outside the cell they belong to (a cut-off line lands outside its cell's box)."""
    problems = []
    for word in printed.words:
        cell = printed.cell_of(word)
        text = word[4]
        if cell is None:
            problems.append(f"{text}: 不在任何单元格内")
            continue
        value = format(cell.value, "f") if isinstance(cell.value, Decimal) else str(cell.value or "")
        if not isinstance(cell.value, Decimal) and squash(text) not in squash(value):
            problems.append(f"{text}: 落在别的单元格（{value[:20]}）")
            continue
        x0, y0, x1, y1 = printed.band(cell)
        if word[1] < y0 - tolerance or word[3] > y1 + tolerance or word[0] < x0 - 3 or word[2] > x1 + 3:
            problems.append(f"{text}: 超出单元格 {word[:4]} ∉ {(x0, y0, x1, y1)}")
    return problems


# ---------------------------------------------------------------------------------------------
# The seed, page by page


@pytest.mark.soffice
def test_seed_pdf_has_the_planned_pages(seed_pdf, seed_plan):
    pages = layout_pages(seed_pdf)
    n = len(seed_plan.pages)
    assert len(pages) == n >= 2
    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页，共 {n} 页" in text


@pytest.mark.soffice
def test_seed_pdf_shows_each_pages_labels(seed_pdf, seed_plan):
    """On every page: the block labels, the 一级/二级 labels and the headers that the plan puts on
    that page, in the plan's order; a label repeated at a break shows on both pages."""
    texts = layout_pages(seed_pdf)
    for printed, text in zip(printed_pages(seed_plan, seed_pdf), texts):
        page = printed.page
        for col in range(3):
            want = [c.value for c in seed_plan.cells
                    if page.first_row <= c.row <= page.last_row and c.col == col == c.last_col
                    and c.style in ("label", "level", "header") and c.value]  # a header over B:C straddles both
            got = printed.column_text(col)
            pos = 0
            for label in want:
                found = got.find(squash(label), pos)
                assert found >= 0, f"page {page.number}, column {col}: {label} not found after {got[:pos][-20:]!r}"
                pos = found + len(squash(label))
        if page.repeated_header_row is not None:
            first_line = next(line for line in text.splitlines() if line.strip())
            assert squash(first_line).startswith("一级指标二级指标三级指标指标值")
    # The published table's repeats: 其他需完成的任务（可选填） and 绩效指标 on more than one page.
    for label in ("其他需完成的任务（可选填）", "绩效指标", "产出指标"):
        on = [p.page.number for p in printed_pages(seed_plan, seed_pdf) if squash(label) in p.column_text(0 if label != "产出指标" else 1)]
        assert len(on) >= 2, (label, on)


@pytest.mark.soffice
def test_seed_pdf_has_no_clipped_text(seed_pdf, seed_plan):
    for printed in printed_pages(seed_plan, seed_pdf):
        assert printed.fit_error < 2.0, f"page {printed.page.number}: rows do not line up with the plan"
        # LibreOffice prints no larger than the plan assumed: the planned pages fit.
        assert printed.scale <= page_geometry(seed_plan.layout).scale + 0.005
        assert clipped_words(printed) == [], f"page {printed.page.number}"
    # Every character of the form is in the PDF.
    everything = squash("".join(layout_pages(seed_pdf)))
    form = load_form(SEED)
    for text in [form.unit_name, form.overall_goal] + [t.goal for t in form.tasks] + [i.target for i in form.indicators]:
        for line in text.split():
            assert squash(line)[:12] in everything


@pytest.mark.soffice
def test_the_clipping_check_finds_a_row_that_is_too_short(tmp_path, seed_plan):
    """The check above can fail: a row squeezed below its text puts lines outside their cell."""
    need_tools()
    import dataclasses

    from budgetxl.render import write_plan

    task = seed_plan.field_cells()["tasks[0].goal"][0]
    heights = list(seed_plan.row_heights)
    heights[task] = 40.0
    squeezed = dataclasses.replace(seed_plan, row_heights=tuple(heights))
    pdf = export_pdf(write_plan(squeezed, tmp_path / "squeezed.xlsx"), tmp_path / "squeezed.pdf")
    problems = clipped_words(printed_pages(squeezed, pdf)[0])
    assert any("在2023年按季度" in p for p in problems), problems


@pytest.mark.soffice
def test_seed_pdf_embeds_chinese_fonts(seed_pdf):
    out = subprocess.run(["pdffonts", str(seed_pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows
    # columns: name, type (one to three words), encoding, emb, sub, uni, object, ID
    assert all(r[-5] == "yes" for r in rows), out
    assert any(re.search(r"CJK|Sim|Song|Hei|Fang|Kai", r[0]) for r in rows), out


@pytest.mark.soffice
def test_pdf_from_the_rendered_workbook_matches_the_form_file(tmp_path, seed_pdf, seed_plan):
    need_tools()
    book = render_form(load_form(SEED), tmp_path / "seed.xlsx")
    before = sha(book)
    pdf = export_pdf(book)
    assert pdf == tmp_path / "seed.pdf"
    assert sha(book) == before
    assert [squash(t) for t in layout_pages(pdf)] == [squash(t) for t in layout_pages(seed_pdf)]


@pytest.mark.soffice
def test_parallel_runs_do_not_collide(tmp_path, seed_plan):
    need_tools()
    book = render_form(load_form(SEED), tmp_path / "seed.xlsx")
    targets = [tmp_path / f"out{i}.pdf" for i in range(3)]
    with ThreadPoolExecutor(3) as pool:
        done = list(pool.map(lambda t: export_pdf(book, t), targets))
    assert done == targets
    for pdf in targets:
        assert len(layout_pages(pdf)) == len(seed_plan.pages)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out0.pdf", "out1.pdf", "out2.pdf", "seed.xlsx"]


@pytest.mark.soffice
def test_a_workbook_made_by_someone_else_prints(tmp_path, real_dir):
    need_tools()
    book = sorted(real_dir.glob("*.xlsx"))[0]
    before = sha(book)
    pdf = export_pdf(book, tmp_path / "real.pdf")
    assert sha(book) == before
    assert "绩效指标" in squash("".join(layout_pages(pdf)))


@pytest.mark.soffice
def test_what_budget_systems_send_prints_whatever_its_name(tmp_path, seed_form):
    """An Excel 2003 XML export named .xml and a web page named .htm are workbooks by their
    content: printed as read takes them, not refused for their names."""
    from system_exports import system_grid, write_html, write_spreadsheetml

    need_tools()
    sheet = system_grid(seed_form)
    for src in (write_spreadsheetml(tmp_path / "预算系统导出.xml", [sheet]), write_html(tmp_path / "导出页面.htm", [sheet])):
        before = sha(src)
        pdf = export_pdf(src, tmp_path / f"{src.stem}.pdf")
        assert sha(src) == before
        text = squash("".join(layout_pages(pdf)))
        assert "部门整体预算绩效目标表（2023年）" in text and "绩效指标" in text, src.name


# ---------------------------------------------------------------------------------------------
# Fonts and the profile


def test_missing_chinese_fonts_fall_back_to_noto_cjk():
    installed = frozenset({"Noto Serif CJK SC", "Noto Sans CJK SC", "Liberation Serif"})
    pairs = dict(font_replacements(installed))
    assert pairs["宋体"] == "Noto Serif CJK SC" and pairs["SimSun"] == "Noto Serif CJK SC"
    assert pairs["黑体"] == "Noto Sans CJK SC"
    assert pairs["Calibri"] == "Liberation Serif"
    # Installed fonts are kept; a better stand-in wins; no stand-in, no replacement.
    pairs = dict(font_replacements(frozenset({"宋体", "Carlito", "Noto Sans CJK SC"})))
    assert "宋体" not in pairs and pairs["Calibri"] == "Carlito" and pairs["仿宋"] == "Noto Sans CJK SC"
    assert font_replacements(frozenset()) == []


def test_profile_holds_the_replacement_table(tmp_path):
    write_profile(tmp_path, [("宋体", "Noto Serif CJK SC"), ("A&B", "C<D")])
    xml = (tmp_path / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
    doc = minidom.parseString(xml.encode("utf-8"))
    values = [v.firstChild.data for v in doc.getElementsByTagName("value")]
    assert values[0] == "true"
    assert [v for v in values if v not in ("true", "false")] == ["宋体", "Noto Serif CJK SC", "A&B", "C<D"]


# ---------------------------------------------------------------------------------------------
# Failures


def fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake-soffice"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_missing_libreoffice_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("BUDGETXL_SOFFICE", raising=False)
    with pytest.raises(ToolMissingError) as exc:
        find_soffice()
    assert INSTALL_HINT in str(exc.value) and "libreoffice-calc-nogui" in str(exc.value)
    target = tmp_path / "x.pdf"
    with pytest.raises(ToolMissingError):
        export_pdf(SEED, target)
    assert not target.exists()


def test_a_hanging_libreoffice_is_ended_after_the_timeout(tmp_path):
    pidfile = tmp_path / "pid"
    script = fake_soffice(tmp_path, f"echo $$ > {pidfile}\nsleep 60 &\necho $! >> {pidfile}\nwait")
    target = tmp_path / "out.pdf"
    start = time.monotonic()
    with pytest.raises(OutputError, match="2 秒内没有完成"):
        export_pdf(SEED, target, timeout=2, soffice=script)
    assert time.monotonic() - start < 30
    assert not target.exists()
    time.sleep(0.2)
    for pid in map(int, pidfile.read_text().split()):
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2], pid


def test_libreoffice_failing_is_one_clear_error(tmp_path):
    script = fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2\nexit 3")
    target = tmp_path / "out.pdf"
    with pytest.raises(OutputError, match="未能生成 PDF（退出码 3）（Error: source file could not be loaded）"):
        export_pdf(SEED, target, soffice=script)
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-soffice"]


@pytest.mark.parametrize("name,content,error,words", [
    ("notes.txt", "x", ReadError, "纯文本文件，不是电子表格"),  # told by its content, as read tells it
    ("broken.xlsx", "这不是表格", ReadError, "不是电子表格"),
    ("empty.xlsx", "", ReadError, "空的"),
    ("bad.yaml", "year: [", InputError, "bad.yaml"),
])
def test_bad_inputs_are_refused_before_libreoffice_runs(tmp_path, name, content, error, words):
    script = fake_soffice(tmp_path, f"touch {tmp_path}/ran")
    src = tmp_path / name
    src.write_text(content, encoding="utf-8")
    with pytest.raises(error, match=words):
        export_pdf(src, tmp_path / "out.pdf", soffice=script)
    assert not (tmp_path / "ran").exists() and not (tmp_path / "out.pdf").exists()


def test_an_existing_pdf_is_kept_when_the_export_fails(tmp_path):
    target = tmp_path / "keep.pdf"
    target.write_bytes(b"%PDF-1.4 old")
    script = fake_soffice(tmp_path, "exit 1")
    with pytest.raises(OutputError):
        export_pdf(SEED, target, soffice=script)
    assert target.read_bytes() == b"%PDF-1.4 old"


# ---------------------------------------------------------------------------------------------
# The command


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("budgetxl")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from budgetxl.cli import main; main()"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env={**os.environ, **(env or {})},
                          cwd=ROOT, timeout=300)


@pytest.mark.soffice
def test_pdf_command_writes_the_pdf(tmp_path, seed_plan):
    need_tools()
    out = tmp_path / "seed.pdf"
    before = sha(SEED)
    res = run_cli("pdf", str(SEED), "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == str(out)
    assert len(layout_pages(out)) == len(seed_plan.pages)
    assert sha(SEED) == before


def test_pdf_command_failures_exit_non_zero_without_traceback(tmp_path):
    res = run_cli("pdf", str(SEED), "-o", str(tmp_path / "x.pdf"), env={"BUDGETXL_SOFFICE": str(tmp_path / "none")})
    assert res.returncode == 1 and "apt-get install -y libreoffice-calc-nogui" in res.stderr
    assert "Traceback" not in res.stderr
    res = run_cli("pdf", str(tmp_path / "missing.xlsx"))
    assert res.returncode == 2 and "不存在" in res.stderr and "Traceback" not in res.stderr
    res = run_cli("pdf", str(SEED), "-o", str(tmp_path / "x.png"))
    assert res.returncode == 2 and ".pdf" in res.stderr
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.soffice
def test_readme_python_example_runs(tmp_path):
    """The Python example of the README's "PDF and HTML reports" section, as written."""
    need_tools()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## PDF and HTML reports"):]
    section = section[: section.index("\n## ", 5)]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    (tmp_path / "inputs").symlink_to(ROOT / "inputs")
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    plan = paginate(plan_form(load_form(SEED)))
    assert str(plan.breaks) in res.stdout
    assert len(layout_pages(tmp_path / "outputs" / "fengyang-2023.pdf")) == len(plan.pages)
    assert "未变" in (tmp_path / "outputs" / "same.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# The Normal style: the form's font, so that any program measures the columns alike


def normal_font(path: Path) -> tuple[str, float]:
    """The font of a workbook's Normal style (the first cell style's font in styles.xml)."""
    styles = minidom.parseString(zipfile.ZipFile(path).read("xl/styles.xml"))
    normal = next(x for x in styles.getElementsByTagName("cellStyleXfs")[0].getElementsByTagName("xf"))
    font = styles.getElementsByTagName("fonts")[0].getElementsByTagName("font")[int(normal.getAttribute("fontId"))]
    return (font.getElementsByTagName("name")[0].getAttribute("val"),
            float(font.getElementsByTagName("sz")[0].getAttribute("val")))


def test_every_workbook_has_the_forms_font_as_its_normal_style(tmp_path):
    """Form, template, comparison and summary: Normal is 宋体 10 (a digit 7 px wide in Excel, the
    unit the widths are planned in), not Calibri 11, which is missing on Linux and 信创 PCs."""
    from budgetxl.render.template import make_template

    form = render_form(load_form(SEED), tmp_path / "form.xlsx")
    template = make_template(tmp_path / "template.xlsx", "某局", 2024)
    res = run_cli("diff", str(SEED), str(SEED), "-o", str(tmp_path / "same.xlsx"))
    assert res.returncode == 0, res.stderr
    res = run_cli("collect", str(form), "-o", str(tmp_path / "summary.xlsx"))
    assert res.returncode in (0, 1), res.stderr
    for path in (form, template, tmp_path / "same.xlsx", tmp_path / "summary.xlsx"):
        assert normal_font(path) == ("宋体", 10.0), path.name
        # and no font follows the theme's (Calibri): each names its own
        assert b'<scheme val="minor"/>' not in zipfile.ZipFile(path).read("xl/styles.xml"), path.name
    assert column_px(8.43) == 64  # Excel's default column in that unit


@pytest.mark.soffice
def test_a_plain_libreoffice_prints_the_form_near_its_size(tmp_path, soffice, seed_pdf):
    """Printed by a LibreOffice of its own (no budgetxl replacement table, Calibri missing), the
    form's text is within 15 % of its size in `budgetxl pdf` (with a Calibri Normal style it
    printed at 78 %: the stand-in's wider digits made every column wider)."""
    from printed import printed_sizes

    rendered = render_form(load_form(SEED), tmp_path / "form.xlsx")
    plain = soffice(rendered, "pdf", tmp_path / "plain")
    expected = min(printed_sizes(seed_pdf))
    shown = min(printed_sizes(plain))
    assert shown >= 0.85 * expected, (shown, expected)

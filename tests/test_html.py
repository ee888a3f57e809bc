"""HTML reports of check and diff, opened in a real headless Chromium: the page loads, shows the
expected rows, marks the changes, needs nothing from outside, and a screenshot is taken."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from budgetxl.diff import diff_forms
from budgetxl.html import check_html, diff_html, marked, write_check_html, write_diff_html
from budgetxl.model import form_from_data, load_form, read_data
from budgetxl.report import Finding, Report
from budgetxl.rules.check import check_file, in_reading_order

from conftest import IN_CI, ROOT, SEED

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # the page must need nothing from any host
]


@pytest.fixture(scope="session")
def chromium() -> str:
    exe = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or "")
                if p and Path(p).is_file()), None)
    if exe is None:
        if IN_CI:
            pytest.fail("Chromium must be installed in CI (.ci/run installs the Debian package chromium)")
        pytest.skip("Chromium is not installed: apt-get install -y chromium")
    return exe


def browse(chromium: str, page: Path, tmp: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"chromium-{page.stem}"
    return subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
                          capture_output=True, text=True, timeout=180, check=True)


def dom(chromium: str, page: Path, tmp: Path) -> Node:
    """The page as the browser built it (after parsing, styles and layout)."""
    out = browse(chromium, page, tmp, "--dump-dom").stdout
    assert "<html" in out, out[:500]
    return parse(out)


def screenshot(chromium: str, page: Path, tmp: Path, size: tuple[int, int] = (1280, 1800)) -> Path:
    png = tmp / f"{page.stem}.png"
    browse(chromium, page, tmp, f"--screenshot={png}", f"--window-size={size[0]},{size[1]}")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == size
    assert len(data) > 20_000, "the screenshot is (nearly) blank"
    return png


# ---------------------------------------------------------------------------------------------
# A small DOM for assertions


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def all(self, tag: str = "*", cls: str | None = None, **attrs: str) -> list[Node]:
        out = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if (tag in ("*", child.tag)) and (cls is None or cls in child.classes) and all(
                    child.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                out.append(child)
            out.extend(child.all(tag, cls, **attrs))
        return out


VOID = {"meta", "br", "link", "img", "input", "hr"}


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.node = Node("#root", {}, None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.node)
        self.node.children.append(node)
        if tag not in VOID:
            self.node = node

    def handle_endtag(self, tag):
        node = self.node
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.node = node.parent

    def handle_data(self, data):
        self.node.children.append(data)


def parse(text: str) -> Node:
    b = _Builder()
    b.feed(text)
    return b.root


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_self_contained(html: str) -> None:
    assert not re.search(r"<(link|script|img|iframe|object|embed)\b", html, re.I), "external parts"
    assert not re.search(r"\b(src|srcset)\s*=", html, re.I)
    assert not re.search(r"url\(|@import|https?://", html, re.I)
    assert "<style>" in html


# ---------------------------------------------------------------------------------------------
# check --html


@pytest.fixture
def broken_form_file(tmp_path) -> Path:
    data = read_data(SEED)
    data["unit_name"] = ""
    data["budget"]["revenues"][0]["amount"] = "-5"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_check_page_in_chromium_shows_every_finding(chromium, tmp_path, broken_form_file):
    reports = [check_file(broken_form_file), check_file(SEED)]
    page = write_check_html(tmp_path / "report.html", reports, unreadable=["lost.xlsx"])
    html = page.read_text(encoding="utf-8")
    assert_self_contained(html)
    doc = dom(chromium, page, tmp_path)
    assert doc.all("title")[0].text == "部门整体预算绩效目标表 审核结果"
    sections = doc.all("section", "file")
    assert [s.attrs["data-source"] for s in sections] == [str(broken_form_file), str(SEED)]
    assert [s.attrs["data-state"] for s in sections] == ["error", "warning"]
    for section, report in zip(sections, reports):
        rows = section.all("tr", "finding")
        ordered = in_reading_order(report.findings)
        assert [r.attrs["data-code"] for r in rows] == [f.code for f in ordered]
        assert [r.attrs["data-where"] for r in rows] == [f.where for f in ordered]
        for row, f in zip(rows, ordered):
            assert f"sev-{f.severity}" in row.classes
            assert squash(row.all("td", "message")[0].text) == squash(f.message)
    first = sections[0].all("tr", "finding")
    assert {"BX101", "BX111"} <= {r.attrs["data-code"] for r in first}
    assert first[0].all("td")[2].text.strip(), "the rule's title is shown"
    totals = {b.attrs["data-severity"]: int(b.text) for b in doc.all("b") if "data-severity" in b.attrs}
    assert totals == {s: sum(r.counts[s] for r in reports) for s in ("error", "warning", "info")}
    assert [li.text for li in doc.all("li", "unreadable")] == ["lost.xlsx"]
    assert [a.attrs["href"] for a in doc.all("nav")[0].all("a")] == ["#file-1", "#file-2"]
    screenshot(chromium, page, tmp_path)


def test_check_page_escapes_what_a_workbook_holds(chromium, tmp_path):
    evil = "<script>document.title='x'</script><b>粗</b>"
    report = Report((Finding("BX301", "warning", f"指标值“{evil}”没有目标数值", "indicators[0].target", evil,
                             "Sheet1", "E9"),), source="a<b>.xlsx")
    page = tmp_path / "evil.html"
    page.write_text(check_html(report), encoding="utf-8")
    doc = dom(chromium, page, tmp_path)
    assert doc.all("title")[0].text == "部门整体预算绩效目标表 审核结果"  # no script ran
    assert doc.all("script") == [] and all("data-severity" in b.attrs for b in doc.all("b"))
    row = doc.all("tr", "finding")[0]
    assert row.all("td", "value")[0].text == evil
    assert doc.all("section", "file")[0].attrs["data-source"] == "a<b>.xlsx"


def test_a_clean_file_says_so(tmp_path):
    html = check_html(Report((), source="good.xlsx"))
    doc = parse(html)
    assert doc.all("tr", "finding") == []
    assert "未发现问题" in doc.all("section", "file")[0].text
    assert doc.all("nav") == []  # one file: no table of contents


# ---------------------------------------------------------------------------------------------
# diff --html


def next_year(form):
    """The seed a year later, the way a department edits it."""
    data = form.to_data()
    data["year"] = 2024
    data["budget"]["expenditures"][0]["amount"] = "9100.5"
    data["tasks"][0]["funds"] = "2000"
    data["tasks"][1]["goal"] = data["tasks"][1]["goal"].replace("经济任务指标", "年度经济任务指标")
    del data["tasks"][3]
    data["indicators"][0]["target"] = "≥30万平方米"
    data["indicators"].insert(5, {"level1": "产出指标", "level2": "数量指标", "name": "新建口袋公园", "target": "≥3个"})
    data["overall_goal"] = data["overall_goal"].replace("显著提高", "持续提高")
    return form_from_data(data)


def test_diff_page_in_chromium_marks_the_changes(chromium, tmp_path):
    old = load_form(SEED)
    new = next_year(old)
    diff = diff_forms(old, new)
    page = write_diff_html(tmp_path / "compare.html", diff, ["2023.yaml", "2024.yaml"])
    html = page.read_text(encoding="utf-8")
    assert_self_contained(html)
    doc = dom(chromium, page, tmp_path)
    pair = doc.all("section", "pair")[0]
    assert "2023 → 2024" in pair.all("h2")[0].text
    # Budget: one row per line, the changed one with its delta
    budget = pair.all("tr", "budget-line")
    assert len(budget) == len(diff.budget)
    changed = [r for r in budget if r.attrs["data-status"] == "changed"]
    assert len(changed) == 1 and "+102.52" in changed[0].text
    # Tasks and indicators: added, removed and changed rows shown, unchanged ones folded
    for block, entries in (("tasks", diff.tasks), ("indicators", diff.indicators)):
        rows = pair.all("div", block)[0].all("tr", "entry")
        for status in ("added", "removed", "changed", "unchanged"):
            want = sum(1 for e in entries if e.status == status)
            assert sum(1 for r in rows if r.attrs["data-status"] == status) == want, (block, status)
    tasks = pair.all("div", "tasks")[0]
    assert any("1,800" in r.text and "2,000" in r.text and "+200" in r.text for r in tasks.all("tr", "change"))
    assert "年度" in "".join(i.text for i in tasks.all("ins"))
    removed = [r for r in tasks.all("tr", "entry") if r.attrs["data-status"] == "removed"]
    assert removed and old.tasks[3].name in removed[0].text and old.tasks[3].goal[:10] in squash(removed[0].text)
    indicators = pair.all("div", "indicators")[0]
    added = [r for r in indicators.all("tr", "entry") if r.attrs["data-status"] == "added"]
    assert len(added) == 1 and "新建口袋公园" in added[0].text and "≥3个" in added[0].text
    assert any("+5" in c.text for c in indicators.all("td", "delta"))
    # 总体绩效目标: the changed words marked on both sides
    goal = pair.all("div", "goal")[0]
    assert "显著" in "".join(d.text for d in goal.all("del")) and "持续" in "".join(i.text for i in goal.all("ins"))
    assert doc.all("details"), "unchanged rows are folded away"
    screenshot(chromium, page, tmp_path, (1280, 2400))


def test_series_page_has_each_pair_and_the_trend(tmp_path):
    from budgetxl.diff.trend import diff_series

    a = load_form(SEED)
    b = next_year(a)
    c = form_from_data({**b.to_data(), "year": 2025})
    doc = parse(diff_html(diff_series([a, b, c])))
    assert len(doc.all("section", "pair")) == 2
    trend = doc.all("table", "trend")[0]
    heads = [th.text for th in trend.all("th")]
    assert heads[-3:] == ["2023", "2024", "2025"]


def test_marked_keeps_both_texts_and_escapes():
    old, new = marked("目标<1>：完成", "目标<2>：完成")
    assert "<del>1</del>" in old and "<ins>2</ins>" in new
    assert "&lt;" in old and "<1>" not in old
    assert re.sub(r"<[^>]+>", "", str(new)).replace("&lt;", "<").replace("&gt;", ">") == "目标<2>：完成"


# ---------------------------------------------------------------------------------------------
# The commands


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("budgetxl")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from budgetxl.cli import main; main()"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "COLUMNS": "120"})


def test_check_and_diff_commands_write_the_pages(chromium, tmp_path, broken_form_file):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    out = tmp_path / "report.html"
    res = run_cli("check", str(broken_form_file), str(SEED), str(bad), "--html", str(out))
    assert res.returncode == 2, res.stderr  # one file unreadable
    assert f"已写入网页报告 {out}" in res.stderr
    doc = dom(chromium, out, tmp_path)
    assert len(doc.all("section", "file")) == 2
    unreadable = doc.all("li", "unreadable")
    assert [li.all("span", "path")[0].text for li in unreadable] == [str(bad)]
    assert unreadable[0].all("div", "reason")[0].text == "这是纯文本文件，不是电子表格；请提交填写好的 Excel 工作簿（.xlsx）"  # the reason, not "see the terminal"
    assert "命令行" not in out.read_text(encoding="utf-8")

    newer = tmp_path / "2024.yaml"
    newer.write_text(next_year(load_form(SEED)).to_yaml(), encoding="utf-8")
    out = tmp_path / "compare.html"
    res = run_cli("diff", str(SEED), str(newer), "--html", str(out))
    assert res.returncode == 0, res.stderr
    doc = dom(chromium, out, tmp_path)
    assert [r for r in doc.all("tr", "entry") if r.attrs["data-status"] == "added"]


def test_html_option_refuses_a_wrong_target(tmp_path):
    res = run_cli("check", str(SEED), "--html", str(tmp_path / "report.txt"))
    assert res.returncode == 2 and ".html" in res.stderr and "Traceback" not in res.stderr
    res = run_cli("diff", str(SEED), str(SEED), "--html", str(tmp_path / "x.pdf"))
    assert res.returncode == 2 and ".html" in res.stderr
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# The check page on a phone and on paper


def overflow(chromium: str, page: Path, tmp: Path, width: int) -> int:
    """How many pixels the page is wider than a window `width` px wide (0: nothing sticks out),
    measured by Chromium itself: a copy of the page gets a script that writes the figure into
    the DOM (the page itself has no scripts)."""
    probe = tmp / f"probe-{width}-{page.name}"
    script = ("<script>window.addEventListener('load', () => document.body.setAttribute('data-overflow', "
              "String(document.documentElement.scrollWidth - document.documentElement.clientWidth)));</script>")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8")
    out = browse(chromium, probe, tmp, f"--window-size={width},900", "--virtual-time-budget=3000", "--dump-dom").stdout
    found = re.search(r'data-overflow="(-?\d+)"', out)
    assert found, out[:500]
    return int(found.group(1))


@pytest.fixture()
def wide_check_page(tmp_path, broken_form_file) -> Path:
    """A check page with long paths, long messages and an unreadable file with its reason."""
    deep = tmp_path / "某某市财政局" / "2024年部门预算绩效目标" / "各单位报送" / "广州市海珠区人民政府凤阳街道办事处-2024年部门整体预算绩效目标表.yaml"
    deep.parent.mkdir(parents=True)
    deep.write_text(broken_form_file.read_text(encoding="utf-8"), encoding="utf-8")
    reports = [check_file(deep), check_file(SEED)]
    lost = str(tmp_path / "各单位报送" / "lost-workbook-with-a-very-long-name-2024.xlsx")
    return write_check_html(tmp_path / "check.html", reports,
                            unreadable=[(lost, f"{lost}: 没有找到部门整体预算绩效目标表（各工作表中都没有“绩效指标”“单位名称”等栏目）")])


def test_check_page_fits_a_phone(chromium, tmp_path, wide_check_page):
    assert overflow(chromium, wide_check_page, tmp_path, 390) == 0
    assert overflow(chromium, wide_check_page, tmp_path, 1280) == 0
    screenshot(chromium, wide_check_page, tmp_path, (390, 1600))
    html = wide_check_page.read_text(encoding="utf-8")
    assert "没有找到部门整体预算绩效目标表" in html  # the reason the file could not be read
    doc = dom(chromium, wide_check_page, tmp_path)
    where = [td.text for td in doc.all("td", "where")]
    assert "单位名称" in where and any("收入来源第1行的金额" in w for w in where)  # fields in words


def test_check_page_prints_on_a4(chromium, tmp_path, wide_check_page):
    assert "@page" in wide_check_page.read_text(encoding="utf-8")
    pdf = tmp_path / "check.pdf"
    browse(chromium, wide_check_page, tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5, info  # A4, not Letter


def test_check_page_shows_the_cell_alone_under_its_sheet(seed_form, tmp_path):
    from budgetxl.render import render_form

    book = render_form(seed_form, tmp_path / "form.xlsx")
    page = check_html(check_file(book))
    sheet = check_file(book).extra["sheet"]
    assert page.count(f"工作表：{sheet}") == 1
    assert re.search(r'<td class="where" data-label="位置">C5<div class="notes">部门预算支出第2行的金额</div>', page)

"""PDF export: a workbook (or a form file, rendered first) printed to PDF by LibreOffice headless.

Each run uses a user profile of its own in a temporary folder, so parallel runs never share
LibreOffice's lock or settings, and that profile carries a font replacement table: where a font
the workbook names is not installed (宋体 on Linux), LibreOffice prints with a Noto CJK face of
the same style, and the PDF embeds it. The workbook's default font measures the column widths:
budgetxl's own workbooks name the form's 宋体 (see render.xlsx.Workbook); others' usually
Calibri, replaced by a font with about the same digit width when it is missing, so the
fit-to-width scale stays close to Excel's and the text is not shrunk.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from budgetxl.errors import InputError, OutputError, ToolMissingError
from budgetxl.fileio import atomic_path, refuse_inputs
from budgetxl.filenames import FORM_FILE_SUFFIXES

SOFFICE_ENV = "BUDGETXL_SOFFICE"  # path of the LibreOffice program, when not on PATH
INSTALL_HINT = "apt-get install -y libreoffice-calc-nogui fonts-noto-cjk"
DEFAULT_TIMEOUT = 180.0

FORM_SUFFIXES = frozenset(FORM_FILE_SUFFIXES)
# What LibreOffice is given, by what the file is (read.sniff): the name under which it opens
# each in Calc — a web page as budget systems send it opens there under .xls.
PRINT_SUFFIXES = {"xlsx": ".xlsx", "xls": ".xls", "ods": ".ods", "spreadsheetml": ".xml", "html": ".xls"}

_SERIF_CJK = ("Noto Serif CJK SC", "Noto Sans CJK SC")
_SANS_CJK = ("Noto Sans CJK SC",)

# A font a workbook may name → the installed fonts to print with instead when it is missing
# (the first one installed wins).
FONT_FALLBACKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("宋体", _SERIF_CJK),
    ("SimSun", _SERIF_CJK),
    ("新宋体", _SERIF_CJK),
    ("NSimSun", _SERIF_CJK),
    ("仿宋", _SERIF_CJK),
    ("仿宋_GB2312", _SERIF_CJK),
    ("FangSong", _SERIF_CJK),
    ("楷体", _SERIF_CJK),
    ("楷体_GB2312", _SERIF_CJK),
    ("KaiTi", _SERIF_CJK),
    ("黑体", _SANS_CJK),
    ("SimHei", _SANS_CJK),
    ("微软雅黑", _SANS_CJK),
    ("Microsoft YaHei", _SANS_CJK),
    ("等线", _SANS_CJK),
    ("DengXian", _SANS_CJK),
    # The default font: its digit width is the unit of column widths (Calibri: 0.507 em).
    ("Calibri", ("Carlito", "Liberation Serif")),
)


def find_soffice(explicit: str | Path | None = None) -> str:
    """The LibreOffice program: `explicit`, else $BUDGETXL_SOFFICE, else soffice/libreoffice on PATH."""
    wanted = explicit or os.environ.get(SOFFICE_ENV)
    if wanted:
        found = shutil.which(str(wanted))
        if found:
            return found
        raise ToolMissingError(f"找不到 LibreOffice 程序“{wanted}”；请检查路径，或安装：{INSTALL_HINT}")
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ToolMissingError(
        f"导出 PDF 需要 LibreOffice，但本机没有安装。请安装（Debian/Ubuntu）：{INSTALL_HINT}"
        f"；或用环境变量 {SOFFICE_ENV} 指定 soffice 的位置"
    )


@lru_cache(maxsize=1)
def installed_fonts() -> frozenset[str] | None:
    """Family names fontconfig knows (every localised name), or None when fc-list is absent."""
    exe = shutil.which("fc-list")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, ":", "family"], capture_output=True, text=True, timeout=60, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(",") if name.strip())


def font_replacements(installed: frozenset[str] | None) -> list[tuple[str, str]]:
    """(missing font, installed stand-in) pairs; with no font list, the first choice of each."""
    pairs = []
    for name, choices in FONT_FALLBACKS:
        if installed is None:
            pairs.append((name, choices[0]))
            continue
        if name in installed:
            continue
        stand_in = next((c for c in choices if c in installed), None)
        if stand_in:
            pairs.append((name, stand_in))
    return pairs


def write_profile(folder: Path, replacements: list[tuple[str, str]]) -> Path:
    """A fresh LibreOffice user profile holding the font replacement table."""
    items = [
        '<item oor:path="/org.openoffice.Office.Common/Font/Substitution">'
        '<prop oor:name="Replacement" oor:op="fuse"><value>true</value></prop></item>'
    ]
    for i, (font, stand_in) in enumerate(replacements):
        props = "".join(
            f'<prop oor:name="{key}" oor:op="fuse"><value>{value}</value></prop>'
            for key, value in (("Always", "true"), ("OnScreenOnly", "false"),
                               ("ReplaceFont", _text(font)), ("SubstituteFont", _text(stand_in)))
        )
        items.append(
            '<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">'
            f'<node oor:name="_{i}" oor:op="replace">{props}</node></item>'
        )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        + "\n".join(items) + "\n</oor:items>\n"
    )
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(xml, encoding="utf-8")
    return folder


def _text(value: str) -> str:
    from xml.sax.saxutils import quoteattr  # pulls in urllib: only when LibreOffice is set up

    return quoteattr(value)[1:-1]


def run_soffice(exe: str, profile: Path, book: Path, outdir: Path, timeout: float, source: Path) -> Path:
    """Convert `book` to PDF in `outdir`; the whole LibreOffice process group is ended on timeout."""
    cmd = [
        exe, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--invisible",
        "--norestore", "--nologo", "--nodefault", "--nolockcheck",
        "--convert-to", "pdf:calc_pdf_Export", "--outdir", str(outdir), str(book),
    ]
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    except OSError as exc:
        raise ToolMissingError(f"无法启动 LibreOffice（{exe}：{exc.strerror}）；请检查安装：{INSTALL_HINT}") from None
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _end_group(proc)
        raise OutputError(f"{source}: LibreOffice 在 {timeout:g} 秒内没有完成 PDF 转换，已终止") from None
    finally:
        if proc.poll() is None:
            _end_group(proc)
    pdf = outdir / f"{book.stem}.pdf"
    if proc.returncode != 0 or not pdf.is_file() or pdf.read_bytes()[:5] != b"%PDF-":
        detail = err.decode("utf-8", "replace").strip().splitlines()
        detail = [line for line in detail if "javaldx" not in line]
        why = f"（{detail[-1][:200]}）" if detail else ""
        raise OutputError(f"{source}: LibreOffice 未能生成 PDF（退出码 {proc.returncode}）{why}")
    return pdf


def _end_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.communicate()


def default_pdf_path(source: Path) -> Path:
    return source.with_suffix(".pdf")


def export_pdf(
    source: str | Path,
    target: str | Path | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    soffice: str | Path | None = None,
) -> Path:
    """Print `source` (a workbook, known by its content: xlsx, xls, ods, an Excel 2003 XML or a web
    page as budget systems send them; or a .yaml/.json form, rendered first) to a PDF at
    `target` (default: beside the source). Written atomically; the source is never modified."""
    source = Path(source)
    target = Path(target) if target is not None else default_pdf_path(source)
    suffix = source.suffix.lower()
    if target.suffix.lower() != ".pdf":
        raise InputError(f"{target}: 输出文件应以 .pdf 结尾")
    refuse_inputs([target], [source])
    with tempfile.TemporaryDirectory(prefix="budgetxl-pdf-") as tmp:
        work = Path(tmp)
        book = _prepare_book(source, suffix, work)  # a broken input is said before a missing program
        exe = find_soffice(soffice)
        profile = write_profile(work / "profile", font_replacements(installed_fonts()))
        pdf = run_soffice(exe, profile, book, work / "out", timeout, source)
        with atomic_path(target) as out:
            shutil.copyfile(pdf, out)
    return target


def _prepare_book(source: Path, suffix: str, work: Path) -> Path:
    """The workbook LibreOffice prints, in the private work folder: the form rendered, or a copy
    of the workbook after checking that it is one (a clear message for a broken file)."""
    if suffix in FORM_SUFFIXES:
        from budgetxl.model import load_form
        from budgetxl.render import render_form

        return render_form(load_form(source), work / "form.xlsx")
    from budgetxl.read.grid import load_grid

    kind = load_grid(source).kind  # a workbook known by its content, whatever its name (.et, .xls that is a web page)
    book = work / f"book{PRINT_SUFFIXES[kind]}"
    shutil.copyfile(source, book)
    return book


__all__ = ["DEFAULT_TIMEOUT", "FONT_FALLBACKS", "INSTALL_HINT", "export_pdf", "find_soffice", "font_replacements"]

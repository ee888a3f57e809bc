"""The 填表说明 sheet of a blank template, rendered from templates/instructions.md.j2.

The Jinja2 template gives one line per sheet row: '# ' marks the sheet's title, '## ' a heading,
anything else a paragraph. Rows get heights that show every wrapped line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2
from xlsxwriter.worksheet import Worksheet

from budgetxl.errors import LayoutError
from budgetxl.layout import Layout
from budgetxl.render.styles import font_size
from budgetxl.render.template_texts import INSTRUCTIONS_FILE
from budgetxl.render.xlsx import FormatCache
from budgetxl.resources import templates_dir
from budgetxl.text import column_px, text_height_pt

# One wide column holds the text. LibreOffice draws columns about 1.3× wider than Excel and does
# not scale a one-column sheet to the page, so the width fits A4 portrait in both.
COLUMN_WIDTH = 72


@dataclass(frozen=True)
class Line:
    text: str
    style: str  # "title", "heading" or "note"


@lru_cache(maxsize=4)
def _template(name: str) -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )
    try:
        return env.get_template(name)
    except jinja2.TemplateNotFound:
        raise LayoutError(f"{templates_dir() / name}: 找不到填表说明模板") from None
    except jinja2.TemplateSyntaxError as exc:
        raise LayoutError(f"{templates_dir() / name}: 第 {exc.lineno} 行模板语法错误：{exc.message}") from None


def instruction_lines(context: dict[str, Any], name: str = INSTRUCTIONS_FILE) -> list[Line]:
    """The instructions for `context` as lines, each with its style (from templates/`name`)."""
    try:
        text = _template(name).render(**context)
    except jinja2.UndefinedError as exc:
        raise LayoutError(f"{templates_dir() / name}: {exc.message}") from None
    out = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        if line.startswith("## "):
            out.append(Line(line[3:].strip(), "heading"))
        elif line.startswith("# "):
            out.append(Line(line[2:].strip(), "title"))
        else:
            out.append(Line(line, "note"))
    return out


def write_instructions(ws: Worksheet, lines: list[Line], layout: Layout, formats: FormatCache,
                       password: str = "") -> None:
    """The lines one per row in column A, wrapped, each row tall enough for its text; protected."""
    ws.set_column(0, 0, COLUMN_WIDTH)
    width = column_px(COLUMN_WIDTH)
    for r, line in enumerate(lines):
        size = font_size(line.style, layout)
        height = text_height_pt(line.text, width, size)
        if line.style == "title":
            height = max(height, layout.rows.title_height)
        ws.set_row(r, round(height, 2))
        ws.write_string(r, 0, line.text, formats.get(line.style))
    page = layout.page
    ws.set_paper(page.paper)
    ws.set_portrait()
    m = page.margins
    ws.set_margins(left=m.left, right=m.right, top=m.top, bottom=m.bottom)
    if page.footer:
        ws.set_footer(page.footer, {"margin": m.footer})
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, max(len(lines) - 1, 0), 0)
    ws.protect(password)

"""Blank templates of a project's target table (项目支出绩效目标表): `budgetxl template --kind project`.

The same workbook as the department form's template — the form sheet protected and guided, the
indicator trees in framework order with drop-downs, a 填表说明 sheet, the hidden lists — laid out
by a project layout. Pre-filled: the year and the department (主管部门) the template goes to, a
project name when given, the layout's standard lines of money by source (amounts blank) and, for
a table rolled forward from last year, the project's identity, texts, goals and indicators, the
expenditure items and the implementation period's money (which spans the years); the year's
amounts are left blank.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from budgetxl.blocks import held_paths
from budgetxl.errors import InputError, LayoutError
from budgetxl.filenames import file_name
from budgetxl.frameworks import Framework
from budgetxl.kinds import FORM_KINDS, check_layout_kind
from budgetxl.layout import Layout, load_layout
from budgetxl.project import ProjectForm, ProjectLine
from budgetxl.render.instructions import Line, instruction_lines
from budgetxl.render.template import choose_framework, standard_pair, write_template
from budgetxl.render.template_plan import TemplatePlan, plan_template
from budgetxl.render.template_texts import RowCounts, TemplateTexts, template_texts
from budgetxl.text import normalize_label

KIND = "project"
INSTRUCTIONS = "instructions-project.md.j2"

# What a template rolled forward from last year's table carries, where its layout holds it.
CARRIED = ("name", "code", "department", "unit", "manager", "phone", "category", "status", "frequency",
           "start_year", "end_year", "basis", "summary", "spending_basis", "period_goal", "annual_goal")
# Money of the whole implementation period: the same in every year of it.
PERIOD_MONEY = ("budget_total",)


def _amount_blocks(layout: Layout) -> dict[str, Any]:
    """List path → the block holding it, for the layout's lists of amounts."""
    out: dict[str, Any] = {}
    for b in layout.blocks:
        if b.kind == "amount_list":
            out[b.field] = b
        elif b.kind == "amount_row":
            for c in b.column_map:
                out.setdefault(c.field.removesuffix(".total"), b)
    return out


def _standard_lines(block: Any, names: Sequence[str]) -> tuple[ProjectLine, ...]:
    """The standard lines of a list as a template pre-prints them: a name starting with the
    block's detail mark (其中：) is a detail line."""
    mark = getattr(block, "details", "")
    out = []
    for name in names:
        if mark and normalize_label(name).startswith(normalize_label(mark)):
            out.append(ProjectLine(name=name[len(mark):].strip(), detail=True))
        else:
            out.append(ProjectLine(name=name))
    return tuple(out)


def project_seed(unit: str | None, year: int, *, layout: Layout, framework: Framework,
                 previous: ProjectForm | None = None, project: str | None = None) -> ProjectForm:
    """The pre-filled part of a project template (see the module docstring)."""
    held = held_paths(layout)
    data: dict[str, Any] = {"kind": KIND, "year": year, "name": "",
                            "layout": None if layout.name == FORM_KINDS[KIND].default_layout else layout.name}
    blocks = _amount_blocks(layout)
    lines = {path: _standard_lines(blocks.get(path), names) for path, names in layout.budget_lines().items()}
    if previous is not None:
        for name in (*CARRIED, *PERIOD_MONEY):
            if name in held:
                data[name] = getattr(previous, name)
        for name in previous.indicator_sets:
            if name in held:
                data[name] = tuple(_standard(i, framework) for i in getattr(previous, name) if not i.is_placeholder)
        if "spending" in held and not lines.get("spending"):
            lines["spending"] = tuple(ProjectLine(name=ln.name, detail=ln.detail) for ln in previous.spending)
        if "funding.period" in lines:  # the period's money by source, as last year's table had it
            before = {(normalize_label(ln.name), ln.detail): ln.amount for ln in previous.funding.period}
            lines["funding.period"] = tuple(
                ln.model_copy(update={"amount": before.get((normalize_label(ln.name), ln.detail))})
                for ln in lines["funding.period"])
    if unit:
        if "department" in held:
            data["department"] = unit
        elif "unit" in held:
            data["unit"] = unit
    if project:
        data["name"] = project
    funding = {side: lines[f"funding.{side}"] for side in ("period", "annual") if f"funding.{side}" in lines}
    data["funding"] = funding
    if "spending" in lines:
        data["spending"] = lines["spending"]
    return ProjectForm.model_validate(data)


def _standard(ind: Any, framework: Framework) -> Any:
    l1, l2 = standard_pair(ind.level1, ind.level2, framework)
    return ind.model_copy(update={"level1": l1, "level2": l2})


def build_project_template(
    unit: str | None,
    year: int,
    *,
    previous: ProjectForm | None = None,
    framework: str | None = None,
    layout: str | None = None,
    rows: int | None = None,
    project: str | None = None,
) -> tuple[TemplatePlan, ProjectForm, RowCounts]:
    """The plan of a project template, the seed it shows pre-filled, and the empty rows it offers."""
    if previous is not None and not isinstance(previous, ProjectForm):
        raise InputError("--from 给出的上年表格不是项目支出绩效目标表，不能用于项目模板")
    name = layout or (previous.layout if previous is not None else None) or FORM_KINDS[KIND].default_layout
    lay = load_layout(name)
    check_layout_kind(KIND, lay)
    unit = (unit or "").strip() or None
    if unit is None and previous is None:
        raise InputError("请指定项目的主管部门（--unit）")
    texts = template_texts()
    counts = texts.rows if rows is None else RowCounts.all(rows)
    fw = choose_framework(framework, previous)  # type: ignore[arg-type]
    seed = project_seed(unit, year, layout=lay, framework=fw, previous=previous, project=project)
    return plan_template(seed, fw, lay, texts, counts), seed, counts  # type: ignore[arg-type]


def project_instructions(tplan: TemplatePlan, seed: ProjectForm, rows: RowCounts, has_password: bool,
                         texts: TemplateTexts | None = None, previous: ProjectForm | None = None) -> list[Line]:
    """The 填表说明 of a project template (templates/instructions-project.md.j2)."""
    texts = texts or template_texts()
    layout = tplan.plan.layout
    sets: list[tuple[str, str, Any]] = []
    for b in layout.blocks:
        if b.kind == "indicators":
            sets.append((b.label, "", b))
        elif b.kind == "indicator_sets":
            sets += [(b.label, s.heading, b) for s in b.sets]
    carried = []
    if previous is not None:
        for b in layout.blocks:
            if b.kind in ("fields", "texts"):
                fields = [c.field for c in b.column_map if c.field]
            else:
                fields = [getattr(b, "field", "")]
            if any(f in CARRIED and getattr(previous, f, None) for f in fields):
                carried.append(b.label)
        if any(not i.is_placeholder for name in previous.indicator_sets for i in getattr(previous, name)):
            carried.append("绩效指标")
    context = {
        "unit_name": seed.unit_name,
        "year": seed.year,
        "title": layout.render_title(seed.year),
        "layout": layout,
        "sheet_name": tplan.plan.sheet_name,
        "identity": [b for b in layout.blocks if b.kind in ("fields", "value")
                     and not any(c.field in ("budget_total", "budget_annual") for c in b.column_map)],
        "money": [b for b in layout.blocks
                  if b.kind in ("amount_row", "amount_list") and getattr(b, "field", "") != "spending"],
        "spending": next((b for b in layout.blocks if getattr(b, "field", "") == "spending"), None),
        "goals": [b for b in layout.blocks if b.kind == "texts" or (b.kind == "text" and "goal" in b.field)],
        "indicator_sets": sets,
        "framework": tplan.framework,
        "rows_for": lambda block: rows.for_block(block.key, block.kind),
        "has_password": has_password,
        "total_label": layout.total_label,
        "lists_sheet": texts.sheets.lists,
        "carried": carried,
        "carried_money": previous is not None and any(
            f in held_paths(layout) for f in ("budget_total", "funding.period")),
    }
    return instruction_lines(context, INSTRUCTIONS)


def write_project_template(tplan: TemplatePlan, seed: ProjectForm, path: str | Path, *, password: str | None = None,
                           rows: RowCounts | None = None, previous: ProjectForm | None = None) -> Path:
    """Write the project template at `path`, atomically (see render.template.write_template)."""
    texts = template_texts()
    rows = rows or texts.rows
    lines = project_instructions(tplan, seed, rows, bool(password), texts, previous)
    return write_template(tplan, seed, path, password=password, rows=rows, texts=texts,  # type: ignore[arg-type]
                          instructions=lines)


def make_project_template(path: str | Path, unit: str | None, year: int, *, previous: ProjectForm | None = None,
                          framework: str | None = None, layout: str | None = None, rows: int | None = None,
                          password: str | None = None, project: str | None = None) -> Path:
    """Write the template of one project at `path`."""
    tplan, seed, counts = build_project_template(unit, year, previous=previous, framework=framework, layout=layout,
                                                 rows=rows, project=project)
    return write_project_template(tplan, seed, path, password=password, rows=counts, previous=previous)


def not_carried_project(previous: ProjectForm, layout: Layout) -> list[str]:
    """What of last year's project table a template in `layout` cannot carry forward, in the
    words of last year's layout."""
    held = held_paths(layout)
    try:
        source = load_layout(previous.layout or FORM_KINDS[KIND].default_layout)
    except LayoutError:
        source = load_layout(FORM_KINDS[KIND].default_layout)
    out: list[str] = []
    for b in source.blocks:
        if b.kind in ("fields", "texts"):
            fields = [c.field for c in b.column_map if c.field]
        elif b.kind == "indicator_sets":
            fields = [s.field for s in b.sets]
        else:
            fields = [getattr(b, "field", "")]
        for f in fields:
            carried = f in CARRIED or f in previous.indicator_sets or f == "spending"
            if carried and f not in held and getattr(previous, f, None) and b.label not in out:
                out.append(b.label)
    return out


def project_template_file_name(seed: ProjectForm, year: int) -> str:
    """The file name of a project's template: its department, its name when known, and the year."""
    pattern = template_texts().kind_file_names.get(KIND) or "{unit}-{year}年项目支出绩效目标表.xlsx"
    who = "-".join(p for p in (seed.unit_name.strip(), seed.name.strip()) if p) or "项目"
    return file_name(pattern, who, year=year)

"""Blank templates for departments: pre-filled, protected, guided, and certain to read back.

A template is the form of one unit and year with what the finance bureau already knows filled in
(unit name, budget amounts; for a table rolled forward from last year its tasks and indicators,
amounts left blank), input cells for the rest, drop-down lists for 一级/二级指标 from the chosen
framework, hints and number checks on the input cells, totals as formulas, a balance check, and a
填表说明 sheet. Texts come from templates/template.yaml and templates/instructions.md.j2.

Reading an untouched template back gives the seed Form (`template_seed`) with one placeholder
indicator (name and target empty) for every 二级指标 of the framework that has no indicator: the
reader keeps an empty 二级 block that way, as real returned workbooks do.

`write_unit_template` is the per-unit work as a plain top-level function of plain arguments, so
that a process pool can run it; `make_templates` writes a whole set into a folder, all or nothing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Mapping, Sequence

from budgetxl.batch import cap_jobs, default_jobs, forks, run_batch
from budgetxl.blocks import held_paths
from budgetxl.errors import InputError, LayoutError, OutputError
from budgetxl.fileio import atomic_path
from budgetxl.filenames import file_name, unique_names
from budgetxl.frameworks import (
    Framework,
    default_framework,
    detect_framework,
    get_framework,
    label_key,
    standard_label,
)
from budgetxl.layout import Layout, load_layout
from budgetxl.model import Budget, BudgetLine, BudgetSection, Form, Indicator, InfoItem, Task, parse_amount
from budgetxl.render.instructions import Line, instruction_lines, write_instructions
from budgetxl.render.styles import STYLES
from budgetxl.render.template_plan import TemplatePlan, Validation, plan_template
from budgetxl.render.template_texts import RowCounts, TemplateTexts, template_texts
from budgetxl.render.xlsx import FormatCache, new_workbook, write_sheet
from budgetxl.report import Finding
from budgetxl.text import normalize_label
from budgetxl.units import UnitRow

# What a conditional format may change (Excel refuses fonts and sizes there).
_CONDITIONAL_KEYS = ("font_color", "bg_color", "bold", "italic")


# ---------------------------------------------------------------------------------------------
# The seed: what a template shows pre-filled


def load_previous(path: str | Path) -> tuple[Form, tuple[Finding, ...]]:
    """Last year's table from a form file (YAML/JSON) or any workbook `read` takes (told by its
    content), with the reader's findings."""
    from budgetxl.read import load_form_or_workbook

    return load_form_or_workbook(path)


def choose_framework(framework_id: str | None, previous: Form | None) -> Framework:
    """The framework asked for; else the one last year's indicators follow; else the default."""
    if framework_id:
        return get_framework(framework_id)
    if previous is not None and any(not i.is_placeholder for i in previous.indicators):
        return detect_framework(previous)
    return default_framework()


def standard_pair(level1: str, level2: str, framework: Framework) -> tuple[str, str]:
    """(一级, 二级) as the drop-downs offer them: a known spelling or a close one becomes the
    framework's label, so does a shortened one that only one label under that 一级 contains
    (服务对象 → 服务对象满意度指标); any other 二级 (a mislabelled one) keeps its spelling, as does an
    一级 the framework lacks. Nothing is guessed from mere similarity: 环境效益 is not 经济效益."""
    l1 = framework.standard_level1(level1)
    if l1 is None:
        return level1, level2
    l2 = standard_label(level2)
    if (l1, l2) not in framework.pairs:
        key = label_key(level2)
        near = [c for c in framework.level2(l1) if key and key in label_key(c)]
        l2 = near[0] if len(near) == 1 else level2
    return l1, l2


def relabelled_pairs(previous: Form, framework: Framework) -> dict[tuple[str, str], tuple[str, str]]:
    """Last year's (一级, 二级) pairs that a rolled-forward template writes differently."""
    out = {}
    for ind in previous.indicators:
        pair = (ind.level1, ind.level2)
        std = standard_pair(*pair, framework)
        if std != pair and normalize_label(std) != normalize_label(pair):
            out[pair] = std
    return out


def _standard_indicator(ind: Indicator, framework: Framework) -> Indicator:
    l1, l2 = standard_pair(ind.level1, ind.level2, framework)
    return Indicator(level1=l1, level2=l2, name=ind.name, target=ind.target)


def _blank(lines: Sequence[BudgetLine]) -> tuple[BudgetLine, ...]:
    return tuple(BudgetLine(name=line.name) for line in lines)


def template_seed(
    unit_name: str,
    year: int,
    *,
    amounts: Mapping[str, Any] | None = None,
    previous: Form | None = None,
    framework: Framework | None = None,
    layout: Layout | None = None,
) -> Form:
    """The pre-filled part of a template: unit and year; budget lines of the layout with the
    amounts given (budget line name → amount); from `previous` (last year's table) its basic
    information, overall goal, tasks and indicators, every amount left blank for the new year."""
    layout = layout or load_layout(previous.layout if previous is not None else None)
    framework = framework or choose_framework(None, previous)
    budget_lines = layout.budget_lines()
    amounts = dict(amounts or {})
    known = tuple(name for names in budget_lines.values() for name in names)
    unknown = [name for name in amounts if name not in known]
    if unknown:
        raise InputError(f"不认识的预算项目：{'、'.join(unknown)}；可填的项目：{'、'.join(known)}")
    try:
        parsed = {name: parse_amount(value) for name, value in amounts.items() if value not in (None, "")}
    except ValueError as exc:
        raise InputError(f"{unit_name}: 预算金额有误：{exc}") from None

    def lines(names: Sequence[str]) -> tuple[BudgetLine, ...]:
        return tuple(BudgetLine(name=n, amount=parsed.get(n)) for n in names)

    sections: tuple[BudgetSection, ...] = ()
    basic_info: tuple[InfoItem, ...] = ()
    overall_goal = ""
    functions: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    tasks: tuple[Task, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    if previous is not None:
        held = held_paths(layout)
        budget_block = layout.budget_block
        if budget_block is not None and getattr(budget_block, "sections", False):
            sections = tuple(
                BudgetSection(left_heading=s.left_heading, right_heading=s.right_heading,
                              left=_blank(s.left), right=_blank(s.right))
                for s in previous.budget.sections
            )
        basic_info = previous.basic_info if "basic_info" in held else ()
        overall_goal = previous.overall_goal if "overall_goal" in held else ""
        functions = previous.functions if "functions" in held else ()
        goals = previous.goals if "goals" in held else ()
        tasks = tuple(_task_for(t, layout) for t in previous.tasks
                      if (t.name or t.content or t.goal) and layout.task_block(t.group) is not None)
        indicators = tuple(_standard_indicator(i, framework) for i in previous.indicators if not i.is_placeholder)
    return Form(
        year=year,
        unit_name=unit_name,
        layout=None if layout.name == load_layout(None).name else layout.name,
        basic_info=basic_info,
        budget=Budget(expenditures=lines(budget_lines.get("budget.expenditures", ())),
                      revenues=lines(budget_lines.get("budget.revenues", ())), sections=sections),
        overall_goal=overall_goal,
        functions=functions,
        goals=goals,
        tasks=tasks,
        indicators=indicators,
    )


def _task_for(task: Task, layout: Layout) -> Task:
    """Last year's task as `layout` can show it: funds blank for the new year, and the fields its
    task block has no column for left out."""
    block = layout.task_block(task.group)
    cols = {c.field for c in block.column_map} if block is not None else set()
    update: dict[str, Any] = {"funds": None}
    for name in ("content", "goal"):
        if name not in cols:
            update[name] = ""
    return task.model_copy(update=update)


def not_carried(previous: Form, layout: Layout) -> list[str]:
    """What of last year's table a template in `layout` cannot carry forward, in the words of last
    year's layout (for the user)."""
    try:
        source = load_layout(previous.layout)
    except LayoutError:
        source = load_layout(None)
    held = held_paths(layout)
    out = []
    for block in source.blocks:
        fld = getattr(block, "field", "")
        if fld in ("unit_name", "indicators", "tasks") or fld in held or not getattr(previous, fld, None):
            continue
        if block.label not in out:
            out.append(block.label)
    budget_block = layout.budget_block
    source_budget = source.budget_block
    if previous.budget.sections and not (budget_block is not None and getattr(budget_block, "sections", False)):
        out.append(f"“{source_budget.label if source_budget is not None else 'budget'}”中的分栏"
                   + "、".join(f"“{s.left_heading}”" for s in previous.budget.sections))
    for group in sorted({t.group for t in previous.tasks}):
        tasks = [t for t in previous.tasks if t.group == group]
        old_block = source.task_block(group)
        old_label = old_block.label if old_block is not None else group
        new_block = layout.task_block(group)
        if new_block is None:
            out.append(f"“{old_label}”（{len(tasks)} 项）")
            continue
        cols = {c.field for c in new_block.column_map}
        old_cols = old_block.column_map if old_block is not None else ()
        lost = [c.header for c in old_cols if c.field not in cols and c.field != "funds"
                and any(getattr(t, c.field) for t in tasks)]
        if lost:
            out.append(f"“{old_label}”的{'、'.join(lost)}")
    return out


def off_framework_pairs(seed: Form, framework: Framework) -> list[tuple[str, str]]:
    """The (一级, 二级) pairs of the seed's indicators that `framework` does not have, in order:
    the template keeps them as they were (see template_plan.indicator_groups)."""
    return list(dict.fromkeys(
        (i.level1, i.level2) for i in seed.indicators
        if not i.is_placeholder and (i.level1, i.level2) not in framework.pairs
    ))


# ---------------------------------------------------------------------------------------------
# Writing


def _validation_options(v: Validation) -> dict[str, Any]:
    opts: dict[str, Any] = {"ignore_blank": True}
    if v.hint is not None:
        opts.update(input_title=v.hint.title, input_message=v.hint.message)
    if v.kind == "hint":
        opts["validate"] = "any"
    elif v.kind == "amount":
        opts.update(validate="decimal", criteria=">=", value=0)
    elif v.kind == "custom":
        opts.update(validate="custom", value=v.source)
    else:
        opts.update(validate="list", source=v.source)
    if v.error is not None:
        opts.update(error_title=v.error.title, error_message=v.error.message, error_type="stop")
    return opts


def _conditional_format(workbook: Any, style: str) -> Any:
    return workbook.add_format({k: v for k, v in STYLES[style].items() if k in _CONDITIONAL_KEYS})


def _instructions_context(tplan: TemplatePlan, seed: Form, texts: TemplateTexts, rows: RowCounts,
                          has_password: bool) -> dict[str, Any]:
    layout = tplan.plan.layout
    budget = layout.budget_block
    return {
        "unit_name": seed.unit_name,
        "year": seed.year,
        "title": layout.render_title(seed.year),
        "layout": layout,
        "unit": layout.unit_block,
        "budget": budget,
        "budget_unit": budget.unit if budget is not None else "万元",
        "balanced": len(layout.sides) == 2 and tplan.check_cell is not None,
        "side_headers": ([c.header for c in budget.column_map if c.field.endswith(".name")]
                         if budget is not None else []),
        "goal": next((b for b in layout.blocks if b.kind == "text" and b.field == "overall_goal"), None),
        "numbered": layout.blocks_of("numbered"),
        "task_blocks": layout.blocks_of("table"),
        "indicators": layout.indicators_block,
        "rows_for": lambda block: rows.for_block(block.key, block.kind),
        "framework": tplan.framework,
        "rows": rows,
        "locked_amounts": [ln.name for ln in (*seed.budget.expenditures, *seed.budget.revenues)
                           if ln.amount is not None],
        "has_password": has_password,
        "total_label": layout.total_label,
        "check": texts.check,
        "sheet_name": tplan.plan.sheet_name,
        "lists_sheet": texts.sheets.lists,
    }


def write_template(tplan: TemplatePlan, seed: Form, path: str | Path, *, password: str | None = None,
                   rows: RowCounts | None = None, texts: TemplateTexts | None = None,
                   instructions: Sequence[Line] | None = None) -> Path:
    """Write the template workbook at `path`, atomically: the form sheet (protected, rows may be
    inserted and resized), 填表说明 (the department form's, unless `instructions` gives the
    lines), and the hidden sheet of drop-down lists."""
    texts = texts or template_texts()
    rows = rows or texts.rows
    plan = tplan.plan
    path = Path(path)
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp, plan.layout)
        formats = FormatCache(wb, plan.layout)
        ws = wb.add_worksheet(plan.sheet_name)
        guide = wb.add_worksheet(texts.sheets.instructions)
        lists = wb.add_worksheet(texts.sheets.lists)

        write_sheet(ws, plan, formats)
        for v in tplan.validations:
            ws.data_validation(v.first_row, v.col, v.last_row, v.end_col, _validation_options(v))
        conditional = {}
        for h in tplan.highlights:
            if h.style not in conditional:
                conditional[h.style] = _conditional_format(wb, h.style)
            ws.conditional_format(h.first_row, h.first_col, h.last_row, h.last_col,
                                  {"type": "formula", "criteria": h.formula, "format": conditional[h.style]})
        ws.protect(password or "", {"insert_rows": True, "format_rows": True})
        ws.activate()

        if instructions is None:
            instructions = instruction_lines(_instructions_context(tplan, seed, texts, rows, bool(password)))
        write_instructions(guide, list(instructions), plan.layout, formats, password or "")

        _write_lists(wb, lists, tplan, texts, password or "")
        try:
            wb.close()
        except OSError as exc:
            raise OutputError(f"{path}: 无法写入（{exc}）") from None
    return path


def _write_lists(wb: Any, ws: Any, tplan: TemplatePlan, texts: TemplateTexts, password: str) -> None:
    """One column per list, each a defined name: the 一级 labels, then each 一级's 二级 labels
    named after that 一级 (what INDIRECT in the 二级 drop-down looks up)."""
    sheet = texts.sheets.lists.replace("'", "''")
    for col, (name, values) in enumerate(tplan.lists):
        for row, value in enumerate(values):
            ws.write_string(row, col, value)
        letter = _column_letter(col)
        wb.define_name(name, f"='{sheet}'!${letter}$1:${letter}${max(len(values), 1)}")
    ws.hide()
    ws.protect(password)


def _column_letter(col: int) -> str:
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# ---------------------------------------------------------------------------------------------
# The public API


def build_template(
    unit_name: str,
    year: int,
    *,
    amounts: Mapping[str, Any] | None = None,
    previous: Form | None = None,
    framework: str | None = None,
    layout: str | None = None,
    rows: int | None = None,
) -> tuple[TemplatePlan, Form, RowCounts]:
    """The plan of a template, the seed it shows pre-filled, and the empty rows it offers."""
    from budgetxl.kinds import check_layout_kind

    if previous is not None and getattr(previous, "kind", "department") != "department":
        raise InputError("--from 给出的上年表格不是部门整体预算绩效目标表；项目表请生成项目模板（--kind project）")
    lay = load_layout(layout if layout is not None else (previous.layout if previous is not None else None))
    check_layout_kind("department", lay)
    unit_name = unit_name.strip()
    if not unit_name:
        unit = lay.unit_block
        raise InputError(f"{unit.label if unit is not None else 'unit_name'}不能为空")
    texts = template_texts()
    counts = texts.rows if rows is None else RowCounts.all(rows)
    fw = choose_framework(framework, previous)
    seed = template_seed(unit_name, year, amounts=amounts, previous=previous, framework=fw, layout=lay)
    return plan_template(seed, fw, lay, texts, counts), seed, counts


def make_template(
    path: str | Path,
    unit_name: str,
    year: int,
    *,
    amounts: Mapping[str, Any] | None = None,
    previous: Form | None = None,
    framework: str | None = None,
    layout: str | None = None,
    rows: int | None = None,
    password: str | None = None,
) -> Path:
    """Write the template of one unit at `path` (see the module docstring)."""
    tplan, seed, counts = build_template(unit_name, year, amounts=amounts, previous=previous,
                                         framework=framework, layout=layout, rows=rows)
    return write_template(tplan, seed, path, password=password, rows=counts)


def template_file_name(unit_name: str, year: int, kind: str = "department") -> str:
    """The file name of a unit's template (of a form kind), valid on every system
    (templates/template.yaml)."""
    texts = template_texts()
    pattern = texts.file_name if kind == "department" else texts.kind_file_names.get(kind, texts.file_name)
    return file_name(pattern, unit_name, year=year)


def write_unit_template(
    target: str,
    unit_name: str,
    year: int,
    amounts: dict[str, str],
    framework: str | None = None,
    layout: str | None = None,
    rows: int | None = None,
    password: str | None = None,
    kind: str = "department",
) -> str:
    """One unit's template at `target`: plain arguments in, the path written out (for a pool).
    A template of another form kind (project) is made by that kind's module."""
    if kind == "project":
        from budgetxl.render.project_template import make_project_template

        make_project_template(target, unit_name, year, framework=framework, layout=layout, rows=rows,
                              password=password)
        return target
    make_template(target, unit_name, year, amounts=amounts, framework=framework, layout=layout,
                  rows=rows, password=password)
    return target


def write_unit_template_item(args: tuple[Any, ...]) -> str:
    """`write_unit_template` on one tuple of its arguments: what the batch runner calls."""
    return write_unit_template(*args)


def _warm_up(work: Path, item: tuple[Any, ...]) -> None:
    """Make the batch's first template once here, into a file thrown away, before the workers are
    forked: what every template needs and a process loads on its first one (the layout and its
    models, the texts, the framework, the instructions' Jinja template, xlsxwriter's formula
    patterns — about 0.3 s of CPU from a cold start) is then loaded once and inherited, instead of
    loaded again by each worker. A failure here is left to the batch, which reports it by unit."""
    scratch = work / ".warm-up.xlsx"
    try:
        write_unit_template_item((str(scratch), *item[1:]))
    except Exception:  # noqa: BLE001 - the batch itself makes the same template and reports its error
        pass
    finally:
        scratch.unlink(missing_ok=True)


def make_templates(
    units: Sequence[UnitRow],
    year: int,
    out_dir: str | Path,
    *,
    framework: str | None = None,
    layout: str | None = None,
    rows: int | None = None,
    password: str | None = None,
    jobs: int | None = None,
    progress: bool | None = None,
    kind: str = "department",
) -> list[Path]:
    """A template per unit in `out_dir` (of the form `kind`), all or nothing: they are written in parallel (`jobs`
    worker processes, default all cores) into a temporary folder beside it and moved in only when
    every one succeeded; otherwise OutputError names each unit that failed and why."""
    if not units:
        raise InputError("没有要生成模板的单位")
    get_framework(framework) if framework else None  # a wrong id fails before any work
    from budgetxl.kinds import FORM_KINDS, check_layout_kind

    check_layout_kind(kind, load_layout(layout or FORM_KINDS[kind].default_layout))
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: 已存在同名文件，不是文件夹")
    if kind != "department" and any(u.amounts for u in units):
        raise InputError("单位清单中的预算金额只能预填部门整体预算绩效目标表；项目模板不预填金额，请去掉金额列")
    names = unique_names(template_file_name(u.name, year, kind) for u in units)
    clashes = [n for n in names if os.path.lexists(out_dir / n) and not (out_dir / n).is_file()]  # never renamed over
    if clashes:
        raise OutputError(f"{out_dir / clashes[0]}: 已存在同名的文件夹或特殊文件（如管道、设备），无法写入模板")
    parent = out_dir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"{parent}: 无法创建临时文件夹（{exc.strerror}）") from None
    try:
        work_items = [
            (str(work / name), unit.name, year, {k: format(v, "f") for k, v in unit.amounts.items()},
             framework, layout, rows, password, kind)
            for unit, name in zip(units, names)
        ]
        if len(work_items) > 1 and cap_jobs(jobs or default_jobs()) > 1 and forks():
            _warm_up(work, work_items[0])
        outcomes = run_batch(write_unit_template_item, work_items, jobs=jobs, progress=progress,
                             description="生成模板")
        failed = [(units[o.index], o.error) for o in outcomes if not o.ok]
        if failed:
            raise OutputError(
                f"{len(failed)} 个单位的模板生成失败，未写入任何模板",
                details=[f"第 {u.line} 行“{u.name}”：{err}" for u, err in failed],
            )
        missing = [name for name in names if not (work / name).is_file()]
        if missing:
            raise OutputError(f"模板“{missing[0]}”没有生成，未写入任何模板")
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            for name in names:
                os.replace(work / name, out_dir / name)
        except OSError as exc:
            raise OutputError(f"{out_dir}: 无法写入（{exc.strerror}）") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return [out_dir / name for name in names]

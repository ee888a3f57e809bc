"""Self-evaluation templates from the approved targets (`budgetxl template --kind selfeval --from`).

The unit's approved target table gives everything the self-evaluation starts from: the identity,
年初预算数 (the budget's lines), the overall goal as 预期目标 and every indicator with its 年度指标值,
all pre-filled and locked. Weights are pre-filled from the scoring profile (evenly within each
group, two decimals, the last row taking the remainder so that every group adds up exactly) and
stay editable. The unit types 全年预算数 A, 全年执行数 B, each 实际完成值 (a number, a percent, or
for a qualitative indicator one of the bands from a drop-down), the explanations and the
conclusion. 执行率 and every score the profile's formula can express are formulas with their
values, so that Excel shows the score as the unit types.

The sheet is the rendered self-evaluation of the seed (same layout, same geometry) with input
cells, formulas and validations added: one source for the form's geometry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence, cast

from pydantic import BaseModel, ConfigDict, ValidationError
from xlsxwriter.utility import xl_rowcol_to_cell

from budgetxl.datafile import read_data_file
from budgetxl.errors import InputError, LayoutError, OutputError
from budgetxl.fileio import atomic_path
from budgetxl.filenames import file_name
from budgetxl.kinds import layout_name
from budgetxl.layout import Layout, load_layout
from budgetxl.render.instructions import Line, write_instructions
from budgetxl.render.pages import paginate
from budgetxl.render.plan import FormulaCell, Plan, PlanCell, plan_form
from budgetxl.render.template_texts import Message
from budgetxl.render.xlsx import FormatCache, new_workbook, write_sheet
from budgetxl.resources import templates_dir
from budgetxl.scoring.engine import fmt
from budgetxl.scoring.profiles import CENT, DEFAULT_PROFILE, Profile, load_profile
from budgetxl.selfeval import ExecutionLine, GoalResult, IndicatorResult, SelfEvaluation
from budgetxl.targets import parse_target

TEXTS_FILE = "selfeval-template.yaml"
_PATH_RE = re.compile(r"^(execution|indicators|goals)\[(\d+)\]\.(\w+)$")


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SelfevalTexts(_Data):
    instructions_sheet: str
    file_name: str
    project_funds: tuple[str, str, str]
    carried_over: str
    hints: dict[str, Message]
    errors: dict[str, Message]
    instructions: tuple[str, ...]


@lru_cache(maxsize=1)
def selfeval_texts() -> SelfevalTexts:
    path = templates_dir() / TEXTS_FILE
    data = read_data_file(path, "自评模板文字")
    try:
        return SelfevalTexts.model_validate(data)
    except ValidationError as exc:
        details = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise LayoutError(f"{path} 有误", details=details) from None


# ---------------------------------------------------------------------------------------------
# The seed: what the template shows pre-filled


def spread(total: Decimal, n: int) -> list[Decimal]:
    """`total` over `n` rows, two decimals each, the last taking the remainder (they add up
    exactly): 50 over 3 → 16.67, 16.67, 16.66."""
    if n <= 0:
        return []
    each = (total / n).quantize(CENT)
    return [each] * (n - 1) + [total - each * (n - 1)]


def _is_project(targets: Any) -> bool:
    return getattr(targets, "kind", "department") == "project"


def _identity(targets: Any) -> tuple[str, str, str]:
    """(unit, project, 主管部门) of a target table: a department's, or a project's (its 实施单位,
    项目名称 and 主管部门)."""
    if _is_project(targets):
        return (getattr(targets, "unit", "") or "", getattr(targets, "name", "") or "",
                getattr(targets, "department", "") or "")
    return (targets.unit_name, getattr(targets, "project_name", "") or "", getattr(targets, "department", "") or "")


def _budget_lines(targets: Any) -> list[ExecutionLine]:
    """年度资金总额 and its parts, 年初预算数 from the target table's budget (its revenues, else its
    expenditures; a project's year funding by source); a table without budget lines gives the total
    line alone, blank."""
    if _is_project(targets):
        funding = getattr(targets, "funding", None)
        sources = [ln for ln in getattr(funding, "annual", ()) if ln.name and not getattr(ln, "detail", False)]
        total = getattr(targets, "budget_annual", None)
        if total is None and any(ln.amount is not None for ln in sources):
            total = sum((ln.amount for ln in sources if ln.amount is not None), Decimal(0))
        texts = selfeval_texts()
        named: list[tuple[str, Decimal | None]] = [(ln.name, ln.amount) for ln in sources]
        if not named:  # the form's own rows, to be filled
            named = [(name, None) for name in texts.project_funds]
        elif not any(texts.carried_over in name for name, _ in named):  # always offered
            others = texts.project_funds[2][:2]
            at = next((k for k, (name, _) in enumerate(named) if name.startswith(others)), len(named))
            named.insert(at, (texts.project_funds[1], None))
        out = [ExecutionLine(name="年度资金总额", initial=total)]
        out += [ExecutionLine(name=("其中：" if k == 0 else "") + name, initial=amount)
                for k, (name, amount) in enumerate(named)]
        return out
    budget = getattr(targets, "budget", None)
    lines = [ln for ln in (getattr(budget, "revenues", ()) or getattr(budget, "expenditures", ())) if ln.name]
    amounts = [ln.amount for ln in lines if ln.amount is not None]
    total = sum(amounts, Decimal(0)) if amounts else None
    out = [ExecutionLine(name="年度资金总额", initial=total)]
    for k, ln in enumerate(lines):
        out.append(ExecutionLine(name=("其中：" if k == 0 else "") + ln.name, initial=ln.amount))
    return out


def _goal(targets: Any) -> str:
    """The goal the year is judged against: the overall or annual goal, else the numbered goals,
    else (a project whose only goal is its 中期目标 or 项目绩效总目标) the period goal."""
    goal = getattr(targets, "overall_goal", "") or getattr(targets, "annual_goal", "") or ""
    numbered = getattr(targets, "goals", ()) or ()
    if not goal and numbered:
        goal = "\n".join(f"目标{n}：{g}" for n, g in enumerate(numbered, 1))
    return goal or getattr(targets, "period_goal", "") or ""


def selfeval_seed(targets: Any, profile: Profile, *, layout: Layout | None = None, project_name: str = "",
                  department: str = "", year: int | None = None) -> SelfEvaluation:
    """The self-evaluation a unit starts from, built from its approved `targets` (a form with
    unit_name, year, budget, overall goal and indicators)."""
    indicators = [i for i in targets.indicators if not i.is_placeholder]
    results = [IndicatorResult(level1=i.level1, level2=i.level2, name=i.name, target=i.target) for i in indicators]
    if profile.budget.indicator and not any(profile.is_budget_indicator(r.name) for r in results):
        group = next((g.name for g in profile.indicators.groups
                      if not any(profile.group_of(r.level1, r.level2) == g.name for r in results)), "")
        if group:  # 预算执行率 as an indicator of its own group (重庆's 管理类)
            results.append(IndicatorResult(level1=group, name=profile.budget.indicator[0],
                                           target=f"≥{fmt(profile.budget.full_at)}%"))
    weights = profile.group_weights()
    by_group: dict[str, list[int]] = {}
    for k, r in enumerate(results):
        by_group.setdefault(profile.group_of(r.level1, r.level2), []).append(k)
    filled = list(results)
    for group, ks in by_group.items():
        if not group:
            continue
        for k, w in zip(ks, spread(weights[group], len(ks))):
            filled[k] = filled[k].model_copy(update={"weight": w})
    execution = _budget_lines(targets)
    if profile.budget_separate:
        execution[0] = execution[0].model_copy(update={"weight": profile.budget.weight})
    unit, own_project, own_department = _identity(targets)
    form = SelfEvaluation(
        year=year if year is not None else targets.year,
        unit_name=unit,
        project_name=project_name or own_project,
        department=department or own_department,
        profile=profile.name,
        execution=tuple(execution),
        goals=(GoalResult(expected=goal),) if (goal := _goal(targets)) else (),
        indicators=tuple(filled),
        total_weight=profile.full_marks,
    )
    if layout is not None:
        held = _held(layout)
        if "profile" in held:
            pass  # the sheet names its profile
        elif profile.name == (layout.profile or DEFAULT_PROFILE):
            form = form.model_copy(update={"profile": None})  # the layout's own goes without saying
        else:
            raise InputError(f"版式“{layout.name}”没有写评分规则的栏目，只能按它自己的评分规则"
                             f"“{layout.profile or DEFAULT_PROFILE}”计分；请不要指定 --profile，或换用其他版式")
        if "execution" in held and not _has_field(layout, "execution", "initial"):
            form = form.model_copy(update={"execution": (form.execution[0].model_copy(update={"initial": None}),)})
        if layout.name != form.default_layout():
            form = form.model_copy(update={"layout": layout.name})
    return form


def _held(layout: Layout) -> set[str]:
    from budgetxl.blocks import held_paths

    return held_paths(layout)


def _has_field(layout: Layout, path: str, field: str) -> bool:
    return any(getattr(b, "field", "") == path and b.column(field) is not None for b in layout.blocks)


# ---------------------------------------------------------------------------------------------
# The plan: the rendered seed with inputs, formulas and validations


@dataclass(frozen=True)
class Check:
    """A data validation over one range (0-based, inclusive)."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    options: dict[str, Any]


@dataclass(frozen=True)
class SelfevalTemplate:
    plan: Plan
    seed: SelfEvaluation
    profile: Profile
    checks: tuple[Check, ...]


def _ref(cell: tuple[int, int]) -> str:
    return str(xl_rowcol_to_cell(*cell))


def _hint(m: Message, **fmt_args: str) -> dict[str, Any]:
    return {"input_title": m.title, "input_message": m.message.format(**fmt_args)[:255]}


def _error(m: Message) -> dict[str, Any]:
    return {"error_title": m.title, "error_message": m.message, "error_type": "stop"}


def _bands(profile: Profile) -> str:
    return "；".join(f"{b.label} {fmt(b.low)}%–{fmt(b.high)}%" for b in profile.qualitative.bands)


def plan_selfeval_template(seed: SelfEvaluation, profile: Profile, layout: Layout | None = None) -> SelfevalTemplate:
    layout = layout or load_layout(layout_name(seed))
    # the planner lays out any form kind; paginated first (as the rendered form is printed), so
    # that every cell, formula and rule below is placed on its printed row
    plan = paginate(plan_form(cast(Any, seed), layout))
    texts = selfeval_texts()
    where: dict[str, tuple[int, int]] = {}
    for c in plan.cells:
        if c.field:
            where.setdefault(c.field, (c.row, c.col))
    styles: dict[str, str] = {}
    formulas: list[FormulaCell] = []
    checks: list[Check] = []

    def check(path: str, options: dict[str, Any]) -> None:
        cell = plan_cell(path)
        if cell is not None:
            checks.append(Check(cell.row, cell.col, cell.row, cell.last_col, options))

    cells_by_field = {c.field: c for c in plan.cells if c.field}

    def plan_cell(path: str) -> PlanCell | None:
        return cells_by_field.get(path)

    amount_check = {"validate": "decimal", "criteria": ">=", "value": 0, "ignore_blank": True}
    # -- execution: A, B, reason typed; 执行率 and the budget score as formulas
    for i, line in enumerate(seed.execution):
        for fld, hint in (("budget", "budget"), ("spent", "spent")):
            if f"execution[{i}].{fld}" in where:
                styles[f"execution[{i}].{fld}"] = "input_amount"
                check(f"execution[{i}].{fld}", {**amount_check, **_hint(texts.hints[hint]),
                                                **_error(texts.errors["amount"])})
        if f"execution[{i}].initial" in where and line.initial is None:
            styles[f"execution[{i}].initial"] = "input_amount"
            check(f"execution[{i}].initial", {**amount_check, **_error(texts.errors["amount"])})
        if f"execution[{i}].reason" in where:
            styles[f"execution[{i}].reason"] = "input_text"
            check(f"execution[{i}].reason", {"validate": "any", **_hint(texts.hints["reason"])})
        a, b = where.get(f"execution[{i}].budget"), where.get(f"execution[{i}].spent")
        if a is not None and b is not None and f"execution[{i}].rate" in where:
            A, B = _ref(a), _ref(b)
            formulas.append(FormulaCell(*where[f"execution[{i}].rate"],
                                        f'=IF(AND(ISNUMBER({A}),ISNUMBER({B}),{A}>0),{B}/{A},"")', "", "percent"))
            styles[f"execution[{i}].rate"] = "percent"
        w = where.get(f"execution[{i}].weight")
        if line.weight is not None and a is not None and b is not None and f"execution[{i}].score" in where:
            A, B, W = _ref(a), _ref(b), _ref(w) if w is not None else fmt(line.weight)
            rate = f"{B}/{A}*100"
            formulas.append(FormulaCell(*where[f"execution[{i}].score"],
                                        f'=IF(AND(ISNUMBER({A}),ISNUMBER({B}),{A}>0),'
                                        f'ROUND({_rate_expr(rate, W, profile)},2),"")', "", "amount"))
    # -- goals: what was achieved
    for i in range(len(seed.goals)):
        if f"goals[{i}].actual" in where:
            styles[f"goals[{i}].actual"] = "input_text"
            check(f"goals[{i}].actual", {"validate": "any", **_hint(texts.hints["goal_actual"])})
    # -- indicators
    band_labels = [b.label for b in profile.qualitative.bands]
    groups = profile.group_weights()
    weight_cells, score_cells = [], []
    for k, ind in enumerate(seed.indicators):
        p = f"indicators[{k}]"
        a, w, s = where.get(f"{p}.actual"), where.get(f"{p}.weight"), where.get(f"{p}.score")
        if w is not None:
            weight_cells.append(w)
            styles[f"{p}.weight"] = "input_amount"
            group = profile.group_of(ind.level1, ind.level2)
            check(f"{p}.weight", {**amount_check, **_hint(texts.hints["weight"], group=fmt(groups.get(group))),
                                  **_error(texts.errors["amount"])})
        if s is not None:
            score_cells.append(s)
        if f"{p}.reason" in where:
            styles[f"{p}.reason"] = "input_text"
            check(f"{p}.reason", {"validate": "any", **_hint(texts.hints["reason"])})
        if a is None:
            continue
        target = parse_target(ind.target_text(), ind.name)
        budget_row = bool(profile.budget.indicator) and profile.is_budget_indicator(ind.name)
        if budget_row or (target.is_quantitative and target.value is not None):
            percent = budget_row or target.unit == "%"
            styles[f"{p}.actual"] = "input_percent" if percent else "input_number"
            guide = texts.hints["actual_percent"] if percent else texts.hints["actual_number"]
            check(f"{p}.actual", {"validate": "decimal", "criteria": ">=", "value": 0, "ignore_blank": True,
                                  **_hint(guide, unit=target.unit or "见年度指标值"), **_error(texts.errors["number"])})
            if s is not None and w is not None:
                A, W = _ref(a), _ref(w)
                value = f"{A}*100" if percent else A
                if budget_row:
                    body = _rate_expr(value, W, profile)
                else:
                    body = _indicator_expr(value, target.value, W, target.operator in ("≤", "<"), profile)  # type: ignore[arg-type]
                formulas.append(FormulaCell(*s, f'=IF(AND(ISNUMBER({A}),ISNUMBER({W})),ROUND({body},2),"")', "",
                                            "amount"))
        else:
            styles[f"{p}.actual"] = "input_text"
            check(f"{p}.actual", {"validate": "list", "source": band_labels, "ignore_blank": True,
                                  **_hint(texts.hints["actual_band"], bands=_bands(profile)),
                                  **_error(texts.errors["band"])})
            if s is not None:
                styles[f"{p}.score"] = "input_amount"
                options = {"validate": "decimal", "criteria": "between", "minimum": 0,
                           "maximum": f"={_ref(w)}" if w is not None else 100, "ignore_blank": True,
                           **_hint(texts.hints["score"], bands=_bands(profile)), **_error(texts.errors["score"])}
                check(f"{p}.score", options)
    # -- totals
    exec_weight = [where[f"execution[{i}].weight"] for i, ln in enumerate(seed.execution)
                   if ln.weight is not None and f"execution[{i}].weight" in where]
    exec_score = [where[f"execution[{i}].score"] for i, ln in enumerate(seed.execution)
                  if ln.weight is not None and f"execution[{i}].score" in where]
    if "total_weight" in where and weight_cells:
        formulas.append(FormulaCell(*where["total_weight"], "=" + _sum(weight_cells + exec_weight),
                                    seed.total_weight if seed.total_weight is not None else "", "total_amount"))
    if "total_score" in where and score_cells:
        formulas.append(FormulaCell(*where["total_score"], "=" + _sum(score_cells + exec_score), Decimal(0),
                                    "total_amount"))
    if "conclusion" in where:
        styles["conclusion"] = "input_text"
        check("conclusion", {"validate": "any", **_hint(texts.hints["conclusion"])})

    at_formula = {(f.row, f.col) for f in formulas}
    cells = tuple(c._replace(style=styles.get(c.field, c.style),
                             value=None if (c.row, c.col) in at_formula else c.value)
                  if c.field and (c.field in styles or (c.row, c.col) in at_formula) else c
                  for c in plan.cells)
    styled = tuple(f._replace(style=_formula_style(f, cells)) for f in formulas)
    out = Plan(layout=plan.layout, sheet_name=plan.sheet_name, cells=cells, col_widths=plan.col_widths,
               row_heights=plan.row_heights, blocks=plan.blocks, print_rows=plan.print_rows,
               base_heights=plan.base_heights, formulas=plan.formulas + styled, pages=plan.pages)
    return SelfevalTemplate(out, seed, profile, tuple(checks))


def _formula_style(f: FormulaCell, cells: Sequence[PlanCell]) -> str:
    return f.style


def _sum(cells: list[tuple[int, int]]) -> str:
    """SUM over the cells, runs of consecutive rows of one column written as ranges."""
    parts: list[str] = []
    run: list[tuple[int, int]] = []
    for cell in cells + [(-2, -2)]:
        if run and (cell[1] != run[-1][1] or cell[0] != run[-1][0] + 1):
            parts.append(_ref(run[0]) if len(run) == 1 else f"{_ref(run[0])}:{_ref(run[-1])}")
            run = []
        run.append(cell)
    return "SUM(" + ",".join(parts) + ")"


def _rate_expr(rate: str, weight: str, profile: Profile) -> str:
    """The budget rule as an Excel expression of the rate (percent) and the weight."""
    b = profile.budget
    if b.rule == "steps":
        return (f"IF({rate}>={fmt(b.full_at)},{weight},MAX(0,{weight}-ROUNDUP(({fmt(b.full_at)}-({rate}))/"
                f"{fmt(b.step)},0)*{fmt(b.points)}))")
    return f"MAX(0,MIN({weight},({rate})/100*{weight}))"  # the rate is wrapped: an expression


def _indicator_expr(actual: str, target: Decimal, weight: str, negative: bool, profile: Profile) -> str:
    t = fmt(target)
    actual = f"({actual})" if not actual.isalnum() else actual
    if not negative:
        if target <= 0:
            return weight
        return f"IF({actual}>={t},{weight},MAX(0,MIN({weight},{actual}/{t}*{weight})))"
    if target <= 0:
        return f"IF({actual}<={t},{weight},0)"
    if profile.indicators.negative == "linear":
        return f"IF({actual}<={t},{weight},IF({actual}>=2*{t},0,MAX(0,MIN({weight},(1-({actual}-{t})/{t})*{weight}))))"
    return f"IF({actual}<={t},{weight},MAX(0,MIN({weight},{t}/{actual}*{weight})))"


# ---------------------------------------------------------------------------------------------
# Writing


def instruction_lines(tpl: SelfevalTemplate) -> list[Line]:
    p, seed = tpl.profile, tpl.seed
    args = {"profile": p.name, "profile_title": p.title, "basis": p.basis, "unit": seed.who,
            "year": str(seed.year or ""), "full": fmt(p.full_marks)}
    out = []
    for raw in selfeval_texts().instructions:
        text = raw.format(**args)
        if text.startswith("## "):
            out.append(Line(text[3:], "heading"))
        elif text.startswith("# "):
            out.append(Line(text[2:], "title"))
        else:
            out.append(Line(text, "note"))
    return out


def write_selfeval_template(tpl: SelfevalTemplate, path: str | Path, *, password: str | None = None) -> Path:
    """Write the template at `path`, atomically: the form sheet (protected) and 填表说明."""
    plan = tpl.plan
    path = Path(path)
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp, plan.layout)
        formats = FormatCache(wb, plan.layout)
        ws = wb.add_worksheet(plan.sheet_name)
        guide = wb.add_worksheet(selfeval_texts().instructions_sheet)
        write_sheet(ws, plan, formats)
        for c in tpl.checks:
            ws.data_validation(c.first_row, c.first_col, c.last_row, c.last_col, c.options)
        ws.protect(password or "", {"format_rows": True, "format_columns": True})
        ws.activate()
        write_instructions(guide, instruction_lines(tpl), plan.layout, formats, password or "")
        try:
            wb.close()
        except OSError as exc:
            raise OutputError(f"{path}: 无法写入（{exc}）") from None
    return path


def selfeval_file_name(seed: SelfEvaluation) -> str:
    return file_name(selfeval_texts().file_name, seed.who or "自评表", year=seed.year)


def make_selfeval_template(targets: Any, path: str | Path, *, profile: str | None = None, layout: str | None = None,
                           project_name: str = "", department: str = "", year: int | None = None,
                           password: str | None = None) -> SelfevalTemplate:
    """Build and write the self-evaluation template of the approved `targets` at `path`."""
    prof = load_profile(profile or _layout_profile(layout))
    lay = load_layout(layout) if layout else None
    if lay is not None and lay.kind != "selfeval":
        raise InputError(f"--layout {layout}: 这是{lay.description or lay.name}的版式，不是绩效自评表的版式")
    seed = _seed_in_layout(targets, prof, lay, project_name, department, year)
    tpl = plan_selfeval_template(seed, prof, load_layout(layout_name(seed)))
    write_selfeval_template(tpl, path, password=password)
    return tpl


def _layout_profile(layout: str | None) -> str | None:
    if not layout:
        return None
    return load_layout(layout).profile or None


def planned_seed(targets: Any, *, profile: str | None = None, layout: str | None = None, project_name: str = "",
                 department: str = "", year: int | None = None) -> SelfEvaluation:
    """The seed a template of `targets` would show (for naming its file before writing it)."""
    prof = load_profile(profile or _layout_profile(layout))
    lay = load_layout(layout) if layout else None
    return _seed_in_layout(targets, prof, lay, project_name, department, year)


def _seed_in_layout(targets: Any, prof: Profile, lay: Layout | None, project_name: str, department: str,
                    year: int | None) -> SelfEvaluation:
    """The seed in `lay`, or in the default layout of its subject when none is given."""
    if lay is None:
        draft = selfeval_seed(targets, prof, project_name=project_name, department=department, year=year)
        lay = load_layout(layout_name(draft))
    return selfeval_seed(targets, prof, layout=lay, project_name=project_name, department=department, year=year)


# ---------------------------------------------------------------------------------------------
# A bureau's set: one template per target table of a folder


def write_selfeval_item(args: tuple[Any, ...]) -> str:
    """One template: (targets file, output file, profile, layout, year, password) → the output."""
    from budgetxl.scoring.targets import load_targets

    source, target, profile, layout, year, password = args
    make_selfeval_template(load_targets(source), target, profile=profile, layout=layout, year=year,
                           password=password)
    return str(target)


@dataclass(frozen=True)
class SelfevalSet:
    """What a folder of target tables gave: the templates written, what was left out by the units
    list (`notes`), and every target table that could not make a template (`errors`, each naming
    its file and why)."""

    paths: list[Path]
    notes: list[str]
    errors: list[str]


def make_selfeval_set(folder: str | Path, out_dir: str | Path, *, profile: str | None = None,
                      layout: str | None = None, year: int | None = None, units: str | Path | None = None,
                      password: str | None = None, jobs: int | None = None) -> SelfevalSet:
    """A self-evaluation template for every target table in `folder` (workbooks and form files).
    One that cannot make a template does not stop the others: it is named in `errors` and the
    others are written, each atomically (written into a temporary folder beside `out_dir` and
    moved in). `units` (a CSV list) keeps the units it names, in its order, and names those that
    have no target table in `notes`."""
    import os
    import shutil
    import tempfile

    from budgetxl.batch import run_batch
    from budgetxl.collect.files import find_workbooks
    from budgetxl.collect.inspect import unit_key
    from budgetxl.errors import BudgetxlError
    from budgetxl.filenames import FORM_FILE_SUFFIXES as FORM_SUFFIXES
    from budgetxl.filenames import unique_names
    from budgetxl.scoring.targets import load_targets

    folder, out_dir = Path(folder), Path(out_dir)
    files, _ = find_workbooks([folder])
    files += sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FORM_SUFFIXES)
    found: list[tuple[Path, Any]] = []
    notes: list[str] = []
    errors: list[str] = []

    def reason(exc: BudgetxlError) -> str:
        return "；".join([str(exc).split(": ", 1)[-1], *getattr(exc, "details", ())])

    for f in files:
        try:
            found.append((f, load_targets(f)))
        except BudgetxlError as exc:
            errors.append(f"{f.name} 未生成模板：{reason(exc)}")
    if units is not None:
        from budgetxl.units import load_units

        by_unit = {unit_key(t.unit_name): (f, t) for f, t in found}
        chosen = []
        for row in load_units(units).units:
            hit = by_unit.get(unit_key(row.name))
            if hit is None:
                notes.append(f"第 {row.line} 行“{row.name}”：文件夹中没有该单位的目标表")
            else:
                chosen.append(hit)
        found = chosen
    if not found:
        raise InputError(f"{folder}: 没有可用的绩效目标表，未生成模板", details=errors + notes)
    prof = load_profile(profile or _layout_profile(layout))
    lay = load_layout(layout) if layout else None
    named: list[tuple[Path, str]] = []
    for f, t in found:
        try:
            named.append((f, selfeval_file_name(_seed_in_layout(t, prof, lay, "", "", year))))
        except BudgetxlError as exc:
            errors.append(f"{f.name} 未生成模板：{reason(exc)}")
    names = unique_names(n for _, n in named)
    parent = out_dir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"{parent}: 无法创建临时文件夹（{exc.strerror}）") from None
    written: list[Path] = []
    try:
        items = [(str(f), str(work / n), profile, layout, year, password) for (f, _), n in zip(named, names)]
        outcomes = run_batch(write_selfeval_item, items, jobs=jobs, description="生成绩效自评表模板")
        for o in outcomes:
            if not o.ok:
                errors.append(f"{named[o.index][0].name} 未生成模板：{o.error}")
        good = [names[o.index] for o in sorted(outcomes, key=lambda o: o.index) if o.ok]
        try:
            if good:
                out_dir.mkdir(parents=True, exist_ok=True)
            for n in good:
                os.replace(work / n, out_dir / n)
                written.append(out_dir / n)
        except OSError as exc:
            raise OutputError(f"{out_dir}: 无法写入（{exc.strerror}）") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return SelfevalSet(written, notes, errors)

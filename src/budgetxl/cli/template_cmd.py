"""`budgetxl template`: blank templates for one department or for every unit of a CSV list."""

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from budgetxl.cli.app import (
    DebugOpt,
    JobsOpt,
    LayoutOpt,
    OutDirOpt,
    OutOpt,
    app,
    check_layout,
    fail,
    guard_outputs,
    handle_errors,
    require_suffix,
    stderr,
    stdout,
)
from budgetxl.cli.score_cmd import ProfileOpt
from budgetxl.frameworks import framework_ids
from budgetxl.report import SEVERITY_LABELS

DEFAULT_DIR = Path("outputs")


def _say(text: str) -> None:
    stderr.print(text, markup=False, highlight=False)


@app.command(short_help="为各部门生成空白模板：预填、保护，带下拉列表和校验。")
@handle_errors()
def template(
    year: Annotated[int | None, typer.Option("--year", min=1900, max=2200, metavar="年度",
                                             help="模板的预算年度（绩效自评表默认取目标表的年度）。")] = None,
    unit: Annotated[str | None, typer.Option("--unit", metavar="单位名称", help="一个部门的单位名称。")] = None,
    units: Annotated[
        Path | None,
        typer.Option("--units", metavar="清单.csv",
                     help="单位清单 CSV（UTF-8 或 GBK）：一列单位名称，可选 基本支出、项目支出、财政拨款、其他资金 "
                          "金额列（预填到模板）。"),
    ] = None,
    output: OutOpt = None,
    out_dir: OutDirOpt = None,
    framework: Annotated[
        str | None,
        typer.Option("--framework", metavar="体系",
                     help=f"下拉列表用的指标体系：{' 或 '.join(framework_ids())}（默认：有 --from 时沿用上年的，"
                          "否则用默认体系）。"),
    ] = None,
    rows: Annotated[
        int | None,
        typer.Option("--rows", min=0, max=100, metavar="行数",
                     help="每个任务块、每个二级指标下留的空行数（默认见 templates/template.yaml）。"),
    ] = None,
    password: Annotated[
        str | None, typer.Option("--password", metavar="密码", help="用这个密码保护工作表（默认不设密码）。")
    ] = None,
    from_: Annotated[
        Path | None,
        typer.Option("--from", metavar="上年表",
                     help="上年的表（工作簿，按内容识别，或 .yaml、.json）：预填任务和指标供修改，金额留空。"),
    ] = None,
    layout: LayoutOpt = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", metavar="种类",
                     help="department（部门整体预算绩效目标表）、project（项目支出绩效目标表）或 selfeval（由 --from "
                          "指定的批复目标表生成年度绩效自评表）；默认：--layout 或 --from 的种类，否则 department。"),
    ] = None,
    project: Annotated[
        str | None, typer.Option("--project", metavar="项目名称",
                                 help="项目名称：项目支出绩效目标表的模板中预填；绩效自评表：生成项目支出绩效自评表。")
    ] = None,
    jobs: JobsOpt = None,
    profile: ProfileOpt = None,
    department: Annotated[
        str | None, typer.Option("--department", metavar="主管部门", help="绩效自评表：项目的主管部门。")
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """为各部门生成空白模板：预填已知内容，锁定标签和公式，带下拉列表、输入提示和校验。

    一个单位用 --unit（-o 指定文件，须为 .xlsx），单位清单（CSV）用 --units（--out-dir
    指定文件夹）；--from 用上年的表预填任务和指标（金额留空）。

    --kind selfeval：由批复的绩效目标表（--from 目标表，或存放目标表的文件夹）生成绩效自评表模板：
    单位、年初预算数、预期目标和每个指标及其年度指标值预填并锁定，分值按评分规则预填，得分自动计算。
    """
    from budgetxl.render.template import (
        build_template,
        load_previous,
        make_templates,
        not_carried,
        off_framework_pairs,
        relabelled_pairs,
        template_file_name,
        write_template,
    )
    from budgetxl.units import load_units

    guard_outputs([from_, units], output)  # the same file first: that is the worse mistake
    require_suffix(output, (".xlsx",), "模板")
    if kind == "selfeval":
        from budgetxl.cli.selfeval_template_cmd import selfeval_template

        selfeval_template(from_=from_, output=output, out_dir=out_dir, profile=profile, layout=layout,
                          project=project, department=department, year=year, units=units, unit=unit,
                          password=password, jobs=jobs)
        return
    if year is None:
        raise fail("缺少选项 --year：请用 --year 指定模板的年度", 2)
    if department is not None or profile is not None:
        raise fail("--department、--profile 只用于绩效自评表（--kind selfeval）", 2)
    if unit is not None and units is not None:
        raise fail("--unit 和 --units 只能用一个：一个单位用 --unit，单位清单（CSV）用 --units", 2)
    if unit is None and units is None and from_ is None:
        raise fail("请用 --unit 指定一个单位，或用 --units 指定单位清单（CSV）", 2)
    if framework is not None and framework not in framework_ids():
        raise fail(f"不认识的指标体系“{framework}”，可选：{'、'.join(framework_ids())}", 2)
    check_layout(layout)
    if layout is not None:
        from budgetxl.layout import load_layout

        if load_layout(layout).kind == "selfeval":
            raise fail(f"版式“{layout}”是绩效自评表的版式；"
                       "绩效自评表模板由目标表生成：--kind selfeval --from 目标表", 2)
    guard_outputs([from_, units], output)
    previous = None
    if from_ is not None:
        previous, findings = load_previous(from_)
        if getattr(previous, "kind", "department") == "selfeval":
            raise fail(f"{from_}: 这是绩效自评表，不是目标表；要由目标表生成绩效自评表模板，请用 --kind selfeval "
                       "--from 目标表", 2)
        for f in findings:
            _say(f"{SEVERITY_LABELS[f.severity]} {f.code} {f.where}: {f.message}")
    kind = template_kind(kind, layout, previous)
    if kind == "project":
        project_template(year=year, unit=unit, units=units, output=output, out_dir=out_dir, framework=framework,
                         rows=rows, password=password, previous=previous, layout=layout, project=project, jobs=jobs,
                         source=from_)
        return
    if project is not None:
        raise fail("--project 只能用于项目支出绩效目标表（--kind project）"
                   "或项目的绩效自评表（--kind selfeval）的模板", 2)
    if units is not None:
        if output is not None:
            raise fail("-o 只能用于一个单位；单位清单请用 --out-dir", 2)
        if from_ is not None:
            raise fail("--from 只能用于一个单位（--unit）", 2)
        table = load_units(units)
        if table.ignored_columns:
            _say(f"提示：{units} 中的这些列不是单位名称或预算金额，已忽略：{'、'.join(table.ignored_columns)}")
        folder = out_dir or DEFAULT_DIR
        paths = make_templates(table.units, year, folder, framework=framework, layout=layout, rows=rows,
                               password=password, jobs=jobs)
        for path in paths:
            stdout.print(str(path), markup=False, highlight=False)
        _say(f"已生成 {len(paths)} 个模板（{folder}）")
        return

    unit_name = unit if unit is not None else previous.unit_name  # type: ignore[union-attr]
    tplan, seed, counts = build_template(unit_name, year, previous=previous, framework=framework,
                                         layout=layout, rows=rows)
    if previous is not None:
        lost = not_carried(previous, tplan.plan.layout)
        if lost:
            _say(f"提示：版式“{tplan.plan.layout.name}”没有这些栏目，上年的内容未带入：{'、'.join(lost)}")
        for (l1, l2), (n1, n2) in relabelled_pairs(previous, tplan.framework).items():
            _say(f"提示：上年的“{l1} / {l2}”已改写为下拉列表中的“{n1} / {n2}”")
    for l1, l2 in off_framework_pairs(seed, tplan.framework):
        where = f"{l1}的各二级指标之后" if l1 in tplan.framework.level1 else "绩效指标的最后"
        _say(f"提示：上年的“{l1} / {l2}”不在{tplan.framework.name}中，其指标已原样放在{where}，请核对")
    target = output if output is not None else (out_dir or DEFAULT_DIR) / template_file_name(seed.unit_name, year)
    guard_outputs([from_], target)
    write_template(tplan, seed, target, password=password, rows=counts)
    stdout.print(str(target), markup=False, highlight=False)


def template_kind(kind: str | None, layout: str | None, previous: object) -> str:
    """The form kind of the templates: --kind, else the kind of --layout, else of --from's table;
    a --layout or --from of another kind than --kind is a usage error."""
    from budgetxl.kinds import FORM_KINDS, kind_of
    from budgetxl.layout import load_layout

    if kind is not None and kind not in FORM_KINDS:
        raise fail(f"不认识的表格种类“{kind}”，可选：{'、'.join(FORM_KINDS)}", 2)
    if kind is not None and kind not in ("department", "project"):
        raise fail(f"“{FORM_KINDS[kind].title}”（--kind {kind}）还不能生成模板", 2)
    of_layout = load_layout(layout).kind if layout is not None else None
    of_previous = kind_of(previous).name if previous is not None else None
    chosen = kind or of_layout or of_previous or "department"
    for what, other in (("--layout", of_layout), ("--from", of_previous)):
        if other is not None and other != chosen:
            raise fail(f"{what} 给出的是{FORM_KINDS[other].title}，而模板是{FORM_KINDS[chosen].title}"
                       f"（--kind {chosen}）", 2)
    return chosen


def project_template(*, year: int, unit: str | None, units: Path | None, output: Path | None, out_dir: Path | None,
                     framework: str | None, rows: int | None, password: str | None, previous: object,
                     layout: str | None, project: str | None, jobs: int | None, source: Path | None = None) -> None:
    """`budgetxl template --kind project`: one project's template, or one per unit of a list."""
    from budgetxl.render.project_template import (
        build_project_template,
        not_carried_project,
        project_template_file_name,
        write_project_template,
    )
    from budgetxl.render.template import make_templates
    from budgetxl.units import load_units

    if unit is not None and units is not None:
        raise fail("--unit 和 --units 只能用一个：一个单位用 --unit，单位清单（CSV）用 --units", 2)
    if units is not None:
        if output is not None or previous is not None or project is not None:
            raise fail("单位清单（--units）为每个单位生成一个空白项目模板；-o、--from 和 --project 只能用于一个项目", 2)
        table = load_units(units)
        if table.amount_columns:
            _say(f"提示：项目模板不预填金额，{units} 中的金额列已忽略：{'、'.join(table.amount_columns)}")
        folder = out_dir or DEFAULT_DIR
        blank = [replace(u, amounts={}) for u in table.units]
        paths = make_templates(blank, year, folder, framework=framework, layout=layout, rows=rows,
                               password=password, jobs=jobs, kind="project")
        for path in paths:
            stdout.print(str(path), markup=False, highlight=False)
        _say(f"已生成 {len(paths)} 个项目模板（{folder}）")
        return
    if unit is None and previous is None:
        raise fail("请用 --unit 指定项目的主管部门，或用 --from 指定上年的项目表", 2)
    tplan, seed, counts = build_project_template(unit, year, previous=previous, framework=framework,  # type: ignore[arg-type]
                                                 layout=layout, rows=rows, project=project)
    if previous is not None:
        lost = not_carried_project(previous, tplan.plan.layout)  # type: ignore[arg-type]
        if lost:
            _say(f"提示：版式“{tplan.plan.layout.name}”没有这些栏目，上年的内容未带入：{'、'.join(lost)}")
    target = output if output is not None else (out_dir or DEFAULT_DIR) / project_template_file_name(seed, year)
    guard_outputs([source], target)
    write_project_template(tplan, seed, target, password=password, rows=counts, previous=previous)  # type: ignore[arg-type]
    stdout.print(str(target), markup=False, highlight=False)

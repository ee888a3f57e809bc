"""`budgetxl template --kind selfeval`: self-evaluation templates from the approved targets."""

from __future__ import annotations

from pathlib import Path

import typer

from budgetxl.cli.app import EXIT_FAIL, EXIT_USAGE, check_layout, fail, stderr, stdout
from budgetxl.cli.score_cmd import check_profile
from budgetxl.errors import OutputError
from budgetxl.report import SEVERITY_LABELS

DEFAULT_DIR = Path("outputs")


def _say(text: str) -> None:
    stderr.print(text, markup=False, highlight=False)


def selfeval_template(*, from_: Path | None, output: Path | None, out_dir: Path | None, profile: str | None,
                      layout: str | None, project: str | None, department: str | None, year: int | None,
                      units: Path | None, unit: str | None, password: str | None, jobs: int | None) -> None:
    from budgetxl.render.selfeval_template import make_selfeval_set, make_selfeval_template, selfeval_file_name
    from budgetxl.scoring.targets import load_targets_with_findings

    if from_ is None:
        raise fail("绩效自评表模板由批复的绩效目标表生成：请用 --from 指定目标表（或存放目标表的文件夹）", EXIT_USAGE)
    if unit is not None:
        raise fail("--unit 不用于绩效自评表：单位名称取自 --from 指定的目标表", EXIT_USAGE)
    check_profile(profile)
    check_layout(layout)
    if from_.is_dir():
        if output is not None:
            raise fail("--from 是文件夹时，请用 --out-dir 指定输出文件夹", EXIT_USAGE)
        if project is not None:
            raise fail("--project 只能用于一个目标表", EXIT_USAGE)
        folder = out_dir or DEFAULT_DIR
        made = make_selfeval_set(from_, folder, profile=profile, layout=layout, year=year,
                                 units=units, password=password, jobs=jobs)
        for path in made.paths:
            stdout.print(str(path), markup=False, highlight=False)
        for note in made.notes:
            _say(f"提示：{note}")
        for error in made.errors:
            _say(f"错误：{error}")
        _say(f"已生成 {len(made.paths)} 个绩效自评表模板（{folder}）"
             + (f"；{len(made.errors)} 个目标表未生成模板，见上" if made.errors else ""))
        if made.errors:
            raise typer.Exit(EXIT_FAIL)
        return
    if units is not None:
        raise fail("--units 只能与存放目标表的文件夹（--from 文件夹）一起用", EXIT_USAGE)
    targets, findings = load_targets_with_findings(from_)
    for f in findings:
        _say(f"{SEVERITY_LABELS[f.severity]} {f.code} {f.where}: {f.message}")
    from budgetxl.render.selfeval_template import planned_seed

    seed = planned_seed(targets, profile=profile, layout=layout, project_name=project or "",
                        department=department or "", year=year)
    target = output if output is not None else (out_dir or DEFAULT_DIR) / selfeval_file_name(seed)
    if target.resolve() == from_.resolve():
        raise OutputError(f"{target}: 模板不能覆盖目标表，请换一个文件名")
    tpl = make_selfeval_template(targets, target, profile=profile, layout=layout, project_name=project or "",
                                 department=department or "", year=year, password=password)
    _say(f"评分规则 {tpl.profile.name}（{tpl.profile.title}），版式 {tpl.plan.layout.name}，"
         f"{len(tpl.seed.indicators)} 个指标")
    stdout.print(str(target), markup=False, highlight=False)

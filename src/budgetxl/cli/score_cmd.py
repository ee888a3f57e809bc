"""`budgetxl score`: each self-evaluation's scores, typed and computed, under a scoring profile."""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from budgetxl.cli.app import EXIT_FAIL, EXIT_OK, EXIT_USAGE, DebugOpt, JsonOpt, app, fail, stderr, stdout
from budgetxl.errors import BudgetxlError

if TYPE_CHECKING:
    from budgetxl.scoring import ScoreCard

ProfileOpt = Annotated[
    str | None,
    typer.Option("--profile", metavar="评分规则",
                 help="绩效自评表的评分规则，templates/profiles/ 中的文件名（mof-2020、hebei、reverse-linear、"
                      "chongqing…）；默认用表中写明的，否则用版式的。"),
]


def _say(message: str) -> None:
    stderr.print(message, markup=False, highlight=False)


def check_profile(profile: str | None) -> None:
    """An unknown profile is a usage error naming the known ones."""
    if profile is None:
        return
    from budgetxl.scoring.profiles import available_profiles

    if profile not in available_profiles():
        raise fail(f"不认识的评分规则“{profile}”，可选：{'、'.join(available_profiles())}", EXIT_USAGE)


def card_text(card: "ScoreCard", form: Any, source: str) -> None:
    """One self-evaluation's scores on the terminal: a table of the indicators, then the totals."""
    from rich.table import Table
    from rich.text import Text

    from budgetxl.scoring.engine import fmt, round_score

    who = form.who or "（未填写名称）"
    stdout.print(f"{source}：{who}，{form.year or '年度未填'}年度；"
                 f"评分规则 {card.profile.name}（{card.profile.title}）", markup=False, highlight=False)
    table = Table(show_lines=False)
    for name, kwargs in (("#", {"no_wrap": True, "justify": "right"}), ("指标", {"ratio": 2, "overflow": "fold"}),
                         ("分值", {"justify": "right"}), ("填写得分", {"justify": "right"}),
                         ("计算得分", {"justify": "right"}), ("说明", {"ratio": 3, "overflow": "fold"})):
        table.add_column(name, **kwargs)
    b = card.budget
    if b is not None:
        wrong = b.typed is not None and b.computed is not None and abs(b.typed - b.computed) > card.profile.tolerance
        mark = " ✗" if wrong else ""
        table.add_row("", "预算执行", fmt(b.weight), fmt(b.typed), Text(fmt(b.computed) + mark),
                      "；".join(t for t in (b.formula or b.problem, b.weight_note) if t))
    for s in card.indicators:
        ind = form.indicators[s.index]
        mark = " ✗" if s.differs else ""
        note = s.formula if s.computed is not None else s.problem
        if s.needs_reason and not ind.reason.strip():
            note += f"（须说明偏差原因：{s.needs_reason}）"
        table.add_row(str(s.index + 1), ind.name.replace("\n", "") or ind.target, fmt(s.weight), fmt(s.typed),
                      Text(fmt(s.computed) + mark, style="bold red" if mark else ""), note)
    stdout.print(table, highlight=False)
    typed = "未填写" if card.typed_total is None else f"填写 {fmt(card.typed_total)}"
    typed_in = sum(1 for s in card.unscored if s.typed is not None)
    missing = len(card.unscored) - typed_in
    parts = ([f"{typed_in} 项无法自动计分，按填写的得分计入"] if typed_in else []) + (
        [f"{missing} 项无法自动计分且未填写得分，未计入"] if missing else [])
    status = f"（{'；'.join(parts)}）" if parts else ""
    rate = "" if card.rate is None else f"；执行率 {fmt(round_score(card.rate))}%"
    grade = f"等级 {card.grade}" if card.grade else card.ungraded
    stdout.print(f"总分：{typed}，计算 {fmt(card.total)}{status}；{grade}{rate}",
                 markup=False, highlight=False)


@app.command("score", short_help="给绩效自评表计分：每个指标填写的和计算的得分、预算执行得分、总分和等级。")
def score_cmd(
    files: Annotated[list[Path], typer.Argument(
        help="绩效自评表：工作簿（.xlsx、.xls、.ods）或表单文件（.yaml、.json）。",
        show_default=False, metavar="文件")],
    profile: ProfileOpt = None,
    json_: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """给绩效自评表计分：每个指标填写的得分和按评分规则计算的得分（附计算公式）、预算执行得分、总分和等级。

    得分按评分规则重新计算，与单位填写的并列显示，不改写填写的内容。
    退出码：0 填写的得分都与计算的一致；1 有不一致；2 用法错误，或有文件无法读取、不是绩效自评表（其他文件照常计分）。
    """
    from budgetxl.scoring import load_profile, score
    from budgetxl.scoring.forms import load_selfevals

    check_profile(profile)
    if profile is not None:
        try:
            load_profile(profile)
        except BudgetxlError as exc:
            raise fail(str(exc), EXIT_USAGE) from None
    results: list[dict[str, Any]] = []
    unreadable = differing = 0
    for file in files:
        try:
            forms = load_selfevals(file)
            cards = [(source, form, score(form, profile)) for source, form in forms]
        except BudgetxlError as exc:
            if debug:
                raise
            _say(f"错误：{exc}")
            unreadable += 1
            continue
        except Exception as exc:
            if debug:
                raise
            _say(f"错误：{file}: 意外错误 {type(exc).__name__}: {exc}（加 --debug 可查看详细信息）")
            unreadable += 1
            continue
        for source, form, card in cards:
            wrong = any(s.differs for s in card.indicators) or (
                card.typed_total is not None and abs(card.typed_total - card.total) > card.profile.tolerance
                and all(s.counted is not None for s in card.indicators))
            differing += wrong
            if json_:
                results.append({"source": source, "unit_name": form.unit_name, "project_name": form.project_name,
                                "year": form.year, **card.to_data()})
            else:
                card_text(card, form, source)
    if json_:
        text = json.dumps(results[0] if len(files) == 1 and len(results) == 1 else results, ensure_ascii=False,
                          indent=2)
        stdout.print(text, markup=False, highlight=False, soft_wrap=True)
    if unreadable:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_FAIL if differing else EXIT_OK)


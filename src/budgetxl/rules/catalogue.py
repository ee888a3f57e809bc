"""The rule catalogue docs/rules.md, generated from the rule declarations.

    python -m budgetxl.rules.catalogue            # rewrite docs/rules.md
    python -m budgetxl.rules.catalogue --check    # exit 1 when docs/rules.md is out of date

Installed without a checkout (no docs/ to rewrite), it prints the catalogue instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

from budgetxl.kinds import FORM_KINDS
from budgetxl.read.codes import READ_CODES
from budgetxl.report import SEVERITY_LABELS
from budgetxl.resources import source_checkout
from budgetxl.rules.registry import STAGE_LABELS, Rule, all_rules
from budgetxl.rules.validate import validate  # noqa: F401 - registers every rule

CATALOGUE = Path(__file__).resolve().parents[3] / "docs" / "rules.md"  # in a checkout

SECTIONS = (
    ("1", "必填项与金额（BX1xx）"),
    ("2", "指标体系（BX2xx）"),
    ("3", "指标值（BX3xx）"),
    ("4", "其他（BX4xx）"),
    ("5", f"{FORM_KINDS['project'].title}（BX5xx）"),
    ("6", "绩效自评（BX6xx，自评表）"),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _kinds(r: Rule) -> str:
    """Which form kinds a rule checks, when not the department form alone."""
    if r.kinds == ("department",):
        return ""
    return "（适用于：" + "、".join(FORM_KINDS[k].title if k in FORM_KINDS else k for k in r.kinds) + "）"


def _row(r: Rule) -> str:
    where = ("" if r.stage == "form" else f"（仅适用于 {STAGE_LABELS[r.stage]}）") + _kinds(r)
    return (
        f"| {r.code} | {SEVERITY_LABELS[r.severity]} | {_cell(r.title)} | {_cell(r.description)}{where} "
        f"| {_cell(r.example)} |"
    )


def render_catalogue() -> str:
    rules = all_rules()
    lines = [
        "# 审核规则目录 (rule catalogue)",
        "",
        "<!-- Generated from the rule declarations in src/budgetxl/rules/ by",
        "     `python -m budgetxl.rules.catalogue`; do not edit by hand (a test compares them). -->",
        "",
        "`budgetxl check` 和 `budgetxl.rules.validate()` 报告的每一条审核结果都带有下列代码之一。",
        "级别：**错误**必须改正（有错误时 `budgetxl check` 以状态 1 退出）；**警告**请核实"
        "（加 `--strict` 时也以状态 1 退出）；**提示**仅供参考。",
        "读取工作簿时发现的问题（BX0xx）由读取器报告，列在最后一节。",
        "",
        f"共 {len(rules)} 条规则，另有 {len(READ_CODES)} 种读取问题。",
    ]
    for digit, heading in SECTIONS:
        section = [r for r in rules if r.code[2] == digit]
        if not section:
            continue
        lines += ["", f"## {heading}", "", "| 代码 | 级别 | 规则 | 检查内容 | 示例 |", "|---|---|---|---|---|"]
        lines += [_row(r) for r in section]
    lines += ["", "## 读取工作簿（BX0xx）", "", "| 代码 | 级别 | 问题 | 说明 | 示例 |", "|---|---|---|---|---|"]
    lines += [
        f"| {c.code} | {SEVERITY_LABELS[c.severity]} | {_cell(c.title)} | {_cell(c.description)} | {_cell(c.example)} |"
        for c in READ_CODES.values()
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = render_catalogue()
    if source_checkout() is None:
        sys.stdout.write(text)
        return 0
    if "--check" in args:
        current = CATALOGUE.read_text(encoding="utf-8") if CATALOGUE.is_file() else ""
        if current != text:
            print(f"{CATALOGUE} is out of date: run python -m budgetxl.rules.catalogue", file=sys.stderr)
            return 1
        return 0
    from budgetxl.fileio import write_text_atomic

    write_text_atomic(CATALOGUE, text)
    print(CATALOGUE)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

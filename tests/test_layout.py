"""Layouts as data: loading, extends, titles, the reader's label index."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from budgetxl.errors import LayoutError
from budgetxl.layout import all_layouts, available_layouts, label_index, load_layout
from budgetxl.resources import templates_dir


def test_default_layout_declares_every_block():
    layout = load_layout()
    assert layout.name == "guangdong"
    assert layout.ncols == 7
    assert [b.key for b in layout.blocks] == ["unit", "basic_info", "budget", "overall_goal", "tasks_key",
                                              "tasks_other", "indicators"]
    assert list(layout.headers_of("tasks").values()) == ["名称", "主要实施内容", "拟投入的资金（万元）", "期望达到的目标（概述）"]
    assert list(layout.headers_of("tasks")) == ["name", "content", "funds", "goal"]
    assert list(layout.headers_of("indicators")) == ["level1", "level2", "name", "target"]
    assert layout.budget_lines() == {"budget.expenditures": ("基本支出", "项目支出"),
                                     "budget.revenues": ("财政拨款", "其他资金")}
    assert layout.task_funds_line == "项目支出" and layout.sides == ("expenditures", "revenues")
    # the other tasks share the key tasks' columns, under their header row
    other = layout.block("tasks_other")
    assert other.column_map == layout.block("tasks_key").column_map and not other.has_header
    assert layout.page.paper == 9 and not layout.page.landscape


@pytest.mark.parametrize(
    ("name", "year", "title", "unit_label"),
    [
        ("guangdong", 2023, "部门整体预算绩效目标表（2023年）", "单位名称"),
        ("zhanjiang", 2024, "2024年市级部门整体预算绩效目标表", "部门名称"),
    ],
)
def test_titles_and_unit_labels(name, year, title, unit_label):
    layout = load_layout(name)
    assert layout.render_title(year) == title
    assert layout.unit_block.label == unit_label


def test_extends_keeps_the_parent_geometry():
    base, child = load_layout("guangdong"), load_layout("zhanjiang")
    assert child.columns == base.columns
    assert child.indicators_block == base.indicators_block
    assert child.block("budget") == base.block("budget")


def test_label_index_covers_synonyms_of_all_layouts():
    index = label_index()
    assert index["单位名称"] == ("unit",)
    assert index["部门名称"] == ("unit",)
    assert index["其他需完成的任务(可选填)"] == ("tasks_other",)
    assert index["绩效指标"] == ("indicators",)
    assert all_layouts()[0].name == "guangdong"
    assert set(available_layouts()) >= {"guangdong", "zhanjiang"}


def test_unknown_layout_is_a_clear_error():
    with pytest.raises(LayoutError, match="找不到版式“nowhere”"):
        load_layout("nowhere")


def _layout_words() -> set[str]:
    """What is particular to a layout: block labels and their synonyms, budget line names and the
    budget's side headings (not the indicator headers 一级指标…指标值, the domain's own words)."""
    words: set[str] = set()
    for layout in all_layouts():
        for block in layout.blocks:
            words.update((block.label, *block.synonyms))
        for names in layout.budget_lines().values():
            words.update(names)
        words.update(layout.side_label(side) for side in layout.sides)
    return {w for w in words if len(w) >= 3}


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module's code: docstrings and the texts of rule declarations
    (their catalogue entries) left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("rule", "Rule", "ReadCode"):
            for arg in ast.walk(node):
                skip.add(id(arg))
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip]


def test_layout_files_hold_no_python_literals_elsewhere():
    """The labels and line names live in templates/: the writer, the template maker, the reader,
    the block kinds, the rules and the diff do not spell them."""
    src = templates_dir().parent / "src" / "budgetxl"
    files = [src / sub for sub in ("render/plan.py", "render/xlsx.py", "render/template_plan.py",
                                   "render/template.py", "read/parse.py", "read/grid.py", "diff/core.py")]
    files += sorted((src / "blocks").glob("*.py")) + sorted((src / "rules").glob("*.py"))
    words = _layout_words()
    assert {"年度重点工作任务", "项目支出", "部门整体支出年度绩效目标", "收入预算合计"} <= words
    for path in files:
        for line, text in _code_strings(path):
            for word in words:
                assert word not in text, f"{path.name}:{line} spells the layout word {word} as a literal"

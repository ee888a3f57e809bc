"""Layouts as data: loading, extends, titles, the reader's label index."""

from __future__ import annotations

import pytest

from budgetxl.errors import LayoutError
from budgetxl.layout import all_layouts, available_layouts, label_index, load_layout
from budgetxl.resources import templates_dir


def test_default_layout_declares_every_block():
    layout = load_layout()
    assert layout.name == "guangdong"
    assert layout.ncols == 5
    assert layout.blocks.tasks_key.header == ("名称", "主要实施内容", "拟投入的资金（万元）", "期望达到的目标（概述）")
    assert layout.blocks.tasks_key.fields == ("name", "content", "funds", "goal")
    assert layout.blocks.indicators.fields == ("level1", "level2", "name", "target")
    assert layout.blocks.budget.expenditures == ("基本支出", "项目支出")
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
    assert layout.blocks.unit.label == unit_label


def test_extends_keeps_the_parent_geometry():
    base, child = load_layout("guangdong"), load_layout("zhanjiang")
    assert child.columns == base.columns
    assert child.blocks.indicators == base.blocks.indicators


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


def test_layout_files_hold_no_python_literals_elsewhere():
    """The labels live in templates/: the renderer and reader sources do not spell them."""
    src = templates_dir().parent / "src" / "budgetxl"
    for sub in ("render/plan.py", "render/xlsx.py", "read/parse.py", "read/grid.py"):
        text = (src / sub).read_text(encoding="utf-8")
        for label in ("年度重点工作任务", "绩效指标", "总体绩效目标", "预算整体情况", "拟投入的资金"):
            code = "\n".join(line for line in text.splitlines() if not line.strip().startswith(("#", '"""')))
            assert f'"{label}' not in code, f"{sub} spells the label {label} as a literal"

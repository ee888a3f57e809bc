"""The block kinds of the layout grammar, one module each.

Every kind knows three things about its block, whatever layout declares it:
- `plan(builder, block, form, row) -> next row`: lay out the form's data (render, and the
  pre-filled part of a template; a template's builder says `builder.template`);
- `template_rows(block, texts, rows)` where a kind offers empty input rows, and what a template
  adds around them (totals, drop-downs) inside `plan` when `builder.template` is set;
- `read(reader, block, span)`: read the block's rows of a sheet into the form's parts.
And `problems(block, form)`: what in the form this block could not write so that it reads back
the same (the renderer refuses such a form with the field named, rather than write a sheet that
reads back differently).

The writer, the template maker and the reader are loops over a layout's blocks calling these.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from pydantic import BaseModel

from budgetxl.blocks import (
    amount_list,
    amount_row,
    fields,
    indicator_sets,
    indicators,
    info,
    numbered,
    pairs,
    table,
    text,
    texts,
    value,
)
from budgetxl.blocks.base import heading, year_in_text
from budgetxl.errors import InputError

if TYPE_CHECKING:
    from budgetxl.layout import Layout
    from budgetxl.model import Form

KINDS: dict[str, ModuleType] = {
    "value": value,
    "fields": fields,
    "info": info,
    "pairs": pairs,
    "amount_row": amount_row,
    "amount_list": amount_list,
    "text": text,
    "numbered": numbered,
    "table": table,
    "indicators": indicators,
    "indicator_sets": indicator_sets,
    "texts": texts,
}



# Fields every layout holds: the heading and the notes under the table.
ALWAYS_HELD = frozenset({"kind", "year", "layout", "title", "notes"})


def held_paths(layout: Layout) -> set[str]:
    """The model fields (paths) the layout's blocks write and read."""
    out: set[str] = set()
    for b in layout.blocks:
        if b.kind == "pairs":
            out.update((b.left, b.right, b.sections))
        elif b.kind == "amount_row":
            out.update(c.field[: -len(".total")] if c.field.endswith(".total") else c.field for c in b.column_map)
        elif b.kind == "fields" or b.kind == "texts":
            out.update(c.field for c in b.column_map)
        elif b.kind == "indicator_sets":
            out.update(s.field for s in b.sets)
        else:
            out.add(b.field)
        if b.kind == "indicators" and b.total is not None:
            out.update(b.total.fields.values())
    out.discard("")
    return out


def _unheld(model: BaseModel, held: set[str], prefix: str = "") -> list[str]:
    """Paths of `model`'s fields that hold data (not their defaults) but no block of the layout."""
    out = []
    for name, spec in type(model).model_fields.items():
        path = prefix + name
        if path in held or path in ALWAYS_HELD:
            continue
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            out += _unheld(value, held, path + ".")
        elif value not in (None, "", ()) and value != spec.default:
            out.append(path)
    return out


def check_fits(form: Form, layout: Layout) -> None:
    """Refuse a form that holds something `layout` has no place for, or that its blocks could not
    write so that it reads back the same: one InputError listing every field concerned."""
    name = layout.name
    kind = getattr(form, "kind", "department")
    if kind != layout.kind:
        from budgetxl.kinds import FORM_KINDS

        theirs, ours = FORM_KINDS[layout.kind].title, FORM_KINDS[kind].title if kind in FORM_KINDS else kind
        raise InputError(f"版式“{name}”是{theirs}的版式，这份表格是{ours}；请换用{ours}的版式")
    problems = [f"{path}: 版式“{name}”中没有填写这一项的栏目" for path in _unheld(form, held_paths(layout))]
    homeless: dict[str, list[int]] = {}
    placed: dict[str, bool] = {}  # group → whether the layout has a block for it (asked once)
    for i, task in enumerate(getattr(form, "tasks", ())):
        group = task.group
        has = placed.get(group)
        if has is None:
            has = placed[group] = layout.task_block(group) is not None
        if not has:
            homeless.setdefault(group, []).append(i)
    for group, idx in homeless.items():
        where = f"tasks[{idx[0]}]" if len(idx) == 1 else f"tasks[{idx[0]}] 等 {len(idx)} 项"
        problems.append(f"{where}: 版式“{name}”没有放这类任务（group: {group}）的栏目")
    for block in layout.blocks:
        problems.extend(KINDS[block.kind].problems(block, form, layout))
    if problems:
        raise InputError(f"表格内容无法按版式“{name}”写出（写出后读回会不一样）", details=problems)


__all__ = ["KINDS", "check_fits", "heading", "year_in_text"]

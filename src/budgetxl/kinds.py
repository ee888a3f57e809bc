"""The kinds of form budgetxl knows: each a model and the layout used when a form names none.

A layout says which kind it lays out (`kind:` in templates/*.yaml); a form file says its kind
(`kind:`, the department form when it says none); the reader assembles the model of the layout's
kind. A new kind is a model module and one entry here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from budgetxl.errors import InputError

if TYPE_CHECKING:
    from pydantic import BaseModel


@dataclass(frozen=True)
class FormKind:
    """A kind of form: its model, and the layout used when a form names none."""

    name: str
    model_path: str  # "module:class" of the model, imported when first used (a department form
    # never loads the project's or the self-evaluation's model)
    default_layout: str
    title: str  # what the kind is called, for people

    @property
    def model(self) -> type[BaseModel]:
        module, _, name = self.model_path.partition(":")
        model: type[BaseModel] = getattr(importlib.import_module(module), name)
        return model


FORM_KINDS: dict[str, FormKind] = {
    kind.name: kind
    for kind in (
        FormKind("department", "budgetxl.model:Form", "guangdong", "部门整体预算绩效目标表"),
        FormKind("project", "budgetxl.project:ProjectForm", "central-project", "项目支出绩效目标表"),
        FormKind("selfeval", "budgetxl.selfeval:SelfEvaluation", "selfeval", "绩效自评表"),
    )
}


def kind_of(form: Any) -> FormKind:
    """The kind of a form (a model instance)."""
    return FORM_KINDS[getattr(form, "kind", "department")]


def layout_name(form: Any) -> str:
    """The layout a form is laid out in: its own `layout`, else its kind's default (a kind whose
    default depends on the form, such as a project's self-evaluation, says so itself)."""
    own = getattr(form, "layout", None)
    if own:
        return str(own)
    default = getattr(form, "default_layout", None)
    if callable(default):
        return str(default())
    return kind_of(form).default_layout


def form_layout(form: Any) -> Any:
    """The layout a form is rendered with (a layout.Layout): the one it names, else its kind's
    default; a layout of another kind is refused (InputError)."""
    from budgetxl.layout import load_layout

    layout = load_layout(layout_name(form))
    check_kind(form, layout)
    return layout


def check_kind(form: Any, layout: Any) -> None:
    """Refuse laying out a form in a layout of another kind (InputError, in words for people)."""
    check_layout_kind(kind_of(form).name, layout)


def check_layout_kind(name: str, layout: Any) -> None:
    """Refuse a layout that is not of the form kind `name` (InputError naming the kind's layouts)."""
    kind = FORM_KINDS[name]
    if layout.kind != kind.name:
        other = FORM_KINDS[layout.kind].title if layout.kind in FORM_KINDS else layout.kind
        same = _layouts_of(kind.name)
        raise InputError(f"版式“{layout.name}”是{other}的版式，不能用于{kind.title}"
                         + (f"；可用的版式：{'、'.join(same)}" if same else ""))


def _layouts_of(kind: str) -> list[str]:
    from budgetxl.layout import all_layouts

    return [lay.name for lay in all_layouts() if lay.kind == kind]

"""The kinds of form budgetxl knows: each a model and the layout used when a form names none.

A layout says which kind it lays out (`kind:` in templates/*.yaml); a form file says its kind
(`kind:`, the department form when it says none); the reader assembles the model of the layout's
kind. A new kind is a model module and one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from budgetxl.model import Form
from budgetxl.selfeval import SelfEvaluation


@dataclass(frozen=True)
class FormKind:
    """A kind of form: its model, and the layout used when a form names none."""

    name: str
    model: type[BaseModel]
    default_layout: str
    title: str  # what the kind is called, for people


FORM_KINDS: dict[str, FormKind] = {
    kind.name: kind
    for kind in (
        FormKind("department", Form, "guangdong", "部门整体预算绩效目标表"),
        FormKind("selfeval", SelfEvaluation, "selfeval", "绩效自评表"),
    )
}


def layout_name(form: BaseModel) -> str:
    """The layout a form is laid out in: its own `layout`, else its kind's default (a kind whose
    default depends on the form, such as a project's self-evaluation, says so itself)."""
    own = getattr(form, "layout", None)
    if own:
        return str(own)
    default = getattr(form, "default_layout", None)
    if callable(default):
        return str(default())
    return FORM_KINDS[getattr(form, "kind", "department")].default_layout

"""The kinds of form budgetxl knows: each a model and the layout used when a form names none.

A layout says which kind it lays out (`kind:` in templates/*.yaml); a form file says its kind
(`kind:`, the department form when it says none); the reader assembles the model of the layout's
kind. A new kind is a model module and one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from budgetxl.model import Form


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
    )
}

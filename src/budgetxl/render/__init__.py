"""Rendering: Form → plan (cells, merges, heights) → formatted xlsx."""

from __future__ import annotations

from pathlib import Path

from budgetxl.layout import Layout
from budgetxl.model import Form
from budgetxl.render.pages import PageGeometry, page_geometry, paginate
from budgetxl.render.plan import PageSpan, Plan, PlanCell, plan_form
from budgetxl.render.xlsx import write_plan


def render_form(form: Form, path: Path | str, layout: Layout | None = None) -> Path:
    """Render `form` to a formatted, paginated workbook at `path` (written atomically)."""
    return write_plan(paginate(plan_form(form, layout)), path)


__all__ = [
    "PageGeometry", "PageSpan", "Plan", "PlanCell", "page_geometry", "paginate", "plan_form",
    "render_form", "write_plan",
]

"""Which profile a self-evaluation is scored by when none is asked for: its layout's."""

from __future__ import annotations

from budgetxl.errors import LayoutError
from budgetxl.kinds import layout_name
from budgetxl.layout import load_layout
from budgetxl.scoring.profiles import DEFAULT_PROFILE
from budgetxl.selfeval import SelfEvaluation


def layout_profile(form: SelfEvaluation) -> str:
    """The profile the form's layout names (`profile:` in its file), else the default."""
    try:
        layout = load_layout(layout_name(form))
    except LayoutError:
        return DEFAULT_PROFILE
    return layout.profile or DEFAULT_PROFILE

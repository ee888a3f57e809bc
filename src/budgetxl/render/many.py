"""Rendering many forms at once through the parallel runner (budgetxl render with several inputs)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from budgetxl.batch import Outcome, run_batch
from budgetxl.errors import InputError
from budgetxl.model import Form, load_form
from budgetxl.render import render_form


def render_pair(pair: tuple[Form, Path]) -> Path:
    form, target = pair
    return render_form(form, target)


def render_files(
    inputs: Sequence[Path], targets: Sequence[Path], *, jobs: int | None = None, progress: bool | None = None,
    layout: str | None = None,
) -> list[Outcome[Path]]:
    """Load every input (in parallel); if any is invalid, raise InputError naming each bad file and
    write nothing. Then render each form to its target (in `layout` when given, else each form's
    own); one outcome per input, in order (a target that cannot be written fails alone)."""
    seen: set[str] = set()
    for target in map(str, targets):
        if target in seen:
            raise InputError(f"{target}: 多个输入文件会写到同一个输出文件，请改名或分开生成")
        seen.add(target)
    loaded = run_batch(load_form, list(inputs), jobs=jobs, progress=progress, description="读取表单")
    bad = [o for o in loaded if not o.ok]
    if len(bad) == 1:
        raise InputError(bad[0].error or f"{bad[0].item}: 无法读取")
    if bad:
        details = [(o.error or str(o.item)).replace("\n  - ", "；") for o in bad]
        raise InputError(f"{len(bad)} 个输入文件有错误，未生成任何工作簿", details=details)
    forms = [o.value for o in loaded if o.value is not None]  # all of them: a bad one raised above
    if layout is not None:
        forms = [form.model_copy(update={"layout": layout}) for form in forms]
    pairs = [(form, target) for form, target in zip(forms, targets)]
    return run_batch(render_pair, pairs, jobs=jobs, progress=progress, description="生成工作簿")

"""Loading self-evaluations for scoring: form files and workbooks, refusing other kinds clearly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from budgetxl.errors import InputError
from budgetxl.filenames import FORM_FILE_SUFFIXES as FORM_SUFFIXES
from budgetxl.kinds import FORM_KINDS
from budgetxl.model import load_form
from budgetxl.selfeval import SelfEvaluation


def not_selfeval(path: str | Path, form: Any, sheet: str | None = None) -> InputError:
    kind = FORM_KINDS.get(getattr(form, "kind", "department"))
    what = kind.title if kind is not None else "其他表格"
    where = f"{path}（工作表“{sheet}”）" if sheet else str(path)
    return InputError(f"{where}: 这是{what}，不是绩效自评表；budgetxl score 只给绩效自评表计分")


def load_selfevals(path: str | Path, sheet: str | None = None) -> list[tuple[str, SelfEvaluation]]:
    """Every self-evaluation in a form file or workbook, with where it came from (the file, and
    the sheet when a workbook holds several). A form of another kind is an InputError."""
    path = Path(path)
    if path.suffix.lower() in FORM_SUFFIXES:
        form: Any = load_form(path)
        if not isinstance(form, SelfEvaluation):
            raise not_selfeval(path, form)
        return [(str(path), form)]
    from budgetxl.read import read_forms

    results = read_forms(path, sheet)
    out: list[tuple[str, SelfEvaluation]] = []
    for r in results:
        found: Any = r.form
        if not isinstance(found, SelfEvaluation):
            raise not_selfeval(path, found, r.sheet if len(results) > 1 else None)
        out.append((f"{path}（{r.sheet}）" if len(results) > 1 else str(path), found))
    return out

"""A department's projects of two years, as `budgetxl diff` compares them: each side a folder of
returned workbooks (or form files), or a workbook holding a project on each of several sheets.
Projects are paired by code and name (diff.project.pair_projects), each pair compared."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from budgetxl.diff.core import FormDiff
from budgetxl.diff.data import diff_data
from budgetxl.diff.project import ProjectPairing, diff_project_sets
from budgetxl.errors import InputError
from budgetxl.filenames import FORM_FILE_SUFFIXES as FORM_SUFFIXES
from budgetxl.model import load_form
from budgetxl.project import ProjectForm
from budgetxl.read import read_forms


@dataclass(frozen=True)
class Project:
    """One project's form and where it came from (file, and sheet when the file holds several)."""

    form: ProjectForm
    source: str


def load_projects(path: str | Path) -> list[Project]:
    """Every project form under `path`: a folder (searched as collect does), a workbook (each form
    sheet) or a form file. Forms of other kinds are refused, naming them (InputError)."""
    from budgetxl.collect.files import find_workbooks

    path = Path(path)
    out: list[Project] = []
    others: list[str] = []
    if path.is_dir():
        files, _ = find_workbooks([path])
        files += sorted(p for p in path.rglob("*") if p.suffix.lower() in FORM_SUFFIXES and p.is_file())
    else:
        files = [path]
    for f in files:
        found: list[tuple[Any, str]]
        if f.suffix.lower() in FORM_SUFFIXES:
            found = [(load_form(f), str(f))]
        else:
            results = read_forms(f)
            found = [(r.form, f"{f}（{r.sheet}）" if len(results) > 1 else str(f)) for r in results]
        for form, source in found:
            (out.append(Project(form, source)) if isinstance(form, ProjectForm) else others.append(source))
    if others:
        raise InputError(f"{path}: 这些表格不是项目支出绩效目标表，不能按项目比对：{'、'.join(others)}")
    if not out:
        raise InputError(f"{path}: 没有找到项目支出绩效目标表")
    return out


def holds_several(path: str | Path) -> bool:
    """Whether `path` is a set of projects: a folder, or a workbook holding several project forms."""
    path = Path(path)
    if path.is_dir():
        return True
    if path.suffix.lower() in FORM_SUFFIXES or not path.is_file():
        return False
    results = read_forms(path)
    return len(results) > 1 and all(isinstance(r.form, ProjectForm) for r in results)


@dataclass(frozen=True)
class ProjectSetDiff:
    old: tuple[Project, ...]
    new: tuple[Project, ...]
    pairing: ProjectPairing
    diffs: tuple[FormDiff, ...]  # one per pair, in the pairing's order


def diff_project_folders(old: str | Path, new: str | Path) -> ProjectSetDiff:
    """Load both sides' projects, pair them and compare each pair."""
    a, b = load_projects(old), load_projects(new)
    pairing, diffs = diff_project_sets([p.form for p in a], [p.form for p in b])
    return ProjectSetDiff(tuple(a), tuple(b), pairing, diffs)


PAIRED_BY = {"code": "项目代码相同", "name": "项目名称相同", "similar": "项目名称相近"}


def set_data(result: ProjectSetDiff) -> dict[str, Any]:
    """The comparison as JSON-ready data: each pair (how it was paired, its comparison), the
    projects that ended and the new ones."""
    pairs = []
    for p, d in zip(result.pairing.pairs, result.diffs):
        pairs.append({"old": result.old[p.old].source, "new": result.new[p.new].source, "paired_by": p.by,
                      "similarity": p.similarity,
                      "diff": diff_data(d, (result.old[p.old].source, result.new[p.new].source))})
    return {
        "kind": "project",
        "pairs": pairs,
        "removed": [{"source": result.old[i].source, "name": result.old[i].form.name, "code": result.old[i].form.code}
                    for i in result.pairing.removed],
        "added": [{"source": result.new[j].source, "name": result.new[j].form.name, "code": result.new[j].form.code}
                  for j in result.pairing.added],
    }

"""Project forms round-trip in both project layouts: random ProjectForms whose texts are often a
label, synonym, header or total word of any layout (as for the department form in test_layouts),
every such word in every text field of a small project, and LibreOffice re-saves."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgetxl.blocks import held_paths
from budgetxl.errors import InputError
from budgetxl.layout import load_layout
from budgetxl.model import load_form
from budgetxl.project import Funding, ProjectForm, ProjectIndicator, ProjectLine
from budgetxl.read import read_workbook
from budgetxl.render import render_form
from test_layouts import label_words, worded
from test_roundtrip import amounts, nonblank

ROOT = Path(__file__).resolve().parents[1]
LAYOUTS = ("central-project", "wuhan-project")
PAIRS = [("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"), ("效益指标", "社会效益指标"),
         ("满意度指标", "服务对象满意度指标")]
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                          HealthCheck.function_scoped_fixture,
                                                          HealthCheck.filter_too_much])


@st.composite
def indicators(draw, remarks: bool) -> list[ProjectIndicator]:
    out = []
    for l1, l2 in draw(st.lists(st.sampled_from(PAIRS), max_size=4, unique=True)):
        if draw(st.integers(0, 5)) == 0:  # an empty 二级 kept as a placeholder
            out.append(ProjectIndicator(level1=l1, level2=l2))
            continue
        for _ in range(draw(st.integers(1, 3))):
            remark = draw(worded(0, 12, lines=False)) if remarks else ""
            out.append(ProjectIndicator(level1=l1, level2=l2, name=draw(worded(1, 20).filter(nonblank)),
                                        target=draw(worded(1, 20).filter(nonblank)), remark=remark))
    return out


@st.composite
def project_forms(draw, name: str) -> ProjectForm:
    lay = load_layout(name)
    held = held_paths(lay)
    year = draw(st.integers(2000, 2099))
    out: dict = {"year": year, "layout": None if name == "central-project" else name,
                 "name": draw(worded(0, 30, lines=False))}
    if draw(st.booleans()):
        title = draw(worded(1, 20, lines=False).filter(nonblank).map(lambda t: t.replace(str(year), "")))
        out["title"] = title if nonblank(title) else None
    for f in ("code", "department", "unit", "manager", "phone", "category", "status", "frequency"):
        if f in held:
            out[f] = draw(worded(0, 20, lines=False))
    for f in ("basis", "summary", "budget_history", "spending_basis", "period_goal", "annual_goal"):
        if f in held:
            out[f] = draw(worded(0, 120))
    for f in ("start_year", "end_year"):
        if f in held:
            out[f] = draw(st.none() | st.integers(1990, 2100))
    for f in ("budget_total", "budget_annual"):
        if f in held:
            out[f] = draw(amounts)
    line_names = worded(1, 20).filter(nonblank)
    funding = {}
    for side in ("period", "annual"):
        path = f"funding.{side}"
        if path not in held:
            continue
        standard = lay.budget_lines().get(path, ())
        block = next(b for b in lay.blocks if getattr(b, "field", "") == path or
                     any(c.field.startswith(path) for c in b.column_map))
        if block.kind == "amount_row":  # one column per line: as many lines as columns
            funding[side] = [ProjectLine(name=draw(line_names), amount=draw(amounts)) for _ in standard]
        else:
            funding[side] = [ProjectLine(name=draw(line_names), amount=draw(amounts),
                                         detail=k > 0 and draw(st.booleans()))
                             for k in range(draw(st.integers(0, 5)))]
    out["funding"] = Funding(**funding)
    if "spending" in held:
        out["spending"] = [ProjectLine(name=draw(line_names), amount=draw(amounts)) for _ in range(draw(st.integers(0, 4)))]
    remarks = any(c.field == "remark" for b in lay.blocks for c in b.column_map)
    out["indicators"] = draw(indicators(remarks))
    if "period_indicators" in held:
        out["period_indicators"] = draw(indicators(remarks))
    out["notes"] = draw(st.lists(worded(1, 30, lines=False).filter(nonblank), max_size=2))
    return ProjectForm(**out)


@pytest.mark.parametrize("name", LAYOUTS)
@SETTINGS
@given(data=st.data())
def test_random_projects_with_label_words_round_trip(tmp_path, name, data):
    form = data.draw(project_forms(name))
    path = tmp_path / "p.xlsx"
    try:
        render_form(form, path)
    except InputError as exc:
        # the writer refuses only what could not read back the same, and says which field
        assert "读回" in str(exc), str(exc)
        return
    result = read_workbook(path)
    assert result.layout == name
    assert result.form == form


def small_project(name: str) -> ProjectForm:
    """A small project holding every text field its layout has, to put label words into."""
    ind = (ProjectIndicator(level1="产出指标", level2="数量指标", name="培训人次", target="≥100人次", remark="备"),
           ProjectIndicator(level1="满意度指标", level2="服务对象满意度指标", name="满意度", target="≥90%", remark="注"))
    lay = load_layout(name)
    held = held_paths(lay)
    remarks = any(c.field == "remark" for b in lay.blocks for c in b.column_map)
    if not remarks:
        ind = tuple(i.model_copy(update={"remark": ""}) for i in ind)
    data: dict = {"year": 2024, "layout": None if name == "central-project" else name, "name": "项目甲",
                  "indicators": ind}
    for f in ("code", "department", "unit", "manager", "phone", "category", "status", "frequency", "basis",
              "summary", "budget_history", "spending_basis", "period_goal", "annual_goal"):
        if f in held:
            data[f] = f"{f}文字"
    if "period_indicators" in held:
        data["period_indicators"] = ind
    lines = (ProjectLine(name="财政拨款", amount=Decimal(10)), ProjectLine(name="其他资金", amount=Decimal(2)))
    data["funding"] = Funding(**{s: lines for s in ("period", "annual") if f"funding.{s}" in held})
    if "spending" in held:
        data["spending"] = (ProjectLine(name="支出甲", amount=Decimal(12)),)
    return ProjectForm(**data)


def text_fields(form: ProjectForm) -> list[str]:
    out = [f for f, v in form.model_dump().items() if isinstance(v, str) and v and f not in ("kind", "layout")]
    out.append("title")
    for side in ("period", "annual"):
        out += [f"funding.{side}.{k}.name" for k in range(len(getattr(form.funding, side)))]
    out += [f"spending.{k}.name" for k in range(len(form.spending))]
    for key in ("indicators", "period_indicators"):
        for k, ind in enumerate(getattr(form, key)):
            out += [f"{key}.{k}.{f}" for f in ("level1", "level2", "name", "target", "remark") if getattr(ind, f)]
    return out


def _set(form: ProjectForm, where: str, word: str) -> ProjectForm:
    data = form.to_data()
    *path, last = where.split(".")
    node = data
    for part in path:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = word
    return ProjectForm.model_validate(data)


@pytest.mark.slow
@pytest.mark.parametrize("name", LAYOUTS)
def test_label_words_in_every_text_field_of_a_project_read_back(tmp_path, name):
    base = small_project(name)
    words = label_words()
    fields = text_fields(base)
    cases = [(f, words[(i * 7 + j) % len(words)]) for i, f in enumerate(fields) for j in range(8)]
    failures = []
    for n, (where, word) in enumerate(cases):
        form = _set(base, where, word)
        path = render_form(form, tmp_path / f"{n % 4}.xlsx")
        if read_workbook(path).form != form:
            failures.append((where, word))
    assert not failures, failures[:20]
    assert len(cases) >= 150


@pytest.mark.soffice
@pytest.mark.parametrize("example", ["central-project-2024.yaml", "wuhan-project-2024.yaml"])
@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_project_examples_survive_libreoffice_resave(tmp_path, soffice, example, fmt):
    form = load_form(ROOT / "inputs" / example)
    out = soffice(render_form(form, tmp_path / "p.xlsx"), fmt, tmp_path / "lo")
    assert read_workbook(out).form == form


@pytest.mark.soffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_the_real_wuhan_file_survives_libreoffice_resave(tmp_path, soffice, real_dir, fmt):
    src = real_dir / "wuhan-donghu-2020-project-application.xlsx"
    want = read_workbook(src).form
    assert read_workbook(soffice(src, fmt, tmp_path / "lo")).form == want

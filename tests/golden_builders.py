"""How each golden workbook is made: one function per file, used by the golden test (to make the
workbook afresh) and by tests/golden/regenerate.py (to rewrite the reviewed copy).

Each builder works inside the folder it is given, with that folder as the current directory and
relative paths only, so that no absolute path (a temp folder's name) lands in a workbook. Dates are
pinned by the writers themselves (a fixed created date); the one date that cannot be pinned, the
modified date openpyxl stamps on an annotated copy, is left out of the comparison (test_golden).
"""

from __future__ import annotations

import contextlib
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from xml.dom import minidom

from budgetxl.collect import collect
from budgetxl.diff import diff_forms
from budgetxl.diff.xlsx import write_comparison
from budgetxl.examples import EXAMPLE_INPUT
from budgetxl.model import BudgetLine, Form, load_form
from budgetxl.render import render_form
from budgetxl.render.template import make_template
from budgetxl.rules import check_workbook
from budgetxl.rules.annotate import annotate


@contextlib.contextmanager
def working_dir(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def seed() -> Form:
    return load_form(EXAMPLE_INPUT)


def next_year(form: Form) -> Form:
    """The seed's unit a year on, as departments change their table: amounts moved, a task
    renamed, one dropped and one added, a target raised, an indicator reworded, one dropped."""
    budget = form.budget.model_copy(update={
        "expenditures": (BudgetLine(name="基本支出", amount=Decimal("9100.5")),
                         BudgetLine(name="项目支出", amount=Decimal("9000"))),
        "revenues": (BudgetLine(name="财政拨款", amount=Decimal("18100.5")),
                     BudgetLine(name="其他资金", amount=Decimal("0"))),
    })
    tasks = list(form.tasks[1:])
    tasks[0] = tasks[0].model_copy(update={"name": tasks[0].name + "（续）", "funds": Decimal("900")})
    tasks.append(tasks[-1].model_copy(update={"name": "新增：老旧小区加装电梯", "content": "完成加装电梯30台", "funds": Decimal("300")}))
    indicators = list(form.indicators)
    indicators[0] = indicators[0].model_copy(update={"target": "≥30万平方米"})
    indicators[2] = indicators[2].model_copy(update={"name": indicators[2].name + "（个）"})
    del indicators[5]
    return form.model_copy(update={"year": 2024, "budget": budget, "tasks": tuple(tasks),
                                   "indicators": tuple(indicators)})


def with_errors(form: Form) -> Form:
    """The seed as a department might return it with mistakes: revenues that do not balance, an
    二级 label from neither framework, an empty target."""
    indicators = list(form.indicators)
    indicators[1] = indicators[1].model_copy(update={"level2": "工作量指标"})
    indicators[3] = indicators[3].model_copy(update={"target": ""})
    budget = form.budget.model_copy(update={
        "revenues": (BudgetLine(name="财政拨款", amount=Decimal("18000")), BudgetLine(name="其他资金", amount=Decimal("0"))),
    })
    return form.model_copy(update={"unit_name": "某某区教育局", "budget": budget, "indicators": tuple(indicators)})


# ---------------------------------------------------------------------------------------------
# The golden workbooks


def rendered_form(work: Path) -> Path:
    """budgetxl render of the bundled example."""
    return render_form(seed(), work / "fengyang-2023.xlsx")


def template_workbook(work: Path) -> Path:
    """budgetxl template --from the example for 2024, with the bureau's amounts and a password."""
    return make_template(work / "template-2024.xlsx", seed().unit_name, 2024, previous=seed(),
                         amounts={"基本支出": "9100.5", "项目支出": "9000", "财政拨款": "18100.5"},
                         password="2024")


def comparison_workbook(work: Path) -> Path:
    """budgetxl diff 2023 2024 -o: the example against its next year."""
    old, new = seed(), next_year(seed())
    return write_comparison(work / "comparison-2023-2024.xlsx", diff_forms(old, new), [old, new],
                            ["fengyang-2023.yaml", "fengyang-2024.yaml"])


def collect_summary(work: Path) -> Path:
    """budgetxl collect returns --previous last-year -o: a clean return, one with errors, one that
    cannot be read, and last year's return of the first unit to compare with."""
    returns, last_year = work / "returns", work / "last-year"
    (returns / "街道").mkdir(parents=True)
    (returns / "局").mkdir()
    last_year.mkdir()
    render_form(seed(), returns / "街道" / "凤阳街道.xlsx")
    render_form(with_errors(seed()), returns / "局" / "教育局.xlsx")
    good = (returns / "局" / "教育局.xlsx").read_bytes()
    (returns / "局" / "截断.xlsx").write_bytes(good[: len(good) // 2])
    before = next_year(seed()).model_copy(update={"year": 2022})
    render_form(before, last_year / "凤阳街道-2022.xlsx")
    out = Path("collect-summary.xlsx")
    collect([Path("returns")], out, previous=Path("last-year"), jobs=1, progress=False)
    return work / out


def annotated_copy(work: Path) -> Path:
    """budgetxl check --annotate on a returned workbook with errors."""
    book = render_form(with_errors(seed()), work / "教育局.xlsx")
    return annotate(book, check_workbook(book), work / "annotated.xlsx")


EXAMPLES = EXAMPLE_INPUT.parent  # inputs/ beside the bundled example


def layout_form(name: str) -> Callable[[Path], Path]:
    """budgetxl render of the example of layout `name` (inputs/NAME-2024.yaml)."""
    def build(work: Path) -> Path:
        return render_form(load_form(EXAMPLES / f"{name}-2024.yaml"), work / f"{name}-2024.xlsx")
    return build


def layout_template(name: str) -> Callable[[Path], Path]:
    """budgetxl template --from the example of layout `name` for 2025 (rolled forward)."""
    def build(work: Path) -> Path:
        form = load_form(EXAMPLES / f"{name}-2024.yaml")
        return make_template(work / f"template-{name}-2025.xlsx", form.unit_name, 2025, previous=form)
    return build


def project_template(name: str) -> Callable[[Path], Path]:
    """budgetxl template --from the project example of layout `name` for 2025 (rolled forward)."""
    def build(work: Path) -> Path:
        from budgetxl.render.project_template import make_project_template

        form = load_form(EXAMPLES / f"{name}-2024.yaml")
        return make_project_template(work / f"template-{name}-2025.xlsx", None, 2025, previous=form)  # type: ignore[arg-type]
    return build


PROJECT_LAYOUTS = ("central-project", "wuhan-project")


def _inputs() -> Path:
    return Path(EXAMPLE_INPUT).parent


def selfeval_rendered(name: str) -> Callable[[Path], Path]:
    """budgetxl render of a bundled self-evaluation example (inputs/NAME.yaml)."""
    def make(work: Path) -> Path:
        return render_form(load_form(_inputs() / f"{name}.yaml"), work / f"{name}.xlsx")
    return make


def selfeval_template(work: Path) -> Path:
    """budgetxl template --kind selfeval --from inputs/fengyang-2024.yaml."""
    from budgetxl.render.selfeval_template import make_selfeval_template

    path = work / "selfeval-template-2024.xlsx"
    make_selfeval_template(load_form(_inputs() / "fengyang-2024.yaml"), path)
    return path


def selfeval_summary(work: Path) -> Path:
    """budgetxl collect of self-evaluations: the three examples and a unit under 80."""
    returns = work / "returns"
    returns.mkdir()
    for name in ("selfeval-2023", "selfeval-project-2023", "chongqing-selfeval-2023"):
        render_form(load_form(_inputs() / f"{name}.yaml"), returns / f"{name}.xlsx")
    low = load_form(_inputs() / "selfeval-project-2023.yaml")
    low = low.model_copy(update={"unit_name": "某某区就业服务中心", "indicators": tuple(
        i.model_copy(update={"actual": "0", "score": None}) if i.actual[:1].isdigit() else i for i in low.indicators)})
    render_form(low, returns / "low.xlsx")
    out = Path("selfeval-summary.xlsx")
    collect([Path("returns")], out, jobs=1, progress=False)
    return work / out


GOLDEN: dict[str, Callable[[Path], Path]] = {
    "fengyang-2023.xlsx": rendered_form,
    "template-2024.xlsx": template_workbook,
    "comparison-2023-2024.xlsx": comparison_workbook,
    "collect-summary.xlsx": collect_summary,
    "annotated.xlsx": annotated_copy,
    **{f"{name}-2024.xlsx": layout_form(name) for name in ("central", "jiangxi", "guangxi")},
    **{f"template-{name}-2025.xlsx": layout_template(name) for name in ("central", "jiangxi", "guangxi")},
    **{f"{name}-2024.xlsx": layout_form(name) for name in PROJECT_LAYOUTS},
    **{f"template-{name}-2025.xlsx": project_template(name) for name in PROJECT_LAYOUTS},
    "selfeval-2023.xlsx": selfeval_rendered("selfeval-2023"),
    "selfeval-project-2023.xlsx": selfeval_rendered("selfeval-project-2023"),
    "chongqing-selfeval-2023.xlsx": selfeval_rendered("chongqing-selfeval-2023"),
    "selfeval-template-2024.xlsx": selfeval_template,
    "selfeval-summary.xlsx": selfeval_summary,
}


def build(name: str, work: Path) -> Path:
    """Make the golden workbook `name` inside `work` (the folder is the current one meanwhile)."""
    work.mkdir(parents=True, exist_ok=True)
    with working_dir(work):
        return GOLDEN[name](work)


# ---------------------------------------------------------------------------------------------
# Comparing workbooks part by part, as XlsxWriter's own tests compare with Excel's files

# Parts whose differences are noise: the writing program's name and version.
IGNORED_PARTS = {"docProps/app.xml"}
# Text inside a part that is noise: the date openpyxl stamps on the copy it saves.
NOISE = [re.compile(r"<dcterms:modified[^>]*>[^<]*</dcterms:modified>")]


def xml_parts(path: Path) -> dict[str, list[str]]:
    """Each part of the workbook as pretty-printed XML lines (relationships sorted, noise dropped)."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        for name in sorted(zf.namelist()):
            if name in IGNORED_PARTS:
                continue
            data = zf.read(name).decode("utf-8")
            for noise in NOISE:
                data = noise.sub("", data)
            if name.endswith(".rels"):  # relationship order is not meaningful
                rels = sorted(re.findall(r"<Relationship [^>]*/>", data))
                data = "<Relationships>" + "".join(rels) + "</Relationships>"
            pretty = minidom.parseString(data.encode("utf-8")).toprettyxml(indent=" ")
            out[name] = [line for line in pretty.splitlines() if line.strip()]
    return out

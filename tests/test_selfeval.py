"""Self-evaluations (绩效自评表) end to end: the layouts round trip, the real 渝中 file, templates
made from approved targets and filled as a person would (openpyxl, then LibreOffice), the checks,
`budgetxl score`, collect's 自评 sheet and results.csv, the target → actual → next target diff,
and the golden workbooks."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from budgetxl.errors import InputError
from budgetxl.model import load_form
from budgetxl.read import read_workbook
from budgetxl.render import render_form
from budgetxl.render.selfeval_template import make_selfeval_template, spread, write_selfeval_item
from budgetxl.rules import validate
from budgetxl.rules.check import check_file
from budgetxl.scoring import score
from budgetxl.scoring.targets import load_targets
from budgetxl.selfeval import IndicatorResult, SelfEvaluation

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
EXAMPLES = {"selfeval": INPUTS / "selfeval-2023.yaml", "selfeval-project": INPUTS / "selfeval-project-2023.yaml",
            "chongqing-selfeval": INPUTS / "chongqing-selfeval-2023.yaml"}
YUZHONG = "chongqing-yuzhong-2021-project-selfeval.xlsx"
D = Decimal


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("budgetxl")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from budgetxl.cli import main; main()"]
    return subprocess.run(cmd + list(args), cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "160"})


# --------------------------------------------------------------------------------------------
# The model and the layouts


@pytest.mark.parametrize("layout", sorted(EXAMPLES))
def test_each_example_renders_and_reads_back_exactly(tmp_path, layout):
    form = load_form(EXAMPLES[layout])
    assert isinstance(form, SelfEvaluation)
    result = read_workbook(render_form(form, tmp_path / "x.xlsx"))
    assert result.layout == layout
    assert result.form == form
    assert not [f for f in result.findings if f.severity != "info"]


@pytest.mark.parametrize("layout", sorted(EXAMPLES))
def test_each_example_survives_a_libreoffice_resave(tmp_path, soffice, layout):
    form = load_form(EXAMPLES[layout])
    path = render_form(form, tmp_path / "x.xlsx")
    for fmt in ("xlsx", "ods"):
        again = read_workbook(soffice(path, fmt, tmp_path / fmt))
        assert again.form == form, fmt


def test_yaml_and_json_round_trip_the_model(tmp_path):
    form = load_form(EXAMPLES["selfeval"])
    (tmp_path / "a.json").write_text(form.to_json(), encoding="utf-8")
    (tmp_path / "a.yaml").write_text(form.to_yaml(), encoding="utf-8")
    assert load_form(tmp_path / "a.json") == form == load_form(tmp_path / "a.yaml")


def test_a_result_row_pairs_with_its_target_by_a_stable_key():
    a = IndicatorResult(level1="产出指标", level2="数量指标", name="培训 人次", target="≥5人")
    b = IndicatorResult(level1="产出指标", level2="数量指标", name="培训人次", target="≥6人", actual="7")
    assert a.key == b.key


def test_the_split_target_joins_its_operator_value_and_unit():
    ind = IndicatorResult(level1="产出类指标", name="x", nature="≥", target="95", unit="%")
    assert ind.target_text() == "≥95%"
    ind = IndicatorResult(level1="管理类指标", name="x", nature="无", target="合规", unit="无")
    assert ind.target_text() == "合规"


def test_a_form_cannot_be_rendered_in_a_layout_of_another_kind(seed_form):
    from budgetxl.layout import load_layout
    from budgetxl.render.plan import plan_form

    with pytest.raises(InputError, match="绩效自评表的版式"):
        plan_form(seed_form, load_layout("selfeval"))
    with pytest.raises(InputError, match="部门整体预算绩效目标表的版式"):
        plan_form(load_form(EXAMPLES["selfeval"]), load_layout("guangdong"))


# --------------------------------------------------------------------------------------------
# The real file from 渝中区


def test_the_real_yuzhong_file_reads(real_dir):
    result = read_workbook(real_dir / YUZHONG)
    form = result.form
    assert result.layout == "chongqing-selfeval"
    assert (form.year, form.project_name, form.unit_name, form.department, form.contact) == (
        2021, "就业补助资金", "渝中区就业和人才中心", "渝中区人力资源和社会保障局", "向俐")
    assert (form.execution[0].budget, form.execution[0].spent) == (D(7574), D(6643))
    inds = form.indicators
    assert len(inds) == 16
    assert sum(i.weight for i in inds) == 100
    assert [i.nature for i in inds[:10]] == ["≥"] * 6 + ["≥", "="] + ["≥", "≥"]
    assert (inds[0].target_text(), inds[0].actual) == ("≥1个", "3")
    assert inds[6].target_text() == "≥39500人"
    budget_row = inds[10]
    assert (budget_row.name, budget_row.target_text(), budget_row.actual) == ("预算执行率", "≥90%", "88%")
    assert inds[0].level1 == "数量指标" and {i.level1 for i in inds[11:]} == {"管理类指标"}
    assert "渝中区" not in " ".join(form.notes) and form.notes[0].startswith("备注")
    assert not [f for f in result.findings if f.code == "BX020"]  # every cell read


def test_the_real_yuzhong_file_scores_under_chongqing_and_says_what_it_cannot_score(real_dir):
    form = read_workbook(real_dir / YUZHONG).form
    card = score(form)
    assert card.profile.name == "chongqing"
    budget_row = card.indicators[10]
    assert budget_row.is_budget and budget_row.computed == D("7.00")  # 88 % against ≥ 90 %: one point off
    assert [s.index for s in card.unscored] == [11, 12, 13, 14, 15]  # the 管理类 rows scored by a text rule
    assert all("评价标准" in s.problem for s in card.unscored)
    assert card.total == D("77.00") and not card.complete
    assert dict(card.groups) == {
        "产出类指标": (D(40), D(40)), "效益类指标": (D(15), D(15)), "满意度类指标": (D(15), D(15)),
        "管理类指标": (D(30), D(30))}
    report = check_file(real_dir / YUZHONG)
    codes = report.codes()
    assert codes.count("BX604") == 5 and "BX601" not in codes and "BX606" not in codes
    assert report.extra["profile"] == "chongqing"


def test_the_yuzhong_prompt_left_in_its_cell_explains_nothing(real_dir, tmp_path):
    form = read_workbook(real_dir / YUZHONG).form
    assert form.conclusion.startswith("请在此处逐一针对")  # read as it stands in the cell
    report = check_file(real_dir / YUZHONG)
    reasons = {f.field: f for f in report.findings if f.code == "BX605"}
    # 88 % is below 90 %, and 3 创业孵化基地 against a target of 1 is 300 %: both need a word
    assert set(reasons) == {"indicators[10].actual", "indicators[0].actual"}, report.flat()
    assert "88%" in reasons["indicators[10].actual"].message
    assert reasons["indicators[10].actual"].cell == "G21"
    # a real explanation in the 说明 silences them; the prompt with other spacing does not
    said = form.model_copy(update={"conclusion": "预算执行率偏低系部分补贴年底未拨付，下一步加快拨付进度"})
    assert "BX605" not in validate(said).codes()
    spaced = form.model_copy(update={"conclusion": " 请在此处逐一针对完成度较差绩效指标简要说明原因和下一步改进措施。"})
    assert validate(spaced).codes().count("BX605") == 2


# --------------------------------------------------------------------------------------------
# Checks


def test_checks_recompute_and_compare_never_overwrite(tmp_path):
    form = load_form(EXAMPLES["selfeval"])
    wrong = form.model_copy(update={"indicators": (form.indicators[0].model_copy(update={"score": D("0.5")}),
                                                   *form.indicators[1:])})
    report = validate(wrong)
    hits = [f for f in report.findings if f.code == "BX601"]
    assert len(hits) == 1 and hits[0].field == "indicators[0].score"
    assert "0.5" in hits[0].message and "1.22" in hits[0].message  # both, and the formula
    assert "BX602" not in report.codes()  # the total is judged against the computed scores: still right
    assert wrong.indicators[0].score == D("0.5")
    off = form.model_copy(update={"total_score": D(95)})
    hit = next(f for f in validate(off).findings if f.code == "BX602")
    assert "95" in hit.message and "98.26" in hit.message


def test_check_on_a_workbook_places_findings_on_their_cells(tmp_path):
    form = load_form(EXAMPLES["selfeval-project"])
    bad = form.model_copy(update={"indicators": (form.indicators[0].model_copy(update={"score": D(12)}),
                                                 *form.indicators[1:])})
    path = render_form(bad, tmp_path / "p.xlsx")
    report = check_file(path)
    hit = next(f for f in report.findings if f.code == "BX601")
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws[hit.cell].value == 12 and hit.sheet == "项目支出绩效自评表"
    assert "BX609" not in report.codes()  # 12 is below the weight of 20
    over = bad.model_copy(update={"indicators": (form.indicators[0].model_copy(update={"score": D(25)}),
                                                 *form.indicators[1:])})
    assert "BX609" in check_file(render_form(over, tmp_path / "q.xlsx")).codes()


def test_weights_that_do_not_add_up_are_reported():
    form = load_form(EXAMPLES["selfeval-project"])
    inds = list(form.indicators)
    inds[0] = inds[0].model_copy(update={"weight": D(15), "score": D(15)})
    report = validate(form.model_copy(update={"indicators": tuple(inds)}))
    messages = [f.message for f in report.findings if f.code == "BX606"]
    assert any("产出指标" in m and "45" in m and "50" in m for m in messages)
    assert any("95" in m and "100" in m for m in messages)


def test_check_against_the_approved_targets(tmp_path):
    res = run("check", str(EXAMPLES["selfeval"]), "--targets", str(INPUTS / "fengyang-2023.yaml"), "--json")
    assert res.returncode == 0, res.stderr
    assert not [f for f in json.loads(res.stdout)["findings"] if f["code"] in ("BX611", "BX612", "BX613")]
    # the next year's table with this year's year: the rows are compared, the changes reported
    changed = tmp_path / "changed.yaml"
    changed.write_text((INPUTS / "fengyang-2024.yaml").read_text(encoding="utf-8").replace(
        "year: 2024", "year: 2023", 1), encoding="utf-8")
    res = run("check", str(EXAMPLES["selfeval"]), "--targets", str(changed), "--json")
    codes = [f["code"] for f in json.loads(res.stdout)["findings"]]
    assert codes.count("BX611") == 1 and codes.count("BX612") == 1 and codes.count("BX613") == 1
    assert "BX616" not in codes


def test_check_against_another_years_or_units_targets_says_so_once(tmp_path, real_dir):
    res = run("check", str(EXAMPLES["selfeval"]), "--targets", str(INPUTS / "fengyang-2024.yaml"), "--json")
    found = json.loads(res.stdout)["findings"]
    assert [f["code"] for f in found] == ["BX616"], found
    assert "年度是“2024”（自评表为“2023”）" in found[0]["message"]
    # a project's self-evaluation against another unit's project, from a real workbook
    res = run("check", str(EXAMPLES["selfeval-project"]), "--targets",
              str(real_dir / "wuhan-donghu-2020-project-application.xlsx"), "--json")
    found = json.loads(res.stdout)["findings"]
    assert [f["code"] for f in found if f["code"] >= "BX611"] == ["BX616"], found
    message = found[-1]["message"]
    assert "年度是“2020”" in message and "单位是“武汉市人力资源和社会保障局东湖新技术开发区分局”" in message
    assert "项目是“专项资金”" in message


def test_check_with_another_profile_and_an_unknown_one():
    res = run("check", str(EXAMPLES["selfeval-project"]), "--profile", "hebei", "--json")
    data = json.loads(res.stdout)
    assert data["profile"] == "hebei"
    # the form's weights follow mof-2020 (产出 50…, budget 10), hebei's are 44.44, 26.67, 8.89 and 20
    weights = [f for f in data["findings"] if f["code"] == "BX606"]
    assert len(weights) == 4 and [f["field"] for f in weights].count("execution[0].weight") == 1
    res = run("check", str(EXAMPLES["selfeval-project"]), "--profile", "nope")
    assert res.returncode == 2 and "mof-2020" in res.stderr and "Traceback" not in res.stderr


# --------------------------------------------------------------------------------------------
# budgetxl score


def test_score_prints_typed_and_computed_scores_and_exits_by_agreement(tmp_path):
    res = run("score", str(EXAMPLES["selfeval-project"]))
    assert res.returncode == 0, res.stderr
    assert "mof-2020" in res.stdout and "97.6" in res.stdout and "优" in res.stdout
    form = load_form(EXAMPLES["selfeval-project"])
    bad = tmp_path / "bad.yaml"
    bad.write_text(form.model_copy(update={"total_score": D(90)}).to_yaml(), encoding="utf-8")
    res = run("score", str(bad), "--json")
    assert res.returncode == 1
    data = json.loads(res.stdout)
    assert (data["typed_total"], data["total"], data["grade"]) == ("90", "97.6", "优")


def test_score_refuses_a_target_table_clearly_and_goes_on(tmp_path):
    res = run("score", str(INPUTS / "fengyang-2023.yaml"), str(EXAMPLES["selfeval"]), "--json")
    assert res.returncode == 2
    assert "不是绩效自评表" in res.stderr and "Traceback" not in res.stderr
    assert json.loads(res.stdout)[0]["profile"] == "mof-2020"


def test_score_the_real_file_as_json(real_dir):
    res = run("score", str(real_dir / YUZHONG), "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["profile"] == "chongqing" and data["total"] == "77" and data["complete"] is False
    assert sum(1 for i in data["indicators"] if i["computed"] is None) == 5
    assert data["grade"] is None and data["ungraded"] == "总分不完整（5 项指标无法自动计分），不评等级"
    res = run("score", str(real_dir / YUZHONG))
    assert "不评等级" in res.stdout and "等级 中" not in res.stdout


# --------------------------------------------------------------------------------------------
# Templates from the approved targets, filled as a person would


def test_weights_are_spread_exactly():
    assert spread(D(50), 3) == [D("16.67"), D("16.67"), D("16.66")]
    for n in range(1, 40):
        assert sum(spread(D(30), n)) == 30


def _fill(path: Path, out: Path) -> None:
    """Type into the unlocked cells only, as a person in Excel: A and B, the actuals (numbers, a
    percent as a percent, a band from the list with its score), the explanations."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]

    def put(ref: str, value: object) -> None:
        assert ws[ref].protection.locked is False, f"{ref} is locked"
        ws[ref] = value

    row = {c.value: c.row for c in ws["D"] if c.value}  # 三级指标 → its row
    put("D5", 1200)
    put("E5", 1100)
    put("D6", 1100)
    put("E6", 1000)
    put("D7", 100)
    put("E7", 100)
    put("F9", "全年就业目标已完成")
    put(f"F{row['城镇新增就业人数']}", 5200)
    put(f"F{row['补贴发放及时率']}", 0.9)  # typed 90% into a percent cell
    put(f"I{row['补贴发放及时率']}", "个别补贴延迟发放")
    put(f"F{row['登记失业率']}", 0.035)
    put(f"I{row['登记失业率']}", "受经济环境影响")
    put(f"F{row['服务满意度']}", "部分达成年度指标并具有一定效果")
    put(f"H{row['服务满意度']}", 7)
    put(f"I{row['服务满意度']}", "宣传不到位")
    wb.save(out)


TARGETS = """year: 2023
unit_name: 某某区人力资源和社会保障局
budget:
  expenditures: [{name: 基本支出, amount: "400"}, {name: 项目支出, amount: "600"}]
  revenues: [{name: 财政拨款, amount: "900"}, {name: 其他资金, amount: "100"}]
overall_goal: 完成全年就业目标
indicators:
  - {level1: 产出指标, level2: 数量指标, name: 城镇新增就业人数, target: ≥5000人}
  - {level1: 产出指标, level2: 时效指标, name: 补贴发放及时率, target: ≥95%}
  - {level1: 效益指标, level2: 社会效益指标, name: 登记失业率, target: ≤3%}
  - {level1: 满意度指标, level2: 服务对象满意度指标, name: 服务满意度, target: 良好以上}
"""


def test_a_template_from_targets_is_prefilled_locked_and_guided(tmp_path):
    targets = tmp_path / "t.yaml"
    targets.write_text(TARGETS, encoding="utf-8")
    res = run("template", "--kind", "selfeval", "--from", str(targets), "-o", str(tmp_path / "s.xlsx"))
    assert res.returncode == 0, res.stderr
    wb = openpyxl.load_workbook(tmp_path / "s.xlsx")
    ws = wb.worksheets[0]
    assert ws.protection.sheet
    assert (ws["B3"].value, ws["C5"].value, ws["B9"].value) == ("某某区人力资源和社会保障局", 1000, "完成全年就业目标")
    for ref in ("B3", "C5", "D11", "E11", "E14", "H11", "G5"):
        assert ws[ref].protection.locked is not False, ref
    for ref in ("D5", "E5", "F11", "G11", "I11", "F14", "H14", "B16"):
        assert ws[ref].protection.locked is False, ref
    assert [ws[f"G{r}"].value for r in range(11, 15)] == [25, 25, 30, 10]  # 50 over two, 30, 10
    assert ws["H11"].value.startswith("=IF(") and ws["H15"].value == "=SUM(H11:H14,H5)"
    assert ws["F12"].number_format == "0.00%"
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert any("F14" in str(dv.sqref) and "达成年度指标" in dv.formula1 for dv in lists)
    assert wb.sheetnames[1] == "填表说明"
    untouched = read_workbook(tmp_path / "s.xlsx")
    assert not [f for f in untouched.findings if f.severity != "info"]
    assert [i.name for i in untouched.form.indicators] == ["城镇新增就业人数", "补贴发放及时率", "登记失业率", "服务满意度"]


def test_a_filled_template_reads_and_scores_as_computed_by_hand(tmp_path, soffice):
    targets = tmp_path / "t.yaml"
    targets.write_text(TARGETS, encoding="utf-8")
    make_selfeval_template(load_form(targets), tmp_path / "s.xlsx")
    _fill(tmp_path / "s.xlsx", tmp_path / "filled.xlsx")
    # openpyxl leaves the formulas uncalculated: they read as blank, with no finding
    plain = read_workbook(tmp_path / "filled.xlsx")
    assert not [f for f in plain.findings if f.severity != "info"]
    assert plain.form.indicators[1].score is None
    # LibreOffice calculates them, as Excel does when the unit saves
    saved = read_workbook(soffice(tmp_path / "filled.xlsx", "xlsx", tmp_path / "lo"))
    form = saved.form
    assert [i.actual for i in form.indicators] == ["5200", "90.00%", "3.50%", "部分达成年度指标并具有一定效果"]
    # by hand: 1100/1200 × 10 = 9.17; 25; 90/95 × 25 = 23.68; 3/3.5 × 30 = 25.71; 7 (typed, in 6–8)
    assert form.execution[0].score == D("9.17") and form.execution[0].rate == "91.67%"
    assert [i.score for i in form.indicators] == [D(25), D("23.68"), D("25.71"), D(7)]
    assert form.total_score == D("90.56") and form.total_weight == 100
    card = score(form)
    assert card.total == D("90.56") and card.grade == "优" and card.complete
    assert not [s for s in card.indicators if s.differs]
    report = check_file(saved.source)
    assert report.valid, report.flat()
    assert "BX605" not in report.codes()


def test_a_project_template_with_a_profile_and_a_typed_identity(tmp_path):
    res = run("template", "--kind", "selfeval", "--from", str(INPUTS / "fengyang-2023.yaml"), "--project",
              "城中村改造项目", "--department", "海珠区住建局", "--profile", "hebei", "-o", str(tmp_path / "p.xlsx"))
    assert res.returncode == 0, res.stderr
    result = read_workbook(tmp_path / "p.xlsx")
    form = result.form
    assert (form.project_name, form.department, form.profile, result.layout) == (
        "城中村改造项目", "海珠区住建局", "hebei", "selfeval-project")
    assert form.execution[0].weight == 20
    assert sum(i.weight for i in form.indicators) == 80


def test_a_bureau_set_of_templates_from_a_folder(tmp_path):
    folder = tmp_path / "targets"
    folder.mkdir()
    (folder / "a.yaml").write_text(TARGETS, encoding="utf-8")
    (folder / "b.yaml").write_text(TARGETS.replace("某某区人力资源和社会保障局", "某某区民政局"), encoding="utf-8")
    (folder / "c.yaml").write_text(EXAMPLES["selfeval"].read_text(encoding="utf-8"), encoding="utf-8")
    res = run("template", "--kind", "selfeval", "--from", str(folder), "--out-dir", str(tmp_path / "out"))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "某某区人力资源和社会保障局-2023年绩效自评表.xlsx", "某某区民政局-2023年绩效自评表.xlsx"]
    # a file that is no target table is an error, named, after the others were written
    assert res.returncode == 1
    assert "错误：c.yaml" in res.stderr and "不是绩效目标表" in res.stderr


def _fails_for_b(args: tuple) -> str:
    from budgetxl.errors import OutputError

    if Path(args[0]).name == "b.yaml":
        raise OutputError(f"{args[1]}: 磁盘已满")
    return write_selfeval_item(args)


def test_one_target_that_cannot_make_a_template_does_not_stop_the_others(tmp_path, real_dir, monkeypatch):
    from budgetxl.render import selfeval_template

    folder = tmp_path / "targets"
    folder.mkdir()
    (folder / "a.yaml").write_text(TARGETS, encoding="utf-8")
    (folder / "b.yaml").write_text(TARGETS.replace("某某区人力资源和社会保障局", "某某区民政局"), encoding="utf-8")
    (folder / "damaged.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    (folder / "wuhan.xlsx").symlink_to(real_dir / "wuhan-donghu-2020-project-application.xlsx")
    monkeypatch.setattr(selfeval_template, "write_selfeval_item", _fails_for_b)
    made = selfeval_template.make_selfeval_set(folder, tmp_path / "out", jobs=1)
    assert sorted(p.name for p in made.paths) == sorted(p.name for p in (tmp_path / "out").iterdir()), made
    assert len(made.paths) == 2 and "某某区人力资源和社会保障局-2023年绩效自评表.xlsx" in [p.name for p in made.paths]
    assert [e.split(" ", 1)[0] for e in made.errors] == ["damaged.xlsx", "b.yaml"], made.errors
    assert "磁盘已满" in made.errors[1]
    # on the command line, the damaged file is an error with a non-zero exit, the others written
    (folder / "b.yaml").unlink()
    res = run("template", "--kind", "selfeval", "--from", str(folder), "--out-dir", str(tmp_path / "cli"))
    assert res.returncode == 1, res.stderr
    assert "错误：damaged.xlsx" in res.stderr and "提示" not in res.stderr
    assert len(list((tmp_path / "cli").iterdir())) == 2


@pytest.mark.parametrize("source", ["real", "yaml"])
def test_a_project_whose_only_goal_is_its_period_goal_makes_a_template(tmp_path, real_dir, source):
    path = (real_dir / "wuhan-donghu-2020-project-application.xlsx" if source == "real"
            else INPUTS / "wuhan-project-2024.yaml")
    res = run("template", "--kind", "selfeval", "--from", str(path), "-o", str(tmp_path / "x.xlsx"))
    assert res.returncode == 0, res.stderr
    targets = load_targets(path)
    assert not targets.annual_goal and targets.period_goal
    form = read_workbook(tmp_path / "x.xlsx").form
    assert [g.expected for g in form.goals] == [targets.period_goal]


def test_a_project_without_any_goal_has_no_empty_goal_row(tmp_path):
    targets = load_targets(INPUTS / "wuhan-project-2024.yaml").model_copy(update={"period_goal": ""})
    tpl = make_selfeval_template(targets, tmp_path / "x.xlsx")
    assert tpl.seed.goals == ()
    assert read_workbook(tmp_path / "x.xlsx").form.goals == ()


def test_a_project_template_always_offers_the_carried_over_funds(tmp_path):
    central = load_targets(INPUTS / "central-project-2024.yaml")  # 财政拨款 and 其他资金, no 结转
    make_selfeval_template(central, tmp_path / "c.xlsx")
    lines = read_workbook(tmp_path / "c.xlsx").form.execution
    assert [(ln.name, ln.initial) for ln in lines] == [
        ("年度资金总额", D(1250)), ("其中：财政拨款", D(1200)), ("上年结转资金", None), ("其他资金", D(50))]
    bare = central.model_copy(update={"funding": central.funding.model_copy(update={"annual": ()})})
    make_selfeval_template(bare, tmp_path / "b.xlsx")
    assert [ln.name for ln in read_workbook(tmp_path / "b.xlsx").form.execution] == [
        "年度资金总额", "其中：财政拨款", "上年结转资金", "其他资金"]
    wuhan = load_targets(INPUTS / "wuhan-project-2024.yaml")  # names its own 上年结转: not twice
    names = [ln.name for ln in make_selfeval_template(wuhan, tmp_path / "w.xlsx").seed.execution]
    assert sum("结转" in n for n in names) == 1


def test_a_template_returned_blank_is_one_error_and_no_total(tmp_path):
    returns = tmp_path / "returns"
    returns.mkdir()
    make_selfeval_template(load_targets(INPUTS / "fengyang-2023.yaml"), returns / "blank.xlsx")
    report = check_file(returns / "blank.xlsx")
    assert report.codes().count("BX615") == 1 and "BX604" not in report.codes() and "BX605" not in report.codes()
    assert len(report.findings) == 1, report.flat()
    res = run("collect", str(returns), "-o", str(tmp_path / "sum.xlsx"))
    assert res.returncode == 1, res.stderr
    rows = list(openpyxl.load_workbook(tmp_path / "sum.xlsx")["自评"].iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1]))
    assert (row["填写总分"], row["等级"], row["审核状态"]) == (None, "未评", "有错误")


def test_template_mistakes_are_clear(tmp_path):
    res = run("template", "--kind", "selfeval", "-o", str(tmp_path / "x.xlsx"))
    assert res.returncode == 2 and "--from" in res.stderr
    res = run("template", "--kind", "selfeval", "--from", str(EXAMPLES["selfeval"]), "-o", str(tmp_path / "x.xlsx"))
    assert res.returncode == 1 and "不是绩效目标表" in res.stderr
    res = run("template", "--from", str(EXAMPLES["selfeval"]), "--year", "2024", "-o", str(tmp_path / "x.xlsx"))
    assert res.returncode == 2 and "--kind selfeval" in res.stderr
    res = run("template", "--kind", "selfeval", "--from", str(INPUTS / "fengyang-2023.yaml"), "--layout",
              "chongqing-selfeval", "--profile", "hebei", "-o", str(tmp_path / "x.xlsx"))
    assert res.returncode == 1 and "评分规则" in res.stderr
    assert not (tmp_path / "x.xlsx").exists()


# --------------------------------------------------------------------------------------------
# Reading by structure: the flat layout's first column is data


def test_a_field_the_layout_has_no_column_for_is_refused(tmp_path):
    form = load_form(EXAMPLES["chongqing-selfeval"])
    inds = (form.indicators[0].model_copy(update={"reason": "说明"}), *form.indicators[1:])
    with pytest.raises(InputError) as err:
        render_form(form.model_copy(update={"indicators": inds}), tmp_path / "x.xlsx")
    assert "indicators[0].reason" in str(err.value)
    assert not (tmp_path / "x.xlsx").exists()


def test_a_label_word_as_an_indicator_type_stays_data(tmp_path):
    form = load_form(EXAMPLES["chongqing-selfeval"])
    inds = list(form.indicators)
    for word in ("说明", "项目名称", "当年绩效目标", "合计"):
        inds[1] = inds[1].model_copy(update={"level1": word})
        changed = form.model_copy(update={"indicators": tuple(inds)})
        got = read_workbook(render_form(changed, tmp_path / "x.xlsx")).form
        assert got == changed, word


def test_indicators_named_like_labels_stay_data_in_every_selfeval_layout(tmp_path):
    for layout, source in EXAMPLES.items():
        form = load_form(source)
        inds = list(form.indicators)
        text_field = "standard" if layout == "chongqing-selfeval" else "reason"
        inds[0] = inds[0].model_copy(update={"name": "总分", "actual": "年度绩效指标", text_field: "说明"})
        changed = form.model_copy(update={"indicators": tuple(inds)})
        assert read_workbook(render_form(changed, tmp_path / "x.xlsx")).form == changed, layout


# --------------------------------------------------------------------------------------------
# collect and diff


def test_collect_writes_the_selfeval_sheet_the_review_list_and_results_csv(tmp_path, seed_form):
    returns = tmp_path / "returns"
    returns.mkdir()
    for name, source in EXAMPLES.items():
        render_form(load_form(source), returns / f"{name}.xlsx")
    low = load_form(EXAMPLES["selfeval-project"])
    low = low.model_copy(update={"unit_name": "低分单位", "indicators": tuple(
        i.model_copy(update={"actual": "0", "score": None}) if i.actual[:1].isdigit() else i for i in low.indicators)})
    render_form(low, returns / "low.xlsx")
    # a total that leaves a score out (an actual that is no number) is listed as incomplete, not judged
    partial = low.model_copy(update={"unit_name": "未完成单位", "indicators": tuple(
        i.model_copy(update={"actual": "待统计"}) if k == 0 else i for k, i in enumerate(low.indicators))})
    render_form(partial, returns / "partial.xlsx")
    render_form(seed_form, returns / "targets.xlsx")
    res = run("collect", str(returns), "-o", str(tmp_path / "sum.xlsx"), "--csv", str(tmp_path / "t"), "--csv-lang", "en")
    assert res.returncode in (0, 1), res.stderr
    wb = openpyxl.load_workbook(tmp_path / "sum.xlsx")
    assert wb.sheetnames[-2:] == ["自评", "自评低于80分"]
    rows = list(wb["自评"].iter_rows(values_only=True))
    head = rows[0]
    by_unit = {r[head.index("单位名称")]: dict(zip(head, r)) for r in rows[1:]}
    assert len(by_unit) == 5
    assert by_unit["未完成单位"]["等级"] == "未评" and by_unit["低分单位"]["等级"] == "差"
    project = by_unit["某某区职业技能鉴定指导中心"]
    assert (project["评分规则"], project["填写总分"], project["计算总分"], project["等级"], project["执行率"]) == (
        "mof-2020", 97.6, 97.6, "优", 88)
    from budgetxl.collect.styles import SHEETS, columns

    summary = list(wb[SHEETS["summary"]].iter_rows(values_only=True))
    dup = [c.key for c in columns("summary")].index("duplicates")
    assert not [r for r in summary[1:] if r[dup]]  # 凤阳街道's 2023 targets and self-evaluation are two returns
    review = list(wb["自评低于80分"].iter_rows(values_only=True))
    review_by_unit = {r[0]: dict(zip(review[0], r)) for r in review[1:]}
    assert sorted(review_by_unit) == ["低分单位", "未完成单位"]
    assert review_by_unit["低分单位"]["等级"] == "差" and not review_by_unit["低分单位"]["说明"]
    assert review_by_unit["未完成单位"]["等级"] == "未评"
    assert "1 项指标无法自动计分" in review_by_unit["未完成单位"]["说明"] and "不评等级" in review_by_unit["未完成单位"]["说明"]
    with (tmp_path / "t" / "results.csv").open(encoding="utf-8-sig", newline="") as fh:
        results = list(csv.DictReader(fh))
    from budgetxl.collect.tidy import headings

    assert headings("results")[:6] == ["文件", "单位名称", "项目名称", "年度", "评分规则", "序号"]  # the Chinese default
    mine = [r for r in results if r["unit_name"] == "某某区职业技能鉴定指导中心"]
    assert [r["item"] for r in mine] == [str(n) for n in range(8)]
    assert mine[3]["computed_score"] == "9.8" and mine[3]["typed_score"] == "9.8"


def test_diff_targets_selfeval_next_targets(tmp_path):
    res = run("diff", str(INPUTS / "fengyang-2023.yaml"), str(EXAMPLES["selfeval"]), str(INPUTS / "fengyang-2024.yaml"),
              "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    rows = {r["name"]: r for r in data["rows"]}
    dropped = rows["全年组织各类型学习教育活动"]
    assert dropped["status"] == "dropped" and "未完成的指标在下一年被删去" in dropped["flags"]
    lowered = rows["居家养老上门生活照料服务"]
    assert (lowered["target"], lowered["next_target"]) == ("≥800人次", "≥400人次")
    assert "下一年指标值低于本年实际完成值" in lowered["flags"]
    assert rows["城中村改造项目验收合格率"]["status"] == "new"
    assert any("指标值连续两年未变" in r["flags"] for r in data["rows"])
    out = tmp_path / "loop.xlsx"
    res = run("diff", str(INPUTS / "fengyang-2023.yaml"), str(EXAMPLES["selfeval"]), str(INPUTS / "fengyang-2024.yaml"),
              "-o", str(out))
    assert res.returncode == 0 and out.is_file()


def test_the_loop_piped_is_one_paragraph_per_indicator_and_a_page_for_reviewers(tmp_path):
    """Piped (or at 80 columns) the ten columns would be cut into two-character strips: each
    indicator is a line with every value whole, its flags under it. --html writes the loop as a page."""
    files = [str(INPUTS / "fengyang-2023.yaml"), str(EXAMPLES["selfeval"]), str(INPUTS / "fengyang-2024.yaml")]
    res = run("diff", *files)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith("目标 2023 → 自评 2023（评分规则 mof-2020") and "┃" not in res.stdout
    lowered = next(i for i, line in enumerate(lines) if "居家养老上门生活照料服务：" in line)
    assert lines[lowered] == ("[保留] 效益指标 / 社会效益指标 / 居家养老上门生活照料服务：本年指标值 ≥800人次，"
                              "实际完成值 800人次，分值 2.5，得分 2.5，下一年指标值 ≥400人次")
    assert lines[lowered + 1].startswith("    提示：下一年指标值低于本年实际完成值")
    assert lines[-1] == "共 56 个指标，9 个需要关注"
    page = tmp_path / "loop.html"
    res = run("diff", *files, "--html", str(page))
    assert res.returncode == 0 and "已写入网页报告" in res.stderr, res.stderr
    html = page.read_text(encoding="utf-8")
    assert "<title>目标 → 自评 → 下一年目标</title>" in html and "自评表：" in html and "总分 98.26" in html
    assert html.count('class="st-removed flagged"') == 1 and html.count("flagged") >= 9
    assert "<td>≥400人次</td>" in html and '<td class="num">2.5</td>' in html
    res = run("diff", *files, "--html", "-")
    assert res.returncode == 0 and res.stdout.lstrip().startswith("<!DOCTYPE html>") and "[保留]" not in res.stdout


def test_diff_with_a_selfeval_in_another_place_is_a_usage_error():
    res = run("diff", str(INPUTS / "fengyang-2023.yaml"), str(EXAMPLES["selfeval"]))
    assert res.returncode == 2 and "本年自评表" in res.stderr and "Traceback" not in res.stderr


def test_a_project_target_table_gives_a_project_self_evaluation():
    """A project's target table (the project kind: 项目名称, 实施单位, 主管部门, the year's funding by
    source, 年度目标, indicators) as the seed of a project self-evaluation; shaped here as that
    kind's model is, field for field."""
    from types import SimpleNamespace as NS

    from budgetxl.model import BudgetLine, Indicator
    from budgetxl.render.selfeval_template import selfeval_seed
    from budgetxl.scoring import load_profile

    project = NS(kind="project", year=2024, name="职业技能提升行动", unit="某某区职业技能鉴定指导中心",
                 department="某某区人力资源和社会保障局", annual_goal="开展培训6000人次", budget_annual=D(1200),
                 funding=NS(annual=(BudgetLine(name="财政拨款", amount=D(1000)), BudgetLine(name="其他资金", amount=D(200)))),
                 indicators=(Indicator(level1="产出指标", level2="数量指标", name="培训人次", target="≥6000人次"),
                             Indicator(level1="效益指标", level2="社会效益指标", name="就业率", target="≥60%")))
    seed = selfeval_seed(project, load_profile("mof-2020"))
    assert (seed.subject, seed.project_name, seed.unit_name, seed.department) == (
        "project", "职业技能提升行动", "某某区职业技能鉴定指导中心", "某某区人力资源和社会保障局")
    assert [(ln.name, ln.initial) for ln in seed.execution] == [("年度资金总额", D(1200)), ("其中：财政拨款", D(1000)),
                                                               ("上年结转资金", None), ("其他资金", D(200))]
    assert seed.goals[0].expected == "开展培训6000人次"
    assert [i.weight for i in seed.indicators] == [D(50), D(30)]
    assert seed.default_layout() == "selfeval-project"

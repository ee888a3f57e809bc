"""Indicator frameworks: labels, synonyms, detection per form, closest-label suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgetxl.errors import InputError
from budgetxl.frameworks import (
    default_framework,
    detect_framework,
    framework_ids,
    framework_use,
    frameworks,
    get_framework,
    is_known_label,
    label_key,
    pair_framework_ids,
    standard_label,
    suggest,
)
from budgetxl.model import load_form

REPO = Path(__file__).resolve().parents[1]


def test_the_frameworks_as_declared():
    assert framework_ids() == ("2015", "2021", "2013")
    f15, f21, f13 = get_framework("2015"), get_framework("2021"), get_framework("2013")
    assert f15.level1 == ("产出指标", "效益指标", "满意度指标")
    assert f15.level2("产出指标") == ("数量指标", "质量指标", "时效指标", "成本指标")
    assert f21.level1 == ("成本指标", "产出指标", "效益指标", "满意度指标")
    assert f21.level2("成本指标") == ("经济成本指标", "社会成本指标", "生态环境成本指标")
    assert f21.level2("产出指标") == ("数量指标", "质量指标", "时效指标")
    # The 2013 共性指标 framework: no 满意度 一级, 社会公众或服务对象满意度 is a 二级 of 效益指标.
    assert f13.level1 == ("产出指标", "效益指标")
    assert f13.level2("产出指标") == f15.level2("产出指标")
    assert f13.has("效益指标", "社会公众或服务对象满意度指标") and f13.level2("满意度指标") == ()
    for fw in (f15, f21):
        assert fw.level2("满意度指标") == ("服务对象满意度指标",)
    for fw in frameworks():
        assert "生态效益指标" in fw.level2("效益指标")
        assert fw.basis and fw.name in fw.title
    assert default_framework().id == "2015"


def test_unknown_framework_is_an_input_error():
    with pytest.raises(InputError, match="2030"):
        get_framework("2030")


@pytest.mark.parametrize(
    "label,standard",
    [
        ("效\n益\n指\n标", "效益指标"),
        ("服务对象满意度", "服务对象满意度指标"),
        ("服务对象\n满意度指标", "服务对象满意度指标"),
        ("环境效益", "生态效益指标"),
        ("环境效益指标", "生态效益指标"),
        ("数量", "数量指标"),
        ("　产出指标 ", "产出指标"),
        ("质量指标：", "质量指标"),
    ],
)
def test_accepted_spellings(label, standard):
    assert is_known_label(label)
    assert standard_label(label) == standard


@pytest.mark.parametrize("label", ["服务对象", "效率指标", "", "指标"])
def test_unknown_labels(label):
    assert not is_known_label(label)


def test_level2_accepts_any_spelling_of_level1():
    assert get_framework("2015").level2("效\n益\n指\n标") == get_framework("2015").level2("效益指标")
    assert get_framework("2015").level2("成本指标") == ()


def test_label_key():
    assert label_key("服务对象满意度指标") == "服务对象满意度"
    assert label_key("指标") == "指标"


def test_parents_and_membership():
    f15, f21 = get_framework("2015"), get_framework("2021")
    assert f15.parents_of("质量指标") == ("产出指标",)
    assert f15.has("产出指标", "成本指标") and not f21.has("产出指标", "成本指标")
    assert f21.has("成本", "经济成本") and not f15.has("成本指标", "经济成本指标")
    assert f15.has("效\n益\n指\n标", "环境效益")


@pytest.mark.parametrize(
    "pair,ids",
    [
        (("产出指标", "数量指标"), ()),
        (("产出指标", "成本指标"), ("2015", "2013")),
        (("效益指标", "社会公众或服务对象满意度指标"), ("2013",)),
        (("满意度指标", "服务对象满意度指标"), ("2015", "2021")),
        (("成本指标", "经济成本指标"), ("2021",)),
        (("成本指标", "其他"), ("2021",)),
        (("效益指标", "质量指标"), ()),
        (("其他", "其他"), ()),
    ],
)
def test_pair_evidence(pair, ids):
    assert pair_framework_ids(*pair) == ids


def test_detect_seed_is_2015():
    form = load_form(REPO / "inputs" / "fengyang-2023.yaml")
    assert detect_framework(form).id == "2015"
    assert not framework_use([(i.level1, i.level2) for i in form.indicators]).mixed


def test_detect_2021_and_mixed():
    use = framework_use([("成本指标", "经济成本指标"), ("产出指标", "数量指标")])
    assert use.framework.id == "2021" and not use.mixed
    mixed = framework_use([("成本指标", "经济成本指标"), ("成本指标", "社会成本指标"), ("产出指标", "成本指标")])
    assert mixed.mixed and mixed.framework.id == "2021"
    assert mixed.votes == {"2015": 1, "2021": 2, "2013": 1}


def test_pairs_shared_by_some_frameworks_are_not_mixing():
    # 产出/成本 (2015 and 2013) and 满意度/服务对象满意度 (2015 and 2021): both fit 2015.
    use = framework_use([("产出指标", "成本指标"), ("满意度指标", "服务对象满意度指标"), ("产出指标", "数量指标")])
    assert use.framework.id == "2015" and not use.mixed


def test_detect_2013():
    use = framework_use([("产出指标", "成本指标"), ("效益指标", "社会公众或服务对象满意度指标")])
    assert use.framework.id == "2013" and not use.mixed
    # A 2015 form with one 满意度 label slipped under 效益指标 stays 2015 and is mixed.
    slip = framework_use([("产出指标", "成本指标"), ("满意度指标", "服务对象满意度指标"), ("效益指标", "服务对象满意度")])
    assert slip.framework.id == "2015" and slip.mixed


def test_no_evidence_gives_the_default():
    assert framework_use([("产出指标", "数量指标")]).framework.id == "2015"
    assert framework_use([]).framework.id == "2015"


def test_suggestions():
    f15 = get_framework("2015")
    assert suggest("服务对象", f15.level2("满意度指标")) == "服务对象满意度指标"
    assert suggest("数量指示", f15.all_level2) == "数量指标"
    assert suggest("社会效应指标", f15.level2("效益指标")) == "社会效益指标"
    assert suggest("产出", f15.level1) == "产出指标"
    # Nothing alike: no suggestion rather than a random one.
    assert suggest("质量指标", f15.level2("效益指标")) is None
    assert suggest("", f15.level1) is None

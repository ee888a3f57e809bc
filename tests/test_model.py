"""The canonical model: validation, exact decimals, JSON/YAML shape, schema."""

from __future__ import annotations

import copy
import json
from decimal import Context, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from budgetxl.errors import InputError
from budgetxl.model import Form, canonical_decimal, form_from_data, json_schema, load_form

BASE = {
    "year": 2023,
    "unit_name": "某某街道办事处",
    "budget": {
        "expenditures": [{"name": "基本支出", "amount": "8997.98"}, {"name": "项目支出", "amount": "9696.18"}],
        "revenues": [{"name": "财政拨款", "amount": "18694.16"}, {"name": "其他资金", "amount": "0"}],
    },
    "overall_goal": "目标",
    "tasks": [{"group": "key", "name": "任务", "content": "内容", "funds": "1800", "goal": "目标"}],
    "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "拆违面积", "target": "≥25万平方米"}],
}


def with_change(path: str, value):
    data = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is KeyError:
        del node[int(last) if last.isdigit() else last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        ("unit_name", KeyError, "unit_name", "缺少"),
        ("budget", KeyError, "budget", "缺少"),
        ("year", "二〇二三", "year", "整数"),
        ("year", 1800, "year", "太小"),
        ("tasks.0.funds", "abc", "tasks[0].funds", "不是数字"),
        ("tasks.0.funds", "-5", "tasks[0].funds", "负数"),
        ("tasks.0.funds", True, "tasks[0].funds", "真/假"),
        ("tasks.0.group", "main", "tasks[0].group", "key"),
        ("budget.expenditures.0.amount", "NaN", "budget.expenditures[0].amount", "有限"),
        ("indicators.0.target", ["a"], "indicators[0].target", "文字"),
        ("tasks.0.colour", "red", "tasks[0].colour", "不认识"),
    ],
)
def test_invalid_input_names_the_field(path, value, field, words):
    with pytest.raises(InputError) as exc:
        form_from_data(with_change(path, value), "form.yaml")
    text = str(exc.value)
    assert text.startswith("form.yaml:")
    assert f"{field}:" in text
    assert words in text


def test_amounts_are_exact_decimals_in_canonical_form():
    form = form_from_data(with_change("tasks.0.funds", "10891.6156750"))
    assert form.tasks[0].funds == Decimal("10891.615675")
    assert form.to_data()["tasks"][0]["funds"] == "10891.615675"
    assert form_from_data(with_change("tasks.0.funds", "1,800.00")).tasks[0].funds == Decimal("1800")
    assert form_from_data(with_change("tasks.0.funds", 50)).to_data()["tasks"][0]["funds"] == "50"
    blank = form_from_data(with_change("tasks.0.funds", ""))
    assert blank.tasks[0].funds is None


def _canonical_by_definition(value: Decimal) -> Decimal:
    """canonical_decimal as first written: a fresh context, quantize or normalize every time."""
    if not value.is_finite() or abs(value.adjusted()) > 100:
        return value
    ctx = Context(prec=max(28, len(value.as_tuple().digits), value.adjusted() + 1))
    if value == value.to_integral_value(context=ctx):
        return value.quantize(Decimal(1), context=ctx)
    return value.normalize(context=ctx)


@pytest.mark.parametrize("text, expected", [
    ("1800.00", "1800"), ("1.8E+3", "1800"), ("8997.980", "8997.98"), ("8997.98", "8997.98"), ("-0.00", "-0"),
    ("0E-9", "0"), ("1E-7", "1E-7"), ("1.50E-8", "1.5E-8"), ("42", "42"), ("1E+101", "1E+101"), ("NaN", "NaN"),
])
def test_canonical_decimal_plain_without_trailing_zeros(text, expected):
    assert str(canonical_decimal(Decimal(text))) == expected


@given(st.decimals(allow_nan=True, allow_infinity=True) | st.builds(
    lambda digits, exponent: Decimal(digits).scaleb(exponent), st.integers(-10**40, 10**40), st.integers(-120, 120)))
def test_canonical_decimal_keeps_its_definition(value):
    # The shortcut for values already plain gives exactly what quantize/normalize would (sign,
    # digits and exponent alike).
    if value.is_nan():
        assert canonical_decimal(value).is_nan()
        return
    assert canonical_decimal(value).as_tuple() == _canonical_by_definition(value).as_tuple()


def test_text_is_cleaned_the_way_a_workbook_keeps_it():
    form = form_from_data(with_change("overall_goal", "  目标1：甲 \r\n目标2：乙\x01\n\n"))
    assert form.overall_goal == "目标1：甲\n目标2：乙"
    indented = form_from_data(with_change("overall_goal", "\u3000\u3000以习近平"))
    assert indented.overall_goal == "\u3000\u3000以习近平"
    number_target = form_from_data(with_change("indicators.0.target", 50000))
    assert number_target.indicators[0].target == "50000"


def test_form_is_frozen():
    form = form_from_data(BASE)
    with pytest.raises(ValidationError, match="frozen"):
        form.year = 2024  # type: ignore[misc]


def test_json_shape_is_the_public_contract():
    data = json.loads(form_from_data(BASE).to_json())
    assert list(data) == ["year", "unit_name", "budget", "overall_goal", "tasks", "indicators"]
    assert data["budget"]["revenues"][0] == {"name": "财政拨款", "amount": "18694.16"}
    assert data["tasks"][0] == {"group": "key", "name": "任务", "content": "内容", "funds": "1800", "goal": "目标"}
    assert form_from_data(data) == form_from_data(BASE)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_load_round_trips_through_files(tmp_path, suffix, seed_form):
    path = tmp_path / f"form{suffix}"
    path.write_text(seed_form.to_json() if suffix == ".json" else seed_form.to_yaml(), encoding="utf-8")
    assert load_form(path) == seed_form


def test_yaml_floats_are_read_as_typed(tmp_path):
    path = tmp_path / "f.yaml"
    text = json.dumps(BASE, ensure_ascii=False).replace('"8997.98"', "8997.98").replace('"0"', "0.10")
    path.write_text(text, encoding="utf-8")
    form = load_form(path)
    assert form.budget.expenditures[0].amount == Decimal("8997.98")
    assert form.budget.revenues[1].amount == Decimal("0.1")


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("bad.yaml", "year: 2023\nunit_name: [\n", "YAML 格式错误"),
        ("bad.json", '{"year": 2023,', "JSON 格式错误"),
        ("list.yaml", "- 1\n- 2\n", "映射"),
        ("form.txt", "year: 2023", "不认识的文件类型"),
        ("gbk.yaml", None, "UTF-8"),
    ],
)
def test_unreadable_files_give_one_clear_message(tmp_path, name, content, words):
    path = tmp_path / name
    if content is None:
        path.write_bytes("单位名称: 某局".encode("gbk"))
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_form(path)
    assert str(path) in str(exc.value)
    assert words in str(exc.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="文件不存在"):
        load_form(tmp_path / "nope.yaml")


def test_schema_describes_the_form():
    schema = json_schema()
    assert schema["type"] == "object"
    assert {"year", "unit_name", "budget"} <= set(schema["required"])
    assert {"overall_goal", "functions", "goals"} <= set(schema["properties"])
    assert "Task" in schema["$defs"] and "Indicator" in schema["$defs"]
    assert schema["$defs"]["Task"]["properties"]["group"]["enum"] == ["key", "other"]


def test_placeholder_indicator():
    form = form_from_data(with_change("indicators.0", {"level1": "产出指标", "level2": "成本指标"}))
    assert form.indicators[0].is_placeholder
    assert not form_from_data(BASE).indicators[0].is_placeholder
    assert isinstance(form, Form)

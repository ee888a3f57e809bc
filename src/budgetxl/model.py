"""The canonical model of a 部门整体预算绩效目标表.

The model knows nothing of Excel. Its JSON shape is a public contract: amounts are exact decimals
in 万元, written as strings; every text is kept exactly as given.

Empty strings are allowed everywhere a person may leave a cell blank (a returned workbook often
does): whether a blank is acceptable is the checker's business, not the model's. Absent keys,
wrong types, and amounts that are not non-negative numbers are rejected when loading.
"""

from __future__ import annotations

import json
import re
import reprlib
from decimal import Context, Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, ValidationError

from budgetxl import datafile
from budgetxl.errors import InputError
from budgetxl.filenames import FORM_FILE_SUFFIXES
from budgetxl.text import clean_text

# --------------------------------------------------------------------------------------------
# Amounts


MAX_AMOUNT_DIGITS = 15  # significant digits Excel keeps of a number; more are rounded away
_HUGE = 100  # a decimal exponent past which a number is kept as written, never expanded
_THOUSANDS_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


_CONTEXTS: dict[int, Context] = {}


def _context(prec: int) -> Context:
    """A decimal context of `prec` digits, made once per precision (only its flags ever change)."""
    ctx = _CONTEXTS.get(prec)
    if ctx is None:
        ctx = _CONTEXTS[prec] = Context(prec=prec)
    return ctx


def canonical_decimal(value: Decimal) -> Decimal:
    """Plain notation without trailing zeros: 1800.00 -> 1800, 8997.980 -> 8997.98. Exact
    however many digits it has (a number of absurd magnitude is left as it is)."""
    if not value.is_finite() or abs(value.adjusted()) > _HUGE:
        return value
    text = str(value)  # plain unless the exponent is above 0 or far below
    if "E" not in text and ("." not in text or text[-1] != "0"):
        return value  # already plain: an integer, or a fraction without trailing zeros
    ctx = _context(max(28, len(value.as_tuple().digits), value.adjusted() + 1))
    if value == value.to_integral_value(context=ctx):
        return value.quantize(Decimal(1), context=ctx)
    return value.normalize(context=ctx)


def significant_digits(value: Decimal) -> int:
    """Digits from the first to the last that is not zero: 1800 → 2, 0.0075 → 2, 0 → 1."""
    digits = "".join(map(str, value.as_tuple().digits)).strip("0")
    return max(1, len(digits))


def amount_problem(value: Decimal) -> str | None:
    """Why a number cannot be kept exactly as an amount in 万元 (None when it can): not finite,
    or more than MAX_AMOUNT_DIGITS significant digits or integer digits, which Excel would
    round (12345678901234567.89 becomes 12345678901234600)."""
    if not value.is_finite():
        return "应为有限的数字"
    if value and value.adjusted() >= MAX_AMOUNT_DIGITS:
        return f"金额 {shorten(str(value), 24)} 过大：整数部分超过 {MAX_AMOUNT_DIGITS} 位（单位是万元，请核对）"
    digits = significant_digits(value)
    if digits > MAX_AMOUNT_DIGITS:
        return (f"金额 {shorten(str(value), 24)} 有 {digits} 位有效数字，超过 {MAX_AMOUNT_DIGITS} 位："
                "Excel 只能精确保存 15 位，多出的会被四舍五入，请核对")
    return None


def shorten(text: str, limit: int = 60) -> str:
    """A value quoted in a message: never more than `limit` characters of it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def without_thousands(text: str) -> str:
    """'1,800.5' → '1800.5'. A comma separates thousands only between groups of three digits:
    '0,75' or '1,5' (a decimal comma, or a slip) raises ValueError rather than reading 75 or 15."""
    if "," not in text:
        return text
    if not _THOUSANDS_RE.fullmatch(text):
        raise ValueError(f"“{shorten(text, 30)}”中的逗号不是千位分隔符"
                         "（千位分隔符每三位一个，如 1,800；小数点请用“.”）")
    return text.replace(",", "")


def parse_amount(value: Any) -> Decimal:
    """Turn an input amount into an exact, non-negative Decimal (raises ValueError)."""
    if isinstance(value, bool):
        raise ValueError("应为数字，不能是真/假值")
    if isinstance(value, float):
        # YAML/JSON floats are taken as the text the person typed, never as binary fractions.
        value = repr(value)
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("金额为空")
        try:
            value = Decimal(without_thousands(text))
        except InvalidOperation:
            raise ValueError(f"“{shorten(value, 30)}”不是数字") from None
    if not isinstance(value, Decimal):
        raise ValueError(f"应为数字，实际为 {type(value).__name__}")
    if not value.is_finite():
        raise ValueError("应为有限的数字")
    if value < 0 or value.is_signed():  # -0 too: the minus sign was typed on purpose or by a slip
        raise ValueError(f"金额不能为负数（{shorten(str(value), 24)}）")
    problem = amount_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return canonical_decimal(value)


def format_amount(value: Decimal) -> str:
    return format(canonical_decimal(value), "f")


Amount = Annotated[
    Decimal,
    BeforeValidator(parse_amount),
    PlainSerializer(format_amount, return_type=str, when_used="always"),
]
OptionalAmount = Annotated[
    Decimal | None,
    BeforeValidator(lambda v: None if v is None or (isinstance(v, str) and not v.strip()) else parse_amount(v)),
    PlainSerializer(lambda v: None if v is None else format_amount(v), return_type=str | None, when_used="always"),
]


def amount_fields(model: type[BaseModel]) -> frozenset[str]:
    """The fields of a model part that hold amounts (万元): Task → {'funds'}."""
    return frozenset(name for name, info in model.model_fields.items()
                     if info.annotation is Decimal or Decimal in get_args(info.annotation))


def _text(value: Any) -> Any:
    """Numbers typed where text belongs (a target of 50000, a staff count of 737) become text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, Decimal)):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        if not number.is_finite() or abs(number.adjusted()) > _HUGE:
            return str(number)  # 1e400 stays as written rather than four hundred digits
        return format_amount(number)
    return value


Text = Annotated[str, BeforeValidator(_text), AfterValidator(clean_text)]


def _non_empty(value: str) -> str:
    if not value:
        raise ValueError("不能为空（不需要的条目请删除）")
    return value


NonEmptyText = Annotated[str, BeforeValidator(_text), AfterValidator(clean_text), AfterValidator(_non_empty)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


# --------------------------------------------------------------------------------------------
# Parts


class InfoItem(_Model):
    """One entry of the optional 基本信息 row (财政供养人员数, 下属二级单位数)."""

    name: Text
    value: Text = ""


class BudgetLine(_Model):
    """One line of 预算整体情况: a name and its amount in 万元 (None when left blank)."""

    name: Text
    amount: OptionalAmount = None


class BudgetSection(_Model):
    """A further two-sided sub-block of 预算整体情况, such as 事业发展性支出 / 按预算级次划分."""

    left_heading: Text
    right_heading: Text
    left: tuple[BudgetLine, ...] = ()
    right: tuple[BudgetLine, ...] = ()


class Budget(_Model):
    """预算整体情况: 部门预算支出 beside 收入来源, plus optional further sub-blocks."""

    expenditures: tuple[BudgetLine, ...] = ()
    revenues: tuple[BudgetLine, ...] = ()
    sections: tuple[BudgetSection, ...] = ()


class Task(_Model):
    """A row of 年度重点工作任务 (group "key") or 其他需完成的任务 (group "other")."""

    group: Literal["key", "other"] = "key"
    name: Text
    content: Text = ""
    funds: OptionalAmount = None
    goal: Text = ""


class Indicator(_Model):
    """A row of 绩效指标. A row with empty name and target keeps an empty 二级 block in place."""

    level1: Text
    level2: Text
    name: Text = ""
    target: Text = ""

    @property
    def is_placeholder(self) -> bool:
        return not self.name.strip() and not self.target.strip()


class Form(_Model):
    """A whole 部门整体预算绩效目标表 for one unit and year."""

    kind: Literal["department"] = Field(
        default="department", description="The form kind; files of other kinds say theirs (kind: project)."
    )
    year: int | None = Field(ge=1900, le=2200)
    unit_name: Text
    layout: str | None = Field(
        default=None, description="Layout in templates/ to render with; None means the default layout."
    )
    title: Text | None = Field(
        default=None, description="A title differing from the layout's title for the year; None uses the layout's."
    )
    basic_info: tuple[InfoItem, ...] = ()
    budget: Budget
    overall_goal: Text = ""
    functions: tuple[NonEmptyText, ...] = Field(
        default=(), description="部门职能概述 as numbered items (职能1, 职能2, …), in layouts that list them."
    )
    goals: tuple[NonEmptyText, ...] = Field(
        default=(), description="The year's goals as numbered items (目标1, 目标2, …), in layouts that list them."
    )
    tasks: tuple[Task, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    notes: tuple[Text, ...] = Field(default=(), description="Text found under or beside the table, kept verbatim.")

    def tasks_in(self, group: str) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks if t.group == group)

    def to_data(self) -> dict[str, Any]:
        """The canonical JSON-ready dict (amounts as strings); optional fields left out when unset."""
        data = self.model_dump(mode="json")
        del data["kind"]  # the default kind goes without saying
        for key in ("layout", "title"):
            if data[key] is None:
                del data[key]
        for key in ("basic_info", "functions", "goals", "notes"):
            if not data[key]:
                del data[key]
        if not data["budget"]["sections"]:
            del data["budget"]["sections"]
        return data

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_data(), ensure_ascii=False, indent=indent)

    def to_yaml(self) -> str:
        return yaml.dump(self.to_data(), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


# --------------------------------------------------------------------------------------------
# Loading and dumping


YAML_SAFE_LOADER = datafile.YAML_SAFE_LOADER  # libyaml's parser when PyYAML has it


class DuplicateKey(Exception):
    """The same key twice in one mapping of a form file (the later would silently win)."""

    def __init__(self, key: str, first: int, second: int) -> None:
        super().__init__(key)
        self.key, self.first, self.second = key, first, second

    def message(self, source: str) -> str:
        return (f"{source}: 第 {self.first} 行和第 {self.second} 行都写了“{shorten(self.key, 30)}”；同一层中的每个字段"
                "只能写一次（后写的会把先写的整个覆盖），请删去或合并其中一处")


class AliasUsed(Exception):
    """A form file uses a YAML alias (*name): refused before anything is built from it."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _Loader(YAML_SAFE_LOADER):  # type: ignore[misc,valid-type]
    """Safe YAML loading that keeps decimals exact (8997.98 is read as the text typed) and refuses
    a key written twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    line = key_node.start_mark.line + 1
                    if key_node.value in seen:
                        raise DuplicateKey(key_node.value, seen[key_node.value], line)
                    seen[key_node.value] = line
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


class _NoAliasLoader(_Loader):
    """_Loader for a document that may hold an alias: the nodes are walked first, and a node met
    twice (an alias refers back to an anchored node) is refused before anything is built. A
    document of nested aliases a few kilobytes long would otherwise expand to gigabytes as soon as
    anything walks it as plain data."""

    def construct_document(self, node: yaml.Node) -> Any:
        seen: set[int] = set()
        todo = [node]
        while todo:
            current = todo.pop()
            if id(current) in seen:
                raise AliasUsed(current.start_mark.line + 1)
            seen.add(id(current))
            if isinstance(current, yaml.SequenceNode):
                todo.extend(current.value)
            elif isinstance(current, yaml.MappingNode):
                for key, value in current.value:
                    todo.extend((key, value))
        return super().construct_document(node)


def _decimal_constructor(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | str:
    text = loader.construct_scalar(node)
    try:
        return Decimal(text.replace("_", ""))
    except InvalidOperation:
        return text  # .inf, .nan and the like: let validation say what is wrong


_Loader.add_constructor("tag:yaml.org,2002:float", _decimal_constructor)
_NoAliasLoader.add_constructor("tag:yaml.org,2002:float", _decimal_constructor)


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\x85" in data:  # NEL: a line break to a YAML reader unless escaped, so double quotes (\N)
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    style = "|" if "\n" in data and not data.endswith((" ", "\n")) and "\r" not in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_representer)


def field_path(loc: tuple[Any, ...]) -> str:
    """('tasks', 3, 'funds') -> 'tasks[3].funds'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(root)"


_PYDANTIC_MESSAGES = {
    "missing": "缺少此项",
    "extra_forbidden": "不认识的字段",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "literal_error": "取值不对",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "model_type": "应为一组字段（映射）",
    "tuple_type": "应为列表",
    "dict_type": "应为一组字段（映射）",
}


_REPR = reprlib.Repr()
_REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict, _REPR.maxtuple, _REPR.maxlevel = 40, 40, 3, 3, 3, 2


def _shown(value: Any) -> str:
    """A value for a message: never the whole of a large input, however it is nested."""
    return _REPR.repr(value)


def describe_validation_error(exc: ValidationError) -> list[str]:
    """One line per problem: 'tasks[3].funds: “abc”不是数字'."""
    lines = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        kind = err["type"]
        if kind == "value_error":
            msg = shorten(str(err.get("ctx", {}).get("error", err["msg"])), 200)
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            msg = f"取值不对（可选：{expected}），实际为 {_shown(err.get('input'))}"
        else:
            msg = _PYDANTIC_MESSAGES.get(kind, err["msg"])
            if kind not in ("missing", "extra_forbidden"):
                msg += f"，实际为 {_shown(err.get('input'))}"
        lines.append(f"{field_path(loc)}: {msg}")
    return lines


def form_kind(kind: Any, source: str = "<data>") -> Any:
    """The kind a form file names (the department form when it names none): a kinds.FormKind."""
    from budgetxl.kinds import FORM_KINDS

    if kind is None:
        kind = "department"
    if not isinstance(kind, str) or kind not in FORM_KINDS:
        raise InputError(f"{source}: kind: 不认识的表格种类“{kind}”，可选：{'、'.join(FORM_KINDS)}")
    return FORM_KINDS[kind]


def form_from_data(data: Any, source: str = "<data>") -> Any:
    """The form of the kind the data names (`kind:`, the department form by default)."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: 文件内容应为一组字段（映射），实际为 {type(data).__name__}")
    kind = form_kind(data.get("kind"), source)
    try:
        return kind.model.model_validate(data)
    except ValidationError as exc:
        problems = describe_validation_error(exc)
        raise InputError(f"{source}: 内容有 {len(problems)} 处错误", details=problems) from exc


def load_form(path: str | Path) -> Form:
    """Load a Form from a .yaml/.yml or .json file; InputError names the file and field."""
    form: Form = form_from_data(read_data(path), str(Path(path)))
    return form


MAX_FORM_BYTES = 64 * 1024 * 1024  # a form file is a few dozen kilobytes


def read_data(path: str | Path) -> Any:
    """The parsed content of a .yaml/.yml or .json file (decimals exact), not yet a Form.

    Refused with InputError naming the file: a key written twice in one mapping (both lines),
    a YAML alias (*name), nesting deeper than any form, more than MAX_FORM_BYTES."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORM_FILE_SUFFIXES:
        raise InputError(f"{path}: 不认识的文件类型“{path.suffix}”，应为 .yaml、.yml 或 .json")
    try:
        with path.open("rb") as fh:  # bounded: a symlink to /dev/zero must not fill the memory
            raw = fh.read(MAX_FORM_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: 文件不存在") from None
    except IsADirectoryError:
        raise InputError(f"{path}: 这是一个文件夹，不是文件") from None
    except OSError as exc:
        raise InputError(f"{path}: 无法读取（{exc.strerror}）") from None
    if len(raw) > MAX_FORM_BYTES:
        raise InputError(f"{path}: 文件过大（超过 {MAX_FORM_BYTES // (1024 * 1024)} MB），不是表单文件")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: 文件不是 UTF-8 编码的文本") from None
    try:
        if suffix == ".json":
            return _load_json(text, path)
        return _load_yaml(text, path)
    except DuplicateKey as exc:
        raise InputError(exc.message(str(path))) from None
    except AliasUsed as exc:
        raise InputError(f"{path}: 第 {exc.line} 行的内容被 YAML 别名（*…）再次引用；表单文件不使用锚点（&）和别名，"
                         "请把内容直接写出") from None
    except RecursionError:
        raise InputError(f"{path}: 内容嵌套层数过多，不是表单文件") from None


def _load_yaml(text: str, path: Path) -> Any:
    loader = _NoAliasLoader if "*" in text else _Loader  # no '*', no alias: nothing to walk
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else "某处"
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{path}: YAML 格式错误，{where}：{shorten(str(problem), 200)}") from None


class _JsonDuplicate(Exception):
    pass


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _JsonDuplicate(key)
        out[key] = value
    return out


def _load_json(text: str, path: Path) -> Any:
    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: JSON 格式错误，第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}") from None
    except _JsonDuplicate as exc:
        found = json_duplicate_lines(text)
        if found is None:  # pragma: no cover - the hook saw a duplicate, so the scan finds it
            raise InputError(f"{path}: 字段“{shorten(str(exc), 30)}”在同一层中写了两次") from None
        raise DuplicateKey(*found) from None


_JSON_TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:]|\n')


def json_duplicate_lines(text: str) -> tuple[str, int, int] | None:
    """The first key written twice in one object of a JSON document, with both lines."""
    objects: list[dict[str, int] | None] = []  # per open bracket: keys seen (None for an array)
    line = 1
    pending: tuple[str, int] | None = None  # a string that is a key if a colon follows
    for m in _JSON_TOKEN_RE.finditer(text):
        token = m.group()
        if token == "\n":
            line += 1
            continue
        if token == ":" and pending is not None and objects and objects[-1] is not None:
            key, at = pending
            if key in objects[-1]:
                return key, objects[-1][key], at
            objects[-1][key] = at
        pending = None
        if token == "{":
            objects.append({})
        elif token == "[":
            objects.append(None)
        elif token in "}]" and len(token) == 1:
            if objects:
                objects.pop()
        elif token.startswith('"'):
            line += token.count("\n")  # only in an invalid document: strings hold no raw breaks
            pending = (json.loads(token), line)
    return None


def json_schema(kind: str = "department") -> dict[str, Any]:
    """The JSON Schema of form files of `kind`."""
    form = form_kind(kind, "--kind")
    schema: dict[str, Any] = form.model.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"{form.title} (budgetxl {form.model.__name__})"
    return schema

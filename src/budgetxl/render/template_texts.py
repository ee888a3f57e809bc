"""The texts and settings of blank templates, declared once in templates/template.yaml."""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from budgetxl.datafile import read_data_file
from budgetxl.errors import LayoutError
from budgetxl.resources import templates_dir

TEMPLATE_FILE = "template.yaml"
INSTRUCTIONS_FILE = "instructions.md.j2"


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Message(_Data):
    """A data-validation message: Excel caps the title at 32 characters, the text at 255."""

    title: str = Field(max_length=32)
    message: str = Field(max_length=255)


class Sheets(_Data):
    instructions: str = Field(max_length=31)
    lists: str = Field(max_length=31)


class RowCounts(_Data):
    """Empty rows offered beyond the pre-filled ones: per block (by its key: tasks_key, …; the
    indicator block's count is per 二级指标), and for a block not named here by its kind."""

    model_config = ConfigDict(frozen=True, extra="allow")

    tasks_key: int = Field(default=5, ge=0, le=500)
    tasks_other: int = Field(default=3, ge=0, le=500)
    indicators: int = Field(default=2, ge=0, le=100)
    table: int = Field(default=3, ge=0, le=500)
    numbered: int = Field(default=3, ge=0, le=500)

    def for_block(self, key: str, kind: str) -> int:
        extra = self.model_extra or {}
        if key in extra:
            return int(extra[key])
        value = getattr(self, key, None) if key in type(self).model_fields else None
        if value is not None:
            return int(value)
        return int(getattr(self, kind, 0) if kind in type(self).model_fields else 0)

    @classmethod
    def all(cls, n: int) -> RowCounts:
        return cls(tasks_key=n, tasks_other=n, indicators=n, table=n, numbered=n)


class Hints(_Data):
    """The input hints of template cells, by name (a layout's columns name theirs); layouts may
    add hints of their own beside these."""

    model_config = ConfigDict(frozen=True, extra="allow")

    amount: Message
    overall_goal: Message
    task_name: Message
    task_content: Message
    task_goal: Message
    level1: Message
    level2: Message
    indicator_name: Message
    indicator_target: Message
    info_value: Message

    def named(self, name: str) -> Message:
        """The hint called `name`; LayoutError when templates/template.yaml has none."""
        value = getattr(self, name, None) if name in type(self).model_fields else (self.model_extra or {}).get(name)
        if value is None:
            raise LayoutError(f"{templates_dir() / TEMPLATE_FILE}: 没有名为“{name}”的填写提示（hints）")
        return value if isinstance(value, Message) else Message.model_validate(value)


class Errors(_Data):
    amount: Message
    level1: Message
    level2: Message
    label: Message  # a block label of the form typed over


class Check(_Data):
    pending: str
    ok: str
    bad: str


class CsvColumns(_Data):
    name_columns: tuple[str, ...]
    amount_suffixes: tuple[str, ...] = ()


class TemplateTexts(_Data):
    sheets: Sheets
    file_name: str
    # The file names of templates of other form kinds (project: …), by kind.
    kind_file_names: dict[str, str] = Field(default_factory=dict)
    rows: RowCounts
    goal_lines: int = Field(ge=1, le=40)
    check_column_width: float = Field(gt=0, le=100)
    level1_list_name: str
    hints: Hints
    errors: Errors
    check: Check
    csv: CsvColumns


@lru_cache(maxsize=1)
def template_texts() -> TemplateTexts:
    path = templates_dir() / TEMPLATE_FILE
    data = read_data_file(path, "模板设置文件")
    try:
        return TemplateTexts.model_validate(data)
    except ValidationError as exc:
        details = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise LayoutError(f"{path}: 模板设置文件有误", details=details) from None

"""Form layouts as data: templates/*.yaml, read by the writer, the template maker and the reader.

A layout is an ordered list of blocks, each of a kind (a label/value row, a text, amount pairs,
an amount row, an amount list, numbered rows, a row table, the indicator tree). A block declares
its label and synonyms, the model field it fills and, for the tabular kinds, its column map:
which model field each column holds, the header text of each column and its synonyms, and how
many of the layout's physical columns it spans. The layout also declares the column widths,
fonts, page set-up and the title as a Jinja2 string. docs/layouts.md describes the grammar.

Nothing about a form's wording or geometry is written in Python: the writer, the template maker
and the reader are loops over the blocks, with one module per kind (budgetxl.blocks).
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from typing import Annotated, Any, Callable, Literal, TypeVar, cast

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from budgetxl.amount_units import stated_unit, without_unit
from budgetxl.datafile import read_data_file
from budgetxl.errors import LayoutError
from budgetxl.model import YAML_SAFE_LOADER
from budgetxl.resources import templates_dir
from budgetxl.text import normalize_label

DEFAULT_LAYOUT = "guangdong"
SIDES = ("expenditures", "revenues")  # the two sides of a department's budget (budget.expenditures, …)


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Font(_Data):
    name: str
    size: float
    title_size: float


class Margins(_Data):
    left: float
    right: float
    top: float
    bottom: float
    header: float = 0.3
    footer: float = 0.3


class Page(_Data):
    paper: int = 9
    landscape: bool = False
    margins: Margins
    footer: str = ""
    center_horizontally: bool = True


class Rows(_Data):
    min_height: float
    title_height: float
    header_height: float


# ---------------------------------------------------------------------------------------------
# Blocks


class Column(_Data):
    """One column of a block's column map: the model field it holds, its header text and the
    other spellings of that header, and how many physical columns it spans."""

    field: str = ""  # '' for a cell holding a fixed label (its text in header), in a fields block
    header: str = ""
    synonyms: tuple[str, ...] = ()
    span: int = Field(default=1, ge=1)
    style: str = ""  # the data cells' style in the render plan ('' = the kind's default)
    hint: str = ""  # the input hint of a template (a key of templates/template.yaml's hints)
    # Templates fill this column with formulas (a self-evaluation's 得分): a formula no program has
    # calculated yet reads as blank, without a finding (budgetxl computes the value itself).
    computed: bool = False

    def header_labels(self) -> tuple[str, ...]:
        return (self.header, *self.synonyms) if self.header else self.synonyms


class ParentLabel(_Data):
    """A label standing over several consecutive blocks in the first label column, each block's
    own label beside it in the next one (项目支出预算及测算依据 over 项目支出明细预算 and 测算依据及说明)."""

    label: str
    synonyms: tuple[str, ...] = ()

    def all_labels(self) -> tuple[str, ...]:
        return (self.label, *self.synonyms)


class _Block(_Data):
    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    # In a layout with two label columns: the label over this block and its neighbours of the same
    # parent, in the first label column (the block's own label stands in the second).
    parent: ParentLabel | None = None
    # The first physical column of the content (right of the label columns): set by the layout.
    first_col: int = 1
    optional: bool = False  # written only when the form has data for the block
    columns: tuple[Column, ...] = ()
    # The column map of another block, under that block's header row (the layout copies the
    # columns over when it is loaded).
    columns_from: str = ""
    unit: Literal["万元", "元"] = "万元"  # the unit the block's amounts are written in
    # The prompts a blank form prints in the block's cells (请在此处逐一针对…说明原因): a cell that
    # only repeats one says nothing (the checks take it as empty).
    prompts: tuple[str, ...] = ()

    def all_labels(self) -> tuple[str, ...]:
        return (self.label, *self.synonyms)

    def is_prompt(self, text: str) -> bool:
        """Whether `text` only repeats one of the block's printed prompts (spaces, full-width
        forms and a closing full stop aside)."""
        from budgetxl.text import normalize_label

        said = normalize_label(text).rstrip("。.")
        return bool(said) and any(said == normalize_label(p).rstrip("。.") for p in self.prompts)

    @property
    def column_map(self) -> tuple[Column, ...]:
        return self.columns

    @cached_property
    def positions(self) -> tuple[tuple[int, int], ...]:
        """(first, last) physical column of each column of the map (column A holds the labels)."""
        out = []
        col = self.first_col
        for c in self.columns:
            out.append((col, col + c.span - 1))
            col += c.span
        return tuple(out)

    @property
    def has_header(self) -> bool:
        """Whether the block writes a header row of its own."""
        return not self.columns_from and any(c.header for c in self.columns)

    def column(self, field: str) -> Column | None:
        return next((c for c in self.columns if c.field == field), None)

    def position(self, field: str) -> tuple[int, int] | None:
        return self._by_field.get(field)

    def needed_column(self, field: str) -> Column:
        """The column `field` that the block's kind cannot do without; a layout lacking it is refused."""
        column = self.column(field)
        if column is None:
            raise LayoutError(f"blocks.{self.key}: 版式的这一栏目缺少 field 为 {field} 的列")
        return column

    def needed_position(self, field: str) -> tuple[int, int]:
        """The position of the column `field` that the block's kind cannot do without."""
        pos = self.position(field)
        if pos is None:
            raise LayoutError(f"blocks.{self.key}: 版式的这一栏目缺少 field 为 {field} 的列")
        return pos

    @cached_property
    def _by_field(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for col, pos in zip(self.columns, self.positions):
            out.setdefault(col.field, pos)
        return out

    def header_texts(self) -> dict[str, str]:
        """Field → its header text."""
        return {c.field: c.header for c in self.column_map if c.header}


class ValueBlock(_Block):
    """A label and one value beside it (单位名称 | 某某局); the value may also be typed into the
    label's own cell ('单位名称：某某局')."""

    kind: Literal["value"]
    field: str


class FieldsBlock(_Block):
    """A row of several label/value pairs (项目名称 | … | 项目代码 | …): the block's label first, in
    the label column, then the column map's cells in order — a value cell names its model field,
    a label cell has no field and its text as header."""

    kind: Literal["fields"]


class InfoBlock(_Block):
    """基本信息: name/value pairs side by side (as many pairs a row as the column map has)."""

    kind: Literal["info"]
    field: Literal["basic_info"] = "basic_info"


class PairsBlock(_Block):
    """Two lists of amounts side by side (部门预算支出 | 收入来源), under a header row, with
    optional further sub-blocks each under a heading row of its own. `left` and `right` are the
    model's lists of budget lines (field paths such as budget.expenditures)."""

    kind: Literal["pairs"]
    left: str = "budget.expenditures"
    right: str = "budget.revenues"
    lines: dict[str, tuple[str, ...]] = Field(default_factory=dict)  # list path → the standard lines
    task_funds_line: str = ""
    sections: str = ""  # the model's list of further sub-blocks (budget.sections), if the layout has them
    totals: bool = False


class AmountGroup(_Data):
    field: str  # the list of lines (budget.revenues) whose columns the heading stands over
    heading: str = ""  # a header row above the group's line names (收入预算合计)
    synonyms: tuple[str, ...] = ()


class AmountRowBlock(_Block):
    """Line names as a header row over one row of amounts (资金总额 | 财政拨款 | 其他资金). A
    column whose field is a list of lines (budget.revenues) holds one line of it, its header the
    line's name; a column of field `<list>.total` holds that list's total (a formula). Optional
    groups put a heading row above the columns of each list."""

    kind: Literal["amount_row"]
    groups: tuple[AmountGroup, ...] = ()
    task_funds_line: str = ""


class TotalLine(_Data):
    label: str
    position: Literal["first", "last"] = "last"


class AmountListBlock(_Block):
    """A list of named amounts, one a row (name | amount), with an optional total line. `field`
    is the model's list of lines (budget.revenues)."""

    kind: Literal["amount_list"]
    field: str = "budget.revenues"
    lines: tuple[str, ...] = ()
    total: TotalLine | None = None
    detail_prefix: str = ""  # written before the first line after a first-position total (其中：)
    task_funds_line: str = ""
    # Main lines numbered as this says ('{n}.': 1.一般公共预算财政拨款收入, 2.…), the number not
    # part of the name; '' for none.
    numbered: str = ""
    # The mark of a detail line (其中：): lines the model marks `detail` are part of the main line
    # above them; the first of a run is written with the mark, the others indented under it.
    details: str = ""


class TextBlock(_Block):
    """One text beside its label, over the whole width (总体绩效目标)."""

    kind: Literal["text"]
    field: str


class NumberedBlock(_Block):
    """Numbered texts, one a row (职能1 | …, 职能2 | …)."""

    kind: Literal["numbered"]
    field: str
    number: str  # '职能{n}'

    def number_text(self, n: int) -> str:
        return self.number.replace("{n}", str(n))

    @property
    def number_pattern(self) -> re.Pattern[str]:
        head, _, tail = self.number.partition("{n}")
        return re.compile(re.escape(normalize_label(head)) + r"([0-9]+|[一二三四五六七八九十]+)"
                          + re.escape(normalize_label(tail)))


class TableBlock(_Block):
    """A row table: a header row, then any number of rows (the task blocks)."""

    kind: Literal["table"]
    field: str
    group: str = ""  # the model's `group` of the rows this block holds
    totals: bool = False
    required: bool = False  # a form in this layout must have at least one row here (BX108)


class IndicatorTotal(_Data):
    """A total row under the indicators (总分, 合计): its label, written in the first column, and
    the model field each of its amount cells holds (the column's field → a model path)."""

    label: str
    synonyms: tuple[str, ...] = ()
    fields: dict[str, str] = Field(default_factory=dict)

    def all_labels(self) -> tuple[str, ...]:
        return (self.label, *self.synonyms)


class IndicatorsBlock(_Block):
    """The indicator tree: 一级 and 二级 merged (or repeated) over their rows, 三级 and 指标值.
    `field` is the model's list of indicators (indicators; a project's period_indicators).

    `opens_with_header`: the block has no label cell of its own; its header row opens it, the
    header's first column standing in the label column (指标类型 | 指标名称 | …) and that column
    holding data (the 一级) below it. Its columns then cover the label column(s) too."""

    kind: Literal["indicators"]
    field: str = "indicators"
    opens_with_header: bool = False
    total: IndicatorTotal | None = None

    @cached_property
    def positions(self) -> tuple[tuple[int, int], ...]:
        out = []
        col = 0 if self.opens_with_header else self.first_col
        for c in self.columns:
            out.append((col, col + c.span - 1))
            col += c.span
        return tuple(out)


class IndicatorSet(_Data):
    """One of the indicator trees of an indicator_sets block: the model's list and its heading."""

    field: str
    heading: str
    synonyms: tuple[str, ...] = ()

    def all_labels(self) -> tuple[str, ...]:
        return (self.heading, *self.synonyms)


class IndicatorSetsBlock(_Block):
    """Indicator trees side by side (实施期绩效指标 | 年度绩效指标), each under a heading over its
    columns; the column map is one tree's, repeated for each set from left to right."""

    kind: Literal["indicator_sets"]
    sets: tuple[IndicatorSet, ...] = Field(min_length=2)
    # `positions` (the base's) are the first set's columns

    @property
    def set_width(self) -> int:
        return sum(c.span for c in self.columns)

    def set_positions(self, index: int) -> tuple[tuple[int, int], ...]:
        """(first, last) physical column of each column of the map in set `index`."""
        shift = index * self.set_width
        return tuple((a + shift, b + shift) for a, b in self.positions)


class TextsBlock(_Block):
    """Texts side by side under a header row (实施期目标 | 年度目标): each column of the map holds
    one text field of the model, its header above it."""

    kind: Literal["texts"]


Block = Annotated[
    ValueBlock | FieldsBlock | InfoBlock | PairsBlock | AmountRowBlock | AmountListBlock | TextBlock | NumberedBlock
    | TableBlock | IndicatorsBlock | IndicatorSetsBlock | TextsBlock,
    Field(discriminator="kind"),
]
BUDGET_KINDS = ("pairs", "amount_row", "amount_list")
# The columns a block kind cannot do without (the layout is refused when one is missing).
NEEDED_COLUMNS = {"amount_list": ("name", "amount"), "pairs": ("left.amount", "right.amount"),
                  "numbered": ("number", "text")}


# ---------------------------------------------------------------------------------------------
# The layout


class Layout(_Data):
    name: str
    kind: str = "department"  # the form kind (model.FORM_KINDS) the layout lays out
    profile: str = ""  # self-evaluations: the scoring profile (templates/profiles/) used when none is named
    description: str = ""
    sheet_name: str
    title: str
    subtitle: str = ""  # a second title row, such as '（{{ year }}年度）'
    # Written under a custom title that does not carry the year, so that the reader finds it.
    year_line: str = "（{{ year }}年度）"
    font: Font
    columns: tuple[float, ...]
    # Physical columns the block labels take (1: column A; 2: A and B, a parent label in A over the
    # labels of its blocks in B); the content starts right of them.
    label_columns: int = Field(default=1, ge=1, le=2)
    # Indent levels (three characters each) that keep right-aligned amounts off the cell border:
    # forms whose amount columns have the room say 1; narrow ones keep 0 (never ###).
    amount_indent: int = Field(default=0, ge=0, le=2)
    page: Page
    rows: Rows
    blocks: tuple[Block, ...]
    total_labels: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _columns_from(cls, data: Any) -> Any:
        """A block with `columns_from` gets that block's columns."""
        blocks = data.get("blocks") if isinstance(data, dict) else None
        if not isinstance(blocks, list):
            return data
        by_key = {b.get("key"): b for b in blocks if isinstance(b, dict)}
        first_col = data.get("label_columns", 1)
        out = []
        for block in blocks:
            if isinstance(block, dict) and isinstance(first_col, int):
                block = {**block, "first_col": first_col}
            source = by_key.get(block.get("columns_from")) if isinstance(block, dict) else None
            if isinstance(block, dict) and block.get("columns_from"):
                if source is None or block.get("columns"):
                    raise ValueError(f"blocks.{block.get('key')}.columns_from: 没有栏目“{block['columns_from']}”，"
                                     "或同时写了 columns")
                block = {**block, "columns": source.get("columns", [])}
            out.append(block)
        return {**data, "blocks": out}

    @model_validator(mode="after")
    def _check(self) -> Layout:
        from budgetxl.kinds import FORM_KINDS

        if self.kind not in FORM_KINDS:
            raise ValueError(f"kind: 不认识的表格种类“{self.kind}”（可选：{'、'.join(FORM_KINDS)}）")
        width = len(self.columns) - self.label_columns
        if width < 1:
            raise ValueError("columns: 至少需要两列（栏目名称一列，内容至少一列）")
        seen: set[str] = set()
        for block in self.blocks:
            if block.key in seen:
                raise ValueError(f"blocks: 栏目 key “{block.key}” 重复")
            seen.add(block.key)
            if block.parent is not None and self.label_columns < 2:
                raise ValueError(f"blocks.{block.key}.parent: 上级栏目名称需要两列栏目名称（label_columns: 2）")
            missing = [f for f in NEEDED_COLUMNS.get(block.kind, ()) if block.column(f) is None]
            if missing:
                raise ValueError(f"blocks.{block.key}: {block.kind} 栏目缺少 field 为 {'、'.join(missing)} 的列")
            spans = sum(c.span for c in block.columns)
            if block.kind == "indicator_sets":
                spans *= len(block.sets)
            opens = getattr(block, "opens_with_header", False)
            expected = width + block.first_col if opens else width
            if block.columns and spans != expected:
                raise ValueError(f"blocks.{block.key}: 各列跨度之和为 {spans}，应等于内容列数 {expected}")
            if opens and (not block.columns
                          or normalize_label(block.columns[0].header) != normalize_label(block.label)):
                raise ValueError(f"blocks.{block.key}: 由表头开始的栏目，label 应与第一列的表头相同")
            texts = [block.label, *(c.header for c in block.columns if not block.columns_from)]
            stated = {u for u in map(stated_unit, texts) if u is not None}
            if stated - {block.unit}:
                raise ValueError(f"blocks.{block.key}: 标签或表头写的金额单位是{'、'.join(sorted(stated))}，"
                                 f"但 unit 为 {block.unit}；读取时以表中写明的单位为准，请改为一致")
        return self

    @cached_property
    def _by_key(self) -> dict[str, Any]:
        return {b.key: b for b in self.blocks}

    @cached_property
    def _labels(self) -> dict[str, Any]:
        labels: dict[str, Any] = {}
        for block in self.blocks:
            for label in block.all_labels():
                labels.setdefault(normalize_label(label), block)
        for block in self.blocks:  # a label stating a unit also without it: 部门预算安排资金（元）
            for label in block.all_labels():
                labels.setdefault(without_unit(normalize_label(label)), block)
        return labels

    @cached_property
    def _parents(self) -> dict[str, Any]:
        """Normalised parent label → the first block under it."""
        out: dict[str, Any] = {}
        for block in self.blocks:
            if block.parent is not None:
                for label in block.parent.all_labels():
                    out.setdefault(normalize_label(label), block)
        return out

    @cached_property
    def _totals(self) -> frozenset[str]:
        return frozenset(normalize_label(t) for t in self.total_labels)

    # -- blocks ----------------------------------------------------------------------------------

    def block(self, key: str) -> Any:
        """The block called `key`, None if the layout has none."""
        return self._by_key.get(key)

    def blocks_of(self, kind: str) -> list[Any]:
        return [b for b in self.blocks if b.kind == kind]

    def first_of(self, *kinds: str) -> Any:
        return next((b for b in self.blocks if b.kind in kinds), None)

    def block_for_label(self, text: object) -> Any:
        """The block whose label (or synonym) `text` is, None if none. A unit the text states
        does not matter: 年度部门整体支出预算（元） is the block labelled …（万元）."""
        return self.block_for_normalized(normalize_label(text))

    def block_for_normalized(self, norm: str) -> Any:
        """block_for_label of a text already normalised (normalize_label)."""
        found = self._labels.get(norm)
        if found is None and ")" in norm:
            found = self._labels.get(without_unit(norm))
        return found

    def block_for_parent_label(self, text: object) -> Any:
        """The first block under the parent label (or synonym) `text`, None if none."""
        return self._parents.get(normalize_label(text)) if self._parents else None

    @property
    def parent_labels(self) -> dict[str, Any]:
        """Normalised parent label → the first block under it (block_for_parent_label's table)."""
        return self._parents

    def label_keys(self) -> set[str]:
        """Every normalised text block_for_normalized or block_for_parent_label answers."""
        return set(self._labels) | set(self._parents)

    @property
    def first_col(self) -> int:
        """The first physical column of the content, right of the label columns."""
        return self.label_columns

    @property
    def unit_block(self) -> ValueBlock | None:
        return next((b for b in self.blocks if b.kind == "value" and b.field == "unit_name"), None)

    @property
    def budget_block(self) -> PairsBlock | AmountRowBlock | AmountListBlock | None:
        block: PairsBlock | AmountRowBlock | AmountListBlock | None = self.first_of(*BUDGET_KINDS)
        return block

    @property
    def indicators_block(self) -> IndicatorsBlock | IndicatorSetsBlock | None:
        block: IndicatorsBlock | IndicatorSetsBlock | None = self.first_of("indicators", "indicator_sets")
        return block

    def task_block(self, group: str) -> TableBlock | None:
        return next((b for b in self.blocks if b.kind == "table" and b.field == "tasks" and b.group == group), None)

    def budget_lines(self) -> dict[str, tuple[str, ...]]:
        """The standard lines of each list of budget lines the layout holds, by the list's field
        path (budget.expenditures → 基本支出, 项目支出): what templates pre-print."""
        out: dict[str, tuple[str, ...]] = {}
        for b in self.blocks:
            if b.kind == "pairs":
                for path in (b.left, b.right):
                    out[path] = tuple(b.lines.get(path, ()))
            elif b.kind == "amount_list":
                out[b.field] = b.lines
            elif b.kind == "amount_row":
                for col in b.column_map:
                    if not col.field.endswith(".total"):
                        out[col.field] = out.get(col.field, ()) + (col.header,)
        return out

    @property
    def sides(self) -> tuple[str, ...]:
        """The sides of a department budget the layout has (both for a balanced budget)."""
        lines = self.budget_lines()
        return tuple(s for s in SIDES if f"budget.{s}" in lines)

    @property
    def task_funds_line(self) -> str:
        b = self.budget_block
        return b.task_funds_line if b is not None else ""

    def side_label(self, side: str) -> str:
        """What the layout calls a list of budget lines (部门预算支出, 收入来源, 收入预算合计…);
        `side` is a field path or a side of the department budget (expenditures, revenues)."""
        path = f"budget.{side}" if side in SIDES else side
        b = next((b for b in self.blocks if b.kind in BUDGET_KINDS and path in _paths_of(b)), None)
        if b is None:
            return ""
        if b.kind == "pairs":
            column = b.column("left.name" if b.left == path else "right.name")
            return column.header if column is not None and column.header else b.label
        if b.kind == "amount_row":
            group = next((g for g in b.groups if g.field == path), None)
            return group.heading if group is not None and group.heading else b.label
        return b.label

    def headers_of(self, field: str) -> dict[str, str]:
        """Column field → header text of the first block filling the model field `field`
        ('tasks', 'indicators'); {} when the layout has no such block."""
        for b in self.blocks:
            if getattr(b, "field", None) == field and b.column_map:
                return b.header_texts()
        return {}

    def label_of(self, key: str, default: str = "") -> str:
        b = self.block(key)
        return b.label if b is not None else default

    # -- text --------------------------------------------------------------------------------------

    def is_total_label(self, text: object) -> bool:
        norm = normalize_label(text)
        return bool(norm) and norm in self._totals

    @property
    def total_label(self) -> str:
        return self.total_labels[0] if self.total_labels else "合计"

    def render_title(self, year: int | None) -> str:
        return _render_title(self.title, year)

    def render_subtitle(self, year: int | None) -> str:
        return _render_title(self.subtitle, year) if self.subtitle else ""

    def render_year_line(self, year: int | None) -> str:
        return _render_title(self.year_line, year) if year is not None else ""

    @property
    def ncols(self) -> int:
        return len(self.columns)


def _paths_of(block: Any) -> tuple[str, ...]:
    """The lists of budget lines a budget block holds."""
    if block.kind == "pairs":
        return (block.left, block.right)
    if block.kind == "amount_list":
        return (block.field,)
    return tuple(dict.fromkeys(c.field for c in block.column_map if not c.field.endswith(".total")))


# A title that only places the year ({{ year }}) is filled in directly; anything else in braces
# is a template for jinja2 (imported then, not for every render).
_YEAR_ONLY = re.compile(r"\{\{\s*year\s*\}\}")


@lru_cache(maxsize=256)  # a batch renders the same few years over and over
def _render_title(source: str, year: int | None) -> str:
    shown = "" if year is None else year
    if "{" not in _YEAR_ONLY.sub("", source) and "\r" not in source:
        return _YEAR_ONLY.sub(str(shown), source).strip()
    return str(_title_template(source).render(year=shown)).strip()


@lru_cache(maxsize=64)
def _title_template(source: str) -> Any:
    import jinja2

    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False).from_string(source)


# ---------------------------------------------------------------------------------------------
# Loading


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _merge_blocks(base: Any, over: Any, name: str) -> Any:
    """A child layout's `blocks`: a list replaces the parent's; a mapping of key → fields changes
    those blocks of the parent's list and keeps the others in place."""
    if not isinstance(over, dict):
        return over
    if not isinstance(base, list):
        raise LayoutError(f"版式 {name}: blocks 按 key 修改时，上级版式的 blocks 应为列表")
    out = []
    seen = set()
    for block in base:
        key = block.get("key") if isinstance(block, dict) else None
        if key in over:
            seen.add(key)
            change = over[key]
            out.append(_deep_merge(block, change) if isinstance(change, dict) else change)
        else:
            out.append(block)
    unknown = [k for k in over if k not in seen]
    if unknown:
        raise LayoutError(f"版式 {name}: 上级版式没有栏目 {', '.join(unknown)}")
    return [b for b in out if b is not None]


def _raw_layout(name: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    if name in seen:
        raise LayoutError(f"版式 {name}: extends 形成循环（{' → '.join(seen + (name,))}）")
    path = templates_dir() / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(available_layouts()) or "无"
        raise LayoutError(f"找不到版式“{name}”（{path}）；可用的版式：{known}")
    data = read_data_file(path, "版式文件")
    if not isinstance(data, dict):
        raise LayoutError(f"{path}: 版式文件应为一组字段")
    parent = data.pop("extends", None)
    if parent:
        base = _raw_layout(parent, seen + (name,))
        blocks = _merge_blocks(base.get("blocks"), data.pop("blocks", base.get("blocks")), name)
        data = _deep_merge(base, data)
        data["blocks"] = blocks
    return cast("dict[str, Any]", data)  # a mapping read from YAML: its keys are the layout's field names


def layout_from_data(data: dict[str, Any], source: str = "<data>") -> Layout:
    """A Layout from its parsed YAML (extends already resolved); LayoutError names each problem."""
    try:
        return Layout.model_validate(data)
    except ValidationError as exc:
        details = [_problem_text(e) for e in exc.errors()]
        raise LayoutError(f"版式 {source} 有误", details=details) from None


def _problem_text(error: Any) -> str:
    """One validation problem of a layout file, worded for its author: where, then what (a
    check of the whole layout names its place itself, without pydantic's 'Value error, ')."""
    where = ".".join(str(p) for p in error["loc"])
    what = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {what}" if where else what


@lru_cache(maxsize=None)
def load_layout(name: str | None = None) -> Layout:
    """The layout called `name` (templates/NAME.yaml), resolved through `extends`."""
    name = name or DEFAULT_LAYOUT
    return layout_from_data(_raw_layout(name), f"{name}（{templates_dir() / (name + '.yaml')}）")


def available_layouts() -> list[str]:
    folder = templates_dir()
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_SAFE_LOADER)  # noqa: S506 - a safe loader
        except yaml.YAMLError:
            continue
        if isinstance(data, dict) and ("blocks" in data or "extends" in data) and data.get("name") == path.stem:
            out.append(path.stem)
    return out


@lru_cache(maxsize=None)
def all_layouts() -> tuple[Layout, ...]:
    """Every layout, the default first."""
    names = available_layouts()
    names.sort(key=lambda n: n != DEFAULT_LAYOUT)
    return tuple(load_layout(n) for n in names)


@lru_cache(maxsize=None)
def label_index() -> dict[str, tuple[str, ...]]:
    """Normalised block label → block keys, across every layout."""
    index: dict[str, list[str]] = {}
    for layout in all_layouts():
        for block in layout.blocks:
            parents = block.parent.all_labels() if block.parent is not None else ()
            for label in (*block.all_labels(), *parents):
                keys = index.setdefault(normalize_label(label), [])
                if block.key not in keys:
                    keys.append(block.key)
    return {k: tuple(v) for k, v in index.items()}


_ONCE: dict[tuple[int, str], tuple[Any, Any]] = {}
_T = TypeVar("_T")


def once(obj: Any, what: str, make: Callable[[], _T]) -> _T:
    """A fact about a layout or its block, found once per process (layouts are immutable); the
    object is kept with it, so that its id is never another object's. What `make` returns is
    shared: never changed by the caller, but for a memo of further facts about the same object
    (filled as they are asked for)."""
    known = _ONCE.get((id(obj), what))
    if known is None or known[0] is not obj:
        known = _ONCE[(id(obj), what)] = (obj, make())
    return cast("_T", known[1])

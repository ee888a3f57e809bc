"""What the block kinds share: the form's heading (title, subtitle, year), amounts in a block's
unit, the parts a reader collects, and the check that a form fits its layout."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, cast, get_args

from pydantic import BaseModel

from budgetxl.amount_units import without_unit
from budgetxl.errors import InputError
from budgetxl.model import canonical_decimal
from budgetxl.text import normalize_label

if TYPE_CHECKING:
    from budgetxl.layout import Layout
    from budgetxl.model import Form

_YEAR_RE = re.compile(r"((?:19|20|21)\d{2})\s*年")
_YEAR_CELL_RE = re.compile(r"^[（(]?\s*((?:19|20|21)\d{2})\s*年?度?\s*[)）]?$|^年度[:：]?\s*((?:19|20|21)\d{2})\s*年?$")

# 元 per unit of the model (万元)
_UNIT_SCALE = {"万元": 0, "元": 4}


def year_in_text(text: str) -> int | None:
    """The year a title states ('2024年市级…' → 2024), None if it states none."""
    m = _YEAR_RE.search(text)
    return int(m.group(1)) if m else None


def year_cell(text: str) -> int | None:
    """A cell that gives only a year: '（2024年度）', '2024年度', '年度：2024', '2024年'."""
    m = _YEAR_CELL_RE.match(text.strip())
    if not m:
        return None
    return int(m.group(1) or m.group(2))


def heading(form: Form, layout: Layout) -> tuple[str, str, str]:
    """(title, the field the title shows, subtitle) of a form in a layout. A custom title that
    does not state the year gets the layout's year line under it, so the year reads back; a
    custom title stating another year than the form's is refused."""
    custom = form.title is not None
    title = form.title if form.title is not None else layout.render_title(form.year)
    subtitle = layout.render_subtitle(form.year)
    stated = year_in_text(title)
    if stated is None and subtitle:
        stated = year_in_text(subtitle) or year_cell(subtitle)
    if custom and stated is not None and stated != form.year:
        shown = "年度为空" if form.year is None else f"年度为 {form.year}"
        raise InputError(f"title: 标题写的是 {stated} 年，但{shown}；请改正标题或年度")
    if form.year is not None and stated is None:
        subtitle = subtitle or layout.render_year_line(form.year)
    return title, "title" if custom else "year", subtitle


def header_key(text: object) -> str:
    """A column header as matched: normalised, without the unit it states ('预算金额（元）' and
    '预算金额（万元）' are the same column; the reader takes the unit from it: SheetReader.unit_for)."""
    return without_unit(normalize_label(text))


def to_sheet(amount: Decimal | None, unit: str) -> Decimal | None:
    """An amount in 万元 as a block in `unit` writes it (exactly)."""
    if amount is None or not _UNIT_SCALE[unit]:
        return amount
    return canonical_decimal(amount.scaleb(_UNIT_SCALE[unit]))


def sheet_problem(amount: Decimal | None, unit: str, path: str) -> list[str]:
    """An amount that, in a block's unit other than 万元 (元: ten thousand times the number), is too
    large for a spreadsheet to keep exactly: the writer refuses it, naming the field."""
    from budgetxl.model import MAX_AMOUNT_DIGITS, amount_problem, format_amount

    if amount is None or not _UNIT_SCALE[unit]:
        return []
    shown = to_sheet(amount, unit)
    if amount_problem(shown) is None:  # type: ignore[arg-type]
        return []
    return [f"{path}: {format_amount(amount)} 万元写成{unit}是 {format_amount(shown)}，"  # type: ignore[arg-type]
            f"超过电子表格能精确保存的 {MAX_AMOUNT_DIGITS} 位数字，读回会不一样；请核对金额"]


def from_sheet(amount: Decimal | None, unit: str) -> Decimal | None:
    """An amount read in `unit` as 万元 (exactly)."""
    if amount is None or not _UNIT_SCALE[unit]:
        return amount
    return canonical_decimal(amount.scaleb(-_UNIT_SCALE[unit]))


class Span(NamedTuple):
    """A block's rows on a sheet being read: from its label's row to the row before the next
    block's label; `data_col` is the first column right of the label column(s)."""

    label_row: int
    label_col: int
    data_col: int
    rows: range
    inline: str = ""  # a value typed into the label's own cell ('单位名称：某某局')


@dataclass
class Parts:
    """What the reader collects for the form, block by block, by model field path: single values
    (unit_name, overall_goal) and lists (budget.revenues, tasks, indicators, notes…)."""

    values: dict[str, Any] = field(default_factory=dict)
    lists: defaultdict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))


def get_path(obj: Any, path: str) -> Any:
    """The value at a field path of a model: get_path(form, 'budget.revenues')."""
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def item_model(model: type[BaseModel], path: str) -> type[BaseModel]:
    """The model of the items of the list at `path` (Form, 'tasks' → Task)."""
    *parents, last = path.split(".")
    for part in parents:
        model = model.model_fields[part].annotation  # type: ignore[assignment]
    args = get_args(model.model_fields[last].annotation)
    return cast("type[BaseModel]", args[0])  # a list field's annotation: list[Item] or tuple[Item, ...]


def form_model(layout: Any) -> type[BaseModel]:
    """The model of the form kind the layout lays out."""
    from budgetxl.kinds import FORM_KINDS

    return FORM_KINDS[layout.kind].model


def assemble(model: type[BaseModel], parts: Parts, prefix: str = "", **given: Any) -> Any:
    """A model (and the models it holds) from the parts read: each field from the value or list
    read at its path, nested models assembled the same way, `given` fields as given."""
    data: dict[str, Any] = dict(given)
    for name, info in model.model_fields.items():
        if name in data:
            continue
        path = prefix + name
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            data[name] = assemble(annotation, parts, path + ".")
        elif path in parts.lists:
            data[name] = tuple(parts.lists[path])
        elif path in parts.values:
            data[name] = parts.values[path]
        elif info.is_required() and annotation is str:
            data[name] = ""  # a text the sheet does not show: blank, for the checks to report
    return model(**data)

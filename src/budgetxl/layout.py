"""Form layouts as data: templates/*.yaml, read by the writer, the template maker and the reader.

A layout declares the blocks of the form (their labels, synonyms, header rows and which model
field each column holds), the column widths, fonts, page set-up and the title as a Jinja2 string.
Nothing about the form's wording or geometry is written in Python.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from budgetxl.errors import LayoutError
from budgetxl.model import YAML_SAFE_LOADER
from budgetxl.resources import templates_dir
from budgetxl.text import normalize_label

DEFAULT_LAYOUT = "guangdong"


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


class Block(_Data):
    label: str
    synonyms: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    header_synonyms: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    fields: tuple[str, ...] = ()
    # budget only
    expenditures: tuple[str, ...] = ()
    revenues: tuple[str, ...] = ()
    amount_header: str = ""

    def all_labels(self) -> tuple[str, ...]:
        return (self.label, *self.synonyms)

    def header_labels(self, heading: str) -> tuple[str, ...]:
        return (heading, *self.header_synonyms.get(heading, ()))


class Blocks(_Data):
    unit: Block
    basic_info: Block
    budget: Block
    overall_goal: Block
    tasks_key: Block
    tasks_other: Block
    indicators: Block


class Layout(_Data):
    name: str
    description: str = ""
    sheet_name: str
    title: str
    font: Font
    columns: tuple[float, ...]
    page: Page
    rows: Rows
    blocks: Blocks
    total_labels: tuple[str, ...] = ()

    def is_total_label(self, text: object) -> bool:
        norm = normalize_label(text)
        return bool(norm) and norm in _normalized(self.total_labels)

    def render_title(self, year: int | None) -> str:
        return _render_title(self.title, year)

    @property
    def ncols(self) -> int:
        return len(self.columns)


@lru_cache(maxsize=64)  # asked for every row a reader looks at
def _normalized(labels: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalize_label(t) for t in labels)


@lru_cache(maxsize=256)  # a batch renders the same few years over and over
def _render_title(source: str, year: int | None) -> str:
    return _title_template(source).render(year="" if year is None else year).strip()


@lru_cache(maxsize=64)
def _title_template(source: str) -> jinja2.Template:
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False).from_string(source)


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def read_data_file(path: Path, what: str) -> Any:
    """A YAML data file of templates/ (a layout, the frameworks, the template texts); a missing or
    malformed one is one LayoutError naming the file and `what` it is."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_SAFE_LOADER)  # noqa: S506 - a safe loader
    except OSError as exc:
        raise LayoutError(f"{path}: 无法读取{what}（{exc.strerror}）") from None
    except yaml.YAMLError as exc:
        raise LayoutError(f"{path}: {what}格式错误：{exc}") from None


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
        data = _deep_merge(_raw_layout(parent, seen + (name,)), data)
    return data


@lru_cache(maxsize=None)
def load_layout(name: str | None = None) -> Layout:
    """The layout called `name` (templates/NAME.yaml), resolved through `extends`."""
    name = name or DEFAULT_LAYOUT
    data = _raw_layout(name)
    try:
        return Layout.model_validate(data)
    except ValidationError as exc:
        raise LayoutError(f"版式 {name} 有误", details=[str(e) for e in exc.errors()]) from None


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
        if isinstance(data, dict) and "blocks" in data and data.get("name") == path.stem:
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
    """Normalised label → block keys, across every layout: what the reader looks for."""
    index: dict[str, list[str]] = {}
    for layout in all_layouts():
        for key, block in layout.blocks:
            for label in block.all_labels():
                keys = index.setdefault(normalize_label(label), [])
                if key not in keys:
                    keys.append(key)
    return {k: tuple(v) for k, v in index.items()}

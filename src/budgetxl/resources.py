"""Where budgetxl's data files are: the layouts, frameworks and texts of templates/, and the
bundled example form.

Every reader of these files asks here, and one rule decides which copy it gets:

1. ``$BUDGETXL_TEMPLATES``, when set, is the templates folder;
2. else, run from a source checkout (this package in ``<checkout>/src/budgetxl`` with a
   ``<checkout>/templates`` folder beside ``src``), the checkout's ``templates/``, so that editing a
   layout needs no reinstall;
3. else the copy installed with the package (``budgetxl/templates`` in the wheel).

The bundled example follows 2 and 3: ``<checkout>/inputs/fengyang-2023.yaml``, else the installed
``budgetxl/inputs/fengyang-2023.yaml``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from budgetxl.errors import LayoutError

TEMPLATES_ENV = "BUDGETXL_TEMPLATES"
TEMPLATES = "templates"
INPUTS = "inputs"
EXAMPLE_NAME = "fengyang-2023.yaml"


@lru_cache(maxsize=1)
def source_checkout() -> Path | None:
    """The checkout this package runs from (the folder holding ``src/`` and ``templates/``), or
    None when it runs installed."""
    package = Path(__file__).resolve().parent
    src = package.parent
    if src.name != "src":
        return None
    root = src.parent
    return root if (root / TEMPLATES).is_dir() else None


@lru_cache(maxsize=1)
def installed_data() -> Path:
    """The data folder installed with the package (``budgetxl/`` holding ``templates/`` and
    ``inputs/``); it must be files on disk, as pip installs them."""
    folder = resources.files("budgetxl")
    if not isinstance(folder, Path):
        raise LayoutError(f"budgetxl 的数据文件不在磁盘上（{folder}）：请用 pip 安装 budgetxl，不要从压缩包导入")
    return folder


def templates_dir() -> Path:
    """The templates folder in force: $BUDGETXL_TEMPLATES, else the checkout's, else the installed one."""
    env = os.environ.get(TEMPLATES_ENV)
    if env:
        return Path(env)
    root = source_checkout()
    if root is not None:
        return root / TEMPLATES
    return installed_data() / TEMPLATES


def example_input() -> Path:
    """The bundled example form (the 2023 table of 广州市海珠区凤阳街道)."""
    root = source_checkout()
    if root is not None:
        return root / INPUTS / EXAMPLE_NAME
    return installed_data() / INPUTS / EXAMPLE_NAME

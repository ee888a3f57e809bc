"""Rewrite the golden workbooks after an intended change of budgetxl's output.

    python tests/golden/regenerate.py                    # every golden workbook
    python tests/golden/regenerate.py annotated.xlsx     # only the ones named

Each is made as tests/golden_builders.py says (the same code the golden test runs), in a temporary
folder, and copied here when one of its parts differs from the reviewed copy (compared as the test
compares them, so a copy whose XML is the same is left as it is). Then look at
`git diff --stat tests/golden` and say in the commit why the output changed.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from golden_builders import GOLDEN, build, xml_parts  # noqa: E402 - tests/ on the path first


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in GOLDEN]
    if unknown:
        print(f"unknown golden workbook(s): {', '.join(unknown)}; known: {', '.join(GOLDEN)}", file=sys.stderr)
        return 2
    for name in names or list(GOLDEN):
        target = HERE / name
        with tempfile.TemporaryDirectory() as tmp:
            made = build(name, Path(tmp))
            if target.is_file() and xml_parts(made) == xml_parts(target):
                print(f"{target} (unchanged)")
                continue
            shutil.copyfile(made, target)
        print(f"{target} (rewritten)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

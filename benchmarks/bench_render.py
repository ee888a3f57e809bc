"""Render the bundled seed many times with budgetxl, and in the same run a bare xlsxwriter script
writing the same cells, merges, formats, widths, heights and page set-up. Prints the ratio.

    python benchmarks/bench_render.py [--repeat N]

Goal (issue 2): budgetxl ≤ 1.3× the bare script. budgetxl's time includes loading nothing but
planning the sheet (row heights from the text), paginating and writing it; the bare script gets
every value, merge, height and page break precomputed and writes the byte-identical workbook
(checked at the end). Each call of either side writes a file of its own.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from budgetxl.examples import EXAMPLE_INPUT
from budgetxl.model import load_form
from budgetxl.render import plan_form, render_form
from budgetxl.render.pages import paginate
from budgetxl.text import wrap_count

from _baseline import bare_form_script
from _timing import compare, fresh_paths


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    form = load_form(EXAMPLE_INPUT)
    with tempfile.TemporaryDirectory() as tmp:
        ours, theirs = fresh_paths(Path(tmp), "budgetxl"), fresh_paths(Path(tmp), "bare")
        written: dict[str, Path] = {}
        print(f"render the seed ({len(form.tasks)} tasks, {len(form.indicators)} indicators)")

        def budgetxl_cold() -> None:
            # every text measured afresh, as for a form never seen before (the line-count cache
            # would otherwise answer from the previous repeat of the same seed)
            wrap_count.cache_clear()
            written["budgetxl"] = render_form(form, ours())

        def bare_path() -> Path:
            written["bare"] = theirs()
            return written["bare"]

        bare = bare_form_script(paginate(plan_form(form)), bare_path)
        compare("budgetxl render_form (plan + write)", budgetxl_cold,
                "bare xlsxwriter, same cells", bare, repeat=args.repeat)
        same = written["budgetxl"].read_bytes() == written["bare"].read_bytes()
        print(f"the two workbooks are {'byte-identical' if same else 'DIFFERENT'}")


if __name__ == "__main__":
    main()

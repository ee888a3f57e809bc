"""What pagination and the PDF export cost.

    python benchmarks/bench_pages.py [--repeat N] [--pdf-runs N] [--no-pdf]

1. Rendering with pagination (render_form) against writing the unpaginated plan, for the seed and
   for a large form (60 tasks, 600 indicators): pagination should add little to a render.
2. `export_pdf` on the seed workbook against a bare `soffice --convert-to pdf` of the same file
   with a profile that already exists (the fastest LibreOffice can do): the price of a private
   profile per run and the font table. Without LibreOffice the benchmark says so and exits 2
   (--no-pdf times part 1 alone).

Every call writes a file of its own, so that no side pays for replacing an earlier one.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from budgetxl.errors import ToolMissingError
from budgetxl.examples import EXAMPLE_INPUT
from budgetxl.model import form_from_data, load_form
from budgetxl.pdf import export_pdf, find_soffice
from budgetxl.render import paginate, plan_form, render_form, write_plan

from _timing import compare, fresh_paths


def large_form():
    data = load_form(EXAMPLE_INPUT).to_data()
    data["tasks"] = [dict(t, name=f"{t['name']}{k}") for k in range(4) for t in data["tasks"]][:60]
    data["tasks"].sort(key=lambda t: t["group"] != "key")
    data["indicators"] = [dict(i, name=f"{i['name']}{k}") for k in range(11) for i in data["indicators"]][:600]
    data["indicators"].sort(key=lambda i: (i["level1"], i["level2"]))
    return form_from_data(data)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--pdf-runs", type=int, default=5)
    ap.add_argument("--no-pdf", action="store_true", help="leave the PDF part out (when LibreOffice is missing)")
    args = ap.parse_args()
    exe = None
    if not args.no_pdf:
        try:
            exe = find_soffice()
        except ToolMissingError as exc:
            print(f"error: {exc}; run with --no-pdf to time the rendering alone", file=sys.stderr)
            raise SystemExit(2) from None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for name, form in (("seed", load_form(EXAMPLE_INPUT)), ("large", large_form())):
            pages = len(paginate(plan_form(form)).pages)
            print(f"-- {name}: {len(form.tasks)} tasks, {len(form.indicators)} indicators, {pages} pages")
            paged, flat = fresh_paths(out, f"{name}-paged"), fresh_paths(out, f"{name}-flat")
            compare("render_form (paginated)", lambda form=form, paged=paged: render_form(form, paged()),
                    "write_plan(plan_form) (no pages)",
                    lambda form=form, flat=flat: write_plan(plan_form(form), flat()),
                    repeat=args.repeat, rounds=3)
        if exe is None:
            print("note: the PDF part is left out (--no-pdf)")
            return
        book = render_form(load_form(EXAMPLE_INPUT), out / "seed.xlsx")
        profile = out / "warm-profile"

        def bare(k: int) -> None:
            subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                            "--convert-to", "pdf", "--outdir", str(out / f"bare-{k}"), str(book)],
                           capture_output=True, check=True)

        def ours(k: int) -> None:
            export_pdf(book, out / f"ours-{k}.pdf")

        bare(-1)  # creates the warm profile once
        times: dict[str, list[float]] = {"ours": [], "bare": []}
        for k in range(args.pdf_runs):
            pair = [("ours", ours), ("bare", bare)]
            for side, run in pair if k % 2 == 0 else pair[::-1]:  # who goes first alternates
                t0 = time.perf_counter()
                run(k)
                times[side].append(time.perf_counter() - t0)
        a, b = statistics.median(times["ours"]), statistics.median(times["bare"])
        print(f"-- PDF of the seed workbook, {args.pdf_runs} runs each, in alternating pairs (wall time)")
        print(f"{'export_pdf (fresh profile, font table)':<42} {a * 1000:8.0f} ms (median)")
        print(f"{'bare soffice, warm profile':<42} {b * 1000:8.0f} ms (median)")
        print(f"{'ratio':<42} {a / b:8.2f}×")
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()

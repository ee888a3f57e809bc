"""What pagination and the PDF export cost.

    python benchmarks/bench_pages.py [--repeat N] [--pdf-runs N]

1. Rendering with pagination (render_form) against writing the unpaginated plan, for the seed and
   for a large form (60 tasks, 600 indicators): pagination should add little to a render.
2. `export_pdf` on the seed workbook against a bare `soffice --convert-to pdf` of the same file
   with a profile that already exists (the fastest LibreOffice can do): the price of a private
   profile per run and the font table.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from budgetxl.examples import EXAMPLE_INPUT
from budgetxl.model import form_from_data, load_form
from budgetxl.pdf import export_pdf, find_soffice
from budgetxl.render import paginate, plan_form, render_form, write_plan

from _timing import compare


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
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for name, form in (("seed", load_form(EXAMPLE_INPUT)), ("large", large_form())):
            pages = len(paginate(plan_form(form)).pages)
            print(f"-- {name}: {len(form.tasks)} tasks, {len(form.indicators)} indicators, {pages} pages")
            compare("render_form (paginated)", lambda: render_form(form, out / "a.xlsx"),
                    "write_plan(plan_form) (no pages)", lambda: write_plan(plan_form(form), out / "b.xlsx"),
                    repeat=args.repeat, rounds=3)
        try:
            exe = find_soffice()
        except Exception as exc:  # noqa: BLE001
            print(f"PDF part skipped: {exc}")
            return
        book = render_form(load_form(EXAMPLE_INPUT), out / "seed.xlsx")
        profile = out / "warm-profile"
        bare = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                "--convert-to", "pdf", "--outdir", str(out / "bare"), str(book)]
        subprocess.run(bare, capture_output=True, check=True)  # creates the warm profile once
        ours, base = [], []
        for _ in range(args.pdf_runs):
            t0 = time.perf_counter()
            export_pdf(book, out / "ours.pdf")
            ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            subprocess.run(bare, capture_output=True, check=True)
            base.append(time.perf_counter() - t0)
        a, b = statistics.median(ours), statistics.median(base)
        print(f"-- PDF of the seed workbook, {args.pdf_runs} runs each, interleaved (wall time)")
        print(f"{'export_pdf (fresh profile, font table)':<42} {a * 1000:8.0f} ms (median)")
        print(f"{'bare soffice, warm profile':<42} {b * 1000:8.0f} ms (median)")
        print(f"{'ratio':<42} {a / b:8.2f}×")
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()

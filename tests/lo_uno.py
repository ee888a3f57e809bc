"""Driving LibreOffice Calc through its own API (UNO), as a person's actions in it: open a
workbook, insert rows, type into cells, recalculate, save, open the saved file again, and ask
LibreOffice itself what it holds (merged ranges, validation formulas, the cells its validation
marks invalid, computed values).

LibreOffice's Python bridge (the `uno` module) lives in the Python that LibreOffice was built
with (the system Python on Debian, `program/python` in LibreOffice's own builds), not in the
test environment; so this file is both the test side (`run_uno`, which starts that Python on
this file with a list of steps) and the script it runs (`main`, which starts a headless soffice
with a fresh profile on a private socket, performs the steps and prints the results as JSON).

Steps (a list of one-key objects, run in order; rows and columns are 0-based, cells A1):
  {"open": path}                      load a workbook (hidden)
  {"insert_rows": [sheet, row, n]}    insert n rows above `row`, as Insert ▸ Rows does
  {"set": [sheet, {"B21": "text"}]}   type texts into cells (a number as a number)
  {"set_formula": [sheet, {"D15": "=SUM(D9:D14)"}]}  write formulas (English function names)
  {"unprotect": sheet}                take the sheet's protection off (no password)
  {"recalc": null}                    recalculate every formula (calculateAll)
  {"save": path}                      save as .xlsx (LibreOffice's Excel 2007-365 filter)
  {"close": null}                     close the document
  {"merges": [sheet, col, last_row]}  the vertically merged ranges of a column: [[r1, r2], …]
  {"validations": [sheet, col, r1, r2]}  each cell's validation: [type, formula1]
  {"invalid": sheet}                  the cells LibreOffice's validation marks invalid (Tools ▸
                                      Detective ▸ Mark Invalid Data): ["C20", …]
  {"values": [sheet, ["D15", …]]}     what the cells show: number or text
  {"formulas": [sheet, ["D15", …]]}   the cells' formulas
  {"protected": sheet}                whether the sheet is protected
The result is one entry per step (null for actions).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
CANDIDATES = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python", "/opt/libreoffice/program/python")


def uno_python() -> str | None:
    """A Python that can import LibreOffice's `uno` module, None if there is none."""
    seen = []
    for exe in (os.environ.get("BUDGETXL_UNO_PYTHON", ""), sys.executable, *CANDIDATES):
        if not exe or exe in seen or not Path(exe).exists():
            continue
        seen.append(exe)
        ok = subprocess.run([exe, "-c", "import uno"], capture_output=True, timeout=60).returncode == 0
        if ok:
            return exe
    return None


def run_uno(python: str, steps: list[dict[str, Any]], timeout: float = 240) -> list[Any]:
    """Run `steps` in a fresh headless LibreOffice; the results, one per step."""
    done = subprocess.run([python, str(HERE)], input=json.dumps(steps), capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"LibreOffice steps failed ({done.returncode}):\n{done.stderr[-4000:]}")
    result: list[Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ---------------------------------------------------------------------------------------------
# The script side (LibreOffice's Python)


def _connect(port: int) -> Any:
    import uno

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + 60
    while True:
        try:
            return resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _prop(name: str, value: Any) -> Any:
    from com.sun.star.beans import PropertyValue

    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _invalid_cells(sheet: Any) -> list[str]:
    """Cells that LibreOffice's detective circles as invalid (their centre inside the cell; a
    merged cell named by its top-left cell)."""
    sheet.showInvalid()
    page = sheet.DrawPage
    out = []
    used = sheet.createCursor()
    used.gotoEndOfUsedArea(False)
    last_row, last_col = used.RangeAddress.EndRow, used.RangeAddress.EndColumn
    for i in range(page.Count):
        shape = page.getByIndex(i)
        if "Ellipse" not in shape.ShapeType:
            continue
        x = shape.Position.X + shape.Size.Width / 2
        y = shape.Position.Y + shape.Size.Height / 2
        for r in range(last_row + 1):
            cell = sheet.getCellByPosition(0, r)
            if not cell.Position.Y <= y <= cell.Position.Y + cell.Size.Height:
                continue
            for c in range(last_col + 1):
                cell = sheet.getCellByPosition(c, r)
                if cell.Position.X <= x <= cell.Position.X + cell.Size.Width:
                    cursor = sheet.createCursorByRange(cell)  # a merged cell: its top-left cell
                    cursor.collapseToMergedArea()
                    top = sheet.getCellByPosition(cursor.RangeAddress.StartColumn, cursor.RangeAddress.StartRow)
                    out.append(top.AbsoluteName.split(".")[-1].replace("$", ""))
                    break
            break
    return sorted(out)


def main() -> None:  # pragma: no cover - runs in LibreOffice's Python
    import uno

    steps = json.loads(sys.stdin.read())
    work = Path(tempfile.mkdtemp(prefix="budgetxl-uno-"))
    port = _free_port()
    proc = subprocess.Popen(
        ["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--invisible",
         "--norestore", "--nologo", "--nodefault", f"--accept=socket,host=127.0.0.1,port={port};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    results: list[Any] = []
    doc = desktop = None
    try:
        ctx = _connect(port)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        for step in steps:
            (op, arg), = step.items()
            out: Any = None
            if op == "open":
                src = work / f"in-{len(results)}{Path(arg).suffix}"  # a copy: no lock file beside the original
                shutil.copy(arg, src)
                doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(str(src)), "_blank", 0,
                                                   (_prop("Hidden", True),))
                if doc is None:
                    raise RuntimeError(f"LibreOffice could not open {arg}")
            elif op == "insert_rows":
                s, row, n = arg
                doc.Sheets.getByIndex(s).Rows.insertByIndex(row, n)
            elif op == "set":
                s, cells = arg
                sheet = doc.Sheets.getByIndex(s)
                for ref, value in cells.items():
                    cell = sheet.getCellRangeByName(ref)
                    if isinstance(value, (int, float)):
                        cell.setValue(value)
                    else:
                        cell.setString(value)
            elif op == "set_formula":
                s, cells = arg
                sheet = doc.Sheets.getByIndex(s)
                for ref, formula in cells.items():
                    sheet.getCellRangeByName(ref).setFormula(formula)
            elif op == "unprotect":
                doc.Sheets.getByIndex(arg).unprotect("")
            elif op == "recalc":
                doc.calculateAll()
            elif op == "save":
                doc.storeToURL(uno.systemPathToFileUrl(str(Path(arg).resolve())),
                               (_prop("FilterName", "Calc MS Excel 2007 XML"),))
            elif op == "close":
                doc.dispose()
                doc = None
            elif op == "merges":
                s, col, last = arg
                sheet = doc.Sheets.getByIndex(s)
                found = set()
                for r in range(last + 1):
                    cur = sheet.createCursorByRange(sheet.getCellByPosition(col, r))
                    cur.collapseToMergedArea()
                    a = cur.getRangeAddress()
                    if a.EndRow != a.StartRow:
                        found.add((a.StartRow, a.EndRow))
                out = sorted(found)
            elif op == "validations":
                s, col, r1, r2 = arg
                sheet = doc.Sheets.getByIndex(s)
                out = []
                for r in range(r1, r2 + 1):
                    v = sheet.getCellByPosition(col, r).Validation
                    out.append([v.Type.value, v.getFormula1()])
            elif op == "invalid":
                out = _invalid_cells(doc.Sheets.getByIndex(arg))
            elif op == "values":
                s, refs = arg
                sheet = doc.Sheets.getByIndex(s)
                out = []
                for ref in refs:
                    cell = sheet.getCellRangeByName(ref)
                    kind = cell.getType().value
                    if kind == "EMPTY":
                        out.append(None)
                    elif kind == "TEXT" or (kind == "FORMULA" and cell.FormulaResultType2 == 2):  # 2: text
                        out.append(cell.getString())
                    else:
                        out.append(cell.getValue())
            elif op == "formulas":
                s, refs = arg
                sheet = doc.Sheets.getByIndex(s)
                out = [sheet.getCellRangeByName(ref).getFormula() for ref in refs]
            elif op == "protected":
                out = bool(doc.Sheets.getByIndex(arg).isProtected())
            else:
                raise ValueError(f"unknown step {op}")
            results.append(out)
    finally:
        # the bridge may already be gone (LibreOffice ended): closing is then nothing to do
        if doc is not None:
            with contextlib.suppress(Exception):
                doc.dispose()
        if desktop is not None:
            with contextlib.suppress(Exception):
                desktop.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()

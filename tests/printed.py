"""What a PDF printed by LibreOffice shows: its text in drawing order and the size its Chinese
text prints at (a CJK character is one em wide, so a word of n of them is n × its size)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([\u4e00-\u9fff]{2,})</word>')


def printed_text(pdf: Path) -> str:
    """The text in the order it was drawn (a cell's lines together), without any white space:
    a text cut off by a row too short for it is missing from it."""
    out = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


def printed_sizes(pdf: Path) -> list[float]:
    """Per page, the smallest size (pt) its Chinese words print at."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    sizes = []
    for page in out.split("<page ")[1:]:
        words = [(float(b) - float(a)) / len(w) for a, b, w in _WORD.findall(page)]
        sizes.append(min(words) if words else 0.0)
    return sizes

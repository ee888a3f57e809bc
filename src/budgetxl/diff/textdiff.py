"""Character-level differences of two texts, for showing a change inside a cell or a terminal.

`text_segments(old, new)` gives each side as runs of (text, kind): on the old side "same" and
"removed" runs, on the new side "same" and "added" runs. Chinese has no word boundaries, so the
unit is the character; a lone common character stranded between two changes is folded into the
change around it, which reads better than a confetti of one-character runs.

A number is never compared digit by digit: it is one unit (≥200元 → ≥190元 shows 200 removed
and 190 added, not 2[-0-]{+9+}0), so a changed figure reads as its old and new values.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Literal

Kind = Literal["same", "removed", "added"]
Segment = tuple[str, Kind]

MIN_KEPT = 2  # a common run shorter than this between two changes is shown as changed


# A number: digits (half- or full-width) with thousands separators and a decimal point inside.
_NUMBER_RE = re.compile(r"[0-9０-９]+(?:[.,．，][0-9０-９]+)*")


def _tokens(text: str) -> tuple[list[str], list[int]]:
    """`text` as units to compare (each number whole, every other character alone), and the
    offset where each unit starts (plus the end)."""
    tokens: list[str] = []
    starts: list[int] = []
    pos = 0
    for m in _NUMBER_RE.finditer(text):
        for k in range(pos, m.start()):
            tokens.append(text[k])
            starts.append(k)
        tokens.append(m.group())
        starts.append(m.start())
        pos = m.end()
    for k in range(pos, len(text)):
        tokens.append(text[k])
        starts.append(k)
    starts.append(len(text))
    return tokens, starts


def _opcodes(old: str, new: str) -> list[tuple[str, int, int, int, int]]:
    """Opcodes as SequenceMatcher gives them, in character offsets, over units (see `_tokens`)."""
    (a, at), (b, bt) = _tokens(old), _tokens(new)
    ops = [
        (tag, at[i1], at[i2], bt[j1], bt[j2])
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    ]
    out: list[tuple[str, int, int, int, int]] = []
    for k, op in enumerate(ops):
        tag, i1, i2, j1, j2 = op
        stranded = 0 < k < len(ops) - 1 and tag == "equal" and (i2 - i1) < MIN_KEPT
        if stranded:
            tag = "replace"
        if out and tag != "equal" and out[-1][0] != "equal":
            prev = out.pop()
            out.append(("replace", prev[1], i2, prev[3], j2))
        else:
            out.append((tag, i1, i2, j1, j2))
    return out


def _merge(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for text, kind in segments:
        if not text:
            continue
        if out and out[-1][1] == kind:
            out[-1] = (out[-1][0] + text, kind)
        else:
            out.append((text, kind))
    return out


def text_segments(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """(old side, new side) as runs; joining each side's texts gives back `old` and `new`."""
    old_side: list[Segment] = []
    new_side: list[Segment] = []
    for tag, i1, i2, j1, j2 in _opcodes(old, new):
        if tag == "equal":
            old_side.append((old[i1:i2], "same"))
            new_side.append((new[j1:j2], "same"))
        else:
            old_side.append((old[i1:i2], "removed"))
            new_side.append((new[j1:j2], "added"))
    return _merge(old_side), _merge(new_side)


def inline_segments(old: str, new: str) -> list[Segment]:
    """One sequence for both texts: common runs, then at each change the removed run followed by
    the added run (for a terminal, where there is one line rather than two cells)."""
    out: list[Segment] = []
    for tag, i1, i2, j1, j2 in _opcodes(old, new):
        if tag == "equal":
            out.append((old[i1:i2], "same"))
        else:
            out.append((old[i1:i2], "removed"))
            out.append((new[j1:j2], "added"))
    return [(t, k) for t, k in out if t]


def elide(segments: list[Segment], keep: int = 12) -> list[Segment]:
    """Shorten long common runs to their ends ('前十二个字…后十二个字'), keeping every change."""
    out: list[Segment] = []
    for k, (text, kind) in enumerate(segments):
        if kind == "same" and len(text) > 2 * keep + 1:
            head = text[:keep] if k > 0 else ""
            tail = text[-keep:] if k < len(segments) - 1 else ""
            text = f"{head}…{tail}"
        out.append((text, kind))
    return out

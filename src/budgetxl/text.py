"""Text helpers: normalising labels for matching, and measuring CJK/Latin text for row heights.

Measured facts this module rests on (see DESIGN.md §5):
- Excel's column width unit is the width of "0" in the workbook's Normal font plus 5 px padding:
  7 px for 宋体 10 pt (a 13 px em, digits half an em, as for Calibri 11), the Normal style of
  every workbook budgetxl writes (NORMAL_FONT_SIZE); a CJK glyph is one em wide (13.3 px at
  10 pt), Latin letters and digits about half.
- Excel with 宋体 needs about 1.3–1.35 em per line, LibreOffice with Noto CJK about 1.5 em: we
  estimate line breaks with Excel's narrower columns and give every line 1.5 em, so the text shows
  in Excel, WPS and LibreOffice alike.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from typing import Iterable

_SPACE_RE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")

# ---------------------------------------------------------------------------------------------
# Normalising


def normalize_label(text: object) -> str:
    """The form of a label used for matching: NFKC (full-width → half-width), no spaces or line
    breaks at all, trailing colons dropped. '其他需完成的任务 （可选填）' and '效\\n益\\n指\\n标' match
    '其他需完成的任务（可选填）' and '效益指标'."""
    if text is None:
        return ""
    if isinstance(text, str):
        return _normalize_str(text) if len(text) <= 64 else _normalize(text)
    return _normalize(str(text))


def _normalize(text: str) -> str:
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", text)).rstrip(":")


# Labels recur in every form of a batch (一级/二级 names, headers): remember the short ones.
_normalize_str = lru_cache(maxsize=16384)(_normalize)


# Control characters no workbook can store, and the word joiner that marks a text continued from
# the row above (a text too long for one row is spread over several: see split_to_rows).
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\u2060]")
CONTINUED = "\u2060"


def clean_text(value: str) -> str:
    """Text as a spreadsheet keeps it: Windows line breaks unified, no trailing spaces on a line,
    no blank lines or spaces around the whole (a leading full-width indent is kept), and no
    control characters that no workbook can store. Idempotent; the model and the reader share it."""
    return _clean_short(value) if len(value) <= 64 else _clean(value)


def _clean(value: str) -> str:
    if "\n" not in value and "\r" not in value and not _CONTROL_RE.search(value):
        return value.strip(" \t\xa0")  # one line, nothing to remove: the common case
    value = _CONTROL_RE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.rstrip(" \t\xa0") for line in value.split("\n")]
    return "\n".join(lines).strip(" \t\n\xa0")


# The reader cleans a cell's text and the model's validation cleans it again; names, headers and
# 一级/二级 recur in every form of a batch: remember the short ones.
_clean_short = lru_cache(maxsize=16384)(_clean)


# ---------------------------------------------------------------------------------------------
# Measuring

PX_PER_PT = 96 / 72
# The Normal style's size (its font is the form's, 宋体): a digit 7 px wide, the unit of
# column_px; Excel's default column of 8.43 such units is 64 px and a default row 18 px.
NORMAL_FONT_SIZE = 10
NORMAL_DIGIT_PX = 7
NORMAL_COLUMN_PX = 64
NORMAL_ROW_PX = 18
LINE_EM = 1.5  # line height per em that shows in Excel, WPS and LibreOffice alike
CELL_PADDING_PX = 6  # left + right inner margin Excel leaves in a cell
ROW_PADDING_PT = 4.0  # top + bottom breathing room


def column_px(width_chars: float) -> int:
    """Pixel width of a column of `width_chars` Excel character units (宋体 10: 7 px + 5)."""
    if width_chars <= 0:
        return 0
    return int(width_chars * NORMAL_DIGIT_PX + 5)


def column_chars(width_px: float) -> float:
    """Excel character units of a column `width_px` wide (the inverse of `column_px`)."""
    return max(0.0, (width_px - 5) / NORMAL_DIGIT_PX)


def text_px(text: str, size_pt: float) -> float:
    """Width in pixels of `text` on one line at `size_pt` (the widest line when it has breaks)."""
    em_px = size_pt * PX_PER_PT
    return max(sum(_W20[ch] for ch in line) for line in text.split("\n")) * em_px / 20


def fit_width(texts: Iterable[str], size_pt: float, minimum: float = 0.0, slack_chars: float = 1.0) -> float:
    """Column width (Excel character units, to a half unit) that shows the widest of `texts` on
    one line at `size_pt` with the cell's padding and `slack_chars` to spare: a number never
    turns into ### and a short heading never wraps."""
    widest = max((text_px(t, size_pt) for t in texts if t), default=0.0)
    if not widest:
        return minimum
    chars = column_chars(widest + CELL_PADDING_PX) + slack_chars
    return max(minimum, math.ceil(chars * 2) / 2)


def char_em(ch: str) -> float:
    """Width of one character in em: CJK and full-width forms one em, the rest about half."""
    if ch == "\t":
        return 2.0
    eaw = unicodedata.east_asian_width(ch)
    if eaw in ("W", "F", "A"):
        return 1.0
    if unicodedata.combining(ch):
        return 0.0
    if ch in "mwMW@%":
        return 0.85
    if ch in "il.,:;'|!":
        return 0.3
    return 0.55


class _Widths(dict[str, int]):
    """Each character's width in twentieths of an em (every width char_em gives is a whole number
    of them), remembered on first sight: integer sums are exact and C-level lookups fast."""

    def __missing__(self, ch: str) -> int:
        w = self[ch] = round(char_em(ch) * 20)
        return w


_W20 = _Widths()


def line_box(width_px: float, size_pt: float) -> tuple[float, float]:
    """One em in pixels at `size_pt`, and the pixels a line of a cell `width_px` wide holds (at
    least one glyph). A text of n characters with no line break or tab fits on one line when
    n × em ≤ that room, whatever its characters (none is wider than one em)."""
    em_px = size_pt * PX_PER_PT
    return em_px, max(width_px - CELL_PADDING_PX, em_px)


def line_room(em_px: float, avail: float) -> tuple[float, float, int]:
    """For a line of `avail` pixels at an em of `em_px` (see line_box), in twentieths of an em:
    its room (never less than one glyph), the room with the 0.01 px allowed for rounding, and the
    one-em characters an empty line takes (a text of n one-em characters and nothing else takes
    ceil(n / that) lines)."""
    cap = max(avail * 20 / em_px, 20.0)
    limit = cap + 0.2 / em_px
    return cap, limit, int(limit // 20)


@lru_cache(maxsize=8192)  # labels, headings and 一级/二级 texts recur in every form of a batch
def wrap_count(text: str, width_px: float, size_pt: float) -> int:
    """How many lines `text` takes in a cell `width_px` wide at `size_pt`, wrapping CJK anywhere
    and Latin words at spaces (a word longer than a line breaks inside).

    Greedy line filling, as Excel wraps, in twentieths of an em: a run of one-em characters is
    placed by arithmetic, a Latin word or any other character one at a time, so the Python work is
    per run and per word, not per character (one function: a form measures a hundred texts)."""
    if not text:
        return 1
    em_px, avail = line_box(width_px, size_pt)
    if len(text) * em_px <= avail and "\n" not in text and "\t" not in text:
        return 1  # no character is wider than one em: it fits without measuring
    cap, limit, per_line = line_room(em_px, avail)
    if WIDE_RUN_RE.fullmatch(text):  # one run of one-em characters (most Chinese texts): counted
        return -(-len(text) // per_line)
    total = 0
    for para in text.split("\n") if "\n" in text else (text,):
        lines, used = 1, 0.0
        for wide, word, char in _PIECES_RE.findall(para):
            if wide:
                n = len(wide)
                fit = int((limit - used) // 20)  # on the current line
                if fit >= n:
                    used += 20 * n
                    continue
                full, rest = divmod(n - fit, per_line)  # the rest fills new lines
                if rest:
                    lines += full + 1
                    used = 20 * rest
                else:
                    lines += full
                    used = 20 * per_line
                continue
            w = _W20[char] if char else (_W20[word] if len(word) == 1 else sum(map(_W20.__getitem__, word)))
            if used + w <= limit:
                used += w
            elif w > cap:  # a Latin word longer than a line: it breaks inside
                if used:
                    lines += 1
                full = math.ceil(w / cap)
                lines += full - 1
                used = w - (full - 1) * cap
            else:
                lines += 1
                used = w
        total += lines
    return total


# Characters all one em wide (CJK ideographs and punctuation, kana, hangul, full-width forms,
# “”‘’…—): a run of them wraps by counting. tests/test_text.py checks every character of the
# class against char_em.
WIDE_CLASS = (
    "\u2e80-\u2fdf\u3000-\u303e\u3040-\u30ff\u3100-\u312f\u3190-\u31ef\u3200-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff01-\uff60\uffe0-\uffe6\u2018\u2019\u201c\u201d\u2026\u2014"
)
# A paragraph as pieces: runs of one-em characters; runs of Latin letters, digits and ASCII
# punctuation (a word, a number such as 12.5%: no line break inside); any other single character.
# No one-em character is a Latin one, so each run is whole.
# A text made of one-em characters only.
WIDE_RUN_RE = re.compile(f"[{WIDE_CLASS}]+")
_PIECES_RE = re.compile(f"([{WIDE_CLASS}]+)|([!-~\u00a1-\u024f\u0370-\u052f\uff61-\uffdc]+)|(.)", re.S)


# Where a block label may break: before an opening bracket, after a closing one or after 的; and
# inside a run of Chinese characters between those, every two characters from its start — the
# form's labels are built of two-character words (年度/重点/工作/任务, 预算/整体/情况).
_LABEL_OPEN = "（(【〔《"
_LABEL_CLOSE = "）)】〕》"


def _label_breaks(text: str) -> list[tuple[int, bool]]:
    """Positions (0 < i < len) where `text` may break between words, in order, each with whether
    it is a sure boundary (a bracket or 的) rather than one counted in two-character words."""
    out: list[tuple[int, bool]] = []
    start = 0  # where the current run of two-character words began
    for i in range(1, len(text)):
        prev, ch = text[i - 1], text[i]
        if ch in _LABEL_OPEN or prev in _LABEL_CLOSE or prev == "的":
            out.append((i, True))
            start = i
        elif any(c in _LABEL_OPEN for c in text[start:i]):
            continue  # inside brackets: kept together with them
        elif ch.isascii() and prev.isascii():
            continue  # a Latin word or a number
        elif (i - start) % 2 == 0:
            out.append((i, False))
    return out


@lru_cache(maxsize=1024)
def break_label(text: str, width_px: float, size_pt: float) -> str:
    """A block label with line breaks placed between words, for a cell `width_px` wide: as few
    lines as the cell allows, as even as they can be (年度重点工作任务 → 年度重点 / 工作任务, not
    年度重点工 / 作任务), never one character alone on a line (预算整体情 / 况). Where the words
    are longer than a line it breaks between any characters outside brackets. A label that fits
    on one line or already holds a line break is returned as it is, as is one no choice of
    breaks fits (the spreadsheet then wraps it)."""
    if "\n" in text or len(text) < 2 or wrap_count(text, width_px, size_pt) == 1:
        return text
    found = _best_breaks(text, [(0, True), *_label_breaks(text), (len(text), True)], width_px, size_pt)
    if found is None:  # the words do not fit: break anywhere but inside a bracket's pair of marks
        loose = [(i, False) for i in range(1, len(text))
                 if text[i] not in _LABEL_CLOSE and text[i - 1] not in _LABEL_OPEN]
        found = _best_breaks(text, [(0, True), *loose, (len(text), True)], width_px, size_pt)
    if found is None:
        return text
    return "\n".join(text[a:b] for a, b in zip((0, *found[:-1]), found))


def _best_breaks(text: str, breaks: list[tuple[int, bool]], width_px: float, size_pt: float) -> tuple[int, ...] | None:
    """The line ends of `text` broken at some of `breaks` (position, sure): the fewest lines, then
    the surest breaks, then the most even lines; None when no choice fits every line."""
    cuts = [i for i, _ in breaks]

    def fits(a: int, b: int) -> bool:
        return b - a >= 2 and wrap_count(text[a:b], width_px, size_pt) == 1

    # best[j]: (lines, breaks counted in two-character words, widest line in px, line ends) for
    # text[:cuts[j]]: the fewest lines, then the surest breaks, then the most even lines.
    best: list[tuple[int, int, float, tuple[int, ...]] | None] = [None] * len(cuts)
    best[0] = (0, 0, 0.0, ())
    for j in range(1, len(cuts)):
        for i in range(j):
            prev = best[i]
            if prev is None or not fits(cuts[i], cuts[j]):
                continue
            weak = prev[1] + (0 if breaks[i][1] else 1)
            cand = (prev[0] + 1, weak, max(prev[2], text_px(text[cuts[i]:cuts[j]], size_pt)), (*prev[3], cuts[j]))
            here = best[j]
            if here is None or cand[:3] < here[:3]:
                best[j] = cand
    found = best[-1]
    return None if found is None else found[3]


def line_height_pt(size_pt: float) -> float:
    return size_pt * LINE_EM


def text_height_pt(text: str, width_px: float, size_pt: float) -> float:
    """Row height in points that shows every wrapped line of `text` in a cell `width_px` wide."""
    return wrap_count(text, width_px, size_pt) * line_height_pt(size_pt) + ROW_PADDING_PT


def split_to_rows(text: str, width_px: float, size_pt: float, max_pt: float) -> list[str]:
    """`text` cut into parts that each fit a row at most `max_pt` tall (a spreadsheet row cannot
    be taller than 409 pt, nor split over two printed pages). Parts end at line breaks where they
    can; a paragraph too long for one row is cut inside, and the part after the cut starts with
    CONTINUED (an invisible word joiner), so that joining the parts gives the text back: with a
    line break between parts, without one (and without the mark) after a cut."""
    per_row = max(int((max_pt - ROW_PADDING_PT) // line_height_pt(size_pt)), 1)
    if wrap_count(text, width_px, size_pt) <= per_row:
        return [text]
    parts: list[str] = []
    chunk: list[str] = []
    used = 0
    for para in text.split("\n"):
        lines = wrap_count(para, width_px, size_pt)
        if chunk and used + lines > per_row:
            parts.append("\n".join(chunk))
            chunk, used = [], 0
        if lines <= per_row:
            chunk.append(para)
            used += lines
            continue
        prefix = ""
        while wrap_count(para, width_px, size_pt) > per_row:
            lo, hi = 1, len(para)  # the longest head of the paragraph that fits one row
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if wrap_count(para[:mid], width_px, size_pt) <= per_row:
                    lo = mid
                else:
                    hi = mid - 1
            parts.append(prefix + para[:lo])
            para, prefix = para[lo:], CONTINUED
        chunk, used = [prefix + para], wrap_count(para, width_px, size_pt)
    if chunk:
        parts.append("\n".join(chunk))
    return parts


def join_rows(parts: list[str]) -> str:
    """The text split_to_rows cut: parts joined by line breaks, or directly after a cut."""
    out = ""
    for i, part in enumerate(parts):
        if part.startswith(CONTINUED):
            out += part[len(CONTINUED):]
        else:
            out += ("\n" if i else "") + part
    return out


# ---------------------------------------------------------------------------------------------
# Terminal lines: display width (a CJK character takes two columns) and wrapping that never
# splits a word or a number

# Characters a line must not start with (closing marks) or end with (opening marks).
_NO_LINE_START = set("，。、；：？！）」』”’》〉】〕…%％·,.;:?!)]}>")
_NO_LINE_END = set("（「『“‘《〈【〔([{<")
# A run that stays on one line: Latin letters, digits, ASCII punctuation (a word, a number such
# as -9,993.54, an option such as --annotate, a path), comparison signs (≥95%).
_ATOM_RE = re.compile(r"(\s+)|([!-~\u00a1-\u024f\u2190-\u22ff\uff0b\uff05]+)|(.)", re.S)


def display_width(text: str) -> int:
    """Terminal columns `text` takes: two for a wide (CJK, full-width) character, one otherwise."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 0 if unicodedata.combining(ch) else 1
               for ch in text)


def _atoms(paragraph: str) -> list[tuple[str, bool]]:
    """The paragraph as (atom, space before it): atoms are words, numbers and single CJK
    characters, with closing marks glued to the atom before and opening marks to the one after."""
    raw: list[tuple[str, bool]] = []
    space = False
    for blank, word, char in _ATOM_RE.findall(paragraph):
        if blank:
            space = True
            continue
        raw.append((word or char, space))
        space = False
    out: list[tuple[str, bool]] = []
    carry = ""  # opening marks waiting for the next atom
    carry_space = False
    for atom, space in raw:
        if carry:
            atom, space, carry = carry + atom, carry_space, ""
            if atom[-1] in _NO_LINE_END:  # several opening marks in a row
                carry, carry_space = atom, space
                continue
        elif atom in _NO_LINE_END or (len(atom) == 1 and atom in _NO_LINE_END):
            carry, carry_space = atom, space
            continue
        if out and not space and atom[0] in _NO_LINE_START:
            prev, prev_space = out.pop()
            out.append((prev + atom, prev_space))
        else:
            out.append((atom, space))
    if carry:
        out.append((carry, carry_space))
    return out


def _hard_split(atom: str, width: int) -> list[str]:
    pieces, line, used = [], "", 0
    for ch in atom:
        w = display_width(ch)
        if used + w > width and line:
            pieces.append(line)
            line, used = "", 0
        line += ch
        used += w
    if line:
        pieces.append(line)
    return pieces


def wrap_display(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` terminal columns: Chinese breaks between characters
    (never before a closing mark such as ，or ”, never after an opening one), Latin words and
    numbers only at spaces, and a word longer than a whole line is split only then. Line breaks
    in `text` are kept; spaces at a break are dropped."""
    width = max(1, width)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for atom, space in _atoms(paragraph):
            w = display_width(atom)
            gap = 1 if space and line else 0
            if used + gap + w <= width:
                line += " " * gap + atom
                used += gap + w
                continue
            if line:
                lines.append(line)
            line, used = "", 0
            if w > width:
                *full, atom = _hard_split(atom, width)
                lines.extend(full)
                w = display_width(atom)
            line, used = atom, w
        lines.append(line)
    return lines


def widest_word(text: str) -> int:
    """Display width of the longest piece of `text` that `wrap_display` keeps on one line."""
    return max((display_width(atom) for line in text.split("\n") for atom, _ in _atoms(line)), default=0)

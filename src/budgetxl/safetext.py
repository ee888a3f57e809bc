"""Text from outside made safe to show: on a terminal, in a workbook cell, in a CSV or web page.

File names and cell values come from outside. A terminal takes control characters as commands
(ESC [ … moves the cursor, rewrites earlier lines, sets the window title), and bidirectional
overrides reorder what is shown; a workbook's XML cannot hold most C0 control characters; and a
file name that is not valid UTF-8 (a GBK name unpacked from a zip made on Windows) reaches Python
as lone surrogates, which no UTF-8 output can encode at all.

- On a terminal every such character is shown as a JSON-style escape (`\\u001b`, `\\udcb1`), so
  that nothing acts on the terminal and a JSON document printed stays valid JSON.
- In a cell, a CSV field or a web page, a name that is valid GBK is shown decoded; whatever else
  cannot be shown becomes U+FFFD (�). Line breaks and tabs stay.
"""

from __future__ import annotations

import re

# C0 (but tab and line feed), DEL, C1, bidirectional marks and overrides, surrogates.
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# What a cell or a CSV field cannot hold or should not: C0 (but tab, line feed, carriage return),
# DEL, C1, bidirectional overrides, surrogates, the two non-characters XML refuses.
_CELL_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_SURROGATE_RUN = re.compile("[\udc80-\udcff]+")


def terminal_text(text: str) -> str:
    """`text` with every character a terminal would act on written as an escape."""
    if _TERMINAL_UNSAFE.search(text) is None:
        return text
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _decode_gbk(m: re.Match[str]) -> str:
    raw = bytes(ord(ch) - 0xDC00 for ch in m.group(0))
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return "\ufffd" * len(raw)


def cell_text(text: str) -> str:
    """`text` as a workbook cell, a CSV field or a web page can hold it (see the module's notes)."""
    if _CELL_UNSAFE.search(text) is None:
        return text
    text = _SURROGATE_RUN.sub(_decode_gbk, text)
    return _CELL_UNSAFE.sub("\ufffd", text)


def path_text(path: object) -> str:
    """A file path to show in a cell, a CSV field or a web page: no control characters, a GBK name
    decoded (line breaks in a name would split the path in two, so they go too)."""
    text = cell_text(str(path))
    if "\n" in text or "\r" in text or "\t" in text:
        text = text.replace("\r", "\ufffd").replace("\n", "\ufffd").replace("\t", "\ufffd")
    return text


def is_plain(text: str) -> bool:
    """True when `text` needs no change for a cell (the fast test before cell_text)."""
    return text.isprintable() or _CELL_UNSAFE.search(text) is None

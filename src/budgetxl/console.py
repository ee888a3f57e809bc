"""Terminal pieces shared by the commands' output: text that wraps by display width (a CJK
character takes two columns; Latin words and numbers never split), for rich tables."""

from __future__ import annotations

from typing import Iterator

from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.text import Text

from budgetxl.text import display_width, widest_word, wrap_display

MIN_COLUMN = 8  # a column of text never asks for less room than this, whatever its words


class Wrapped:
    """A text for a rich table cell, wrapped with `budgetxl.text.wrap_display`: Chinese breaks
    between characters (never before ，or ”), Latin words and numbers only at spaces."""

    def __init__(self, text: str, style: str = "") -> None:
        self.text = text
        self.style = style

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        lines = self.text.split("\n")
        widest = max(display_width(line) for line in lines)
        return Measurement(min(widest, max(widest_word(self.text), MIN_COLUMN)), widest).clamp(
            max_width=options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        for line in wrap_display(self.text, options.max_width):
            yield Text(line, style=self.style, no_wrap=True, overflow="ignore", end="\n")


__all__ = ["Wrapped"]

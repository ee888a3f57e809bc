"""The rich console the commands print through, and a stand-in that loads rich only when needed.

Most commands print a few plain lines (a file written, a message): those go straight to the
stream, exactly as rich would write them, and rich (about a tenth of a second to import) is
loaded only for what needs it — tables, styles, text with tabs or colon codes (rich would turn
`:name:` into an emoji and tabs into spaces)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Iterable

from budgetxl.safetext import terminal_text

if TYPE_CHECKING:
    from rich.console import Console
    from rich.segment import Segment


def _console_class() -> type[Console]:
    from rich.console import Console
    from rich.segment import Segment

    class SafeConsole(Console):
        """A console that shows text from outside (file names, cell values) without letting it act
        on the terminal: control characters, bidirectional overrides and undecodable bytes are
        written as escapes (budgetxl.safetext.terminal_text); the console's own styles and controls
        are kept."""

        def _render_buffer(self, buffer: Iterable[Segment]) -> str:
            return super()._render_buffer(
                seg if seg.control else Segment(terminal_text(seg.text), seg.style, seg.control) for seg in buffer
            )

    return SafeConsole


_CLASS: list[type[Console]] = []


def safe_console_class() -> type[Console]:
    if not _CLASS:
        _CLASS.append(_console_class())
    return _CLASS[0]


# The keyword arguments of a print that rich writes as the text itself and a line break (with
# soft wrapping on, nothing is wrapped or styled).
_PLAIN_KEYS = frozenset({"markup", "highlight", "soft_wrap"})


class LazyConsole:
    """Stands for a SafeConsole(**options), made on first use. A plain print — one string that
    needs no escape, no emoji code, no tab, with markup and highlighting off — is written to the
    stream directly, byte for byte what the console would write."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            self._console = safe_console_class()(**self._options)
        return self._console

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if self._console is None and len(objects) == 1 and self._plain(objects[0], kwargs):
            stream = sys.stderr if self._options.get("stderr") else sys.stdout
            stream.write(objects[0] + "\n")
            stream.flush()  # as rich does: lines on the two streams stay in order
            return
        self.console.print(*objects, **kwargs)

    @staticmethod
    def _plain(text: object, kwargs: dict[str, Any]) -> bool:
        return (
            type(text) is str
            and kwargs.keys() <= _PLAIN_KEYS
            and kwargs.get("markup") is False
            and kwargs.get("highlight") is False
            and kwargs.get("soft_wrap", True) is True
            and ":" not in text
            and "\t" not in text
            and "\r" not in text
            and terminal_text(text) is text
        )

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.console, name)

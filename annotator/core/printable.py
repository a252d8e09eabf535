"""Text that came from a file, made safe to print on a terminal.

A label, a title, a file name or an excerpt in an error can hold terminal escapes (clear the
screen, set the window title, an OSC-8 link) or bidirectional overrides that reorder what is
shown. `printable` shows every such character as a visible symbol instead, so what reaches the
terminal is exactly what the file holds, and nothing in it acts on the terminal. (Rich markup
is the printer's business: the CLI's consoles never interpret it.)
"""

from __future__ import annotations

import io
import os
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# C0 controls as the Unicode "control pictures" (U+2400 block): ESC shows as ␛, a newline as ␊.
_C0 = {code: chr(0x2400 + code) for code in range(0x20)}
_DEL = {0x7F: "\u2421"}  # ␡
# C1 controls (0x9b is a one-byte CSI on some terminals) and the format characters that
# reorder or hide text have no picture: they show as Python escapes.
_C1 = {code: f"\\x{code:02x}" for code in range(0x80, 0xA0)}
_FORMAT = {
    code: f"\\u{code:04x}"
    for code in (
        0x061C,  # arabic letter mark
        0x200B, 0x200E, 0x200F,  # zero width space, left-to-right and right-to-left marks
        0x2028, 0x2029,  # line and paragraph separators: a terminal may break the line
        *range(0x202A, 0x202F),  # embeddings and overrides (U+202E turns text around)
        *range(0x2066, 0x206A),  # isolates
        0xFEFF,  # byte order mark / zero width no-break space
    )
}
_TABLE = str.maketrans({**_C0, **_DEL, **_C1, **_FORMAT})


def printable(text: object) -> str:
    """`text` (any value, as str) with control and reordering characters shown as symbols."""
    return str(text).translate(_TABLE)


def control_character(text: str) -> str | None:
    """The first control or format character of `text`, shown printable (None if clean).

    Labels must not hold any: they are names, shown on the screen and in every report.
    """
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") or char in "\u2028\u2029":
            return f"U+{ord(char):04X} {printable(char)!s}".rstrip()
    return None


# What spaCy's printer (wasabi) and Rich read to decide on colour codes.
_NO_COLOUR_ENV = {"ANSI_COLORS_DISABLED": "1", "WASABI_LOG_FRIENDLY": "1", "NO_COLOR": "1"}


@contextmanager
def colour_only_on_a_terminal(stream: Any) -> Iterator[None]:
    """Within the block, printers writing to `stream` use no colour codes unless it is a
    terminal (wasabi, which spaCy's training log uses, colours even a file or a pipe)."""
    isatty = getattr(stream, "isatty", None)
    if callable(isatty) and isatty():
        yield
        return
    saved = {name: os.environ.get(name) for name in _NO_COLOUR_ENV}
    os.environ.update(_NO_COLOUR_ENV)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class PrintableWriter(io.TextIOBase):
    """A text stream that shows control characters of what passes through as symbols, line
    by line (for logs of other libraries, such as spaCy's training table, that print paths
    and labels as they are). It says it is no terminal, so those libraries add no colour."""

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self._stream = stream

    def writable(self) -> bool:
        """A writer."""
        return True

    def write(self, text: str) -> int:
        """Write `text` with newlines kept and every other control character shown."""
        self._stream.write("\n".join(printable(part) for part in text.split("\n")))
        return len(text)

    def flush(self) -> None:
        """Flush the stream underneath."""
        self._stream.flush()

    def isatty(self) -> bool:
        """Never a terminal: colour codes would be shown as symbols."""
        return False

"""Terminal-safe text: what an article (or an imported label) may put on the screen.

Control characters would move the terminal's cursor, retitle its window or change its
colors; each is shown as one visible character instead, so that display offsets stay equal
to text offsets. Everything the screen shows that came from input goes through here.
"""

from __future__ import annotations

_DISPLAY = {code: chr(0x2400 + code) for code in range(0x20) if code != 0x0A}
_DISPLAY.update({0x09: " ", 0x0D: " ", 0x7F: "\u2421"})
_DISPLAY.update({code: "\ufffd" for code in range(0x80, 0xA0)})
# Line separators and bidi overrides would reflow or reorder the terminal's line.
_DISPLAY.update({code: " " for code in (0x2028, 0x2029)})
_DISPLAY.update({code: "\ufffd" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})
_ONE_LINE = {**_DISPLAY, 0x0A: " "}


def display_text(text: str) -> str:
    """The text as it may be written to a terminal: same length, no control characters."""
    return text.translate(_DISPLAY)


def display_line(text: str) -> str:
    """`display_text` for a one-line place (a header, a label): newlines become spaces."""
    return text.translate(_ONE_LINE)

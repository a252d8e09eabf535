"""StatusLine: the acknowledgement of the last decision, or why a key did nothing."""

from __future__ import annotations

from rich.text import Text

from annotator.ui.display import display_line
from annotator.ui.widgets.text_lines import TextLines

MAX_LINES = 3


class StatusLine(TextLines):
    """Under the article: a saved decision is acknowledged here, a hint says what next.

    A message longer than the line wraps (to at most three lines) instead of being cut.
    """

    DEFAULT_CSS = """
    StatusLine {
        height: auto;
        max-height: 3;
        padding: 0 1;
        background: $boost;
        color: $text-muted;
    }
    StatusLine.-warning {
        color: $text-warning;
    }
    """

    message = ""
    """The line shown now, as plain text."""
    _shown_lines = 1

    def say(self, message: str, warning: bool = False) -> None:
        """Show one line of plain text (never markup: it may quote the article)."""
        if message == self.message and self.has_class("-warning") == warning:
            return
        lines = self._lines(message)
        self.message = message
        self.set_class(warning, "-warning")
        # A layout pass only when the message needs another number of lines (it wraps).
        self.redraw(layout=lines != self._shown_lines)
        self._shown_lines = lines

    def _lines(self, message: str) -> int:
        width = self.content_region.width
        if width <= 0 or not self.is_mounted:
            return 1
        return min(MAX_LINES, len(self.render_text(message).wrap(self.app.console, width)))

    @staticmethod
    def render_text(message: str) -> Text:
        """The line as drawn: terminal-safe plain text that wraps rather than being cut."""
        return Text(display_line(message), overflow="fold")

    def text(self, width: int) -> Text:
        return self.render_text(self.message)

    def render(self) -> Text:
        """The message as drawn (the lines on screen come from `text`, once per change)."""
        return self.render_text(self.message)

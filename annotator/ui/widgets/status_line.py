"""StatusLine: the acknowledgement of the last decision, or why a key did nothing."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from annotator.ui.display import display_line


class StatusLine(Widget):
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

    def say(self, message: str, warning: bool = False) -> None:
        """Show one line of plain text (never markup: it may quote the article)."""
        if message == self.message and self.has_class("-warning") == warning:
            return
        self.message = message
        self.set_class(warning, "-warning")
        self.refresh()

    def render(self) -> Text:
        return Text(display_line(self.message), overflow="fold")

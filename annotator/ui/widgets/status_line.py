"""StatusLine: the acknowledgement of the last decision, or why a key did nothing."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusLine(Static):
    """One line under the article; a saved decision is acknowledged here."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
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
        self.message = message
        self.set_class(warning, "-warning")
        self.update(Text(message, no_wrap=True, overflow="ellipsis"))

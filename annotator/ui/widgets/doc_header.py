"""DocHeader: where we are in the corpus, the document's title, and how much is done."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from annotator.core.session import Progress


class DocHeader(Static):
    """One line: `3 / 120  Title…  reviewed 5/77 · corpus 2/120 done`."""

    DEFAULT_CSS = """
    DocHeader {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    line = ""
    """The header as plain text."""

    def show(self, title: str, progress: Progress, busy: str | None = None) -> None:
        """Redraw the header; `busy` replaces the figures while the model works."""
        left = Text(f" {progress.position} / {progress.total} ", style="bold reverse")
        right = Text(
            busy
            or f" reviewed {progress.reviewed}/{progress.items} \u00b7 "
            f"done {progress.finished}/{progress.total} ",
            style="bold" if busy else "",
        )
        width = max(0, self.size.width or 80)
        room = max(0, width - left.cell_len - right.cell_len - 2)
        # Titles come from the article: shown as plain text, never as markup.
        middle = Text(" " + title, no_wrap=True, overflow="ellipsis")
        middle.truncate(room + 1, overflow="ellipsis", pad=True)
        line = Text.assemble(left, middle, right)
        self.line = line.plain
        self.update(line)

"""DocHeader: where we are in the corpus, the document's title, and how much is done."""

from __future__ import annotations

from rich.text import Text

from annotator.core.session import Progress
from annotator.ui.display import display_line
from annotator.ui.widgets.text_lines import TextLines

# The open document's answer, as the header says it.
_STATES = {None: "open", "accept": "finished", "ignore": "skipped", "reject": "rejected"}


class DocHeader(TextLines):
    """One line: `3 / 120  Title…  open · reviewed 5/77 · done 2/120`: where the open
    document is in the corpus, whether it is answered, how many of its spans and stances
    are reviewed, and how many documents of the corpus are answered."""

    DEFAULT_CSS = """
    DocHeader {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    line = ""
    """The header as plain text."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._parts: tuple[str, Progress | None, str | None, str | None] = ("", None, None, None)

    def show(
        self, title: str, progress: Progress, busy: str | None = None, note: str | None = None
    ) -> None:
        """Redraw the header; `busy` replaces the figures while the model works, and `note`
        (a training round's progress) goes before them."""
        parts = (title, progress, busy, note)
        if parts == self._parts:
            return  # most keys change nothing here; skip the repaint
        self._parts = parts
        self.line = self.text(self.size.width or 80).plain
        # The height never changes: a repaint, no layout pass.
        self.redraw()

    def text(self, width: int) -> Text:
        title, progress, busy, note = self._parts
        if progress is None:
            return Text()
        left = Text(f" {progress.position} / {progress.total} ", style="bold reverse")
        state = _STATES.get(progress.answer, "answered")
        right = Text(
            busy
            or f" {state} \u00b7 reviewed {progress.reviewed}/{progress.items} \u00b7 "
            f"done {progress.finished}/{progress.total} ",
            style="bold" if busy else "",
        )
        if note:
            right = Text.assemble(Text(f" {note} ", style="bold reverse"), right)
        room = max(0, width - left.cell_len - right.cell_len)
        # Titles come from the article: shown as plain text, never as markup.
        middle = Text(" " + display_line(title), no_wrap=True)
        middle.truncate(room, overflow="ellipsis", pad=True)
        return Text.assemble(left, middle, right, no_wrap=True, overflow="crop")

"""KeyBar: the keys of the current mode, drawn by a single widget.

Textual's Footer is one widget per key and recomposes itself when the bindings change;
this bar is one widget that repaints, which keeps every key press cheap. Where the keys do
not fit on one line (80 columns) the bar wraps between keys, never inside one: no key is
ever cut off. Its height is that of every key the screen can show at once, whatever the
mode: a selection or a stance changing the keys then repaints the bar alone, where a bar
that grew would make the whole screen lay out again (and the article lose a line).
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import Screen

from annotator.ui.widgets.text_lines import TextLines


class KeyBar(TextLines):
    """`tab next  a accept  x reject …` for the bindings that are shown and active now."""

    DEFAULT_CSS = """
    KeyBar {
        height: auto;
        background: $panel;
        color: $foreground;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._entries: list[Text] = []
        self._widest: list[Text] = []  # every key the screen shows in some mode

    def on_mount(self) -> None:
        self._widest = self._all_entries(self.screen)
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _entry(self, binding: Binding) -> Text:
        accent = f"bold {self.app.current_theme.accent or '#ffa62b'}"
        entry = Text(self.app.get_key_display(binding), style=accent)
        entry.append(f" {binding.description}")
        return entry

    def _all_entries(self, screen: Screen[object]) -> list[Text]:
        """The entries of every binding the screen may show, whichever mode enables it
        (their keys as the screen declares them: a keymap may make one a little wider)."""
        entries: list[Text] = []
        seen: set[str] = set()
        for binding in Binding.make_bindings(screen.BINDINGS):
            if binding.show and binding.action not in seen:
                seen.add(binding.action)
                entries.append(self._entry(binding))
        return entries

    def _bindings_changed(self, screen: Screen[object]) -> None:
        entries: list[Text] = []
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.show or not active.enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            entries.append(self._entry(binding))
        if [e.plain for e in entries] != [e.plain for e in self._entries]:
            width = self.size.width
            lines = self._height(width) if self._entries else -1
            self._entries = entries
            # A layout pass (the whole screen) only when the bar needs another number of
            # lines, which the reserved height makes rare (a keymap's wider keys).
            self.redraw(layout=self._height(width) != lines)

    def _height(self, width: int) -> int:
        """Lines for the keys shown now, and never fewer than every key needs at once."""
        return max(self._lines(self._entries, width), self._lines(self._widest, width))

    @staticmethod
    def _lines(entries: list[Text], width: int) -> int:
        lines, used = 1, 0
        for entry in entries:
            if used and used + 2 + entry.cell_len > width > 0:
                lines, used = lines + 1, 0
            elif used:
                used += 2
            used += entry.cell_len
        return lines

    def _lay_out(self, width: int) -> Text:
        """The entries on as many lines as `width` needs, broken between entries only."""
        text = Text(no_wrap=True, overflow="crop")
        used = 0
        for entry in self._entries:
            if used and used + 2 + entry.cell_len > width > 0:
                text.append("\n")
                used = 0
            elif used:
                text.append("  ")
                used += 2
            text.append_text(entry)
            used += entry.cell_len
        return text

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._height(width)

    def on_resize(self) -> None:
        self.redraw(layout=True)

    def text(self, width: int) -> Text:
        return self._lay_out(width)

    @property
    def keys(self) -> str:
        """The bar as plain text."""
        return self._lay_out(self.size.width).plain

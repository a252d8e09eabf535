"""KeyBar: the keys of the current mode, on one line, drawn by a single widget.

Textual's Footer is one widget per key and recomposes itself when the bindings change;
this bar is one widget that repaints, which keeps every key press cheap.
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widget import Widget


class KeyBar(Widget):
    """`tab next  a accept  x reject …` for the bindings that are shown and active now."""

    DEFAULT_CSS = """
    KeyBar {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        text = Text(no_wrap=True, overflow="crop")
        seen: set[str] = set()
        accent = f"bold {self.app.current_theme.accent or '#ffa62b'}"
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.show or not active.enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            if text:
                text.append("  ")
            text.append(self.app.get_key_display(binding), style=accent)
            text.append(f" {binding.description}")
        if text.plain != self._text.plain:
            self._text = text
            self.refresh()

    @property
    def keys(self) -> str:
        """The bar as plain text."""
        return self._text.plain

    def render(self) -> Text:
        return self._text

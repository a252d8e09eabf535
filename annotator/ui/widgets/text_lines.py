"""TextLines: a widget drawn from a Rich text rendered once per change (Textual's line API).

A widget whose `render()` returns a Rich text is rendered anew through Textual's visual
pipeline each time it repaints: half a millisecond for one line, on every decision. Here
the text is rendered into lines once, when it (or the width, or the colors) changes, and a
repaint hands those lines out as they are.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget


class TextLines(Widget):
    """Lines of one Rich text, `text(width)`, cut or wrapped as that text says."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._strips: list[Strip] = []
        self._drawn_width: int | None = None  # the width _strips were rendered at, if valid

    def text(self, width: int) -> Text:
        """The text to show at `width` cells."""
        raise NotImplementedError

    def redraw(self, layout: bool = False) -> None:
        """The text changed: render it again when next painted (`layout`: its height too)."""
        self._drawn_width = None
        self.refresh(layout=layout)

    def lines(self, width: int) -> list[Strip]:
        """The text rendered at `width` (wrapped as the text says), over the widget's own
        colors: each segment's style on top of the widget's, each line padded to `width`."""
        if self._drawn_width != width:
            console = self.app.console
            base = self.rich_style
            strips = []
            for line in self.text(width).wrap(console, max(1, width)):
                segments = [
                    Segment(text, base + style if style else base)
                    for text, style, _ in line.render(console)
                ]
                strips.append(Strip(segments).adjust_cell_length(width, base))
            self._strips = strips
            self._drawn_width = width
        return self._strips

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.lines(width)))

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        strips = self.lines(width)
        return strips[y] if y < len(strips) else Strip.blank(width, self.rich_style)

    def notify_style_update(self) -> None:
        # New colors (a class such as -warning, another theme): render again.
        super().notify_style_update()
        self._drawn_width = None

    def on_resize(self) -> None:
        self._drawn_width = None

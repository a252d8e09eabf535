"""Where things are in the article: display lines, columns, the token a line up or down,
and the character under the mouse (clicks and drags become messages for the screen).

A mixin of ArticleView, over its `ArticleLayout`: plain arithmetic on the wrapped lines and
the tags drawn after spans, which take columns but no characters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from textual.events import MouseDown, MouseMove, MouseUp
from textual.geometry import Offset, Region

from annotator.core.model import Span, Stance
from annotator.core.tokens import TokenIndex, is_space_token
from annotator.ui.widgets.article_layout import ArticleLayout


class ArticleGeometry:
    """Lines, columns and characters of the article as laid out."""

    _layout: ArticleLayout
    _display: str
    _shown: bool
    _drag_anchor: int | None
    _dragged: bool

    if TYPE_CHECKING:
        Clicked: Any
        Dragged: Any

        @property
        def line_count(self) -> int: ...
        @property
        def scrollable_content_region(self) -> Region: ...
        @property
        def region(self) -> Region: ...
        @property
        def scroll_offset(self) -> Offset: ...
        def _tag_texts(
            self, start: int, end: int
        ) -> list[tuple[int, str, Span | Stance | None]]: ...
        def capture_mouse(self, capture: bool = True) -> None: ...
        def release_mouse(self) -> None: ...
        def post_message(self, message: Any) -> bool: ...

    def line_of(self, offset: int) -> int:
        """The display line that shows character `offset`."""
        return self._layout.line_of(offset) if self._shown else 0

    def line_range(self, line: int) -> tuple[int, int]:
        """The character range that display line `line` shows."""
        return self._layout.line_range(line)

    def offset_at(self, line: int, column: int) -> int:
        """The character shown at `column` of display line `line` (clamped to the line)."""
        line = max(0, min(line, self.line_count - 1))
        start, end = self.line_range(line)
        x = 0
        tags = self._tag_texts(start, end)
        tag_index = 0
        for offset in range(start, end):
            width = cell_len(self._display[offset])
            if x + width > column:
                return offset
            x += width
            while tag_index < len(tags) and tags[tag_index][0] <= offset + 1:
                x += cell_len(tags[tag_index][1])
                tag_index += 1
        return max(start, end - 1) if end > start else start

    def token_on_line(self, index: TokenIndex, token: int, delta: int, clamp: bool = False) -> int:
        """The word token `delta` display lines above or below `token`, in about the same
        column (`token` itself at the first or last line, or with `clamp` the first or last
        line's when fewer than `delta` lines are left)."""
        start = index.tokens[token].start
        self._layout.cover(start, abs(delta) + 1, abs(delta) + 1)
        line = self.line_of(start)
        target = line + delta
        if clamp:
            target = min(max(target, 0), self.line_count - 1)
        if not 0 <= target < self.line_count or target == line:
            return token
        column = start - self.line_range(line)[0]
        found = index.token_at(self.offset_at(target, column))
        if found is None:
            return token
        step = 1 if delta > 0 else -1
        while 0 <= found < len(index) and is_space_token(index.tokens[found]):
            found += step
        return found if 0 <= found < len(index) else token

    # -- mouse -----------------------------------------------------------------------------

    def _offset_of_event(self, x: int, y: int) -> int:
        region = self.scrollable_content_region
        column = x - (region.x - self.region.x)
        return self.offset_at(y + self.scroll_offset.y - (region.y - self.region.y), column)

    def on_mouse_down(self, event: MouseDown) -> None:
        if not self._shown:
            return
        self._drag_anchor = self._offset_of_event(event.x, event.y)
        self._dragged = False
        self.capture_mouse()

    def on_mouse_move(self, event: MouseMove) -> None:
        if self._drag_anchor is None or not event.button:
            return
        offset = self._offset_of_event(event.x, event.y)
        if offset != self._drag_anchor or self._dragged:
            self._dragged = True
            self.post_message(self.Dragged(self._drag_anchor, offset))

    def on_mouse_up(self, event: MouseUp) -> None:
        anchor = self._drag_anchor
        self._drag_anchor = None
        self.release_mouse()
        if anchor is None:
            return
        if not self._dragged:
            self.post_message(self.Clicked(anchor))

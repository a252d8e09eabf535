"""The cursor keys and the mouse: move the token cursor, extend or drop the selection.

A mixin of AnnotateScreen. Moves change only the view state (`ReviewState`) and redraw
the marks; where a line up or down lands is the article's geometry (`token_on_line`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.core.model import Span
from annotator.ui.review_state import ReviewState
from annotator.ui.screens.guard import needs_spans
from annotator.ui.widgets.article_view import ArticleView


class CursorKeys:
    """Arrows, shift+arrows, escape, clicks and drags."""

    view: ReviewState

    if TYPE_CHECKING:

        @property
        def article(self) -> ArticleView: ...
        def ready(self) -> bool: ...
        def _redraw(self, change: None = None, scroll_to_focus: bool = False) -> None: ...

    def _move(self, token: int, extend: bool) -> None:
        view = self.view
        if extend:
            anchor = view.anchor if view.anchor is not None else view.cursor
            view.set_view(view.focus, token, anchor)
        else:
            span = view.span_at_token(token)
            view.set_view(span.id if span else None, token, None)
        self._redraw()

    def _line_token(self, delta: int, clamp: bool = False) -> int | None:
        view = self.view
        if view.cursor is None or view.index is None:
            return None
        return self.article.token_on_line(view.index, view.cursor, delta, clamp)

    @needs_spans
    def action_cursor(self, delta: int) -> None:
        if self.view.cursor is not None:
            self._move(self.view.step(self.view.cursor, delta), extend=False)

    @needs_spans
    def action_cursor_line(self, delta: int) -> None:
        if (token := self._line_token(delta)) is not None:
            self._move(token, extend=False)

    @needs_spans
    def action_cursor_page(self, direction: int) -> None:
        # A screen less two lines, so the line the cursor left stays in sight.
        page = max(1, self.article.scrollable_content_region.height - 2)
        if (token := self._line_token(direction * page, clamp=True)) is not None:
            self._move(token, extend=False)

    @needs_spans
    def action_select(self, delta: int) -> None:
        if self.view.cursor is not None:
            self._move(self.view.step(self.view.cursor, delta), extend=True)

    @needs_spans
    def action_select_line(self, delta: int) -> None:
        if (token := self._line_token(delta)) is not None:
            self._move(token, extend=True)

    def action_clear_selection(self) -> None:
        if self.view.anchor is not None:
            self.view.set_view(self.view.focus, self.view.cursor, None)
            self._redraw()

    def on_article_view_clicked(self, message: ArticleView.Clicked) -> None:
        index = self.view.index
        token = index.token_at(message.offset) if index is not None else None
        if token is None:
            return
        span = next(
            (
                i
                for i in self.view.items
                if isinstance(i, Span) and i.start <= message.offset < i.end
            ),
            None,
        )
        self.view.set_view(span.id if span else None, token, None)
        self._redraw()

    def on_article_view_dragged(self, message: ArticleView.Dragged) -> None:
        index = self.view.index
        if index is None:
            return
        anchor, token = index.token_at(message.anchor), index.token_at(message.offset)
        if anchor is not None and token is not None:
            self.view.set_view(self.view.focus, token, anchor)
            self._redraw()

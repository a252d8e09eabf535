"""The decision keys: accept, reject, label, accept all, apply to the same text, and the
boundary keys, each acting on the focused span (or stance) and then moving on.

A mixin of AnnotateScreen: each key plans an edit command, commits it through the screen's
session and redraws once; `a` and `x` then focus the next item to review.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from annotator.core.commands import (
    Accept,
    AcceptAll,
    AddSpan,
    ApplyToSameText,
    Change,
    EditCommand,
    MoveBoundary,
    Reject,
    Relabel,
)
from annotator.core.model import Span, Stance
from annotator.core.scheme import STANCE_KEYS, LabelScheme
from annotator.core.session import AnnotationSession
from annotator.ui.review_state import ReviewState
from annotator.ui.screens.guard import needs_spans

# A decision on more items than this says so before it starts: it takes seconds (about 35 µs
# an item: 100,000 suggestions accepted at once take 3.6 s), and the key must show at once.
BULK_NOTICE = 2_000


class DecisionKeys:
    """a, x, 1-9, A, = and the boundary keys: decisions on the focused item."""

    view: ReviewState
    scheme: LabelScheme
    session: AnnotationSession

    if TYPE_CHECKING:

        def say(self, message: str, warning: bool = False) -> None: ...
        def call_after_refresh(self, callback: Callable[..., Any], *args: Any) -> bool: ...
        def refuse(self, message: str) -> None: ...
        def ready(self) -> bool: ...
        def _commit(self, command: EditCommand) -> Change | None: ...
        def _done(self, change: Change, scroll_to_focus: bool = True) -> None: ...
        def _apply(self, command: EditCommand) -> Change | None: ...

    def _require_focus(self) -> Span | Stance | None:
        item = self.view.focused
        if item is None:
            self.refuse("nothing focused: tab to a span, or move the cursor onto one")
        return item

    def _decide(self, command: EditCommand, item: Span | Stance) -> None:
        after = self.view.neighbour(item.id, 1)
        change = self._commit(command)
        if change is None:
            return
        target = self.view.neighbour(item.id, 1) if self.view.find(item.id) else after
        self.view.focus_item(target if target is not None else item.id)
        self._done(change, scroll_to_focus=False)

    @needs_spans
    def action_accept(self) -> None:
        if (item := self._require_focus()) is not None:
            self._decide(Accept(item.id), item)

    @needs_spans
    def action_reject(self) -> None:
        if (item := self._require_focus()) is not None:
            self._decide(Reject(item.id), item)

    @needs_spans
    def action_label_key(self, key: str) -> None:
        label = self.scheme.by_key(key)
        if label is None:
            self.refuse(f"no label has the key {key}")
            return
        self.action_label(label.name)

    @needs_spans
    def action_label(self, name: str) -> None:
        """Add a span with this label over the selection, or relabel the focused span."""
        view = self.view
        selection = view.selection_tokens()
        item = view.focused
        if selection is None and item is None and view.cursor is not None:
            selection = (view.cursor, view.cursor)  # the word under the cursor
        if selection is not None:
            change = self._commit(AddSpan(selection[0], selection[1], name))
            if change is not None:
                if change.spans_after:
                    added = change.spans_after[0]
                    view.set_view(added.id, added.token_start, None)
                self._done(change)
            return
        if isinstance(item, Stance):
            keys = ", ".join(f"{name} ({key})" for name, key in STANCE_KEYS.items())
            self.refuse(f"a stance's label is one of {keys}")
        elif item is not None:
            self._apply(Relabel(item.id, name))

    @needs_spans
    def action_accept_all(self) -> None:
        state = self.session.state
        waiting = len(state.spans) + len(state.stances) - state.reviewed_count
        if waiting > BULK_NOTICE:
            self.say(f"accepting {waiting:,} suggestions…")
            self.call_after_refresh(self._apply, AcceptAll())  # once the line is on screen
        else:
            self._apply(AcceptAll())

    @needs_spans
    def action_apply_same(self) -> None:
        item = self._require_focus()
        if isinstance(item, Stance):
            self.refuse("apply to same text works on entity spans")
        elif item is not None:
            self._apply(ApplyToSameText(item.id))

    @needs_spans
    def action_move_boundary(self, edge: str, delta: int) -> None:
        item = self._require_focus()
        if isinstance(item, Stance):
            self.refuse("only entity spans have token boundaries to move")
        elif item is not None:
            side: Literal["start", "end"] = "start" if edge == "start" else "end"
            self._apply(MoveBoundary(item.id, side, 1 if delta > 0 else -1))

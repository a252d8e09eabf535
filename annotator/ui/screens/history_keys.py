"""Undo and redo: `u` and `ctrl+y` step through this terminal's own decisions.

A mixin of AnnotateScreen. A step that opens another document opens it; a long one (`A` on
a record of 100,000 suggestions takes seconds to take back) says so before it starts, so
that nobody presses `u` again thinking the first did nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from annotator.core.commands import Change, EditRefused
from annotator.core.model import Span, Stance
from annotator.core.session import AnnotationSession, UndoResult
from annotator.ui.review_state import ReviewState

# A logged change this long (about 2,000 items) takes a second or more to undo or redo.
LONG_STEP_CHARS = 500_000


class HistoryKeys:
    """u and ctrl+y."""

    session: AnnotationSession
    view: ReviewState

    if TYPE_CHECKING:

        def say(self, message: str, warning: bool = False) -> None: ...
        def refuse(self, message: str) -> None: ...
        def call_after_refresh(self, callback: Callable[..., Any], *args: Any) -> bool: ...
        def open_document(self, focus: str | None = None) -> None: ...
        def _redraw(self, change: Change | None = None, scroll_to_focus: bool = False) -> None: ...
        def _edited(self, change: Change) -> None: ...

    def action_undo(self) -> None:
        self._step("undo")

    def action_redo(self) -> None:
        self._step("redo")

    def _step(self, verb: Literal["undo", "redo"]) -> None:
        step = self.session.undo if verb == "undo" else self.session.redo
        found = self.session.next_step(verb, LONG_STEP_CHARS)
        if found is not None and found[1]:
            self.say(f"{verb}ing {found[0]}…")
            self.call_after_refresh(self._history, step, verb)  # once the line is on screen
        else:
            self._history(step, verb)

    def _history(self, step: Callable[[], UndoResult | None], verb: str) -> None:
        try:
            result = step()
        except EditRefused as refused:  # a full disk, or another process changed the document
            self.refuse(str(refused))
            return
        if result is None:
            self.say(f"nothing to {verb}")
            return
        change = result.change
        summary = change.summary if verb == "undo" else f"redo {change.summary}"
        touched: list[Span | Stance] = [*change.spans_after, *change.stances_after]
        touched += [*change.spans_before, *change.stances_before]
        focus = touched[0].id if touched else self.view.focus
        if result.switched or result.input_hash != self.session.input_hash:
            self.open_document(focus=focus if touched else None)
        else:
            self.view.adopt(self.session.state)
            self.view.focus_item(focus if self.view.find(focus) else None)
            self._redraw(change, scroll_to_focus=True)
        self.say(summary)
        self._edited(change)

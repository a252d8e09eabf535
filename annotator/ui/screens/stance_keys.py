"""The stance keys: create a stance, label it, set its roles, negate it.

A mixin of AnnotateScreen (the guided stance mode): after a role key the cursor stays
where the person is, and with nothing selected the word under the cursor (or the focused
entity) is what a role key takes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.core.commands import (
    Change,
    CreateStance,
    EditCommand,
    Relabel,
    SetStanceRole,
    ToggleNegated,
)
from annotator.ui.review_state import ReviewState
from annotator.ui.screens.guard import needs_spans


class StanceKeys:
    """s, f/d/e, w/v/t/c and !: everything that makes or edits a stance."""

    view: ReviewState

    if TYPE_CHECKING:

        def say(self, message: str, warning: bool = False) -> None: ...
        def refuse(self, message: str) -> None: ...
        def ready(self) -> bool: ...
        def _commit(self, command: EditCommand) -> Change | None: ...
        def _done(self, change: Change, scroll_to_focus: bool = True) -> None: ...

    def _create_stance(self, label: str) -> None:
        chars = self.view.selection_chars()
        if chars is None:
            self.refuse("select the evidence first (shift+arrows or drag), then press s")
            return
        change = self._commit(CreateStance(chars[0], chars[1], label))
        if change is None:
            return
        if change.stances_after:
            stance = change.stances_after[0]
            self.view.set_view(stance.id, self.view.cursor, None, stance=stance.id)
        self._done(change, scroll_to_focus=False)
        self.say(f"saved: {change.summary}; now w holder, v speaker, t target, c cue")

    @needs_spans
    def action_stance(self) -> None:
        self._create_stance("NEUTRAL")

    @needs_spans
    def action_stance_label(self, label: str) -> None:
        if self.view.selection_tokens() is not None:
            self._create_stance(label)
            return
        stance = self.view.editing()
        if stance is None:
            self.refuse("no stance to label: select its evidence and press s, or tab to one")
            return
        change = self._commit(Relabel(stance.id, label))
        if change is not None:
            self._done(change, scroll_to_focus=False)

    @needs_spans
    def action_stance_role(self, role: str) -> None:
        view = self.view
        stance = view.editing()
        if stance is None:
            self.refuse("no stance: select its evidence and press s first")
            return
        chars = view.role_chars()
        if chars is None:
            self.refuse(f"select the {role} (shift+arrows) or focus an entity, then press the key")
            return
        change = self._commit(SetStanceRole(stance.id, role, chars[0], chars[1]))
        if change is not None:
            # The cursor stays where the person is: the next role is usually nearby.
            view.set_view(stance.id, view.cursor, None, stance=stance.id)
            self._done(change, scroll_to_focus=False)

    @needs_spans
    def action_negate(self) -> None:
        stance = self.view.editing()
        if stance is None:
            self.refuse("no stance to negate: tab to one first")
            return
        change = self._commit(ToggleNegated(stance.id))
        if change is not None:
            self._done(change, scroll_to_focus=False)

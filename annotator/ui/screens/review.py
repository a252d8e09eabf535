"""ReviewScreen: the annotation screen with each disagreement's versions beside the article.

Built on AnnotateScreen, so every annotation key works (labels on a selection, boundaries,
stances, undo, n/p, ?, ctrl+p) to make a version nobody gave. On top: the focused *unit*
(a region or stance frame where annotators disagree), `1`-`9` to take an annotator's
version of it, `a` for the majority, and `enter` that refuses while units are open. The
digits mean versions only: the label keys of `annotate` are `r` then the label's key here.
The review logic lives in `core.review` and `core.review_session`; this only shows it.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical

from annotator.core.commands import Change, EditRefused
from annotator.core.model import Span
from annotator.core.review import Unit
from annotator.core.review_session import ReviewSession
from annotator.core.scheme import LabelScheme
from annotator.ui.keymap import binding as _b
from annotator.ui.review_state import Marks
from annotator.ui.screens.annotate import AnnotateScreen
from annotator.ui.screens.label_picker import LabelPicker
from annotator.ui.widgets.article_view import ArticleView
from annotator.ui.widgets.doc_header import DocHeader
from annotator.ui.widgets.key_bar import KeyBar
from annotator.ui.widgets.side_panel import SidePanel
from annotator.ui.widgets.status_line import StatusLine
from annotator.ui.widgets.versions_bar import VersionsBar

_REPLACED = {str(n) for n in range(1, 10)} | {"a"}


def _review_bindings() -> list[BindingType]:
    return [
        _b(
            "1",
            "review_key('1')",
            "take",
            "Take annotator 1's version of the focused unit",
            key_display="1-9",
        ),
        *(
            _b(str(n), f"review_key('{n}')", f"take {n}", f"Take annotator {n}'s version", False)
            for n in range(2, 10)
        ),
        _b("a", "majority", "majority", "Take the version most annotators gave"),
        _b(
            "r",
            "pick_label",
            "label",
            "Then a label key: give the focused span (or the selection) that label",
            key_display="r 1-9",
        ),
        *(b for b in AnnotateScreen.BINDINGS if isinstance(b, Binding) and b.key not in _REPLACED),
    ]


class ReviewScreen(AnnotateScreen, inherit_bindings=False):
    """One document's units, merged where everyone agreed, waiting where they did not."""

    BINDINGS: ClassVar[list[BindingType]] = _review_bindings()

    def __init__(self, session: ReviewSession, scheme: LabelScheme, blind: bool = False) -> None:
        super().__init__(session, scheme, None)
        self.review = session
        self.blind = blind
        self.unit_id: str | None = None  # the focused unit

    def compose(self) -> ComposeResult:
        yield DocHeader(id="doc-header")
        yield ArticleView(self.scheme, id="article")
        yield SidePanel(self.scheme, id="side")
        with Vertical(id="bottom"):
            yield VersionsBar(id="versions")
            yield StatusLine(id="status")
            yield KeyBar(id="key-bar")

    # -- the focused unit --------------------------------------------------------------------

    def focused_unit(self) -> Unit | None:
        if self.unit_id is None:
            return None
        try:
            return self.review.unit(self.unit_id)
        except KeyError:
            return None

    def open_document(self, focus: str | None = None) -> None:
        """Open the document with its first unresolved unit focused."""
        left = self.review.unresolved()
        self.unit_id = left[0].id if left else None
        super().open_document(focus)
        if left and focus is None:
            self._focus_unit(left[0])
            self._redraw(scroll_to_focus=True)

    def _focus_unit(self, unit: Unit) -> None:
        self.unit_id = unit.id
        mine = next(
            (
                s
                for s in self.session.state.spans
                if unit.kind == "entity" and s.start < unit.end and unit.start < s.end
            ),
            None,
        )
        context = self.session.context
        token = context.index.token_at(unit.start) if context is not None else None
        self.view.set_view(mine.id if mine else None, token, None)

    def _marks(self) -> Marks:
        # (The view state is plain: the unit under review is drawn here, over it.)
        marks = super()._marks()
        unit = self.focused_unit()
        if unit is None or marks.selection is not None:
            return marks
        # The cursor spans the whole unit, so the region under decision shows.
        return Marks(marks.focus, (unit.start, unit.end), marks.selection, marks.stance)

    def _refresh_side(self) -> None:
        super()._refresh_side()
        if not self.is_mounted:
            return
        unit = self.focused_unit()
        left = self.review.unresolved()
        self.query_one(VersionsBar).show(
            self.review.annotators,
            unit,
            unit is not None and unit not in left,
            len(left),
            sum(1 for u in self.review.units if not u.agreed),
            self.blind,
        )

    def _next_unresolved(self, after: Unit | None) -> None:
        left = self.review.unresolved()
        following = [u for u in left if after is None or u.start >= after.start and u != after]
        target = following[0] if following else (left[0] if left else None)
        if target is None:
            # The unit just decided keeps focus, so its version can still be edited.
            if after is not None:
                self._focus_unit(after)
            return
        self._focus_unit(target)

    def _taken(self, unit: Unit, take: Change) -> None:
        self.view.adopt(self.session.state)
        self._next_unresolved(unit)
        left = self.review.unresolved()
        self._redraw(take, scroll_to_focus=True)
        if left:
            self.say(f"saved: {take.summary}")
        else:
            self.say("every unit is resolved: enter finishes the document")
        self.post_message(self.Edited(take))

    # -- actions -----------------------------------------------------------------------------

    def action_review_key(self, key: str) -> None:
        """Take annotator `key`'s version of the focused unit (never a label: `r` is)."""
        unit = self.focused_unit()
        if unit is None:
            self.refuse(f"no unit here to take a version of: tab to one (r {key}: label {key})")
            return
        try:
            change = self.review.take(unit, int(key))
        except EditRefused as refused:
            self.say(str(refused), warning=True)
            self.app.bell()
            return
        self._taken(unit, change)

    def action_pick_label(self) -> None:
        """Ask for a label key, then act as that label key does in `annotate`."""

        def picked(key: str | None) -> None:
            if key is None:
                self.say("no label given")
            else:
                self.action_label_key(key)

        self.app.push_screen(LabelPicker(self.scheme), picked)

    def action_majority(self) -> None:
        """Take the majority version of the focused unit (with no unit: accept the span)."""
        unit = self.focused_unit()
        if unit is None:
            self.action_accept()
            return
        try:
            change = self.review.take_majority(unit)
        except EditRefused as refused:
            self.say(str(refused), warning=True)
            self.app.bell()
            return
        self._taken(unit, change)

    def action_next_item(self) -> None:
        """Focus the next unit (resolved or not)."""
        self._step_unit(1)

    def action_previous_item(self) -> None:
        self._step_unit(-1)

    def _step_unit(self, step: int) -> None:
        units = self.review.units
        if not units:
            super().action_next_item() if step > 0 else super().action_previous_item()
            return
        ids = [u.id for u in units]
        index = ids.index(self.unit_id) + step if self.unit_id in ids else (0 if step > 0 else -1)
        if not -len(units) <= index < len(units):
            self.say("no more units in this document: enter finishes it")
            return
        self._focus_unit(units[index])
        self._redraw(scroll_to_focus=True)

    def _redraw(self, change: Change | None = None, scroll_to_focus: bool = False) -> None:
        # Moving the cursor off the focused unit leaves it; focusing a span in one enters it.
        unit = self.focused_unit()
        cursor, focus = self.view.cursor, self.view.focus
        context = self.session.context
        if unit is not None and cursor is not None and context is not None:
            start, end = context.index.char_range(cursor, cursor)
            if not (start < unit.end and unit.start < end):
                self.unit_id = None
        focused = self.view.find(focus)
        if isinstance(focused, Span) and self.unit_id is None:
            self.unit_id = next(
                (
                    u.id
                    for u in self.review.units
                    if focused.start < u.end and u.start < focused.end
                ),
                None,
            )
        super()._redraw(change, scroll_to_focus)

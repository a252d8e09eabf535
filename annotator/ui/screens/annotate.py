"""AnnotateScreen: review one document's suggestions with the keyboard, then the next.

The screen turns keys into edit commands for the session (which commits them to the
store) and into moves of its view state (`ReviewState`: focus, cursor, selection). Each
key then redraws once: the ranges the change touched, the marks that moved, the panel.
The keymap lives in `annotator.ui.keymap`, the model's background work in
`annotator.ui.model_work`, the decision keys, undo and redo, the training round and corpus
navigation in the mixins below.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

from textual.actions import parse as parse_action
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen

from annotator.core.commands import (
    Change,
    EditCommand,
    EditRefused,
)
from annotator.core.model import DocumentState
from annotator.core.scheme import LabelScheme
from annotator.core.session import AnnotationSession
from annotator.core.uncertainty import LOW_CONFIDENCE
from annotator.errors import StoreError
from annotator.loop.model_loop import ModelLoop
from annotator.ui import memory
from annotator.ui.disk_notice import DISK_POLL, disk_notice
from annotator.ui.keymap import ANNOTATE_KEYS
from annotator.ui.model_work import ModelWork, SuggestionsDone
from annotator.ui.review_state import Marks, ReviewState, item_ranges, item_start
from annotator.ui.screens.corpus_moves import CorpusMoves
from annotator.ui.screens.cursor_keys import CursorKeys
from annotator.ui.screens.decision_keys import DecisionKeys
from annotator.ui.screens.guard import needs_spans
from annotator.ui.screens.history_keys import HistoryKeys
from annotator.ui.screens.stance_keys import StanceKeys
from annotator.ui.screens.training import TrainingKeys
from annotator.ui.widgets.article_view import ArticleView
from annotator.ui.widgets.doc_header import DocHeader
from annotator.ui.widgets.key_bar import KeyBar
from annotator.ui.widgets.side_panel import SidePanel
from annotator.ui.widgets.status_line import StatusLine

# Seconds after a key before the article wraps ahead: its frame (and the 30 ms of quiet
# after it by which the pty bench tells a frame's end) is over by then.
WRAP_QUIET = 0.06


def change_ranges(change: Change) -> list[tuple[int, int]]:
    """Every character range a change touched, before and after."""
    ranges: list[tuple[int, int]] = []
    for item in (*change.spans_before, *change.spans_after):
        ranges.extend(item_ranges(item))
    for stance in (*change.stances_before, *change.stances_after):
        ranges.extend(item_ranges(stance))
    return ranges


def keeps_tags(change: Change) -> bool:
    """Whether a change leaves every label the article draws as wide as it was: the same
    items in the same places with the same labels (accepting or rejecting a span, say), so
    that the article need not be laid out again."""
    if len(change.spans_before) != len(change.spans_after):
        return False
    if len(change.stances_before) != len(change.stances_after):
        return False
    for before, after in zip(change.spans_before, change.spans_after, strict=True):
        if (before.id, before.start, before.end, before.label) != (
            after.id,
            after.start,
            after.end,
            after.label,
        ):
            return False
    for old, new in zip(change.stances_before, change.stances_after, strict=True):
        # A rejected stance draws no marker; its roles are tagged while it is edited.
        if old.with_changes(status=new.status) != new or (
            (old.status == "rejected") != (new.status == "rejected")
        ):
            return False
    return True


class AnnotateScreen(
    DecisionKeys, CursorKeys, StanceKeys, TrainingKeys, CorpusMoves, HistoryKeys, Screen[None]
):
    """The article, the focused item's details, the label palette, and every review key."""

    BINDINGS: ClassVar[list[BindingType]] = ANNOTATE_KEYS

    # Focus moves on nearly every key; it must not refresh the footer (that recomposes it),
    # so only the two mode flags below carry `bindings=True`.
    selecting: var[bool] = var(False, bindings=True)
    """Whether a selection exists: label keys then add a span, `s` creates a stance."""
    stance_active: var[bool] = var(False, bindings=True)
    """Whether a stance is being edited: the stance keys then show in the key bar."""

    @dataclass
    class Edited(Message):
        """A change was committed to the store (posted after the screen redrew)."""

        change: Change

    @dataclass
    class DocumentOpened(Message):
        """A document is on screen (with its suggestions, or waiting for them)."""

        input_hash: int
        ready: bool

    def __init__(
        self,
        session: AnnotationSession,
        scheme: LabelScheme,
        loop: ModelLoop | None,
        notice: str | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.scheme = scheme
        self.view = ReviewState()
        self.model = ModelWork(loop, self.post_message)
        self._opening_notice = notice
        self._training_note: str | None = None  # the header's "training 200/600"
        self._trained_note: str | None = None  # the last round's result, until it suggests
        self._ranked_note: str | None = None  # a new order, said again once suggestions come
        self._last_key = 0.0  # when the last key came in (time.monotonic)

    def compose(self) -> ComposeResult:
        # Few widgets on purpose: each one costs something on every key press.
        yield DocHeader(id="doc-header")
        yield ArticleView(self.scheme, id="article")
        yield SidePanel(self.scheme, id="side")
        with Vertical(id="bottom"):
            yield StatusLine(id="status")
            yield KeyBar(id="key-bar")

    def on_mount(self) -> None:
        self.open_document()
        # Labels outside the scheme first: they are a warning, the rest is news.
        notice = self._label_notice() if not self.session.needs_suggestions else None
        parts = (notice, self.session.resumed, self._opening_notice)
        self.say("; ".join(m for m in parts if m), warning=bool(notice))
        self.set_interval(2.0, self._follow_other_terminals)
        self.set_interval(memory.IDLE_PERIOD, self._wrap_ahead)
        self.set_interval(DISK_POLL, self._say_if_the_disk_lags)

    def _say_if_the_disk_lags(self) -> None:
        status = self.query_one(StatusLine)
        notice = disk_notice(self.session.store.disk_behind, status.message)
        if notice is not None:
            status.say(notice)

    def _wrap_ahead(self) -> None:
        """Between keys, wrap a slice of the article where the next keys may go (the view,
        the focus, the cursor, the items before and after), so that they find it done."""
        if time.monotonic() - self._last_key < WRAP_QUIET:
            return
        view = self.view
        ids = (view.focus, view.neighbour(view.focus, 1), view.neighbour(view.focus, -1))
        offsets = [item_start(item) for item in map(view.find, ids) if item is not None]
        chars = view.token_chars(view.cursor, view.cursor)
        if chars is not None:
            offsets.append(chars[0])
        self.article.wrap_ahead(offsets)

    def _follow_other_terminals(self) -> None:
        """Live view: another terminal of this annotator changed the document on screen."""
        try:
            changed = self.session.refresh_if_changed()
        except StoreError:
            return  # the store is away for now; the next key says so
        if changed:
            self.open_document(self.view.focus)
            self.say("updated from another terminal of yours")

    # -- widgets ---------------------------------------------------------------------------

    @property
    def focus_id(self) -> str | None:
        """The focused span or stance: what accept, reject and the label keys act on."""
        return self.view.focus

    @property
    def cursor(self) -> int | None:
        """The token the cursor is on (None while the document has no model tokens)."""
        return self.view.cursor

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    def say(self, message: str, warning: bool = False) -> None:
        self.query_one(StatusLine).say(message, warning)

    def refuse(self, message: str) -> None:
        """A key that cannot act: a bell, and why on the status line."""
        self.say(message, warning=True)
        self.app.bell()

    # -- documents -------------------------------------------------------------------------

    def open_document(self, focus: str | None = None) -> None:
        """Show the session's open document, from scratch (the last document's message goes)."""
        session = self.session
        self.say("")
        ready = not session.needs_suggestions
        state = session.state
        view = self.view
        if ready:
            assert session.context is not None
            view.load(state.spans, state.stances, session.context.index)
            view.focus_item(focus or view.first_suggested())
            self.article.show(session.document.text, state, self._marks())
        else:
            view.load((), (), None)
            self.article.show(session.document.text, DocumentState(), self._marks())
            # Paint the text first: the thread's spaCy import would compete for the CPU.
            self.call_after_refresh(self._request_suggestions, session.input_hash)
        self._sync_modes()
        self._scroll_to_focus()
        self._refresh_side()
        self.post_message(self.DocumentOpened(session.input_hash, ready))
        if ready:
            self._prefetch_next()

    def _label_notice(self) -> str | None:
        state = self.session.state
        return self.scheme.outside_notice(state.spans, state.stances)

    def _say_with_notice(self, message: str) -> None:
        """An acknowledgement, and the new document's labels outside the scheme if any."""
        notice = self._label_notice() if not self.session.needs_suggestions else None
        text = "; ".join(m for m in (message, notice) if m)
        self.say(text, warning=bool(notice))

    def _request_suggestions(self, input_hash: int) -> None:
        if not self.model.suggest(input_hash):
            self.say("this document has no suggestions and no model is available", True)
        self._refresh_side()

    def _prefetch_next(self) -> None:
        """Suggest the next unfinished document in the background, so that it opens ready."""
        following = self.session.next_unfinished()
        if following is not None and self.model.loop is not None:
            next_hash = self.session.hashes[following]
            if not self.session.store.has_suggestions(next_hash):
                self.model.suggest(next_hash)

    def on_suggestions_done(self, message: SuggestionsDone) -> None:
        self.model.done(message)
        if message.error is not None:
            again = "; the next key tries again" if message.retry else ""
            self.say(f"the model's suggestions were not saved: {message.error}{again}", True)
            self._refresh_side()
            return
        if message.input_hash == self.session.input_hash and self.session.needs_suggestions:
            self.session.reload()
            self.open_document()
            # The model's objects (spaCy loaded in the thread) join the frozen ones.
            self.call_after_refresh(memory.settle)
            # After a training round the result stays on the status line: it says which
            # model these suggestions come from.
            ready = (
                f"{self._trained_note}; its suggestions are on screen" if self._trained_note else ""
            )
            self._trained_note = None
            # A new order that came first stays said: this message would hide it.
            said = "; ".join(m for m in (self._ranked_note, ready or "suggestions ready") if m)
            self._ranked_note = None
            self._say_with_notice(said)

    def key_arrived(self) -> None:
        """A key came in (the app calls this before the key's binding runs: the bindings are
        priority bindings, so a bound key never reaches the screen as an event)."""
        self._last_key = time.monotonic()
        # Suggestions a full disk kept out of the store are tried again on the next key.
        input_hash = self.session.input_hash
        if input_hash in self.model.failed and self.session.needs_suggestions:
            self._request_suggestions(input_hash)

    # -- drawing ---------------------------------------------------------------------------

    def _sync_modes(self) -> None:
        self.selecting = self.view.selecting
        self.stance_active = self.view.editing() is not None

    def _marks(self) -> Marks:
        """What the article draws over the annotations (the review screen adds its unit)."""
        return self.view.marks()

    def _redraw(self, change: Change | None = None, scroll_to_focus: bool = False) -> None:
        """One redraw per key: what the change touched, the marks, the scroll, the panel."""
        self._sync_modes()
        marks = self._marks()
        if change is not None:
            state = self.session.state
            self.article.update(state, change_ranges(change), marks, keeps_tags(change))
        else:
            self.article.set_marks(marks)
        if scroll_to_focus:
            self._scroll_to_focus()
        else:
            self._scroll_to_cursor()
        self._refresh_side()

    def _scroll_to_cursor(self) -> None:
        chars = self.view.token_chars(self.view.cursor, self.view.cursor)
        if chars is not None:
            self.article.scroll_to_offset(chars[0])

    def _scroll_to_focus(self) -> None:
        item = self.view.focused
        if item is not None:
            self.article.scroll_to_offset(item_start(item))
        else:
            self._scroll_to_cursor()

    def _refresh_side(self) -> None:
        session = self.session
        busy = None
        if session.needs_suggestions:
            # Asked for (or about to be): only a missing model or a failed save says otherwise.
            waiting = self.model.loop is not None and session.input_hash not in self.model.failed
            busy = "suggesting\u2026 " if waiting else "no suggestions "
        self.query_one(DocHeader).show(
            session.document.title, session.progress(), busy, self._training_note
        )
        editing = self.view.editing()
        number = self.view.stance_number(editing.id) if editing is not None else None
        self.query_one(SidePanel).show(self.view.focused, editing, number)

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")
        self._refresh_side()

    # -- applying edits --------------------------------------------------------------------

    def _commit(self, command: EditCommand) -> Change | None:
        """Commit a command and adopt the new state; the caller moves the view and redraws."""
        try:
            change = self.session.apply(command)
        except EditRefused as refused:
            self.refuse(str(refused))
            return None
        self.view.adopt(self.session.state)
        return change

    def _done(self, change: Change, scroll_to_focus: bool = True) -> None:
        self._redraw(change, scroll_to_focus)
        if not change.is_empty:
            self.say(f"saved: {change.summary}")
        self.post_message(self.Edited(change))

    def _apply(self, command: EditCommand) -> Change | None:
        """Commit a command keeping focus (the cursor follows it), and redraw once."""
        change = self._commit(command)
        if change is not None:
            view = self.view
            if view.focus is not None and view.anchor is None:
                view.cursor = view.token_of_item(view.focus)
            self._done(change)
        return change

    def ready(self) -> bool:
        """True once the document's suggestions are on screen; else refuses the key."""
        if self.session.needs_suggestions:
            self.refuse("wait: the model is still suggesting")
            return False
        return True

    # -- actions: items --------------------------------------------------------------------

    def _focus(self, target: str | None, none: str) -> None:
        if target is None:
            self.say(none)
            return
        self.view.focus_item(target)
        self._redraw()

    @needs_spans
    def action_next_item(self) -> None:
        self._focus(self.view.neighbour(self.view.focus, 1), "no more spans: enter finishes")

    @needs_spans
    def action_next_unsure(self) -> None:
        self._focus(
            self.view.next_unsure(self.view.focus),
            f"no suggestion here has a model confidence below {LOW_CONFIDENCE}",
        )

    @needs_spans
    def action_previous_item(self) -> None:
        self._focus(self.view.neighbour(self.view.focus, -1), "this is the first span")

    # -- actions: the rest ------------------------------------------------------------------

    def _edited(self, change: Change) -> None:
        """Undo or redo changed the store (the other keys post `Edited` themselves)."""
        self.post_message(self.Edited(change))

    def action_help(self) -> None:
        from annotator.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.BINDINGS))

    def action_quit(self) -> None:
        self.app.exit()

    def on_unmount(self) -> None:
        self.model.stop()

    def perform(self, action: str) -> None:
        """Run an action by its string (as the command palette does), ignoring the mode."""
        _, name, arguments = parse_action(action)
        getattr(self, f"action_{name}")(*arguments)

    # -- which keys the key bar shows ------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys of other modes stay out of the key bar (and do nothing)."""
        if action in ("stance_role", "negate"):
            return self.stance_active
        if action == "stance":
            return self.selecting
        if action == "stance_label":
            return self.selecting or self.stance_active
        return True

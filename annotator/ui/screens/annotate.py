"""AnnotateScreen: review one document's suggestions with the keyboard, then the next.

The screen owns view state only (focus, token cursor, selection, the stance being
edited). Every decision is an edit command handed to the session, which commits it to the
store; the screen then redraws the ranges the resulting Change touched, and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import ClassVar, TypeVar

from textual.actions import parse as parse_action
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from annotator.core.commands import (
    Accept,
    AcceptAll,
    AddSpan,
    ApplyToSameText,
    Change,
    CreateStance,
    EditCommand,
    EditRefused,
    MoveBoundary,
    Reject,
    Relabel,
    SetStanceRole,
    ToggleNegated,
)
from annotator.core.model import Span, Stance, TextRef
from annotator.core.scheme import STANCE_KEYS, LabelScheme
from annotator.core.session import AnnotationSession, Suggest, UndoResult
from annotator.core.tokens import is_space_token
from annotator.errors import StoreError
from annotator.rounds import (
    MIN_DOCUMENTS,
    LoopSettings,
    TrainingOutcome,
    TrainingRun,
    entity_f1,
    next_round,
)
from annotator.ui.widgets.article_view import ArticleView, Marks
from annotator.ui.widgets.doc_header import DocHeader
from annotator.ui.widgets.key_bar import KeyBar
from annotator.ui.widgets.side_panel import SidePanel
from annotator.ui.widgets.status_line import StatusLine

Item = Span | Stance
T = TypeVar("T")


def _b(
    key: str,
    action: str,
    description: str,
    tooltip: str,
    show: bool = True,
    key_display: str | None = None,
) -> Binding:
    """A binding with an id (so keymaps can remap it) and a tooltip.

    The id is the action and its arguments: `label_key('3')` is `label-key-3`, and a step
    of -1 or 1 reads `back` or `forward` (`move-boundary-start-back`).
    """
    name, _, arguments = action.partition("(")
    words = [name.replace("_", "-")]
    for argument in re.findall(r"[\w-]+", arguments):
        words.append(
            {"-1": "back", "1": "forward"}.get(argument, argument.lower())
            if name != "label_key"
            else argument
        )
    return Binding(
        key,
        action,
        description,
        show=show,
        key_display=key_display,
        id="-".join(words),
        tooltip=tooltip,
    )


def _item_start(item: Item) -> int:
    return item.start if isinstance(item, Span) else item.evidence.start


def _in_text_order(items: list[T], start: Callable[[T], int]) -> list[T]:
    """`items` sorted by start; a check, not a sort, when they come in order (the usual case)."""
    starts = [start(item) for item in items]
    if all(a <= b for a, b in zip(starts, starts[1:], strict=False)):
        return items
    return sorted(items, key=start)


def _item_ranges(item: Item) -> list[tuple[int, int]]:
    if isinstance(item, Span):
        return [(item.start, item.end)]
    refs: list[TextRef | None] = [item.evidence, item.holder, item.speaker, item.target, item.cue]
    return [(r.start, r.end) for r in refs if r is not None]


def change_ranges(change: Change) -> list[tuple[int, int]]:
    """Every character range a change touched, before and after."""
    ranges: list[tuple[int, int]] = []
    for item in (*change.spans_before, *change.spans_after):
        ranges.extend(_item_ranges(item))
    for stance in (*change.stances_before, *change.stances_after):
        ranges.extend(_item_ranges(stance))
    return ranges


class AnnotateScreen(Screen[None]):
    """The article, the focused item's details, the label palette, and every review key."""

    BINDINGS: ClassVar[list[BindingType]] = [
        _b("tab", "next_item", "next", "Focus the next span or stance"),
        _b("shift+tab", "previous_item", "prev", "Focus the previous span or stance", False),
        _b("a", "accept", "accept", "Accept the focused span or stance and move on"),
        _b("x", "reject", "reject", "Reject the focused span or stance and move on"),
        _b(
            "1",
            "label_key('1')",
            "label",
            "Give the focused span (or the selection) label 1",
            key_display="1-9",
        ),
        *(
            _b(str(n), f"label_key('{n}')", f"label {n}", f"Label key {n}", False)
            for n in range(2, 10)
        ),
        _b("A", "accept_all", "accept all", "Accept every remaining suggestion", False),
        _b(
            "equals_sign",
            "apply_same",
            "same text",
            "Give every span with this text the focused span's decision and label",
            False,
        ),
        _b("left,h", "cursor(-1)", "\u2190", "Move the token cursor left", False),
        _b("right,l", "cursor(1)", "\u2192", "Move the token cursor right", False),
        _b("up,k", "cursor_line(-1)", "\u2191", "Move the token cursor up a line", False),
        _b("down,j", "cursor_line(1)", "\u2193", "Move the token cursor down a line", False),
        _b("shift+left,H", "select(-1)", "select \u2190", "Extend the selection left", False),
        _b("shift+right,L", "select(1)", "select \u2192", "Extend the selection right", False),
        _b("shift+up", "select_line(-1)", "select \u2191", "Extend the selection up a line", False),
        _b(
            "shift+down",
            "select_line(1)",
            "select \u2193",
            "Extend the selection down a line",
            False,
        ),
        _b("escape", "clear_selection", "clear", "Drop the selection", False),
        _b(
            "left_square_bracket",
            "move_boundary('start',-1)",
            "start\u2190",
            "Move the focused span's start one token left",
            False,
        ),
        _b(
            "right_square_bracket",
            "move_boundary('start',1)",
            "start\u2192",
            "Move the focused span's start one token right",
            False,
        ),
        _b(
            "left_curly_bracket",
            "move_boundary('end',-1)",
            "end\u2190",
            "Move the focused span's end one token left",
            False,
        ),
        _b(
            "right_curly_bracket",
            "move_boundary('end',1)",
            "end\u2192",
            "Move the focused span's end one token right",
            False,
        ),
        _b("s", "stance", "stance", "Create a stance whose evidence is the selection"),
        _b(
            STANCE_KEYS["FAVOR"],
            "stance_label('FAVOR')",
            "polarity",
            "Stance label FAVOR (on a selection: new stance)",
            key_display="/".join(STANCE_KEYS.values()),
        ),
        _b(
            STANCE_KEYS["AGAINST"],
            "stance_label('AGAINST')",
            "AGAINST",
            "Stance label AGAINST (on a selection: new stance)",
            False,
        ),
        _b(
            STANCE_KEYS["NEUTRAL"],
            "stance_label('NEUTRAL')",
            "NEUTRAL",
            "Stance label NEUTRAL (on a selection: new stance)",
            False,
        ),
        _b(
            "w",
            "stance_role('holder')",
            "roles",
            "Set the stance's holder to the selection or the focused entity",
            key_display="w/v/t",
        ),
        _b(
            "v",
            "stance_role('speaker')",
            "speaker",
            "Set the stance's speaker to the selection or the focused entity",
            False,
        ),
        _b(
            "t",
            "stance_role('target')",
            "target",
            "Set the stance's target to the selection",
            False,
        ),
        _b("c", "stance_role('cue')", "cue", "Set the stance's cue word to the selection", False),
        _b("exclamation_mark", "negate", "negate", "Toggle the stance's negation", False),
        _b("u,ctrl+z", "undo", "undo", "Undo the last decision (any document)"),
        _b("ctrl+y", "redo", "redo", "Redo the last undone decision", False),
        _b(
            "enter",
            "finish",
            "finish",
            "Finish the document (pending suggestions count as accepted) and open the next",
        ),
        _b(
            "space",
            "skip",
            "skip",
            "Skip the document (answer: ignore) and open the next",
            key_display="spc",
        ),
        _b("n", "next_document", "next doc", "Open the next document without finishing", False),
        _b("p", "previous_document", "prev doc", "Open the previous document", False),
        _b(
            "T",
            "train",
            "train",
            "Train a model on the finished documents; it then suggests where nobody has worked",
            False,
        ),
        _b("question_mark", "help", "help", "Show every key"),
        _b("q", "quit", "quit", "Quit (every decision is already saved)", False),
    ]

    # Focus moves on nearly every key; it must not refresh the footer (that recomposes it),
    # so only the two mode flags below carry `bindings=True`.
    focus_id: var[str | None] = var(None)
    """The focused span or stance: what accept, reject and the label keys act on."""
    stance_id: var[str | None] = var(None)
    """The stance that the role keys (holder, speaker, target, cue) edit."""
    selecting: var[bool] = var(False, bindings=True)
    """Whether a selection exists: label keys then add a span, `s` creates a stance."""
    stance_active: var[bool] = var(False, bindings=True)
    """Whether a stance is being edited: the stance keys then show in the footer."""

    def watch_stance_id(self, stance_id: str | None) -> None:
        self.stance_active = stance_id is not None

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
        suggest: Suggest | None,
        loop: LoopSettings | None = None,
        suggester_for: Callable[[str], Suggest] | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.scheme = scheme
        self._suggest = suggest
        self._loop = loop
        self._suggester_for = suggester_for
        self._training: TrainingRun | None = None
        self._training_note: str | None = None  # the header's "training 200/600"
        self._trained_note: str | None = None  # the last round's result, until it suggests
        self._items: list[Item] = []
        self._position: dict[str, int] = {}
        self._cursor: int | None = None  # token index
        self._anchor: int | None = None  # token index where the selection started
        self._pending: set[int] = set()  # hashes the model is working on

    def compose(self) -> ComposeResult:
        # Few widgets on purpose: each one costs something on every key press.
        yield DocHeader(id="doc-header")
        yield ArticleView(self.scheme, id="article")
        yield SidePanel(self.scheme, id="side")
        yield StatusLine(id="status")
        yield KeyBar(id="key-bar")

    def on_mount(self) -> None:
        self.open_document()
        self.set_interval(2.0, self._follow_other_terminals)

    def _follow_other_terminals(self) -> None:
        """Live view: another terminal of this annotator changed the document on screen."""
        try:
            changed = self.session.refresh_if_changed()
        except StoreError:
            return  # the store is away for now; the next key says so
        if changed:
            self.open_document(self.focus_id)
            self.say("updated from another terminal of yours")

    # -- widgets ---------------------------------------------------------------------------

    @property
    def cursor(self) -> int | None:
        """The token the cursor is on (None while the document has no model tokens)."""
        return self._cursor

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    def say(self, message: str, warning: bool = False) -> None:
        self.query_one(StatusLine).say(message, warning)

    # -- documents -------------------------------------------------------------------------

    def open_document(self, focus: str | None = None) -> None:
        """Show the session's open document, from scratch."""
        session = self.session
        self._anchor = None
        self.selecting = False
        self.stance_id = None
        ready = not session.needs_suggestions
        state = session.state
        if ready:
            self._items = self._ordered(state.spans, state.stances)
            if focus is None:
                first = next((i for i in self._items if i.status == "suggested"), None)
                chosen = first or (self._items[0] if self._items else None)
                focus = chosen.id if chosen else None
            self.focus_id = focus
            self._cursor = self._token_of_item(focus) if focus else self._first_token()
            self.article.show(session.document.text, state.spans, state.stances, self._marks())
        else:
            self._items = self._ordered((), ())
            self.focus_id = None
            self._cursor = None
            self.article.show(session.document.text, (), (), Marks())
            # Paint the text first: the worker's spaCy import would compete for the CPU.
            self._pending.add(session.input_hash)
            self.call_after_refresh(self._start_suggestions, session.input_hash)
        self._scroll_to_focus()
        self._refresh_side()
        if ready and (notice := self._label_notice()):
            self.say(notice, warning=True)
        self.post_message(self.DocumentOpened(session.input_hash, ready))
        if ready:
            self._prefetch_next()

    def _label_notice(self) -> str | None:
        state = self.session.state
        return self.scheme.outside_notice(state.spans, state.stances)

    def _say_with_notice(self, message: str) -> None:
        """An acknowledgement, and the new document's labels outside the scheme if any."""
        notice = self._label_notice()
        self.say(f"{message}; {notice}" if notice else message, warning=bool(notice))

    def _start_suggestions(self, input_hash: int) -> None:
        self._pending.discard(input_hash)
        self._request_suggestions(input_hash)
        self._refresh_side()

    def _request_suggestions(self, input_hash: int) -> None:
        if self._suggest is None:
            self.say("this document has no suggestions and no model is available", True)
            return
        if input_hash in self._pending:
            return
        self._pending.add(input_hash)
        suggest = self._suggest
        self.run_worker(
            lambda: suggest([input_hash]),
            name=str(input_hash),
            group="suggest",
            thread=True,
            exit_on_error=False,
        )

    def _prefetch_next(self) -> None:
        """Suggest the next document in the background, so that it opens ready."""
        session = self.session
        following = session.index + 1
        if following < len(session.hashes) and self._suggest is not None:
            next_hash = session.hashes[following]
            if not session.store.has_suggestions(next_hash):
                self._request_suggestions(next_hash)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "train" and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self._trained(worker)
            return
        if worker.group != "suggest" or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
        ):
            return
        input_hash = int(worker.name)
        self._pending.discard(input_hash)
        if event.state == WorkerState.ERROR:
            self.say(f"the model failed: {worker.error}", warning=True)
            self._refresh_side()
            return
        if input_hash == self.session.input_hash and self.session.needs_suggestions:
            self.session.reload()
            self.open_document()
            # After a training round the result stays on the status line: it says which
            # model these suggestions come from.
            ready = (
                f"{self._trained_note}; its suggestions are on screen" if self._trained_note else ""
            )
            self._trained_note = None
            self._say_with_notice(ready or "suggestions ready")

    def _ordered(self, spans: Iterable[Span], stances: Iterable[Stance]) -> list[Item]:
        """Spans and stances in text order (tab order), indexed by id for the lookups."""
        # The store keeps both in text order already: a merge is linear, a sort is not
        # (it is thousands of items on a long article, on every edit).
        ordered_spans = _in_text_order(list(spans), lambda span: span.start)
        ordered_stances = _in_text_order(list(stances), lambda stance: stance.evidence.start)
        items: list[Item] = []
        i = j = 0
        while i < len(ordered_spans) and j < len(ordered_stances):
            # At equal starts the span comes first (tab reaches the entity, then the stance).
            if ordered_spans[i].start <= ordered_stances[j].evidence.start:
                items.append(ordered_spans[i])
                i += 1
            else:
                items.append(ordered_stances[j])
                j += 1
        items += ordered_spans[i:]
        items += ordered_stances[j:]
        self._position = {item.id: index for index, item in enumerate(items)}
        return items

    # -- view state ------------------------------------------------------------------------

    def _marks(self) -> Marks:
        return Marks(
            focus=self.focus_id,
            cursor=self._token_chars(self._cursor, self._cursor),
            selection=self._selection_chars(),
            stance=self.stance_id,
        )

    def _token_chars(self, first: int | None, last: int | None) -> tuple[int, int] | None:
        context = self.session.context
        if context is None or first is None or last is None:
            return None
        first, last = sorted((first, last))
        return context.index.char_range(first, last)

    def _selection_tokens(self) -> tuple[int, int] | None:
        if self._anchor is None or self._cursor is None:
            return None
        first, last = sorted((self._anchor, self._cursor))
        return first, last

    def _selection_chars(self) -> tuple[int, int] | None:
        tokens = self._selection_tokens()
        return self._token_chars(*tokens) if tokens else None

    def _first_token(self) -> int | None:
        context = self.session.context
        if context is None:
            return None
        tokens = context.index.tokens
        return next((t.id for t in tokens if not is_space_token(t)), None)

    def _token_of_item(self, item_id: str | None) -> int | None:
        item = self._find(item_id)
        context = self.session.context
        if item is None or context is None:
            return self._cursor
        if isinstance(item, Span):
            return item.token_start
        return context.index.token_at(item.evidence.start)

    def _find(self, item_id: str | None) -> Item | None:
        index = self._position.get(item_id) if item_id is not None else None
        return self._items[index] if index is not None else None

    def _span_at_token(self, token: int) -> Span | None:
        return next(
            (
                i
                for i in self._items
                if isinstance(i, Span)
                and i.token_start <= token <= i.token_end
                and i.status != "rejected"
            ),
            None,
        ) or next(
            (
                i
                for i in self._items
                if isinstance(i, Span) and i.token_start <= token <= i.token_end
            ),
            None,
        )

    def _set_view(
        self, focus: str | None, cursor: int | None, anchor: int | None, stance: str | None = None
    ) -> None:
        """Move focus, cursor and selection; only their old and new lines are redrawn."""
        self.focus_id = focus
        self._cursor = cursor
        self._anchor = anchor
        self.selecting = anchor is not None and anchor != cursor
        if stance is not None:
            self.stance_id = stance
        focused = self._find(focus)
        if isinstance(focused, Stance):
            self.stance_id = focused.id
        self.article.set_marks(self._marks())
        self._scroll_to_cursor()
        self._refresh_side()

    def _scroll_to_cursor(self) -> None:
        chars = self._token_chars(self._cursor, self._cursor)
        if chars is not None:
            self.article.scroll_to_offset(chars[0])

    def _scroll_to_focus(self) -> None:
        item = self._find(self.focus_id)
        if item is not None:
            self.article.scroll_to_offset(_item_start(item))
        else:
            self._scroll_to_cursor()

    def _refresh_side(self) -> None:
        session = self.session
        busy = None
        if session.needs_suggestions:
            waiting = session.input_hash in self._pending
            busy = "suggesting\u2026 " if waiting else "no suggestions "
        self.query_one(DocHeader).show(
            session.document.title, session.progress(), busy, self._training_note
        )
        editing = self._find(self.stance_id)
        self.query_one(SidePanel).show(
            self._find(self.focus_id), editing if isinstance(editing, Stance) else None
        )

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")
        self._refresh_side()

    # -- applying edits --------------------------------------------------------------------

    def _apply(self, command: EditCommand, focus: str | None | bool = False) -> Change | None:
        """Commit a command; on success redraw what it touched. `focus=False` keeps focus."""
        try:
            change = self.session.apply(command)
        except EditRefused as refused:
            self.say(str(refused), warning=True)
            self.app.bell()
            return None
        self._after_change(change, self.focus_id if focus is False else focus)  # type: ignore[arg-type]
        return change

    def _after_change(self, change: Change, focus: str | None) -> None:
        state = self.session.state
        self._items = self._ordered(state.spans, state.stances)
        if self._find(focus) is None:
            focus = None
        if self._find(self.stance_id) is None:
            self.stance_id = None
        self.focus_id = focus
        if focus is not None and self._anchor is None:
            self._cursor = self._token_of_item(focus)
        self.selecting = self._anchor is not None and self._anchor != self._cursor
        self.article.update(state.spans, state.stances, change_ranges(change), self._marks())
        self._scroll_to_focus()
        self._refresh_side()
        if not change.is_empty:
            self.say(f"saved: {change.summary}")
        self.post_message(self.Edited(change))

    def _neighbour(self, item_id: str | None, step: int) -> str | None:
        """The item after (or before) `item_id`, or after the cursor when nothing is focused."""
        if not self._items:
            return None
        if item_id in self._position:
            index = self._position[item_id] + step
            return self._items[index].id if 0 <= index < len(self._items) else None
        chars = self._token_chars(self._cursor, self._cursor)
        at = chars[0] if chars else 0
        if step > 0:
            return next((i.id for i in self._items if _item_start(i) >= at), None)
        return next((i.id for i in reversed(self._items) if _item_start(i) < at), None)

    def _require_focus(self) -> Item | None:
        item = self._find(self.focus_id)
        if item is None:
            self.say("nothing focused: tab to a span, or move the cursor onto one", True)
        return item

    def _ready(self) -> bool:
        if self.session.needs_suggestions:
            self.say("wait for the suggestions: the model is still working", True)
            return False
        return True

    # -- actions: items --------------------------------------------------------------------

    def action_next_item(self) -> None:
        target = self._neighbour(self.focus_id, 1)
        if target is None:
            self.say("no more spans in this document: enter finishes it")
            return
        self._set_view(target, self._token_of_item(target), None)

    def action_previous_item(self) -> None:
        target = self._neighbour(self.focus_id, -1)
        if target is None:
            self.say("this is the first span")
            return
        self._set_view(target, self._token_of_item(target), None)

    def _decide(self, command: EditCommand, item: Item) -> None:
        after = self._neighbour(item.id, 1)
        change = self._apply(command, focus=item.id)
        if change is not None:
            target = self._neighbour(item.id, 1) if self._find(item.id) else after
            if target is not None:
                self._set_view(target, self._token_of_item(target), None)

    def action_accept(self) -> None:
        item = self._require_focus()
        if item is not None:
            self._decide(Accept(item.id), item)

    def action_reject(self) -> None:
        item = self._require_focus()
        if item is not None:
            self._decide(Reject(item.id), item)

    def action_label_key(self, key: str) -> None:
        label = self.scheme.by_key(key)
        if label is None:
            self.say(f"no label has the key {key}", True)
            return
        self.action_label(label.name)

    def action_label(self, name: str) -> None:
        """Add a span with this label over the selection, or relabel the focused span."""
        if not self._ready():
            return
        selection = self._selection_tokens()
        if selection is not None:
            change = self._apply(AddSpan(selection[0], selection[1], name))
            if change is not None and change.spans_after:
                self._anchor = None
                added = change.spans_after[0].id
                self._set_view(added, change.spans_after[0].token_start, None)
            return
        item = self._find(self.focus_id)
        if item is None and self._cursor is not None:
            # Nothing focused: the cursor's token becomes a one-token span.
            change = self._apply(AddSpan(self._cursor, self._cursor, name))
            if change is not None and change.spans_after:
                self._set_view(change.spans_after[0].id, self._cursor, None)
            return
        if isinstance(item, Stance):
            keys = ", ".join(f"{name} ({key})" for name, key in STANCE_KEYS.items())
            self.say(f"a stance's label is one of {keys}", True)
        elif item is not None:
            self._apply(Relabel(item.id, name))

    def action_accept_all(self) -> None:
        if self._ready():
            self._apply(AcceptAll())

    def action_apply_same(self) -> None:
        item = self._require_focus()
        if isinstance(item, Stance):
            self.say("apply to same text works on entity spans", True)
        elif item is not None:
            self._apply(ApplyToSameText(item.id))

    def action_move_boundary(self, edge: str, delta: int) -> None:
        item = self._require_focus()
        if isinstance(item, Stance):
            self.say("only entity spans have token boundaries to move", True)
        elif item is not None:
            self._apply(
                MoveBoundary(item.id, "start" if edge == "start" else "end", 1 if delta > 0 else -1)
            )

    # -- actions: cursor and selection -------------------------------------------------------

    def _step(self, token: int, delta: int) -> int:
        context = self.session.context
        assert context is not None
        tokens = context.index.tokens
        index = token + delta
        while 0 <= index < len(tokens) and is_space_token(tokens[index]):
            index += delta
        return index if 0 <= index < len(tokens) else token

    def _token_on_line(self, token: int, delta: int) -> int:
        context = self.session.context
        assert context is not None
        view = self.article
        start = context.index.tokens[token].start
        line = view.line_of(start)
        target = line + delta
        if not 0 <= target < view.line_count:
            return token
        column = start - view.line_range(line)[0]
        offset = view.offset_at(target, column)
        found = context.index.token_at(offset)
        if found is None:
            return token
        if is_space_token(context.index.tokens[found]):
            return self._step(found, 1 if delta > 0 else -1)
        return found

    def _move(self, token: int, extend: bool) -> None:
        if extend:
            anchor = self._anchor if self._anchor is not None else self._cursor
            self._set_view(self.focus_id, token, anchor)
            return
        span = self._span_at_token(token)
        self._set_view(span.id if span else None, token, None)

    def action_cursor(self, delta: int) -> None:
        if self._cursor is not None:
            self._move(self._step(self._cursor, delta), extend=False)

    def action_cursor_line(self, delta: int) -> None:
        if self._cursor is not None:
            self._move(self._token_on_line(self._cursor, delta), extend=False)

    def action_select(self, delta: int) -> None:
        if self._cursor is not None:
            self._move(self._step(self._cursor, delta), extend=True)

    def action_select_line(self, delta: int) -> None:
        if self._cursor is not None:
            self._move(self._token_on_line(self._cursor, delta), extend=True)

    def action_clear_selection(self) -> None:
        if self._anchor is not None:
            self._set_view(self.focus_id, self._cursor, None)

    def on_article_view_clicked(self, message: ArticleView.Clicked) -> None:
        context = self.session.context
        if context is None:
            return
        token = context.index.token_at(message.offset)
        if token is None:
            return
        span = next(
            (i for i in self._items if isinstance(i, Span) and i.start <= message.offset < i.end),
            None,
        )
        self._set_view(span.id if span else None, token, None)

    def on_article_view_dragged(self, message: ArticleView.Dragged) -> None:
        context = self.session.context
        if context is None:
            return
        anchor = context.index.token_at(message.anchor)
        token = context.index.token_at(message.offset)
        if anchor is not None and token is not None:
            self._set_view(self.focus_id, token, anchor)

    # -- actions: stances ------------------------------------------------------------------

    def _editing(self) -> Stance | None:
        focused = self._find(self.focus_id)
        if isinstance(focused, Stance):
            return focused
        editing = self._find(self.stance_id)
        return editing if isinstance(editing, Stance) else None

    def _create_stance(self, label: str) -> None:
        chars = self._selection_chars()
        if chars is None:
            self.say("select the evidence first (shift+arrows or drag), then press s", True)
            return
        self._anchor = None
        change = self._apply(CreateStance(chars[0], chars[1], label))
        if change is not None and change.stances_after:
            stance = change.stances_after[0]
            self._set_view(stance.id, self._cursor, None, stance=stance.id)
            self.say(f"saved: {change.summary}; now w holder, v speaker, t target (select first)")

    def action_stance(self) -> None:
        if self._ready():
            self._create_stance("NEUTRAL")

    def action_stance_label(self, label: str) -> None:
        if not self._ready():
            return
        if self._selection_tokens() is not None:
            self._create_stance(label)
            return
        stance = self._editing()
        if stance is None:
            self.say("no stance to label: select its evidence and press s, or tab to one", True)
            return
        self._apply(Relabel(stance.id, label))

    def action_stance_role(self, role: str) -> None:
        if not self._ready():
            return
        stance = self._editing()
        if stance is None:
            self.say("no stance: select its evidence and press s first", True)
            return
        chars = self._selection_chars()
        focused = self._find(self.focus_id)
        if chars is None and isinstance(focused, Span):
            chars = (focused.start, focused.end)
        if chars is None:
            self.say(
                f"select the {role} (shift+arrows) or focus an entity, then press the key", True
            )
            return
        self._anchor = None
        change = self._apply(SetStanceRole(stance.id, role, chars[0], chars[1]), focus=stance.id)
        if change is not None:
            self._set_view(stance.id, self._cursor, None, stance=stance.id)

    def action_negate(self) -> None:
        stance = self._editing()
        if stance is None:
            self.say("no stance to negate: tab to one first", True)
            return
        self._apply(ToggleNegated(stance.id))

    # -- actions: history and documents ----------------------------------------------------

    def action_undo(self) -> None:
        self._history(self.session.undo, "undo")

    def action_redo(self) -> None:
        self._history(self.session.redo, "redo")

    def _history(self, step: Callable[[], UndoResult | None], verb: str) -> None:
        try:
            result = step()
        except EditRefused as refused:  # a full disk, or another process changed the document
            self.say(str(refused), warning=True)
            self.app.bell()
            return
        if result is None:
            self.say(f"nothing to {verb}")
            return
        change = result.change
        touched: list[Item] = [
            *change.spans_after,
            *change.stances_after,
            *change.spans_before,
            *change.stances_before,
        ]
        focus = touched[0].id if touched else self.focus_id
        if result.switched or result.input_hash != self.session.input_hash:
            self.open_document(focus=focus if touched else None)
            self.say(change.summary if verb == "undo" else f"redo {change.summary}")
            self.post_message(self.Edited(change))
            return
        self._anchor = None
        self._after_change(change, focus)
        self.say(change.summary if verb == "undo" else f"redo {change.summary}")

    def _answered(self, verb: str) -> None:
        if not self._ready():
            return
        before = self.session.index
        try:
            change = self.session.finish() if verb == "finish" else self.session.skip()
        except EditRefused as refused:
            self.say(str(refused), warning=True)
            return
        if self.session.index == before:
            self._after_change(change, self.focus_id)
            self.say(f"saved: {change.summary}; that was the last document")
            return
        self.open_document()
        self._say_with_notice(f"saved: {change.summary} {before + 1}")
        self.post_message(self.Edited(change))

    def action_finish(self) -> None:
        self._answered("finish")

    def action_skip(self) -> None:
        self._answered("skip")

    def action_next_document(self) -> None:
        if self.session.next():
            self.open_document()
        else:
            self.say("this is the last document")

    def action_previous_document(self) -> None:
        if self.session.previous():
            self.open_document()
        else:
            self.say("this is the first document")

    # -- the loop: train on the finished documents, then suggest with the new model ---------

    def action_train(self) -> None:
        if self._loop is None:
            self.say("training is not available here", True)
            return
        if self._training is not None:
            self.say(f"a model is training already in {self._training.round.output_dir}", True)
            return
        accepted = self.session.accepted_documents
        if accepted < MIN_DOCUMENTS:
            self.say(
                f"finish at least {MIN_DOCUMENTS} documents to train on ({accepted} so far)", True
            )
            return
        round_ = next_round(self._loop.models_dir, self.session.annotator)
        steps = self._loop.steps

        def on_step(step: int) -> None:
            self.app.call_from_thread(self._show_training, f"training {step}/{steps}")

        self._training = TrainingRun(self._loop, self.session.annotator, round_, on_step)
        self._show_training(f"training 0/{steps}")
        self.say(f"training on {accepted} finished documents into {round_.output_dir}; keep going")
        self.run_worker(
            self._training,
            name=str(round_.output_dir),
            group="train",
            thread=True,
            exit_on_error=False,
        )

    def _show_training(self, note: str | None) -> None:
        self._training_note = note
        self._refresh_side()

    def _trained(self, worker: Worker[TrainingOutcome]) -> None:
        self._training = None
        self._show_training(None)
        outcome = worker.result if worker.state == WorkerState.SUCCESS else None
        if outcome is None or outcome.result is None:
            why = outcome.error if outcome is not None else str(worker.error)
            self.say(f"training failed: {why}", True)
            return
        model = str(outcome.model_path)
        f1 = entity_f1(outcome.result)
        scored = f"dev entities F1 {f1:.2f}" if f1 is not None else "no entity scores"
        if self._loop is not None:
            # The next round fine-tunes this one: each round starts from the last model.
            self._loop = replace(self._loop, base_model=model)
        if self._suggester_for is not None:
            self._suggest = self._suggester_for(model)
        from annotator.workflow import refresh_for_model

        fresh = refresh_for_model(self.session.store, self.session.hashes, model)
        untouched = f"it now suggests {fresh} untouched documents" if fresh else "nothing untouched"
        message = f"trained {model} ({scored}); {untouched}; pass it as --model next time"
        if not self.session.store.has_suggestions(self.session.input_hash):
            self._trained_note = message
            self.session.reload()
            self.open_document()
        self.say(message)

    def on_unmount(self) -> None:
        if self._training is not None:
            self._training.stop()

    def action_help(self) -> None:
        from annotator.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.BINDINGS))

    def action_quit(self) -> None:
        self.app.exit()

    def perform(self, action: str) -> None:
        """Run an action by its string (as the command palette does), ignoring the mode."""
        _, name, arguments = parse_action(action)
        getattr(self, f"action_{name}")(*arguments)

    # -- which keys the footer shows ---------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys of other modes stay out of the footer (and do nothing)."""
        if action in ("stance_role", "negate"):
            return self.stance_active
        if action == "stance":
            return self.selecting
        if action == "stance_label":
            return self.selecting or self.stance_active
        return True

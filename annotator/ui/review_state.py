"""ReviewState: what the annotation screen shows besides the store's data, in plain Python.

Which span or stance has focus, where the token cursor is, what is selected and which
stance the role keys edit. No Textual here: the screen asks this class where things go,
and tests exercise it with plain pytest.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.core.model import DocumentState, Span, Stance, TextRef, stance_order
from annotator.core.tokens import TokenIndex, is_space_token
from annotator.core.uncertainty import LOW_CONFIDENCE, span_confidence

Item = Span | Stance
ROLES = ("holder", "speaker", "target", "cue")


@dataclass(frozen=True)
class Marks:
    """What the article draws besides the annotations: focus, cursor, selection, roles."""

    focus: str | None = None  # id of the focused span or stance
    cursor: tuple[int, int] | None = None  # character range of the token cursor
    selection: tuple[int, int] | None = None  # character range of the selection
    stance: str | None = None  # id of the stance being edited (its roles are drawn)


def item_start(item: Item) -> int:
    """Where a span, or a stance's evidence, starts."""
    return item.start if isinstance(item, Span) else item.evidence.start


def item_ranges(item: Item) -> list[tuple[int, int]]:
    """Every character range an item draws on: a span, or a stance's evidence and roles."""
    if isinstance(item, Span):
        return [(item.start, item.end)]
    refs: list[TextRef | None] = [item.evidence, *(item.role(r) for r in ROLES)]
    return [(r.start, r.end) for r in refs if r is not None]


def _tab_key(item: Item) -> tuple[Any, ...]:
    """Tab order: by start; at one start the span before the stance; then as the state
    orders them (spans by end and id, stances by id)."""
    if isinstance(item, Span):
        return (item.start, 0, item.end, item.id)
    return (item.evidence.start, 1, 0, item.id)


class ReviewState:
    """Focus, cursor, selection and the stance being edited, over one document's items."""

    def __init__(self) -> None:
        self.focus: str | None = None
        self.stance: str | None = None
        self.cursor: int | None = None  # token index
        self.anchor: int | None = None  # token index where the selection started
        self.index: TokenIndex | None = None  # None while the document has no model tokens
        # The items in the state's order, found by bisection: an edit on a record of
        # 100,000 spans never walks them all.
        self._spans: Sequence[Span] = ()
        self._stances: Sequence[Stance] = ()
        self._span_ids: dict[str, Span] = {}
        self._stance_ids: dict[str, Stance] = {}
        self._span_reach = 0  # at least the longest span, in characters
        self._items: list[Item] | None = None

    # -- the document ------------------------------------------------------------------

    def load(
        self, spans: Iterable[Span], stances: Iterable[Stance], index: TokenIndex | None
    ) -> None:
        """A document opens: its items, no focus, no selection, the cursor on the first word."""
        self.index = index
        self.set_items(spans, stances)
        self.focus = self.stance = self.anchor = None
        self.cursor = self.first_token()

    def set_items(self, spans: Iterable[Span], stances: Iterable[Stance]) -> None:
        """New items (after an edit): ids that went away lose focus and editing."""
        self.adopt(DocumentState(spans=tuple(spans), stances=tuple(stances)))

    def adopt(self, state: DocumentState) -> None:
        """The items of a state (after an edit its indexes are known: nothing is sorted
        or counted again); ids that went away lose focus and editing."""
        self._spans = state.spans_in_order
        self._stances = state.stances_in_order
        self._span_ids = state.span_ids
        self._stance_ids = state.stance_ids
        self._span_reach = state.span_reach
        self._items = None
        if self.find(self.focus) is None:
            self.focus = None
        if not isinstance(self.find(self.stance), Stance):
            self.stance = None

    @property
    def items(self) -> list[Item]:
        """Every span and stance in tab order (merged on first use after a change)."""
        if self._items is None:
            spans: Sequence[Item] = self._spans
            stances: Sequence[Item] = self._stances
            self._items = list(heapq.merge(spans, stances, key=_tab_key))
        return self._items

    def find(self, item_id: str | None) -> Item | None:
        """The span or stance with this id, if the document has it."""
        if item_id is None:
            return None
        return self._span_ids.get(item_id) or self._stance_ids.get(item_id)

    def stance_number(self, stance_id: str) -> int:
        """1-based place of a stance among the document's stances, in tab order (the
        article numbers stacked stance markers so)."""
        stance = self._stance_ids[stance_id]
        return bisect_left(self._stances, stance_order(stance), key=stance_order) + 1

    # -- focus -------------------------------------------------------------------------

    @property
    def focused(self) -> Item | None:
        return self.find(self.focus)

    @property
    def selecting(self) -> bool:
        """Whether a selection of at least one token exists (label keys then add a span)."""
        return self.anchor is not None and self.anchor != self.cursor

    def editing(self) -> Stance | None:
        """The stance the role keys act on: the focused one, else the one edited last."""
        focused = self.focused
        if isinstance(focused, Stance):
            return focused
        editing = self.find(self.stance)
        return editing if isinstance(editing, Stance) else None

    def set_view(
        self,
        focus: str | None,
        cursor: int | None,
        anchor: int | None = None,
        stance: str | None = None,
    ) -> None:
        """Move focus, cursor and selection; a focused stance becomes the one edited."""
        self.focus = focus
        self.cursor = cursor
        self.anchor = anchor
        if stance is not None:
            self.stance = stance
        if isinstance(self.find(focus), Stance):
            self.stance = focus

    def focus_item(self, item_id: str | None) -> None:
        """Focus an item and put the cursor on its first token; the selection goes."""
        self.set_view(item_id, self.token_of_item(item_id), None)

    def next_unsure(self, item_id: str | None, below: float = LOW_CONFIDENCE) -> str | None:
        """The next suggested span after `item_id` (wrapping round) whose model confidence is
        below `below`; None when there is none."""
        item = self.find(item_id)
        split = bisect_right(self._spans, _tab_key(item), key=_tab_key) if item else 0
        for span in (*self._spans[split:], *self._spans[:split]):
            if span.status == "suggested":
                confidence = span_confidence(span)
                if confidence is not None and confidence < below:
                    return span.id
        return None

    def neighbour(self, item_id: str | None, step: int) -> str | None:
        """The item after (or before) `item_id`, or after the cursor when nothing is focused."""
        item = self.find(item_id)
        if item is not None:
            key = _tab_key(item)
        else:
            chars = self.token_chars(self.cursor, self.cursor)
            key = (chars[0] if chars else 0,)
        found: list[Item] = []
        kinds: tuple[Sequence[Item], ...] = (self._spans, self._stances)
        for items in kinds:
            if step > 0:
                after = (bisect_right if item else bisect_left)(items, key, key=_tab_key)
                found.extend(items[after : after + 1])
            else:
                before = bisect_left(items, key, key=_tab_key) - 1
                found.extend(items[before : before + 1] if before >= 0 else ())
        if not found:
            return None
        chosen = min(found, key=_tab_key) if step > 0 else max(found, key=_tab_key)
        return chosen.id

    def first_suggested(self) -> str | None:
        """The first item still to review, else the first item."""
        firsts: list[Item] = []
        kinds: tuple[Sequence[Item], ...] = (self._spans, self._stances)
        for items in kinds:
            first = next((i for i in items if i.status == "suggested"), None)
            if first is not None:
                firsts.append(first)
        if not firsts:
            firsts = [*self._spans[:1], *self._stances[:1]]
        return min(firsts, key=_tab_key).id if firsts else None

    # -- tokens ------------------------------------------------------------------------

    def first_token(self) -> int | None:
        if self.index is None:
            return None
        return next((t.id for t in self.index.tokens if not is_space_token(t)), None)

    def token_chars(self, first: int | None, last: int | None) -> tuple[int, int] | None:
        """The characters from token `first` to token `last` (either order)."""
        if self.index is None or first is None or last is None:
            return None
        first, last = sorted((first, last))
        return self.index.char_range(first, last)

    def token_of_item(self, item_id: str | None) -> int | None:
        """The first token of an item (the cursor goes there when it gets focus)."""
        item = self.find(item_id)
        if item is None or self.index is None:
            return self.cursor
        if isinstance(item, Span):
            return item.token_start
        return self.index.token_at(item.evidence.start)

    def step(self, token: int, delta: int) -> int:
        """The next word token `delta` away (spaces are skipped); `token` at either end."""
        if self.index is None:
            return token
        tokens = self.index.tokens
        index = token + delta
        while 0 <= index < len(tokens) and is_space_token(tokens[index]):
            index += delta
        return index if 0 <= index < len(tokens) else token

    def span_at_token(self, token: int) -> Span | None:
        """The span over a token, preferring one not rejected."""
        if self.index is None or not 0 <= token < len(self.index.tokens):
            return None
        at = self.index.tokens[token].start
        lo = bisect_left(self._spans, at - self._span_reach, key=lambda s: s.start)
        hi = bisect_right(self._spans, at, key=lambda s: s.start)
        covering = [s for s in self._spans[lo:hi] if s.token_start <= token <= s.token_end]
        kept = [s for s in covering if s.status != "rejected"]
        chosen = kept or covering
        return chosen[0] if chosen else None

    # -- selection ---------------------------------------------------------------------

    def selection_tokens(self) -> tuple[int, int] | None:
        if self.anchor is None or self.cursor is None:
            return None
        first, last = sorted((self.anchor, self.cursor))
        return first, last

    def selection_chars(self) -> tuple[int, int] | None:
        tokens = self.selection_tokens()
        return self.token_chars(*tokens) if tokens else None

    def role_chars(self) -> tuple[int, int] | None:
        """What a role key takes: the selection, else the focused entity, else the word under
        the cursor (a one-word selection)."""
        chars = self.selection_chars()
        if chars is not None:
            return chars
        focused = self.focused
        if isinstance(focused, Span):
            return focused.start, focused.end
        return self.token_chars(self.cursor, self.cursor)

    def marks(self) -> Marks:
        return Marks(
            focus=self.focus,
            cursor=self.token_chars(self.cursor, self.cursor),
            selection=self.selection_chars(),
            stance=self.stance,
        )

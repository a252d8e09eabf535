"""ReviewState: what the annotation screen shows besides the store's data, in plain Python.

Which span or stance has focus, where the token cursor is, what is selected and which
stance the role keys edit. No Textual here: the screen asks this class where things go,
and tests exercise it with plain pytest.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from annotator.core.model import Span, Stance, TextRef
from annotator.core.tokens import TokenIndex, is_space_token
from annotator.core.uncertainty import LOW_CONFIDENCE, span_confidence

Item = Span | Stance
T = TypeVar("T")
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


def _in_text_order(items: list[T], start: Callable[[T], int]) -> list[T]:
    """`items` sorted by start; a check, not a sort, when they come in order (the usual case)."""
    starts = [start(item) for item in items]
    if all(a <= b for a, b in zip(starts, starts[1:], strict=False)):
        return items
    return sorted(items, key=start)


class ReviewState:
    """Focus, cursor, selection and the stance being edited, over one document's items."""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.focus: str | None = None
        self.stance: str | None = None
        self.cursor: int | None = None  # token index
        self.anchor: int | None = None  # token index where the selection started
        self.index: TokenIndex | None = None  # None while the document has no model tokens
        self._position: dict[str, int] = {}
        self._stance_numbers: dict[str, int] = {}
        self._spans: list[Span] = []  # spans by token_start, for the cursor's lookups
        self._span_starts: list[int] = []
        self._span_reach = 0

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
        self.items = items
        self._position = {item.id: index for index, item in enumerate(items)}
        self._stance_numbers = {s.id: n for n, s in enumerate(ordered_stances, start=1)}
        self._spans = _in_text_order(ordered_spans, lambda span: span.token_start)
        self._span_starts = [span.token_start for span in self._spans]
        self._span_reach = max((s.token_end - s.token_start for s in self._spans), default=0)
        if self.find(self.focus) is None:
            self.focus = None
        if not isinstance(self.find(self.stance), Stance):
            self.stance = None

    def find(self, item_id: str | None) -> Item | None:
        """The span or stance with this id, if the document has it."""
        index = self._position.get(item_id) if item_id is not None else None
        return self.items[index] if index is not None else None

    def stance_number(self, stance_id: str) -> int:
        """1-based place of a stance among the document's stances, in tab order (the
        article numbers stacked stance markers so)."""
        return self._stance_numbers[stance_id]

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
        start = self._position.get(item_id, -1) if item_id is not None else -1
        count = len(self.items)
        for offset in range(1, count + 1):
            item = self.items[(start + offset) % count]
            if isinstance(item, Span) and item.status == "suggested":
                confidence = span_confidence(item)
                if confidence is not None and confidence < below:
                    return item.id
        return None

    def neighbour(self, item_id: str | None, step: int) -> str | None:
        """The item after (or before) `item_id`, or after the cursor when nothing is focused."""
        if not self.items:
            return None
        if item_id in self._position:
            index = self._position[item_id] + step
            return self.items[index].id if 0 <= index < len(self.items) else None
        chars = self.token_chars(self.cursor, self.cursor)
        at = chars[0] if chars else 0
        starts = [item_start(i) for i in self.items]
        if step > 0:
            index = bisect_left(starts, at)
            return self.items[index].id if index < len(self.items) else None
        index = bisect_left(starts, at) - 1
        return self.items[index].id if index >= 0 else None

    def first_suggested(self) -> str | None:
        """The first item still to review, else the first item."""
        first = next((i for i in self.items if i.status == "suggested"), None)
        chosen = first or (self.items[0] if self.items else None)
        return chosen.id if chosen else None

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
        lo = bisect_left(self._span_starts, token - self._span_reach)
        hi = bisect_right(self._span_starts, token)
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

"""Edit commands: every change to annotations is a command that plans a reversible Change.

A command looks at the current state and returns a `Change` (what it removes and what it
puts). Changes are what the store logs; undo applies `change.inverse()`. Replaying the
changes of the log rebuilds the state, so the log is the one source of truth.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

# Changes live in `annotator.core.change`; importable from here as well, where callers
# have always found them next to the commands that plan them.
from annotator.core.change import Change as Change
from annotator.core.change import EditRefused as EditRefused
from annotator.core.change import apply_change as apply_change
from annotator.core.model import (
    STANCE_LABELS,
    STANCE_ROLES,
    Answer,
    DocumentState,
    Span,
    SpanStatus,
    Stance,
    TextRef,
    Token,
)
from annotator.core.tokens import TokenIndex, is_space_token


@dataclass(frozen=True)
class EditContext:
    """The text and tokens an edit works on, indexed once per document."""

    text: str
    index: TokenIndex

    @staticmethod
    def of(text: str, tokens: Sequence[Token]) -> EditContext:
        return EditContext(text=text, index=TokenIndex(tokens))

    def ref(self, start: int, end: int) -> TextRef:
        return TextRef(start=start, end=end, text=self.text[start:end])


def _edited(status: SpanStatus) -> SpanStatus:
    # An added item stays "added": the model never proposed it.
    return "added" if status == "added" else "edited"


def _find(state: DocumentState, item_id: str) -> Span | Stance:
    found = state.span_ids.get(item_id) or state.stance_ids.get(item_id)
    if found is None:
        raise EditRefused(f"no span or stance with id {item_id}")
    return found


def _replace_item(
    command: str, summary: str, before: Span | Stance, after: Span | Stance, state: DocumentState
) -> Change:
    if isinstance(before, Span) and isinstance(after, Span):
        return Change(command, summary, (before,), (after,), (), (), state.answer, state.answer)
    if isinstance(before, Stance) and isinstance(after, Stance):
        return Change(command, summary, (), (), (before,), (after,), state.answer, state.answer)
    raise TypeError("before and after must be of the same kind")


def _describe(item: Span | Stance) -> str:
    if isinstance(item, Span):
        return f"{item.label} {item.text!r}"
    return f"{item.label} stance {item.evidence.text[:40]!r}"


class EditCommand(ABC):
    """Base of all commands: `plan` returns the Change the command would make."""

    name = "edit"

    @abstractmethod
    def plan(self, state: DocumentState, context: EditContext) -> Change:
        """The change this command makes to `state` (raises EditRefused when it cannot)."""


@dataclass(frozen=True)
class Accept(EditCommand):
    """Accept a suggested (or rejected) span or stance as it is."""

    item_id: str
    name = "accept"

    def plan(self, state: DocumentState, context: EditContext) -> Change:
        item = _find(state, self.item_id)
        status: SpanStatus = item.status if item.status in ("added", "edited") else "accepted"
        return _replace_item(
            self.name, f"accept {_describe(item)}", item, item.with_changes(status=status), state
        )


@dataclass(frozen=True)
class Reject(EditCommand):
    """Reject a suggestion (kept as a negative example); an added item is simply removed."""

    item_id: str
    name = "reject"

    def plan(self, state: DocumentState, context: EditContext) -> Change:
        item = _find(state, self.item_id)
        if item.status == "added":
            return Delete(self.item_id).plan(state, context)
        return _replace_item(
            self.name,
            f"reject {_describe(item)}",
            item,
            item.with_changes(status="rejected"),
            state,
        )


@dataclass(frozen=True)
class Delete(EditCommand):
    """Remove a span or stance entirely (no negative example is kept)."""

    item_id: str
    name = "delete"

    def plan(self, state: DocumentState, context: EditContext) -> Change:
        item = _find(state, self.item_id)
        summary = f"delete {_describe(item)}"
        if isinstance(item, Span):
            return Change(self.name, summary, (item,), (), (), (), state.answer, state.answer)
        return Change(self.name, summary, (), (), (item,), (), state.answer, state.answer)


@dataclass(frozen=True)
class Relabel(EditCommand):
    """Give an entity span another label (or a stance another polarity)."""

    item_id: str
    label: str
    name = "relabel"

    def plan(self, state: DocumentState, context: EditContext) -> Change:
        item = _find(state, self.item_id)
        if isinstance(item, Stance) and self.label not in STANCE_LABELS:
            raise EditRefused(f"a stance label is one of {', '.join(STANCE_LABELS)}")
        if item.label == self.label:
            return Accept(self.item_id).plan(state, context)
        after = item.with_changes(label=self.label, status=_edited(item.status))
        return _replace_item(
            self.name, f"relabel {_describe(item)} as {self.label}", item, after, state
        )


@dataclass(frozen=True)
class MoveBoundary(EditCommand):
    """Move a span's start or end by one token (whitespace tokens are stepped over)."""

    span_id: str
    edge: Literal["start", "end"]
    delta: Literal[-1, 1]
    name = "resize"

    def plan(self, state: DocumentState, context: EditContext) -> Change:
        item = _find(state, self.span_id)
        if not isinstance(item, Span):
            raise EditRefused("only entity spans have token boundaries to move")
        tokens = context.index.tokens
        first, last = item.token_start, item.token_end
        if self.edge == "start":
            first = _step(tokens, first, self.delta)
        else:
            last = _step(tokens, last, self.delta)
        if first < 0 or last >= len(tokens):
            raise EditRefused("the span is already at the edge of the text")
        if first > last:
            raise EditRefused("a span must keep at least one token; delete it instead")
        start, end = context.index.char_range(first, last)
        after = item.with_changes(
            start=start,
            end=end,
            token_start=first,
            token_end=last,
            text=context.text[start:end],
            status=_edited(item.status),
        )
        return _replace_item(self.name, f"resize {_describe(item)}", item, after, state)


def _step(tokens: Sequence[Token], index: int, delta: int) -> int:
    index += delta
    while 0 <= index < len(tokens) and is_space_token(tokens[index]):
        index += delta
    return index


@dataclass(frozen=True)
class AddSpan(EditCommand):
    """Add an entity span over a token range (inclusive), edge whitespace trimmed."""

    token_start: int
    token_end: int
    label: str
    name = "add"

    def plan(self, state: DocumentState, context: EditContext) -> Change:
        tokens = context.index.tokens
        first, last = sorted((self.token_start, self.token_end))
        if first < 0 or last >= len(tokens):
            raise EditRefused("the selection lies outside the text")
        while first <= last and is_space_token(tokens[first]):
            first += 1
        while last >= first and is_space_token(tokens[last]):
            last -= 1
        if first > last:
            raise EditRefused("the selection holds only whitespace")
        start, end = context.index.char_range(first, last)
        span = Span(
            id=f"e{state.span_id_top + 1}",  # kept by the state: no walk over its spans
            start=start,
            end=end,
            token_start=first,
            token_end=last,
            label=self.label,
            text=context.text[start:end],
            source="manual",
            status="added",
        )
        return Change(
            self.name, f"add {_describe(span)}", (), (span,), (), (), state.answer, state.answer
        )


@dataclass(frozen=True)
class AcceptAll(EditCommand):
    """Accept every span and stance still waiting for review."""

    name = "accept_all"

    def plan(self, state: DocumentState, context: EditContext) -> Change:
        return _accept_pending(state, self.name, state.answer)


def _accept_pending(state: DocumentState, command: str, answer: Answer | None) -> Change:
    """Accept every suggestion still pending, setting the document's answer on the way."""
    spans: tuple[Span, ...] = ()
    stances: tuple[Stance, ...] = ()
    if state.reviewed_count < len(state.spans) + len(state.stances):  # (kept by the state)
        spans = tuple(s for s in state.spans if s.status == "suggested")
        stances = tuple(s for s in state.stances if s.status == "suggested")
    count = len(spans) + len(stances)
    return Change(
        command,
        f"accept {count} remaining suggestion{'s' if count != 1 else ''}",
        spans,
        tuple(s.with_changes(status="accepted") for s in spans),
        stances,
        tuple(s.with_changes(status="accepted") for s in stances),
        state.answer,
        answer,
    )


@dataclass(frozen=True)
class ApplyToSameText(EditCommand):
    """Give every other span with the same text the focused span's decision and label."""

    span_id: str
    name = "apply_to_same_text"

    def plan(self, state: DocumentState, context: EditContext) -> Change:
        model = _find(state, self.span_id)
        if not isinstance(model, Span):
            raise EditRefused("apply-to-all works on entity spans")
        if model.status == "suggested":
            raise EditRefused("decide on this span first (accept, reject or relabel it)")
        before: list[Span] = []
        after: list[Span] = []
        # The spans with this text, from the state's index: not a walk over every span.
        for span_id in state.span_texts.get(model.text, ()):
            span = state.span_ids[span_id]
            if span.id == model.id:
                continue
            if model.status == "rejected":
                if span.status == "added":
                    continue  # the annotator added it on purpose
                new = span.with_changes(status="rejected")
            elif span.label == model.label:
                new = span.with_changes(
                    status=span.status if span.status in ("added", "edited") else "accepted"
                )
            else:
                new = span.with_changes(label=model.label, status=_edited(span.status))
            if new != span:
                before.append(span)
                after.append(new)
        verb = "reject" if model.status == "rejected" else f"label {model.label}"
        return Change(
            self.name,
            f"{verb} {len(before)} more {model.text!r}",
            tuple(before),
            tuple(after),
            (),
            (),
            state.answer,
            state.answer,
        )


@dataclass(frozen=True)
class CreateStance(EditCommand):
    """Create a stance whose evidence is a character range (usually a selection)."""

    start: int
    end: int
    label: str = "FAVOR"
    name = "create_stance"

    def plan(self, state: DocumentState, context: EditContext) -> Change:
        if self.label not in STANCE_LABELS:
            raise EditRefused(f"a stance label is one of {', '.join(STANCE_LABELS)}")
        start, end = sorted((self.start, self.end))
        if not (0 <= start < end <= len(context.text)):
            raise EditRefused("the stance evidence must be a non-empty range inside the text")
        stance = Stance(
            id=f"t{state.stance_id_top + 1}",
            label=self.label,
            evidence=context.ref(start, end),
            target=None,
            source="manual",
            status="added",
        )
        return Change(
            self.name,
            f"create {_describe(stance)}",
            (),
            (),
            (),
            (stance,),
            state.answer,
            state.answer,
        )


@dataclass(frozen=True)
class SetStanceRole(EditCommand):
    """Set (or clear, with start=end=None) a stance's holder, speaker, target, cue or evidence."""

    stance_id: str
    role: str
    start: int | None
    end: int | None
    name = "set_stance_role"

    def plan(self, state: DocumentState, context: EditContext) -> Change:
        if self.role not in STANCE_ROLES:
            raise EditRefused(f"a stance role is one of {', '.join(STANCE_ROLES)}")
        item = _find(state, self.stance_id)
        if not isinstance(item, Stance):
            raise EditRefused("select a stance first")
        ref: TextRef | None = None
        if self.start is not None and self.end is not None:
            start, end = sorted((self.start, self.end))
            if not (0 <= start < end <= len(context.text)):
                raise EditRefused(f"the {self.role} must be a non-empty range inside the text")
            ref = context.ref(start, end)
        elif self.role == "evidence":
            raise EditRefused("a stance always has evidence")
        after = item.with_changes(**{self.role: ref, "status": _edited(item.status)})
        what = f"{ref.text[:30]!r}" if ref else "nothing"
        return _replace_item(
            self.name, f"set {self.role} of {_describe(item)} to {what}", item, after, state
        )


@dataclass(frozen=True)
class ToggleNegated(EditCommand):
    """Flip a stance's `negated` flag (and its polarity, as negation does)."""

    stance_id: str
    name = "toggle_negated"

    def plan(self, state: DocumentState, context: EditContext) -> Change:
        item = _find(state, self.stance_id)
        if not isinstance(item, Stance):
            raise EditRefused("select a stance first")
        flipped = {"FAVOR": "AGAINST", "AGAINST": "FAVOR"}.get(item.label, item.label)
        after = item.with_changes(
            negated=not item.negated, label=flipped, status=_edited(item.status)
        )
        return _replace_item(self.name, f"negate {_describe(item)}", item, after, state)


@dataclass(frozen=True)
class SetAnswer(EditCommand):
    """Finish (accept), skip (ignore) or reject the document, or reopen it (None).

    Finishing accepts the remaining suggestions, as Prodigy's correct recipes do.
    """

    answer: Answer | None
    name = "answer"

    def plan(self, state: DocumentState, context: EditContext) -> Change:
        verbs = {"accept": "finish", "ignore": "skip", "reject": "reject", None: "reopen"}
        summary = f"{verbs[self.answer]} document"
        if self.answer == "accept":
            return replace(_accept_pending(state, self.name, self.answer), summary=summary)
        return Change(self.name, summary, answer_before=state.answer, answer_after=self.answer)

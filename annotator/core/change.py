"""Changes: what one edit removes and puts, and the state that results from applying it.

A command plans a `Change`; the store logs it and applies it; undo applies its inverse.
`apply_change` touches only the items a change names: it finds them by bisection in the
state's sorted tuples and looks for overlaps only beside the spans the change puts, so a
decision costs about the same on a record of 100,000 spans as on one of ten (copying the
tuples, done in C, is all that grows with the record).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from annotator.core.model import Answer, DocumentState, Span, Stance, span_order, stance_order

T = TypeVar("T", Span, Stance)


class EditRefused(ValueError):
    """The edit cannot be made (it would overlap a span, leave the text...); says why."""


@dataclass(frozen=True)
class Change:
    """The concrete effect of one command: items removed, items put, and the answer."""

    command: str
    summary: str
    spans_before: tuple[Span, ...] = ()
    spans_after: tuple[Span, ...] = ()
    stances_before: tuple[Stance, ...] = ()
    stances_after: tuple[Stance, ...] = ()
    answer_before: Answer | None = None
    answer_after: Answer | None = None
    undo_of: str | None = field(default=None, compare=False)

    def inverse(self) -> Change:
        return Change(
            command=self.command,
            summary=f"undo {self.summary}",
            spans_before=self.spans_after,
            spans_after=self.spans_before,
            stances_before=self.stances_after,
            stances_after=self.stances_before,
            answer_before=self.answer_after,
            answer_after=self.answer_before,
        )

    @property
    def is_empty(self) -> bool:
        return (
            self.spans_before == self.spans_after
            and self.stances_before == self.stances_after
            and self.answer_before == self.answer_after
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "summary": self.summary,
            "spans_before": [s.to_store() for s in self.spans_before],
            "spans_after": [s.to_store() for s in self.spans_after],
            "stances_before": [s.to_json() for s in self.stances_before],
            "stances_after": [s.to_json() for s in self.stances_after],
            "answer_before": self.answer_before,
            "answer_after": self.answer_after,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Change:
        return Change(
            command=data["command"],
            summary=data["summary"],
            spans_before=tuple(Span.from_store(s) for s in data["spans_before"]),
            spans_after=tuple(Span.from_store(s) for s in data["spans_after"]),
            stances_before=tuple(Stance.from_json(s) for s in data["stances_before"]),
            stances_after=tuple(Stance.from_json(s) for s in data["stances_after"]),
            answer_before=data["answer_before"],
            answer_after=data["answer_after"],
        )


def apply_change(state: DocumentState, change: Change) -> DocumentState:
    """Apply a change to a state; refuses one that does not fit it or breaks an invariant."""
    spans, span_ids = _replaced(
        "span",
        state.spans_in_order,
        state.span_ids,
        change.spans_before,
        change.spans_after,
        span_order,
    )
    stances, stance_ids = _replaced(
        "stance",
        state.stances_in_order,
        state.stance_ids,
        change.stances_before,
        change.stances_after,
        stance_order,
    )
    if state.answer != change.answer_before:
        raise EditRefused("the document's answer changed since this edit was planned")
    reach = max([state.span_reach, *(s.end - s.start for s in change.spans_after)])
    for span in change.spans_after:
        if span.status != "rejected":
            _check_no_overlap(spans, span, reach)
    before: tuple[Span | Stance, ...] = (*change.spans_before, *change.stances_before)
    after: tuple[Span | Stance, ...] = (*change.spans_after, *change.stances_after)
    reviewed = (
        state.reviewed_count
        - sum(1 for item in before if item.status != "suggested")
        + sum(1 for item in after if item.status != "suggested")
    )
    return DocumentState.indexed(
        spans if isinstance(spans, tuple) else tuple(spans),
        stances if isinstance(stances, tuple) else tuple(stances),
        change.answer_after,
        span_ids=span_ids,
        stance_ids=stance_ids,
        reviewed_count=reviewed,
        span_reach=reach,
    )


def _replaced(
    kind: str,
    items: tuple[T, ...],
    ids: dict[str, T],
    removed: Sequence[T],
    put: Sequence[T],
    order: Callable[[T], Any],
) -> tuple[tuple[T, ...] | list[T], dict[str, T]]:
    """`items` (in `order`) with `removed` taken out and `put` added, and their ids."""
    if not removed and not put:
        return items, ids  # nothing of this kind changes: share the tuple and the index
    ordered = list(items)
    ids = dict(ids)
    gone: set[str] = set()
    for item in removed:
        if item.id in gone or ids.get(item.id) != item:
            raise EditRefused(f"{kind} {item.id} changed since this edit was planned")
        gone.add(item.id)
        position = bisect_left(ordered, order(item), key=order)
        if position < len(ordered) and ordered[position] == item:
            del ordered[position]
        else:
            ordered.remove(item)
    for item in put:
        if item.id in ids and item.id not in gone:
            raise EditRefused(f"{kind} {item.id} exists already")
        # An item replaced under its id is overwritten, not deleted and added: the index
        # then stays compact, and copying it for the next edit stays a plain memory copy.
        ids[item.id] = item
        gone.discard(item.id)
        insort(ordered, item, key=order)
    for item_id in gone:
        del ids[item_id]
    return ordered, ids


def _check_no_overlap(spans: Sequence[Span], span: Span, reach: int) -> None:
    """Refuse `span` when a live span beside it overlaps it (`reach`: the widest span)."""
    position = bisect_left(spans, span_order(span), key=span_order)
    before = position - 1
    while before >= 0 and spans[before].start > span.start - reach:
        other = spans[before]
        if other.status != "rejected" and other.end > span.start:
            _refuse_overlap(other, span)
        before -= 1
    after = position + 1
    while after < len(spans) and spans[after].start < span.end:
        other = spans[after]
        if other.status != "rejected":
            _refuse_overlap(span, other)
        after += 1


def _refuse_overlap(left: Span, right: Span) -> None:
    raise EditRefused(
        f"{right.label} {right.text!r} would overlap {left.label} {left.text!r}; "
        "entity spans may not overlap"
    )

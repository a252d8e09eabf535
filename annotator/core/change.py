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

from annotator.core.model import (
    Answer,
    DocumentState,
    Span,
    Stance,
    id_number,
    span_order,
    stance_order,
)

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
    spans, span_ids = replaced_items(
        "span",
        state.spans_in_order,
        state.span_ids,
        change.spans_before,
        change.spans_after,
        span_order,
    )
    stances, stance_ids = replaced_items(
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
    was = {s.id: s for s in change.spans_before}
    for span in change.spans_after:
        old = was.get(span.id)
        # A live span that stays where it was cannot overlap anything new.
        moved = old is None or old.status == "rejected" or (old.start, old.end) != (
            span.start,
            span.end,
        )
        if span.status != "rejected" and moved:
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
        **_carried_indexes(state, change, span_ids),
    )


def _carried_indexes(
    state: DocumentState, change: Change, span_ids: dict[str, Span]
) -> dict[str, Any]:
    """The indexes of `state` that the new state can have without walking its items: the
    highest ids (unless the item holding one went) and the spans by text."""
    known = state.__dict__
    indexes: dict[str, Any] = {}
    for name, prefix, removed, put in (
        ("span_id_top", "e", change.spans_before, change.spans_after),
        ("stance_id_top", "t", change.stances_before, change.stances_after),
    ):
        top = known.get(name)
        if top is None:
            continue
        kept = {item.id for item in put}
        if all(id_number(prefix, i.id) != top for i in removed if i.id not in kept):
            indexes[name] = max([top, *(id_number(prefix, i.id) for i in put)])
    texts = known.get("span_texts")
    if texts is not None:
        indexes["span_texts"] = _texts_after(texts, change, span_ids)
    return indexes


def replaced_items(
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
    ids = dict(ids)
    gone: set[str] = set()
    for item in removed:
        if item.id in gone or ids.get(item.id) != item:
            raise EditRefused(f"{kind} {item.id} changed since this edit was planned")
        gone.add(item.id)
    for item in put:
        if item.id in ids and item.id not in gone:
            raise EditRefused(f"{kind} {item.id} exists already")
    # An item put back under its id where it was (a decision, a label) takes its old
    # place; the others are taken out and put in.
    was = {item.id: item for item in removed}
    in_place = {
        item.id: item for item in put if item.id in was and order(was[item.id]) == order(item)
    }
    if len(removed) + len(put) > max(_FEW, len(items) // 16):
        ordered = _rebuilt(items, gone, in_place, put, order)
    else:
        ordered = list(items)
        for item in removed:
            position = bisect_left(ordered, order(item), key=order)
            if not (position < len(ordered) and ordered[position] == item):
                position = ordered.index(item)
            if item.id in in_place:
                ordered[position] = in_place[item.id]
            else:
                del ordered[position]
        for item in put:
            if item.id not in in_place:
                insort(ordered, item, key=order)
    for item in put:
        # An item replaced under its id is overwritten, not deleted and added: the index
        # then stays compact, and copying it for the next edit stays a plain memory copy.
        ids[item.id] = item
        gone.discard(item.id)
    for item_id in gone:
        del ids[item_id]
    return ordered, ids


# Up to this many changed items (or a sixteenth of the items) are placed by bisection;
# more (accepting every suggestion) rebuild the order in one pass.
_FEW = 64


def _rebuilt(
    items: tuple[T, ...],
    gone: set[str],
    in_place: dict[str, T],
    put: Sequence[T],
    order: Callable[[T], Any],
) -> list[T]:
    """`items` with the changed ones replaced, removed or added, in one pass."""
    ordered = [in_place.get(i.id, i) for i in items if i.id not in gone or i.id in in_place]
    added = [item for item in put if item.id not in in_place]
    if added:
        ordered.extend(added)
        ordered.sort(key=order)
    return ordered


def _texts_after(
    texts: dict[str, tuple[str, ...]], change: Change, span_ids: dict[str, Span]
) -> dict[str, tuple[str, ...]]:
    """`span_texts` after a change: the same dict when no span's text or place changed,
    else a copy with the texts that did sorted again (only their spans)."""
    before = {(s.id, s.text, s.start, s.end) for s in change.spans_before}
    after = {(s.id, s.text, s.start, s.end) for s in change.spans_after}
    if before == after:
        return texts
    texts = dict(texts)
    for text in {t for _, t, _, _ in before ^ after}:
        ids = set(texts.get(text, ()))
        ids -= {i for i, t, _, _ in before if t == text}
        ids |= {i for i, t, _, _ in after if t == text}
        if ids:
            texts[text] = tuple(s.id for s in sorted((span_ids[i] for i in ids), key=span_order))
        else:
            texts.pop(text, None)
    return texts


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

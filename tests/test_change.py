"""Applying changes touches only the items they name: the state that results is the one a
full rebuild gives (in order, indexed, counted), whatever the edits and however many."""

from __future__ import annotations

import random
from typing import Literal

import pytest

from annotator.core.change import Change, EditRefused, apply_change
from annotator.core.commands import (
    Accept,
    AddSpan,
    CreateStance,
    EditCommand,
    EditContext,
    MoveBoundary,
    Reject,
    Relabel,
    ToggleNegated,
)
from annotator.core.model import DocumentState, Span, span_order, stance_order
from annotator.nlp.pipeline import blank_tokenizer

WORDS = ["Ada", "met", "Bo", "in", "Paris", "and", "Cy", "said", "Oslo", "."] * 30
TEXT = " ".join(WORDS)


def _rebuilt(state: DocumentState) -> DocumentState:
    """The same items the slow way: sorted from scratch, nothing carried over."""
    return DocumentState(
        spans=tuple(sorted(state.spans, key=span_order)),
        stances=tuple(sorted(state.stances, key=stance_order)),
        answer=state.answer,
    )


def _check_indexes(state: DocumentState) -> None:
    fresh = _rebuilt(state)
    assert state.spans == fresh.spans and state.stances == fresh.stances
    assert state.span_ids == {s.id: s for s in fresh.spans}
    assert state.stance_ids == {s.id: s for s in fresh.stances}
    assert state.reviewed_count == fresh.reviewed_count
    assert state.span_reach >= fresh.span_reach
    # Indexes carried from the state before are the ones a walk builds.
    assert state.__dict__.get("span_id_top", fresh.span_id_top) == fresh.span_id_top
    assert state.__dict__.get("stance_id_top", fresh.stance_id_top) == fresh.stance_id_top
    assert state.__dict__.get("span_texts", fresh.span_texts) == fresh.span_texts
    live = [s for s in state.spans if s.status != "rejected"]
    assert all(a.end <= b.start for a, b in zip(live, live[1:], strict=False)), "no overlap"


def test_a_long_run_of_random_edits_matches_a_full_rebuild_and_undoes_exactly() -> None:
    context = EditContext.of(TEXT, blank_tokenizer()(TEXT))
    words = [t.id for t in context.index.tokens if not t.text.isspace()]
    state = DocumentState()
    assert state.span_texts == {}  # built now, then carried from edit to edit
    history: list[tuple[DocumentState, Change]] = []
    chooser = random.Random(12)
    refused = 0
    for step in range(400):
        spans = state.spans
        kind = chooser.random()
        if kind < 0.35 or not spans:
            first = chooser.choice(words)
            last = min(first + chooser.choice((0, 2)), words[-1])
            command: EditCommand = AddSpan(first, last, "PERSON")
        elif kind < 0.55:
            command = chooser.choice((Accept, Reject))(chooser.choice(spans).id)
        elif kind < 0.7:
            command = Relabel(chooser.choice(spans).id, chooser.choice(("ORG", "GPE")))
        elif kind < 0.85:
            edge: Literal["start", "end"] = "start" if chooser.random() < 0.5 else "end"
            delta: Literal[-1, 1] = -1 if chooser.random() < 0.5 else 1
            command = MoveBoundary(chooser.choice(spans).id, edge, delta)
        elif kind < 0.93 or not state.stances:
            start = chooser.randrange(0, len(TEXT) - 20)
            command = CreateStance(start, start + chooser.randrange(5, 20), "FAVOR")
        else:
            command = ToggleNegated(chooser.choice(state.stances).id)
        try:
            change = command.plan(state, context)
            after = apply_change(state, change)
        except EditRefused:
            refused += 1
            continue
        history.append((state, change))
        state = after
        _check_indexes(state)
        if step % 7 == 0 and history:  # undo, then redo, as the store does
            before, latest = history[-1]
            undone = apply_change(state, latest.inverse())
            assert _rebuilt(undone) == _rebuilt(before)
            _check_indexes(undone)
            state = apply_change(undone, latest)
            _check_indexes(state)
    assert len(state.spans) > 20 and state.stances and refused > 0


@pytest.fixture
def context() -> EditContext:
    return EditContext.of(TEXT, blank_tokenizer()(TEXT))


def _add(state: DocumentState, context: EditContext, first: int, last: int) -> DocumentState:
    return apply_change(state, AddSpan(first, last, "PERSON").plan(state, context))


def test_an_overlap_is_found_beside_the_edit_even_far_behind_a_long_span(
    context: EditContext,
) -> None:
    added = _add(DocumentState(), context, 0, 40).spans[0]
    state = DocumentState(spans=(added.with_changes(status="suggested"),))  # one long span
    for token in range(60, 200, 4):
        state = _add(state, context, token, token)
    with pytest.raises(EditRefused, match="would overlap"):
        _add(state, context, 38, 38)  # inside the long span, which starts far before
    long = state.spans[0]
    state = apply_change(state, Reject(long.id).plan(state, context))
    state = _add(state, context, 38, 38)  # a rejected span does not count
    with pytest.raises(EditRefused, match="would overlap"):
        apply_change(state, Accept(long.id).plan(state, context))


def test_a_state_read_out_of_order_is_put_in_order_by_its_first_edit(
    context: EditContext,
) -> None:
    ordered = _add(_add(_add(DocumentState(), context, 0, 0), context, 4, 4), context, 8, 8)
    shuffled = DocumentState(
        spans=tuple(s.with_changes(status="suggested") for s in reversed(ordered.spans))
    )
    edited = apply_change(shuffled, Accept(ordered.spans[1].id).plan(shuffled, context))
    assert [s.start for s in edited.spans] == sorted(s.start for s in edited.spans)
    assert edited.reviewed_count == 1 and edited.span_ids[ordered.spans[1].id].status == "accepted"


def test_an_item_named_twice_or_already_there_is_refused(context: EditContext) -> None:
    state = _add(DocumentState(), context, 0, 0)
    span: Span = state.spans[0]
    twice = Change("x", "x", spans_before=(span, span))
    with pytest.raises(EditRefused, match="changed since"):
        apply_change(state, twice)
    with pytest.raises(EditRefused, match="exists already"):
        apply_change(state, Change("x", "x", spans_after=(span,)))

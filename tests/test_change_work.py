"""Edits on a long document do work in proportion to what they change, not to its length.

Counted, not timed: how many order keys an edit computes (each one is an item placed or
looked at), how many ids adding a span reads, how often `=` walks the spans; on a state of
10,000 spans. The results are the ones a walk over everything gives.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from annotator.core import change as change_module
from annotator.core import model
from annotator.core.change import EditRefused, apply_change
from annotator.core.commands import (
    Accept,
    AcceptAll,
    AddSpan,
    ApplyToSameText,
    CreateStance,
    Delete,
    EditCommand,
    EditContext,
    Reject,
)
from annotator.core.model import DocumentState, Span, id_top, span_order
from annotator.core.store.states import overlaid
from annotator.nlp.pipeline import blank_tokenizer

COUNT = 10_000  # spans, one on every name
NAMES = ("Ada", "Bo", "Cy", "Di")
T = TypeVar("T")


class WalkedTuple(tuple):
    """A tuple that counts the walks over it."""

    walks = 0

    def __iter__(self) -> Iterator[Any]:
        WalkedTuple.walks += 1
        return super().__iter__()


def _long(status: str = "suggested") -> tuple[EditContext, DocumentState]:
    text = " ".join(NAMES[i % 4] + " met" for i in range(COUNT))
    context = EditContext.of(text, blank_tokenizer()(text))
    words = [t for t in context.index.tokens if not t.text.isspace()]
    spans = tuple(
        Span(f"e{i}", t.start, t.end, t.id, t.id, "PERSON", t.text, "model", status)  # type: ignore[arg-type]
        for i, t in enumerate(words[0::2])
    )
    return context, DocumentState(spans=spans)


def _counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    calls = [0]
    real: Callable[..., Any] = getattr(module, name)

    def counted(*args: Any) -> Any:
        calls[0] += 1
        return real(*args)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_adding_spans_reads_the_ids_once_not_on_every_add(monkeypatch: pytest.MonkeyPatch) -> None:
    context, state = _long()
    read = _counting(monkeypatch, model, "id_number")
    monkeypatch.setattr(change_module, "id_number", model.id_number)
    free = [t.id for t in context.index.tokens if t.text == "met"]
    for token in free[:100]:
        state = apply_change(state, AddSpan(token, token, "ORG").plan(state, context))
    # One walk over the 10,000 ids for the first add, then only the ids each change names.
    assert read[0] <= COUNT + 100 * 4
    assert state.span_id_top == id_top("e", (s.id for s in state.spans)) == COUNT + 99
    assert state.spans[1].id == f"e{COUNT}"  # the first added: after the highest
    stance = CreateStance(0, 3, "FAVOR").plan(state, context).stances_after[0]
    assert stance.id == "t0"


def test_a_decision_places_only_its_item(monkeypatch: pytest.MonkeyPatch) -> None:
    context, state = _long()
    keys = _counting(monkeypatch, change_module, "span_order")
    for i in range(0, 200, 2):
        state = apply_change(state, Accept(f"e{i}").plan(state, context))
        state = apply_change(state, Reject(f"e{i + 1}").plan(state, context))
    # A bisection each (about 14 keys for 10,000 spans), no overlap check for a span that
    # stays where it was, no memory moved for one that keeps its place.
    assert keys[0] <= 200 * 20
    assert state.reviewed_count == 200
    assert state.span_ids["e7"].status == "rejected" and state.spans[6].status == "accepted"


def test_accept_all_touches_the_pending_items_only(monkeypatch: pytest.MonkeyPatch) -> None:
    context, state = _long(status="accepted")
    pending = [s.with_changes(status="suggested") for s in state.spans[100:105]]
    state = DocumentState(spans=(*state.spans[:100], *pending, *state.spans[105:]))
    keys = _counting(monkeypatch, change_module, "span_order")
    change = AcceptAll().plan(state, context)
    after = apply_change(state, change)
    assert [s.id for s in change.spans_after] == ["e100", "e101", "e102", "e103", "e104"]
    assert keys[0] <= 5 * 20
    assert after.reviewed_count == len(after.spans)
    # With nothing pending the plan does not even walk the spans.
    WalkedTuple.walks = 0
    done = DocumentState.indexed(WalkedTuple(after.spans), (), None, reviewed_count=COUNT)
    assert AcceptAll().plan(done, context).is_empty and WalkedTuple.walks == 0


def test_accept_all_of_many_rebuilds_the_order_in_one_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    context, state = _long()
    keys = _counting(monkeypatch, change_module, "span_order")
    after = apply_change(state, AcceptAll().plan(state, context))
    assert keys[0] <= 2 * len(state.spans) + 10  # compared once each, never bisected
    assert all(s.status == "accepted" for s in after.spans)
    assert [s.id for s in after.spans] == [s.id for s in state.spans]


def test_same_text_looks_up_its_spans_without_walking_them() -> None:
    context, plain = _long()
    spans = list(plain.spans)
    spans[2] = spans[2].with_changes(label="ORG", status="edited")  # a "Cy", relabelled
    state = DocumentState.indexed(WalkedTuple(spans), (), None)
    assert len(state.span_texts["Cy"]) == COUNT // 4  # the indexes: built once
    assert state.span_ids["e2"].label == "ORG"
    WalkedTuple.walks = 0
    change = ApplyToSameText("e2").plan(state, context)
    assert WalkedTuple.walks == 0
    assert len(change.spans_after) == COUNT // 4 - 1
    after = apply_change(state, change)
    assert all(s.label == "ORG" for s in after.spans if s.text == "Cy")
    # The next state has the index too (the same one: no span changed text or place),
    # and after an add, one that a walk would build.
    assert after.__dict__["span_texts"] is state.span_texts
    met = next(t.id for t in context.index.tokens if t.text == "met")
    added = apply_change(after, AddSpan(met, met, "ORG").plan(after, context))
    assert "span_texts" in added.__dict__
    assert added.span_texts == DocumentState(spans=tuple(added.spans)).span_texts


def test_rereading_a_state_places_only_the_overridden_items(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    context, initial = _long()
    assert initial.reviewed_count == 0 and initial.spans_in_order  # kept with the parse
    decided = apply_change(initial, Accept("e5").plan(initial, context))
    items = [("s:e5", json.dumps(decided.span_ids["e5"].to_store())), ("s:e9", None)]
    keys = _counting(monkeypatch, change_module, "span_order")
    monkeypatch.setattr("annotator.core.store.states.span_order", change_module.span_order)
    state = overlaid(initial, items, None)
    assert keys[0] <= 2 * 20
    reference = sorted(
        [decided.span_ids["e5"], *(s for s in initial.spans if s.id not in ("e5", "e9"))],
        key=span_order,
    )
    assert state.spans == tuple(reference)
    assert state.reviewed_count == 1 and "e9" not in state.span_ids


def test_random_runs_of_bulk_and_single_edits_match_a_full_rebuild() -> None:
    from tests.test_change import _check_indexes

    context, state = _long()
    state = DocumentState(spans=state.spans[:2000])
    assert state.span_texts and state.span_id_top == 1999
    chooser = random.Random(7)
    for _ in range(60):
        spans = state.spans
        kind = chooser.random()
        command: EditCommand
        if kind < 0.1:
            command = AcceptAll()
        elif kind < 0.3:
            decided = [s for s in spans if s.status != "suggested"] or spans
            command = ApplyToSameText(chooser.choice(decided).id)
        elif kind < 0.5:
            token = chooser.choice([t.id for t in context.index.tokens if t.text == "met"][:1100])
            command = AddSpan(token, token, "ORG")
        elif kind < 0.6:
            command = Delete(chooser.choice(spans).id)
        else:
            command = chooser.choice((Accept, Reject))(chooser.choice(spans).id)
        try:
            state = apply_change(state, command.plan(state, context))
        except EditRefused:
            continue
        _check_indexes(state)
    assert state.reviewed_count > 1000

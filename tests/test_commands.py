"""Edit commands: each does what it says, refuses what it must, and undoes exactly."""

from __future__ import annotations

import pytest

from annotator.core.commands import (
    Accept,
    AcceptAll,
    AddSpan,
    ApplyToSameText,
    CreateStance,
    Delete,
    EditCommand,
    EditContext,
    EditRefused,
    MoveBoundary,
    Reject,
    Relabel,
    SetAnswer,
    SetStanceRole,
    ToggleNegated,
    apply_change,
)
from annotator.core.model import DocumentState, Span
from annotator.nlp.pipeline import blank_tokenizer

TEXT = "Wang Yi met Tokayev in Astana. Wang said China supports Kazakhstan."


def _context() -> EditContext:
    return EditContext.of(TEXT, blank_tokenizer()(TEXT))


def _span(context: EditContext, span_id: str, words: str, label: str, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(words, start + 1)
    first, last = context.index.token_range(start, start + len(words))
    return Span(span_id, start, start + len(words), first, last, label, words, "model", "suggested")


@pytest.fixture
def context() -> EditContext:
    return _context()


@pytest.fixture
def state(context: EditContext) -> DocumentState:
    return DocumentState(
        spans=(
            _span(context, "e0", "Wang Yi", "PERSON"),
            _span(context, "e1", "Tokayev", "PERSON"),
            _span(context, "e2", "Wang", "ORG", occurrence=1),
            _span(context, "e3", "China", "GPE"),
        )
    )


def _run(state: DocumentState, context: EditContext, command: EditCommand) -> DocumentState:
    change = command.plan(state, context)
    after = apply_change(state, change)
    # Every command is reversible: its inverse restores the exact state.
    assert apply_change(after, change.inverse()) == state
    return after


def test_accept_marks_span_accepted(state: DocumentState, context: EditContext) -> None:
    after = _run(state, context, Accept("e1"))
    assert after.span("e1").status == "accepted"
    assert after.span("e0").status == "suggested"


def test_reject_keeps_suggestion_as_negative_example(
    state: DocumentState, context: EditContext
) -> None:
    after = _run(state, context, Reject("e3"))
    assert after.span("e3").status == "rejected"
    assert "e3" not in {s.id for s in after.live_spans}


def test_reject_of_added_span_removes_it(state: DocumentState, context: EditContext) -> None:
    astana = TEXT.index("Astana")
    first, last = context.index.token_range(astana, astana + len("Astana"))
    added = _run(state, context, AddSpan(first, last, "GPE"))
    new_id = next(s.id for s in added.spans if s.status == "added")
    after = _run(added, context, Reject(new_id))
    assert new_id not in {s.id for s in after.spans}


def test_relabel_changes_label_and_status(state: DocumentState, context: EditContext) -> None:
    after = _run(state, context, Relabel("e2", "PERSON"))
    assert after.span("e2").label == "PERSON"
    assert after.span("e2").status == "edited"


def test_relabel_to_same_label_accepts(state: DocumentState, context: EditContext) -> None:
    after = _run(state, context, Relabel("e1", "PERSON"))
    assert after.span("e1").status == "accepted"


def test_move_end_extends_by_one_token(state: DocumentState, context: EditContext) -> None:
    after = _run(state, context, MoveBoundary("e1", "end", 1))
    assert after.span("e1").text == "Tokayev in"
    assert after.span("e1").token_end == state.span("e1").token_end + 1


def test_move_start_shrinks_and_refuses_empty(state: DocumentState, context: EditContext) -> None:
    after = _run(state, context, MoveBoundary("e0", "start", 1))
    assert after.span("e0").text == "Yi"
    with pytest.raises(EditRefused, match="at least one token"):
        MoveBoundary("e0", "start", 1).plan(after, context)


def test_move_that_would_overlap_is_refused(state: DocumentState, context: EditContext) -> None:
    change = MoveBoundary("e2", "end", 1).plan(state, context)  # "Wang said"
    moved = apply_change(state, change)
    with pytest.raises(EditRefused, match="overlap"):
        apply_change(moved, MoveBoundary("e3", "start", -1).plan(moved, context))


def test_add_span_snaps_to_tokens(state: DocumentState, context: EditContext) -> None:
    astana = TEXT.index("Astana")
    first, last = context.index.token_range(astana, astana + len("Astana"))
    after = _run(state, context, AddSpan(first, last, "GPE"))
    added = [s for s in after.spans if s.status == "added"]
    assert [(s.text, s.label, s.source) for s in added] == [("Astana", "GPE", "manual")]
    assert TEXT[added[0].start : added[0].end] == "Astana"


def test_add_overlapping_span_is_refused(state: DocumentState, context: EditContext) -> None:
    tokayev = state.span("e1")
    change = AddSpan(tokayev.token_start, tokayev.token_end + 2, "PERSON").plan(state, context)
    with pytest.raises(EditRefused, match="overlap"):
        apply_change(state, change)


def test_add_over_a_rejected_span_is_allowed(state: DocumentState, context: EditContext) -> None:
    rejected = _run(state, context, Reject("e3"))
    china = rejected.span("e3")
    after = _run(rejected, context, AddSpan(china.token_start, china.token_end, "ORG"))
    assert {s.label for s in after.spans if s.text == "China"} == {"GPE", "ORG"}


def test_delete_removes_span(state: DocumentState, context: EditContext) -> None:
    after = _run(state, context, Delete("e0"))
    assert "e0" not in {s.id for s in after.spans}


def test_accept_all_accepts_only_pending(state: DocumentState, context: EditContext) -> None:
    rejected = _run(state, context, Reject("e3"))
    after = _run(rejected, context, AcceptAll())
    assert {s.id: s.status for s in after.spans} == {
        "e0": "accepted",
        "e1": "accepted",
        "e2": "accepted",
        "e3": "rejected",
    }


def test_apply_to_same_text_fixes_every_mention(context: EditContext) -> None:
    spans = (
        _span(context, "e0", "Wang", "ORG", occurrence=0),
        _span(context, "e1", "Wang", "ORG", occurrence=1),
    )
    state = DocumentState(spans=spans)
    relabelled = _run(state, context, Relabel("e0", "PERSON"))
    after = _run(relabelled, context, ApplyToSameText("e0"))
    assert [(s.label, s.status) for s in after.spans] == [("PERSON", "edited")] * 2
    rejected = _run(state, context, Reject("e0"))
    after_reject = _run(rejected, context, ApplyToSameText("e0"))
    assert [s.status for s in after_reject.spans] == ["rejected", "rejected"]


def test_apply_to_same_text_needs_a_decision(state: DocumentState, context: EditContext) -> None:
    with pytest.raises(EditRefused, match="decide"):
        ApplyToSameText("e0").plan(state, context)


def test_stance_create_and_edit_roles(state: DocumentState, context: EditContext) -> None:
    clause = "China supports Kazakhstan"
    start = TEXT.index(clause)
    created = _run(state, context, CreateStance(start, start + len(clause), "FAVOR"))
    stance = created.stances[0]
    assert stance.evidence.text == clause and stance.status == "added"
    holder = TEXT.index("China")
    with_holder = _run(
        created, context, SetStanceRole(stance.id, "holder", holder, holder + len("China"))
    )
    target = TEXT.index("Kazakhstan")
    with_target = _run(
        with_holder,
        context,
        SetStanceRole(stance.id, "target", target, target + len("Kazakhstan")),
    )
    speaker = TEXT.index("Wang said")
    final = _run(with_target, context, SetStanceRole(stance.id, "speaker", speaker, speaker + 4))
    result = final.stance(stance.id)
    assert (result.holder.text, result.target.text, result.speaker.text) == (  # type: ignore[union-attr]
        "China",
        "Kazakhstan",
        "Wang",
    )
    against = _run(final, context, Relabel(stance.id, "AGAINST"))
    assert against.stance(stance.id).label == "AGAINST"
    negated = _run(final, context, ToggleNegated(stance.id))
    assert negated.stance(stance.id).negated and negated.stance(stance.id).label == "AGAINST"
    cleared = _run(final, context, SetStanceRole(stance.id, "target", None, None))
    assert cleared.stance(stance.id).target is None
    deleted = _run(final, context, Delete(stance.id))
    assert deleted.stances == ()


def test_stance_label_must_be_a_polarity(state: DocumentState, context: EditContext) -> None:
    with pytest.raises(EditRefused, match="FAVOR"):
        CreateStance(0, 5, "PERSON").plan(state, context)


def test_finish_accepts_remaining_suggestions(state: DocumentState, context: EditContext) -> None:
    rejected = _run(state, context, Reject("e0"))
    finished = _run(rejected, context, SetAnswer("accept"))
    assert finished.answer == "accept"
    assert {s.status for s in finished.spans} == {"accepted", "rejected"}
    skipped = _run(state, context, SetAnswer("ignore"))
    assert skipped.answer == "ignore" and skipped.span("e0").status == "suggested"


def test_stale_change_is_refused(state: DocumentState, context: EditContext) -> None:
    change = Accept("e0").plan(state, context)
    after = apply_change(state, Reject("e0").plan(state, context))
    with pytest.raises(EditRefused, match="changed since"):
        apply_change(after, change)

"""Stance frames in review: taking a version copies the stance; "no stance" rejects them."""

from __future__ import annotations

from annotator.core.commands import EditContext, apply_change
from annotator.core.model import DocumentState, Stance, TextRef, Token
from annotator.core.review import TakeVersion, covers, find_units, merged_state, unresolved

TEXT = "Ann backs wind and Ben hates coal"


def _ref(words: str) -> TextRef:
    start = TEXT.index(words)
    return TextRef(start, start + len(words), words)


def _stance(label: str, holder: str, target: str, evidence: str) -> Stance:
    return Stance("t0", label, _ref(evidence), _ref(target), holder=_ref(holder))


def _context() -> EditContext:
    tokens, position = [], 0
    for number, word in enumerate(TEXT.split(" ")):
        tokens.append(Token(word, position, position + len(word), number, True))
        position += len(word) + 1
    return EditContext.of(TEXT, tokens)


def test_agreed_frame_is_merged_and_a_disputed_one_is_taken() -> None:
    wind = _stance("FAVOR", "Ann", "wind", "Ann backs wind")
    coal_against = _stance("AGAINST", "Ben", "coal", "Ben hates coal")
    coal_favor = _stance("FAVOR", "Ben", "coal", "Ben hates coal")
    states = {
        "a": DocumentState(stances=(wind, coal_against)),
        "b": DocumentState(stances=(wind, coal_favor)),
    }
    units = find_units(states)
    assert [(u.kind, u.agreed) for u in units] == [("stance", True), ("stance", False)]
    merged = merged_state(units)
    assert [(s.label, s.holder.text if s.holder else None) for s in merged.stances] == [
        ("FAVOR", "Ann")
    ]
    (open_unit,) = unresolved(merged, units)
    state = apply_change(merged, TakeVersion(open_unit, "a").plan(merged, _context()))
    assert [(s.label, s.status) for s in state.stances] == [
        ("FAVOR", "accepted"),
        ("AGAINST", "accepted"),
    ]
    assert covers(state, open_unit) and unresolved(state, units) == []


def test_no_stance_version_keeps_the_others_as_rejected() -> None:
    coal = _stance("AGAINST", "Ben", "coal", "Ben hates coal")
    units = find_units({"a": DocumentState(stances=(coal,)), "b": DocumentState()})
    (unit,) = units
    state = apply_change(DocumentState(), TakeVersion(unit, "b").plan(DocumentState(), _context()))
    assert [(s.label, s.status) for s in state.stances] == [("AGAINST", "rejected")]
    assert unresolved(state, units) == []

"""The screen's view state (focus, cursor, selection, the stance being edited) as plain
Python: no Textual, no app, no store."""

from __future__ import annotations

import re
import subprocess
import sys

from annotator.core.model import Span, Stance, TextRef, Token
from annotator.core.tokens import TokenIndex
from annotator.ui.review_state import Marks, ReviewState

TEXT = "Angela Merkel met Emmanuel Macron in Paris ."


def _tokens(text: str) -> TokenIndex:
    tokens = []
    for i, match in enumerate(re.finditer(r"\S+|\s+", text)):
        tokens.append(Token(match.group(), match.start(), match.end(), i, False))
    return TokenIndex(tokens)


INDEX = _tokens(TEXT)  # words are even tokens, spaces odd ones


def _span(id: str, first: int, last: int, label: str = "PERSON", status: str = "suggested") -> Span:
    start, end = INDEX.char_range(first, last)
    return Span(id, start, end, first, last, label, TEXT[start:end], "model", status)  # type: ignore[arg-type]


MERKEL = _span("e0", 0, 2)
MACRON = _span("e1", 6, 8)
PARIS = _span("e2", 12, 12, "GPE", "accepted")
STANCE = Stance("t0", "FAVOR", TextRef(0, 16, TEXT[:16]), target=None, status="suggested")


def _state() -> ReviewState:
    state = ReviewState()
    state.load([MERKEL, MACRON, PARIS], [STANCE], INDEX)
    return state


def test_items_are_in_text_order_with_spans_before_stances_at_one_start() -> None:
    state = _state()
    assert [item.id for item in state.items] == ["e0", "t0", "e1", "e2"]
    assert state.cursor == 0 and state.focus is None and not state.selecting


def test_neighbours_follow_tab_order_and_start_at_the_cursor_when_nothing_is_focused() -> None:
    state = _state()
    assert state.neighbour("e0", 1) == "t0"
    assert state.neighbour("e2", 1) is None
    assert state.neighbour("e0", -1) is None
    state.set_view(None, 10, None)  # on "in": the next item is Paris, the previous Macron
    assert state.neighbour(None, 1) == "e2"
    assert state.neighbour(None, -1) == "e1"


def test_first_suggested_skips_decided_items() -> None:
    state = ReviewState()
    state.load([PARIS, MACRON], [], INDEX)
    assert state.first_suggested() == "e1"


def test_step_skips_spaces_and_stays_at_the_ends() -> None:
    state = _state()
    assert state.step(0, 1) == 2
    assert state.step(2, -1) == 0
    assert state.step(0, -1) == 0
    assert state.step(14, 1) == 14


def test_span_at_token_prefers_one_not_rejected() -> None:
    rejected = _span("e9", 6, 6, "ORG", "rejected")
    state = ReviewState()
    state.load([MERKEL, rejected, MACRON], [], INDEX)
    assert state.span_at_token(6) == MACRON
    assert state.span_at_token(8) == MACRON
    assert state.span_at_token(4) is None


def test_selection_runs_from_anchor_to_cursor_either_way() -> None:
    state = _state()
    state.set_view(None, 2, 6)
    assert state.selecting
    assert state.selection_tokens() == (2, 6)
    assert state.selection_chars() == (7, 26)  # "Merkel met Emmanuel"
    state.set_view(None, 2, None)
    assert not state.selecting and state.selection_chars() is None


def test_a_focused_stance_becomes_the_one_edited_and_stays_when_a_span_gets_focus() -> None:
    state = _state()
    state.focus_item("t0")
    assert state.stance == "t0" and state.editing() == STANCE
    state.focus_item("e1")
    assert state.editing() == STANCE  # role keys still act on it
    assert state.cursor == 6


def test_role_keys_take_the_selection_then_the_focused_entity_then_the_word() -> None:
    state = _state()
    state.set_view(None, 10, None)  # the cursor on "in", nothing focused or selected
    assert state.role_chars() == (34, 36)
    state.focus_item("e1")
    assert state.role_chars() == (MACRON.start, MACRON.end)
    state.set_view("e1", 4, 6)
    assert state.role_chars() == (14, 26)  # "met Emmanuel"


def test_items_that_go_away_lose_focus_and_editing() -> None:
    state = _state()
    state.focus_item("t0")
    state.set_items([MERKEL], [])
    assert state.focus is None and state.stance is None and state.editing() is None


def test_stances_are_numbered_in_tab_order() -> None:
    later = Stance("t1", "AGAINST", TextRef(18, 33, TEXT[18:33]), target=None)
    state = ReviewState()
    state.load([MERKEL], [later, STANCE], INDEX)
    assert state.stance_number("t0") == 1 and state.stance_number("t1") == 2


def test_marks_say_what_the_article_draws() -> None:
    state = _state()
    state.set_view("e0", 2, 0)
    assert state.marks() == Marks(focus="e0", cursor=(7, 13), selection=(0, 13), stance=None)


def test_the_view_state_imports_no_textual() -> None:
    code = (
        "import sys, annotator.ui.review_state\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"

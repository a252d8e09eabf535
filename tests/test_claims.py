"""Handing out work: K annotators per document, claims in one transaction, claims that expire,
and a session that says `not saved` while the server is away and carries on after."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from annotator.core.commands import Accept, Change, EditRefused, SetAnswer
from annotator.core.session import AnnotationSession
from annotator.core.store import StoreBackend, open_store
from annotator.core.store.claims import DEFAULT_CLAIM_TIMEOUT
from annotator.core.store.postgres import PostgresStore
from annotator.errors import StoreError
from tests.conftest import Location, OpenStore
from tests.pg_cluster import Cluster
from tests.store_helpers import synthetic_record

REPO = Path(__file__).resolve().parents[1]
FINISH = Change("answer", "finish", answer_after="accept")


def _corpus(store: StoreBackend, count: int) -> list[int]:
    return store.add_documents(synthetic_record(n + 1, 6) for n in range(count))


def _driver(location: Location, annotator: str, hashes: list[int]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "claim_driver.py"), str(location), annotator, "1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(" ".join(map(str, hashes)) + "\n")
    process.stdin.flush()
    assert process.stdout.readline().strip() == "READY", process.stderr
    return process


def test_two_processes_claiming_at_once_never_share_a_document(
    open_store_again: OpenStore, store_location: Location, backend: str
) -> None:
    # SQLite's writers take turns by design (BEGIN IMMEDIATE), and each round costs two disk
    # syncs per process: fewer rounds there; the server gets the full 200.
    rounds = 200 if backend == "postgres" else 50
    store = open_store_again()
    hashes = _corpus(store, 2 * rounds)
    first, second = _driver(store_location, "ann", hashes), _driver(store_location, "bea", hashes)
    claimed: list[int] = []
    for _ in range(rounds):
        for process in (first, second):  # released together: both claim at the same instant
            assert process.stdin is not None
            process.stdin.write("GO\n")
            process.stdin.flush()
        lines = [p.stdout.readline().split() for p in (first, second) if p.stdout]
        assert all(line[0] == "CLAIM" for line in lines), lines
        assert lines[0][1] != lines[1][1], f"both were handed {lines[0][1]}"
        claimed += [int(line[1]) for line in lines]
    for process in (first, second):
        process.communicate(timeout=30)
        assert process.returncode == 0
    # At K=1 every document went to exactly one of them, none twice, none left out.
    assert sorted(claimed) == sorted(hashes)
    answers = Counter(h for a in ("ann", "bea") for h, v in store.answers(a, hashes).items() if v)
    assert set(answers.values()) == {1} and store.claims() == []


def test_a_claim_without_heartbeat_returns_to_the_pool(open_store_again: OpenStore) -> None:
    store = open_store_again()
    one, two = _corpus(store, 2)
    ann, bea = store.start_session("ann"), store.start_session("bea")
    assert store.claim_next("ann", ann, [one, two], 1) == one
    assert store.claim_next("bea", bea, [one, two], 1) == two
    store.apply("bea", two, FINISH, session=bea)
    assert store.claim_next("bea", bea, [one, two], 1, include_answered=False) is None
    # ann's terminal stops beating: half an hour later (here: its heartbeat set back) the
    # document is handed out again; a beating session keeps its claims.
    store._db.execute("UPDATE claims SET heartbeat = heartbeat - ?", (DEFAULT_CLAIM_TIMEOUT + 1,))
    store.heartbeat(bea)
    assert store.claim_next("bea", bea, [one, two], 1, include_answered=False) == one
    assert store.claims() == [(one, "bea", bea)]


def test_each_document_reaches_exactly_k_annotators(open_store_again: OpenStore) -> None:
    store = open_store_again()
    hashes = _corpus(store, 12)
    assert store.set_overlap(2) == 2
    sessions = {name: store.start_session(name) for name in ("ann", "bea", "cid")}
    turns = 0
    while True:
        progressed = False
        for name, sid in sessions.items():  # taking turns, as three terminals would
            found = store.claim_next(name, sid, hashes, 2, include_answered=False)
            if found is not None:
                store.apply(name, found, FINISH, session=sid)
                progressed = True
                turns += 1
        if not progressed:
            break
    per_document = Counter(
        h for name in sessions for h, answer in store.answers(name, hashes).items() if answer
    )
    assert turns == 24 and set(per_document.values()) == {2} and len(per_document) == 12


def _held_by(store: StoreBackend, annotator: str) -> set[int]:
    return {h for h, a, _ in store.claims() if a == annotator}


def test_undoing_a_finish_claims_the_document_back_and_redoing_it_releases_it(
    open_store_again: OpenStore,
) -> None:
    store = open_store_again()
    hashes = _corpus(store, 3)
    alice = AnnotationSession(open_store_again(), "alice", hashes)
    first = alice.input_hash
    alice.finish()  # the answer counts towards K=1: its claim goes, the next document opens
    assert alice.input_hash != first and first not in _held_by(store, "alice")
    undone = alice.undo()
    assert undone is not None and undone.switched and alice.input_hash == first
    assert (first, "alice", alice.team.session) in store.claims()  # open again, and held
    bob = AnnotationSession(open_store_again(), "bob", hashes)
    assert bob.input_hash != first and not bob.go_to(hashes.index(first))
    redone = alice.redo()
    assert redone is not None and store.state("alice", first).answer == "accept"
    assert first not in _held_by(store, "alice")  # released, as a finish releases it
    assert not bob.go_to(hashes.index(first))  # alice's answer is the K=1


def test_a_finish_cannot_be_taken_back_once_k_others_have_the_document(
    open_store_again: OpenStore,
) -> None:
    store = open_store_again()
    hashes = _corpus(store, 2)
    alice = AnnotationSession(open_store_again(), "alice", hashes)
    first = alice.input_hash
    alice.finish()
    store.apply("bob", first, FINISH)  # bob's version arrives by import, which claims nothing
    expected = (
        r"the document went to 1 other annotator\(s\) after you answered it "
        r"\(--overlap 1\); your answer stays$"
    )
    with pytest.raises(EditRefused, match="^not undone: " + expected):
        alice.undo()
    assert alice.go_to(hashes.index(first))  # answered documents open without a claim
    with pytest.raises(EditRefused, match="^not reopened: " + expected):
        alice.apply(SetAnswer(None))
    assert store.state("alice", first).answer == "accept"
    assert first not in _held_by(store, "alice")
    assert [e.op for e in store.history("alice", first)] == ["do"]  # nothing was written


def test_the_overlap_is_set_once_and_a_different_one_names_the_current(
    open_store_again: OpenStore,
) -> None:
    store = open_store_again()
    assert store.overlap() is None
    assert store.set_overlap(2) == 2 and store.set_overlap(2) == 2
    with pytest.raises(StoreError, match="already handed out with --overlap 2") as caught:
        open_store_again().set_overlap(3)
    assert "\n" not in str(caught.value)


def test_two_terminals_of_one_annotator_undo_their_own_on_screen(
    open_store_again: OpenStore,
) -> None:
    store = open_store_again()
    hashes = _corpus(store, 4)
    a = AnnotationSession(open_store_again(), "carol", hashes)
    b = AnnotationSession(open_store_again(), "carol", hashes)
    assert a.input_hash != b.input_hash  # each terminal was handed its own document
    a.apply(Accept("e0"))
    b.apply(Accept("e1"))
    undone = a.undo()
    assert undone is not None and undone.input_hash == a.input_hash
    assert store.state("carol", b.input_hash).span("e1").status == "accepted"
    assert store.state("carol", a.input_hash).span("e0").status == "suggested"


def test_the_server_restarted_mid_session_keys_say_not_saved_then_work(
    postgres: Cluster,
) -> None:
    schema = f"restart_{os.getpid()}"
    with psycopg.connect(postgres.url(), autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    url = postgres.url(search_path=schema)
    seed = open_store(url)
    hashes = _corpus(seed, 3)
    seed.close()
    session = AnnotationSession(open_store(url), "dora", hashes)
    session.apply(Accept("e0"))
    shown = session.state
    postgres.pg_ctl("stop", "-m", "fast", "-w")
    try:
        with pytest.raises(EditRefused, match=r"^not saved: the store is unreachable \(") as cut:
            session.apply(Accept("e1"))
        assert "\n" not in str(cut.value) and session.state == shown  # nothing changed
    finally:
        postgres.pg_ctl("start", "-w", "-l", str(postgres.folder / "server.log"))
    session.apply(Accept("e1"))  # reconnected by itself
    assert session.undo() is not None
    session.apply(Accept("e1"))
    check = open_store(url)
    ops = [e.op for e in check.history("dora", session.input_hash)]
    assert ops == ["do", "do", "undo", "do"]  # every acknowledged key once, nothing doubled
    assert check.state("dora", session.input_hash) == session.state


def test_pg_ctl_restart_mid_session_keys_are_saved_once_or_say_not_saved(
    postgres: Cluster,
) -> None:
    schema = f"restarted_{os.getpid()}"
    with psycopg.connect(postgres.url(), autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    url = postgres.url(search_path=schema)
    seed = open_store(url)
    (doc,) = seed.add_documents([synthetic_record(1, 3000)])  # 600 suggestions to accept
    seed.close()
    store = open_store(url)
    assert isinstance(store, PostgresStore)
    session = AnnotationSession(store, "eve", [doc])
    session.apply(Accept("e0"))
    backend = store._db.connect().info.backend_pid
    acknowledged, refused = ["e0"], 0
    restart = threading.Thread(
        target=postgres.pg_ctl,
        args=("restart", "-m", "fast", "-w", "-l", str(postgres.folder / "server.log")),
    )
    restart.start()
    # Keys go on while the server goes down and comes back, and for a while after.
    after = 0
    while after < 10:
        done = not restart.is_alive()
        pending = [s.id for s in session.state.spans if s.status == "suggested"]
        try:
            session.apply(Accept(pending[0]))
            acknowledged.append(pending[0])
            after += done
        except EditRefused as error:
            assert str(error).startswith("not saved: the store is unreachable (")
            assert "\n" not in str(error)
            assert not done  # once the server is back, every key works
            refused += 1
            time.sleep(0.01)
    restart.join()
    assert store._db.connect().info.backend_pid != backend  # the session did reconnect
    check = open_store(url, read_only=True)
    events = check.history("eve", doc)
    accepted = [e.change.spans_after[0].id for e in events]
    assert len(accepted) == len(set(accepted))  # nothing doubled
    # Every acknowledged key is there; a key said "not saved" whose commit landed all the
    # same (cut off after the server took it) is there once too, and on screen since.
    assert set(acknowledged) <= set(accepted)
    assert len(accepted) <= len(acknowledged) + refused
    assert check.state("eve", doc) == session.state == check.replay("eve", doc)
    check.close()
    session.close()

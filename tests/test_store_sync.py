"""Commits that reach the disk behind the screen: a key waits for the store, not the disk.

A SQLite store told to `sync_behind` commits with `synchronous=NORMAL` (safe from a crash
when the commit returns) and a thread fdatasyncs its WAL moments later (safe from a power
cut). These tests hold that thread's fdatasync on an event, so they see each step happen in
order without timing anything."""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.core.commands import Accept, EditContext
from annotator.core.store import SQLiteStore
from annotator.core.store.wal_sync import SYNC_ENV
from annotator.errors import StoreError
from tests.store_helpers import synthetic_record


class HeldDisk:
    """os.fdatasync as a disk that answers only when the test lets it; records each file."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.open.set()
        self.synced: list[str] = []
        self.failure: OSError | None = None
        self._real = os.fdatasync

    def fdatasync(self, fd: int) -> None:
        assert self.open.wait(30), "the test never let the disk answer"
        if self.failure is not None:
            raise self.failure
        self.synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        self._real(fd)


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> HeldDisk:
    held = HeldDisk()
    monkeypatch.setattr(os, "fdatasync", held.fdatasync)
    return held


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    opened = SQLiteStore(tmp_path / "s.sqlite")
    opened.add_documents([synthetic_record(1, 40)])
    opened.sync_behind()
    yield opened
    opened.close()


def _accept(store: SQLiteStore, index: int) -> None:
    state = store.state("alice", 1)
    document = store.document(1)
    context = EditContext.of(document.text, document.tokens)
    store.apply("alice", 1, Accept(state.spans[index].id).plan(state, context))


def test_a_commit_returns_before_the_disk_confirms_it_and_the_wal_is_flushed_after(
    store: SQLiteStore, disk: HeldDisk
) -> None:
    disk.open.clear()  # the disk stalls
    _accept(store, 0)  # returns all the same: the decision is in the store
    assert store.state("alice", 1).spans[0].status == "accepted"
    assert store.disk_behind > 0.0
    assert disk.synced == []
    disk.open.set()
    assert store._wal_sync is not None and store._wal_sync.wait(30)
    assert store.disk_behind == 0.0
    assert disk.synced[-1] == str(store.path) + "-wal"


def test_sync_behind_commits_with_normal_and_the_environment_can_keep_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    behind = SQLiteStore(tmp_path / "a.sqlite")
    behind.sync_behind()
    assert behind._db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    behind.close()
    monkeypatch.setenv(SYNC_ENV, "commit")
    at_commit = SQLiteStore(tmp_path / "b.sqlite")
    at_commit.sync_behind()
    assert at_commit._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert at_commit.disk_behind == 0.0
    at_commit.close()


def test_closing_waits_until_the_disk_has_every_commit(tmp_path: Path, disk: HeldDisk) -> None:
    opened = SQLiteStore(tmp_path / "s.sqlite")
    opened.add_documents([synthetic_record(1, 40)])
    opened.sync_behind()
    other = sqlite3.connect(tmp_path / "s.sqlite")  # keeps the WAL from being folded in
    other.execute("SELECT 1 FROM documents").fetchall()
    disk.open.clear()
    _accept(opened, 0)
    let_go: list[bool] = []

    def answer_later() -> None:
        threading.Event().wait(0.3)
        let_go.append(True)
        disk.open.set()

    threading.Thread(target=answer_later).start()
    opened.close()
    assert let_go == [True]  # close returned only once the disk had answered
    assert str(tmp_path / "s.sqlite-wal") in disk.synced
    other.close()


def test_a_disk_that_refuses_a_flush_stops_further_decisions_naming_the_store(
    store: SQLiteStore, disk: HeldDisk
) -> None:
    disk.failure = OSError(errno.EIO, os.strerror(errno.EIO))
    _accept(store, 0)
    assert store._wal_sync is not None and store._wal_sync.wait(30)
    with pytest.raises(StoreError) as refused:
        _accept(store, 1)
    message = str(refused.value)
    assert str(store.path) in message and "did not confirm" in message
    assert os.strerror(errno.EIO) in message
    assert store.state("alice", 1).spans[1].status == "suggested"  # nothing more was written


def test_the_first_decision_does_not_read_the_suggestions_again(tmp_path: Path) -> None:
    """A record of 100,000 spans keeps 6 MB of suggestions: read once, not on the first key."""
    store = SQLiteStore(tmp_path / "s.sqlite")
    store.add_documents([synthetic_record(1, 400)])
    store.state("alice", 1)  # the screen shows the document
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)
    _accept(store, 0)
    store._db.set_trace_callback(None)
    reads = [s for s in statements if "FROM documents d LEFT JOIN states" in s]
    assert reads and all("d.initial" not in s for s in reads)
    assert store.state("alice", 1).spans[0].status == "accepted"
    store.close()


def test_suggestions_another_connection_replaced_are_read_again(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = SQLiteStore(path)
    store.add_documents([synthetic_record(1, 40)])
    assert store.state("alice", 1).spans[0].label == "PERSON"
    other = sqlite3.connect(path)
    initial = other.execute("SELECT initial FROM documents WHERE input_hash=1").fetchone()[0]
    other.execute(
        "UPDATE documents SET initial=? WHERE input_hash=1",
        (initial.replace('"PERSON"', '"ORG"', 1),),
    )
    other.commit()
    other.close()
    assert store.state("alice", 1).spans[0].label == "ORG"
    _accept(store, 0)  # planned on, and applied to, the suggestions as stored now
    assert store.state("alice", 1).spans[0].label == "ORG"
    store.close()

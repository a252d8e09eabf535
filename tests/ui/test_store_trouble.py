"""A full disk and a locked store, as the screen meets them.

Suggestions that a full disk kept out of the store come back on the next key once there is
room again (issue 13, the screen's side). The disk is made full by a fault-injecting wrapper
around the SQLite store's write transaction: its bulk writes raise SQLite's own "database or
disk is full" while the test says the disk is full. A lock another process holds is said
within a second (issue 12)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from annotator.core.store.sqlite import SQLiteStore
from annotator.ui.app import build_app
from annotator.ui.disk_notice import DISK_BEHIND, DISK_CAUGHT_UP
from annotator.ui.widgets.status_line import StatusLine
from tests.ui.conftest import ANNOTATOR, SEED

pytestmark = pytest.mark.anyio


class _FullDb:
    """A connection whose bulk writes find the disk full."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def executemany(self, *args: Any) -> Any:
        raise sqlite3.OperationalError("database or disk is full")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


class _FullTransaction:
    def __init__(self, transaction: Any) -> None:
        self._transaction = transaction

    def __enter__(self) -> Any:
        return _FullDb(self._transaction.__enter__())

    def __exit__(self, *exc: Any) -> Any:
        return self._transaction.__exit__(*exc)


async def test_suggestions_lost_to_a_full_disk_come_back_on_the_next_key(
    tmp_path: Path, nlp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = {"disk": False}
    real_write = SQLiteStore._write

    def write(self: SQLiteStore) -> Any:
        transaction = real_write(self)
        return _FullTransaction(transaction) if full["disk"] else transaction

    monkeypatch.setattr(SQLiteStore, "_write", write)
    app = build_app(
        [SEED], store_path=tmp_path / "s.sqlite", annotator=ANNOTATOR, load_model=lambda: nlp
    )
    full["disk"] = True  # the corpus is in; now the disk fills up
    async with app.run_test(size=(120, 40)) as pilot:
        status = app.screen.query_one(StatusLine)
        deadline = time.monotonic() + 120
        while "not saved" not in status.message:
            assert time.monotonic() < deadline, status.message
            await pilot.pause(0.2)
        assert "disk is full" in status.message and "the next key tries again" in status.message
        assert app.session.needs_suggestions
        full["disk"] = False  # space is back
        await pilot.press("right")  # refused (no spans yet), and it asks the model again
        while app.session.needs_suggestions:
            assert time.monotonic() < deadline, status.message
            await pilot.pause(0.2)
        await pilot.pause()
        assert app.session.state.spans
        await pilot.press("a")
        assert status.message.startswith("saved: accept")


async def test_a_lock_held_by_another_process_is_said_within_a_second(
    seed_app: Any, seed_store: Path
) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        status = seed_app.screen.query_one(StatusLine)
        other = sqlite3.connect(seed_store, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process writing, holding the lock
        try:
            started = time.monotonic()
            await pilot.press("a")
            waited = time.monotonic() - started
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert "not saved" in status.message and "locked" in status.message
        assert waited < 1.5  # the key's whole round trip; the lock wait itself is 0.8 s
        await pilot.press("a")
        assert status.message.startswith("saved: accept")


async def test_a_stalled_disk_never_holds_a_key_and_is_said_until_it_catches_up(
    seed_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store has the decision when the key's frame is drawn; the disk confirms it in the
    background, and only if that takes a while does the status line say so."""
    disk_answers = threading.Event()
    real_fdatasync = os.fdatasync

    def stalled_fdatasync(fd: int) -> None:
        assert disk_answers.wait(30)
        real_fdatasync(fd)

    monkeypatch.setattr(os, "fdatasync", stalled_fdatasync)
    async with seed_app.run_test(size=(120, 40)) as pilot:
        status = seed_app.screen.query_one(StatusLine)
        await pilot.press("a")  # acknowledged while the disk has not answered yet
        assert status.message.startswith("saved: accept")
        assert seed_app.session.store.disk_behind > 0
        deadline = time.monotonic() + 10
        while status.message != DISK_BEHIND:
            assert time.monotonic() < deadline, status.message
            await pilot.pause(0.1)
        await pilot.press("tab", "a")  # keys go on while the disk lags
        assert status.message.startswith("saved: accept")
        accepted = [s for s in seed_app.session.state.spans if s.status == "accepted"]
        assert len(accepted) == 2
        while status.message != DISK_BEHIND:  # said again: the disk still lags
            assert time.monotonic() < deadline, status.message
            await pilot.pause(0.1)
        disk_answers.set()
        while status.message != DISK_CAUGHT_UP:
            assert time.monotonic() < deadline, status.message
            await pilot.pause(0.1)
        assert seed_app.session.store.disk_behind == 0.0

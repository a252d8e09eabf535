"""Sessions own their undo; a decision writes what it changed; the schema is versioned."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.core.commands import Accept, AcceptAll, EditContext, Reject
from annotator.core.store import SCHEMA_VERSION, SQLiteStore, StoreBackend, open_store
from annotator.errors import StoreError
from tests.conftest import OpenStore
from tests.store_helpers import synthetic_record


def _with_documents(store: StoreBackend, *sizes: int) -> list[int]:
    records = [synthetic_record(n + 1, words) for n, words in enumerate(sizes)]
    store.add_documents(records)
    return [r.document.input_hash for r in records]


def _context(store: StoreBackend, input_hash: int) -> EditContext:
    document = store.document(input_hash)
    return EditContext.of(document.text, document.tokens)


def test_two_terminals_of_one_annotator_each_undo_their_own(open_store_again: OpenStore) -> None:
    first, second = open_store_again(), open_store_again()
    one, two = _with_documents(first, 50, 50)
    first.apply("carol", one, Accept("e0").plan(first.state("carol", one), _context(first, one)))
    second.apply("carol", two, Reject("e0").plan(second.state("carol", two), _context(second, two)))
    undone = first.undo("carol")
    assert undone is not None and undone[0] == one
    assert first.state("carol", one).span("e0").status == "suggested"
    # The other terminal's reject stands, and only that terminal can take it back.
    assert second.state("carol", two).span("e0").status == "rejected"
    assert first.undo("carol") is None
    assert second.undo("carol") is not None
    assert first.state("carol", two).span("e0").status == "suggested"
    assert first.redo("carol") is not None and second.redo("carol") is not None
    assert {s.annotator for s in first.sessions()} == {"carol"}
    assert len(first.sessions()) == 2


def test_a_retried_decision_with_the_same_event_id_applies_once(
    open_store_again: OpenStore,
) -> None:
    store = open_store_again()
    (doc,) = _with_documents(store, 30)
    change = Accept("e1").plan(store.state("dan", doc), _context(store, doc))
    store.apply("dan", doc, change, event_id="dan-1")
    again = store.apply("dan", doc, change, event_id="dan-1")
    assert again.span("e1").status == "accepted"
    assert len(store.history("dan", doc)) == 1



def test_the_next_undo_and_redo_say_their_size_and_summary_before_they_run(
    open_store_again: OpenStore,
) -> None:
    store = open_store_again()
    (doc,) = _with_documents(store, 400)
    assert store.next_step("fay", "undo", 5_000) is None
    store.apply("fay", doc, Accept("e0").plan(store.state("fay", doc), _context(store, doc)))
    head, long = store.next_step("fay", "undo", 5_000) or ("", True)
    assert '"summary":"accept ' in head and not long
    store.apply("fay", doc, AcceptAll().plan(store.state("fay", doc), _context(store, doc)))
    head, long = store.next_step("fay", "undo", 5_000) or ("", False)
    assert '"summary":"accept 79 remaining suggestions"' in head and long
    assert store.next_step("fay", "redo", 5_000) is None
    store.undo("fay")
    assert store.next_step("fay", "redo", 5_000) == (head, True)
    small = store.next_step("fay", "undo", 5_000)
    assert small is not None and '"summary":"accept ' in small[0] and not small[1]


def _wal_growth(store: SQLiteStore, path: Path, decisions: int, doc: int) -> int:
    store._db.execute("PRAGMA wal_autocheckpoint=0")  # keep every page written in the WAL
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = Path(f"{path}-wal")
    before = wal.stat().st_size if wal.exists() else 0
    context = _context(store, doc)
    for n in range(decisions):
        store.apply("erin", doc, Accept(f"e{n}").plan(store.state("erin", doc), context))
    return wal.stat().st_size - before


def test_a_decision_writes_the_same_whatever_the_document_size(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = SQLiteStore(path)
    small, big = _with_documents(store, 40, 20_000)  # 4 spans-worth vs a ~160k-char article
    for doc in (small, big):  # the first decision makes the annotator's state row
        store.apply("erin", doc, Reject("e7").plan(store.state("erin", doc), _context(store, doc)))
    small_bytes = _wal_growth(store, path, 6, small)
    big_bytes = _wal_growth(store, path, 6, big)
    # Whole-state rewrites made this ~200 times larger on the big document.
    assert big_bytes <= 1.5 * small_bytes, (small_bytes, big_bytes)


def _undo_cost(store: SQLiteStore) -> int:
    """SQLite virtual-machine steps spent by one undo: counts work, not time."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    store._db.set_progress_handler(count, 1)
    try:
        assert store.undo("fay") is not None
    finally:
        store._db.set_progress_handler(None, 1)
    return steps


def test_undo_costs_the_same_whatever_the_length_of_the_log(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite")
    (doc,) = _with_documents(store, 2000)
    context = _context(store, doc)
    for n in range(400):
        store.apply("fay", doc, Accept(f"e{n}").plan(store.state("fay", doc), context))
        if n == 10:
            short = _undo_cost(store)
            store.redo("fay")
    long = _undo_cost(store)
    assert long <= 1.5 * short, (short, long)


V1_SCHEMA = """
CREATE TABLE store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE corpus_files (path TEXT PRIMARY KEY, signature TEXT NOT NULL, hashes TEXT NOT NULL);
CREATE TABLE documents (position INTEGER PRIMARY KEY, input_hash INTEGER NOT NULL UNIQUE,
    text TEXT NOT NULL, meta TEXT NOT NULL, extra TEXT NOT NULL, task_hash INTEGER, tokens TEXT,
    initial TEXT, source TEXT, imported_timestamp INTEGER, imported_annotator TEXT);
CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, annotator TEXT NOT NULL,
    input_hash INTEGER NOT NULL, op TEXT NOT NULL, ref INTEGER, change TEXT NOT NULL,
    timestamp INTEGER NOT NULL);
CREATE TABLE places (annotator TEXT PRIMARY KEY, input_hash INTEGER NOT NULL);
CREATE TABLE states (annotator TEXT NOT NULL, input_hash INTEGER NOT NULL, state TEXT NOT NULL,
    answer TEXT, timestamp INTEGER NOT NULL, PRIMARY KEY (annotator, input_hash));
INSERT INTO store_info VALUES ('schema', '1');
"""


def test_a_schema_1_store_is_upgraded_in_place_keeping_every_decision(tmp_path: Path) -> None:
    # Decisions made today, written back in the version 1 layout (whole JSON states).
    today = SQLiteStore(tmp_path / "today.sqlite")
    (doc,) = _with_documents(today, 60)
    today.apply("gus", doc, Reject("e2").plan(today.state("gus", doc), _context(today, doc)))
    expected = today.state("gus", doc)
    old = sqlite3.connect(tmp_path / "old.sqlite")
    old.executescript(V1_SCHEMA)
    columns = "position, input_hash, text, meta, extra, task_hash, tokens, initial, source"
    old.executemany(
        f"INSERT INTO documents ({columns}) VALUES (?,?,?,?,?,?,?,?,?)",
        today._db.execute(f"SELECT {columns} FROM documents").fetchall(),
    )
    old.executemany(
        "INSERT INTO events VALUES (?,?,?,?,?,?,?)",
        today._db.execute(
            "SELECT seq, annotator, input_hash, op, ref, change, timestamp FROM events"
        ).fetchall(),
    )
    from annotator.core.jsoncodec import compact_json as dumps

    old.execute(
        "INSERT INTO states VALUES (?,?,?,?,?)",
        ("gus", doc, dumps(expected.to_store()), None, 1),
    )
    old.commit()
    old.close()
    upgraded = SQLiteStore(tmp_path / "old.sqlite")
    assert upgraded.state("gus", doc) == expected == upgraded.replay("gus", doc)
    version = upgraded._db.execute("SELECT value FROM store_info WHERE key='schema'").fetchone()
    assert int(version[0]) == SCHEMA_VERSION
    context = _context(upgraded, doc)
    upgraded.apply("gus", doc, Accept("e0").plan(upgraded.state("gus", doc), context))
    assert upgraded.undo("gus") is not None


def test_a_store_of_a_newer_annotator_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    SQLiteStore(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE store_info SET value='99' WHERE key='schema'")
    db.commit()
    db.close()
    before = path.read_bytes()
    for read_only in (False, True):
        with pytest.raises(StoreError, match="newer annotator") as caught:
            open_store(path, read_only=read_only)
        assert "\n" not in str(caught.value)
    assert path.read_bytes() == before

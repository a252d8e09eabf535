"""Recovering what is readable from a damaged store into a fresh one.

The damaged file is never opened for writing: it (and its `-wal` file) is copied to a temporary
folder and read from there. Rows are read in key order, in batches; where SQLite reports
damage, the reader steps over the unreadable key range (like sqlite3's `.recover`) and goes on
with the next readable row. Documents and events are copied exactly (same positions and event
numbers); each annotator's state is rebuilt by replaying the recovered log, which is the
source of truth.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.commands import Change, EditRefused, apply_change
from annotator.core.files import check_new_output, publish_new
from annotator.core.jsoncodec import compact_json
from annotator.core.model import DocumentState
from annotator.core.store import SQLiteStore
from annotator.core.store.states import overlaid
from annotator.errors import StoreError

DOCUMENT_COLUMNS = (
    "position", "input_hash", "text", "meta", "extra", "task_hash", "tokens", "initial",
    "source", "imported_timestamp", "imported_annotator",
)
EVENT_COLUMNS = ("seq", "annotator", "input_hash", "op", "ref", "change", "timestamp")
STATE_COLUMNS = ("annotator", "input_hash", "state", "answer", "timestamp")
PLACE_COLUMNS = ("annotator", "input_hash")
_MIN_KEY = -(2**63)
_MAX_KEY = 2**63 - 1


@dataclass
class RecoveryReport:
    """What was saved from a damaged store, and what could not be read."""

    documents: int = 0
    events: int = 0
    states: int = 0
    damaged_ranges: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self, source: Path, target: Path) -> str:
        return (
            f"recovered {self.documents} documents, {self.events} events and {self.states} "
            f"annotator states from {source} into {target}; {source} was not modified"
        )


@dataclass
class _TableRead:
    rows: list[tuple[Any, ...]]
    damaged_ranges: int
    readable: bool = True


def _probe(db: sqlite3.Connection, table: str, key: str, at_least: int) -> tuple[bool, int | None]:
    """(readable, first key >= at_least) where the b-tree can be read from `at_least` on."""
    try:
        row = db.execute(
            f"SELECT {key} FROM {table} WHERE {key} >= ? ORDER BY {key} LIMIT 1", (at_least,)
        ).fetchone()
    except sqlite3.DatabaseError:
        return False, None
    return True, None if row is None else int(row[0])


def _next_readable(db: sqlite3.Connection, table: str, key: str, start: int) -> int | None:
    """The first key after the damaged range that begins at `start` (None: nothing after)."""
    step = 1
    failing = start
    while True:
        candidate = min(start + step, _MAX_KEY)
        readable, first = _probe(db, table, key, candidate)
        if readable:
            break
        if candidate == _MAX_KEY:
            return None
        failing = candidate
        step *= 2
    # Narrow down to the smallest readable start between the last failure and `candidate`.
    low, high = failing, candidate
    while high - low > 1:
        middle = (low + high) // 2
        readable_middle, first_middle = _probe(db, table, key, middle)
        if readable_middle:
            high, first = middle, first_middle
        else:
            low = middle
    return first


def _read_table(
    db: sqlite3.Connection, table: str, key: str, columns: Sequence[str], batch: int = 256
) -> _TableRead:
    """Every readable row of a rowid table in key order, stepping over damaged ranges."""
    query = (
        f"SELECT {', '.join(columns)} FROM {table} WHERE {key} >= ? ORDER BY {key} LIMIT ?"
    )
    rows: list[tuple[Any, ...]] = []
    damaged = 0
    start: int | None = _MIN_KEY
    while start is not None:
        try:
            found = db.execute(query, (start, batch)).fetchall()
        except sqlite3.DatabaseError:
            # Something in this batch is damaged: go one row at a time to keep the rest.
            try:
                found = db.execute(query, (start, 1)).fetchall()
            except sqlite3.DatabaseError:
                damaged += 1
                start = _next_readable(db, table, key, start)
                continue
        if not found:
            break
        rows.extend(found)
        last = int(found[-1][0])
        start = last + 1 if last < _MAX_KEY else None
    return _TableRead(rows, damaged)


def _json_ok(*values: Any) -> bool:
    try:
        for value in values:
            if value is not None:
                json.loads(value)
    except (TypeError, ValueError):
        return False
    return True


def _document_ok(row: tuple[Any, ...]) -> bool:
    """A documents row whose every value has the type the store writes (damage can garble)."""
    _, hash_, text, meta, extra, task, tokens, initial, source, stamp, annotator = row
    return (
        isinstance(hash_, int)
        and isinstance(text, str)
        and all(isinstance(v, str) for v in (meta, extra))
        and all(v is None or isinstance(v, str) for v in (tokens, initial, source, annotator))
        and all(v is None or isinstance(v, int) for v in (task, stamp))
        and _json_ok(meta, extra, tokens, initial)
    )


def _unique_documents(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    seen: set[int] = set()
    unique = []
    for row in rows:
        if row[1] not in seen:
            seen.add(row[1])
            unique.append(row)
    return unique


def _event_ok(row: tuple[Any, ...]) -> bool:
    _, annotator, hash_, op, ref, change, stamp = row
    return (
        isinstance(annotator, str)
        and isinstance(hash_, int)
        and op in ("do", "undo", "redo")
        and (ref is None or isinstance(ref, int))
        and isinstance(change, str)
        and isinstance(stamp, int)
        and _json_ok(change)
    )


def _open_copy(source: Path, folder: Path) -> sqlite3.Connection:
    copy = folder / "damaged.sqlite"
    try:
        shutil.copyfile(source, copy)
        wal = source.with_name(source.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
    except OSError as error:
        raise StoreError(f"{source}: cannot read ({error.strerror})") from None
    db = sqlite3.connect(copy, isolation_level=None)
    # A truncated file is shorter than its header says; SQLite refuses to read such a file
    # unless the schema is "writable". Nothing is written: this only lets the reader in.
    db.execute("PRAGMA writable_schema=ON")
    return db


def _tables(db: sqlite3.Connection, source: Path) -> set[str]:
    try:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise StoreError(
            f"{source}: nothing is readable ({error}): the file's first page, which lists its "
            "tables, is damaged or this is not an SQLite file"
        ) from None


def recover_store(source: Path, target: Path) -> RecoveryReport:
    """Copy every readable document and event of `source` into a new store at `target`."""
    if not source.is_file():
        raise StoreError(f"{source}: no such store file")
    check_new_output(target)
    if target.resolve() == source.resolve():
        raise StoreError(f"{target}: is the damaged store itself; recover into a new file")
    report = RecoveryReport()
    with tempfile.TemporaryDirectory(prefix="annotator-recover-") as folder:
        db = _open_copy(source, Path(folder))
        try:
            tables = _tables(db, source)
            if "documents" not in tables:
                raise StoreError(f"{source}: no documents table is readable; nothing to recover")
            documents = _read_table(db, "documents", "position", DOCUMENT_COLUMNS)
            events = (
                _read_table(db, "events", "seq", EVENT_COLUMNS)
                if "events" in tables
                else _TableRead([], 0, readable=False)
            )
            states = _read_states(db, documents.rows) if "states" in tables else []
            places = _read_places(db) if "places" in tables else []
        finally:
            db.close()
    report.damaged_ranges = documents.damaged_ranges + events.damaged_ranges
    if not events.readable:
        report.problems.append("no events table is readable: no decisions could be saved")

    good_documents = _unique_documents(row for row in documents.rows if _document_ok(row))
    _note(report, len(documents.rows) - len(good_documents), "document row(s) were garbled")
    known = {row[1] for row in good_documents}
    good_events = [row for row in events.rows if row[2] in known and _event_ok(row)]
    _note(report, len(events.rows) - len(good_events), "event(s) were broken or of lost documents")
    if documents.damaged_ranges or events.damaged_ranges:
        report.problems.append(
            f"{report.damaged_ranges} damaged range(s) of rows could not be read and were skipped"
        )

    # Built beside the target and renamed at the end: never a half-written store at `target`.
    partial = target.with_name(f".{target.name}.partial")
    for leftover in (partial, partial.with_name(partial.name + "-wal")):
        leftover.unlink(missing_ok=True)
    store = SQLiteStore(partial)
    try:
        _write_rows(store, "documents", DOCUMENT_COLUMNS, good_documents)
        _write_rows(store, "events", EVENT_COLUMNS, good_events)
        cached = {(r[0], r[1]): r for r in states}
        rebuilt = _rebuild_states(store, good_events, cached, known, report)
        for annotator, input_hash, state_json, _, stamp in rebuilt:
            state = DocumentState.from_store(json.loads(state_json))
            store.put_state(annotator, input_hash, state, stamp)
        _write_rows(store, "places", PLACE_COLUMNS, [r for r in places if r[1] in known])
    except BaseException:
        store.close()
        partial.unlink(missing_ok=True)
        raise
    store.close()
    publish_new(partial, target)
    report.documents = len(good_documents)
    report.events = len(good_events)
    report.states = len(rebuilt)
    return report


def _note(report: RecoveryReport, count: int, what: str) -> None:
    if count:
        report.problems.append(f"{count} {what} and were left out")


def _read_states(
    db: sqlite3.Connection, documents: Sequence[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """The cached states that can still be read (a fallback where the log has gaps)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(states)")}
    if "state" not in columns:
        return _read_item_states(db, documents)
    read = _read_table(db, "states", "rowid", ("rowid", *STATE_COLUMNS))
    return [
        row[1:]
        for row in read.rows
        if isinstance(row[1], str)
        and isinstance(row[2], int)
        and isinstance(row[3], str)
        and isinstance(row[5], int)
        and _json_ok(row[3])
    ]


def _read_item_states(
    db: sqlite3.Connection, documents: Sequence[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """Schema 2's states (answers, and items over the suggestions) as whole JSON states."""
    initials = {row[1]: row[7] for row in documents}
    answers = _read_table(db, "states", "rowid", ("rowid", "annotator", "input_hash", "answer",
                                                  "timestamp"))
    items: dict[tuple[Any, Any], list[tuple[str, str | None]]] = {}
    if "state_items" in _tables(db, Path("store")):
        read = _read_table(db, "state_items", "rowid", ("rowid", "annotator", "input_hash",
                                                        "item", "body"))
        for _, annotator, input_hash, item, body in read.rows:
            if isinstance(item, str) and (body is None or _json_ok(body)):
                items.setdefault((annotator, input_hash), []).append((item, body))
    states = []
    for _, annotator, input_hash, answer, stamp in answers.rows:
        initial = initials.get(input_hash)
        if not isinstance(annotator, str) or not isinstance(stamp, int) or not (
            initial is None or _json_ok(initial)
        ):
            continue
        base = DocumentState.from_store(json.loads(initial)) if initial else DocumentState()
        state = overlaid(base, items.get((annotator, input_hash), []), answer)
        states.append((annotator, input_hash, compact_json(state.to_store()), answer, stamp))
    return states


def _read_places(db: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Where each annotator left off, where still readable (only a convenience)."""
    read = _read_table(db, "places", "rowid", ("rowid", *PLACE_COLUMNS))
    return [row[1:] for row in read.rows if isinstance(row[1], str) and isinstance(row[2], int)]


def _write_rows(
    store: SQLiteStore, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    marks = ",".join("?" * len(columns))
    with store._write() as db:
        db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _rebuild_states(
    store: SQLiteStore,
    events: Sequence[tuple[Any, ...]],
    cached: dict[tuple[str, int], tuple[Any, ...]],
    known: set[int],
    report: RecoveryReport,
) -> list[tuple[Any, ...]]:
    """Each (annotator, document)'s state: the replay of its recovered events, unless events
    were lost and the readable cached state holds more (then the cached one is kept)."""
    by_pair: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
    for row in events:
        by_pair.setdefault((row[1], row[2]), []).append(row)
    pairs = list(by_pair) + [p for p in cached if p not in by_pair and p[1] in known]
    rebuilt = []
    kept_cache = 0
    lost = 0
    for annotator, input_hash in pairs:
        rows = by_pair.get((annotator, input_hash), [])
        state: DocumentState | None = store.initial_state(input_hash)
        try:
            for row in rows:
                assert state is not None
                state = apply_change(state, Change.from_json(json.loads(row[5])))
        except (EditRefused, AttributeError, KeyError, TypeError, ValueError):
            state = None  # the log has a gap that breaks the replay
        row_cached = cached.get((annotator, input_hash))
        if row_cached is not None and (
            state is None or DocumentState.from_store(json.loads(row_cached[2])) != state
        ):
            kept_cache += 1
            rebuilt.append(row_cached)
        elif state is not None and rows:
            stamp = rows[-1][6]
            encoded = compact_json(state.to_store())
            rebuilt.append((annotator, input_hash, encoded, state.answer, stamp))
        else:
            lost += 1
    if kept_cache:
        report.problems.append(
            f"{kept_cache} document(s) lost events from their decision log; their last saved "
            "state was kept (undo may refuse to go back past the gap)"
        )
    if lost:
        report.problems.append(f"{lost} document(s) lost their decisions: nothing readable")
    return rebuilt

"""The store: documents, cached suggestions and an append-only event log of every decision.

`Store` is the interface the rest of the tool uses; `SQLiteStore` is the embedded default.
A server database can implement the same protocol without touching the callers.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, Literal, ParamSpec, Protocol, TypeVar

from annotator.core.commands import Change, apply_change
from annotator.core.model import CorpusRecord, Document, DocumentState, Span, Stance, Token
from annotator.errors import StoreError

STORE_ENV = "ANNOTATOR_STORE"
DEFAULT_STORE = Path(".annotator") / "annotations.sqlite"
SCHEMA_VERSION = 1


def default_store_path() -> Path:
    """`$ANNOTATOR_STORE`, else `.annotator/annotations.sqlite` under the current directory."""
    env = os.environ.get(STORE_ENV)
    return Path(env) if env else DEFAULT_STORE


@dataclass(frozen=True)
class Event:
    """One entry of the log: a change done, undone or redone by an annotator on a document."""

    seq: int
    annotator: str
    input_hash: int
    op: Literal["do", "undo", "redo"]
    ref: int | None
    change: Change
    timestamp: int


@dataclass(frozen=True)
class AnnotatedDocument:
    """A document with one annotator's current state, ready for export."""

    document: Document
    state: DocumentState
    timestamp: int | None
    annotator: str | None


@dataclass(frozen=True)
class StoreStats:
    documents: int
    suggested: int
    finished: int
    skipped: int
    rejected: int
    label_counts: dict[tuple[str, str], int]  # (label, status) -> count


class Store(Protocol):
    """What the tool needs from a store; every write is durable when the call returns."""

    def add_documents(self, records: Iterable[CorpusRecord]) -> list[int]: ...
    def known_file(self, path: str, signature: str) -> list[int] | None: ...
    def remember_file(self, path: str, signature: str, hashes: Sequence[int]) -> None: ...
    def document(self, input_hash: int) -> Document: ...
    def has_suggestions(self, input_hash: int) -> bool: ...
    def missing_suggestions(self, hashes: Sequence[int]) -> list[int]: ...
    def forget_stale_suggestions(self, hashes: Sequence[int], source: str) -> int: ...
    def set_suggestions(
        self, input_hash: int, tokens: Sequence[Token], initial: DocumentState, source: str
    ) -> None: ...
    def set_suggestions_many(
        self, items: Sequence[tuple[int, Sequence[Token], DocumentState, str]]
    ) -> None: ...
    def iter_texts(self, hashes: Sequence[int]) -> Iterator[tuple[str, int]]: ...
    def state(self, annotator: str, input_hash: int) -> DocumentState: ...
    def initial_state(self, input_hash: int) -> DocumentState: ...
    def apply(self, annotator: str, input_hash: int, change: Change) -> DocumentState: ...
    def undo(self, annotator: str) -> tuple[int, DocumentState, Change] | None: ...
    def redo(self, annotator: str) -> tuple[int, DocumentState, Change] | None: ...
    def history(self, annotator: str, input_hash: int) -> list[Event]: ...
    def answers(self, annotator: str, hashes: Sequence[int]) -> dict[int, str | None]: ...
    def first_unfinished(self, annotator: str, hashes: Sequence[int]) -> int | None: ...
    def remember_place(self, annotator: str, input_hash: int) -> None: ...
    def place(self, annotator: str) -> int | None: ...
    def iter_annotated(
        self, annotator: str, include_unfinished: bool
    ) -> Iterator[AnnotatedDocument]: ...
    def stats(self, annotator: str) -> StoreStats: ...
    def close(self) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS corpus_files (
    path TEXT PRIMARY KEY,
    signature TEXT NOT NULL,
    hashes TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    position INTEGER PRIMARY KEY,
    input_hash INTEGER NOT NULL UNIQUE,
    text TEXT NOT NULL,
    meta TEXT NOT NULL,
    extra TEXT NOT NULL,
    task_hash INTEGER,
    tokens TEXT,
    initial TEXT,
    source TEXT,
    imported_timestamp INTEGER,
    imported_annotator TEXT
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    annotator TEXT NOT NULL,
    input_hash INTEGER NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('do', 'undo', 'redo')),
    ref INTEGER,
    change TEXT NOT NULL,
    timestamp INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_document ON events (annotator, input_hash, seq);
-- The document each annotator last had open, so reopening resumes there.
CREATE TABLE IF NOT EXISTS places (annotator TEXT PRIMARY KEY, input_hash INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS states (
    annotator TEXT NOT NULL,
    input_hash INTEGER NOT NULL,
    state TEXT NOT NULL,
    answer TEXT,
    timestamp INTEGER NOT NULL,
    PRIMARY KEY (annotator, input_hash)
);
"""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_CACHED_STATES = 16
_OPEN_PATIENCE_SECONDS = 10.0
_ITEM_JSON_MEMO = 100_000
P = ParamSpec("P")
R = TypeVar("R")


def _store_error(path: Path, error: sqlite3.DatabaseError) -> StoreError:
    """A damaged file or a failing disk, said for people; other SQLite errors are bugs."""
    if type(error) is sqlite3.DatabaseError:  # SQLITE_CORRUPT, SQLITE_NOTADB
        return StoreError(
            f"{path}: the store is damaged ({error}); it was not modified. Save what is "
            f"readable with `annotator recover {path} -o NEW.sqlite`"
        )
    return StoreError(f"{path}: cannot use the store ({error})")


def _guarded(
    method: Callable[Concatenate[SQLiteStore, P], R],
) -> Callable[Concatenate[SQLiteStore, P], R]:
    """Turn damage and disk errors met while reading or writing into a StoreError."""

    @functools.wraps(method)
    def wrapper(self: SQLiteStore, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as error:
            if type(error) not in (sqlite3.DatabaseError, sqlite3.OperationalError):
                raise
            raise _store_error(self.path, error) from None

    return wrapper


def _guarded_iter(
    method: Callable[Concatenate[SQLiteStore, P], Iterator[R]],
) -> Callable[Concatenate[SQLiteStore, P], Iterator[R]]:
    """`_guarded` for the methods that stream rows."""

    @functools.wraps(method)
    def wrapper(self: SQLiteStore, *args: P.args, **kwargs: P.kwargs) -> Iterator[R]:
        try:
            yield from method(self, *args, **kwargs)
        except sqlite3.DatabaseError as error:
            if type(error) not in (sqlite3.DatabaseError, sqlite3.OperationalError):
                raise
            raise _store_error(self.path, error) from None

    return wrapper


class SQLiteStore:
    """The embedded store: one SQLite file in WAL mode, safe to share between processes."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        # Recently used states; valid while no other connection has committed (data_version).
        self._cache: OrderedDict[tuple[str, int], DocumentState] = OrderedDict()
        self._cache_version: int | None = None
        # id(item) -> (item, its JSON); the item is kept so its id cannot be reused meanwhile.
        self._item_memo: dict[int, tuple[Span | Stance, str]] = {}
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder; --store wants a file path")
        if self.path.is_symlink():
            # SQLite would follow it (and put its -wal file beside the link, not the file).
            raise StoreError(f"{self.path}: is a symbolic link; pass the real path of the store")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"{self.path}: cannot create its folder ({error.strerror})") from None
        # Two processes opening a new store at once can meet a lock that SQLite reports at
        # once instead of waiting out the busy timeout (the switch to WAL needs the file to
        # itself): try again for a while before calling it an error.
        deadline = time.monotonic() + _OPEN_PATIENCE_SECONDS
        while True:
            try:
                self._connect()
                break
            except sqlite3.OperationalError as error:
                self._close_quietly()
                if "locked" in str(error) and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                raise StoreError(f"{self.path}: cannot open the store ({error})") from None
            except sqlite3.DatabaseError as error:
                self._close_quietly()
                raise StoreError(
                    f"{self.path}: cannot open the store ({error}); it may be damaged or not an "
                    "annotator store. It was not modified; save what is readable with "
                    f"`annotator recover {self.path} -o NEW.sqlite`"
                ) from None

    def _close_quietly(self) -> None:
        db: sqlite3.Connection | None = getattr(self, "_db", None)
        if db is not None:
            db.close()

    def _connect(self) -> None:
        existed = self.path.exists() and self.path.stat().st_size > 0
        # Autocommit mode: each write below runs in an explicit transaction we commit.
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        if existed:
            # Read-only checks first: a damaged file or another program's database is
            # refused before anything, even the switch to WAL, writes to it.
            self._check_healthy()
            if self._db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]:
                self._check_existing()
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a decision acknowledged to the user survives a power cut, not only a crash.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._create_or_check()

    def _create_or_check(self) -> None:
        """Create the tables of a new store, or check an existing one's, in one transaction:
        two processes opening a new store at once must not see each other's half-made one."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if self._db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]:
                self._check_existing()
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(
                "INSERT OR IGNORE INTO store_info (key, value) VALUES ('schema', ?)",
                (str(SCHEMA_VERSION),),
            )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _check_existing(self) -> None:
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master")}
        if "store_info" not in tables:
            raise sqlite3.DatabaseError("no store_info table")
        row = self._db.execute("SELECT value FROM store_info WHERE key='schema'").fetchone()
        if row is None or int(row[0]) > SCHEMA_VERSION:
            raise sqlite3.DatabaseError("written by a newer annotator")

    def _check_healthy(self) -> None:
        """Damage is found on opening, before any write, not hours into a session."""
        # quick_check reads every page once: about a second per GB of store.
        found = [r[0] for r in self._db.execute("PRAGMA quick_check(1)")]
        if found != ["ok"]:
            detail = " ".join(found[0].replace("*** in database main ***", "").split())
            raise sqlite3.DatabaseError(f"damaged: {detail}")

    # -- writing -------------------------------------------------------------------------

    def _write(self) -> _Transaction:
        return _Transaction(self._db, self.path)

    @_guarded
    def known_file(self, path: str, signature: str) -> list[int] | None:
        """The document hashes of a corpus file imported before, if it has not changed since."""
        row = self._db.execute(
            "SELECT signature, hashes FROM corpus_files WHERE path=?", (path,)
        ).fetchone()
        if row is None or row[0] != signature:
            return None
        hashes: list[int] = json.loads(row[1])
        return hashes

    @_guarded
    def remember_file(self, path: str, signature: str, hashes: Sequence[int]) -> None:
        """Record which documents a corpus file holds, so reopening it need not parse it."""
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO corpus_files (path, signature, hashes) VALUES (?,?,?)",
                (path, signature, _dumps(list(hashes))),
            )

    @_guarded
    def add_documents(self, records: Iterable[CorpusRecord], batch_size: int = 2000) -> list[int]:
        """Add documents not yet in the store (matched by `_input_hash`); return all hashes."""
        hashes: dict[int, None] = {}
        batch: list[CorpusRecord] = []
        for record in records:
            if record.document.input_hash in hashes:
                continue
            hashes[record.document.input_hash] = None
            batch.append(record)
            if len(batch) >= batch_size:
                self._insert_documents(batch)
                batch = []
        if batch:
            self._insert_documents(batch)
        return list(hashes)

    def _insert_documents(self, batch: Sequence[CorpusRecord]) -> None:
        rows = []
        for record in batch:
            doc = record.document
            rows.append(
                (
                    doc.input_hash,
                    doc.text,
                    _dumps(doc.meta),
                    _dumps(doc.extra),
                    doc.task_hash,
                    _dumps([t.to_json() for t in doc.tokens]) if doc.tokens else None,
                    _dumps(record.initial.to_store()) if record.initial is not None else None,
                    record.source,
                    record.timestamp,
                    record.annotator,
                )
            )
        with self._write() as db:
            db.executemany(
                "INSERT OR IGNORE INTO documents (input_hash, text, meta, extra, task_hash,"
                " tokens, initial, source, imported_timestamp, imported_annotator)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                rows,
            )

    def set_suggestions(
        self, input_hash: int, tokens: Sequence[Token], initial: DocumentState, source: str
    ) -> None:
        """Cache a pipeline's tokens and suggestions; never replaces ones already there."""
        self.set_suggestions_many([(input_hash, tokens, initial, source)])

    @_guarded
    def set_suggestions_many(
        self, items: Sequence[tuple[int, Sequence[Token], DocumentState, str]]
    ) -> None:
        """Cache suggestions of many documents in one transaction (one disk sync)."""
        rows = [
            (
                _dumps([t.to_json() for t in tokens]),
                _dumps(initial.to_store()),
                source,
                input_hash,
            )
            for input_hash, tokens, initial, source in items
        ]
        self._cache.clear()  # a state not yet decided on is its document's suggestions
        with self._write() as db:
            db.executemany(
                "UPDATE documents SET tokens=?, initial=?, source=? "
                "WHERE input_hash=? AND initial IS NULL",
                rows,
            )

    @_guarded_iter
    def iter_texts(self, hashes: Sequence[int]) -> Iterator[tuple[str, int]]:
        """(text, input_hash) of the given documents, in order, read in batches."""
        for chunk in _chunks(hashes, 500):
            marks = ",".join("?" * len(chunk))
            texts = dict(
                self._db.execute(
                    f"SELECT input_hash, text FROM documents WHERE input_hash IN ({marks})",
                    chunk,
                ).fetchall()
            )
            for input_hash in chunk:
                if input_hash in texts:
                    yield texts[input_hash], input_hash

    @_guarded
    def apply(self, annotator: str, input_hash: int, change: Change) -> DocumentState:
        """Apply a change and log it; committed to disk before this returns."""
        with self._write() as db:
            state = self._state(db, annotator, input_hash)
            new_state = apply_change(state, change)
            self._log(db, annotator, input_hash, "do", None, change, new_state)
        self._remember(annotator, input_hash, new_state)  # only once it is committed
        return new_state

    def _log(
        self,
        db: sqlite3.Connection,
        annotator: str,
        input_hash: int,
        op: str,
        ref: int | None,
        change: Change,
        new_state: DocumentState,
    ) -> None:
        now = int(time.time())
        db.execute(
            "INSERT INTO events (annotator, input_hash, op, ref, change, timestamp)"
            " VALUES (?,?,?,?,?,?)",
            (annotator, input_hash, op, ref, _dumps(change.to_json()), now),
        )
        db.execute(
            "INSERT OR REPLACE INTO states (annotator, input_hash, state, answer, timestamp)"
            " VALUES (?,?,?,?,?)",
            (annotator, input_hash, self._state_json(new_state), new_state.answer, now),
        )

    def _stacks(self, db: sqlite3.Connection, annotator: str) -> tuple[list[int], list[int]]:
        """The undo and redo stacks (event seqs of 'do' events), derived from the log."""
        done: list[int] = []
        undone: list[int] = []
        rows = db.execute(
            "SELECT seq, op, ref FROM events WHERE annotator=? ORDER BY seq", (annotator,)
        )
        for seq, op, ref in rows:
            if op == "do":
                done.append(seq)
                undone.clear()
            elif op == "undo" and done and done[-1] == ref:
                undone.append(done.pop())
            elif op == "redo" and undone and undone[-1] == ref:
                done.append(undone.pop())
        return done, undone

    def undo(self, annotator: str) -> tuple[int, DocumentState, Change] | None:
        """Undo this annotator's latest change, on whichever document it was."""
        return self._undo_or_redo(annotator, "undo")

    def redo(self, annotator: str) -> tuple[int, DocumentState, Change] | None:
        """Redo the change undone last."""
        return self._undo_or_redo(annotator, "redo")

    @_guarded
    def _undo_or_redo(
        self, annotator: str, op: Literal["undo", "redo"]
    ) -> tuple[int, DocumentState, Change] | None:
        with self._write() as db:
            done, undone = self._stacks(db, annotator)
            stack = done if op == "undo" else undone
            if not stack:
                return None
            ref = stack[-1]
            input_hash, change_json = db.execute(
                "SELECT input_hash, change FROM events WHERE seq=?", (ref,)
            ).fetchone()
            original = Change.from_json(json.loads(change_json))
            change = original.inverse() if op == "undo" else original
            state = self._state(db, annotator, input_hash)
            new_state = apply_change(state, change)
            self._log(db, annotator, input_hash, op, ref, change, new_state)
        self._remember(annotator, int(input_hash), new_state)
        return int(input_hash), new_state, change

    # -- reading -------------------------------------------------------------------------

    @_guarded
    def document(self, input_hash: int) -> Document:
        row = self._db.execute(
            "SELECT input_hash, text, meta, extra, task_hash, tokens FROM documents "
            "WHERE input_hash=?",
            (input_hash,),
        ).fetchone()
        if row is None:
            raise KeyError(input_hash)
        return _document_from_row(row)

    @_guarded
    def has_suggestions(self, input_hash: int) -> bool:
        row = self._db.execute(
            "SELECT initial IS NOT NULL FROM documents WHERE input_hash=?", (input_hash,)
        ).fetchone()
        return bool(row and row[0])

    @_guarded
    def missing_suggestions(self, hashes: Sequence[int]) -> list[int]:
        """The hashes (in the given order) whose documents have no suggestions yet."""
        missing: set[int] = set()
        for chunk in _chunks(hashes, 500):
            marks = ",".join("?" * len(chunk))
            missing.update(
                r[0]
                for r in self._db.execute(
                    f"SELECT input_hash FROM documents WHERE initial IS NULL "
                    f"AND input_hash IN ({marks})",
                    chunk,
                )
            )
        return [h for h in hashes if h in missing]

    @_guarded
    def forget_stale_suggestions(self, hashes: Sequence[int], source: str) -> int:
        """Drop cached suggestions made by another model, where nobody has decided anything.

        So `--model NEW` suggests afresh; a document someone has worked on keeps the
        suggestions its decisions were made on, and imported annotations are never dropped.
        """
        forgotten = 0
        self._cache.clear()
        with self._write() as db:
            for chunk in _chunks(hashes, 500):
                marks = ",".join("?" * len(chunk))
                cursor = db.execute(
                    f"UPDATE documents SET initial=NULL, source=NULL "
                    f"WHERE input_hash IN ({marks}) AND initial IS NOT NULL "
                    f"AND source IS NOT NULL AND source != 'import' AND source != ? "
                    f"AND NOT EXISTS (SELECT 1 FROM states s "
                    f"WHERE s.input_hash = documents.input_hash)",
                    (*chunk, source),
                )
                forgotten += cursor.rowcount
        return forgotten

    @_guarded
    def state(self, annotator: str, input_hash: int) -> DocumentState:
        return self._state(self._db, annotator, input_hash)

    @_guarded
    def initial_state(self, input_hash: int) -> DocumentState:
        """The suggestions (or imported annotations) a document starts from."""
        return self._initial(self._db, input_hash)

    def _state(self, db: sqlite3.Connection, annotator: str, input_hash: int) -> DocumentState:
        # Parsing a long article's state costs tens of milliseconds; a key press must not.
        version = db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._cache_version:
            # Another connection committed since: anything remembered may be stale.
            self._cache.clear()
            self._cache_version = version
        cached = self._cache.get((annotator, input_hash))
        if cached is not None:
            return cached
        row = db.execute(
            "SELECT state FROM states WHERE annotator=? AND input_hash=?",
            (annotator, input_hash),
        ).fetchone()
        if row is not None:
            state = DocumentState.from_store(json.loads(row[0]))
        else:
            state = self._initial(db, input_hash)
        self._remember(annotator, input_hash, state)
        return state

    def _state_json(self, state: DocumentState) -> str:
        """`_dumps(state.to_store())`, reusing the JSON of items that did not change.

        An edit replaces one or two spans of thousands; re-encoding the others on every key
        press is what made edits on long articles slow.
        """
        spans = ",".join(self._item_json(span, span.to_store) for span in state.spans)
        stances = ",".join(self._item_json(stance, stance.to_json) for stance in state.stances)
        if len(self._item_memo) > _ITEM_JSON_MEMO:
            self._item_memo.clear()
        return f'{{"spans":[{spans}],"stances":[{stances}],"answer":{_dumps(state.answer)}}}'

    def _item_json(self, item: Span | Stance, encode: Callable[[], dict[str, Any]]) -> str:
        memo = self._item_memo.get(id(item))
        if memo is None or memo[0] is not item:
            memo = (item, _dumps(encode()))
            self._item_memo[id(item)] = memo
        return memo[1]

    def _remember(self, annotator: str, input_hash: int, state: DocumentState) -> None:
        self._cache[(annotator, input_hash)] = state
        self._cache.move_to_end((annotator, input_hash))
        while len(self._cache) > _CACHED_STATES:
            self._cache.popitem(last=False)

    def _initial(self, db: sqlite3.Connection, input_hash: int) -> DocumentState:
        row = db.execute(
            "SELECT initial FROM documents WHERE input_hash=?", (input_hash,)
        ).fetchone()
        if row is None:
            raise KeyError(input_hash)
        return DocumentState.from_store(json.loads(row[0])) if row[0] else DocumentState()

    @_guarded
    def replay(self, annotator: str, input_hash: int) -> DocumentState:
        """Rebuild a state from the initial suggestions and the log alone (the audit path)."""
        state = self._initial(self._db, input_hash)
        for event in self.history(annotator, input_hash):
            state = apply_change(state, event.change)
        return state

    @_guarded
    def history(self, annotator: str, input_hash: int) -> list[Event]:
        rows = self._db.execute(
            "SELECT seq, annotator, input_hash, op, ref, change, timestamp FROM events "
            "WHERE annotator=? AND input_hash=? ORDER BY seq",
            (annotator, input_hash),
        )
        return [
            Event(seq, ann, h, op, ref, Change.from_json(json.loads(change)), ts)
            for seq, ann, h, op, ref, change, ts in rows
        ]

    @_guarded
    def answers(self, annotator: str, hashes: Sequence[int]) -> dict[int, str | None]:
        """Each document's answer for this annotator (imported answers count)."""
        result: dict[int, str | None] = {}
        for chunk in _chunks(hashes, 500):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT d.input_hash, s.state IS NOT NULL, s.answer, d.initial "
                f"FROM documents d LEFT JOIN states s "
                f"ON s.input_hash = d.input_hash AND s.annotator = ? "
                f"WHERE d.input_hash IN ({marks})",
                (annotator, *chunk),
            )
            for input_hash, has_state, answer, initial in rows:
                if has_state:
                    result[input_hash] = answer
                elif initial:
                    result[input_hash] = json.loads(initial).get("answer")
                else:
                    result[input_hash] = None
        return result

    def first_unfinished(self, annotator: str, hashes: Sequence[int]) -> int | None:
        """Index in `hashes` of the first document this annotator has not answered."""
        answers = self.answers(annotator, hashes)
        for index, input_hash in enumerate(hashes):
            if answers.get(input_hash) is None:
                return index
        return None

    @_guarded
    def remember_place(self, annotator: str, input_hash: int) -> None:
        """Note the document this annotator has open."""
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO places (annotator, input_hash) VALUES (?, ?)",
                (annotator, input_hash),
            )

    @_guarded
    def place(self, annotator: str) -> int | None:
        """The document this annotator last had open, if any was noted."""
        row = self._db.execute(
            "SELECT input_hash FROM places WHERE annotator=?", (annotator,)
        ).fetchone()
        return None if row is None else int(row[0])

    @_guarded_iter
    def iter_annotated(
        self, annotator: str, include_unfinished: bool = False, batch_size: int = 1000
    ) -> Iterator[AnnotatedDocument]:
        """Every document with this annotator's state, in corpus order, streamed in batches."""
        last_position = -1
        while True:
            rows = self._db.execute(
                "SELECT d.position, d.input_hash, d.text, d.meta, d.extra, d.task_hash, "
                "d.tokens, d.initial, d.imported_timestamp, d.imported_annotator, "
                "s.state, s.timestamp FROM documents d LEFT JOIN states s "
                "ON s.input_hash = d.input_hash AND s.annotator = ? "
                "WHERE d.position > ? ORDER BY d.position LIMIT ?",
                (annotator, last_position, batch_size),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                last_position = row[0]
                state_json = row[10] or row[7]
                state = (
                    DocumentState.from_store(json.loads(state_json))
                    if state_json
                    else DocumentState()
                )
                if state.answer is None and not include_unfinished:
                    continue
                yield AnnotatedDocument(
                    document=_document_from_row(row[1:7]),
                    state=state,
                    timestamp=row[11] if row[10] else row[8],
                    annotator=annotator if row[10] else (row[9] or annotator),
                )

    @_guarded
    def stats(self, annotator: str) -> StoreStats:
        documents = self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        suggested = self._db.execute(
            "SELECT COUNT(*) FROM documents WHERE initial IS NOT NULL"
        ).fetchone()[0]
        answers = {"accept": 0, "ignore": 0, "reject": 0}
        labels: dict[tuple[str, str], int] = {}
        for annotated in self.iter_annotated(annotator, include_unfinished=True):
            if annotated.state.answer in answers:
                answers[annotated.state.answer] += 1
            for span in annotated.state.spans:
                key = (span.label, span.status)
                labels[key] = labels.get(key, 0) + 1
        return StoreStats(
            documents=documents,
            suggested=suggested,
            finished=answers["accept"],
            skipped=answers["ignore"],
            rejected=answers["reject"],
            label_counts=labels,
        )

    def close(self) -> None:
        self._db.close()


def _document_from_row(row: Sequence[Any]) -> Document:
    input_hash, text, meta, extra, task_hash, tokens = row[:6]
    return Document(
        input_hash=input_hash,
        text=text,
        meta=json.loads(meta),
        tokens=tuple(Token.from_json(t) for t in json.loads(tokens)) if tokens else (),
        task_hash=task_hash,
        extra=json.loads(extra),
    )


def _chunks(values: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, turning disk and lock errors into StoreError."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self._path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreError(f"{self._path}: cannot write to the store ({error})") from None
        return self._db

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            try:
                self._db.execute("COMMIT")
                return
            except sqlite3.Error as error:
                self._db.execute("ROLLBACK")
                raise StoreError(f"{self._path}: could not save ({error})") from None
        self._db.execute("ROLLBACK")


def open_store(path: Path | str | None = None) -> SQLiteStore:
    """Open (creating if needed) the store at `path` or the default location."""
    return SQLiteStore(Path(path) if path is not None else default_store_path())

"""The team's store: PostgreSQL (psycopg 3), the same protocol and queries as SQLite.

Every write is one transaction committed before the call returns. A lost connection is
reported as `the store is unreachable (...)` and the next call reconnects by itself; a
decision whose commit was cut off is retried once with its event id, so it lands once.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import re
import time
import uuid
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import psycopg

from annotator.core.commands import Change, EditRefused, apply_change
from annotator.core.jsoncodec import compact_json
from annotator.core.model import DocumentState
from annotator.core.store.claims import DEFAULT_CLAIM_TIMEOUT, POSTGRES_CLAIM, growing_chunks
from annotator.core.store.decisions import CHANGE_HEAD, History, StoreBackend, changed_items
from annotator.core.store.schema import (
    POSTGRES_DECIDE,
    SCHEMA_VERSION,
    newer_store,
    postgres_schema,
    statements,
    upgrade,
)
from annotator.core.store.sql import guarded
from annotator.errors import StoreError

_CONNECT_TIMEOUT_SECONDS = 5
_HAS_TABLES = (
    "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relname = 'store_info' AND n.nspname = current_schema())"
)
_SCHEMA_LOCK = 7_461_001  # advisory lock key: one process creates or upgrades the tables


@functools.lru_cache(maxsize=512)
def _placeholders(sql: str) -> str:
    """sqlite3's `?` placeholders in psycopg's spelling (no query here holds a literal `?`)."""
    return sql.replace("%", "%%").replace("?", "%s")


def redacted(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:@/]*):[^@/]*@", r"\1:***@", url)


class PgConnection:
    """A psycopg connection that takes sqlite3-style `?` queries and reconnects when lost."""

    def __init__(self, url: str, read_only: bool) -> None:
        self.url = url
        self.read_only = read_only
        self.conn: psycopg.Connection[Any] | None = None
        self.in_transaction = False
        self.connect()

    def connect(self) -> psycopg.Connection[Any]:
        if self.conn is not None and not self.conn.closed and not self.conn.broken:
            return self.conn
        if self.conn is not None:
            self.conn.close()
        self.conn = psycopg.connect(
            self.url, autocommit=True, connect_timeout=_CONNECT_TIMEOUT_SECONDS
        )
        if self.read_only:
            self.conn.execute("SET default_transaction_read_only = on")
        return self.conn

    def execute(self, sql: str, params: Any = ()) -> Any:
        conn = self.conn if self.in_transaction else self.connect()
        assert conn is not None
        return conn.execute(_placeholders(sql), params)

    def call(self, sql: str, params: Sequence[Any]) -> Any:
        """One statement in psycopg's own placeholders (`%b`: sent in binary, which costs
        far less than text for arrays), prepared on the server."""
        conn = self.conn if self.in_transaction else self.connect()
        assert conn is not None
        return conn.execute(sql, params, prepare=True)

    def executemany(self, sql: str, rows: Any) -> Any:
        conn = self.conn if self.in_transaction else self.connect()
        assert conn is not None
        cursor = conn.cursor()
        rows = list(rows)
        if rows:
            cursor.executemany(_placeholders(sql), rows)
        return cursor

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


class _PgTransaction:
    """BEGIN ... COMMIT on the connection; failures become StoreError through `_failure`."""

    def __init__(self, store: PostgresStore, pipelined: bool = False) -> None:
        self._store = store
        self._tx: Any = None
        self._pipeline: Any = None
        self._pipelined = pipelined

    def __enter__(self) -> PgConnection:
        db = self._store._db
        conn = db.connect()
        # Pipeline mode: statements whose results nobody reads yet (BEGIN, the lock, the
        # writes, COMMIT) travel together; reading a result waits for what came before.
        self._pipeline = conn.pipeline() if self._pipelined else contextlib.nullcontext()
        self._pipeline.__enter__()
        try:
            self._tx = conn.transaction()
            self._tx.__enter__()
        except BaseException:
            self._pipeline.__exit__(None, None, None)
            raise
        db.in_transaction = True
        return db

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        db = self._store._db
        try:
            try:
                self._tx.__exit__(exc_type, exc, tb)
            finally:
                self._pipeline.__exit__(exc_type, exc, tb)
        finally:
            db.in_transaction = False


class PostgresStore(StoreBackend):
    """A store in a PostgreSQL database, shared by a team's sessions on many machines."""

    _lock_row = " FOR UPDATE SKIP LOCKED"
    _lock_row_waiting = " FOR UPDATE"
    _last_id = "lastval()"
    _row_stamp = "d.xmin::text::bigint"  # the transaction that last wrote the row

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        super().__init__()
        self.url = url
        self.location = url
        self.read_only = read_only
        self.name = redacted(url)
        try:
            self._db = PgConnection(url, read_only)
            self._create_or_check()
        except psycopg.Error as error:
            if getattr(self, "_db", None) is not None:
                self._db.close()
            raise StoreError(f"{self.name}: cannot open the store ({_first_line(error)})") from None
        except StoreError:
            self._db.close()
            raise

    def _create_or_check(self) -> None:
        """Create the tables of a new store, or check (and upgrade) an existing one, in one
        transaction under a lock: two sessions opening a new store at once make it once."""
        exists = self._db.execute(_HAS_TABLES).fetchone()[0]
        if self.read_only:
            if not exists:
                raise StoreError(f"{self.name}: no store in this database (nothing was created)")
            self._check_version(self._db)
            return
        with self._write() as db:
            db.execute("SELECT pg_advisory_xact_lock(?)", (_SCHEMA_LOCK,))
            # A plain query (a fresh snapshot, unlike catalog lookups) sees what the process
            # that held the lock before us committed.
            exists = db.execute(_HAS_TABLES).fetchone()[0]
            if not exists:
                for statement in statements(postgres_schema()):
                    db.execute(statement)
                db.execute(POSTGRES_DECIDE)
                db.execute(POSTGRES_CLAIM)
                db.execute(
                    "INSERT INTO store_info (key, value) VALUES ('schema', ?) "
                    "ON CONFLICT DO NOTHING",
                    (str(SCHEMA_VERSION),),
                )
                return
            version = self._check_version(db)
            if version < SCHEMA_VERSION:
                upgrade(db, version, postgres=True)

    def _check_version(self, db: Any) -> int:
        row = db.execute("SELECT value FROM store_info WHERE key='schema'").fetchone()
        if row is None or not str(row[0]).isdigit():
            raise StoreError(f"{self.name}: this database holds tables of another program")
        version = int(row[0])
        if version > SCHEMA_VERSION:
            raise newer_store(self.name, version)
        return version

    # -- what the shared code asks of a backend ------------------------------------------------

    def _write(self) -> _PgTransaction:
        return _PgTransaction(self)

    def _write_decision(self) -> _PgTransaction:
        # Decisions read no row counts: they can travel pipelined.
        return _PgTransaction(self, pipelined=True)

    def _write_one(self, sql: str, params: Sequence[Any]) -> None:
        self._db.execute(sql, params)  # autocommit: the statement is its own transaction

    def _change_head(self, seq: int, long: int) -> tuple[str, bool]:
        # octet_length reads the size from the value's header, not the value.
        head, at_least = self._db.execute(
            f"SELECT substr(change, 1, {CHANGE_HEAD}), octet_length(change) >= ? "
            "FROM events WHERE seq=?",
            (long, seq),
        ).fetchone()
        return str(head), bool(at_least)

    def _fresh_id(self) -> str:
        event_id = uuid.uuid4().hex
        self._fresh_ids.add(event_id)
        return event_id

    # A commit cut off by a lost connection may or may not have landed: try once more on a
    # new connection with the same event id, which applies it at most once.

    def apply(
        self,
        annotator: str,
        input_hash: int,
        change: Change,
        *,
        session: int | None = None,
        event_id: str | None = None,
        overlap: int | None = None,
    ) -> DocumentState:
        """Apply a change and log it; committed on the server before this returns."""
        event_id = event_id or self._fresh_id()
        try:
            return super().apply(
                annotator, input_hash, change, session=session, event_id=event_id, overlap=overlap
            )
        except StoreError as error:
            if not _unreachable(error):
                raise
        finally:
            self._fresh_ids.discard(event_id)
        return super().apply(
            annotator, input_hash, change, session=session, event_id=event_id, overlap=overlap
        )

    def undo(
        self,
        annotator: str,
        *,
        session: int | None = None,
        event_id: str | None = None,
        overlap: int | None = None,
    ) -> History | None:
        """Undo this session's latest change (see `StoreBackend.undo`)."""
        event_id = event_id or self._fresh_id()
        try:
            return super().undo(annotator, session=session, event_id=event_id, overlap=overlap)
        except StoreError as error:
            if not _unreachable(error):
                raise
        finally:
            self._fresh_ids.discard(event_id)
        return super().undo(annotator, session=session, event_id=event_id, overlap=overlap)

    def redo(
        self,
        annotator: str,
        *,
        session: int | None = None,
        event_id: str | None = None,
        overlap: int | None = None,
    ) -> History | None:
        """Redo this session's change undone last (see `StoreBackend.redo`)."""
        event_id = event_id or self._fresh_id()
        try:
            return super().redo(annotator, session=session, event_id=event_id, overlap=overlap)
        except StoreError as error:
            if not _unreachable(error):
                raise
        finally:
            self._fresh_ids.discard(event_id)
        return super().redo(annotator, session=session, event_id=event_id, overlap=overlap)

    @guarded
    def claim_next(
        self,
        annotator: str,
        session: int,
        hashes: Sequence[int],
        overlap: int,
        timeout: float = DEFAULT_CLAIM_TIMEOUT,
        include_answered: bool = True,
    ) -> int | None:
        """The first document of `hashes` this session may open, claimed for it if needed
        (see `ClaimLog.claim_next`): here one statement, `annotator_claim`, so one round trip."""
        now = int(time.time())
        expired_before = math.ceil(now - timeout)  # an integer, as `heartbeat < now - timeout`
        for chunk in growing_chunks(list(hashes)):
            # Each slice is a transaction of its own: a document claimed in an earlier one
            # would have been returned, so nothing is left claimed by a slice that found none.
            row = self._db.call(
                "SELECT annotator_claim(%b, %b, %b::bigint[], %b, %b, %b, %b)",
                (annotator, session, chunk, overlap, now, expired_before, include_answered),
            ).fetchone()
            if row[0] is not None:
                return int(row[0])
        return None

    def _lock_state(self, db: Any, annotator: str, input_hash: int) -> None:
        # Two sessions of one annotator on one document take turns (SQLite's BEGIN IMMEDIATE
        # serialises every writer; here only writers of the same state wait).
        db.execute("SELECT pg_advisory_xact_lock(?)", (_state_lock(annotator, input_hash),))

    def _decide_at_once(
        self, annotator: str, input_hash: int, change: Change, session: int, event_id: str | None
    ) -> DocumentState | None:
        # One statement, so one round trip and one transaction, committed (and flushed to
        # disk) before its result comes back: `annotator_decide` writes what `_log` writes,
        # if the state is still the one cached here. Else nothing is written (None).
        cached = self._cache.get((annotator, input_hash))
        if cached is None:
            return None
        version, state, stamp = cached
        if version == 0 and stamp is None:
            return None
        try:
            new_state = apply_change(state, change)
        except EditRefused:
            return None  # the long way reads the state afresh and says why
        items = changed_items(change)
        row = self._db.call(
            "SELECT annotator_decide(%b, %b, %b, %b, %b, %b, %b, %b, %b, %b::text[],"
            " %b::text[], %b, %b)",
            (
                annotator,
                input_hash,
                version,
                stamp,
                _state_lock(annotator, input_hash),
                session,
                event_id,
                compact_json(change.to_json()),
                int(time.time()),
                [item for item, _ in items],
                [body for _, body in items],
                change.answer_after,
                session not in self._redo_empty,
            ),
        ).fetchone()
        if row[0] is None:
            return None
        self._remember(annotator, input_hash, int(row[0]), new_state)
        if session in self._own_sessions.values():
            self._redo_empty.add(session)
        return new_state

    def _failure(self, error: Exception) -> StoreError | None:
        if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
            return StoreError(f"the store is unreachable ({_first_line(error)})")
        if isinstance(error, psycopg.errors.ReadOnlySqlTransaction):
            return StoreError(f"{self.name}: the store was opened read-only ({_first_line(error)})")
        if isinstance(error, psycopg.errors.DiskFull | psycopg.errors.InsufficientPrivilege):
            return StoreError(f"{self.name}: cannot use the store ({_first_line(error)})")
        return None


def _state_lock(annotator: str, input_hash: int) -> int:
    """The advisory lock key of one annotator's state of one document."""
    digest = hashlib.blake2b(f"{annotator}\0{input_hash}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _unreachable(error: StoreError) -> bool:
    return str(error).startswith("the store is unreachable")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__

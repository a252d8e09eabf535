"""The embedded store: one SQLite file in WAL mode, safe to share between processes on a host."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

from annotator.core.store.decisions import CHANGE_HEAD, StoreBackend
from annotator.core.store.schema import (
    READABLE_SINCE,
    SCHEMA,
    SCHEMA_VERSION,
    newer_store,
    statements,
    upgrade,
)
from annotator.core.store.wal_sync import SYNC_ENV, WalSync
from annotator.errors import StoreError

_OPEN_PATIENCE_SECONDS = 10.0
_SQLITE_FULL = 13


def _reason(error: sqlite3.Error) -> str:
    """SQLite's words, plus the system's where SQLite's hide it (a full disk)."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None and code & 0xFF == _SQLITE_FULL:
        return f"{error}: {os.strerror(errno.ENOSPC)}"
    return str(error)


class SQLiteStore(StoreBackend):
    """The embedded store: one SQLite file in WAL mode, safe to share between processes."""

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        self.location = self.path
        self.read_only = read_only
        self._wal_sync: WalSync | None = None
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder; --store wants a file path")
        if self.path.is_symlink():
            # SQLite would follow it (and put its -wal file beside the link, not the file).
            raise StoreError(f"{self.path}: is a symbolic link; pass the real path of the store")
        if read_only:
            self._open_read_only()
            return
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
                raise self._damaged_on_open(error) from None
            except StoreError:
                self._close_quietly()
                raise

    def _damaged_on_open(self, error: sqlite3.DatabaseError) -> StoreError:
        return StoreError(
            f"{self.path}: cannot open the store ({error}); it may be damaged or not an "
            "annotator store. It was not modified; save what is readable with "
            f"`annotator recover {self.path} -o NEW.sqlite`"
        )

    def _open_read_only(self) -> None:
        """Open for reading only: works on a store the user cannot write, never creates one."""
        if not self.path.exists():
            raise StoreError(f"{self.path}: no store here (nothing was created)")
        uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
        try:
            self._db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
            self._check_healthy()
            self._check_existing()
        except sqlite3.OperationalError as error:
            self._close_quietly()
            wal = Path(f"{self.path}-wal")
            if wal.exists() or os.access(self.path.parent, os.W_OK):
                raise StoreError(f"{self.path}: cannot open the store ({error})") from None
            # A WAL store in a folder we cannot write, closed cleanly (no -wal file, so no
            # writer): SQLite cannot make its shared-memory file, but nothing can change it.
            self._db = sqlite3.connect(
                f"{uri}&immutable=1", uri=True, timeout=30, isolation_level=None
            )
            self._check_existing()
        except sqlite3.DatabaseError as error:
            self._close_quietly()
            raise self._damaged_on_open(error) from None
        except StoreError:
            self._close_quietly()
            raise
        if self._version < READABLE_SINCE:
            self._close_quietly()
            raise StoreError(
                f"{self.path}: the store is of an older annotator (schema {self._version}); "
                "open it once for writing (any command that saves) to upgrade it"
            )

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
                if self._version < SCHEMA_VERSION:
                    upgrade(self._db, self._version)  # in this transaction: all or nothing
            else:
                for statement in statements(SCHEMA):
                    self._db.execute(statement)
                self._db.execute(
                    "INSERT INTO store_info (key, value) VALUES ('schema', ?)",
                    (str(SCHEMA_VERSION),),
                )
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _check_existing(self) -> None:
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master")}
        if "store_info" not in tables:
            raise sqlite3.DatabaseError("no store_info table")
        row = self._db.execute("SELECT value FROM store_info WHERE key='schema'").fetchone()
        if row is None or not str(row[0]).isdigit():
            raise sqlite3.DatabaseError("no schema version")
        self._version = int(row[0])
        if self._version > SCHEMA_VERSION:
            raise newer_store(self.path, self._version)

    def _check_healthy(self) -> None:
        """Damage is found on opening, before any write, not hours into a session."""
        # quick_check reads every page once: about a second per GB of store.
        found = [r[0] for r in self._db.execute("PRAGMA quick_check(1)")]
        if found != ["ok"]:
            detail = " ".join(found[0].replace("*** in database main ***", "").split())
            raise sqlite3.DatabaseError(f"damaged: {detail}")

    # -- what the shared code asks of a backend ------------------------------------------------

    def _write(self) -> _Transaction:
        return _Transaction(self._db, self.path, self._wal_sync)

    def set_patience(self, seconds: float) -> None:
        self._db.execute(f"PRAGMA busy_timeout = {max(0, int(seconds * 1000))}")

    def _change_head(self, seq: int, long: int) -> tuple[str, bool]:
        # SQL would load the whole value first (15 MB for `A` on 100,000 suggestions): blob
        # I/O reads the first bytes and the size alone.
        with self._db.blobopen("events", "change", seq, readonly=True) as blob:
            return blob.read(CHANGE_HEAD).decode("utf-8", "ignore"), len(blob) >= long

    def _others_mark(self, db: sqlite3.Connection) -> int:
        return int(db.execute("PRAGMA data_version").fetchone()[0])

    def sync_behind(self) -> None:
        if self._wal_sync is None and not self.read_only and os.environ.get(SYNC_ENV) != "commit":
            # NORMAL: a commit is safe from a crash when it returns; WalSync makes it safe
            # from a power cut moments later (see wal_sync.py).
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._wal_sync = WalSync(self.path)

    @property
    def disk_behind(self) -> float:
        return 0.0 if self._wal_sync is None else self._wal_sync.behind

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._wal_sync is not None:
                self._wal_sync.close()

    def _failure(self, error: Exception) -> StoreError | None:
        """A damaged file or a failing disk, said for people; other SQLite errors are bugs."""
        if type(error) is sqlite3.DatabaseError:  # SQLITE_CORRUPT, SQLITE_NOTADB
            return StoreError(
                f"{self.path}: the store is damaged ({error}); it was not modified. Save what is "
                f"readable with `annotator recover {self.path} -o NEW.sqlite`"
            )
        if type(error) is sqlite3.OperationalError:
            if self.read_only and "readonly" in str(error):
                return StoreError(f"{self.path}: the store was opened read-only ({error})")
            return StoreError(f"{self.path}: cannot use the store ({_reason(error)})")
        return None


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, turning disk and lock errors into StoreError."""

    def __init__(self, db: sqlite3.Connection, path: Path, wal_sync: WalSync | None) -> None:
        self._db = db
        self._path = path
        self._wal_sync = wal_sync

    def __enter__(self) -> sqlite3.Connection:
        if self._wal_sync is not None:
            self._wal_sync.check()
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            reason = _reason(error)
            raise StoreError(f"{self._path}: cannot write to the store ({reason})") from None
        return self._db

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                self._rollback()
                raise StoreError(f"{self._path}: could not save ({_reason(error)})") from None
            if self._wal_sync is not None:
                self._wal_sync.committed()
            return
        self._rollback()

    def _rollback(self) -> None:
        # SQLite rolls back by itself after some failures (a full disk, say); a second
        # ROLLBACK would then fail and its message would hide the real cause.
        if self._db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

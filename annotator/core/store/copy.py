"""`annotator store copy`: a whole store into a new one, SQLite and PostgreSQL either way,
every row kept as it is (documents' positions, event numbers, sessions, undo stacks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.files import check_new_output
from annotator.core.store.decisions import StoreBackend
from annotator.core.store.location import open_store, store_url
from annotator.core.store.postgres import PostgresStore
from annotator.errors import StoreError

# Every table, parents first, with its columns in a fixed order and its key for ordering.
TABLES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("corpus_files", ("path", "signature", "hashes"), "path"),
    (
        "documents",
        (
            "position",
            "input_hash",
            "text",
            "meta",
            "extra",
            "task_hash",
            "tokens",
            "initial",
            "source",
            "imported_timestamp",
            "imported_annotator",
        ),
        "position",
    ),
    ("sessions", ("id", "annotator", "host", "pid", "started", "heartbeat", "ended"), "id"),
    (
        "events",
        (
            "seq",
            "annotator",
            "input_hash",
            "op",
            "ref",
            "change",
            "timestamp",
            "session",
            "event_id",
        ),
        "seq",
    ),
    ("undo_stacks", ("session", "kind", "seq"), "session, kind, seq"),
    ("places", ("annotator", "input_hash"), "annotator"),
    (
        "states",
        ("annotator", "input_hash", "answer", "timestamp", "version"),
        "annotator, input_hash",
    ),
    ("state_items", ("annotator", "input_hash", "item", "body"), "annotator, input_hash, item"),
    ("claims", ("input_hash", "annotator", "session", "heartbeat"), "input_hash, annotator"),
)
# Identity columns whose next value must follow the copied rows on PostgreSQL.
_IDENTITIES = (("documents", "position"), ("sessions", "id"), ("events", "seq"))
_BATCH = 2000


@dataclass
class CopyReport:
    """Rows copied, per table."""

    rows: dict[str, int] = field(default_factory=dict)

    def summary(self, source: str, target: str) -> str:
        counts = ", ".join(f"{n} {table}" for table, n in self.rows.items() if n)
        return f"copied {source} to {target}: {counts or 'an empty store'}"


def copy_store(source: str | Path, target: str | Path) -> CopyReport:
    """Copy the store at `source` into a new store at `target` (which must not hold one)."""
    if store_url(target) is None:
        check_new_output(Path(target))  # a new file: never a device, a FIFO or a link
    src = open_store(source, read_only=True)
    try:
        dest = open_store(target)
    except BaseException:
        src.close()
        raise
    try:
        if (
            dest._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            or dest._db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        ):
            raise StoreError(f"{target}: holds a store already; copy into an empty one")
        report = _copy(src, dest)
    except BaseException:
        dest.close()
        if store_url(target) is None:
            for leftover in ("", "-wal", "-shm"):  # the empty store this call made
                Path(f"{target}{leftover}").unlink(missing_ok=True)
        raise
    finally:
        src.close()
    dest.close()
    return report


def _copy(src: StoreBackend, dest: StoreBackend) -> CopyReport:
    report = CopyReport()
    with dest._write() as db:  # one transaction: a copy is all there or not at all
        overlap = src.overlap()
        if overlap is not None:
            db.execute(
                "INSERT INTO store_info (key, value) VALUES ('overlap', ?) ON CONFLICT DO NOTHING",
                (str(overlap),),
            )
        for table, columns, order in TABLES:
            names = ", ".join(columns)
            marks = ",".join("?" * len(columns))
            cursor: Any = src._db.execute(f"SELECT {names} FROM {table} ORDER BY {order}")
            count = 0
            while rows := cursor.fetchmany(_BATCH):
                db.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
                count += len(rows)
            report.rows[table] = count
        if isinstance(dest, PostgresStore):
            for table, column in _IDENTITIES:
                db.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                    f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
                )
    return report

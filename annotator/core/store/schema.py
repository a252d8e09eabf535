"""The tables of a store, for each backend, the version they are at, and the way up to it."""

from __future__ import annotations

import json
from typing import Any

from annotator.errors import StoreError

# 1: one JSON state per annotator and document, undo derived from the whole log.
# 2: sessions; undo stacks per session; states as overrides of the suggestions, item by item;
#    client-made event ids; claims and the corpus overlap (handing out work).
# 3: an index of states by document (handing out work counts others' answers per document).
# 4: PostgreSQL: `annotator_decide`, one decision in one statement (SQLite: nothing new).
# 5: PostgreSQL: `annotator_claim`, handing out the next document in one statement.
SCHEMA_VERSION = 5
READABLE_SINCE = 2  # the oldest layout a read-only opening can read without upgrading it

# Written in SQLite's words; `postgres_schema` swaps the few that differ.
SCHEMA = """
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
-- Each running `annotate` (or program) that makes decisions, which own their undo.
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    annotator TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started INTEGER NOT NULL,
    heartbeat INTEGER NOT NULL,
    ended INTEGER
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    annotator TEXT NOT NULL,
    input_hash INTEGER NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('do', 'undo', 'redo')),
    ref INTEGER,
    change TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    session INTEGER,
    event_id TEXT
);
CREATE INDEX IF NOT EXISTS events_by_document ON events (annotator, input_hash, seq);
CREATE UNIQUE INDEX IF NOT EXISTS events_by_id ON events (event_id);
-- The 'do' events each session can undo (top: the highest seq) and redo (top: the lowest).
CREATE TABLE IF NOT EXISTS undo_stacks (
    session INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('undo', 'redo')),
    seq INTEGER NOT NULL,
    PRIMARY KEY (session, kind, seq)
);
-- The document each annotator last had open, so reopening resumes there.
CREATE TABLE IF NOT EXISTS places (annotator TEXT PRIMARY KEY, input_hash INTEGER NOT NULL);
-- An annotator's answer per document, and `version` counts its decisions (for caches).
CREATE TABLE IF NOT EXISTS states (
    annotator TEXT NOT NULL,
    input_hash INTEGER NOT NULL,
    answer TEXT,
    timestamp INTEGER NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (annotator, input_hash)
);
CREATE INDEX IF NOT EXISTS states_by_document ON states (input_hash);
-- Where an annotator's items differ from the suggestions: `s:ID` spans, `t:ID` stances,
-- a NULL body is an item removed. A decision writes only the items it changed.
CREATE TABLE IF NOT EXISTS state_items (
    annotator TEXT NOT NULL,
    input_hash INTEGER NOT NULL,
    item TEXT NOT NULL,
    body TEXT,
    PRIMARY KEY (annotator, input_hash, item)
);
-- Documents handed out and not yet answered, each to one session of one annotator.
CREATE TABLE IF NOT EXISTS claims (
    input_hash INTEGER NOT NULL,
    annotator TEXT NOT NULL,
    session INTEGER NOT NULL,
    heartbeat INTEGER NOT NULL,
    PRIMARY KEY (input_hash, annotator)
);
CREATE INDEX IF NOT EXISTS claims_by_session ON claims (session)
"""


# A decision in one statement and one round trip (PostgreSQL only): the writes of
# `StoreBackend._log` for a 'do', made only if the state is still at the version the client
# planned on (a version-0 state: the document row unchanged since it was read, by `xmin`).
# Returns the new version, or NULL having written nothing: the client then takes the long way.
POSTGRES_DECIDE = """
CREATE OR REPLACE FUNCTION annotator_decide(
    p_annotator TEXT, p_input_hash BIGINT, p_version BIGINT, p_document_xmin BIGINT,
    p_lock BIGINT, p_session BIGINT, p_event_id TEXT, p_change TEXT, p_timestamp BIGINT,
    p_items TEXT[], p_bodies TEXT[], p_answer TEXT, p_clear_redo BOOLEAN
) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    v_current BIGINT;
    v_seq BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock);
    SELECT version INTO v_current FROM states
        WHERE annotator = p_annotator AND input_hash = p_input_hash;
    IF v_current IS NULL THEN
        IF p_version <> 0 OR p_document_xmin IS NULL OR NOT EXISTS (
            SELECT 1 FROM documents WHERE input_hash = p_input_hash
            AND xmin::text::bigint = p_document_xmin) THEN
            RETURN NULL;
        END IF;
    ELSIF v_current <> p_version THEN
        RETURN NULL;
    END IF;
    IF p_clear_redo THEN
        DELETE FROM undo_stacks WHERE session = p_session AND kind = 'redo';
    END IF;
    INSERT INTO events (annotator, input_hash, op, ref, change, timestamp, session, event_id)
        VALUES (p_annotator, p_input_hash, 'do', NULL, p_change, p_timestamp, p_session,
                p_event_id)
        RETURNING seq INTO v_seq;
    INSERT INTO undo_stacks (session, kind, seq) VALUES (p_session, 'undo', v_seq);
    INSERT INTO state_items (annotator, input_hash, item, body)
        SELECT p_annotator, p_input_hash, u.item, u.body
        FROM unnest(p_items, p_bodies) AS u(item, body)
        ON CONFLICT (annotator, input_hash, item) DO UPDATE SET body = excluded.body;
    INSERT INTO states (annotator, input_hash, answer, timestamp, version)
        VALUES (p_annotator, p_input_hash, p_answer, p_timestamp, 1)
        ON CONFLICT (annotator, input_hash) DO UPDATE SET answer = excluded.answer,
            timestamp = excluded.timestamp, version = states.version + 1;
    IF p_answer IS NOT NULL THEN
        DELETE FROM claims WHERE input_hash = p_input_hash AND annotator = p_annotator;
    END IF;
    RETURN p_version + 1;
END
$$
"""


def statements(schema: str) -> list[str]:
    """The schema's statements, one string each."""
    return [s.strip() for s in schema.split(";") if s.strip()]


def postgres_schema() -> str:
    """The same tables in PostgreSQL's words (64-bit integers, identity columns)."""
    return (
        SCHEMA.replace(
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        )
        .replace(
            "position INTEGER PRIMARY KEY",
            "position BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        )
        .replace("INTEGER", "BIGINT")
    )


def newer_store(where: object, version: int) -> StoreError:
    """The line for a store written by a newer annotator."""
    return StoreError(
        f"{where}: the store was written by a newer annotator (schema {version}; this one "
        f"knows up to {SCHEMA_VERSION}); upgrade annotator to open it. It was not modified"
    )


def upgrade(db: Any, version: int, postgres: bool = False) -> None:
    """Bring a store at `version` up to SCHEMA_VERSION, inside the caller's transaction."""
    if version < 2:
        _upgrade_1_to_2(db)
    if version < 3:
        db.execute("CREATE INDEX IF NOT EXISTS states_by_document ON states (input_hash)")
    if version < 4 and postgres:
        db.execute(POSTGRES_DECIDE)
    if version < 5 and postgres:
        from annotator.core.store.claims import POSTGRES_CLAIM

        db.execute(POSTGRES_CLAIM)
    db.execute("UPDATE store_info SET value=? WHERE key='schema'", (str(SCHEMA_VERSION),))


def _upgrade_1_to_2(db: Any) -> None:
    db.execute("ALTER TABLE events ADD COLUMN session INTEGER")
    db.execute("ALTER TABLE events ADD COLUMN event_id TEXT")
    db.execute("ALTER TABLE states RENAME TO states_1")
    for statement in statements(SCHEMA):
        db.execute(statement)
    rows = db.execute(
        "SELECT s.annotator, s.input_hash, s.state, s.answer, s.timestamp, d.initial "
        "FROM states_1 s JOIN documents d ON d.input_hash = s.input_hash"
    ).fetchall()
    for annotator, input_hash, state, answer, timestamp, initial in rows:
        db.execute(
            "INSERT INTO states (annotator, input_hash, answer, timestamp, version) "
            "VALUES (?,?,?,?,1)",
            (annotator, input_hash, answer, timestamp),
        )
        db.executemany(
            "INSERT INTO state_items (annotator, input_hash, item, body) VALUES (?,?,?,?)",
            [(annotator, input_hash, item, body) for item, body in item_rows(state, initial)],
        )
    db.execute("DROP TABLE states_1")


def item_rows(state_json: str, initial_json: str | None) -> list[tuple[str, str | None]]:
    """The override rows that turn the suggestions `initial_json` into `state_json`."""
    state = json.loads(state_json)
    initial = json.loads(initial_json) if initial_json else {}
    rows: list[tuple[str, str | None]] = []
    for prefix, key in (("s:", "spans"), ("t:", "stances")):
        before = {str(i["id"]): i for i in initial.get(key, [])}
        after = {str(i["id"]): i for i in state.get(key, [])}
        for item_id, item in after.items():
            if before.get(item_id) != item:
                rows.append((prefix + item_id, json.dumps(item, ensure_ascii=False)))
        rows.extend((prefix + i, None) for i in before if i not in after)
    return rows

"""The tables of a store, for each backend, and the version they are at."""

from __future__ import annotations

SCHEMA_VERSION = 1

# SQLite's spelling; `postgres_schema` adapts the few types that differ.
SQLITE_SCHEMA = """
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


def statements(schema: str) -> list[str]:
    """The schema's statements, one string each."""
    return [s.strip() for s in schema.split(";") if s.strip()]

"""The store: documents, cached suggestions and an append-only event log of every decision.

`Store` is the interface the rest of the tool uses; `open_store` is the one way to open one:
a file path gives the embedded `SQLiteStore`, a `postgresql://` URL the team's `PostgresStore`.
"""

from __future__ import annotations

from annotator.core.store.base import (
    DEFAULT_STORE,
    STORE_ENV,
    AnnotatedDocument,
    Event,
    Store,
    StoreStats,
    default_store_location,
    default_store_path,
)
from annotator.core.store.decisions import StoreBackend
from annotator.core.store.location import open_store
from annotator.core.store.schema import SCHEMA_VERSION
from annotator.core.store.sqlite import SQLiteStore

__all__ = [
    "DEFAULT_STORE",
    "SCHEMA_VERSION",
    "STORE_ENV",
    "AnnotatedDocument",
    "Event",
    "SQLiteStore",
    "Store",
    "StoreBackend",
    "StoreStats",
    "default_store_location",
    "default_store_path",
    "open_store",
]

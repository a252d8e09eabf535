"""What every store offers (the `Store` protocol) and the values it hands out.

`SQLiteStore` (one file, the default) and `PostgresStore` (a server, for teams) implement it;
the rest of the tool sees only this protocol and `open_store`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from annotator.core.commands import Change
from annotator.core.jsoncodec import cycle_collection_paused, read_json
from annotator.core.model import CorpusRecord, Document, DocumentState, Token

STORE_ENV = "ANNOTATOR_STORE"
DEFAULT_STORE = Path(".annotator") / "annotations.sqlite"


def default_store_path() -> Path:
    """`$ANNOTATOR_STORE`, else `.annotator/annotations.sqlite` under the current directory."""
    env = os.environ.get(STORE_ENV)
    return Path(env) if env else DEFAULT_STORE


def default_store_location() -> str | Path:
    """Like `default_store_path`, but a `scheme://` URL in `$ANNOTATOR_STORE` stays a string."""
    env = os.environ.get(STORE_ENV)
    if env and "://" in env:
        return env
    return default_store_path()


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
    session: int | None = None  # None: made before sessions were recorded


@dataclass(frozen=True)
class AnnotatedDocument:
    """A document with one annotator's current state, ready for export."""

    document: Document
    state: DocumentState
    timestamp: int | None
    annotator: str | None


@dataclass(frozen=True)
class StoreStats:
    """Counts over a store for one annotator."""

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
    def apply_many(self, changes: Sequence[tuple[str, int, Change]]) -> None: ...
    def undo(self, annotator: str) -> tuple[int, DocumentState, Change] | None: ...
    def redo(self, annotator: str) -> tuple[int, DocumentState, Change] | None: ...
    def history(self, annotator: str, input_hash: int) -> list[Event]: ...
    def answers(self, annotator: str, hashes: Sequence[int]) -> dict[int, str | None]: ...
    def first_unfinished(self, annotator: str, hashes: Sequence[int]) -> int | None: ...
    def remember_place(self, annotator: str, input_hash: int) -> None: ...
    def place(self, annotator: str) -> int | None: ...
    def annotators(self) -> list[str]: ...
    def logged_commands(self, commands: Iterable[str]) -> set[tuple[str, int]]: ...
    def iter_annotated(
        self, annotator: str, include_unfinished: bool
    ) -> Iterator[AnnotatedDocument]: ...
    def stats(self, annotator: str) -> StoreStats: ...
    def close(self) -> None: ...


def document_from_row(row: Sequence[Any]) -> Document:
    """A `Document` from (input_hash, text, meta, extra, task_hash, tokens) columns."""
    input_hash, text, meta, extra, task_hash, tokens = row[:6]
    with cycle_collection_paused():  # a long article has hundreds of thousands of tokens
        return Document(
            input_hash=input_hash,
            text=text,
            meta=json.loads(meta),
            tokens=tuple(Token.from_json(t) for t in read_json(tokens)) if tokens else (),
            task_hash=task_hash,
            extra=json.loads(extra),
        )


def chunks(values: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    """`values` in slices of at most `size` (SQL parameter lists have a limit)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]

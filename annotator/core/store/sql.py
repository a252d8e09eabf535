"""The store's queries, shared by both backends: documents, suggestions, and reading back.

Queries are written once, in the SQL both SQLite and PostgreSQL accept (`?` placeholders;
the PostgreSQL connection translates them). A backend supplies the connection (`_db`), write
transactions (`_write`) and the wording of its failures (`_failure`).
"""

from __future__ import annotations

import functools
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from annotator.core.jsoncodec import compact_json, read_json
from annotator.core.model import CorpusRecord, Document, DocumentState, Token
from annotator.core.store.base import (
    AnnotatedDocument,
    StoreStats,
    chunks,
    document_from_row,
)
from annotator.errors import StoreError

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="SQLStore")


def guarded(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Turn damage, disk and connection errors met while reading or writing into StoreError."""

    @functools.wraps(method)
    def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except StoreError:
            raise
        except Exception as error:
            failure = self._failure(error)
            if failure is None:
                raise
            raise failure from None

    return wrapper


def guarded_iter(
    method: Callable[Concatenate[S, P], Iterator[R]],
) -> Callable[Concatenate[S, P], Iterator[R]]:
    """`guarded` for the methods that stream rows."""

    @functools.wraps(method)
    def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> Iterator[R]:
        try:
            yield from method(self, *args, **kwargs)
        except StoreError:
            raise
        except Exception as error:
            failure = self._failure(error)
            if failure is None:
                raise
            raise failure from None

    return wrapper


class SQLStore(ABC):
    """The backend-neutral part of a store; see `SQLiteStore` and `PostgresStore`."""

    _db: Any  # a DB-API connection taking `?` placeholders
    location: str | Path  # what `open_store` opens again (in a worker process, say)
    read_only: bool = False

    @abstractmethod
    def _write(self) -> AbstractContextManager[Any]:
        """A write transaction on the backend's connection."""

    def _write_one(self, sql: str, params: Sequence[Any]) -> None:
        """One write statement as a transaction of its own (a server runs it as one: one
        round trip, committed before it answers)."""
        with self._write() as db:
            db.execute(sql, params)

    def set_patience(self, seconds: float) -> None:
        """How long a write waits for another process's lock before it fails (the screen
        waits under a second and says so, instead of freezing). Backends that never wait
        ignore it."""
        return None  # the default: never wait

    def sync_behind(self) -> None:
        """Let a commit return before the disk confirms it, and flush it in the background
        (a screen: a key must not wait for a stalled disk). Backends whose server makes its
        commits durable itself ignore it."""
        return None

    @property
    def disk_behind(self) -> float:
        """Seconds a commit that returned has waited for the disk to confirm it (0.0: none)."""
        return 0.0

    @abstractmethod
    def _failure(self, error: Exception) -> StoreError | None:
        """The StoreError to raise for `error`, or None when it is a bug to let through."""

    def _forget_cached(self) -> None:
        """Drop remembered states (suggestions changed under them)."""
        return None  # the default: nothing remembered

    # -- corpus files and documents ----------------------------------------------------------

    @guarded
    def known_file(self, path: str, signature: str) -> list[int] | None:
        """The document hashes of a corpus file imported before, if it has not changed since."""
        row = self._db.execute(
            "SELECT signature, hashes FROM corpus_files WHERE path=?", (path,)
        ).fetchone()
        if row is None or row[0] != signature:
            return None
        hashes: list[int] = json.loads(row[1])
        return hashes

    @guarded
    def remember_file(self, path: str, signature: str, hashes: Sequence[int]) -> None:
        """Record which documents a corpus file holds, so reopening it need not parse it."""
        with self._write() as db:
            db.execute(
                "INSERT INTO corpus_files (path, signature, hashes) VALUES (?,?,?) "
                "ON CONFLICT (path) DO UPDATE SET signature=excluded.signature, "
                "hashes=excluded.hashes",
                (path, signature, compact_json(list(hashes))),
            )

    @guarded
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
                    compact_json(doc.meta),
                    compact_json(doc.extra),
                    doc.task_hash,
                    compact_json([t.to_json() for t in doc.tokens]) if doc.tokens else None,
                    compact_json(record.initial.to_store()) if record.initial is not None else None,
                    record.source,
                    record.timestamp,
                    record.annotator,
                )
            )
        with self._write() as db:
            db.executemany(
                "INSERT INTO documents (input_hash, text, meta, extra, task_hash,"
                " tokens, initial, source, imported_timestamp, imported_annotator)"
                " VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                rows,
            )

    @guarded
    def document(self, input_hash: int) -> Document:
        """The document with this hash (KeyError when the store has none)."""
        row = self._db.execute(
            "SELECT input_hash, text, meta, extra, task_hash, tokens FROM documents "
            "WHERE input_hash=?",
            (input_hash,),
        ).fetchone()
        if row is None:
            raise KeyError(input_hash)
        return document_from_row(row)

    @guarded_iter
    def iter_texts(self, hashes: Sequence[int]) -> Iterator[tuple[str, int]]:
        """(text, input_hash) of the given documents, in order, read in batches."""
        for chunk in chunks(hashes, 500):
            marks = ",".join("?" * len(chunk))
            texts = dict(
                self._db.execute(
                    f"SELECT input_hash, text FROM documents WHERE input_hash IN ({marks})",
                    tuple(chunk),
                ).fetchall()
            )
            for input_hash in chunk:
                if input_hash in texts:
                    yield texts[input_hash], input_hash

    # -- suggestions ---------------------------------------------------------------------------

    @guarded
    def has_suggestions(self, input_hash: int) -> bool:
        """True when the model's suggestions (or imported annotations) are cached."""
        row = self._db.execute(
            "SELECT initial IS NOT NULL FROM documents WHERE input_hash=?", (input_hash,)
        ).fetchone()
        return bool(row and row[0])

    @guarded
    def missing_suggestions(self, hashes: Sequence[int]) -> list[int]:
        """The hashes (in the given order) whose documents have no suggestions yet."""
        missing: set[int] = set()
        for chunk in chunks(hashes, 500):
            marks = ",".join("?" * len(chunk))
            missing.update(
                r[0]
                for r in self._db.execute(
                    f"SELECT input_hash FROM documents WHERE initial IS NULL "
                    f"AND input_hash IN ({marks})",
                    tuple(chunk),
                )
            )
        return [h for h in hashes if h in missing]

    @guarded
    def forget_stale_suggestions(self, hashes: Sequence[int], source: str) -> int:
        """Drop cached suggestions made by another model, where nobody has decided anything.

        So `--model NEW` suggests afresh; a document someone has worked on keeps the
        suggestions its decisions were made on, and imported annotations are never dropped.
        """
        forgotten = 0
        self._forget_cached()
        with self._write() as db:
            for chunk in chunks(hashes, 500):
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

    def set_suggestions(
        self, input_hash: int, tokens: Sequence[Token], initial: DocumentState, source: str
    ) -> None:
        """Cache a pipeline's tokens and suggestions; never replaces ones already there."""
        self.set_suggestions_many([(input_hash, tokens, initial, source)])

    @guarded
    def set_suggestions_many(
        self, items: Sequence[tuple[int, Sequence[Token], DocumentState, str]]
    ) -> None:
        """Cache suggestions of many documents in one transaction (one disk sync)."""
        rows = [
            (
                compact_json([t.to_json() for t in tokens]),
                compact_json(initial.to_store()),
                source,
                input_hash,
            )
            for input_hash, tokens, initial, source in items
        ]
        self._forget_cached()  # a state not yet decided on is its document's suggestions
        with self._write() as db:
            db.executemany(
                "UPDATE documents SET tokens=?, initial=?, source=? "
                "WHERE input_hash=? AND initial IS NULL",
                rows,
            )

    # -- reading back --------------------------------------------------------------------------

    @guarded
    def answers(self, annotator: str, hashes: Sequence[int]) -> dict[int, str | None]:
        """Each document's answer for this annotator (imported answers count)."""
        result: dict[int, str | None] = {}
        for chunk in chunks(hashes, 500):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT d.input_hash, s.input_hash IS NOT NULL, s.answer, d.initial "
                f"FROM documents d LEFT JOIN states s "
                f"ON s.input_hash = d.input_hash AND s.annotator = ? "
                f"WHERE d.input_hash IN ({marks})",
                (annotator, *chunk),
            )
            for input_hash, has_state, answer, initial in rows:
                if has_state:
                    result[input_hash] = answer
                elif initial:
                    result[input_hash] = _answer_of(initial)
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

    @guarded
    def remember_place(self, annotator: str, input_hash: int) -> None:
        """Note the document this annotator has open."""
        self._write_one(
            "INSERT INTO places (annotator, input_hash) VALUES (?, ?) "
            "ON CONFLICT (annotator) DO UPDATE SET input_hash=excluded.input_hash",
            (annotator, input_hash),
        )

    @guarded
    def place(self, annotator: str) -> int | None:
        """The document this annotator last had open, if any was noted."""
        row = self._db.execute(
            "SELECT input_hash FROM places WHERE annotator=?", (annotator,)
        ).fetchone()
        return None if row is None else int(row[0])

    @guarded
    def annotators(self) -> list[str]:
        """Everyone with decisions in the store (imported annotations' annotators included)."""
        rows = self._db.execute(
            "SELECT annotator FROM states UNION SELECT imported_annotator FROM documents "
            "WHERE imported_annotator IS NOT NULL AND initial IS NOT NULL"
        ).fetchall()
        return sorted(r[0] for r in rows)

    @abstractmethod
    def _states_of(
        self, annotator: str, rows: Sequence[tuple[int, str | None, Any]]
    ) -> dict[int, DocumentState]:
        """The states of these `states` rows (backends decode their JSON their own way)."""

    @guarded_iter
    def iter_annotated(
        self, annotator: str, include_unfinished: bool = False, batch_size: int = 1000
    ) -> Iterator[AnnotatedDocument]:
        """Every document with this annotator's state, in corpus order, streamed in batches."""
        last_position = -1
        while True:
            rows = self._db.execute(
                "SELECT d.position, d.input_hash, d.text, d.meta, d.extra, d.task_hash, "
                "d.tokens, d.initial, d.imported_timestamp, d.imported_annotator, "
                "s.version, s.timestamp, s.answer FROM documents d LEFT JOIN states s "
                "ON s.input_hash = d.input_hash AND s.annotator = ? "
                "WHERE d.position > ? ORDER BY d.position LIMIT ?",
                (annotator, last_position, batch_size),
            ).fetchall()
            if not rows:
                return
            decided = self._states_of(
                annotator, [(row[1], row[7], row[12]) for row in rows if row[10] is not None]
            )
            for row in rows:
                last_position = row[0]
                state = decided.get(row[1])
                if state is None:
                    state = (
                        DocumentState.from_store(json.loads(row[7])) if row[7] else DocumentState()
                    )
                if state.answer is None and not include_unfinished:
                    continue
                yield AnnotatedDocument(
                    document=document_from_row(row[1:7]),
                    state=state,
                    timestamp=row[11] if row[10] is not None else row[8],
                    annotator=annotator if row[10] is not None else (row[9] or annotator),
                )

    @guarded
    def stats(self, annotator: str) -> StoreStats:
        """Counts of documents, answers and labels for this annotator."""
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
        """Close the connection (sessions started through it end)."""
        self._db.close()



def _answer_of(initial: str) -> Any:
    """The answer of stored suggestions. The store writes the answer last, so most say it
    in their last characters, and a record of 100,000 spans is not parsed to learn that."""
    if initial.endswith(',"answer":null}'):
        return None
    return read_json(initial).get("answer")

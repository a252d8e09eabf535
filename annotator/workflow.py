"""The work behind each CLI command, as plain functions the tests call directly."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.corpus import ReadReport, corpus_files, read_corpus, write_jsonl
from annotator.core.export import export_record, validated, write_atomically
from annotator.core.schema import file_problems
from annotator.core.store import Store, StoreStats
from annotator.nlp.pipeline import (
    blank_tokenizer,
    expected_cache_key,
    load_pipeline,
    suggest_missing,
)

ANNOTATOR_ENV = "ANNOTATOR_NAME"
Progress = Callable[[int, int], None]


def default_annotator() -> str:
    """`$ANNOTATOR_NAME`, else the login name."""
    name = os.environ.get(ANNOTATOR_ENV)
    if name:
        return name
    try:
        return getpass.getuser() or "annotator"
    except (KeyError, OSError):
        return "annotator"


@dataclass(frozen=True)
class ImportResult:
    hashes: list[int]
    skipped_lines: list[str]


def import_corpus(
    store: Store, inputs: Sequence[Path], skip_bad_lines: bool = False
) -> ImportResult:
    """Add every document of the inputs to the store (idempotent); returns their hashes.

    A file imported before and unchanged since (same size and modification time) is not
    parsed again: the store remembers which documents it holds.
    """
    report = ReadReport()
    hashes: dict[int, None] = {}
    # The tokenizer (and spaCy with it) loads only if a record needs tokens.
    tokenize = lambda text: blank_tokenizer()(text)  # noqa: E731
    for path in corpus_files(inputs):
        key, signature = _file_signature(path)
        known = store.known_file(key, signature)
        if known is None:
            records = read_corpus([path], tokenize, skip_bad_lines=skip_bad_lines, report=report)
            known = store.add_documents(records)
            # A file with skipped lines is read again next time, so its warnings are too.
            if not report.skipped_lines:
                store.remember_file(key, signature, known)
        hashes.update(dict.fromkeys(known))
    return ImportResult(hashes=list(hashes), skipped_lines=report.skipped_lines)


def _file_signature(path: Path) -> tuple[str, str]:
    stat = path.stat()
    return str(path.resolve()), f"{stat.st_size}:{stat.st_mtime_ns}"


def suggest_corpus(
    store: Store,
    hashes: Sequence[int],
    model: str | None,
    n_process: int = 1,
    batch_size: int = 64,
    on_progress: Progress | None = None,
) -> int:
    """Pre-annotate every document that has no cached suggestions; returns how many ran."""
    refresh_for_model(store, hashes, model)
    return suggest_missing(
        store,
        hashes,
        lambda: load_pipeline(model),
        n_process=n_process,
        batch_size=batch_size,
        on_progress=on_progress,
    )


def refresh_for_model(store: Store, hashes: Sequence[int], model: str | None) -> int:
    """Forget cached suggestions of another model (or other rule components) that nobody
    has worked on yet."""
    return store.forget_stale_suggestions(hashes, expected_cache_key(model))


def write_suggestions(store: Store, hashes: Sequence[int], output: Path) -> int:
    """Write the cached suggestions of the given documents as export records (atomically)."""

    def records() -> Any:
        for input_hash in hashes:
            document = store.document(input_hash)
            initial = store.initial_state(input_hash)
            yield export_record(document, initial, "model", None, blank_tokenizer())

    return write_atomically(output, lambda handle: write_jsonl(handle, validated(records())))


def validate_file(path: Path) -> list[tuple[int, str]]:
    """(line, reason) for every bad line of an export file."""
    return list(file_problems(path))


def corpus_stats(store: Store, annotator: str) -> StoreStats:
    return store.stats(annotator)

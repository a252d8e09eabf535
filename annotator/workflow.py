"""The work behind each CLI command, as plain functions the tests call directly."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.corpus import ReadReport, corpus_files, read_corpus, write_jsonl
from annotator.core.export import export_record, validated
from annotator.core.files import write_output
from annotator.core.input_check import InputCheck, check_inputs
from annotator.core.model import CorpusRecord
from annotator.core.schema import file_problems, input_file_hint
from annotator.core.stats import CorpusStats
from annotator.core.stats import corpus_stats as count_corpus
from annotator.core.store import Store
from annotator.nlp.pipeline import blank_tokenizer

ANNOTATOR_ENV = "ANNOTATOR_NAME"


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
    """The corpus's documents in order, and what reading left out or merged."""

    hashes: list[int]
    skipped_lines: list[str]
    duplicates: int = 0  # records whose text another record already had (merged into it)


def import_corpus(
    store: Store, inputs: Sequence[Path], skip_bad_lines: bool = False
) -> ImportResult:
    """Add every document of the inputs to the store (idempotent); returns their hashes.

    A file imported before and unchanged since (same size and modification time) is not
    parsed again: the store remembers which documents it holds.
    """
    report = ReadReport()
    hashes: dict[int, None] = {}
    read = 0
    # The tokenizer (and spaCy with it) loads only if a record needs tokens.
    tokenize = lambda text: blank_tokenizer()(text)  # noqa: E731
    for path in corpus_files(inputs):
        key, signature = _file_signature(path)
        known = store.known_file(key, signature)
        if known is None:
            records = read_corpus([path], tokenize, skip_bad_lines=skip_bad_lines, report=report)
            counter = _Counter(records)
            known = store.add_documents(counter)
            # Within a file, the store merges records with the same text: counted the first
            # time the file is read (an unchanged file is not read again).
            read += counter.count - len(known)
            # A file with skipped lines is read again next time, so its warnings are too.
            if not report.skipped_lines:
                store.remember_file(key, signature, known)
        read += sum(1 for h in known if h in hashes)  # the same text in two files
        hashes.update(dict.fromkeys(known))
    return ImportResult(hashes=list(hashes), skipped_lines=report.skipped_lines, duplicates=read)


class _Counter:
    """The records of a file, counted as the store reads them."""

    def __init__(self, records: Iterable[CorpusRecord]) -> None:
        self._records = records
        self.count = 0

    def __iter__(self) -> Iterator[CorpusRecord]:
        for record in self._records:
            self.count += 1
            yield record


def _file_signature(path: Path) -> tuple[str, str]:
    stat = path.stat()
    return str(path.resolve()), f"{stat.st_size}:{stat.st_mtime_ns}"


def write_suggestions(store: Store, hashes: Sequence[int], output: Path) -> int:
    """Write the cached suggestions of the given documents as export records (atomically)."""

    def records() -> Any:
        for input_hash in hashes:
            document = store.document(input_hash)
            initial = store.initial_state(input_hash)
            yield export_record(document, initial, "model", None, blank_tokenizer())

    return write_output(output, lambda handle: write_jsonl(handle, validated(records())))


@dataclass(frozen=True)
class FileValidation:
    """What `validate` found in an export file."""

    problems: list[tuple[int, str]]  # (line, reason) for every bad line
    input_hint: str | None = None  # set instead when the file holds input records


def validate_file(path: Path) -> FileValidation:
    """Check an export file line by line, or say that it looks like an input file."""
    hint = input_file_hint(path)
    if hint is not None:
        return FileValidation(problems=[], input_hint=hint)
    return FileValidation(problems=list(file_problems(path)))


def validate_inputs(paths: Sequence[Path]) -> list[InputCheck]:
    """Whether each input file would import, read by the reader `annotate` uses."""
    tokenize = lambda text: blank_tokenizer()(text)  # noqa: E731  (spaCy loads only if needed)
    return list(check_inputs(paths, tokenize))


def corpus_stats(store: Store, annotator: str) -> CorpusStats:
    """Documents by answer, spans and stances by label and status, for one annotator."""
    return count_corpus(store, annotator)

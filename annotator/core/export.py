"""Export: one Prodigy-compatible JSONL record per document, plus stances, written atomically;
or the entity spans as CoNLL-2003 columns."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.conll import conll_lines
from annotator.core.corpus import Tokenizer, task_hash, write_jsonl
from annotator.core.model import Document, DocumentState
from annotator.core.schema import record_problems
from annotator.core.store import AnnotatedDocument, Store
from annotator.core.versions import document_versions
from annotator.errors import AnnotatorError, ValidationFailed

DEFAULT_EXPORT_DIR = Path("exports")


def export_record(
    document: Document,
    state: DocumentState,
    annotator: str,
    timestamp: int | None,
    tokenize: Tokenizer | None = None,
) -> dict[str, Any]:
    """The export record of one document as this annotator left it."""
    tokens = document.tokens
    if not tokens and tokenize is not None:
        tokens = tokenize(document.text)
    record: dict[str, Any] = {
        "text": document.text,
        "meta": document.meta,
        "_input_hash": document.input_hash,
        "_task_hash": document.task_hash
        if document.task_hash is not None
        else task_hash(document.input_hash),
        "tokens": [t.to_json() for t in tokens],
        "spans": [s.to_json() for s in state.spans if s.status != "rejected"],
        "rejected_spans": [s.to_json() for s in state.spans if s.status == "rejected"],
        "stances": [s.to_json() for s in state.stances if s.status != "rejected"],
    }
    rejected_stances = [s.to_json() for s in state.stances if s.status == "rejected"]
    if rejected_stances:
        record["rejected_stances"] = rejected_stances
    if state.answer is not None:
        record["answer"] = state.answer
    record["_annotator_id"] = annotator
    record["_timestamp"] = timestamp
    # Keys other tools wrote (_view_id, options, relations...) travel through unchanged.
    for key, value in document.extra.items():
        record.setdefault(key, value)
    return record


def export_records(
    store: Store,
    annotator: str,
    include_unfinished: bool = False,
    tokenize: Tokenizer | None = None,
) -> Iterator[dict[str, Any]]:
    """Stream the export records of a store for one annotator, in corpus order."""
    annotated: AnnotatedDocument
    # A reviewer's records also carry who gave which version (only a store with other
    # annotators can hold a review, so a one-person store pays nothing for this).
    others = [name for name in store.annotators() if name != annotator]
    for annotated in store.iter_annotated(annotator, include_unfinished):
        record = export_record(
            annotated.document,
            annotated.state,
            annotated.annotator or annotator,
            annotated.timestamp,
            tokenize,
        )
        if others:
            versions = document_versions(store, annotator, annotated.document.input_hash, others)
            if versions is not None:
                record["versions"] = versions
        yield record


def validated(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Pass records through, stopping at the first that breaks the schema (a bug, not input)."""
    for number, record in enumerate(records, start=1):
        problems = record_problems(record)
        if problems:
            raise ValidationFailed(f"record {number} would be invalid: {problems[0]}")
        yield record


def write_atomically(path: Path, write: Callable[[Any], int], mode: str = "w") -> int:
    """Write through a temporary file in the same folder, then rename it over `path`.

    The old file stays untouched until the new one is complete and on disk.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise AnnotatorError(
            f"{path.parent}: cannot create the export folder ({error.strerror})"
        ) from None
    if path.is_symlink():
        raise AnnotatorError(f"{path}: is a symbolic link; choose a plain file to export to")
    try:
        fd, temporary = _create_temporary(path)
    except OSError as error:
        raise AnnotatorError(f"{path.parent}: cannot write here ({error.strerror})") from None
    try:
        with os.fdopen(fd, mode, encoding="utf-8" if "b" not in mode else None) as handle:
            count = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        _sync_folder(path.parent)
    except OSError as error:
        _remove(temporary)
        raise AnnotatorError(
            f"{path}: export failed ({error.strerror}); the previous file is unchanged"
        ) from None
    except BaseException:
        _remove(temporary)
        raise
    return count


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new file beside `path`, mode 0666 less the umask like any file the user creates.

    (mkstemp's 0600 would need a chmod, and reading the umask means setting it, which is
    process-wide.) O_EXCL and O_NOFOLLOW: never an existing file, never through a link.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(temporary, flags, 0o666), str(temporary)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path.parent))


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable: after a power cut the new file is there, not the old."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems cannot sync a folder; the file itself is synced already
    finally:
        os.close(descriptor)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def export_jsonl(
    store: Store,
    annotator: str,
    output: Path,
    include_unfinished: bool = False,
    tokenize: Tokenizer | None = None,
) -> int:
    """Export to `output` atomically, validating every record; returns the record count."""
    records = validated(export_records(store, annotator, include_unfinished, tokenize))
    return write_atomically(output, lambda handle: write_jsonl(handle, records))


def default_export_path(annotator: str, suffix: str = ".jsonl") -> Path:
    return DEFAULT_EXPORT_DIR / f"{annotator}{suffix}"


@dataclass
class ConllExport:
    """What `export_conll` wrote, and what it left out."""

    documents: int = 0
    stances: int = 0  # not representable in CoNLL: left out
    skipped: dict[str, int] = field(default_factory=dict)  # documents, by answer


def export_conll(
    store: Store,
    annotator: str,
    output: Path,
    include_unfinished: bool = False,
    tokenize: Tokenizer | None = None,
) -> ConllExport:
    """Export the entity spans as CoNLL-2003 columns, atomically.

    Only documents answered `accept` (and, when asked, unfinished ones) are written: the
    format has no place for an answer, and a skipped document is no training data.
    """
    report = ConllExport()

    def write(handle: Any) -> int:
        for annotated in store.iter_annotated(annotator, include_unfinished):
            document, state = annotated.document, annotated.state
            if state.answer not in ("accept", None):
                report.skipped[state.answer] = report.skipped.get(state.answer, 0) + 1
                continue
            tokens = document.tokens
            if not tokens and tokenize is not None:
                tokens = tokenize(document.text)
            for line in conll_lines(document.text, tokens, state.spans):
                handle.write(line + "\n")
            report.documents += 1
            report.stances += sum(1 for s in state.stances if s.status != "rejected")
        return report.documents

    write_atomically(output, write)
    return report

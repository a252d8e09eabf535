"""Export: one Prodigy-compatible JSONL record per document, plus stances, written atomically;
or the entity spans as CoNLL-2003 columns."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.conll import conll_lines
from annotator.core.corpus import Tokenizer, task_hash, write_jsonl
from annotator.core.files import write_output
from annotator.core.model import Document, DocumentState
from annotator.core.schema import record_problems
from annotator.core.store import AnnotatedDocument, Store
from annotator.core.versions import document_versions
from annotator.errors import ValidationFailed

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


def export_jsonl(
    store: Store,
    annotator: str,
    output: Path,
    include_unfinished: bool = False,
    tokenize: Tokenizer | None = None,
) -> int:
    """Export to `output` (atomically, or to stdout for `-`), validating every record;
    returns the record count."""
    records = validated(export_records(store, annotator, include_unfinished, tokenize))
    return write_output(output, lambda handle: write_jsonl(handle, records))


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

    write_output(output, write)
    return report

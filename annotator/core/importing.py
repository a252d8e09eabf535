"""Importing finished annotations: each record becomes one annotator's answered document.

Like Prodigy's `db-in`: our exports, Prodigy `ner_manual` records and doccano JSONL go into
the store as the work of the annotator their `_annotator_id` names (or the one the caller
gives). Every record gets the checks corpus input gets; every file is checked before anything
is written, so a bad file imports nothing. Each document's state goes in as one logged
`Change` (through `Store.apply_many`, hundreds to a transaction), so the event log holds the
import like any decision; the document itself is added without annotations, so nobody else
inherits them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from annotator.core.commands import Change
from annotator.core.corpus import (
    BadRecord,
    Tokenizer,
    iter_json_values,
    parse_record,
)
from annotator.core.model import CorpusRecord, DocumentState, Span, Token
from annotator.core.store import Store
from annotator.core.tokens import AlignmentError, TokenIndex
from annotator.errors import InputError


@dataclass(frozen=True)
class ImportSummary:
    """What an import did: documents per annotator, and how many were already so."""

    imported: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0

    @property
    def total(self) -> int:
        return sum(self.imported.values())


def finished_state(state: DocumentState) -> DocumentState:
    """The state as an answered document: no answer (doccano) means finished, and in a
    finished document what was still `suggested` is accepted, as finishing does on screen."""
    answer = state.answer or "accept"
    if answer != "accept":
        return replace(state, answer=answer)
    return DocumentState(
        spans=tuple(
            s.with_changes(status="accepted") if s.status == "suggested" else s for s in state.spans
        ),
        stances=tuple(
            s.with_changes(status="accepted") if s.status == "suggested" else s
            for s in state.stances
        ),
        answer=answer,
    )


def realigned(spans: Sequence[Span], tokens: Sequence[Token]) -> tuple[Span, ...]:
    """The spans with token indices into `tokens` (the store's tokens of the document).

    Raises BadRecord when a span does not start and end on those tokens.
    """
    index = TokenIndex(tokens)
    aligned = []
    for span in spans:
        try:
            first, last = index.token_range(span.start, span.end)
        except AlignmentError as error:
            raise BadRecord(
                f"span {span.text!r} ({span.start}-{span.end}) does not fall on the tokens "
                f"this document has in the store: {error}"
            ) from None
        aligned.append(span.with_changes(token_start=first, token_end=last))
    return tuple(aligned)


def replacing_change(current: DocumentState, target: DocumentState, summary: str) -> Change:
    """One change that turns `current` into `target` (its inverse restores `current`)."""
    return Change(
        command="import",
        summary=summary,
        spans_before=current.spans,
        spans_after=target.spans,
        stances_before=current.stances,
        stances_after=target.stances,
        answer_before=current.answer,
        answer_after=target.answer,
    )


@dataclass(frozen=True)
class _Found:
    path: Path
    line: int
    record: CorpusRecord
    annotator: str


def _records(path: Path, tokenize: Tokenizer, annotator: str | None) -> Iterator[_Found]:
    """The checked records of one file; the first bad one raises InputError."""
    if path.suffix.lower() != ".jsonl":
        raise InputError(path, "is not a .jsonl file of annotated records")
    if not path.is_file():
        raise InputError(path, "no such file")
    count = 0
    for line, value in iter_json_values(path):
        try:
            record = parse_record(value, tokenize)
        except BadRecord as error:
            raise InputError(path, str(error), line) from None
        if record.initial is None:
            raise InputError(
                path, "the record carries no annotations (spans, labels or answer)", line
            )
        name = annotator or record.annotator
        if not name:
            raise InputError(path, "the record has no _annotator_id; pass --annotator NAME", line)
        count += 1
        yield _Found(path, line, record, name)
    if count == 0:
        raise InputError(path, "holds no records")


BATCH_SIZE = 500  # documents per transaction: a few commits, not one per document


def import_annotations(
    store: Store, paths: Sequence[Path], tokenize: Tokenizer, annotator: str | None = None
) -> ImportSummary:
    """Import every record of the files as its annotator's answered document.

    `annotator` overrides the records' `_annotator_id`. All files are checked first (against
    the store too: a document already there keeps its tokens, and the spans must fit them);
    a bad record raises InputError (file and line) before anything is written. Then the
    documents and the changes go in a few large transactions. Importing the same file again
    changes nothing.
    """
    first_tokens: dict[int, tuple[Token, ...]] = {}  # of documents the import will add
    targets = [
        (found, _target_state(store, found, tokenize, first_tokens))
        for path in paths
        for found in _records(path, tokenize, annotator)
    ]
    store.add_documents(CorpusRecord(document=found.record.document) for found, _ in targets)
    imported: Counter[str] = Counter()
    unchanged = 0
    # A record may repeat a document of the same annotator: it changes what the first left.
    pending: dict[tuple[str, int], DocumentState] = {}
    changes: list[tuple[str, int, Change]] = []
    for found, target in targets:
        key = (found.annotator, found.record.document.input_hash)
        current = pending[key] if key in pending else store.state(*key)
        if current == target:
            unchanged += 1
            continue
        summary = f"import {found.path.name}:{found.line}"
        changes.append((*key, replacing_change(current, target, summary)))
        pending[key] = target
        imported[found.annotator] += 1
    for start in range(0, len(changes), BATCH_SIZE):
        store.apply_many(changes[start : start + BATCH_SIZE])
    return ImportSummary(imported=dict(imported), unchanged=unchanged)


def _target_state(
    store: Store, found: _Found, tokenize: Tokenizer, first_tokens: dict[int, tuple[Token, ...]]
) -> DocumentState:
    """The state the record gives its annotator, its spans on the store's tokens (or, for a
    document the import adds, on the tokens of its first record, noted in `first_tokens`)."""
    document = found.record.document
    assert found.record.initial is not None
    target = finished_state(found.record.initial)
    try:
        stored = store.document(document.input_hash)
    except KeyError:
        stored = replace(
            document, tokens=first_tokens.setdefault(document.input_hash, document.tokens)
        )
    if stored.text != document.text:
        raise InputError(
            found.path,
            f"_input_hash {document.input_hash} names another text in the store; remove the "
            "_input_hash to key the record by its text",
            found.line,
        )
    tokens = stored.tokens or tokenize(stored.text)
    if [(t.start, t.end) for t in tokens] == [(t.start, t.end) for t in document.tokens]:
        return target
    try:
        return replace(target, spans=realigned(target.spans, tokens))
    except BadRecord as error:
        raise InputError(found.path, str(error), found.line) from None

"""Everyone's work in one file: one record per annotator and document, as Prodigy writes a
multi-session dataset (`_annotator_id`, `_session_id`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.core.corpus import Tokenizer, write_jsonl
from annotator.core.export import export_record, validated
from annotator.core.files import write_output
from annotator.core.store import StoreBackend


def all_annotator_records(
    store: StoreBackend, include_unfinished: bool = False, tokenize: Tokenizer | None = None
) -> Iterator[dict[str, Any]]:
    """Each annotator's records in corpus order, annotator after annotator: the documents they
    decided on, and imported annotations under the annotator the file named."""
    decided = store.decided()
    for annotator in store.annotators():
        for annotated in store.iter_annotated(annotator, include_unfinished):
            key = (annotator, annotated.document.input_hash)
            if key not in decided:
                continue  # neither decided on nor imported under this annotator
            record = export_record(
                annotated.document, annotated.state, annotator, annotated.timestamp, tokenize
            )
            session = decided.get(key)
            record["_session_id"] = f"{annotator}-{session}" if session is not None else annotator
            yield record


def export_all_annotators(
    store: StoreBackend,
    output: Path,
    include_unfinished: bool = False,
    tokenize: Tokenizer | None = None,
) -> int:
    """Write every annotator's records to `output` atomically, validated; the record count."""
    records = validated(all_annotator_records(store, include_unfinished, tokenize))
    return write_output(output, lambda handle: write_jsonl(handle, records))

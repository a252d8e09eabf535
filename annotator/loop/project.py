"""Opening a project: the store, the corpus imported into it, and the annotator's session."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from annotator.core.session import AnnotationSession
from annotator.core.store import StoreBackend, open_store
from annotator.core.store.claims import DEFAULT_CLAIM_TIMEOUT
from annotator.errors import AnnotatorError
from annotator.loop.suggesting import refresh_for_model
from annotator.workflow import default_annotator, import_corpus

DEFAULT_INPUTS = (Path("seeds"),)
# Puts a corpus in the order the session walks it: (store, annotator, hashes) -> hashes.
DocumentOrder = Callable[[StoreBackend, str, list[int]], list[int]]


@dataclass(frozen=True)
class Project:
    """An opened corpus: the store it lives in and one annotator's session over it."""

    store: StoreBackend
    location: str | Path  # what `open_store` opens again (each thread needs its connection)
    session: AnnotationSession
    duplicates: int  # records merged into another with the same text on import
    skipped_lines: tuple[str, ...] = ()


def open_project(
    inputs: Sequence[Path] = (),
    *,
    store_path: str | Path | None = None,
    annotator: str | None = None,
    model: str | None = None,
    overlap: int | None = None,
    claim_timeout: float = DEFAULT_CLAIM_TIMEOUT,
    order: DocumentOrder | None = None,
) -> Project:
    """Open the store, import the inputs (default `seeds/`) and start the annotator's session
    (on the documents in `order`'s order, when given).

    The model is not loaded: another model's suggestions that nobody worked on are only
    forgotten here (read from the model's meta.json), to be suggested afresh when needed.
    """
    store = open_store(store_path)
    try:
        imported = import_corpus(store, list(inputs) or list(DEFAULT_INPUTS))
        if not imported.hashes:
            raise AnnotatorError("the inputs hold no documents; pass .txt or .jsonl files")
        refresh_for_model(store, imported.hashes, model)
        name = annotator or default_annotator()
        hashes = order(store, name, imported.hashes) if order else imported.hashes
        session = AnnotationSession(
            store,
            name,
            hashes,
            overlap=overlap,
            claim_timeout=claim_timeout,
        )
    except BaseException:
        store.close()
        raise
    return Project(
        store, store.location, session, imported.duplicates, tuple(imported.skipped_lines)
    )

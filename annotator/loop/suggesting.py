"""Suggesting: the model's spans and stances, cached in the store per document.

`ModelSuggester` runs the pipeline for the screen, off the UI thread. SQLite connections
belong to the thread that opened them, so each call opens its own connection to the same
store file (WAL lets both write). The pipeline is loaded on the first call that needs it
and kept for the next ones. `suggest_corpus` is the same step for `annotator suggest`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from annotator.core.store import Store, open_store
from annotator.nlp.pipeline import expected_cache_key, load_pipeline, suggest_missing

Progress = Callable[[int, int], None]


def refresh_for_model(store: Store, hashes: Sequence[int], model: str | None) -> int:
    """Forget cached suggestions of another model (or other rule components) that nobody
    has worked on yet; returns how many documents will be suggested afresh."""
    return store.forget_stale_suggestions(hashes, expected_cache_key(model))


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


class ModelSuggester:
    """A `Suggest` callable: caches the model's suggestions for the given documents."""

    def __init__(
        self,
        store_path: str | Path,
        load: Callable[[], Any] | None = None,
        model: str | None = None,
    ) -> None:
        self._store_path = store_path
        self._load = load or (lambda: load_pipeline(model))
        self._nlp: Any = None
        # One suggestion run at a time: the model is loaded once and spaCy is not re-entrant.
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._nlp is not None

    def _pipeline(self) -> Any:
        if self._nlp is None:
            self._nlp = self._load()
        return self._nlp

    def __call__(self, hashes: Sequence[int]) -> int:
        with self._lock:
            store = open_store(self._store_path)
            store.sync_behind()  # the screen's keys wait on this write lock, not on the disk
            try:
                return suggest_missing(store, hashes, self._pipeline)
            finally:
                store.close()

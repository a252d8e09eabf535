"""ModelSuggester: runs the spaCy pipeline for the screen, off the UI thread.

Textual runs it in a worker thread. SQLite connections belong to the thread that opened
them, so each call opens its own connection to the same store file (WAL lets both write).
The pipeline is loaded on the first call that needs it and kept for the next ones.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from annotator.core.store import open_store
from annotator.nlp.pipeline import load_pipeline, suggest_missing


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
            try:
                return suggest_missing(store, hashes, self._pipeline)
            finally:
                store.close()

"""ModelLoop: the model of one project, as the screen uses it (suggest, train, adopt)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from annotator.core.store import Store
from annotator.loop.ordering import uncertain_first
from annotator.loop.rounds import (
    DEFAULT_STEPS,
    MIN_DOCUMENTS,
    LoopSettings,
    TrainingRun,
    next_round,
)
from annotator.loop.suggesting import ModelSuggester, refresh_for_model


class ModelLoop:
    """Suggests with the current model, trains the next round, and adopts what it trained.

    Each round starts from the model adopted last; adopting one forgets the cached
    suggestions nobody has worked on, so the new model suggests them afresh.
    """

    MIN_DOCUMENTS = MIN_DOCUMENTS

    def __init__(
        self,
        store_path: str | Path,
        model: str | None = None,
        *,
        load_model: Callable[[], Any] | None = None,
        models_dir: Path = Path("models"),
        steps: int = DEFAULT_STEPS,
        uncertain_order: bool = False,
    ) -> None:
        self.model = model
        # `annotate --order uncertain`: each adopted model ranks the untouched documents anew.
        self.uncertain_order = uncertain_order
        self.settings = LoopSettings(store_path, models_dir, steps, model)
        self._suggester = ModelSuggester(store_path, load_model, model)

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory (it loads on the first document it must suggest)."""
        return self._suggester.loaded

    def suggest(self, hashes: Sequence[int]) -> int:
        """Cache the model's suggestions for the documents that have none (blocking)."""
        return self._suggester(hashes)

    def start_round(self, annotator: str, on_step: Callable[[int], None]) -> TrainingRun:
        """The next training round of `annotator`, ready to run in a thread."""
        round_ = next_round(self.settings.models_dir, annotator)
        return TrainingRun(self.settings, annotator, round_, on_step)

    def adopt(self, model: str, store: Store, hashes: Sequence[int]) -> int:
        """Suggest with `model` from now on; returns how many untouched documents it will
        suggest afresh. The next round fine-tunes it."""
        self.model = model
        self.settings = replace(self.settings, base_model=model)
        self._suggester = ModelSuggester(self.settings.store_path, model=model)
        return refresh_for_model(store, hashes, model)

    def reorder(self, store: Store, annotator: str, hashes: Sequence[int]) -> list[int]:
        """The session's documents with the untouched ones ranked by the current model's
        uncertainty (suggesting each of them first: blocking, run it in a thread)."""
        return uncertain_first(store, annotator, hashes, self.suggest)

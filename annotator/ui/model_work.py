"""The model's background work for the screen, reported back as typed messages.

Suggestions run in daemon threads: spaCy cannot be interrupted, and a daemon thread never
keeps the process alive, so `q` (or SIGTERM) ends the app at once even in the middle of a
long article. A training round runs in a child process that `stop` ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual.message import Message

from annotator.core.store import open_store
from annotator.errors import StoreError
from annotator.loop.model_loop import ModelLoop
from annotator.loop.rounds import TrainingOutcome, TrainingRun


@dataclass
class SuggestionsDone(Message):
    """The model finished a document (its suggestions are in the store) or failed on it."""

    input_hash: int
    error: str | None = None
    retry: bool = False  # the store could not save them (a full disk): try again later


@dataclass
class TrainingStep(Message):
    """A training round reached `step` of `steps`."""

    step: int
    steps: int


@dataclass
class TrainingDone(Message):
    """A training round ended: its outcome, or why it could not run."""

    outcome: TrainingOutcome | None
    error: str | None = None


@dataclass
class OrderReady(Message):
    """The adopted model ranked the untouched documents (`--order uncertain`)."""

    order: list[int]
    error: str | None = None


MODEL_THREADS = ("suggest-", "training-round")  # names of the threads started here


class ModelWork:
    """Starts suggestion runs and training rounds; `post` delivers their messages."""

    def __init__(self, loop: ModelLoop | None, post: Callable[[Message], object]) -> None:
        self.loop = loop
        self._post = post
        self.pending: set[int] = set()  # documents the model is working on
        self.failed: set[int] = set()  # documents whose suggestions could not be saved
        self.training: TrainingRun | None = None

    def suggest(self, input_hash: int) -> bool:
        """Suggest a document in the background; False if no model or it is under way."""
        loop = self.loop
        if loop is None or input_hash in self.pending:
            return loop is not None
        self.pending.add(input_hash)
        self.failed.discard(input_hash)

        def run() -> None:
            try:
                loop.suggest([input_hash])
            except StoreError as error:
                self._post(SuggestionsDone(input_hash, str(error), retry=True))
            except Exception as error:  # the model's own failure, said on the status line
                self._post(SuggestionsDone(input_hash, str(error) or type(error).__name__))
            else:
                self._post(SuggestionsDone(input_hash))

        threading.Thread(target=run, name=f"suggest-{input_hash}", daemon=True).start()
        return True

    def done(self, message: SuggestionsDone) -> None:
        """Book a finished run (the screen calls this when the message arrives)."""
        self.pending.discard(message.input_hash)
        if message.retry:
            self.failed.add(message.input_hash)

    def train(self, annotator: str) -> TrainingRun:
        """Start the next training round of `annotator` in the background."""
        assert self.loop is not None
        steps = self.loop.settings.steps

        def on_step(step: int) -> None:
            self._post(TrainingStep(step, steps))

        run = self.loop.start_round(annotator, on_step)
        self.training = run

        def work() -> None:
            try:
                outcome = run()
            except Exception as error:  # the export or the child could not start
                self._post(TrainingDone(None, str(error) or type(error).__name__))
            else:
                self._post(TrainingDone(outcome))

        threading.Thread(target=work, name="training-round", daemon=True).start()
        return run

    def reorder(self, annotator: str, hashes: Sequence[int]) -> None:
        """Rank the untouched documents by the current model in the background; posts
        `OrderReady`. The thread opens its own store: connections belong to their thread."""
        loop = self.loop
        assert loop is not None

        def run() -> None:
            try:
                store = open_store(loop.settings.store_path)
                try:
                    order = loop.reorder(store, annotator, hashes)
                finally:
                    store.close()
            except Exception as error:  # the model or the store failed: the order stays
                self._post(OrderReady([], str(error) or type(error).__name__))
            else:
                self._post(OrderReady(order))

        threading.Thread(target=run, name="suggest-order", daemon=True).start()

    def stop(self) -> None:
        """The screen is closing: end a training round's child process."""
        if self.training is not None:
            self.training.stop()

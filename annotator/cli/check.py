"""`validate`, `evaluate` and `stats`: commands that read and report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from annotator.cli.common import (
    AnnotatorOption,
    StoreOption,
    annotator_name,
    app,
    err,
    open_store_at,
    out,
)


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="A JSONL file in the export format")],
) -> None:
    """Check a file against the export schema; report each bad line by number and reason."""
    from annotator.workflow import validate_file

    problems = validate_file(file)
    for line, reason in problems:
        err.print(f"{file}:{line}: {reason}", markup=False)
    if problems:
        bad_lines = len({line for line, _ in problems})
        err.print(f"{bad_lines} invalid line(s) in {file}")
        raise typer.Exit(1)
    out.print(f"{file}: valid")


@app.command()
def evaluate(
    gold: Annotated[Path, typer.Argument(help="The gold annotations (export-format JSONL)")],
    predicted: Annotated[Path, typer.Argument(help="The suggestions to score (same format)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON")] = False,
) -> None:
    """Score suggestions against gold: entity P/R/F1 per label (exact spans), stance P/R."""
    import json

    from annotator.core.evaluate import evaluate_files
    from annotator.nlp.pipeline import blank_tokenizer

    evaluation = evaluate_files(gold, predicted, blank_tokenizer())
    if as_json:
        out.print_json(json.dumps(evaluation.to_json()))
        return
    table = Table("", "precision", "recall", "F1", "gold", "predicted", "correct")
    rows = [("entities", evaluation.entities)]
    rows += [(f"  {label}", s) for label, s in sorted(evaluation.per_label.items())]
    rows.append(("stances", evaluation.stances))
    for name, scores in rows:
        table.add_row(
            name,
            f"{scores.precision:.3f}",
            f"{scores.recall:.3f}",
            f"{scores.f1:.3f}",
            str(scores.tp + scores.fn),
            str(scores.tp + scores.fp),
            str(scores.tp),
        )
    out.print(table)
    err.print(
        f"{evaluation.documents} documents scored; {evaluation.skipped_gold} gold records "
        f"ignored/rejected, {evaluation.missing_predictions} without a prediction"
    )


@app.command()
def stats(annotator: AnnotatorOption = None, store: StoreOption = None) -> None:
    """Documents done and left, and span counts per label and status."""
    from annotator.workflow import corpus_stats

    name = annotator_name(annotator)
    figures = corpus_stats(open_store_at(store), name)
    done = figures.finished + figures.skipped + figures.rejected
    out.print(
        f"annotator {name}: {figures.documents} documents, {done} done "
        f"({figures.finished} finished, {figures.skipped} skipped, {figures.rejected} rejected), "
        f"{figures.documents - done} left; {figures.suggested} have suggestions"
    )
    statuses = ["suggested", "accepted", "edited", "added", "rejected"]
    table = Table("label", *statuses, "total")
    labels = sorted({label for label, _ in figures.label_counts})
    for label in labels:
        counts = [figures.label_counts.get((label, status), 0) for status in statuses]
        table.add_row(label, *(str(c) for c in counts), str(sum(counts)))
    out.print(table)

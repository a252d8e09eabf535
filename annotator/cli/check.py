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
from annotator.core.printable import printable


@app.command()
def validate(
    files: Annotated[
        list[Path], typer.Argument(help="Export JSONL files, or with --input: input files")
    ],
    inputs: Annotated[
        bool,
        typer.Option(
            "--input",
            help="Check that the files import (as annotate and suggest read them), not that "
            "they are exports",
        ),
    ] = False,
) -> None:
    """Check export files against the schema (each bad line by number and reason), or with
    --input, whether input files will import."""
    if inputs:
        _validate_inputs(files)
        return
    from annotator.workflow import validate_file

    failed = False
    for file in files:
        shown = printable(file)
        result = validate_file(file)
        if result.input_hint is not None:
            err.print(printable(result.input_hint))
            failed = True
            continue
        for line, reason in result.problems:
            err.print(f"{shown}:{line}: {printable(reason)}")
        if result.problems:
            bad_lines = len({line for line, _ in result.problems})
            err.print(f"{bad_lines} invalid line(s) in {shown}")
            failed = True
        else:
            out.print(f"{shown}: valid")
    if failed:
        raise typer.Exit(1)


def _validate_inputs(paths: list[Path]) -> None:
    from annotator.workflow import validate_inputs

    failed = False
    for check in validate_inputs(paths):
        shown = printable(check.path)
        for line in check.bad_lines[:20]:
            err.print(printable(line))
        if len(check.bad_lines) > 20:
            err.print(f"... and {len(check.bad_lines) - 20} more bad line(s) in {shown}")
        if check.failure is not None:
            err.print(printable(check.failure))
        if check.imports:
            out.print(
                f"{shown}: will import: {check.documents} document(s), {check.annotated} "
                "with annotations"
            )
            continue
        failed = True
        if check.failure is None and check.documents == 0:
            err.print(f"{shown}: will not import: no line of it is a usable record")
        elif check.failure is None:
            err.print(
                f"{shown}: will not import: {len(check.bad_lines)} bad line(s); fix them, or "
                f"skip them with `annotator suggest --skip-bad-lines` (it imports the other "
                f"{check.documents})"
            )
        else:
            err.print(f"{shown}: will not import")
    if failed:
        raise typer.Exit(1)


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
    rows += [(f"  {printable(label)}", s) for label, s in sorted(evaluation.per_label.items())]
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
    """Documents by answer, and spans and stances per label and status (reads the store,
    never writes or creates one)."""
    from annotator.core.stats import STATUSES
    from annotator.workflow import corpus_stats

    name = annotator_name(annotator)
    figures = corpus_stats(open_store_at(store, read_only=True), name)
    answers = figures.answers
    out.print(
        f"annotator {printable(name)}: {figures.documents} documents, {figures.done} done "
        f"({answers['finished']} finished, {answers['skipped']} skipped, "
        f"{answers['rejected']} rejected), {answers['open']} left; "
        f"{figures.suggested} have suggestions"
    )
    for kind, counts in (("span label", figures.spans), ("stance label", figures.stances)):
        table = Table(kind, *STATUSES, "total")
        for label in sorted({label for label, _ in counts}):
            row = [counts[(label, status)] for status in STATUSES]
            table.add_row(printable(label), *(str(c) for c in row), str(sum(row)))
        if not counts:
            table.add_row("(none)", *("0" for _ in STATUSES), "0")
        out.print(table)

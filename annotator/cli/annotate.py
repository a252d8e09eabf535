"""`annotate` and `suggest`: the screen, and the model's suggestions written to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from annotator.cli.common import (
    AnnotatorOption,
    InputsArgument,
    ModelOption,
    StoreOption,
    SuggestersOption,
    app,
    err,
    inputs_or_seeds,
    open_store_at,
    progress_bar,
    report_skipped,
    use_suggesters,
)
from annotator.core.printable import printable
from annotator.loop.rounds import DEFAULT_STEPS


@app.command()
def annotate(
    inputs: InputsArgument = None,
    store: StoreOption = None,
    annotator: AnnotatorOption = None,
    model: ModelOption = None,
    scheme: Annotated[
        Path | None,
        typer.Option("--scheme", help="Label scheme (JSON). Default: schemas/labels.json"),
    ] = None,
    suggesters: SuggestersOption = None,
    train_steps: Annotated[
        int,
        typer.Option(
            "--train-steps", min=1, help="Updates of a training round started with T (models/)"
        ),
    ] = DEFAULT_STEPS,
    overlap: Annotated[
        int | None,
        typer.Option(
            "--overlap",
            min=1,
            help="How many annotators each document goes to; set once per store. Default: "
            "the store's, else 1",
            show_default=False,
        ),
    ] = None,
    claim_timeout: Annotated[
        float,
        typer.Option(
            "--claim-timeout",
            min=0.1,
            help="Minutes without a heartbeat before a document held by a session returns",
        ),
    ] = 30.0,
    order: Annotated[
        str,
        typer.Option(
            "--order",
            help="corpus: the corpus order; uncertain: the documents nobody has touched, most "
            "uncertain first for the model (a trained one; a share at random), after it "
            "suggests them all",
        ),
    ] = "corpus",
) -> None:
    """Open the annotation screen on the corpus, resuming where this annotator left off."""
    from annotator.ui.app import build_app, run_app

    if order not in ("corpus", "uncertain"):
        raise typer.BadParameter("must be corpus or uncertain", param_hint="--order")
    use_suggesters(suggesters)
    if order == "uncertain":
        err.print("suggesting every untouched document to order them by uncertainty...")
    app_ = build_app(
        inputs_or_seeds(inputs),
        store_path=store,
        annotator=annotator,
        model=model,
        scheme_path=scheme,
        train_steps=train_steps,
        overlap=overlap,
        claim_timeout=claim_timeout * 60,
        order=order,
    )
    run_app(app_)


@app.command()
def suggest(
    inputs: InputsArgument = None,
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", help="Where to write the suggestions (JSONL; - for standard output)"
        ),
    ] = Path("exports/suggestions.jsonl"),
    model: ModelOption = None,
    n_process: Annotated[int, typer.Option("--n-process", min=1, help="Worker processes")] = 1,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 64,
    store: StoreOption = None,
    skip_bad_lines: Annotated[
        bool, typer.Option("--skip-bad-lines", help="Skip unreadable JSONL lines (counted)")
    ] = False,
    suggesters: SuggestersOption = None,
) -> None:
    """Pre-annotate a corpus with the model (cached in the store) and write the suggestions."""
    from annotator.core.files import check_output_file, describe_output, is_stdout
    from annotator.loop.suggesting import suggest_corpus
    from annotator.workflow import import_corpus, write_suggestions

    use_suggesters(suggesters)
    if not is_stdout(output):
        check_output_file(output)  # now, not after minutes of suggesting
    db = open_store_at(store)
    imported = import_corpus(db, inputs_or_seeds(inputs), skip_bad_lines)
    report_skipped(imported.skipped_lines)
    with progress_bar("suggesting") as progress:
        task = progress.add_task("suggesting", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        ran = suggest_corpus(db, imported.hashes, model, n_process, batch_size, update)
    count = write_suggestions(db, imported.hashes, output)
    cached = len(imported.hashes) - ran
    err.print(
        f"{count} documents written to {printable(describe_output(output))} ({ran} suggested "
        f"now, {cached} from the cache)"
    )

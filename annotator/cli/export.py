"""`export`: the annotations as JSONL, spaCy DocBin or CoNLL-2003 columns."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from annotator.cli.common import (
    AnnotatorOption,
    DevFractionOption,
    SeedOption,
    StoreOption,
    annotator_name,
    app,
    err,
    open_store_at,
)
from annotator.core.files import describe_output
from annotator.core.printable import printable

if TYPE_CHECKING:
    from annotator.core.store import StoreBackend


class ExportFormat(StrEnum):
    """What `annotator export` writes."""

    jsonl = "jsonl"
    spacy = "spacy"
    conll = "conll"


@app.command()
def export(
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="File (jsonl, conll; - for standard output) or folder (spacy). Default: exports/",
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
    all_annotators: Annotated[
        bool,
        typer.Option(
            "--all-annotators",
            help="Everyone's work: one record per annotator and document, with "
            "_annotator_id and _session_id (JSONL)",
        ),
    ] = False,
) -> None:
    """Export the annotations as Prodigy-compatible JSONL (validated, written atomically;
    -o - writes to standard output)."""
    from annotator.core.export import default_export_path, export_jsonl
    from annotator.nlp.pipeline import blank_tokenizer

    if all_annotators:
        _export_all_annotators(store, output, include_unfinished, format, annotator)
        return
    name = annotator_name(annotator)
    db = open_store_at(store, read_only=True)
    if format is ExportFormat.spacy:
        _export_spacy(db, name, output, include_unfinished, dev_fraction, seed)
        return
    if format is ExportFormat.conll:
        _export_conll(db, name, output, include_unfinished)
        return
    target = output or default_export_path(name)
    count = export_jsonl(db, name, target, include_unfinished, blank_tokenizer())
    err.print(f"{count} records exported to {printable(describe_output(target))}")


def _export_all_annotators(
    store: Path | None,
    output: Path | None,
    include_unfinished: bool,
    format: ExportFormat,
    annotator: str | None,
) -> None:
    from annotator.core.export import DEFAULT_EXPORT_DIR
    from annotator.core.team_export import export_all_annotators
    from annotator.errors import AnnotatorError
    from annotator.nlp.pipeline import blank_tokenizer

    if format is not ExportFormat.jsonl or annotator is not None:
        raise AnnotatorError(
            "--all-annotators writes everyone's records as JSONL: leave out --annotator and "
            "--format"
        )
    target = output or DEFAULT_EXPORT_DIR / "all-annotators.jsonl"
    count = export_all_annotators(
        open_store_at(store, read_only=True), target, include_unfinished, blank_tokenizer()
    )
    err.print(
        f"{count} records (one per annotator and document) exported to "
        f"{printable(describe_output(target))}"
    )


def _export_conll(
    db: StoreBackend, name: str, output: Path | None, include_unfinished: bool
) -> None:
    from annotator.core.export import default_export_path, export_conll
    from annotator.nlp.pipeline import blank_tokenizer

    target = output or default_export_path(name, ".conll")
    written = export_conll(db, name, target, include_unfinished, blank_tokenizer())
    notes = [f"{n} answered {why}" for why, n in sorted(written.skipped.items())]
    if written.stances:
        notes.append(f"{written.stances} stances, which CoNLL cannot hold (use jsonl or spacy)")
    err.print(
        f"{written.documents} documents exported to {printable(describe_output(target))}"
        + (f"; left out: {', '.join(notes)}" if notes else "")
    )


def _export_spacy(
    db: StoreBackend,
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
        printable(
            f"{written.train_count} documents to {written.train_path}, {written.dev_count} to "
            f"{written.dev_path}" + (f" (not training data: {skipped})" if skipped else "")
        )
    )

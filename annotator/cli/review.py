"""`agree`, `import` and `review`: several annotators' work, compared and made one."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from annotator.cli.common import (
    StoreOption,
    annotator_name,
    app,
    err,
    open_store_at,
    out,
)
from annotator.core.printable import printable
from annotator.errors import AnnotatorError

if TYPE_CHECKING:
    from collections.abc import Callable

    from annotator.core.agreement import Agreement, PairAgreement
    from annotator.core.corpus import Tokenizer
    from annotator.core.model import Token


def lazy_tokenizer() -> Tokenizer:
    """spaCy's rule tokenizer, loaded only if a record comes without tokens (doccano's)."""
    made: list[Tokenizer] = []

    def tokenize(text: str) -> tuple[Token, ...]:
        if not made:
            from annotator.nlp.pipeline import blank_tokenizer

            made.append(blank_tokenizer())
        return made[0](text)

    return tokenize


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _plain(text: str) -> Text:
    """Text from a file or a store, shown as it is: no markup, no control characters."""
    return Text(printable(text))


def _stance_f1(pair: PairAgreement) -> str:
    counts = pair.stances.labelled
    if counts.matched + counts.only_a + counts.only_b == 0:
        return "no stances"
    return f"{counts.f1:.3f}"


def print_agreement(agreement: Agreement, documents: int) -> None:
    """The matrix, the pairs, the labels and the least agreed documents, as tables."""
    names = agreement.annotators
    matrix = Table(title="entity F1 (exact)", show_lines=False)
    matrix.add_column("")
    for name in names:
        matrix.add_column(_plain(name), justify="right")
    for a in names:
        row: list[Text | str] = [_plain(a)]
        for b in names:
            row.append("—" if a == b else f"{agreement.pair(a, b).entities.exact.f1:.3f}")
        matrix.add_row(*row)
    out.print(matrix)

    pairs = Table(title="pairs")
    pairs.add_column("")
    for pair in agreement.pairs:
        pairs.add_column(_plain(f"{pair.a} · {pair.b}"), justify="right")
    rows: list[tuple[str, Callable[[PairAgreement], str]]] = [
        ("documents both finished", lambda p: str(p.documents)),
        ("entity F1 (exact)", lambda p: f"{p.entities.exact.f1:.3f}"),
        ("entity F1 (overlap)", lambda p: f"{p.entities.relaxed.f1:.3f}"),
        ("span F1, any label", lambda p: f"{p.entities.unlabelled.f1:.3f}"),
        ("spans matched", lambda p: str(p.entities.exact.matched)),
        ("spans only A / only B", lambda p: f"{p.entities.exact.only_a} / "
                                            f"{p.entities.exact.only_b}"),
        ("token kappa", lambda p: _figure(p.entities.kappa)),
        ("stance F1", _stance_f1),
        ("stance frames matched", lambda p: str(p.stances.frames.matched)),
        ("polarity kappa", lambda p: _figure(p.stances.polarity_kappa)),
        ("documents only A / only B", lambda p: f"{p.only_in_a} / {p.only_in_b}"),
    ]  # fmt: skip
    for name, cell in rows:
        pairs.add_row(name, *(cell(pair) for pair in agreement.pairs))
    out.print(pairs)

    labels = sorted({label for pair in agreement.pairs for label in pair.entities.per_label})
    if labels:
        per_label = Table(title="per label: F1 (token kappa)")
        per_label.add_column("label")
        for pair in agreement.pairs:
            per_label.add_column(_plain(f"{pair.a} · {pair.b}"), justify="right")
        for label in labels:
            cells: list[Text | str] = [_plain(label)]
            for pair in agreement.pairs:
                found = pair.entities.per_label.get(label)
                cells.append(
                    "" if found is None else f"{found.exact.f1:.3f} ({_figure(found.kappa)})"
                )
            per_label.add_row(*cells)
        out.print(per_label)

    if agreement.documents and documents > 0:
        shown = agreement.documents[:documents]
        lowest = Table(title=f"documents, lowest agreement first ({len(shown)} of "
                       f"{len(agreement.documents)})")  # fmt: skip
        lowest.add_column("document", no_wrap=True, overflow="ellipsis", max_width=32)
        lowest.add_column("lowest F1", justify="right")
        for pair in agreement.pairs:
            lowest.add_column(_plain(f"{pair.a} · {pair.b}"), justify="right")
        for document in shown:
            row = [_plain(document.title[:60]), f"{document.lowest:.3f}"]
            for pair in agreement.pairs:
                f1 = document.pair_f1.get((pair.a, pair.b))
                row.append("" if f1 is None else f"{f1:.3f}")
            lowest.add_row(*row)
        out.print(lowest)
    out.print(
        f"Krippendorff's alpha (token level, all {len(names)} annotators): "
        f"{_figure(agreement.alpha)}",
        markup=False,
    )


def _write_json(value: dict[str, Any]) -> None:
    """Indented JSON on standard output; orjson's (ten times the speed) unless a figure is
    beyond it (an `_input_hash` wider than 64 bits)."""
    import orjson

    try:
        encoded = orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n"
    except orjson.JSONEncodeError:
        encoded = (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode()
    sys.stdout.flush()
    sys.stdout.buffer.write(encoded)
    sys.stdout.flush()


@app.command()
def agree(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Export files (ours, Prodigy's, doccano's); records go to their "
            "_annotator_id, else to the file's name. None: every annotator of the store",
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
    minimum: Annotated[
        float | None,
        typer.Option(
            "--min",
            min=0.0,
            max=1.0,
            help="Exit 1 when any pair's entity F1 is below this",
            show_default=False,
        ),
    ] = None,
    documents: Annotated[
        int, typer.Option("--documents", min=0, help="How many least agreed documents to list")
    ] = 10,
    include_reviewers: Annotated[
        bool,
        typer.Option(
            "--include-reviewers",
            help="Count reviewers' gold versions (made by `annotator review`; in files, records "
            "carrying versions) as one more annotator",
        ),
    ] = False,
) -> None:
    """Agreement between every pair of annotators: entity F1 (exact and overlap) per label,
    token-level kappa, Krippendorff's alpha, stance agreement; lowest documents first."""
    from annotator.core.agreement import cycle_collection_paused

    # Paused for the whole command, not per step: each time it resumed, the collector walked
    # the millions of objects read so far (two seconds on 10,000 documents x 3).
    with cycle_collection_paused():
        _agree(files, store, as_json, minimum, documents, include_reviewers)


def _agree(
    files: list[Path] | None,
    store: Path | None,
    as_json: bool,
    minimum: float | None,
    documents: int,
    include_reviewers: bool,
) -> None:
    from annotator.core.agreement import compute_agreement
    from annotator.core.agreement_input import read_annotations, store_annotations

    if files:
        found = read_annotations(files, lazy_tokenizer(), include_reviewers)
        where = ", ".join(str(f) for f in files)
    else:
        opened = open_store_at(store, read_only=True)
        try:
            found = store_annotations(
                opened, opened.annotators(), lazy_tokenizer(), include_reviewers
            )
        finally:
            opened.close()
        where = "the store"
    if len(found) < 2:
        names = ", ".join(sorted(found)) or "none"
        raise AnnotatorError(
            f"{where}: agreement needs finished work of two annotators or more (found: "
            f"{names}); give files of several annotators, or records with _annotator_id"
        )
    agreement = compute_agreement(found)
    if as_json:
        # Plain: Rich would colour a per-document list of 10,000 entries for a minute.
        _write_json(agreement.to_json())
    else:
        print_agreement(agreement, documents)
    if minimum is not None:
        below = [p for p in agreement.pairs if p.entities.exact.f1 < minimum]
        for pair in below:
            err.print(
                f"{printable(pair.a)} and {printable(pair.b)}: entity F1 "
                f"{pair.entities.exact.f1:.3f} is below {minimum}",
            )
        if below:
            raise typer.Exit(1)


@app.command("import")
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Finished annotations: our exports, Prodigy ner_manual records, doccano JSONL",
            show_default=False,
        ),
    ],
    annotator: Annotated[
        str | None,
        typer.Option(
            "--annotator",
            help="Whose work these are. Default: each record's _annotator_id",
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Bring finished annotations into the store as that annotator's answered documents."""
    from annotator.core.importing import import_annotations

    opened = open_store_at(store)
    try:
        summary = import_annotations(opened, files, lazy_tokenizer(), annotator)
    finally:
        opened.close()
    people = ", ".join(f"{name} {count}" for name, count in sorted(summary.imported.items()))
    out.print(
        f"imported {summary.total} document(s){': ' + printable(people) if people else ''}"
        + (f"; {summary.unchanged} already so" if summary.unchanged else "")
    )


@app.command()
def review(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Review only the documents of these files (default: every document "
            "finished by enough annotators)",
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
    annotator: Annotated[
        str | None,
        typer.Option(
            "--annotator",
            help="The reviewer: the gold versions are saved as their work. Default: "
            "$ANNOTATOR_NAME or login name",
            show_default=False,
        ),
    ] = None,
    min_annotators: Annotated[
        int,
        typer.Option("--min-annotators", min=1, help="Review documents finished by this many"),
    ] = 2,
    blind: Annotated[
        bool, typer.Option("--blind", help="Number the annotators without their names")
    ] = False,
    scheme: Annotated[
        Path | None,
        typer.Option("--scheme", help="Label scheme (JSON)", show_default=False),
    ] = None,
) -> None:
    """Turn several annotators' versions into one: disagreements first, agreed units merged."""
    from annotator.ui.review_app import build_review_app

    review_app = build_review_app(
        inputs or [],
        store_path=store,
        reviewer=annotator_name(annotator),
        tokenize=lazy_tokenizer(),
        min_annotators=min_annotators,
        blind=blind,
        scheme_path=scheme,
    )
    review_app.run()

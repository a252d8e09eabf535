"""`store`: whole-store operations (`store copy` between SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Annotated

import typer

from annotator.cli.common import app, err
from annotator.core.printable import printable

store_app = typer.Typer(
    name="store",
    help="Whole-store operations: copy a store between SQLite and PostgreSQL.",
    no_args_is_help=True,
)
app.add_typer(store_app)


@store_app.command("copy")
def copy(
    source: Annotated[str, typer.Argument(help="The store to copy: a file or postgresql:// URL")],
    target: Annotated[
        str, typer.Argument(help="A new store: a file that does not exist, or an empty database")
    ],
) -> None:
    """Copy a whole store, every event included (SQLite to PostgreSQL and back)."""
    from annotator.core.store.copy import copy_store
    from annotator.core.store.postgres import redacted

    report = copy_store(source, target)
    err.print(printable(report.summary(redacted(source), redacted(target))))

"""`recover`: what is readable of a damaged store, copied into a new one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from annotator.cli.common import app, err
from annotator.core.printable import printable


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
        err.print(f"warning: {printable(problem)}", style="yellow")
    err.print(printable(report.summary(damaged, output)))

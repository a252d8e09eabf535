"""The command line: parses options and calls the functions that do the work.

One module per command group; importing them registers their commands on the one app.
"""

from __future__ import annotations

import os
import sys

from annotator.cli import (  # noqa: F401 (registers)
    annotate,
    check,
    export,
    recover,
    review,
    store,
    train,
)
from annotator.cli.common import app, err
from annotator.core.printable import printable
from annotator.errors import AnnotatorError


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
        err.print(f"annotator: error: {printable(str(error))}")
        return error.exit_code
    except KeyboardInterrupt:
        err.print("annotator: interrupted; every decision made so far is saved")
        return 130
    return 0


def main() -> None:
    """Console entry point."""
    sys.exit(run())



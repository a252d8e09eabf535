"""Errors meant for people: one line that says what went wrong, where, and what to do."""

from __future__ import annotations

from pathlib import Path


class AnnotatorError(Exception):
    """A failure the user can act on; the CLI prints it as one line and exits non-zero."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(AnnotatorError):
    """Bad input: names the file and, where there is one, the line."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {message}")
        self.path = Path(path)
        self.line = line
        self.reason = message


class ValidationFailed(AnnotatorError):
    """A file was read but its records break the export schema."""

    exit_code = 1


class StoreError(AnnotatorError):
    """The annotation store cannot be opened or written."""


class ModelError(AnnotatorError):
    """The spaCy pipeline cannot be loaded."""

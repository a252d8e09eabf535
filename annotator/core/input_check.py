"""Will these input files import? The answer of the reader `annotate` and `suggest` use.

`annotator validate --input FILE...` reads each file exactly as an import would (same
decoding, same record checks, same errors), without a store and without the model, and says
per file how many documents it holds or why it will not import.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.corpus import ReadReport, Tokenizer, corpus_files, read_corpus
from annotator.errors import InputError


@dataclass
class InputCheck:
    """What importing one input path would do."""

    path: Path
    documents: int = 0  # documents it would import
    annotated: int = 0  # of which carry annotations (imported instead of suggested)
    bad_lines: list[str] = field(default_factory=list)  # "file:line: reason", skippable
    failure: str | None = None  # why the whole file will not import ("file[:line]: reason")

    @property
    def imports(self) -> bool:
        """Whether `annotate` would import it as it is."""
        return self.failure is None and not self.bad_lines


def check_inputs(paths: Sequence[Path], tokenize: Tokenizer) -> Iterator[InputCheck]:
    """One InputCheck per input file (folders expand as they do for `annotate`)."""
    for given in paths:
        try:
            files = corpus_files([given])
        except InputError as error:
            yield InputCheck(path=given, failure=str(error))
            continue
        for path in files:
            yield check_input(path, tokenize)


def check_input(path: Path, tokenize: Tokenizer) -> InputCheck:
    """Read one file as an import would, listing every bad line rather than stopping at one."""
    check = InputCheck(path=path)
    report = ReadReport()
    try:
        # skip_bad_lines gathers every bad line (an import stops at the first); errors that
        # fail the whole file (encoding, a broken CoNLL line, no records) still raise.
        for record in read_corpus([path], tokenize, skip_bad_lines=True, report=report):
            check.documents += 1
            check.annotated += record.initial is not None
    except InputError as error:
        check.failure = str(error)
        check.documents = check.annotated = 0
    check.bad_lines = report.skipped_lines
    return check

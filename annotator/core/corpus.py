"""Reading a corpus: .txt articles, .jsonl records (Prodigy, doccano and our own exports) and
CoNLL-2003 column files (.conll, .conll2003; see conll.py). Each record is checked and
parsed by records.py (its names the rest of the tool imports from here are re-exported).

Text handling, decided once for every input:
- `.txt`: decoded as strict UTF-8; a leading BOM is dropped (it marks the encoding, it is not
  text) and CRLF / CR line endings become LF, so the stored text is what a reader sees.
- `.jsonl`: each record's `text` is kept exactly as written (a BOM at the start of the file is
  dropped); offsets of imported spans index that exact string.
- `.conll`: the text is rebuilt from the tokens (spaces between them, newlines between
  sentences), so the tokens and tags are kept exactly.
Offsets everywhere are Python code points into the stored text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonlines

from annotator.core.conll import ConllError, conll_documents, has_docstart
from annotator.core.model import CorpusRecord, Document
from annotator.core.records import ANSWERS as ANSWERS
from annotator.core.records import MAX_TEXT_LENGTH, too_long
from annotator.core.records import BadRecord as BadRecord
from annotator.core.records import Tokenizer as Tokenizer
from annotator.core.records import input_hash as input_hash
from annotator.core.records import parse_record as parse_record
from annotator.core.records import task_hash as task_hash
from annotator.errors import InputError

CONLL_SUFFIXES = (".conll", ".conll2003")
CORPUS_SUFFIXES = (".txt", ".jsonl", *CONLL_SUFFIXES)


@dataclass
class ReadReport:
    """What reading skipped, so the CLI can tell the user."""

    skipped_lines: list[str] = field(default_factory=list)


def corpus_files(paths: Sequence[Path]) -> list[Path]:
    """Expand folders into their .txt and .jsonl files, in a stable (sorted) order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in CORPUS_SUFFIXES
            )
            if not found:
                raise InputError(path, "holds no .txt, .jsonl or .conll files")
            files.extend(found)
        elif path.is_file():
            if path.suffix.lower() not in CORPUS_SUFFIXES:
                raise InputError(
                    path, "is not a .txt article, a .jsonl file of records or a .conll file"
                )
            files.append(path)
        else:
            raise InputError(path, "no such file or folder")
    return files


def read_corpus(
    paths: Sequence[Path],
    tokenize: Tokenizer,
    skip_bad_lines: bool = False,
    report: ReadReport | None = None,
) -> Iterator[CorpusRecord]:
    """Stream the records of every corpus file; bad input raises InputError (file and line)."""
    for path in corpus_files(paths):
        suffix = path.suffix.lower()
        if suffix == ".txt":
            yield read_article(path)
        elif suffix in CONLL_SUFFIXES:
            yield from read_conll(path, tokenize, skip_bad_lines, report)
        else:
            yield from read_jsonl(path, tokenize, skip_bad_lines, report)


def _decode(data: bytes, path: Path, line: int | None = None, base: int = 0) -> str:
    """Strict UTF-8; `base` is where `data` starts in the file, so offsets are the file's."""
    if base == 0 and data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(path, "is UTF-16 encoded; save it as UTF-8", line)
    if b"\x00" in data:
        offset = base + data.index(b"\x00")
        raise InputError(path, f"looks like a binary file (NUL byte at byte {offset})", line)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        where_line = line if line is not None else data.count(b"\n", 0, error.start) + 1
        raise InputError(
            path,
            f"invalid UTF-8 at byte {base + error.start}; save the file as UTF-8",
            where_line,
        ) from None


def read_article(path: Path) -> CorpusRecord:
    """One .txt article; its first non-empty line is its title."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot read ({error.strerror})") from None
    text = _decode(data, path)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(path, "is empty; an article needs some text")
    if len(text) > MAX_TEXT_LENGTH:
        raise InputError(path, too_long(len(text)))
    title = next(line.strip() for line in text.split("\n") if line.strip())
    document = Document(
        input_hash=input_hash(text),
        text=text,
        meta={"title": title, "file": path.name},
    )
    return CorpusRecord(document=document)


class _LineSource:
    """Every line of a file as text, decoded strictly, remembering the current line number."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.line = 0
        self.text = ""

    def __iter__(self) -> Iterator[str]:
        try:
            handle = self.path.open("rb")
        except OSError as error:
            raise InputError(self.path, f"cannot read ({error.strerror})") from None
        with handle:
            offset = 0
            for raw in handle:
                self.line += 1
                text = _decode(raw, self.path, self.line, offset)
                offset += len(raw)
                self.text = text
                yield text.removeprefix("\ufeff") if self.line == 1 else text


def iter_json_values(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each non-blank line, read with jsonlines.

    A line that is not JSON yields a `BadRecord` as its value, so callers decide whether to
    stop or skip.
    """
    source = _LineSource(path)
    # jsonlines reads with orjson or ujson when either is installed; they reject lone
    # surrogates with other words, and take deep nesting and 65-bit integers, so the checks
    # below would depend on what else is installed. The standard library is the one reader.
    reader = jsonlines.Reader(iter(source), loads=json.loads)
    while True:
        try:
            value = reader.read(skip_empty=True)
        except jsonlines.InvalidLineError as error:
            message = str(error).split(": ", 1)[-1].rsplit(" (line", 1)[0]
            yield source.line, BadRecord(f"not valid JSON ({message})")
            continue
        except RecursionError:
            yield source.line, BadRecord("not readable: JSON nested more than ~1000 levels deep")
            continue
        except EOFError:
            return
        if "\\u" in source.text:
            problem = _lone_surrogate(value)
            if problem:
                yield source.line, BadRecord(problem)
                continue
        yield source.line, value


def _lone_surrogate(value: Any) -> str | None:
    """Why a decoded value is not valid Unicode (a `\\ud800` escape without its pair), if so."""
    text = value.get("text") if isinstance(value, dict) else None
    if isinstance(text, str):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            return (
                f'"text" holds a lone surrogate U+{ord(text[error.start]):04X} at character '
                f"{error.start}: not valid Unicode; fix the escape in the file"
            )
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone surrogate (a \\ud800 escape without its pair): not valid Unicode"
    return None


def read_jsonl(
    path: Path,
    tokenize: Tokenizer,
    skip_bad_lines: bool = False,
    report: ReadReport | None = None,
) -> Iterator[CorpusRecord]:
    """Records of a .jsonl file; checks the whole file before yielding its first record.

    By default a file with a bad line imports nothing; `skip_bad_lines` skips such lines.
    """
    yield from _checked_records(
        path, lambda: iter_json_values(path), tokenize, skip_bad_lines, report, "holds no records"
    )


def read_conll(
    path: Path,
    tokenize: Tokenizer,
    skip_bad_lines: bool = False,
    report: ReadReport | None = None,
) -> Iterator[CorpusRecord]:
    """Records of a CoNLL-2003 file, one per document; checks the whole file first.

    A line that is not CoNLL fails the file (tags decide spans across lines, so there is no
    skipping one); `skip_bad_lines` skips documents whose record is unusable.
    """
    per_sentence = not has_docstart(_LineSource(path))

    def documents() -> Iterator[tuple[int, Any]]:
        try:
            for found in conll_documents(_LineSource(path), path.name, per_sentence):
                yield found.line, found.record
        except ConllError as error:
            raise InputError(path, str(error), error.line) from None

    yield from _checked_records(
        path, documents, tokenize, skip_bad_lines, report, "holds no tokens"
    )


def _checked_records(
    path: Path,
    raw_records: Callable[[], Iterator[tuple[int, Any]]],
    tokenize: Tokenizer,
    skip_bad_lines: bool,
    report: ReadReport | None,
    when_empty: str,
) -> Iterator[CorpusRecord]:
    """Check every (line, raw record) of a file, then yield the parsed records.

    Two passes, so a file with a bad record imports nothing (or, with `skip_bad_lines`, all
    but its bad records, which `report` lists) and no file is held in memory.
    """
    bad: list[str] = []
    count = 0
    for line, value in raw_records():
        try:
            parse_record(value, tokenize)
            count += 1
        except BadRecord as error:
            if not skip_bad_lines:
                raise InputError(path, str(error), line) from None
            bad.append(f"{path}:{line}: {error}")
    if count == 0 and not bad:
        raise InputError(path, when_empty)
    if report is not None:
        report.skipped_lines.extend(bad)
    for _line, value in raw_records():
        try:
            yield parse_record(value, tokenize)
        except BadRecord:
            continue  # reported in the first pass


def write_jsonl(handle: Any, records: Iterator[dict[str, Any]]) -> int:
    """Write records to an open text file with jsonlines; returns how many."""
    writer = jsonlines.Writer(handle, compact=True, sort_keys=False)
    count = 0
    for record in records:
        writer.write(record)
        count += 1
    return count

"""Reading a corpus: .txt articles, .jsonl records (Prodigy, doccano and our own exports) and
CoNLL-2003 column files (.conll, .conll2003; see conll.py).

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

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonlines

from annotator.core.conll import ConllError, conll_documents, has_docstart
from annotator.core.model import (
    STANCE_LABELS,
    CorpusRecord,
    Document,
    DocumentState,
    Span,
    Stance,
    Token,
    first_overlap,
)
from annotator.core.printable import control_character, printable
from annotator.core.tokens import AlignmentError, TokenIndex, check_tokens
from annotator.errors import InputError

Tokenizer = Callable[[str], tuple[Token, ...]]
CONLL_SUFFIXES = (".conll", ".conll2003")
CORPUS_SUFFIXES = (".txt", ".jsonl", *CONLL_SUFFIXES)
SPAN_STATUSES = ("suggested", "accepted", "rejected", "edited", "added")
ANSWERS = ("accept", "ignore", "reject")
# Keys this tool interprets; any other top-level key of a record travels through unchanged.
KNOWN_KEYS = frozenset(
    {
        "text",
        "meta",
        "_input_hash",
        "_task_hash",
        "tokens",
        "spans",
        "rejected_spans",
        "stances",
        "rejected_stances",
        "answer",
        "_annotator_id",
        "_timestamp",
        "labels",
        "label",
    }
)
PRE_ANNOTATION_KEYS = ("spans", "rejected_spans", "labels", "label", "answer", "stances")
# spaCy's default nlp.max_length: its pipelines refuse longer texts (the parser and NER would
# need about 1 GB of memory per 100,000 characters), and no screen shows one usefully.
MAX_TEXT_LENGTH = 1_000_000
_INT64 = range(-(2**63), 2**63)


def input_hash(text: str) -> int:
    """A stable 64-bit signed hash of a text: the same article always gets the same key."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def task_hash(input_hash_value: int, view: str = "annotator.ner_stance") -> int:
    """The hash of the task: this input in this tool's entity-and-stance view."""
    digest = hashlib.blake2b(f"{input_hash_value}:{view}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


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
        raise InputError(path, _too_long(len(text)))
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


def _too_long(length: int) -> str:
    return (
        f"the text has {length:,} characters, more than the limit of {MAX_TEXT_LENGTH:,} "
        "(spaCy's nlp.max_length); split it into smaller articles"
    )


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


class BadRecord(ValueError):
    """One record is unusable; the message says why (the caller adds file and line)."""


def parse_record(data: Any, tokenize: Tokenizer) -> CorpusRecord:
    """Turn one decoded JSON record into a CorpusRecord, checking every offset."""
    if isinstance(data, BadRecord):
        raise data
    if not isinstance(data, dict):
        raise BadRecord(f"a record must be a JSON object, not {type(data).__name__}")
    text = data.get("text")
    if "text" not in data:
        raise BadRecord('the record has no "text"')
    if not isinstance(text, str):
        raise BadRecord(f'"text" must be a string, not {type(text).__name__}')
    if not text:
        # Whitespace-only texts are kept: real Prodigy exports contain them.
        raise BadRecord('"text" is empty')
    if len(text) > MAX_TEXT_LENGTH:
        raise BadRecord(_too_long(len(text)))
    for key in ("_input_hash", "_task_hash", "_timestamp"):
        number = data.get(key)
        if isinstance(number, int) and number not in _INT64:
            raise BadRecord(f'"{key}" {number} does not fit in 64 bits')
    meta = data.get("meta", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise BadRecord('"meta" must be an object')
    hash_value = data.get("_input_hash")
    if not isinstance(hash_value, int) or isinstance(hash_value, bool):
        hash_value = input_hash(text)
    task = data.get("_task_hash")
    if not isinstance(task, int) or isinstance(task, bool):
        task = None
    extra = {k: v for k, v in data.items() if k not in KNOWN_KEYS}

    pre_annotated = any(key in data for key in PRE_ANNOTATION_KEYS)
    tokens: tuple[Token, ...] = ()
    if "tokens" in data:
        tokens = _parse_tokens(data["tokens"], text)
    elif pre_annotated:
        tokens = tokenize(text)
    document = Document(
        input_hash=hash_value, text=text, meta=meta, tokens=tokens, task_hash=task, extra=extra
    )
    if not pre_annotated:
        return CorpusRecord(document=document)

    answer = data.get("answer")
    if answer is not None and answer not in ANSWERS:
        raise BadRecord(f'"answer" must be one of {", ".join(ANSWERS)}, not {answer!r}')
    default_status = "accepted" if answer == "accept" else "suggested"
    index = TokenIndex(tokens)
    raw_spans = _raw_spans(data)
    spans = [
        _parse_span(raw, number, text, index, default_status)
        for number, raw in enumerate(raw_spans)
    ]
    rejected = data.get("rejected_spans", [])
    if not isinstance(rejected, list):
        raise BadRecord('"rejected_spans" must be a list')
    if not all(isinstance(s, dict) for s in rejected):
        raise BadRecord('every item of "rejected_spans" must be an object')
    spans += [
        _parse_span(raw, len(spans) + number, text, index, "rejected", force_status=True)
        for number, raw in enumerate(rejected)
    ]
    _check_overlaps(spans)
    stances = [
        _parse_stance(raw, number, text)
        for number, raw in enumerate(_list(data, "stances") + _list(data, "rejected_stances"))
    ]
    state = DocumentState(
        spans=tuple(sorted(spans, key=lambda s: (s.start, s.end))),
        stances=tuple(stances),
        answer=answer,
    )
    timestamp = data.get("_timestamp")
    annotator = data.get("_annotator_id")
    return CorpusRecord(
        document=document,
        initial=state,
        source="import",
        timestamp=timestamp if isinstance(timestamp, int) else None,
        annotator=annotator if isinstance(annotator, str) else None,
    )


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise BadRecord(f'"{key}" must be a list')
    return value


def _parse_tokens(raw: Any, text: str) -> tuple[Token, ...]:
    if not isinstance(raw, list):
        raise BadRecord('"tokens" must be a list')
    tokens = []
    for number, item in enumerate(raw):
        if not isinstance(item, dict):
            raise BadRecord(f"token {number} must be an object")
        start, end, token_text = item.get("start"), item.get("end"), item.get("text")
        if type(start) is not int or type(end) is not int or not isinstance(token_text, str):
            raise BadRecord(f"token {number} needs text and integer start and end")
        if "id" in item and item["id"] != number:
            raise BadRecord(f"token {number} has id {item['id']}; ids must count 0, 1, 2...")
        tokens.append(Token.from_json(item if "id" in item else {**item, "id": number}))
    problem = check_tokens(text, tokens)
    if problem:
        raise BadRecord(problem)
    return tuple(tokens)


def _raw_spans(data: dict[str, Any]) -> list[dict[str, Any]]:
    if "spans" in data:
        spans = _list(data, "spans")
        if not all(isinstance(s, dict) for s in spans):
            raise BadRecord('every item of "spans" must be an object')
        return spans
    # doccano: [start, end, label] triples under "labels" (older) or "label" (newer).
    triples = data.get("labels", data.get("label", []))
    if not isinstance(triples, list):
        raise BadRecord('"labels" must be a list of [start, end, label]')
    spans = []
    for number, triple in enumerate(triples):
        if not (isinstance(triple, list) and len(triple) == 3):
            raise BadRecord(f"label {number} must be [start, end, label]")
        spans.append({"start": triple[0], "end": triple[1], "label": triple[2]})
    return spans


def _parse_span(
    raw: dict[str, Any],
    number: int,
    text: str,
    index: TokenIndex,
    default_status: str,
    force_status: bool = False,
) -> Span:
    start, end, label = raw.get("start"), raw.get("end"), raw.get("label")
    if not isinstance(start, int) or not isinstance(end, int):
        raise BadRecord(f"span {number} needs integer start and end")
    if not isinstance(label, str) or not label.strip():
        raise BadRecord(f"span {number} needs a label")
    if len(label) > 100:
        raise BadRecord(f"span {number} has a label of {len(label)} characters (at most 100)")
    control = control_character(label)
    if control is not None:
        raise BadRecord(
            f"span {number} label '{printable(label)}' holds a control character ({control}); "
            "labels are plain names"
        )
    if not (0 <= start < end <= len(text)):
        raise BadRecord(
            f"span {number} ({start}-{end}) lies outside the text of {len(text)} characters"
        )
    covered = text[start:end]
    if "text" in raw and raw["text"] != covered:
        raise BadRecord(
            f"span {number} says {raw['text']!r} but the text at {start}-{end} is {covered!r}"
        )
    try:
        token_start, token_end = index.token_range(start, end)
    except AlignmentError as error:
        raise BadRecord(
            f"span {number} ({start}-{end} {covered!r}) does not fall on token boundaries: {error}"
        ) from None
    for key, value in (("token_start", token_start), ("token_end", token_end)):
        if key in raw and raw[key] != value:
            raise BadRecord(f"span {number} says {key} {raw[key]} but the tokens give {value}")
    status = raw.get("status")
    if force_status or status not in SPAN_STATUSES:
        status = default_status
    known = {"start", "end", "token_start", "token_end", "label", "text", "source", "status"}
    return Span(
        id=f"e{number}",
        start=start,
        end=end,
        token_start=token_start,
        token_end=token_end,
        label=label,
        text=covered,
        source=str(raw.get("source", "import")),
        status=status,  # type: ignore[arg-type]
        extra={k: v for k, v in raw.items() if k not in known},
    )


def _check_overlaps(spans: Sequence[Span]) -> None:
    pair = first_overlap(spans)
    if pair is not None:
        left, right = pair
        raise BadRecord(
            f"spans {left.text!r} ({left.start}-{left.end}) and {right.text!r} "
            f"({right.start}-{right.end}) overlap; entity spans may not overlap"
        )


def _parse_stance(raw: Any, number: int, text: str) -> Stance:
    if not isinstance(raw, dict):
        raise BadRecord(f"stance {number} must be an object")
    if raw.get("label") not in STANCE_LABELS:
        raise BadRecord(f"stance {number} label must be one of {', '.join(STANCE_LABELS)}")
    for role in ("evidence", "cue", "holder", "speaker", "target"):
        ref = raw.get(role)
        if ref is None:
            if role == "evidence":
                raise BadRecord(f"stance {number} needs evidence")
            continue
        if (
            not isinstance(ref, dict)
            or not isinstance(ref.get("start"), int)
            or not isinstance(ref.get("end"), int)
        ):
            raise BadRecord(f"stance {number} {role} needs integer start and end")
        start, end = ref["start"], ref["end"]
        if not (0 <= start < end <= len(text)):
            raise BadRecord(f"stance {number} {role} ({start}-{end}) lies outside the text")
        if ref.get("text", text[start:end]) != text[start:end]:
            raise BadRecord(
                f"stance {number} {role} says {ref.get('text')!r} but the text is "
                f"{text[start:end]!r}"
            )
    filled = {
        **raw,
        **{
            role: {**raw[role], "text": text[raw[role]["start"] : raw[role]["end"]]}
            for role in ("evidence", "cue", "holder", "speaker", "target")
            if raw.get(role)
        },
    }
    filled.setdefault("id", f"t{number}")
    if filled.get("status") not in SPAN_STATUSES:
        filled["status"] = "suggested"
    return Stance.from_json(filled)


def write_jsonl(handle: Any, records: Iterator[dict[str, Any]]) -> int:
    """Write records to an open text file with jsonlines; returns how many."""
    writer = jsonlines.Writer(handle, compact=True, sort_keys=False)
    count = 0
    for record in records:
        writer.write(record)
        count += 1
    return count

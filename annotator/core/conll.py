"""CoNLL-2003 columns, read and written: what most NER training scripts read.

One token per line, `TOKEN _ _ TAG` (the first column is the token, the last its tag; the
middle ones, part of speech and chunk in the original data, are `_`), a blank line after
each sentence, and `-DOCSTART- -X- -X- O` before each document. Tags are IOB2 (`B-PER`,
`I-PER`, `O`) when written; IOB1 (a span starting with `I-`) and BIOES (`E-`, `S-`) are
read too. HF token-classification scripts, flair's ColumnCorpus and `spacy convert` read
this format.

Reading makes one record per document: the tokens joined by single spaces, the sentences
by newlines (the text doccano and the CoNLL-2003 data use), with the tokens and spans of
the tags. A file without `-DOCSTART-` lines (WNUT, say) is one document per sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.core.model import Span, Token

DOCSTART = "-DOCSTART-"
DOCSTART_LINE = "-DOCSTART- -X- -X- O"
OUTSIDE = "O"
_BEGINS = ("B", "S")  # a tag that always starts a span
_INSIDE = ("I", "E")  # a tag that continues one of its label (or starts it, in IOB1)


class ConllError(ValueError):
    """A line that is not CoNLL; `line` is its number in the file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class ConllDocument:
    """One document of a CoNLL file, as an import record (`parse_record` checks it)."""

    line: int  # where it starts in the file
    record: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Builder:
    line: int
    words: list[tuple[str, str, int]] = field(default_factory=list)  # (token, tag, line)
    sentence_ends: list[int] = field(default_factory=list)  # word counts at sentence ends

    def end_sentence(self) -> None:
        if self.words and (not self.sentence_ends or self.sentence_ends[-1] != len(self.words)):
            self.sentence_ends.append(len(self.words))

    def document(self, number: int, file_name: str) -> ConllDocument:
        self.end_sentence()
        text_parts: list[str] = []
        tokens: list[dict[str, Any]] = []
        position = 0
        ends = set(self.sentence_ends)
        for index, (word, _tag, _line) in enumerate(self.words):
            last_of_sentence = index + 1 in ends
            tokens.append(
                {
                    "text": word,
                    "start": position,
                    "end": position + len(word),
                    "id": index,
                    "ws": not last_of_sentence and index + 1 < len(self.words),
                }
            )
            text_parts.append(word)
            if index + 1 < len(self.words):
                text_parts.append("\n" if last_of_sentence else " ")
            position += len(word) + 1
        record = {
            "text": "".join(text_parts),
            "meta": {"file": file_name, "document": number},
            "tokens": tokens,
            "spans": _spans(self.words, tokens),
        }
        return ConllDocument(line=self.line, record=record)


def _split_tag(tag: str, line: int) -> tuple[str, str | None]:
    if tag == OUTSIDE:
        return OUTSIDE, None
    prefix, dash, label = tag.partition("-")
    if not dash or prefix not in (*_BEGINS, *_INSIDE) or not label:
        raise ConllError(line, f"tag {tag!r} is not O or B-, I-, E-, S- and a label")
    return prefix, label


def _spans(words: Sequence[tuple[str, str, int]], tokens: list[dict[str, Any]]) -> list[Any]:
    spans: list[dict[str, Any]] = []
    open_label: str | None = None
    for index, (_word, tag, line) in enumerate(words):
        prefix, label = _split_tag(tag, line)
        continues = prefix in _INSIDE and label == open_label
        if label is None:
            open_label = None
            continue
        if continues:
            spans[-1]["end"] = tokens[index]["end"]
            spans[-1]["token_end"] = index
        else:
            spans.append(
                {
                    "start": tokens[index]["start"],
                    "end": tokens[index]["end"],
                    "token_start": index,
                    "token_end": index,
                    "label": label,
                }
            )
        # An E- or S- tag closes its span; the next I- starts a new one.
        open_label = None if prefix in ("E", "S") else label
    return spans


def has_docstart(lines: Iterable[str]) -> bool:
    """Whether a file marks its documents (else each sentence is one)."""
    return any(line.split(maxsplit=1)[:1] == [DOCSTART] for line in lines)


def conll_documents(
    lines: Iterable[str], file_name: str, per_sentence: bool
) -> Iterator[ConllDocument]:
    """The documents of a CoNLL file's lines (numbered from 1); ConllError on a bad line."""
    current: _Builder | None = None
    number = 0

    def finish(builder: _Builder | None) -> Iterator[ConllDocument]:
        nonlocal number
        if builder is not None and builder.words:
            number += 1
            yield builder.document(number, file_name)

    for line_number, raw in enumerate(lines, start=1):
        columns = raw.split()
        if not columns:
            if current is not None:
                current.end_sentence()
                if per_sentence:
                    yield from finish(current)
                    current = None
            continue
        if columns[0] == DOCSTART:
            yield from finish(current)
            current = None
            continue
        if len(columns) < 2:
            raise ConllError(line_number, f"{raw.strip()!r} has no tag column (TOKEN ... TAG)")
        _split_tag(columns[-1], line_number)
        if current is None:
            current = _Builder(line=line_number)
        current.words.append((columns[0], columns[-1], line_number))
    yield from finish(current)


def conll_lines(text: str, tokens: Sequence[Token], spans: Iterable[Span]) -> Iterator[str]:
    """One document as CoNLL-2003 lines (without line ends), IOB2-tagged.

    A newline in the text ends a sentence; whitespace tokens are left out, and whitespace
    inside a token (possible in imported tokens) becomes `_`, as columns are split on it.
    """
    tags = [OUTSIDE] * len(tokens)
    for span in spans:
        if span.status == "rejected":
            continue
        for index in range(span.token_start, span.token_end + 1):
            tags[index] = f"{'B' if index == span.token_start else 'I'}-{span.label}"
    yield DOCSTART_LINE
    yield ""
    sentence: list[str] = []
    for index, token in enumerate(tokens):
        following = tokens[index + 1].start if index + 1 < len(tokens) else len(text)
        if token.text.strip():
            sentence.append(f"{'_'.join(token.text.split())} _ _ {tags[index]}")
        if sentence and ("\n" in token.text or "\n" in text[token.end : following]):
            yield from sentence
            yield ""
            sentence = []
    if sentence:
        yield from sentence
        yield ""

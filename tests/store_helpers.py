"""Synthetic documents for store tests: any size, with tokens and suggested spans, no model."""

from __future__ import annotations

from annotator.core.model import CorpusRecord, Document, DocumentState, Span, Token


def synthetic_record(input_hash: int, words: int, span_every: int = 5) -> CorpusRecord:
    """A document of `words` words with a suggested PERSON span on every `span_every`-th."""
    text_parts: list[str] = []
    tokens: list[Token] = []
    position = 0
    for i in range(words):
        word = f"Word{i}"
        tokens.append(Token(word, position, position + len(word), i, True))
        text_parts.append(word)
        position += len(word) + 1
    text = " ".join(text_parts)
    spans = tuple(
        Span(f"e{n}", t.start, t.end, t.id, t.id, "PERSON", t.text, "model", "suggested")
        for n, t in enumerate(tokens[::span_every])
    )
    document = Document(input_hash=input_hash, text=text, meta={}, tokens=tuple(tokens))
    return CorpusRecord(document, DocumentState(spans=spans), source="fake")

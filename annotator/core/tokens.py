"""Tokens and character offsets: alignment, snapping and validation of token lists."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from annotator.core.model import Token


class AlignmentError(ValueError):
    """A character range does not fall on token boundaries."""


def is_space_token(token: Token) -> bool:
    return token.text.strip() == ""


def check_tokens(text: str, tokens: Sequence[Token]) -> str | None:
    """Return why `tokens` do not describe `text` (None when they do)."""
    previous_end = 0
    for index, token in enumerate(tokens):
        if token.id != index:
            return f"token {index} has id {token.id}; ids must count 0, 1, 2..."
        if not (0 <= token.start <= token.end <= len(text)):
            return f"token {index} ({token.start}-{token.end}) lies outside the text"
        if token.start < previous_end:
            return f"token {index} starts at {token.start}, before token {index - 1} ends"
        if text[token.start : token.end] != token.text:
            return (
                f"token {index} says {token.text!r} but the text at "
                f"{token.start}-{token.end} is {text[token.start : token.end]!r}"
            )
        previous_end = token.end
    return None


class TokenIndex:
    """Fast lookups from characters to tokens for one document."""

    def __init__(self, tokens: Sequence[Token]) -> None:
        self.tokens = tuple(tokens)
        self._starts = [t.start for t in self.tokens]
        self._ends = [t.end for t in self.tokens]

    def __len__(self) -> int:
        return len(self.tokens)

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """Token indices (inclusive end) of a range that must start and end on token edges."""
        first = bisect_left(self._starts, start)
        if first == len(self._starts) or self._starts[first] != start:
            raise AlignmentError(f"offset {start} is not the start of a token")
        last = bisect_left(self._ends, end)
        if last == len(self._ends) or self._ends[last] != end or last < first:
            raise AlignmentError(f"offset {end} is not the end of a token")
        return first, last

    def snap(self, start: int, end: int) -> tuple[int, int] | None:
        """Token range covering every token that overlaps [start, end), without edge whitespace."""
        first = bisect_right(self._ends, start)
        last = bisect_left(self._starts, end) - 1
        while first <= last and is_space_token(self.tokens[first]):
            first += 1
        while last >= first and is_space_token(self.tokens[last]):
            last -= 1
        if first > last:
            return None
        return first, last

    def token_at(self, offset: int) -> int | None:
        """Index of the token containing character `offset`, or the next one after it."""
        index = bisect_right(self._ends, offset)
        return index if index < len(self.tokens) else None

    def char_range(self, token_start: int, token_end: int) -> tuple[int, int]:
        return self.tokens[token_start].start, self.tokens[token_end].end


def tokens_from_spacy(doc: object) -> tuple[Token, ...]:
    """Convert a spaCy Doc's tokens into our Token values."""
    tokens = []
    for tok in doc:  # type: ignore[attr-defined]
        tokens.append(
            Token(
                text=tok.text,
                start=tok.idx,
                end=tok.idx + len(tok.text),
                id=tok.i,
                ws=bool(tok.whitespace_),
            )
        )
    return tuple(tokens)

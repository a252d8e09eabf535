"""Searching the text of a corpus: every match, in corpus order, for the screen's `/`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAX_MATCHES = 10_000  # enough to walk through; a search for "e" stops there


@dataclass(frozen=True)
class Match:
    """One occurrence of the query: in which document (0-based position) and where."""

    index: int
    start: int
    end: int


def find_matches(texts: Iterable[str], query: str, limit: int = MAX_MATCHES) -> list[Match]:
    """Case-insensitive matches of `query` in the texts, in order (documents by position)."""
    matches: list[Match] = []
    if not query.strip():
        return matches
    for index, text in enumerate(texts):
        # Offsets must index the text itself: where lowering changes a length (İ), the
        # search is case-sensitive.
        lowered = text.lower()
        haystack, needle = (lowered, query.lower()) if len(lowered) == len(text) else (text, query)
        at = haystack.find(needle)
        while at != -1:
            matches.append(Match(index, at, at + len(needle)))
            if len(matches) >= limit:
                return matches
            at = haystack.find(needle, at + max(1, len(needle)))
    return matches


def next_match(matches: Sequence[Match], index: int, offset: int, step: int) -> Match | None:
    """The match after (step 1) or before (step -1) position `offset` of document `index`,
    wrapping around the corpus."""
    if not matches:
        return None
    here = (index, offset)
    if step > 0:
        return next((m for m in matches if (m.index, m.start) > here), matches[0])
    return next((m for m in reversed(matches) if (m.index, m.start) < here), matches[-1])

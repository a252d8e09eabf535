"""ArticleLayout: where each display line of the article starts, wrapped only where looked at.

The article is a list of paragraphs (split at newlines). A paragraph is word-wrapped the
first time a line of it is asked for; until then it counts an estimate of its lines (its
characters and the labels drawn in it, over the width), so that the total height, and with
it the scrollbar, is about right from the start. Opening a record of 600,000 characters
therefore wraps one screen of it, not all of it. Plain Python (no Textual): the view asks
it for lines and is told, through `renumbered`, when lines below a paragraph move.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate

from rich.cells import cell_len

_WORD = re.compile(r" +|[^ ]+ *")
# A greedy wrap leaves part of each line empty (the word that did not fit): the estimate
# fills lines to this share of the width.
_FILL = 0.92


class ArticleLayout:
    """Line starts per paragraph, wrapped on demand, and each paragraph's first line."""

    def __init__(
        self,
        display: str,
        width: int,
        tag_widths: Callable[[int, int], dict[int, int]],
        tag_points: Sequence[int] = (),
        tag_width: float = 0.0,
    ) -> None:
        """`tag_widths(start, end)`: the width of the labels drawn at each offset of a
        paragraph; `tag_points` (sorted offsets) and `tag_width` (their mean width) let the
        paragraphs not wrapped yet estimate the room their labels take."""
        self.display = display
        self.width = max(1, width)
        self._tag_widths = tag_widths
        starts = [0] + [m.end() for m in re.finditer("\n", display)]
        self.starts = starts
        self.ends = [s - 1 for s in starts[1:]] + [len(display)]
        self._lines: list[list[int] | None] = [None] * len(starts)
        self._counts = self._estimates(tag_points, tag_width)
        self.first: list[int] = []
        self.wrapped = 0  # paragraphs wrapped so far (for tests and the bench)
        self.wrapped_ahead = 0  # of which wrapped between keys, by `wrap_for`
        self.renumbered: Callable[[list[int], set[int]], None] = _nothing
        self._wrapped_after: int | None = None  # every paragraph after this one is wrapped
        self._index()

    # -- lines and offsets -----------------------------------------------------------------

    @property
    def wrapped_on_demand(self) -> int:
        """Paragraphs wrapped because their lines were asked for (not ahead of time)."""
        return self.wrapped - self.wrapped_ahead

    @property
    def line_count(self) -> int:
        """Display lines, counting the estimate of paragraphs not wrapped yet."""
        return self.first[-1]

    def paragraph_of(self, offset: int) -> int:
        """The paragraph holding character `offset`."""
        return max(0, bisect_right(self.starts, offset) - 1)

    def paragraph_at(self, line: int) -> int:
        """The paragraph that display line `line` belongs to."""
        return min(max(0, bisect_right(self.first, line) - 1), len(self.starts) - 1)

    def is_wrapped(self, p: int) -> bool:
        """Whether paragraph `p` is laid out (its lines are exact)."""
        return self._lines[p] is not None

    def line_of(self, offset: int) -> int:
        """The display line that shows character `offset` (its paragraph is wrapped first)."""
        p = self.paragraph_of(offset)
        starts = self.lines(p)
        return self.first[p] + max(0, bisect_right(starts, offset) - 1)

    def line_range(self, line: int) -> tuple[int, int]:
        """The character range that display line `line` shows (its paragraph wrapped first)."""
        p = self.paragraph_at(line)
        starts = self.lines(p)
        i = max(0, min(line - self.first[p], len(starts) - 1))
        end = starts[i + 1] if i + 1 < len(starts) else self.ends[p]
        return starts[i], end

    def lines(self, p: int) -> list[int]:
        """The line starts of paragraph `p`, wrapping it if it is not yet."""
        lines = self._lines[p]
        if lines is None:
            self.ensure([p])
            lines = self._lines[p]
            assert lines is not None
        return lines

    # -- wrapping --------------------------------------------------------------------------

    def ensure(self, paragraphs: Iterable[int]) -> None:
        """Wrap those of `paragraphs` that are not wrapped yet."""
        self._wrap([p for p in paragraphs if self._lines[p] is None])

    def rewrap(self, paragraphs: Iterable[int]) -> list[int]:
        """Wrap again the wrapped ones of `paragraphs` (their labels changed); returns those
        whose lines start elsewhere now. Paragraphs not wrapped yet stay so."""
        moved: list[int] = []
        changed: list[tuple[int, list[int]]] = []
        for p in paragraphs:
            old = self._lines[p]
            if old is None:
                continue
            lines = self._wrap_paragraph(p)
            if lines != old:
                moved.append(p)
                changed.append((p, lines))
        self._put(changed, set(moved))
        return moved

    def cover(self, offset: int, above: int, below: int) -> None:
        """Wrap the paragraphs around `offset`: `above` lines before its paragraph and
        `below` lines from it on (what a view scrolled to it may show)."""
        self.cover_lines(self.paragraph_of(offset), above, below)

    def cover_lines(self, p: int, above: int, below: int) -> None:
        """Wrap paragraph `p`, the paragraphs before it up to `above` lines and those after
        it up to `below` lines (counting `p`'s own), then index once. Once anything needs
        wrapping, twice as far is wrapped: a new line count changes the view's height, which
        costs a layout pass and an extra frame, so the next keys should find it done."""
        wanted: list[tuple[int, list[int]]] = []
        count = 0
        q = p
        while q < len(self.starts) and count < (2 * below if wanted else below):
            count += self._wrapped_count(q, wanted)
            q += 1
        count = 0
        q = p - 1
        while q >= 0 and count < (2 * above if wanted else above):
            count += self._wrapped_count(q, wanted)
            q -= 1
        self._put(wanted, set())

    def unwrapped_near(self, p: int, above: int, below: int) -> list[int]:
        """The paragraphs not wrapped yet among those `cover_lines(p, above, below)` would
        wrap (counting estimates for them), nearest first: those from `p` on, then those
        before it."""
        found: list[int] = []
        counts = self._counts
        count = 0
        q = p
        while q < len(self.starts) and count < below:
            if self._lines[q] is None:
                found.append(q)
            count += counts[q]
            q += 1
        count = 0
        q = p - 1
        while q >= 0 and count < above:
            if self._lines[q] is None:
                found.append(q)
            count += counts[q]
            q -= 1
        return found

    def unwrapped_after(self, p: int, count: int) -> list[int]:
        """Up to `count` paragraphs after `p` not wrapped yet, in order. Wrapping them moves
        no line up to the end of `p`: what a view showing `p` shows stays where it is."""
        done = self._wrapped_after
        if done is not None and p >= done:
            return []  # paragraphs are never unwrapped: still nothing left after `p`
        found: list[int] = []
        lines = self._lines
        for q in range(p + 1, len(lines)):
            if lines[q] is None:
                found.append(q)
                if len(found) == count:
                    return found
        if not found:
            self._wrapped_after = p
        return found

    def wrap_for(self, paragraphs: Iterable[int], seconds: float) -> int:
        """Wrap `paragraphs` in order until `seconds` are spent (at least one), then index
        once; returns how many were wrapped. Work done between keys, in small slices."""
        deadline = time.perf_counter() + seconds
        wanted: list[tuple[int, list[int]]] = []
        for p in paragraphs:
            if self._lines[p] is None:
                wanted.append((p, self._wrap_paragraph(p)))
            if time.perf_counter() >= deadline:
                break
        self.wrapped_ahead += len(wanted)
        self._put(wanted, set())
        return len(wanted)

    def _wrapped_count(self, p: int, wanted: list[tuple[int, list[int]]]) -> int:
        lines = self._lines[p]
        if lines is None:
            lines = self._wrap_paragraph(p)
            wanted.append((p, lines))
        return len(lines)

    def _wrap(self, paragraphs: Sequence[int]) -> None:
        self._put([(p, self._wrap_paragraph(p)) for p in paragraphs], set())

    def _put(self, wrapped: Sequence[tuple[int, list[int]]], moved: set[int]) -> None:
        """Store new line starts; index again (and tell the view) if any count changed."""
        counts_changed = False
        for p, lines in wrapped:
            if self._lines[p] is None:
                self.wrapped += 1
            self._lines[p] = lines
            if self._counts[p] != len(lines):
                self._counts[p] = len(lines)
                counts_changed = True
        if counts_changed:
            old_first = self.first
            self._index()
            self.renumbered(old_first, moved | {p for p, _ in wrapped})

    def _index(self) -> None:
        self.first = [0, *accumulate(self._counts)]

    def _estimates(self, tag_points: Sequence[int], tag_width: float) -> list[int]:
        """Lines per paragraph, guessed from its length and the labels that start in it."""
        room = max(1.0, self.width * _FILL)
        ends = self.ends
        before = [bisect_left(tag_points, s) for s in self.starts]
        before.append(len(tag_points))
        return [
            max(1, int(-(-(ends[p] - start + (before[p + 1] - before[p]) * tag_width) // room)))
            for p, start in enumerate(self.starts)
        ]

    def _wrap_paragraph(self, p: int) -> list[int]:
        """Greedy word wrap of one paragraph; labels count towards the width of their word."""
        start, end = self.starts[p], self.ends[p]
        width = self.width
        tag_widths = self._tag_widths(start, end)
        tag_points = sorted(tag_widths)
        line_starts = [start]
        used = 0
        segment = self.display[start:end]
        for match in _WORD.finditer(segment):
            word_start = start + match.start()
            word = match.group()
            core = word.rstrip(" ")
            core_end = word_start + len(core)
            core_width = len(core) if core.isascii() else cell_len(core)
            if tag_points:
                lo = bisect_right(tag_points, word_start)
                hi = bisect_right(tag_points, core_end)
                core_width += sum(tag_widths[tag_points[i]] for i in range(lo, hi))
            if used and used + core_width > width:
                line_starts.append(word_start)
                used = 0
            if core_width > width and core:
                # A word wider than the view is cut where it overflows.
                offset = word_start
                for char in core:
                    char_width = cell_len(char)
                    if used + char_width > width and used:
                        line_starts.append(offset)
                        used = 0
                    used += char_width
                    offset += 1
                used += len(word) - len(core)
                continue
            used += core_width + (len(word) - len(core))
        return line_starts


def _nothing(old_first: list[int], relaid: set[int]) -> None:
    """The default listener: nobody keeps rendered lines."""

"""ArticleView: the article, word-wrapped, with entity spans and stances drawn in place.

Built on the Line API over an `ArticleLayout`: paragraphs are wrapped when they come into
view (a jump wraps the screen around its target first), each rendered line is cached as a
Strip, and an edit only re-wraps the paragraphs it touched and re-renders the lines that
show them. Opening a record of 600,000 characters wraps one screen of it, and a key costs
the same on a 4,000-character article and on a 120,000-character one.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields

from rich.segment import Segment
from rich.style import Style
from textual.events import Resize
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from annotator.core.model import DocumentState, Span, Stance
from annotator.core.scheme import LabelScheme
from annotator.ui.display import display_text
from annotator.ui.review_state import Marks
from annotator.ui.widgets.article_geometry import ArticleGeometry
from annotator.ui.widgets.article_layout import ArticleLayout
from annotator.ui.widgets.article_paint import ArticlePainting, refs

# An article up to this long is wrapped whole when shown (a few milliseconds); a longer one
# one screen at a time.
_WRAPPED_WHOLE = 20_000
# A change of more ranges than this (accepting every suggestion) redraws the whole view.
_MANY_RANGES = 64
# Between keys the paragraphs this many screens around the view and the places keys go
# next (focus, cursor, the next items) are wrapped ahead, a slice of this long at a time.
AHEAD_SCREENS = 2
AHEAD_SLICE = 0.002  # seconds
_MARK_NAMES = tuple(f.name for f in fields(Marks))
_FILL_BATCH = 200  # paragraphs looked up per slice of wrapping the rest of the article


class ArticleView(ArticleGeometry, ArticlePainting, ScrollView, can_focus=False):
    """The article with its annotations; the screen tells it what changed."""

    DEFAULT_CSS = """
    ArticleView {
        scrollbar-gutter: stable;
        overflow-x: hidden;
        padding: 0 1;
    }
    """

    @dataclass
    class Clicked(Message):
        """The user clicked the character at `offset`."""

        offset: int

    @dataclass
    class Dragged(Message):
        """The user dragged the mouse from character `anchor` to character `offset`."""

        anchor: int
        offset: int

    def __init__(self, scheme: LabelScheme, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.scheme = scheme
        self._text = ""
        self._display = ""
        self._spans: tuple[Span, ...] = ()
        self._stances: tuple[Stance, ...] = ()
        self._stances_numbered: tuple[Stance, ...] | None = None
        self._span_reach = 0
        self._stance_reach = 0
        self._span_ids: dict[str, Span] = {}
        self._stance_ids: dict[str, Stance] = {}
        self._stance_numbers: dict[str, int] = {}
        self._marks = Marks()
        self._styles: dict[tuple[str, str], Style] = {}
        self._layout = ArticleLayout("", 1, self._tag_widths)
        self._shown = False
        self._strips: dict[int, Strip] = {}
        self._base_style: Style | None = None
        self._drag_anchor: int | None = None
        self._dragged = False
        self.renders = 0  # lines rendered since the document was shown (for tests/bench)
        self.rendered_ahead = 0  # lines rendered between keys (by `wrap_ahead`; not in renders)
        self.wraps_ahead = True  # whether `wrap_ahead` works (off: only what is asked for)

    # -- what the screen calls -------------------------------------------------------------

    def show(self, text: str, state: DocumentState, marks: Marks) -> None:
        """Show a new document (its annotations as in `state`): laid out afresh, the
        paragraphs of the first screen at once, the others when they come into view."""
        self._text = text
        self._display = display_text(text)
        self._set_items(state)
        self._marks = marks
        self._shown = True
        self.renders = 0
        self.rendered_ahead = 0
        self._lay_out()
        self.scroll_to(0, 0, animate=False)

    def update(
        self,
        state: DocumentState,
        changed: Iterable[tuple[int, int]],
        marks: Marks | None = None,
        tags_kept: bool = False,
    ) -> None:
        """New annotations; only paragraphs that hold a changed range are laid out again
        (none when `tags_kept`: every label drawn is as wide as before, only its look
        changed, and the edited stance is the same)."""
        self._set_items(state)
        ranges = list(changed)
        stance_kept = marks is None or marks.stance == self._marks.stance
        if marks is not None:
            ranges += self._mark_ranges(self._marks) + self._mark_ranges(marks)
            self._marks = marks
        if tags_kept and stance_kept and self._shown:
            self._refresh_ranges(ranges)
            return
        self._relayout(ranges)

    def _relayout(self, ranges: Iterable[tuple[int, int]]) -> None:
        """Lay out again the wrapped paragraphs that hold any of `ranges`, and redraw what
        changed: the lines showing a range, or (where the wrap moved) the rest of the
        paragraph, or (where a paragraph grew or shrank) everything below it."""
        ranges = list(ranges)
        layout = self._layout
        paragraphs = sorted({p for start, end in ranges for p in self._paragraphs_of(start, end)})
        counts = [layout.first[p + 1] - layout.first[p] for p in paragraphs]
        moved = layout.rewrap(paragraphs)
        grown = [
            p
            for p, n in zip(paragraphs, counts, strict=True)
            if layout.first[p + 1] - layout.first[p] != n
        ]
        if grown:
            first = layout.first[grown[0]]
            self.refresh_lines(first, max(1, self.line_count - first))
            return
        for p in moved:
            first, last = layout.first[p], layout.first[p + 1]
            for line in range(first, last):
                self._strips.pop(line, None)
            self.refresh_lines(first, last - first)
        self._refresh_ranges(ranges)

    def _renumbered(self, old_first: list[int], relaid: set[int]) -> None:
        """Lines below a paragraph moved: keep the rendered lines of paragraphs that did
        not change, under their new numbers, and the height in step."""
        first = self._layout.first
        strips: dict[int, Strip] = {}
        for line, strip in self._strips.items():
            p = bisect_right(old_first, line) - 1
            if 0 <= p < len(first) - 1 and p not in relaid:
                strips[line - old_first[p] + first[p]] = strip
        self._strips = strips
        top = int(self.scroll_offset.y)
        if min(relaid, default=len(first)) < len(first) - 1 and (
            first[min(relaid)] < top + self.size.height
        ):
            self.refresh()  # lines on screen, or their numbers, changed
        self._set_height(first[-1])

    def _set_height(self, lines: int) -> None:
        """The view's height in lines, without a layout pass (5-6 ms, and a repaint of
        the whole screen): the view's own size does not depend on it, only its scrollbar
        does. Textual does the same when a layout finds a new virtual size; a scrollbar
        that must appear or go asks for a layout itself."""
        size = Size(self._layout.width, lines)
        if size != self.virtual_size:
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)

    def set_marks(self, marks: Marks) -> None:
        """Move focus, cursor or selection: only the lines they leave and enter are redrawn."""
        if marks == self._marks:
            return
        ranges = self._moved_mark_ranges(self._marks, marks)
        stance_changed = marks.stance != self._marks.stance
        self._marks = marks
        if stance_changed and self._shown:
            # The edited stance's roles carry tags, which take room: lay those lines out again.
            self._relayout(ranges)
            return
        self._refresh_ranges(ranges)

    def scroll_to_offset(self, offset: int) -> None:
        """Bring the line showing `offset` on screen (the screen of lines around it laid
        out first, so that it lands where it is drawn). A line below the view lands a third
        of the way down, one above it two thirds: a scroll repaints every line of the view,
        so the next keys' moves the same way should find their lines on screen, not scroll
        again one line at a time."""
        height = self.scrollable_content_region.height
        self._layout.cover(offset, height, height)
        line = self.line_of(offset)
        top = int(self.scroll_offset.y)
        if line >= top + height:
            self.scroll_to(y=line - height // 3, animate=False, immediate=True)
        elif line < top:
            self.scroll_to(y=line - height + 1 + height // 3, animate=False, immediate=True)

    def wrap_ahead(self, offsets: Iterable[int] = ()) -> bool:
        """Wrap a slice of the paragraphs a key may show next: those around the view and
        around `offsets` (where the focus and the cursor are, or go next). A key then finds
        them wrapped, and the view's height, which a newly wrapped paragraph changes, does
        not change on the key. What is on screen stays in place. Once those are wrapped, the
        lines a screen above and below the view are rendered, then the rest of the article
        below the view is wrapped (the scrollbar is exact then). Returns whether more remain."""
        layout = self._layout
        if not (self._shown and self.wraps_ahead):
            return False
        height = max(1, self.scrollable_content_region.height)
        reach = AHEAD_SCREENS * height
        top = int(self.scroll_offset.y)
        shown = layout.paragraph_at(top)
        todo: dict[int, None] = {}  # in order, once each
        if layout.wrapped < len(layout.starts):
            for p in (shown, *map(layout.paragraph_of, offsets)):
                todo.update(dict.fromkeys(layout.unwrapped_near(p, reach, reach + height)))
        if not todo:
            if self._render_ahead(top, height):
                return True
            # All that is near is done: the rest below the view, so that the scrollbar is
            # exact, not an estimate. Those above it would move the lines on screen.
            bottom = layout.paragraph_at(max(0, min(top + height, layout.line_count - 1)))
            rest = layout.unwrapped_after(bottom, _FILL_BATCH)
            if rest:
                layout.wrap_for(rest, AHEAD_SLICE)
            return bool(rest)
        before = layout.first[shown]
        done = layout.wrap_for(todo, AHEAD_SLICE)
        if layout.first[shown] != before:
            # Paragraphs above the view grew or shrank: the lines on screen stay on screen.
            self.scroll_to(y=top + layout.first[shown] - before, animate=False, immediate=True)
        return done < len(todo)

    def _render_ahead(self, top: int, height: int) -> bool:
        """Render, for a slice of time, the lines a screen above and below the view that
        are not rendered yet: a scroll then repaints the view from rendered lines (a line
        takes 0.1 ms to render, and a scroll brings in up to two thirds of a screen).
        Returns whether more remain."""
        width = self.scrollable_content_region.width
        deadline = time.perf_counter() + AHEAD_SLICE
        base = self._base()
        for line in range(max(0, top - height), min(self.line_count, top + 2 * height)):
            if line in self._strips or not self._layout.is_wrapped(self._layout.paragraph_at(line)):
                continue
            if time.perf_counter() >= deadline:
                return True
            self._strips[line] = self._render_strip(line).crop_extend(0, width, base)
            self.rendered_ahead += 1
        return False

    @property
    def line_count(self) -> int:
        return self._layout.line_count

    # -- layout ----------------------------------------------------------------------------

    def _set_items(self, state: DocumentState) -> None:
        # The state's own order and indexes: after an edit they are known already, so a
        # record of 100,000 spans is not sorted or indexed again on each key.
        self._spans = state.spans_in_order
        self._span_reach = state.span_reach
        self._stances = state.stances_in_order
        self._span_ids = state.span_ids
        self._stance_ids = state.stance_ids
        if self._stances is not self._stances_numbered:
            self._stances_numbered = self._stances
            self._stance_reach = max(
                (s.evidence.end - s.evidence.start for s in self._stances), default=0
            )
            # Stances ending at the same character stack their markers: those are numbered
            # (in tab order) so that each can be told apart.
            ends = Counter(s.evidence.end for s in self._stances if s.status != "rejected")
            self._stance_numbers = {
                s.id: n for n, s in enumerate(self._stances, start=1) if ends[s.evidence.end] > 1
            }

    def _wrap_width(self) -> int:
        return max(10, self.scrollable_content_region.width)

    def _lay_out(self) -> None:
        """A new layout at the view's width: the first screen wrapped, the rest estimated."""
        points = sorted([s.start for s in self._spans] + [s.evidence.start for s in self._stances])
        sample = self._spans[:1000]
        mean = sum(len(s.label) + 2 for s in sample) / len(sample) if sample else 0.0
        layout = ArticleLayout(self._display, self._wrap_width(), self._tag_widths, points, mean)
        layout.renumbered = self._renumbered
        self._layout = layout
        self._strips.clear()
        if len(self._display) <= _WRAPPED_WHOLE:
            layout.ensure(range(len(layout.starts)))  # cheap, and the scrollbar is exact
        else:
            layout.cover_lines(0, 0, self.scrollable_content_region.height + 1)
        self.virtual_size = Size(layout.width, layout.line_count)
        self.refresh()

    def _paragraphs_of(self, start: int, end: int) -> range:
        first = self._layout.paragraph_of(start)
        last = max(first, self._layout.paragraph_of(max(start, end - 1)))
        return range(first, last + 1)

    def _refresh_ranges(self, ranges: list[tuple[int, int]]) -> None:
        """Redraw the lines that show `ranges` (all of the view's, when there are many)."""
        if not self._shown:
            return
        if len(ranges) > _MANY_RANGES:
            self._strips.clear()
            self.refresh()
            return
        layout = self._layout
        lines: set[int] = set()
        for start, end in ranges:
            for p in self._paragraphs_of(start, end):
                if not layout.is_wrapped(p):
                    continue  # never drawn: nothing to redraw
                first = layout.line_of(max(start, layout.starts[p]))
                last = layout.line_of(min(max(start, end - 1), layout.ends[p]))
                lines.update(range(first, last + 1))
        for line in lines:
            self._strips.pop(line, None)
        # One refresh per run of lines on screen: the ranges overlap (the focus is under the
        # cursor, the old marks beside the new), and each refresh has its cost.
        top = int(self.scroll_offset.y)
        shown = sorted(line for line in lines if top <= line < top + self.size.height)
        for run_start, run_end in _runs(shown):
            self.refresh_lines(run_start, run_end - run_start)

    def _moved_mark_ranges(self, old: Marks, new: Marks) -> list[tuple[int, int]]:
        """The text a mark left or entered: a mark that stayed (the focus, while the cursor
        moves within a stance of five roles) is drawn as it was."""
        moved = [name for name in _MARK_NAMES if getattr(old, name) != getattr(new, name)]

        def only_moved(marks: Marks) -> Marks:
            return Marks(**{name: getattr(marks, name) for name in moved})

        return self._mark_ranges(only_moved(old)) + self._mark_ranges(only_moved(new))

    def _mark_ranges(self, marks: Marks) -> list[tuple[int, int]]:
        ranges = [r for r in (marks.cursor, marks.selection) if r is not None]
        for item_id in (marks.focus, marks.stance):
            item = self._item(item_id)
            if isinstance(item, Span):
                ranges.append((item.start, item.end))
            elif isinstance(item, Stance):
                ranges.extend((ref.start, ref.end) for ref in refs(item))
        return ranges

    def _item(self, item_id: str | None) -> Span | Stance | None:
        if item_id is None:
            return None
        return self._span_ids.get(item_id) or self._stance_ids.get(item_id)

    # -- scrolling and rendering -----------------------------------------------------------

    def validate_scroll_y(self, value: float) -> float:
        """Wrap the paragraphs the view is about to show; where that moves the paragraph at
        the top, follow it, so that what was on screen stays where it was."""
        if self._shown:
            settled = self._settle(value)
            if settled != value:
                # Where the next scroll starts from (a wheel step adds to it).
                self.set_reactive(Widget.scroll_target_y, round(settled))
            value = settled
        return super().validate_scroll_y(value)

    def _settle(self, value: float) -> float:
        layout = self._layout
        top = max(0, int(value))
        p = layout.paragraph_at(top)
        height = self.scrollable_content_region.height
        if layout.is_wrapped(p) or top >= self.scroll_offset.y or p + 1 == len(layout.starts):
            anchor, within = p, top - layout.first[p]  # keep the line's place in p
        else:
            # Scrolled up into a paragraph not wrapped yet: keep the one below it in place.
            anchor, within = p + 1, top - layout.first[p + 1]
        layout.cover_lines(p, 0, top - layout.first[p] + height + 1)
        lines = layout.first[anchor + 1] - layout.first[anchor]
        return layout.first[anchor] + min(within, lines - 1) + (value - int(value))

    def on_resize(self, event: Resize) -> None:
        if self._shown and self._wrap_width() != self._layout.width:
            # The character at the top stays at the top.
            top = self.line_range(int(self.scroll_offset.y))[0]
            self._lay_out()
            self._layout.cover(top, 0, self.scrollable_content_region.height + 1)
            self.scroll_to(y=self.line_of(top), animate=False, immediate=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base_style = None
        self._strips.clear()

    def _base(self) -> Style:
        """The widget's own style under the text (computing it walks every ancestor)."""
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def render_line(self, y: int) -> Strip:
        line = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        if line >= self.line_count or not self._shown:
            return Strip.blank(width, self._base())
        strip = self._strips.get(line)
        if strip is None or strip.cell_length != width:
            self.renders += 1
            strip = self._render_strip(line).crop_extend(0, width, self._base())
            self._strips[line] = strip
        return strip

    def _render_strip(self, line: int) -> Strip:
        start, end = self.line_range(line)
        base = self._base()
        segments: list[Segment] = []
        tags = self._tags(start, end)
        tag_index = 0
        spans = self._spans_in(start, end)
        stances = self._stances_in(start, end)
        inner = (c for c in (*self._cuts(spans, stances), *(t.at for t in tags)) if start < c < end)
        cuts = sorted({start, end, *inner})
        for left, right in zip(cuts, cuts[1:], strict=False):
            if left < right:
                style = base + self._style_at(left, spans, stances)
                segments.append(Segment(self._display[left:right], style))
            while tag_index < len(tags) and tags[tag_index].at <= right:
                segments.append(Segment(tags[tag_index].text, base + tags[tag_index].style))
                tag_index += 1
        return Strip(segments).simplify()


def _runs(lines: list[int]) -> list[tuple[int, int]]:
    """Sorted line numbers as runs of consecutive lines, (first, end) each."""
    runs: list[tuple[int, int]] = []
    for line in lines:
        if runs and runs[-1][1] == line:
            runs[-1] = (runs[-1][0], line + 1)
        else:
            runs.append((line, line + 1))
    return runs

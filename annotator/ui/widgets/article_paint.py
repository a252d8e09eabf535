"""How the article paints a character and the tags after spans: the styles of the marks.

A mixin of ArticleView: every mark the screen can show is styled here (and explained by
`?`): a suggested span tinted with `LABEL?`, a decided one filled with `LABEL✓`, a rejected
one struck through with `LABEL✗`, a stance underlined with `▸LABEL?` (numbered `▸2:` when
several end at one place), the focused item in bold, the edited stance's roles in italics
with `‹holder›`, `‹speaker›`, `‹target›`, `‹cue›` after them. The spans and stances a
range of the text shows are found here too, by bisection in the state's order.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.color import Color
from rich.style import Style

from annotator.core.model import Span, Stance, TextRef
from annotator.core.scheme import LabelScheme
from annotator.ui.display import display_line
from annotator.ui.review_state import ROLES, Marks

_SELECTION = Style(color="#ffffff", bgcolor="#2f5fa8")
_REJECTED = Style(color="#777777", strike=True)
_FOCUS = Style(color="#000000", bgcolor="#ffffff", bold=True, underline=True)
_INK = Color.parse("#000000")


@lru_cache(maxsize=256)
def _blend(color: str, towards: str, amount: float) -> Color:
    base = Color.parse(color).get_truecolor()
    other = Color.parse(towards).get_truecolor()
    mixed = tuple(int(a + (b - a) * amount) for a, b in zip(base, other, strict=True))
    return Color.from_rgb(*mixed)


_PLAIN = Style()
_CURSOR = Style(reverse=True)


@lru_cache(maxsize=256)
def _mark_style(color: str, mark: str) -> Style:
    """The style a stance's evidence, the focused one's and an edited role's add, made
    once per color: every character of a repainted line asks for them."""
    if mark == "evidence":
        return Style(color=color, underline=True)
    if mark == "focused evidence":
        return Style(bgcolor=_blend(color, "#000000", 0.6), bold=True)
    return Style(bgcolor=_blend(color, "#000000", 0.3), italic=True, bold=True)


@dataclass(frozen=True)
class Tag:
    """A label drawn right after the text it belongs to."""

    at: int
    text: str
    style: Style


class ArticlePainting:
    """Styles and tags, from the spans and stances the view holds and its marks."""

    scheme: LabelScheme
    _marks: Marks
    _styles: dict[tuple[str, str], Style]
    _stance_numbers: dict[str, int]

    _spans: tuple[Span, ...]
    _stances: tuple[Stance, ...]
    _span_reach: int
    _stance_reach: int

    if TYPE_CHECKING:

        def _item(self, item_id: str | None) -> Span | Stance | None: ...

    def _spans_in(self, start: int, end: int) -> list[Span]:
        hi = bisect_left(self._spans, end, key=_span_start)
        lo = bisect_left(self._spans, start - self._span_reach, key=_span_start)
        return [s for s in self._spans[lo:hi] if s.end > start]

    def _stances_in(self, start: int, end: int) -> list[Stance]:
        hi = bisect_left(self._stances, end, key=_evidence_start)
        lo = bisect_left(self._stances, start - self._stance_reach, key=_evidence_start)
        return [s for s in self._stances[lo:hi] if s.evidence.end > start]

    def _cuts(self, spans: list[Span], stances: list[Stance]) -> Iterable[int]:
        """Where the style may change: the ends of `spans` and `stances` (those a range of
        the text shows) and of the marks."""
        for span in spans:
            yield from (span.start, span.end)
        for stance in stances:
            yield from (stance.evidence.start, stance.evidence.end)
        active = self._item(self._marks.stance)
        if isinstance(active, Stance):
            for ref in refs(active):
                yield from (ref.start, ref.end)
        for mark in (self._marks.cursor, self._marks.selection):
            if mark is not None:
                yield from mark

    def _style_at(self, offset: int, spans: list[Span], stances: list[Stance]) -> Style:
        """The style of one character: stance underneath, span on top, then the marks
        (`spans` and `stances`: those of the line it is on, found once per line)."""
        style = _PLAIN
        marks = self._marks
        for stance in stances:
            if stance.status == "rejected" or not (
                stance.evidence.start <= offset < stance.evidence.end
            ):
                continue
            color = self.scheme.color(stance.label)
            style += _mark_style(color, "evidence")
            if stance.id == marks.focus:
                style += _mark_style(color, "focused evidence")
        active = self._item(marks.stance)
        if isinstance(active, Stance):
            color = self.scheme.color(active.label)
            for name in ("holder", "speaker", "target", "cue"):
                ref = active.role(name)
                if ref is not None and ref.start <= offset < ref.end:
                    style += _mark_style(color, "role")
        for span in spans:
            if not span.start <= offset < span.end:
                continue
            if span.status == "rejected":
                style += _REJECTED
                continue
            style += self._span_style(span.label, span.status)
            if span.id == marks.focus:
                style += _FOCUS
        if marks.selection and marks.selection[0] <= offset < marks.selection[1]:
            style += _SELECTION
        if marks.cursor and marks.cursor[0] <= offset < marks.cursor[1]:
            style += _CURSOR
        return style

    def _span_style(self, label: str, status: str) -> Style:
        key = (label, status)
        style = self._styles.get(key)
        if style is None:
            color = self.scheme.color(label)
            if status == "suggested":
                # Not yet reviewed: tinted text on a faint wash of the label's color.
                style = Style(color=color, bgcolor=_blend(color, "#000000", 0.75))
            else:
                style = Style(color=_INK, bgcolor=color)
            self._styles[key] = style
        return style

    def _tag_texts(self, start: int, end: int) -> list[tuple[int, str, Span | Stance | None]]:
        """The labels after the spans and stance evidence that end in [start, end], by
        where they are drawn, with their item (None: a role of the edited stance)."""
        tags: list[tuple[int, str, Span | Stance | None]] = []
        for span in self._spans_in(max(0, start - 1), end + 1):
            if start < span.end <= end or (span.end == start == end):
                if span.status == "rejected":
                    tags.append((span.end, f" {display_line(span.label)}\u2717", span))
                    continue
                mark = "?" if span.status == "suggested" else "\u2713"
                tags.append((span.end, f" {display_line(span.label)}{mark}", span))
        for stance in self._stances_in(max(0, start - 1), end + 1):
            if start < stance.evidence.end <= end and stance.status != "rejected":
                mark = "?" if stance.status == "suggested" else "\u2713"
                negated = "\u00ac" if stance.negated else ""
                number = self._stance_numbers.get(stance.id)
                shown = f"{number}:" if number is not None else ""
                label = f"\u25b8{shown}{negated}{display_line(stance.label)}{mark}"
                tags.append((stance.evidence.end, label, stance))
        active = self._item(self._marks.stance)
        if isinstance(active, Stance):
            # The edited stance's roles, named where they end: `Tokayev‹holder›`.
            for role in ROLES:
                ref = active.role(role)
                if ref is not None and start < ref.end <= end:
                    tags.append((ref.end, f"\u2039{role}\u203a", None))
        tags.sort(key=lambda t: t[0])
        return tags

    def _tag_widths(self, start: int, end: int) -> dict[int, int]:
        """The room the labels take at each offset of [start, end] (what wrapping needs)."""
        widths: dict[int, int] = {}
        for at, text, _ in self._tag_texts(start, end):
            widths[at] = widths.get(at, 0) + cell_len(text)
        return widths

    def _tags(self, start: int, end: int) -> list[Tag]:
        """Labels drawn after the spans and stance evidence that end in [start, end]."""
        return [
            Tag(at, text, self._tag_style(item)) for at, text, item in self._tag_texts(start, end)
        ]

    def _tag_style(self, item: Span | Stance | None) -> Style:
        if item is None:
            active = self._item(self._marks.stance)
            label = active.label if active is not None else ""
            return _tag_look(self.scheme.color(label), "role")
        color = self.scheme.color(item.label)
        if isinstance(item, Stance):
            return _tag_look(color, "focused stance" if item.id == self._marks.focus else "stance")
        if item.status == "rejected":
            return _REJECTED
        if item.id == self._marks.focus:
            return _tag_look(color, "focused span")
        return _tag_look(color, "suggested" if item.status == "suggested" else "decided")


@lru_cache(maxsize=256)
def _tag_look(color: str, kind: str) -> Style:
    """A tag's style, made once per color and kind: a repainted line asks for each of its
    tags' (parsing the colors anew cost more than the rest of the line)."""
    if kind == "role":
        return Style(color="#ffffff", bgcolor=_blend(color, "#000000", 0.3), italic=True)
    if kind in ("stance", "focused stance"):
        return Style(color="#ffffff", bgcolor=color, bold=kind == "focused stance")
    if kind == "focused span":
        return Style(color=_INK, bgcolor=color, bold=True, reverse=False)
    if kind == "suggested":
        return Style(color=color, bgcolor=_blend(color, "#000000", 0.75), dim=True)
    return Style(color=_blend(color, "#000000", 0.7), bgcolor=color, bold=True)


def _span_start(span: Span) -> int:
    return span.start


def _evidence_start(stance: Stance) -> int:
    return stance.evidence.start


def refs(stance: Stance) -> list[TextRef]:
    """A stance's evidence and the roles it has."""
    refs = [stance.evidence]
    refs.extend(r for r in (stance.holder, stance.speaker, stance.target, stance.cue) if r)
    return refs

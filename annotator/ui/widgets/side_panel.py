"""SidePanel: the focused span or stance, field by field, and the label palette.

One widget on the Line API draws both parts from pre-rendered lines, so describing
another item repaints only the rows of the focus part: no layout pass, no Rich layout.
Its left edge is drawn into those lines too: a CSS border would be composed anew (new
styles, a box lookup) on every row that a key repaints.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Span as RichSpan
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from annotator.core.model import Span, Stance, TextRef
from annotator.core.scheme import STANCE_KEYS, LabelScheme
from annotator.core.uncertainty import LOW_CONFIDENCE, span_confidence
from annotator.ui.display import display_line


def _quote(ref: TextRef | None, limit: int = 60) -> str:
    if ref is None:
        return "\u2014"
    text = " ".join(ref.text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "\u2026")


DETAILS_HEIGHT = 10
_RULE = Style(color="#5a6270")


class SidePanel(Widget):
    """Label, source and status of a span; label and roles of a stance; then the labels."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"side-panel--edge"}
    DEFAULT_CSS = """
    SidePanel {
        background: $surface;
    }
    SidePanel > .side-panel--edge {
        color: $panel;
    }
    """

    def __init__(self, scheme: LabelScheme, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.scheme = scheme
        self._details: list[Text] = []  # the focus box's rows
        self._row_cache: dict[object, Strip] = {}  # rendered rows, by content (one width)
        self._strips: list[Strip] | None = None
        self._base = Style()  # the panel's own colors, as the strips were drawn with
        self._edge = Segment(" ")  # its left edge: a tall bar in the edge color
        self._rows: list[Text] = []  # the focus box's rows as last drawn
        self._shown: tuple[object, object, int | None, bool] = (None, None, None, False)

    @property
    def details(self) -> str:
        """The focus box as plain text."""
        return "\n".join(row.plain for row in self._details)

    def show(
        self, item: Span | Stance | None, editing: Stance | None = None, number: int | None = None
    ) -> None:
        """Describe `item`; `editing` (item `number` in tab order) is the stance whose roles
        the next role key sets."""
        shown = self._shown
        if shown[0] is item and shown[1] is editing and shown[2] == number and shown[3]:
            return  # the same items (they are immutable): most cursor keys change nothing here
        self._shown = (item, editing, number, True)
        rows: list[Text] = []  # one Text per row: splitting one Text at newlines costs more
        if isinstance(item, Span):
            color = self.scheme.color(item.label)
            rows.append(
                Text.assemble((f" {item.label} ", f"bold #000000 on {color}"), f" {item.status}")
            )
            rows.append(Text(_quote(TextRef(item.start, item.end, item.text), 40)))
            confidence = span_confidence(item)
            if confidence is not None:
                low = confidence < LOW_CONFIDENCE
                style = "bold yellow" if low else "dim"
                rows.append(Text(f"model confidence {confidence:.2f}", style=style))
            rows.append(Text(item.source, style="dim"))
            rows.append(Text(f"tokens {item.token_start}\u2013{item.token_end}", style="dim"))
        elif isinstance(item, Stance):
            self._stance(rows, item, number if item is editing else None)
        else:
            rows.append(Text("nothing focused", style="dim"))
            rows.append(Text("tab: next span", style="dim"))
            rows.append(Text("shift+\u2190\u2192: select", style="dim"))
        if editing is not None and editing is not item:
            # Short: the role keys (w, v, t, c) act on this stance even while a span has focus.
            label = ("\u00ac" if editing.negated else "") + editing.label
            color = self.scheme.color(editing.label)
            row = Text.assemble(("editing ", "bold"), (f" {label} ", f"bold #ffffff on {color}"))
            if number is not None:
                row.append(f" #{number}", style="bold")
            rows.append(row)
            rows.append(Text(_quote(editing.evidence, 18)))
            for role in ("holder", "speaker", "target", "cue"):
                rows.append(Text(f"{role:<8} {_quote(editing.role(role), 18)}"))
        if rows != self._details:
            self._details = rows
            self._repaint_details()

    def _repaint_details(self) -> None:
        """Render the focus box again and repaint only its rows that changed (the source
        line, the palette and the rules stay on screen as they are)."""
        width = self.size.width
        strips = self._strips
        if strips is None or not strips or strips[0].cell_length != width:
            self._strips = None
            self.refresh(Region(0, 0, width, DETAILS_HEIGHT + 1))
            return
        rows = self._detail_rows(width)
        changed: list[Region] = []
        for row, line in enumerate(rows, start=1):
            if row - 1 < len(self._rows) and self._rows[row - 1] == line:
                continue  # drawn already
            strips[row] = self._row_strip(line, width)
            changed.append(Region(0, row, width, 1))
        self._rows = rows
        if changed:
            self.refresh(*changed)  # one call: each costs the widget's geometry

    def _stance(self, rows: list[Text], stance: Stance, number: int | None) -> None:
        label = ("\u00ac" if stance.negated else "") + stance.label
        color = self.scheme.color(stance.label)
        row = Text.assemble((f" {label} ", f"bold #ffffff on {color}"), f" {stance.status}")
        if number is not None:
            row.append(f" #{number}")
        rows.append(row)
        for role in ("evidence", "holder", "speaker", "target", "cue"):
            rows.append(Text.assemble((f"{role:<8}", "bold"), f" {_quote(stance.role(role))}"))
        rows.append(Text(f"negated  {'yes' if stance.negated else 'no'}"))
        rows.append(Text(stance.source, style="dim"))

    def _palette_lines(self) -> list[Text]:
        """Two columns of `key LABEL`, entity labels first, then the stance labels."""
        cells: list[Text] = []
        for label in self.scheme.entity_labels:
            if label.key is not None:
                cell = Text(f"{label.key} ", style="bold")
                cell.append(f" {label.name} ", style=f"#000000 on {label.color}")
                cells.append(cell)
        if len(cells) % 2:
            cells.append(Text())
        for label in self.scheme.stance_labels:
            cell = Text(f"{STANCE_KEYS[label.name]} ", style="bold")
            cell.append(f" {label.name} ", style=f"#ffffff on {label.color}")
            cells.append(cell)
        width = max((c.cell_len for c in cells), default=0) + 1
        lines = []
        for left in range(0, len(cells), 2):
            line = cells[left].copy()
            line.pad_right(width - line.cell_len)
            if left + 1 < len(cells):
                line.append_text(cells[left + 1])
            lines.append(line)
        return lines

    def _title(self, title: str, width: int) -> Text:
        text = Text("\u2500 ", style=_RULE)
        text.append(title, style="bold")
        text.append(" " + "\u2500" * max(0, width - len(title) - 3), style=_RULE)
        return text

    def _render_all(self, width: int) -> list[Strip]:
        inner = max(1, width - 2)
        base = self._base = self.rich_style
        self._row_cache.clear()
        # The edge as Textual draws a `tall` left border: the parent's background over the
        # edge color, reversed.
        edge = self.get_component_rich_style("side-panel--edge", partial=True).color
        outer = self.background_colors[0].rich_color
        self._edge = Segment("\u258a", Style(color=edge, bgcolor=outer, reverse=True))
        strips = [self._strip(self._title("focus", inner), width, base)]
        strips += self._detail_strips(width)
        lines = [self._title("labels", inner), *self._palette_lines()]
        strips += [self._strip(line, width, base) for line in lines]
        return strips

    def _detail_rows(self, width: int) -> list[Text]:
        """The focus box: DETAILS_HEIGHT rows, wrapped, padded with blank rows."""
        console = self.app.console
        inner = max(1, width - 2)
        details: list[Text] = []
        for line in self._details:
            if line.cell_len <= inner:
                details.append(line)  # most lines fit: wrapping is the costly part
            else:
                details.extend(line.wrap(console, inner, overflow="ellipsis", no_wrap=False))
        details = details[:DETAILS_HEIGHT]
        details += [Text() for _ in range(DETAILS_HEIGHT - len(details))]
        return details

    def _detail_strips(self, width: int) -> list[Strip]:
        self._rows = self._detail_rows(width)
        return [self._row_strip(line, width) for line in self._rows]

    def _row_strip(self, line: Text, width: int) -> Strip:
        """A row of the focus box, drawn once: moving between items shows the same rows
        (a source, a status, a role left empty) again and again."""
        key = (line.plain, tuple(line.spans), line.style)
        strip = self._row_cache.get(key)
        if strip is None:
            if len(self._row_cache) > 512:
                self._row_cache.clear()
            strip = self._row_cache[key] = self._strip(line.copy(), width, self._base)
        return strip

    def _strip(self, line: Text, width: int, base: Style) -> Strip:
        # Labels, sources and quotes come from input files: made terminal-safe here.
        console = self.app.console
        inner = max(1, width - 2)
        line.plain = display_line(line.plain)
        line.truncate(inner, overflow="ellipsis")
        if line.style:  # a style of the whole row: `render` draws spans only
            line.spans.insert(0, RichSpan(0, len(line), line.style))
        segments = [self._edge, Segment(" ", base)] + [
            Segment(seg.text, base + seg.style if seg.style else base)
            for seg in line.render(console)
        ]
        return Strip(segments).extend_cell_length(width, base)

    def render_line(self, y: int) -> Strip:
        # (Every line was made safe in `_strip`: input text never reaches the terminal.)
        width = self.size.width
        if self._strips is None or (self._strips and self._strips[0].cell_length != width):
            self._strips = self._render_all(width)
        if y < len(self._strips):
            return self._strips[y]
        return Strip([self._edge, Segment(" " * max(0, width - 1), self._base)], width)

    def notify_style_update(self) -> None:
        # New colors (another theme): draw every line again.
        super().notify_style_update()
        self._strips = None

    def on_resize(self) -> None:
        self._strips = None

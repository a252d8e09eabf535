"""VersionsBar: the review legend and every annotator's version of the focused unit."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from annotator.core.model import Span, Stance
from annotator.core.review import Unit
from annotator.ui.display import display_line


def describe(item: Span | Stance) -> str:
    """One item of a version, short: `PERSON 'Joe Biden'`, `FAVOR Ann→wind`."""
    if isinstance(item, Span):
        return f"{item.label} {item.text!r}"
    holder = item.holder.text if item.holder else "?"
    target = item.target.text if item.target else "?"
    return f"{item.label} {holder}\u2192{target}"


class VersionsBar(Widget):
    """Two lines under the article: where the review stands, then the focused unit's
    versions by annotator number (names too, unless the review is blind)."""

    DEFAULT_CSS = """
    VersionsBar {
        height: 2;
        padding: 0 1;
        background: $panel;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()

    @property
    def plain(self) -> str:
        """What the bar says, as plain text."""
        return self._text.plain

    def show(
        self,
        annotators: tuple[str, ...],
        unit: Unit | None,
        resolved: bool,
        left: int,
        total: int,
        blind: bool,
    ) -> None:
        """Describe the review of the open document and its focused unit."""
        text = Text(no_wrap=True, overflow="ellipsis")
        legend = "  ".join(
            str(number) if blind else f"{number} {display_line(name)}"
            for number, name in enumerate(annotators, start=1)
        )
        state = f"{left} of {total} units left" if total else "nothing to review here"
        text.append(f"{state} \u00b7 annotators: {legend}\n", style="bold" if left else "")
        if unit is not None:
            text.append("resolved \u00b7 " if resolved else "unresolved \u00b7 ", style="dim")
            majority = unit.majority()
            for names, version in unit.groups():
                numbers = ",".join(str(annotators.index(n) + 1) for n in names)
                what = "; ".join(describe(i) for i in version) or (
                    "no span" if unit.kind == "entity" else "no stance"
                )
                who = numbers if blind else f"{numbers} {' '.join(names)}"
                style = "bold" if majority is not None and majority in names else ""
                text.append(f"[{display_line(who)}] ", style="cyan")
                text.append(display_line(what) + "   ", style=style)
            if majority is not None and not unit.agreed:
                text.append("a: majority", style="dim")
        self._text = text
        self.refresh()

    def render(self) -> Text:
        return self._text

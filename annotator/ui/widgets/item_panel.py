"""ItemPanel: the focused span or stance, field by field."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from annotator.core.model import Span, Stance, TextRef
from annotator.core.scheme import LabelScheme


def _quote(ref: TextRef | None, limit: int = 60) -> str:
    if ref is None:
        return "\u2014"
    text = " ".join(ref.text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "\u2026")


class ItemPanel(Static):
    """Label, source and status of a span; label and roles of a stance."""

    DEFAULT_CSS = """
    ItemPanel {
        height: auto;
        padding: 0 1;
        border-title-color: $text-accent;
    }
    """

    def __init__(self, scheme: LabelScheme, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.scheme = scheme
        self.border_title = "focus"

    def show(self, item: Span | Stance | None, editing: Stance | None = None) -> None:
        """Describe `item`; `editing` is the stance whose roles the next role key sets."""
        text = Text()
        if isinstance(item, Span):
            text.append(f" {item.label} ", style=f"bold #000000 on {self.scheme.color(item.label)}")
            text.append(f"\n{_quote(TextRef(item.start, item.end, item.text))}\n")
            text.append(f"status  {item.status}\nsource  {item.source}\n", style="")
            text.append(f"tokens  {item.token_start}\u2013{item.token_end}", style="dim")
        elif isinstance(item, Stance):
            self._stance(text, item)
        else:
            text.append("nothing focused\n", style="dim")
            text.append("tab: next span\nshift+\u2190\u2192: select", style="dim")
        if editing is not None and editing is not item:
            text.append("\n\nediting stance\n", style="bold")
            self._stance(text, editing)
        self.update(text)

    def _stance(self, text: Text, stance: Stance) -> None:
        label = ("\u00ac" if stance.negated else "") + stance.label
        text.append(f" {label} ", style=f"bold #ffffff on {self.scheme.color(stance.label)}")
        text.append(f" {stance.status}\n")
        for role in ("evidence", "holder", "speaker", "target", "cue"):
            text.append(f"{role:<8}", style="bold")
            text.append(f" {_quote(stance.role(role))}\n")
        text.append(f"negated  {'yes' if stance.negated else 'no'}\n")
        text.append(f"source   {stance.source}", style="dim")

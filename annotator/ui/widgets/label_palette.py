"""LabelPalette: each entity label with its key and color, and the stance keys."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from annotator.core.scheme import LabelScheme


class LabelPalette(Static):
    """The labels a key press can give: `1 PERSON`, `2 ORG`…, then `f FAVOR`…"""

    DEFAULT_CSS = """
    LabelPalette {
        height: auto;
        padding: 0 1;
        border-title-color: $text-accent;
    }
    """

    def __init__(self, scheme: LabelScheme, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.scheme = scheme
        self.border_title = "labels"

    def on_mount(self) -> None:
        text = Text()
        for label in self.scheme.entity_labels:
            if label.key is None:
                continue
            text.append(f"{label.key} ", style="bold")
            text.append(f" {label.name} ", style=f"#000000 on {label.color}")
            text.append("\n")
        for label in self.scheme.stance_labels:
            text.append(f"{label.key or ' '} ", style="bold")
            text.append(f" {label.name} ", style=f"#ffffff on {label.color}")
            text.append("\n")
        text.rstrip()
        self.update(text)

"""LabelPicker: the entity palette over the article, answering one label key.

The review screen gives `1`-`9` to the annotators' versions, so there a label is `r` and
then its key: this screen is that second key (escape or any other key: no label).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from annotator.core.printable import printable
from annotator.core.scheme import LabelScheme


class LabelPicker(ModalScreen[str | None]):
    """Show the palette; a label's key returns that key, any other key returns None."""

    BINDINGS: ClassVar[list[BindingType]] = []

    DEFAULT_CSS = """
    LabelPicker {
        align: center top;
    }
    LabelPicker > Vertical {
        width: 40;
        max-width: 100%;
        height: auto;
        margin-top: 2;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    """

    def __init__(self, scheme: LabelScheme) -> None:
        super().__init__()
        self._scheme = scheme

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("label: press its key (esc: none)")
            for label in self._scheme.entity_labels:
                if label.key is not None:
                    line = Text(f"{label.key}  ")
                    line.append(printable(label.name), style=f"bold {label.color}")
                    yield Label(line)

    def on_key(self, event: events.Key) -> None:
        # Every key answers: a label's key picks it, anything else (escape too) picks none.
        event.stop()
        event.prevent_default()
        known = event.character is not None and self._scheme.by_key(event.character)
        self.dismiss(event.character if known else None)

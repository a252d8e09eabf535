"""PromptScreen: one line of input over the article (`g` asks for a number, `/` for text)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class PromptScreen(ModalScreen[str | None]):
    """Ask one question; enter returns the answer, escape returns None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="prompt-cancel", tooltip="Back to the article"),
    ]

    DEFAULT_CSS = """
    PromptScreen {
        align: center top;
    }
    PromptScreen > Vertical {
        width: 60;
        max-width: 100%;
        height: auto;
        margin-top: 2;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    PromptScreen Label {
        color: $text-muted;
    }
    """

    def __init__(self, question: str, value: str = "", *, digits: bool = False) -> None:
        super().__init__()
        self._question = question
        self._value = value
        self._digits = digits

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._question)
            yield Input(
                self._value,
                type="integer" if self._digits else "text",
                select_on_focus=True,
                id="answer",
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)

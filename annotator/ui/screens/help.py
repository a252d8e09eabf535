"""HelpScreen: every key of the annotation screen, built from its bindings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# What every mark on the screen means (the README's "Reading the screen" says the same).
MARKS = (
    ("LABEL?", "a suggestion not reviewed yet (tinted): a, x or a label key decides it"),
    ("LABEL\u2713", "a span you accepted, relabelled, moved or added (filled with its color)"),
    ("LABEL\u2717", "a span you rejected (struck through): it exports as a negative example"),
    ("bold", "the focused span or stance: what a, x and the label keys act on"),
    ("reversed", "the token cursor; a blue background is the selection"),
    ("underline", "the evidence of a stance (in the stance label's color)"),
    ("\u25b8LABEL?", "a stance marker after its evidence (\u2713 once decided, \u00ac negated)"),
    ("\u25b82:LABEL", "stance markers stacked at one place, numbered in tab order"),
    (
        "italics",
        "the roles of the stance being edited, each followed by \u2039holder\u203a, "
        "\u2039speaker\u203a, \u2039target\u203a or \u2039cue\u203a",
    ),
    ("3 / 120", "header: the open document's place in the corpus"),
    ("open", "header: the open document is open, finished, skipped or rejected"),
    ("reviewed 5/77", "header: spans and stances of this document decided, of all of them"),
    ("done 2/120", "header: documents of the corpus answered (finished, skipped or rejected)"),
)


class HelpScreen(ModalScreen[None]):
    """The whole keymap; any of escape, ? or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,question_mark,q",
            "close",
            "close",
            id="help-close",
            tooltip="Back to the article",
        ),
    ]

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 100;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        border-title-align: center;
        background: $surface;
        padding: 0 1;
    }
    #keymap {
        width: 100%;
        height: auto;
    }
    """

    def __init__(self, bindings: Sequence[BindingType]) -> None:
        super().__init__()
        self._bindings_shown = [b for b in bindings if isinstance(b, Binding)]

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
        table.add_column("keys", style="bold", no_wrap=True)
        table.add_column("what it does")
        # The nine label keys share one row, as do the four stance role keys.
        grouped = {
            "label_key": "Label the focused span; on a selection (or a word no span covers), "
            "add a span",
            "stance_role": "Stance holder (w), speaker (v), target (t), cue (c): the selection, "
            "else the focused entity, else the word under the cursor (the cursor stays)",
        }
        rows: dict[str, tuple[list[str], str]] = {}
        for binding in self._bindings_shown:
            name = binding.action.split("(")[0]
            row = name if name in grouped else binding.action
            keys = [
                self.app.get_key_display(Binding(k.strip(), "")) for k in binding.key.split(",")
            ]
            if row not in rows:
                rows[row] = (keys, grouped.get(name, binding.tooltip or binding.description))
            else:
                rows[row][0].extend(keys)
        for keys, tooltip in rows.values():
            shown = " ".join(keys) if len(keys) < 5 else f"{keys[0]}\u2026{keys[-1]}"
            table.add_row(Text(shown), Text(tooltip))
        table.add_row(Text("ctrl+p"), Text("Command palette: every action by name"))
        table.add_row(Text("mouse"), Text("Click a span to focus it; drag to select text"))
        table.add_row(Text(""), Text(""))
        table.add_row(Text("marks", style="underline"), Text(""))
        for mark, meaning in MARKS:
            table.add_row(Text(mark), Text(meaning))
        scroll = VerticalScroll(Static(table, id="keymap"))
        scroll.border_title = "keys"
        yield scroll

    def action_close(self) -> None:
        self.dismiss(None)

"""The annotation screen's keymap: every key is a Binding with an id and a tooltip.

The id is the action and its arguments (`label_key('3')` is `label-key-3`, a step of -1 or 1
reads `back` or `forward`: `move-boundary-start-back`), so an app keymap can remap any key.
"""

from __future__ import annotations

import re

from textual.binding import Binding, BindingType

from annotator.core.scheme import STANCE_KEYS


def binding(
    key: str,
    action: str,
    description: str,
    tooltip: str,
    show: bool = True,
    key_display: str | None = None,
) -> Binding:
    """A binding with an id (so keymaps can remap it) and a tooltip; a priority binding, so
    that the app runs it as the key comes in instead of passing the key to the screen and
    back first (0.4 ms a key; the screen holds nothing that takes keys of its own).

    The id is the action and its arguments: `label_key('3')` is `label-key-3`, and a step
    of -1 or 1 reads `back` or `forward` (`move-boundary-start-back`).
    """
    name, _, arguments = action.partition("(")
    words = [name.replace("_", "-")]
    for argument in re.findall(r"[\w-]+", arguments):
        words.append(
            {"-1": "back", "1": "forward"}.get(argument, argument.lower())
            if name != "label_key"
            else argument
        )
    return Binding(
        key,
        action,
        description,
        show=show,
        key_display=key_display,
        id="-".join(words),
        tooltip=tooltip,
        priority=True,
    )


# The key bar's descriptions are short: every key of every mode at once (a selection while
# a stance is edited) fits one line of 120 columns, so the bar never grows on a key.
ANNOTATE_KEYS: list[BindingType] = [
    binding("tab", "next_item", "next", "Focus the next span or stance"),
    binding("shift+tab", "previous_item", "prev", "Focus the previous span or stance", False),
    binding(
        "b",
        "next_unsure",
        "unsure",
        "Focus the next suggestion the model is unsure of (confidence below 0.8)",
        False,
    ),
    binding("a", "accept", "accept", "Accept the focused span or stance and move on"),
    binding("x", "reject", "reject", "Reject the focused span or stance and move on"),
    binding(
        "1",
        "label_key('1')",
        "label",
        "Give the focused span (or the selection) label 1",
        key_display="1-9",
    ),
    *(
        binding(str(n), f"label_key('{n}')", f"label {n}", f"Label key {n}", False)
        for n in range(2, 10)
    ),
    binding("A", "accept_all", "accept all", "Accept every remaining suggestion", False),
    binding(
        "equals_sign",
        "apply_same",
        "same text",
        "Give every span with this text the focused span's decision and label",
        False,
    ),
    binding("left,h", "cursor(-1)", "\u2190", "Move the token cursor left", False),
    binding("right,l", "cursor(1)", "\u2192", "Move the token cursor right", False),
    binding("up,k", "cursor_line(-1)", "\u2191", "Move the token cursor up a line", False),
    binding("down,j", "cursor_line(1)", "\u2193", "Move the token cursor down a line", False),
    binding("pageup", "cursor_page(-1)", "page\u2191", "Move the token cursor up a screen", False),
    binding(
        "pagedown", "cursor_page(1)", "page\u2193", "Move the token cursor down a screen", False
    ),
    binding("shift+left,H", "select(-1)", "select \u2190", "Extend the selection left", False),
    binding("shift+right,L", "select(1)", "select \u2192", "Extend the selection right", False),
    binding(
        "shift+up", "select_line(-1)", "select \u2191", "Extend the selection up a line", False
    ),
    binding(
        "shift+down",
        "select_line(1)",
        "select \u2193",
        "Extend the selection down a line",
        False,
    ),
    binding("escape", "clear_selection", "clear", "Drop the selection", False),
    binding(
        "left_square_bracket",
        "move_boundary('start',-1)",
        "start\u2190",
        "Move the focused span's start one token left",
        False,
    ),
    binding(
        "right_square_bracket",
        "move_boundary('start',1)",
        "start\u2192",
        "Move the focused span's start one token right",
        False,
    ),
    binding(
        "left_curly_bracket",
        "move_boundary('end',-1)",
        "end\u2190",
        "Move the focused span's end one token left",
        False,
    ),
    binding(
        "right_curly_bracket",
        "move_boundary('end',1)",
        "end\u2192",
        "Move the focused span's end one token right",
        False,
    ),
    binding("s", "stance", "stance", "Create a stance whose evidence is the selection"),
    binding(
        STANCE_KEYS["FAVOR"],
        "stance_label('FAVOR')",
        "stance",
        "Stance label FAVOR (on a selection: new stance)",
        key_display="/".join(STANCE_KEYS.values()),
    ),
    binding(
        STANCE_KEYS["AGAINST"],
        "stance_label('AGAINST')",
        "AGAINST",
        "Stance label AGAINST (on a selection: new stance)",
        False,
    ),
    binding(
        STANCE_KEYS["NEUTRAL"],
        "stance_label('NEUTRAL')",
        "NEUTRAL",
        "Stance label NEUTRAL (on a selection: new stance)",
        False,
    ),
    binding(
        "w",
        "stance_role('holder')",
        "roles",
        "Set the stance's holder to the selection or the focused entity",
        key_display="w/v/t/c",
    ),
    binding(
        "v",
        "stance_role('speaker')",
        "speaker",
        "Set the stance's speaker to the selection or the focused entity",
        False,
    ),
    binding(
        "t",
        "stance_role('target')",
        "target",
        "Set the stance's target to the selection",
        False,
    ),
    binding("c", "stance_role('cue')", "cue", "Set the stance's cue word to the selection", False),
    binding("exclamation_mark", "negate", "negate", "Toggle the stance's negation", False),
    binding("u,ctrl+z", "undo", "undo", "Undo the last decision (any document)"),
    binding("ctrl+y", "redo", "redo", "Redo the last undone decision", False),
    binding(
        "enter",
        "finish",
        "done",
        "Finish the document (pending suggestions count as accepted) and open the next",
    ),
    binding(
        "space",
        "skip",
        "skip",
        "Skip the document (answer: ignore) and open the next",
        key_display="spc",
    ),
    binding("n", "next_document", "next doc", "Open the next document without finishing", False),
    binding("p", "previous_document", "prev doc", "Open the previous document", False),
    binding("g", "go_to", "go to", "Open document N of the corpus", False),
    binding("slash", "search", "find", "Search the corpus's text, then jump to the next match"),
    binding(
        "greater_than_sign",
        "next_match(1)",
        "next match",
        "Jump to the next match of the last search",
        False,
    ),
    binding(
        "less_than_sign",
        "next_match(-1)",
        "prev match",
        "Jump to the previous match of the last search",
        False,
    ),
    binding(
        "T",
        "train",
        "train",
        "Train a model on the finished documents; it then suggests where nobody has worked",
        False,
    ),
    binding("question_mark", "help", "help", "Show every key"),
    binding("q", "quit", "quit", "Quit (every decision is already saved)", False),
]

"""How the screen looks: the seed at 80x24 and 120x40, and the help screen.

The suggestions are frozen in `data/seed_suggested.jsonl` (imported records keep their
spans and stances), so the pictures change when the screen changes, not when the model
does. Nothing on these screens blinks; the palette's input is never open here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from annotator.ui.app import AnnotatorApp, build_app
from tests.ui.conftest import ANNOTATOR, _no_model

FROZEN = Path(__file__).parent / "data" / "seed_suggested.jsonl"
SnapCompare = Callable[..., bool]


def _frozen_app(tmp_path: Path) -> AnnotatorApp:
    return build_app(
        [FROZEN], store_path=tmp_path / "store.sqlite", annotator=ANNOTATOR, load_model=_no_model
    )


def test_main_screen_at_80x24(snap_compare: SnapCompare, tmp_path: Path) -> None:
    assert snap_compare(_frozen_app(tmp_path), terminal_size=(80, 24))


def test_main_screen_at_120x40(snap_compare: SnapCompare, tmp_path: Path) -> None:
    assert snap_compare(_frozen_app(tmp_path), terminal_size=(120, 40))


def test_main_screen_with_selection_and_decisions(
    snap_compare: SnapCompare, tmp_path: Path
) -> None:
    # Accepted, rejected, relabelled and pending spans side by side, and a selection.
    keys: list[Any] = ["a", "x", "2", "tab", "right", "shift+right", "shift+right"]
    assert snap_compare(_frozen_app(tmp_path), terminal_size=(120, 40), press=keys)


def test_help_screen(snap_compare: SnapCompare, tmp_path: Path) -> None:
    assert snap_compare(_frozen_app(tmp_path), terminal_size=(120, 40), press=["question_mark"])


def test_stance_being_edited_at_80x24(snap_compare: SnapCompare, tmp_path: Path) -> None:
    # A new stance over the title, its holder set from the word under the cursor: the roles
    # are named in the text, the panel names the stance, hints and keys wrap whole at 80.
    keys: list[Any] = [*["shift+right"] * 6, "s", "right", "right", "w", "right", "right"]
    assert snap_compare(_frozen_app(tmp_path), terminal_size=(80, 24), press=keys)


def test_stacked_stances_numbered_at_80x24(snap_compare: SnapCompare, tmp_path: Path) -> None:
    # Three stances end after "Xi": their markers carry their numbers in tab order.
    keys: list[Any] = ["j"] * 34
    assert snap_compare(_frozen_app(tmp_path), terminal_size=(80, 24), press=keys)

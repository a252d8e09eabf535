"""Pilot: what an article (or an imported label) holds is shown as text on every part of the
screen: Rich markup literally, control characters as visible symbols, never as escapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.errors import StoreError
from annotator.ui.app import build_app

pytestmark = pytest.mark.anyio

TITLE = "[bold]Title[/bold] \x1b]0;pwned\x07 \u202eevil\u202c"
BODY = "Obama met \x1b[5;7;9mPutin\x1b[0m and said [bold]nothing[/bold] \x07."
# Imported labels are data too: markup in one is shown as text (a control character in one
# is refused at import: tests/safety/test_hostile_output.py).
LABEL = "EVIL[bold]"
RAW = ("\x1b", "\x07", "\u202e", "\u202c")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _no_model() -> Any:
    raise AssertionError("pre-annotated records never need the model")


async def test_markup_escapes_and_bidi_controls_are_shown_as_text(tmp_path: Path) -> None:
    text = TITLE + "\n\n" + BODY
    start = text.index("Obama")
    record = {"text": text, "spans": [
        {"start": start, "end": start + 5, "label": LABEL, "status": "suggested"}]}
    inputs = tmp_path / "hostile.jsonl"
    inputs.write_text(json.dumps(record) + "\n", encoding="utf-8")
    app = build_app([inputs], store_path=tmp_path / "s.sqlite", annotator="t",
                    load_model=_no_model)
    screens = []
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        screens.append(app.export_screenshot())
        await pilot.press("tab", "a")  # the panel and the status line now show the label
        await pilot.pause()
        screens.append(app.export_screenshot())
        assert app.session.store.state("t", app.session.input_hash).spans[0].label == LABEL
    for screen in screens:
        for char in RAW:
            assert char not in screen, f"{char!r} reached the screen"
        assert "[bold]nothing[/bold]" in screen and "[bold]Title[/bold]" in screen
        assert "\u241b" in screen  # ESC shown as the visible symbol for it
    assert "EVIL[bold]" in screens[1]


async def test_a_decision_the_store_cannot_save_is_reported_not_acknowledged(
    tmp_path: Path,
) -> None:
    """A full disk mid-session: the screen says the decision was not saved and keeps going;
    once there is room again the same key saves it."""
    text = "Obama met Putin in Paris."
    inputs = tmp_path / "a.jsonl"
    inputs.write_text(json.dumps({"text": text, "spans": [
        {"start": 0, "end": 5, "label": "PERSON", "status": "suggested"}]}) + "\n",
        encoding="utf-8")
    app = build_app([inputs], store_path=tmp_path / "s.sqlite", annotator="t",
                    load_model=_no_model)
    store = app.session.store
    real_apply = store.apply

    def disk_full(*args: Any, **kwargs: Any) -> Any:
        raise StoreError(f"{tmp_path}/s.sqlite: cannot use the store (database or disk is full)")

    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        store.apply = disk_full  # type: ignore[method-assign]
        await pilot.press("tab", "a")
        await pilot.pause()
        screen = app.export_screenshot()
        assert app.is_running
        assert "not\u00a0saved" in screen.replace("&#160;", "\u00a0") or "not saved" in screen
        assert "saved:\u00a0accept" not in screen.replace("&#160;", "\u00a0")
        assert app.session.state.spans[0].status == "suggested"
        assert store.history("t", app.session.input_hash) == []
        store.apply = real_apply  # type: ignore[method-assign]
        await pilot.press("a")
        await pilot.pause()
        assert [e.change.command for e in store.history("t", app.session.input_hash)] == [
            "accept"]

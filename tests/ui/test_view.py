"""The article view: lazy model loading, text shown as text, re-wrapping, partial redraws."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from annotator.core.model import Stance
from annotator.core.store import open_store
from annotator.ui.app import AnnotatorApp, build_app
from annotator.ui.widgets.doc_header import DocHeader
from tests.ui.conftest import ANNOTATOR, SEED
from tests.ui.test_actions import screen
from tests.ui.test_long_article import all_lines

pytestmark = pytest.mark.anyio


async def _wait(pilot: Any, condition: Any, seconds: float = 30) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out")


async def test_document_shows_before_the_model_loads_then_gets_suggestions(
    tmp_path: Path, nlp: Any
) -> None:
    release = threading.Event()
    loads: list[int] = []

    def slow_load() -> Any:
        loads.append(1)
        release.wait(30)  # the model is "loading" until the test has looked at the screen
        return nlp

    store_path = tmp_path / "fresh.sqlite"
    app = build_app([SEED], store_path=store_path, annotator=ANNOTATOR, load_model=slow_load)
    async with app.run_test(size=(120, 40)) as pilot:
        view = screen(app).article
        assert view.line_count > 10  # the text is on screen already
        assert "suggesting" in app.screen.query_one(DocHeader).line
        await pilot.press("a")  # refused politely: no tokens to align to yet
        assert app.session.needs_suggestions
        release.set()
        await _wait(pilot, lambda: not app.session.needs_suggestions)
        await pilot.pause()
        assert screen(app).focus_id == app.session.state.spans[0].id
        assert "reviewed 0/" in app.screen.query_one(DocHeader).line
    assert loads == [1]
    store = open_store(store_path)
    assert store.has_suggestions(app.session.input_hash)
    assert store.history(ANNOTATOR, app.session.input_hash) == []


async def test_markup_and_escape_sequences_are_shown_as_text(tmp_path: Path) -> None:
    article = tmp_path / "tricky.txt"
    article.write_text(
        "[bold red]Not markup[/] headline\n\n"
        "A \x1b[31mred\x1b[0m word, a bell\x07 and [link]x[/link].\n",
        encoding="utf-8",
    )

    def no_model() -> Any:
        raise RuntimeError("no model in this test")

    app = build_app(
        [article], store_path=tmp_path / "s.sqlite", annotator=ANNOTATOR, load_model=no_model
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = screen(app).article
        lines = [view.render_line(y).text for y in range(view.line_count)]
        assert lines[0].startswith("[bold red]Not markup[/] headline")
        assert "A \u241b[31mred\u241b[0m word, a bell\u2407 and [link]x[/link]." in lines[2]
        assert not any("\x1b" in line or "\x07" in line for line in lines)
        assert "[bold red]Not markup[/]" in app.screen.query_one(DocHeader).line


async def test_resize_rewraps_the_article(seed_app: AnnotatorApp) -> None:
    async with seed_app.run_test(size=(80, 24)) as pilot:
        view = screen(seed_app).article
        narrow = view.line_count
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        assert view.line_count < narrow
        width = view.scrollable_content_region.width
        assert all(len(view.render_line(y).text.rstrip()) <= width for y in range(30))


async def test_a_key_press_redraws_only_the_lines_it_changed(seed_app: AnnotatorApp) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        view = screen(seed_app).article
        await pilot.pause()
        assert view.renders >= 30  # the first paint drew the whole screen
        for key in ("tab", "a", "x", "right", "shift+right"):
            view.renders = 0
            await pilot.press(key)
            await pilot.pause()
            assert view.renders <= 4, key


async def test_lines_kept_between_edits_match_the_article_laid_out_afresh(
    seed_app: AnnotatorApp,
) -> None:
    # Edits redraw only the lines they touched (and renumber those below a paragraph that
    # grew): what stays on screen must be what a fresh layout draws.
    async with seed_app.run_test(size=(80, 24)) as pilot:
        keys = ["tab", "a", "x", "right", "shift+right", "shift+right", "1", "down", "down"]
        keys += ["shift+right", "2", "u", "ctrl+y", "tab", "tab", "x", "[", "]", "}", "u"]
        keys += ["down", "down", "down"] + ["right", "right", "1"] * 8  # a paragraph grows
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        view = screen(seed_app).article
        view.scroll_to(0, 0, animate=False, immediate=True)
        await pilot.pause()
        kept = all_lines(view)  # paragraphs not wrapped yet are wrapped as they are reached
        view.show(seed_app.session.document.text, seed_app.session.state, view._marks)
        await pilot.pause()
        fresh = all_lines(view)
        assert "\u2713" in "".join(s.text for s in fresh)  # decisions are drawn
        assert kept == fresh


async def test_moving_around_a_focused_stance_redraws_what_the_marks_left(
    seed_app: AnnotatorApp,
) -> None:
    # A mark that stays (the focused stance, its roles) is not drawn again; the cursor's
    # and the focus's old and new places are. What is kept must match a fresh layout.
    async with seed_app.run_test(size=(80, 24)) as pilot:
        annotate = screen(seed_app)
        for _ in range(200):
            await pilot.press("tab")
            if isinstance(annotate.view.focused, Stance):
                break
        assert isinstance(annotate.view.focused, Stance)
        view = annotate.article
        keys = ["right"] * 6 + ["left"] * 3 + ["down", "up", "shift+right", "right"]
        for key in keys + ["tab", "shift+tab"] * 3 + ["tab"] * 12:
            await pilot.press(key)
            await pilot.pause()
            top = int(view.scroll_offset.y)
            kept = [view.render_line(y) for y in range(view.size.height)]
            view.show(seed_app.session.document.text, seed_app.session.state, view._marks)
            view.scroll_to(y=top, animate=False, immediate=True)
            await pilot.pause()
            assert [view.render_line(y) for y in range(view.size.height)] == kept, key

"""A long record in the article view: only what is in view is wrapped, and it lands right."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen

from annotator.ui.app import AnnotatorApp, build_app
from annotator.ui.widgets.article_view import AHEAD_SCREENS, ArticleView
from annotator.ui.widgets.status_line import StatusLine
from tests.ui.conftest import ANNOTATOR
from tests.ui.test_actions import screen

pytestmark = pytest.mark.anyio

NAMES = ("Ada", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal")


def _long_record(folder: Path, count: int) -> Path:
    """`count` names, each a suggested span, 20 to a paragraph: the first 1,000 GPE,
    the others PERSON (so that the height guessed from the first labels is off below)."""
    parts: list[str] = []
    spans: list[dict[str, object]] = []
    position = 0
    for i in range(count):
        name = NAMES[i % len(NAMES)]
        label = "GPE" if i < 1000 else "PERSON"
        spans.append({"start": position, "end": position + len(name), "label": label})
        separator = " met " if i % 2 == 0 else (".\n\n" if i % 20 == 19 else ", ")
        parts += [name, separator]
        position += len(name) + len(separator)
    record = {"text": "".join(parts), "meta": {"title": "long"}, "spans": spans}
    path = folder / "long.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path


def _no_model() -> Any:
    raise AssertionError("an imported record needs no model")


@pytest.fixture
def long_app(tmp_path: Path) -> AnnotatorApp:
    record = _long_record(tmp_path, 4000)
    return build_app(
        [record], store_path=tmp_path / "s.sqlite", annotator=ANNOTATOR, load_model=_no_model
    )


def all_lines(view: ArticleView) -> list[Any]:
    """Every line of the article as drawn, each paragraph wrapped as it is reached."""
    lines = []
    y = 0
    while y < view.line_count:  # the count gets exact as the paragraphs are wrapped
        lines.append(view.render_line(y - int(view.scroll_offset.y)))
        y += 1
    return lines


def _on_screen(view: ArticleView, offset: int) -> bool:
    line = view.line_of(offset)
    top = int(view.scroll_offset.y)
    return top <= line < top + view.scrollable_content_region.height


async def test_opening_a_long_record_wraps_only_the_screen_and_one_ahead(
    long_app: AnnotatorApp,
) -> None:
    async with long_app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = screen(long_app).article
        layout = view._layout
        assert len(layout.starts) == 401  # 200 paragraphs, a blank line after each, the end
        # Of 401: the screen in view and one ahead (and what the time between keys wraps
        # ahead, around the view, the focus and the cursor: not the whole record either).
        assert 0 < layout.wrapped_on_demand <= 40
        assert layout.wrapped < 401
        estimated = view.line_count
        layout.ensure(range(len(layout.starts)))
        # The scrollbar was about right before anything below the screen was wrapped.
        assert abs(view.line_count - estimated) <= 0.2 * view.line_count
        assert view.line_count != estimated  # (and the test's guess was off)
        assert layout.wrapped == 401


async def test_jumps_land_on_screen_where_nothing_was_wrapped(long_app: AnnotatorApp) -> None:
    async with long_app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = screen(long_app).article
        spans = long_app.session.state.spans
        for span in (spans[-1], spans[2500], spans[900], spans[3999]):
            view.scroll_to_offset(span.start)
            await pilot.pause()
            assert _on_screen(view, span.start)
            row = view.line_of(span.start) - int(view.scroll_offset.y)
            assert f"{span.text} {span.label}?" in view.render_line(row).text
        assert view._layout.wrapped_on_demand < 120  # four screens, not the 401 paragraphs


async def test_scrolling_up_into_unwrapped_text_keeps_what_was_on_screen(
    long_app: AnnotatorApp,
) -> None:
    async with long_app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = screen(long_app).article
        view.wraps_ahead = False  # what the scroll reaches is not wrapped yet
        view.scroll_to_offset(long_app.session.state.spans[3000].start)
        await pilot.pause()
        # Up to where the wrapped text around the jump ends (the view wraps what it shows).
        top = view._layout.paragraph_at(int(view.scroll_offset.y) - 1)
        while view.scroll_offset.y > 0 and view._layout.is_wrapped(top):
            view.scroll_to(y=view.scroll_offset.y - 1, animate=False, immediate=True)
            top = view._layout.paragraph_at(int(view.scroll_offset.y) - 1)
        await pilot.pause()
        wrapped = view._layout.wrapped_on_demand
        for _ in range(40):
            shown = [view.render_line(y).text for y in range(10)]
            view.scroll_to(y=view.scroll_offset.y - 1, animate=False, immediate=True)
            await pilot.pause()
            # Each step shows one more line at the top and the rest one row lower.
            assert [view.render_line(y).text for y in range(1, 11)] == shown
        assert view._layout.wrapped_on_demand > wrapped  # the step did reach unwrapped paragraphs


async def test_tab_and_cursor_keys_follow_into_unwrapped_text(long_app: AnnotatorApp) -> None:
    async with long_app.run_test(size=(100, 12)) as pilot:
        await pilot.pause()
        view = screen(long_app).article
        for _ in range(25):
            await pilot.press("down")
        await pilot.pause()
        cursor = screen(long_app)._marks().cursor
        assert cursor is not None and _on_screen(view, cursor[0])
        for _ in range(60):
            await pilot.press("tab")
        await pilot.pause()
        focused = long_app.session.state.span(screen(long_app).focus_id or "")
        assert _on_screen(view, focused.start)


async def test_lines_kept_on_a_long_record_match_a_fresh_layout(long_app: AnnotatorApp) -> None:
    # Paragraphs wrapped at different times, edits that widen labels, a jump and a scroll
    # back: the lines kept must be the lines a fresh layout draws.
    async with long_app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = screen(long_app).article
        for key in ["a", "a", "x", "down", "down", "1", "u", "ctrl+y", "a"]:
            await pilot.press(key)
        view.scroll_to_offset(long_app.session.state.spans[1500].start)
        await pilot.pause()
        view.scroll_to(y=view.scroll_offset.y - 12, animate=False, immediate=True)
        await pilot.pause()
        view.scroll_to(0, 0, animate=False, immediate=True)
        await pilot.pause()
        kept = all_lines(view)
        view.show(long_app.session.document.text, long_app.session.state, view._marks)
        await pilot.pause()
        fresh = all_lines(view)
        assert "\u2713" in "".join(s.text for s in fresh)  # decisions are drawn
        assert kept == fresh


async def test_accepting_every_suggestion_wraps_no_paragraph_out_of_view(
    long_app: AnnotatorApp,
) -> None:
    async with long_app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = screen(long_app).article
        wrapped = view._layout.wrapped_on_demand
        await pilot.press("A")
        await pilot.pause()
        assert all(s.status == "accepted" for s in long_app.session.state.spans)
        # 4,000 ranges redrawn, none wrapped for it.
        assert view._layout.wrapped_on_demand == wrapped
        assert "Ada GPE\u2713" in view.render_line(0).text


def _left_to_wrap(view: ArticleView) -> list[int]:
    """Paragraphs not wrapped yet within the reach of `wrap_ahead` around the view."""
    layout = view._layout
    height = view.scrollable_content_region.height
    reach = AHEAD_SCREENS * height
    top = layout.paragraph_at(int(view.scroll_offset.y))
    return layout.unwrapped_near(top, reach, reach + height)


async def _idle_until_wrapped(pilot: Any, view: ArticleView) -> None:
    """Let time pass without keys until the view's surroundings are wrapped (a few slices)."""
    for _ in range(200):
        if not _left_to_wrap(view):
            return
        await pilot.pause(0.05)
    raise AssertionError("the time between keys wrapped nothing ahead")


async def test_time_between_keys_wraps_ahead_and_keeps_the_view(long_app: AnnotatorApp) -> None:
    async with long_app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = screen(long_app).article
        layout = view._layout
        view.wraps_ahead = False  # a jump far down, with nothing wrapped around it
        view.scroll_to_offset(long_app.session.state.spans[3000].start)
        await pilot.pause()
        assert _left_to_wrap(view)
        top = view.scroll_offset.y
        shown = [view.render_line(y).text for y in range(view.size.height)]
        asked = layout.wrapped_on_demand
        view.wraps_ahead = True
        await _idle_until_wrapped(pilot, view)
        assert layout.wrapped_ahead > 0
        assert layout.wrapped_on_demand == asked
        assert layout.wrapped < 401  # around the view and the focus, not the whole record
        # Paragraphs above the view were wrapped (their height was a guess): the lines on
        # screen moved down in the article, and the view followed them.
        assert view.scroll_offset.y != top
        assert [view.render_line(y).text for y in range(view.size.height)] == shown
        kept = all_lines(view)
        view.show(long_app.session.document.text, long_app.session.state, view._marks)
        await pilot.pause()
        assert kept == all_lines(view)


async def _keys_wrapping_on_demand(app: AnnotatorApp, wraps_ahead: bool) -> list[int]:
    """Paragraphs wrapped by each of 64 downs and 6 tabs (after time without keys)."""
    async with app.run_test(size=(100, 30)) as pilot:
        view = screen(app).article
        view.wraps_ahead = wraps_ahead  # before any time passes without keys
        await pilot.pause()
        if wraps_ahead:
            await _idle_until_wrapped(pilot, view)
        wrapped = []
        for key in ["down"] * 64 + ["tab"] * 6:
            before = view._layout.wrapped_on_demand
            await pilot.press(key)
            wrapped.append(view._layout.wrapped_on_demand - before)
        cursor = screen(app)._marks().cursor
        assert cursor is not None and _on_screen(view, cursor[0])
        # Well past what opening wrapped (the screen and one ahead).
        assert view.line_of(cursor[0]) > 2 * view.scrollable_content_region.height + 2
        return wrapped


async def test_keys_after_time_between_keys_wrap_nothing(tmp_path: Path) -> None:
    # Without wrapping ahead the same keys wrap paragraphs as they reach them (and each
    # such key changes the view's height: a layout pass and an extra frame).
    apps = []
    for name in ("ahead", "on-demand"):
        folder = tmp_path / name
        folder.mkdir()
        record = _long_record(folder, 4000)
        apps.append(
            build_app(
                [record], store_path=folder / "s.sqlite", annotator=ANNOTATOR, load_model=_no_model
            )
        )
    assert await _keys_wrapping_on_demand(apps[0], wraps_ahead=True) == [0] * 70
    assert sum(await _keys_wrapping_on_demand(apps[1], wraps_ahead=False)) > 0


async def test_a_new_height_costs_no_layout_pass(
    long_app: AnnotatorApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Wrapping changes the view's height (the scrollbar's); the view's own size does not
    # depend on it, so no layout pass (5-6 ms, and a repaint of the whole screen) runs.
    async with long_app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = screen(long_app).article
        view.wraps_ahead = False
        passes: list[object] = []
        refresh_layout = Screen._refresh_layout

        def counted(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
            passes.append(self)
            refresh_layout(self, *args, **kwargs)

        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        height = view.virtual_size.height
        thumb = view.vertical_scrollbar.window_virtual_size
        view.wraps_ahead = True
        view.wrap_ahead([long_app.session.state.spans[3500].start])
        await pilot.pause()
        assert view.virtual_size.height != height
        assert view.vertical_scrollbar.window_virtual_size == view.virtual_size.height != thumb
        assert passes == []


async def test_time_between_keys_renders_the_lines_a_scroll_brings_in(
    long_app: AnnotatorApp,
) -> None:
    async with long_app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = screen(long_app).article
        height = view.scrollable_content_region.height
        await _idle_until_wrapped(pilot, view)
        for _ in range(100):
            if all(line in view._strips for line in range(2 * height)):
                break
            await pilot.pause(0.05)
        assert view.rendered_ahead > 0
        # A scroll of two thirds of a screen paints from lines rendered already, and they
        # are the lines a fresh render draws.
        view.renders = 0
        view.scroll_to(y=2 * height // 3, animate=False, immediate=True)
        await pilot.pause()
        assert view.renders == 0
        kept = [view.render_line(y) for y in range(height)]
        view._strips.clear()
        assert [view.render_line(y) for y in range(height)] == kept


async def test_page_keys_move_the_cursor_a_screen_and_stop_at_the_ends(
    long_app: AnnotatorApp,
) -> None:
    async with long_app.run_test(size=(100, 12)) as pilot:
        await pilot.pause()
        view = screen(long_app).article
        page = view.scrollable_content_region.height - 2

        def cursor_line() -> int:
            cursor = screen(long_app)._marks().cursor
            assert cursor is not None
            return view.line_of(cursor[0])

        start = cursor_line()
        await pilot.press("pagedown")
        await pilot.press("pagedown")
        await pilot.pause()
        assert cursor_line() == start + 2 * page
        cursor = screen(long_app)._marks().cursor
        assert cursor is not None and _on_screen(view, cursor[0])
        await pilot.press("pageup")
        await pilot.pause()
        assert cursor_line() == start + page
        for _ in range(3):
            await pilot.press("pageup")
        await pilot.pause()
        assert cursor_line() == 0  # the first line, not a refusal to move


async def test_time_between_keys_wraps_the_rest_below_the_view_for_an_exact_scrollbar(
    long_app: AnnotatorApp,
) -> None:
    async with long_app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = screen(long_app).article
        layout = view._layout
        view.wraps_ahead = False
        view.scroll_to_offset(long_app.session.state.spans[2000].start)  # half-way down
        await pilot.pause()
        view.wraps_ahead = True
        while _left_to_wrap(view):  # first what is near (the view follows what moves)
            view.wrap_ahead()
        await pilot.pause()
        top = view.scroll_offset.y
        shown = [view.render_line(y).text for y in range(view.size.height)]
        wrapped = layout.wrapped
        slices = 0
        while view.wrap_ahead():  # what the idle timer does, slice after slice
            slices += 1
            assert slices < 5000
        await pilot.pause()
        assert layout.wrapped > wrapped
        bottom = layout.paragraph_at(int(top) + view.size.height)
        assert all(layout.is_wrapped(p) for p in range(bottom, len(layout.starts)))
        # Far above: left alone (wrapping them would move the lines on screen).
        assert not all(layout.is_wrapped(p) for p in range(layout.paragraph_at(int(top))))
        assert view.scroll_offset.y == top
        assert [view.render_line(y).text for y in range(view.size.height)] == shown
        # Below the view every line is counted, none guessed: the same as a fresh layout.
        rest = sum(len(layout.lines(p)) for p in range(bottom, len(layout.starts)))
        assert layout.line_count - layout.first[bottom] == rest
        assert view.virtual_size.height == layout.line_count
        assert view.wrap_ahead() is False  # nothing left, and looking costs nothing


def _said_when_started(annotate: Any, method: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The status line's message each time the screen's `method` starts, as it runs."""
    status = annotate.query_one(StatusLine)
    said: list[str] = []
    real = getattr(type(annotate), method)

    def recorded(self: Any, *args: Any) -> Any:
        said.append(status.message)
        return real(self, *args)

    monkeypatch.setattr(type(annotate), method, recorded)
    return said


async def test_accepting_thousands_at_once_says_so_before_the_work_starts(
    long_app: AnnotatorApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 4,000 suggestions take about 0.15 s (100,000 take 3.6 s): the key shows at once.
    async with long_app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        annotate = screen(long_app)
        status = annotate.query_one(StatusLine)
        said_when_started = _said_when_started(annotate, "_apply", monkeypatch)
        await pilot.press("A")
        await pilot.pause()
        assert said_when_started == ["accepting 4,000 suggestions…"]
        assert status.message == "saved: accept 4000 remaining suggestions"
        assert all(s.status == "accepted" for s in long_app.session.state.spans)


async def test_undoing_thousands_says_so_before_the_work_starts(
    long_app: AnnotatorApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A second `u` pressed because the first seemed to do nothing would undo one more.
    async with long_app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        annotate = screen(long_app)
        status = annotate.query_one(StatusLine)
        await pilot.press("a")  # a small step first: undone at once, without a word
        await pilot.press("A")
        await pilot.pause()
        said_when_started = _said_when_started(annotate, "_history", monkeypatch)
        await pilot.press("u")
        await pilot.pause()
        assert said_when_started == ["undoing accept 3999 remaining suggestions…"]
        assert status.message == "undo accept 3999 remaining suggestions"
        assert sum(s.status == "accepted" for s in long_app.session.state.spans) == 1
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert said_when_started[1] == "redoing accept 3999 remaining suggestions…"
        assert all(s.status == "accepted" for s in long_app.session.state.spans)
        await pilot.press("u", "u")
        await pilot.pause()
        assert said_when_started[2] == "undoing accept 3999 remaining suggestions…"
        # The small one starts at once: the line still shows what the last step did.
        assert said_when_started[3] == "undo accept 3999 remaining suggestions"
        assert all(s.status == "suggested" for s in long_app.session.state.spans)

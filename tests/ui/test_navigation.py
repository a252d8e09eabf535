"""Moving through a corpus and the guided stance mode, through the real app (Pilot)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from annotator.core.model import Stance
from annotator.ui.app import AnnotatorApp, build_app
from annotator.ui.screens.prompt import PromptScreen
from annotator.ui.widgets.doc_header import DocHeader
from annotator.ui.widgets.status_line import StatusLine
from tests.ui.conftest import ANNOTATOR, SEED
from tests.ui.test_actions import cursor_to, free_tokens, screen, stored

pytestmark = pytest.mark.anyio


def _status(app: AnnotatorApp) -> StatusLine:
    return app.screen.query_one(StatusLine)


async def _answer(pilot: Pilot[None], app: AnnotatorApp, key: str, text: str) -> None:
    """Press `key`, type `text` into the prompt it opens, and submit it."""
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(app.screen, PromptScreen)
    await pilot.press(*list(text), "enter")
    await pilot.pause()


async def test_opening_says_where_it_resumed(corpus_app: AnnotatorApp) -> None:
    async with corpus_app.run_test(size=(120, 40)):
        assert _status(corpus_app).message == "resumed at 1: the first unfinished"
        assert " open \u00b7 reviewed 0/" in corpus_app.screen.query_one(DocHeader).line


async def test_g_opens_document_n(corpus_app: AnnotatorApp) -> None:
    async with corpus_app.run_test(size=(120, 40)) as pilot:
        await _answer(pilot, corpus_app, "g", "3")
        assert corpus_app.session.index == 2
        assert _status(corpus_app).message == "document 3 of 3 (open)"
        assert corpus_app.screen.query_one(DocHeader).line.startswith(" 3 / 3 ")
        await _answer(pilot, corpus_app, "g", "7")
        assert corpus_app.session.index == 2
        assert _status(corpus_app).message == "no document 7: the corpus has 1 to 3"


async def test_slash_searches_the_corpus_and_jumps_between_matches(
    corpus_app: AnnotatorApp,
) -> None:
    async with corpus_app.run_test(size=(120, 40)) as pilot:
        await _answer(pilot, corpus_app, "slash", "geneva")
        assert corpus_app.session.index == 2  # the third document mentions Geneva
        text = corpus_app.session.document.text
        view = screen(corpus_app).view
        cursor = view.token_chars(view.cursor, view.cursor)
        assert cursor is not None and text[cursor[0] : cursor[1]] == "Geneva"
        assert _status(corpus_app).message.startswith("match 1/1 of 'geneva' in document 3")
        # Two words: both selected, so a label key or `s` can take them at once.
        await _answer(pilot, corpus_app, "slash", "united nations")
        text = corpus_app.session.document.text
        selection = view.selection_chars()
        assert selection is not None and text[selection[0] : selection[1]] == "United Nations"
        # "article" is in the title of documents 2 and 3: > walks to the next, wrapping.
        await _answer(pilot, corpus_app, "slash", "article")
        first = corpus_app.session.index
        await pilot.press("greater_than_sign")
        second = corpus_app.session.index
        await pilot.press("greater_than_sign")
        assert {first, second} == {1, 2} and corpus_app.session.index == first
        await pilot.press("less_than_sign")
        assert corpus_app.session.index == second


async def test_enter_opens_the_next_unfinished_document(
    corpus_app: AnnotatorApp, corpus_store: Path
) -> None:
    async with corpus_app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "enter")  # document 2 finished; 3 opens
        assert corpus_app.session.index == 2
        await pilot.press("p")
        assert "(finished)" in _status(corpus_app).message
        assert " finished \u00b7 " in corpus_app.screen.query_one(DocHeader).line
        await pilot.press("p", "enter")  # document 1 finished: 2 is done, so 3 opens
        assert corpus_app.session.index == 2
        await pilot.press("enter")  # the last one: nothing unfinished is left
        assert _status(corpus_app).message.endswith("all 3 answered \u2014 p to go back")
    assert stored(corpus_store, corpus_app, 1).answer == "accept"


async def test_a_stale_message_clears_when_the_document_changes(corpus_app: AnnotatorApp) -> None:
    async with corpus_app.run_test(size=(120, 40)) as pilot:
        await pilot.press("less_than_sign")  # no search yet: a warning
        assert _status(corpus_app).has_class("-warning")
        await pilot.press("n")
        assert _status(corpus_app).message == "document 2 of 3 (open)"
        assert not _status(corpus_app).has_class("-warning")


async def test_role_keys_keep_the_cursor_and_take_the_word_under_it(
    seed_app: AnnotatorApp, seed_store: Path
) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        first = free_tokens(seed_app, 9)
        await cursor_to(pilot, seed_app, first)
        await pilot.press(*["shift+right"] * 8, "s")  # a stance over nine free words
        view = screen(seed_app).view
        stance_id = view.stance
        assert stance_id is not None
        tokens = seed_app.session.document.tokens
        words = [t for t in range(first + 1, first + 9) if tokens[t].text.strip()][:4]
        roles = ("holder", "speaker", "target", "cue")
        for role, key, token in zip(roles, "wvtc", words, strict=True):
            await cursor_to(pilot, seed_app, token)
            await pilot.press(key)
            assert screen(seed_app).cursor == token  # the cursor stays where the person is
            stance = seed_app.session.state.stance(stance_id)
            ref = stance.role(role)
            assert ref is not None and ref.text == tokens[token].text
    saved = stored(seed_store, seed_app).stance(stance_id)
    assert isinstance(saved, Stance)
    assert [saved.role(r).text for r in ("holder", "speaker", "target", "cue")] == [  # type: ignore[union-attr]
        tokens[t].text for t in words
    ]


async def test_keys_before_the_suggestions_are_refused_with_a_bell(
    tmp_path: Path, nlp: Any
) -> None:
    release = threading.Event()

    def slow_load() -> Any:
        release.wait(30)
        return nlp

    app = build_app(
        [SEED], store_path=tmp_path / "s.sqlite", annotator=ANNOTATOR, load_model=slow_load
    )
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        for key in ("tab", "a", "x", "1", "right"):
            await pilot.press(key)
            assert _status(app).message == "wait: the model is still suggesting", key
        assert len(bells) == 5
        assert app.session.needs_suggestions
        release.set()


async def test_the_command_palette_lists_each_action_once(seed_app: AnnotatorApp) -> None:
    from annotator.ui.palette import AnnotationCommands

    async with seed_app.run_test(size=(120, 40)):
        provider = AnnotationCommands(seed_app.screen)
        ours = [name for name, _, _ in provider._commands()]
        system = [c.title for c in seed_app.get_system_commands(seed_app.screen)]
        names = [name.lower() for name in ours] + [t.lower() for t in system]
        assert len(names) == len(set(names)), names
        assert sum("quit" in name for name in names) == 1

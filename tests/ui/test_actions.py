"""One Pilot test per action of the annotation screen; each asserts on the store.

The suggestions come from the real pipeline, which other work keeps improving, so the
tests find their targets in the suggestions (a span with a free token after it, a text
mentioned twice...) rather than naming them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding
from textual.pilot import Pilot

from annotator.core.model import DocumentState, Span, Stance
from annotator.core.store import open_store
from annotator.core.tokens import is_space_token
from annotator.ui.app import AnnotatorApp, build_app
from annotator.ui.screens.annotate import AnnotateScreen
from annotator.ui.screens.help import HelpScreen
from annotator.ui.widgets.doc_header import DocHeader
from annotator.ui.widgets.status_line import StatusLine
from tests.ui.conftest import ANNOTATOR, SEED, _no_model

pytestmark = pytest.mark.anyio


def stored(path: Path, app: AnnotatorApp, index: int = 0) -> DocumentState:
    """The state as a fresh connection to the store file reads it."""
    store = open_store(path)
    try:
        return store.state(ANNOTATOR, app.session.hashes[index])
    finally:
        store.close()


def screen(app: AnnotatorApp) -> AnnotateScreen:
    assert isinstance(app.screen, AnnotateScreen)
    return app.screen


def other_label_key(app: AnnotatorApp, label: str) -> tuple[str, str]:
    """(key, name) of a keyed entity label other than `label`."""
    found = next(x for x in app.scheme.entity_labels if x.key and x.name != label)
    assert found.key is not None
    return found.key, found.name


def free_tokens(app: AnnotatorApp, length: int) -> int:
    """The first token of `length` consecutive words that no suggested span covers."""
    tokens = app.session.document.tokens
    covered = {t for s in app.session.state.spans for t in range(s.token_start, s.token_end + 1)}
    for first in range(len(tokens) - length):
        run = range(first, first + length)
        if all(not is_space_token(tokens[t]) and t not in covered for t in run):
            return first
    raise AssertionError("the seed has no free run of tokens")


def first_span(app: AnnotatorApp, test: object = None) -> Span:
    spans = app.session.state.spans
    return next(s for s in spans if test is None or test(s))  # type: ignore[operator]


async def tab_to(pilot: Pilot[None], app: AnnotatorApp, item_id: str) -> None:
    for _ in range(300):
        if screen(app).focus_id == item_id:
            return
        await pilot.press("tab")
    raise AssertionError(f"tab never reached {item_id}")


async def cursor_to(pilot: Pilot[None], app: AnnotatorApp, token: int) -> None:
    for _ in range(300):
        cursor = screen(app).cursor
        assert cursor is not None
        if cursor == token:
            return
        await pilot.press("right" if cursor < token else "left")
    raise AssertionError(f"the cursor never reached token {token}")


async def test_opening_focuses_first_unreviewed_span(seed_app: AnnotatorApp) -> None:
    async with seed_app.run_test(size=(120, 40)):
        focus = screen(seed_app).focus_id
        assert focus == seed_app.session.state.spans[0].id
        assert seed_app.session.state.span(focus).status == "suggested"
        assert not seed_app.loop.loaded  # type: ignore[union-attr]


async def test_accept_key_accepts_and_moves_on(seed_app: AnnotatorApp, seed_store: Path) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        first = screen(seed_app).focus_id
        await pilot.press("a")
        second = screen(seed_app).focus_id
        assert second not in (None, first)
    state = stored(seed_store, seed_app)
    assert state.span(first or "").status == "accepted"
    assert state.span(second or "").status == "suggested"


async def test_reject_key_rejects_and_moves_on(seed_app: AnnotatorApp, seed_store: Path) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        first = screen(seed_app).focus_id
        await pilot.press("x")
        assert screen(seed_app).focus_id != first
    state = stored(seed_store, seed_app)
    assert state.span(first or "").status == "rejected"
    assert sum(s.status == "rejected" for s in state.spans) == 1


async def test_label_key_relabels_focused_span(seed_app: AnnotatorApp, seed_store: Path) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        span = seed_app.session.state.span(screen(seed_app).focus_id or "")
        key, name = other_label_key(seed_app, span.label)
        await pilot.press(key)
    after = stored(seed_store, seed_app).span(span.id)
    assert (after.label, after.status, after.text) == (name, "edited", span.text)


async def test_label_key_on_selection_adds_span(seed_app: AnnotatorApp, seed_store: Path) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        first = free_tokens(seed_app, 2)
        await cursor_to(pilot, seed_app, first)
        assert screen(seed_app).focus_id is None  # no span under the cursor
        await pilot.press("shift+right", "2")
    added = [s for s in stored(seed_store, seed_app).spans if s.status == "added"]
    assert [(s.label, s.token_start, s.token_end) for s in added] == [("ORG", first, first + 1)]


async def test_label_key_on_free_token_adds_one_token_span(
    seed_app: AnnotatorApp, seed_store: Path
) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        token = free_tokens(seed_app, 1)
        await cursor_to(pilot, seed_app, token)
        await pilot.press("3")
        assert screen(seed_app).focus_id is not None  # the new span has focus
    added = [s for s in stored(seed_store, seed_app).spans if s.status == "added"]
    text = seed_app.session.document.tokens[token].text
    assert [(s.text, s.label) for s in added] == [(text, "GPE")]


async def test_boundary_keys_move_start_and_end(seed_app: AnnotatorApp, seed_store: Path) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        tokens = seed_app.session.document.tokens
        covered = {
            t for s in seed_app.session.state.spans for t in range(s.token_start, s.token_end + 1)
        }
        span = first_span(
            seed_app,
            lambda s: (
                s.token_end + 1 < len(tokens)
                and not is_space_token(tokens[s.token_end + 1])
                and s.token_end + 1 not in covered
            ),
        )
        await tab_to(pilot, seed_app, span.id)
        await pilot.press("right_curly_bracket")  # end: one token right
        assert stored(seed_store, seed_app).span(span.id).token_end == span.token_end + 1
        await pilot.press("right_square_bracket")  # start: one token right
        assert stored(seed_store, seed_app).span(span.id).token_start == span.token_start + 1
        await pilot.press("left_square_bracket", "left_curly_bracket")
    after = stored(seed_store, seed_app).span(span.id)
    assert (after.text, after.token_start, after.token_end, after.status) == (
        span.text,
        span.token_start,
        span.token_end,
        "edited",
    )


async def test_refused_edit_says_why_and_changes_nothing(
    seed_app: AnnotatorApp, seed_store: Path
) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        span = first_span(seed_app, lambda s: s.token_start == s.token_end)
        await tab_to(pilot, seed_app, span.id)
        await pilot.press("left_curly_bracket")  # would leave it without a token
        assert "at least one token" in seed_app.screen.query_one(StatusLine).message
    assert stored(seed_store, seed_app).span(span.id) == span
    assert open_store(seed_store).history(ANNOTATOR, seed_app.session.hashes[0]) == []


async def test_apply_to_same_text_relabels_every_mention(
    seed_app: AnnotatorApp, seed_store: Path
) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        spans = seed_app.session.state.spans
        span = first_span(seed_app, lambda s: sum(o.text == s.text for o in spans) >= 3)
        key, name = other_label_key(seed_app, span.label)
        await tab_to(pilot, seed_app, span.id)
        await pilot.press(key, "equals_sign")
    mentions = [s for s in stored(seed_store, seed_app).spans if s.text == span.text]
    assert len(mentions) >= 3
    assert {s.label for s in mentions} == {name}


async def test_accept_all_accepts_every_suggestion(
    seed_app: AnnotatorApp, seed_store: Path
) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        first = screen(seed_app).focus_id
        await pilot.press("x", "A")
    state = stored(seed_store, seed_app)
    assert state.span(first or "").status == "rejected"
    items: list[Span | Stance] = [*state.spans, *state.stances]
    others = [i.status for i in items if i.id != first]
    assert set(others) == {"accepted"}


async def test_stance_creation_and_roles(seed_app: AnnotatorApp, seed_store: Path) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        view = screen(seed_app)
        await cursor_to(pilot, seed_app, 0)
        # Evidence: the title line, tokens 0-6.
        await pilot.press(*["shift+right"] * 6, "s")
        created = view.view.stance
        assert created is not None and view.focus_id == created
        await pilot.press("d")  # AGAINST
        # Holder: walk back from the selection's end to the first entity met.
        for _ in range(6):
            await pilot.press("left")
            if view.focus_id is not None:
                break
        holder = seed_app.session.state.span(view.focus_id or "")
        await pilot.press("w")
        await cursor_to(pilot, seed_app, 5)
        await pilot.press("shift+right", "t")  # target: tokens 5-6
        await pilot.press("exclamation_mark")
    stance = stored(seed_store, seed_app).stance(created)
    text = seed_app.session.document.text
    assert stance.evidence.text == text.split("\n", 1)[0]
    assert stance.holder is not None and stance.holder.text == holder.text
    assert stance.target is not None and stance.target.text == "Chinese FM"
    # Negation flips the polarity, as the command defines.
    assert (stance.label, stance.negated, stance.status) == ("FAVOR", True, "added")


async def test_stance_label_key_on_selection_creates_stance_and_speaker(
    seed_app: AnnotatorApp, seed_store: Path
) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        span = seed_app.session.state.spans[0]
        await cursor_to(pilot, seed_app, span.token_start)
        await pilot.press("shift+right", "f")
        created = screen(seed_app).view.stance
        await pilot.press("left")  # back onto the span: it gets focus
        await pilot.press("v")  # speaker: the focused entity
    stance = stored(seed_store, seed_app).stance(created or "")
    assert stance.label == "FAVOR" and stance.status == "added"
    assert stance.speaker is not None and stance.speaker.text == span.text


async def test_accept_and_reject_work_on_suggested_stances(
    seed_app: AnnotatorApp, seed_store: Path
) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        stances = seed_app.session.state.stances
        if not stances:
            pytest.fail("the pipeline suggests no stance on the seed")
        await tab_to(pilot, seed_app, stances[0].id)
        await pilot.press("a")
        await tab_to(pilot, seed_app, stances[-1].id)
        await pilot.press("x")
    state = stored(seed_store, seed_app)
    assert state.stance(stances[0].id).status == "accepted"
    assert state.stance(stances[-1].id).status == "rejected"


async def test_undo_and_redo(seed_app: AnnotatorApp, seed_store: Path) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        first = screen(seed_app).focus_id or ""
        await pilot.press("a")
        second = screen(seed_app).focus_id or ""
        await pilot.press("x")
        await pilot.press("u")
        assert stored(seed_store, seed_app).span(second).status == "suggested"
        await pilot.press("ctrl+z")
        assert stored(seed_store, seed_app).span(first).status == "suggested"
        await pilot.press("ctrl+y")
        assert screen(seed_app).focus_id == first
    state = stored(seed_store, seed_app)
    assert (state.span(first).status, state.span(second).status) == ("accepted", "suggested")


async def test_undo_that_cannot_be_saved_says_so_and_the_screen_lives_on(
    seed_app: AnnotatorApp, seed_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.errors import StoreError
    from annotator.ui.widgets.status_line import StatusLine

    def full_disk(annotator: str, **session: object) -> None:
        raise StoreError("seed.sqlite: could not save (database or disk is full)")

    async with seed_app.run_test(size=(120, 40)) as pilot:
        first = screen(seed_app).focus_id or ""
        await pilot.press("a")
        monkeypatch.setattr(seed_app.session.store, "undo", full_disk)
        await pilot.press("u")
        status = screen(seed_app).query_one(StatusLine)
        assert "not saved" in str(status.render())
        monkeypatch.undo()
        await pilot.press("u")  # the screen still works once the disk has room again
        assert stored(seed_store, seed_app).span(first).status == "suggested"


async def test_finish_accepts_remaining_and_opens_next(
    corpus_app: AnnotatorApp, corpus_store: Path
) -> None:
    async with corpus_app.run_test(size=(120, 40)) as pilot:
        first = screen(corpus_app).focus_id
        await pilot.press("x", "enter")
        assert corpus_app.session.index == 1
        assert corpus_app.screen.query_one(DocHeader).line.startswith(" 2 / 3 ")
    state = stored(corpus_store, corpus_app, 0)
    assert state.answer == "accept"
    assert state.span(first or "").status == "rejected"
    items: list[Span | Stance] = [*state.spans, *state.stances]
    others = {i.status for i in items if i.id != first}
    assert others == {"accepted"}


async def test_skip_answers_ignore(corpus_app: AnnotatorApp, corpus_store: Path) -> None:
    async with corpus_app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        assert corpus_app.session.index == 1
    state = stored(corpus_store, corpus_app, 0)
    assert state.answer == "ignore"
    assert {s.status for s in state.spans} == {"suggested"}


async def test_next_and_previous_documents_save_nothing(
    corpus_app: AnnotatorApp, corpus_store: Path
) -> None:
    async with corpus_app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n")
        assert corpus_app.session.index == 2
        assert "The United Nations" in corpus_app.session.document.text
        await pilot.press("p")
        assert corpus_app.session.index == 1
        assert "Angela Merkel" in corpus_app.session.document.text
    store = open_store(corpus_store)
    assert set(store.answers(ANNOTATOR, corpus_app.session.hashes).values()) == {None}
    assert all(store.history(ANNOTATOR, h) == [] for h in corpus_app.session.hashes)


async def test_quit_and_reopen_resumes_at_same_document(
    corpus_app: AnnotatorApp, corpus_store: Path, corpus_dir: Path
) -> None:
    async with corpus_app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        decided = screen(corpus_app).focus_id or ""
        await pilot.press("a", "q")
        assert not corpus_app.is_running
    reopened = build_app(
        [corpus_dir], store_path=corpus_store, annotator=ANNOTATOR, load_model=_no_model
    )
    async with reopened.run_test(size=(120, 40)):
        assert reopened.session.index == 1
        assert reopened.session.state.span(decided).status == "accepted"
    assert stored(corpus_store, reopened, 1).span(decided).status == "accepted"


async def test_quit_and_reopen_resumes_at_a_document_passed_to_with_n(
    corpus_app: AnnotatorApp, corpus_store: Path, corpus_dir: Path
) -> None:
    async with corpus_app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n", "q")
    reopened = build_app(
        [corpus_dir], store_path=corpus_store, annotator=ANNOTATOR, load_model=_no_model
    )
    async with reopened.run_test(size=(120, 40)):
        assert reopened.session.index == 2
        assert reopened.session.document.text == corpus_app.session.document.text
    assert set(open_store(corpus_store).answers(ANNOTATOR, reopened.session.hashes).values()) == {
        None
    }


async def test_undo_across_documents_reopens_the_earlier_one(
    corpus_app: AnnotatorApp, corpus_store: Path
) -> None:
    async with corpus_app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        assert corpus_app.session.index == 1
        await pilot.press("u")
        assert corpus_app.session.index == 0
    assert stored(corpus_store, corpus_app, 0).answer is None


async def test_click_focuses_span(seed_app: AnnotatorApp) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        view = screen(seed_app).article
        target = seed_app.session.state.spans[1]
        line = view.line_of(target.start)
        column = next(c for c in range(200) if view.offset_at(line, c) == target.start)
        left = view.scrollable_content_region.x - view.region.x
        await pilot.click("#article", offset=(left + column, line))
        assert screen(seed_app).focus_id == target.id


async def test_drag_selects_and_label_adds(seed_app: AnnotatorApp, seed_store: Path) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        view = screen(seed_app).article
        first = free_tokens(seed_app, 2)
        tokens = seed_app.session.document.tokens
        view.post_message(view.Dragged(tokens[first].start, tokens[first + 1].start))
        await pilot.pause()
        assert screen(seed_app).selecting
        await pilot.press("7")
    added = [s for s in stored(seed_store, seed_app).spans if s.status == "added"]
    assert [(s.token_start, s.token_end, s.label) for s in added] == [(first, first + 1, "EVENT")]


async def test_help_screen_lists_keys_and_closes(seed_app: AnnotatorApp) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(seed_app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(seed_app.screen, AnnotateScreen)


async def test_command_palette_runs_actions(seed_app: AnnotatorApp, seed_store: Path) -> None:
    async with seed_app.run_test(size=(120, 40)) as pilot:
        focus = screen(seed_app).focus_id or ""
        await pilot.press("ctrl+p")
        await pilot.press(*"Label as LANGUAGE")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
    span = stored(seed_store, seed_app).span(focus)
    assert (span.label, span.status) == ("LANGUAGE", "edited")


def test_every_binding_has_an_id_and_a_tooltip() -> None:
    bindings = [b for b in AnnotateScreen.BINDINGS if isinstance(b, Binding)]
    assert all(b.id and b.tooltip for b in bindings)
    assert len({b.id for b in bindings}) == len(bindings)


async def test_mouse_drag_over_words_selects_them(seed_app: AnnotatorApp, seed_store: Path) -> None:
    from textual.events import MouseDown, MouseMove, MouseUp

    async with seed_app.run_test(size=(120, 40)) as pilot:
        view = screen(seed_app).article
        first = free_tokens(seed_app, 2)
        tokens = seed_app.session.document.tokens
        left = view.scrollable_content_region.x - view.region.x

        def cell(offset: int) -> tuple[int, int]:
            line = view.line_of(offset)
            column = next(c for c in range(400) if view.offset_at(line, c) == offset)
            return left + column, line - int(view.scroll_offset.y)

        (x0, y0), (x1, y1) = cell(tokens[first].start), cell(tokens[first + 1].start)
        view.post_message(MouseDown(view, x0, y0, 0, 0, 1, False, False, False))
        view.post_message(MouseMove(view, x1, y1, 0, 0, 1, False, False, False))
        view.post_message(MouseUp(view, x1, y1, 0, 0, 1, False, False, False))
        await pilot.pause()
        assert screen(seed_app).selecting
        await pilot.press("8")
    added = [s for s in stored(seed_store, seed_app).spans if s.status == "added"]
    assert [(s.token_start, s.token_end, s.label) for s in added] == [(first, first + 1, "LAW")]


async def test_every_committed_edit_posts_an_edited_message(seed_store: Path) -> None:
    from textual.message import Message

    messages: list[AnnotateScreen.Edited] = []

    def hook(message: Message) -> None:
        # The hook sees a message at each node it bubbles through: count each one once.
        if isinstance(message, AnnotateScreen.Edited) and all(m is not message for m in messages):
            messages.append(message)

    app = build_app([SEED], store_path=seed_store, annotator=ANNOTATOR, load_model=_no_model)
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await pilot.press("a", "x", "left_square_bracket", "u")  # the boundary move may be refused
        await pilot.pause()
    seen = [m.change.command for m in messages]
    history = open_store(seed_store).history(ANNOTATOR, app.session.hashes[0])
    assert seen == [event.change.command for event in history]
    assert seen[:2] == ["accept", "reject"]


async def test_labels_outside_the_scheme_are_pointed_out_and_relabelled(tmp_path: Path) -> None:
    # doccano's CoNLL-2003 export labels people PER; the default scheme says PERSON.
    corpus = Path(__file__).parents[1] / "formats" / "doccano_labeling.jsonl"
    store_path = tmp_path / "store.sqlite"
    app = build_app([corpus], store_path=store_path, annotator=ANNOTATOR, load_model=_no_model)
    async with app.run_test(size=(120, 40)) as pilot:
        status = app.screen.query_one(StatusLine)
        assert status.message.startswith("labels not in the scheme: PER ×2")
        assert status.has_class("-warning")
        first_per = next(s for s in app.session.state.spans if s.label == "PER")
        while screen(app).focus_id != first_per.id:
            await pilot.press("tab")
        await pilot.press("1")  # PERSON, key 1 of the palette
        await pilot.press("enter")
        # The next document has PER spans too, said along with the acknowledgement.
        assert status.message.startswith("saved: finish document 1; labels not in the scheme")
    assert stored(store_path, app).span(first_per.id).label == "PERSON"

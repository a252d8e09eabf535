"""The loop from the screen: `T` trains on the finished documents in a child process, and
the new model then suggests wherever nobody has worked yet. Real spaCy training, 2 steps."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from annotator.core.store import open_store
from annotator.ui.app import AnnotatorApp, build_app
from annotator.ui.screens.annotate import AnnotateScreen
from annotator.ui.widgets.doc_header import DocHeader
from annotator.ui.widgets.status_line import StatusLine
from tests.ui.conftest import ANNOTATOR, _no_model

pytestmark = pytest.mark.anyio


def _app(corpus_dir: Path, store: Path, models: Path, order: str = "corpus") -> AnnotatorApp:
    return build_app(
        [corpus_dir],
        store_path=store,
        annotator=ANNOTATOR,
        load_model=_no_model,
        models_dir=models,
        train_steps=2,
        order=order,
    )


async def test_train_key_trains_a_model_and_suggests_with_it(
    corpus_store: Path, corpus_dir: Path, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    app = _app(corpus_dir, corpus_store, models)
    async with app.run_test(size=(120, 40)) as pilot:
        status = app.screen.query_one(StatusLine)
        await pilot.press("enter", "enter")  # two finished documents; the third is untouched
        assert app.session.index == 2
        untouched = app.session.input_hash
        await pilot.press("T")
        assert status.message.startswith("training on 2 finished documents into ")
        assert "training 0/2" in app.screen.query_one(DocHeader).line
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        focused = screen.focus_id
        await pilot.press("tab")  # the screen stays usable meanwhile
        assert screen.focus_id != focused
        deadline = time.monotonic() + 240
        while not status.message.startswith(("trained", "training failed")):
            assert time.monotonic() < deadline, status.message
            await pilot.pause(0.5)
        assert status.message.startswith(f"trained {models / 'tester-round1' / 'model-best'}")
        assert "training" not in app.screen.query_one(DocHeader).line
        # The untouched document open on screen is suggested afresh by the new model.
        while app.session.needs_suggestions:
            assert time.monotonic() < deadline
            await pilot.pause(0.5)
        await pilot.pause()
        # The round's result stays on the status line once its suggestions are shown.
        assert status.message.startswith("trained ")
        assert status.message.endswith("; its suggestions are on screen")
    assert (models / "tester-round1" / "model-best" / "meta.json").is_file()
    assert (models / "tester-round1" / "scores.json").is_file()
    store = open_store(corpus_store)
    sources = {span.source for span in store.initial_state(untouched).spans}
    store.close()
    assert sources == {"tester_round1/model-best"}


async def test_train_key_needs_a_finished_document(
    corpus_store: Path, corpus_dir: Path, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    app = _app(corpus_dir, corpus_store, models)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("T")
        status = app.screen.query_one(StatusLine)
        assert status.message == "finish a document to train on (enter finishes the one open)"
    assert not models.exists()


async def test_one_finished_article_trains_and_the_new_model_reorders(
    corpus_store: Path, corpus_dir: Path, tmp_path: Path
) -> None:
    # The seed article, finished alone: `annotator train` splits its paragraphs into train
    # and dev, the same path as from the command line. With --order uncertain the trained
    # model then ranks the untouched documents anew.
    models = tmp_path / "models"
    app = _app(corpus_dir, corpus_store, models, order="uncertain")
    async with app.run_test(size=(120, 40)) as pilot:
        status = app.screen.query_one(StatusLine)
        # Every message said, in order: the ranking and the suggestions of the open
        # document come from two threads, and the later one's message replaces the other's.
        said: list[str] = []
        say = status.say

        def recorded(message: str, warning: bool = False) -> None:
            said.append(message)
            say(message, warning)

        status.say = recorded  # type: ignore[method-assign]
        finished = app.session.input_hash
        await pilot.press("enter", "T")
        assert status.message.startswith("training on 1 finished document into ")
        open_now = app.session.input_hash
        before = app.session.hashes
        deadline = time.monotonic() + 240
        ends = ("the new model ranked", "training failed", "could")
        while not any(message.startswith(ends) for message in said):
            assert time.monotonic() < deadline, said
            await pilot.pause(0.5)
        ranked = [m for m in said if m.startswith(ends)][0]
        assert ranked.startswith("the new model ranked the untouched documents")
        after = app.session.hashes
        assert sorted(after) == sorted(before) and after[0] == finished
        assert app.session.input_hash == open_now  # the open document stays open
    scores = json.loads((models / "tester-round1" / "scores.json").read_text(encoding="utf-8"))
    assert scores
    store = open_store(corpus_store)
    sources = {span.source for h in after[1:] for span in store.initial_state(h).spans}
    store.close()
    assert sources == {"tester_round1/model-best"}  # the ranking model suggested them


async def test_quitting_while_training_stops_the_child_process(
    corpus_store: Path, corpus_dir: Path, tmp_path: Path
) -> None:
    app = build_app(
        [corpus_dir],
        store_path=corpus_store,
        annotator=ANNOTATOR,
        load_model=_no_model,
        models_dir=tmp_path / "models",
        train_steps=100_000,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "enter", "T")
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        run = screen.model.training
        assert run is not None
        deadline = time.monotonic() + 60
        while run._process is None:  # the export is written, the child starts
            assert time.monotonic() < deadline
            await pilot.pause(0.1)
        started = time.monotonic()
        await pilot.press("q")
    assert run._process.wait(timeout=30) is not None
    assert time.monotonic() - started < 30
    assert not (tmp_path / "models" / "tester-round1" / "model-best").exists()

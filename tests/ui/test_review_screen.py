"""The review screen through Textual's Pilot, asserting on the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.core.importing import import_annotations
from annotator.core.model import DocumentState
from annotator.core.store import open_store
from annotator.nlp.pipeline import blank_tokenizer
from annotator.ui.review_app import ReviewApp, build_review_app
from annotator.ui.screens.label_picker import LabelPicker
from annotator.ui.screens.review import ReviewScreen
from annotator.ui.widgets.status_line import StatusLine
from annotator.ui.widgets.versions_bar import VersionsBar

pytestmark = pytest.mark.anyio

# President(0-9) Joe(10-13) Biden(14-19) met(20-23) Wang(24-28) Yi(29-31) in(32-34) Beijing
TEXT = "President Joe Biden met Wang Yi in Beijing."
CALM = "Astana is calm today."
REVIEWER = "rita"


def _record(name: str, text: str, *spans: tuple[int, int, str]) -> dict[str, Any]:
    return {
        "text": text,
        "_annotator_id": name,
        "answer": "accept",
        "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans],
    }


@pytest.fixture
def team_store(tmp_path: Path) -> Path:
    """alice, bob and carol: Beijing agreed; Biden's start and Wang Yi disputed; the second
    document, all agreed, comes after it."""
    records = [
        _record("alice", TEXT, (10, 19, "PERSON"), (24, 31, "PERSON"), (35, 42, "GPE")),
        _record("bob", TEXT, (10, 19, "PERSON"), (35, 42, "GPE")),
        _record("carol", TEXT, (0, 19, "PERSON"), (24, 31, "ORG"), (35, 42, "GPE")),
        _record("alice", CALM, (0, 6, "GPE")),
        _record("bob", CALM, (0, 6, "GPE")),
        _record("carol", CALM, (0, 6, "GPE")),
    ]
    path = tmp_path / "team.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    db = tmp_path / "store.sqlite"
    store = open_store(db)
    import_annotations(store, [path], blank_tokenizer())
    store.close()
    return db


def _app(db: Path, blind: bool = False) -> ReviewApp:
    return build_review_app(
        store_path=db, reviewer=REVIEWER, tokenize=blank_tokenizer(), blind=blind
    )


def _stored(db: Path, app: ReviewApp, index: int = 0) -> DocumentState:
    store = open_store(db)
    try:
        return store.state(REVIEWER, app.session.hashes[index])
    finally:
        store.close()


def _screen(app: ReviewApp) -> ReviewScreen:
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


def _live(state: DocumentState) -> list[tuple[str, str]]:
    return [(s.text, s.label) for s in state.live_spans]


async def test_opens_on_first_unresolved_unit_with_agreed_ones_merged(team_store: Path) -> None:
    app = _app(team_store)
    async with app.run_test(size=(120, 40)):
        screen = _screen(app)
        assert app.session.document.text == TEXT  # least agreed first
        unit = screen.focused_unit()
        assert unit is not None and (unit.start, unit.end) == (0, 19)
        bar = screen.query_one(VersionsBar).plain
        assert "2 of 2 units left" in bar and "1 alice  2 bob  3 carol" in bar
        assert "PERSON 'President Joe Biden'" in bar
    assert _live(_stored(team_store, app)) == [("Beijing", "GPE")]


async def test_blind_review_shows_numbers_only(team_store: Path) -> None:
    app = _app(team_store, blind=True)
    async with app.run_test(size=(120, 40)):
        bar = _screen(app).query_one(VersionsBar).plain
        assert "annotators: 1  2  3" in bar
        assert "alice" not in bar and "carol" not in bar


async def test_number_takes_a_version_and_moves_on(team_store: Path) -> None:
    app = _app(team_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")  # carol: President Joe Biden
        unit = _screen(app).focused_unit()
        assert unit is not None and (unit.start, unit.end) == (24, 31)  # the next one
    assert _live(_stored(team_store, app)) == [
        ("President Joe Biden", "PERSON"),
        ("Beijing", "GPE"),
    ]


async def test_majority_key(team_store: Path) -> None:
    app = _app(team_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")  # alice and bob: Joe Biden
        await pilot.press("a")  # Wang Yi: one each, no majority
        assert "no majority here" in _screen(app).query_one(StatusLine).message
    assert _live(_stored(team_store, app)) == [("Joe Biden", "PERSON"), ("Beijing", "GPE")]


async def test_finish_refused_while_unresolved_then_finish(team_store: Path) -> None:
    app = _app(team_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        assert "2 units left to resolve" in _screen(app).query_one(StatusLine).message
        assert _stored(team_store, app).answer is None
        await pilot.press("1", "2")  # alice's Biden, bob's "no span" for Wang Yi
        await pilot.press("enter")
        assert app.session.document.text == CALM  # the next document opened
    state = _stored(team_store, app)
    assert state.answer == "accept"
    assert _live(state) == [("Joe Biden", "PERSON"), ("Beijing", "GPE")]
    rejected = sorted((s.text, s.label) for s in state.spans if s.status == "rejected")
    assert rejected == [("Wang Yi", "ORG"), ("Wang Yi", "PERSON")]


async def test_edit_keys_make_a_version_nobody_gave(team_store: Path) -> None:
    app = _app(team_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("1")  # Joe Biden; focus moves to Wang Yi
        await pilot.press("1")  # alice's PERSON Wang Yi; every unit resolved, focus stays
        assert "every unit is resolved" in _screen(app).query_one(StatusLine).message
        assert _screen(app).focus_id is not None  # the taken span, ready to edit
        # On a unit the digits take versions, so another label comes from the palette.
        await pilot.press("ctrl+p", *"label as norp", "enter")
        await pilot.pause()
        await pilot.press("shift+tab")  # Biden's unit
        await pilot.press("left_square_bracket")  # its start one token left: President
        await pilot.press("u")  # undo that
        await pilot.press("ctrl+y")  # and redo it
    state = _stored(team_store, app)
    assert ("Wang Yi", "NORP") in _live(state)
    assert ("President Joe Biden", "PERSON") in _live(state)


async def test_digits_only_take_versions_and_r_gives_labels(team_store: Path) -> None:
    app = _app(team_store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = _screen(app)
        await pilot.press("1", "1")  # alice's Biden, then alice's PERSON Wang Yi
        assert screen.focused_unit() is not None  # Wang Yi's unit keeps focus
        await pilot.press("r")
        assert isinstance(app.screen, LabelPicker)  # the palette, waiting for a label key
        await pilot.press("4")  # NORP: the focused span relabelled, not annotator 4's version
        await pilot.pause()
        assert _screen(app) is screen
        await pilot.press("r", "escape")  # no label
        assert screen.query_one(StatusLine).message == "no label given"
        await pilot.press("left")  # off every unit, onto "met"
        assert screen.focused_unit() is None
        await pilot.press("2")  # a digit is never a label here: refused
        assert "no unit here to take a version of" in screen.query_one(StatusLine).message
        await pilot.press("r", "2")  # the word under the cursor becomes an ORG
        await pilot.pause()
    assert sorted(_live(_stored(team_store, app))) == [
        ("Beijing", "GPE"),
        ("Joe Biden", "PERSON"),
        ("Wang Yi", "NORP"),
        ("met", "ORG"),
    ]

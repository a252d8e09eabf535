"""Open the seed, correct one entity, add one, create one stance, finish, quit, export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli import run
from annotator.core.store import open_store
from annotator.ui.app import build_app
from tests.ui.conftest import ANNOTATOR, SEED, _no_model
from tests.ui.test_actions import cursor_to, free_tokens, other_label_key

pytestmark = pytest.mark.anyio


async def test_decisions_made_on_screen_are_exactly_what_export_writes(
    seed_store: Path, tmp_path: Path
) -> None:
    app = build_app([SEED], store_path=seed_store, annotator=ANNOTATOR, load_model=_no_model)
    async with app.run_test(size=(120, 40)) as pilot:
        suggested = app.session.state
        corrected = suggested.spans[0]
        key, new_label = other_label_key(app, corrected.label)
        await pilot.press(key)  # the first span has focus on opening
        free = free_tokens(app, 1)
        await cursor_to(pilot, app, free)
        await pilot.press("3")  # add a GPE over a word nothing covers
        await cursor_to(pilot, app, 0)
        await pilot.press(*["shift+right"] * 6, "f")  # a FAVOR stance on the title line
        await pilot.press("enter")  # finish: the other suggestions count as accepted
        await pilot.press("q")
    assert not app.is_running

    output = tmp_path / "export.jsonl"
    assert (
        run(["export", "--store", str(seed_store), "--annotator", ANNOTATOR, "-o", str(output)])
        == 0
    )
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 1
    record = records[0]
    assert record["answer"] == "accept"
    assert record["_annotator_id"] == ANNOTATOR
    assert record["rejected_spans"] == []

    document = app.session.document
    added_token = document.tokens[free]
    changed = sorted(
        (s["text"], s["label"], s["status"]) for s in record["spans"] if s["status"] != "accepted"
    )
    assert changed == sorted(
        [(corrected.text, new_label, "edited"), (added_token.text, "GPE", "added")]
    )
    # Every other suggestion is exported exactly as the model made it, now accepted.
    untouched = {(s.start, s.end, s.label) for s in suggested.spans if s.id != corrected.id}
    accepted = {
        (s["start"], s["end"], s["label"]) for s in record["spans"] if s["status"] == "accepted"
    }
    assert accepted == untouched

    added_stances = [t for t in record["stances"] if t["status"] == "added"]
    assert len(added_stances) == 1
    assert added_stances[0]["label"] == "FAVOR"
    assert added_stances[0]["evidence"]["text"] == document.text.split("\n", 1)[0]
    assert {t["status"] for t in record["stances"]} - {"added"} <= {"accepted"}
    assert len(record["stances"]) == len(suggested.stances) + 1

    # Four decisions, in order: relabel, add, create the stance, finish.
    history = open_store(seed_store).history(ANNOTATOR, document.input_hash)
    assert [e.change.command for e in history] == ["relabel", "add", "create_stance", "answer"]

    assert run(["validate", str(output)]) == 0

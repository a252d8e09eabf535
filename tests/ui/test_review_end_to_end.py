"""From two annotators' files to a trained model: import, agree, review, export, train."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import run
from annotator.core.schema import record_problems
from annotator.nlp.pipeline import blank_tokenizer
from annotator.ui.review_app import build_review_app
from annotator.ui.screens.review import ReviewScreen

pytestmark = pytest.mark.anyio

# (text, alice's spans, bob's spans): two agree fully, two differ by one span each.
DOCUMENTS: list[tuple[str, list[tuple[str, str]], list[tuple[str, str]]]] = [
    ("Angela Merkel visited Paris on Tuesday.", [("Angela Merkel", "PERSON"), ("Paris", "GPE")],
     [("Angela Merkel", "PERSON"), ("Paris", "GPE")]),
    ("The United Nations met in Geneva.", [("United Nations", "ORG"), ("Geneva", "GPE")],
     [("The United Nations", "ORG"), ("Geneva", "GPE")]),
    ("Wang Yi spoke in Beijing.", [("Wang Yi", "PERSON"), ("Beijing", "GPE")],
     [("Wang Yi", "PERSON")]),
    ("Tokayev flew to Astana.", [("Tokayev", "PERSON"), ("Astana", "GPE")],
     [("Tokayev", "PERSON"), ("Astana", "GPE")]),
]  # fmt: skip


def _file(path: Path, which: int) -> Path:
    records: list[dict[str, Any]] = []
    for text, *versions in DOCUMENTS:
        spans = [
            {"start": text.index(words), "end": text.index(words) + len(words), "label": label}
            for words, label in versions[which]
        ]
        records.append({"text": text, "spans": spans, "answer": "accept"})
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


async def test_import_agree_review_export_train(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "team.sqlite")
    alice, bob = _file(tmp_path / "a.jsonl", 0), _file(tmp_path / "b.jsonl", 1)
    assert run(["import", str(alice), "--annotator", "alice", "--store", db]) == 0
    assert run(["import", str(bob), "--annotator", "bob", "--store", db]) == 0
    capsys.readouterr()

    # Agreement: 6 spans matched, alice has 2 more, bob 1: F1 = 12 / 15.
    assert run(["agree", "--store", db, "--json"]) == 0
    (pair,) = json.loads(capsys.readouterr().out)["pairs"]
    assert (pair["documents"], pair["entities"]["f1"]) == (4, 0.8)
    assert pair["entities"]["relaxed_f1"] == pytest.approx(14 / 15, abs=1e-4)

    # Review: the two documents with a disagreement come first; take alice's versions.
    app = build_review_app(store_path=Path(db), reviewer="rita", tokenize=blank_tokenizer())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        for _ in DOCUMENTS:
            while screen.review.unresolved():
                await pilot.press("1")
            await pilot.press("enter")
        answers = app.session.store.answers("rita", app.session.hashes)
        assert list(answers.values()) == ["accept"] * 4

    gold = tmp_path / "gold.jsonl"
    assert run(["export", "--annotator", "rita", "--store", db, "-o", str(gold)]) == 0
    records = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 4
    for record in records:
        assert record_problems(record) == []
        spans = {(s["text"], s["label"]) for s in record["spans"]}
        text = record["text"]
        expected = {v for t, a, _ in DOCUMENTS if t == text for v in a}
        assert spans == expected  # alice's version everywhere
    by_text = {r["text"]: r for r in records}
    assert [v["sessions"] for v in by_text[DOCUMENTS[0][0]]["versions"]] == [["alice", "bob"]]
    assert [v["sessions"] for v in by_text[DOCUMENTS[2][0]]["versions"]] == [["alice"], ["bob"]]

    models = tmp_path / "models" / "gold"
    code = run(["train", str(gold), "--blank", "--n-steps", "2", "-o", str(models), "--json"])
    assert code == 0
    assert (models / "model-best" / "meta.json").is_file()

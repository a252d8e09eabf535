"""`annotator agree` end to end: files in, tables or JSON out, --min as a gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import run

TEXT = "Alice met Bob in Paris."
OTHER = "Tokayev visited Astana on Monday."


def _record(text: str, annotator: str, *spans: tuple[int, int, str]) -> dict[str, Any]:
    return {
        "text": text,
        "_annotator_id": annotator,
        "answer": "accept",
        "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans],
    }


def _files(tmp_path: Path) -> list[str]:
    alice = [
        _record(TEXT, "alice", (0, 5, "PERSON"), (10, 13, "PERSON"), (17, 22, "GPE")),
        _record(OTHER, "alice", (0, 7, "PERSON"), (16, 22, "GPE")),
    ]
    bob = [
        _record(TEXT, "bob", (0, 5, "PERSON"), (10, 13, "ORG"), (17, 22, "GPE")),
        _record(OTHER, "bob", (0, 7, "PERSON"), (16, 22, "GPE")),
    ]
    paths = []
    for name, records in (("alice", alice), ("bob", bob)):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_agree_json_has_the_pairs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["agree", *_files(tmp_path), "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    (pair,) = result["pairs"]
    assert (pair["a"], pair["b"], pair["documents"]) == ("alice", "bob", 2)
    entities = pair["entities"]
    # 4 of 5 spans agree: F1 = 8 / 10.
    assert (entities["matched"], entities["only_a"], entities["only_b"]) == (4, 1, 1)
    assert entities["f1"] == 0.8
    assert entities["per_label"]["GPE"]["f1"] == 1.0
    assert entities["per_label"]["ORG"]["f1"] == 0.0
    assert [d["f1"] for d in result["per_document"]] == [pytest.approx(4 / 6, abs=1e-4), 1.0]


def test_agree_prints_the_matrix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["agree", *_files(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "entity F1 (exact)" in printed
    assert "0.800" in printed
    assert "Alice met Bob in Paris." in printed  # the least agreed document is listed


def test_agree_min_gates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = _files(tmp_path)
    assert run(["agree", *files, "--min", "0.8"]) == 0
    assert run(["agree", *files, "--min", "0.9", "--json"]) == 1
    assert "alice and bob: entity F1 0.800 is below 0.9" in capsys.readouterr().err


def test_agree_needs_two_annotators(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["agree", _files(tmp_path)[0]])
    assert code == 2
    assert "needs finished work of two annotators or more (found: alice)" in (
        capsys.readouterr().err
    )


def test_agree_leaves_reviewers_out_of_store_and_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator.core.review_session import ReviewSession, review_queue
    from annotator.core.store import open_store
    from annotator.nlp.pipeline import blank_tokenizer

    db = str(tmp_path / "team.sqlite")
    assert run(["import", *_files(tmp_path), "--store", db]) == 0
    store = open_store(db)
    try:  # Rita reviews both documents: Bob's ORG on the first, everything else agreed.
        hashes, names = review_queue(store, "rita", blank_tokenizer())
        session = ReviewSession(store, "rita", hashes, names, blank_tokenizer())
        for _ in hashes:
            for unit in session.unresolved():
                session.take(unit, 2)
            session.finish()
    finally:
        store.close()
    gold = tmp_path / "rita.jsonl"
    assert run(["export", "--store", db, "--annotator", "rita", "-o", str(gold)]) == 0
    capsys.readouterr()

    def annotators(*args: str) -> list[str]:
        assert run(["agree", *args, "--json"]) == 0
        return list(json.loads(capsys.readouterr().out)["annotators"])

    assert annotators("--store", db) == ["alice", "bob"]
    assert annotators("--store", db, "--include-reviewers") == ["alice", "bob", "rita"]
    files = [*_files(tmp_path), str(gold)]  # the gold records carry `versions`
    assert annotators(*files) == ["alice", "bob"]
    assert annotators(*files, "--include-reviewers") == ["alice", "bob", "rita"]

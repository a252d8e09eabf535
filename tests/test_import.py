"""`annotator import`: finished annotations into the store as an annotator's answered documents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import run
from annotator.core import importing
from annotator.core.importing import import_annotations
from annotator.core.store import SQLiteStore, open_store
from annotator.errors import InputError, StoreError
from annotator.nlp.pipeline import blank_tokenizer
from tests.conftest import NewLocation

FORMATS = Path(__file__).parent / "formats"
TEXT = "Alice met Bob in Paris."


def _write(path: Path, *records: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _prodigy(annotator: str | None, *spans: tuple[int, int, str]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "text": TEXT,
        "answer": "accept",
        "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans],
    }
    if annotator:
        record["_annotator_id"] = annotator
    return record


def test_import_makes_answered_documents_of_each_annotator(
    store: SQLiteStore, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "team.jsonl",
        _prodigy("alice", (0, 5, "PERSON"), (17, 22, "GPE")),
        _prodigy("bob", (0, 5, "PERSON")),
    )
    summary = import_annotations(store, [path], blank_tokenizer())
    assert summary.imported == {"alice": 1, "bob": 1}
    assert store.annotators() == ["alice", "bob"]
    (alice,) = list(store.iter_annotated("alice", False))
    assert alice.state.answer == "accept"
    assert [(s.text, s.label, s.status) for s in alice.state.spans] == [
        ("Alice", "PERSON", "accepted"),
        ("Paris", "GPE", "accepted"),
    ]
    (bob,) = list(store.iter_annotated("bob", False))
    assert [s.text for s in bob.state.spans] == ["Alice"]
    # The event log holds the import: replaying it rebuilds the state.
    assert store.replay("alice", alice.document.input_hash) == alice.state
    # Nobody else inherits the annotations.
    assert store.state("carol", alice.document.input_hash).spans == ()


def test_import_again_changes_nothing(store: SQLiteStore, tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", _prodigy("alice", (0, 5, "PERSON")))
    import_annotations(store, [path], blank_tokenizer())
    again = import_annotations(store, [path], blank_tokenizer())
    assert (again.total, again.unchanged) == (0, 1)


def test_annotator_option_overrides_and_is_needed_without_id(
    store: SQLiteStore, tmp_path: Path
) -> None:
    path = _write(tmp_path / "a.jsonl", _prodigy("alice"), _prodigy(None, (0, 5, "PERSON")))
    with pytest.raises(InputError, match=r"a.jsonl:2: the record has no _annotator_id"):
        import_annotations(store, [path], blank_tokenizer())
    assert store.annotators() == []  # the good first line was not imported either
    summary = import_annotations(store, [path], blank_tokenizer(), annotator="dana")
    assert summary.imported == {"dana": 2}  # two records of one text: the later one wins
    (dana,) = list(store.iter_annotated("dana", False))
    assert [s.text for s in dana.state.spans] == ["Alice"]


def test_a_bad_file_imports_nothing(store: SQLiteStore, tmp_path: Path) -> None:
    good = _write(tmp_path / "good.jsonl", _prodigy("alice", (0, 5, "PERSON")))
    bad = _write(tmp_path / "bad.jsonl", _prodigy("bob", (1, 5, "PERSON")))
    with pytest.raises(InputError, match=r"bad.jsonl:1: span 0 .* does not fall on token"):
        import_annotations(store, [good, bad], blank_tokenizer())
    assert store.annotators() == []


def test_prodigy_and_doccano_files_import(store: SQLiteStore, tmp_path: Path) -> None:
    prodigy = import_annotations(
        store, [FORMATS / "prodigy_ner_manual_tweets.jsonl"], blank_tokenizer(), "prodigy"
    )
    doccano = import_annotations(
        store, [FORMATS / "doccano_labeling.jsonl"], blank_tokenizer(), "doccano"
    )
    assert prodigy.total > 400  # duplicates of a text count once
    assert doccano.imported == {"doccano": 2}
    answers = [a.state.answer for a in store.iter_annotated("prodigy", False)]
    assert {"accept", "ignore"} <= set(answers)
    (first, _) = list(store.iter_annotated("doccano", False))
    assert first.state.answer == "accept" and first.state.spans


def test_import_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "a.jsonl", _prodigy("alice", (0, 5, "PERSON")))
    db = tmp_path / "s.sqlite"
    assert run(["import", str(path), "--store", str(db)]) == 0
    assert "imported 1 document(s): alice 1" in capsys.readouterr().out
    broken = tmp_path / "broken.jsonl"
    shutil.copy(path, broken)
    with broken.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    assert run(["import", str(broken), "--store", str(db)]) == 2
    assert "broken.jsonl:2: not valid JSON" in capsys.readouterr().err


def test_agree_reads_every_annotator_of_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(
        tmp_path / "team.jsonl",
        _prodigy("alice", (0, 5, "PERSON"), (10, 13, "PERSON")),
        _prodigy("bob", (0, 5, "PERSON"), (10, 13, "ORG")),
    )
    db = str(tmp_path / "s.sqlite")
    assert run(["import", str(path), "--store", db]) == 0
    capsys.readouterr()
    assert run(["agree", "--store", db, "--json"]) == 0
    (pair,) = json.loads(capsys.readouterr().out)["pairs"]
    assert (pair["a"], pair["b"], pair["documents"]) == ("alice", "bob", 1)
    assert pair["entities"]["f1"] == 0.5


def _numbered(count: int) -> list[dict[str, Any]]:
    texts = [f"Alice met Bob in Paris on day {n}." for n in range(count)]
    return [
        {"text": t, "_annotator_id": "alice", "spans": [{"start": 0, "end": 5, "label": "PERSON"}]}
        for t in texts
    ]


def test_import_writes_in_batches_each_all_or_nothing(
    new_location: NewLocation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Seven documents in batches of three; the disk fails on the fifth document's write.
    path = _write(tmp_path / "many.jsonl", *_numbered(7))
    monkeypatch.setattr(importing, "BATCH_SIZE", 3)
    store = open_store(new_location())
    try:
        real_log, calls = store._log, []

        def failing_log(*args: Any, **kwargs: Any) -> None:
            calls.append(args[3])
            if len(calls) == 5:
                raise StoreError("the disk is full")
            real_log(*args, **kwargs)

        monkeypatch.setattr(store, "_log", failing_log)
        with pytest.raises(StoreError):
            import_annotations(store, [path], blank_tokenizer())
        answers = store.answers("alice", calls)
        # The first batch landed whole; of the second, nothing (not even the fourth document).
        assert [answers.get(h) for h in calls] == ["accept"] * 3 + [None] * 2
        monkeypatch.setattr(store, "_log", real_log)
        summary = import_annotations(store, [path], blank_tokenizer())
        assert (summary.total, summary.unchanged) == (4, 3)
        finished = [d for d in store.iter_annotated("alice", False) if d.state.answer == "accept"]
        assert len(finished) == 7
    finally:
        store.close()


def test_a_record_repeated_in_one_import_changes_what_the_first_left(
    store: SQLiteStore, tmp_path: Path
) -> None:
    first = _prodigy("alice", (0, 5, "PERSON"))
    second = _prodigy("alice", (0, 5, "PERSON"), (17, 22, "GPE"))
    path = _write(tmp_path / "twice.jsonl", first, second, second)
    summary = import_annotations(store, [path], blank_tokenizer())
    assert (summary.total, summary.unchanged) == (2, 1)
    (document,) = list(store.iter_annotated("alice", False))
    assert [s.label for s in document.state.spans] == ["PERSON", "GPE"]
    assert len(store.history("alice", document.document.input_hash)) == 2

"""Export: valid records, a round trip that changes nothing, atomic writes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import run
from annotator.core.commands import (
    AddSpan,
    CreateStance,
    EditContext,
    Reject,
    Relabel,
    SetAnswer,
    SetStanceRole,
)
from annotator.core.export import export_jsonl, export_records
from annotator.core.files import write_atomically
from annotator.core.schema import record_problems
from annotator.core.store import SQLiteStore
from annotator.errors import AnnotatorError
from annotator.nlp.pipeline import suggest_missing
from annotator.workflow import import_corpus
from tests.conftest import REPO, SEEDS


@pytest.fixture
def annotated_store(tmp_path: Path, nlp: Any) -> SQLiteStore:
    """The seed article with a rejection, a relabel, an added span, a stance, finished."""
    store = SQLiteStore(tmp_path / "s.sqlite")
    (doc,) = import_corpus(store, [SEEDS]).hashes
    suggest_missing(store, [doc], lambda: nlp)
    document = store.document(doc)
    context = EditContext.of(document.text, document.tokens)
    state = store.state("alice", doc)
    relabelled = next(s for s in state.spans if s.label == "GPE")
    state = store.apply("alice", doc, Relabel(relabelled.id, "NORP").plan(state, context))
    rejected = next(s for s in state.spans if s.label == "PERSON")
    state = store.apply("alice", doc, Reject(rejected.id).plan(state, context))
    phrase = document.text.index("artificial intelligence")
    first = context.index.token_at(phrase)
    assert first is not None
    state = store.apply("alice", doc, AddSpan(first, first + 1, "PRODUCT").plan(state, context))
    clause = "Kazakhstan firmly adheres to the one-China principle"
    start = document.text.index(clause)
    state = store.apply(
        "alice", doc, CreateStance(start, start + len(clause), "FAVOR").plan(state, context)
    )
    stance_id = next(s.id for s in state.stances if s.source == "manual")
    state = store.apply(
        "alice", doc, SetStanceRole(stance_id, "holder", start, start + 10).plan(state, context)
    )
    store.apply("alice", doc, SetAnswer("accept").plan(state, context))
    return store


def test_export_contains_the_decisions(annotated_store: SQLiteStore) -> None:
    (record,) = list(export_records(annotated_store, "alice"))
    assert record_problems(record) == []
    assert record["answer"] == "accept"
    assert record["_annotator_id"] == "alice"
    assert {s["status"] for s in record["spans"]} <= {"accepted", "edited", "added"}
    assert [s["label"] for s in record["rejected_spans"]] == ["PERSON"]
    edited = [s for s in record["spans"] if s["status"] == "edited"]
    assert [s["label"] for s in edited] == ["NORP"]
    added = [s for s in record["spans"] if s["status"] == "added"]
    assert [(s["text"], s["label"], s["source"]) for s in added] == [
        ("artificial intelligence", "PRODUCT", "manual")
    ]
    (stance,) = [s for s in record["stances"] if s["source"] == "manual"]
    assert stance["holder"]["text"] == "Kazakhstan" and stance["label"] == "FAVOR"


def test_only_finished_documents_by_default(tmp_path: Path, nlp: Any) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite")
    hashes = import_corpus(store, [SEEDS]).hashes
    suggest_missing(store, hashes, lambda: nlp)
    assert list(export_records(store, "alice")) == []
    (record,) = list(export_records(store, "alice", include_unfinished=True))
    assert "answer" not in record
    assert {s["status"] for s in record["spans"]} == {"suggested"}


def test_exported_file_passes_validate(
    annotated_store: SQLiteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out.jsonl"
    assert export_jsonl(annotated_store, "alice", output) == 1
    assert run(["validate", str(output)]) == 0
    assert "valid" in capsys.readouterr().out


def test_export_import_export_is_the_identity(annotated_store: SQLiteStore, tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    export_jsonl(annotated_store, "alice", first, include_unfinished=True)
    store = SQLiteStore(tmp_path / "again.sqlite")
    import_corpus(store, [first])
    second = tmp_path / "second.jsonl"
    export_jsonl(store, "alice", second, include_unfinished=True)
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")


def test_failed_export_leaves_previous_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("previous export\n")

    def explode(handle: Any) -> int:
        handle.write("half a record")
        raise OSError(28, "No space left on device")

    with pytest.raises(AnnotatorError, match="previous file is unchanged"):
        write_atomically(target, explode)
    assert target.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_cli_export_writes_to_exports_folder_by_default(
    annotated_store: SQLiteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code = run(["export", "--store", str(annotated_store.path), "--annotator", "alice"])
    assert code == 0
    lines = (tmp_path / "exports" / "alice.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["answer"] == "accept"


def test_readme_example_is_a_valid_record() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Export format", 1)[1]
    example = re.search(r"```json\n(.*?)```", section, re.S)
    assert example is not None
    assert record_problems(json.loads(example.group(1))) == []


def test_fast_check_and_jsonschema_agree_on_broken_records(
    annotated_store: SQLiteStore,
) -> None:
    from annotator.core.schema import validator

    (record,) = list(export_records(annotated_store, "alice"))
    broken = [
        {**record, "spans": [{**record["spans"][0], "status": "maybe"}]},
        {**record, "tokens": [{**record["tokens"][0], "ws": "yes"}]},
        {**record, "answer": "perhaps"},
        {k: v for k, v in record.items() if k != "tokens"},
        {**record, "stances": [{**record["stances"][0], "cue": {"start": "a"}}]},
        {**record, "stances": [{**record["stances"][0], "label": "LIKE"}]},
        {**record, "_input_hash": "abc"},
    ]
    assert validator().is_valid(record)
    for bad in broken:
        assert not validator().is_valid(bad)
        assert record_problems(bad), bad


@pytest.mark.parametrize(
    "token_change",
    [{"ws": "yes"}, {"start": "0"}, {"id": -1}, {"text": None}, {"end": 1.5}],
)
def test_badly_typed_tokens_are_caught(
    annotated_store: SQLiteStore, token_change: dict[str, Any]
) -> None:
    from annotator.core.schema import validator

    (record,) = list(export_records(annotated_store, "alice"))
    bad = {**record, "tokens": [{**record["tokens"][0], **token_change}, *record["tokens"][1:]]}
    assert not validator().is_valid(bad)
    problems = record_problems(bad)
    assert problems and problems[0].startswith("tokens/0")

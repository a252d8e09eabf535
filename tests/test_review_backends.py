"""Import, agreement, review and the versions of the export on both store backends."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.core.agreement import compute_agreement
from annotator.core.agreement_input import store_annotations
from annotator.core.export import export_records
from annotator.core.importing import import_annotations
from annotator.core.review_session import ReviewSession, review_queue
from annotator.core.store import open_store
from annotator.nlp.pipeline import blank_tokenizer
from tests.conftest import NewLocation

TEXT = "President Joe Biden met Wang Yi in Beijing."


def test_the_review_loop_on_each_backend(new_location: NewLocation, tmp_path: Path) -> None:
    spans = {
        "alice": [(10, 19, "PERSON"), (35, 42, "GPE")],
        "bob": [(10, 19, "PERSON"), (35, 42, "GPE")],
        "carol": [(0, 19, "PERSON"), (35, 42, "GPE")],
    }
    path = tmp_path / "team.jsonl"
    path.write_text(
        "".join(
            json.dumps(
                {
                    "text": TEXT,
                    "_annotator_id": name,
                    "answer": "accept",
                    "spans": [{"start": s, "end": e, "label": x} for s, e, x in given],
                }
            )
            + "\n"
            for name, given in spans.items()
        ),
        encoding="utf-8",
    )
    tokenize = blank_tokenizer()
    store = open_store(new_location())
    try:
        assert import_annotations(store, [path], tokenize).total == 3
        agreement = compute_agreement(store_annotations(store, store.annotators(), tokenize))
        assert agreement.pair("alice", "bob").entities.exact.f1 == 1.0
        assert agreement.pair("alice", "carol").entities.exact.f1 == 0.5
        hashes, names = review_queue(store, "rita", tokenize)
        session = ReviewSession(store, "rita", hashes, names, tokenize)
        (unit,) = session.unresolved()
        session.take_majority(unit)
        session.finish()
        (record,) = list(export_records(store, "rita"))
        assert [(s["text"], s["label"]) for s in record["spans"]] == [
            ("Joe Biden", "PERSON"),
            ("Beijing", "GPE"),
        ]
        assert [v["sessions"] for v in record["versions"]] == [["alice", "bob"], ["carol"]]
    finally:
        store.close()

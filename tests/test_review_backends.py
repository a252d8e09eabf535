"""Import, agreement, review and the versions of the export on both store backends."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.core.agreement import compute_agreement
from annotator.core.agreement_input import store_annotations
from annotator.core.corpus import input_hash
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


def test_agree_leaves_a_reviewers_gold_out_unless_asked(
    new_location: NewLocation, tmp_path: Path
) -> None:
    # Alice and Bob disagree on the only entity, so the review merges nothing before Rita
    # takes Alice's version; Rita also annotated a second document herself, as anyone.
    other = "Wang Yi visited Astana."
    given = [
        (TEXT, "alice", 10, 19, "PERSON"),
        (TEXT, "bob", 10, 19, "ORG"),
        (other, "alice", 0, 7, "PERSON"),
        (other, "rita", 16, 22, "GPE"),
    ]
    records = [
        {"text": t, "_annotator_id": name, "spans": [{"start": s, "end": e, "label": label}]}
        for t, name, s, e, label in given
    ]
    path = tmp_path / "team.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    tokenize = blank_tokenizer()
    store = open_store(new_location())
    try:
        import_annotations(store, [path], tokenize)
        hashes, names = review_queue(store, "rita", tokenize)
        session = ReviewSession(store, "rita", hashes, names, tokenize)
        (unit,) = session.unresolved()
        session.take(unit, 1)
        session.finish()
        names_all = store.annotators()
        agreement = compute_agreement(store_annotations(store, names_all, tokenize))
        assert [(p.a, p.b, p.documents) for p in agreement.pairs] == [
            ("alice", "bob", 1),
            ("alice", "rita", 1),  # only the document Rita annotated, not the one she reviewed
            ("bob", "rita", 0),
        ]
        with_gold = compute_agreement(store_annotations(store, names_all, tokenize, True))
        assert with_gold.pair("alice", "rita").documents == 2
        assert with_gold.pair("bob", "rita").entities.exact.f1 == 0.0
        # A second reviewer of the first document sees Alice's and Bob's versions, not Rita's
        # gold as a third (Rita's own work on the other document is queued as anyone's).
        hashes, names = review_queue(store, "sam", tokenize)
        assert (len(hashes), names) == (2, ["alice", "bob", "rita"])
        second = ReviewSession(store, "sam", [input_hash(TEXT)], names, tokenize)
        assert sorted(second.versions) == ["alice", "bob"]
    finally:
        store.close()

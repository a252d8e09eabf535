"""export --format spacy: DocBin files that hold exactly what the JSONL export holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from spacy.tokens import Doc

from annotator.cli import run
from annotator.core.corpus import input_hash
from annotator.core.store import SQLiteStore
from annotator.errors import AnnotatorError, InputError
from annotator.training.docbin import (
    INCORRECT_SPANS_KEY,
    REJECTED_STANCES_KEY,
    ROLE_KEYS,
    STANCE_KEY,
    export_docbins_from_file,
    read_docbin,
    read_export,
    training_docs,
)
from annotator.workflow import import_corpus
from tests.training.gadget_corpus import Slot, gadget_records, make_record, write_jsonl


def _ref(text: str, part: str, after: int = 0) -> dict[str, Any]:
    start = text.index(part, after)
    return {"start": start, "end": start + len(part), "text": part}


def _foreign_record() -> dict[str, Any]:
    """A record as another tool writes it: tokens without whitespace tokens, a paragraph
    break and a double space between tokens, a rejected suggestion, a rejected stance and
    stance roles that do not end on token boundaries."""
    text = "Nimbulator sales soared.\n\nCritics  hate the Nimbulator, Lena said."
    words = [
        "Nimbulator",
        "sales",
        "soared",
        ".",
        "Critics",
        "hate",
        "the",
        "Nimbulator",
        ",",
        "Lena",
        "said",
        ".",
    ]
    tokens, position = [], 0
    for number, word in enumerate(words):
        start = text.index(word, position)
        position = start + len(word)
        tokens.append(
            {
                "text": word,
                "start": start,
                "end": position,
                "id": number,
                "ws": text[position : position + 1] == " ",
            }
        )
    second = text.index("Nimbulator", 1)
    return {
        "text": text,
        "meta": {"source": "hand-made"},
        "_input_hash": input_hash(text),
        "tokens": tokens,
        "spans": [
            {"start": 0, "end": 10, "label": "GADGET", "status": "accepted"},
            {"start": second, "end": second + 10, "label": "GADGET", "status": "edited"},
        ],
        "rejected_spans": [
            {
                "start": text.index("Lena"),
                "end": text.index("Lena") + 4,
                "label": "ORG",
                "status": "rejected",
            },
            # the same span and label as a final one: contradictory, so no negative example
            {"start": 0, "end": 10, "label": "GADGET", "status": "rejected"},
        ],
        "stances": [
            {
                "id": "t0",
                "label": "AGAINST",
                "evidence": _ref(text, "Critics  hate the Nimbulator"),
                "cue": _ref(text, "hate"),
                "holder": _ref(text, "Critics"),
                "speaker": _ref(text, "Lena"),
                "target": _ref(text, "the Nimbul"),  # ends inside a token: widened
                "negated": False,
                "source": "manual",
                "status": "added",
            }
        ],
        "rejected_stances": [
            {
                "id": "t1",
                "label": "FAVOR",
                "evidence": _ref(text, "Nimbulator sales soared"),
                "cue": None,
                "holder": None,
                "speaker": None,
                "target": None,
                "negated": False,
                "source": "model",
                "status": "rejected",
            }
        ],
        "answer": "accept",
        "_annotator_id": "tester",
        "_timestamp": 1,
    }


def _spans(group: Any) -> list[tuple[int, int, str]]:
    return sorted((s.start_char, s.end_char, s.label_) for s in group)


def _check_doc_against_record(doc: Doc, record: dict[str, Any]) -> None:
    text = record["text"]
    assert doc.text == text
    by_start = {t.idx: t for t in doc}
    for token in record["tokens"]:
        spacy_token = by_start[token["start"]]
        assert spacy_token.text == token["text"]
        assert spacy_token.idx + len(spacy_token) == token["end"]
    assert _spans(doc.ents) == sorted((s["start"], s["end"], s["label"]) for s in record["spans"])
    gold = {(s["start"], s["end"], s["label"]) for s in record["spans"]}
    assert _spans(doc.spans.get(INCORRECT_SPANS_KEY, [])) == sorted(
        (s["start"], s["end"], s["label"])
        for s in record["rejected_spans"]
        if (s["start"], s["end"], s["label"]) not in gold
    )
    # Every token outside the final entities is known to be outside: "O", not missing.
    assert all(t.ent_iob_ in ("B", "I", "O") for t in doc)
    stances = record["stances"]
    assert _spans(doc.spans.get(STANCE_KEY, [])) == sorted(
        (s["evidence"]["start"], s["evidence"]["end"], s["label"]) for s in stances
    )
    for role, key in ROLE_KEYS.items():
        expected = []
        for stance in stances:
            ref = stance[role]
            if ref is None:
                continue
            span = doc.char_span(ref["start"], ref["end"], alignment_mode="expand")
            assert span is not None
            expected.append((span.start_char, span.end_char, stance["label"]))
        assert _spans(doc.spans.get(key, [])) == sorted(expected), role
    assert _spans(doc.spans.get(REJECTED_STANCES_KEY, [])) == sorted(
        (s["evidence"]["start"], s["evidence"]["end"], s["label"])
        for s in record.get("rejected_stances", [])
    )
    links = doc.user_data["stances"]
    assert [(s["label"], s["evidence"], s["holder"], s["target"]) for s in links] == [
        (s["label"], s["evidence"], s["holder"], s["target"]) for s in stances
    ]


def test_docbin_export_matches_the_jsonl_field_by_field(tmp_path: Path) -> None:
    records = [*gadget_records(9), _foreign_record()]
    export = write_jsonl(records, tmp_path / "export.jsonl")
    written = export_docbins_from_file(export, tmp_path / "corpus", dev_fraction=0.3, seed=1)

    docs = read_docbin(written.train_path) + read_docbin(written.dev_path)
    assert (written.train_count, written.dev_count) == (7, 3)
    by_hash = {doc.user_data["input_hash"]: doc for doc in docs}
    assert len(by_hash) == len(records)
    for record in records:
        _check_doc_against_record(by_hash[record["_input_hash"]], record)


def test_whitespace_between_foreign_tokens_keeps_every_offset(tmp_path: Path) -> None:
    record = _foreign_record()
    export = write_jsonl([record, *gadget_records(1)], tmp_path / "export.jsonl")
    split = training_docs(read_export(export), dev_fraction=0.5)
    doc = next(d for d in split.train + split.dev if "\n\n" in d.text)
    second = record["text"].index("Nimbulator", 1)
    entity = next(e for e in doc.ents if e.start_char == second)
    assert entity.text == "Nimbulator"
    assert [t.text for t in doc if t.is_space] == ["\n\n", " "]


def test_only_accepted_records_are_training_data(tmp_path: Path) -> None:
    accepted = gadget_records(4)
    others = [
        make_record([Slot("The "), Slot("Zorbix", "gadget"), Slot(" is late.")], None, "ignore"),
        make_record([Slot("A "), Slot("Quillet", "gadget"), Slot(" fell.")], None, "reject"),
        {"text": "Nothing decided here yet."},
    ]
    export = write_jsonl(accepted + others, tmp_path / "export.jsonl")
    split = training_docs(read_export(export), dev_fraction=0.25)
    texts = {doc.text for doc in split.train + split.dev}
    assert texts == {r["text"] for r in accepted}
    assert split.skipped == {"ignore": 1, "reject": 1, "unfinished": 1}


def test_split_is_seeded_and_independent_of_record_order(tmp_path: Path) -> None:
    records = gadget_records(20)
    forward = read_export(write_jsonl(records, tmp_path / "forward.jsonl"))
    backward = read_export(write_jsonl(records[::-1], tmp_path / "backward.jsonl"))

    def dev_texts(parsed: Any, seed: int) -> set[str]:
        return {doc.text for doc in training_docs(parsed, 0.25, seed).dev}

    assert dev_texts(forward, 3) == dev_texts(backward, 3)
    assert len(dev_texts(forward, 3)) == 5
    assert any(dev_texts(forward, 3) != dev_texts(forward, seed) for seed in range(4, 8))


def test_empty_export_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty.jsonl: holds no records"):
        export_docbins_from_file(empty, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_bad_json_line_is_an_error_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(gadget_records(1)[0]) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:2: not valid JSON"):
        export_docbins_from_file(bad, tmp_path / "out")


def test_span_off_token_boundaries_is_an_error_naming_the_line(tmp_path: Path) -> None:
    record = gadget_records(1)[0]
    record["spans"][0]["start"] += 1
    record["spans"][0].pop("text")
    bad = write_jsonl([gadget_records(2)[1], record], tmp_path / "bad.jsonl")
    with pytest.raises(InputError, match=r"bad.jsonl:2: span 0 .* token boundaries"):
        export_docbins_from_file(bad, tmp_path / "out")


def test_fewer_than_two_accepted_documents_is_an_error(tmp_path: Path) -> None:
    lonely = write_jsonl(gadget_records(1), tmp_path / "one.jsonl")
    with pytest.raises(AnnotatorError, match="1 accepted document.*at least 2"):
        export_docbins_from_file(lonely, tmp_path / "out")


def test_not_a_docbin_is_an_error(tmp_path: Path) -> None:
    fake = tmp_path / "train.spacy"
    fake.write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match="is not a spaCy DocBin"):
        read_docbin(fake)


def test_export_format_spacy_writes_train_and_dev_from_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = gadget_records(10)
    store_path = tmp_path / "store.sqlite"
    store = SQLiteStore(store_path)
    import_corpus(store, [write_jsonl(records, tmp_path / "annotated.jsonl")])
    store.close()
    out = tmp_path / "spacy"
    code = run(
        [
            "export",
            "--format",
            "spacy",
            "-o",
            str(out),
            "--dev-fraction",
            "0.2",
            "--seed",
            "5",
            "--store",
            str(store_path),
            "--annotator",
            "tester",
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert "8 documents to" in capsys.readouterr().err
    docs = read_docbin(out / "train.spacy") + read_docbin(out / "dev.spacy")
    assert len(read_docbin(out / "dev.spacy")) == 2
    assert sorted(doc.text for doc in docs) == sorted(r["text"] for r in records)
    by_text = {r["text"]: r for r in records}
    for doc in docs:
        assert _spans(doc.ents) == sorted(
            (s["start"], s["end"], s["label"]) for s in by_text[doc.text]["spans"]
        )


def test_export_format_spacy_with_nothing_finished_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    SQLiteStore(tmp_path / "empty.sqlite").close()  # export reads a store, never creates one
    code = run(
        [
            "export",
            "--format",
            "spacy",
            "-o",
            str(tmp_path / "spacy"),
            "--store",
            str(tmp_path / "empty.sqlite"),
            "--annotator",
            "nobody",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "0 accepted document(s)" in err and "Traceback" not in err

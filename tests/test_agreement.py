"""Agreement figures on small hand-made cases whose answers are worked out by hand below."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from annotator.core import agreement_input
from annotator.core.agreement import Annotation, compute_agreement
from annotator.core.agreement_figures import cohen_kappa, nominal_alpha
from annotator.core.agreement_input import read_annotations
from annotator.core.agreement_matching import TokenEdges, overlap_matches
from annotator.core.corpus import input_hash
from annotator.core.evaluate import StanceItem
from annotator.core.model import TextRef
from annotator.errors import InputError
from annotator.nlp.pipeline import blank_tokenizer

SENTENCE = "Alice met Bob in Paris ."
TITLED = "President Joe Biden spoke ."


def doc(text: str, *entities: tuple[str, str], stances: tuple[StanceItem, ...] = ()) -> Annotation:
    """An annotation of `text` (tokens split on spaces) with entities given as (words, label)."""
    tokens, position = [], 0
    for word in text.split(" "):
        tokens.append((position, position + len(word)))
        position += len(word) + 1
    spans = []
    for words, label in entities:
        start = text.index(words)
        spans.append((start, start + len(words), label))
    return Annotation(
        key=input_hash(text),
        text=text,
        title=text,
        tokens=TokenEdges.of(tokens),
        entities=tuple(sorted(spans)),
        stances=stances,
    )


FULL = doc(SENTENCE, ("Alice", "PERSON"), ("Bob", "PERSON"), ("Paris", "GPE"))


def test_identical_annotations_agree_fully() -> None:
    result = compute_agreement({"alice": [FULL], "bob": [FULL]})
    pair = result.pair("alice", "bob")
    assert pair.documents == 1
    assert (pair.entities.exact.matched, pair.entities.exact.only_a) == (3, 0)
    assert pair.entities.exact.f1 == 1.0
    assert pair.entities.relaxed.f1 == 1.0
    assert pair.entities.kappa == 1.0
    assert pair.entities.per_label["PERSON"].kappa == 1.0
    assert result.alpha == pytest.approx(1.0)


def test_disjoint_annotations() -> None:
    # Tokens: Alice met Bob in Paris . -> A: P O O O O O, B: O O O O G O.
    a = doc(SENTENCE, ("Alice", "PERSON"))
    b = doc(SENTENCE, ("Paris", "GPE"))
    result = compute_agreement({"a": [a], "b": [b]})
    entities = result.pair("a", "b").entities
    assert (entities.exact.matched, entities.exact.only_a, entities.exact.only_b) == (0, 1, 1)
    assert entities.exact.f1 == 0.0
    assert entities.relaxed.f1 == 0.0
    # po = 4/6, pe = 5/6 * 5/6 = 25/36: kappa = (24/36 - 25/36) / (11/36) = -1/11
    assert entities.kappa == pytest.approx(-1 / 11)
    # Coincidences: o(P,O) = o(O,P) = o(O,G) = o(G,O) = 1, o(O,O) = 8; n = 12, n_O = 10.
    # D_o = 4/12, D_e = (144 - 100 - 1 - 1) / (12 * 11) = 42/132: alpha = 1 - 44/42.
    assert result.alpha == pytest.approx(1 - 44 / 42)


def test_one_relabel() -> None:
    b = doc(SENTENCE, ("Alice", "PERSON"), ("Bob", "ORG"), ("Paris", "GPE"))
    entities = compute_agreement({"a": [FULL], "b": [b]}).pair("a", "b").entities
    assert (entities.exact.matched, entities.exact.only_a, entities.exact.only_b) == (2, 1, 1)
    assert entities.exact.f1 == pytest.approx(4 / 6)
    assert entities.relaxed.f1 == pytest.approx(4 / 6)  # relaxed F1 still wants the label
    assert entities.unlabelled.f1 == 1.0
    person = entities.per_label["PERSON"]
    assert (person.exact.matched, person.exact.only_a, person.exact.only_b) == (1, 1, 0)
    assert entities.per_label["ORG"].exact.f1 == 0.0
    # A: P O P O G O, B: P O R O G O. po = 5/6, pe = (2*1 + 3*3 + 1*1)/36 = 12/36.
    assert entities.kappa == pytest.approx((30 / 36 - 12 / 36) / (24 / 36))
    # PERSON or not: (T,T)=1 (T,F)=1 (F,F)=4: po = 5/6, pe = (2*1 + 4*5)/36 = 22/36.
    assert person.kappa == pytest.approx(8 / 14)


def test_one_boundary_shift() -> None:
    a = doc(TITLED, ("Joe Biden", "PERSON"))
    b = doc(TITLED, ("President Joe Biden", "PERSON"))
    entities = compute_agreement({"a": [a], "b": [b]}).pair("a", "b").entities
    assert entities.exact.f1 == 0.0
    assert (entities.relaxed.matched, entities.relaxed.f1) == (1, 1.0)
    # A: O P P O O, B: P P P O O. po = 4/5, pe = (3*2 + 2*3)/25 = 12/25: kappa = 8/13.
    assert entities.kappa == pytest.approx(8 / 13)


def test_missing_documents_are_counted_not_compared() -> None:
    other = doc(TITLED, ("Joe Biden", "PERSON"))
    third = doc("Tokayev visited Astana .", ("Tokayev", "PERSON"))
    result = compute_agreement({"a": [FULL, other], "b": [FULL, third]})
    pair = result.pair("a", "b")
    assert (pair.documents, pair.only_in_a, pair.only_in_b) == (1, 1, 1)
    assert pair.entities.exact.f1 == 1.0
    assert len(result.documents) == 1


def test_documents_listed_lowest_agreement_first() -> None:
    low = doc(TITLED, ("Joe Biden", "PERSON"))
    shifted = doc(TITLED, ("President Joe Biden", "PERSON"))
    result = compute_agreement({"a": [FULL, low], "b": [FULL, shifted]})
    assert [d.title for d in result.documents] == [TITLED, SENTENCE]
    assert [d.lowest for d in result.documents] == [0.0, 1.0]


def test_three_annotators_give_three_pairs() -> None:
    relabel = doc(SENTENCE, ("Alice", "PERSON"), ("Bob", "ORG"), ("Paris", "GPE"))
    result = compute_agreement({"c": [relabel], "a": [FULL], "b": [FULL]})
    assert [(p.a, p.b) for p in result.pairs] == [("a", "b"), ("a", "c"), ("b", "c")]
    assert result.pair("a", "b").entities.exact.f1 == 1.0
    assert result.pair("b", "c").entities.exact.f1 == pytest.approx(4 / 6)


def test_cohen_kappa_hand_computed_and_undefined() -> None:
    # 10 items: (x,x)=4 (x,y)=2 (y,y)=3 (y,x)=1. po = 0.7; pA x=.6 y=.4; pB x=.5 y=.5.
    confusion = {("x", "x"): 4, ("x", "y"): 2, ("y", "y"): 3, ("y", "x"): 1}
    assert cohen_kappa(confusion) == pytest.approx((0.7 - 0.5) / 0.5)
    assert cohen_kappa({("x", "x"): 5}) is None
    assert cohen_kappa({}) is None


def test_nominal_alpha_matches_the_krippendorff_package() -> None:
    import krippendorff
    import numpy as np

    rng = random.Random(7)
    values = ["O", "PERSON", "GPE"]
    coders, columns = 3, 60
    data = np.full((coders, columns), np.nan)
    units: Counter[tuple[str, ...]] = Counter()
    for column in range(columns):
        given = []
        for row in range(coders):
            if rng.random() < 0.2:
                continue  # this coder did not code this unit
            value = rng.choice(values) if rng.random() < 0.4 else "O"
            data[row, column] = values.index(value)
            given.append(value)
        units[tuple(sorted(given))] += 1
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert nominal_alpha(units) == pytest.approx(expected)
    assert nominal_alpha({("O", "O"): 5}) is None


def test_overlap_matching_is_one_to_one() -> None:
    assert overlap_matches([(0, 10)], [(0, 2), (8, 12)]) == 1
    assert overlap_matches([(0, 3), (4, 10)], [(2, 5), (9, 12)]) == 2
    assert overlap_matches([(0, 3)], [(3, 5)]) == 0


def _stance(label: str, holder: str, target: str, text: str) -> StanceItem:
    def ref(words: str) -> TextRef:
        start = text.index(words)
        return TextRef(start, start + len(words), words)

    return StanceItem(label=label, holder=ref(holder), target=ref(target))


def test_stance_polarity_kappa_and_pair_f1() -> None:
    text = "Ann backs wind , Ben opposes coal , Cy likes sun , Di hates rain ."
    frames = [("Ann", "wind"), ("Ben", "coal"), ("Cy", "sun"), ("Di", "rain")]
    labels_a = ["FAVOR", "AGAINST", "FAVOR", "AGAINST"]
    labels_b = ["FAVOR", "AGAINST", "AGAINST", "AGAINST"]
    a = doc(
        text,
        stances=tuple(_stance(x, h, t, text) for x, (h, t) in zip(labels_a, frames, strict=True)),
    )
    b = doc(
        text,
        stances=tuple(_stance(x, h, t, text) for x, (h, t) in zip(labels_b, frames, strict=True)),
    )
    stances = compute_agreement({"a": [a], "b": [b]}).pair("a", "b").stances
    assert stances.frames.f1 == 1.0
    assert (stances.labelled.matched, stances.labelled.f1) == (3, 0.75)
    # (F,F)=1 (A,A)=2 (F,A)=1: po = 3/4; pA F=.5 A=.5, pB F=.25 A=.75: pe = .5.
    assert stances.polarity_kappa == pytest.approx(0.5)
    assert stances.polarity_agreement == pytest.approx(0.75)


def test_stance_with_another_holder_is_no_frame_match() -> None:
    text = "Ann backs wind , Ben backs wind ."
    a = doc(text, stances=(_stance("FAVOR", "Ann", "wind", text),))
    b = doc(text, stances=(_stance("FAVOR", "Ben", "wind", text),))
    stances = compute_agreement({"a": [a], "b": [b]}).pair("a", "b").stances
    assert (stances.frames.matched, stances.frames.only_a, stances.frames.only_b) == (0, 1, 1)
    assert stances.polarity_kappa is None


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_files_pair_by_hash_else_by_text_and_skip_ignored(tmp_path: Path) -> None:
    text = "Alice met Bob in Paris."
    prodigy = {
        "text": text,
        "_input_hash": 42,
        "_annotator_id": "ann-1",
        "answer": "accept",
        "spans": [{"start": 0, "end": 5, "label": "PERSON"}],
    }
    ignored = {"text": "Skip me.", "answer": "ignore", "spans": []}
    doccano = {"text": text, "labels": [[0, 5, "PERSON"], [17, 22, "GPE"]]}
    first = _write(tmp_path / "p.jsonl", [prodigy, ignored])
    found = read_annotations([first, _write(tmp_path / "bob.jsonl", [doccano])], blank_tokenizer())
    assert sorted(found) == ["ann-1", "bob"]  # _annotator_id, else the file name
    pair = compute_agreement(found).pair("ann-1", "bob")
    assert pair.documents == 1
    assert (pair.entities.exact.matched, pair.entities.exact.only_b) == (1, 1)


def test_bad_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok", "spans": []}\n{"text": "x", "spans": [{"start": 0}]}\n')
    with pytest.raises(InputError, match=r"bad.jsonl:2: span 0 needs integer"):
        read_annotations([path], blank_tokenizer())


def test_lines_the_fast_decoder_refuses_are_read_by_the_standard_one(tmp_path: Path) -> None:
    # orjson refuses NaN and invalid UTF-8; json takes NaN and names the bad byte.
    first = {"text": "Alice met Bob.", "_annotator_id": "a", "spans": []}
    second = '{"text": "Bob met Alice.", "_annotator_id": "a", "spans": [], "meta": {"x": NaN}}'
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(first) + "\n" + second + "\n", encoding="utf-8")
    found = read_annotations([path], blank_tokenizer())
    assert [a.text for a in found["a"]] == ["Alice met Bob.", "Bob met Alice."]
    path.write_bytes(json.dumps(first).encode() + b"\n" + b'{"text": "\xff"}\n')
    with pytest.raises(InputError, match=r"a.jsonl:2: invalid UTF-8"):
        read_annotations([path], blank_tokenizer())


def test_bad_tokens_in_any_record_name_file_and_line(tmp_path: Path) -> None:
    # Only the first annotator's tokens are compared, but every record's tokens are checked.
    text = "Alice met Bob ."
    tokens = [
        {"text": w, "start": text.index(w), "end": text.index(w) + len(w)} for w in text.split()
    ]
    good = {"text": text, "tokens": tokens, "spans": [], "answer": "accept"}
    alice = _write(tmp_path / "alice.jsonl", [good])
    for bad, message in (
        ({**tokens[1], "start": "4"}, "token offsets must be integers"),
        ({"text": "met", "end": 9}, "a token needs text, start and end"),
    ):
        record = {**good, "tokens": [tokens[0], bad, *tokens[2:]]}
        bob = _write(tmp_path / "bob.jsonl", [good, record])
        with pytest.raises(InputError, match=rf"bob.jsonl:2: {message}"):
            read_annotations([alice, bob], blank_tokenizer())


def test_the_typed_reader_reads_as_the_dict_readers_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Tokayev met Wang Yi \n in Astana ."
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+|\n", text)]
    astana = (text.index("Astana"), text.index("Astana") + 6)
    tokens = [{"text": text[s:e], "start": s, "end": e, "id": i} for i, (s, e) in enumerate(words)]
    ref = {"start": 0, "end": 7, "text": "Tokayev"}
    record = {
        "text": text,
        "tokens": tokens,  # one of them only whitespace
        "spans": [
            {"start": 12, "end": 19, "label": "PERSON", "token_start": 2, "token_end": 3},
            {"start": 0, "end": 7, "label": "PERSON", "status": "accepted"},
            {"start": astana[0], "end": astana[1], "label": "ORG", "status": "rejected"},
        ],
        "stances": [
            {"label": "FAVOR", "holder": ref, "target": {"start": astana[0], "end": astana[1]}},
            {"label": "AGAINST", "holder": None, "target": None, "status": "rejected"},
        ],
        "meta": {"title": "A meeting", "source": "x"},
        "_input_hash": 7,
        "_annotator_id": "alice",
        "answer": "accept",
    }
    unhashed = {**record, "_input_hash": None, "_annotator_id": "bob", "meta": "not a dict"}
    gold = {**record, "_annotator_id": "rita", "versions": []}
    path = _write(tmp_path / "team.jsonl", [record, unhashed, gold, {**record, "answer": "ignore"}])
    typed = read_annotations([path], blank_tokenizer(), include_reviews=True)
    monkeypatch.setattr(agreement_input, "typed_read", lambda raw: None)
    assert read_annotations([path], blank_tokenizer(), include_reviews=True) == typed
    assert sorted(typed) == ["alice", "bob", "rita"]
    (alice,) = typed["alice"]
    assert (alice.key, alice.title, len(alice.tokens)) == (7, "A meeting", 7)
    assert alice.entities == ((0, 7, "PERSON"), (12, 19, "PERSON"))
    assert [s.label for s in alice.stances] == ["FAVOR"]

"""Fine-tuning keeps the base pipeline's labels that the export does not annotate."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan
from spacy.training import Example

from annotator.cli import run
from annotator.training.config import DEFAULT_BASE_MODEL, TrainingSettings
from annotator.training.docbin import INCORRECT_SPANS_KEY, TrainingDocs, english_vocab, read_docbin
from annotator.training.rehearsal import annotated_labels, annotated_ner_scorer, rehearse
from annotator.training.train import evaluate, train_model
from tests.training.gadget_corpus import gadget_records, write_jsonl


@pytest.fixture(scope="module")
def base() -> Any:
    """The plain base pipeline, as `annotator train` loads it."""
    return spacy.load(DEFAULT_BASE_MODEL)


def _doc(words: list[str], ents: list[tuple[int, int, str]], rejected: Any = ()) -> Doc:
    doc = Doc(english_vocab(), words=words)
    doc.ents = [SpacySpan(doc, start, end, label=label) for start, end, label in ents]
    if rejected:
        doc.spans[INCORRECT_SPANS_KEY] = [SpacySpan(doc, s, e, label=lab) for s, e, lab in rejected]
    return doc


MERKEL = ["Angela", "Merkel", "visited", "Paris", "on", "Monday", "."]
SMITH = ["Tom", "Smith", "met", "John", "Brown", "in", "London", "."]


def _ents(doc: Doc) -> list[tuple[str, str]]:
    return [(e.text, e.label_) for e in doc.ents]


def test_base_entities_of_labels_the_export_never_uses_are_added(base: Any) -> None:
    # PERSON alone is annotated: "John Brown" left out means "not a person" (or not looked
    # at), so the base's PERSON guesses are not added; its GPE and DATE guesses are.
    train = [_doc(MERKEL, [(0, 2, "PERSON")]), _doc(SMITH, [(0, 2, "PERSON")])]
    dev = [_doc(MERKEL, [(0, 2, "PERSON")])]
    split = TrainingDocs(train=train, dev=dev)
    rehearsal = rehearse(split, base)
    assert rehearsal.annotated == {"PERSON"}
    assert _ents(rehearsal.split.train[0]) == [
        ("Angela Merkel", "PERSON"),
        ("Paris", "GPE"),
        ("Monday", "DATE"),
    ]
    assert _ents(rehearsal.split.train[1]) == [("Tom Smith", "PERSON"), ("London", "GPE")]
    assert _ents(rehearsal.split.dev[0]) == [("Angela Merkel", "PERSON")], "dev stays gold"
    assert rehearsal.added == {"DATE": 1, "GPE": 2}
    assert _ents(train[0]) == [("Angela Merkel", "PERSON")], "the split itself is unchanged"


def test_a_rejected_span_is_a_decision_nothing_is_added_over(base: Any) -> None:
    # The annotator rejected ORG over "Paris": ORG counts as annotated, and the base's GPE
    # guess there is not added over that decision; "Monday" is free.
    doc = _doc(MERKEL, [(0, 2, "PERSON")], rejected=[(3, 4, "ORG")])
    assert annotated_labels([doc]) == {"PERSON", "ORG"}
    rehearsal = rehearse(TrainingDocs(train=[doc], dev=[_doc(SMITH, [(0, 2, "PERSON")])]), base)
    assert _ents(rehearsal.split.train[0]) == [("Angela Merkel", "PERSON"), ("Monday", "DATE")]


def test_dev_scores_count_only_the_annotated_labels(base: Any) -> None:
    gold = [_doc(MERKEL, [(0, 2, "PERSON")])]
    everything = evaluate(base, gold)
    annotated = evaluate(base, gold, {"PERSON"})
    assert everything.entities.precision is not None and everything.entities.precision < 1.0
    assert annotated.entities.precision == annotated.entities.recall == 1.0
    assert set(annotated.entities.per_label) == {"PERSON"}
    # The scorer the training loop uses to choose model-best counts the same way.
    examples = [Example(base(Doc(base.vocab, words=MERKEL)), gold[0])]
    assert annotated_ner_scorer({"PERSON"})(examples)["ents_p"] == 1.0


def test_fine_tuning_trains_on_the_kept_entities_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The GADGET export names people (Maria, Tom...) and days without annotating them.
    export = write_jsonl(gadget_records(12), tmp_path / "gadgets.jsonl")
    settings = TrainingSettings(max_steps=2, eval_frequency=2, seed=0)
    result = train_model(export, tmp_path / "tuned", settings, 0.25, io.StringIO())
    assert result.kept_labels.get("PERSON", 0) > 0
    train_docs = read_docbin(tmp_path / "tuned" / "corpus" / "train.spacy")
    labels = {ent.label_ for doc in train_docs for ent in doc.ents}
    assert {"GADGET", "PERSON"} <= labels
    saved = json.loads((tmp_path / "tuned" / "scores.json").read_text(encoding="utf-8"))
    assert saved["base_entities_kept"] == result.kept_labels

    target = tmp_path / "only"
    code = run(
        ["train", str(export), "--n-steps", "2", "--only-annotated-labels", "-o", str(target)]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "kept the base pipeline's labels" not in captured.err
    only_docs = read_docbin(target / "corpus" / "train.spacy")
    assert {ent.label_ for doc in only_docs for ent in doc.ents} == {"GADGET"}

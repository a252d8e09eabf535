"""Training on the data real annotation produces: labels the base pipeline lacks (CoNLL's
PER/MISC), one long article, gold entities the base parser splits, and a base that training
cannot beat."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from annotator.cli import run
from annotator.core.corpus import input_hash
from annotator.core.export import export_record
from annotator.core.model import Document, DocumentState, Span
from annotator.nlp.pipeline import blank_tokenizer
from annotator.training.config import DEFAULT_BASE_MODEL, TrainingSettings
from annotator.training.docbin import english_vocab
from annotator.training.sentences import cut, unsplit_entities
from annotator.training.train import train_model, training_notes
from tests.training.gadget_corpus import Slot, gadget_records, make_record, write_jsonl

# News sentences annotated the CoNLL-2003 way (PER, ORG, LOC, MISC), written for this test.
CONLL_STYLE = [
    (
        "Anna Kowalski met Pierre Dubois in Lyon .",
        [("Anna Kowalski", "PER"), ("Pierre Dubois", "PER"), ("Lyon", "LOC")],
    ),
    ("The Danish minister praised Volvo on Tuesday .", [("Danish", "MISC"), ("Volvo", "ORG")]),
    (
        "Rita Moreno flew from Oslo to Madrid .",
        [("Rita Moreno", "PER"), ("Oslo", "LOC"), ("Madrid", "LOC")],
    ),
    (
        "Siemens hired Karl Weber as an Austrian adviser .",
        [("Siemens", "ORG"), ("Karl Weber", "PER"), ("Austrian", "MISC")],
    ),
    ("Fans in Brazil cheered the Italian team .", [("Brazil", "LOC"), ("Italian", "MISC")]),
    (
        "Nokia and Unilever opened offices in Nairobi .",
        [("Nokia", "ORG"), ("Unilever", "ORG"), ("Nairobi", "LOC")],
    ),
]


def _record(text: str, entities: list[tuple[str, str]]) -> dict[str, Any]:
    tokens = blank_tokenizer()(text)
    spans = []
    for number, (part, label) in enumerate(entities):
        start = text.index(part)
        end = start + len(part)
        first = next(t.id for t in tokens if t.start == start)
        last = next(t.id for t in tokens if t.end == end)
        spans.append(Span(f"e{number}", start, end, first, last, label, part, "manual", "added"))
    document = Document(input_hash=input_hash(text), text=text, meta={}, tokens=tokens)
    state = DocumentState(spans=tuple(spans), answer="accept")
    return export_record(document, state, "tester", 1764575000)


def _conll_style_export(path: Path) -> Path:
    return write_jsonl([_record(text, ents) for text, ents in CONLL_STYLE], path)


def test_fine_tuning_the_default_pipeline_adds_the_labels_it_lacks(tmp_path: Path) -> None:
    export = _conll_style_export(tmp_path / "conll_style.jsonl")
    settings = TrainingSettings(max_steps=2, eval_frequency=2, seed=0)
    result = train_model(export, tmp_path / "tuned", settings, 0.34, io.StringIO())
    assert result.new_labels == ("MISC", "PER")  # ORG and LOC are OntoNotes labels too
    ner: Any = spacy.load(result.model_path).get_pipe("ner")
    assert {"PER", "MISC", "ORG", "LOC", "PERSON", "GPE"} <= set(ner.labels), "added, not swapped"
    assert "new labels for the base ner: MISC, PER" in training_notes(result)


def test_only_annotated_labels_fine_tunes_on_new_labels_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = _conll_style_export(tmp_path / "conll_style.jsonl")
    target = tmp_path / "only"
    code = run(
        [
            "train",
            str(export),
            "-o",
            str(target),
            "--only-annotated-labels",
            "--n-steps",
            "2",
            "--dev-fraction",
            "0.34",
            "--json",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err[-2000:]
    scores = json.loads((target / "scores.json").read_text(encoding="utf-8"))
    assert scores["new_labels"] == ["MISC", "PER"]
    assert scores["base_entities_kept"] == {}
    assert "Traceback" not in captured.err


def _long_article() -> dict[str, Any]:
    """One record of 40 paragraphs, each a GADGET sentence."""
    slots: list[Slot] = []
    for record in gadget_records(40):
        text = record["text"]
        spans = record["spans"]
        position = 0
        for span in spans:
            slots += [Slot(text[position : span["start"]]), Slot(span["text"], "gadget")]
            position = span["end"]
        slots += [Slot(text[position:]), Slot("\n\n")]
    return make_record(slots[:-1], None)


def test_one_long_article_trains_on_its_paragraphs_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_jsonl([_long_article()], tmp_path / "article.jsonl")
    code = run(
        [
            "train",
            str(export),
            "-o",
            str(tmp_path / "article"),
            "--blank",
            "--n-steps",
            "20",
            "--eval-frequency",
            "10",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err[-2000:]
    assert (
        "1 accepted document(s) are too few to split by document: trained on their "
        "paragraphs instead (32 train / 8 dev)" in " ".join(captured.err.split())
    )
    scores = json.loads((tmp_path / "article" / "scores.json").read_text(encoding="utf-8"))
    assert (scores["examples"], scores["accepted_documents"]) == ("paragraph", 1)
    assert spacy.load(tmp_path / "article" / "model-best").pipe_names == ["tok2vec", "ner"]


def test_cutting_a_document_keeps_every_entity_whole() -> None:
    words = ["Yahoo", "!", "Inc", "grew", ".", "\n", "Then", "Bob", "left", ".", "He", "came", "."]
    spaces = [False, True, True, False, False, False, True, True, False, True, True, False, False]
    doc = Doc(english_vocab(), words=words, spaces=spaces)
    doc.ents = [SpacySpan(doc, 0, 3, label="ORG"), SpacySpan(doc, 7, 8, label="PER")]
    paragraphs = cut(doc, "paragraph")
    assert [p.text for p in paragraphs] == ["Yahoo! Inc grew.", "Then Bob left. He came."]
    assert [[(e.text, e.label_) for e in p.ents] for p in paragraphs] == [
        [("Yahoo! Inc", "ORG")],
        [("Bob", "PER")],
    ]
    # The sentencizer starts a sentence after "!" too, but a cut there would split an entity.
    sentences = cut(doc, "sentence")
    assert [s.text for s in sentences] == ["Yahoo! Inc grew.", "Then Bob left.", "He came."]


def test_an_entity_the_parser_splits_is_left_unsupervised() -> None:
    sentences = spacy.blank("en")
    sentences.add_pipe("sentencizer")  # starts a sentence after every "."
    words = ["Yahoo", "!", "Inc", "met", "Ann", "."]
    doc = Doc(english_vocab(), words=words, spaces=[False, True, True, True, False, False])
    doc.ents = [SpacySpan(doc, 0, 3, label="ORG"), SpacySpan(doc, 4, 5, label="PER")]
    (fixed,), dropped = unsplit_entities([doc], sentences)
    assert dropped == 1
    assert [(e.text, e.label_) for e in fixed.ents] == [("Ann", "PER")]
    assert [t.ent_iob_ for t in fixed] == ["", "", "", "O", "B", "O"], "missing, not O"
    assert [(e.text, e.label_) for e in doc.ents][0] == ("Yahoo! Inc", "ORG"), "a copy"


def test_a_base_that_training_cannot_beat_is_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Gold = the base pipeline's own entities, so the base scores 1.0 on dev.
    base = spacy.load(DEFAULT_BASE_MODEL)
    texts = [text for text, _ in CONLL_STYLE]
    records = [_record(text, [(e.text, e.label_) for e in base(text).ents]) for text in texts]
    export = write_jsonl(records, tmp_path / "base_is_gold.jsonl")
    code = run(
        [
            "train",
            str(export),
            "-o",
            str(tmp_path / "same"),
            "--n-steps",
            "2",
            "--dev-fraction",
            "0.34",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err[-2000:]
    said = " ".join(captured.err.split())
    assert "model-best is in effect the untouched base model" in said
    assert "than the base pipeline's (1.000)" in said

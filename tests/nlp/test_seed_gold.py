"""The seed gold file is valid export data, and the suggester does better on it than the model."""

from __future__ import annotations

from typing import Any

from annotator.core.evaluate import evaluate_records, read_scored, scored_record
from annotator.nlp.components import COMPONENT_NAMES
from annotator.nlp.pipeline import blank_tokenizer, suggestions_from_doc
from annotator.workflow import FileValidation, validate_file
from tests.nlp.conftest import SEED_GOLD

TOKENIZE = blank_tokenizer()


def prediction(doc: Any) -> dict[str, Any]:
    _, state = suggestions_from_doc(doc, "test")
    return {
        "text": doc.text,
        "spans": [s.to_json() for s in state.spans],
        "stances": [s.to_json() for s in state.stances],
    }


def test_seed_gold_passes_annotator_validate() -> None:
    assert validate_file(SEED_GOLD) == FileValidation(problems=[])


def test_seed_gold_covers_the_seed_article(seed_text: str) -> None:
    (gold,) = read_scored(SEED_GOLD, TOKENIZE)
    assert gold.text == seed_text
    assert len(gold.stances) >= 10
    assert {label for *_, label in gold.entities} >= {"PERSON", "GPE", "ORG", "NORP", "DATE"}


def test_suggester_beats_the_raw_model_on_the_seed_gold(suggester: Any, seed_text: str) -> None:
    gold = read_scored(SEED_GOLD, TOKENIZE)
    with suggester.select_pipes(disable=list(COMPONENT_NAMES.values())):
        raw = evaluate_records(gold, [scored_record(prediction(suggester(seed_text)), 1, TOKENIZE)])
    ours = evaluate_records(gold, [scored_record(prediction(suggester(seed_text)), 1, TOKENIZE)])
    assert ours.entities.f1 > raw.entities.f1
    assert ours.per_label["PERSON"].recall > raw.per_label["PERSON"].recall
    assert ours.per_label["ORG"].precision > raw.per_label["ORG"].precision
    assert raw.stances.tp == 0 and ours.stances.recall > 0.5
    assert ours.stances.precision > 0.5


def test_seed_stances_name_holder_speaker_and_target(seed_doc: Any) -> None:
    found = {
        (s["label"], s["holder"]["text"], s["speaker"]["text"], s["target"]["text"])
        for s in seed_doc._.stances
        if s["holder"] and s["speaker"]
    }
    assert ("FAVOR", "Kazakhstan", "Tokayev", "the one-China principle") in found
    assert (
        "AGAINST",
        "China",
        "Wang",
        "any external forces interfering in Kazakhstan's internal affairs",
    ) in found
    # "..., he noted": Wang is named in an earlier sentence, so the speaker is the pronoun
    # written here, as the seed gold has it.
    assert (
        "FAVOR",
        "China",
        "he",
        "Kazakhstan's firm adherence to the one-China principle",
    ) in found

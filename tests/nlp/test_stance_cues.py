"""Each cue pattern of the lexicon, on sentences of our own, with the real parser."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from annotator.errors import InputError
from annotator.nlp.stance_lexicon import DEFAULT_CUES_PATH, CueLexicon, load_lexicon
from tests.nlp.conftest import role

Stances = Callable[[str], list[dict[str, Any]]]

# (sentence, label, cue as written, holder, target)
CUE_CASES = [
    ("Germany supports the new climate agreement.", "FAVOR", "supports", "Germany",
     "the new climate agreement"),
    ("Brazil backs the candidacy of Lula.", "FAVOR", "backs", "Brazil", "the candidacy of Lula"),
    ("Poland will continue to firmly uphold the rule of law.", "FAVOR", "uphold", "Poland",
     "the rule of law"),
    ("Norway adheres to the peace plan.", "FAVOR", "adheres to", "Norway", "the peace plan"),
    ("Italy appreciates the help of its neighbours.", "FAVOR", "appreciates", "Italy",
     "the help of its neighbours"),
    ("Japan welcomed the decision of the court.", "FAVOR", "welcomed", "Japan",
     "the decision of the court"),
    ("The union commended the workers for their courage.", "FAVOR", "commended", "The union",
     "the workers"),
    ("Sweden is glad to see Finland joining the alliance.", "FAVOR", "glad to see", "Sweden",
     "Finland joining the alliance"),
    ("France strongly opposes the proposed tax on imports.", "AGAINST", "opposes", "France",
     "the proposed tax on imports"),
    ("Canada rejected the trade proposal.", "AGAINST", "rejected", "Canada",
     "the trade proposal"),
    ("The European Union condemned the attack on the embassy.", "AGAINST", "condemned",
     "The European Union", "the attack on the embassy"),
    ("India denounced the sanctions.", "AGAINST", "denounced", "India", "the sanctions"),
    ("The mayor criticized the new parking rules.", "AGAINST", "criticized", "The mayor",
     "the new parking rules"),
    ("Spain objects to the fishing quota.", "AGAINST", "objects to", "Spain",
     "the fishing quota"),
    ("Greece remains neutral on the dispute.", "NEUTRAL", "remains neutral on", "Greece",
     "the dispute"),
]


@pytest.mark.parametrize(("sentence", "label", "cue", "holder", "target"), CUE_CASES)
def test_cue_gives_stance_with_holder_and_target(
    stances_of: Stances, sentence: str, label: str, cue: str, holder: str, target: str
) -> None:
    (stance,) = stances_of(sentence)
    assert stance["label"] == label
    assert role(stance, "cue") == cue
    assert role(stance, "holder") == holder
    assert role(stance, "target") == target
    assert stance["negated"] is False


def test_noun_cue_takes_the_possessor_as_holder(stances_of: Stances) -> None:
    (stance,) = stances_of("China's support for the plan is firm.")
    assert (stance["label"], role(stance, "holder"), role(stance, "target")) == (
        "FAVOR",
        "China",
        "the plan",
    )


def test_noun_cue_object_of_a_verb_takes_the_verbs_subject(stances_of: Stances) -> None:
    (stance,) = stances_of("Russia voiced strong opposition to the expansion of NATO.")
    assert (stance["label"], role(stance, "holder"), role(stance, "target")) == (
        "AGAINST",
        "Russia",
        "the expansion of NATO",
    )


def test_passive_cue_takes_the_agent_as_holder(stances_of: Stances) -> None:
    (stance,) = stances_of("The ceasefire is supported by Turkey.")
    assert (role(stance, "holder"), role(stance, "target")) == ("Turkey", "The ceasefire")


def test_holder_found_through_be_willing_to(stances_of: Stances) -> None:
    (stance,) = stances_of("Vietnam is willing to support the initiative.")
    assert role(stance, "holder") == "Vietnam"
    assert role(stance, "evidence") == "Vietnam is willing to support the initiative"


def test_lemma_matching_finds_every_inflection(stances_of: Stances) -> None:
    cues = [
        role(s, "cue")
        for text in (
            "Peru supported the plan.",
            "Peru is supporting the plan.",
            "Peru will support the plan.",
        )
        for s in stances_of(text)
    ]
    assert cues == ["supported", "supporting", "support"]


def test_sentence_without_a_cue_has_no_stance(stances_of: Stances) -> None:
    assert stances_of("The delegation arrived in Astana on Monday.") == []


def test_relative_clause_holder_is_the_noun_not_who(stances_of: Stances) -> None:
    (stance,) = stances_of("The senators who oppose the bill met on Friday.")
    assert (role(stance, "holder"), role(stance, "target")) == ("The senators", "the bill")
    assert role(stance, "evidence") == "The senators who oppose the bill"


def test_verb_cue_without_object_gives_no_stance(stances_of: Stances) -> None:
    # "back" here is movement, and a verb's prepositional phrase is not its target.
    assert stances_of("He backed into a corner and the car stopped.") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "The old bridge supports heavy trucks.",
        "This approach backs up the files.",
        "The filter rejects noise above 10 kHz.",
    ],
)
def test_a_subject_that_holds_no_view_gives_no_stance(stances_of: Stances, sentence: str) -> None:
    assert stances_of(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "holder"),
    [
        ("The fishermen denounced the ban.", "The fishermen"),  # by its ending, -men
        ("The ministry rejected the proposal.", "The ministry"),  # listed in holder_nouns
        ("The resolution condemns the attack.", "The resolution"),  # a text that speaks
    ],
)
def test_common_noun_holders_that_name_people_or_bodies(
    stances_of: Stances, sentence: str, holder: str
) -> None:
    (stance,) = stances_of(sentence)
    assert role(stance, "holder") == holder


def test_holder_nouns_are_data_and_leaving_them_out_accepts_any_holder(tmp_path: Path) -> None:
    data = json.loads(DEFAULT_CUES_PATH.read_text(encoding="utf-8"))
    lexicon = CueLexicon.from_json(data)
    assert not lexicon.can_hold_view("bridge")
    assert lexicon.can_hold_view("Government") and lexicon.can_hold_view("economist")
    data["holder_nouns"].append("bridge")
    assert CueLexicon.from_json(data).can_hold_view("bridge")
    del data["holder_nouns"], data["holder_noun_endings"]
    assert CueLexicon.from_json(data).can_hold_view("bridge")  # an older lexicon file
    assert CueLexicon.from_json(CueLexicon.from_json(data).to_json()) == CueLexicon.from_json(data)
    assert CueLexicon.from_json(lexicon.to_json()) == lexicon
    bad = tmp_path / "cues.json"
    bad.write_text(json.dumps({"cues": [], "holder_nouns": "government"}), encoding="utf-8")
    with pytest.raises(InputError, match=r'cues\.json: "holder_nouns" must be a list of words'):
        load_lexicon(bad)

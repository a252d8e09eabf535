"""Negation, coordination, speakers, pronouns and evidence of the stance suggester."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.nlp.conftest import role

Stances = Callable[[str], list[dict[str, Any]]]


def test_negation_flips_favor_to_against(stances_of: Stances) -> None:
    (stance,) = stances_of("Australia does not support the proposal.")
    assert (stance["label"], stance["negated"]) == ("AGAINST", True)
    assert role(stance, "target") == "the proposal"


def test_negation_flips_against_to_favor(stances_of: Stances) -> None:
    (stance,) = stances_of("Kenya never opposed the new constitution.")
    assert (stance["label"], stance["negated"]) == ("FAVOR", True)


def test_negation_on_the_governing_verb_counts(stances_of: Stances) -> None:
    (stance,) = stances_of("Ghana will not continue to support the mission.")
    assert (stance["label"], stance["negated"], role(stance, "holder")) == (
        "AGAINST",
        True,
        "Ghana",
    )


def test_coordinated_objects_become_separate_stances(stances_of: Stances) -> None:
    stances = stances_of("Argentina supports renewable energy, free trade and open borders.")
    assert [role(s, "target") for s in stances] == [
        "renewable energy",
        "free trade",
        "open borders",
    ]
    assert {role(s, "holder") for s in stances} == {"Argentina"}


def test_coordinated_holders_become_separate_stances(stances_of: Stances) -> None:
    stances = stances_of("Egypt and Jordan support the ceasefire.")
    assert [role(s, "holder") for s in stances] == ["Egypt", "Jordan"]
    assert {role(s, "target") for s in stances} == {"the ceasefire"}


def test_coordinated_cue_verbs_share_the_subject(stances_of: Stances) -> None:
    stances = stances_of("Chad will support the talks and oppose any delay.")
    assert [(s["label"], role(s, "holder"), role(s, "target")) for s in stances] == [
        ("FAVOR", "Chad", "the talks"),
        ("AGAINST", "Chad", "any delay"),
    ]


def test_speaker_is_the_subject_of_the_reporting_verb(stances_of: Stances) -> None:
    (stance,) = stances_of("Chile supports the treaty, President Boric said.")
    assert (role(stance, "holder"), role(stance, "speaker")) == ("Chile", "Boric")
    assert role(stance, "evidence") == "Chile supports the treaty"


def test_speaker_through_adding(stances_of: Stances) -> None:
    stances = stances_of(
        "The talks went well, Minister Ali Khan said, adding that Iran welcomes the proposal."
    )
    (stance,) = stances
    assert (role(stance, "holder"), role(stance, "speaker")) == ("Iran", "Ali Khan")


def test_speaker_from_according_to(stances_of: Stances) -> None:
    (stance,) = stances_of("Peru backs the treaty, according to Foreign Minister Javier Gonzalez.")
    assert (role(stance, "holder"), role(stance, "speaker")) == ("Peru", "Javier Gonzalez")


def test_speaker_absent_when_nobody_reports(stances_of: Stances) -> None:
    (stance,) = stances_of("Germany supports the new climate agreement.")
    assert stance["speaker"] is None


def test_pronoun_speaker_resolves_to_the_person_of_its_sentence(stances_of: Stances) -> None:
    text = "After Angela Merkel arrived in Paris, she said Germany supports the plan."
    (stance,) = stances_of(text)
    speaker = stance["speaker"]
    assert speaker["text"] == "Angela Merkel"
    assert text[speaker["start"] : speaker["end"]] == "Angela Merkel"


def test_pronoun_holder_resolves_to_the_country_of_its_sentence(stances_of: Stances) -> None:
    (stance,) = stances_of("Kazakhstan hosted the summit because it strongly supports the pact.")
    assert role(stance, "holder") == "Kazakhstan"
    assert stance["holder"]["start"] == 0


def test_pronoun_of_a_later_sentence_stays_the_pronoun(stances_of: Stances) -> None:
    # Across sentences the nearest earlier name is too often someone else in news prose.
    text = "Kazakhstan hosted the summit. It strongly supports the agreement."
    (stance,) = stances_of(text)
    assert role(stance, "holder") == "It"
    assert stance["holder"]["start"] == text.index("It strongly")


def test_pronoun_prefers_the_person_in_subject_position(stances_of: Stances) -> None:
    text = "John Smith met Peter Brown in London, and he supports the deal."
    (stance,) = stances_of(text)
    assert role(stance, "holder") == "John Smith"


def test_ambiguous_pronoun_stays_a_pronoun(stances_of: Stances) -> None:
    # Two people, neither of them a subject: no way to tell whom "He" means.
    text = "The court heard John Smith and Peter Brown on Monday. He supports the deal."
    (stance,) = stances_of(text)
    assert role(stance, "holder") == "He"
    assert stance["holder"]["start"] == text.index("He supports")


def test_pronoun_with_no_fitting_entity_is_kept(stances_of: Stances) -> None:
    (stance,) = stances_of("It was a long day. She supports the plan.")
    assert role(stance, "holder") == "She"


def test_evidence_is_the_clause_not_the_sentence(stances_of: Stances) -> None:
    text = (
        "After a long meeting in the capital that lasted all day, the minister said that "
        "Austria rejects the proposal, and the talks ended."
    )
    (stance,) = stances_of(text)
    assert role(stance, "evidence") == "Austria rejects the proposal"


def test_stance_offsets_index_the_text(stances_of: Stances) -> None:
    text = "Officials said Japan welcomed the decision of the court."
    for stance in stances_of(text):
        for name in ("evidence", "cue", "holder", "speaker", "target"):
            ref = stance[name]
            if ref is not None:
                assert text[ref["start"] : ref["end"]] == ref["text"]


def test_cue_describing_a_target_is_no_stance_of_its_own(stances_of: Stances) -> None:
    stances = stances_of("Japan opposes any groups criticising its constitution.")
    assert [(role(s, "cue"), role(s, "holder")) for s in stances] == [("opposes", "Japan")]


@pytest.mark.parametrize(
    "text",
    [
        "Chile supports the treaty, President Boric stressed.",
        "Chile supports the treaty, President Boric noted on Monday.",
        "President Boric told reporters that Chile supports the treaty.",
        "President Boric stated that Chile supports the treaty.",
    ],
)
def test_every_reporting_verb_gives_the_speaker(stances_of: Stances, text: str) -> None:
    (stance,) = stances_of(text)
    assert (role(stance, "holder"), role(stance, "speaker")) == ("Chile", "Boric")


def test_and_added_that_keeps_the_first_speaker(stances_of: Stances) -> None:
    stances = stances_of(
        "President Boric said Chile supports the treaty and added that Peru opposes the tariff."
    )
    assert [(role(s, "holder"), role(s, "speaker")) for s in stances] == [
        ("Chile", "Boric"),
        ("Peru", "Boric"),
    ]


def test_refusing_to_support_is_against(stances_of: Stances) -> None:
    (stance,) = stances_of("Hungary refused to support the sanctions.")
    assert (stance["label"], stance["negated"], role(stance, "holder")) == (
        "AGAINST",
        True,
        "Hungary",
    )


def test_a_verb_coordinated_with_failed_is_not_negated(stances_of: Stances) -> None:
    (stance,) = stances_of("The union failed to win the vote and condemned the ruling.")
    assert (stance["label"], stance["negated"], role(stance, "target")) == (
        "AGAINST",
        False,
        "the ruling",
    )


def test_two_negations_cancel(stances_of: Stances) -> None:
    (stance,) = stances_of("Hungary did not refuse to support the sanctions.")
    assert (stance["label"], stance["negated"]) == ("FAVOR", False)


def test_do_not_forget_to_support_is_for(stances_of: Stances) -> None:
    # A suggestion needs a holder: the imperative "Don't forget..." names none.
    (stance,) = stances_of("The fans did not forget to support their team tonight.")
    assert (stance["label"], stance["negated"], role(stance, "target")) == (
        "FAVOR",
        False,
        "their team",
    )

"""Feelings, wishes, criticism and the holder checks added for real news, each on a sentence
of our own, with the real parser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.nlp.conftest import role

Stances = Callable[[str], list[dict[str, Any]]]


def triples(stances: list[dict[str, Any]]) -> list[tuple[str, str | None, str | None]]:
    return [(s["label"], role(s, "holder"), role(s, "target")) for s in stances]


# (sentence, label, holder, target): whoever feels holds the stance, the cause is its target.
FEELINGS = [
    ("The tariffs have angered the farmers.", "AGAINST", "the farmers", "The tariffs"),
    ("The farmers were angered by the tariffs.", "AGAINST", "The farmers", "the tariffs"),
    ("Parents were disappointed with the exam results.", "AGAINST", "Parents",
     "the exam results"),
    ("The mayor is worried that the bridge will close.", "AGAINST", "The mayor",
     "the bridge will close"),
    ("Fans were upset about the referee's decision.", "AGAINST", "Fans",
     "the referee's decision"),
    ("The coach was delighted by the result.", "FAVOR", "The coach", "the result"),
    ("Nurses are happy that the wards reopened.", "FAVOR", "Nurses", "the wards reopened"),
    ("Nurses are pleased with the new wards.", "FAVOR", "Nurses", "the new wards"),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "label", "holder", "target"), FEELINGS)
def test_a_feeling_is_held_by_whoever_feels_it(
    stances_of: Stances, sentence: str, label: str, holder: str, target: str
) -> None:
    assert triples(stances_of(sentence)) == [(label, holder, target)]


# Off by default (the house rule on real news: mostly wrong there): a policy's aim and
# courtesy formulas state no position of their own.
OFF_BY_DEFAULT = [
    "The ministry promotes tourism in the north.",
    "The president congratulated the new mayor.",
    "Nurses are pleased that the wards reopened.",
]


@pytest.mark.parametrize("sentence", OFF_BY_DEFAULT)
def test_cues_off_by_default_give_no_stance(stances_of: Stances, sentence: str) -> None:
    assert stances_of(sentence) == []


def test_not_being_worried_is_no_stance(stances_of: Stances) -> None:
    assert stances_of("The mayor is not worried about the bridge.") == []


# Wishes, criticism and the nouns and adjectives of approval and disapproval.
FAMILIES = [
    ("The unions want higher wages.", "FAVOR", "The unions", "higher wages"),
    ("Residents hope that the clinic stays open.", "FAVOR", "Residents",
     "the clinic stays open"),
    ("The villagers asked for a new bridge.", "FAVOR", "The villagers", "a new bridge"),
    ("Critics dismissed the report.", "AGAINST", "Critics", "the report"),
    ("The bishop lamented the decline of the parish.", "AGAINST", "The bishop",
     "the decline of the parish"),
    ("The minister expressed satisfaction with the talks.", "FAVOR", "The minister",
     "the talks"),
    ("Teachers voiced disappointment with the budget.", "AGAINST", "Teachers", "the budget"),
    ("The mayor expressed solidarity with the strikers.", "FAVOR", "The mayor",
     "the strikers"),
    ("Villagers are wary of the new mine.", "AGAINST", "Villagers", "the new mine"),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "label", "holder", "target"), FAMILIES)
def test_wishes_and_criticism_give_holder_and_target(
    stances_of: Stances, sentence: str, label: str, holder: str, target: str
) -> None:
    assert triples(stances_of(sentence)) == [(label, holder, target)]


def test_a_nationality_before_a_stance_noun_holds_it(stances_of: Stances) -> None:
    found = triples(stances_of("French criticism of the plan grew."))
    assert found == [("AGAINST", "French", "the plan")]


def test_a_passive_cue_coordinated_with_another_shares_its_patient(
    stances_of: Stances,
) -> None:
    text = "The treaty was praised by Chile but condemned by Peru."
    assert triples(stances_of(text)) == [
        ("FAVOR", "Chile", "The treaty"),
        ("AGAINST", "Peru", "The treaty"),
    ]


def test_a_participle_with_an_agent_targets_the_noun(stances_of: Stances) -> None:
    found = triples(stances_of("They chose a candidate favoured by the party leaders."))
    assert found == [("FAVOR", "the party leaders", "a candidate")]


def test_a_day_is_never_the_holder(stances_of: Stances) -> None:
    found = triples(stances_of("Foreign Minister Anna Berg Sunday condemned the attack."))
    assert found == [("AGAINST", "Anna Berg", "the attack")]


def test_a_reflexive_pronoun_is_not_the_holder(stances_of: Stances) -> None:
    (stance,) = stances_of("The judges find themselves unable to endorse the result.")
    assert (stance["label"], role(stance, "holder"), stance["negated"]) == (
        "AGAINST",
        "The judges",
        True,
    )


def test_denying_support_is_against(stances_of: Stances) -> None:
    (stance,) = stances_of("The ministry denied supporting the rebels.")
    assert (stance["label"], stance["negated"], role(stance, "target")) == (
        "AGAINST",
        True,
        "the rebels",
    )


def test_a_stance_inside_a_condition_is_not_stated(stances_of: Stances) -> None:
    assert stances_of("If the council supports the plan, work starts in May.") == []
    assert stances_of("The plan fails unless the council supports it.") == []


def test_a_stance_asked_about_is_not_stated(stances_of: Stances) -> None:
    assert stances_of("Does the council support the plan?") == []


def test_you_holds_no_stance(stances_of: Stances) -> None:
    # Generic ("if you want a loan") or the reader ("you can help by supporting us").
    assert stances_of("You can help by supporting the shelter.") == []


def test_whose_decision_holds_the_stance_of_its_infinitive(stances_of: Stances) -> None:
    found = triples(stances_of("The Danish decision to reject the offer was final."))
    assert found == [("AGAINST", "Danish", "the offer")]


def test_a_refusal_to_back_is_against(stances_of: Stances) -> None:
    found = triples(stances_of("Norway's refusal to back the plan surprised nobody."))
    assert found == [("AGAINST", "Norway", "the plan")]

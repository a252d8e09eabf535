"""The cue families news uses to state a position, their sense checks and negation forms,
each on a sentence of our own, with the real parser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.nlp.conftest import role

Stances = Callable[[str], list[dict[str, Any]]]

# (sentence, label, holder, target)
FAMILIES = [
    ("The opposition party criticised the budget cuts.", "AGAINST", "The opposition party",
     "the budget cuts"),
    ("Rights groups condemned the arrests of journalists.", "AGAINST", "Rights groups",
     "the arrests of journalists"),
    ("The farmers' union welcomed the new subsidy scheme.", "FAVOR", "The farmers' union",
     "the new subsidy scheme"),
    ("The coach praised the young striker.", "FAVOR", "The coach", "the young striker"),
    ("Teachers hailed the agreement as a breakthrough.", "FAVOR", "Teachers", "the agreement"),
    ("Investors blamed the central bank for the slump.", "AGAINST", "Investors",
     "the central bank"),
    ("The senator urged Congress to pass the bill.", "FAVOR", "The senator",
     "to pass the bill"),
    ("The council warned against cutting library funds.", "AGAINST", "The council",
     "cutting library funds"),
    ("Voters rejected the new constitution.", "AGAINST", "Voters", "the new constitution"),
    ("The newspaper endorsed the mayor's challenger.", "FAVOR", "The newspaper",
     "the mayor's challenger"),
    ("Students protested against tuition fees.", "AGAINST", "Students", "tuition fees"),
    ("The unions demanded higher wages.", "FAVOR", "The unions", "higher wages"),
    ("The bishops called for an end to the violence.", "FAVOR", "The bishops",
     "an end to the violence"),
    ("Residents stand against the new motorway.", "AGAINST", "Residents", "the new motorway"),
    ("Germany voiced support for the sanctions.", "FAVOR", "Germany", "the sanctions"),
    ("The party's opposition to the treaty is well known.", "AGAINST", "The party's",
     "the treaty"),
    ("The governors are opposed to the tax plan.", "AGAINST", "The governors", "the tax plan"),
    ("The committee was critical of the police response.", "AGAINST", "The committee",
     "the police response"),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "label", "holder", "target"), FAMILIES)
def test_cue_family_gives_holder_and_target(
    stances_of: Stances, sentence: str, label: str, holder: str, target: str
) -> None:
    (stance,) = stances_of(sentence)
    assert (stance["label"], role(stance, "holder"), role(stance, "target")) == (
        label,
        holder,
        target,
    )


def test_accusing_someone_is_against_them(stances_of: Stances) -> None:
    (stance,) = stances_of("The minister accused the rebels of breaking the truce.")
    assert stance["label"] == "AGAINST" and role(stance, "holder") == "The minister"
    assert (role(stance, "target") or "").startswith("the rebels")


@pytest.mark.parametrize(
    "sentence",
    [
        "The bank provided financial support for the exporters.",
        "The dollar found support at 120 yen.",
        "Analysts called the fund a pillar of support for the equity market.",
        "The peso backed up against the dollar.",
        "Brokers said the index held its support level.",
    ],
)
def test_financial_physical_or_market_support_is_no_stance(
    stances_of: Stances, sentence: str
) -> None:
    assert stances_of(sentence) == []


def test_urging_someone_to_stop_is_against_what_they_do(stances_of: Stances) -> None:
    (stance,) = stances_of("Norway urged Russia to stop interfering in Ukraine's elections.")
    assert (stance["label"], role(stance, "holder"), role(stance, "target")) == (
        "AGAINST",
        "Norway",
        "interfering in Ukraine's elections",
    )


def test_stopping_a_stance_flips_it(stances_of: Stances) -> None:
    (stance,) = stances_of("The company stopped supporting the charity.")
    assert (stance["label"], stance["negated"], role(stance, "target")) == (
        "AGAINST",
        True,
        "the charity",
    )


def test_refraining_from_criticism_is_not_against(stances_of: Stances) -> None:
    (stance,) = stances_of("Britain refrained from criticizing the verdict.")
    assert (stance["label"], stance["negated"]) == ("FAVOR", True)


def test_a_dateline_never_holds_a_view(stances_of: Stances) -> None:
    text = "KIGALI, March 3 (AFP) - Rwanda condemned the raid on the border post."
    holders = [role(s, "holder") for s in stances_of(text)]
    assert holders == ["Rwanda"]


def test_a_title_case_dateline_never_holds_a_view(stances_of: Stances) -> None:
    text = "Kigali, March 3 (AFP) - Rwanda condemned the raid on the border post."
    assert [role(s, "holder") for s in stances_of(text)] == ["Rwanda"]
    # The parser may hang the real subject from the place, as its apposition.
    text = "Tehran, Dec 9, IRNA -- Leading analyst Ali Khan on Sunday rejected the report."
    assert [(role(s, "holder"), role(s, "target")) for s in stances_of(text)] == [
        ("Ali Khan", "the report")
    ]


def test_no_suggestion_without_a_holder(stances_of: Stances) -> None:
    assert stances_of("Support the troops!") == []
    assert stances_of("Condemned by many, the plan was dropped.") == []

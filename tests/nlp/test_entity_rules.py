"""The entity rule components on the seed article and on sentences of our own."""

from __future__ import annotations

import re
from typing import Any

import pytest

from annotator.nlp.components import COMPONENT_NAMES
from annotator.nlp.entity_rules import boilerplate_ranges, is_boilerplate_line


def labels_of(doc: Any, text: str) -> set[str]:
    return {ent.label_ for ent in doc.ents if ent.text.strip() == text}


def raw_doc(suggester: Any, text: str) -> Any:
    """The model's own entities, with every rule component switched off for this call."""
    with suggester.select_pipes(disable=list(COMPONENT_NAMES.values())):
        return suggester(text)


def test_raw_model_makes_the_errors_the_rules_fix(suggester: Any, seed_text: str) -> None:
    doc = raw_doc(suggester, seed_text)
    assert "ORG" in labels_of(doc, "Wang")
    assert labels_of(doc, "Kassym-Jomart Tokayev") == {"ORG"}
    assert labels_of(doc, "Contact us") == {"ORG"}
    assert "DATE" in labels_of(doc, "05070218")


def test_short_form_wang_after_wang_yi_is_person(seed_doc: Any, seed_text: str) -> None:
    assert labels_of(seed_doc, "Wang Yi") == {"PERSON"}
    short_forms = {m.start() for m in re.finditer(r"\bWang\b(?! Yi)", seed_text)}
    wangs = {ent.start_char: ent.label_ for ent in seed_doc.ents if ent.text == "Wang"}
    assert set(wangs) == short_forms
    assert set(wangs.values()) == {"PERSON"}


def test_title_pattern_makes_kassym_jomart_tokayev_person(seed_doc: Any) -> None:
    assert labels_of(seed_doc, "Kassym-Jomart Tokayev") == {"PERSON"}
    # The nationality before the title is NORP, not part of an ORG "Kazakh President".
    assert labels_of(seed_doc, "Kazakh") == {"NORP"}
    assert not labels_of(seed_doc, "Kazakh President")


def test_no_suggestions_in_the_page_footer(seed_doc: Any, seed_text: str) -> None:
    footer = seed_text.index("Copyright")
    assert [ent.text for ent in seed_doc.ents if ent.start_char >= footer] == []
    assert not labels_of(seed_doc, "Contact us")
    assert "DATE" not in {ent.label_ for ent in seed_doc.ents if "0507" in ent.text}


def test_article_entities_are_kept(seed_doc: Any) -> None:
    assert labels_of(seed_doc, "Murat Nurtleu") == {"PERSON"}
    assert labels_of(seed_doc, "the Shanghai Cooperation Organization") == {"ORG"}
    assert labels_of(seed_doc, "May 21, 2024") == {"DATE"}


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("Copyright© | About us | Contact us", True),
        ("Website Identification Code bm01000001 Registration Number: 05070218", True),
        ("All rights reserved. The content published in this site belongs to", True),
        ("About us | Contact us | Privacy policy", True),
        ("Contact us", True),
        ("Tokayev asked Wang to contact us later | he said", False),
        ("China appreciates Kazakhstan's firm adherence to the one-China principle.", False),
        ("", False),
    ],
)
def test_boilerplate_lines(line: str, furniture: bool) -> None:
    assert is_boilerplate_line(line) is furniture


def test_boilerplate_ranges_cover_whole_lines() -> None:
    text = "Story text.\nContact us\nMore story."
    assert boilerplate_ranges(text) == [(12, 22)]


def test_office_title_names_become_person_without_the_title(suggester: Any) -> None:
    doc = suggester("Yesterday Foreign Minister Ivo Zorn met Prime Minister Ana Kovac.")
    people = [ent.text for ent in doc.ents if ent.label_ == "PERSON"]
    assert people == ["Ivo Zorn", "Ana Kovac"]


def test_royal_titles_stay_out_of_the_name(suggester: Any) -> None:
    # News annotation (CoNLL, OntoNotes) leaves every title out, nobility included.
    doc = suggester("Crowds cheered as King Harald Olsen opened the bridge.")
    assert [ent.text for ent in doc.ents if ent.label_ == "PERSON"] == ["Harald Olsen"]


def test_title_word_inside_an_organisation_name_is_no_title(suggester: Any) -> None:
    doc = suggester("Premier League Team of the Week was announced.")
    assert [ent for ent in doc.ents if ent.label_ == "PERSON"] == []


def test_consistency_adds_untagged_repeats_of_a_person(suggester: Any) -> None:
    text = (
        "Vermaelen the hero for Barca: Thomas Vermaelen was the unlikely hero as Barcelona "
        "won at home."
    )
    assert "Vermaelen" not in {ent.text for ent in raw_doc(suggester, text).ents}
    assert labels_of(suggester(text), "Vermaelen") == {"PERSON"}


def test_consistency_does_not_tag_part_of_a_longer_name(seed_doc: Any, seed_text: str) -> None:
    central_asia = seed_text.index("Central Asia")
    inside = [e for e in seed_doc.ents if central_asia <= e.start_char < central_asia + 12]
    assert [e.text for e in inside] == []


def test_majority_label_wins_within_a_document(suggester: Any) -> None:
    from spacy.tokens import Span

    from annotator.nlp.entity_rules import make_labels_consistent

    doc = suggester.make_doc("Acme won. Acme lost. Acme drew.")
    doc.ents = [
        Span(doc, 0, 1, label="ORG"),
        Span(doc, 3, 4, label="ORG"),
        Span(doc, 6, 7, label="PERSON"),
    ]
    assert [e.label_ for e in make_labels_consistent(doc).ents] == ["ORG", "ORG", "ORG"]


def test_tied_labels_are_left_alone(suggester: Any) -> None:
    from spacy.tokens import Span

    from annotator.nlp.entity_rules import make_labels_consistent

    doc = suggester.make_doc("Jordan won. Jordan lost.")
    doc.ents = [Span(doc, 0, 1, label="GPE"), Span(doc, 3, 4, label="PERSON")]
    assert [e.label_ for e in make_labels_consistent(doc).ents] == ["GPE", "PERSON"]


def test_dateline_place_of_the_seed_is_gpe(seed_doc: Any) -> None:
    assert labels_of(seed_doc, "ASTANA") == {"GPE"}


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("WASHINGTON (Reuters) - The Senate passed the bill on Tuesday.", "WASHINGTON"),
        ("Title line\nNEW DELHI, Jan. 5 -- India and Japan signed a pact.", "NEW DELHI"),
        ("LOL, that was a great game last night.", None),
        ("UPDATE, May 3: the match was postponed.", None),
        ("NASA launched a rocket on Monday.", None),
    ],
)
def test_dateline_places(suggester: Any, text: str, place: str | None) -> None:
    from annotator.nlp.entity_rules import dateline_places

    found = [span.text for span in dateline_places(suggester(text))]
    assert found == ([place] if place else [])

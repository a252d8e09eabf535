"""A trained model's stance clause gets its cue, holder, speaker and target from the parse."""

from __future__ import annotations

from typing import Any

import pytest
import spacy
from spacy.tokens import Span

from annotator.nlp.trained_stances import STANCE_KEY, TrainedStances
from annotator.training.config import DEFAULT_BASE_MODEL


@pytest.fixture(scope="module")
def parser() -> Any:
    return spacy.load(DEFAULT_BASE_MODEL)


def _model_stance(parser: Any, text: str, clause: str) -> dict[str, Any]:
    """The stance the converter makes of a span categorizer's prediction of `clause`."""
    doc = parser(text)
    doc._.stances = []
    start = text.index(clause)
    evidence = doc.char_span(start, start + len(clause))
    assert evidence is not None
    doc.spans[STANCE_KEY] = [Span(doc, evidence.start, evidence.end, "AGAINST")]
    TrainedStances(source="news/model-best")(doc)
    (stance,) = doc._.stances
    return stance


def _texts(stance: dict[str, Any]) -> dict[str, str | None]:
    return {
        role: stance[role]["text"] if stance.get(role) else None
        for role in ("cue", "holder", "speaker", "target")
    }


@pytest.mark.parametrize(
    ("text", "clause", "roles"),
    [
        # "slam" is in no lexicon: only a model finds this stance.
        (
            "The ministry slammed the decision to close the border.",
            "The ministry slammed the decision to close the border",
            ("slammed", "The ministry", None, "the decision to close the border"),
        ),
        (
            "Farmers are furious about the new water tax.",
            "Farmers are furious about the new water tax",
            ("furious", "Farmers", None, "the new water tax"),
        ),
        (
            "Maria adores the Zorbix, Tom said.",
            "Maria adores the Zorbix",
            ("adores", "Maria", "Tom", "the Zorbix"),
        ),
    ],
)
def test_model_stance_roles_come_from_the_parse(
    parser: Any, text: str, clause: str, roles: tuple[str | None, ...]
) -> None:
    stance = _model_stance(parser, text, clause)
    assert _texts(stance) == dict(zip(("cue", "holder", "speaker", "target"), roles, strict=True))
    assert stance["evidence"]["text"] == clause
    assert (stance["label"], stance["source"], stance["negated"]) == (
        "AGAINST",
        "news/model-best",
        False,
    )


def test_a_subject_that_holds_no_view_is_no_holder(parser: Any) -> None:
    stance = _model_stance(parser, "The old bridge carries the trucks.", "The old bridge carries")
    assert stance["holder"] is None
    assert stance["cue"]["text"] == "carries"

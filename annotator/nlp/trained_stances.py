"""Stance suggestions from a trained span categorizer, handed over through `doc._.stances`.

The suggestion pipeline reads stances from `doc._.stances` (a list of stance dicts; the rule
stance component fills it too). A pipeline trained here predicts stance evidence into
`doc.spans["stance"]`; the component below turns each predicted span into a stance dict and
appends it, after every other component has run, so rule and model suggestions add up. A model
span whose evidence is exactly a rule stance's evidence is dropped: the rule's stance carries
holder and target. When the pipeline parses, a model stance gets its roles from the parse
(`clause_roles`): the clause's main word as cue, its subject as holder, its object as
target, and the speaker of a reporting verb that governs it; without a parse it has only
the clause and polarity.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy
from spacy.language import Language
from spacy.tokens import Doc

from annotator.nlp.stance import clause_roles
from annotator.nlp.stance_lexicon import CueLexicon, load_lexicon

COMPONENT = "annotator_trained_stances"
# The span group a trained stance span categorizer predicts into (and training data fills).
STANCE_KEY = "stance"


@cache
def default_lexicon() -> CueLexicon:
    """The reporting verbs and holder nouns that name a model stance's speaker and holder."""
    return load_lexicon()


def _ensure_extension() -> None:
    if not Doc.has_extension("stances"):
        Doc.set_extension("stances", default=None)


def stance_dicts_from_spans(doc: Doc, source: str, key: str = STANCE_KEY) -> list[dict[str, Any]]:
    """One stance dict per span in `doc.spans[key]`: evidence and polarity, roles unknown."""
    if key not in doc.spans:
        return []
    group = doc.spans[key]
    scores = group.attrs.get("scores")
    stances = []
    # In text order, like the rule suggester's stances (spaCy orders them by score).
    for index, span in sorted(enumerate(group), key=lambda item: (item[1].start, item[1].end)):
        stance: dict[str, Any] = {
            "label": span.label_,
            "evidence": {"start": span.start_char, "end": span.end_char, "text": span.text},
            "cue": None,
            "holder": None,
            "speaker": None,
            "target": None,
            "negated": False,
            "source": source,
        }
        if scores is not None and index < len(scores):
            # multi-label spancat keeps one score per label, single-label its best one
            stance["score"] = round(float(numpy.max(scores[index])), 4)
        stances.append(stance)
    return stances


class TrainedStances:
    """Pipeline component: append the span categorizer's stances to `doc._.stances`."""

    def __init__(self, source: str, key: str = STANCE_KEY) -> None:
        self.source = source
        self.key = key

    def __call__(self, doc: Doc) -> Doc:
        existing = list(doc._.stances or [])
        seen = {
            (s["evidence"]["start"], s["evidence"]["end"])
            for s in existing
            if isinstance(s, dict) and isinstance(s.get("evidence"), dict)
        }
        added = [
            s
            for s in stance_dicts_from_spans(doc, self.source, self.key)
            if (s["evidence"]["start"], s["evidence"]["end"]) not in seen
        ]
        for stance in added:
            evidence = doc.char_span(stance["evidence"]["start"], stance["evidence"]["end"])
            if evidence is not None:
                stance.update(clause_roles(evidence, default_lexicon()))
        doc._.stances = existing + added
        return doc


@Language.factory(COMPONENT, default_config={"source": "model", "key": STANCE_KEY})
def make_trained_stances(nlp: Language, name: str, source: str, key: str) -> TrainedStances:
    """Factory for `nlp.add_pipe("annotator_trained_stances", config={"source": ...})`."""
    _ensure_extension()
    return TrainedStances(source, key)


def stance_categorizers(nlp: Language) -> list[str]:
    """Names of the span categorizers that predict into `doc.spans["stance"]`."""
    names = []
    for name, component in nlp.pipeline:
        key = getattr(component, "key", None)
        if key == STANCE_KEY and name != COMPONENT and hasattr(component, "suggester"):
            names.append(name)
    return names


def add_trained_stances(nlp: Language, source: str) -> bool:
    """Add the converter at the end of a pipeline that has a stance span categorizer.

    Returns whether it was added; a pipeline without one (the packaged English model) is left
    as it is.
    """
    if not stance_categorizers(nlp) or COMPONENT in nlp.pipe_names:
        return False
    nlp.add_pipe(COMPONENT, last=True, config={"source": source, "key": STANCE_KEY})
    return True

"""How sure the ner is of each entity it suggests: a beam search over its own moves.

spaCy's ner decides greedily, one move per token, and keeps no score. Run again as a beam
search (`beam_parse`, a few parses kept at each step), each entity's confidence is the share
of probability of the parses that contain it (`scored_ents`): near 1 when every good parse
agrees, lower when another reading of the same tokens was close, 0 when the greedy pass made
an entity that no parse of the beam holds. The component runs right after the ner and
leaves the scores of the ner's entities on `doc._.ent_confidence`, keyed (start token, end
token, label); an entity a rule component makes or changes later has none.

It costs about one more ner pass, so `load_pipeline` adds it to pipelines trained here (the
ones whose uncertainty orders the next documents), not to the packaged model.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

COMPONENT = "annotator_confidence"
EXTENSION = "ent_confidence"
BEAM_WIDTH = 8

Scores = dict[tuple[int, int, str], float]


def _ensure_extension() -> None:
    if not Doc.has_extension(EXTENSION):
        Doc.set_extension(EXTENSION, default=None)


class EntityConfidence:
    """Pipeline component: the ner's beam scores of each entity, on `doc._.ent_confidence`."""

    def __init__(self, nlp: Language, ner: str, beam_width: int) -> None:
        self.nlp = nlp
        self.ner_name = ner
        self.beam_width = beam_width

    def __call__(self, doc: Doc) -> Doc:
        (doc,) = self.pipe([doc])
        return doc

    def pipe(self, docs: Any, batch_size: int = 64) -> Any:
        ner: Any = self.nlp.get_pipe(self.ner_name)
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._scored(ner, batch)
                batch = []
        if batch:
            yield from self._scored(ner, batch)

    def _scored(self, ner: Any, docs: list[Doc]) -> list[Doc]:
        # The ner takes entities already on a Doc as given (all its tokens are B, I or O
        # after the greedy pass, so every score would be 1): the beam runs on plain copies,
        # which carry the tok2vec output (`doc.tensor`) a listening ner reads.
        beams = ner.beam_parse(
            [_plain_copy(doc) for doc in docs], beam_width=self.beam_width, beam_density=0.0
        )
        for doc, scores in zip(docs, ner.scored_ents(beams), strict=True):
            # The ner's own entities only: one a rule component makes later has no score.
            keys = [(e.start, e.end, e.label_) for e in doc.ents]
            doc._.set(EXTENSION, {key: round(float(scores.get(key, 0.0)), 4) for key in keys})
        return docs


def _plain_copy(doc: Doc) -> Doc:
    copy = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    copy.tensor = doc.tensor
    return copy


@Language.factory(COMPONENT, default_config={"ner": "ner", "beam_width": BEAM_WIDTH})
def make_entity_confidence(
    nlp: Language, name: str, ner: str, beam_width: int
) -> EntityConfidence:
    """Factory for `nlp.add_pipe("annotator_confidence", after="ner")`."""
    _ensure_extension()
    return EntityConfidence(nlp, ner, beam_width)


def add_confidence(nlp: Language) -> bool:
    """Add the component right after the ner; returns whether it was added."""
    if "ner" not in nlp.pipe_names or COMPONENT in nlp.pipe_names:
        return False
    nlp.add_pipe(COMPONENT, after="ner")
    return True


def entity_confidence(doc: Doc, start: int, end: int, label: str) -> float | None:
    """The ner's confidence in one entity (token range, end exclusive); None when the
    component did not run or the entity is not the ner's (a rule component made it)."""
    if not doc.has_extension(EXTENSION):
        return None
    scores: Scores | None = doc._.get(EXTENSION)
    return None if scores is None else scores.get((start, end, label))

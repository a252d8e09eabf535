"""Keep what the base pipeline knows of the labels an export does not annotate.

An export of `ner_manual` work on PERSON alone marks every PERSON and says nothing of GPE;
fine-tuned on it as it is, the ner learns that nothing is a GPE and unlearns the label. So
before fine-tuning, the base pipeline's own entities of the labels the export never uses
are added to each document, where they touch no annotated or rejected span: silver data
that keeps those labels alive (pseudo-rehearsal). The dev split stays as annotated, and
dev scores, while training and after, count only the annotated labels: gold that annotates
PERSON alone can neither confirm nor refute a GPE, so predicting one must not cost the
checkpoint that keeps the label.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan
from spacy.training import Example

from annotator.training.docbin import INCORRECT_SPANS_KEY, TrainingDocs

_NOT_ENTITIES = ("spancat", "annotator_stances", "annotator_trained_stances")


@dataclass(frozen=True)
class Rehearsal:
    """The split with the base pipeline's entities added, and what was added."""

    split: TrainingDocs
    annotated: frozenset[str]  # the labels the export uses (accepted or rejected)
    added: dict[str, int]  # silver entities added per label, train and dev together


def annotated_labels(docs: Iterable[Doc]) -> frozenset[str]:
    """Every entity label a person decided on in these documents, accepted or rejected."""
    labels: set[str] = set()
    for doc in docs:
        labels.update(ent.label_ for ent in doc.ents)
        labels.update(span.label_ for span in doc.spans.get(INCORRECT_SPANS_KEY, ()))
    return frozenset(labels)


def _plain_copy(nlp: Any, doc: Doc) -> Doc:
    """The document's tokens, unannotated, in the base pipeline's vocab."""
    return Doc(nlp.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])


def _with_silver(doc: Doc, predicted: Doc, annotated: frozenset[str], added: Counter[str]) -> Doc:
    taken = [False] * len(doc)
    for span in (*doc.ents, *doc.spans.get(INCORRECT_SPANS_KEY, ())):
        taken[span.start : span.end] = [True] * (span.end - span.start)
    silver = [
        SpacySpan(doc, ent.start, ent.end, label=ent.label_)
        for ent in predicted.ents
        if ent.label_ not in annotated and not any(taken[ent.start : ent.end])
    ]
    if not silver:
        return doc
    copy = doc.copy()
    copy.ents = sorted(
        [*(SpacySpan(copy, e.start, e.end, label=e.label_) for e in doc.ents)]
        + [SpacySpan(copy, s.start, s.end, label=s.label_) for s in silver],
        key=lambda span: span.start,
    )
    added.update(span.label_ for span in silver)
    return copy


def _rehearsed(
    nlp: Any, docs: Sequence[Doc], annotated: frozenset[str], added: Counter[str]
) -> list[Doc]:
    predicted = nlp.pipe(_plain_copy(nlp, doc) for doc in docs)
    return [
        _with_silver(doc, guess, annotated, added)
        for doc, guess in zip(docs, predicted, strict=True)
    ]


def rehearse(split: TrainingDocs, nlp: Any) -> Rehearsal:
    """The split with the base pipeline's entities of the labels it does not annotate added
    to its train documents."""
    annotated = annotated_labels([*split.train, *split.dev])
    added: Counter[str] = Counter()
    known = set(nlp.get_pipe("ner").labels) if "ner" in nlp.pipe_names else set()
    if not known - annotated:
        return Rehearsal(split=split, annotated=annotated, added={})
    # Whatever makes its entities runs (rule components may need the parse); its stance
    # components have nothing to say here.
    with nlp.select_pipes(disable=[n for n in nlp.pipe_names if n in _NOT_ENTITIES]):
        rehearsed = replace(split, train=_rehearsed(nlp, split.train, annotated, added))
    return Rehearsal(split=rehearsed, annotated=annotated, added=dict(sorted(added.items())))


def only_labels(examples: Iterable[Example], labels: Collection[str]) -> list[Example]:
    """The examples with predicted entities of other labels left out."""
    kept = []
    for example in examples:
        predicted = example.predicted.copy()
        predicted.ents = [
            SpacySpan(predicted, e.start, e.end, label=e.label_)
            for e in example.predicted.ents
            if e.label_ in labels
        ]
        kept.append(Example(predicted, example.reference))
    return kept


def annotated_ner_scorer(labels: Collection[str]) -> Callable[..., dict[str, Any]]:
    """spaCy's ner scorer, on the annotated labels only (the training loop's dev scores)."""
    from spacy.scorer import get_ner_prf

    def score(examples: Iterable[Example], **settings: Any) -> dict[str, Any]:
        return get_ner_prf(only_labels(examples, labels), **settings)

    return score

"""Uncertainty first: which untouched document to annotate next, by how unsure the model is.

A suggestion made by a trained pipeline carries the ner's confidence in it (`confidence` in
the span's JSON, 0..1; see `annotator.nlp.confidence`). A document's uncertainty is the
expected number of its suggestions that are wrong, the sum of (1 - confidence): the
documents where correcting teaches the model most come first. Pure uncertainty sampling
keeps picking one kind of text (tables of results, say), so a share of the documents
(`random_share`, one in four by default) is drawn at random from the rest, seeded.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from annotator.core.model import DocumentState, Span

CONFIDENCE_KEY = "confidence"
RANDOM_SHARE = 0.25
LOW_CONFIDENCE = 0.8  # below this a suggestion is worth a second look


def span_confidence(span: Span) -> float | None:
    """The model's confidence in a suggested span, when the model gave one."""
    value = span.extra.get(CONFIDENCE_KEY)
    return float(value) if isinstance(value, int | float) else None


def document_uncertainty(state: DocumentState) -> float | None:
    """The expected number of wrong suggestions; None when no suggestion has a confidence."""
    scores = [c for c in map(span_confidence, state.spans) if c is not None]
    return sum(1.0 - c for c in scores) if scores else None


def uncertainty_order(
    hashes: Sequence[int],
    uncertainty: Mapping[int, float | None],
    random_share: float = RANDOM_SHARE,
    seed: int = 0,
) -> list[int]:
    """`hashes` most uncertain first, every so often one drawn at random from the rest.

    A document without a figure (no confidences: its model gave none, or it has no
    suggestions) counts as certain, so it comes among the random picks or last. Ties keep the
    corpus order.
    """
    if not 0.0 <= random_share <= 1.0:
        raise ValueError(f"random_share must be between 0 and 1, not {random_share}")
    position = {h: i for i, h in enumerate(hashes)}
    ranked = sorted(hashes, key=lambda h: (-(uncertainty.get(h) or 0.0), position[h]))
    shuffled = list(hashes)
    random.Random(seed).shuffle(shuffled)
    by_uncertainty, at_random = iter(ranked), iter(shuffled)
    order: list[int] = []
    taken: set[int] = set()
    credit = 0.0
    while len(order) < len(hashes):
        credit += random_share
        source = at_random if credit >= 1.0 else by_uncertainty
        credit -= 1.0 if credit >= 1.0 else 0.0
        pick = next(h for h in source if h not in taken)
        order.append(pick)
        taken.add(pick)
    return order

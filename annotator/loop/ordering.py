"""`annotate --order uncertain`: the documents nobody has touched, most uncertain first.

The model in use suggests for every untouched document first (its suggestions are cached, so
opening them later costs nothing), then they are ranked by the uncertainty of those
suggestions (`annotator.core.uncertainty`), with a share drawn at random. A model that gives
no confidences (the packaged pipeline) leaves the corpus order, with the random share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from annotator.core.store import Store, StoreBackend
from annotator.core.uncertainty import RANDOM_SHARE, document_uncertainty, uncertainty_order
from annotator.loop.suggesting import ModelSuggester


def untouched(store: Store, annotator: str, hashes: Sequence[int]) -> list[int]:
    """The documents of `hashes` this annotator has neither answered nor decided anything on."""
    answers = dict(store.answers(annotator, hashes))
    return [
        h
        for h in hashes
        if answers.get(h) is None and store.state(annotator, h).reviewed_count == 0
    ]


def order_by_uncertainty(
    store: Store,
    hashes: Sequence[int],
    suggest: Callable[[Sequence[int]], int],
    seed: int = 0,
    random_share: float = RANDOM_SHARE,
) -> list[int]:
    """`hashes` (untouched documents) ranked by the model's uncertainty, a share at random.

    `suggest` caches the model's suggestions of the documents that have none (the loop's
    `ModelLoop.suggest`).
    """
    suggest(hashes)
    uncertainty = {h: document_uncertainty(store.initial_state(h)) for h in hashes}
    return uncertainty_order(hashes, uncertainty, random_share, seed)


def uncertain_first(
    store: Store,
    annotator: str,
    hashes: Sequence[int],
    suggest: Callable[[Sequence[int]], int],
    seed: int = 0,
) -> list[int]:
    """The whole corpus for a session: what this annotator touched first, in corpus order,
    then the untouched documents most uncertain first."""
    fresh = untouched(store, annotator, hashes)
    fresh_set = set(fresh)
    touched = [h for h in hashes if h not in fresh_set]
    return touched + order_by_uncertainty(store, fresh, suggest, seed)


def by_uncertainty(
    model: str | None, load_model: Callable[[], Any] | None = None, seed: int = 0
) -> Callable[[StoreBackend, str, list[int]], list[int]]:
    """The order `annotate --order uncertain` opens a project in (see `open_project`): the
    model suggests every untouched document (cached, blocking) to rank them."""

    def order(store: StoreBackend, annotator: str, hashes: list[int]) -> list[int]:
        suggester = ModelSuggester(store.location, load_model, model)
        return uncertain_first(store, annotator, hashes, suggester, seed)

    return order

"""The review application and its one factory (for the CLI and the tests)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual.screen import Screen

from annotator.core.corpus import Tokenizer, read_corpus
from annotator.core.review_session import ReviewSession, review_queue
from annotator.core.scheme import LabelScheme, load_scheme
from annotator.core.store import open_store
from annotator.errors import AnnotatorError
from annotator.ui.app import AnnotatorApp
from annotator.ui.screens.review import ReviewScreen


class ReviewApp(AnnotatorApp):
    """The review screen on one review session; closes the store when it exits."""

    TITLE = "annotator review"

    def __init__(self, session: ReviewSession, scheme: LabelScheme, blind: bool) -> None:
        super().__init__(session, scheme, None)
        self.review = session
        self.blind = blind

    def get_default_screen(self) -> Screen[Any]:
        return ReviewScreen(self.review, self.scheme, self.blind)


def build_review_app(
    inputs: Sequence[Path] = (),
    *,
    store_path: Path | None = None,
    reviewer: str,
    tokenize: Tokenizer,
    min_annotators: int = 2,
    blind: bool = False,
    scheme_path: Path | None = None,
) -> ReviewApp:
    """Open the review of the store's documents that `min_annotators` annotators finished
    (only those of `inputs`, when given), least agreed first."""
    scheme = load_scheme(scheme_path)
    store = open_store(store_path)
    store.sync_behind()  # a key waits for the store, not for the disk
    try:
        only = (
            [record.document.input_hash for record in read_corpus(list(inputs), tokenize)]
            if inputs
            else None
        )
        hashes, annotators = review_queue(store, reviewer, tokenize, min_annotators, only)
        if not hashes:
            raise AnnotatorError(
                f"{store_path or 'the store'}: no document was finished by {min_annotators} "
                "annotators or more; import their work with `annotator import` first"
            )
        if len(annotators) > 9:
            raise AnnotatorError(
                f"{len(annotators)} annotators: the keys 1-9 reach nine; review documents "
                "of fewer annotators (pass INPUT files)"
            )
        session = ReviewSession(store, reviewer, hashes, annotators, tokenize)
    except BaseException:
        store.close()
        raise
    return ReviewApp(session, scheme, blind)

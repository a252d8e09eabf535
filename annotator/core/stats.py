"""What `annotator stats` counts: documents by answer, spans and stances by label and status."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from annotator.core.store import Store

STATUSES = ("suggested", "accepted", "edited", "added", "rejected")
ANSWER_NAMES = {"accept": "finished", "ignore": "skipped", "reject": "rejected", None: "open"}


@dataclass(frozen=True)
class CorpusStats:
    """Counts over a store for one annotator (read in one pass, nothing written)."""

    documents: int
    suggested: int  # documents whose suggestions are cached
    answers: Counter[str] = field(default_factory=Counter)  # finished/skipped/rejected/open
    spans: Counter[tuple[str, str]] = field(default_factory=Counter)  # (label, status)
    stances: Counter[tuple[str, str]] = field(default_factory=Counter)  # (label, status)

    @property
    def done(self) -> int:
        """Documents answered (finished, skipped or rejected)."""
        return self.documents - self.answers["open"]


def corpus_stats(store: Store, annotator: str) -> CorpusStats:
    """Count every document of the store as `annotator` left it."""
    answers: Counter[str] = Counter()
    spans: Counter[tuple[str, str]] = Counter()
    stances: Counter[tuple[str, str]] = Counter()
    hashes: list[int] = []
    for annotated in store.iter_annotated(annotator, include_unfinished=True):
        hashes.append(annotated.document.input_hash)
        answers[ANSWER_NAMES.get(annotated.state.answer, "open")] += 1
        spans.update((span.label, span.status) for span in annotated.state.spans)
        stances.update((stance.label, stance.status) for stance in annotated.state.stances)
    suggested = len(hashes) - len(store.missing_suggestions(hashes)) if hashes else 0
    return CorpusStats(
        documents=len(hashes), suggested=suggested, answers=answers, spans=spans, stances=stances
    )

"""The `versions` of a reviewed record: who gave which version of the document.

As in Prodigy's review records, each distinct version of a document's annotations appears
once, with the annotators who gave it under `sessions`, so an audit traces every gold span
to the people who gave it (or to the reviewer, when no version has it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from annotator.core.model import DocumentState
from annotator.core.review import REVIEW_COMMANDS, version_key
from annotator.core.store import Store


def was_reviewed(store: Store, reviewer: str, input_hash: int) -> bool:
    """Whether this annotator's state of the document came out of a review."""
    return any(e.change.command in REVIEW_COMMANDS for e in store.history(reviewer, input_hash))


def document_versions(
    store: Store, reviewer: str, input_hash: int, annotators: Sequence[str]
) -> list[dict[str, Any]] | None:
    """The distinct finished versions of the document by the other annotators, most given
    first; None when the reviewer's document was not reviewed."""
    if not was_reviewed(store, reviewer, input_hash):
        return None
    groups: dict[tuple[object, ...], tuple[DocumentState, list[str]]] = {}
    for name in sorted(annotators):
        if name == reviewer:
            continue
        state = store.state(name, input_hash)
        # Their own finished work only: not a state that a corpus file gave everyone, nor
        # another reviewer's gold.
        if state.answer != "accept" or not store.history(name, input_hash):
            continue
        if was_reviewed(store, name, input_hash):
            continue
        key = (version_key(state.live_spans), version_key(_live_stances(state)))
        groups.setdefault(key, (state, []))[1].append(name)
    ordered = sorted(groups.values(), key=lambda group: (-len(group[1]), group[1]))
    return [
        {
            "spans": [s.to_json() for s in state.live_spans],
            "stances": [s.to_json() for s in _live_stances(state)],
            "answer": state.answer,
            "sessions": names,
        }
        for state, names in ordered
    ]


def _live_stances(state: DocumentState) -> tuple[Any, ...]:
    return tuple(s for s in state.stances if s.status != "rejected")

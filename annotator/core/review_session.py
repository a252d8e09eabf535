"""A review session: the reviewer walks through the documents several annotators finished,
least agreed first, and turns each one's units into one version.

The reviewer is an annotator of the store like any other: every decision is an edit command
committed through `Store.apply`, so undo, resuming and export work as in `annotate`.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotator.core.agreement import compute_agreement
from annotator.core.agreement_input import store_annotations
from annotator.core.commands import Change, EditContext, EditRefused
from annotator.core.corpus import Tokenizer
from annotator.core.model import DocumentState
from annotator.core.review import (
    TakeVersion,
    Unit,
    find_units,
    merge_change,
    merged_state,
    unresolved,
)
from annotator.core.session import AnnotationSession
from annotator.core.store import Store, StoreBackend
from annotator.core.versions import was_reviewed


def review_queue(
    store: Store,
    reviewer: str,
    tokenize: Tokenizer,
    min_annotators: int = 2,
    only: Sequence[int] | None = None,
) -> tuple[list[int], list[str]]:
    """(documents to review, least agreed first; the annotators whose work they hold).

    A document is queued when at least `min_annotators` annotators other than the reviewer
    finished it (answered `accept`); `only` keeps just those documents.
    """
    annotators = [name for name in store.annotators() if name != reviewer]
    found = store_annotations(store, annotators, tokenize)
    wanted = set(only) if only is not None else None
    finished_by: dict[int, set[str]] = {}
    for name, records in found.items():
        for annotation in records:
            if wanted is None or annotation.key in wanted:
                finished_by.setdefault(annotation.key, set()).add(name)
    queued = {key for key, names in finished_by.items() if len(names) >= min_annotators}
    lowest = {d.key: d.lowest for d in compute_agreement(found).documents}
    order = {key: position for position, key in enumerate(finished_by)}
    hashes = sorted(queued, key=lambda key: (lowest.get(key, 1.0), order[key]))
    names = sorted({name for key in queued for name in finished_by[key]})
    return hashes, names


class ReviewSession(AnnotationSession):
    """An annotation session whose documents come with the annotators' versions."""

    def __init__(
        self,
        store: StoreBackend,
        reviewer: str,
        hashes: Sequence[int],
        annotators: Sequence[str],
        tokenize: Tokenizer,
    ) -> None:
        self.annotators: tuple[str, ...] = tuple(sorted(annotators))  # numbered 1...N
        self._tokenize = tokenize
        self.versions: dict[str, DocumentState] = {}
        self.units: list[Unit] = []
        super().__init__(store, reviewer, hashes)

    def reload(self) -> None:
        """Read the open document, its annotators' versions and the reviewer's state; the
        first time the reviewer opens it, merge the units everyone agrees on."""
        store, input_hash = self.store, self.input_hash
        self.document = store.document(input_hash)
        tokens = self.document.tokens or self._tokenize(self.document.text)
        self.context = EditContext.of(self.document.text, tokens)
        self.versions = {}
        for name in self.annotators:
            state = store.state(name, input_hash)
            # Their own finished work only (not annotations a corpus file brought for all,
            # nor another reviewer's gold).
            if (
                state.answer == "accept"
                and store.history(name, input_hash)
                and not was_reviewed(store, name, input_hash)
            ):
                self.versions[name] = state
        self.units = find_units(self.versions)
        self.state = store.state(self.annotator, input_hash)
        if not store.history(self.annotator, input_hash):
            # Logged even when nothing is agreed: the log then says this state is a review
            # (agree leaves reviewers' gold out of the annotators it compares).
            change = merge_change(self.state, merged_state(self.units))
            self.state = store.apply(self.annotator, input_hash, change, session=self.team.session)
        self._seen_version = store.state_version(self.annotator, input_hash)
        self._stale = False

    # -- moving: a review opens documents others finished, so it claims none ----------------

    hands_out = False

    def resume_index(self) -> int:
        """The document last open, unless answered since; else the first unanswered one;
        else the last one. (Claims hand out documents nobody finished: not these.)"""
        place = self.store.place(self.annotator)
        if place in self._positions and self._answers.get(place) is None:
            return self._positions[place]
        first = self.store.first_unfinished(self.annotator, self.hashes)
        return first if first is not None else len(self.hashes) - 1

    def go_to(self, index: int) -> bool:
        """Open the document at `index`; False when out of range."""
        if not 0 <= index < len(self.hashes) or index == self.index:
            return False
        self._load(index)
        return True

    def next(self) -> bool:
        return self.go_to(self.index + 1)

    def first_openable(self, hashes: Sequence[int]) -> int | None:
        return hashes[0] if hashes else None

    def previous(self) -> bool:
        return self.go_to(self.index - 1)

    # -- units -------------------------------------------------------------------------------

    def unresolved(self) -> list[Unit]:
        """The units of the open document still waiting for the reviewer, in text order."""
        return unresolved(self.state, self.units)

    def unit(self, unit_id: str) -> Unit:
        for unit in self.units:
            if unit.id == unit_id:
                return unit
        raise KeyError(unit_id)

    def number_of(self, annotator: str) -> int:
        """The annotator's number in the legend (1...N, in name order)."""
        return self.annotators.index(annotator) + 1

    def take(self, unit: Unit, number: int) -> Change:
        """Take annotator `number`'s version of the unit."""
        if not 1 <= number <= len(self.annotators):
            raise EditRefused(f"no annotator {number}: the legend numbers 1-{len(self.annotators)}")
        name = self.annotators[number - 1]
        if name not in unit.versions:
            raise EditRefused(f"annotator {number} did not finish this document")
        return self.apply(TakeVersion(unit, name))

    def take_majority(self, unit: Unit) -> Change:
        """Take the version most annotators gave; refused on a tie."""
        name = unit.majority()
        if name is None:
            counts = " / ".join(str(len(names)) for names, _ in unit.groups())
            raise EditRefused(f"no majority here ({counts}): take a version with 1-9")
        return self.apply(TakeVersion(unit, name))

    def finish(self) -> Change:
        """Finish the document, once every unit is resolved, and open the next."""
        left = len(self.unresolved())
        if left:
            raise EditRefused(
                f"{left} unit{'s' if left != 1 else ''} left to resolve: take a version "
                "(1-9, a for the majority) or edit them"
            )
        return super().finish()

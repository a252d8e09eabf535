"""An annotation session: one annotator walking through a corpus, one document at a time.

The session is the UI's only way into the core. It holds which document is open and that
document's state as the store last returned it; every edit goes through an `EditCommand`,
is committed by the store, and only then becomes the session's state. It knows nothing of
Textual, so every behaviour of the screen can be tested with a plain SQLite file.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from annotator.core.commands import Change, EditCommand, EditContext, EditRefused, SetAnswer
from annotator.core.model import Answer, Document, DocumentState
from annotator.core.store import StoreBackend
from annotator.core.store.claims import DEFAULT_CLAIM_TIMEOUT, AnswerKept
from annotator.core.team import Team
from annotator.errors import StoreError

# Runs the model over the given documents and caches their suggestions in the store.
Suggest = Callable[[Sequence[int]], int]
_SUMMARY = re.compile(r'"summary":"((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Progress:
    """Figures for the header: where we are, and how much is done."""

    position: int  # 1-based position of the open document in the corpus
    total: int  # documents in the corpus
    reviewed: int  # spans and stances of this document that are no longer `suggested`
    items: int  # spans and stances of this document
    finished: int  # documents of the corpus with an answer (finished, skipped or rejected)
    answer: str | None = None  # the open document's answer: accept, ignore, reject or None


@dataclass(frozen=True)
class UndoResult:
    """What an undo or redo did, and whether it had to open another document to do it."""

    change: Change
    input_hash: int
    switched: bool


class AnnotationSession:
    """One annotator's pass over a corpus; the store is the source of truth for every state."""

    hands_out = True  # documents are claimed from the team's pool (a review claims none)

    def __init__(
        self,
        store: StoreBackend,
        annotator: str,
        hashes: Sequence[int],
        *,
        overlap: int | None = None,
        claim_timeout: float = DEFAULT_CLAIM_TIMEOUT,
    ) -> None:
        if not hashes:
            raise ValueError("an annotation session needs at least one document")
        self.store = store
        self.annotator = annotator
        # This terminal's session: its undo, and the documents it claims (see `Team`).
        self.team = Team(store, annotator, overlap, claim_timeout)
        self.hashes: tuple[int, ...] = tuple(hashes)
        self._positions = {h: i for i, h in enumerate(self.hashes)}
        self._answers: dict[int, str | None] = dict(store.answers(annotator, self.hashes))
        # Counted once here and kept up to date, so the header costs nothing per key press.
        self._finished = sum(1 for h in self.hashes if self._answers.get(h) is not None)
        self.index = 0
        self.document: Document
        self.state: DocumentState
        self.context: EditContext | None = None
        self.resumed = ""  # where the session opened and why, for the status line
        self._load(self.resume_index())

    def reorder(self, hashes: Sequence[int]) -> bool:
        """Go through the same documents in another order (a new model's uncertainty first);
        the open document stays open. False, and nothing changes, unless `hashes` holds
        exactly this session's documents."""
        if len(hashes) != len(self.hashes) or set(hashes) != set(self.hashes):
            return False
        current = self.input_hash
        self.hashes = tuple(hashes)
        self._positions = {h: i for i, h in enumerate(self.hashes)}
        self.index = self._positions[current]
        return True

    # -- the open document ---------------------------------------------------------------

    @property
    def input_hash(self) -> int:
        return self.hashes[self.index]

    @property
    def needs_suggestions(self) -> bool:
        """True while the open document has no model suggestions (and so no model tokens)."""
        return self.context is None

    def resume_index(self) -> int:
        """Where this annotator left off: the document last open, unless it has been answered
        since (or is another's now); else the first unanswered one this session may have;
        else (all answered) the first one. Sets `resumed` to say which."""
        place = self.store.place(self.annotator)
        if (
            place in self._positions
            and self._answers.get(place) is None
            and self.team.claim([place]) is not None
        ):
            index = self._positions[place]
            self.resumed = f"resumed at {index + 1}: where you left off"
            return index
        first = self.team.claim(self.hashes, unanswered=True)
        if first is not None:
            index = self._positions[first]
            self.resumed = f"resumed at {index + 1}: the first unfinished"
            return index
        self.resumed = f"all {len(self.hashes)} answered; n and p go through them"
        found = self.team.claim(self.hashes)
        return self._positions[found] if found is not None else 0

    def next_unfinished(self) -> int | None:
        """The first unanswered document after the open one (wrapping around), if any."""
        count = len(self.hashes)
        for step in range(1, count):
            index = (self.index + step) % count
            if self._answers.get(self.hashes[index]) is None:
                return index
        return None

    def answer_of(self, index: int) -> str | None:
        """The answer of the document at `index` (None while it is open)."""
        return self._answers.get(self.hashes[index])

    def _load(self, index: int) -> None:
        moved = index != self.index
        self.index = index
        self.reload()
        if moved:
            # Only a convenience for the next start; a decision that cannot be saved says so.
            with contextlib.suppress(StoreError):
                self.store.remember_place(self.annotator, self.input_hash)

    def reload(self) -> None:
        """Read the open document and its state again (after suggestions arrived, say)."""
        input_hash = self.input_hash
        self.document = self.store.document(input_hash)
        self.state, self._seen_version = self.store.state_and_version(self.annotator, input_hash)
        self._stale = False
        # Edits are token-aligned to the model's tokens; until the model has run there are
        # none to align to (imported tokens count only when the record came with its spans).
        ready = self.store.has_suggestions(input_hash) and bool(self.document.tokens)
        self.context = EditContext.of(self.document.text, self.document.tokens) if ready else None

    def go_to(self, index: int) -> bool:
        """Open the document at `index`; False (and nothing changes) when out of range or
        handed to other annotators."""
        if not 0 <= index < len(self.hashes) or index == self.index:
            return False
        if self.team.claim([self.hashes[index]]) is None:
            return False
        self._load(index)
        return True

    def next(self) -> bool:
        """Open the next document this session may have (claiming it); False at the end."""
        found = self.team.claim(self.hashes[self.index + 1 :])
        if found is None:
            return False
        self._load(self._positions[found])
        return True

    def previous(self) -> bool:
        """Open the previous document this session may have."""
        found = self.team.claim(self.hashes[: self.index][::-1])
        if found is None:
            return False
        self._load(self._positions[found])
        return True

    def refresh_if_changed(self) -> bool:
        """Show the open document afresh when another session of this annotator changed it
        (the screen polls this); True when it did."""
        if self.store.state_version(self.annotator, self.input_hash) == self._seen_version:
            return False
        self.reload()
        self._record_answer(self.input_hash, self.state.answer)
        return True

    def keep_alive(self, interval: float | None = None) -> None:
        """Beat in the background so this session keeps its claims while it is open."""
        self.team.keep_alive(interval)

    def close(self) -> None:
        """End the session (its claims return to the pool) and close the store."""
        self.team.stop()
        self.store.close()

    def suggest_current(self, suggest: Suggest) -> int:
        """Run the model on the open document if it still needs it (blocking)."""
        if not self.needs_suggestions:
            return 0
        count = suggest([self.input_hash])
        self.reload()
        return count

    # -- edits -----------------------------------------------------------------------------

    def apply(self, command: EditCommand) -> Change:
        """Plan the command, commit it to the store, and adopt the state the store returns.

        Raises EditRefused (with a message for the user) when the command does not apply or
        the store cannot save it.
        An empty change is returned without being logged, so it never clutters undo.
        """
        if self.context is None:
            raise EditRefused("this document has no suggestions yet; wait for the model")
        self._catch_up()
        change = command.plan(self.state, self.context)
        if change.is_empty:
            return change
        try:
            self.state = self.store.apply(
                self.annotator,
                self.input_hash,
                change,
                session=self.team.session,
                overlap=self._overlap,
            )
        except StoreError as error:
            # A full disk, a lost lock, an unreachable server: nothing was saved (the
            # transaction rolled back), so the screen says so and keeps the state it shows.
            self._stale = True
            raise EditRefused(f"not saved: {error}") from None
        except AnswerKept:
            raise  # said as it is: nothing changed, and nothing is stale
        except EditRefused as refused:
            # Another terminal of this annotator changed the document since it was shown.
            self.reload()
            raise EditRefused(f"{refused}; shown afresh, press again") from None
        written = self.store.version_written(self.annotator, self.input_hash)
        self._seen_version = (
            written
            if written is not None
            else self.store.state_version(self.annotator, self.input_hash)
        )
        self._record_answer(self.input_hash, self.state.answer)
        return change

    def _catch_up(self) -> None:
        """After a failed save (the server was away, say), read the document again first."""
        if self._stale:
            try:
                self.reload()
            except StoreError as error:
                raise EditRefused(f"not saved: {error}") from None

    def undo(self) -> UndoResult | None:
        """Undo this annotator's latest change, opening its document if it is another one.

        Raises EditRefused when the store cannot save the undo (nothing changes then).
        """
        self._catch_up()
        try:
            return self._after_history(
                self.store.undo(self.annotator, session=self.team.session, overlap=self._overlap)
            )
        except StoreError as error:
            self._stale = True
            raise EditRefused(f"not saved: {error}") from None

    def redo(self) -> UndoResult | None:
        """Redo the change undone last, opening its document if needed."""
        self._catch_up()
        try:
            return self._after_history(
                self.store.redo(self.annotator, session=self.team.session, overlap=self._overlap)
            )
        except StoreError as error:
            self._stale = True
            raise EditRefused(f"not saved: {error}") from None

    def next_step(self, verb: Literal["undo", "redo"], long: int) -> tuple[str, bool] | None:
        """The summary of the change `undo` (or `redo`) would apply next, and whether its
        log entry is `long` characters or more (None: none, or the store cannot say now):
        a screen says so before a long step."""
        try:
            found = self.store.next_step(self.annotator, verb, long, session=self.team.session)
        except StoreError:
            return None
        if found is None:
            return None
        # The log entry starts {"command":...,"summary":"...": read from it, not parsed whole.
        head, is_long = found
        summary = _SUMMARY.search(head)
        return (json.loads(f'"{summary.group(1)}"') if summary else verb), is_long

    @property
    def _overlap(self) -> int | None:
        """K for the store, so an answer taken back claims the document back (None: claims
        are not this session's business)."""
        return self.team.overlap if self.hands_out else None

    def _after_history(self, result: tuple[int, DocumentState, Change] | None) -> UndoResult | None:
        if result is None:
            return None
        input_hash, state, change = result
        self._record_answer(input_hash, state.answer)
        switched = False
        if input_hash == self.input_hash:
            self.state = state
            self._seen_version = self.store.state_version(self.annotator, input_hash)
        elif input_hash in self._positions:
            self._load(self._positions[input_hash])
            switched = True
        # A change on a document outside this corpus is undone in the store all the same;
        # there is nothing of it to show here.
        return UndoResult(change=change, input_hash=input_hash, switched=switched)

    def _record_answer(self, input_hash: int, answer: str | None) -> None:
        if input_hash not in self._positions:
            return
        before = self._answers.get(input_hash) is not None
        self._answers[input_hash] = answer
        self._finished += (answer is not None) - before

    def answer(self, answer: Answer) -> Change:
        """Give the document an answer and open the next unanswered one (if any is left)."""
        change = self.apply(SetAnswer(answer))
        # The unanswered documents after this one, then those before it: the first that
        # this session may have (claimed for it) opens.
        order = self.hashes[self.index + 1 :] + self.hashes[: self.index]
        found = self.first_openable([h for h in order if self._answers.get(h) is None])
        if found is not None:
            self._load(self._positions[found])
        return change

    def first_openable(self, hashes: Sequence[int]) -> int | None:
        """The first of `hashes` this session may open (claimed for it), if any."""
        return self.team.claim(hashes) if hashes else None

    def finish(self) -> Change:
        """Finish the document (its remaining suggestions count as accepted), open the next."""
        return self.answer("accept")

    def skip(self) -> Change:
        """Skip the document (answer `ignore`) and open the next."""
        return self.answer("ignore")

    # -- figures ---------------------------------------------------------------------------

    @property
    def accepted_documents(self) -> int:
        """Documents of the corpus answered `accept`: what training can learn from."""
        return sum(1 for answer in self._answers.values() if answer == "accept")

    def progress(self) -> Progress:
        items = len(self.state.spans) + len(self.state.stances)
        return Progress(
            position=self.index + 1,
            total=len(self.hashes),
            reviewed=self.state.reviewed_count,
            items=items,
            finished=self._finished,
            answer=self.state.answer,
        )

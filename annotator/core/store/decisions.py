"""Decisions: applying changes, the event log, and undo and redo per session (reading states
is states.py's).

A state is stored as the items where it differs from the suggestions (`state_items`), so a
decision writes what it changed, whatever the document's size; undo and redo read the top of
the session's stack, whatever the log's length.
"""

from __future__ import annotations

import json
import time
from abc import abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal

from annotator.core.commands import Change, apply_change
from annotator.core.jsoncodec import compact_json
from annotator.core.model import DocumentState
from annotator.core.store.base import Event
from annotator.core.store.claims import AnswerKept
from annotator.core.store.sql import guarded
from annotator.core.store.states import StateStore

History = tuple[int, DocumentState, Change]
CHANGE_HEAD = 400  # characters of a logged change that hold its command and summary


def changed_items(change: Change) -> list[tuple[str, str | None]]:
    """The override rows a change writes: its new items, and NULL for the ones it removed."""
    rows: list[tuple[str, str | None]] = []
    after_spans = {s.id for s in change.spans_after}
    after_stances = {s.id for s in change.stances_after}
    rows.extend((f"s:{s.id}", None) for s in change.spans_before if s.id not in after_spans)
    rows.extend((f"t:{s.id}", None) for s in change.stances_before if s.id not in after_stances)
    rows.extend((f"s:{s.id}", compact_json(s.to_store())) for s in change.spans_after)
    rows.extend((f"t:{s.id}", compact_json(s.to_json())) for s in change.stances_after)
    return rows


class StoreBackend(StateStore):
    """A whole store over SQL; this part holds decisions (each write one transaction,
    committed on return). `SQLiteStore` and `PostgresStore` are its backends."""

    def __init__(self) -> None:
        super().__init__()
        # Event ids this connection just made up and has not sent yet: no lookup needed.
        self._fresh_ids: set[str] = set()
        self._redo_empty: set[int] = set()  # own sessions known to have nothing to redo

    _last_id = "last_insert_rowid()"  # SQL for the id the connection's last INSERT made

    def _write_decision(self) -> AbstractContextManager[Any]:
        """The transaction of one decision (a server backend may pipeline it)."""
        return self._write()

    def _lock_state(self, db: Any, annotator: str, input_hash: int) -> None:
        """Keep other writers of this annotator's document out until commit (server stores)."""

    def _decide_at_once(
        self, annotator: str, input_hash: int, change: Change, session: int, event_id: str | None
    ) -> DocumentState | None:
        """A backend's short way to write a decision planned on a state it has cached: the
        new state once committed, or None having written nothing (then the long way runs)."""
        return None

    # -- writing ---------------------------------------------------------------------------------

    @guarded
    def apply(
        self,
        annotator: str,
        input_hash: int,
        change: Change,
        *,
        session: int | None = None,
        event_id: str | None = None,
        overlap: int | None = None,
    ) -> DocumentState:
        """Apply a change and log it; committed before this returns.

        `event_id`, made by the caller, makes a retried call apply once: a second call with
        the same id changes nothing and returns the current state. `overlap`: the K the
        session hands documents out with (see `_follow_answer`; None: claims stay as they are,
        except that an answer always releases the document).
        """
        sid = self.session_for(annotator, session)
        if not self._maybe_logged(event_id) and not _takes_back_answer(change):
            decided = self._decide_at_once(annotator, input_hash, change, sid, event_id)
            if decided is not None:
                return decided
        with self._write_decision() as db:
            if self._maybe_logged(event_id) and self._logged(db, event_id) is not None:
                return self._state(db, annotator, input_hash)
            self._lock_state(db, annotator, input_hash)
            state, version = self._state_and_version(db, annotator, input_hash)
            new_state = apply_change(state, change)
            self._follow_answer(db, annotator, sid, input_hash, change, overlap, "not reopened")
            # From here on nothing is read back: a server gets the writes and the commit in
            # one go (psycopg's pipeline), not one round trip each.
            if sid not in self._redo_empty:
                db.execute("DELETE FROM undo_stacks WHERE session=? AND kind='redo'", (sid,))
            self._log(db, sid, annotator, input_hash, "do", None, change, event_id, push=True)
            version += 1
        self._remember(annotator, input_hash, version, new_state)  # only once committed
        if sid in self._own_sessions.values():
            # Only this connection writes its own sessions' stacks: no redo to clear next time.
            self._redo_empty.add(sid)
        return new_state

    @guarded
    def apply_many(self, changes: Sequence[tuple[str, int, Change]]) -> None:
        """Apply and log (annotator, document, change) triples in one transaction: all land or
        none does. For bulk writes (an import), where a commit per document is most of the time."""
        sessions = {annotator: self.session_for(annotator) for annotator, _, _ in changes}
        written = []
        with self._write() as db:
            for sid in set(sessions.values()) - self._redo_empty:
                db.execute("DELETE FROM undo_stacks WHERE session=? AND kind='redo'", (sid,))
            for annotator, input_hash, change in changes:
                self._lock_state(db, annotator, input_hash)
                state, version = self._state_and_version(db, annotator, input_hash)
                new_state = apply_change(state, change)
                sid = sessions[annotator]
                self._log(db, sid, annotator, input_hash, "do", None, change, None, push=True)
                if change.answer_after is not None:
                    self._release_answered(db, annotator, input_hash)
                written.append((annotator, input_hash, version + 1, new_state))
        for annotator, input_hash, version, new_state in written:
            self._remember(annotator, input_hash, version, new_state)
        self._redo_empty.update(s for s in sessions.values() if s in self._own_sessions.values())

    def _follow_answer(
        self,
        db: Any,
        annotator: str,
        session: int,
        input_hash: int,
        change: Change,
        overlap: int | None,
        refusal: str,
    ) -> None:
        """Claims follow the answer: an answer given releases the document (it counts towards
        the overlap itself); an answer taken back (an undone finish, a reopen) holds it again
        for `session`, which is refused (EditRefused, starting with `refusal`) when K other
        annotators have it by now. Without `overlap` (a review) a taken-back answer claims
        nothing."""
        if change.answer_after is not None:
            self._release_answered(db, annotator, input_hash)
        elif _takes_back_answer(change) and overlap is not None:
            others = self._claim_back(db, annotator, session, input_hash, overlap)
            if others is not None:
                raise AnswerKept(
                    f"{refusal}: the document went to {others} other annotator(s) after you "
                    f"answered it (--overlap {overlap}); your answer stays"
                )

    def _maybe_logged(self, event_id: str | None) -> bool:
        """Whether an event id may be in the log already (a first try of a fresh one is not)."""
        return event_id is not None and event_id not in self._fresh_ids

    def _logged(self, db: Any, event_id: str | None) -> tuple[int, str] | None:
        row = db.execute(
            "SELECT input_hash, change FROM events WHERE event_id=?", (event_id,)
        ).fetchone()
        return None if row is None else (int(row[0]), row[1])

    def _log(
        self,
        db: Any,
        session: int,
        annotator: str,
        input_hash: int,
        op: str,
        ref: int | None,
        change: Change,
        event_id: str | None,
        push: bool = False,
    ) -> None:
        """Write the event (pushed on the session's undo stack with `push`), the items it
        changed and the state's answer; the state's version goes up by one."""
        now = int(time.time())
        db.execute(
            "INSERT INTO events (annotator, input_hash, op, ref, change, timestamp, session,"
            " event_id) VALUES (?,?,?,?,?,?,?,?)",
            (
                annotator,
                input_hash,
                op,
                ref,
                compact_json(change.to_json()),
                now,
                session,
                event_id,
            ),
        )
        if push:  # right after the event: the last id made on this connection is its seq
            db.execute(
                f"INSERT INTO undo_stacks (session, kind, seq) VALUES (?, 'undo', {self._last_id})",
                (session,),
            )
        db.executemany(
            "INSERT INTO state_items (annotator, input_hash, item, body) VALUES (?,?,?,?) "
            "ON CONFLICT (annotator, input_hash, item) DO UPDATE SET body=excluded.body",
            [(annotator, input_hash, item, body) for item, body in changed_items(change)],
        )
        db.execute(
            "INSERT INTO states (annotator, input_hash, answer, timestamp, version) "
            "VALUES (?,?,?,?,1) ON CONFLICT (annotator, input_hash) DO UPDATE SET "
            "answer=excluded.answer, timestamp=excluded.timestamp, version=states.version+1",
            (annotator, input_hash, change.answer_after, now),
        )

    def undo(
        self,
        annotator: str,
        *,
        session: int | None = None,
        event_id: str | None = None,
        overlap: int | None = None,
    ) -> History | None:
        """Undo the latest change made in this session, on whichever document it was
        (undoing a finish claims the document back: see `_follow_answer`)."""
        return self._undo_or_redo(annotator, "undo", session, event_id, overlap)

    def redo(
        self,
        annotator: str,
        *,
        session: int | None = None,
        event_id: str | None = None,
        overlap: int | None = None,
    ) -> History | None:
        """Redo the change this session undid last (a redone answer releases the claim)."""
        return self._undo_or_redo(annotator, "redo", session, event_id, overlap)

    @guarded
    def next_step(
        self,
        annotator: str,
        op: Literal["undo", "redo"],
        long: int,
        session: int | None = None,
    ) -> tuple[str, bool] | None:
        """What `undo` (or `redo`) would apply next (None: nothing): the start of its log
        entry, which holds its summary, and whether the entry is `long` characters or more.
        Read before a long step, so that a screen can say so first; nothing is parsed."""
        sid = self.session_for(annotator, session)
        top = "MAX" if op == "undo" else "MIN"
        seq = self._db.execute(
            f"SELECT {top}(seq) FROM undo_stacks WHERE session=? AND kind=?", (sid, op)
        ).fetchone()[0]
        return None if seq is None else self._change_head(int(seq), long)

    @abstractmethod
    def _change_head(self, seq: int, long: int) -> tuple[str, bool]:
        """The first CHANGE_HEAD characters of event `seq`'s change, and whether it is `long`
        or longer, without reading the whole of it (15 MB for `A` on 100,000 suggestions)."""

    @guarded
    def _undo_or_redo(
        self,
        annotator: str,
        op: Literal["undo", "redo"],
        session: int | None,
        event_id: str | None,
        overlap: int | None = None,
    ) -> History | None:
        sid = self.session_for(annotator, session)
        with self._write_decision() as db:
            if self._maybe_logged(event_id):
                logged = self._logged(db, event_id)
                if logged is not None:
                    state = self._state(db, annotator, logged[0])
                    return logged[0], state, Change.from_json(json.loads(logged[1]))
            # Undo takes the newest 'do' of the session; redo the one undone last (lowest).
            top = "MAX" if op == "undo" else "MIN"
            ref = db.execute(
                f"SELECT {top}(seq) FROM undo_stacks WHERE session=? AND kind=?", (sid, op)
            ).fetchone()[0]
            if ref is None:
                return None
            input_hash, change_json = db.execute(
                "SELECT input_hash, change FROM events WHERE seq=?", (ref,)
            ).fetchone()
            original = Change.from_json(json.loads(change_json))
            change = original.inverse() if op == "undo" else original
            self._lock_state(db, annotator, input_hash)
            state, version = self._state_and_version(db, annotator, input_hash)
            new_state = apply_change(state, change)
            self._follow_answer(db, annotator, sid, input_hash, change, overlap, f"not {op}ne")
            self._log(db, sid, annotator, input_hash, op, ref, change, event_id)
            version += 1
            db.execute(
                "DELETE FROM undo_stacks WHERE session=? AND kind=? AND seq=?", (sid, op, ref)
            )
            db.execute(
                "INSERT INTO undo_stacks (session, kind, seq) VALUES (?,?,?)",
                (sid, "redo" if op == "undo" else "undo", ref),
            )
        self._remember(annotator, int(input_hash), version, new_state)
        self._redo_empty.discard(sid)
        return int(input_hash), new_state, change

    # -- states ----------------------------------------------------------------------------------

    @guarded
    def logged_commands(self, commands: Iterable[str]) -> set[tuple[str, int]]:
        """(annotator, document) pairs whose log holds an event of one of these commands."""
        pairs: set[tuple[str, int]] = set()
        for command in commands:
            # Every change is logged as {"command":...,: a prefix, not a JSON parse per event.
            prefix = compact_json({"command": command})[:-1] + ","
            for annotator, input_hash in self._db.execute(
                "SELECT DISTINCT annotator, input_hash FROM events WHERE substr(change, 1, ?) = ?",
                (len(prefix), prefix),
            ):
                pairs.add((str(annotator), int(input_hash)))
        return pairs

    @guarded
    def decided(self) -> dict[tuple[str, int], int | None]:
        """(annotator, document) pairs with work in the store, each with the session of its
        latest decision (None: imported under that annotator, or made before sessions)."""
        pairs: dict[tuple[str, int], int | None] = {
            (str(a), int(h)): None
            for a, h in self._db.execute(
                "SELECT imported_annotator, input_hash FROM documents "
                "WHERE imported_annotator IS NOT NULL AND initial IS NOT NULL"
            )
        }
        for annotator, input_hash, session in self._db.execute(
            "SELECT s.annotator, s.input_hash, (SELECT e.session FROM events e "
            "WHERE e.annotator = s.annotator AND e.input_hash = s.input_hash "
            "ORDER BY e.seq DESC LIMIT 1) FROM states s"
        ):
            pairs[(str(annotator), int(input_hash))] = None if session is None else int(session)
        return pairs

    # -- the log ---------------------------------------------------------------------------------

    @guarded
    def replay(self, annotator: str, input_hash: int) -> DocumentState:
        """Rebuild a state from the initial suggestions and the log alone (the audit path)."""
        state = self._initial(self._db, input_hash)
        for event in self.history(annotator, input_hash):
            state = apply_change(state, event.change)
        return state

    @guarded
    def history(self, annotator: str, input_hash: int) -> list[Event]:
        """This annotator's events on a document, oldest first."""
        rows = self._db.execute(
            "SELECT seq, annotator, input_hash, op, ref, change, timestamp, session FROM events "
            "WHERE annotator=? AND input_hash=? ORDER BY seq",
            (annotator, input_hash),
        )
        return [
            Event(seq, ann, h, op, ref, Change.from_json(json.loads(change)), ts, session)
            for seq, ann, h, op, ref, change, ts, session in rows
        ]


def _takes_back_answer(change: Change) -> bool:
    """Whether the change makes an answered document unanswered again."""
    return change.answer_before is not None and change.answer_after is None

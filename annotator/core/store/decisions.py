"""Decisions: applying changes, the event log, undo and redo per session, and states.

A state is stored as the items where it differs from the suggestions (`state_items`), so a
decision writes what it changed, whatever the document's size; undo and redo read the top of
the session's stack, whatever the log's length.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal

from annotator.core.commands import Change, apply_change
from annotator.core.jsoncodec import compact_json, read_json
from annotator.core.model import DocumentState, Span, Stance
from annotator.core.store.base import Event, chunks
from annotator.core.store.claims import AnswerKept, ClaimLog
from annotator.core.store.sql import guarded

_CACHED_STATES = 16
_CACHED_INITIALS = 4  # parsed suggestions kept, with the stored text they came from
History = tuple[int, DocumentState, Change]


def overlaid(
    initial: DocumentState, items: Iterable[tuple[str, str | None]], answer: Any
) -> DocumentState:
    """The suggestions with an annotator's item overrides on top, ordered as `apply_change`."""
    spans = {s.id: s for s in initial.spans}
    stances = {s.id: s for s in initial.stances}
    for item, body in items:
        if item.startswith("s:"):
            if body is None:
                spans.pop(item[2:], None)
            else:
                spans[item[2:]] = Span.from_store(json.loads(body))
        elif body is None:
            stances.pop(item[2:], None)
        else:
            stances[item[2:]] = Stance.from_json(json.loads(body))
    return DocumentState(
        spans=tuple(sorted(spans.values(), key=lambda s: (s.start, s.end, s.id))),
        stances=tuple(sorted(stances.values(), key=lambda s: (s.evidence.start, s.id))),
        answer=answer,
    )


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


class StoreBackend(ClaimLog):
    """A whole store over SQL; this part holds decisions (each write one transaction,
    committed on return). `SQLiteStore` and `PostgresStore` are its backends."""

    def __init__(self) -> None:
        super().__init__()
        # Recently used states with the version they were read at (and, for a state with no
        # decision yet, the stamp of the document row its suggestions were read from).
        self._cache: OrderedDict[tuple[str, int], tuple[int, DocumentState, int | None]] = (
            OrderedDict()
        )
        self._initials: OrderedDict[int, tuple[str, DocumentState]] = OrderedDict()
        # Event ids this connection just made up and has not sent yet: no lookup needed.
        self._fresh_ids: set[str] = set()
        self._redo_empty: set[int] = set()  # own sessions known to have nothing to redo

    def _forget_cached(self) -> None:
        self._cache.clear()

    _last_id = "last_insert_rowid()"  # SQL for the id the connection's last INSERT made
    _row_stamp = "NULL"  # SQL for a value that changes whenever row `d` is updated (if any)

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
    def state(self, annotator: str, input_hash: int) -> DocumentState:
        """This annotator's current state of a document (its suggestions until a decision)."""
        return self._state(self._db, annotator, input_hash)

    @guarded
    def state_and_version(self, annotator: str, input_hash: int) -> tuple[DocumentState, int]:
        """This annotator's state of a document and its version, read together."""
        return self._state_and_version(self._db, annotator, input_hash)

    def version_written(self, annotator: str, input_hash: int) -> int | None:
        """The version of the state this connection last read or wrote (no query)."""
        cached = self._cache.get((annotator, input_hash))
        return None if cached is None else cached[0]

    @guarded
    def state_version(self, annotator: str, input_hash: int) -> int:
        """How many decisions changed this state (0: none); cheap, for noticing others' edits."""
        row = self._db.execute(
            "SELECT version FROM states WHERE annotator=? AND input_hash=?",
            (annotator, input_hash),
        ).fetchone()
        return 0 if row is None else int(row[0])

    @guarded
    def initial_state(self, input_hash: int) -> DocumentState:
        """The suggestions (or imported annotations) a document starts from."""
        return self._initial(self._db, input_hash)

    def _state(self, db: Any, annotator: str, input_hash: int) -> DocumentState:
        return self._state_and_version(db, annotator, input_hash)[0]

    def _state_and_version(
        self, db: Any, annotator: str, input_hash: int
    ) -> tuple[DocumentState, int]:
        # One round trip: the state's version and answer, or (no decision yet) the
        # suggestions, which may arrive any time, with their row's stamp.
        found = db.execute(
            f"SELECT s.version, s.answer, CASE WHEN s.version IS NULL THEN d.initial END, "
            f"{self._row_stamp} FROM documents d LEFT JOIN states s "
            f"ON s.annotator=? AND s.input_hash=d.input_hash WHERE d.input_hash=?",
            (annotator, input_hash),
        ).fetchone()
        if found is None:
            raise KeyError(input_hash)
        row, initial, stamp = found[:2], found[2], found[3]
        if row[0] is None:
            state = self._parsed_initial(input_hash, initial)
            # Kept for a backend's short way (`_decide_at_once`), never served as it is.
            self._remember(annotator, input_hash, 0, state, None if stamp is None else int(stamp))
            return state, 0
        # Parsing a long article's state costs tens of milliseconds; a key press must not.
        cached = self._cache.get((annotator, input_hash))
        if cached is not None and cached[0] == row[0]:
            return cached[1], int(row[0])
        items = db.execute(
            "SELECT item, body FROM state_items WHERE annotator=? AND input_hash=?",
            (annotator, input_hash),
        ).fetchall()
        state = overlaid(self._initial(db, input_hash), items, row[1])
        self._remember(annotator, input_hash, int(row[0]), state)
        return state, int(row[0])

    def _states_of(
        self, annotator: str, rows: Sequence[tuple[int, str | None, Any]]
    ) -> dict[int, DocumentState]:
        """States of many documents from (input_hash, initial JSON, answer) rows, read at once."""
        items: dict[int, list[tuple[str, str | None]]] = {h: [] for h, _, _ in rows}
        for chunk in chunks(list(items), 500):
            marks = ",".join("?" * len(chunk))
            for input_hash, item, body in self._db.execute(
                f"SELECT input_hash, item, body FROM state_items WHERE annotator=? "
                f"AND input_hash IN ({marks})",
                (annotator, *chunk),
            ):
                items[input_hash].append((item, body))
        return {h: overlaid(_parsed(initial), items[h], answer) for h, initial, answer in rows}

    def _remember(
        self,
        annotator: str,
        input_hash: int,
        version: int,
        state: DocumentState,
        stamp: int | None = None,
    ) -> None:
        self._cache[(annotator, input_hash)] = (version, state, stamp)
        self._cache.move_to_end((annotator, input_hash))
        while len(self._cache) > _CACHED_STATES:
            self._cache.popitem(last=False)

    def _initial(self, db: Any, input_hash: int) -> DocumentState:
        return self._parsed_initial(input_hash, self._initial_row(db, input_hash)[0])

    def _parsed_initial(self, input_hash: int, initial: str | None) -> DocumentState:
        """A document's suggestions, parsed once while their stored text stays the same: a
        record of 100,000 spans takes seconds to parse, and its first decision must not."""
        cached = self._initials.get(input_hash)
        if cached is not None and initial is not None and cached[0] == initial:
            self._initials.move_to_end(input_hash)
            return cached[1]
        state = _parsed(initial)
        if initial is not None:
            self._initials[input_hash] = (initial, state)
            while len(self._initials) > _CACHED_INITIALS:
                self._initials.popitem(last=False)
        return state

    def _initial_row(self, db: Any, input_hash: int) -> tuple[str | None, int | None]:
        """A document's suggestions as stored, with the row's stamp (None without one)."""
        row = db.execute(
            f"SELECT initial, {self._row_stamp} FROM documents d WHERE input_hash=?",
            (input_hash,),
        ).fetchone()
        if row is None:
            raise KeyError(input_hash)
        return row[0], None if row[1] is None else int(row[1])

    @guarded
    def put_state(
        self, annotator: str, input_hash: int, state: DocumentState, timestamp: int
    ) -> None:
        """Write a whole state without an event (recovery, copies): its overrides and answer."""
        from annotator.core.store.schema import item_rows

        with self._write() as db:
            initial = db.execute(
                "SELECT initial FROM documents WHERE input_hash=?", (input_hash,)
            ).fetchone()[0]
            rows = item_rows(compact_json(state.to_store()), initial)
            db.execute(
                "DELETE FROM state_items WHERE annotator=? AND input_hash=?",
                (annotator, input_hash),
            )
            db.executemany(
                "INSERT INTO state_items (annotator, input_hash, item, body) VALUES (?,?,?,?)",
                [(annotator, input_hash, item, body) for item, body in rows],
            )
            db.execute(
                "INSERT INTO states (annotator, input_hash, answer, timestamp, version) "
                "VALUES (?,?,?,?,1) ON CONFLICT (annotator, input_hash) DO UPDATE SET "
                "answer=excluded.answer, timestamp=excluded.timestamp, "
                "version=states.version+1",
                (annotator, input_hash, state.answer, timestamp),
            )
        self._cache.pop((annotator, input_hash), None)

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


def _parsed(initial: str | None) -> DocumentState:
    return DocumentState.from_store(read_json(initial)) if initial else DocumentState()

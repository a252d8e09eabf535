"""Decisions: applying changes, the event log, undo and redo, and each annotator's state."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Literal

from annotator.core.commands import Change, apply_change
from annotator.core.model import DocumentState, Span, Stance
from annotator.core.store.base import Event, dumps
from annotator.core.store.sql import SQLStore, guarded

_CACHED_STATES = 16
_ITEM_JSON_MEMO = 100_000


class StoreBackend(SQLStore):
    """A whole store over SQL; this half holds decisions (each write one transaction,
    committed on return). `SQLiteStore` and `PostgresStore` are its backends."""

    def __init__(self) -> None:
        # Recently used states; valid while no other connection has committed (data version).
        self._cache: OrderedDict[tuple[str, int], DocumentState] = OrderedDict()
        self._cache_version: object = None
        # id(item) -> (item, its JSON); the item is kept so its id cannot be reused meanwhile.
        self._item_memo: dict[int, tuple[Span | Stance, str]] = {}

    def _data_version(self, db: Any) -> object:
        """A value that changes whenever another connection commits."""
        raise NotImplementedError

    def _forget_cached(self) -> None:
        self._cache.clear()

    @guarded
    def apply(self, annotator: str, input_hash: int, change: Change) -> DocumentState:
        """Apply a change and log it; committed to disk before this returns."""
        with self._write() as db:
            state = self._state(db, annotator, input_hash)
            new_state = apply_change(state, change)
            self._log(db, annotator, input_hash, "do", None, change, new_state)
        self._remember(annotator, input_hash, new_state)  # only once it is committed
        return new_state

    def _log(
        self,
        db: Any,
        annotator: str,
        input_hash: int,
        op: str,
        ref: int | None,
        change: Change,
        new_state: DocumentState,
    ) -> None:
        now = int(time.time())
        db.execute(
            "INSERT INTO events (annotator, input_hash, op, ref, change, timestamp)"
            " VALUES (?,?,?,?,?,?)",
            (annotator, input_hash, op, ref, dumps(change.to_json()), now),
        )
        db.execute(
            "INSERT INTO states (annotator, input_hash, state, answer, timestamp)"
            " VALUES (?,?,?,?,?) ON CONFLICT (annotator, input_hash) DO UPDATE SET "
            "state=excluded.state, answer=excluded.answer, timestamp=excluded.timestamp",
            (annotator, input_hash, self._state_json(new_state), new_state.answer, now),
        )

    def _stacks(self, db: Any, annotator: str) -> tuple[list[int], list[int]]:
        """The undo and redo stacks (event seqs of 'do' events), derived from the log."""
        done: list[int] = []
        undone: list[int] = []
        rows = db.execute(
            "SELECT seq, op, ref FROM events WHERE annotator=? ORDER BY seq", (annotator,)
        )
        for seq, op, ref in rows:
            if op == "do":
                done.append(seq)
                undone.clear()
            elif op == "undo" and done and done[-1] == ref:
                undone.append(done.pop())
            elif op == "redo" and undone and undone[-1] == ref:
                done.append(undone.pop())
        return done, undone

    def undo(self, annotator: str) -> tuple[int, DocumentState, Change] | None:
        """Undo this annotator's latest change, on whichever document it was."""
        return self._undo_or_redo(annotator, "undo")

    def redo(self, annotator: str) -> tuple[int, DocumentState, Change] | None:
        """Redo the change undone last."""
        return self._undo_or_redo(annotator, "redo")

    @guarded
    def _undo_or_redo(
        self, annotator: str, op: Literal["undo", "redo"]
    ) -> tuple[int, DocumentState, Change] | None:
        with self._write() as db:
            done, undone = self._stacks(db, annotator)
            stack = done if op == "undo" else undone
            if not stack:
                return None
            ref = stack[-1]
            input_hash, change_json = db.execute(
                "SELECT input_hash, change FROM events WHERE seq=?", (ref,)
            ).fetchone()
            original = Change.from_json(json.loads(change_json))
            change = original.inverse() if op == "undo" else original
            state = self._state(db, annotator, input_hash)
            new_state = apply_change(state, change)
            self._log(db, annotator, input_hash, op, ref, change, new_state)
        self._remember(annotator, int(input_hash), new_state)
        return int(input_hash), new_state, change

    # -- states ----------------------------------------------------------------------------------

    @guarded
    def state(self, annotator: str, input_hash: int) -> DocumentState:
        """This annotator's current state of a document (its suggestions until a decision)."""
        return self._state(self._db, annotator, input_hash)

    @guarded
    def initial_state(self, input_hash: int) -> DocumentState:
        """The suggestions (or imported annotations) a document starts from."""
        return self._initial(self._db, input_hash)

    def _state(self, db: Any, annotator: str, input_hash: int) -> DocumentState:
        # Parsing a long article's state costs tens of milliseconds; a key press must not.
        version = self._data_version(db)
        if version != self._cache_version:
            # Another connection committed since: anything remembered may be stale.
            self._cache.clear()
            self._cache_version = version
        cached = self._cache.get((annotator, input_hash))
        if cached is not None:
            return cached
        row = db.execute(
            "SELECT state FROM states WHERE annotator=? AND input_hash=?",
            (annotator, input_hash),
        ).fetchone()
        if row is not None:
            state = DocumentState.from_store(json.loads(row[0]))
        else:
            state = self._initial(db, input_hash)
        self._remember(annotator, input_hash, state)
        return state

    def _state_json(self, state: DocumentState) -> str:
        """`dumps(state.to_store())`, reusing the JSON of items that did not change.

        An edit replaces one or two spans of thousands; re-encoding the others on every key
        press is what made edits on long articles slow.
        """
        spans = ",".join(self._item_json(span, span.to_store) for span in state.spans)
        stances = ",".join(self._item_json(stance, stance.to_json) for stance in state.stances)
        if len(self._item_memo) > _ITEM_JSON_MEMO:
            self._item_memo.clear()
        return f'{{"spans":[{spans}],"stances":[{stances}],"answer":{dumps(state.answer)}}}'

    def _item_json(self, item: Span | Stance, encode: Callable[[], dict[str, Any]]) -> str:
        memo = self._item_memo.get(id(item))
        if memo is None or memo[0] is not item:
            memo = (item, dumps(encode()))
            self._item_memo[id(item)] = memo
        return memo[1]

    def _remember(self, annotator: str, input_hash: int, state: DocumentState) -> None:
        self._cache[(annotator, input_hash)] = state
        self._cache.move_to_end((annotator, input_hash))
        while len(self._cache) > _CACHED_STATES:
            self._cache.popitem(last=False)

    def _initial(self, db: Any, input_hash: int) -> DocumentState:
        row = db.execute(
            "SELECT initial FROM documents WHERE input_hash=?", (input_hash,)
        ).fetchone()
        if row is None:
            raise KeyError(input_hash)
        return DocumentState.from_store(json.loads(row[0])) if row[0] else DocumentState()

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
            "SELECT seq, annotator, input_hash, op, ref, change, timestamp FROM events "
            "WHERE annotator=? AND input_hash=? ORDER BY seq",
            (annotator, input_hash),
        )
        return [
            Event(seq, ann, h, op, ref, Change.from_json(json.loads(change)), ts)
            for seq, ann, h, op, ref, change, ts in rows
        ]

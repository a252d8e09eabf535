"""States: an annotator's current state of a document, read as the suggestions with the
annotator's item overrides on top (`state_items`), kept in memory by version so a key press
never parses a long article again; written whole (without an event) by `put_state`."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

from annotator.core.change import replaced_items
from annotator.core.jsoncodec import compact_json, cycle_collection_paused, read_json
from annotator.core.model import DocumentState, Span, Stance, span_order, stance_order
from annotator.core.store.base import chunks
from annotator.core.store.claims import ClaimLog
from annotator.core.store.sql import guarded

_CACHED_STATES = 16
_CACHED_INITIALS = 4  # parsed suggestions kept, with the stored text they came from


def overlaid(
    initial: DocumentState, items: Iterable[tuple[str, str | None]], answer: Any
) -> DocumentState:
    """The suggestions with an annotator's item overrides on top, ordered as `apply_change`.

    Built from the suggestions' own order and indexes (kept with their parse), touching
    only the overridden items: re-reading a state of 100,000 spans that someone decided
    ten of places ten items, it does not sort 100,000."""
    span_ids, stance_ids = initial.span_ids, initial.stance_ids
    spans_gone: list[Span] = []
    spans_put: dict[str, Span] = {}
    stances_gone: list[Stance] = []
    stances_put: dict[str, Stance] = {}
    for item, body in items:
        key = item[2:]
        if item.startswith("s:"):
            if key in span_ids and key not in spans_put:
                spans_gone.append(span_ids[key])
            if body is not None:
                spans_put[key] = Span.from_store(json.loads(body))
            else:
                spans_put.pop(key, None)
        else:
            if key in stance_ids and key not in stances_put:
                stances_gone.append(stance_ids[key])
            if body is not None:
                stances_put[key] = Stance.from_json(json.loads(body))
            else:
                stances_put.pop(key, None)
    spans, new_span_ids = replaced_items(
        "span", initial.spans_in_order, span_ids, spans_gone, list(spans_put.values()), span_order
    )
    stances, new_stance_ids = replaced_items(
        "stance",
        initial.stances_in_order,
        stance_ids,
        stances_gone,
        list(stances_put.values()),
        stance_order,
    )
    before: list[Span | Stance] = [*spans_gone, *stances_gone]
    after: list[Span | Stance] = [*spans_put.values(), *stances_put.values()]
    return DocumentState.indexed(
        tuple(spans),
        tuple(stances),
        answer,
        span_ids=new_span_ids,
        stance_ids=new_stance_ids,
        reviewed_count=initial.reviewed_count
        - sum(1 for i in before if i.status != "suggested")
        + sum(1 for i in after if i.status != "suggested"),
        span_reach=max([initial.span_reach, *(s.end - s.start for s in spans_put.values())]),
    )


class StateStore(ClaimLog):
    """Reading states (and writing a whole one); `StoreBackend` adds decisions on top."""

    _row_stamp = "NULL"  # SQL for a value that changes whenever row `d` is updated (if any)

    def __init__(self) -> None:
        super().__init__()
        # Recently used states with the version they were read at (and, for a state with no
        # decision yet, the stamp of the document row its suggestions were read from).
        self._cache: OrderedDict[tuple[str, int], tuple[int, DocumentState, int | None]] = (
            OrderedDict()
        )
        self._initials: OrderedDict[int, tuple[str, DocumentState]] = OrderedDict()
        # The `_others_mark` at which each cached initial was known to be the stored one.
        self._initials_marked: dict[int, int] = {}

    def _forget_cached(self) -> None:
        self._cache.clear()
        self._initials_marked.clear()  # this connection is about to write suggestions

    def _others_mark(self, db: Any) -> int | None:
        """A number that changes whenever another connection commits (None: a backend that
        cannot tell cheaply). Equal marks spare re-reading a record's suggestions."""
        return None

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
        # suggestions, which may arrive any time, with their row's stamp. Suggestions known
        # to be unchanged are not read again: a record of 100,000 spans holds 6 MB of them.
        mark = self._others_mark(db)
        known = mark is not None and self._initials_marked.get(input_hash) == mark
        found = db.execute(
            f"SELECT s.version, s.answer, "
            f"{'NULL' if known else 'CASE WHEN s.version IS NULL THEN d.initial END'}, "
            f"{self._row_stamp} FROM documents d LEFT JOIN states s "
            f"ON s.annotator=? AND s.input_hash=d.input_hash WHERE d.input_hash=?",
            (annotator, input_hash),
        ).fetchone()
        if found is None:
            raise KeyError(input_hash)
        row, initial, stamp = found[:2], found[2], found[3]
        if row[0] is None:
            if known:
                state = self._initials[input_hash][1]
            else:
                state = self._parsed_initial(input_hash, initial)
                # Marked only if nobody committed while it was read (it saw one moment).
                if initial is not None and mark is not None and mark == self._others_mark(db):
                    self._initials_marked[input_hash] = mark
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
                evicted, _ = self._initials.popitem(last=False)
                self._initials_marked.pop(evicted, None)
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


def _parsed(initial: str | None) -> DocumentState:
    if not initial:
        return DocumentState()
    with cycle_collection_paused():
        state = DocumentState.from_store(read_json(initial))
        # The indexes every decision uses, made now rather than on the first key (on
        # 100,000 spans, 60 ms the first decision would wait for).
        state.span_ids, state.spans_in_order, state.reviewed_count, state.span_reach  # noqa: B018
    return state

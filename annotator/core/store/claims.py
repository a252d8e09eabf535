"""Handing out work: each document goes to K annotators (the corpus overlap), claimed by one
session at a time in one transaction, returned when its session stops beating."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator, Sequence
from typing import Any

from annotator.core.commands import EditRefused
from annotator.core.store.sessions import SessionLog
from annotator.core.store.sql import guarded
from annotator.errors import StoreError

DEFAULT_CLAIM_TIMEOUT = 30 * 60  # seconds without a heartbeat before a claim returns


class AnswerKept(EditRefused):
    """An answer cannot be taken back: K other annotators have the document by now."""


# Documents this session may open, with whether it must claim them first: answered by this
# annotator already, held by this session, or not held by another session of this annotator
# and still wanted (fewer than K other annotators answered or hold it).
_OPENABLE = """
SELECT d.input_hash,
    EXISTS (SELECT 1 FROM states s WHERE s.input_hash = d.input_hash AND s.annotator = ?
            AND s.answer IS NOT NULL) AS answered,
    EXISTS (SELECT 1 FROM claims c WHERE c.input_hash = d.input_hash AND c.session = ?) AS held
FROM documents d
WHERE d.input_hash IN ({hashes}) AND (
    EXISTS (SELECT 1 FROM states s WHERE s.input_hash = d.input_hash AND s.annotator = ?
            AND s.answer IS NOT NULL)
    OR EXISTS (SELECT 1 FROM claims c WHERE c.input_hash = d.input_hash AND c.session = ?)
    OR (NOT EXISTS (SELECT 1 FROM claims c WHERE c.input_hash = d.input_hash
                    AND c.annotator = ?)
        AND (SELECT COUNT(*) FROM states s WHERE s.input_hash = d.input_hash
             AND s.annotator <> ? AND s.answer IS NOT NULL)
          + (SELECT COUNT(*) FROM claims c WHERE c.input_hash = d.input_hash
             AND c.annotator <> ?) < ?))
"""


def _in_plpgsql(query: str, names: Sequence[str]) -> str:
    """`query` with its `?` placeholders, in order, replaced by PL/pgSQL names."""
    parts = query.split("?")
    assert len(parts) == len(names) + 1, "one name per placeholder"
    return parts[0] + "".join(name + part for name, part in zip(names, parts[1:], strict=True))


_OPENABLE_NAMES = (
    "p_annotator", "p_session", "p_annotator", "p_session",
    "p_annotator", "p_annotator", "p_annotator", "p_overlap",
)  # fmt: skip

# One slice of `claim_next` in one statement (PostgreSQL only): the same queries in the same
# order, in one round trip and one transaction. In READ COMMITTED each statement of a PL/pgSQL
# function takes a fresh snapshot, so the check made once the row is locked sees what its
# previous holder committed, as in `_claim`.
POSTGRES_CLAIM = """
CREATE OR REPLACE FUNCTION annotator_claim(
    p_annotator TEXT, p_session BIGINT, p_hashes BIGINT[], p_overlap BIGINT, p_now BIGINT,
    p_expired_before BIGINT, p_include_answered BOOLEAN
) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    v_one BIGINT[];
    v_row RECORD;
BEGIN
    DELETE FROM claims WHERE heartbeat < p_expired_before;
    FOR v_row IN
        SELECT o.input_hash, o.answered, o.held FROM ({openable_of_slice}) o
        JOIN unnest(p_hashes) WITH ORDINALITY AS u(input_hash, n)
            ON u.input_hash = o.input_hash
        ORDER BY u.n
    LOOP
        CONTINUE WHEN v_row.answered AND NOT p_include_answered;
        IF v_row.answered OR v_row.held THEN
            RETURN v_row.input_hash;
        END IF;
        PERFORM 1 FROM documents WHERE input_hash = v_row.input_hash FOR UPDATE SKIP LOCKED;
        CONTINUE WHEN NOT FOUND;  -- another session is claiming it right now
        v_one := ARRAY[v_row.input_hash];
        PERFORM 1 FROM ({openable_of_one}) o;
        CONTINUE WHEN NOT FOUND;
        INSERT INTO claims (input_hash, annotator, session, heartbeat)
            VALUES (v_row.input_hash, p_annotator, p_session, p_now)
            ON CONFLICT (input_hash, annotator) DO NOTHING;
        RETURN v_row.input_hash;
    END LOOP;
    RETURN NULL;
END
$$
""".format(
    openable_of_slice=_in_plpgsql(
        _OPENABLE.format(hashes="SELECT unnest(p_hashes)"), _OPENABLE_NAMES
    ),
    openable_of_one=_in_plpgsql(_OPENABLE.format(hashes="SELECT unnest(v_one)"), _OPENABLE_NAMES),
)


class ClaimLog(SessionLog):
    """Claims and the overlap on top of sessions."""

    _lock_row = ""  # PostgreSQL: ' FOR UPDATE SKIP LOCKED' (SQLite's writers take turns)
    _lock_row_waiting = ""  # PostgreSQL: ' FOR UPDATE'

    @guarded
    def overlap(self) -> int | None:
        """How many annotators each document goes to, once set for this store."""
        row = self._db.execute("SELECT value FROM store_info WHERE key='overlap'").fetchone()
        return None if row is None else int(row[0])

    @guarded
    def set_overlap(self, overlap: int) -> int:
        """Set K once; the same K again is fine, a different one is refused naming the current."""
        if overlap < 1:
            raise StoreError(f"--overlap {overlap}: each document goes to at least 1 annotator")
        with self._write() as db:
            db.execute(
                "INSERT INTO store_info (key, value) VALUES ('overlap', ?) ON CONFLICT DO NOTHING",
                (str(overlap),),
            )
            current = int(
                db.execute("SELECT value FROM store_info WHERE key='overlap'").fetchone()[0]
            )
        if current != overlap:
            raise StoreError(
                f"--overlap {overlap}: this corpus is already handed out with --overlap "
                f"{current}; it is set once per store (leave the option out or pass {current})"
            )
        return current

    @guarded
    def claim_next(
        self,
        annotator: str,
        session: int,
        hashes: Sequence[int],
        overlap: int,
        timeout: float = DEFAULT_CLAIM_TIMEOUT,
        include_answered: bool = True,
    ) -> int | None:
        """The first document of `hashes` this session may open, claimed for it if needed.

        One transaction: two sessions asking at the same instant never get the same document
        beyond the overlap. Claims without a heartbeat for `timeout` seconds return first.
        None when every document is answered, held or done by enough others.
        """
        now = int(time.time())
        order = {h: i for i, h in enumerate(hashes)}
        with self._write() as db:
            db.execute("DELETE FROM claims WHERE heartbeat < ?", (now - timeout,))
            for chunk in growing_chunks(list(hashes)):
                rows = db.execute(
                    _OPENABLE.format(hashes=",".join("?" * len(chunk))),
                    (
                        annotator,
                        session,
                        *chunk,
                        annotator,
                        session,
                        annotator,
                        annotator,
                        annotator,
                        overlap,
                    ),
                ).fetchall()
                for input_hash, answered, held in sorted(rows, key=lambda r: order[r[0]]):
                    if answered and not include_answered:
                        continue
                    if (
                        answered
                        or held
                        or self._claim(db, annotator, session, input_hash, overlap, now)
                    ):
                        return int(input_hash)
        return None

    def _claim(
        self, db: Any, annotator: str, session: int, input_hash: int, overlap: int, now: int
    ) -> bool:
        """Claim one document if it is still free once its row is ours (True when claimed)."""
        locked = db.execute(
            f"SELECT input_hash FROM documents WHERE input_hash=?{self._lock_row}",
            (input_hash,),
        ).fetchone()
        if locked is None:  # another session is claiming it right now
            return False
        # Checked again with the row held: whoever held it before has committed by now.
        row = db.execute(
            _OPENABLE.format(hashes="?"),
            (
                annotator,
                session,
                input_hash,
                annotator,
                session,
                annotator,
                annotator,
                annotator,
                overlap,
            ),
        ).fetchone()
        if row is None:
            return False
        db.execute(
            "INSERT INTO claims (input_hash, annotator, session, heartbeat) VALUES (?,?,?,?) "
            "ON CONFLICT (input_hash, annotator) DO NOTHING",
            (input_hash, annotator, session, now),
        )
        return True

    @guarded
    def claims(self) -> list[tuple[int, str, int]]:
        """Every claim held: (input_hash, annotator, session)."""
        rows = self._db.execute(
            "SELECT input_hash, annotator, session FROM claims ORDER BY input_hash, annotator"
        ).fetchall()
        return [(int(h), str(a), int(s)) for h, a, s in rows]

    @guarded
    def adopt_claims(self, annotator: str, session: int) -> int:
        """Take over the claims of this annotator's sessions that ended, or ran on this host
        in a process that is gone (a crash, a closed terminal); how many were taken."""
        host = socket.gethostname()
        rows = self._db.execute(
            "SELECT DISTINCT s.id, s.host, s.pid, s.ended FROM claims c "
            "JOIN sessions s ON s.id = c.session WHERE c.annotator=? AND c.session<>?",
            (annotator, session),
        ).fetchall()
        gone = [
            sid
            for sid, on, pid, ended in rows
            if ended is not None or (on == host and not _alive(pid))
        ]
        if not gone:
            return 0
        marks = ",".join("?" * len(gone))
        with self._write() as db:
            taken = db.execute(
                f"UPDATE claims SET session=?, heartbeat=? WHERE session IN ({marks})",
                (session, int(time.time()), *gone),
            ).rowcount
        return int(taken)

    def _claim_back(
        self, db: Any, annotator: str, session: int, input_hash: int, overlap: int
    ) -> int | None:
        """Hold a document again for `session`, whose answer is being taken back: None once
        held, else how many other annotators have it (K or more: it cannot come back)."""
        # Claimers skip a locked row and check again once it is free: they will see this.
        db.execute(
            f"SELECT input_hash FROM documents WHERE input_hash=?{self._lock_row_waiting}",
            (input_hash,),
        ).fetchone()
        others = int(
            db.execute(
                "SELECT (SELECT COUNT(*) FROM states WHERE input_hash=? AND annotator<>? "
                "AND answer IS NOT NULL) + (SELECT COUNT(*) FROM claims WHERE input_hash=? "
                "AND annotator<>?)",
                (input_hash, annotator, input_hash, annotator),
            ).fetchone()[0]
        )
        if others >= overlap:
            return others
        # Another terminal of this annotator may hold it: the work is this annotator's.
        db.execute(
            "INSERT INTO claims (input_hash, annotator, session, heartbeat) VALUES (?,?,?,?) "
            "ON CONFLICT (input_hash, annotator) DO UPDATE SET session=excluded.session, "
            "heartbeat=excluded.heartbeat",
            (input_hash, annotator, session, int(time.time())),
        )
        return None

    def _release_answered(self, db: Any, annotator: str, input_hash: int) -> None:
        """An answered document needs no claim: the answer counts towards the overlap."""
        db.execute("DELETE FROM claims WHERE input_hash=? AND annotator=?", (input_hash, annotator))


def _alive(pid: int) -> bool:
    """Whether a process of this host still runs (signal 0 checks without sending)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def growing_chunks(hashes: list[int]) -> Iterator[list[int]]:
    """Slices of 16, 64, 256, then 500 hashes: the next free document is nearly always
    close, and each slice costs a query over all of its documents."""
    start, size = 0, 16
    while start < len(hashes):
        yield hashes[start : start + size]
        start += size
        size = min(size * 4, 500)

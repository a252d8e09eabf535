"""Sessions: each running `annotate` (or program) making decisions is one, with a heartbeat."""

from __future__ import annotations

import contextlib
import os
import socket
import time
from dataclasses import dataclass

from annotator.core.store.sql import SQLStore, guarded
from annotator.errors import StoreError


@dataclass(frozen=True)
class SessionInfo:
    """A session as the store records it."""

    id: int
    annotator: str
    host: str
    pid: int
    started: int
    heartbeat: int
    ended: int | None


class SessionLog(SQLStore):
    """Sessions of a store; one is started for an annotator on their first decision through
    this connection unless the caller names one, so each terminal undoes its own."""

    def __init__(self) -> None:
        self._own_sessions: dict[str, int] = {}

    @guarded
    def start_session(self, annotator: str) -> int:
        """Record a new session of `annotator` on this host and process; its id."""
        now = int(time.time())
        with self._write() as db:
            sid = db.execute(
                "INSERT INTO sessions (annotator, host, pid, started, heartbeat) "
                "VALUES (?,?,?,?,?) RETURNING id",
                (annotator, socket.gethostname(), os.getpid(), now, now),
            ).fetchone()[0]
        return int(sid)

    def session_for(self, annotator: str, session: int | None = None) -> int:
        """`session`, else this connection's own session of `annotator` (started if needed)."""
        if session is not None:
            return session
        sid = self._own_sessions.get(annotator)
        if sid is None:
            sid = self._own_sessions[annotator] = self.start_session(annotator)
        return sid

    @guarded
    def heartbeat(self, session: int) -> None:
        """Say the session is alive; its claims stay its own while it does."""
        now = int(time.time())
        with self._write() as db:
            db.execute("UPDATE sessions SET heartbeat=? WHERE id=?", (now, session))
            db.execute("UPDATE claims SET heartbeat=? WHERE session=?", (now, session))

    @guarded
    def end_session(self, session: int) -> None:
        """Close a session: its claims return to the pool, its undo stacks are dropped."""
        with self._write() as db:
            db.execute("UPDATE sessions SET ended=? WHERE id=?", (int(time.time()), session))
            db.execute("DELETE FROM claims WHERE session=?", (session,))
            db.execute("DELETE FROM undo_stacks WHERE session=?", (session,))

    def close(self) -> None:
        """End the sessions started through this connection, then close it."""
        for sid in self._own_sessions.values():
            with contextlib.suppress(StoreError):
                self.end_session(sid)
        self._own_sessions.clear()
        super().close()

    @guarded
    def sessions(self) -> list[SessionInfo]:
        """Every session recorded, oldest first."""
        rows = self._db.execute(
            "SELECT id, annotator, host, pid, started, heartbeat, ended FROM sessions ORDER BY id"
        ).fetchall()
        return [SessionInfo(*row) for row in rows]

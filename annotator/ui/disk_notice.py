"""What the status line says about a disk that lags behind the store (keys never wait for it).

Each commit is in the store when its key's frame is drawn; the disk confirms it moments later
in the background (`annotator.core.store.wal_sync`). Only when that takes a while, the person
is told, and told again once the disk has caught up.
"""

from __future__ import annotations

DISK_PATIENCE = 0.5  # seconds the disk may lag before the status line says so
DISK_POLL = 0.25  # seconds between two looks
DISK_BEHIND = "the disk is slow: your decisions are saved and being written to it"
DISK_CAUGHT_UP = "the disk has caught up: every decision is on it"


def disk_notice(behind: float, shown: str) -> str | None:
    """The status line's next message, given how many seconds the disk lags and what the line
    shows now; None leaves the line as it is."""
    if behind >= DISK_PATIENCE:
        return None if shown == DISK_BEHIND else DISK_BEHIND
    return DISK_CAUGHT_UP if shown == DISK_BEHIND else None

"""Putting a SQLite store's commits on the disk behind the screen, not on the key's path.

With `synchronous=FULL` every commit waits for the disk (fdatasync of the WAL): 0.3 ms on a
quiet disk, hundreds of milliseconds when the host's disk stalls, and the key waits with it.
With `synchronous=NORMAL` a commit is in the operating system's hands when it returns, so a
crash or `kill -9` loses nothing; `WalSync` then flushes the WAL to the disk in a thread
moments later, so a power cut loses at most what the disk has not confirmed yet, and anyone
can ask how long the disk has been behind (`behind`) or wait for it (`wait`, `close`).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from annotator.errors import StoreError

# "commit" keeps every commit waiting for the disk, screens included (the benches compare).
SYNC_ENV = "ANNOTATOR_SYNC"


class WalSync:
    """A thread that fdatasyncs `<store>-wal` after each commit it is told of, in order."""

    def __init__(self, store_path: Path) -> None:
        self._store = store_path
        self._wal = Path(f"{store_path}-wal")
        self._changed = threading.Condition()
        self._asked = 0  # commits told of
        self._done = 0  # commits known to be on the disk
        self._behind_since: float | None = None  # when the disk last had every commit
        self._failure: OSError | None = None
        self._closing = False
        self._named_on_disk: int | None = None  # the inode of the WAL whose name is synced
        self._thread = threading.Thread(target=self._run, name="annotator-wal-sync", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """A commit just returned: put it on the disk soon."""
        with self._changed:
            self._asked += 1
            if self._behind_since is None:
                self._behind_since = time.monotonic()
            self._changed.notify_all()

    @property
    def behind(self) -> float:
        """Seconds the disk has been behind the commits (0.0: it has every one)."""
        since = self._behind_since
        return 0.0 if since is None else time.monotonic() - since

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every commit told of so far is on the disk; False on timeout."""
        with self._changed:
            target = self._asked
            return self._changed.wait_for(lambda: self._done >= target, timeout)

    def check(self) -> None:
        """Raise StoreError if the disk refused an earlier flush: what it held may be lost on
        a power cut, and the disk is failing, so no further decision is taken."""
        failure = self._failure
        if failure is not None:
            raise StoreError(
                f"{self._store}: the disk did not confirm earlier writes ({failure.strerror}); "
                "they may be lost if the machine loses power, so no further decision is "
                "taken: quit, check the disk and copy the store elsewhere"
            )

    def close(self) -> None:
        """Flush what is left and stop the thread."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._thread.join()

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._asked > self._done or self._closing)
                if self._asked == self._done:
                    return  # closing, with nothing left to flush
                target = self._asked
            failure = self._flush()
            with self._changed:
                self._failure = self._failure or failure
                self._done = target
                if self._done == self._asked:
                    self._behind_since = None
                self._changed.notify_all()

    def _flush(self) -> OSError | None:
        try:
            wal = os.open(self._wal, os.O_RDONLY)
        except FileNotFoundError:
            return None  # the last connection checkpointed it into the store, synced then
        except OSError as error:
            return error
        try:
            os.fdatasync(wal)
            inode = os.fstat(wal).st_ino
            if inode != self._named_on_disk:
                # A WAL file made since the folder was last flushed needs its name on disk too.
                folder = os.open(self._store.parent, os.O_RDONLY)
                try:
                    os.fsync(folder)
                finally:
                    os.close(folder)
                self._named_on_disk = inode
        except OSError as error:
            return error
        finally:
            os.close(wal)
        return None

"""One terminal's place in a team: its session, the documents it claims, its heartbeat.

The screen never sees any of this: `AnnotationSession` asks `Team` which document it may open
next, and `Team` asks the store, which hands out each document to K annotators.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence

from annotator.core.store import StoreBackend, open_store
from annotator.core.store.claims import DEFAULT_CLAIM_TIMEOUT
from annotator.errors import StoreError


class Team:
    """This terminal's session of `annotator` in the store, and its claims."""

    def __init__(
        self,
        store: StoreBackend,
        annotator: str,
        overlap: int | None = None,
        claim_timeout: float = DEFAULT_CLAIM_TIMEOUT,
    ) -> None:
        self.store = store
        self.annotator = annotator
        self.claim_timeout = claim_timeout
        self.session = store.session_for(annotator)
        # K is set once per store: the first `--overlap` fixes it, later ones must agree.
        self.overlap = store.set_overlap(overlap) if overlap is not None else store.overlap() or 1
        # What this annotator's terminals on this host left behind when they died is ours.
        store.adopt_claims(annotator, self.session)
        self._stop = threading.Event()

    def claim(self, hashes: Sequence[int], unanswered: bool = False) -> int | None:
        """The first of `hashes` this session may open (claimed for it); None if none.

        With `unanswered`, documents this annotator has answered do not count.
        """
        if not hashes:
            return None
        return self.store.claim_next(
            self.annotator,
            self.session,
            hashes,
            self.overlap,
            self.claim_timeout,
            include_answered=not unanswered,
        )

    def keep_alive(self, interval: float | None = None) -> None:
        """Renew this session's claims from a background thread on its own connection."""
        every = interval if interval is not None else min(60.0, self.claim_timeout / 3)
        location, session = self.store.location, self.session

        def beat() -> None:
            store: StoreBackend | None = None
            while not self._stop.wait(every):
                try:
                    if store is None:
                        store = open_store(location)
                        # Holding the write lock through a stalled disk would stall keys.
                        store.sync_behind()
                    store.heartbeat(session)
                except StoreError:
                    # The server is away: the next beat reconnects (claims last 30 minutes).
                    if store is not None:
                        with contextlib.suppress(Exception):
                            store.close()
                    store = None
            if store is not None:
                store.close()

        threading.Thread(target=beat, name="annotator-heartbeat", daemon=True).start()

    def stop(self) -> None:
        """Stop the heartbeat (the store ends the session when it closes)."""
        self._stop.set()

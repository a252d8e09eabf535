"""Keeping the cyclic garbage collector's passes out of the frames of key presses.

Python's collector now and then walks every object the process holds: Textual's, the
store's and, once it has loaded, spaCy's. Such a full pass took 50 ms, and it ran inside
a key's frame. Once the screen is up, every object alive is frozen (`gc.freeze`): later
passes walk only what was made since. Objects still count their references as ever, so
what the program drops is freed as before.

The young passes (0.2-0.5 ms, every second key or so, and a 1-2 ms middle one every
twentieth) run between keys instead: `IdleCollector` does them on a timer while no key is
being answered, and the collector's own trigger stays as a safety net for keys that come
faster than that (a held key) and for the full passes.
"""

from __future__ import annotations

import gc
import time

YOUNG_PASS = 700  # new objects before a young pass: Python's own default
SAFETY_NET = 20_000  # the collector's own trigger, for keys faster than the timer
MIDDLE_PASS = 10  # young passes before a middle one, and middle ones before a full one
IDLE_PERIOD = 0.05  # seconds between looks at the collector's counts
KEY_QUIET = 0.03  # seconds after a key before a pass may run: its frame is done by then


def settle() -> None:
    """Keep every object alive now out of later passes (after a young and middle pass: a
    full one over a long record's objects would hold up the first key for a while)."""
    gc.collect(1)
    gc.freeze()


def release() -> None:
    """Give the frozen objects back to the collector and its own trigger (the app closes:
    a test process runs many apps one after the other, and their cycles must go)."""
    gc.unfreeze()
    gc.set_threshold(YOUNG_PASS, MIDDLE_PASS, MIDDLE_PASS)


class IdleCollector:
    """Young and middle passes, run from a timer between keys (full ones stay with the
    collector's own trigger)."""

    def __init__(self) -> None:
        self._last_key = 0.0

    def key_pressed(self) -> None:
        """A key came in: no pass until its frame is out (the timer may fire meanwhile)."""
        self._last_key = time.monotonic()

    def start(self) -> None:
        """Leave the passes to `tick`, with the collector's trigger far out as a net."""
        gc.set_threshold(SAFETY_NET, MIDDLE_PASS, MIDDLE_PASS)

    def tick(self) -> None:
        """A young pass if enough new objects wait for one, a middle one when due. Full
        passes stay with the collector's own trigger, which holds them back while the old
        generation grows little (a model loaded after the freeze makes them long)."""
        young, middle, _ = gc.get_count()
        if young < YOUNG_PASS or time.monotonic() - self._last_key < KEY_QUIET:
            return
        gc.collect(1 if middle >= MIDDLE_PASS else 0)

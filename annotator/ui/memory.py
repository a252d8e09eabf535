"""Keeping the cyclic garbage collector's long passes out of the frames of key presses.

Python's collector now and then walks every object the process holds: Textual's, the
store's and, once it has loaded, spaCy's. Such a pass took 50 ms, and it ran inside a
key's frame. Once the screen is up, everything alive is collected once and then frozen
(`gc.freeze`): later passes walk only what was made since. Objects still count their
references as ever, so what the program drops is freed as before.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect now (between keys), then keep every object alive now out of later passes."""
    gc.collect()
    gc.freeze()


def release() -> None:
    """Give the frozen objects back to the collector (the app closes: a test process runs
    many apps one after the other, and their cycles must be collectable again)."""
    gc.unfreeze()

"""One annotator process for the claiming tests: claims a document each time it reads GO.

Usage: claim_driver.py LOCATION ANNOTATOR OVERLAP. Prints READY, then for each GO line on
stdin claims the next document (one transaction), prints `CLAIM <input_hash>` (or `NONE`) and
answers it, which gives the claim back as an answer.
"""

from __future__ import annotations

import sys

from annotator.core.commands import Change
from annotator.core.store import open_store


def main(argv: list[str]) -> int:
    location, annotator, overlap = argv[0], argv[1], int(argv[2])
    store = open_store(location)
    hashes = [int(h) for h in sys.stdin.readline().split()]
    session = store.start_session(annotator)
    print("READY", flush=True)
    for line in sys.stdin:
        if line.strip() != "GO":
            break
        claimed = store.claim_next(annotator, session, hashes, overlap, include_answered=False)
        print("NONE" if claimed is None else f"CLAIM {claimed}", flush=True)
        if claimed is not None:
            store.apply(
                annotator,
                claimed,
                Change("answer", "finish", answer_after="accept"),
                session=session,
            )
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""One of two processes working on the same store at the same time (see test_concurrency.py).

Run as `python concurrent_driver.py STORE ANNOTATOR ATTEMPTS MODE`; it prints READY, waits
for a line on stdin (so both processes start together), then makes ATTEMPTS decisions:
- `spread`: adds and relabels spans round-robin over every document;
- `toggle`: flips the label of span e0 of the first document, planning each edit on the
  state it reads and sleeping a little before applying it, so the two processes race.
Each decision prints `ACK`, each refused edit `REFUSED <reason>`.
"""

from __future__ import annotations

import sys
import time

from annotator.core.commands import AddSpan, EditContext, EditRefused, Relabel
from annotator.core.store import open_store
from tests.safety.store_driver import corpus


def main(argv: list[str]) -> int:
    location, annotator, attempts, mode = argv[0], argv[1], int(argv[2]), argv[3]
    store = open_store(location)  # a SQLite file or a postgresql:// URL
    records = corpus()
    hashes = store.add_documents(records)
    contexts = {
        r.document.input_hash: EditContext.of(r.document.text, r.document.tokens)
        for r in records
    }
    print("READY", flush=True)
    sys.stdin.readline()
    for attempt in range(attempts):
        doc = hashes[attempt % len(hashes)] if mode == "spread" else hashes[0]
        state = store.state(annotator, doc)
        ids = [s.id for s in state.spans]
        if mode == "spread" and (attempt // len(hashes)) % 2 == 0 or not ids:
            command: AddSpan | Relabel = AddSpan(attempt % 4, attempt % 4, "GPE")
        else:
            span = state.spans[0]
            command = Relabel(span.id, "ORG" if span.label != "ORG" else "PERSON")
        try:
            change = command.plan(state, contexts[doc])
            if mode == "toggle":
                time.sleep(0.002)  # the other process may decide meanwhile
            store.apply(annotator, doc, change)
        except EditRefused as refused:
            print(f"REFUSED {refused}", flush=True)
            continue
        print("ACK", flush=True)
    store.close()
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""A scripted annotation session against a real SQLite store, for the SIGKILL tests.

Run as `python store_driver.py STORE SEED STEPS ANNOTATOR`. It adds a small corpus (idempotent),
then makes STEPS seeded decisions planned on the store's current state: edit commands, undo
and redo. After each store call returns it prints `ACK <seq> <input_hash> <op> <digest>`,
the promise the UI makes to a person: this decision is on disk. It imports no spaCy, so it
starts fast enough to be killed many times.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys

from annotator.core.commands import (
    Accept,
    AcceptAll,
    AddSpan,
    CreateStance,
    Delete,
    EditCommand,
    EditContext,
    EditRefused,
    MoveBoundary,
    Reject,
    Relabel,
    SetAnswer,
    SetStanceRole,
    ToggleNegated,
)
from annotator.core.corpus import input_hash
from annotator.core.model import CorpusRecord, Document, DocumentState, Token
from annotator.core.store import open_store

TEXTS = (
    "Kazakhstan firmly adheres to the one-China principle, Tokayev said in Astana.",
    "Die Bundesregierung 🇩🇪 lehnt den Plan ab, sagte Olaf Scholz am Montag.",
    "東京 の 会議 で 岸田 首相 が 発言 した 。",
    "Cafe\u0301 owners in Paris oppose the new tax,\r\nthe union said 😀 today.",
    "Ankara and Baku signed a deal; Erdogan welcomed it warmly.",
)
LABELS = ("PERSON", "GPE", "ORG", "NORP", "DATE")


def whitespace_tokens(text: str) -> tuple[Token, ...]:
    """Tokens at every run of non-space characters (enough for the driver; no spaCy)."""
    matches = list(re.finditer(r"\S+", text))
    return tuple(
        Token(
            text=m.group(),
            start=m.start(),
            end=m.end(),
            id=i,
            ws=m.end() < len(text) and text[m.end()].isspace(),
        )
        for i, m in enumerate(matches)
    )


def corpus() -> list[CorpusRecord]:
    records = []
    for text in TEXTS:
        doc = Document(
            input_hash=input_hash(text), text=text, meta={}, tokens=whitespace_tokens(text)
        )
        records.append(CorpusRecord(document=doc, initial=DocumentState(), source="import"))
    return records


def state_digest(state: DocumentState) -> str:
    """A short fingerprint of a state, compared by the test after the kill."""
    blob = json.dumps(state.to_store(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def pick_command(rng: random.Random, state: DocumentState, context: EditContext) -> EditCommand:
    n_tokens = len(context.index)
    spans = [s.id for s in state.spans]
    stances = [s.id for s in state.stances]
    roll = rng.random()
    if roll < 0.3 or not spans:
        first = rng.randrange(n_tokens)
        return AddSpan(first, min(n_tokens - 1, first + rng.randrange(3)), rng.choice(LABELS))
    if roll < 0.4:
        return Accept(rng.choice(spans))
    if roll < 0.5:
        return Reject(rng.choice(spans))
    if roll < 0.6:
        return Relabel(rng.choice(spans), rng.choice(LABELS))
    if roll < 0.68:
        return MoveBoundary(rng.choice(spans), rng.choice(("start", "end")), rng.choice((-1, 1)))
    if roll < 0.72:
        return Delete(rng.choice(spans))
    if roll < 0.76:
        return AcceptAll()
    if roll < 0.82 or not stances:
        start = rng.randrange(len(context.text) - 1)
        return CreateStance(start, rng.randrange(start + 1, len(context.text) + 1))
    if roll < 0.88:
        start = rng.randrange(len(context.text) - 1)
        role = rng.choice(("holder", "target", "speaker", "cue"))
        return SetStanceRole(rng.choice(stances), role, start, start + 1)
    if roll < 0.92:
        return ToggleNegated(rng.choice(stances))
    return SetAnswer(rng.choice(("accept", "ignore", "reject", None)))


def main(argv: list[str]) -> int:
    location, seed, steps, annotator = argv[0], int(argv[1]), int(argv[2]), argv[3]
    store = open_store(location)  # a SQLite file or a postgresql:// URL
    if argv[4:] == ["behind"]:
        store.sync_behind()  # as the screens do: a commit returns before the disk confirms it
    records = corpus()
    hashes = store.add_documents(records)
    contexts = {r.document.input_hash: EditContext.of(r.document.text, r.document.tokens)
                for r in records}
    print("READY", flush=True)
    rng = random.Random(seed)
    for _ in range(steps):
        roll = rng.random()
        if roll < 0.1:
            result = store.undo(annotator)
            op = "undo"
        elif roll < 0.15:
            result = store.redo(annotator)
            op = "redo"
        else:
            doc = rng.choice(hashes)
            state = store.state(annotator, doc)
            try:
                change = pick_command(rng, state, contexts[doc]).plan(state, contexts[doc])
                if change.is_empty:
                    continue
                new_state = store.apply(annotator, doc, change)
            except EditRefused:
                continue
            result = (doc, new_state, change)
            op = "do"
        if result is None:
            continue
        doc, new_state, _change = result
        seq = store._db.execute("SELECT MAX(seq) FROM events").fetchone()[0]
        print(f"ACK {seq} {doc} {op} {state_digest(new_state)}", flush=True)
    print("DONE", flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

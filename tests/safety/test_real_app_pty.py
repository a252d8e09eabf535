"""The real `annotator annotate` under a pseudo-terminal: what reaches the terminal, and
SIGKILL in the middle of a session.

These drive the installed console script exactly as a person does, through pexpect, and read
the raw bytes the app writes to the terminal.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import pexpect
import psycopg

from annotator.core.export import export_jsonl
from annotator.core.schema import file_problems
from annotator.core.store import SQLiteStore, open_store
from tests.conftest import Location

ANNOTATOR = str(Path(sys.executable).with_name("annotator"))
HOSTILE_TITLE = (
    "[bold]Breaking[/bold] news: \x1b]0;pwned\x07 \x1b[5;7;9mBLINK\x1b[0m "
    "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07 end"
)
# Sequences an article could use to retitle, blank, restyle or hyperlink the terminal.
FORBIDDEN = (b"\x1b]0;pwned", b"\x1b[5;7;9m", b"\x1b]8;;https://evil.example", b"\x1b[2J\x1b[3J")


def _spawn(inputs: Path, store: Location) -> pexpect.spawn:
    return pexpect.spawn(
        ANNOTATOR,
        ["annotate", str(inputs), "--store", str(store), "--annotator", "alice"],
        env={**os.environ, "TERM": "xterm-256color"},
        dimensions=(40, 120),
        timeout=30,
    )


def _read_until_quiet(child: pexpect.spawn, quiet: float = 0.3, limit: float = 15) -> bytes:
    """Everything the app writes until it has been silent for `quiet` seconds."""
    out = b""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            out += child.read_nonblocking(65536, timeout=quiet)
        except pexpect.TIMEOUT:
            if out:
                return out
        except pexpect.EOF:
            return out
    return out


def _read_until(child: pexpect.spawn, needle: bytes, limit: float = 30) -> bytes:
    out = b""
    deadline = time.monotonic() + limit
    while needle not in out:
        assert time.monotonic() < deadline, f"{needle!r} never appeared"
        try:
            out += child.read_nonblocking(65536, timeout=0.5)
        except pexpect.TIMEOUT:
            continue
    return out + _read_until_quiet(child)


def _record(text: str, words: list[str], **extra: Any) -> dict[str, Any]:
    spans = []
    for word in words:
        start = text.index(word)
        spans.append({"start": start, "end": start + len(word), "label": "PERSON",
                      "status": "suggested"})
    return {"text": text, "spans": spans, **extra}


def test_article_text_never_reaches_the_terminal_as_escape_sequences(tmp_path: Path) -> None:
    text = (
        HOSTILE_TITLE + "\n\nObama met Putin in Paris. \x1b[2J\x1b[3J Merkel "
        "\x1b]0;pwned\x07 said [bold]nothing[/bold] \x1b[5;7;9mloud\x1b[0m."
    )
    inputs = tmp_path / "hostile.jsonl"
    inputs.write_text(json.dumps(_record(text, ["Obama", "Putin", "Merkel"])) + "\n",
                      encoding="utf-8")
    child = _spawn(inputs, tmp_path / "s.sqlite")
    try:
        out = _read_until(child, b"Obama")
        for key in ("a", "\t", "x", "\t"):  # decisions redraw the article and the panel
            child.send(key)
            out += _read_until_quiet(child)
        child.sendcontrol("q")
        out += _read_until_quiet(child)
    finally:
        child.close(force=True)
    assert b"[bold]nothing[/bold]" in out, "markup is shown as the literal text"
    for sequence in FORBIDDEN:
        assert sequence not in out, f"the article wrote {sequence!r} to the terminal"
    store = SQLiteStore(tmp_path / "s.sqlite")
    (document,) = [store.document(h) for (h,) in store._db.execute(
        "SELECT input_hash FROM documents")]
    store.close()
    assert document.text == text  # shown escaped, stored exact


def _events(store: Location) -> int:
    if not isinstance(store, Path):
        try:
            with psycopg.connect(store, autocommit=True) as server:
                row = server.execute("SELECT COUNT(*) FROM events").fetchone()
                return int(row[0]) if row else 0
        except psycopg.errors.UndefinedTable:
            return 0
    db = sqlite3.connect(store)
    try:
        return int(db.execute("SELECT COUNT(*) FROM events").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()


def test_sigkill_of_the_real_app_keeps_every_acknowledged_decision(
    tmp_path: Path, store_location: Location
) -> None:
    words = ["Obama", "Putin", "Merkel", "Macron", "Scholz", "Erdogan", "Tokayev", "Modi"]
    inputs = tmp_path / "corpus.jsonl"
    inputs.write_text(
        "".join(
            json.dumps(_record(f"Article {n}. " + " met ".join(words) + ".", words)) + "\n"
            for n in range(3)
        ),
        encoding="utf-8",
    )
    store = store_location  # a SQLite file, or a PostgreSQL server's URL
    rng = random.Random(7)
    acknowledged = 0
    kills = 0
    for _ in range(4):
        child = _spawn(inputs, store)
        _read_until(child, b"Obama")
        before = _events(store)
        keys = acks = 0
        for _ in range(rng.randint(1, 6)):
            child.send(rng.choice("ax"))
            keys += 1
            if b"saved: " in _read_until_quiet(child):  # the status line acknowledges it
                acks += 1
                # What the screen acknowledged is on disk already.
                assert _events(store) - before >= acks, "acknowledged before it was saved"
        child.send("a")  # one more, in flight when the process dies
        time.sleep(rng.choice((0.0, 0.01, 0.05)))
        child.kill(signal.SIGKILL)
        child.close(force=True)
        kills += 1
        saved = _events(store) - before
        assert acks <= saved <= keys + 1  # nothing acknowledged lost, nothing invented
        acknowledged += acks
    if isinstance(store, Path):
        raw = sqlite3.connect(store)
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        raw.close()
    reopened = open_store(store)
    try:
        for (doc,) in reopened._db.execute("SELECT input_hash FROM states").fetchall():
            assert reopened.state("alice", doc) == reopened.replay("alice", doc)
        count = export_jsonl(reopened, "alice", tmp_path / "out.jsonl", include_unfinished=True)
    finally:
        reopened.close()
    assert count == 3 and list(file_problems(tmp_path / "out.jsonl")) == []
    assert kills == 4 and acknowledged >= 4
    print(f"real app: {kills} SIGKILLs, {acknowledged} acknowledged decisions checked")

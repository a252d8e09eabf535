"""Two processes on one store at once: they work side by side; nothing is lost or doubled."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from annotator.core.commands import AddSpan, EditContext, EditRefused, Relabel
from annotator.core.export import export_jsonl
from annotator.core.schema import file_problems
from annotator.core.store import SQLiteStore, open_store
from tests.conftest import Location
from tests.safety.store_driver import corpus

DRIVER = Path(__file__).with_name("concurrent_driver.py")
REPO = Path(__file__).resolve().parents[2]


def _run_together(store: Location, runs: list[tuple[str, int, str]]) -> list[list[str]]:
    """Start one driver per (annotator, attempts, mode), release them at once, collect output."""
    processes = [
        subprocess.Popen(
            [sys.executable, str(DRIVER), str(store), annotator, str(attempts), mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        for annotator, attempts, mode in runs
    ]
    for process in processes:
        assert process.stdout is not None and process.stderr is not None
        ready = process.stdout.readline().strip()
        assert ready == "READY", process.stderr.read()
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("GO\n")
        process.stdin.flush()
    outputs = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        lines = stdout.splitlines()
        assert lines[-1] == "DONE"
        outputs.append(lines)
    return outputs


def _check_consistent(store_path: Location, tmp_path: Path) -> Counter[str]:
    """Integrity, cache == replay for every (annotator, document), export valid; event counts."""
    if isinstance(store_path, Path):
        raw = sqlite3.connect(store_path)
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        raw.close()
    store = open_store(store_path)
    try:
        pairs = store._db.execute("SELECT annotator, input_hash FROM states").fetchall()
        for annotator, doc in pairs:
            assert store.state(annotator, doc) == store.replay(annotator, doc)
        counts: Counter[str] = Counter(
            dict(store._db.execute("SELECT annotator, COUNT(*) FROM events GROUP BY annotator"))
        )
        # Both processes added the same corpus: it is there once.
        assert store._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == len(corpus())
        for annotator in counts:
            output = tmp_path / f"{annotator}.jsonl"
            assert export_jsonl(store, annotator, output, include_unfinished=True) == len(corpus())
            assert list(file_problems(output)) == []
    finally:
        store.close()
    return counts


def test_two_processes_two_annotators_lose_and_double_nothing(
    tmp_path: Path, store_location: Location
) -> None:
    store = store_location
    alice, bob = _run_together(store, [("alice", 150, "spread"), ("bob", 150, "spread")])
    counts = _check_consistent(store, tmp_path)
    assert counts["alice"] == alice.count("ACK") and counts["bob"] == bob.count("ACK")
    # Each ran the same script on its own annotations: the other process changed nothing.
    assert alice == bob and alice.count("ACK") > 50
    # Refusals are overlaps with the annotator's own spans, never a clash with the other one.
    assert all("overlap" in line for line in alice + bob if line.startswith("REFUSED"))


def test_two_processes_racing_on_one_document_refuse_stale_edits(
    tmp_path: Path, store_location: Location
) -> None:
    store = store_location
    runs = _run_together(store, [("alice", 80, "toggle"), ("alice", 80, "toggle")])
    acked = sum(lines.count("ACK") for lines in runs)
    refused = [line for lines in runs for line in lines if line.startswith("REFUSED")]
    assert acked + len(refused) == 160
    print(f"racing on one document: {acked} decisions saved, {len(refused)} stale ones refused")
    # A stale plan is refused with a reason (both may also try to add the first span at once).
    stale = ("changed since this edit was planned", "exists already")
    assert all(any(reason in line for reason in stale) for line in refused), refused
    counts = _check_consistent(store, tmp_path)
    assert counts["alice"] == acked  # every acknowledged decision, each exactly once
    # Every accepted relabel flipped the label from what it really was, in turn.
    reopened = open_store(store)
    first = corpus()[0].document.input_hash
    history = reopened.history("alice", first)
    reopened.close()
    labels = [e.change.spans_after[0].label for e in history if e.change.command == "relabel"]
    assert all(a != b for a, b in zip(labels, labels[1:], strict=False))


def test_second_connection_gets_a_clear_refusal_for_a_stale_plan(
    store_location: Location,
) -> None:
    path = store_location
    record = corpus()[0]
    doc = record.document
    first, second = open_store(path), open_store(path)
    first.add_documents([record])
    context = EditContext.of(doc.text, doc.tokens)
    first.apply("alice", doc.input_hash, AddSpan(0, 0, "GPE").plan(
        first.state("alice", doc.input_hash), context))
    # Both terminals show the same state and plan a different relabel of the same span.
    seen = second.state("alice", doc.input_hash)
    plan_a = Relabel("e0", "ORG").plan(seen, context)
    plan_b = Relabel("e0", "PERSON").plan(seen, context)
    first.apply("alice", doc.input_hash, plan_a)
    with pytest.raises(EditRefused, match="changed since this edit was planned"):
        second.apply("alice", doc.input_hash, plan_b)
    assert second.state("alice", doc.input_hash).span("e0").label == "ORG"
    assert len(second.history("alice", doc.input_hash)) == 2
    first.close()
    second.close()


def test_a_writer_waits_for_the_other_process_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    record = corpus()[0]
    store = SQLiteStore(path)
    store.add_documents([record])
    context = EditContext.of(record.document.text, record.document.tokens)
    change = AddSpan(0, 0, "GPE").plan(store.state("alice", record.document.input_hash), context)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is in the middle of a write
    finished: list[float] = []

    def decide() -> None:
        # A second terminal: its own connection (SQLite connections stay in their thread).
        terminal = SQLiteStore(path)
        terminal.apply("alice", record.document.input_hash, change)
        finished.append(time.monotonic())
        terminal.close()

    started = time.monotonic()
    worker = threading.Thread(target=decide)
    worker.start()
    time.sleep(0.5)
    assert not finished, "the write went through while another one held the lock"
    other.execute("COMMIT")
    worker.join(timeout=10)
    assert finished and finished[0] - started >= 0.5
    assert store.state("alice", record.document.input_hash).span("e0").label == "GPE"
    other.close()
    store.close()

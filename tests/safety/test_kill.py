"""SIGKILL in the middle of a session loses nothing that was acknowledged.

`store_driver.py` makes seeded decisions against a real store (SQLite, PostgreSQL) and prints
an ACK line after each store call returns. The test kills it at random points (after a random
number of ACKs, plus a random sub-millisecond delay, so some kills land inside a transaction),
restarts it on the same store, and after every kill checks that every acknowledged decision is
in the log, each document's cached state is the last acknowledged one (or one in-flight step
past it), the cache equals a replay of the log, a SQLite file passes the integrity check without
any repair step, and export works.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from annotator.core.export import export_jsonl
from annotator.core.schema import file_problems
from annotator.core.store import SQLiteStore, open_store
from tests.conftest import Location
from tests.safety.store_driver import corpus, state_digest

DRIVER = Path(__file__).with_name("store_driver.py")
REPO = Path(__file__).resolve().parents[2]
KILL_POINTS = 40
KILL_POINTS_SERVER = 12  # PostgreSQL: the client dies, the server rolls back its transaction
SEED = 20261201


@dataclass(frozen=True)
class Ack:
    seq: int
    input_hash: int
    op: str
    digest: str


def _ack(line: str) -> Ack:
    _, seq, doc, op, digest = line.split()
    return Ack(int(seq), int(doc), op, digest)


def _start(
    store: Location, seed: int, steps: int, behind: bool = False
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(DRIVER), str(store), str(seed), str(steps), "alice"]
        + (["behind"] if behind else []),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def _run_and_kill(
    store: Location, seed: int, acks_before_kill: int, delay: float, behind: bool = False
) -> list[Ack]:
    """Run the driver until it has acknowledged `acks_before_kill` decisions, then SIGKILL it."""
    process = _start(store, seed, steps=10_000, behind=behind)
    assert process.stdout is not None
    acks: list[Ack] = []
    for line in process.stdout:
        if line.startswith("ACK"):
            acks.append(_ack(line))
            if len(acks) >= acks_before_kill:
                break
        elif line.startswith("DONE"):
            break
    if delay:
        time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    # ACKs the driver printed before it died count too: a person may have seen them.
    for line in process.stdout:
        if line.startswith("ACK") and line.endswith("\n"):
            acks.append(_ack(line))
    assert process.returncode == -signal.SIGKILL, process.stderr.read() if process.stderr else ""
    return acks


def _check_store(store_path: Location, acks: list[Ack], tmp: Path) -> tuple[int, list[Ack]]:
    """Every check a person relies on after a crash.

    Returns how many decisions were checked, and the decision that was committed but not yet
    acknowledged when the process died (if any): it is part of the store from now on, so the
    caller adds it to the acknowledged ones for the next checks.
    """
    if isinstance(store_path, Path):
        # Opening the file with plain SQLite first: a clean integrity check means no repair.
        raw = sqlite3.connect(store_path)
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        raw.close()

    store = open_store(store_path)
    try:
        events = {
            seq: (doc, op)
            for seq, doc, op in store._db.execute("SELECT seq, input_hash, op FROM events")
        }
        for ack in acks:
            assert events.get(ack.seq) == (ack.input_hash, ack.op), f"lost decision {ack}"
        last_acked = max((a.seq for a in acks), default=0)
        in_flight = [seq for seq in events if seq > last_acked]
        # Only the decision being committed at the moment of the kill can be unacknowledged.
        assert len(in_flight) <= 1, in_flight

        last_by_doc = {ack.input_hash: ack for ack in acks}
        for doc, ack in last_by_doc.items():
            state = store.state("alice", doc)
            assert state == store.replay("alice", doc)
            if not any(events[seq][0] == doc for seq in in_flight):
                assert state_digest(state) == ack.digest, f"state of {doc} is not the acked one"
        committed = [
            Ack(seq, events[seq][0], events[seq][1],
                state_digest(store.state("alice", events[seq][0])))
            for seq in in_flight
        ]

        output = tmp / "export.jsonl"
        count = export_jsonl(store, "alice", output, include_unfinished=True)
        documents = store._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        assert count == documents
        assert list(file_problems(output)) == []
        exported = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
        assert len(exported) == documents
    finally:
        store.close()
    return len(acks), committed


def test_sigkill_at_random_points_loses_no_acknowledged_decision(
    tmp_path: Path, backend: str, store_location: Location
) -> None:
    kill_points = KILL_POINTS if backend == "sqlite" else KILL_POINTS_SERVER
    _kill_at_random_points(store_location, kill_points, tmp_path)


def test_sigkill_loses_nothing_when_the_disk_confirms_commits_behind(tmp_path: Path) -> None:
    """The screens' way: a commit returns before its fdatasync (done by a thread); a
    process killed at any point has still lost nothing it acknowledged."""
    _kill_at_random_points(tmp_path / "behind.sqlite", KILL_POINTS // 2, tmp_path, behind=True)


def _kill_at_random_points(
    store_path: Location, kill_points: int, tmp_path: Path, behind: bool = False
) -> None:
    rng = random.Random(SEED)
    all_acks: list[Ack] = []
    checked = 0
    kills = 0
    committed_unacked = 0
    for run in range(kill_points):
        acks = _run_and_kill(
            store_path,
            seed=SEED + run,
            acks_before_kill=rng.randint(1, 120),
            delay=rng.choice((0.0, 0.0001, 0.0003, 0.001)),
            behind=behind,
        )
        kills += 1
        all_acks.extend(acks)
        run_checked, committed = _check_store(store_path, all_acks, tmp_path)
        checked += run_checked
        committed_unacked += len(committed)
        all_acks.extend(committed)
    # A last session that runs to the end on the store that survived all the kills.
    process = _start(store_path, seed=SEED - 1, steps=200, behind=behind)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    for line in stdout.splitlines():
        if line.startswith("ACK"):
            all_acks.append(_ack(line))
    checked += _check_store(store_path, all_acks, tmp_path)[0]
    assert kills == kill_points
    # Enough real decisions were made and verified for the test to mean something.
    assert len(all_acks) > kill_points * 20
    print(f"kill points: {kills}, decisions checked: {len(all_acks)}, checks: {checked}, "
        f"kills after a commit but before its ACK: {committed_unacked}")


def test_sigkill_while_a_new_store_is_being_created_leaves_a_usable_store(
    tmp_path: Path,
) -> None:
    """Killed during start-up (schema creation, the first import): the next start just works."""
    rng = random.Random(SEED + 1)
    outcomes: Counter[str] = Counter()
    for run in range(10):
        store_path = tmp_path / f"new-{run}.sqlite"
        process = _start(store_path, seed=run, steps=10_000)
        time.sleep(rng.uniform(0.02, 0.3))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        store = SQLiteStore(store_path)
        documents = store._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        store.close()
        # The corpus is added in one transaction: all of it or none of it.
        assert documents in (0, len(corpus()))
        outcomes["no documents yet" if documents == 0 else "documents added"] += 1
        rerun = _start(store_path, seed=run, steps=20)
        stdout, stderr = rerun.communicate(timeout=60)
        assert rerun.returncode == 0, stderr
        acks = [_ack(line) for line in stdout.splitlines() if line.startswith("ACK")]
        assert acks
        _check_store(store_path, acks, tmp_path)
    print(f"start-up kills: {dict(outcomes)}")

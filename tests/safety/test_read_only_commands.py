"""The commands that only read (export, stats, validate, evaluate, agree) work on a store and files
the user cannot write, and never create a store.

Root may write anything, so the proof runs the commands as the user `nobody` in a child
process, on a store (and its folder) nobody may write. Python lives under /root, which
`nobody` cannot enter: the child runs every command once as root on a writable copy (so every
module it needs is imported), then drops its rights and runs them on the real thing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.cli import run
from annotator.core.commands import AddSpan, EditContext, SetAnswer
from annotator.core.store import SQLiteStore
from tests.safety.store_driver import corpus

REPO = Path(__file__).resolve().parents[2]

CHILD = r"""
import contextlib, io, json, os, sys
from annotator.cli import run

commands, warm, real = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])

def run_all(places):
    results = []
    for args in commands:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run([part.format(**places) for part in args])
        results.append({"args": args, "code": code, "out": out.getvalue(), "err": err.getvalue()})
    return results

run_all(warm)  # as root, on a writable copy: imports everything the commands use
os.setgroups([]); os.setgid(65534); os.setuid(65534)
print(json.dumps(run_all(real)))
"""

COMMANDS = [
    ["stats", "--store", "{store}", "--annotator", "alice"],
    ["export", "--store", "{store}", "--annotator", "alice", "-o", "{out}/alice.jsonl"],
    ["export", "--store", "{store}", "--annotator", "alice", "-o", "-"],
    ["export", "--store", "{store}", "--annotator", "alice", "--format", "conll",
     "-o", "{out}/alice.conll"],
    ["export", "--store", "{store}", "--annotator", "alice", "--format", "spacy",
     "-o", "{out}/alice-spacy"],
    ["validate", "{folder}/gold.jsonl"],
    ["evaluate", "{folder}/gold.jsonl", "{folder}/gold.jsonl"],
    ["agree", "--store", "{store}"],
    # The proof that the user has no rights there: writing into the store's folder fails.
    ["export", "--store", "{store}", "--annotator", "alice", "-o", "{folder}/new.jsonl"],
]


def _fill(path: Path) -> None:
    store = SQLiteStore(path)
    records = corpus()
    store.add_documents(records)
    for record in records:
        doc = record.document
        context = EditContext.of(doc.text, doc.tokens)
        for name, label in (("alice", "GPE"), ("bob", "ORG")):
            state = store.apply(name, doc.input_hash, AddSpan(0, 0, label).plan(
                store.state(name, doc.input_hash), context))
            store.apply(name, doc.input_hash, SetAnswer("accept").plan(state, context))
    store.close()


def _places(folder: Path, out: Path) -> dict[str, str]:
    return {"store": str(folder / "s.sqlite"), "folder": str(folder), "out": str(out)}


@pytest.fixture
def places() -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """(a writable copy for the warm-up, a store folder nobody may write), each with a gold
    export beside the store and a folder for the outputs."""
    made = []
    result = []
    for writable in (True, False):
        folder = Path(tempfile.mkdtemp(prefix="annotator-ro-"))
        out = Path(tempfile.mkdtemp(prefix="annotator-ro-out-"))
        made += [folder, out]
        _fill(folder / "s.sqlite")
        assert run(["export", "--store", str(folder / "s.sqlite"), "--annotator", "alice",
                    "-o", str(folder / "gold.jsonl")]) == 0
        out.chmod(0o777)
        if not writable:
            for path in folder.iterdir():
                path.chmod(0o444)
            folder.chmod(0o555)
        result.append(_places(folder, out))
    yield result[0], result[1]
    for folder in made:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_read_only_commands_work_on_a_store_the_user_cannot_write(
    places: tuple[dict[str, str], dict[str, str]],
) -> None:
    warm, real = places
    folder = Path(real["folder"])
    before = _snapshot(folder)
    env = {"PATH": os.environ["PATH"], "HOME": "/", "PYTHONPATH": str(REPO),
           "PYTHONDONTWRITEBYTECODE": "1", "ANNOTATOR_MODEL": "", "LANG": "C.UTF-8"}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(COMMANDS), json.dumps(warm), json.dumps(real)],
        env=env, cwd="/", capture_output=True, text=True, timeout=300,
    )
    assert child.returncode == 0, child.stderr
    results = json.loads(child.stdout.splitlines()[-1])
    *read_only, write = results
    for result in read_only:
        assert result["code"] == 0, result
        assert "Traceback" not in result["err"]
    stats, _, to_stdout = read_only[:3]
    count = len(corpus())
    assert f"{count} documents, {count} done ({count} finished" in stats["out"]
    exported = [json.loads(line) for line in to_stdout["out"].splitlines()]
    assert len(exported) == count
    assert exported and all(record["answer"] == "accept" for record in exported)
    assert (Path(real["out"]) / "alice.jsonl").read_text() == (folder / "gold.jsonl").read_text()
    assert (Path(real["out"]) / "alice-spacy" / "train.spacy").is_file()
    # The same user cannot write beside the store: the rights really are missing.
    assert write["code"] == 2 and "Permission denied" in write["err"], write
    # Nothing in the store's folder changed: no -wal, no -shm, the same bytes.
    assert _snapshot(folder) == before


def test_stats_never_creates_a_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ANNOTATOR_STORE", raising=False)
    assert run(["stats"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "annotations.sqlite" in err
    assert list(tmp_path.iterdir()) == []
    assert run(["stats", "--store", str(tmp_path / "elsewhere" / "s.sqlite")]) == 2
    assert list(tmp_path.iterdir()) == []

"""Opening a store: one door (`open_store`), URLs never taken for paths, read-only for real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.core.commands import Change
from annotator.core.model import CorpusRecord, Document, DocumentState
from annotator.core.store import SQLiteStore, open_store
from annotator.errors import StoreError

REPO = Path(__file__).resolve().parents[1]


def _filled(path: Path) -> list[int]:
    store = open_store(path)
    hashes = store.add_documents(
        CorpusRecord(Document(input_hash=n, text=f"Text number {n}.", meta={})) for n in (1, 2)
    )
    store.set_suggestions_many([(h, (), DocumentState(), "fake") for h in hashes])
    store.apply("carol", 1, Change("answer", "finish", answer_after="accept"))
    store.close()
    return hashes


@pytest.mark.parametrize("url", ["mysql://db/x", "http://host/store", "sqlite://x.sqlite"])
def test_other_url_schemes_are_one_line_errors_and_never_paths(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError) as caught:
        open_store(url)
    assert "\n" not in str(caught.value) and "postgresql://" in str(caught.value)
    # A URL that went through Path() (one slash lost) is still a URL.
    with pytest.raises(StoreError):
        open_store(Path(url))
    assert list(tmp_path.iterdir()) == []


def test_read_only_never_creates_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store here") as caught:
        open_store(tmp_path / "missing" / "s.sqlite", read_only=True)
    assert "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_read_only_store_reads_and_refuses_every_write(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    _filled(path)
    before = path.read_bytes()
    store = open_store(path, read_only=True)
    assert store.answers("carol", [1, 2]) == {1: "accept", 2: None}
    assert store.annotators() == ["carol"]
    with pytest.raises(StoreError, match="read-only"):
        store.apply("carol", 2, Change("answer", "skip", answer_after="ignore"))
    with pytest.raises(StoreError, match="read-only"):
        store.remember_place("carol", 2)
    store.close()
    assert path.read_bytes() == before


@pytest.fixture
def unwritable_store() -> Iterator[Path]:
    """A store in a folder outside root's private /tmp/pytest-of-root, so `nobody` may enter."""
    folder = Path(tempfile.mkdtemp(prefix="annotator-ro-"))
    path = folder / "s.sqlite"
    _filled(path)
    assert not Path(f"{path}-wal").exists()  # closed cleanly: the hardest case for mode=ro
    path.chmod(0o444)
    folder.chmod(0o555)
    yield path
    folder.chmod(0o755)
    shutil.rmtree(folder)


def _as_nobody(code: str) -> subprocess.CompletedProcess[str]:
    """Run `code` as the user nobody: root may write anything, so only another user proves
    the store cannot be written. Python itself lives under /root, so the child imports what
    it needs first and drops its rights after."""
    prelude = (
        "import os, sqlite3\n"
        "from annotator.core.store import open_store\n"
        "os.setgroups([]); os.setgid(65534); os.setuid(65534)\n"
    )
    env = {"PATH": os.environ["PATH"], "HOME": "/", "PYTHONPATH": str(REPO),
           "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-c", prelude + code], env=env, cwd="/",
        capture_output=True, text=True, timeout=60,
    )


def test_read_only_works_on_a_store_the_user_cannot_write(unwritable_store: Path) -> None:
    read = _as_nobody(
        f"store = open_store({str(unwritable_store)!r}, read_only=True)\n"
        "print(store.answers('carol', [1, 2]), store.stats('carol').finished, store.annotators())"
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "{1: 'accept', 2: None} 1 ['carol']"
    # The same user opening it for writing is refused: the test really is without rights.
    write = _as_nobody(
        f"open_store({str(unwritable_store)!r}).remember_place('carol', 2)"
    )
    assert write.returncode != 0 and "StoreError" in write.stderr


def test_annotators_lists_everyone_with_decisions(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    _filled(path)
    store = SQLiteStore(path)
    store.apply("alice", 2, Change("answer", "skip", answer_after="ignore"))
    assert store.annotators() == ["alice", "carol"]


@pytest.fixture
def tiny_disk() -> Iterator[Path]:
    """A real 256 KiB file system (tmpfs), so the disk really fills up."""
    folder = Path(tempfile.mkdtemp(prefix="annotator-full-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)], check=True)
    yield folder
    subprocess.run(["umount", str(folder)], check=True)
    folder.rmdir()


def test_a_full_disk_is_reported_as_such_not_as_a_failed_rollback(tiny_disk: Path) -> None:
    store = SQLiteStore(tiny_disk / "s.sqlite")
    try:
        with pytest.raises(StoreError) as caught:
            for n in range(1, 1000):
                store.add_documents(
                    [CorpusRecord(Document(input_hash=n, text="x" * 20_000 + str(n), meta={}))]
                )
        message = str(caught.value)
        assert "No space left on device" in message
        assert "rollback" not in message and "\n" not in message
        # What was acknowledged before is all there, and the store still reads.
        assert store.document(1).text.startswith("x")
    finally:
        store.close()

"""Export under a full disk, an unwritable folder or an interruption: a clear error, the
previous export file untouched, no temporary left behind, the store intact."""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import run
from annotator.core.commands import AddSpan, EditContext, SetAnswer
from annotator.core.export import export_jsonl
from annotator.core.model import CorpusRecord, DocumentState
from annotator.core.store import SQLiteStore
from annotator.errors import AnnotatorError
from tests.safety.store_driver import corpus


@pytest.fixture
def finished_store(tmp_path: Path) -> Iterator[Path]:
    """A store where alice finished every document of the driver corpus."""
    path = tmp_path / "store.sqlite"
    store = SQLiteStore(path)
    records = corpus()
    store.add_documents(records)
    for record in records:
        doc = record.document
        context = EditContext.of(doc.text, doc.tokens)
        state = store.apply("alice", doc.input_hash, AddSpan(0, 0, "GPE").plan(
            store.state("alice", doc.input_hash), context))
        store.apply("alice", doc.input_hash, SetAnswer("accept").plan(state, context))
    store.close()
    yield path


def _store_snapshot(path: Path) -> tuple[str, list[Any]]:
    store = SQLiteStore(path)
    rows = store._db.execute("SELECT * FROM events ORDER BY seq").fetchall()
    rows += store._db.execute("SELECT * FROM states ORDER BY annotator, input_hash").fetchall()
    store.close()
    return hashlib.sha256(path.read_bytes()).hexdigest(), rows


class _FullDisk:
    """A file handle that accepts `room` characters, then fails as a full disk does."""

    def __init__(self, handle: Any, room: int) -> None:
        self._handle = handle
        self._room = room

    def write(self, text: str) -> int:
        if len(text) > self._room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(text)
        return int(self._handle.write(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


def _previous_export(tmp_path: Path) -> tuple[Path, bytes]:
    output = tmp_path / "exports" / "alice.jsonl"
    output.parent.mkdir()
    output.write_bytes(b'{"text": "the export of yesterday"}\n')
    return output, output.read_bytes()


def _only(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("room", [0, 500, 2000])
def test_full_disk_during_export_keeps_previous_file_and_store(
    room: int,
    finished_store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    output, previous = _previous_export(tmp_path)
    before = _store_snapshot(finished_store)
    real_fdopen = os.fdopen
    monkeypatch.setattr(
        os, "fdopen", lambda *a, **k: _FullDisk(real_fdopen(*a, **k), room)
    )
    code = run(["export", "--store", str(finished_store), "--annotator", "alice",
                "-o", str(output)])
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{output}: writing failed (No space left on device)" in err
    assert "previous file is unchanged" in err
    assert output.read_bytes() == previous
    assert _only(output.parent) == ["alice.jsonl"], "a temporary file was left behind"
    assert _store_snapshot(finished_store) == before


def test_full_disk_when_syncing_keeps_previous_file(
    finished_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output, previous = _previous_export(tmp_path)

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    store = SQLiteStore(finished_store)
    with pytest.raises(AnnotatorError, match="No space left on device"):
        export_jsonl(store, "alice", output)
    store.close()
    assert output.read_bytes() == previous
    assert _only(output.parent) == ["alice.jsonl"]


def test_unwritable_export_folder_is_a_clear_error(
    finished_store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    output, previous = _previous_export(tmp_path)
    if os.geteuid() == 0:
        # root writes through any mode bits: make the folder refuse as a read-only one does.
        real_open = os.open

        def read_only(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            if Path(file).parent == output.parent and flags & os.O_CREAT:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
            return real_open(file, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", read_only)
    else:
        output.parent.chmod(0o555)
    try:
        code = run(["export", "--store", str(finished_store), "--annotator", "alice",
                    "-o", str(output)])
    finally:
        output.parent.chmod(0o755)
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert f"{output.parent}: cannot write here (Permission denied)" in err
    assert output.read_bytes() == previous


def test_export_under_a_file_instead_of_a_folder(
    finished_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("mine")
    code = run(["export", "--store", str(finished_store), "--annotator", "alice",
                "-o", str(not_a_folder / "alice.jsonl")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "cannot create the output folder" in err
    assert not_a_folder.read_text() == "mine"


def test_export_onto_a_folder_is_refused(
    finished_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "keep.jsonl").write_text("{}\n")
    code = run(["export", "--store", str(finished_store), "--annotator", "alice",
                "-o", str(folder)])
    err = capsys.readouterr().err
    assert code == 2 and "is a folder, not a regular file" in err
    assert _only(folder) == ["keep.jsonl"]


def test_interrupted_export_leaves_previous_file(
    finished_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output, previous = _previous_export(tmp_path)
    import annotator.core.export as export_module

    real_record = export_module.export_record
    calls = []

    def interrupt_on_third(*args: Any, **kwargs: Any) -> dict[str, Any]:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_record(*args, **kwargs)

    monkeypatch.setattr(export_module, "export_record", interrupt_on_third)
    store = SQLiteStore(finished_store)
    with pytest.raises(KeyboardInterrupt):
        export_jsonl(store, "alice", output)
    store.close()
    assert output.read_bytes() == previous
    assert _only(output.parent) == ["alice.jsonl"]


def test_export_that_succeeds_replaces_the_file_whole(
    finished_store: Path, tmp_path: Path
) -> None:
    output, _ = _previous_export(tmp_path)
    store = SQLiteStore(finished_store)
    count = export_jsonl(store, "alice", output)
    store.close()
    assert count == len(corpus())
    assert len(output.read_text(encoding="utf-8").splitlines()) == count
    assert _only(output.parent) == ["alice.jsonl"]


def test_store_on_a_full_disk_refuses_the_decision_and_keeps_the_rest(
    finished_store: Path, tmp_path: Path
) -> None:
    """A write that cannot be committed is reported, and nothing already saved is lost."""
    store = SQLiteStore(finished_store)
    before = store._db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    doc = corpus()[1].document
    state = store.state("alice", doc.input_hash)
    change = SetAnswer(None).plan(state, EditContext.of(doc.text, doc.tokens))
    # SQLite's own limit stands in for a full disk: it fails the same way (SQLITE_FULL).
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count={pages}")
    big = CorpusRecord(corpus()[0].document.__class__(
        input_hash=1, text="x" * 200_000, meta={}), DocumentState())
    with pytest.raises(AnnotatorError, match="full"):
        store.add_documents([big])
    store.apply("alice", doc.input_hash, change)  # small writes still fit in free pages
    store.close()
    reopened = SQLiteStore(finished_store)
    assert reopened._db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before + 1
    assert reopened._db.execute("SELECT COUNT(*) FROM documents WHERE input_hash=1").fetchone()[
        0
    ] == 0
    reopened.close()

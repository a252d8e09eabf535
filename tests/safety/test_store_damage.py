"""A corrupted or truncated store: a clear error, the file never written, and `recover`."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.cli import run
from annotator.core.commands import AddSpan, EditContext, SetAnswer
from annotator.core.corpus import input_hash
from annotator.core.export import export_jsonl
from annotator.core.model import CorpusRecord, Document, DocumentState
from annotator.core.recover import recover_store
from annotator.core.schema import file_problems
from annotator.core.store import SQLiteStore
from annotator.errors import StoreError
from tests.safety.store_driver import whitespace_tokens

DOCUMENTS = 150
WORDS = ("Paris", "Obama", "said", "the", "über", "東京", "😀", "Tokayev", "signed")


def _build_store(path: Path) -> dict[int, Document]:
    """A closed store of DOCUMENTS finished documents, each with one added span."""
    rng = random.Random(5)
    store = SQLiteStore(path)
    documents = {}
    for number in range(DOCUMENTS):
        text = f"Article {number}: " + " ".join(rng.choice(WORDS) for _ in range(120))
        doc = Document(input_hash(text), text, {"n": number}, whitespace_tokens(text))
        documents[doc.input_hash] = doc
        store.add_documents([CorpusRecord(doc, DocumentState(), source="import")])
        context = EditContext.of(doc.text, doc.tokens)
        state = store.apply("alice", doc.input_hash, AddSpan(2, 3, "PERSON").plan(
            store.state("alice", doc.input_hash), context))
        store.apply("alice", doc.input_hash, SetAnswer("accept").plan(state, context))
    store.close()
    return documents


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, Document]]:
    path = tmp_path_factory.mktemp("healthy") / "store.sqlite"
    return path, _build_store(path)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leaf_page(path: Path, table: str) -> int:
    db = sqlite3.connect(path)
    pages = [
        row[0]
        for row in db.execute(
            "SELECT pageno FROM dbstat WHERE name=? AND pagetype='leaf' ORDER BY pageno", (table,)
        )
    ]
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    assert page_size == 4096 and len(pages) > 4
    return int(pages[len(pages) // 2])


def _damage(source: Path, target: Path, how: str) -> Path:
    data = bytearray(source.read_bytes())
    rng = random.Random(how)
    if how == "truncated":
        data = data[: len(data) * 2 // 3]
    elif how == "garbage":
        data = bytearray(rng.randbytes(len(data)))
    elif how == "zeroed header":
        data[:100] = bytes(100)
    elif how == "damaged pages":
        for table in ("documents", "events"):
            page = _leaf_page(source, table)
            data[(page - 1) * 4096 : page * 4096] = rng.randbytes(4096)
    target.write_bytes(bytes(data))
    return target


DAMAGE = ("truncated", "garbage", "zeroed header", "damaged pages")


@pytest.mark.parametrize("how", DAMAGE)
@pytest.mark.parametrize("command", ["stats", "export", "suggest", "annotate"])
def test_damaged_store_is_a_clear_error_and_is_never_written(
    how: str,
    command: str,
    healthy: tuple[Path, dict[int, Document]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = _damage(healthy[0], tmp_path / "store.sqlite", how)
    before = _digest(store)
    output = tmp_path / "out.jsonl"
    args = {
        "stats": ["stats", "--annotator", "alice"],
        "export": ["export", "-o", str(output), "--include-unfinished", "--annotator", "alice"],
        "suggest": ["suggest", str(tmp_path / "new.jsonl"), "-o", str(output)],
        "annotate": ["annotate", str(tmp_path / "new.jsonl"), "--annotator", "alice"],
    }[command]
    (tmp_path / "new.jsonl").write_text(json.dumps({"text": "Paris is big."}) + "\n")
    code = run([*args, "--store", str(store)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert str(store) in err and ("damaged" in err) and "annotator recover" in err
    assert _digest(store) == before, "the damaged store was written to"
    assert not output.exists()


def test_damaged_store_is_refused_on_open_before_any_write(
    healthy: tuple[Path, dict[int, Document]], tmp_path: Path
) -> None:
    store_path = _damage(healthy[0], tmp_path / "store.sqlite", "damaged pages")
    before = _digest(store_path)
    with pytest.raises(StoreError, match="it may be damaged") as raised:
        SQLiteStore(store_path)
    assert "Page " in str(raised.value)  # SQLite's own finding, on one line
    assert "\n" not in str(raised.value)
    assert _digest(store_path) == before


def test_damage_met_while_open_is_a_store_error(
    healthy: tuple[Path, dict[int, Document]], tmp_path: Path
) -> None:
    store_path = tmp_path / "store.sqlite"
    store_path.write_bytes(healthy[0].read_bytes())
    store = SQLiteStore(store_path)
    # The disk goes bad under a running session: pages it has not read yet turn to garbage.
    damaged = _damage(healthy[0], tmp_path / "damaged.sqlite", "damaged pages").read_bytes()
    with store_path.open("r+b") as handle:
        handle.write(damaged)
    store._db.execute("PRAGMA shrink_memory")  # forget the pages it read while opening
    with pytest.raises(StoreError, match="the store is damaged"):
        export_jsonl(store, "alice", tmp_path / "out.jsonl")
    with pytest.raises(StoreError, match="the store is damaged"):
        list(store.iter_annotated("alice"))
    store.close()
    assert not (tmp_path / "out.jsonl").exists()


def _recovered_matches_original(
    target: Path, original: Path, documents: dict[int, Document]
) -> tuple[int, int]:
    """Every recovered row equals the healthy one; returns (documents, states) recovered."""
    new = SQLiteStore(target)
    old = SQLiteStore(original)
    try:
        recovered = [
            h for (h,) in new._db.execute("SELECT input_hash FROM documents ORDER BY position")
        ]
        for doc in recovered:
            assert new.document(doc) == old.document(doc) == documents[doc]
        states = [h for (h,) in new._db.execute("SELECT input_hash FROM states")]
        for doc in states:
            assert new.state("alice", doc) == old.state("alice", doc)
        for seq, change in new._db.execute("SELECT seq, change FROM events"):
            assert old._db.execute("SELECT change FROM events WHERE seq=?", (seq,)).fetchone()[
                0
            ] == change
        exported = target.with_suffix(".jsonl")
        assert export_jsonl(new, "alice", exported) == len(states)
        assert list(file_problems(exported)) == [] if states else True
    finally:
        new.close()
        old.close()
    return len(recovered), len(states)


def test_recover_a_healthy_store_copies_everything(
    healthy: tuple[Path, dict[int, Document]], tmp_path: Path
) -> None:
    report = recover_store(healthy[0], tmp_path / "new.sqlite")
    assert (report.documents, report.events, report.states) == (DOCUMENTS, 2 * DOCUMENTS, DOCUMENTS)
    assert report.problems == []
    assert _recovered_matches_original(tmp_path / "new.sqlite", *healthy) == (DOCUMENTS, DOCUMENTS)


def test_recover_keeps_where_each_annotator_left_off(
    healthy: tuple[Path, dict[int, Document]], tmp_path: Path
) -> None:
    source = tmp_path / "source.sqlite"
    shutil.copy(healthy[0], source)
    store = SQLiteStore(source)
    left_open = list(healthy[1])[3]
    store.remember_place("alice", left_open)
    store.close()
    recover_store(source, tmp_path / "new.sqlite")
    recovered = SQLiteStore(tmp_path / "new.sqlite")
    assert recovered.place("alice") == left_open
    recovered.close()


def test_recover_steps_over_damaged_pages_and_keeps_the_rest(
    healthy: tuple[Path, dict[int, Document]], tmp_path: Path
) -> None:
    damaged = _damage(healthy[0], tmp_path / "store.sqlite", "damaged pages")
    before = _digest(damaged)
    report = recover_store(damaged, tmp_path / "new.sqlite")
    assert _digest(damaged) == before
    documents, states = _recovered_matches_original(tmp_path / "new.sqlite", *healthy)
    assert (documents, states) == (report.documents, report.states)
    # One damaged page of each table: most rows on either side of it survive.
    assert DOCUMENTS * 0.8 < documents < DOCUMENTS
    assert DOCUMENTS * 2 * 0.8 < report.events < DOCUMENTS * 2
    assert any("damaged range" in problem for problem in report.problems)


def test_recover_reads_the_start_of_a_truncated_store(
    healthy: tuple[Path, dict[int, Document]], tmp_path: Path
) -> None:
    damaged = _damage(healthy[0], tmp_path / "store.sqlite", "truncated")
    report = recover_store(damaged, tmp_path / "new.sqlite")
    documents, _ = _recovered_matches_original(tmp_path / "new.sqlite", *healthy)
    assert 0 < documents == report.documents < DOCUMENTS


@pytest.mark.parametrize("how", ["garbage", "zeroed header"])
def test_recover_says_when_nothing_is_readable(
    how: str, healthy: tuple[Path, dict[int, Document]], tmp_path: Path
) -> None:
    damaged = _damage(healthy[0], tmp_path / "store.sqlite", how)
    with pytest.raises(StoreError, match="nothing is readable"):
        recover_store(damaged, tmp_path / "new.sqlite")
    assert not (tmp_path / "new.sqlite").exists()


def test_recover_command_reports_what_it_saved(
    healthy: tuple[Path, dict[int, Document]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = _damage(healthy[0], tmp_path / "store.sqlite", "damaged pages")
    target = tmp_path / "new.sqlite"
    assert run(["recover", str(damaged), "-o", str(target)]) == 0
    err = capsys.readouterr().err
    report_line = err.strip().splitlines()[-1]
    assert report_line.startswith("recovered ") and "was not modified" in report_line
    assert "warning: " in err
    # The recovered store is a normal store: export works on it.
    assert run(["export", "--store", str(target), "--annotator", "alice",
                "-o", str(tmp_path / "e.jsonl")]) == 0
    assert (tmp_path / "e.jsonl").exists()


def test_recover_never_overwrites_an_existing_file(
    healthy: tuple[Path, dict[int, Document]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "precious.sqlite"
    target.write_bytes(b"keep me")
    assert run(["recover", str(healthy[0]), "-o", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert target.read_bytes() == b"keep me"
    assert run(["recover", str(healthy[0]), "-o", str(healthy[0])]) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert os.path.getsize(healthy[0]) > 0


def test_recover_from_a_missing_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["recover", str(tmp_path / "gone.sqlite"), "-o", str(tmp_path / "new.sqlite")])
    err = capsys.readouterr().err
    assert code == 2 and "gone.sqlite: no such store file" in err and err.count("\n") == 1
    assert not (tmp_path / "new.sqlite").exists()


def test_recover_reads_decisions_still_in_the_wal_after_a_crash(tmp_path: Path) -> None:
    """A killed session leaves recent decisions in the -wal file; recover copies them too."""
    import signal
    import subprocess
    import sys

    from tests.safety.test_kill import DRIVER, REPO

    store = tmp_path / "killed.sqlite"
    process = subprocess.Popen(
        [sys.executable, str(DRIVER), str(store), "3", "10000", "alice"],
        stdout=subprocess.PIPE, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert process.stdout is not None
    acks = 0
    for line in process.stdout:
        acks += line.startswith("ACK")
        if acks == 50:
            break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    wal = store.with_name(store.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    raw = sqlite3.connect(store)
    events = raw.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    raw.close()
    report = recover_store(store, tmp_path / "new.sqlite")
    assert report.events == events >= 50 and report.problems == []


def test_another_programs_sqlite_file_is_refused_and_left_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "browser-history.sqlite"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE visits (url TEXT)")
    db.execute("INSERT INTO visits VALUES ('https://example.org')")
    db.commit()
    db.close()
    before = _digest(other)
    code = run(["stats", "--store", str(other), "--annotator", "alice"])
    err = capsys.readouterr().err
    assert code == 2 and "not an annotator store" in err and err.count("\n") == 1
    assert _digest(other) == before  # not even switched to WAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["browser-history.sqlite"]


@pytest.mark.parametrize("seed", range(12))
def test_recover_survives_random_damage(
    seed: int, healthy: tuple[Path, dict[int, Document]], tmp_path: Path
) -> None:
    """Garbage in random pages (page 1 kept) and a random truncation: recover either says
    nothing is readable or writes a store that opens and exports valid records. (Garbage that
    keeps a page well-formed can change a value unnoticed: SQLite has no checksums.)"""
    rng = random.Random(seed)
    data = bytearray(healthy[0].read_bytes())
    pages = len(data) // 4096
    for _ in range(rng.randint(1, 6)):
        page = rng.randrange(1, pages)
        start = page * 4096 + rng.randrange(4096)
        data[start : start + rng.randint(1, 4096)] = rng.randbytes(rng.randint(1, 4096))
    if rng.random() < 0.4:
        data = data[: rng.randrange(4096, len(data))]
    damaged = tmp_path / "store.sqlite"
    damaged.write_bytes(bytes(data))
    before = _digest(damaged)
    try:
        report = recover_store(damaged, tmp_path / "new.sqlite")
    except StoreError as error:
        assert "nothing is readable" in str(error) or "nothing to recover" in str(error)
        return
    finally:
        assert _digest(damaged) == before
    new = SQLiteStore(tmp_path / "new.sqlite")
    try:
        counts = [new._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                  for table in ("documents", "events", "states")]
        assert counts == [report.documents, report.events, report.states]
        output = tmp_path / "export.jsonl"
        exported = export_jsonl(new, "alice", output, include_unfinished=True)
        assert exported == report.documents
        assert list(file_problems(output)) == []
    finally:
        new.close()

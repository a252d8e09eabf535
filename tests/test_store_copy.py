"""`store copy` round-trips a store SQLite → PostgreSQL → SQLite exactly; `export
--all-annotators` writes everyone's work; SQLite on a network file system is refused."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import cast

import psycopg
import pytest

from annotator.cli import run
from annotator.core.commands import Accept, Change, EditContext, Reject
from annotator.core.store import StoreBackend, open_store
from annotator.core.store.copy import TABLES
from annotator.core.store.location import check_local_file_system, mount_type
from annotator.errors import StoreError
from tests.pg_cluster import Cluster
from tests.store_helpers import synthetic_record


def _worked_store(location: str | Path) -> StoreBackend:
    store = open_store(location)
    hashes = store.add_documents(synthetic_record(n + 1, 30) for n in range(4))
    store.remember_file("corpus.jsonl", "sig", hashes)
    store.set_overlap(2)
    for name in ("ann", "bea"):
        session = store.start_session(name)
        for doc in hashes[:3]:
            document = store.document(doc)
            context = EditContext.of(document.text, document.tokens)
            store.apply(
                name,
                doc,
                Accept("e0").plan(store.state(name, doc), context),
                session=session,
                event_id=f"{name}-{doc}",
            )
            store.apply(
                name, doc, Reject("e1").plan(store.state(name, doc), context), session=session
            )
        store.undo(name, session=session)
        store.apply(
            name, hashes[0], Change("answer", "finish", answer_after="accept"), session=session
        )
        store.remember_place(name, hashes[1])
        store.claim_next(name, session, hashes, 2, include_answered=False)
    return store


def _rows(store: StoreBackend) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: [
            tuple(r)
            for r in store._db.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"
            ).fetchall()
        ]
        for table, columns, order in TABLES
    }


def _empty_schema(cluster: Cluster, name: str) -> str:
    schema = f"{name}_{os.getpid()}"
    with psycopg.connect(cluster.url(), autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    return cluster.url(search_path=schema)


def test_store_copy_round_trips_sqlite_postgresql_sqlite_exactly(
    tmp_path: Path, postgres: Cluster
) -> None:
    original = _worked_store(tmp_path / "team.sqlite")
    expected = _rows(original)
    original.close()
    server = _empty_schema(postgres, "copy")
    assert run(["store", "copy", str(tmp_path / "team.sqlite"), server]) == 0
    assert run(["store", "copy", server, str(tmp_path / "back.sqlite")]) == 0
    on_server, back = open_store(server), open_store(tmp_path / "back.sqlite")
    assert _rows(on_server) == expected == _rows(back)
    assert expected["events"] and expected["sessions"] and expected["state_items"]
    # The copies work on: numbering goes on after the copied rows, states read the same.
    doc = expected["documents"][1][1]
    assert isinstance(doc, int)
    for store in (on_server, back):
        assert store.state("ann", doc) == store.replay("ann", doc)
        store.apply("cid", doc, Change("answer", "skip", answer_after="ignore"))
        last = store._db.execute("SELECT MAX(seq) FROM events").fetchone()[0]
        assert last == max(cast(int, r[0]) for r in expected["events"]) + 1
    # A target that holds a store already is refused, in one line.
    assert run(["store", "copy", str(tmp_path / "team.sqlite"), server]) == 2
    assert run(["store", "copy", str(tmp_path / "team.sqlite"), str(tmp_path / "back.sqlite")]) == 2


def test_export_all_annotators_writes_one_record_per_annotator_and_document(
    tmp_path: Path,
) -> None:
    store = _worked_store(tmp_path / "team.sqlite")
    sessions = {s.annotator: s.id for s in store.sessions()}
    store.close()
    output = tmp_path / "everyone.jsonl"
    code = run(
        [
            "export",
            "--all-annotators",
            "--include-unfinished",
            "--store",
            str(tmp_path / "team.sqlite"),
            "-o",
            str(output),
        ]
    )
    assert code == 0
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    pairs = [(r["_annotator_id"], r["_input_hash"]) for r in records]
    assert len(pairs) == len(set(pairs)) == 6  # 2 annotators x 3 documents they worked on
    assert {r["_session_id"] for r in records} == {
        f"ann-{sessions['ann']}",
        f"bea-{sessions['bea']}",
    }
    finished = [r for r in records if r.get("answer") == "accept"]
    assert sorted(r["_annotator_id"] for r in finished) == ["ann", "bea"]


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
fileserver:/export/team /mnt/team nfs4 rw,vers=4.2 0 0
//nas/share /mnt/nas cifs rw 0 0
me@host:/data /home/me/remote fuse.sshfs rw 0 0
/dev/sdb1 /mnt/team/local ext4 rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/mnt/team/project/store.sqlite", "nfs4"),
        ("/mnt/nas/store.sqlite", "cifs"),
        ("/home/me/remote/a/b.sqlite", "fuse.sshfs"),
    ],
)
def test_sqlite_on_a_network_file_system_is_refused_pointing_to_postgresql(
    path: str, kind: str
) -> None:
    assert mount_type(Path(path), MOUNTS) == kind
    with pytest.raises(StoreError, match="network file system") as caught:
        check_local_file_system(Path(path), MOUNTS)
    assert kind in str(caught.value) and "postgresql://" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_sqlite_on_a_local_disk_is_fine_even_under_a_network_mount() -> None:
    assert mount_type(Path("/mnt/team/local/s.sqlite"), MOUNTS) == "ext4"
    check_local_file_system(Path("/mnt/team/local/s.sqlite"), MOUNTS)
    check_local_file_system(Path("/srv/s.sqlite"), MOUNTS)


def test_a_store_url_of_another_kind_is_one_line_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["stats", "--store", "mysql://db/annotations"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "postgresql://" in error
    assert list(tmp_path.iterdir()) == []

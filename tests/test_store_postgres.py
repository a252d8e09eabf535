"""PostgreSQL's short ways: a decision (`annotator_decide`) and handing out the next
document (`annotator_claim`) in one statement each. A decision writes what the long way
writes and steps aside whenever the state moved on; both come with the schema's upgrade."""

from __future__ import annotations

import os
from typing import Any

import psycopg
import pytest

from annotator.core.commands import Accept, EditContext, EditRefused, Reject
from annotator.core.model import DocumentState, Span
from annotator.core.session import AnnotationSession
from annotator.core.store import SCHEMA_VERSION, StoreBackend, open_store
from annotator.core.store.postgres import PostgresStore
from tests.pg_cluster import Cluster
from tests.store_helpers import synthetic_record


def _url(postgres: Cluster, name: str) -> str:
    schema = f"{name}_{os.getpid()}"
    with psycopg.connect(postgres.url(), autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.execute(f"CREATE SCHEMA {schema}")
    return postgres.url(search_path=schema)


def _statements(store: PostgresStore) -> list[str]:
    """Every statement the store's connection sends from now on, in order."""
    sent: list[str] = []
    execute, call = store._db.execute, store._db.call

    def counted_execute(sql: str, params: Any = ()) -> Any:
        sent.append(sql)
        return execute(sql, params)

    def counted_call(sql: str, params: Any) -> Any:
        sent.append(sql)
        return call(sql, params)

    store._db.execute, store._db.call = counted_execute, counted_call
    return sent


@pytest.fixture
def url(postgres: Cluster) -> str:
    return _url(postgres, "decide")


def test_a_decision_on_a_known_state_is_one_call_and_writes_what_the_long_way_writes(
    url: str,
) -> None:
    store = open_store(url)
    assert isinstance(store, PostgresStore)
    (doc,) = store.add_documents([synthetic_record(1, 20)])
    session = AnnotationSession(store, "ann", [doc])
    sent = _statements(store)
    session.apply(Accept("e0"))
    session.apply(Reject("e1"))
    session.finish()
    # One statement (one round trip, one transaction) for each decision.
    assert [sql.split("(")[0] for sql in sent] == ["SELECT annotator_decide"] * 3
    assert store.claims() == []  # the answer released the claim
    check = open_store(url, read_only=True)
    assert check.state("ann", doc) == session.state == check.replay("ann", doc)
    assert [e.op for e in check.history("ann", doc)] == ["do", "do", "do"]
    assert check.state_version("ann", doc) == 3
    check.close()
    assert session.undo() is not None and session.undo() is not None  # the stack is there
    assert store.state("ann", doc).span("e1").status == "suggested"
    session.close()


def test_a_state_changed_by_another_terminal_takes_the_long_way_and_is_refused(
    url: str,
) -> None:
    seed = open_store(url)
    (doc,) = seed.add_documents([synthetic_record(1, 20)])
    a, b = open_store(url), open_store(url)
    shown = a.state("bea", doc)
    b.apply("bea", doc, Accept("e0").plan(b.state("bea", doc), _context(b, doc)))
    # Planned on what `a` shows, which is no longer the state: refused, nothing written.
    with pytest.raises(EditRefused, match="changed since this edit was planned"):
        a.apply("bea", doc, Reject("e0").plan(shown, _context(a, doc)))
    # Planned on an item nobody touched: it lands, on top of the other terminal's decision.
    a.apply("bea", doc, Accept("e1").plan(shown, _context(a, doc)))
    state = seed.state("bea", doc)
    assert state.span("e0").status == "accepted" and state.span("e1").status == "accepted"
    assert [e.op for e in seed.history("bea", doc)] == ["do", "do"]
    for store in (seed, a, b):
        store.close()


def test_suggestions_replaced_under_an_untouched_state_are_noticed(url: str) -> None:
    seed = open_store(url)
    (doc,) = seed.add_documents([synthetic_record(1, 20)])
    a = open_store(url)
    shown = a.state("cy", doc)  # version 0: the suggestions as they were
    # Another terminal with another model: the suggestions change, nobody has decided yet.
    assert seed.forget_stale_suggestions([doc], "other-model") == 1
    moved = tuple(
        Span(s.id, s.start, s.end, s.token_start, s.token_end, "ORG", s.text, "other", s.status)
        for s in shown.spans
    )
    seed.set_suggestions(doc, seed.document(doc).tokens, DocumentState(spans=moved), "other")
    with pytest.raises(EditRefused, match="changed since this edit was planned"):
        a.apply("cy", doc, Accept("e0").plan(shown, _context(a, doc)))
    assert seed.history("cy", doc) == []
    for store in (seed, a):
        store.close()


@pytest.mark.parametrize("old_version", [3, 4])
def test_an_older_store_is_upgraded_to_the_short_ways(postgres: Cluster, old_version: int) -> None:
    url = _url(postgres, f"upgrade{old_version}")
    store = open_store(url)
    hashes = store.add_documents(synthetic_record(n + 1, 20) for n in range(2))
    doc = hashes[0]
    store.apply("dan", doc, Accept("e0").plan(store.state("dan", doc), _context(store, doc)))
    store.close()
    # What a store written by the annotator of that version looked like: schema 4 brought
    # annotator_decide, schema 5 annotator_claim.
    with psycopg.connect(url, autocommit=True) as old:
        if old_version < 4:
            old.execute("DROP FUNCTION annotator_decide")
        old.execute("DROP FUNCTION annotator_claim")
        old.execute(f"UPDATE store_info SET value='{old_version}' WHERE key='schema'")
    reader = open_store(url, read_only=True)  # reading does not upgrade, and works
    assert reader.state("dan", doc).span("e0").status == "accepted"
    reader.close()
    upgraded = open_store(url)
    version = upgraded._db.execute("SELECT value FROM store_info WHERE key='schema'").fetchone()
    assert int(version[0]) == SCHEMA_VERSION == 5
    assert isinstance(upgraded, PostgresStore)
    session = AnnotationSession(upgraded, "dan", hashes)
    sent = _statements(upgraded)
    session.apply(Accept("e1"))
    session.next()
    assert [sql.split("(")[0] for sql in sent][:2] == [
        "SELECT annotator_decide",
        "SELECT annotator_claim",
    ]
    assert session.input_hash == hashes[1] in [c[0] for c in upgraded.claims()]
    assert [e.op for e in upgraded.history("dan", doc)] == ["do", "do"]
    assert upgraded.state("dan", doc) == upgraded.replay("dan", doc)
    session.close()


def _context(store: StoreBackend, doc: int) -> EditContext:
    document = store.document(doc)
    return EditContext.of(document.text, document.tokens)

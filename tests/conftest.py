"""Shared fixtures: the real spaCy pipeline (loaded once) and fresh stores."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from annotator.core.store import SQLiteStore, StoreBackend, open_store
from annotator.nlp.pipeline import load_pipeline
from tests.pg_cluster import Cluster, start_cluster

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED_ARTICLE = next(SEEDS.glob("*.txt"))
FORMATS = REPO / "tests" / "formats"


@pytest.fixture(scope="session")
def nlp() -> Any:
    """The real suggestion pipeline, loaded once per test session."""
    return load_pipeline()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    db = SQLiteStore(tmp_path / "store.sqlite")
    yield db
    db.close()


OpenStore = Callable[[], StoreBackend]
Location = str | Path  # a SQLite file, or a postgresql:// URL
NewLocation = Callable[[], Location]
_schemas = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster for the whole test session (started on first use).

    Never skipped: where PostgreSQL's server is missing, the tests that need it fail.
    """
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """The store backend under test: every contract test runs on both."""
    return str(request.param)


@pytest.fixture
def new_location(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> NewLocation:
    """Each call gives the location of a new, empty store of the backend under test
    (PostgreSQL: a fresh schema of the session's cluster)."""
    counter = itertools.count()

    def new() -> Location:
        if backend == "sqlite":
            return tmp_path / f"store{next(counter)}.sqlite"
        cluster: Cluster = request.getfixturevalue("postgres")
        schema = f"test_{os.getpid()}_{next(_schemas)}"
        with psycopg.connect(cluster.url(), autocommit=True) as admin:
            admin.execute(f"CREATE SCHEMA {schema}")
        return cluster.url(search_path=schema)

    return new


@pytest.fixture
def store_location(new_location: NewLocation) -> Location:
    """The location of a new, empty store of the backend under test."""
    return new_location()


@pytest.fixture
def open_store_again(store_location: Location) -> Iterator[OpenStore]:
    """Opens a new connection (a new terminal) to one fresh store each time it is called."""
    opened: list[StoreBackend] = []

    def again() -> StoreBackend:
        opened.append(open_store(store_location))
        return opened[-1]

    yield again
    for store in opened:
        store.close()

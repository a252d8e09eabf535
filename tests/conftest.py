"""Shared fixtures: the real spaCy pipeline (loaded once) and fresh stores."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.core.store import SQLiteStore, StoreBackend
from annotator.nlp.pipeline import load_pipeline

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


@pytest.fixture
def open_store_again(tmp_path: Path) -> Iterator[OpenStore]:
    """Opens a new connection (a new terminal) to one fresh store each time it is called."""
    opened: list[StoreBackend] = []

    def again() -> StoreBackend:
        opened.append(SQLiteStore(tmp_path / "shared.sqlite"))
        return opened[-1]

    yield again
    for store in opened:
        store.close()

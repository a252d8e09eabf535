"""Shared fixtures: the real spaCy pipeline (loaded once) and fresh stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.core.store import SQLiteStore
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

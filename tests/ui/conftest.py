"""Fixtures for the screen's tests: stores suggested once per session, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from annotator.core.store import open_store
from annotator.nlp.pipeline import load_pipeline, suggest_missing
from annotator.ui.app import AnnotatorApp, build_app
from annotator.workflow import import_corpus

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED = SEEDS / "000_1bac9c634b71daf2.txt"
ANNOTATOR = "tester"
SHORT_ARTICLES = {
    "001_second.txt": "Second article\n\nAngela Merkel visited Paris on Tuesday.\n",
    "002_third.txt": "Third article\n\nThe United Nations met in Geneva.\n",
}


@pytest.fixture
def anyio_backend() -> str:
    """Pilot tests run on asyncio (through anyio's pytest plugin, marked per module)."""
    return "asyncio"


def _no_model() -> Any:
    raise AssertionError("the model must not load when every suggestion is cached")


@pytest.fixture(scope="session")
def nlp() -> Any:
    """The real pipeline, loaded once for the whole test session."""
    return load_pipeline(None)


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed plus two short articles: a corpus of three documents."""
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copy(SEED, folder / SEED.name)
    for name, text in SHORT_ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _suggested_store(folder: Path, inputs: list[Path], nlp: Any) -> Path:
    path = folder / "store.sqlite"
    store = open_store(path)
    imported = import_corpus(store, inputs)
    suggest_missing(store, imported.hashes, lambda: nlp)
    store.close()
    return path


@pytest.fixture(scope="session")
def seed_store_template(tmp_path_factory: pytest.TempPathFactory, nlp: Any) -> Path:
    return _suggested_store(tmp_path_factory.mktemp("seed-store"), [SEED], nlp)


@pytest.fixture(scope="session")
def corpus_store_template(
    tmp_path_factory: pytest.TempPathFactory, nlp: Any, corpus_dir: Path
) -> Path:
    return _suggested_store(tmp_path_factory.mktemp("corpus-store"), [corpus_dir], nlp)


@pytest.fixture
def seed_store(seed_store_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of a store in which the seed article is already suggested."""
    path = tmp_path / "seed.sqlite"
    shutil.copy(seed_store_template, path)
    return path


@pytest.fixture
def corpus_store(corpus_store_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "corpus.sqlite"
    shutil.copy(corpus_store_template, path)
    return path


@pytest.fixture
def seed_app(seed_store: Path) -> AnnotatorApp:
    """The app on the pre-suggested seed; loading the model would fail the test."""
    return build_app([SEED], store_path=seed_store, annotator=ANNOTATOR, load_model=_no_model)


@pytest.fixture
def corpus_app(corpus_store: Path, corpus_dir: Path) -> AnnotatorApp:
    return build_app(
        [corpus_dir], store_path=corpus_store, annotator=ANNOTATOR, load_model=_no_model
    )

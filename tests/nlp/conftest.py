"""Fixtures for the suggestion components: the real pipeline, loaded once per session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from annotator.nlp.components import SuggestionSettings, add_to_pipeline
from annotator.nlp.pipeline import load_pipeline

REPO = Path(__file__).resolve().parents[2]
SEED_ARTICLE = REPO / "seeds" / "000_1bac9c634b71daf2.txt"
SEED_GOLD = REPO / "tests" / "gold" / "seed_gold.jsonl"


@pytest.fixture(scope="session")
def suggester() -> Any:
    """The English pipeline with every rule component on (tests must not switch them)."""
    nlp = load_pipeline()
    add_to_pipeline(nlp, SuggestionSettings())
    return nlp


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_doc(suggester: Any, seed_text: str) -> Any:
    return suggester(seed_text)


@pytest.fixture(scope="session")
def stances_of(suggester: Any) -> Callable[[str], list[dict[str, Any]]]:
    """The stance suggestions for a text."""

    def run(text: str) -> list[dict[str, Any]]:
        return list(suggester(text)._.stances)

    return run


def role(stance: dict[str, Any], name: str) -> str | None:
    """The text of one role of a stance suggestion, or None."""
    value = stance[name]
    return value["text"] if value else None

"""From the CLI: suggest the seed article, validate the suggestions, score them against gold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli import run
from tests.nlp.conftest import SEED_ARTICLE, SEED_GOLD


def test_suggest_validate_evaluate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    suggestions = tmp_path / "suggestions.jsonl"
    store = tmp_path / "store.sqlite"
    assert run(["suggest", str(SEED_ARTICLE), "-o", str(suggestions), "--store", str(store)]) == 0
    (record,) = [json.loads(line) for line in suggestions.read_text().splitlines()]
    assert record["stances"] and {s["status"] for s in record["stances"]} == {"suggested"}
    assert run(["validate", str(suggestions)]) == 0
    capsys.readouterr()
    assert run(["evaluate", str(SEED_GOLD), str(suggestions), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["documents"] == 1 and report["missing_predictions"] == 0
    assert report["entities"]["per_label"]["PERSON"]["recall"] > 0.9
    assert report["stances"]["recall"] > 0.5

"""Pipelines saved with this tool's components, and models it trained, load with plain
`spacy.load` in a process that never imports annotator itself (spaCy's entry points)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.training.conftest import TrainedGadgets

_LOAD = """
import json, sys
import spacy
nlp = spacy.load(sys.argv[1])
doc = nlp(sys.argv[2])
print(json.dumps({
    "pipes": nlp.pipe_names,
    "ents": [[e.text, e.label_] for e in doc.ents],
    "stances": [
        s["evidence"]["text"]
        for s in ((doc._.stances if doc.has_extension("stances") else None) or [])
    ],
}))
"""


def _load_in_fresh_process(path: Path, text: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", _LOAD, str(path), text],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_pipeline_with_rule_components_loads_with_plain_spacy_load(
    nlp: Any, tmp_path: Path
) -> None:
    nlp.to_disk(tmp_path / "pipeline")
    loaded = _load_in_fresh_process(
        tmp_path / "pipeline", "Kazakhstan firmly adheres to the one-China principle, Tokayev said."
    )
    assert loaded["pipes"] == nlp.pipe_names
    assert "annotator_stances" in loaded["pipes"]
    assert loaded["stances"] == ["Kazakhstan firmly adheres to the one-China principle"]
    assert ["Tokayev", "PERSON"] in loaded["ents"]


def test_trained_model_loads_with_plain_spacy_load(trained_gadgets: TrainedGadgets) -> None:
    loaded = _load_in_fresh_process(
        trained_gadgets.result.model_path, "Yesterday Jonas praises the Plumbix, Aisha said."
    )
    assert loaded["pipes"] == ["tok2vec", "ner", "spancat"]
    assert ["Plumbix", "GADGET"] in loaded["ents"]

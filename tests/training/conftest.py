"""One small blank pipeline trained once per session on the GADGET corpus, for every test
that needs a trained model (training is the slow part; the tests only read its output)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotator.training.config import TrainingSettings
from annotator.training.train import TrainResult, train_model
from tests.training.gadget_corpus import gadget_records, write_jsonl

# Enough updates for a blank pipeline to learn GADGET and the two stance templates.
QUICK = TrainingSettings(base_model=None, max_steps=40, eval_frequency=20, seed=0, width=64)


@dataclass(frozen=True)
class TrainedGadgets:
    export: Path
    result: TrainResult
    log: str


@pytest.fixture(scope="session")
def trained_gadgets(tmp_path_factory: pytest.TempPathFactory) -> TrainedGadgets:
    """A blank pipeline trained from an export of 32 GADGET records (8 of them dev)."""
    folder = tmp_path_factory.mktemp("gadgets")
    export = write_jsonl(gadget_records(32), folder / "gadgets.jsonl")
    log = io.StringIO()
    result = train_model(export, folder / "gadgets", QUICK, dev_fraction=0.25, log=log)
    return TrainedGadgets(export=export, result=result, log=log.getvalue())

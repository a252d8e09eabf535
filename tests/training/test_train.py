"""Training end to end: a blank pipeline learns GADGET and stances, and suggests with them."""

from __future__ import annotations

import io
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.tokens import Doc, Span

from annotator.cli import run
from annotator.errors import AnnotatorError, InputError
from annotator.nlp.pipeline import load_pipeline, suggestions_from_doc
from annotator.nlp.trained_stances import COMPONENT, STANCE_KEY, TrainedStances
from annotator.training.config import TrainingSettings
from annotator.training.curve import CurvePoint, bar, render_curve, subset_size
from annotator.training.docbin import read_docbin
from annotator.training.train import PRF, DevScores, train_model
from tests.training.conftest import QUICK, TrainedGadgets
from tests.training.gadget_corpus import Slot, gadget_records, make_record, write_jsonl

HELD_OUT = "Yesterday Jonas praises the Plumbix, Aisha said."


def test_trained_model_predicts_the_new_label_on_a_held_out_sentence(
    trained_gadgets: TrainedGadgets,
) -> None:
    training_texts = {json.loads(line)["text"] for line in trained_gadgets.export.open()}
    assert HELD_OUT not in training_texts
    nlp = spacy.load(trained_gadgets.result.model_path)
    doc = nlp(HELD_OUT)
    assert [(e.text, e.label_) for e in doc.ents] == [("Plumbix", "GADGET")]
    assert [(s.text, s.label_) for s in doc.spans[STANCE_KEY]] == [
        ("Yesterday Jonas praises the Plumbix", "FAVOR")
    ]


def test_spacy_load_loads_both_checkpoints_named_after_the_folder(
    trained_gadgets: TrainedGadgets,
) -> None:
    output = trained_gadgets.result.output_dir
    for folder in ("model-best", "model-last"):
        nlp = spacy.load(output / folder)
        assert nlp.pipe_names == ["tok2vec", "ner", "spancat"]
        assert nlp.meta["name"] == "gadgets"
        assert nlp.meta["annotator_source"] == f"gadgets/{folder}"
        ner: Any = nlp.get_pipe("ner")
        assert "GADGET" in ner.labels


def test_scores_are_written_as_json_next_to_the_model(trained_gadgets: TrainedGadgets) -> None:
    result = trained_gadgets.result
    written = json.loads((result.output_dir / "scores.json").read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(result.to_json()))
    assert (written["train_documents"], written["dev_documents"]) == (24, 8)
    for kind in ("entities", "stances"):
        figures = written[kind]
        assert all(0.0 <= figures[k] <= 1.0 for k in ("precision", "recall", "f1")), figures
    assert "GADGET" in written["entities"]["per_label"]
    assert set(written["stances"]["per_label"]) == {"FAVOR", "AGAINST"}
    # spaCy's own progress table went to the log, one row per evaluation
    assert "ENTS_F" in trained_gadgets.log and "Saved pipeline" in trained_gadgets.log


def test_trained_model_scores_better_than_chance_on_dev(trained_gadgets: TrainedGadgets) -> None:
    scores = trained_gadgets.result.scores
    assert scores.entities.f1 is not None and scores.entities.f1 >= 0.8
    assert scores.stances.f1 is not None and scores.stances.f1 >= 0.5


def test_suggest_with_the_trained_model_records_it_as_source(
    trained_gadgets: TrainedGadgets, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "held_out.txt"
    article.write_text(HELD_OUT + "\n", encoding="utf-8")
    out = tmp_path / "suggested.jsonl"
    model = str(trained_gadgets.result.model_path)
    code = run(
        [
            "suggest",
            str(article),
            "--model",
            model,
            "-o",
            str(out),
            "--store",
            str(tmp_path / "s.sqlite"),
        ]
    )
    assert code == 0, capsys.readouterr().err
    [record] = [json.loads(line) for line in out.open()]
    assert [(s["text"], s["label"], s["source"]) for s in record["spans"]] == [
        ("Plumbix", "GADGET", "gadgets/model-best")
    ]
    model_stances = [s for s in record["stances"] if s["source"] == "gadgets/model-best"]
    assert [(s["label"], s["evidence"]["text"]) for s in model_stances] == [
        ("FAVOR", "Yesterday Jonas praises the Plumbix")
    ]


def test_load_pipeline_adds_the_stance_converter_only_with_a_stance_categorizer(
    trained_gadgets: TrainedGadgets, nlp: Any
) -> None:
    trained = load_pipeline(str(trained_gadgets.result.model_path))
    assert trained.pipe_names[-1] == COMPONENT
    assert COMPONENT not in nlp.pipe_names
    _, state = suggestions_from_doc(trained(HELD_OUT), "ignored: stances carry their source")
    assert {s.source for s in state.stances} >= {"gadgets/model-best"}


def test_model_stances_add_to_rule_stances_without_repeating_them() -> None:
    nlp = spacy.blank("en")
    if not Doc.has_extension("stances"):
        Doc.set_extension("stances", default=None)
    doc = nlp("Maria loves the Zorbix, but Tom hates the Quillet.")
    rule = {
        "label": "FAVOR",
        "evidence": {"start": 0, "end": 22, "text": doc.text[:22]},
        "holder": {"start": 0, "end": 5, "text": "Maria"},
        "source": "rules",
    }
    doc._.stances = [rule]
    doc.spans[STANCE_KEY] = [Span(doc, 0, 4, "FAVOR"), Span(doc, 6, 10, "AGAINST")]
    TrainedStances(source="gadgets/model-best")(doc)
    assert doc._.stances[0] == rule
    assert [(s["label"], s["evidence"]["text"], s["source"]) for s in doc._.stances[1:]] == [
        ("AGAINST", "Tom hates the Quillet", "gadgets/model-best")
    ]
    # A blank pipeline does not parse: the model's stance has no roles to offer.
    assert [doc._.stances[1][role] for role in ("cue", "holder", "target")] == [None] * 3


def test_subset_sizes_round_and_never_reach_zero() -> None:
    assert [subset_size(10, f) for f in (0.25, 0.5, 0.75, 1.0)] == [2, 5, 8, 10]
    assert subset_size(2, 0.25) == 1


def test_curve_chart_draws_one_bar_per_point() -> None:
    def point(fraction: float, entities: float, stances: float | None) -> CurvePoint:
        scores = DevScores(PRF(entities, entities, entities), PRF(stances, stances, stances))
        return CurvePoint(fraction, round(fraction * 40), 10, scores, Path("m"), 1.0)

    chart = render_curve([point(0.25, 0.5, None), point(1.0, 1.0, 0.25)], width=8)
    lines = chart.splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("  25%    10  ████     0.50") and lines[1].endswith("–")
    assert "████████ 1.00" in lines[2] and "██       0.25" in lines[2]
    assert bar(0.5625, 8) == "████▌   "
    assert bar(None, 4) == "    "


def test_train_cli_curve_prints_a_chart_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_jsonl(gadget_records(12), tmp_path / "small.jsonl")
    target = tmp_path / "small"
    code = run(
        [
            "train",
            str(export),
            "-o",
            str(target),
            "--blank",
            "--curve",
            "--n-steps",
            "2",
            "--seed",
            "1",
            "--dev-fraction",
            "0.25",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    points = json.loads((target / "curve.json").read_text(encoding="utf-8"))["points"]
    assert [p["fraction"] for p in points] == [0.25, 0.5, 0.75, 1.0]
    assert [p["train_documents"] for p in points] == [2, 4, 7, 9]
    assert all(Path(p["model"]).is_dir() for p in points)
    trained_on = [
        {doc.text for doc in read_docbin(Path(p["model"]).parent / "corpus" / "train.spacy")}
        for p in points
    ]
    assert all(a < b for a, b in itertools.pairwise(trained_on)), "nested parts"
    assert all(p["dev_documents"] == 3 for p in points), "one dev split for every point"
    assert "entities F1" in captured.out and " 100%     9" in captured.out


def test_train_cli_prints_the_scores_as_json_and_writes_the_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_jsonl(gadget_records(8), tmp_path / "tiny.jsonl")
    target = tmp_path / "tiny"
    code = run(["train", str(export), "--blank", "--n-steps", "2", "-o", str(target), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    printed = json.loads(captured.out)
    assert printed == json.loads((target / "scores.json").read_text(encoding="utf-8"))
    assert printed["source"] == "tiny/model-best"
    assert (target / "model-best" / "config.cfg").is_file()
    assert "ENTS_F" in captured.err, "spaCy's progress table goes to stderr"


def test_train_on_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing.jsonl: cannot read"):
        train_model(tmp_path / "missing.jsonl", tmp_path / "out", QUICK)


def test_train_on_documents_without_annotations_is_an_error(tmp_path: Path) -> None:
    plain = [make_record([Slot(f"Nothing to see {n}.")], None) for n in range(3)]
    export = write_jsonl(plain, tmp_path / "plain.jsonl")
    with pytest.raises(AnnotatorError, match="neither entity spans nor stances"):
        train_model(export, tmp_path / "out", QUICK)


def test_a_trained_model_is_the_base_of_the_next_round(
    trained_gadgets: TrainedGadgets, tmp_path: Path
) -> None:
    base = str(trained_gadgets.result.model_path)
    settings = TrainingSettings(base_model=base, max_steps=4, eval_frequency=4, seed=0)
    result = train_model(trained_gadgets.export, tmp_path / "round2", settings, 0.25, io.StringIO())
    config = spacy.util.load_config(result.config_path)
    for name in ("ner", "spancat"):
        assert config["components"][name]["source"] == base
        assert config["components"][name]["replace_listeners"] == ["model.tok2vec"]
    assert config["training"]["frozen_components"] == ["tok2vec"]
    doc = spacy.load(result.model_path)(HELD_OUT)
    assert [(e.text, e.label_) for e in doc.ents] == [("Plumbix", "GADGET")]

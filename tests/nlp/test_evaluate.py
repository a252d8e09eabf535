"""`annotator evaluate` on small hand-made files whose scores are worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import run
from annotator.core.evaluate import (
    StanceItem,
    evaluate_files,
    same_referent,
    stance_matches,
    target_covered,
)
from annotator.core.model import TextRef
from annotator.errors import InputError
from annotator.nlp.pipeline import blank_tokenizer

ENTITY_TEXT = "Tokayev met Wang Yi in Astana."
STANCE_TEXT = "China supports the plan and Japan opposes the tax."

TOKENIZE = blank_tokenizer()


def span(text: str, part: str, label: str, occurrence: int = 0) -> dict[str, Any]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(part, start + 1)
    return {"start": start, "end": start + len(part), "label": label, "text": part}


def ref(text: str, part: str) -> dict[str, Any]:
    found = span(text, part, "-")
    return {"start": found["start"], "end": found["end"], "text": part}


def stance(text: str, label: str, holder: str | None, target: str) -> dict[str, Any]:
    return {
        "label": label,
        "evidence": {"start": 0, "end": len(text), "text": text},
        "cue": None,
        "holder": ref(text, holder) if holder else None,
        "speaker": None,
        "target": ref(text, target),
        "negated": False,
    }


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    gold = write(
        tmp_path / "gold.jsonl",
        [
            {
                "text": ENTITY_TEXT,
                "_input_hash": 1,
                "spans": [
                    span(ENTITY_TEXT, "Tokayev", "PERSON"),
                    span(ENTITY_TEXT, "Wang Yi", "PERSON"),
                    span(ENTITY_TEXT, "Astana", "GPE"),
                ],
                "answer": "accept",
            },
            {
                "text": STANCE_TEXT,
                "_input_hash": 2,
                "spans": [],
                "stances": [
                    stance(STANCE_TEXT, "FAVOR", "China", "the plan"),
                    stance(STANCE_TEXT, "AGAINST", "Japan", "the tax"),
                ],
            },
        ],
    )
    predicted = write(
        tmp_path / "pred.jsonl",
        [
            {
                # Matched by text: this file has other hashes.
                "text": ENTITY_TEXT,
                "_input_hash": 99,
                "spans": [
                    span(ENTITY_TEXT, "Tokayev", "PERSON"),  # right
                    span(ENTITY_TEXT, "Wang", "PERSON"),  # wrong boundary
                    span(ENTITY_TEXT, "Astana", "ORG"),  # wrong label
                ],
            },
            {
                "text": STANCE_TEXT,
                "_input_hash": 2,
                "spans": [],
                "stances": [
                    stance(STANCE_TEXT, "FAVOR", "China", "plan"),  # half the target: a match
                    stance(STANCE_TEXT, "AGAINST", "China", "the tax"),  # wrong holder
                    stance(STANCE_TEXT, "NEUTRAL", "Japan", "the tax"),  # wrong label
                ],
            },
        ],
    )
    return gold, predicted


def test_entity_scores_overall_and_per_label(files: tuple[Path, Path]) -> None:
    evaluation = evaluate_files(*files, TOKENIZE)
    assert evaluation.documents == 2
    person = evaluation.per_label["PERSON"]
    assert (person.tp, person.fp, person.fn) == (1, 1, 1)
    assert person.precision == person.recall == person.f1 == 0.5
    gpe = evaluation.per_label["GPE"]
    assert (gpe.tp, gpe.fp, gpe.fn, gpe.recall, gpe.f1) == (0, 0, 1, 0.0, 0.0)
    org = evaluation.per_label["ORG"]
    assert (org.tp, org.fp, org.fn, org.precision) == (0, 1, 0, 0.0)
    overall = evaluation.entities
    assert (overall.tp, overall.fp, overall.fn) == (1, 2, 2)
    assert overall.precision == pytest.approx(1 / 3)
    assert overall.recall == pytest.approx(1 / 3)
    assert overall.f1 == pytest.approx(1 / 3)


def test_stance_precision_and_recall(files: tuple[Path, Path]) -> None:
    stances = evaluate_files(*files, TOKENIZE).stances
    assert (stances.tp, stances.fp, stances.fn) == (1, 2, 1)
    assert stances.precision == pytest.approx(1 / 3)
    assert stances.recall == pytest.approx(1 / 2)


def test_perfect_prediction_scores_one(files: tuple[Path, Path]) -> None:
    gold, _ = files
    evaluation = evaluate_files(gold, gold, TOKENIZE)
    assert evaluation.entities.f1 == 1.0
    assert (evaluation.stances.precision, evaluation.stances.recall) == (1.0, 1.0)


def test_missing_prediction_counts_every_gold_item_as_missed(tmp_path: Path) -> None:
    gold = write(
        tmp_path / "gold.jsonl",
        [{"text": ENTITY_TEXT, "spans": [span(ENTITY_TEXT, "Astana", "GPE")]}],
    )
    predicted = write(tmp_path / "pred.jsonl", [{"text": "Something else.", "spans": []}])
    evaluation = evaluate_files(gold, predicted, TOKENIZE)
    assert evaluation.missing_predictions == 1
    assert evaluation.unmatched_predictions == 1
    assert (evaluation.entities.tp, evaluation.entities.fn) == (0, 1)


def test_ignored_gold_records_are_left_out(tmp_path: Path) -> None:
    gold = write(
        tmp_path / "gold.jsonl",
        [
            {"text": ENTITY_TEXT, "spans": [span(ENTITY_TEXT, "Astana", "GPE")]},
            {"text": "Skipped text.", "spans": [], "answer": "ignore"},
        ],
    )
    predicted = write(
        tmp_path / "pred.jsonl",
        [
            {"text": ENTITY_TEXT, "spans": [span(ENTITY_TEXT, "Astana", "GPE")]},
            {"text": "Skipped text.", "spans": [span("Skipped text.", "Skipped", "ORG")]},
        ],
    )
    evaluation = evaluate_files(gold, predicted, TOKENIZE)
    assert (evaluation.documents, evaluation.skipped_gold) == (1, 1)
    assert (evaluation.entities.precision, evaluation.entities.recall) == (1.0, 1.0)


def test_rejected_spans_do_not_count(tmp_path: Path) -> None:
    rejected = {**span(ENTITY_TEXT, "Astana", "ORG"), "status": "rejected"}
    gold = write(tmp_path / "gold.jsonl", [{"text": ENTITY_TEXT, "spans": []}])
    predicted = write(tmp_path / "pred.jsonl", [{"text": ENTITY_TEXT, "spans": [rejected]}])
    assert evaluate_files(gold, predicted, TOKENIZE).entities.fp == 0


def test_holders_refer_to_the_same_thing() -> None:
    wang_yi, wang = TextRef(0, 7, "Wang Yi"), TextRef(50, 54, "Wang")
    assert same_referent(wang_yi, wang)
    assert same_referent(TextRef(0, 5, "China"), TextRef(90, 95, "china"))
    assert same_referent(TextRef(0, 9, "the China"), TextRef(4, 9, "China"))  # overlap
    assert not same_referent(TextRef(0, 5, "China"), TextRef(20, 37, "the Bank of China"))
    assert not same_referent(TextRef(0, 5, "China"), None)
    assert same_referent(None, None)


def test_target_must_cover_half_of_the_gold_target() -> None:
    gold = TextRef(10, 20, "x" * 10)
    assert target_covered(gold, TextRef(15, 40, "y"))  # 5 of 10
    assert not target_covered(gold, TextRef(16, 40, "y"))  # 4 of 10
    assert target_covered(gold, TextRef(0, 30, "z"))


def test_stances_need_equal_labels() -> None:
    holder, target = TextRef(0, 5, "China"), TextRef(10, 20, "the plan..")
    assert stance_matches(StanceItem("FAVOR", holder, target), StanceItem("FAVOR", holder, target))
    assert not stance_matches(
        StanceItem("FAVOR", holder, target), StanceItem("AGAINST", holder, target)
    )


def test_one_prediction_matches_one_gold_stance(tmp_path: Path) -> None:
    text = "China supports the plan."
    once = stance(text, "FAVOR", "China", "the plan")
    gold = write(tmp_path / "gold.jsonl", [{"text": text, "stances": [once, once]}])
    predicted = write(tmp_path / "pred.jsonl", [{"text": text, "stances": [once]}])
    stances = evaluate_files(gold, predicted, TOKENIZE).stances
    assert (stances.tp, stances.fp, stances.fn) == (1, 0, 1)


def test_bad_line_names_file_and_line(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"text": "Fine."}) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        evaluate_files(gold, gold, TOKENIZE)
    assert (caught.value.path, caught.value.line) == (gold, 2)


def test_span_outside_the_text_is_bad_input(tmp_path: Path) -> None:
    gold = write(
        tmp_path / "gold.jsonl",
        [{"text": "Short.", "spans": [{"start": 2, "end": 40, "label": "ORG"}]}],
    )
    with pytest.raises(InputError, match=r"gold\.jsonl:1: span 0 \(2-40\) lies outside"):
        evaluate_files(gold, gold, TOKENIZE)


def test_cli_prints_json(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    gold, predicted = files
    assert run(["evaluate", str(gold), str(predicted), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["entities"]["overall"]["tp"] == 1
    assert report["entities"]["per_label"]["PERSON"]["f1"] == 0.5
    assert report["stances"]["recall"] == 0.5


def test_cli_prints_a_table(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    gold, predicted = files
    assert run(["evaluate", str(gold), str(predicted)]) == 0
    table = capsys.readouterr().out
    assert "PERSON" in table and "stances" in table
    assert "0.333" in table and "0.500" in table


def test_cli_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("[1, 2]\n", encoding="utf-8")
    assert run(["evaluate", str(bad), str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [
        f"annotator: error: {bad}:1: a record must be a JSON object, not list"
    ]


def test_evaluate_needs_neither_spacy_nor_textual() -> None:
    import subprocess
    import sys

    script = (
        "import sys, annotator.core.evaluate\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'spacy', 'textual', 'thinc'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"

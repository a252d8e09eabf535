"""The plain steps of a training round started from the screen (no Textual, no spaCy)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from annotator.loop.rounds import entity_f1, next_round, progress_step, read_result, train_command


def test_rounds_are_numbered_per_annotator_without_reusing_a_folder(tmp_path: Path) -> None:
    first = next_round(tmp_path, "alice smith")
    assert first.output_dir == tmp_path / "alice_smith-round1"
    assert first.export_path == first.output_dir / "export.jsonl"
    first.output_dir.mkdir()
    assert next_round(tmp_path, "alice smith").output_dir == tmp_path / "alice_smith-round2"
    assert next_round(tmp_path, "bob").output_dir == tmp_path / "bob-round1"


def test_train_command_is_annotator_train_on_the_rounds_export(tmp_path: Path) -> None:
    round_ = next_round(tmp_path, "alice")
    command = train_command(round_, "models/alice-round1/model-best", 600)
    assert command[:4] == [sys.executable, "-m", "annotator.cli", "train"]
    assert command[4:7] == [str(round_.export_path), "-o", str(round_.output_dir)]
    assert command[command.index("--n-steps") + 1] == "600"
    assert command[command.index("--eval-frequency") + 1] == "200"
    assert command[-2:] == ["--base-model", "models/alice-round1/model-best"]
    assert "--json" in command
    assert "--base-model" not in train_command(round_, None, 3)


def test_progress_rows_of_spacys_table_give_the_step() -> None:
    row = "  0     200          2.10        45.31   71.43   70.00   72.92    0.36"
    assert progress_step(row) == 200
    assert progress_step("E    #       LOSS TOK2VEC  LOSS NER  ENTS_F") is None
    assert progress_step("---  ------  ------------") is None
    assert progress_step("") is None


def test_result_is_the_json_train_printed() -> None:
    printed = json.dumps({"entities": {"f1": 0.7512}, "stances": {"f1": None}}, indent=2)
    result = read_result(printed + "\n")
    assert entity_f1(result) == 0.7512
    assert entity_f1({"entities": {"f1": None}}) is None

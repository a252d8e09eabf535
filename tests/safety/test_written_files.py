"""What the tool writes: the user's permissions, no surprise symlinks, article text kept as
text (Rich markup and terminal escapes pass through import and export byte for byte)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from annotator.cli import run
from annotator.core.corpus import parse_record, read_corpus
from annotator.core.export import export_jsonl, export_record
from annotator.core.recover import recover_store
from annotator.core.store import SQLiteStore
from annotator.errors import AnnotatorError, StoreError
from annotator.nlp.pipeline import blank_tokenizer

HOSTILE_TEXT = (
    "[bold]Breaking[/bold] news: \x1b[31mred alert\x1b[0m from Paris. "
    "\x1b]0;pwned\x07 \x1b[2J [link=file:///etc/passwd]click[/link] \u202eevil\u202c end."
)


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_store_and_export_get_the_users_default_permissions(mask: int, tmp_path: Path) -> None:
    with _umask(mask):
        store = SQLiteStore(tmp_path / "store.sqlite")
        store.add_documents(read_corpus([_article(tmp_path)], blank_tokenizer()))
        wal = tmp_path / "store.sqlite-wal"
        assert wal.exists() and _mode(wal) == 0o644 & ~mask
        export_jsonl(store, "alice", tmp_path / "out" / "alice.jsonl", include_unfinished=True)
        store.close()
        recover_store(tmp_path / "store.sqlite", tmp_path / "recovered.sqlite")
    assert _mode(tmp_path / "store.sqlite") == 0o644 & ~mask
    assert _mode(tmp_path / "out" / "alice.jsonl") == 0o666 & ~mask
    assert _mode(tmp_path / "recovered.sqlite") == 0o644 & ~mask


def _article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text("Title\nObama met Putin in Paris.\n", encoding="utf-8")
    return path


def test_export_refuses_to_follow_a_symlink_out_of_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "important.txt"
    victim.write_text("do not touch")
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "alice.jsonl").symlink_to(victim)
    store = str(tmp_path / "store.sqlite")
    db = SQLiteStore(store)
    db.add_documents(read_corpus([_article(tmp_path)], blank_tokenizer()))
    db.close()
    code = run(["export", "--store", store, "--annotator", "alice", "--include-unfinished",
                "-o", str(exports / "alice.jsonl")])
    err = capsys.readouterr().err
    assert code == 2 and "is a symbolic link" in err
    assert victim.read_text() == "do not touch"
    assert (exports / "alice.jsonl").is_symlink()


def test_a_dangling_symlink_is_not_followed_either(tmp_path: Path) -> None:
    target = tmp_path / "would-be-created.jsonl"
    link = tmp_path / "out.jsonl"
    link.symlink_to(target)
    store = SQLiteStore(tmp_path / "store.sqlite")
    with pytest.raises(AnnotatorError, match="symbolic link"):
        export_jsonl(store, "alice", link)
    store.close()
    assert not target.exists()


def test_store_path_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere" / "real.sqlite"
    real.parent.mkdir()
    SQLiteStore(real).close()
    before = real.read_bytes()
    link = tmp_path / "store.sqlite"
    link.symlink_to(real)
    with pytest.raises(StoreError, match="is a symbolic link; pass the real path"):
        SQLiteStore(link)
    dangling = tmp_path / "dangling.sqlite"
    dangling.symlink_to(tmp_path / "nowhere" / "new.sqlite")
    with pytest.raises(StoreError, match="symbolic link"):
        SQLiteStore(dangling)
    assert not (tmp_path / "nowhere").exists()
    assert real.read_bytes() == before


def test_recover_does_not_write_through_a_symlink(tmp_path: Path) -> None:
    source = tmp_path / "store.sqlite"
    SQLiteStore(source).close()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    link = tmp_path / "new.sqlite"
    link.symlink_to(victim)
    with pytest.raises(AnnotatorError, match="already exists"):
        recover_store(source, link)
    assert victim.read_text() == "keep"


def test_markup_and_escape_codes_survive_import_and_export_byte_exact(tmp_path: Path) -> None:
    jsonl = tmp_path / "hostile.jsonl"
    jsonl.write_text(json.dumps({"text": HOSTILE_TEXT, "meta": {"title": "[red]x[/red]"}}) + "\n",
                     encoding="utf-8")
    txt = tmp_path / "hostile.txt"
    txt.write_bytes(("[bold]Title[/bold]\n" + HOSTILE_TEXT + "\n").encode("utf-8"))
    store = SQLiteStore(tmp_path / "store.sqlite")
    hashes = store.add_documents(read_corpus([jsonl, txt], blank_tokenizer()))
    output = tmp_path / "out.jsonl"
    export_jsonl(store, "alice", output, include_unfinished=True, tokenize=blank_tokenizer())
    store.close()
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(hashes) == 2
    from_jsonl = next(r for r in records if r["meta"].get("title") == "[red]x[/red]")
    from_txt = next(r for r in records if r is not from_jsonl)
    assert from_jsonl["text"].encode("utf-8") == HOSTILE_TEXT.encode("utf-8")
    assert from_txt["text"] == "[bold]Title[/bold]\n" + HOSTILE_TEXT + "\n"
    assert from_txt["meta"]["title"] == "[bold]Title[/bold]"
    # Tokens and offsets index the text with the escape characters in it.
    for record in records:
        for token in record["tokens"]:
            assert record["text"][token["start"] : token["end"]] == token["text"]
    # Re-import and re-export: identical again.
    again = parse_record(from_jsonl, blank_tokenizer())
    assert again.initial is not None
    assert export_record(again.document, again.initial, "alice", from_jsonl["_timestamp"]) == (
        from_jsonl
    )


def test_cli_error_messages_print_hostile_names_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = tmp_path / "[bold]x[red].jsonl"
    name.write_text('{"text": \n', encoding="utf-8")
    code = run(["suggest", str(name), "-o", str(tmp_path / "o.jsonl"),
                "--store", str(tmp_path / "s.sqlite")])
    err = capsys.readouterr().err
    assert code == 2
    assert "[bold]x[red].jsonl:1:" in err  # shown as written, not interpreted as markup

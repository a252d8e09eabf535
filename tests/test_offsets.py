"""Offsets index the exact exported text, on hard texts, through suggestion and export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.core.commands import AddSpan, EditContext, SetAnswer
from annotator.core.corpus import read_article
from annotator.core.export import export_records
from annotator.core.schema import record_problems
from annotator.core.store import SQLiteStore
from annotator.nlp.pipeline import suggest_missing
from annotator.workflow import import_corpus

HARD_TEXTS = {
    "emoji": "Angela Merkel 👩‍🔬 met Emmanuel Macron 🇫🇷 in Berlin on Monday.",
    "combining": "Zoe\u0301 Saldan\u0303a visited Sa\u0303o Paulo and Mu\u0308nchen with Google.",
    "cjk": "習近平 met Barack Obama in 北京 while Toyota opened a plant in 東京.",
    "tabs": "Barack Obama\tvisited\tParis\t\tand met Angela Merkel.",
    "crlf": "Barack Obama visited Paris.\r\nAngela Merkel stayed in Berlin.\r\n",
    "bom_inside": "\ufeffBarack Obama visited Paris with Angela Merkel.",
}


def _check_record(record: dict[str, Any]) -> None:
    text = record["text"]
    assert record_problems(record) == []
    for token in record["tokens"]:
        assert text[token["start"] : token["end"]] == token["text"]
    for span in record["spans"] + record["rejected_spans"]:
        assert text[span["start"] : span["end"]] == span["text"]
        tokens = record["tokens"]
        assert tokens[span["token_start"]]["start"] == span["start"]
        assert tokens[span["token_end"]]["end"] == span["end"]
        assert span["text"] == span["text"].strip()


@pytest.mark.parametrize("name", sorted(HARD_TEXTS))
def test_offsets_hold_through_suggest_edit_and_export(name: str, tmp_path: Path, nlp: Any) -> None:
    text = HARD_TEXTS[name]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"text": text}) + "\n", encoding="utf-8")
    store = SQLiteStore(tmp_path / "s.sqlite")
    (doc,) = import_corpus(store, [corpus]).hashes
    suggest_missing(store, [doc], lambda: nlp)
    document = store.document(doc)
    assert document.text == text  # JSONL text is kept exactly, CRLF and BOM included
    context = EditContext.of(document.text, document.tokens)
    state = store.state("a", doc)
    # Add a span over the last word token that no suggestion covers.
    covered = {i for s in state.spans for i in range(s.token_start, s.token_end + 1)}
    free = [t.id for t in document.tokens if t.id not in covered and t.text.strip()]
    state = store.apply("a", doc, AddSpan(free[-1], free[-1], "MISC").plan(state, context))
    store.apply("a", doc, SetAnswer("accept").plan(state, context))
    (record,) = list(export_records(store, "a"))
    assert record["text"] == text
    assert record["spans"], "the pipeline and the edit produced spans"
    _check_record(record)


def test_txt_article_drops_bom_and_normalizes_crlf(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes("\ufeffTitle line\r\nBody with CRLF.\r\nLast\rline".encode())
    record = read_article(path)
    assert record.document.text == "Title line\nBody with CRLF.\nLast\nline"
    assert record.document.meta["title"] == "Title line"


def test_input_hash_is_stable_and_depends_only_on_text(tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    second = tmp_path / "b.txt"
    first.write_text("Same text.\n")
    second.write_text("Same text.\n")
    assert read_article(first).document.input_hash == read_article(second).document.input_hash

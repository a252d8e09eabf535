"""The export format as a JSON Schema, plus the offset checks a schema cannot express."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator

from annotator.core.corpus import BadRecord, iter_json_values

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
RECORD_SCHEMA = SCHEMA_DIR / "annotation.schema.json"
LABELS_SCHEMA = SCHEMA_DIR / "labels.schema.json"


@cache
def validator(schema_path: Path = RECORD_SCHEMA) -> Draft202012Validator:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@cache
def fast_check(schema_path: Path = RECORD_SCHEMA) -> Any:
    """The same schema compiled to Python code: ~15x faster, for the per-record hot path.

    jsonschema stays the authority: it checks the schema itself and words every error; the
    compiled check only decides quickly that a record is valid (the keywords our schema uses
    mean the same in draft-07, which fastjsonschema compiles).
    """
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator(schema_path)  # the schema itself must be valid draft 2020-12
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    if "token" in schema.get("$defs", {}):
        # Tokens are most of a record; `_tokens_well_typed` checks them in a tight loop.
        schema["$defs"]["token"] = {"type": "object"}
    return fastjsonschema.compile(schema)


def _tokens_well_typed(tokens: list[dict[str, Any]]) -> bool:
    """What the schema's token definition says, without its per-keyword overhead."""
    for token in tokens:
        start, end, index = token.get("start"), token.get("end"), token.get("id")
        if (
            type(start) is not int
            or type(end) is not int
            or type(index) is not int
            or type(token.get("ws")) is not bool
            or type(token.get("text")) is not str
            or start < 0
            or end < 0
            or index < 0
        ):
            return False
    return True


def _where(path: Any) -> str:
    parts = [str(p) for p in path]
    return "/".join(parts) if parts else "record"


def record_problems(record: Any) -> list[str]:
    """Readable reasons why `record` is not a valid export record (empty when it is)."""
    try:
        fast_check()(record)
        well_formed = _tokens_well_typed(record["tokens"])
    except fastjsonschema.JsonSchemaException:
        well_formed = False
    if well_formed:
        return offset_problems(record)
    # jsonschema says exactly what is wrong.
    problems = [
        f"{_where(error.absolute_path)}: {error.message}"
        for error in sorted(validator().iter_errors(record), key=lambda e: list(e.path))
    ]
    if problems:
        return problems
    return offset_problems(record)


def offset_problems(record: dict[str, Any]) -> list[str]:
    """Every offset must index `text` exactly and agree with the tokens."""
    text: str = record["text"]
    tokens = record["tokens"]
    problems = []
    for index, token in enumerate(tokens):
        if token["id"] != index or text[token["start"] : token["end"]] != token["text"]:
            problems.append(f"tokens/{index}: does not match the text at its offsets")
            break
    for key in ("spans", "rejected_spans"):
        for index, span in enumerate(record[key]):
            where = f"{key}/{index}"
            if text[span["start"] : span["end"]] != span["text"]:
                problems.append(f"{where}: text[start:end] is not the span's text")
            first, last = span["token_start"], span["token_end"]
            if not (0 <= first <= last < len(tokens)):
                problems.append(f"{where}: token_start/token_end outside the tokens")
            elif tokens[first]["start"] != span["start"] or tokens[last]["end"] != span["end"]:
                problems.append(f"{where}: start/end do not match its tokens")
    live = sorted(record["spans"], key=lambda s: (s["start"], s["end"]))
    for left, right in zip(live, live[1:], strict=False):
        if right["start"] < left["end"]:
            problems.append(f"spans: {left['text']!r} and {right['text']!r} overlap")
    for index, stance in enumerate(record["stances"]):
        for role in ("evidence", "cue", "holder", "speaker", "target"):
            ref = stance[role]
            if ref is not None and text[ref["start"] : ref["end"]] != ref["text"]:
                problems.append(f"stances/{index}/{role}: text[start:end] is not its text")
    return problems


def file_problems(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, reason) for every bad line of an export file."""
    for number, value in iter_json_values(path):
        if isinstance(value, BadRecord):
            yield number, str(value)
            continue
        for problem in record_problems(value):
            yield number, problem

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
    """The schema compiled to Python code, for the per-record hot path; tokens left out.

    jsonschema stays the authority: it checks the schema itself and words every error; the
    compiled check only decides quickly that a record is valid (the keywords our schema uses
    mean the same in draft-07, which fastjsonschema compiles). Tokens are most of a record:
    `_tokens_valid` checks them, types and offsets, in one tight loop instead.
    """
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator(schema_path)  # the schema itself must be valid draft 2020-12
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return fastjsonschema.compile(schema)


_NO_TOKENS: list[Any] = []


def _tokens_valid(tokens: Any, text: str) -> bool:
    """The schema's token definition and the offset checks of the tokens, in one pass."""
    if type(tokens) is not list:
        return False
    for index, token in enumerate(tokens):
        if type(token) is not dict:
            return False
        start, end, token_text = token.get("start"), token.get("end"), token.get("text")
        if (
            token.get("id") != index
            or type(start) is not int
            or type(end) is not int
            or type(token.get("ws")) is not bool
            or type(token_text) is not str
            or start < 0
            or end < 0
            or text[start:end] != token_text
        ):
            return False
    return True


def _where(path: Any) -> str:
    parts = [str(p) for p in path]
    return "/".join(parts) if parts else "record"


def _message(error: Any) -> str:
    if error.validator == "pattern" and isinstance(error.instance, str):
        # The only pattern of the schema: labels hold no control or reordering character.
        return f"{error.instance!r} holds a control or reordering character; labels are names"
    return str(error.message)


def record_problems(record: Any) -> list[str]:
    """Readable reasons why `record` is not a valid export record (empty when it is)."""
    try:
        if type(record) is dict and type(record.get("text")) is str:
            # The compiled schema sees the record without its tokens (same keys, an empty
            # list), and the tokens get their one pass; together: the whole schema.
            fast_check()({**record, "tokens": _NO_TOKENS} if "tokens" in record else record)
            if _tokens_valid(record["tokens"], record["text"]):
                return offset_problems(record, tokens_checked=True)
    except fastjsonschema.JsonSchemaException:
        pass
    # jsonschema says exactly what is wrong.
    problems = [
        f"{_where(error.absolute_path)}: {_message(error)}"
        for error in sorted(validator().iter_errors(record), key=lambda e: list(e.path))
    ]
    if problems:
        return problems
    return offset_problems(record)


def offset_problems(record: dict[str, Any], tokens_checked: bool = False) -> list[str]:
    """Every offset must index `text` exactly and agree with the tokens."""
    text: str = record["text"]
    tokens = record["tokens"]
    problems = []
    for index, token in enumerate(() if tokens_checked else tokens):
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


def input_file_hint(path: Path) -> str | None:
    """Why `path` looks like an input file rather than an export, if its first record does.

    Prodigy and doccano files (and plain `{"text": ...}` records) lack the keys every export
    record has; checking them against the schema would give hundreds of errors that all say
    the same thing.
    """
    for number, value in iter_json_values(path):
        if not isinstance(value, dict):
            return None
        missing = [key for key in _required_keys() if key not in value]
        if not missing or "text" not in value:
            return None
        listed = ", ".join(f'"{key}"' for key in missing[:4])
        more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        return (
            f"{path}:{number}: not an export record of annotator (no {listed}{more}); it is "
            f"probably an input file: check that it imports with "
            f"`annotator validate --input {path}`"
        )
    return None


@cache
def _required_keys() -> tuple[str, ...]:
    return tuple(validator().schema.get("required", ()))


def file_problems(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, reason) for every bad line of an export file."""
    for number, value in iter_json_values(path):
        if isinstance(value, BadRecord):
            yield number, str(value)
            continue
        for problem in record_problems(value):
            yield number, problem

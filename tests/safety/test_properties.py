"""Property tests: random edit sessions on random texts keep every invariant, undo returns the
exact initial state through the real store, and export -> import -> export is the identity.

Texts mix emoji (with ZWJ and flags), combining marks, CJK, right-to-left script, tabs and
CRLF; tokens come from spaCy's rule tokenizer. Runs are derandomized with a fixed example
count, so CI sees the same cases every time.
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
from hypothesis import HealthCheck, event, given, settings, target
from hypothesis import strategies as st

from annotator.core.commands import (
    Accept,
    AcceptAll,
    AddSpan,
    ApplyToSameText,
    CreateStance,
    Delete,
    EditCommand,
    EditContext,
    EditRefused,
    MoveBoundary,
    Reject,
    Relabel,
    SetAnswer,
    SetStanceRole,
    ToggleNegated,
    apply_change,
)
from annotator.core.corpus import BadRecord, input_hash, parse_record, read_corpus
from annotator.core.export import export_record
from annotator.core.model import CorpusRecord, Document, DocumentState, Token
from annotator.core.schema import file_problems, record_problems
from annotator.core.store import StoreBackend, open_store
from annotator.errors import InputError
from annotator.nlp.pipeline import blank_tokenizer
from tests.conftest import Location
from tests.pg_cluster import Cluster

# CI runs 100 per property; set PROPERTY_EXAMPLES (and FUZZ_EXAMPLES) higher to hunt further.
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "100"))
PROFILE = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CHUNKS = (
    "Obama", "Paris", "said", "the", "U.S.", "e\u0301te\u0301", "Zoe\u0308", "東京都", "北京",
    "😀", "👩\u200d👩\u200d👧", "🇩🇪", "Erdoğan", "שלום", "مرحبا", "don't", "(UN)", "2026-12-01",
    " ", " ", " ", "  ", "\t", "\n", "\r\n", "\r\n\r\n", ",", ".", "—", "\u00a0", "\u200b",
)
LABELS = ("PERSON", "GPE", "ORG", "NORP")
KINDS = (
    "add", "add", "add", "accept", "reject", "relabel", "move", "delete", "accept_all",
    "same_text", "stance", "role", "negate", "answer", "undo", "redo",
)

texts = st.lists(
    st.one_of(st.sampled_from(CHUNKS), st.text(max_size=3)), min_size=1, max_size=25
).map("".join)
steps = st.lists(
    st.tuples(
        st.sampled_from(KINDS), st.integers(0, 1000), st.integers(0, 1000), st.integers(0, 1000)
    ),
    max_size=25,
)


def _tokens(text: str) -> tuple[Token, ...]:
    return blank_tokenizer()(text)


def _command(step: tuple[str, int, int, int], state: DocumentState, n_tokens: int,
             length: int) -> EditCommand | None:
    kind, a, b, c = step
    spans = [s.id for s in state.spans]
    stances = [s.id for s in state.stances]
    if kind == "add":
        return AddSpan(a % n_tokens, min(n_tokens - 1, a % n_tokens + b % 3), LABELS[c % 4])
    if kind == "accept_all":
        return AcceptAll()
    if kind == "answer":
        return SetAnswer((None, "accept", "ignore", "reject")[a % 4])
    if kind == "stance":
        return CreateStance(a % length, b % (length + 1), ("FAVOR", "AGAINST", "NEUTRAL")[c % 3])
    if kind in ("role", "negate"):
        if not stances:
            return None
        stance = stances[a % len(stances)]
        if kind == "negate":
            return ToggleNegated(stance)
        role = ("holder", "target", "speaker", "cue", "evidence")[c % 5]
        if c % 7 == 0 and role != "evidence":
            return SetStanceRole(stance, role, None, None)
        return SetStanceRole(stance, role, b % length, (b + 1 + a % 9) % (length + 1))
    if not spans:
        return None
    span = spans[a % len(spans)]
    if kind == "accept":
        return Accept(span)
    if kind == "reject":
        return Reject(span)
    if kind == "relabel":
        return Relabel(span, LABELS[b % 4])
    if kind == "move":
        return MoveBoundary(span, ("start", "end")[b % 2], (-1, 1)[c % 2])
    if kind == "delete":
        return Delete(span)
    return ApplyToSameText(span)


def _check_invariants(text: str, tokens: Sequence[Token], state: DocumentState) -> None:
    live = []
    for span in state.spans:
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text
        assert 0 <= span.token_start <= span.token_end < len(tokens)
        assert tokens[span.token_start].start == span.start
        assert tokens[span.token_end].end == span.end
        # Edits never start or end a span on a whitespace token.
        assert tokens[span.token_start].text.strip() and tokens[span.token_end].text.strip()
        if span.status != "rejected":
            live.append(span)
    live.sort(key=lambda s: s.start)
    for left, right in zip(live, live[1:], strict=False):
        assert left.end <= right.start, f"{left} overlaps {right}"
    for stance in state.stances:
        for role in ("evidence", "cue", "holder", "speaker", "target"):
            ref = stance.role(role)
            if ref is not None:
                assert 0 <= ref.start < ref.end <= len(text)
                assert text[ref.start : ref.end] == ref.text
        assert stance.evidence is not None


def _initial_suggestions(text: str, tokens: Sequence[Token], picks: list[int]) -> DocumentState:
    """A model's suggestions: non-overlapping, token-aligned, status `suggested`."""
    state = DocumentState()
    context = EditContext.of(text, tokens)
    for pick in picks:
        try:
            change = AddSpan(pick % len(tokens), pick % len(tokens), LABELS[pick % 4]).plan(
                state, context)
            state = apply_change(state, change)
        except EditRefused:
            continue
    spans = tuple(s.with_changes(status="suggested", source="model") for s in state.spans)
    return DocumentState(spans=spans)


def _session(text: str, picks: list[int], plan: list[tuple[str, int, int, int]],
             location: Location) -> tuple[StoreBackend, Document, DocumentState,
                                          list[DocumentState]]:
    tokens = _tokens(text)
    document = Document(input_hash(text), text, {"title": "t"}, tokens)
    initial = _initial_suggestions(text, tokens, picks)
    store = open_store(location)
    store.add_documents([CorpusRecord(document, initial, source="model")])
    context = EditContext.of(text, tokens)
    # A model of the undo and redo stacks: `states` can be undone to, `undone` redone.
    states = [store.state("alice", document.input_hash)]
    undone: list[DocumentState] = []
    assert states[0] == initial
    for step in plan:
        if step[0] in ("undo", "redo"):
            result = store.undo("alice") if step[0] == "undo" else store.redo("alice")
            source, target = (states, undone) if step[0] == "undo" else (undone, states)
            if step[0] == "undo" and len(states) == 1 or step[0] == "redo" and not undone:
                assert result is None
                continue
            target.append(source.pop())
            assert result is not None and result[1] == states[-1]
            assert store.state("alice", document.input_hash) == states[-1]
            continue
        command = _command(step, states[-1], len(tokens), len(text))
        if command is None:
            continue
        try:
            change = command.plan(states[-1], context)
            if change.is_empty:
                continue
            new_state = store.apply("alice", document.input_hash, change)
        except EditRefused:
            assert store.state("alice", document.input_hash) == states[-1]  # refused: no change
            continue
        _check_invariants(text, tokens, new_state)
        assert store.state("alice", document.input_hash) == new_state
        states.append(new_state)
        undone.clear()  # a new decision after undo drops the redo stack
    return store, document, initial, states


@PROFILE
@given(text=texts, picks=st.lists(st.integers(0, 500), max_size=6), plan=steps)
def test_random_edit_sessions_keep_every_invariant_and_undo_is_exact(
    text: str, picks: list[int], plan: list[tuple[str, int, int, int]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _random_session(text, picks, plan, Path(folder) / "store.sqlite")


_pg_schemas = itertools.count()


@settings(PROFILE, max_examples=max(EXAMPLES // 2, 10))
@given(text=texts, picks=st.lists(st.integers(0, 500), max_size=6), plan=steps)
def test_random_edit_sessions_on_postgresql_keep_every_invariant_and_undo_is_exact(
    postgres: Cluster, text: str, picks: list[int], plan: list[tuple[str, int, int, int]]
) -> None:
    schema = f"prop_{os.getpid()}_{next(_pg_schemas)}"
    with psycopg.connect(postgres.url(), autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    _random_session(text, picks, plan, postgres.url(search_path=schema))


def _random_session(
    text: str, picks: list[int], plan: list[tuple[str, int, int, int]], location: Location
) -> None:
    tokens = _tokens(text)
    if not any(t.text.strip() for t in tokens):
        return  # nothing to annotate in a text of only whitespace
    store, document, initial, states = _session(text, picks, plan, location)
    decisions = len(states) - 1
    event(f"decisions made: {'0' if not decisions else '1-5' if decisions <= 5 else '6+'}")
    target(float(decisions))  # steer towards long sessions
    try:
        doc = document.input_hash
        assert store.replay("alice", doc) == states[-1]
        record = export_record(document, states[-1], "alice", 1764575000)
        assert record_problems(record) == []
        # Undo everything, through the store: each step back is the exact earlier state.
        for expected in reversed(states[:-1]):
            undone = store.undo("alice")
            assert undone is not None and undone[1] == expected
        assert store.undo("alice") is None
        assert store.state("alice", doc) == initial
        assert store.replay("alice", doc) == initial
        # And redo everything: back to where the session ended.
        for expected in states[1:]:
            redone = store.redo("alice")
            assert redone is not None and redone[1] == expected
        assert store.state("alice", doc) == states[-1]
    finally:
        store.close()


@PROFILE
@given(text=texts, picks=st.lists(st.integers(0, 500), max_size=6), plan=steps)
def test_export_import_export_is_the_identity(
    text: str, picks: list[int], plan: list[tuple[str, int, int, int]]
) -> None:
    tokens = _tokens(text)
    if not any(t.text.strip() for t in tokens):
        return
    with tempfile.TemporaryDirectory() as folder:
        store, document, _, states = _session(text, picks, plan, Path(folder) / "store.sqlite")
        store.close()
    exported = export_record(document, states[-1], "alice", 1764575000)
    again = parse_record(exported, blank_tokenizer())
    assert again.initial is not None
    assert again.document.text == text
    re_exported = export_record(again.document, again.initial, "alice", 1764575000)
    assert re_exported == exported
    # A third round changes nothing either (nothing drifts, ids included).
    third = parse_record(re_exported, blank_tokenizer())
    assert third.initial == again.initial


@PROFILE
@given(text=texts)
def test_tokens_of_any_text_index_it_exactly(text: str) -> None:
    tokens = _tokens(text)
    position = 0
    for index, token in enumerate(tokens):
        assert token.id == index
        assert text[token.start : token.end] == token.text
        assert token.start >= position
        position = token.end
    if text:
        record: dict[str, Any] = export_record(
            Document(input_hash(text), text, {}, tokens), DocumentState(), "a", None)
        assert record_problems(record) == []



scalars = st.none() | st.booleans() | st.integers(-3, 40) | st.floats(allow_nan=False)
json_values = st.recursive(
    scalars | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)
def mostly(plausible: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The plausible value three times in four, any JSON value otherwise."""
    return st.integers(0, 3).flatmap(lambda roll: json_values if roll == 0 else plausible)


span_like = st.fixed_dictionaries(
    {"start": mostly(st.integers(-2, 40)), "end": mostly(st.integers(-2, 40)),
     "label": mostly(st.sampled_from(["PERSON", "GPE", "", " ", "X" * 101]))},
    optional={
        "text": mostly(st.text(max_size=6)),
        "token_start": mostly(st.integers(-1, 12)),
        "token_end": mostly(st.integers(-1, 12)),
        "status": mostly(st.sampled_from(["accepted", "rejected", "suggested", "bogus"])),
        "source": json_values,
        "score": json_values,
    },
)
ref_like = mostly(st.none() | st.fixed_dictionaries(
    {"start": st.integers(-2, 40), "end": st.integers(-2, 40)},
    optional={"text": st.text(max_size=5)},
))
stance_like = st.fixed_dictionaries(
    {"label": mostly(st.sampled_from(["FAVOR", "AGAINST", "NEUTRAL", "MAYBE"])),
     "evidence": ref_like},
    optional={
        "holder": ref_like, "target": ref_like, "cue": ref_like, "speaker": ref_like,
        "negated": mostly(st.booleans()), "id": json_values, "status": json_values,
    },
)
records = st.fixed_dictionaries(
    {"text": mostly(texts)},
    optional={
        "meta": mostly(st.dictionaries(st.text(max_size=5), json_values, max_size=3)),
        "spans": mostly(st.lists(span_like, max_size=4)),
        "rejected_spans": mostly(st.lists(span_like, max_size=2)),
        "labels": mostly(st.lists(st.tuples(st.integers(-1, 30), st.integers(-1, 30),
                                            st.text(max_size=6)).map(list), max_size=3)),
        "stances": mostly(st.lists(stance_like, max_size=2)),
        "answer": mostly(st.sampled_from(["accept", "ignore", "reject", "maybe"])),
        "_input_hash": mostly(st.integers()),
        "_task_hash": mostly(st.integers()),
        "_timestamp": mostly(st.integers()),
        "_annotator_id": json_values,
        "_view_id": json_values,
    },
)


@settings(PROFILE, max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")))
@given(data=records)
def test_any_record_is_imported_valid_or_refused_with_a_reason(data: dict[str, Any]) -> None:
    """Hostile records of every shape: parse_record returns a record whose export passes the
    schema and offset checks, or raises BadRecord with a message; never anything else."""
    try:
        record = parse_record(data, blank_tokenizer())
    except BadRecord as refused:
        assert str(refused)
        event(f"refused: {' '.join(str(refused).split()[:2])}")
        return
    event("imported")
    state = record.initial if record.initial is not None else DocumentState()
    exported = export_record(record.document, state, "alice", record.timestamp, blank_tokenizer())
    assert record_problems(exported) == []
    assert exported["text"] == data["text"]


jsonl_lines = st.lists(
    st.one_of(
        records.map(json.dumps),
        records.map(lambda r: json.dumps(r, ensure_ascii=False)),
        st.sampled_from(["", "   ", "{", "[1]", "null", '{"text": "a"', "\ufeff{}"]),
    ),
    min_size=1,
    max_size=5,
)
file_bytes = st.one_of(
    st.binary(max_size=300),
    jsonl_lines.map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")),
    st.lists(
        st.sampled_from([b'{"text": "Obama', b'"}', b"\n", b"\r\n", b"\xef\xbb\xbf", b"\x00",
                         b"\xff", b"\xc3", b"\\ud800", b'{"text": "a", "spans": [', b"]}",
                         b"[[[[", b"null", b'"text"', b"9" * 30, b" ", b"\xe2\x80\xae"]),
        max_size=20,
    ).map(b"".join),
)


@settings(PROFILE, max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")))
@given(content=file_bytes, suffix=st.sampled_from([".txt", ".jsonl"]), skip=st.booleans())
def test_any_file_is_read_or_refused_with_its_name(content: bytes, suffix: str,
                                                   skip: bool) -> None:
    """Random bytes as an article or a JSONL file: records come out whose export is valid, or
    an InputError names the file; nothing else escapes (that would be a traceback)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(content)
        try:
            found = list(read_corpus([path], blank_tokenizer(), skip_bad_lines=skip))
        except InputError as error:
            assert str(error).startswith(str(path))
            event(f"refused: {error.reason.split()[0]}")
            return
        try:
            problems = list(file_problems(path)) if suffix == ".jsonl" else []
        except InputError as error:
            raise AssertionError(f"validate could not read what import read: {error}") from None
    event(f"read {suffix}" if found else "every line skipped")
    assert found or skip  # without --skip-bad-lines, a file that yields nothing is an error
    for record in found:
        state = record.initial if record.initial is not None else DocumentState()
        exported = export_record(record.document, state, "a", None, blank_tokenizer())
        assert record_problems(exported) == []
    assert isinstance(problems, list)

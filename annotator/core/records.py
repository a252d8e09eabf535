"""One record of a corpus file (a decoded JSON object: ours, Prodigy's, doccano's, or one a
CoNLL document became) as a CorpusRecord: text, tokens, spans, stances and answer, every
offset checked against the text and the tokens. A bad record raises BadRecord, which says why;
the reader that found it adds the file and line."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from annotator.core.model import (
    STANCE_LABELS,
    CorpusRecord,
    Document,
    DocumentState,
    Span,
    Stance,
    Token,
    first_overlap,
)
from annotator.core.printable import control_character, printable
from annotator.core.tokens import AlignmentError, TokenIndex, check_tokens

Tokenizer = Callable[[str], tuple[Token, ...]]

SPAN_STATUSES = ("suggested", "accepted", "rejected", "edited", "added")
ANSWERS = ("accept", "ignore", "reject")
# Keys this tool interprets; any other top-level key of a record travels through unchanged.
KNOWN_KEYS = frozenset(
    {
        "text",
        "meta",
        "_input_hash",
        "_task_hash",
        "tokens",
        "spans",
        "rejected_spans",
        "stances",
        "rejected_stances",
        "answer",
        "_annotator_id",
        "_timestamp",
        "labels",
        "label",
    }
)
PRE_ANNOTATION_KEYS = ("spans", "rejected_spans", "labels", "label", "answer", "stances")
# spaCy's default nlp.max_length: its pipelines refuse longer texts (the parser and NER would
# need about 1 GB of memory per 100,000 characters), and no screen shows one usefully.
MAX_TEXT_LENGTH = 1_000_000
_INT64 = range(-(2**63), 2**63)


def input_hash(text: str) -> int:
    """A stable 64-bit signed hash of a text: the same article always gets the same key."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def task_hash(input_hash_value: int, view: str = "annotator.ner_stance") -> int:
    """The hash of the task: this input in this tool's entity-and-stance view."""
    digest = hashlib.blake2b(f"{input_hash_value}:{view}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def too_long(length: int) -> str:
    """Why a text over MAX_TEXT_LENGTH is refused, and what to do."""
    return (
        f"the text has {length:,} characters, more than the limit of {MAX_TEXT_LENGTH:,} "
        "(spaCy's nlp.max_length); split it into smaller articles"
    )


class BadRecord(ValueError):
    """One record is unusable; the message says why (the caller adds file and line)."""


def parse_record(data: Any, tokenize: Tokenizer) -> CorpusRecord:
    """Turn one decoded JSON record into a CorpusRecord, checking every offset."""
    if isinstance(data, BadRecord):
        raise data
    if not isinstance(data, dict):
        raise BadRecord(f"a record must be a JSON object, not {type(data).__name__}")
    text = data.get("text")
    if "text" not in data:
        raise BadRecord('the record has no "text"')
    if not isinstance(text, str):
        raise BadRecord(f'"text" must be a string, not {type(text).__name__}')
    if not text:
        # Whitespace-only texts are kept: real Prodigy exports contain them.
        raise BadRecord('"text" is empty')
    if len(text) > MAX_TEXT_LENGTH:
        raise BadRecord(too_long(len(text)))
    for key in ("_input_hash", "_task_hash", "_timestamp"):
        number = data.get(key)
        if isinstance(number, int) and number not in _INT64:
            raise BadRecord(f'"{key}" {number} does not fit in 64 bits')
    meta = data.get("meta", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise BadRecord('"meta" must be an object')
    hash_value = data.get("_input_hash")
    if not isinstance(hash_value, int) or isinstance(hash_value, bool):
        hash_value = input_hash(text)
    task = data.get("_task_hash")
    if not isinstance(task, int) or isinstance(task, bool):
        task = None
    extra = {k: v for k, v in data.items() if k not in KNOWN_KEYS}

    pre_annotated = any(key in data for key in PRE_ANNOTATION_KEYS)
    tokens: tuple[Token, ...] = ()
    if "tokens" in data:
        tokens = _parse_tokens(data["tokens"], text)
    elif pre_annotated:
        tokens = tokenize(text)
    document = Document(
        input_hash=hash_value, text=text, meta=meta, tokens=tokens, task_hash=task, extra=extra
    )
    if not pre_annotated:
        return CorpusRecord(document=document)

    answer = data.get("answer")
    if answer is not None and answer not in ANSWERS:
        raise BadRecord(f'"answer" must be one of {", ".join(ANSWERS)}, not {answer!r}')
    default_status = "accepted" if answer == "accept" else "suggested"
    index = TokenIndex(tokens)
    raw_spans = _raw_spans(data)
    spans = [
        _parse_span(raw, number, text, index, default_status)
        for number, raw in enumerate(raw_spans)
    ]
    rejected = data.get("rejected_spans", [])
    if not isinstance(rejected, list):
        raise BadRecord('"rejected_spans" must be a list')
    if not all(isinstance(s, dict) for s in rejected):
        raise BadRecord('every item of "rejected_spans" must be an object')
    spans += [
        _parse_span(raw, len(spans) + number, text, index, "rejected", force_status=True)
        for number, raw in enumerate(rejected)
    ]
    _check_overlaps(spans)
    stances = [
        _parse_stance(raw, number, text)
        for number, raw in enumerate(_list(data, "stances") + _list(data, "rejected_stances"))
    ]
    state = DocumentState(
        spans=tuple(sorted(spans, key=lambda s: (s.start, s.end))),
        stances=tuple(stances),
        answer=answer,
    )
    timestamp = data.get("_timestamp")
    annotator = data.get("_annotator_id")
    return CorpusRecord(
        document=document,
        initial=state,
        source="import",
        timestamp=timestamp if isinstance(timestamp, int) else None,
        annotator=annotator if isinstance(annotator, str) else None,
    )


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise BadRecord(f'"{key}" must be a list')
    return value


def _parse_tokens(raw: Any, text: str) -> tuple[Token, ...]:
    if not isinstance(raw, list):
        raise BadRecord('"tokens" must be a list')
    tokens = []
    for number, item in enumerate(raw):
        if not isinstance(item, dict):
            raise BadRecord(f"token {number} must be an object")
        start, end, token_text = item.get("start"), item.get("end"), item.get("text")
        if type(start) is not int or type(end) is not int or not isinstance(token_text, str):
            raise BadRecord(f"token {number} needs text and integer start and end")
        if "id" in item and item["id"] != number:
            raise BadRecord(f"token {number} has id {item['id']}; ids must count 0, 1, 2...")
        tokens.append(Token.from_json(item if "id" in item else {**item, "id": number}))
    problem = check_tokens(text, tokens)
    if problem:
        raise BadRecord(problem)
    return tuple(tokens)


def _raw_spans(data: dict[str, Any]) -> list[dict[str, Any]]:
    if "spans" in data:
        spans = _list(data, "spans")
        if not all(isinstance(s, dict) for s in spans):
            raise BadRecord('every item of "spans" must be an object')
        return spans
    # doccano: [start, end, label] triples under "labels" (older) or "label" (newer).
    triples = data.get("labels", data.get("label", []))
    if not isinstance(triples, list):
        raise BadRecord('"labels" must be a list of [start, end, label]')
    spans = []
    for number, triple in enumerate(triples):
        if not (isinstance(triple, list) and len(triple) == 3):
            raise BadRecord(f"label {number} must be [start, end, label]")
        spans.append({"start": triple[0], "end": triple[1], "label": triple[2]})
    return spans


def _parse_span(
    raw: dict[str, Any],
    number: int,
    text: str,
    index: TokenIndex,
    default_status: str,
    force_status: bool = False,
) -> Span:
    start, end, label = raw.get("start"), raw.get("end"), raw.get("label")
    if not isinstance(start, int) or not isinstance(end, int):
        raise BadRecord(f"span {number} needs integer start and end")
    if not isinstance(label, str) or not label.strip():
        raise BadRecord(f"span {number} needs a label")
    if len(label) > 100:
        raise BadRecord(f"span {number} has a label of {len(label)} characters (at most 100)")
    control = control_character(label)
    if control is not None:
        raise BadRecord(
            f"span {number} label '{printable(label)}' holds a control character ({control}); "
            "labels are plain names"
        )
    if not (0 <= start < end <= len(text)):
        raise BadRecord(
            f"span {number} ({start}-{end}) lies outside the text of {len(text)} characters"
        )
    covered = text[start:end]
    if "text" in raw and raw["text"] != covered:
        raise BadRecord(
            f"span {number} says {raw['text']!r} but the text at {start}-{end} is {covered!r}"
        )
    try:
        token_start, token_end = index.token_range(start, end)
    except AlignmentError as error:
        raise BadRecord(
            f"span {number} ({start}-{end} {covered!r}) does not fall on token boundaries: {error}"
        ) from None
    for key, value in (("token_start", token_start), ("token_end", token_end)):
        if key in raw and raw[key] != value:
            raise BadRecord(f"span {number} says {key} {raw[key]} but the tokens give {value}")
    status = raw.get("status")
    if force_status or status not in SPAN_STATUSES:
        status = default_status
    known = {"start", "end", "token_start", "token_end", "label", "text", "source", "status"}
    return Span(
        id=f"e{number}",
        start=start,
        end=end,
        token_start=token_start,
        token_end=token_end,
        label=label,
        text=covered,
        source=str(raw.get("source", "import")),
        status=status,  # type: ignore[arg-type]
        extra={k: v for k, v in raw.items() if k not in known},
    )


def _check_overlaps(spans: Sequence[Span]) -> None:
    pair = first_overlap(spans)
    if pair is not None:
        left, right = pair
        raise BadRecord(
            f"spans {left.text!r} ({left.start}-{left.end}) and {right.text!r} "
            f"({right.start}-{right.end}) overlap; entity spans may not overlap"
        )


def _parse_stance(raw: Any, number: int, text: str) -> Stance:
    if not isinstance(raw, dict):
        raise BadRecord(f"stance {number} must be an object")
    if raw.get("label") not in STANCE_LABELS:
        raise BadRecord(f"stance {number} label must be one of {', '.join(STANCE_LABELS)}")
    for role in ("evidence", "cue", "holder", "speaker", "target"):
        ref = raw.get(role)
        if ref is None:
            if role == "evidence":
                raise BadRecord(f"stance {number} needs evidence")
            continue
        if (
            not isinstance(ref, dict)
            or not isinstance(ref.get("start"), int)
            or not isinstance(ref.get("end"), int)
        ):
            raise BadRecord(f"stance {number} {role} needs integer start and end")
        start, end = ref["start"], ref["end"]
        if not (0 <= start < end <= len(text)):
            raise BadRecord(f"stance {number} {role} ({start}-{end}) lies outside the text")
        if ref.get("text", text[start:end]) != text[start:end]:
            raise BadRecord(
                f"stance {number} {role} says {ref.get('text')!r} but the text is "
                f"{text[start:end]!r}"
            )
    filled = {
        **raw,
        **{
            role: {**raw[role], "text": text[raw[role]["start"] : raw[role]["end"]]}
            for role in ("evidence", "cue", "holder", "speaker", "target")
            if raw.get(role)
        },
    }
    filled.setdefault("id", f"t{number}")
    if filled.get("status") not in SPAN_STATUSES:
        filled["status"] = "suggested"
    return Stance.from_json(filled)

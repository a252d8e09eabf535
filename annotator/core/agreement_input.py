"""Where agreement reads its annotations: export files (ours, Prodigy's, doccano's) or a store.

Only finished work counts: a record answered `ignore` or `reject` was not annotated, and in a
store only documents an annotator answered `accept` are theirs. Rejected spans and stances are
negative examples, not annotations, so they are left out.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Sequence
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Any

from annotator.core.agreement import Annotation, ReadRecord, cycle_collection_paused
from annotator.core.agreement_matching import TokenEdges
from annotator.core.corpus import (
    ANSWERS,
    BadRecord,
    Tokenizer,
    input_hash,
    iter_json_values,
    parse_record,
)
from annotator.core.evaluate import StanceItem
from annotator.core.model import STANCE_LABELS, Document, DocumentState, TextRef, Token
from annotator.core.review import REVIEW_COMMANDS
from annotator.core.store import Store
from annotator.errors import InputError


def _without_msgspec(raw: bytes) -> ReadRecord | None:
    return None


try:
    from annotator.core.agreement_typed import typed_read
except ImportError:  # msgspec missing (an environment made before it was a dependency)
    typed_read = _without_msgspec


def annotation_of(document: Document, state: DocumentState, tokens: Sequence[Token]) -> Annotation:
    """One annotator's state of a document as agreement compares it."""
    return Annotation(
        key=document.input_hash,
        text=document.text,
        title=document.title,
        tokens=TokenEdges.of((t.start, t.end) for t in tokens if t.text.strip()),
        entities=tuple(
            sorted((s.start, s.end, s.label) for s in state.spans if s.status != "rejected")
        ),
        stances=_stance_items(state),
    )


def read_annotations(
    paths: Sequence[Path], tokenize: Tokenizer, include_reviews: bool = False
) -> dict[str, list[Annotation]]:
    """Every annotated record of the files, by annotator: the record's `_annotator_id`, else
    the file's name without its suffix. The first bad line raises InputError. A reviewed
    record (one carrying `versions`: a reviewer's gold) is left out unless `include_reviews`.

    `tokenize` (the caller's: spaCy's rule tokenizer, say) splits records without tokens.
    """
    with cycle_collection_paused():
        return _read_annotations(paths, tokenize, include_reviews)


def _read_annotations(
    paths: Sequence[Path], tokenize: Tokenizer, include_reviews: bool
) -> dict[str, list[Annotation]]:
    found: dict[str, list[Annotation]] = {}
    for path in paths:
        if not path.is_file():
            raise InputError(path, "no such file")
        count = 0
        for line, value in _json_values(path):
            if isinstance(value, ReadRecord):
                answer, name, annotation, reviewed = value
            else:
                try:
                    read = _lean_annotation(value, (path, line))
                    if read is None:
                        read = _checked_annotation(value, tokenize)
                except BadRecord as error:
                    raise InputError(path, str(error), line) from None
                answer, name, annotation = read
                reviewed = "versions" in value
            count += 1
            if reviewed and not include_reviews:
                continue  # checked above like any record, but a reviewer's gold
            if answer not in ("ignore", "reject"):
                found.setdefault(name or path.stem, []).append(annotation)
        if count == 0:
            raise InputError(path, "holds no records")
    return found


_Read = tuple[str | None, str | None, Annotation]  # answer, annotator, annotation


def _json_values(path: Path) -> Iterator[tuple[int, Any]]:
    """(line, value) of each record, as `iter_json_values` gives them, or (line, ReadRecord)
    where the typed reader took the line whole (the usual export line: `typed_read`).

    With orjson installed, a file every line of which orjson reads is decoded by it (JSON is
    most of the time of `agree` on a big corpus, and orjson takes half as long); any line
    it refuses (invalid UTF-8, a BOM, NaN, a lone surrogate, a 65-bit integer, deep nesting)
    sends the whole file through the standard reader, which says what is wrong as always.
    """
    try:
        import orjson
    except ImportError:
        yield from iter_json_values(path)
        return
    last = 0
    try:
        with path.open("rb") as handle:
            for line, raw in enumerate(handle, start=1):
                if raw.isspace():
                    continue
                typed = typed_read(raw)
                value = typed if typed is not None else orjson.loads(raw)
                last = line
                yield line, value
    except (orjson.JSONDecodeError, UnicodeDecodeError, RecursionError):
        # The lines before were read alike either way: carry on from the refused one.
        for line, value in iter_json_values(path):
            if line > last:
                yield line, value


def _checked_annotation(value: Any, tokenize: Tokenizer) -> _Read:
    """A record read by the corpus reader, with every check corpus input gets."""
    record = parse_record(value, tokenize)
    state = record.initial or DocumentState()
    tokens = record.document.tokens or tokenize(record.document.text)
    return state.answer, record.annotator, annotation_of(record.document, state, tokens)


def _token_edges(raw: list[Any], where: tuple[Path, int]) -> TokenEdges:
    """The edges of a record's non-space tokens, made at once so that the token objects
    JSON gave go right away (kept, 30,000 records of 150 tokens take 1.5 GB)."""
    try:
        starts = list(map(itemgetter("start"), raw))
        ends = list(map(itemgetter("end"), raw))
        spaces = list(map(str.isspace, map(itemgetter("text"), raw)))
    except (KeyError, TypeError):
        raise InputError(where[0], "a token needs text, start and end", where[1]) from None
    if not {int} >= set(map(type, starts)) | set(map(type, ends)):
        raise InputError(where[0], "token offsets must be integers", where[1])
    if any(spaces):
        kept = list(map(operator.not_, spaces))
        starts, ends = list(compress(starts, kept)), list(compress(ends, kept))
    return TokenEdges(starts, ends)


def _lean_annotation(value: Any, where: tuple[Path, int]) -> _Read | None:
    """A record with tokens and spans (ours, Prodigy's), read with only the checks agreement
    relies on; None for any other shape, which the corpus reader then reads.

    Reading 30,000 records of 150 tokens the checked way takes most of a minute; here the
    tokens become plain edges (not checked against the text: agreement compares characters).
    """
    if not isinstance(value, dict) or not isinstance(value.get("tokens"), list):
        return None
    text, spans = value.get("text"), value.get("spans", [])
    if not isinstance(text, str) or not text or not isinstance(spans, list):
        return None
    answer = value.get("answer")
    if answer is not None and answer not in ANSWERS:
        return None
    try:
        entities = sorted(
            (span["start"], span["end"], span["label"])
            for span in spans
            if span.get("status") != "rejected"
        )
    except (KeyError, TypeError, AttributeError):
        return None  # the corpus reader says what is wrong
    previous_end = 0
    for start, end, label in entities:
        if type(start) is not int or type(end) is not int or not isinstance(label, str):
            return None
        if start < previous_end or not 0 <= start < end <= len(text):
            return None  # overlapping or out of range: the corpus reader names it
        previous_end = end
    stances = _lean_stances(value.get("stances", []), text)
    if stances is None:
        return None
    hash_value = value.get("_input_hash")
    if type(hash_value) is not int:
        hash_value = input_hash(text)
    meta = value.get("meta")
    annotator = value.get("_annotator_id")
    document = Document(hash_value, text, meta if isinstance(meta, dict) else {})
    return (
        answer,
        annotator if isinstance(annotator, str) else None,
        Annotation(
            key=hash_value,
            text=text,
            title=document.title,
            tokens=_token_edges(value["tokens"], where),
            entities=tuple(entities),
            stances=stances,
        ),
    )


def _lean_stances(raw: Any, text: str) -> tuple[StanceItem, ...] | None:
    """Label, holder and target of each stance not rejected; None when any looks wrong."""
    if not isinstance(raw, list):
        return None
    items = []
    for stance in raw:
        if not isinstance(stance, dict) or stance.get("label") not in STANCE_LABELS:
            return None
        if stance.get("status") == "rejected":
            continue
        refs: list[TextRef | None] = []
        for role in ("holder", "target"):
            ref = stance.get(role)
            if ref is None:
                refs.append(None)
                continue
            if not isinstance(ref, dict):
                return None
            start, end = ref.get("start"), ref.get("end")
            if type(start) is not int or type(end) is not int or not 0 <= start < end <= len(text):
                return None
            refs.append(TextRef(start, end, text[start:end]))
        items.append(StanceItem(label=stance["label"], holder=refs[0], target=refs[1]))
    return tuple(items)


def _stance_items(state: DocumentState) -> tuple[StanceItem, ...]:
    return tuple(
        StanceItem(label=s.label, holder=s.holder, target=s.target)
        for s in state.stances
        if s.status != "rejected"
    )


def store_annotations(
    store: Store, annotators: Iterable[str], tokenize: Tokenizer, include_reviews: bool = False
) -> dict[str, list[Annotation]]:
    """Each annotator's documents answered `accept` in the store (their own work only: a
    document whose state came imported under another name is not theirs). A reviewer's
    gold version (a state made by `annotator review`) is not an annotator's: left out unless
    `include_reviews`."""
    reviews = set() if include_reviews else store.logged_commands(REVIEW_COMMANDS)
    found: dict[str, list[Annotation]] = {}
    for name in annotators:
        for annotated in store.iter_annotated(name, False):
            if annotated.state.answer != "accept" or annotated.annotator not in (None, name):
                continue
            if (name, annotated.document.input_hash) in reviews:
                continue
            document = annotated.document
            tokens = document.tokens or tokenize(document.text)
            found.setdefault(name, []).append(annotation_of(document, annotated.state, tokens))
    return found

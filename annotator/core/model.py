"""Value objects of the annotation domain: tokens, entity spans, stances and a document's state."""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal, TypeVar

SpanStatus = Literal["suggested", "accepted", "rejected", "edited", "added"]
Answer = Literal["accept", "ignore", "reject"]
STANCE_LABELS: tuple[str, ...] = ("FAVOR", "AGAINST", "NEUTRAL")
STANCE_ROLES: tuple[str, ...] = ("evidence", "cue", "holder", "speaker", "target")
# Spans with these statuses are the annotator's final answer and go into `spans` on export.
FINAL_STATUSES: frozenset[str] = frozenset({"accepted", "edited", "added"})


_TOKEN_KEYS = frozenset({"text", "start", "end", "id", "ws"})


@dataclass(frozen=True)
class Token:
    """One token of a document; offsets are Python code points into the document text."""

    text: str
    start: int
    end: int
    id: int
    ws: bool
    extra: dict[str, Any] = field(default_factory=dict, compare=True)

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "id": self.id,
            "ws": self.ws,
        }
        if self.extra:  # hot path of export: most tokens have none
            record.update({k: v for k, v in self.extra.items() if k not in record})
        return record

    @staticmethod
    def from_json(data: dict[str, Any]) -> Token:
        # Hot path when importing big corpora: build `extra` only when there is some.
        extra = {k: v for k, v in data.items() if k not in _TOKEN_KEYS} if len(data) > 5 else {}
        return Token(
            data["text"], data["start"], data["end"], data["id"], bool(data.get("ws")), extra
        )


@dataclass(frozen=True)
class Span:
    """An entity span, token-aligned; `token_end` is inclusive as in Prodigy."""

    id: str
    start: int
    end: int
    token_start: int
    token_end: int
    label: str
    text: str
    source: str
    status: SpanStatus
    # Keys other tools put on spans (score, rank, type...) travel through unchanged.
    extra: dict[str, Any] = field(default_factory=dict, compare=True)

    def with_changes(self, **changes: Any) -> Span:
        return _changed(self, changes)

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "token_start": self.token_start,
            "token_end": self.token_end,
            "label": self.label,
            "text": self.text,
            "source": self.source,
            "status": self.status,
        }
        if self.extra:  # most spans have none (accepting 100,000 writes each twice)
            record.update({k: v for k, v in self.extra.items() if k not in record})
        return record

    def to_store(self) -> dict[str, Any]:
        return {"id": self.id, **self.to_json(), "_extra": sorted(self.extra)}

    @staticmethod
    def from_store(data: dict[str, Any]) -> Span:
        extra_keys = data.get("_extra", [])
        return Span(
            id=data["id"],
            start=data["start"],
            end=data["end"],
            token_start=data["token_start"],
            token_end=data["token_end"],
            label=data["label"],
            text=data["text"],
            source=data["source"],
            status=data["status"],
            extra={k: data[k] for k in extra_keys if k in data},
        )


def first_overlap(spans: Iterable[Span], in_order: bool = False) -> tuple[Span, Span] | None:
    """The first two live (not rejected) spans that overlap, in text order; None if none do.

    Sorted by start, any overlap shows up between neighbours; `in_order` says the spans
    come sorted already (an edit on a long article need not sort them again).
    """
    live = [s for s in spans if s.status != "rejected"]
    if not in_order:
        live.sort(key=lambda s: (s.start, s.end))
    for left, right in zip(live, live[1:], strict=False):
        if left.overlaps(right):
            return left, right
    return None


@dataclass(frozen=True)
class TextRef:
    """A character range of the document that plays a role in a stance (holder, target...)."""

    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @staticmethod
    def from_json(data: dict[str, Any] | None) -> TextRef | None:
        if data is None:
            return None
        return TextRef(start=data["start"], end=data["end"], text=data["text"])


@dataclass(frozen=True)
class Stance:
    """Who (holder) is FAVOR/AGAINST/NEUTRAL towards what (target), said by whom (speaker)."""

    id: str
    label: str
    evidence: TextRef
    target: TextRef | None
    cue: TextRef | None = None
    holder: TextRef | None = None
    speaker: TextRef | None = None
    negated: bool = False
    source: str = "manual"
    status: SpanStatus = "added"

    def with_changes(self, **changes: Any) -> Stance:
        return _changed(self, changes)

    def role(self, name: str) -> TextRef | None:
        value: TextRef | None = getattr(self, name)
        return value

    def to_json(self) -> dict[str, Any]:
        def ref(value: TextRef | None) -> dict[str, Any] | None:
            return value.to_json() if value is not None else None

        return {
            "id": self.id,
            "label": self.label,
            "evidence": self.evidence.to_json(),
            "cue": ref(self.cue),
            "holder": ref(self.holder),
            "speaker": ref(self.speaker),
            "target": ref(self.target),
            "negated": self.negated,
            "source": self.source,
            "status": self.status,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Stance:
        evidence = TextRef.from_json(data["evidence"])
        assert evidence is not None
        return Stance(
            id=str(data["id"]),
            label=data["label"],
            evidence=evidence,
            target=TextRef.from_json(data.get("target")),
            cue=TextRef.from_json(data.get("cue")),
            holder=TextRef.from_json(data.get("holder")),
            speaker=TextRef.from_json(data.get("speaker")),
            negated=bool(data.get("negated", False)),
            source=data.get("source", "manual"),
            status=data.get("status", "added"),
        )


@dataclass(frozen=True)
class Document:
    """An input document: its exact text, its metadata and its tokens (once tokenized)."""

    input_hash: int
    text: str
    meta: dict[str, Any]
    tokens: tuple[Token, ...] = ()
    task_hash: int | None = None
    # Top-level keys of an imported record that this tool does not interpret.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        title = self.meta.get("title")
        if isinstance(title, str) and title:
            return title
        first_line = self.text.strip().split("\n", 1)[0] if self.text.strip() else ""
        return first_line[:80]


T = TypeVar("T", "Span", "Stance")


def _changed(item: T, changes: dict[str, Any]) -> T:
    """`dataclasses.replace` without its call to `__init__` (a fifth of the time, for the
    thousands of items `A` or `=` change); an unknown name is still refused."""
    if not changes.keys() <= item.__dataclass_fields__.keys():
        return replace(item, **changes)  # raises, naming the field
    new = object.__new__(type(item))
    new.__dict__.update(item.__dict__, **changes)
    return new


def id_number(prefix: str, item_id: str) -> int:
    """N of an id `{prefix}N` (-1 for an id of another form)."""
    digits = item_id[len(prefix) :]
    return int(digits) if item_id.startswith(prefix) and digits.isdigit() else -1


def id_top(prefix: str, ids: Iterable[str]) -> int:
    """The highest N among ids `{prefix}N` (-1: none); reads every id, so states keep it."""
    ids = list(ids)
    joined = "\n".join(ids)
    if joined.count("\n") != len(ids) - 1:  # an id holding a newline: one by one
        return max((id_number(prefix, i) for i in ids), default=-1)
    # One regular expression over all the ids at once: 100,000 ids in milliseconds.
    found = re.findall(rf"^{re.escape(prefix)}(\d+)$", joined, re.MULTILINE)
    return max(map(int, found), default=-1)


def span_order(span: Span) -> tuple[int, int, str]:
    """The order of a state's spans: by start, then end, then id."""
    return (span.start, span.end, span.id)


def stance_order(stance: Stance) -> tuple[int, str]:
    """The order of a state's stances: by the start of their evidence, then id."""
    return (stance.evidence.start, stance.id)


@dataclass(frozen=True)
class DocumentState:
    """What one annotator has decided on one document; derived from the event log."""

    spans: tuple[Span, ...] = ()
    stances: tuple[Stance, ...] = ()
    answer: Answer | None = None

    # Indexes over the items, built on first use; a state made by applying a change gets
    # them from the state before (see `indexed`), so an edit never walks every item.

    @cached_property
    def span_ids(self) -> dict[str, Span]:
        """The spans by id."""
        return {s.id: s for s in self.spans}

    @cached_property
    def stance_ids(self) -> dict[str, Stance]:
        """The stances by id."""
        return {s.id: s for s in self.stances}

    @cached_property
    def spans_in_order(self) -> tuple[Span, ...]:
        """The spans by `span_order` (the store keeps them so; a check, not a sort)."""
        starts = [s.start for s in self.spans]
        if all(map(operator.lt, starts, starts[1:])):
            return self.spans  # no two start together: the starts alone say they are in order
        keys = [span_order(s) for s in self.spans]
        if all(a <= b for a, b in zip(keys, keys[1:], strict=False)):
            return self.spans
        return tuple(sorted(self.spans, key=span_order))

    @cached_property
    def stances_in_order(self) -> tuple[Stance, ...]:
        """The stances by `stance_order`."""
        keys = [stance_order(s) for s in self.stances]
        if all(a <= b for a, b in zip(keys, keys[1:], strict=False)):
            return self.stances
        return tuple(sorted(self.stances, key=stance_order))

    @cached_property
    def span_id_top(self) -> int:
        """The highest N among the spans' ids `eN` (-1: none): a span added gets e(N+1)."""
        return id_top("e", self.span_ids)

    @cached_property
    def stance_id_top(self) -> int:
        """The highest N among the stances' ids `tN` (-1: none)."""
        return id_top("t", self.stance_ids)

    @cached_property
    def span_texts(self) -> dict[str, tuple[str, ...]]:
        """The ids of the spans with each text, in span order (what `=` looks up)."""
        texts: dict[str, list[str]] = {}
        for span in self.spans_in_order:
            texts.setdefault(span.text, []).append(span.id)
        return {text: tuple(ids) for text, ids in texts.items()}

    @cached_property
    def span_reach(self) -> int:
        """At least the length of the longest span (how far back an overlap can start)."""
        return max([s.end - s.start for s in self.spans], default=0)

    @staticmethod
    def indexed(
        spans: tuple[Span, ...],
        stances: tuple[Stance, ...],
        answer: Answer | None,
        **indexes: Any,
    ) -> DocumentState:
        """A state whose items are in order already, with indexes known (`span_ids`,
        `stance_ids`, `reviewed_count`, `span_reach`, `span_id_top`, `span_texts`...)."""
        state = DocumentState(spans=spans, stances=stances, answer=answer)
        # The cached properties above read these first (the dataclass is frozen, its
        # __dict__ is not).
        state.__dict__.update(indexes, spans_in_order=spans, stances_in_order=stances)
        return state

    def span(self, span_id: str) -> Span:
        return self.span_ids[span_id]

    def stance(self, stance_id: str) -> Stance:
        return self.stance_ids[stance_id]

    @property
    def live_spans(self) -> tuple[Span, ...]:
        """Spans that are not rejected, in text order."""
        return tuple(s for s in self.spans if s.status != "rejected")

    @cached_property
    def reviewed_count(self) -> int:
        statuses = [s.status for s in self.spans] + [s.status for s in self.stances]
        return len(statuses) - statuses.count("suggested")

    @property
    def is_done(self) -> bool:
        return self.answer is not None

    def to_store(self) -> dict[str, Any]:
        return {
            "spans": [s.to_store() for s in self.spans],
            "stances": [s.to_json() for s in self.stances],
            "answer": self.answer,
        }

    @staticmethod
    def from_store(data: dict[str, Any]) -> DocumentState:
        return DocumentState(
            spans=tuple(Span.from_store(s) for s in data.get("spans", [])),
            stances=tuple(Stance.from_json(s) for s in data.get("stances", [])),
            answer=data.get("answer"),
        )


@dataclass(frozen=True)
class CorpusRecord:
    """A document as read from the corpus, with any annotations the input file carried."""

    document: Document
    initial: DocumentState | None = None  # imported spans/answer; None: the model suggests
    source: str | None = None
    timestamp: int | None = None
    annotator: str | None = None

"""Scoring suggestions against a gold file: entity P/R/F1 (exact boundaries) and stance P/R.

Both files are JSONL in the export format (Prodigy records with `spans`, plus `stances`).
Records pair up by `_input_hash`, falling back to the exact text. A gold record answered
`ignore` or `reject` was not annotated, so it is left out, as Prodigy's training does.

A predicted stance matches a gold one when the labels are equal, the holders refer to the
same thing (overlapping, the same normalised text, or a short form of the same name) and the
predicted target covers at least half of the gold target. Each gold stance matches at most
one prediction (a maximum bipartite matching, so the order of stances does not matter).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.corpus import BadRecord, Tokenizer, iter_json_values, parse_record
from annotator.core.model import DocumentState, TextRef
from annotator.errors import InputError

UNANNOTATED_ANSWERS = frozenset({"ignore", "reject"})
TARGET_COVERAGE = 0.5  # share of the gold target the predicted target must overlap


def _overlap(a: TextRef, b: TextRef) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


@dataclass(frozen=True)
class StanceItem:
    """The parts of a stance that scoring looks at."""

    label: str
    holder: TextRef | None
    target: TextRef | None


@dataclass(frozen=True)
class ScoredRecord:
    """One record as the scorer sees it."""

    line: int
    key: int | None
    text: str
    entities: frozenset[tuple[int, int, str]]
    stances: tuple[StanceItem, ...]
    answer: str | None = None


@dataclass(frozen=True)
class Scores:
    """Counts of true positives, false positives and false negatives, with P/R/F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Scores) -> Scores:
        return Scores(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_json(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "gold": self.tp + self.fn,
            "predicted": self.tp + self.fp,
        }


@dataclass(frozen=True)
class Evaluation:
    """Everything `annotator evaluate` reports."""

    entities: Scores
    per_label: dict[str, Scores]
    stances: Scores
    documents: int
    skipped_gold: int = 0
    missing_predictions: int = 0
    unmatched_predictions: int = 0
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "skipped_gold": self.skipped_gold,
            "missing_predictions": self.missing_predictions,
            "unmatched_predictions": self.unmatched_predictions,
            "entities": {
                "overall": self.entities.to_json(),
                "per_label": {k: v.to_json() for k, v in sorted(self.per_label.items())},
            },
            "stances": self.stances.to_json(),
        }


# --- reading ----------------------------------------------------------------------------


def scored_record(value: Any, line: int, tokenize: Tokenizer) -> ScoredRecord:
    """One decoded JSON value as a ScoredRecord, read and checked as every import is.

    `tokenize` (the caller's, spaCy's rule tokenizer say) splits records that carry no tokens.
    Raises BadRecord with the reason.
    """
    record = parse_record(value, tokenize)
    state = record.initial or DocumentState()
    live_spans = (s for s in state.spans if s.status != "rejected")
    return ScoredRecord(
        line=line,
        key=record.document.input_hash,
        text=record.document.text,
        entities=frozenset((s.start, s.end, s.label) for s in live_spans),
        stances=tuple(
            StanceItem(label=s.label, holder=s.holder, target=s.target)
            for s in state.stances
            if s.status != "rejected"
        ),
        answer=state.answer,
    )


def read_scored(path: Path, tokenize: Tokenizer) -> list[ScoredRecord]:
    """Every record of an export-format file; the first bad line raises InputError."""
    if not path.is_file():
        raise InputError(path, "no such file")
    records = []
    for line, value in iter_json_values(path):
        try:
            records.append(scored_record(value, line, tokenize))
        except BadRecord as error:
            raise InputError(path, str(error), line) from None
    if not records:
        raise InputError(path, "holds no records")
    return records


# --- matching ---------------------------------------------------------------------------


def _normalised(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip().casefold()
    text = re.sub(r"^the ", "", text)
    return re.sub(r"['’]s$", "", text)


def same_referent(gold: TextRef | None, predicted: TextRef | None) -> bool:
    """Whether two holders name the same thing: both absent, overlapping, the same text, or
    one a whole-word short form of the other short proper name ("Wang" / "Wang Yi")."""
    if gold is None or predicted is None:
        return gold is None and predicted is None
    if _overlap(gold, predicted) > 0:
        return True
    a, b = _normalised(gold.text), _normalised(predicted.text)
    if a == b:
        return True
    short, long = sorted((a.split(), b.split()), key=len)
    long_original = (gold.text if len(a.split()) > len(b.split()) else predicted.text).split()
    is_proper_name = len(long) <= 3 and all(word[:1].isupper() for word in long_original)
    return bool(short) and is_proper_name and all(word in long for word in short)


def target_covered(gold: TextRef | None, predicted: TextRef | None) -> bool:
    """The predicted target overlaps at least half of the gold target."""
    if gold is None or predicted is None:
        return gold is None and predicted is None
    return _overlap(gold, predicted) >= TARGET_COVERAGE * (gold.end - gold.start)


def stance_matches(gold: StanceItem, predicted: StanceItem) -> bool:
    """Same label, same holder, and enough of the gold target."""
    return (
        gold.label == predicted.label
        and same_referent(gold.holder, predicted.holder)
        and target_covered(gold.target, predicted.target)
    )


def matched_pairs(gold: Sequence[StanceItem], predicted: Sequence[StanceItem]) -> int:
    """Size of a maximum one-to-one matching between gold and predicted stances."""
    partner_of_prediction: dict[int, int] = {}

    def assign(g: int, seen: set[int]) -> bool:
        for p, candidate in enumerate(predicted):
            if p in seen or not stance_matches(gold[g], candidate):
                continue
            seen.add(p)
            if p not in partner_of_prediction or assign(partner_of_prediction[p], seen):
                partner_of_prediction[p] = g
                return True
        return False

    return sum(1 for g in range(len(gold)) if assign(g, set()))


def paired_records(
    gold: Iterable[ScoredRecord], predicted: Sequence[ScoredRecord]
) -> Iterator[tuple[ScoredRecord, ScoredRecord | None]]:
    """Each gold record with its prediction: same `_input_hash`, else the same text."""
    by_key: dict[int, ScoredRecord] = {}
    by_text: dict[str, ScoredRecord] = {}
    for record in predicted:
        if record.key is not None:
            by_key.setdefault(record.key, record)
        by_text.setdefault(record.text, record)
    for record in gold:
        match = by_key.get(record.key) if record.key is not None else None
        yield record, match if match is not None else by_text.get(record.text)


def evaluate_records(gold: Sequence[ScoredRecord], predicted: Sequence[ScoredRecord]) -> Evaluation:
    """Score predictions against gold records (pure; no files, no spaCy)."""
    per_label: dict[str, Scores] = {}
    stances = Scores()
    documents = skipped = missing = 0
    used: set[int] = set()
    for gold_record, prediction in paired_records(gold, predicted):
        if gold_record.answer in UNANNOTATED_ANSWERS:
            skipped += 1
            if prediction is not None:
                used.add(id(prediction))
            continue
        documents += 1
        if prediction is None:
            missing += 1
        else:
            used.add(id(prediction))
        predicted_entities = prediction.entities if prediction else frozenset()
        predicted_stances = prediction.stances if prediction else ()
        labels = {label for *_, label in gold_record.entities | predicted_entities}
        for label in labels:
            gold_set = {e for e in gold_record.entities if e[2] == label}
            pred_set = {e for e in predicted_entities if e[2] == label}
            per_label[label] = per_label.get(label, Scores()) + Scores(
                tp=len(gold_set & pred_set),
                fp=len(pred_set - gold_set),
                fn=len(gold_set - pred_set),
            )
        pairs = matched_pairs(gold_record.stances, predicted_stances)
        stances = stances + Scores(
            tp=pairs,
            fp=len(predicted_stances) - pairs,
            fn=len(gold_record.stances) - pairs,
        )
    overall = sum(per_label.values(), Scores())
    return Evaluation(
        entities=overall,
        per_label=per_label,
        stances=stances,
        documents=documents,
        skipped_gold=skipped,
        missing_predictions=missing,
        unmatched_predictions=sum(1 for r in predicted if id(r) not in used),
    )


def evaluate_files(gold_path: Path, predicted_path: Path, tokenize: Tokenizer) -> Evaluation:
    """Score PRED.jsonl against GOLD.jsonl; bad input raises InputError (file and line).

    `tokenize` splits the records that carry no tokens (hand-written gold, say).
    """
    return evaluate_records(read_scored(gold_path, tokenize), read_scored(predicted_path, tokenize))

"""Agreement between annotators: pairwise entity F1 (exact and overlap), token-level Cohen's
kappa per label, Krippendorff's alpha over everyone, and stance agreement.

Spans have no defined negatives, so the standard figure for entities is pairwise F1: with A
as reference and B as prediction, F1 = 2·matched / (2·matched + only A + only B), which is
the same either way round. "Relaxed" F1 counts two spans of the same label as matched when
they overlap (each span matched at most once). The chance-corrected figures label every
non-space token with the entity that covers it (or `O`) and compare those labels.

Stances match as frames when their holders refer to the same thing and each target covers at
least half of the other (the `evaluate` rule, made symmetric); over matched frames the
polarity agreement is Cohen's kappa, and stance F1 counts frames that also agree on polarity.

A pair of annotations with nothing in them agrees fully (F1 1.0): both said "no entity".
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from annotator.core.evaluate import StanceItem, same_referent, target_covered

OUTSIDE = "O"


@dataclass(frozen=True)
class Annotation:
    """One annotator's finished annotations of one document, as agreement compares them."""

    key: int
    text: str
    title: str
    tokens: Sequence[tuple[int, int]]  # character ranges of the non-space tokens
    entities: tuple[tuple[int, int, str], ...]  # (start, end, label), sorted by start
    stances: tuple[StanceItem, ...] = ()


@dataclass(frozen=True)
class Counts:
    """Matched items and the items only one side has, with the F1 they give."""

    matched: int = 0
    only_a: int = 0
    only_b: int = 0

    @property
    def f1(self) -> float:
        total = 2 * self.matched + self.only_a + self.only_b
        return 2 * self.matched / total if total else 1.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.matched + other.matched, self.only_a + other.only_a, self.only_b + other.only_b
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "f1": round(self.f1, 4),
            "matched": self.matched,
            "only_a": self.only_a,
            "only_b": self.only_b,
        }


def cohen_kappa(confusion: Mapping[tuple[str, str], int]) -> float | None:
    """Cohen's kappa of two raters from counts of (label by A, label by B).

    None when chance agreement is total (both gave one and the same label everywhere):
    kappa is undefined there.
    """
    n = sum(confusion.values())
    if n == 0:
        return None
    observed = sum(count for (a, b), count in confusion.items() if a == b) / n
    by_a: Counter[str] = Counter()
    by_b: Counter[str] = Counter()
    for (a, b), count in confusion.items():
        by_a[a] += count
        by_b[b] += count
    expected = sum(by_a[label] * by_b[label] for label in by_a) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def binary_confusion(
    confusion: Mapping[tuple[str, str], int], label: str
) -> dict[tuple[str, str], int]:
    """The confusion of one label against everything else (token is `label` or not)."""
    binary: Counter[tuple[str, str]] = Counter()
    for (a, b), count in confusion.items():
        binary[(str(a == label), str(b == label))] += count
    return dict(binary)


@dataclass(frozen=True)
class LabelAgreement:
    """Agreement on one entity label."""

    exact: Counts
    relaxed: Counts
    kappa: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            **self.exact.to_json(),
            "relaxed_f1": round(self.relaxed.f1, 4),
            "kappa": _rounded(self.kappa),
        }


@dataclass(frozen=True)
class EntityAgreement:
    """Agreement of a pair on entity spans, overall and per label."""

    exact: Counts
    relaxed: Counts
    unlabelled: Counts  # exact boundaries, whatever the labels
    kappa: float | None  # token level, all labels at once
    per_label: dict[str, LabelAgreement]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.exact.to_json(),
            "relaxed_f1": round(self.relaxed.f1, 4),
            "relaxed_matched": self.relaxed.matched,
            "unlabelled_f1": round(self.unlabelled.f1, 4),
            "token_kappa": _rounded(self.kappa),
            "per_label": {k: v.to_json() for k, v in sorted(self.per_label.items())},
        }


@dataclass(frozen=True)
class StanceAgreement:
    """Agreement of a pair on stances: frames (holder + target), then polarity on those."""

    frames: Counts
    labelled: Counts  # frames that agree on polarity too: the stance pair F1
    polarity_kappa: float | None
    polarity_agreement: float | None  # share of matched frames with the same polarity

    def to_json(self) -> dict[str, Any]:
        return {
            **self.labelled.to_json(),
            "frame_f1": round(self.frames.f1, 4),
            "frames_matched": self.frames.matched,
            "polarity_kappa": _rounded(self.polarity_kappa),
            "polarity_agreement": _rounded(self.polarity_agreement),
        }


@dataclass(frozen=True)
class PairAgreement:
    """Everything measured between two annotators over the documents both annotated."""

    a: str
    b: str
    documents: int
    only_in_a: int  # documents A annotated and B did not
    only_in_b: int
    entities: EntityAgreement
    stances: StanceAgreement

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "documents": self.documents,
            "only_in_a": self.only_in_a,
            "only_in_b": self.only_in_b,
            "entities": self.entities.to_json(),
            "stances": self.stances.to_json(),
        }


@dataclass(frozen=True)
class DocumentAgreement:
    """One document's entity F1 for each pair that annotated it."""

    key: int
    title: str
    pair_f1: dict[tuple[str, str], float]

    @property
    def lowest(self) -> float:
        return min(self.pair_f1.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "_input_hash": self.key,
            "title": self.title,
            "f1": round(self.lowest, 4),
            "pairs": [
                {"a": a, "b": b, "f1": round(f1, 4)} for (a, b), f1 in sorted(self.pair_f1.items())
            ],
        }


@dataclass(frozen=True)
class Agreement:
    """What `annotator agree` reports."""

    annotators: tuple[str, ...]
    pairs: tuple[PairAgreement, ...]
    documents: tuple[DocumentAgreement, ...]  # lowest agreement first
    alpha: float | None  # Krippendorff's alpha, nominal, token level, every annotator
    notes: tuple[str, ...] = field(default=())

    def pair(self, a: str, b: str) -> PairAgreement:
        for pair in self.pairs:
            if {pair.a, pair.b} == {a, b}:
                return pair
        raise KeyError((a, b))

    def to_json(self) -> dict[str, Any]:
        return {
            "annotators": list(self.annotators),
            "krippendorff_alpha": _rounded(self.alpha),
            "pairs": [p.to_json() for p in self.pairs],
            "per_document": [d.to_json() for d in self.documents],
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while millions of small acyclic objects are made (it
    would walk them again and again: a third of the time of reading 30,000 records)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- matching -----------------------------------------------------------------------------


def overlap_matches(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> int:
    """Most one-to-one pairs of overlapping ranges; each side sorted and without overlaps.

    On two such sequences a left-to-right sweep that pairs overlapping heads is optimal.
    """
    i = j = matched = 0
    while i < len(a) and j < len(b):
        if a[i][0] < b[j][1] and b[j][0] < a[i][1]:
            matched += 1
            i += 1
            j += 1
        elif a[i][1] <= b[j][0]:
            i += 1
        else:
            j += 1
    return matched


def maximum_matching(
    a: Sequence[StanceItem],
    b: Sequence[StanceItem],
    fits: Callable[[StanceItem, StanceItem], bool],
    taken_a: frozenset[int] = frozenset(),
    taken_b: frozenset[int] = frozenset(),
) -> list[tuple[int, int]]:
    """A maximum one-to-one matching (augmenting paths) of items that fit each other."""
    partner_of_b: dict[int, int] = {}

    def assign(i: int, seen: set[int]) -> bool:
        for j, candidate in enumerate(b):
            if j in taken_b or j in seen or not fits(a[i], candidate):
                continue
            seen.add(j)
            if j not in partner_of_b or assign(partner_of_b[j], seen):
                partner_of_b[j] = i
                return True
        return False

    for i in range(len(a)):
        if i not in taken_a:
            assign(i, set())
    return sorted((i, j) for j, i in partner_of_b.items())


def same_frame(a: StanceItem, b: StanceItem) -> bool:
    """The same holder, and each target covers at least half of the other."""
    if a.holder == b.holder and a.target == b.target:
        return True  # the common case, without comparing texts
    # The targets first: comparing holders may normalise their texts.
    return (
        target_covered(a.target, b.target)
        and target_covered(b.target, a.target)
        and same_referent(a.holder, b.holder)
    )


def same_stance(a: StanceItem, b: StanceItem) -> bool:
    """The same frame and the same polarity."""
    return a.label == b.label and same_frame(a, b)


def stance_pairs(
    a: Sequence[StanceItem], b: Sequence[StanceItem]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(pairs agreeing on polarity too, pairs agreeing on the frame only).

    Same-polarity pairs are matched first, so a relabel never hides a full agreement.
    """
    full = maximum_matching(a, b, same_stance)
    rest = maximum_matching(
        a,
        b,
        same_frame,
        taken_a=frozenset(i for i, _ in full),
        taken_b=frozenset(j for _, j in full),
    )
    return full, rest


# --- one document -------------------------------------------------------------------------


def token_labels(
    tokens: Sequence[tuple[int, int]] | tuple[list[int], list[int]],
    entities: Sequence[tuple[int, int, str]],
) -> dict[int, str]:
    """The label of each token an entity covers (any overlap), by token position; the
    tokens missing are `O`. Sparse, because most tokens of a text are outside every entity.

    `tokens` may come as (starts, ends) lists already, to split a document's tokens once.
    """
    starts, ends = tokens if isinstance(tokens, tuple) else _edges(tokens)
    labels: dict[int, str] = {}
    for start, end, label in entities:
        for position in range(bisect_right(ends, start), bisect_left(starts, end)):
            labels[position] = label
    return labels


def _edges(tokens: Sequence[tuple[int, int]]) -> tuple[list[int], list[int]]:
    return [start for start, _ in tokens], [end for _, end in tokens]


def _by_label(entities: Iterable[tuple[int, int, str]]) -> dict[str, list[tuple[int, int]]]:
    grouped: dict[str, list[tuple[int, int]]] = {}
    for start, end, label in entities:
        grouped.setdefault(label, []).append((start, end))
    return grouped


@dataclass
class _PairTally:
    """Running sums of one pair over its documents."""

    documents: int = 0
    # label -> [matched, only A, only B, overlapping, only A, only B]: ints, as this runs
    # once per label, document and pair.
    per_label: dict[str, list[int]] = field(default_factory=dict)
    unlabelled: Counts = field(default_factory=Counts)
    tokens: Counter[tuple[str, str]] = field(default_factory=Counter)
    frames: Counts = field(default_factory=Counts)
    labelled: Counts = field(default_factory=Counts)
    polarity: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(
        self,
        a: Annotation,
        b: Annotation,
        labels_a: dict[int, str],
        labels_b: dict[int, str],
        token_count: int,
    ) -> float:
        """Count one document; returns its exact entity F1."""
        self.documents += 1
        all_matched = 0
        grouped_a, grouped_b = _by_label(a.entities), _by_label(b.entities)
        for label in grouped_a.keys() | grouped_b.keys():
            spans_a, spans_b = grouped_a.get(label, []), grouped_b.get(label, [])
            matched = len(set(spans_a).intersection(spans_b))
            overlapping = overlap_matches(spans_a, spans_b)
            tally = self.per_label.setdefault(label, [0] * 6)
            tally[0] += matched
            tally[1] += len(spans_a) - matched
            tally[2] += len(spans_b) - matched
            tally[3] += overlapping
            tally[4] += len(spans_a) - overlapping
            tally[5] += len(spans_b) - overlapping
            all_matched += matched
        document = Counts(all_matched, len(a.entities) - all_matched, len(b.entities) - all_matched)
        ranges_a = {(s, e) for s, e, _ in a.entities}
        ranges_b = {(s, e) for s, e, _ in b.entities}
        same = len(ranges_a & ranges_b)
        self.unlabelled = self.unlabelled + Counts(same, len(ranges_a) - same, len(ranges_b) - same)
        labelled_tokens = labels_a.keys() | labels_b.keys()
        for position in labelled_tokens:
            self.tokens[(labels_a.get(position, OUTSIDE), labels_b.get(position, OUTSIDE))] += 1
        self.tokens[(OUTSIDE, OUTSIDE)] += token_count - len(labelled_tokens)
        if a.stances or b.stances:
            self._add_stances(a.stances, b.stances)
        return document.f1

    def _add_stances(self, a: Sequence[StanceItem], b: Sequence[StanceItem]) -> None:
        full, frame_only = stance_pairs(a, b)
        frames = len(full) + len(frame_only)
        self.frames = self.frames + Counts(frames, len(a) - frames, len(b) - frames)
        self.labelled = self.labelled + Counts(len(full), len(a) - len(full), len(b) - len(full))
        for i, j in full + frame_only:
            self.polarity[(a[i].label, b[j].label)] += 1

    def result(self, a: str, b: str, only_in_a: int, only_in_b: int) -> PairAgreement:
        per_label = {
            label: LabelAgreement(
                exact=Counts(*counts[:3]),
                relaxed=Counts(*counts[3:]),
                kappa=cohen_kappa(binary_confusion(self.tokens, label)),
            )
            for label, counts in self.per_label.items()
        }
        matched_frames = sum(self.polarity.values())
        same_polarity = sum(n for (x, y), n in self.polarity.items() if x == y)
        return PairAgreement(
            a=a,
            b=b,
            documents=self.documents,
            only_in_a=only_in_a,
            only_in_b=only_in_b,
            entities=EntityAgreement(
                exact=sum((x.exact for x in per_label.values()), Counts()),
                relaxed=sum((x.relaxed for x in per_label.values()), Counts()),
                unlabelled=self.unlabelled,
                kappa=cohen_kappa(self.tokens),
                per_label=per_label,
            ),
            stances=StanceAgreement(
                frames=self.frames,
                labelled=self.labelled,
                polarity_kappa=cohen_kappa(self.polarity),
                polarity_agreement=same_polarity / matched_frames if matched_frames else None,
            ),
        )


# --- everyone -----------------------------------------------------------------------------


def group_documents(
    annotations: Mapping[str, Iterable[Annotation]],
) -> dict[int, dict[str, Annotation]]:
    """Each document's annotations by annotator; records pair by `_input_hash`, else text.

    An annotator's later record of the same document replaces the earlier one.
    """
    by_key: dict[int, int] = {}
    by_text: dict[str, int] = {}
    documents: dict[int, dict[str, Annotation]] = {}
    for annotator, records in annotations.items():
        for record in records:
            document = by_key.get(record.key)
            if document is None:
                document = by_text.get(record.text, len(documents))
            by_key.setdefault(record.key, document)
            by_text.setdefault(record.text, document)
            documents.setdefault(document, {})[annotator] = record
    return documents


def compute_agreement(annotations: Mapping[str, Iterable[Annotation]]) -> Agreement:
    """Agreement between every pair of annotators (in name order) over their documents.

    Token-level figures use the tokens of the first annotator (in name order) of each
    document, so tokenizations that differ between files still compare.
    """
    with cycle_collection_paused():
        return _compute(annotations)


def _compute(annotations: Mapping[str, Iterable[Annotation]]) -> Agreement:
    names = tuple(sorted(annotations))
    documents = group_documents(annotations)
    tallies = {pair: _PairTally() for pair in combinations(names, 2)}
    only: Counter[tuple[str, str, str]] = Counter()
    per_document: list[DocumentAgreement] = []
    units: Counter[tuple[str, ...]] = Counter()  # alpha's units: the labels given to a token
    for versions in documents.values():
        present = sorted(versions)
        for a, b in combinations(names, 2):
            if (a in versions) != (b in versions):
                only[(a, b, a if a in versions else b)] += 1
        if len(present) < 2:
            continue
        reference = versions[present[0]]
        count = len(reference.tokens)
        edges = _edges(reference.tokens)
        labels = {name: token_labels(edges, versions[name].entities) for name in present}
        pair_f1 = {
            (a, b): tallies[(a, b)].add(versions[a], versions[b], labels[a], labels[b], count)
            for a, b in combinations(present, 2)
        }
        per_document.append(DocumentAgreement(reference.key, reference.title, pair_f1))
        labelled = set().union(*(found.keys() for found in labels.values()))
        for position in labelled:
            units[tuple(sorted(labels[name].get(position, OUTSIDE) for name in present))] += 1
        units[(OUTSIDE,) * len(present)] += count - len(labelled)
    per_document.sort(key=lambda d: (d.lowest, d.title))
    pairs = tuple(
        tally.result(a, b, only[(a, b, a)], only[(a, b, b)]) for (a, b), tally in tallies.items()
    )
    return Agreement(
        annotators=names,
        pairs=pairs,
        documents=tuple(per_document),
        alpha=nominal_alpha(units),
    )


def nominal_alpha(units: Mapping[tuple[str, ...], int]) -> float | None:
    """Krippendorff's alpha for nominal data, from how many units got each multiset of values.

    The `krippendorff` package computes the same figure (the tests check it does) but wants
    one column per unit; a million tokens, most of them `O` for everyone, are counted here
    once per distinct set of values instead. None when there is no variation to correct
    for chance (one value throughout).
    """
    coincidences: dict[tuple[str, str], float] = {}
    for values, count in units.items():
        pairable = len(values)
        if pairable < 2 or count == 0:
            continue
        tally = Counter(values)
        for c, n_c in tally.items():
            for k, n_k in tally.items():
                share = count * n_c * (n_k - (c == k)) / (pairable - 1)
                coincidences[(c, k)] = coincidences.get((c, k), 0.0) + share
    totals: dict[str, float] = {}
    for (c, _), value in coincidences.items():
        totals[c] = totals.get(c, 0.0) + value
    n = sum(totals.values())
    observed = sum(value for (c, k), value in coincidences.items() if c != k)
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k)
    if expected == 0:
        return None
    return 1.0 - (n - 1) * observed / expected

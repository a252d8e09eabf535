"""The figures agreement reports, and the statistics behind them: F1 from counts, Cohen's
kappa from a confusion, Krippendorff's alpha from coincidences; `to_json` gives `agree --json`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

OUTSIDE = "O"  # the label of a token no entity covers


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

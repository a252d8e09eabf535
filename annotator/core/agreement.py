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

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import NamedTuple

from annotator.core.agreement_figures import (
    OUTSIDE,
    Agreement,
    Counts,
    DocumentAgreement,
    EntityAgreement,
    LabelAgreement,
    PairAgreement,
    StanceAgreement,
    binary_confusion,
    cohen_kappa,
    nominal_alpha,
)
from annotator.core.agreement_matching import (
    TokenEdges,
    overlap_matches,
    stance_pairs,
    token_labels,
)
from annotator.core.evaluate import StanceItem
from annotator.core.jsoncodec import cycle_collection_paused as cycle_collection_paused


@dataclass(frozen=True)
class Annotation:
    """One annotator's finished annotations of one document, as agreement compares them."""

    key: int
    text: str
    title: str
    tokens: TokenEdges  # of the non-space tokens
    entities: tuple[tuple[int, int, str], ...]  # (start, end, label), sorted by start
    stances: tuple[StanceItem, ...] = ()


class ReadRecord(NamedTuple):
    """A record of an export file as agreement reads it."""

    answer: str | None
    annotator: str | None
    annotation: Annotation
    reviewed: bool  # the record carries `versions`: a reviewer's gold





@dataclass(frozen=True)
class _Prepared:
    """What every pair needs of one annotator's version of a document, worked out once."""

    annotation: Annotation
    by_label: dict[str, list[tuple[int, int]]]  # (start, end) of the label's spans, sorted
    ranges: frozenset[tuple[int, int]]
    token_labels: dict[int, str]

    @classmethod
    def of(cls, annotation: Annotation, tokens: TokenEdges) -> _Prepared:
        by_label: dict[str, list[tuple[int, int]]] = {}
        for start, end, label in annotation.entities:
            by_label.setdefault(label, []).append((start, end))
        ranges = frozenset((start, end) for start, end, _ in annotation.entities)
        return cls(annotation, by_label, ranges, token_labels(tokens, annotation.entities))


@dataclass
class _PairTally:
    """Running sums of one pair over its documents."""

    documents: int = 0
    # label -> [matched, only A, only B, overlapping, only A, only B]: ints, as this runs
    # once per label, document and pair.
    per_label: dict[str, list[int]] = field(default_factory=dict)
    unlabelled: list[int] = field(default_factory=lambda: [0, 0, 0])
    tokens: Counter[tuple[str, str]] = field(default_factory=Counter)
    frames: Counts = field(default_factory=Counts)
    labelled: Counts = field(default_factory=Counts)
    polarity: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, a: _Prepared, b: _Prepared, token_count: int) -> float:
        """Count one document; returns its exact entity F1."""
        self.documents += 1
        all_matched = 0
        grouped_a, grouped_b = a.by_label, b.by_label
        for label in grouped_a.keys() | grouped_b.keys():
            spans_a, spans_b = grouped_a.get(label, []), grouped_b.get(label, [])
            matched = len(set(spans_a).intersection(spans_b))
            overlapping = overlap_matches(spans_a, spans_b)
            tally = self.per_label.get(label)
            if tally is None:
                tally = self.per_label[label] = [0] * 6
            tally[0] += matched
            tally[1] += len(spans_a) - matched
            tally[2] += len(spans_b) - matched
            tally[3] += overlapping
            tally[4] += len(spans_a) - overlapping
            tally[5] += len(spans_b) - overlapping
            all_matched += matched
        entities_a, entities_b = len(a.annotation.entities), len(b.annotation.entities)
        same = len(a.ranges & b.ranges)
        unlabelled = self.unlabelled
        unlabelled[0] += same
        unlabelled[1] += len(a.ranges) - same
        unlabelled[2] += len(b.ranges) - same
        labels_a, labels_b = a.token_labels, b.token_labels
        labelled_tokens = labels_a.keys() | labels_b.keys()
        tokens = self.tokens
        for position in labelled_tokens:
            tokens[(labels_a.get(position, OUTSIDE), labels_b.get(position, OUTSIDE))] += 1
        tokens[(OUTSIDE, OUTSIDE)] += token_count - len(labelled_tokens)
        stances_a, stances_b = a.annotation.stances, b.annotation.stances
        if stances_a or stances_b:
            self._add_stances(stances_a, stances_b)
        total = entities_a + entities_b
        return 2 * all_matched / total if total else 1.0

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
                unlabelled=Counts(*self.unlabelled),
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
        prepared = [_Prepared.of(versions[name], reference.tokens) for name in present]
        pair_f1: dict[tuple[str, str], float] = {}
        for (name_a, version_a), (name_b, version_b) in combinations(
            zip(present, prepared, strict=True), 2
        ):
            pair_f1[(name_a, name_b)] = tallies[(name_a, name_b)].add(version_a, version_b, count)
        per_document.append(DocumentAgreement(reference.key, reference.title, pair_f1))
        labels = [version.token_labels for version in prepared]
        labelled = set().union(*labels)
        for position in labelled:
            units[tuple(sorted([found.get(position, OUTSIDE) for found in labels]))] += 1
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


"""How agreement pairs items of two annotators: overlapping spans, stance frames (a maximum
one-to-one matching), and the entity label each token carries.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from annotator.core.evaluate import StanceItem, same_referent, target_covered


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
    if a == b:  # the common case: every item matches its twin, a maximum matching
        return [(i, i) for i in range(len(a))], []
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


@dataclass(frozen=True)
class TokenEdges:
    """Where each non-space token of a document starts and ends, as two sorted lists (what
    bisect wants; a tuple per token would cost more to make than to use)."""

    starts: Sequence[int]
    ends: Sequence[int]

    @classmethod
    def of(cls, ranges: Iterable[tuple[int, int]]) -> TokenEdges:
        """From (start, end) ranges."""
        pairs = list(ranges)
        return cls([start for start, _ in pairs], [end for _, end in pairs])

    def __len__(self) -> int:
        return len(self.starts)


def token_labels(tokens: TokenEdges, entities: Sequence[tuple[int, int, str]]) -> dict[int, str]:
    """The label of each token an entity covers (any overlap), by token position; the
    tokens missing are `O`. Sparse, because most tokens of a text are outside every entity.
    """
    starts, ends = tokens.starts, tokens.ends
    labels: dict[int, str] = {}
    for start, end, label in entities:
        for position in range(bisect_right(ends, start), bisect_left(starts, end)):
            labels[position] = label
    return labels

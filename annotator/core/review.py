"""Review: several annotators' versions of a document become one gold version.

A *unit* is what a reviewer decides at once: a cluster of entity spans that overlap across
annotators, or a stance frame (stances whose holder and target match across annotators).
Each annotator's *version* of a unit is what they put there; "no span" is a version too.
Units where every annotator gave the same version are merged into the reviewer's state
before the reviewer sees the document; the others wait for a decision.

A unit counts as resolved when the reviewer's state holds anything over it: a version taken
(a span, or, for "no span", the annotators' spans as rejected ones, which export as negative
examples), or an edit of the reviewer's own. So what is resolved is read from the store,
and undo makes a unit unresolved again. Pure: no Textual, no files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from annotator.core.agreement_matching import same_frame
from annotator.core.commands import Change, EditCommand, EditContext, EditRefused
from annotator.core.evaluate import StanceItem
from annotator.core.model import DocumentState, Span, Stance

UnitKind = Literal["entity", "stance"]
Version = tuple[Span | Stance, ...]  # an annotator's spans (or stances) in one unit
MERGE_COMMAND = "review_merge"
TAKE_COMMAND = "review_take"
# A state whose log holds one of these is a reviewer's gold version, not an annotator's.
REVIEW_COMMANDS = frozenset({MERGE_COMMAND, TAKE_COMMAND})


def span_key(span: Span) -> tuple[int, int, str]:
    return (span.start, span.end, span.label)


def stance_key(stance: Stance) -> tuple[object, ...]:
    def ref(value: object) -> object:
        return None if value is None else (value.start, value.end)  # type: ignore[attr-defined]

    return (stance.label, ref(stance.holder), ref(stance.target), ref(stance.evidence))


def version_key(version: Version) -> tuple[object, ...]:
    """What makes two versions the same: the spans' offsets and labels, or the stances'
    polarity, holder, target and evidence (not ids, statuses or sources)."""
    keys = [span_key(i) if isinstance(i, Span) else stance_key(i) for i in version]
    return tuple(sorted(keys, key=repr))


@dataclass(frozen=True)
class Unit:
    """One decision of the reviewer: every annotator's version of one region or frame."""

    id: str
    kind: UnitKind
    start: int  # the characters the unit covers (its spans', or its stances' evidence)
    end: int
    versions: Mapping[str, Version]  # annotator -> their items here (empty: "no span")

    @property
    def agreed(self) -> bool:
        return len({version_key(v) for v in self.versions.values()}) == 1

    def groups(self) -> list[tuple[tuple[str, ...], Version]]:
        """The distinct versions, each with the annotators who gave it, most given first."""
        found: dict[tuple[object, ...], list[str]] = {}
        for name in sorted(self.versions):
            found.setdefault(version_key(self.versions[name]), []).append(name)
        groups = [(tuple(names), self.versions[names[0]]) for names in found.values()]
        return sorted(groups, key=lambda g: (-len(g[0]), g[0]))

    def majority(self) -> str | None:
        """An annotator whose version more annotators gave than any other, if there is one."""
        groups = self.groups()
        if len(groups) == 1 or len(groups[0][0]) > len(groups[1][0]):
            return groups[0][0][0]
        return None


def _live_spans(state: DocumentState) -> list[Span]:
    return [s for s in state.spans if s.status != "rejected"]


def _live_stances(state: DocumentState) -> list[Stance]:
    return [s for s in state.stances if s.status != "rejected"]


def _frame(stance: Stance) -> StanceItem:
    return StanceItem(label=stance.label, holder=stance.holder, target=stance.target)


def find_units(states: Mapping[str, DocumentState]) -> list[Unit]:
    """The units of a document from each annotator's finished state, in text order."""
    names = sorted(states)
    units: list[Unit] = []
    tagged = sorted(
        (
            (span.start, span.end, name, span)
            for name in names
            for span in _live_spans(states[name])
        ),
        key=lambda t: (t[0], t[1], t[2]),
    )
    cluster: list[tuple[int, int, str, Span]] = []
    cluster_end = -1
    for item in [*tagged, None]:
        if item is not None and (not cluster or item[0] < cluster_end):
            cluster.append(item)
            cluster_end = max(cluster_end, item[1])
            continue
        if cluster:
            versions = {n: tuple(s for _, _, owner, s in cluster if owner == n) for n in names}
            start = min(c[0] for c in cluster)
            units.append(Unit("", "entity", start, cluster_end, versions))
        if item is not None:
            cluster, cluster_end = [item], item[1]
    units.extend(_stance_units(states, names))
    units.sort(key=lambda u: (u.start, u.kind, u.end))
    return [
        Unit(f"u{number}", u.kind, u.start, u.end, u.versions) for number, u in enumerate(units)
    ]


def _stance_units(states: Mapping[str, DocumentState], names: Sequence[str]) -> list[Unit]:
    """Stances grouped into frames (same holder and target) across annotators."""
    frames: list[list[tuple[str, Stance]]] = []
    for name in names:
        for stance in _live_stances(states[name]):
            home = next(
                (f for f in frames if any(same_frame(_frame(s), _frame(stance)) for _, s in f)),
                None,
            )
            if home is None:
                frames.append([(name, stance)])
            else:
                home.append((name, stance))
    units = []
    for frame in frames:
        versions = {n: tuple(s for owner, s in frame if owner == n) for n in names}
        start = min(s.evidence.start for _, s in frame)
        end = max(s.evidence.end for _, s in frame)
        units.append(Unit("", "stance", start, end, versions))
    return units


def covers(state: DocumentState, unit: Unit) -> bool:
    """Whether the reviewer's state holds anything over the unit (so it is resolved)."""
    if unit.kind == "entity":
        return any(s.start < unit.end and unit.start < s.end for s in state.spans)
    frames = [_frame(s) for v in unit.versions.values() for s in v if isinstance(s, Stance)]
    return any(same_frame(_frame(mine), f) for mine in state.stances for f in frames)


def unresolved(state: DocumentState, units: Iterable[Unit]) -> list[Unit]:
    """The units the reviewer has not decided yet, in text order."""
    return [u for u in units if not u.agreed and not covers(state, u)]


def _fresh_ids(prefix: str, taken: Iterable[str], count: int) -> list[str]:
    used = set(taken)
    ids: list[str] = []
    number = 0
    while len(ids) < count:
        candidate = f"{prefix}{number}"
        if candidate not in used:
            ids.append(candidate)
        number += 1
    return ids


def _copies(
    items: Sequence[Span | Stance], prefix: str, taken: Iterable[str], status: str
) -> list[Span | Stance]:
    ids = _fresh_ids(prefix, taken, len(items))
    return [item.with_changes(id=i, status=status) for item, i in zip(items, ids, strict=True)]


def _over(state: DocumentState, unit: Unit) -> tuple[tuple[Span, ...], tuple[Stance, ...]]:
    """The reviewer's items over a unit: what taking a version replaces."""
    if unit.kind == "entity":
        spans = tuple(s for s in state.spans if s.start < unit.end and unit.start < s.end)
        return spans, ()
    frames = [_frame(s) for v in unit.versions.values() for s in v if isinstance(s, Stance)]
    stances = tuple(s for s in state.stances if any(same_frame(_frame(s), f) for f in frames))
    return (), stances


@dataclass(frozen=True)
class TakeVersion(EditCommand):
    """Put one annotator's version of a unit in the reviewer's state, replacing what the
    reviewer had there; "no span" puts the others' items in as rejected (negatives)."""

    unit: Unit
    annotator: str
    name = TAKE_COMMAND

    def plan(self, state: DocumentState, context: EditContext) -> Change:
        if self.annotator not in self.unit.versions:
            raise EditRefused(f"{self.annotator} did not annotate this document")
        version = self.unit.versions[self.annotator]
        spans_before, stances_before = _over(state, self.unit)
        kept_span_ids = {s.id for s in state.spans} - {s.id for s in spans_before}
        kept_stance_ids = {s.id for s in state.stances} - {s.id for s in stances_before}
        if version:
            chosen: Sequence[Span | Stance] = version
            status = "accepted"
            what = "version"
        else:
            others = {version_key((i,)): i for v in self.unit.versions.values() for i in v}
            chosen = list(others.values())
            status = "rejected"
            what = "no-span version" if self.unit.kind == "entity" else "no-stance version"
        taken = kept_span_ids if self.unit.kind == "entity" else kept_stance_ids
        prefix = "e" if self.unit.kind == "entity" else "t"
        copies = _copies(chosen, prefix, taken, status)
        spans_after = tuple(c for c in copies if isinstance(c, Span))
        stances_after = tuple(c for c in copies if isinstance(c, Stance))
        where = context.text[self.unit.start : self.unit.end][:40]
        return Change(
            self.name,
            f"take {self.annotator}'s {what} of {where!r}",
            spans_before=spans_before,
            spans_after=spans_after,
            stances_before=stances_before,
            stances_after=stances_after,
            answer_before=state.answer,
            answer_after=state.answer,
        )


def merged_state(units: Iterable[Unit]) -> DocumentState:
    """The reviewer's starting state: every agreed unit, as its annotators gave it."""
    spans: list[Span] = []
    stances: list[Stance] = []
    for unit in units:
        if not unit.agreed:
            continue
        version = next(iter(unit.versions.values()))
        spans.extend(i for i in version if isinstance(i, Span))
        stances.extend(i for i in version if isinstance(i, Stance))
    span_ids = _fresh_ids("e", (), len(spans))
    stance_ids = _fresh_ids("t", (), len(stances))
    return DocumentState(
        spans=tuple(
            s.with_changes(id=i, status="accepted")
            for s, i in zip(sorted(spans, key=lambda s: s.start), span_ids, strict=True)
        ),
        stances=tuple(
            s.with_changes(id=i, status="accepted")
            for s, i in zip(stances, stance_ids, strict=True)
        ),
    )


def merge_change(current: DocumentState, merged: DocumentState) -> Change:
    """The change that starts a review: whatever the reviewer's state held (the model's
    suggestions, say) is replaced by the agreed units."""
    count = len(merged.spans) + len(merged.stances)
    return Change(
        MERGE_COMMAND,
        f"merge {count} agreed unit{'s' if count != 1 else ''}",
        spans_before=current.spans,
        spans_after=merged.spans,
        stances_before=current.stances,
        stances_after=merged.stances,
        answer_before=current.answer,
        answer_after=current.answer,
    )

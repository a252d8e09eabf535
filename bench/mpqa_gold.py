"""MPQA 2.0 opinions as the stance benches read them, and how a suggestion is matched.

Gold is every Positive/Negative opinion with a holder (MPQA's Source) and a target; every
opinion's polar expression is kept too, to say what MPQA has where a wrong suggestion's cue
is. Used by bench/external_quality.py; nothing here ships.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

POLARITY = {"Positive": "FAVOR", "Negative": "AGAINST"}
SOURCELESS = "no source in the sentence"  # the writer's, or a source named elsewhere

@dataclass(frozen=True)
class GoldOpinion:
    holder: tuple[tuple[int, int], ...]
    target: tuple[tuple[int, int], ...]
    label: str


def _ranges(part: list[list[str]], offset: int) -> tuple[tuple[int, int], ...]:
    found = []
    for item in part[1]:
        start, end = item.split(":")
        found.append((int(start) + offset, int(end) + offset))
    return tuple(found)


@dataclass(frozen=True)
class Expression:
    """Any MPQA opinion's polar expression, with what the gold keeps of it."""

    start: int
    end: int
    kind: str  # "gold", SOURCELESS, "no target", "neutral"


def read_mpqa(path: Path, limit: int | None) -> tuple[list[str], list[list[GoldOpinion]]]:
    """One text per MPQA document (its sentences joined by spaces) and its gold opinions."""
    texts, golds, _ = read_mpqa_expressions(path, limit)
    return texts, golds


def read_mpqa_expressions(
    path: Path, limit: int | None
) -> tuple[list[str], list[list[GoldOpinion]], list[list[Expression]]]:
    """`read_mpqa`, plus every opinion's polar expression by document."""
    sentences = json.loads(path.read_text(encoding="utf-8"))
    order: list[str] = []
    parts: dict[str, list[dict[str, Any]]] = {}
    for sentence in sentences:
        document = sentence["sent_id"].rsplit("-", 1)[0]
        if document not in parts:
            order.append(document)
            parts[document] = []
        parts[document].append(sentence)
    texts, golds, expressions = [], [], []
    for document in order[:limit] if limit else order:
        text = ""
        gold = []
        found: list[Expression] = []
        for sentence in parts[document]:
            offset = len(text) + (1 if text else 0)
            text = f"{text} {sentence['text']}" if text else sentence["text"]
            for opinion in sentence["opinions"]:
                label = POLARITY.get(opinion.get("Polarity") or "")
                if label and opinion["Source"][0] and opinion["Target"][0]:
                    gold.append(
                        GoldOpinion(
                            _ranges(opinion["Source"], offset),
                            _ranges(opinion["Target"], offset),
                            label,
                        )
                    )
                kind = (
                    "neutral"
                    if not label
                    else SOURCELESS
                    if not opinion["Source"][0]
                    else "no target"
                    if not opinion["Target"][0]
                    else "gold"
                )
                for start, end in _ranges(opinion["Polar_expression"], offset):
                    found.append(Expression(start, end, kind))
        texts.append(text)
        golds.append(gold)
        expressions.append(found)
    return texts, golds, expressions


def overlaps(role: dict[str, Any] | None, ranges: Iterable[tuple[int, int]]) -> bool:
    return role is not None and any(
        role["start"] < end and start < role["end"] for start, end in ranges
    )


def source_of(stance: dict[str, Any], rule: str) -> dict[str, Any] | None:
    """The role compared with MPQA's Source: the holder ("holder" rule), or the speaker when
    there is one, else the holder ("source" rule: the outermost source below the writer)."""
    if rule == "source" and stance.get("speaker"):
        speaker: dict[str, Any] = stance["speaker"]
        return speaker
    holder: dict[str, Any] | None = stance["holder"]
    return holder


def matches(stance: dict[str, Any], gold: GoldOpinion, rule: str = "holder") -> bool:
    return (
        stance["label"] == gold.label
        and overlaps(source_of(stance, rule), gold.holder)
        and overlaps(stance["target"], gold.target)
    )


def at_cue(stance: dict[str, Any], expressions: Iterable[Expression]) -> str:
    """What MPQA has at a suggestion's cue (the first expression overlapping it)."""
    cue = stance["cue"]
    for found in expressions:
        if found.start < cue["end"] and cue["start"] < found.end:
            if found.kind == "gold":
                return "a gold opinion (holder, target or label differ)"
            return f"an opinion with {found.kind}"
    return "no opinion"


def failed_roles(stance: dict[str, Any], gold: Iterable[GoldOpinion], rule: str = "holder") -> str:
    """For a wrong suggestion, which roles differ from the gold opinion it comes closest to
    (most roles matching): "holder", "target", "label" or several; "" without gold."""
    best: tuple[int, str] | None = None
    for opinion in gold:
        failed = [
            name
            for name, ok in (
                ("holder", overlaps(source_of(stance, rule), opinion.holder)),
                ("target", overlaps(stance["target"], opinion.target)),
                ("label", stance["label"] == opinion.label),
            )
            if not ok
        ]
        if best is None or len(failed) < best[0]:
            best = (len(failed), "+".join(failed))
    return best[1] if best else ""

"""A small made-up corpus with a label no pretrained pipeline knows: GADGET.

Every sentence is built from a template whose slots say where the annotations go, so the
annotations are consistent by construction: each gadget name is a GADGET entity, and each
opinion clause is stance evidence (FAVOR or AGAINST) with its holder, cue and target.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.corpus import input_hash
from annotator.core.export import export_record
from annotator.core.model import Document, DocumentState, Span, Stance, TextRef
from annotator.core.tokens import TokenIndex
from annotator.nlp.pipeline import blank_tokenizer

GADGETS = ["Zorbix", "Quillet", "Nimbulator", "Frobtron", "Vextra", "Plumbix", "Gizmotron"]
PEOPLE = ["Maria", "Tom", "Aisha", "Kenji", "Lena", "Omar", "Priya", "Jonas"]
FAVOR_CUES = ["loves", "praises", "adores", "recommends"]
AGAINST_CUES = ["hates", "condemns", "rejects", "dislikes"]


@dataclass(frozen=True)
class Slot:
    """A filled slot of a template: its text and what it is."""

    text: str
    role: str | None = None  # "gadget", "holder", "cue", "speaker" or None


def _sentences(seed: int) -> Iterator[tuple[list[Slot], str | None]]:
    """(slots, stance label or None) for each sentence: the four templates in turn, each
    filled with the next (gadget, person, speaker) of its own seeded shuffle."""
    fillers = list(itertools.product(GADGETS, PEOPLE, PEOPLE))
    orders = []
    for kind in range(4):
        order = [f for f in fillers if f[1] != f[2]]
        random.Random(seed * 4 + kind).shuffle(order)
        orders.append(order)
    for n in range(4 * len(orders[0])):
        kind = n % 4
        gadget, person, speaker = orders[kind][n // 4]
        if kind == 0:
            cue = FAVOR_CUES[(n // 4) % len(FAVOR_CUES)]
            yield (
                [
                    Slot(person, "holder"),
                    Slot(" "),
                    Slot(cue, "cue"),
                    Slot(" the "),
                    Slot(gadget, "gadget"),
                    Slot(", "),
                    Slot(speaker, "speaker"),
                    Slot(" said."),
                ],
                "FAVOR",
            )
        elif kind == 1:
            cue = AGAINST_CUES[(n // 4) % len(AGAINST_CUES)]
            yield (
                [
                    Slot(person, "holder"),
                    Slot(" "),
                    Slot(cue, "cue"),
                    Slot(" the "),
                    Slot(gadget, "gadget"),
                    Slot(", "),
                    Slot(speaker, "speaker"),
                    Slot(" told reporters."),
                ],
                "AGAINST",
            )
        elif kind == 2:
            yield (
                [Slot("The new "), Slot(gadget, "gadget"), Slot(" arrived in shops on Monday.")],
                None,
            )
        else:
            yield (
                [
                    Slot(person),
                    Slot(" bought a "),
                    Slot(gadget, "gadget"),
                    Slot(" for the office."),
                ],
                None,
            )


def make_record(
    slots: list[Slot], stance_label: str | None, answer: str = "accept"
) -> dict[str, Any]:
    """One export record (through the core's own export_record) for a filled template."""
    text = "".join(slot.text for slot in slots)
    tokens = blank_tokenizer()(text)
    index = TokenIndex(tokens)
    refs: dict[str, TextRef] = {}
    spans: list[Span] = []
    position = 0
    for slot in slots:
        start, end = position, position + len(slot.text)
        position = end
        if slot.role is None:
            continue
        refs[slot.role] = TextRef(start, end, slot.text)
        if slot.role == "gadget":
            first, last = index.token_range(start, end)
            spans.append(
                Span(
                    f"e{len(spans)}",
                    start,
                    end,
                    first,
                    last,
                    "GADGET",
                    slot.text,
                    "manual",
                    "added",
                )
            )
    stances: list[Stance] = []
    if stance_label is not None:
        holder, gadget = refs["holder"], refs["gadget"]
        target_start = gadget.start - len("the ")
        stances.append(
            Stance(
                id="t0",
                label=stance_label,
                evidence=TextRef(holder.start, gadget.end, text[holder.start : gadget.end]),
                target=TextRef(target_start, gadget.end, text[target_start : gadget.end]),
                cue=refs["cue"],
                holder=holder,
                speaker=refs["speaker"],
                source="manual",
                status="added",
            )
        )
    document = Document(input_hash=input_hash(text), text=text, meta={}, tokens=tokens)
    state = DocumentState(spans=tuple(spans), stances=tuple(stances), answer=answer)  # type: ignore[arg-type]
    return export_record(document, state, "tester", 1764575000)


def gadget_records(count: int, seed: int = 0) -> list[dict[str, Any]]:
    """`count` accepted records, all different texts."""
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for slots, label in _sentences(seed):
        record = make_record(slots, label)
        if record["text"] in seen:
            continue
        seen.add(record["text"])
        records.append(record)
        if len(records) == count:
            return records
    raise ValueError(f"the templates make fewer than {count} different sentences")


def write_jsonl(records: list[dict[str, Any]], path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path

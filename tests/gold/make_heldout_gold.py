"""Write tests/gold/heldout_stance_gold.jsonl: stance gold on sentences the suggester was not
developed on (written and annotated before the suggester was first run on them).

Run: /work/venv/bin/python tests/gold/make_heldout_gold.py

Each sentence lists its stances as (label, holder, target), texts found in the sentence
(first occurrence). The stance definition is broader than the cue lexicon on purpose
("vote against", "angry about"), so the figures show what the lexicon misses.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from annotator.core.corpus import input_hash, write_jsonl
from annotator.core.export import export_record, validated
from annotator.core.model import Document, DocumentState, Stance, TextRef
from annotator.nlp.pipeline import blank_tokenizer

OUTPUT = Path(__file__).resolve().parent / "heldout_stance_gold.jsonl"

SENTENCES: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "The Philippines has repeatedly rejected Beijing's claims in the South China Sea, "
        "Foreign Secretary Enrique Manalo said on Thursday.",
        [("AGAINST", "The Philippines", "Beijing's claims in the South China Sea")],
    ),
    (
        "Hungary, which has long opposed military aid to Ukraine, blocked the package again.",
        [("AGAINST", "Hungary", "military aid to Ukraine")],
    ),
    (
        "The African Union welcomed the agreement between the two governments and urged both "
        "sides to respect it.",
        [("FAVOR", "The African Union", "the agreement between the two governments")],
    ),
    (
        "Opposition leaders denounced the election results as fraudulent.",
        [("AGAINST", "Opposition leaders", "the election results")],
    ),
    (
        "Germany and France backed the proposal, while Poland and Hungary objected to it.",
        [
            ("FAVOR", "Germany", "the proposal"),
            ("FAVOR", "France", "the proposal"),
            ("AGAINST", "Poland", "it"),
            ("AGAINST", "Hungary", "it"),
        ],
    ),
    (
        "Washington does not support Taiwan independence, the State Department spokesman told "
        "reporters.",
        [("AGAINST", "Washington", "Taiwan independence")],
    ),
    (
        "He said the ministry strongly condemns the attack on the convoy.",
        [("AGAINST", "the ministry", "the attack on the convoy")],
    ),
    (
        "Environmental groups praised the new law but criticized its slow timetable.",
        [
            ("FAVOR", "Environmental groups", "the new law"),
            ("AGAINST", "Environmental groups", "its slow timetable"),
        ],
    ),
    (
        "Brazil's president voiced support for a ceasefire in Gaza.",
        [("FAVOR", "Brazil's president", "a ceasefire in Gaza")],
    ),
    ("The bank has no plans to raise interest rates.", []),
    (
        "Japan firmly upholds the principle of free navigation and opposes any unilateral "
        "change to the status quo.",
        [
            ("FAVOR", "Japan", "the principle of free navigation"),
            ("AGAINST", "Japan", "any unilateral change to the status quo"),
        ],
    ),
    (
        "Turkey remains neutral on the conflict, according to officials in Ankara.",
        [("NEUTRAL", "Turkey", "the conflict")],
    ),
    (
        "Several lawmakers said they would vote against the budget.",
        [("AGAINST", "Several lawmakers", "the budget")],
    ),
    (
        "Residents are angry about the new highway.",
        [("AGAINST", "Residents", "the new highway")],
    ),
    (
        "The prime minister endorsed Maria Lopez as the party's candidate.",
        [("FAVOR", "The prime minister", "Maria Lopez")],
    ),
    # Added later, with the holder check: cue words in senses that hold no view, and
    # holders that are common nouns. Written before the suggester was run on them.
    ("The old bridge supports trucks of up to 40 tonnes.", []),
    ("The new software supports both formats.", []),
    ("The findings support earlier estimates of the damage.", []),
    ("Heavy rain backed up the drains across the city.", []),
    ("The filter rejects signals above 10 kHz.", []),
    ("A steel frame upholds the roof of the stadium.", []),
    ("The device opposes the motion of the wheel.", []),
    (
        "Teachers across the province rejected the new curriculum.",
        [("AGAINST", "Teachers across the province", "the new curriculum")],
    ),
    (
        "Farmers welcomed the decision to lift the export ban.",
        [("FAVOR", "Farmers", "the decision to lift the export ban")],
    ),
    ("The union opposes the pension reform.", [("AGAINST", "The union", "the pension reform")]),
    (
        "Doctors condemned the attack on the hospital.",
        [("AGAINST", "Doctors", "the attack on the hospital")],
    ),
    # Added with the paragraph component: a title or dateline line before the sentence.
    (
        "Second article\n\nThe European Union condemned the attack on the embassy, officials said.",
        [("AGAINST", "The European Union", "the attack on the embassy")],
    ),
    (
        "Summit ends without deal\nRussia rejected the proposal for a ceasefire, the Kremlin said.",
        [("AGAINST", "Russia", "the proposal for a ceasefire")],
    ),
    (
        "Farm news\n\nFarmers in Iowa welcomed the new tariff deal on Tuesday.",
        [("FAVOR", "Farmers in Iowa", "the new tariff deal")],
    ),
    (
        "Updated: 12 May 2024\nThe party strongly supports the reform of the pension system.",
        [("FAVOR", "The party", "the reform of the pension system")],
    ),
]


def text_ref(text: str, part: str) -> TextRef:
    start = text.index(part)
    return TextRef(start, start + len(part), part)


def main() -> int:
    tokenize = blank_tokenizer()
    records = []
    for text, stances in SENTENCES:
        document = Document(input_hash=input_hash(text), text=text, meta={"set": "heldout"})
        state = DocumentState(
            stances=tuple(
                Stance(
                    id=f"t{number}",
                    label=label,
                    evidence=TextRef(0, len(text), text),
                    holder=text_ref(text, holder),
                    target=text_ref(text, target),
                    source="gold",
                    status="accepted",
                )
                for number, (label, holder, target) in enumerate(stances)
            ),
            answer="accept",
        )
        document = replace(document, tokens=tokenize(text))
        records.append(export_record(document, state, "gold", None))
    with OUTPUT.open("w", encoding="utf-8") as handle:
        count = write_jsonl(handle, validated(iter(records)))
    print(f"{OUTPUT}: {count} sentences, {sum(len(s) for _, s in SENTENCES)} stances")
    return 0


if __name__ == "__main__":
    sys.exit(main())

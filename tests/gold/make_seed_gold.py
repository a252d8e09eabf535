"""Write tests/gold/seed_gold.jsonl: the hand-checked gold annotation of the seed article.

Run: /work/venv/bin/python tests/gold/make_seed_gold.py

The entities and stances below were read off the article by hand. Each entry names its text;
the script finds it in the article (scanning forward from the previous entry), so the offsets
cannot drift from the text, and it writes the record through the core export
(`export_record`), so the file is exactly what `annotator export` would produce.

Stance definition used for this gold: an explicit attitude predicate (support, adhere to,
oppose, appreciate, be glad to see, promote...) with who holds it and towards what; plain
statements of intent ("is willing to maintain exchanges") are not stances here.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from annotator.core.corpus import read_article, write_jsonl
from annotator.core.export import export_record, validated
from annotator.core.model import DocumentState, Span, Stance, TextRef
from annotator.core.tokens import TokenIndex
from annotator.nlp.pipeline import blank_tokenizer

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_1bac9c634b71daf2.txt"
OUTPUT = Path(__file__).resolve().parent / "seed_gold.jsonl"

# (text, label) in document order.
ENTITIES: list[tuple[str, str]] = [
    ("Kazakh", "NORP"),
    ("Tokayev", "PERSON"),
    ("Chinese", "NORP"),
    ("May 21, 2024", "DATE"),
    ("08:50", "TIME"),
    ("Xinhua", "ORG"),
    ("ASTANA", "GPE"),
    ("May 20", "DATE"),
    ("Kazakh", "NORP"),
    ("Kassym-Jomart Tokayev", "PERSON"),
    ("Monday", "DATE"),
    ("Chinese", "NORP"),
    ("Wang Yi", "PERSON"),
    ("Tokayev", "PERSON"),
    ("Wang", "PERSON"),
    ("Chinese", "NORP"),
    ("Xi Jinping", "PERSON"),
    ("China", "GPE"),
    ("China", "GPE"),
    ("Kazakhstan", "GPE"),
    ("China", "GPE"),
    ("Tokayev", "PERSON"),
    ("Kazakhstan", "GPE"),
    ("China", "GPE"),
    ("the Global Development Initiative", "ORG"),
    ("the Global Security Initiative", "ORG"),
    ("the Global Civilization Initiative", "ORG"),
    ("Xi", "PERSON"),
    ("Tokayev", "PERSON"),
    ("Kazakhstan", "GPE"),
    ("China", "GPE"),
    ("the Belt and Road Initiative", "ORG"),
    ("the Middle Corridor", "LOC"),
    ("China", "GPE"),
    ("Wang", "PERSON"),
    ("the Political Bureau of the Communist Party of China Central Committee", "ORG"),
    ("Xi", "PERSON"),
    ("Tokayev", "PERSON"),
    ("China", "GPE"),
    ("Kazakhstan", "GPE"),
    ("China", "GPE"),
    ("Kazakhstan", "GPE"),
    ("Tokayev", "PERSON"),
    ("Kazakhstan", "GPE"),
    ("Wang", "PERSON"),
    ("China", "GPE"),
    ("Kazakhstan", "GPE"),
    ("China", "GPE"),
    ("the Taiwan Strait", "LOC"),
    ("China", "GPE"),
    ("Wang", "PERSON"),
    ("China", "GPE"),
    ("Kazakhstan", "GPE"),
    ("Wang", "PERSON"),
    ("2023", "DATE"),
    ("two", "CARDINAL"),
    ("China", "GPE"),
    ("Kazakhstan", "GPE"),
    ("Kazakhstan", "GPE"),
    ("New Kazakhstan", "GPE"),
    ("China", "GPE"),
    ("Kazakhstan", "GPE"),
    ("Wang", "PERSON"),
    ("China", "GPE"),
    ("Kazakhstan", "GPE"),
    ("the United Nations", "ORG"),
    ("the Shanghai Cooperation Organization", "ORG"),
    ("China", "GPE"),
    ("Central Asia", "LOC"),
    ("the Conference on Interaction and Confidence-Building Measures in Asia", "ORG"),
    ("Wang", "PERSON"),
    ("China", "GPE"),
    ("Kazakhstan", "GPE"),
    ("Wang", "PERSON"),
    ("Kazakhstan", "GPE"),
    ("Murat Nurtleu", "PERSON"),
]

# Each stance: the clause (evidence) it lives in, then the roles as texts inside that clause
# (the first occurrence in the clause); None where a role is absent from the clause.
STANCES: list[dict[str, Any]] = [
    {
        "label": "FAVOR",
        "evidence": "Kazakhstan firmly adheres to the one-China principle",
        "cue": "adheres to",
        "holder": "Kazakhstan",
        "target": "the one-China principle",
        "speaker_after": "Tokayev",
    },
    *[
        {
            "label": "FAVOR",
            "evidence": "Kazakhstan is a trustworthy partner for China, steadfastly supporting "
            "the Global Development Initiative, the Global Security Initiative and the Global "
            "Civilization Initiative proposed by Xi",
            "cue": "supporting",
            "holder": "Kazakhstan",
            "target": target,
            "speaker_before": "Tokayev",
        }
        for target in (
            "the Global Development Initiative",
            "the Global Security Initiative",
            "the Global Civilization Initiative proposed by Xi",
        )
    ],
    {
        "label": "FAVOR",
        "evidence": "Kazakhstan is willing to maintain close high-level exchanges with China, "
        "enhance the strategic alignment of the Belt and Road Initiative with the construction "
        "of the Middle Corridor, promote greater development in bilateral economic, trade, and "
        "cultural cooperation",
        "cue": "promote",
        "holder": "Kazakhstan",
        "target": "greater development in bilateral economic, trade, and cultural cooperation",
        "speaker_before": "Tokayev",
    },
    {
        "label": "FAVOR",
        "evidence": "China will continue to firmly support Kazakhstan in safeguarding its "
        "independence, sovereignty and territorial integrity",
        "cue": "support",
        "holder": "China",
        "target": "Kazakhstan in safeguarding its independence, sovereignty and territorial "
        "integrity",
        "speaker_after": "Wang",
    },
    {
        "label": "FAVOR",
        "evidence": "China will continue to firmly support Kazakhstan in safeguarding its "
        "independence, sovereignty and territorial integrity, support President Tokayev's "
        "series of development strategies and important measures",
        "cue": "support President",
        "holder": "China",
        "target": "President Tokayev's series of development strategies and important measures",
        "speaker_after": "Wang",
    },
    {
        "label": "AGAINST",
        "evidence": "China will continue to firmly support Kazakhstan in safeguarding its "
        "independence, sovereignty and territorial integrity, support President Tokayev's "
        "series of development strategies and important measures, and resolutely oppose any "
        "external forces interfering in Kazakhstan's internal affairs",
        "cue": "oppose",
        "holder": "China",
        "target": "any external forces interfering in Kazakhstan's internal affairs",
        "speaker_after": "Wang",
    },
    {
        "label": "FAVOR",
        "evidence": "China appreciates Kazakhstan's firm adherence to the one-China principle",
        "cue": "appreciates",
        "holder": "China",
        "target": "Kazakhstan's firm adherence to the one-China principle",
        "speaker_after": "he",
    },
    {
        "label": "FAVOR",
        "evidence": "Kazakhstan's firm adherence to the one-China principle",
        "cue": "adherence",
        "holder": "Kazakhstan",
        "target": "the one-China principle",
        "speaker_after": "he",
    },
    {
        "label": "FAVOR",
        "evidence": "China is willing to be a reliable and long-term partner, supporting the "
        "diversification of Kazakhstan's economic development",
        "cue": "supporting",
        "holder": "China",
        "target": "the diversification of Kazakhstan's economic development",
        "speaker_after": "Wang",
    },
    {
        "label": "FAVOR",
        "evidence": "China is willing to be a reliable and long-term partner, supporting the "
        "diversification of Kazakhstan's economic development and promoting cooperation in "
        "emerging industries such as e-commerce, new energy and artificial intelligence",
        "cue": "promoting",
        "holder": "China",
        "target": "cooperation in emerging industries such as e-commerce, new energy and "
        "artificial intelligence",
        "speaker_after": "Wang",
    },
    {
        "label": "FAVOR",
        "evidence": "China is glad to see Kazakhstan playing a more significant role on the "
        "international and regional stages",
        "cue": "glad to see",
        "holder": "China",
        "target": "Kazakhstan playing a more significant role on the international and "
        "regional stages",
        "speaker_before": "Wang",
    },
]


def find(text: str, needle: str, start: int) -> int:
    """Offset of `needle` as whole words at or after `start`."""
    match = re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)").search(text, start)
    if match is None:
        raise SystemExit(f"not found after {start}: {needle!r}")
    return match.start()


def entity_spans(text: str, index: TokenIndex) -> list[Span]:
    spans = []
    position = 0
    for number, (needle, label) in enumerate(ENTITIES):
        start = find(text, needle, position)
        end = start + len(needle)
        first, last = index.token_range(start, end)
        spans.append(
            Span(
                id=f"e{number}",
                start=start,
                end=end,
                token_start=first,
                token_end=last,
                label=label,
                text=needle,
                source="gold",
                status="accepted",
            )
        )
        position = end
    return spans


def stances(text: str) -> list[Stance]:
    found = []
    for number, item in enumerate(STANCES):
        evidence_text = str(item["evidence"])
        evidence_start = text.index(evidence_text)
        evidence_end = evidence_start + len(evidence_text)

        def ref(needle: str | None, base: int = evidence_start) -> TextRef | None:
            if needle is None:
                return None
            start = find(text, needle, base)
            return TextRef(start, start + len(needle), needle)

        cue = ref(item["cue"])
        if item["cue"] == "support President":  # the second "support" of the clause
            assert cue is not None
            cue = TextRef(cue.start, cue.start + len("support"), "support")
        speaker: TextRef | None = None
        if item.get("speaker_after"):
            speaker = ref(item["speaker_after"], evidence_end)
        elif item.get("speaker_before"):
            needle = str(item["speaker_before"])
            start = text.rindex(needle, 0, evidence_start)
            speaker = TextRef(start, start + len(needle), needle)
        found.append(
            Stance(
                id=f"t{number}",
                label=str(item["label"]),
                evidence=TextRef(evidence_start, evidence_end, evidence_text),
                target=ref(item["target"]),
                cue=cue,
                holder=ref(item["holder"]),
                speaker=speaker,
                source="gold",
                status="accepted",
            )
        )
    return found


def main() -> int:
    record = read_article(SEED)
    tokens = blank_tokenizer()(record.document.text)
    document = record.document
    text = document.text
    state = DocumentState(
        spans=tuple(entity_spans(text, TokenIndex(tokens))),
        stances=tuple(stances(text)),
        answer="accept",
    )
    exported = export_record(replace(document, tokens=tokens), state, "gold", None)
    with OUTPUT.open("w", encoding="utf-8") as handle:
        write_jsonl(handle, validated(iter([exported])))
    print(f"{OUTPUT}: {len(state.spans)} entities, {len(state.stances)} stances")
    return 0


if __name__ == "__main__":
    sys.exit(main())

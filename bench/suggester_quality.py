"""How much the rule components improve on the raw model: prints the figures of issue 3.

Run: /work/venv/bin/python bench/suggester_quality.py [--json]

- the seed article against tests/gold/seed_gold.jsonl: entity P/R/F1 overall and per label,
  stance P/R, for the raw model, each entity rule alone, all but one, and everything;
- stance P/R on tests/gold/heldout_stance_gold.jsonl, sentences the suggester was not
  developed on (the seed article was its development text, so its stance figure flatters);
- PERSON P/R/F1 on the real Prodigy gold (../shared/formats/prodigy_ner_manual_tweets.jsonl,
  `ignore` answers left out) for the same settings.

The model runs once per text; each setting applies its components to a copy of that Doc, so
the settings differ only in the rules.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from annotator.core.evaluate import (
    Evaluation,
    ScoredRecord,
    Scores,
    evaluate_records,
    read_scored,
    scored_record,
)
from annotator.nlp.components import COMPONENT_NAMES, SuggestionSettings, add_to_pipeline
from annotator.nlp.pipeline import blank_tokenizer, load_pipeline, suggestions_from_doc

ROOT = Path(__file__).resolve().parents[1]
SEED_GOLD = ROOT / "tests" / "gold" / "seed_gold.jsonl"
TWEETS_GOLD = ROOT.parent / "shared" / "formats" / "prodigy_ner_manual_tweets.jsonl"
HELDOUT_GOLD = ROOT / "tests" / "gold" / "heldout_stance_gold.jsonl"
ENTITY_RULES = ("boilerplate", "datelines", "titles", "consistency")
# Runs before the parser, so it is compared by parsing twice, not by re-applying it.
BEFORE_PARSER = "paragraphs"
RULES = (BEFORE_PARSER, *ENTITY_RULES)


def settings_to_compare() -> list[tuple[str, SuggestionSettings]]:
    """The raw model, each entity rule alone, everything but one rule, and everything."""
    raw = SuggestionSettings.none()
    compared = [("raw model", raw)]
    for rule in RULES:
        compared.append((f"{rule} only", replace(raw, **{rule: True, "stances": True})))
    for rule in RULES:
        compared.append((f"all but {rule}", SuggestionSettings(**{rule: False})))
    compared.append(("suggester (all on)", SuggestionSettings()))
    return compared


def predicted_record(nlp: Any, base_doc: Any, settings: SuggestionSettings) -> dict[str, Any]:
    """The suggestions one setting makes for a parsed Doc, as an export-shaped record."""
    doc = base_doc.copy()
    if doc.has_extension("stances"):
        doc._.stances = None
    for setting, component in COMPONENT_NAMES.items():
        if setting != BEFORE_PARSER and getattr(settings, setting):
            doc = nlp.get_pipe(component)(doc)
    _, state = suggestions_from_doc(doc, "bench")
    return {
        "text": doc.text,
        "spans": [s.to_json() for s in state.spans],
        "stances": [s.to_json() for s in state.stances],
        "_input_hash": doc.user_data.get("input_hash"),
    }


def parse_all(nlp: Any, gold: Sequence[ScoredRecord]) -> dict[bool, list[Any]]:
    """The model's Docs for the gold texts, without (False) and with (True) the paragraph
    component before the parser; no other rule component runs."""
    add_to_pipeline(nlp, SuggestionSettings())  # present, so get_pipe finds them...
    parsed: dict[bool, list[Any]] = {}
    for paragraphs in (False, True):
        rule_components = [
            name
            for setting, name in COMPONENT_NAMES.items()
            if name in nlp.pipe_names and not (paragraphs and setting == BEFORE_PARSER)
        ]
        docs = []
        with nlp.select_pipes(disable=rule_components):  # ...but the model runs alone
            for record, doc in zip(gold, nlp.pipe(r.text for r in gold), strict=True):
                doc.user_data["input_hash"] = record.key
                docs.append(doc)
        parsed[paragraphs] = docs
    return parsed


def score(
    nlp: Any, gold: Sequence[ScoredRecord], parsed: dict[bool, list[Any]]
) -> dict[str, Evaluation]:
    """Evaluation of every compared setting."""
    results = {}
    for name, settings in settings_to_compare():
        docs = parsed[getattr(settings, BEFORE_PARSER)]
        predictions = [
            scored_record(predicted_record(nlp, doc, settings), number, blank_tokenizer())
            for number, doc in enumerate(docs, start=1)
        ]
        results[name] = evaluate_records(gold, predictions)
    return results


def _row(name: str, scores: Scores) -> str:
    return (
        f"{name:<22} P {scores.precision:6.3f}  R {scores.recall:6.3f}  F1 {scores.f1:6.3f}"
        f"   ({scores.tp} correct, {scores.tp + scores.fn} gold, {scores.tp + scores.fp} predicted)"
    )


def main(argv: Sequence[str]) -> int:
    nlp = load_pipeline()
    seed_gold = read_scored(SEED_GOLD, blank_tokenizer())
    tweets_gold = read_scored(TWEETS_GOLD, blank_tokenizer())
    seed = score(nlp, seed_gold, parse_all(nlp, seed_gold))
    tweets = score(nlp, tweets_gold, parse_all(nlp, tweets_gold))
    heldout_gold = read_scored(HELDOUT_GOLD, blank_tokenizer())
    heldout = score(nlp, heldout_gold, parse_all(nlp, heldout_gold))
    if "--json" in argv:
        print(
            json.dumps(
                {
                    "seed": {k: v.to_json() for k, v in seed.items()},
                    "heldout_stances": {k: v.stances.to_json() for k, v in heldout.items()},
                    "tweets_person": {
                        k: v.per_label.get("PERSON", Scores()).to_json() for k, v in tweets.items()
                    },
                },
                indent=2,
            )
        )
        return 0
    print(f"== seed article vs {SEED_GOLD.relative_to(ROOT)}: entities (exact spans)")
    for name, evaluation in seed.items():
        print(_row(name, evaluation.entities))
    main_labels = ("PERSON", "GPE", "ORG", "NORP", "DATE", "LOC")
    for name in ("raw model", "suggester (all on)"):
        print(f"-- per label, {name}")
        for label in main_labels:
            print(_row(f"  {label}", seed[name].per_label.get(label, Scores())))
    stance_rows = ("raw model", f"all but {BEFORE_PARSER}", "suggester (all on)")
    print("== seed article: stances (label, holder, half the gold target)")
    for name in stance_rows:
        print(_row(name, seed[name].stances))
    print(f"== held-out sentences ({HELDOUT_GOLD.relative_to(ROOT)}): stances")
    for name in stance_rows:
        print(_row(name, heldout[name].stances))
    skipped = next(iter(tweets.values())).skipped_gold
    documents = next(iter(tweets.values())).documents
    print(
        f"== Prodigy tweets gold: PERSON ({documents} records scored, "
        f"{skipped} answered ignore/reject left out)"
    )
    for name, evaluation in tweets.items():
        print(_row(name, evaluation.per_label.get("PERSON", Scores())))
    assert {f.name for f in fields(SuggestionSettings)} == set(COMPONENT_NAMES)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

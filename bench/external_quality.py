"""The suggesters on real news nobody on this project wrote: CoNLL-2003 dev and MPQA 2.0 dev.

Run: python bench/external_quality.py [--examples N] [--conll-docs N] [--mpqa-docs N]

- Entities, CoNLL-2003 dev (../shared/external/conll2003_eng.testa): exact-span P/R/F1 with
  the OntoNotes labels mapped to CoNLL's (PERSON->PER, ORG->ORG, GPE/LOC/FAC->LOC,
  NORP/EVENT/WORK_OF_ART/LAW/LANGUAGE/PRODUCT->MISC; numeric labels left out), for the raw
  model, each rule alone and all rules; for each rule, what it fixes (a correct span gained,
  a wrong one removed) and breaks (a correct span lost, a wrong one added) against the raw
  model. House rule: a rule that breaks more than it fixes is repaired or off by default.
- Stances, MPQA 2.0 dev (../shared/external/mpqa_dev.json, sentences of a document joined
  into one text): gold is every Positive/Negative opinion with a holder and a target; a
  suggestion is right when its holder overlaps a gold holder, its target overlaps that
  opinion's target and FAVOR/AGAINST matches Positive/Negative. P = right suggestions /
  FAVOR-AGAINST suggestions, R = gold opinions matched / gold opinions.
  Two rows per setting. "holder rule": the suggestion's `holder` against MPQA's Source.
  "source rule": the suggestion's speaker when it has one, else its holder, against the
  Source. Why the second is the like-for-like reading: the SemEval-2022 Task 10 conversion
  (jerbarnes/semeval22_structured_sentiment, data/mpqa/process_mpqa.py) builds the Source
  from the expression's nested source ("w, zhang, we"): it collects the mentions of the
  agents named by each member and each pair of members ("w", "zhang", "w,zhang"...), keeps
  those inside the sentence and takes the first; an agent two levels below the writer
  (annotated "w,zhang,we") is never among them. So the Source is the outermost source the
  sentence names ("We appreciate X, Zhang said": Zhang; "I am worried about X, she said":
  she), which this tool splits into `speaker` (who reports) and `holder` (whose view).
  Opinions whose source is the writer or is named only in another sentence have an empty
  Source and are left out of the gold (as the issue says); a suggestion on such an
  expression still counts as wrong. The next lines break the wrong suggestions down by what
  MPQA has at their cue and, for those on a gold opinion, by the roles (holder, target,
  label) that differ from the closest gold opinion of the document: the near misses a
  better holder or target boundary would turn right. Reading and matching the gold:
  bench/mpqa_gold.py. `--mpqa-split train` measures on MPQA train instead (for
  analysis: dev stays the held-out figure). `--by-cue` adds, per setting and rule, a table
  of suggestions made and right per cue phrase (the lemmas of the cue's words): the unit
  the house rule is applied in (read it on train; a cue mostly wrong there is taken off).

The model runs once per text (twice: without and with the paragraph component, which acts
before the parser); each setting applies its rule components to a copy of that Doc.
Nothing here ships: the data stays in ../shared/external and only figures are printed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mpqa_gold import (  # noqa: E402
    SOURCELESS,
    at_cue,
    failed_roles,
    matches,
    read_mpqa_expressions,
)

from annotator.core.conll import conll_documents  # noqa: E402
from annotator.core.evaluate import Scores  # noqa: E402
from annotator.nlp.components import (  # noqa: E402
    COMPONENT_NAMES,
    ENTITY_SETTINGS,
    SuggestionSettings,
    add_to_pipeline,
)
from annotator.nlp.pipeline import load_pipeline  # noqa: E402

EXTERNAL = REPO.parent / "shared" / "external"
if not EXTERNAL.is_dir():  # a worktree under /work/wt/NAME
    EXTERNAL = Path("/work/shared/external")
CONLL_DEV = EXTERNAL / "conll2003_eng.testa"
MPQA_DEV = EXTERNAL / "mpqa_dev.json"
MPQA_SPLITS = {"dev": MPQA_DEV, "train": EXTERNAL / "mpqa_train.json"}
TO_CONLL = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    **{label: "MISC" for label in ("NORP", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE", "PRODUCT")},
}
BEFORE_PARSER = "paragraphs"
RULES = (BEFORE_PARSER, *ENTITY_SETTINGS)

Entity = tuple[int, int, str]  # (start, end, CoNLL label) in one document's text


def row(name: str, tally: Scores) -> str:
    """One line of the report: P/R/F1 and the counts behind them."""
    return (
        f"{name:<24} P {tally.precision:6.3f}  R {tally.recall:6.3f}  F1 {tally.f1:6.3f}"
        f"   ({tally.tp} right, {tally.tp + tally.fn} gold, {tally.tp + tally.fp} suggested)"
    )


def entity_settings() -> list[tuple[str, SuggestionSettings]]:
    """Raw model, each entity rule alone, all entity rules (stances off: they add no span)."""
    raw = SuggestionSettings.none()
    compared = [("raw model", raw)]
    compared += [(f"{rule} only", replace(raw, **{rule: True})) for rule in RULES]
    compared.append(("all rules", replace(SuggestionSettings(), stances=False)))
    return compared


def parse(nlp: Any, texts: Sequence[str]) -> dict[bool, list[Any]]:
    """The model's Docs without (False) and with (True) the paragraph component."""
    add_to_pipeline(nlp, SuggestionSettings())
    parsed: dict[bool, list[Any]] = {}
    for paragraphs in (False, True):
        off = [
            name
            for setting, name in COMPONENT_NAMES.items()
            if name in nlp.pipe_names and not (paragraphs and setting == BEFORE_PARSER)
        ]
        with nlp.select_pipes(disable=off):
            parsed[paragraphs] = list(nlp.pipe(texts, batch_size=16))
    return parsed


def apply_rules(nlp: Any, base: Any, settings: SuggestionSettings) -> Any:
    """A copy of a parsed Doc with the setting's rule components applied in pipeline order."""
    doc = base.copy()
    doc._.stances = None
    for setting, component in COMPONENT_NAMES.items():
        if setting != BEFORE_PARSER and getattr(settings, setting):
            doc = nlp.get_pipe(component)(doc)
    return doc


def conll_entities(doc: Any) -> set[Entity]:
    """A Doc's entities in CoNLL labels (numeric ones dropped), trimmed of spaces."""
    found = set()
    for ent in doc.ents:
        label = TO_CONLL.get(ent.label_)
        text = ent.text
        if label is None or not text.strip():
            continue
        start = ent.start_char + (len(text) - len(text.lstrip()))
        found.add((start, ent.start_char + len(text.rstrip()), label))
    return found


def read_conll(path: Path, limit: int | None) -> tuple[list[str], list[set[Entity]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    texts, golds = [], []
    for found in conll_documents(lines, path.name, per_sentence=False):
        record = found.record
        texts.append(record["text"])
        golds.append({(s["start"], s["end"], s["label"]) for s in record["spans"]})
        if limit and len(texts) >= limit:
            break
    return texts, golds


def bench_entities(nlp: Any, limit: int | None, examples: int) -> None:
    texts, golds = read_conll(CONLL_DEV, limit)
    started = time.perf_counter()
    parsed = parse(nlp, texts)
    print(
        f"== CoNLL-2003 dev: {len(texts)} documents, {sum(map(len, golds))} gold entities "
        f"(parsed in {time.perf_counter() - started:.0f}s)"
    )
    predictions: dict[str, list[set[Entity]]] = {}
    for name, settings in entity_settings():
        docs = parsed[settings.paragraphs]
        predictions[name] = [conll_entities(apply_rules(nlp, d, settings)) for d in docs]
    tallies = {name: _tally(golds, found) for name, found in predictions.items()}
    for name, tally in tallies.items():
        print(row(name, tally))
    raw_f1 = tallies["raw model"].f1
    print(f"all rules - raw model: {tallies['all rules'].f1 - raw_f1:+.3f} F1 (target >= +0.06)")
    print("-- per rule against the raw model: fixes / breaks")
    for name in predictions:
        if name == "raw model":
            continue
        fixes, breaks = _changes(texts, golds, predictions["raw model"], predictions[name])
        verdict = "ok" if len(fixes) >= len(breaks) else "BREAKS MORE THAN IT FIXES"
        print(f"{name:<24} fixes {len(fixes):4d}  breaks {len(breaks):4d}   {verdict}")
        for kind, items in (("fix", fixes), ("break", breaks)):
            for item in items[:examples]:
                print(f"    {kind}: {item}")
    for label in ("PER", "ORG", "LOC", "MISC"):
        for name in ("raw model", "all rules"):
            per = _tally(
                [{e for e in g if e[2] == label} for g in golds],
                [{e for e in p if e[2] == label} for p in predictions[name]],
            )
            print(row(f"  {label} {name}", per))


def _tally(golds: Iterable[set[Entity]], predicted: Iterable[set[Entity]]) -> Scores:
    tp = fp = fn = 0
    for gold, found in zip(golds, predicted, strict=True):
        tp += len(gold & found)
        fp += len(found - gold)
        fn += len(gold - found)
    return Scores(tp, fp, fn)


def _changes(
    texts: Sequence[str],
    golds: Sequence[set[Entity]],
    raw: Sequence[set[Entity]],
    ruled: Sequence[set[Entity]],
) -> tuple[list[str], list[str]]:
    """What a setting fixes and breaks relative to the raw model, as readable lines."""
    fixes: list[str] = []
    breaks: list[str] = []
    for text, gold, before, after in zip(texts, golds, raw, ruled, strict=True):
        for start, end, label in sorted(after - before):
            line = f"+ {text[start:end]!r} {label}"
            (fixes if (start, end, label) in gold else breaks).append(line)
        for start, end, label in sorted(before - after):
            line = f"- {text[start:end]!r} {label}"
            (breaks if (start, end, label) in gold else fixes).append(line)
    return fixes, breaks


# --- stances ------------------------------------------------------------------------------


def cue_key(doc: Any, stance: dict[str, Any]) -> str:
    """The lexicon phrase a suggestion's cue matched, as the lemmas of its words (the unit
    the lexicon is edited in: 'support', 'adhere to')."""
    cue = stance["cue"]
    span = doc.char_span(cue["start"], cue["end"], alignment_mode="expand")
    if span is None:
        return str(cue["text"]).lower()
    return " ".join(token.lemma_.lower() for token in span)


def by_cue_table(made: Counter[str], right: Counter[str], unmarked: Counter[str]) -> list[str]:
    """Per cue: suggestions made, right, their ratio, and the wrong ones where MPQA marks
    no opinion at the cue at all; most made first."""
    lines = [f"    {'cue':<24} {'made':>5} {'right':>6} {'right/made':>11} {'no opinion':>11}"]
    for key, count in sorted(made.items(), key=lambda item: (-item[1], item[0])):
        lines.append(
            f"    {key:<24} {count:>5} {right[key]:>6} {right[key] / count:>11.2f}"
            f" {unmarked[key]:>11}"
        )
    return lines


def bench_stances(
    nlp: Any, limit: int | None, examples: int, split: str = "dev", by_cue: bool = False
) -> None:
    texts, golds, expressions = read_mpqa_expressions(MPQA_SPLITS[split], limit)
    parsed = parse(nlp, texts)
    total_gold = sum(map(len, golds))
    print(
        f"== MPQA 2.0 {split}: {len(texts)} documents, {total_gold} gold opinions with"
        " holder+target"
    )
    compared = [
        ("stances on raw entities", replace(SuggestionSettings.none(), stances=True)),
        ("stances, all rules", SuggestionSettings()),
    ]
    for name, settings in compared:
        docs = [apply_rules(nlp, base, settings) for base in parsed[settings.paragraphs]]
        for rule in ("holder", "source"):
            right = suggested = neutral = roleless = 0
            recalled: set[tuple[int, int]] = set()
            wrong: list[str] = []
            at_cue_count: Counter[str] = Counter()
            made: Counter[str] = Counter()
            made_right: Counter[str] = Counter()
            unmarked: Counter[str] = Counter()
            near: Counter[str] = Counter()
            for number, (doc, gold) in enumerate(zip(docs, golds, strict=True)):
                for stance in doc._.stances or []:
                    if not (stance["holder"] and stance["target"]):
                        roleless += 1
                    if stance["label"] == "NEUTRAL":
                        neutral += 1
                        continue
                    suggested += 1
                    hits = [n for n, g in enumerate(gold) if matches(stance, g, rule)]
                    right += bool(hits)
                    key = cue_key(doc, stance)
                    made[key] += 1
                    made_right[key] += bool(hits)
                    recalled.update((number, n) for n in hits)
                    if not hits:
                        wrong.append(_describe(stance))
                        what = at_cue(stance, expressions[number])
                        at_cue_count[what] += 1
                        unmarked[key] += what == "no opinion"
                        if what.startswith("a gold opinion"):
                            near[failed_roles(stance, gold, rule)] += 1
            tally = Scores(right, suggested - right, total_gold - len(recalled))
            recall = len(recalled) / max(total_gold, 1)
            f1 = 2 * tally.precision * recall / max(tally.precision + recall, 1e-9)
            print(
                f"{name + ', ' + rule + ' rule':<36} P {tally.precision:6.3f}  R {recall:6.3f}"
                f"  F {f1:6.3f}   ({right} of {suggested} suggestions right, {len(recalled)} of"
                f" {total_gold} gold found; {neutral} NEUTRAL left out; {roleless} without"
                " holder or target)   target P >= 0.45, R >= 0.25"
            )
            print(
                "    wrong suggestions, by what MPQA has at their cue: "
                + "; ".join(f"{what} {count}" for what, count in at_cue_count.most_common())
            )
            # Near misses: which roles differ from the closest gold opinion of the document
            # (the unit to repair: holders, target boundaries or polarity).
            print(
                "    wrong on a gold opinion, by the roles that differ from the closest one: "
                + "; ".join(f"{roles} {count}" for roles, count in near.most_common())
            )
            # A diagnostic, not the target's figure: the gold leaves out the opinions whose
            # source the sentence does not name, so a suggestion on one cannot be right.
            unscorable = at_cue_count[f"an opinion with {SOURCELESS}"]
            print(
                f"    (P without the {unscorable} suggestions on opinions with {SOURCELESS}:"
                f" {right / max(suggested - unscorable, 1):.3f}; a diagnostic only)"
            )
            for line in wrong[:examples]:
                print(f"    wrong: {line}")
            if by_cue:
                print(f"    by cue ({name}, {rule} rule):")
                print("\n".join(by_cue_table(made, made_right, unmarked)))


def _describe(stance: dict[str, Any]) -> str:
    def text(role: str) -> str:
        value = stance[role]
        return value["text"] if value else "-"

    return f"{stance['label']} {text('holder')!r} [{text('cue')}] {text('target')!r}"


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=0, help="example fixes/breaks per rule")
    parser.add_argument("--conll-docs", type=int, default=None, help="only the first N documents")
    parser.add_argument("--mpqa-docs", type=int, default=None, help="only the first N documents")
    parser.add_argument("--only", choices=("entities", "stances"), default=None)
    parser.add_argument(
        "--mpqa-split", choices=tuple(MPQA_SPLITS), default="dev", help="train: for analysis"
    )
    parser.add_argument(
        "--by-cue", action="store_true", help="per cue phrase: suggestions made and right"
    )
    args = parser.parse_args(argv)
    if not CONLL_DEV.is_file() or not MPQA_DEV.is_file():
        print(f"external data not found in {EXTERNAL}", file=sys.stderr)
        return 2
    nlp = load_pipeline()
    if args.only != "stances":
        bench_entities(nlp, args.conll_docs, args.examples)
    if args.only != "entities":
        bench_stances(nlp, args.mpqa_docs, args.examples, args.mpqa_split, args.by_cue)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

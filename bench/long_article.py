"""Suggesting one long article: annotator's pipeline against a plain spaCy run of the same
pipeline package, at 50k, 100k, 200k and 400k characters, side by side in one run.

    python bench/long_article.py [--sizes 50000,100000,200000,400000] [--rounds 2]

The article is real wire copy when ../shared/external has CoNLL-2003 (its training
documents joined in order: prose, headlines, datelines and results tables), else the seed
article repeated. Targets: at 200k characters annotator takes <= 1.5x the plain run, and
its time per character stays flat as the article grows (linear cost).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from annotator.core.conll import conll_documents  # noqa: E402
from annotator.nlp.components import SuggestionSettings, add_to_pipeline  # noqa: E402
from annotator.nlp.pipeline import (  # noqa: E402
    DEFAULT_MODEL,
    load_pipeline,
    suggestions_from_doc,
)

CONLL_TRAIN = Path("/work/shared/external/conll2003_eng.train")
if (REPO.parent / "shared" / "external").is_dir():
    CONLL_TRAIN = REPO.parent / "shared" / "external" / "conll2003_eng.train"


def article(size: int) -> tuple[str, str]:
    """(text of about `size` characters, where it comes from)."""
    parts: list[str] = []
    length = 0
    if CONLL_TRAIN.is_file():
        lines = CONLL_TRAIN.read_text(encoding="utf-8").splitlines()
        for found in conll_documents(lines, CONLL_TRAIN.name, per_sentence=False):
            parts.append(found.record["text"])
            length += len(parts[-1]) + 2
            if length >= size:
                break
        source = "CoNLL-2003 train documents"
    else:
        seed = next((REPO / "seeds").glob("*.txt")).read_text(encoding="utf-8")
        while length < size:
            parts.append(seed)
            length += len(seed) + 2
        source = "the seed article repeated"
    return "\n\n".join(parts)[:size], source


def timed(run: Any, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50000,100000,200000,400000")
    parser.add_argument("--rounds", type=int, default=2, help="best of N runs each")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    import spacy

    plain = spacy.load(DEFAULT_MODEL)
    ours = load_pipeline(DEFAULT_MODEL)
    add_to_pipeline(ours, SuggestionSettings())
    plain.max_length = ours.max_length = max(sizes) + 1000
    print(f"plain spaCy {plain.pipe_names}\nannotator   {ours.pipe_names}")
    text, source = article(max(sizes))
    print(f"article: {source}")
    ours(text[:5000])  # warm up both
    plain(text[:5000])
    print(f"{'chars':>8} {'plain s':>9} {'annotator s':>12} {'ratio':>6} {'us/char':>8}")
    rows = []
    for size in sizes:
        piece = text[:size]
        plain_s = timed(lambda piece=piece: plain(piece), args.rounds)

        def suggest(piece: str = piece) -> None:
            suggestions_from_doc(ours(piece), "bench")

        ours_s = timed(suggest, args.rounds)
        rows.append((size, plain_s, ours_s))
        print(
            f"{size:>8} {plain_s:>9.2f} {ours_s:>12.2f} {ours_s / plain_s:>6.2f}"
            f" {ours_s / size * 1e6:>8.1f}"
        )
    at = {size: ours_s / plain_s for size, plain_s, ours_s in rows}
    if 200000 in at:
        print(f"ratio at 200k characters: {at[200000]:.2f} (target <= 1.5)")
    first, last = rows[0], rows[-1]
    growth = (last[2] / last[0]) / (first[2] / first[0])
    print(
        f"time per character, {last[0]} vs {first[0]} characters: x{growth:.2f}"
        " (1.0 is linear; the plain run's own figure is"
        f" x{(last[1] / last[0]) / (first[1] / first[0]):.2f})"
    )


if __name__ == "__main__":
    main()

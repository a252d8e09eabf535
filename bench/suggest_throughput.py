"""Suggestion throughput: raw `nlp.pipe` against annotator's batch suggestion (store writes
included), side by side in one run over the same texts; then the speed-up of --n-process 2.

    python bench/suggest_throughput.py [--texts 1500] [--rounds 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from annotator.core.corpus import input_hash  # noqa: E402
from annotator.core.model import CorpusRecord, Document  # noqa: E402
from annotator.core.store import SQLiteStore  # noqa: E402
from annotator.nlp.pipeline import load_pipeline, suggest_missing  # noqa: E402


def seed_texts(count: int) -> list[str]:
    """Paragraphs of the seed article, numbered so that every text is a new document."""
    article = next((REPO / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in article.split("\n") if len(p.split()) > 8]
    return [f"{n}. {paragraphs[n % len(paragraphs)]}" for n in range(count)]


def raw_pipe(nlp: Any, texts: list[str], n_process: int) -> tuple[float, int]:
    started = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=64, n_process=n_process))
    return time.perf_counter() - started, tokens


def annotator_suggest(
    nlp: Any, texts: list[str], n_process: int, workdir: Path
) -> tuple[float, int]:
    store = SQLiteStore(workdir / f"store_{time.monotonic_ns()}.sqlite")
    records = [CorpusRecord(Document(input_hash(t), t, {})) for t in texts]
    hashes = store.add_documents(records)
    started = time.perf_counter()
    suggest_missing(store, hashes, lambda: nlp, n_process=n_process, batch_size=64)
    elapsed = time.perf_counter() - started
    tokens = sum(len(store.document(h).tokens) for h in hashes)
    store.close()
    return elapsed, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds; best kept")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    nlp = load_pipeline(args.model)
    texts = seed_texts(args.texts)
    print(f"pipeline {nlp.meta.get('name')} with {nlp.pipe_names}; {len(texts)} texts")
    raw_pipe(nlp, texts[:100], 1)  # warm up
    best: dict[str, float] = {}
    token_count = 0
    with tempfile.TemporaryDirectory() as workdir:
        for _ in range(args.rounds):
            for name, run in (
                ("raw nlp.pipe", lambda: raw_pipe(nlp, texts, 1)),
                ("annotator suggest", lambda: annotator_suggest(nlp, texts, 1, Path(workdir))),
            ):
                elapsed, token_count = run()
                best[name] = min(best.get(name, float("inf")), elapsed)
        raw = token_count / best["raw nlp.pipe"]
        ours = token_count / best["annotator suggest"]
        print(f"raw nlp.pipe:          {raw:10.0f} tokens/s")
        print(f"annotator suggest:     {ours:10.0f} tokens/s (store writes included)")
        print(f"ratio annotator / raw: {ours / raw:10.3f} (target >= 0.95)")
        elapsed_two, _ = annotator_suggest(nlp, texts, 2, Path(workdir))
        two = token_count / elapsed_two
        print(f"annotator --n-process 2: {two:8.0f} tokens/s, speed-up {two / ours:.2f}x over 1")


if __name__ == "__main__":
    main()

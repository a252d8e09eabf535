"""Scale benchmark: `annotator agree` over 10,000 documents x 3 annotators (target: <= 10 s).

Writes three export files of synthetic documents (about 150 tokens and 10 entities each, two
stances) in which the second and third annotators drop, relabel and shift some of the first
one's spans, then times reading them, computing every figure, and the whole CLI command in a
fresh process (interpreter start and imports included).

    python bench/agreement_scale.py [--documents 10000] [--tokens 150]
"""

from __future__ import annotations

import argparse
import json
import os
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

WORDS = ["the", "minister", "said", "on", "monday", "that", "talks", "with", "officials"]
NAMES = ["Astana", "Beijing", "Tokayev", "Wang Yi", "United Nations", "European Union", "Kazakh"]
LABELS = ["GPE", "GPE", "PERSON", "PERSON", "ORG", "ORG", "NORP"]
STANCE_LABELS = ["FAVOR", "AGAINST", "NEUTRAL"]
CLI = "from annotator.cli import main; main()"


def _document(rng: random.Random, number: int, size: int) -> dict[str, Any]:
    words: list[str] = [f"Doc{number}"]
    entities: list[tuple[int, int, str]] = []  # word indices, inclusive end
    while len(words) < size:
        if rng.random() < 0.07:
            which = rng.randrange(len(NAMES))
            parts = NAMES[which].split()
            entities.append((len(words), len(words) + len(parts) - 1, LABELS[which]))
            words.extend(parts)
        else:
            words.append(rng.choice(WORDS))
    tokens, position = [], 0
    for index, word in enumerate(words):
        tokens.append(
            {"text": word, "start": position, "end": position + len(word), "id": index, "ws": True}
        )
        position += len(word) + 1
    tokens[-1]["ws"] = False
    return {"text": " ".join(words), "tokens": tokens, "entities": entities}


def _version(rng: random.Random, doc: dict[str, Any], noise: float) -> dict[str, Any]:
    tokens = doc["tokens"]
    spans: list[dict[str, Any]] = []
    for first, last, label in doc["entities"]:
        free = not spans or spans[-1]["token_end"] < first - 2
        roll = rng.random()
        if roll < noise / 3:
            continue  # dropped
        if roll < 2 * noise / 3:
            label = rng.choice(LABELS)  # relabelled
        elif roll < noise and first > 1 and free:
            first -= 1  # boundary shifted
        spans.append(
            {
                "start": tokens[first]["start"],
                "end": tokens[last]["end"],
                "token_start": first,
                "token_end": last,
                "label": label,
            }
        )
    stances = []
    for holder in doc["entities"][:2]:
        ref = {"start": tokens[holder[0]]["start"], "end": tokens[holder[1]]["end"]}
        target = {"start": tokens[-1]["start"], "end": tokens[-1]["end"]}
        stances.append(
            {
                "label": rng.choice(STANCE_LABELS) if rng.random() < noise else "FAVOR",
                "evidence": {"start": 0, "end": target["end"]},
                "holder": ref,
                "target": target,
            }
        )
    return {
        "text": doc["text"],
        "tokens": tokens,
        "spans": spans,
        "stances": stances,
        "answer": "accept",
    }


def write_files(folder: Path, documents: int, size: int) -> list[Path]:
    rng = random.Random(0)
    docs = [_document(rng, n, size) for n in range(documents)]
    paths = []
    for name, noise in (("alice", 0.0), ("bob", 0.15), ("carol", 0.3)):
        path = folder / f"{name}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for doc in docs:
                record = _version(rng, doc, noise)
                record["_annotator_id"] = name
                handle.write(json.dumps(record) + "\n")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--tokens", type=int, default=150)
    args = parser.parse_args()
    from annotator.core.agreement import compute_agreement
    from annotator.core.agreement_input import read_annotations

    with tempfile.TemporaryDirectory() as tmp:
        paths = write_files(Path(tmp), args.documents, args.tokens)
        size = sum(p.stat().st_size for p in paths) / 1e6
        # The command first, while this process is small and the files are on disk, as when a
        # person runs it: run after the in-process steps below, beside their 1.5 GB and with
        # 360 MB still being written back, it paid seconds of system time for the bench.
        os.sync()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        process = subprocess.run(
            [sys.executable, "-c", CLI, "agree", *map(str, paths), "--json"],
            capture_output=True,
            text=True,
            cwd=tmp,
        )
        whole = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        whole_user = after.ru_utime - children.ru_utime
        whole_sys = after.ru_stime - children.ru_stime
        whole_cpu = whole_user + whole_sys
        peak = after.ru_maxrss / 1024
        started, cpu = time.perf_counter(), time.process_time()
        found = read_annotations(paths, lambda text: ())  # every record has its tokens
        read = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        result = compute_agreement(found)
        computed = time.perf_counter() - started, time.process_time() - cpu
    if process.returncode != 0:
        raise SystemExit(f"agree failed: {process.stderr.strip()}")
    pairs = json.loads(process.stdout)["pairs"]
    tokens = args.documents * args.tokens
    print(f"{args.documents:,} documents x 3 annotators, {tokens:,} tokens each, {size:.0f} MB")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall > CPU: waiting)")
    print("                          wall      CPU")
    print(f"read the files         {read[0]:6.2f} s  {read[1]:6.2f} s")
    print(f"compute every figure   {computed[0]:6.2f} s  {computed[1]:6.2f} s")
    print(f"annotator agree (CLI)  {whole:6.2f} s  {whole_cpu:6.2f} s  (system {whole_sys:.2f} s, "
          f"peak memory {peak:,.0f} MB)")  # fmt: skip
    print(f"target <= 10 s: ratio wall {whole / 10:.2f}, CPU {whole_cpu / 10:.2f}")
    for pair in pairs:
        entities = pair["entities"]
        print(
            f"  {pair['a']}-{pair['b']}: F1 {entities['f1']:.3f}, relaxed "
            f"{entities['relaxed_f1']:.3f}, token kappa {entities['token_kappa']}"
        )
    print(f"  Krippendorff's alpha {result.alpha:.3f}")


if __name__ == "__main__":
    main()

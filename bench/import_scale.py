"""Import benchmark: `annotator import` of 1,000 finished documents, SQLite and PostgreSQL.

Times the whole command in a fresh process (into a new store), and beside it, in one run, the
way import used to write: a transaction for each document's row and one for its change. The
PostgreSQL cluster is a throwaway one with fsync on, as a real server has it.

    python bench/import_scale.py [--documents 1000] [--stores sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from agreement_scale import _document, _version  # noqa: E402

from annotator.core.importing import _records, _target_state, replacing_change  # noqa: E402
from annotator.core.model import CorpusRecord  # noqa: E402
from annotator.core.store import open_store  # noqa: E402
from annotator.nlp.pipeline import blank_tokenizer  # noqa: E402
from tests.pg_cluster import start_cluster  # noqa: E402

CLI = "from annotator.cli import main; main()"


def write_file(path: Path, documents: int, size: int) -> None:
    rng = random.Random(0)
    with path.open("w", encoding="utf-8") as handle:
        for number in range(documents):
            record = _version(rng, _document(rng, number, size), 0.1)
            record["_annotator_id"] = "alice"
            handle.write(json.dumps(record) + "\n")


def per_document(location: str, path: Path) -> float:
    """The old way: every document's row, then its change, each its own transaction."""
    tokenize = blank_tokenizer()
    store = open_store(location)
    started = time.perf_counter()
    for found in _records(path, tokenize, None):
        target = _target_state(store, found, tokenize, {})
        input_hash = found.record.document.input_hash
        store.add_documents([CorpusRecord(document=found.record.document)])
        current = store.state(found.annotator, input_hash)
        store.apply(found.annotator, input_hash, replacing_change(current, target, "import"))
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed


def command(location: str, path: Path) -> float:
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-c", CLI, "import", str(path), "--store", location],
        capture_output=True,
        text=True,
    )
    if process.returncode != 0:
        raise SystemExit(f"import failed: {process.stderr.strip()}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--tokens", type=int, default=150)
    parser.add_argument("--stores", default="sqlite,postgresql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "alice.jsonl"
        write_file(path, args.documents, args.tokens)
        print(f"{args.documents:,} documents of {args.tokens} tokens, one annotator")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'store':<11} {'import (CLI)':>13} {'a commit per document':>22} {'ratio':>6}")
        for backend in args.stores.split(","):
            cluster = start_cluster(durable=True) if backend == "postgresql" else None
            try:
                locations = []
                for name in ("batched", "old"):
                    if cluster is None:
                        locations.append(str(folder / f"{name}.sqlite"))
                    else:
                        cluster.psql(f"CREATE SCHEMA {name}")
                        locations.append(cluster.url(search_path=name))
                whole = command(locations[0], path)
                old = per_document(locations[1], path)
            finally:
                if cluster is not None:
                    cluster.stop()
            print(f"{backend:<11} {whole:>11.2f} s {old:>20.2f} s {old / whole:>6.1f}")


if __name__ == "__main__":
    main()

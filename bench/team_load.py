"""A team on one store: 8 annotator processes making decisions through the session API as
fast as they can, at overlap K=1 and K=2, on PostgreSQL and on SQLite, side by side.

Prints decisions/s and commit latency (p50/p99) per run, then checks the invariants: events in
the store = decisions acknowledged (nothing lost or doubled), no document answered by more
than K annotators, no claim left behind once every session has closed.
Target on PostgreSQL: p99 <= 20 ms and >= 1,000 decisions/s in total.

    python bench/team_load.py [--processes 8] [--decisions 500]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from annotator.core.commands import Accept, SetAnswer  # noqa: E402
from annotator.core.session import AnnotationSession  # noqa: E402
from annotator.core.store import open_store  # noqa: E402
from tests.pg_cluster import Cluster, start_cluster  # noqa: E402
from tests.store_helpers import synthetic_record  # noqa: E402

SPANS_ACCEPTED_PER_DOCUMENT = 4  # then the document is finished: 5 decisions a document


def worker(location: str, annotator: str, overlap: int, decisions: int) -> None:
    """One annotator's terminal: waits for GO, decides, prints its latencies as JSON."""
    store = open_store(location)
    hashes = [int(h) for h in sys.stdin.readline().split()]
    session = AnnotationSession(store, annotator, hashes, overlap=overlap)
    print("READY", flush=True)
    sys.stdin.readline()
    cpu = time.process_time()
    commits: list[float] = []
    claims: list[float] = []
    while len(commits) < decisions:
        pending = [s.id for s in session.state.spans if s.status == "suggested"]
        accepted = sum(1 for s in session.state.spans if s.status == "accepted")
        finish = not pending or accepted >= SPANS_ACCEPTED_PER_DOCUMENT
        started = time.perf_counter()
        session.apply(SetAnswer("accept") if finish else Accept(pending[0]))
        commits.append(time.perf_counter() - started)
        if finish:
            started = time.perf_counter()
            moved = session.next()
            claims.append(time.perf_counter() - started)
            if not moved:
                break
    cpu = time.process_time() - cpu
    session.close()
    print(json.dumps({"commits": commits, "claims": claims, "cpu": cpu}), flush=True)


def server_cpu(cluster: Cluster | None) -> float:
    """CPU seconds used so far by the server's processes (ended backends included)."""
    if cluster is None:
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" (", 1)
        except OSError:
            continue
        fields = rest.rsplit(") ", 1)[1].split()
        if int(pid) == postmaster:  # its own time, and that of the backends it has reaped
            total += sum(int(f) for f in fields[11:15]) / tick
        elif int(fields[1]) == postmaster:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def run(
    location: str,
    hashes: list[int],
    processes: int,
    overlap: int,
    decisions: int,
    cluster: Cluster | None,
) -> dict:
    command = [sys.executable, __file__, "--worker", location, "", str(overlap), str(decisions)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    workers = []
    for n in range(processes):
        command[4] = f"annotator{n}"
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        assert process.stdin is not None
        process.stdin.write(" ".join(map(str, hashes)) + "\n")
        process.stdin.flush()
        workers.append(process)
    for process in workers:
        assert process.stdout is not None and process.stdout.readline().strip() == "READY"
    server_before = server_cpu(cluster)
    started = time.perf_counter()
    for process in workers:
        assert process.stdin is not None
        process.stdin.write("GO\n")
        process.stdin.flush()
    results = [json.loads(process.communicate(timeout=600)[0]) for process in workers]
    wall = time.perf_counter() - started
    server = server_cpu(cluster) - server_before
    commits = sorted(c for r in results for c in r["commits"])
    claims = sorted(c for r in results for c in r["claims"])
    return {
        "decisions": len(commits),
        "wall": wall,
        "rate": len(commits) / wall,
        "p50": 1000 * statistics.median(commits),
        "p99": 1000 * commits[int(0.99 * (len(commits) - 1))],
        "claim_p50": 1000 * statistics.median(claims) if claims else 0.0,
        # Where the time goes: CPU per decision in the annotators' processes and the server's.
        "client_cpu": 1000 * sum(r["cpu"] for r in results) / len(commits),
        "server_cpu": 1000 * server / len(commits),
        "invariants": check(location, hashes, overlap, len(commits), processes),
    }


def check(location: str, hashes: list[int], overlap: int, acked: int, processes: int) -> str:
    """Nothing lost or doubled, the overlap held, no claim left behind."""
    store = open_store(location, read_only=True)
    problems = []
    events = store._db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    if events != acked:
        problems.append(f"{events} events for {acked} acknowledged decisions")
    per_document: Counter[int] = Counter()
    for n in range(processes):
        per_document.update(h for h, a in store.answers(f"annotator{n}", hashes).items() if a)
    if per_document and max(per_document.values()) > overlap:
        problems.append(f"a document answered by {max(per_document.values())} > K annotators")
    if store.claims():
        problems.append(f"{len(store.claims())} claims left behind")
    store.close()
    return "ok" if not problems else "; ".join(problems)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--decisions", type=int, default=500)
    parser.add_argument("--stores", default="postgresql,sqlite", help="which backends to run")
    parser.add_argument("--overlaps", default="1,2", help="which K to run")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        location, annotator, overlap, decisions = args.worker
        worker(location, annotator, int(overlap), int(decisions))
        return
    documents = args.processes * args.decisions // (SPANS_ACCEPTED_PER_DOCUMENT + 1) * 2 + 50
    records = [synthetic_record(n + 1, 60) for n in range(documents)]
    hashes = [r.document.input_hash for r in records]
    cluster = start_cluster(durable=True)  # fsync on: the numbers of a real server
    print(
        f"{args.processes} processes x {args.decisions} decisions, {documents} documents "
        f"({len(records[0].initial.spans) if records[0].initial else 0} suggested spans each)"
    )
    print(f"load average {os.getloadavg()[0]:.2f} (this machine: {os.cpu_count()} cores)")
    print(
        f"{'store':<10} {'K':>2} {'decisions':>9} {'wall s':>7} {'dec/s':>7} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'claim p50':>9} {'cpu/dec client':>14} {'server':>6}"
        f"  invariants"
    )
    results: dict[tuple[str, int], dict] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="team-load-") as folder:
            for backend in args.stores.split(","):
                for overlap in (int(k) for k in args.overlaps.split(",")):
                    if backend == "sqlite":
                        location = str(Path(folder) / f"k{overlap}.sqlite")
                    else:
                        cluster.psql(f"CREATE SCHEMA k{overlap}")
                        location = cluster.url(search_path=f"k{overlap}")
                    seed = open_store(location)
                    seed.add_documents(records)
                    seed.close()
                    r = run(
                        location,
                        hashes,
                        args.processes,
                        overlap,
                        args.decisions,
                        cluster if backend == "postgresql" else None,
                    )
                    results[(backend, overlap)] = r
                    print(
                        f"{backend:<10} {overlap:>2} {r['decisions']:>9} {r['wall']:>7.1f} "
                        f"{r['rate']:>7.0f} {r['p50']:>7.1f} {r['p99']:>7.1f} "
                        f"{r['claim_p50']:>9.1f} {r['client_cpu']:>11.2f} ms "
                        f"{r['server_cpu']:>6.2f}  {r['invariants']}"
                    )
                    if backend == "postgresql":
                        met = r["p99"] <= 20 and r["rate"] >= 1000
                        print(
                            f"{'':<10} target p99 <= 20 ms and >= 1000 decisions/s: "
                            f"{'met' if met else 'NOT met'}"
                        )
        for overlap in (int(k) for k in args.overlaps.split(",")):
            pg, lite = results.get(("postgresql", overlap)), results.get(("sqlite", overlap))
            if pg and lite:
                print(
                    f"PostgreSQL / SQLite at K={overlap}: "
                    f"decisions/s x{pg['rate'] / lite['rate']:.2f}"
                    f", p99 x{pg['p99'] / lite['p99']:.2f}"
                )
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()

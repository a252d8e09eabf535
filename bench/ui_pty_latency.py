"""Per-key latency of the annotation screen as a person sees it: in a real pseudo-terminal.

The app runs as `annotator annotate` under a pty at 120x40 with its suggestions cached. Keys
are written one at a time (tab, shift+tab, arrows, shift+right, a, x, u, ctrl+y); each is
timed from writing its bytes to the last byte of the frame it causes (a frame ends after
30 ms without output). Side by side, in the same run, a minimal Textual app whose binding
repaints one line gets the same keys: the reference. Two articles: the seed (~4,000
characters) and the seed repeated to ~120,000 characters.

Targets (issue 12): p95 <= 16 ms on both articles, edit keys included; p50 <= 2.0x the
reference's. On a loaded machine the wall times stretch (the app waits for a CPU, its
commits for the disk); the CPU the app used per key (all its threads, its frame included)
is printed beside them, and its ratio to the reference's hardly moves.

A commit returns before the disk confirms it (a thread flushes it moments later);
`--compare-sync` also runs each article with every commit waiting for the disk, as before.

    python bench/ui_pty_latency.py [--rounds 3] [--compare-sync]
"""

from __future__ import annotations

import argparse
import os
import select
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from ui_latency import _prepare_store  # noqa: E402

from annotator.core.store.wal_sync import SYNC_ENV  # noqa: E402

SEED = REPO / "seeds" / "000_1bac9c634b71daf2.txt"
ANNOTATOR = str(Path(sys.executable).with_name("annotator"))
QUIET = 0.030  # a frame ends after this long without output
KEYS = {
    "tab": b"\t",
    "shift+tab": b"\x1b[Z",
    "right": b"\x1b[C",
    "left": b"\x1b[D",
    "down": b"\x1b[B",
    "up": b"\x1b[A",
    "shift+right": b"\x1b[1;2C",
    "a": b"a",
    "x": b"x",
    "u": b"u",
    "ctrl+y": b"\x19",
}
SEQUENCE = (
    ["tab"] * 10
    + ["right"] * 8
    + ["shift+right"] * 4
    + ["left"] * 2
    + ["shift+tab"] * 3
    + ["a"] * 6
    + ["x"] * 3
    + ["u"] * 3
    + ["ctrl+y"] * 2
    + ["down"] * 5
    + ["up"] * 3
)
EDIT_KEYS = {"a", "x", "u", "ctrl+y"}

REFERENCE = '''
from textual.app import App
from textual.binding import Binding
from textual.widgets import Static

class Reference(App):
    """One binding per key; each repaints one line."""
    BINDINGS = [Binding(k, "bump", priority=True) for k in {keys!r}]
    count = 0
    def compose(self):
        yield Static("0", id="line")
        yield Static(open({seed!r}, encoding="utf-8").read())
    def action_bump(self):
        self.count += 1
        self.query_one("#line", Static).update(str(self.count))

Reference().run()
'''


def _frame(fd: int, limit: float = 2.0, sizes: list[int] | None = None) -> float | None:
    """Read until QUIET seconds of silence; the time of the last byte (None: no output).
    The number of bytes read is appended to `sizes` if given."""
    last: float | None = None
    size = 0
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], QUIET)
        if not ready:
            if last is not None:
                break
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        last = time.perf_counter()
        size += len(data)
    if sizes is not None:
        sizes.append(size)
    return last


def _cpu_ms(pid: int) -> float:
    """CPU time the process has used so far, all its threads (Linux: schedstat), in ms."""
    total = 0
    for path in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a thread that just ended
    return total / 1e6


def drive(
    command: list[str],
    rounds: int,
    ready: str | None = None,
    key_limit: float = 2.0,
    env: dict[str, str] | None = None,
) -> dict[str, list[float]]:
    """Time each key of SEQUENCE, `rounds` times, in `command` under a 120x40 pty.

    Start-up ends at the first frame, or once the screen shows `ready` (a big record
    takes seconds); `key_limit` is the longest a key's frame may take."""
    started = time.perf_counter()
    child = pexpect.spawn(
        command[0],
        command[1:],
        env={**os.environ, "TERM": "xterm-256color", **(env or {})},
        dimensions=(40, 120),
    )
    fd = child.child_fd
    # Start-up: wait for the first screen, then for everything to settle.
    if ready is None:
        _frame(fd, limit=60)
    else:
        child.expect(ready, timeout=300)
    opened = time.perf_counter() - started  # until the first screen (or `ready`) shows
    time.sleep(1.0)
    _frame(fd, limit=5.0)
    times: dict[str, list[float]] = {"all": [], "edit": [], "cpu": [], "edit cpu": []}
    times["open"] = [opened]
    for _ in range(rounds):
        for key in SEQUENCE:
            cpu = _cpu_ms(child.pid)
            start = time.perf_counter()
            os.write(fd, KEYS[key])
            sizes: list[int] = []
            end = _frame(fd, limit=key_limit, sizes=sizes)
            if end is None:
                continue  # the key changed nothing on screen
            times.setdefault(f"bytes {key}", []).append(sizes[0])
            # The app's CPU for the key (its frame included): unlike the wall time, it
            # hardly moves when other programs load the machine.
            used = (_cpu_ms(child.pid) - cpu) / 1000
            times["all"].append(end - start)
            times["cpu"].append(used)
            times.setdefault(f"key {key}", []).append(end - start)
            if key in EDIT_KEYS:
                times["edit"].append(end - start)
                times["edit cpu"].append(used)
            time.sleep(0.05)
    child.terminate(force=True)
    return times


def _figures(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[max(0, int(round(len(ordered) * 0.95)) - 1)]
    return statistics.median(ordered) * 1000, p95 * 1000


def _print_keys(results: dict[str, dict[str, list[float]]]) -> None:
    """Per key and run: p50 and slowest time (ms), and the median bytes of its frame."""
    print()
    print(f"{'key':12}" + "".join(f" {name.split(' (')[0]:>22}" for name in results))
    print(f"{'':12}" + " {:>22}".format("p50/max ms, bytes") * len(results))
    for key in KEYS:
        cells = []
        for times in results.values():
            values = times.get(f"key {key}")
            if not values:
                cells.append(f" {'-':>22}")
                continue
            size = statistics.median(times[f"bytes {key}"])
            cell = f"{statistics.median(values) * 1000:.1f}/{max(values) * 1000:.1f}, {size:.0f}"
            cells.append(f" {cell:>22}")
        print(f"{key:12}" + "".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--keys", action="store_true", help="also print each key's p50, slowest time and bytes"
    )
    parser.add_argument(
        "--compare-sync",
        action="store_true",
        help="also run each article with every commit waiting for the disk (ANNOTATOR_SYNC)",
    )
    arguments = parser.parse_args()
    from annotator.nlp.pipeline import load_pipeline

    nlp = load_pipeline(None)
    seed = SEED.read_text(encoding="utf-8")
    big = (seed.rstrip("\n") + "\n\n") * (120_000 // len(seed) + 1)
    big = big[: big.rfind("\n\n", 0, 120_000)] + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        reference = folder / "reference.py"
        reference.write_text(REFERENCE.format(keys=sorted(KEYS), seed=str(SEED)), encoding="utf-8")
        runs: dict[str, list[str]] = {"reference (one line)": [sys.executable, str(reference)]}
        for name, text in (("seed", seed), ("120k", big)):
            article, store = _prepare_store(folder, text, name, nlp)
            copy = folder / f"{name}-run.sqlite"
            shutil.copy(store, copy)
            runs[f"{name} ({len(text):,} chars)"] = [
                ANNOTATOR,
                "annotate",
                str(article),
                "--store",
                str(copy),
                "--annotator",
                "bench",
            ]
        results = {name: drive(command, arguments.rounds) for name, command in runs.items()}
        if arguments.compare_sync:
            for name, command in list(runs.items())[1:]:
                # A fresh copy of the store, as the first run had.
                short = name.split()[0]
                copy = folder / f"{short}-sync.sqlite"
                shutil.copy(folder / f"{short}.sqlite", copy)
                command = [*command[:4], str(copy), *command[5:]]
                results[f"{short}, sync at commit"] = drive(
                    command, arguments.rounds, env={SYNC_ENV: "commit"}
                )
    print(f"per-key latency in a pty at 120x40 ({arguments.rounds} rounds of {len(SEQUENCE)} keys;")
    print(f"from writing the key to the last byte of its frame, {QUIET * 1000:.0f} ms quiet)")
    print(
        f"{'':28} {'keys':>5} {'p50 ms':>8} {'p95 ms':>8} {'edit p50':>9} {'edit p95':>9}"
        f" {'cpu p50':>8} {'cpu p95':>8} {'edit cpu p95':>13}"
    )
    reference_p50 = _figures(results["reference (one line)"]["all"])[0]
    for name, times in results.items():
        p50, p95 = _figures(times["all"])
        edit = _figures(times["edit"]) if times["edit"] else (float("nan"), float("nan"))
        cpu = _figures(times["cpu"])
        edit_cpu = _figures(times["edit cpu"])[1] if times["edit cpu"] else float("nan")
        print(
            f"{name:28} {len(times['all']):5} {p50:8.1f} {p95:8.1f} {edit[0]:9.1f} {edit[1]:9.1f}"
            f" {cpu[0]:8.1f} {cpu[1]:8.1f} {edit_cpu:13.1f}"
        )
    if arguments.keys:
        _print_keys(results)
    print()
    for name, times in results.items():
        if name.startswith("reference"):
            continue
        p50, p95 = _figures(times["all"])
        edit_p95 = _figures(times["edit"])[1] if times["edit"] else float("nan")
        ratio = p50 / reference_p50
        cpu_ratio = _figures(times["cpu"])[0] / _figures(results["reference (one line)"]["cpu"])[0]
        verdict = "met" if max(p95, edit_p95) <= 16 and ratio <= 2.0 else "NOT met"
        print(
            f"{name}: p50 {ratio:.1f}x the reference (target <= 2.0x; CPU {cpu_ratio:.1f}x); "
            f"p95 {p95:.1f} ms, edit keys p95 {edit_p95:.1f} ms (target <= 16): {verdict}"
        )


if __name__ == "__main__":
    main()

"""Key latency of the annotation screen, and the time from launch to the first document.

One run drives three apps with Pilot over the same key sequence and prints per-key latency:
the screen on the seed article (~4,000 characters), the screen on the seed repeated to
120,000 characters, and a minimal Textual app whose bindings do nothing (the floor: what
Textual itself costs per key). The ratios to the floor should both stay at most 1.25.

Then it launches `build_app` in fresh processes and prints the time until the first
document is on screen, with suggestions already in the store and without (the model then
loads in a worker; the time until its suggestions are shown is printed too).

    python bench/ui_latency.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SEED = REPO / "seeds" / "000_1bac9c634b71daf2.txt"
SIZE = (120, 40)

# Navigation, selection and edits: what a person does most, in roughly that mix.
KEYS: list[str] = (
    ["tab"] * 10
    + ["right"] * 10
    + ["shift+right"] * 4
    + ["escape"]
    + ["shift+tab"] * 3
    + ["a"] * 6
    + ["x"] * 3
    + ["u"] * 3
    + ["ctrl+y"] * 2
    + ["down"] * 5
    + ["up"] * 3
)
EDIT_KEYS = {"a", "x", "u", "ctrl+y"}


def _floor_app(kind: str = "noop") -> Any:
    """The floor and two references, all with one binding per key of the sequence.

    noop: the binding does nothing (the floor). repaint: it updates a one-line Static above
    the seed text. smallest: it refreshes a one-cell widget on an otherwise empty screen,
    the least any Textual app can repaint.
    """
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.binding import Binding, BindingType
    from textual.widget import Widget
    from textual.widgets import Static

    class Cell(Widget):
        DEFAULT_CSS = "Cell { height: 1; width: 4; }"
        count = 0

        def render(self) -> Text:
            return Text(str(self.count % 10))

    class Floor(App[None]):
        BINDINGS: ClassVar[list[BindingType]] = [
            Binding(key, "noop", priority=True) for key in sorted(set(KEYS))
        ]

        def compose(self) -> ComposeResult:
            if kind == "smallest":
                yield Cell()
                return
            yield Static("", id="line")
            yield Static(SEED.read_text(encoding="utf-8"))

        def action_noop(self) -> None:
            self.count = getattr(self, "count", 0) + 1
            if kind == "repaint":
                self.query_one("#line", Static).update(str(self.count))
            elif kind == "smallest":
                cell = self.query_one(Cell)
                cell.count = self.count
                cell.refresh()

    return Floor()


def _prepare_store(folder: Path, text: str, name: str, nlp: Any) -> tuple[Path, Path]:
    from annotator.core.store import open_store
    from annotator.nlp.pipeline import suggest_missing
    from annotator.workflow import import_corpus

    article = folder / f"{name}.txt"
    article.write_text(text, encoding="utf-8")
    store_path = folder / f"{name}.sqlite"
    store = open_store(store_path)
    imported = import_corpus(store, [article])
    suggest_missing(store, imported.hashes, lambda: nlp)
    store.close()
    return article, store_path


async def _drive(app: Any, keys: Sequence[str]) -> tuple[list[float], list[float]]:
    """Per key: wall seconds (press, handling, screen update) and CPU seconds spent.

    Pilot waits for idleness in 20 ms steps (textual._wait.SLEEP_GRANULARITY), so the wall
    figure moves in steps: a key that repaints anything at all takes one step more than a
    no-op. The CPU figure is the work itself, in the same run.
    """
    walls: list[float] = []
    cpus: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in keys:
            start, cpu = time.perf_counter(), time.process_time()
            await pilot.press(key)
            await pilot.pause()
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
    return walls, cpus


def _ours(article: Path, store_path: Path, copy: Path) -> Any:
    import shutil

    from annotator.ui.app import build_app

    shutil.copy(store_path, copy)
    return build_app([article], store_path=copy, annotator="bench", load_model=_forbidden)


def _forbidden() -> Any:
    raise AssertionError("suggestions are cached; the model must not load")


def _summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "median_ms": statistics.median(ordered) * 1000,
        "mean_ms": statistics.fmean(ordered) * 1000,
        "p95_ms": ordered[int(len(ordered) * 0.95) - 1] * 1000,
    }


def _latency(rounds: int) -> None:
    from annotator.nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    seed = SEED.read_text(encoding="utf-8")
    big = (seed.rstrip("\n") + "\n\n") * (120_000 // len(seed) + 1)
    big = big[: big.rfind("\n\n", 0, 120_000)] + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small_article, small_store = _prepare_store(folder, seed, "seed", nlp)
        big_article, big_store = _prepare_store(folder, big, "seed120k", nlp)
        names = ("floor", "smallest", "repaint", "4k", "120k")
        walls: dict[str, list[float]] = {name: [] for name in names}
        cpus: dict[str, list[float]] = {name: [] for name in names}
        kinds: dict[str, dict[str, list[float]]] = {
            name: {"move": [], "edit": []} for name in ("4k", "120k")
        }
        for round_ in range(rounds):
            for name, kind in (("floor", "noop"), ("smallest", "smallest"), ("repaint", "repaint")):
                wall, cpu = asyncio.run(_drive(_floor_app(kind), KEYS))
                walls[name] += wall
                cpus[name] += cpu
            for name, article, store in (
                ("4k", small_article, small_store),
                ("120k", big_article, big_store),
            ):
                copy = folder / f"{name}-{round_}.sqlite"
                wall, cpu = asyncio.run(_drive(_ours(article, store, copy), KEYS))
                walls[name] += wall
                cpus[name] += cpu
                for key, seconds in zip(KEYS, wall, strict=True):
                    kinds[name]["edit" if key in EDIT_KEYS else "move"].append(seconds)
    labels = {
        "floor": "floor (no-op binding)",
        "smallest": "reference: 1-cell repaint, empty screen",
        "repaint": "reference: binding repaints 1 line",
        "4k": f"seed, {len(seed):,} chars",
        "120k": f"seed x{len(big) // len(seed)}, {len(big):,} chars",
    }
    print(f"per-key latency, {len(KEYS)} keys x {rounds} rounds at {SIZE[0]}x{SIZE[1]}")
    print("  (ratio: to the no-op floor; Pilot waits in 20 ms steps, so any repaint is +1 step)")
    for title, figures in (
        ("wall time per key (Pilot press + pause)", walls),
        ("CPU time per key (same runs)", cpus),
    ):
        floor = _summary(figures["floor"])
        print(f"  {title}:")
        print(f"    {'app':<42}{'median':>10}{'mean':>10}{'p95':>10}{'ratio':>8}")
        for name, label in labels.items():
            row = _summary(figures[name])
            print(
                f"    {label:<42}{row['median_ms']:>8.2f}ms{row['mean_ms']:>8.2f}ms"
                f"{row['p95_ms']:>8.2f}ms{row['median_ms'] / floor['median_ms']:>8.2f}"
            )
    floor_wall = _summary(walls["floor"])["median_ms"]
    repaint_wall = _summary(walls["repaint"])["median_ms"]
    smallest_ratio = _summary(walls["smallest"])["median_ms"] / floor_wall
    ours = max(_summary(walls[name])["median_ms"] for name in ("4k", "120k")) / floor_wall
    print(
        f"  target: both ratios <= 1.25. Ours: {ours:.2f}. The smallest repaint Textual can do "
        f"is {smallest_ratio:.2f}:"
    )
    print(
        "  any key that changes the screen costs one more 20 ms idle step of Pilot than a "
        "no-op, so no repainting app can meet 1.25 under this measure"
    )
    print("  by kind of key (wall; ratios to the no-op floor and to the repainting reference):")
    for name in ("4k", "120k"):
        for kind in ("move", "edit"):
            row = _summary(kinds[name][kind])
            print(
                f"    {name:>5} {kind} keys: median {row['median_ms']:.2f}ms "
                f"({row['median_ms'] / floor_wall:.2f} / {row['median_ms'] / repaint_wall:.2f}),"
                f" p95 {row['p95_ms']:.2f}ms"
            )


_CHILD = r"""
import asyncio, json, sys, time
sys.path.insert(0, {repo!r})
from pathlib import Path
from annotator.ui.app import build_app
from annotator.ui.screens.annotate import AnnotateScreen

async def main():
    app = build_app([Path({article!r})], store_path=Path({store!r}), annotator="bench")
    first = ready = None
    async with app.run_test(size=(120, 40)) as pilot:
        while first is None:
            if isinstance(app.screen, AnnotateScreen) and app.screen.article.line_count:
                first = time.time()
            else:
                await pilot.pause(0.005)
        spacy_at_first = "spacy" in sys.modules
        for _ in range(12000):
            if not app.session.needs_suggestions:
                ready = time.time()
                break
            await pilot.pause(0.005)
    print(json.dumps({{"first": first, "ready": ready, "spacy_at_first": spacy_at_first}}))

asyncio.run(main())
"""


def _startup(rounds: int) -> None:
    import shutil

    from annotator.core.store import open_store
    from annotator.workflow import import_corpus

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        article = folder / SEED.name
        shutil.copy(SEED, article)
        cached = folder / "cached.sqlite"
        from annotator.nlp.pipeline import load_pipeline, suggest_missing

        store = open_store(cached)
        suggest_missing(store, import_corpus(store, [article]).hashes, lambda: load_pipeline())
        store.close()
        print("launch to first document on screen (fresh process, imports included):")
        for case in ("cached", "not cached"):
            firsts: list[float] = []
            readies: list[float] = []
            spacy_loaded = False
            for round_ in range(rounds):
                store_path = folder / f"run-{round_}.sqlite"
                if case == "cached":
                    shutil.copy(cached, store_path)
                else:
                    store_path.unlink(missing_ok=True)
                code = _CHILD.format(repo=str(REPO), article=str(article), store=str(store_path))
                start = time.time()
                output = subprocess.run(
                    [sys.executable, "-c", code], capture_output=True, text=True, check=True
                ).stdout
                result = json.loads(output.strip().splitlines()[-1])
                firsts.append(result["first"] - start)
                readies.append(result["ready"] - start)
                spacy_loaded = spacy_loaded or result["spacy_at_first"]
            print(
                f"  suggestions {case:<11}: first document {statistics.median(firsts):.2f}s, "
                f"suggestions on screen {statistics.median(readies):.2f}s "
                f"(spaCy imported before the first document: {'yes' if spacy_loaded else 'no'})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-startup", action="store_true", help="Only the key latency")
    arguments = parser.parse_args()
    _latency(arguments.rounds)
    if not arguments.skip_startup:
        _startup(arguments.rounds)


if __name__ == "__main__":
    main()

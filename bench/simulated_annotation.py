"""The model-in-the-loop on real text: a simulated annotator corrects suggestions to the gold.

The annotator takes CoNLL-2003 train documents in order (or another order, see --order),
opens each in an `AnnotationSession` on a real store, corrects the model's suggestions to
the gold entities with the edit commands a person's keys make (accept, relabel, move a
boundary, reject, add a span; stance suggestions are rejected, CoNLL has none), and finishes
the document. After 25, 50, 100 and 200 documents it presses `T`: the screen's own training
round (export the finished documents, `annotator train` in a child process, fine-tuning the
last round's model) and then, as the screen does, forgets the suggestions of the documents
nobody has touched, so the next ones come from the new model. Each model is scored on CoNLL
dev (OntoNotes labels mapped to CoNLL, numeric labels left out): the suggestions as the
annotator sees them (model + rule components) and the model alone.

    python bench/simulated_annotation.py [--checkpoints 25,50,100,200] [--steps 600]
        [--order conll|random|uncertain] [--dev-limit N] [--json]

The data stays outside the repository (../shared/external, research licences): nothing
trained here ships.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from annotator.core.commands import (  # noqa: E402
    Accept,
    AddSpan,
    EditCommand,
    EditRefused,
    MoveBoundary,
    Reject,
    Relabel,
)
from annotator.core.model import Span  # noqa: E402
from annotator.core.session import AnnotationSession  # noqa: E402

# ../shared/external beside the checkout (or beside the folder of worktrees holding it).
EXTERNAL = next(
    (p / "shared" / "external" for p in REPO.parents if (p / "shared" / "external").is_dir()),
    REPO.parent / "shared" / "external",
)
CONLL_TRAIN = EXTERNAL / "conll2003_eng.train"
CONLL_DEV = EXTERNAL / "conll2003_eng.testa"
ANNOTATOR = "simulated"
CHECKPOINTS = (25, 50, 100, 200)
TARGET_DOCUMENTS, TARGET_F1 = 100, 0.80
# OntoNotes labels as CoNLL-2003 names them; numeric ones (DATE, MONEY...) have no CoNLL label.
ONTONOTES_TO_CONLL = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
    "PER": "PER",
    "MISC": "MISC",
}

Entity = tuple[int, int, str]  # start, end (characters), label


@dataclass(frozen=True)
class GoldDocument:
    """A text and its gold entities."""

    text: str
    entities: frozenset[Entity]


def conll_gold(path: Path, limit: int | None = None) -> list[GoldDocument]:
    """The documents of a CoNLL-2003 file with their gold entities, in file order."""
    from annotator.core.corpus import read_conll
    from annotator.nlp.pipeline import blank_tokenizer

    documents = []
    for record in read_conll(path, blank_tokenizer()):
        spans = record.initial.spans if record.initial is not None else ()
        entities = frozenset((s.start, s.end, s.label) for s in spans)
        documents.append(GoldDocument(record.document.text, entities))
        if limit is not None and len(documents) >= limit:
            break
    return documents


# --- the simulated annotator --------------------------------------------------------------


@dataclass
class Corrector:
    """Corrects the open document of a session to the gold, one edit command at a time."""

    session: AnnotationSession
    documents: int = 0
    edits: int = 0
    exact: int = 0  # gold entities the suggestions had right (label too)
    gold: int = 0
    sources: set[str] = field(default_factory=set)  # the models whose suggestions it saw

    def _do(self, command: EditCommand) -> None:
        self.session.apply(command)
        self.edits += 1

    def _resize(self, span: Span, first: int, last: int) -> bool:
        """Move the span's edges to tokens first..last, a token at a time, as `[ ] { }` do."""
        for _ in range(4 * (abs(span.token_start - first) + abs(span.token_end - last)) + 4):
            span = self.session.state.span(span.id)
            if (span.token_start, span.token_end) == (first, last):
                return True
            if span.token_end < last:
                self._do(MoveBoundary(span.id, "end", 1))
            elif span.token_start > first:
                self._do(MoveBoundary(span.id, "start", -1))
            elif span.token_start < first:
                self._do(MoveBoundary(span.id, "start", 1))
            else:
                self._do(MoveBoundary(span.id, "end", -1))
        return False

    def correct(self, gold: Iterable[Entity]) -> None:
        """Accept, relabel, resize or reject each suggestion, add what is missing, finish."""
        state = self.session.state
        context = self.session.context
        assert context is not None, "the document has no suggestions"
        wanted = {(start, end): label for start, end, label in gold}
        self.gold += len(wanted)
        for stance in state.stances:
            if stance.status == "suggested":
                self._do(Reject(stance.id))
        done: set[tuple[int, int]] = set()
        suggested = [s for s in state.spans if s.status == "suggested"]
        self.sources.update(s.source for s in suggested)
        exact_ranges = {(s.start, s.end) for s in suggested}
        for span in suggested:
            label = wanted.get((span.start, span.end))
            if label is not None:
                self.exact += label == span.label
                self._do(Accept(span.id) if label == span.label else Relabel(span.id, label))
                done.add((span.start, span.end))
                continue
            target = self._overlapping(span, wanted, done | exact_ranges)
            if target is not None:
                first, last = context.index.token_range(*target)
                try:
                    resized = self._resize(span, first, last)
                except EditRefused:
                    resized = False
                if resized:
                    self._do(Relabel(span.id, wanted[target]))
                    done.add(target)
                    continue
            self._do(Reject(span.id))
        for (start, end), label in sorted(wanted.items()):
            if (start, end) not in done:
                first, last = context.index.token_range(start, end)
                self._do(AddSpan(first, last, label))
        self.session.finish()
        self.edits += 1
        self.documents += 1

    def _overlapping(
        self, span: Span, wanted: dict[tuple[int, int], str], taken: set[tuple[int, int]]
    ) -> tuple[int, int] | None:
        """The one gold range this suggestion overlaps, if no other live span touches it."""
        hits = [r for r in wanted if r[0] < span.end and span.start < r[1] and r not in taken]
        if len(hits) != 1:
            return None
        start, end = hits[0]
        others = [
            s
            for s in self.session.state.spans
            if s.id != span.id and s.status != "rejected" and s.start < end and start < s.end
        ]
        return None if others else hits[0]


# --- scoring on dev --------------------------------------------------------------------------


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float

    @staticmethod
    def of(tp: int, fp: int, fn: int) -> PRF:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return PRF(round(p, 4), round(r, 4), round(2 * p * r / (p + r), 4) if p + r else 0.0)


def as_conll(entities: Iterable[Entity]) -> set[Entity]:
    """Entities with OntoNotes labels mapped to CoNLL's; numeric ones left out."""
    mapped = ((s, e, ONTONOTES_TO_CONLL.get(label)) for s, e, label in entities)
    return {(s, e, label) for s, e, label in mapped if label is not None}


def score(nlp: Any, dev: Sequence[GoldDocument], rules: bool = True) -> PRF:
    """Entity P/R/F1 of a suggestion pipeline on gold documents (exact spans, CoNLL labels)."""
    from annotator.nlp.components import COMPONENT_NAMES
    from annotator.nlp.pipeline import suggestions_from_doc

    disabled = [] if rules else [n for n in nlp.pipe_names if n in COMPONENT_NAMES.values()]
    tp = fp = fn = 0
    with nlp.select_pipes(disable=disabled):
        for doc, gold in zip(nlp.pipe(d.text for d in dev), dev, strict=True):
            _, state = suggestions_from_doc(doc, "bench")
            predicted = as_conll((s.start, s.end, s.label) for s in state.spans)
            expected = as_conll(gold.entities)
            tp += len(predicted & expected)
            fp += len(predicted - expected)
            fn += len(expected - predicted)
    return PRF.of(tp, fp, fn)


# --- the loop ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """One point of the learning curve: the model in use after `documents` corrections."""

    documents: int
    model: str
    suggestions: PRF  # on dev, with the rule components (what the annotator sees)
    model_alone: PRF
    train_seconds: float
    edits_per_document: float  # while correcting the documents since the last checkpoint
    exact_share: float  # of their gold entities, the share the suggestions had right
    round_f1: float | None = None  # the training round's own dev F1 (its split of the export)
    sources: frozenset[str] = frozenset()  # models whose suggestions were corrected before

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "model": self.model,
            "dev_suggestions": vars(self.suggestions),
            "dev_model_alone": vars(self.model_alone),
            "train_seconds": round(self.train_seconds, 1),
            "edits_per_document": round(self.edits_per_document, 2),
            "suggestions_exact_share": round(self.exact_share, 3),
            "round_dev_f1": self.round_f1,
            "suggested_by": sorted(self.sources),
        }


class Loop:
    """The screen's model loop (`annotator.loop`) and, for scoring, the model it suggests with."""

    def __init__(self, store_path: Path, models_dir: Path, steps: int) -> None:
        from annotator.loop.model_loop import ModelLoop

        self.model_loop = ModelLoop(store_path, models_dir=models_dir, steps=steps)
        self._pipelines: dict[str | None, Any] = {}

    @property
    def model(self) -> str | None:
        return self.model_loop.model

    def pipeline(self) -> Any:
        """The suggestion pipeline of the model in use, loaded once (for scoring on dev)."""
        from annotator.nlp.pipeline import load_pipeline

        if self.model not in self._pipelines:
            self._pipelines = {self.model: load_pipeline(self.model)}
        return self._pipelines[self.model]

    def suggest(self, hashes: Sequence[int]) -> int:
        """What the screen does for documents that have no suggestions yet."""
        return self.model_loop.suggest(hashes)

    def train_round(self, store: Any, hashes: Sequence[int]) -> tuple[float, float | None]:
        """`T`: one training round on the finished documents, then the new model suggests
        wherever nobody has worked. Returns the seconds it took and the round's dev F1."""
        from annotator.loop.rounds import entity_f1

        started = time.perf_counter()
        outcome = self.model_loop.start_round(ANNOTATOR, _quiet)()
        if outcome.result is None:
            raise RuntimeError(f"the training round failed: {outcome.error}")
        self.model_loop.adopt(str(outcome.model_path), store, hashes)
        return time.perf_counter() - started, entity_f1(outcome.result)


def _quiet(step: int) -> None:
    pass


def simulate(
    documents: Sequence[GoldDocument],
    dev: Sequence[GoldDocument],
    workdir: Path,
    checkpoints: Sequence[int] = CHECKPOINTS,
    steps: int = 600,
    order: Callable[[Loop, Any, list[int]], list[int]] | None = None,
    report: Callable[[Checkpoint], None] | None = None,
) -> list[Checkpoint]:
    """Correct documents in order, train at each checkpoint, score every model on dev.

    The first point (0 documents) is the suggestion pipeline before any training. `order`
    picks which untouched document comes next (default: corpus order).
    """
    from annotator.core.store import open_store
    from annotator.workflow import import_corpus

    corpus = workdir / "corpus.jsonl"
    with corpus.open("w", encoding="utf-8") as handle:
        for number, document in enumerate(documents):
            handle.write(json.dumps({"text": document.text, "meta": {"n": number}}) + "\n")
    store_path = workdir / "store.sqlite"
    store = open_store(store_path)
    hashes = import_corpus(store, [corpus]).hashes
    gold = dict(zip(hashes, documents, strict=True))
    session = AnnotationSession(store, ANNOTATOR, hashes)
    loop = Loop(store_path, workdir / "models", steps)
    points: list[Checkpoint] = []

    def add(point: Checkpoint) -> None:
        points.append(point)
        if report is not None:
            report(point)

    nlp = loop.pipeline()
    add(Checkpoint(0, "default", score(nlp, dev), score(nlp, dev, rules=False), 0.0, 0.0, 0.0))
    untouched = list(hashes)
    done = 0
    for target in checkpoints:
        corrector = Corrector(session)
        if order is not None:
            untouched = order(loop, store, untouched)  # with the model in use now
        batch = untouched[: min(target, len(hashes)) - done]
        loop.suggest(batch)
        for input_hash in batch:
            session.go_to(hashes.index(input_hash))
            session.reload()
            corrector.correct(gold[input_hash].entities)
            untouched.remove(input_hash)
            done += 1
        seconds, round_f1 = loop.train_round(store, hashes)
        nlp = loop.pipeline()
        add(
            Checkpoint(
                done,
                loop.model or "default",
                score(nlp, dev),
                score(nlp, dev, rules=False),
                seconds,
                corrector.edits / max(1, corrector.documents),
                corrector.exact / corrector.gold if corrector.gold else 0.0,
                round_f1,
                frozenset(corrector.sources),
            )
        )
        if done >= len(hashes):
            break
    store.close()
    return points


def uncertain_first(seed: int) -> Callable[[Loop, Any, list[int]], list[int]]:
    """`--order uncertain`: the untouched documents as `annotate --order uncertain` orders
    them with the model in use (its suggestions for all of them first)."""
    from annotator.loop.ordering import order_by_uncertainty

    def order(loop: Loop, store: Any, untouched: list[int]) -> list[int]:
        return order_by_uncertainty(store, untouched, loop.suggest, seed=seed)

    return order


# --- the chart ---------------------------------------------------------------------------------

EIGHTHS = " ▏▎▍▌▋▊▉█"


def bar(value: float, width: int = 40) -> str:
    """A horizontal bar of `value` (0..1) in eighths of a character."""
    eighths = round(max(0.0, min(1.0, value)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[part] if part else "")).ljust(width)


def render(points: Sequence[Checkpoint]) -> str:
    """The learning curve as a table with bars: dev F1 after each number of documents."""
    header = (
        f"{'docs':>5}  {'dev F1':>6}  {'P':>5}  {'R':>5}  {'alone':>5}  {'edits/doc':>9}  "
        f"{'exact':>5}  {'train s':>7}  "
    )
    lines = [header + "F1 (0 .. 1)"]
    for p in points:
        s = p.suggestions
        lines.append(
            f"{p.documents:>5}  {s.f1:>6.3f}  {s.precision:>5.3f}  {s.recall:>5.3f}  "
            f"{p.model_alone.f1:>5.3f}  {p.edits_per_document:>9.1f}  {p.exact_share:>5.2f}  "
            f"{p.train_seconds:>7.0f}  {bar(s.f1)}|"
        )
    lines.append(" " * (len(header) + round(TARGET_F1 * 40)) + f"^ {TARGET_F1:.2f} target")
    lines.append(
        "dev F1: the suggestions (model + rules) on CoNLL dev; alone: the model without rules; "
        "edits/doc and exact: the documents corrected since the last row, with its model"
    )
    return "\n".join(lines)


Curve = list[tuple[int, float]]  # (documents corrected, dev F1 of the suggestions)


def documents_to_reach(curve: Curve, f1: float) -> int | None:
    """The fewest corrected documents after which dev F1 reached `f1` (None: never)."""
    return next((documents for documents, score in curve if score >= f1), None)


def compare_orders(curves: dict[str, Curve], f1: float) -> str:
    """Side by side: dev F1 per checkpoint in each order, and documents needed for `f1`."""
    names = list(curves)
    counts = sorted({documents for curve in curves.values() for documents, _ in curve})
    lines = [f"{'docs':>5}  " + "  ".join(f"{n:>10}" for n in names)]
    for count in counts:
        cells = []
        for name in names:
            found = [score for documents, score in curves[name] if documents == count]
            cells.append(f"{found[0]:>10.3f}" if found else f"{'':>10}")
        lines.append(f"{count:>5}  " + "  ".join(cells))
    needed = {n: documents_to_reach(curves[n], f1) for n in names}
    lines.append(
        f"documents to reach dev F1 {f1:.2f}: "
        + ", ".join(f"{n} {v if v is not None else 'never'}" for n, v in needed.items())
    )
    return "\n".join(lines)


def _saved_curve(path: Path) -> tuple[str, Curve]:
    saved = json.loads(path.read_text(encoding="utf-8"))
    curve = [(p["documents"], p["dev_suggestions"]["f1"]) for p in saved["points"]]
    return str(saved.get("order", path.stem)), curve


def verdict(points: Sequence[Checkpoint]) -> str:
    reached = [p for p in points if p.documents >= TARGET_DOCUMENTS]
    if not reached:
        return f"fewer than {TARGET_DOCUMENTS} documents corrected: no verdict"
    first = reached[0]
    ok = first.suggestions.f1 >= TARGET_F1
    return (
        f"after {first.documents} corrected documents: dev F1 {first.suggestions.f1:.3f} "
        f"({'meets' if ok else 'misses'} the target of {TARGET_F1:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoints", default=",".join(map(str, CHECKPOINTS)))
    parser.add_argument("--steps", type=int, default=600, help="updates per training round")
    parser.add_argument("--order", choices=("conll", "random", "uncertain"), default="conll")
    parser.add_argument(
        "--pool", type=int, default=400, help="random/uncertain: pick from the first N documents"
    )
    parser.add_argument("--dev-limit", type=int, default=None, help="score on the first N")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the points as JSON")
    parser.add_argument("--save", type=Path, help="also write the points as JSON here")
    parser.add_argument(
        "--compare", type=Path, nargs="+", help="print saved runs side by side, train nothing"
    )
    parser.add_argument("--f1", type=float, default=0.75, help="--compare: the F1 to reach")
    args = parser.parse_args()
    if args.compare:
        print(compare_orders(dict(map(_saved_curve, args.compare)), args.f1))
        return
    if not CONLL_TRAIN.is_file():
        sys.exit(f"{CONLL_TRAIN}: not found; this bench needs ../shared/external (see its README)")
    os.environ.setdefault("ANNOTATOR_SUGGESTERS", "-stances")  # CoNLL has entities only
    checkpoints = [int(n) for n in args.checkpoints.split(",")]
    documents = conll_gold(CONLL_TRAIN)
    order = None
    if args.order == "conll":
        documents = documents[: max(checkpoints)]
    else:
        # Both orders draw from the same shuffled pool: uncertainty starts from it too.
        documents = documents[: max(args.pool, max(checkpoints))]
        random.Random(args.seed).shuffle(documents)
        if args.order == "uncertain":
            order = uncertain_first(args.seed)
    dev = conll_gold(CONLL_DEV, args.dev_limit)
    print(
        f"{len(documents)} CoNLL train documents ({args.order} order), {len(dev)} dev "
        f"documents; training rounds of {args.steps} steps at {checkpoints}",
        file=sys.stderr,
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        points = simulate(
            documents,
            dev,
            Path(folder),
            checkpoints,
            args.steps,
            order,
            report=lambda p: print(
                f"  {p.documents} documents: dev F1 {p.suggestions.f1:.3f} "
                f"(model alone {p.model_alone.f1:.3f}), trained in {p.train_seconds:.0f} s",
                file=sys.stderr,
            ),
        )
    total = time.perf_counter() - started
    found = {"order": args.order, "points": [p.to_json() for p in points], "seconds": round(total)}
    if args.save:
        args.save.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(found))
        return
    print(render(points))
    print(verdict(points))
    print(f"total {total / 60:.1f} min")


if __name__ == "__main__":
    main()

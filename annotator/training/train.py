"""Training: export JSONL -> DocBin -> config -> spaCy's training loop -> scores on dev.

The output folder of `train_model(export, models/NAME)`:

    models/NAME/config.cfg        the training config (check it with `spacy debug data`)
    models/NAME/corpus/*.spacy    the train and dev split it was trained on
    models/NAME/model-best/       the best checkpoint: `annotator suggest --model` it
    models/NAME/model-last/       the last checkpoint
    models/NAME/scores.json       precision, recall and F1 on dev, entities and stances
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from spacy.tokens import Doc

from annotator.core.files import check_output_folder, write_atomically
from annotator.core.printable import colour_only_on_a_terminal
from annotator.errors import AnnotatorError
from annotator.nlp.trained_stances import STANCE_KEY
from annotator.training.config import TrainingSettings, build_config, write_config
from annotator.training.docbin import (
    DEFAULT_DEV_FRACTION,
    INCORRECT_SPANS_KEY,
    TrainingDocs,
    read_export,
    training_docs,
    write_docbins,
)
from annotator.training.rehearsal import (
    annotated_labels,
    annotated_ner_scorer,
    only_labels,
    rehearse,
)
from annotator.training.sentences import MIN_DOCUMENTS, unsplit_entities

MODEL_BEST = "model-best"
MODEL_LAST = "model-last"
SCORES_FILE = "scores.json"
CONFIG_FILE = "config.cfg"
CORPUS_DIR = "corpus"
# Components a fine-tuning run trains or adds: the rest of the base annotates, frozen.
_TRAINED = ("ner", "spancat", "annotator_trained_stances")


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 on dev (None: dev has nothing of this kind), overall and per
    label."""

    precision: float | None
    recall: float | None
    f1: float | None
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "per_label": self.per_label,
        }


@dataclass(frozen=True)
class DevScores:
    """The dev scores of one trained pipeline."""

    entities: PRF
    stances: PRF

    def to_json(self) -> dict[str, Any]:
        return {"entities": self.entities.to_json(), "stances": self.stances.to_json()}


@dataclass(frozen=True)
class TrainResult:
    """What one training run produced."""

    output_dir: Path
    model_path: Path
    config_path: Path
    scores: DevScores
    train_count: int
    dev_count: int
    seconds: float
    skipped: dict[str, int]
    source: str
    # Entities of the base pipeline added to keep labels the export does not annotate.
    kept_labels: dict[str, int] = field(default_factory=dict)
    new_labels: tuple[str, ...] = ()  # labels the base ner did not have
    split_entities: int = 0  # gold entities the base parser splits, left unsupervised
    unit: str = "document"  # what train and dev hold: documents, paragraphs or sentences
    documents: int = 0  # accepted documents they came from
    base_entities_f1: float | None = None  # the base pipeline's own entity F1 on dev

    @property
    def no_better_than_base(self) -> bool:
        """Whether model-best's entity F1 on dev is within 0.005 of the base's or below it:
        dev F1 only fell while training, so the best checkpoint is the first one, which is
        in effect the base pipeline."""
        tuned, base = self.scores.entities.f1, self.base_entities_f1
        return tuned is not None and base is not None and tuned < base + 0.005

    def to_json(self) -> dict[str, Any]:
        return {
            "model": str(self.model_path),
            "source": self.source,
            **self.scores.to_json(),
            "train_documents": self.train_count,
            "dev_documents": self.dev_count,
            "examples": self.unit,
            "accepted_documents": self.documents,
            "skipped_documents": self.skipped,
            "base_entities_kept": self.kept_labels,
            "new_labels": list(self.new_labels),
            "split_entities_left_out": self.split_entities,
            "base_entities_f1": self.base_entities_f1,
            "no_better_than_base": self.no_better_than_base,
            "seconds": round(self.seconds, 2),
        }


def model_name(output_dir: Path) -> str:
    """The pipeline's meta name: the output folder's name, as a Python-identifier-like slug."""
    slug = re.sub(r"[^0-9A-Za-z_]+", "_", output_dir.resolve().name).strip("_")
    return slug or "pipeline"


def _prf(scores: dict[str, Any], prefix: str) -> PRF:
    def value(key: str) -> float | None:
        number = scores.get(f"{prefix}_{key}")
        return None if number is None else round(float(number), 4)

    per_type = scores.get(f"{prefix}_per_type") or {}
    return PRF(
        precision=value("p"),
        recall=value("r"),
        f1=value("f"),
        per_label={
            label: {k: round(float(v), 4) for k, v in figures.items()}
            for label, figures in sorted(per_type.items())
        },
    )


def _same_tokens(nlp: Any, gold: Any) -> Any:
    """An unannotated Doc with the gold Doc's tokens, for the pipeline to process."""
    return Doc(nlp.vocab, words=[t.text for t in gold], spaces=[bool(t.whitespace_) for t in gold])


def evaluate(nlp: Any, dev: list[Any], entity_labels: Collection[str] | None = None) -> DevScores:
    """Score a pipeline on gold Docs: each is re-processed from its own tokens.

    With `entity_labels`, predicted entities of other labels are left out: gold that
    annotates PERSON alone can neither confirm nor refute a GPE.
    """
    from spacy.scorer import Scorer
    from spacy.training import Example

    predicted = nlp.pipe(_same_tokens(nlp, gold) for gold in dev)
    examples = [Example(guess, gold) for guess, gold in zip(predicted, dev, strict=True)]
    if entity_labels is not None:
        examples = only_labels(examples, entity_labels)
    scores = Scorer(nlp).score(examples)
    return DevScores(entities=_prf(scores, "ents"), stances=_prf(scores, f"spans_{STANCE_KEY}"))


def _label_meta(model_dir: Path, name: str, source: str) -> None:
    """Name the pipeline after its folder, and record the `source` its suggestions carry."""
    meta_path = model_dir / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["name"] = name
    meta["annotator_source"] = source
    meta["annotator_trained"] = True  # its suggestions carry the ner's confidence
    text = json.dumps(meta, indent=2)
    write_atomically(meta_path, lambda handle: handle.write(text))


def _what_to_learn(split: TrainingDocs, settings: TrainingSettings) -> tuple[bool, bool]:
    """Whether the train split has entities and stances at all: a component with no labels
    to learn cannot be initialized, so it is left out of the config."""
    has_entities = any(doc.ents for doc in split.train)
    has_stances = any(doc.spans.get(STANCE_KEY) for doc in split.train)
    if not has_entities and not has_stances:
        raise AnnotatorError(
            "the training documents hold neither entity spans nor stances; annotate some first"
        )
    return has_entities or settings.base_model is not None, has_stances


def prepare_training(
    split: TrainingDocs, output_dir: Path, settings: TrainingSettings
) -> tuple[Any, Path]:
    """Write the corpus and config.cfg into `output_dir`; returns the config and its path."""
    check_output_folder(output_dir, "model")
    output_dir.mkdir(parents=True, exist_ok=True)
    corpus = write_docbins(split, output_dir / CORPUS_DIR)
    with_ner, with_spancat = _what_to_learn(split, settings)
    config = build_config(
        replace(settings, with_ner=with_ner, with_spancat=with_spancat),
        corpus.train_path,
        corpus.dev_path,
    )
    return config, write_config(config, output_dir / CONFIG_FILE)


def add_new_labels(ner: Any, docs: Sequence[Doc]) -> tuple[str, ...]:
    """Add to a fine-tuned ner the entity labels of `docs` it lacks; returns them, sorted.

    spaCy resumes a sourced component instead of initializing it, so its labels are the base
    pipeline's, and an entity of another label (CoNLL's PER, say) has no move to supervise it
    (E024). Adding a label resizes the output layer and keeps everything learned so far.
    """
    wanted = {ent.label_ for doc in docs for ent in doc.ents}
    wanted |= {span.label_ for doc in docs for span in doc.spans.get(INCORRECT_SPANS_KEY, ())}
    new = tuple(sorted(wanted - set(ner.labels)))
    for label in new:
        ner.add_label(label)
    return new


@dataclass(frozen=True)
class BaseCheck:
    """What fine-tuning learned about its base pipeline before training."""

    training: TrainingDocs  # the train split with kept labels, split entities set missing
    kept: dict[str, int]
    split_entities: int
    entities_f1: float | None  # the base pipeline's own entity F1 on dev


def _check_base(
    split: TrainingDocs, settings: TrainingSettings, annotated: frozenset[str]
) -> BaseCheck:
    """Rehearse the base's other labels, unsplit the entities its parser splits, score it."""
    if settings.base_model is None:
        return BaseCheck(split, {}, 0, None)
    base = _load(settings.base_model)
    training, kept = split, {}
    if settings.keep_other_labels:
        rehearsal = rehearse(split, base)
        training, kept = rehearsal.split, rehearsal.added
    with base.select_pipes(disable=[n for n in base.pipe_names if n in _TRAINED]):
        train, split_entities = unsplit_entities(training.train, base)
    base_f1 = evaluate(base, split.dev, annotated).entities.f1 if "ner" in base.pipe_names else None
    return BaseCheck(replace(training, train=train), kept, split_entities, base_f1)


def train_split(
    split: TrainingDocs,
    output_dir: Path,
    settings: TrainingSettings,
    log: TextIO = sys.stderr,
    name: str | None = None,
) -> TrainResult:
    """Train on an already split corpus and write everything into `output_dir`."""
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train as train_nlp

    started = time.perf_counter()
    annotated = annotated_labels([*split.train, *split.dev])
    base = _check_base(split, settings, annotated)
    config, config_path = prepare_training(base.training, output_dir, settings)
    nlp = init_nlp(config)
    new_labels: tuple[str, ...] = ()
    if "ner" in nlp.pipe_names:
        ner: Any = nlp.get_pipe("ner")
        new_labels = add_new_labels(ner, base.training.train)
        # Not saved with the model: it only steers the choice of model-best.
        ner.scorer = annotated_ner_scorer(annotated)
    with colour_only_on_a_terminal(log):  # a log file or a pipe gets no ANSI codes
        train_nlp(nlp, output_dir, stdout=log, stderr=log)
    name = name or model_name(output_dir)
    for folder in (MODEL_BEST, MODEL_LAST):
        _label_meta(output_dir / folder, name, f"{name}/{folder}")
    model_path = output_dir / MODEL_BEST
    scores = evaluate(_load(model_path), split.dev, annotated)
    result = TrainResult(
        output_dir=output_dir,
        model_path=model_path,
        config_path=config_path,
        scores=scores,
        train_count=len(split.train),
        dev_count=len(split.dev),
        seconds=time.perf_counter() - started,
        skipped=split.skipped,
        source=f"{name}/{MODEL_BEST}",
        kept_labels=base.kept,
        new_labels=new_labels,
        split_entities=base.split_entities,
        unit=split.unit,
        documents=split.documents,
        base_entities_f1=base.entities_f1,
    )
    text = json.dumps(result.to_json(), indent=2)
    write_atomically(output_dir / SCORES_FILE, lambda handle: handle.write(text + "\n"))
    return result


def training_notes(result: TrainResult) -> list[str]:
    """What a person should know about a run beyond its scores, one line each."""
    notes = []
    if result.unit != "document":
        notes.append(
            f"{result.documents} accepted document(s) are too few to split by document: "
            f"trained on their {result.unit}s instead ({result.train_count} train / "
            f"{result.dev_count} dev); dev comes from the same text as train, so its scores "
            "flatter the model"
        )
    if result.new_labels:
        notes.append(f"new labels for the base ner: {', '.join(result.new_labels)}")
    if result.split_entities:
        notes.append(
            f"{result.split_entities} entity(ies) the base parser splits across sentences "
            "left out of training (its ner cannot make them)"
        )
    if result.no_better_than_base:
        notes.append(
            f"model-best is in effect the untouched base model: its entity F1 on dev "
            f"({result.scores.entities.f1:.3f}) is no better than the base pipeline's "
            f"({result.base_entities_f1:.3f}), which only fell while training; annotate more "
            "documents, or keep using the base model"
        )
    return notes


def _load(model: Path | str) -> Any:
    import spacy

    return spacy.load(model)


def train_model(
    export_path: Path,
    output_dir: Path,
    settings: TrainingSettings | None = None,
    dev_fraction: float = DEFAULT_DEV_FRACTION,
    log: TextIO = sys.stderr,
) -> TrainResult:
    """Train a pipeline from an export JSONL file (see the module docstring for the output)."""
    settings = settings or TrainingSettings()
    check_output_folder(output_dir, "model")  # before minutes of reading and training
    split = training_docs(
        read_export(export_path),
        dev_fraction,
        settings.seed,
        where=str(export_path),
        min_documents=MIN_DOCUMENTS,
    )
    return train_split(split, output_dir, settings, log)

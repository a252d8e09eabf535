"""Adding this tool's rule components to a spaCy pipeline, each one switchable.

`load_pipeline` calls `add_to_pipeline(nlp)`; which components run comes from
`SuggestionSettings` (default: all on), read from `$ANNOTATOR_SUGGESTERS` when no settings are
passed, e.g. `ANNOTATOR_SUGGESTERS=none`, `ANNOTATOR_SUGGESTERS=-consistency,-stances` or
`ANNOTATOR_SUGGESTERS=boilerplate,titles`.
"""

from __future__ import annotations

from typing import Any

# Importing the component modules registers their factories with spaCy, which a pipeline saved
# with these components needs before `spacy.load`.
from annotator.nlp import boundaries as boundaries
from annotator.nlp import entity_rules as entity_rules
from annotator.nlp import layout_rules as layout_rules
from annotator.nlp import paragraphs as paragraphs
from annotator.nlp import stance as stance
from annotator.nlp.settings import COMPONENT_NAMES as COMPONENT_NAMES
from annotator.nlp.settings import ENTITY_SETTINGS as ENTITY_SETTINGS
from annotator.nlp.settings import SUGGESTERS_ENV as SUGGESTERS_ENV
from annotator.nlp.settings import SuggestionSettings as SuggestionSettings


def add_to_pipeline(nlp: Any, settings: SuggestionSettings | None = None) -> list[str]:
    """Add (or enable/disable) the rule components; returns the names of those that run.

    Idempotent: components a pipeline already has, for instance one saved with them and
    loaded from disk, are switched on or off rather than added twice.
    """
    settings = settings or SuggestionSettings.from_env()
    # Cached suggestions are keyed by it (pipeline.cache_key): other rules, other suggestions.
    nlp.meta["annotator_suggesters"] = settings.spec()
    running: list[str] = []
    for setting, component in COMPONENT_NAMES.items():
        wanted = bool(getattr(settings, setting))
        if component in nlp.component_names:
            if wanted and component in nlp.disabled:
                nlp.enable_pipe(component)
            elif not wanted and component not in nlp.disabled:
                nlp.disable_pipe(component)
        elif wanted:
            nlp.add_pipe(component, **_placement(nlp, setting))
        if wanted:
            running.append(component)
    return running


def _placement(nlp: Any, setting: str) -> dict[str, Any]:
    """Paragraph breaks before the parser; entity rules right after the NER (in setting
    order); the stance suggester last."""
    if setting == "paragraphs":
        parsers = [n for n in ("parser", "senter") if n in nlp.component_names]
        return {"before": parsers[0]} if parsers else {"first": True}
    if setting not in ENTITY_SETTINGS:
        return {}
    order = list(ENTITY_SETTINGS)
    later = [
        COMPONENT_NAMES[name]
        for name in order[order.index(setting) + 1 :]
        if COMPONENT_NAMES[name] in nlp.component_names
    ]
    if later:
        return {"before": later[0]}
    earlier = [
        COMPONENT_NAMES[name]
        for name in reversed(order[: order.index(setting)])
        if COMPONENT_NAMES[name] in nlp.component_names
    ]
    if earlier:
        return {"after": earlier[0]}
    if "ner" in nlp.component_names:
        return {"after": "ner"}
    return {}

"""Adding this tool's rule components to a spaCy pipeline, each one switchable.

`load_pipeline` calls `add_to_pipeline(nlp)`; which components run comes from
`SuggestionSettings` (default: all on), read from `$ANNOTATOR_SUGGESTERS` when no settings are
passed, e.g. `ANNOTATOR_SUGGESTERS=none`, `ANNOTATOR_SUGGESTERS=-consistency,-stances` or
`ANNOTATOR_SUGGESTERS=boilerplate,titles`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any

from annotator.errors import AnnotatorError

# Importing the component modules registers their factories with spaCy, which a pipeline saved
# with these components needs before `spacy.load`.
from annotator.nlp import entity_rules as entity_rules
from annotator.nlp import stance as stance

SUGGESTERS_ENV = "ANNOTATOR_SUGGESTERS"
# Setting name -> spaCy component name, in pipeline order: boilerplate first so footer entities
# cannot vote in the consistency step; stances last so they see the corrected entities.
COMPONENT_NAMES: dict[str, str] = {
    "boilerplate": "annotator_boilerplate",
    "datelines": "annotator_datelines",
    "titles": "annotator_titles",
    "consistency": "annotator_consistency",
    "stances": "annotator_stances",
}
ENTITY_SETTINGS = ("boilerplate", "datelines", "titles", "consistency")


@dataclass(frozen=True)
class SuggestionSettings:
    """Which rule components run on top of the model."""

    boilerplate: bool = True
    titles: bool = True
    consistency: bool = True
    stances: bool = True
    datelines: bool = True

    @staticmethod
    def none() -> SuggestionSettings:
        """The raw model: no rule component at all."""
        return SuggestionSettings(**{f.name: False for f in fields(SuggestionSettings)})

    @staticmethod
    def parse(value: str) -> SuggestionSettings:
        """From "all", "none", "a,b" (only those) or "-a,-b" (all but those)."""
        names = [part.strip().lower() for part in value.split(",") if part.strip()]
        known = {f.name for f in fields(SuggestionSettings)}
        settings = SuggestionSettings()
        if names and not all(n.startswith("-") or n in ("all", "none") for n in names):
            settings = SuggestionSettings.none()  # a plain list names the only ones to run
        for name in names:
            if name == "all":
                settings = SuggestionSettings()
                continue
            if name == "none":
                settings = SuggestionSettings.none()
                continue
            switch_on = not name.startswith("-")
            name = name.lstrip("-+")
            if name not in known:
                raise AnnotatorError(
                    f"${SUGGESTERS_ENV}: unknown suggester {name!r}; "
                    f"use all, none or some of {', '.join(sorted(known))}"
                )
            settings = replace(settings, **{name: switch_on})
        return settings

    @staticmethod
    def from_env() -> SuggestionSettings:
        """`$ANNOTATOR_SUGGESTERS`, else everything on."""
        return SuggestionSettings.parse(os.environ.get(SUGGESTERS_ENV, "all"))

    def enabled(self) -> list[str]:
        """Setting names that are on, in pipeline order."""
        return [name for name in COMPONENT_NAMES if getattr(self, name)]


def add_to_pipeline(nlp: Any, settings: SuggestionSettings | None = None) -> list[str]:
    """Add (or enable/disable) the rule components; returns the names of those that run.

    Idempotent: components a pipeline already has, for instance one saved with them and
    loaded from disk, are switched on or off rather than added twice.
    """
    settings = settings or SuggestionSettings.from_env()
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


def _placement(nlp: Any, setting: str) -> dict[str, str]:
    """Entity rules go right after the NER (in setting order); the stance suggester last."""
    if setting not in ENTITY_SETTINGS:
        return {}
    order = list(COMPONENT_NAMES)
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

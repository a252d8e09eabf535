"""Which rule components run on top of the model: `SuggestionSettings`, without spaCy.

Kept apart from components.py so that the start-up path (which cached suggestions are still
valid) can read the settings without importing spaCy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

from annotator.errors import AnnotatorError

SUGGESTERS_ENV = "ANNOTATOR_SUGGESTERS"
# Setting name -> spaCy component name, in pipeline order: paragraphs before the parser;
# boilerplate first of the entity rules so footer entities cannot vote in the consistency
# step; stances last so they see the corrected entities.
COMPONENT_NAMES: dict[str, str] = {
    "paragraphs": "annotator_paragraphs",  # before the parser, unlike the others
    "boilerplate": "annotator_boilerplate",
    "headlines": "annotator_headlines",
    "datelines": "annotator_datelines",
    "boundaries": "annotator_boundaries",
    "titles": "annotator_titles",
    "consistency": "annotator_consistency",
    "stances": "annotator_stances",
}
ENTITY_SETTINGS = (
    "boilerplate",
    "headlines",
    "datelines",
    "boundaries",
    "titles",
    "consistency",
)


@dataclass(frozen=True)
class SuggestionSettings:
    """Which rule components run on top of the model."""

    paragraphs: bool = True
    boilerplate: bool = True
    headlines: bool = True
    boundaries: bool = True
    titles: bool = True
    consistency: bool = True
    stances: bool = True
    datelines: bool = True

    @staticmethod
    def none() -> SuggestionSettings:
        """The raw model: no rule component at all."""
        return SuggestionSettings(**{f.name: False for f in fields(SuggestionSettings)})

    @staticmethod
    def parse(value: str, where: str = f"${SUGGESTERS_ENV}") -> SuggestionSettings:
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
                    f"{where}: unknown suggester {name!r}; "
                    f"use all, none or some of {', '.join(sorted(known))}"
                )
            settings = replace(settings, **{name: switch_on})
        return settings

    @staticmethod
    def from_env() -> SuggestionSettings:
        """`$ANNOTATOR_SUGGESTERS`, else everything on."""
        return SuggestionSettings.parse(os.environ.get(SUGGESTERS_ENV, "all"))

    def spec(self) -> str:
        """The settings as `parse` reads them: "all", "none" or the names that run."""
        on = [name for name in COMPONENT_NAMES if getattr(self, name)]
        if len(on) == len(COMPONENT_NAMES):
            return "all"
        return ",".join(on) or "none"

    def enabled(self) -> list[str]:
        """Setting names that are on, in pipeline order."""
        return [name for name in COMPONENT_NAMES if getattr(self, name)]

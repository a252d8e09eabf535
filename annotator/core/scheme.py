"""The label scheme: entity labels with colors and keys, and the stance labels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from annotator.core.jsonfile import read_json_file
from annotator.core.model import Span, Stance
from annotator.core.printable import control_character, printable
from annotator.core.schema import LABELS_SCHEMA, SCHEMA_DIR, validator
from annotator.errors import InputError

DEFAULT_SCHEME = SCHEMA_DIR / "labels.json"
# The annotation screen binds these; a scheme may restate a stance label's key, not change
# it (every other letter is taken by the keymap). Entity labels take the keys 1-9.
STANCE_KEYS = {"FAVOR": "f", "AGAINST": "d", "NEUTRAL": "e"}


@dataclass(frozen=True)
class Label:
    name: str
    key: str | None
    color: str
    description: str = ""


@dataclass(frozen=True)
class LabelScheme:
    entity_labels: tuple[Label, ...]
    stance_labels: tuple[Label, ...]

    def entity(self, name: str) -> Label | None:
        return next((label for label in self.entity_labels if label.name == name), None)

    def color(self, name: str) -> str:
        return self._colors.get(name, "#bbbbbb")

    @cached_property
    def _colors(self) -> dict[str, str]:
        # The screen asks for a color for every character it repaints: a lookup, not a walk.
        colors: dict[str, str] = {}
        for label in (*self.entity_labels, *self.stance_labels):
            colors.setdefault(label.name, label.color)
        return colors

    def by_key(self, key: str) -> Label | None:
        return next((label for label in self.entity_labels if label.key == key), None)

    @property
    def entity_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.entity_labels)

    def outside(self, spans: Iterable[Span], stances: Iterable[Stance] = ()) -> Counter[str]:
        """Labels the scheme does not know (an imported file's or another model's), counted;
        rejected items do not count, as they will not be exported as that label."""
        entity_names = set(self.entity_names)
        stance_names = {label.name for label in self.stance_labels}
        found: Counter[str] = Counter()
        found.update(
            s.label for s in spans if s.status != "rejected" and s.label not in entity_names
        )
        found.update(
            s.label for s in stances if s.status != "rejected" and s.label not in stance_names
        )
        return found

    def outside_notice(self, spans: Iterable[Span], stances: Iterable[Stance] = ()) -> str | None:
        """One line telling the user about labels outside the scheme, if there are any."""
        found = self.outside(spans, stances)
        if not found:
            return None
        listed = ", ".join(f"{label} ×{count}" for label, count in found.most_common(4))
        more = f" and {len(found) - 4} more" if len(found) > 4 else ""
        return (
            f"labels not in the scheme: {listed}{more} (shown grey, no key); relabel them "
            "or add them to the --scheme file"
        )


def _label(item: dict[str, str]) -> Label:
    # "key" and "description" are optional in labels.schema.json.
    return Label(item["name"], item.get("key"), item["color"], item.get("description", ""))


def load_scheme(path: Path | None = None) -> LabelScheme:
    """Read and check a label scheme file; a malformed one is an InputError naming it."""
    path = path or DEFAULT_SCHEME
    data = read_json_file(path, "label scheme")
    errors = sorted(validator(LABELS_SCHEMA).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "scheme"
        raise InputError(path, f"malformed label scheme: {where}: {errors[0].message}")
    entities = tuple(_label(item) for item in data["entity_labels"])
    stances = tuple(_label(item) for item in data["stance_labels"])
    for stance in stances:
        if stance.key is not None and stance.key != STANCE_KEYS[stance.name]:
            fixed = ", ".join(f"{key} {name}" for name, key in STANCE_KEYS.items())
            raise InputError(
                path,
                f"malformed label scheme: stance label {stance.name} has key {stance.key!r}; "
                f"the stance keys are fixed ({fixed})",
            )
    for label in entities:
        control = control_character(label.name)
        if control is not None:
            raise InputError(
                path,
                f"malformed label scheme: label '{printable(label.name)}' holds a control "
                f"character ({control}); labels are plain names",
            )
    for group in (entities, stances):
        names = [label.name for label in group]
        keys = [label.key for label in group if label.key]
        if len(set(names)) != len(names):
            raise InputError(path, "malformed label scheme: a label name appears twice")
        if len(set(keys)) != len(keys):
            raise InputError(path, "malformed label scheme: a key is given to two labels")
    return LabelScheme(entity_labels=entities, stance_labels=stances)

"""The command palette provider: every action of the annotation screen, by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from annotator.ui.screens.annotate import AnnotateScreen


class AnnotationCommands(Provider):
    """Each key's action, plus `label as X` for every entity label (keyed or not)."""

    def _commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        screen = self.screen
        if not isinstance(screen, AnnotateScreen):
            return []
        commands: list[tuple[str, str, Callable[[], None]]] = []
        seen: set[str] = set()
        for binding in AnnotateScreen.BINDINGS:
            if not isinstance(binding, Binding) or binding.action.startswith("label_key"):
                continue
            if binding.action in seen:
                continue
            seen.add(binding.action)
            keys = [self.app.get_key_display(Binding(k, "")) for k in binding.key.split(",")]
            # One line per action: its name, and its keys as the help line under it.
            name = binding.tooltip or binding.description
            help_text = f"key: {' or '.join(keys)}"
            commands.append((name, help_text, partial(screen.perform, binding.action)))
        for label in screen.scheme.entity_labels:
            key = f" (key: {label.key})" if label.key else ""
            commands.append(
                (
                    f"Label as {label.name}",
                    f"{label.description or label.name}{key}",
                    partial(screen.action_label, label.name),
                )
            )
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)

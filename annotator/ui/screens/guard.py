"""`needs_spans`: keys that act on spans wait until the spans are on screen."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar


class _Screen(Protocol):
    def ready(self) -> bool: ...


S = TypeVar("S", bound=_Screen)
P = ParamSpec("P")


def needs_spans(action: Callable[Concatenate[S, P], None]) -> Callable[Concatenate[S, P], None]:
    """A key that acts on spans waits for them to be on screen, and says so (with a bell):
    a key pressed while the model suggests never acts on a span nobody has seen."""

    @functools.wraps(action)
    def guarded(self: S, *args: P.args, **kwargs: P.kwargs) -> None:
        if self.ready():
            action(self, *args, **kwargs)

    return guarded

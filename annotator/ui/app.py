"""The Textual application and the one factory that builds it (for the CLI and the tests)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from annotator.core.scheme import LabelScheme, load_scheme
from annotator.core.session import AnnotationSession
from annotator.core.store.claims import DEFAULT_CLAIM_TIMEOUT
from annotator.loop.model_loop import ModelLoop
from annotator.loop.ordering import by_uncertainty
from annotator.loop.project import open_project
from annotator.loop.rounds import DEFAULT_STEPS
from annotator.ui import memory
from annotator.ui.model_work import MODEL_THREADS
from annotator.ui.palette import AnnotationCommands
from annotator.ui.screens.annotate import AnnotateScreen


class AnnotatorApp(App[None]):
    """The annotation screen on one session; closes the store when it exits."""

    CSS_PATH = "app.tcss"
    TITLE = "annotator"
    COMMANDS = App.COMMANDS | {AnnotationCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+q,ctrl+c",
            "quit",
            "quit",
            show=False,
            id="app-quit",
            tooltip="Quit",
            priority=True,
        ),
    ]

    def __init__(
        self,
        session: AnnotationSession,
        scheme: LabelScheme,
        loop: ModelLoop | None,
        notice: str | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.scheme = scheme
        self.loop = loop
        self.notice = notice  # said once the screen is up (duplicates merged on import)
        self._collector = memory.IdleCollector()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands, less those the screen has already (quit, keys): `ctrl+p`
        lists each action once."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Keys"):
                yield command

    def get_default_screen(self) -> Screen[Any]:
        return AnnotateScreen(self.session, self.scheme, self.loop, self.notice)

    def on_mount(self) -> None:
        # SIGTERM and SIGHUP end the app the way `q` does, so the terminal is restored
        # (raw mode, the alternate screen and mouse tracking off) before the process ends.
        running = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGHUP):
            # Not in the main thread (a test harness): its own handlers stay.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                running.add_signal_handler(number, self.exit)

    def on_ready(self) -> None:
        # The first frame is on screen: collect once, so that no key pays for a full pass,
        # and leave the young passes to the time between keys.
        memory.settle()
        self._collector.start()
        self.set_interval(memory.IDLE_PERIOD, self._collector.tick)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._collector.key_pressed()
            if isinstance(self.screen, AnnotateScreen):
                self.screen.key_arrived()
        await super().on_event(event)

    def on_unmount(self) -> None:
        memory.release()
        running = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGHUP):
            # The same cases as in on_mount: where none was added there is none to remove.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                running.remove_signal_handler(number)
        self.session.close()  # ends the session: its claims return to the pool


LOCK_PATIENCE = 0.8  # seconds a key waits for another process's write lock


def run_app(app: AnnotatorApp) -> None:
    """Run the app; once it has closed, end the process at once if the model is still busy.

    spaCy cannot be interrupted: its thread would keep the interpreter's shutdown waiting
    (and the CPU busy) for as long as the article takes. Every decision is already in the
    store and the terminal is restored, so nothing is lost by not waiting.
    """
    app.run()
    if any(t.name.startswith(MODEL_THREADS) and t.is_alive() for t in threading.enumerate()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(app.return_code or 0)


def build_app(
    inputs: Sequence[Path] = (),
    *,
    store_path: Path | None = None,
    annotator: str | None = None,
    model: str | None = None,
    scheme_path: Path | None = None,
    load_model: Callable[[], Any] | None = None,
    models_dir: Path = Path("models"),
    train_steps: int = DEFAULT_STEPS,
    overlap: int | None = None,
    claim_timeout: float = DEFAULT_CLAIM_TIMEOUT,
    order: str = "corpus",
) -> AnnotatorApp:
    """Import the inputs (default `seeds/`) into the store and open the app on them.

    The spaCy pipeline is not loaded here: the screen asks for it in a background thread,
    and only when a document has no cached suggestions. `load_model` replaces loading `model`.
    With `order="uncertain"` the model first suggests every untouched document, to put the
    most uncertain first (`annotator.loop.ordering`).
    """
    scheme = load_scheme(scheme_path)
    ranked = by_uncertainty(model, load_model) if order == "uncertain" else None
    project = open_project(
        inputs,
        store_path=store_path,
        annotator=annotator,
        model=model,
        overlap=overlap,
        claim_timeout=claim_timeout,
        order=ranked,
    )
    project.session.keep_alive()
    # Another process holding the store's lock: the key says so within a second.
    project.store.set_patience(LOCK_PATIENCE)
    # A key waits for the store, not for the disk: commits reach it moments later.
    project.store.sync_behind()
    loop = ModelLoop(
        project.location,
        model,
        load_model=load_model,
        models_dir=models_dir,
        steps=train_steps,
        uncertain_order=order == "uncertain",
    )
    notice = (
        f"{project.duplicates} duplicate records merged into the first with the same text"
        if project.duplicates
        else None
    )
    return AnnotatorApp(project.session, scheme, loop, notice)

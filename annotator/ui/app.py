"""The Textual application and the one factory that builds it (for the CLI and the tests)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from annotator.core.scheme import LabelScheme, load_scheme
from annotator.core.session import AnnotationSession, Suggest
from annotator.core.store import open_store
from annotator.core.store.claims import DEFAULT_CLAIM_TIMEOUT
from annotator.errors import AnnotatorError
from annotator.rounds import DEFAULT_STEPS, LoopSettings
from annotator.ui.palette import AnnotationCommands
from annotator.ui.screens.annotate import AnnotateScreen
from annotator.ui.suggester import ModelSuggester


class AnnotatorApp(App[None]):
    """The annotation screen on one session; closes the store when it exits."""

    CSS_PATH = "app.tcss"
    TITLE = "annotator"
    COMMANDS = App.COMMANDS | {AnnotationCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "quit", show=False, id="app-quit", tooltip="Quit", priority=True),
    ]

    def __init__(
        self,
        session: AnnotationSession,
        scheme: LabelScheme,
        suggest: Suggest | None,
        loop: LoopSettings | None = None,
        suggester_for: Callable[[str], Suggest] | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.scheme = scheme
        self.suggest = suggest
        self.loop = loop
        self.suggester_for = suggester_for

    def get_default_screen(self) -> Screen[Any]:
        return AnnotateScreen(
            self.session, self.scheme, self.suggest, self.loop, self.suggester_for
        )

    def on_unmount(self) -> None:
        self.session.close()  # ends the session: its claims return to the pool


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
) -> AnnotatorApp:
    """Import the inputs (default `seeds/`) into the store and open the app on them.

    The spaCy pipeline is not loaded here: the screen asks for it in a worker, and only
    when a document has no cached suggestions. `load_model` replaces loading `model`.
    """
    from annotator.workflow import default_annotator, import_corpus, refresh_for_model

    scheme = load_scheme(scheme_path)
    store = open_store(store_path)
    imported = import_corpus(store, list(inputs) or [Path("seeds")])
    if not imported.hashes:
        store.close()
        raise AnnotatorError("the inputs hold no documents; pass .txt or .jsonl files")
    # As `annotator suggest` does: another model's untouched suggestions are suggested afresh
    # (read from the model's meta.json; the model itself still loads only when needed).
    refresh_for_model(store, imported.hashes, model)
    session = AnnotationSession(
        store,
        annotator or default_annotator(),
        imported.hashes,
        overlap=overlap,
        claim_timeout=claim_timeout,
    )
    session.keep_alive()
    suggest = ModelSuggester(store.location, load_model, model)
    loop = LoopSettings(store.location, models_dir, train_steps, model)
    location = store.location
    return AnnotatorApp(
        session, scheme, suggest, loop, lambda trained: ModelSuggester(location, model=trained)
    )

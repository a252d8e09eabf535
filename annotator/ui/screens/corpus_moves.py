"""Moving through the corpus: finish, skip, next and previous, `g` to a number, `/` search.

A mixin of AnnotateScreen. Finishing or skipping opens the next *unfinished* document;
a search walks the text of the whole corpus, match by match.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.core.commands import Change, EditRefused
from annotator.core.search import Match, find_matches, next_match
from annotator.core.session import AnnotationSession
from annotator.ui.review_state import ReviewState
from annotator.ui.screens.prompt import PromptScreen

ANSWER_WORDS = {"accept": "finished", "ignore": "skipped", "reject": "rejected", None: "open"}


class CorpusMoves:
    """The keys that change which document is open."""

    session: AnnotationSession
    view: ReviewState
    _query: str = ""
    _matches: tuple[Match, ...] = ()

    if TYPE_CHECKING:
        from textual.app import App

        app: App[None]

        def say(self, message: str, warning: bool = False) -> None: ...
        def refuse(self, message: str) -> None: ...
        def ready(self) -> bool: ...
        def open_document(self, focus: str | None = None) -> None: ...
        def _say_with_notice(self, message: str) -> None: ...
        def _done(self, change: Change, scroll_to_focus: bool = True) -> None: ...
        def _redraw(self, change: Change | None = None, scroll_to_focus: bool = False) -> None: ...
        def post_message(self, message: object) -> bool: ...

    def _answered(self, verb: str) -> None:
        session = self.session
        before = session.index
        try:
            change = session.finish() if verb == "finish" else session.skip()
        except EditRefused as refused:
            self.refuse(str(refused))
            return
        if session.index == before:
            self.view.adopt(session.state)
            self._done(change)
            total = len(session.hashes)
            self.say(f"saved: {change.summary}; all {total} answered \u2014 p to go back")
            return
        self.open_document()
        self._say_with_notice(f"saved: {change.summary} {before + 1}")
        from annotator.ui.screens.annotate import AnnotateScreen

        self.post_message(AnnotateScreen.Edited(change))

    def action_finish(self) -> None:
        if self.ready():
            self._answered("finish")

    def action_skip(self) -> None:
        self._answered("skip")

    def _open(self, index: int) -> None:
        self.session.go_to(index)
        self.open_document()
        answer = ANSWER_WORDS.get(self.session.progress().answer, "answered")
        self._say_with_notice(f"document {index + 1} of {len(self.session.hashes)} ({answer})")

    def action_next_document(self) -> None:
        if self.session.index + 1 < len(self.session.hashes):
            self._open(self.session.index + 1)
        else:
            self.say("this is the last document")

    def action_previous_document(self) -> None:
        if self.session.index > 0:
            self._open(self.session.index - 1)
        else:
            self.say("this is the first document")

    def action_go_to(self) -> None:
        total = len(self.session.hashes)

        def chosen(answer: str | None) -> None:
            if not answer:
                return
            number = int(answer) if answer.lstrip("-").isdigit() else 0
            if not 1 <= number <= total:
                self.refuse(f"no document {answer}: the corpus has 1 to {total}")
            elif number - 1 == self.session.index:
                self.say(f"document {number} is open")
            else:
                self._open(number - 1)

        self.app.push_screen(PromptScreen(f"open document (1\u2013{total})", digits=True), chosen)

    def action_search(self) -> None:
        def chosen(answer: str | None) -> None:
            if answer is None or not answer.strip():
                return
            if answer != self._query:
                self._query = answer
                texts = (text for text, _ in self.session.store.iter_texts(self.session.hashes))
                self._matches = tuple(find_matches(texts, answer))
            self.action_next_match(1)

        self.app.push_screen(PromptScreen("search the corpus", self._query), chosen)

    def action_next_match(self, step: int) -> None:
        if not self._query:
            self.refuse("no search yet: / searches the corpus")
            return
        matches = self._matches
        here = self.view.selection_chars() or self.view.token_chars(
            self.view.cursor, self.view.cursor
        )
        at = here[0] if here is not None else -1
        found = next_match(matches, self.session.index, at, step)
        if found is None:
            self.refuse(f"{self._query!r} is nowhere in the corpus")
            return
        if found.index != self.session.index:
            self.session.go_to(found.index)
            self.open_document()
        index = self.view.index
        number = matches.index(found) + 1
        if index is not None:
            first, last = (
                index.token_at(found.start),
                index.token_at(max(found.start, found.end - 1)),
            )
            if first is not None and last is not None:
                self.view.set_view(None, last, first if last != first else None)
        self._redraw()
        where = f"document {found.index + 1}"
        self.say(f"match {number}/{len(matches)} of {self._query!r} in {where}; > and < for more")

"""Paragraph breaks are sentence breaks: a component that tells the parser so.

spaCy's small English parser reads "Second article\n\nThe European Union condemned the
attack" as one sentence whose subject is "article", so the stance suggester finds no holder,
and a title glued to the first sentence of every article spoils its parse. Before the parser
runs, this component marks the first token of each paragraph, heading or title as a sentence
start (see `mark_paragraphs`); the parser respects preset starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

COMPONENT = "annotator_paragraphs"
SENTENCE_FINAL = frozenset({".", "!", "?", ":", '"', "”", "’", "'", ")"})
HEADING_WORDS = 10


def mark_paragraphs(doc: Doc) -> Doc:
    """Set `is_sent_start` on the first token of each paragraph; returns the same Doc.

    A paragraph starts after a blank line, and after a single line break that ends a
    sentence or a short line (a title, heading or dateline: at most `HEADING_WORDS` words
    without final punctuation). A hard-wrapped line of running text does not end one. A
    Doc parsed already is left as it is: spaCy refuses new sentence starts on it.
    """
    if doc.has_annotation("DEP"):
        return doc
    starts: list[int] = []
    last_word = ""
    words_on_line = 0
    for index, token in enumerate(doc[:-1]):
        if not token.is_space:
            last_word = token.text
            words_on_line += 1
            continue
        breaks = token.text.count("\n")
        if not breaks:
            continue
        ends_sentence = last_word[-1:] in SENTENCE_FINAL
        paragraph_ends = breaks >= 2 or ends_sentence or 0 < words_on_line <= HEADING_WORDS
        if paragraph_ends and not doc[index + 1].is_space:
            starts.append(index + 1)
        words_on_line = 0
    if starts:
        # One array write: setting `is_sent_start` token by token re-checks the whole Doc
        # each time, which made long articles quadratic.
        values: Any = doc.to_array([SENT_START]).reshape(-1, 1)
        values[starts, 0] = 1
        doc.from_array([SENT_START], values)
    return doc


@Language.component(COMPONENT)
def paragraphs_component(doc: Doc) -> Doc:
    """Paragraph breaks start sentences (see the module docstring)."""
    return mark_paragraphs(doc)


# For the `spacy_factories` entry point in pyproject.toml (plain `spacy.load` of a pipeline
# saved with the component then needs no import).
def make_paragraphs_component(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    return paragraphs_component

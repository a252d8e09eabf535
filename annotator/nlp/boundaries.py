"""Span edges as annotators draw them: a name ends where the name ends.

The model's spans often carry what follows or precedes a name: the possessive ("the
European Union's"), a score or count in a results line ("Lancaster 112-4", "71 Ana Ruiz"), the
next line of a table ("Peru\\nChile"), a second name after a score ("Tigers 2
Lions"), or a section label before a spaced dash
("TENNIS - PETRA LIND"). This component trims them, and lets a person's name run over its
lower-case particles ("Jean van Boxmeer", "Ludwig van der Rohe"); it never relabels.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

# Labels of names; counts, dates and amounts keep their numbers.
NAME_LABELS: frozenset[str] = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"})
POSSESSIVES = frozenset({"'s", "’s", "'", "’", "'S", "’S"})
NUMBER = re.compile(r"^[+-]?[\d.,:/]*\d[\d.,:/-]*$")  # 12, 108-3, 3.54, 1:2
SPACED_DASHES = frozenset({"-", "--", "—", "–"})
# Lower-case words inside personal names: "van", "von der", "de la", "bin", "al".
NAME_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "das", "dos", "du", "la"}
    | {"le", "ter", "ten", "bin", "ibn", "al", "el", "zu"}
)
MAX_PARTICLES = 2


def _is_number(token: Token) -> bool:
    return bool(NUMBER.match(token.text))


def _pieces(ent: Span) -> list[tuple[int, int]]:
    """Token ranges of `ent` split at line breaks and sentence starts; in a name, only
    what follows a spaced dash ("TENNIS - PETRA LIND", "Peru - Ana Ruiz": the name comes
    last)."""
    doc = ent.doc
    pieces: list[tuple[int, int]] = []
    start = ent.start
    for token in ent:
        if token.is_space or (ent.label_ in NAME_LABELS and token.i > start and _is_number(token)):
            # A line break, or a score between two names ("Tigers 2 Lions"), ends a name.
            pieces.append((start, token.i))
            start = token.i + 1
        elif token.i > start and token.is_sent_start:
            pieces.append((start, token.i))
            start = token.i
        elif (
            ent.label_ in NAME_LABELS
            and token.text in SPACED_DASHES
            and token.whitespace_
            and token.i > 0
            and doc[token.i - 1].whitespace_
        ):
            pieces = []  # the label before the dash is no part of the name
            start = token.i + 1
    pieces.append((start, ent.end))
    return [(a, b) for a, b in pieces if b > a]


def _trim(doc: Doc, start: int, end: int, label: str) -> tuple[int, int]:
    while end > start and doc[end - 1].text in POSSESSIVES:
        end -= 1
    if label in NAME_LABELS:
        while end > start and (_is_number(doc[end - 1]) or doc[end - 1].is_punct):
            end -= 1
        while start < end and (_is_number(doc[start]) or doc[start].is_punct):
            start += 1
    return start, end


def trimmed_entities(doc: Doc) -> list[Span]:
    """The document's entities with possessives, numbers, line breaks and labels cut off."""
    result: list[Span] = []
    for ent in doc.ents:
        pieces = _pieces(ent)
        for start, end in pieces:
            start, end = _trim(doc, start, end, ent.label_)
            if end > start and any(c.isalnum() for c in doc[start:end].text):
                if (start, end) == (ent.start, ent.end):
                    result.append(ent)
                else:
                    result.append(Span(doc, start, end, label=ent.label_))
    return result


def _particle_end(doc: Doc, end: int) -> int:
    """Where a name continues after `end` over particles ("van der") and a capitalised
    word; `end` itself when it does not."""
    index = end
    while index < len(doc) and index - end < MAX_PARTICLES and doc[index].text in NAME_PARTICLES:
        index += 1
    if index == end or index >= len(doc) or not doc[index - 1].whitespace_:
        return end
    following = doc[index]
    if not (following.is_title and following.is_alpha):
        return end
    index += 1
    while index < len(doc) and doc[index].is_title and doc[index].is_alpha:
        index += 1  # "van Boxmeer Smit"
        if not doc[index - 1].whitespace_:
            break
    return index


def with_particles(doc: Doc, ents: list[Span]) -> list[Span]:
    """PERSON names extended over lower-case particles and the name part after them,
    replacing what the model tagged there ("Jean" PERSON + "Boxmeer" ORG -> one PERSON)."""
    extended: list[Span] = []
    for ent in ents:
        if ent.label_ == "PERSON":
            end = _particle_end(doc, ent.end)
            if end > ent.end:
                extended.append(Span(doc, ent.start, end, label="PERSON"))
    if not extended:
        return ents
    taken = {i for span in extended for i in range(span.start, span.end)}
    kept = [e for e in ents if not any(i in taken for i in range(e.start, e.end))]
    return sorted(extended + kept, key=lambda span: span.start)


def trim_entities(doc: Doc) -> Doc:
    """Set the document's entities to their trimmed forms, particles joined."""
    if doc.ents:
        doc.ents = with_particles(doc, trimmed_entities(doc))
    return doc


@Language.component("annotator_boundaries")
def boundaries_component(doc: Doc) -> Doc:
    """Names end where the name ends: no possessive, score, line break or label inside."""
    return trim_entities(doc)


def make_boundaries_component(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    return boundaries_component

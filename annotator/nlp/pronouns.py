"""Pronoun resolution for stance holders and speakers: "Wang said he supports" -> Wang.

A pronoun resolves to the nearest earlier entity of a fitting type ("he" -> PERSON, "it" ->
GPE/ORG) in its own sentence, when the candidates name one entity ("Wang Yi" and "Wang" are
one); if they name several, the nearest one in subject position wins; otherwise the pronoun
stays unresolved. A pronoun whose antecedent lies in an earlier sentence stays the pronoun
written in the clause: on real news (MPQA 2.0 train) the nearest earlier entity was often
someone else, and opinion corpora mark the written mention.

Cost is linear in the document: an entity is found from its tokens' IOB tags, the window
is walked back sentence by sentence, and the full names of persons are collected once per
document (cached on the Doc, keyed by its entities).
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

SUBJECTS = ("nsubj", "nsubjpass", "csubj")
PRONOUN_TYPES: dict[str, frozenset[str]] = {
    "he": frozenset({"PERSON"}),
    "him": frozenset({"PERSON"}),
    "his": frozenset({"PERSON"}),
    "she": frozenset({"PERSON"}),
    "her": frozenset({"PERSON"}),
    "it": frozenset({"GPE", "ORG"}),
    "its": frozenset({"GPE", "ORG"}),
    "they": frozenset({"GPE", "ORG", "NORP", "PERSON"}),
    "them": frozenset({"GPE", "ORG", "NORP", "PERSON"}),
    "their": frozenset({"GPE", "ORG", "NORP", "PERSON"}),
}
PRONOUN_WINDOW_SENTENCES = 0  # how many sentences back an antecedent may be
FULL_NAMES_KEY = "annotator_full_names"


def entity_of(token: Token) -> Span | None:
    """The named entity a token belongs to, if any (from the IOB tags: no scan of doc.ents)."""
    if token.ent_iob_ not in ("B", "I"):
        return None
    doc = token.doc
    start = token.i
    while doc[start].ent_iob_ == "I" and start > 0:
        start -= 1
    end = token.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return Span(doc, start, end, label=token.ent_type_)


def _full_names(doc: Doc) -> dict[str, str]:
    """Each word of a multi-word PERSON -> that full name; computed once per set of ents."""
    ents = doc.ents
    key = (len(ents), ents[0].start if ents else -1, ents[-1].end if ents else -1)
    cached = doc.user_data.get(FULL_NAMES_KEY)
    if cached is not None and cached[0] == key:
        return cached[1]
    names = {
        part.text: ent.text
        for ent in ents
        if ent.label_ == "PERSON" and len(ent) > 1
        for part in ent
        if part.is_alpha
    }
    doc.user_data[FULL_NAMES_KEY] = (key, names)
    return names


def _window_start(token: Token) -> int:
    """First token of the sentence `PRONOUN_WINDOW_SENTENCES` before the token's."""
    doc = token.doc
    start = token.sent.start
    for _ in range(PRONOUN_WINDOW_SENTENCES):
        if start == 0:
            break
        start = doc[start - 1].sent.start
    return start


def _entities_between(doc: Doc, start: int, end: int) -> list[Span]:
    """Entities lying wholly in tokens [start, end), from the IOB tags."""
    found = []
    index = start
    while index < end:
        token = doc[index]
        if token.ent_iob_ == "B":
            ent = entity_of(token)
            if ent is not None and ent.end <= end:
                found.append(ent)
                index = ent.end
                continue
        index += 1
    return found


def resolve_pronoun(token: Token) -> Span | None:
    """The entity a pronoun stands for: the nearest earlier entity of a fitting type, when the
    candidates name one entity, or else when one of them is the nearest subject."""
    types = PRONOUN_TYPES.get(token.lower_)
    if types is None:
        return None
    doc = token.doc
    candidates = [
        ent for ent in _entities_between(doc, _window_start(token), token.i) if ent.label_ in types
    ]
    if not candidates:
        return None
    # "Wang" and "Wang Yi" are one person.
    full_names = _full_names(doc)
    keys = {full_names.get(ent.text.strip(), ent.text.strip()) for ent in candidates}
    if len(keys) == 1:
        return candidates[-1]
    subjects = [ent for ent in candidates if ent.root.dep_ in SUBJECTS]
    return subjects[-1] if subjects else None

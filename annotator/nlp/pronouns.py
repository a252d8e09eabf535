"""Pronoun resolution for stance holders and speakers: "he noted" -> the Wang named before.

A pronoun resolves to the nearest earlier entity of a fitting type ("he" -> PERSON, "it" ->
GPE/ORG) within the last few sentences, when the candidates name one entity ("Wang Yi" and
"Wang" are one); if they name several, the nearest one in subject position wins; otherwise
the pronoun stays unresolved.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

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
PRONOUN_WINDOW_SENTENCES = 2  # how far back an antecedent may be


def entity_of(token: Token) -> Span | None:
    """The named entity a token belongs to, if any."""
    doc = token.doc
    for ent in doc.ents:
        if ent.start <= token.i < ent.end:
            return ent
    return None


def _name_key(ent: Span, full_names: dict[str, str]) -> str:
    text = ent.text.strip()
    return full_names.get(text, text)


def resolve_pronoun(token: Token) -> Span | None:
    """The entity a pronoun stands for: the nearest earlier entity of a fitting type, when the
    candidates name one entity, or else when one of them is the nearest subject."""
    types = PRONOUN_TYPES.get(token.lower_)
    if types is None:
        return None
    doc = token.doc
    sentences = list(doc.sents)
    index = next(n for n, s in enumerate(sentences) if s.start <= token.i < s.end)
    window_start = sentences[max(0, index - PRONOUN_WINDOW_SENTENCES)].start
    candidates = [
        ent
        for ent in doc.ents
        if ent.label_ in types and window_start <= ent.start and ent.end <= token.i
    ]
    if not candidates:
        return None
    # "Wang" and "Wang Yi" are one person.
    full_names = {
        part.text: ent.text
        for ent in doc.ents
        if ent.label_ == "PERSON" and len(ent) > 1
        for part in ent
        if part.is_alpha
    }
    keys = {_name_key(ent, full_names) for ent in candidates}
    if len(keys) == 1:
        return candidates[-1]
    subjects = [ent for ent in candidates if ent.root.dep_ in SUBJECTS]
    return subjects[-1] if subjects else None

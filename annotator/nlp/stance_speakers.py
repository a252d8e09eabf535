"""Who reports a stance, and how a holder or speaker is written out: the subject of a
reporting verb governing the cue's clause ("..., Wang said"), or the object of "according
to"; a mention is its entity, else its noun phrase, with a pronoun resolved within its
sentence where that is clear.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Span, Token

from annotator.nlp.pronouns import entity_of, resolve_pronoun
from annotator.nlp.stance_lexicon import CueLexicon
from annotator.nlp.stance_parse import first_subject, phrase_tokens


def _reporting_subject(verb: Token, lexicon: CueLexicon) -> Token | None:
    """The subject of a reporting verb; a subjectless one ("..., Tokayev said, adding that")
    takes the subject of the reporting verb it hangs from, skipping other verbs on the way
    (the parser often hangs "and added that" from the reported clause)."""
    current = verb
    for _ in range(8):
        subject = first_subject(current)
        if subject is not None and current.lemma_.lower() in lexicon.reporting_verbs:
            return subject
        if current.dep_ in ("advcl", "conj", "xcomp", "ccomp") and current.head is not current:
            current = current.head
            continue
        return None
    return None


def find_speaker(clause_head: Token, lexicon: CueLexicon) -> Token | None:
    """Who reports the clause: the subject of a governing reporting verb, or "according to X".

    The walk up goes through noun phrases too: in "observers believe that the reasons
    behind America's opposition to X go back..." the observers report the opposition."""
    current = clause_head
    for _ in range(12):
        for child in current.children:
            if child.dep_ == "parataxis" and child.lemma_.lower() in lexicon.reporting_verbs:
                return _reporting_subject(child, lexicon)
        if current.head is current:
            break
        parent = current.head
        if parent.lemma_.lower() in lexicon.reporting_verbs and current.dep_ in (
            "ccomp",
            "parataxis",
            "advcl",
            "xcomp",
            "conj",
        ):
            return _reporting_subject(parent, lexicon)
        current = parent
    return _according_to(clause_head, lexicon)


def _according_to(clause_head: Token, lexicon: CueLexicon) -> Token | None:
    sentence = clause_head.sent
    for phrase in lexicon.reporting_phrases:
        words = phrase.split()
        for token in sentence:
            window = sentence.doc[token.i : token.i + len(words)]
            if [t.lower_ for t in window] == words:
                objects = [c for t in window for c in t.children if c.dep_ == "pobj"]
                if objects:
                    return objects[0]
    return None


def mention_span(token: Token) -> Span:
    """A holder or speaker as text: its entity, else its noun phrase without asides."""
    ent = entity_of(token)
    if ent is not None:
        return ent
    drop = [c for c in token.children if c.dep_ in ("relcl", "acl", "appos", "prep")]
    return phrase_tokens(token, drop)


def role_span(token: Token) -> Span:
    """A holder or speaker, with a pronoun replaced by its antecedent where that is clear."""
    if token.pos_ == "PRON":
        antecedent = resolve_pronoun(token)
        if antecedent is not None:
            return antecedent
    return mention_span(token)


def ref(span: Span) -> dict[str, Any]:
    """A span as the export's {start, end, text} reference."""
    return {"start": span.start_char, "end": span.end_char, "text": span.text}

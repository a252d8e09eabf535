"""Who reports a stance, and how a holder or speaker is written out: the subject of a
reporting verb governing the cue's clause ("..., Wang said"), or the object of "according
to"; a mention is its entity, else its noun phrase, with a pronoun resolved within its
sentence where that is clear.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Span, Token

from annotator.nlp.pronouns import SUBJECTS, entity_of, resolve_pronoun
from annotator.nlp.stance_lexicon import CueLexicon
from annotator.nlp.stance_parse import NO_HOLDER_LABELS, first_subject, is_reflexive, phrase_tokens

# Pronouns that name nobody in particular: news uses "you" for anyone ("if you want a
# loan") or for the reader; "anyone who wants to" is no one.
GENERIC_PRONOUNS = frozenset(
    {"you", "your", "yours", "anyone", "anybody", "someone", "somebody", "whoever"}
)
# Counts that stand for people on their own as a subject: "many fear violence".
PEOPLE_COUNTS = frozenset({"many", "some", "most", "few", "others", "several"})
# Words that count people: "a number of analysts", "most of the members".
QUANTITIES = frozenset(
    {
        "number", "majority", "minority", "most", "some", "many", "few", "all", "none",
        "each", "any", "one", "lot", "dozen", "dozens", "hundred", "hundreds", "thousand",
        "thousands", "million", "millions", "handful", "host", "couple", "half", "several",
        "both", "either", "neither", "rest", "group",
    }
)  # fmt: skip


def can_hold_view(token: Token, lexicon: CueLexicon) -> bool:
    """A holder or speaker names someone: an entity, a name, a pronoun, or a noun for people
    or bodies; never a date, a time, a number or a generic "you"; a count of people ("a
    number of analysts", "thousands of farmers") holds what the people hold."""
    if token.lemma_.lower() in QUANTITIES or token.like_num:
        counted = [
            pobj
            for prep in token.children
            if prep.dep_ == "prep" and prep.lower_ == "of"
            for pobj in prep.children
            if pobj.dep_ == "pobj"
        ]
        if counted:  # "a copy of the report" counts nobody
            return can_hold_view(counted[0], lexicon)
    if token.lower_ in PEOPLE_COUNTS and token.dep_ in SUBJECTS:
        return True  # "many fear violence", "others criticised the plan"
    if token.ent_type_ in NO_HOLDER_LABELS or is_reflexive(token):
        return False
    if token.lower_ in GENERIC_PRONOUNS:
        return False
    if token.pos_ in ("PROPN", "PRON") or entity_of(token) is not None:
        return True
    return lexicon.can_hold_view(token.lemma_)


def named_in_apposition(token: Token, lexicon: CueLexicon) -> Token:
    """A common noun named by an apposition ("the rapporteur, Maurice Copithorne,
    repeated"): the name, which says who; otherwise the token."""
    if token.pos_ in ("PROPN", "PRON"):
        return token
    names = [
        c
        for c in token.children
        if c.dep_ == "appos"
        and c.left_edge.i > 0
        and token.doc[c.left_edge.i - 1].text in (",", "(", "--", "—")
        and (c.pos_ == "PROPN" or not can_hold_view(token, lexicon))
        and can_hold_view(c, lexicon)
    ]
    return names[0] if names else token


def named_by_copula(token: Token, lexicon: CueLexicon) -> Token:
    """A common noun that a copula equates with a name ("America was the only country that
    backed X", "the only leader who backed X is Castro"): the name; otherwise the token."""
    if token.pos_ != "NOUN" or token.head.lemma_ != "be" or token.head is token:
        return token
    other = {"attr": SUBJECTS, "nsubj": ("attr",)}.get(token.dep_, ())
    names = [
        c
        for c in token.head.children
        if c.dep_ in other and (c.pos_ == "PROPN" or entity_of(c) is not None)
    ]
    return names[0] if names and can_hold_view(names[0], lexicon) else token


def _reporting_subject(verb: Token, lexicon: CueLexicon) -> Token | None:
    """The subject of a reporting verb; a subjectless one ("..., Tokayev said, adding that")
    takes the subject of the reporting verb it hangs from, skipping other verbs on the way
    (the parser often hangs "and added that" from the reported clause). Nobody reports
    through a passive ("pressure will be maintained") or a subject that cannot speak ("the
    events indicate that")."""
    current = verb
    for _ in range(8):
        subject = first_subject(current)
        if subject is not None and current.lemma_.lower() in lexicon.reporting_verbs:
            if subject.dep_ == "nsubjpass":
                return None
            subject = named_in_apposition(subject, lexicon)
            return subject if can_hold_view(subject, lexicon) else None
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
    # "said in a statement that X": the parser may hang the that-clause from the noun.
    said_in = False
    for _ in range(12):
        for child in current.children:
            if child.dep_ == "parataxis" and child.lemma_.lower() in lexicon.reporting_verbs:
                return _reporting_subject(child, lexicon)
        if current.head is current:
            break
        parent = current.head
        if current.dep_ == "acl" and any(c.lower_ == "that" for c in current.children):
            said_in = True
        if parent.lemma_.lower() in lexicon.reporting_verbs and (
            current.dep_ in ("ccomp", "parataxis", "advcl", "xcomp", "conj")
            or (said_in and current.dep_ == "prep")
        ):
            return _reporting_subject(parent, lexicon)
        current = parent
    return _according_to(clause_head, lexicon)


def _according_to(clause_head: Token, lexicon: CueLexicon) -> Token | None:
    """The object of "according to" when the phrase belongs to the cue's clause or a clause
    above it ("a leadership tailored according to their interests" reports nothing)."""
    sentence = clause_head.sent
    above = {clause_head.i, *(t.i for t in clause_head.ancestors)}
    for phrase in lexicon.reporting_phrases:
        words = phrase.split()
        for token in sentence:
            window = sentence.doc[token.i : token.i + len(words)]
            if [t.lower_ for t in window] != words or window[0].head.i not in above:
                continue
            objects = [c for t in window for c in t.children if c.dep_ == "pobj"]
            if objects and can_hold_view(objects[0], lexicon):
                return objects[0]
    return None


def mention_span(token: Token) -> Span:
    """A holder or speaker as text: its entity, else its noun phrase without asides."""
    ent = entity_of(token)
    if ent is not None and ent.label_ not in NO_HOLDER_LABELS:  # not "Thousands" alone
        return ent
    counts = token.lemma_.lower() in QUANTITIES or token.like_num
    drop = [
        c
        for c in token.children
        if c.dep_ in ("relcl", "acl", "appos", "prep") and not (counts and c.lower_ == "of")
    ]
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

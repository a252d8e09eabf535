"""Reading a stance's roles off the dependency parse: the cue matches, the holder (the
cue's subject, climbing through auxiliaries, control verbs, participles and coordination),
the target (the cue's object, one per coordinated item) and the evidence clause.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from annotator.nlp.pronouns import SUBJECTS
from annotator.nlp.stance_lexicon import Cue, CueLexicon

# Relations through which a cue inherits the subject of the word it hangs from:
# "continue to support" (xcomp), "is willing to" (acomp), ", supporting" (advcl),
# "support A and oppose B" (conj).
SUBJECT_BEARING = ("xcomp", "acomp", "advcl", "conj", "pcomp")
OBJECTS = ("dobj", "ccomp", "xcomp", "attr", "oprd", "obj")
# Verbs whose target, when they have one, is the object of a preposition: "blamed the delay
# on X" (X is blamed), "thanked Y for X" (the gratitude is for X).
PREPOSITION_TARGETS = {"blame": "on", "thank": "for"}
NOUN_TARGET_PREPOSITIONS = frozenset({"to", "for", "of", "on", "towards", "toward", "against"})
# Comma-separated modifiers add commentary, not identity: "the principle, which is important".
NONRESTRICTIVE = frozenset({"appos", "relcl", "acl", "advcl", "parataxis"})
EDGE_TRIM = frozenset({"PUNCT", "CCONJ", "SPACE", "SCONJ"})
# Entities that name a time or a quantity never hold a view ("Tang Sunday urged").
NO_HOLDER_LABELS = frozenset(
    {"DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "QUANTITY", "ORDINAL"}
)
# Entities that name a people, place or body: as a modifier of a stance noun they hold it
# ("American hostility towards", "the EU's support", "US criticism of").
GROUP_LABELS = frozenset({"NORP", "GPE", "ORG"})
# Verbs that voice the view their object names: "expressed its support", "reiterated his
# opposition", "lent their backing".
VOICING = frozenset(
    {
        "express", "announce", "reiterate", "voice", "reaffirm", "declare", "state", "restate",
        "repeat", "signal", "show", "indicate", "confirm", "register", "offer", "pledge",
        "give", "lend", "extend", "renew", "stress", "underline", "emphasize", "emphasise",
        "air", "convey", "demonstrate", "make",
    }
)  # fmt: skip


@dataclass(frozen=True)
class CueHit:
    """A matched cue in a document."""

    span: Span
    cue: Cue

    @property
    def anchor(self) -> Token:
        """The content word that carries the cue's syntax (the first non-function word)."""
        for token in self.span:
            if token.pos_ not in ("AUX", "PART", "ADP"):
                return token
        return self.span[0]


def find_cues(doc: Doc, matcher: PhraseMatcher, lexicon: CueLexicon) -> list[CueHit]:
    """Cue matches, the longest winning where phrases overlap ("adhere to" over "adhere")."""
    spans = []
    for match_id, start, end in matcher(doc):
        number = int(doc.vocab.strings[match_id].removeprefix("cue"))
        pos = lexicon.cues[number].pos
        if not pos or doc[start].pos_ in pos:
            spans.append(Span(doc, start, end, label=str(number)))
    return [CueHit(span, lexicon.cues[int(span.label_)]) for span in filter_spans(spans)]


def children_with(token: Token, deps: Iterable[str]) -> list[Token]:
    wanted = set(deps)
    return [child for child in token.children if child.dep_ in wanted]


def first_subject(token: Token) -> Token | None:
    subjects = children_with(token, SUBJECTS)
    if subjects:
        return subjects[0]
    # "he is radically opposed to X": the parser may hang the subject from the auxiliary.
    for aux in children_with(token, ("aux", "auxpass")):
        subjects = children_with(aux, ("nsubj", "nsubjpass"))
        if subjects:
            return subjects[0]
    if token.pos_ == "VERB":
        # The small parser sometimes reads "Norway adheres to" as a compound of the verb; a
        # name standing right before a verb that has no subject is its subject.
        stray = [
            child
            for child in token.lefts
            if child.dep_ in ("compound", "npadvmod", "dep") and child.pos_ in ("PROPN", "NOUN")
        ]
        if stray and stray[0].ent_type_ in NO_HOLDER_LABELS:
            # "Minister Tang Sunday urged": the day is read as the subject, the name as
            # its compound.
            names = [c for c in stray[0].lefts if c.dep_ == "compound" and c.pos_ == "PROPN"]
            return names[-1] if names else None
        if stray:
            return stray[0]
    return None


def is_reflexive(token: Token) -> bool:
    return token.pos_ == "PRON" and token.lower_.endswith(("self", "selves"))


def climb_to_subject(anchor: Token) -> tuple[Token | None, Token, list[Token]]:
    """(subject, clause head, path): walk up from the cue until a word with a subject.

    A relative clause or participle ("countries that support", "forces interfering")
    takes the noun it modifies as its subject.
    """
    path: list[Token] = []
    current = anchor
    if anchor.pos_ in ("NOUN", "PROPN"):
        owners = children_with(anchor, ("poss",)) or [
            child
            for child in anchor.lefts
            if child.dep_ in ("amod", "compound") and child.ent_type_ in GROUP_LABELS
        ]
        if owners:
            possessor = owners[-1] if owners[0].dep_ != "poss" else owners[0]
            bound = _bound_possessive(possessor, anchor)
            if bound is not None:
                return bound, anchor.head, [anchor, anchor.head]
            return possessor, anchor, [anchor]
        by_agent = [
            pobj
            for prep in children_with(anchor, ("prep", "agent"))
            if prep.lower_ in ("by", "from")
            for pobj in children_with(prep, ("pobj",))
        ]
        if by_agent:
            return by_agent[0], anchor, [anchor]
        # "China expressed support for X": the noun's verb holds the stance.
        if anchor.dep_ in ("dobj", "attr") and anchor.head is not anchor:
            path.append(anchor)
            current = anchor.head
        # "came out in support of X", "spoke in favour of X": the verb of the phrase.
        elif anchor.dep_ == "pobj" and anchor.head.pos_ == "ADP" and (
            anchor.head.head.pos_ == "VERB"
        ):
            path.append(anchor)
            current = anchor.head.head
    for _ in range(12):
        path.append(current)
        subject = first_subject(current)
        if subject is not None and is_reflexive(subject) and current.head is not current:
            # "We find ourselves unable to endorse": the reflexive's antecedent holds it.
            subject = first_subject(current.head)
        if subject is not None and not (current.dep_ == "relcl" and is_relative(subject)):
            return subject, current, path
        if current.dep_ in ("relcl", "acl") and current.head is not current:
            owner = _owner_of_plan(current)
            if owner is not None:  # the noun joins the path: "refusal to back" negates
                return owner, current, [*path, current.head]
            return current.head, current, path
        if current.dep_ in SUBJECT_BEARING and current.head is not current:
            current = current.head
            if current.pos_ == "ADP" and current.dep_ == "prep" and current.head is not current:
                current = current.head  # "refrained from criticising": on to the verb
            continue
        sibling = _subject_of_earlier_complement(current)
        if sibling is not None:
            subject, clause = sibling
            return subject, clause, [*path, clause]
        break
    return None, current, path


def _bound_possessive(owner: Token, noun: Token) -> Token | None:
    """The subject that a possessive pronoun on the verb's object stands for: in "the
    President announced his support for X" (or "Iran reiterated its opposition to Y") "his"
    is the President, when the verb voices the view and the pronoun fits the subject in
    person and number ("Mary praised his criticism" is someone else's criticism)."""
    if owner.tag_ != "PRP$" or noun.dep_ != "dobj" or noun.head.lemma_.lower() not in VOICING:
        return None
    subject = first_subject(noun.head)
    if subject is None or subject.dep_ != "nsubj" or is_relative(subject):
        return None
    return subject if pronoun_fits(owner, subject) else None


def pronoun_fits(pronoun: Token, name: Token) -> bool:
    """Whether a third-person pronoun can stand for `name` in person and number: "he" or
    "his" for the President, "it" or "its" for Iran or the board, "they" or "their" for the
    ministers. (The small model often tags a lone surname ORG, so ORG does not rule out
    "he".)"""
    word = pronoun.lower_
    plural = name.tag_ in ("NNS", "NNPS") or name.lower_ in ("they", "we")
    personal = name.lower_ in ("he", "she", "i", "you", "we", "they", "it")
    if word in ("he", "his", "him", "she", "her"):
        return not plural and name.ent_type_ not in ("GPE", "NORP") and (
            not personal or name.lower_ == word
        )
    if word in ("it", "its"):
        return not plural and name.ent_type_ != "PERSON" and (not personal or name.lower_ == "it")
    if word in ("they", "their", "them"):
        return plural
    return False


def _owner_of_plan(clause: Token) -> Token | None:
    """Whose decision, plan or refusal an infinitive is: "the US decision to reject X",
    "Iran's refusal to back Y" (the noun itself names no one)."""
    if clause.dep_ != "acl" or not any(c.lower_ == "to" for c in clause.children):
        return None
    noun = clause.head
    owners = [c for c in noun.children if c.dep_ == "poss"] or [
        c for c in noun.lefts if c.dep_ in ("amod", "compound") and c.ent_type_ in GROUP_LABELS
    ]
    return owners[0] if owners else None


def is_relative(token: Token) -> bool:
    """ "who", "which", "that" opening a relative clause: the real subject is the noun."""
    return token.tag_ in ("WDT", "WP") or token.lower_ in ("who", "which", "that")


def relative_antecedent(pronoun: Token) -> Span | None:
    """The noun a relative pronoun stands for, without its clause ("the boycott which he
    described as unfair": the boycott); None when the parse ties it to no noun."""
    clause = pronoun.head
    for _ in range(4):
        if clause.dep_ == "relcl" and clause.head.pos_ in ("NOUN", "PROPN"):
            return phrase_tokens(clause.head, [clause])
        if clause.head is clause:
            return None
        clause = clause.head
    return None


def _subject_of_earlier_complement(clause: Token) -> tuple[Token, Token] | None:
    """The parser often reads "said that X is willing to A, B and C" as three complements of
    "said", only the first with a subject; the later ones share it."""
    if clause.dep_ != "ccomp" or clause.head is clause:
        return None
    earlier = [
        sibling
        for sibling in clause.head.children
        if sibling.dep_ == "ccomp" and sibling.i < clause.i and first_subject(sibling)
    ]
    if not earlier:
        return None
    subject = first_subject(earlier[-1])
    assert subject is not None
    return subject, earlier[-1]


def passive_roles(anchor: Token) -> tuple[Token | None, Token | None]:
    """(agent, patient) of a passive cue: "X is supported by Y" -> (Y, X)."""
    patients = children_with(anchor, ("nsubjpass",))
    agents = [p for a in children_with(anchor, ("agent",)) for p in children_with(a, ("pobj",))]
    if not patients and agents and anchor.head is not anchor:
        if anchor.dep_ == "conj":  # "praised by A but condemned by B": the shared patient
            patients = children_with(anchor.head, ("nsubjpass",))
        elif anchor.dep_ in ("acl", "relcl") and anchor.head.pos_ in ("NOUN", "PROPN"):
            patients = [anchor.head]  # "a leader favoured by the army"
    if not patients:
        return None, None
    return (agents[0] if agents else None), patients[0]


def target_heads(hit: CueHit) -> list[Token]:
    """The words whose phrases are the cue's targets, before splitting coordination."""
    inside = {t.i for t in hit.span}
    anchor = hit.anchor
    last = hit.span[-1]
    if last.pos_ == "ADP" and last.i != anchor.i:  # "adhere to X", "in favor of X"
        return children_with(last, ("pobj", "pcomp"))
    preposition = PREPOSITION_TARGETS.get(anchor.lemma_.lower())
    if preposition is not None:
        # The parser hangs "on X" or "for X" from the verb or from its object.
        aimed_at = [
            pobj
            for word in (anchor, *children_with(anchor, ("dobj",)))
            for prep in children_with(word, ("prep",))
            if prep.lower_ == preposition
            for pobj in children_with(prep, ("pobj", "pcomp"))
        ]
        if aimed_at:
            return aimed_at
    if anchor.lemma_.lower() == "warn":  # "warned (the delegates) that X would fail"
        return children_with(anchor, ("ccomp",))
    heads = [
        child
        for token in hit.span
        for child in children_with(token, OBJECTS)
        if child.i not in inside and child.pos_ not in ("AUX", "PART")
    ]
    if anchor.pos_ == "NOUN" and (not heads or anchor.lemma_.lower() == "concern"):
        # "expressed the hope that X": the that-clause of a stance noun ("concern for the
        # victims" is sympathy: a concern's target is only what it fears)
        heads = [
            child
            for child in children_with(anchor, ("acl", "ccomp"))
            if any(c.lower_ == "that" and c.dep_ == "mark" for c in child.children)
        ]
        if anchor.lemma_.lower() == "concern":
            return heads
    if not heads and anchor.pos_ == "VERB":
        # "condemned and denounced the attack": the later verb's object is shared.
        heads = [
            obj
            for conj in children_with(anchor, ("conj",))
            if conj.pos_ == "VERB" and not children_with(conj, ("nsubj",))
            for obj in children_with(conj, ("dobj",))
        ][:1]
    if heads or anchor.pos_ not in ("NOUN", "PROPN"):
        # A verb's prepositional phrase is rarely what it is for or against ("backed into a
        # corner"); phrases where it is ("object to") name the preposition in the lexicon.
        return heads
    return [
        pobj
        for prep in children_with(anchor, ("prep",))
        if prep.i not in inside and prep.lower_ in NOUN_TARGET_PREPOSITIONS
        for pobj in children_with(prep, ("pobj", "pcomp"))
    ]


def conjuncts(head: Token) -> list[Token]:
    """`head` and every word coordinated with it ("A, B and C")."""
    found = [head]
    for child in head.children:
        if child.dep_ == "conj":
            found.extend(conjuncts(child))
    return found


def _nonrestrictive(token: Token) -> bool:
    if token.dep_ not in NONRESTRICTIVE:
        return False
    before = token.left_edge.i - 1
    return before >= 0 and token.doc[before].text in (",", "--", "—", "(")


def phrase_tokens(head: Token, drop: Iterable[Token] = ()) -> Span:
    """The contiguous phrase of `head`: its subtree without coordinated items and asides."""
    excluded: set[int] = set()
    for child in head.children:
        if child.dep_ in ("conj", "cc"):
            excluded.update(t.i for t in child.subtree)
    for token in head.subtree:
        if token is not head and _nonrestrictive(token):
            excluded.update(t.i for t in token.subtree)
    for token in drop:
        excluded.update(t.i for t in token.subtree)
    kept = {t.i for t in head.subtree} - excluded
    start = end = head.i
    while start - 1 in kept:
        start -= 1
    while end + 1 in kept:
        end += 1
    return trimmed(head.doc[start : end + 1])


def trimmed(span: Span) -> Span:
    """`span` without punctuation, conjunctions, markers or spaces at its edges."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].pos_ in EDGE_TRIM or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].pos_ in EDGE_TRIM or doc[end - 1].is_space):
        end -= 1
    return doc[start:end] if end > start else span


def target_phrases(hit: CueHit, heads: list[Token]) -> list[Span]:
    """One phrase per coordinated target; "support X in doing Y" keeps "in doing Y"."""
    phrases = [phrase_tokens(item) for head in heads for item in conjuncts(head)]
    if len(phrases) == 1 and heads[0].dep_ == "dobj":
        anchor = hit.anchor
        extension = [
            prep
            for prep in children_with(anchor, ("prep",))
            if prep.i == phrases[0].end and children_with(prep, ("pcomp",))
        ]
        if extension:
            end = phrase_tokens(extension[0]).end
            phrases = [trimmed(hit.span.doc[phrases[0].start : end])]
    return phrases


def evidence_span(hit: CueHit, clause_head: Token, path: list[Token]) -> Span:
    """The clause carrying the stance: the clause head's subtree, minus coordinated clauses
    and asides that do not contain the cue."""
    anchor_tokens = {t.i for t in hit.span}
    on_path = {t.i for t in path} | {clause_head.i}
    drop: list[Token] = []
    for token in path + [clause_head]:
        for child in token.children:
            if child.i in on_path:
                continue
            contains_cue = any(t.i in anchor_tokens for t in child.subtree)
            if contains_cue:
                continue
            if (child.dep_ == "conj" and child.pos_ in ("VERB", "AUX")) or child.dep_ in (
                "parataxis",
            ):
                drop.append(child)
    excluded = {t.i for d in drop for t in d.subtree}
    kept = {t.i for t in clause_head.subtree} - excluded
    start = end = hit.anchor.i
    while start - 1 in kept:
        start -= 1
    while end + 1 in kept:
        end += 1
    return trimmed(clause_head.doc[start : end + 1])

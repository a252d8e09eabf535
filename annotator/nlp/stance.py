"""The stance suggester: who is FAVOR/AGAINST/NEUTRAL towards what, read off the dependency parse.

No stance model ships with this project, and sentiment lexicons call diplomatic prose neutral,
so the suggester finds stance cues from a user-extendable lexicon (schemas/stance_cues.json)
and reads the roles from the parse:

- holder: the cue's subject, found through auxiliaries, control verbs ("will continue to
  support"), "be willing to", participles and coordinated verbs; a noun cue's possessor;
- speaker: the subject of a reporting verb (say, note, add...) governing the cue's clause,
  or the object of "according to";
- target: the cue's object (or prepositional object) with its subtree; coordinated objects
  ("supporting A, B and C") give one stance each;
- negation ("does not support") flips FAVOR and AGAINST and sets `negated`;
- evidence: the clause that carries the stance, not the whole sentence or paragraph.

Pronoun holders and speakers ("he said") resolve to the nearest earlier entity of a fitting
type when that is unambiguous. The suggestions land in `doc._.stances` as plain dicts in the
export stance shape, so they survive `nlp.pipe(n_process=...)` and `Doc.to_bytes`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import ensure_path, filter_spans

from annotator.nlp.pronouns import SUBJECTS, entity_of, resolve_pronoun
from annotator.nlp.stance_lexicon import Cue, CueLexicon, cue_matcher, load_lexicon
from annotator.nlp.stance_senses import (
    action_heads,
    cause_roles,
    dateline_tokens,
    holds_a_view,
    hypothetical,
    stopped_by_directive,
)

CUES_FILE = "cues.json"  # the lexicon's name inside a saved pipeline's component folder
FLIPPED = {"FAVOR": "AGAINST", "AGAINST": "FAVOR", "NEUTRAL": "NEUTRAL"}

# Relations through which a cue inherits the subject of the word it hangs from:
# "continue to support" (xcomp), "is willing to" (acomp), ", supporting" (advcl),
# "support A and oppose B" (conj).
SUBJECT_BEARING = ("xcomp", "acomp", "advcl", "conj", "pcomp")
OBJECTS = ("dobj", "ccomp", "xcomp", "attr", "oprd", "obj")
NOUN_TARGET_PREPOSITIONS = frozenset({"to", "for", "of", "on", "towards", "toward", "against"})
# Comma-separated modifiers add commentary, not identity: "the principle, which is important".
NONRESTRICTIVE = frozenset({"appos", "relcl", "acl", "advcl", "parataxis"})
EDGE_TRIM = frozenset({"PUNCT", "CCONJ", "SPACE", "SCONJ"})
NEGATION_WORDS = frozenset({"not", "n't", "never"})
# Verbs that negate the cue they govern ("refused to support" is against).
NEGATING_GOVERNORS = frozenset(
    {
        "refuse", "decline", "fail", "stop", "cease", "quit", "refrain", "halt", "abandon",
        "deny", "unable", "unwilling", "refusal", "failure",
    }
)  # fmt: skip
# Entities that name a time or a quantity never hold a view ("Tang Sunday urged").
NO_HOLDER_LABELS = frozenset(
    {"DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "QUANTITY", "ORDINAL"}
)
# Entities that name a people, place or body: as a modifier of a stance noun they hold it
# ("American hostility towards", "the EU's support", "US criticism of").
GROUP_LABELS = frozenset({"NORP", "GPE", "ORG"})
# Verbs whose negation affirms what they govern ("don't forget to support" is for).
AFFIRMED_WHEN_NEGATED = frozenset({"forget", "hesitate", "neglect"})

if not Doc.has_extension("stances"):
    Doc.set_extension("stances", default=None)


# --- stance finding ---------------------------------------------------------------------


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


def _children(token: Token, deps: Iterable[str]) -> list[Token]:
    wanted = set(deps)
    return [child for child in token.children if child.dep_ in wanted]


def _first_subject(token: Token) -> Token | None:
    subjects = _children(token, SUBJECTS)
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


def _is_reflexive(token: Token) -> bool:
    return token.pos_ == "PRON" and token.lower_.endswith(("self", "selves"))


def climb_to_subject(anchor: Token) -> tuple[Token | None, Token, list[Token]]:
    """(subject, clause head, path): walk up from the cue until a word with a subject.

    A relative clause or participle ("countries that support", "forces interfering")
    takes the noun it modifies as its subject.
    """
    path: list[Token] = []
    current = anchor
    if anchor.pos_ in ("NOUN", "PROPN"):
        owners = _children(anchor, ("poss",)) or [
            child
            for child in anchor.lefts
            if child.dep_ in ("amod", "compound") and child.ent_type_ in GROUP_LABELS
        ]
        if owners:
            return owners[-1] if owners[0].dep_ != "poss" else owners[0], anchor, [anchor]
        by_agent = [
            pobj
            for prep in _children(anchor, ("prep", "agent"))
            if prep.lower_ in ("by", "from")
            for pobj in _children(prep, ("pobj",))
        ]
        if by_agent:
            return by_agent[0], anchor, [anchor]
        # "China expressed support for X": the noun's verb holds the stance.
        if anchor.dep_ in ("dobj", "attr") and anchor.head is not anchor:
            path.append(anchor)
            current = anchor.head
    for _ in range(12):
        path.append(current)
        subject = _first_subject(current)
        if subject is not None and _is_reflexive(subject) and current.head is not current:
            # "We find ourselves unable to endorse": the reflexive's antecedent holds it.
            subject = _first_subject(current.head)
        if subject is not None and not (current.dep_ == "relcl" and _is_relative(subject)):
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


def _is_relative(token: Token) -> bool:
    """ "who", "which", "that" opening a relative clause: the real subject is the noun."""
    return token.tag_ in ("WDT", "WP") or token.lower_ in ("who", "which", "that")


def _subject_of_earlier_complement(clause: Token) -> tuple[Token, Token] | None:
    """The parser often reads "said that X is willing to A, B and C" as three complements of
    "said", only the first with a subject; the later ones share it."""
    if clause.dep_ != "ccomp" or clause.head is clause:
        return None
    earlier = [
        sibling
        for sibling in clause.head.children
        if sibling.dep_ == "ccomp" and sibling.i < clause.i and _first_subject(sibling)
    ]
    if not earlier:
        return None
    subject = _first_subject(earlier[-1])
    assert subject is not None
    return subject, earlier[-1]


def is_negated(path: Sequence[Token]) -> bool:
    """Whether the stance is negated: an odd number of negations on the cue and the verbs it
    depends on ("will not continue to support", "refused to support"); a negated "forget"
    or "hesitate" ("don't forget to support") affirms instead."""
    flips = 0
    for token in path:
        lemma = token.lemma_.lower()
        negated_here = any(
            child.dep_ == "neg" or child.lower_ in NEGATION_WORDS for child in token.children
        )
        if negated_here and lemma not in AFFIRMED_WHEN_NEGATED:
            flips += 1
        if lemma in NEGATING_GOVERNORS and token is not path[0]:
            flips += 1
    return flips % 2 == 1


def _passive_roles(anchor: Token) -> tuple[Token | None, Token | None]:
    """(agent, patient) of a passive cue: "X is supported by Y" -> (Y, X)."""
    patients = _children(anchor, ("nsubjpass",))
    agents = [p for a in _children(anchor, ("agent",)) for p in _children(a, ("pobj",))]
    if not patients and agents and anchor.head is not anchor:
        if anchor.dep_ == "conj":  # "praised by A but condemned by B": the shared patient
            patients = _children(anchor.head, ("nsubjpass",))
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
        return _children(last, ("pobj", "pcomp"))
    heads = [
        child
        for token in hit.span
        for child in _children(token, OBJECTS)
        if child.i not in inside and child.pos_ not in ("AUX", "PART")
    ]
    if heads or anchor.pos_ not in ("NOUN", "PROPN"):
        # A verb's prepositional phrase is rarely what it is for or against ("backed into a
        # corner"); phrases where it is ("object to") name the preposition in the lexicon.
        return heads
    return [
        pobj
        for prep in _children(anchor, ("prep",))
        if prep.i not in inside and prep.lower_ in NOUN_TARGET_PREPOSITIONS
        for pobj in _children(prep, ("pobj", "pcomp"))
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
            for prep in _children(anchor, ("prep",))
            if prep.i == phrases[0].end and _children(prep, ("pcomp",))
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


def _reporting_subject(verb: Token, lexicon: CueLexicon) -> Token | None:
    """The subject of a reporting verb; a subjectless one ("..., Tokayev said, adding that")
    takes the subject of the reporting verb it hangs from, skipping other verbs on the way
    (the parser often hangs "and added that" from the reported clause)."""
    current = verb
    for _ in range(8):
        subject = _first_subject(current)
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


@dataclass(frozen=True)
class _Found:
    record: dict[str, Any]
    cue_index: int
    target: Span
    holder_is_named: bool


def _can_hold_view(token: Token, lexicon: CueLexicon) -> bool:
    """A holder names someone: an entity, a name, a pronoun, or a noun for people or bodies;
    never a date, a time or a number."""
    if token.ent_type_ in NO_HOLDER_LABELS or _is_reflexive(token):
        return False
    if token.lower_ in ("you", "your", "yours"):
        return False  # news uses "you" for anyone ("if you want a loan") or for the reader
    if token.pos_ in ("PROPN", "PRON") or entity_of(token) is not None:
        return True
    return lexicon.can_hold_view(token.lemma_)


def _stances_of_cue(
    hit: CueHit, lexicon: CueLexicon, dateline: frozenset[int] | set[int] = frozenset()
) -> Iterator[_Found]:
    """The stances of one cue: one per holder and target; none without both."""
    anchor = hit.anchor
    agent, patient = _passive_roles(anchor)
    flipped = False
    subject: Token | None
    if hit.cue.target == "cause":
        subject, clause_head, path = climb_to_subject(anchor)
        experiencer, heads = cause_roles(anchor)
        subject = experiencer if experiencer is not None else subject
    # "are opposed to X" parses as a passive, but the subject holds the view.
    elif patient is not None and hit.span[-1].pos_ != "ADP":
        subject = agent
        clause_head, path = anchor, [anchor]
        heads = [patient]
    else:
        subject, clause_head, path = climb_to_subject(anchor)
        if hit.cue.target == "action":
            heads, flipped = action_heads(anchor)
        else:
            heads = target_heads(hit)
        if subject is not None and subject.text[:1] in ("'", "’"):
            subject = None  # "let's welcome her": the clitic "us" names nobody
    if subject is not None and subject.i in dateline:
        # "KIGALI, March 3 (AFP) - Rwanda condemned": the parser may take the dateline's
        # place for a second subject; the other one holds the view.
        others = [c for c in subject.head.children if c.dep_ in SUBJECTS and c.i not in dateline]
        subject = others[0] if others else None
    if not heads or subject is None or stopped_by_directive(path) or hypothetical(path):
        return
    if _is_relative(subject) and subject.tag_ in ("WDT", "WP"):
        return  # "which" or "who" the parse could not tie to a noun names nobody
    negated = is_negated(path)
    if negated and hit.cue.target == "cause" and hit.cue.label == "AGAINST":
        return  # "not worried about X" is no stance for X
    label = FLIPPED[hit.cue.label] if negated != flipped else hit.cue.label
    speaker_token = find_speaker(clause_head, lexicon)
    speaker = role_span(speaker_token) if speaker_token is not None else None
    evidence = evidence_span(hit, clause_head, path)
    if evidence.start in dateline:
        after = max(i for i in dateline if evidence.start <= i < evidence.end) + 1
        evidence = trimmed(anchor.doc[min(after, anchor.i) : evidence.end])
    for holder_token in conjuncts(subject):
        if not _can_hold_view(holder_token, lexicon) or holder_token.i in dateline:
            continue  # "the old bridge supports heavy trucks"; "BEIJING, April 11 (AFP)"
        holder = role_span(holder_token)
        named = entity_of(holder_token) is not None or holder_token.pos_ in ("PROPN", "PRON")
        for target in target_phrases(hit, heads):
            if target.start <= anchor.i < target.end:
                # "a leader favoured by the army": the target is the noun, not the cue
                if anchor.left_edge.i <= target.start:
                    continue
                target = trimmed(anchor.doc[target.start : anchor.left_edge.i])
            if target.root.tag_ in ("WP", "WDT") or not holds_a_view(anchor, target):
                continue  # "financial support for the bank", "support at 1.20"
            # The evidence must show every role that lies in the clause's sentence.
            start = min(evidence.start, target.start)
            end = max(evidence.end, target.end)
            if holder_token.sent == anchor.sent:
                written = mention_span(holder_token)
                start = min(start, written.start)
                end = max(end, written.end)
            clause = trimmed(anchor.doc[start:end])
            yield _Found(
                record={
                    "label": label,
                    "evidence": ref(clause),
                    "cue": ref(hit.span),
                    "holder": ref(holder),
                    "speaker": ref(speaker) if speaker is not None else None,
                    "target": ref(target),
                    "negated": negated,
                },
                cue_index=anchor.i,
                target=target,
                holder_is_named=named,
            )


def clause_roles(evidence: Span, lexicon: CueLexicon) -> dict[str, Any]:
    """Cue, holder, speaker and target of a stance clause that a model found without a cue
    of the lexicon: the clause's main word is the cue, its subject (climbing as for a cue)
    the holder, its object or prepositional object the target. Empty without a parse."""
    doc = evidence.doc
    if not doc.has_annotation("DEP") or len(evidence) == 0:
        return {}
    inside = range(evidence.start, evidence.end)
    root = evidence.root
    if root.pos_ == "AUX":  # "are furious about X": the adjective carries the stance
        complements = [c for c in _children(root, ("acomp", "attr")) if c.i in inside]
        root = complements[0] if complements else root
    if root.pos_ not in ("VERB", "ADJ", "NOUN"):
        return {}
    heads = [
        c for c in _children(root, OBJECTS) if c.i in inside and c.pos_ not in ("AUX", "PART")
    ] or [
        pobj
        for prep in _children(root, ("prep",))
        for pobj in _children(prep, ("pobj", "pcomp"))
        if pobj.i in inside
    ]
    subject, clause_head, path = climb_to_subject(root)
    roles: dict[str, Any] = {"cue": ref(doc[root.i : root.i + 1]), "negated": is_negated(path)}
    if subject is not None and _can_hold_view(subject, lexicon):
        roles["holder"] = ref(role_span(subject))
    speaker = find_speaker(clause_head, lexicon)
    if speaker is not None:
        roles["speaker"] = ref(role_span(speaker))
    if heads:
        head = heads[0]
        # The whole object, coordination included: the model found one stance, not one
        # per coordinated target.
        start = max(head.left_edge.i, evidence.start)
        end = min(head.right_edge.i + 1, evidence.end)
        roles["target"] = ref(trimmed(doc[start:end]))
    return roles


def suggest_stances(
    doc: Doc, matcher: PhraseMatcher, lexicon: CueLexicon
) -> list[dict[str, Any]]:
    """Every stance the cues and the parse support, in text order."""
    if not doc.has_annotation("DEP") or not doc.has_annotation("LEMMA"):
        return []
    dateline = dateline_tokens(doc)
    found = [
        f
        for hit in find_cues(doc, matcher, lexicon)
        for f in _stances_of_cue(hit, lexicon, dateline)
    ]
    # A cue inside another stance's target describes the target ("oppose forces interfering
    # in X"); it is a stance of its own only when someone named holds it.
    kept = [
        f
        for f in found
        if f.holder_is_named
        or not any(
            other is not f and other.target.start <= f.cue_index < other.target.end
            for other in found
        )
    ]
    return [f.record for f in kept]


# --- the component ----------------------------------------------------------------------


@Language.factory("annotator_stances", default_config={"cues_path": None})
def make_stance_suggester(nlp: Language, name: str, cues_path: str | None) -> StanceSuggester:
    """The stance suggester; `cues_path` replaces the default lexicon (schemas/stance_cues.json)."""
    return StanceSuggester(nlp, name, Path(cues_path) if cues_path else None)


class StanceSuggester:
    """Fills `doc._.stances`; its lexicon is saved with the pipeline (`cues.json`).

    The lexicon file is read on first use, not on construction: a pipeline loaded from disk
    uses the copy saved in it, so it keeps working when the original file is gone.
    """

    def __init__(self, nlp: Language, name: str, cues_path: Path | None = None) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.cues_path = cues_path
        self._lexicon: CueLexicon | None = None
        self._matcher: PhraseMatcher | None = None

    @property
    def lexicon(self) -> CueLexicon:
        if self._lexicon is None:
            self.set_lexicon(load_lexicon(self.cues_path))
        assert self._lexicon is not None
        return self._lexicon

    def set_lexicon(self, lexicon: CueLexicon) -> None:
        """Use another lexicon from now on (for instance one the user extended)."""
        self._lexicon = lexicon
        self._matcher = cue_matcher(self.vocab, lexicon)

    def __call__(self, doc: Doc) -> Doc:
        lexicon = self.lexicon
        assert self._matcher is not None
        doc._.stances = suggest_stances(doc, self._matcher, lexicon)
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        folder = ensure_path(path)
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.lexicon.to_json(), indent=2, ensure_ascii=False)
        (folder / CUES_FILE).write_text(text + "\n", encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> StanceSuggester:
        self.set_lexicon(load_lexicon(ensure_path(path) / CUES_FILE))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps(self.lexicon.to_json()).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> StanceSuggester:
        self.set_lexicon(CueLexicon.from_json(json.loads(data.decode("utf-8"))))
        return self
